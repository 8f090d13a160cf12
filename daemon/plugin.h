/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: loads .so plugins, checks their ABI, tracks what they register. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <paced/plugin.h>

#include "address.h"
#include "mainloop.h"

struct plugin_host;

/* A person's action reported by an input plugin. */
typedef int (*plugin_action_func_t)(const char *plugin, const char *source,
				    enum paced_action action, int arg,
				    void *user_data);

/* Borrows loop. action may be NULL (actions then get -ENOTSUP). */
struct plugin_host *plugin_host_new(struct loop *loop,
				    plugin_action_func_t action,
				    void *user_data);
/* Log each load at debug level only (commands other than the service,
 * whose users did not ask for plugins). */
void plugin_host_set_quiet(struct plugin_host *host, bool quiet);
/* Unloads every plugin in reverse load order. NULL ok. */
void plugin_host_free(struct plugin_host *host);

/*
 * Find "<name>.so" in the directories of $PACED_PLUGIN_PATH (colon
 * separated, for running from the build tree), then dir. Load it
 * (RTLD_NOW|RTLD_LOCAL), check abi and size, and call init with group
 * (a libconfig group, may be NULL; file names the config file). Returns 0,
 * -ENOENT (not found), -EPROTO (wrong ABI or short descriptor, logged),
 * -ELIBBAD (no descriptor, name mismatch), or init's error.
 */
int plugin_host_load(struct plugin_host *host, const char *dir,
		     const char *name, const void *group, const char *file);
/*
 * Where plugin_host_load() would find "<name>.so", into buf: 0, -ENOENT,
 * or -EINVAL (not a plugin name). Nothing is loaded.
 */
int plugin_find(const char *dir, const char *name, char *buf, size_t len);
/* Load from an explicit .so path (tests). Same returns. */
int plugin_host_load_path(struct plugin_host *host, const char *path,
			  const char *name, const void *group,
			  const char *file);
unsigned plugin_host_count(const struct plugin_host *host);

/* The driver that matches address, or NULL. */
struct plugin_driver;
struct plugin_driver *plugin_host_find_driver(struct plugin_host *host,
					      const char *address);
const char *plugin_driver_name(const struct plugin_driver *d);
/* driver->open(); *ret_tm is lib/treadmill.h's struct treadmill. */
struct treadmill;
int plugin_driver_open(struct plugin_driver *d, const char *address,
		       const char *adapter, struct treadmill **ret_tm);

/* The first loaded scanner (ftms-ble's LE scan), or NULL. */
struct plugin_scanner;
struct plugin_scanner *plugin_host_find_scanner(struct plugin_host *host);
/* scanner->start(): same returns; result and done run from the loop. */
int plugin_scanner_start(struct plugin_scanner *sc, const char *adapter,
			 uint64_t duration_us, paced_scan_result_func_t result,
			 paced_scan_done_func_t done, void *cb_data);
/* Stop a running scan; done is not called. */
void plugin_scanner_cancel(struct plugin_scanner *sc);
/* The scanner's sentence for err, else strerror's; never NULL. */
const char *plugin_scanner_strerror(struct plugin_scanner *sc, int err);

/* Hand ev to every sink, newest plugin first. */
void plugin_host_emit(struct plugin_host *host, const struct paced_event *ev);
unsigned plugin_host_sink_count(const struct plugin_host *host);

/*
 * The advisory cue behind a runner "cue" event (runner_set_cue_func()),
 * which the event's JSON does not carry in a form sinks can use.
 */
struct plugin_cue {
	const char *kind;	/* advisory_cue_kind_name() */
	const char *text;
	uint32_t speed;		/* 0.01 km/h, 0 none */
};
/*
 * A runner event (runner_set_callbacks()' JSON) to every sink; cue is the
 * cue that produced it when the event is a "cue", else NULL.
 */
void plugin_host_emit_runner(struct plugin_host *host, const char *json,
			     const struct plugin_cue *cue);
