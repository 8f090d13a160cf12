/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keys of paced.conf that pacectl needs too: paces, cap, programme, directories. */
#pragma once

#include <limits.h>

#include "profile.h"

/*
 * paced.conf belongs to the daemon (daemon/conf.c reads and validates
 * all of it), but three of its answers decide what a programme session
 * is: the person's paces and speed cap (a stage profile above the cap is
 * refused), the programme, and where the history lives. pacectl, which
 * may not include the daemon's headers, reads exactly those here, with
 * the same rules and messages, so 'pacectl next --config FILE' loads the
 * programme as the service does. Other keys are left to paced: this
 * reader neither checks nor rejects them.
 */
struct paced_settings {
	char file[PATH_MAX];
	struct profile_limits limits;	/* user { walk jog speed_cap } and scaleback */
	char programme[PATH_MAX];	/* "" when none */
	char profile_dir[PATH_MAX];	/* PROFILEDIR when absent */
	char state_dir[PATH_MAX];	/* STATEDIR when absent */
};

/*
 * The "user" and "scaleback" groups of a paced.conf root (a libconfig
 * config_setting_t) over *limits, which holds the defaults. Returns 0,
 * or -EINVAL with "file:line: message" in *ret_err; *limits may be half
 * updated then. daemon/conf.c uses it for the same keys.
 */
struct config_setting_t;
int settings_parse_limits(const struct config_setting_t *root,
			  const char *file, struct profile_limits *limits,
			  struct profile_error *ret_err);

/* Read path. Returns 0, or -EINVAL / -ENOENT with the reason in
 * *ret_err; *ret untouched on failure. */
int settings_load(const char *path, struct paced_settings *ret,
		  struct profile_error *ret_err);
