/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The paced plugin ABI: descriptor, host interface, drivers, scanners, inputs, sinks, front ends. */
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
 *
 * ABI 2: drivers describe themselves (struct paced_driver_info) and may
 * be written out of tree (paced_treadmill_new()); front ends send the
 * control protocol's requests (paced_request()) and add their own
 * commands (paced_command_register()); fd and timer registrations take a
 * destroy callback.
 *
 * Everything here runs on the daemon's one thread, from its event loop.
 * No call may block; a plugin never calls exit(), never installs signal
 * handlers and never starts threads.
 */
#define PACED_PLUGIN_ABI	2

/* The handle the daemon gives each plugin; every call back passes it. */
struct paced_plugin;
/* A read-only view of the plugin's own group in paced.conf. */
struct paced_cfg;
struct paced_driver_info;

/* Flags of struct paced_plugin_desc. */
/*
 * The plugin's actions may start a session or resume the belt: a button
 * at the box, or a front end that makes the person confirm first. Without
 * it the daemon refuses start and resume from the plugin, whatever it
 * sends (docs/safety.md: only a deliberate local act starts the belt).
 */
#define PACED_PLUGIN_STARTS	(1u << 0)
/*
 * The plugin registers a scanner (paced_scanner_register()): the daemon
 * loads it when a treadmill is given by name (name:NAME) or for a scan.
 */
#define PACED_PLUGIN_SCANNER	(1u << 1)

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
	/* ---- ABI 2 ---- */
	uint32_t flags;		/* PACED_PLUGIN_* */
	/* A treadmill driver says what it drives, readable before init. */
	const struct paced_driver_info *driver;
	/* New fields go here, at the end only. */
};

/*
 * Defines the one exported symbol of a plugin .so. Link the plugin with
 * -export-symbols-regex '^paced_plugin_desc$' so nothing else leaks.
 * Optional fields follow as designated initializers:
 *	PACED_PLUGIN_DEFINE("toy", "1", toy_init, toy_exit,
 *			    .driver = &toy_driver);
 */
#define PACED_PLUGIN_DEFINE(name_, version_, init_, exit_, ...)	\
	__attribute__((visibility("default")))				\
	const struct paced_plugin_desc paced_plugin_desc = {		\
		.abi = PACED_PLUGIN_ABI,				\
		.size = sizeof(struct paced_plugin_desc),		\
		.name = (name_),					\
		.version = (version_),					\
		.init = (init_),					\
		.exit = (exit_),					\
		__VA_ARGS__						\
	}

/* ---- configuration (valid during init only) ---- */

/*
 * Read a scalar member of the plugin's group. Each returns 0 and sets
 * *ret_value, -ENOENT when the key is missing, -EINVAL when it has another
 * type; *ret_value is untouched on failure. A string points into the
 * config and is valid during init only. Callable during init only. A
 * setting given on paced run's command line has no file line
 * (paced_cfg_line() 0).
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
 * or a missing key; 0 for a command-line setting), for "file:line:
 * message" errors. */
const char *paced_cfg_file(const struct paced_cfg *cfg);
unsigned paced_cfg_line(const struct paced_cfg *cfg, const char *key);

/* ---- host: logging, the event loop, the state directory ---- */

/* syslog(3) priorities: 3 err, 4 warning, 5 notice, 6 info, 7 debug. The
 * line is prefixed with the plugin's name. */
void paced_log(struct paced_plugin *self, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Returns false to remove the watch. */
typedef bool (*paced_fd_func_t)(int fd, uint32_t events, void *user_data);
/* Returns true to re-arm a periodic timer. */
typedef bool (*paced_timer_func_t)(void *user_data);
/* Runs exactly once when a registration ends, for whatever reason. */
typedef void (*paced_destroy_func_t)(void *user_data);

/*
 * Watch fd (borrowed; EPOLLIN etc.) or arm a timer of delay_us
 * (CLOCK_MONOTONIC, or the daemon's test clock). destroy (may be NULL)
 * runs once when the registration ends: removed, returned false, or the
 * plugin unloaded. Return an id > 0 or a negative errno (destroy is not
 * called then). Registrations are tagged with the plugin and removed when
 * it is unloaded. Callable from callbacks.
 */
int paced_add_fd(struct paced_plugin *self, int fd, uint32_t events,
		 paced_fd_func_t func, void *user_data,
		 paced_destroy_func_t destroy);
int paced_add_timeout(struct paced_plugin *self, uint64_t delay_us,
		      bool periodic, paced_timer_func_t func, void *user_data,
		      paced_destroy_func_t destroy);
/* Remove a watch or timer of this plugin; false if there was none. Legal
 * from inside its own callback. */
bool paced_remove(struct paced_plugin *self, int id);
/* The loop's clock, µs. */
uint64_t paced_now_us(struct paced_plugin *self);
/*
 * The daemon's state directory (where sessions/ and history.jsonl live),
 * for plugins that keep state of their own there (tokens, queues). Never
 * NULL. Create files in it with O_NOFOLLOW, mode 0600.
 */
const char *paced_state_dir(struct paced_plugin *self);

/* ---- inputs: buttons and other ways a person acts ---- */

enum paced_action {
	PACED_ACTION_SYMPTOM,	/* arg: enum paced_symptom */
	PACED_ACTION_END,	/* the long press: cool-down, then stop */
	PACED_ACTION_PAUSE,
	PACED_ACTION_RESUME,	/* needs PACED_PLUGIN_STARTS */
	PACED_ACTION_START,	/* start the next session (programme);
				 * needs PACED_PLUGIN_STARTS */
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
 * for the log. A symptom puts walking pace on the wire before this
 * returns. Returns 0, or a negative errno when the action cannot apply
 * now (-ESRCH no session, -EBUSY one is running for START, -EPERM the
 * plugin may not start the belt); the daemon logs it. Callable from
 * callbacks.
 */
int paced_input_action(struct paced_plugin *self, const char *source,
		       enum paced_action action, int arg);

/* ---- front ends: the control protocol from inside (web, MQTT) ---- */

/* One JSON object, as the control socket would send it; valid during
 * the call only. */
typedef void (*paced_reply_func_t)(const char *json, void *user_data);

/*
 * Handle one control-protocol request line ("status", "symptom leak",
 * "history", see pacectl(1)) as this plugin: the same answers as the
 * control socket, with the same safety rules. What the request does to
 * the belt is done before this returns; reply (may be NULL) then runs
 * exactly once with the JSON reply, from the loop, never from inside this
 * call. "watch" is refused: register a sink instead. start and resume are
 * refused (-EPERM, and an error reply) unless the plugin's descriptor has
 * PACED_PLUGIN_STARTS. Returns 0 (reply will run) or a negative errno
 * (reply will not run): -EINVAL for a line that does not parse. Once the
 * plugin's exit has run, no reply reaches it.
 */
int paced_request(struct paced_plugin *self, const char *line,
		  paced_reply_func_t reply, void *user_data);

/* A request for a command a plugin added, answered once (now or later). */
struct paced_call;
/*
 * Answer it: json is one JSON object ({"ok":true,...} or
 * {"ok":false,"error":"..."}). Exactly once per call; the call is gone
 * afterwards.
 */
void paced_call_reply(struct paced_call *call, const char *json);
/* The uid of the client on the control socket, or -1 for another
 * plugin's request. */
long paced_call_uid(const struct paced_call *call);
typedef void (*paced_command_func_t)(struct paced_call *call,
				     const char *arg, void *user_data);
/*
 * Add a control-protocol command: a request line "WORD ARG..." (from
 * pacectl or paced_request()) calls func with the rest of the line. WORD
 * must not be one of the daemon's own commands. Init only.
 */
int paced_command_register(struct paced_plugin *self, const char *word,
			   paced_command_func_t func, void *user_data);

/* ---- treadmill drivers ---- */

/* What a driver takes and can do, readable before the plugin is loaded. */
struct paced_driver_info {
	/* The address forms it takes, for --help and errors:
	 * "sim | unix:PATH". */
	const char *usage;
	/*
	 * True when this driver takes address ("toy:1"). Pure: no I/O, no
	 * allocation, callable before init. The daemon asks every driver
	 * plugin it can find; the first that says yes drives.
	 */
	bool (*match)(const char *address);
	uint32_t caps;		/* PACED_DRIVER_* */
};

/* Can set the belt: without it every session is advisory (the person is
 * told what to do and checked). The treadmill's own caps may still say
 * it cannot. */
#define PACED_DRIVER_CONTROL	(1u << 0)
/* Finds the treadmill again by itself after a drop (an ANT+ search):
 * the daemon waits for the link to come back instead of reopening. */
#define PACED_DRIVER_RECONNECTS	(1u << 1)
/* A simulation whose clock follows the session's speedup (paced_open). */
#define PACED_DRIVER_SPEEDUP	(1u << 2)

/* The daemon's handle for one link to a treadmill. */
struct paced_treadmill;

/* What open() is asked for. */
struct paced_open {
	const char *address;	/* as configured */
	const char *adapter;	/* Bluetooth adapter, or NULL */
	uint32_t speedup;	/* the session's speedup, >= 1 */
};

struct paced_driver_ops {
	const char *name;	/* "sim", "ftms-ble", "usb-ant" */
	/*
	 * Open a link to the treadmill and return its handle, not yet
	 * connected (the daemon then sends PACED_OP_CONNECT). The handle is
	 * the daemon's to close. Called again to reconnect after a drop
	 * (unless the driver has PACED_DRIVER_RECONNECTS). 0 or a negative
	 * errno.
	 */
	int (*open)(const struct paced_open *req,
		    struct paced_treadmill **ret_tm, void *user_data);
};

/*
 * Offer the driver of the descriptor's paced_driver_info. ops is static
 * const and owned by the plugin; user_data goes to its callbacks. Returns
 * 0, -EEXIST when a driver of that name is already registered. Dropped
 * when the plugin unloads. Init only.
 */
int paced_driver_register(struct paced_plugin *self,
			  const struct paced_driver_ops *ops, void *user_data);

/*
 * Commands a treadmill takes. Units follow FTMS (docs/ftms.md 1.4): speed
 * in 0.01 km/h, incline in 0.1 %.
 */
enum paced_op {
	PACED_OP_CONNECT,		/* bring-up: reach it, read what it can do */
	PACED_OP_REQUEST_CONTROL,	/* re-take control after it was lost */
	PACED_OP_START,			/* start or resume the belt */
	PACED_OP_STOP,
	PACED_OP_PAUSE,
	PACED_OP_SET_SPEED,		/* arg: 0.01 km/h */
	PACED_OP_SET_INCLINE,		/* arg: 0.1 % (signed) */
};

/* Results: FTMS Control Point result codes (docs/ftms.md 1.7); 0 none. */
#define PACED_RESULT_SUCCESS		0x01
#define PACED_RESULT_NOT_SUPPORTED	0x02
#define PACED_RESULT_INVALID		0x03
#define PACED_RESULT_FAILED		0x04
#define PACED_RESULT_NOT_PERMITTED	0x05

struct paced_treadmill_ops {
	/*
	 * Queue op; return 0 and later call paced_treadmill_done() for it
	 * exactly once, never from inside this call; or return a negative
	 * errno (nothing queued). The daemon sends one command at a time,
	 * after connect.
	 */
	int (*command)(void *impl, enum paced_op op, int32_t arg);
	/* The daemon is done with the link: close it and free impl. */
	void (*close)(void *impl);
};

/*
 * A handle for a link that an out-of-tree driver implements (in-tree
 * drivers built on the daemon's lib/ return lib's handle instead). ops is
 * static const. Returns NULL only for bad arguments.
 */
struct paced_treadmill *paced_treadmill_new(struct paced_plugin *self,
					    const struct paced_treadmill_ops *ops,
					    void *impl);

/*
 * The command op finished. err 0 or a negative errno: -EOPNOTSUPP
 * (0x02, or the belt cannot be controlled at all), -EINVAL (0x03), -EIO
 * (0x04), -EPERM (0x05), -ETIMEDOUT, -ENOTCONN (the link went down),
 * -ECANCELED (superseded or closed). result: the raw FTMS result code, or
 * 0 when the treadmill sent none.
 */
void paced_treadmill_done(struct paced_treadmill *tm, enum paced_op op,
			  int err, uint8_t result);
/* The link is up (after connect) or went down (err says why). */
void paced_treadmill_link(struct paced_treadmill *tm, bool up, int err);

/* What the machine says it can do; send after connect and on change. */
struct paced_caps {
	bool can_control;	/* false: advisory only */
	bool has_speed_range;
	bool has_incline_range;
	uint16_t speed_min;	/* 0.01 km/h */
	uint16_t speed_max;
	uint16_t speed_inc;
	int16_t incline_min;	/* 0.1 % */
	int16_t incline_max;
	uint16_t incline_inc;
};
void paced_treadmill_caps(struct paced_treadmill *tm,
			  const struct paced_caps *caps);

/* Which fields of struct paced_data are present. */
#define PACED_DATA_SPEED	(1u << 0)
#define PACED_DATA_DISTANCE	(1u << 2)
#define PACED_DATA_INCLINE	(1u << 3)
#define PACED_DATA_ELAPSED	(1u << 4)
#define PACED_DATA_HEART_RATE	(1u << 6)
#define PACED_DATA_ENERGY	(1u << 7)
#define PACED_DATA_STEPS	(1u << 8)

/* One record from the treadmill (a few a second while it runs). */
struct paced_data {
	uint32_t present;	/* PACED_DATA_* */
	uint16_t speed;		/* 0.01 km/h */
	uint32_t distance;	/* m, since the machine's session began */
	int16_t incline;	/* 0.1 % */
	uint16_t elapsed;	/* s */
	uint8_t heart_rate;	/* bpm */
	uint16_t energy;	/* kcal */
	uint32_t steps;
};
void paced_treadmill_data(struct paced_treadmill *tm,
			  const struct paced_data *data);

/* What the person or the machine did (docs/ftms.md 1.8). */
enum paced_status_kind {
	PACED_STATUS_RESET,		/* also drops control */
	PACED_STATUS_STOPPED_BY_USER,
	PACED_STATUS_PAUSED_BY_USER,
	PACED_STATUS_SAFETY_KEY,
	PACED_STATUS_STARTED_BY_USER,
	PACED_STATUS_SPEED_CHANGED,	/* value: 0.01 km/h */
	PACED_STATUS_INCLINE_CHANGED,	/* value: 0.1 % */
	PACED_STATUS_CONTROL_LOST,
	PACED_STATUS_CONTROL_GAINED,
};
void paced_treadmill_status(struct paced_treadmill *tm,
			    enum paced_status_kind kind, int32_t value);

/* The daemon's event loop (lib/mainloop.h), for in-tree drivers built on
 * lib/; out-of-tree plugins use paced_add_fd() and paced_add_timeout(). */
struct paced_loop;
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
	/* cue events only, else NULL / NULL / 0: */
	const char *cue_kind;	/* "countdown", "change", "symptom", ... */
	const char *text;	/* the sentence for the person */
	uint32_t speed;		/* the speed asked for, 0.01 km/h; 0 none */
	/* ---- ABI 2 ---- */
	/* "session-start", "session-end" and "export": the session log's
	 * path, else NULL. */
	const char *log;
	/*
	 * "export" (paced.conf(5) export): a finished session's file in
	 * STATE/exports/, written whole (NULL when it could not be), and its
	 * format, "fit", "tcx" or "csv". NULL for other events. Appended within ABI 2: the daemon fills
	 * the struct, so a plugin built before reads a prefix of it; a
	 * plugin that reads these needs a daemon that has "export" events.
	 */
	const char *path;
	const char *format;
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
