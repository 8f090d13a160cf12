/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl sub-commands: each takes argv after its own name. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "programme.h"
#include "settings.h"

/*
 * Exit codes shared by every sub-command (documented in pacectl(1)).
 */
enum pacectl_exit {
	PACECTL_EXIT_OK = 0,
	PACECTL_EXIT_FAIL = 1,		/* the request failed or input was bad */
	PACECTL_EXIT_USAGE = 2,		/* bad arguments */
	PACECTL_EXIT_UNACKED = 3,	/* sent, twice, but never answered */
};

/* The control socket path (--socket), tools/pacectl-ctl.c. */
extern const char *pacectl_socket;

/* tools/pacectl-ctl.c: status, symptom, pause, resume, stop, start, watch */
int cmd_ctl(int argc, char **argv);
/*
 * Send req (one request line, without its newline) to paced and wait up
 * to timeout_ms for its reply line: 0 and *ret_reply (malloc'd, without
 * the newline), or a negative errno after telling stderr why.
 */
int pacectl_request(const char *req, int timeout_ms, char **ret_reply);
/* tools/pacectl-service.c: 'scan' and 'profiles' (ask the service) */
int cmd_scan(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
/* tools/pacectl-history.c: 'history' and 'next' (offline, state dir) */
int cmd_progress(int argc, char **argv);

/*
 * What the offline commands (history, next, checkin, report) work on:
 * the state directory, the programme and the limits to load it with,
 * from --state-dir, --programme and --config (paced.conf, read by
 * domain/settings.c), else the defaults; each says which it used.
 */
struct pacectl_setup {
	const char *state_dir;
	const char *programme;
	struct paced_settings settings;	/* limits: built-in or --config */
	char limits_from[PATH_MAX];	/* "built-in defaults" or the file */
	char state_buf[PATH_MAX];
};
/* -s/--state-dir, -c/--config, -p/--programme, as each command gets them. */
struct pacectl_where {
	const char *state_dir;
	const char *config;
	const char *programme;
};
#define PACECTL_WHERE_OPTIONS \
	{ "state-dir", required_argument, NULL, 's' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "programme", required_argument, NULL, 'p' }
/* Takes getopt's c when it is one of those three: true. */
bool pacectl_where_option(struct pacectl_where *w, int c, const char *arg);
/* 0, or -EINVAL after telling stderr why. */
int pacectl_setup(struct pacectl_setup *st, const struct pacectl_where *w);
/* NULL after telling stderr why. */
struct programme *pacectl_load_programme(const struct pacectl_setup *st);
/* progression_decide() at now, telling stderr about a bad history. */
int pacectl_decide(const struct pacectl_setup *st,
		   const struct programme *prog, int64_t now,
		   struct programme_decision *ret);
void pacectl_print_decision(const struct pacectl_setup *st,
			    const struct programme *prog,
			    const struct programme_decision *d, int64_t now,
			    bool as_json);
/* tools/pacectl-checkin.c: 'checkin' (offline, state dir) */
int cmd_checkin(int argc, char **argv);
/* tools/pacectl-report.c: 'report' (offline, state dir) */
int cmd_report(int argc, char **argv);
/* tools/pacectl-ftms.c: 'pacectl ftms decode KIND HEX...' */
int cmd_ftms(int argc, char **argv);
/* tools/pacectl-export.c: 'pacectl export LOG|latest|ID --format F' */
int cmd_export(int argc, char **argv);
/* tools/pacectl-web.c: 'pacectl web pair|devices|revoke ID' */
int cmd_web(int argc, char **argv);
/* tools/pacectl-profile.c: 'pacectl profile check|show|list ...' */
int cmd_profile(int argc, char **argv);
