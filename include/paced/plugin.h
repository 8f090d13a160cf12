/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The paced plugin ABI: descriptor, host interface, drivers, scanners, inputs, sinks. */
#ifndef PACED_PLUGIN_H
#define PACED_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Integer major ABI version. Bumped on any incompatible change; a plugin
 * built against another major is skipped with a log line, never loaded.
 * Fields are only ever appended to struct paced_plugin_desc; the loader
 * reads a field only when the plugin's "size" covers it.
 */
#define PACED_PLUGIN_ABI	1

/* The handle the daemon gives each plugin; every call back passes it. */
struct paced_plugin;
/* A read-only view of the plugin's own group in paced.conf. */
struct paced_cfg;

struct paced_plugin_desc {
	uint32_t abi;		/* PACED_PLUGIN_ABI, checked first */
	uint32_t size;		/* sizeof(struct paced_plugin_desc) at build */
	const char *name;	/* matches its group name under "plugins" */
	const char *version;	/* informational only */
	/*
	 * Called once after loading, on the loop thread. cfg is valid only
	 * during the call: copy the strings you keep. No blocking I/O:
	 * register fds and timers instead. Return 0 or a negative errno (the
	 * plugin is then unloaded, and whatever it registered is dropped).
	 */
	int (*init)(struct paced_plugin *self, const struct paced_cfg *cfg);
	/* Called before unloading, in reverse load order. May be NULL. */
	void (*exit)(struct paced_plugin *self);
	/* New fields go here, at the end only. */
};

/*
 * Defines the one exported symbol of a plugin .so. Link the plugin with
 * -export-symbols-regex '^paced_plugin_desc$' so nothing else leaks.
 */
#define PACED_PLUGIN_DEFINE(name_, version_, init_, exit_)		\
	__attribute__((visibility("default")))				\
	const struct paced_plugin_desc paced_plugin_desc = {		\
		.abi = PACED_PLUGIN_ABI,				\
		.size = sizeof(struct paced_plugin_desc),		\
		.name = (name_),					\
		.version = (version_),					\
		.init = (init_),					\
		.exit = (exit_),					\
	}

/* ---- configuration (valid during init only) ---- */

/*
 * Read a scalar member of the plugin's group. Each returns 0 and sets
 * *ret_value, -ENOENT when the key is missing, -EINVAL when it has another
 * type; *ret_value is untouched on failure. A string points into the
 * config and is valid during init only. Callable during init only.
 */
int paced_cfg_get_int(const struct paced_cfg *cfg, const char *key,
		      long long *ret_value);
int paced_cfg_get_str(const struct paced_cfg *cfg, const char *key,
		      const char **ret_value);
int paced_cfg_get_bool(const struct paced_cfg *cfg, const char *key,
		       bool *ret_value);
/* Accepts an integer too. */
int paced_cfg_get_float(const struct paced_cfg *cfg, const char *key,
			double *ret_value);
/*
 * The i-th string of a list or array member ("devices = [ "a", "b" ]").
 * Returns 0, -ENOENT past the end or when missing, -EINVAL on a type
 * mismatch.
 */
int paced_cfg_get_str_elem(const struct paced_cfg *cfg, const char *key,
			   unsigned i, const char **ret_value);
/*
 * The i-th member of a sub-group ("keys = { KEY_A = "symptom"; }"): its
 * name and string value. -ENOENT past the end, -EINVAL if not a string.
 */
int paced_cfg_get_member(const struct paced_cfg *cfg, const char *group,
			 unsigned i, const char **ret_name,
			 const char **ret_value);
/*
 * Refuse the members of the group that are not in known (NULL-terminated):
 * a misspelt key would otherwise be silently ignored. Logs
 * "file:line: unknown key 'KEY' for plugin NAME (known: ...)" and returns
 * -EINVAL for the first one, else 0. Call it first in init.
 */
int paced_cfg_check_keys(struct paced_plugin *self,
			 const struct paced_cfg *cfg,
			 const char *const *known);
/* The config file's name, and the line of key (the group's line for NULL
 * or a missing key), for "file:line: message" errors. */
const char *paced_cfg_file(const struct paced_cfg *cfg);
unsigned paced_cfg_line(const struct paced_cfg *cfg, const char *key);

/* ---- host: logging and the event loop (loop thread only) ---- */

/* syslog(3) priorities: 3 err, 4 warning, 5 notice, 6 info, 7 debug. The
 * line is prefixed with the plugin's name. */
void paced_log(struct paced_plugin *self, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns false to remove the watch. */
typedef bool (*paced_fd_func_t)(int fd, uint32_t events, void *user_data);
/* Returns true to re-arm a periodic timer. */
typedef bool (*paced_timer_func_t)(void *user_data);

/*
 * Watch fd (borrowed; EPOLLIN etc.) or arm a timer of delay_us
 * (CLOCK_MONOTONIC, or the daemon's test clock). Return an id > 0 or a
 * negative errno. Registrations are tagged with the plugin and removed
 * when it is unloaded. Callable from callbacks.
 */
int paced_add_fd(struct paced_plugin *self, int fd, uint32_t events,
		 paced_fd_func_t func, void *user_data);
int paced_add_timeout(struct paced_plugin *self, uint64_t delay_us,
		      bool periodic, paced_timer_func_t func, void *user_data);
/* Remove a watch or timer of this plugin; false if there was none. Legal
 * from inside its own callback. */
bool paced_remove(struct paced_plugin *self, int id);
/* The loop's clock, µs. */
uint64_t paced_now_us(struct paced_plugin *self);

/* ---- inputs: buttons and other ways a person acts ---- */

enum paced_action {
	PACED_ACTION_SYMPTOM,	/* arg: enum paced_symptom */
	PACED_ACTION_END,	/* the long press: cool-down, then stop */
	PACED_ACTION_PAUSE,
	PACED_ACTION_RESUME,
	PACED_ACTION_START,	/* start the next session (programme) */
	PACED_ACTION_STOP,	/* walk pace, then stop */
};

enum paced_symptom {
	PACED_SYMPTOM_ANY,
	PACED_SYMPTOM_LEAK,
	PACED_SYMPTOM_PRESSURE,
	PACED_SYMPTOM_PAIN,
};

/*
 * Report what the person did. source names the device ("USB foot pedal")
 * for the log. Returns 0, or a negative errno when the action cannot
 * apply now (-ESRCH no session, -EBUSY one is running for START); the
 * daemon logs it. Callable from callbacks.
 */
int paced_input_action(struct paced_plugin *self, const char *source,
		       enum paced_action action, int arg);

/* ---- treadmill drivers ---- */

/*
 * The daemon's treadmill handle (lib/treadmill.h), built by an in-tree
 * driver with treadmill_new() or ftms_client_get_treadmill(). Its layout
 * is private to a paced build: drivers that return one are built from the
 * same tree as the daemon (PACED_PLUGIN_ABI changes with it).
 */
struct paced_treadmill;
/* The daemon's event loop (lib/mainloop.h), same rule as above. */
struct paced_loop;

struct paced_driver_ops {
	const char *name;	/* "sim", "ftms-ble", "usb-ant" */
	/* true when this driver handles the address ("sim", "unix:/x"). */
	bool (*match)(const char *address, void *user_data);
	/*
	 * Open a link to the treadmill at address and return its handle,
	 * not yet connected (the daemon calls treadmill_connect()). The
	 * handle is the caller's: it frees it with treadmill_free(). Called
	 * again to reconnect after a drop. 0 or a negative errno.
	 */
	int (*open)(const char *address, const char *adapter,
		    struct paced_treadmill **ret_tm, void *user_data);
};

/*
 * Offer a driver. ops is static const and owned by the plugin; user_data
 * goes to its callbacks. Returns 0, -EEXIST when a driver of that name is
 * already registered. Dropped when the plugin unloads. Init only.
 */
int paced_driver_register(struct paced_plugin *self,
			  const struct paced_driver_ops *ops, void *user_data);
/* The daemon's loop, for in-tree drivers built on lib/ (see above). */
struct paced_loop *paced_plugin_loop(struct paced_plugin *self);

/* ---- scanners: finding treadmills nearby (ftms-ble) ---- */

/* One advertiser, valid during the callback only. */
struct paced_scan_result {
	const char *address;	/* usable as a treadmill address as is */
	const char *name;	/* advertised name, "" when none */
	int rssi;		/* dBm; 127 when the controller gave none */
	bool ftms;		/* advertises the Fitness Machine Service */
	bool treadmill;		/* FTMS Service Data says treadmill */
	bool service_data;	/* FTMS Service Data seen: the next two hold */
	bool available;		/* ... its Flags say available */
	uint16_t machine_type;	/* ... its machine type, 0 unknown */
	const char *kind;	/* "treadmill", "indoor bike", ..., "ftms"
				 * (no Service Data), "-" not FTMS */
};

typedef void (*paced_scan_result_func_t)(const struct paced_scan_result *res,
					 void *cb_data);
/* The scan ended: err 0 after duration_us, or a negative errno. */
typedef void (*paced_scan_done_func_t)(int err, void *cb_data);

struct paced_scanner_ops {
	const char *name;
	/*
	 * Scan on adapter (NULL or "": the first one up) for duration_us.
	 * result runs once per advertiser, done exactly once afterwards,
	 * both from the loop and never from inside start. Returns 0, or a
	 * negative errno without calling anything (-EBUSY when a scan is
	 * already running, -ENODEV no adapter, -EPERM no rights).
	 */
	int (*start)(const char *adapter, uint64_t duration_us,
		     paced_scan_result_func_t result,
		     paced_scan_done_func_t done, void *cb_data,
		     void *user_data);
	/* Stop a running scan without calling done. May be NULL. */
	void (*cancel)(void *user_data);
	/* A sentence for an error from start or done; may be NULL. */
	const char *(*strerror)(int err, void *user_data);
};

/* Same rules as paced_driver_register(). Init only. */
int paced_scanner_register(struct paced_plugin *self,
			   const struct paced_scanner_ops *ops,
			   void *user_data);

/* ---- sinks: where session events go besides the session log ---- */

/* One event, valid during the callback only. */
struct paced_event {
	const char *name;	/* "symptom", "cue", "state", ... */
	const char *json;	/* the whole event, as pacectl watch prints it */
	/* cue events (advisory sessions) only, else NULL / NULL / 0: */
	const char *cue_kind;	/* "change", "symptom", "alarm", ... */
	const char *text;	/* the sentence for the person */
	uint32_t speed;		/* the speed asked for, 0.01 km/h; 0 none */
};

struct paced_sink_ops {
	const char *name;
	/* Every session event, in order, on the loop thread. Must not
	 * block: a sink that talks to something slow queues. */
	void (*event)(const struct paced_event *ev, void *user_data);
};

/* Same rules as paced_driver_register(). Init only. */
int paced_sink_register(struct paced_plugin *self,
			const struct paced_sink_ops *ops, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* PACED_PLUGIN_H */
