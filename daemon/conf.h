/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced.conf: the service's configuration, parsed with libconfig into typed structs. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "cue.h"
#include "profile.h"
#include "units.h"

#define CONFIG_MAX_PLUGINS 16

struct config_plugin {
	char name[64];
	unsigned line;
	const void *group;	/* its libconfig group, valid while the
				 * paced_config lives (plugin views) */
};

struct paced_config {
	char file[PATH_MAX];
	char treadmill[128];	/* "sim", "unix:PATH", "AA:BB:..." */
	unsigned treadmill_line;	/* where it was set, 0 default */
	char adapter[32];	/* "" = default */
	/* user: paces and the cap (0.01 km/h), the default scale-back
	 * policy (the built-in one; see paced.conf(5)) */
	struct profile_limits limits;
	char profile[PATH_MAX];		/* default for 'start'; "" none */
	char programme[PATH_MAX];	/* for 'start --programme'; "" none */
	char profile_dir[PATH_MAX];	/* 'start NAME' looks here */
	char state_dir[PATH_MAX];
	char control_socket[sizeof(((struct sockaddr_un *) 0)->sun_path)];
	char control_group[64];		/* "" = ours */
	char plugin_dir[PATH_MAX];
	uint32_t speedup;		/* tests and demos only; 1 */
	enum units units;		/* what a person reads or hears */
	struct cue_config cues;		/* "cues": timing, tips, templates */
	unsigned export_formats;	/* "export": AUTO_EXPORT_BIT()s, 0 none */
	struct config_plugin plugins[CONFIG_MAX_PLUGINS];
	unsigned n_plugins;
	void *cfg;			/* the libconfig tree (plugin groups) */
};

/* "file:line: message", or "file: message" when there is no line. */
struct paced_config_error {
	unsigned line;
	char text[512];
};

/*
 * Parse path into a new config. Unknown keys, wrong types and values out
 * of range are errors. Returns NULL and fills *ret_err on failure.
 */
struct paced_config *paced_config_load(const char *path,
				       struct paced_config_error *ret_err);
/* The same from a string; name is used as the file in messages. */
struct paced_config *paced_config_load_string(const char *text,
					      const char *name,
					      struct paced_config_error *ret_err);
void paced_config_free(struct paced_config *c);
