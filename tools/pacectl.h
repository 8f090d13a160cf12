/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl sub-commands: each takes argv after its own name. */
#pragma once

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
/* tools/pacectl-ftms.c: 'pacectl ftms decode KIND HEX...' */
int cmd_ftms(int argc, char **argv);
/* tools/pacectl-export.c: 'pacectl export LOG|latest|ID --format F' */
int cmd_export(int argc, char **argv);
/* tools/pacectl-profile.c: 'pacectl profile check|show|list ...' */
int cmd_profile(int argc, char **argv);
