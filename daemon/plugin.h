/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: finds and loads .so plugins, checks their ABI, tracks what they register. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <paced/plugin.h>

#include "event.h"
#include "mainloop.h"
#include "treadmill.h"

struct plugin_host;

/* Who is asking: a plugin, for the log and for the safety rule that only
 * a deliberate act starts the belt (PACED_PLUGIN_STARTS). */
struct plugin_origin {
	const char *plugin;
	const char *source;	/* the device, for inputs; else the plugin */
	bool may_start;
};

/* What the host needs from the shell that runs it. Any member may be
 * NULL: actions and requests then get -ENOTSUP. */
struct plugin_host_ops {
	/* An input plugin's action (paced_input_action()). */
	int (*action)(const struct plugin_origin *from, enum paced_action action,
		      int arg, void *user_data);
	/* A plugin's control request (paced_request()): call is answered
	 * exactly once through paced_call_reply(). */
	void (*request)(const struct plugin_origin *from, struct paced_call *call,
			const char *line, void *user_data);
	/* The state directory (paced_state_dir()). */
	const char *(*state_dir)(void *user_data);
};

/* Borrows loop; ops is copied. */
struct plugin_host *plugin_host_new(struct loop *loop,
				    const struct plugin_host_ops *ops,
				    void *user_data);
/* Log each load at debug level only (commands other than the service,
 * whose users did not ask for plugins). */
void plugin_host_set_quiet(struct plugin_host *host, bool quiet);
/* Unloads every plugin in reverse load order. NULL ok. */
void plugin_host_free(struct plugin_host *host);

/*
 * A plugin's settings: its libconfig group in paced.conf (NULL: none),
 * the file for messages, and settings from the command line on top
 * (paced run --sim-quirk): "key=value" strings; a key that names a list
 * in the group gets the value appended, any other key is replaced.
 */
struct plugin_settings {
	const void *group;		/* config_setting_t *, or NULL */
	const char *file;
	const char *const *extra;	/* NULL-terminated, or NULL */
};

/*
 * Find "<name>.so" in the directories of $PACED_PLUGIN_PATH (colon
 * separated, for running from the build tree), in the build tree when
 * paced runs uninstalled, then in dir. Load it (RTLD_NOW|RTLD_LOCAL),
 * check abi and size, and call init with settings (may be NULL). Returns
 * 0, -ENOENT (not found), -EPROTO (wrong ABI or short descriptor,
 * logged), -ELIBBAD (no descriptor, name mismatch), -EPERM (a file or
 * directory anyone else could have written), or init's error.
 */
int plugin_host_load(struct plugin_host *host, const char *dir,
		     const char *name, const struct plugin_settings *settings);
/*
 * Where plugin_host_load() would find "<name>.so", into buf: 0, -ENOENT,
 * or -EINVAL (not a plugin name). Nothing is loaded.
 */
int plugin_find(const char *dir, const char *name, char *buf, size_t len);
/* Load from an explicit .so path (tests). Same returns. */
int plugin_host_load_path(struct plugin_host *host, const char *path,
			  const char *name,
			  const struct plugin_settings *settings);
unsigned plugin_host_count(const struct plugin_host *host);
bool plugin_host_loaded(const struct plugin_host *host, const char *name);

/*
 * Which plugin drives address: asks the paced_driver_info of every driver
 * plugin it can find (loaded ones first, then the .so files in the same
 * places plugin_host_load() looks, without loading them for good). Into
 * buf: 0 and the plugin's name, -ENOENT when none takes it. Nothing stays
 * loaded.
 */
int plugin_driver_for_address(struct plugin_host *host, const char *dir,
			      const char *address, char *buf, size_t len);
/*
 * The address forms of every driver plugin found, "sim | unix:PATH;
 * XX:XX:XX:XX:XX:XX[/random]; ...", into buf (for errors and --help).
 */
void plugin_driver_usage(struct plugin_host *host, const char *dir,
			 char *buf, size_t len);

/* The name of a plugin that offers a scanner (PACED_PLUGIN_SCANNER), found
 * as plugin_driver_for_address() finds drivers: 0 or -ENOENT. */
int plugin_scanner_plugin(struct plugin_host *host, const char *dir,
			  char *buf, size_t len);

/* A loaded driver that takes address, or NULL. */
struct plugin_driver;
struct plugin_driver *plugin_host_find_driver(struct plugin_host *host,
					      const char *address);
const char *plugin_driver_name(const struct plugin_driver *d);
uint32_t plugin_driver_caps(const struct plugin_driver *d);	/* PACED_DRIVER_* */
/* driver->open(); *ret_tm is lib/treadmill.h's handle, the caller's. */
int plugin_driver_open(struct plugin_driver *d, const struct paced_open *req,
		       struct treadmill **ret_tm);

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

/* An event to every sink, newest plugin first. */
void plugin_host_emit(struct plugin_host *host, const struct event *ev);
unsigned plugin_host_sink_count(const struct plugin_host *host);

/*
 * A control-protocol command a plugin added (paced_command_register()),
 * or false. Calls it with the rest of the line; it answers call.
 */
bool plugin_host_command(struct plugin_host *host, const char *word,
			 struct paced_call *call, const char *arg);
