/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session controller: one session at a time, from request to teardown, for every front end. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "call.h"
#include "control.h"
#include "ctl-proto.h"
#include "cue.h"
#include "event.h"
#include "exercise-session.h"
#include "json.h"
#include "mainloop.h"
#include "plugin.h"
#include "profile.h"
#include "programme.h"

/*
 * The one place a session is run. paced run (daemon/foreground.c) and the
 * service (daemon/service.c) are shells over it: they read their options
 * or paced.conf, own the terminal or the control socket, and drive the
 * controller; every other front end (buttons, the web page, MQTT) reaches
 * it through the plugin host. The controller owns, once:
 *
 *   the driver (chosen by its plugin's paced_driver_info, loaded on
 *   demand), the scan for a treadmill given by name, the link and its
 *   reconnects, the runner and its session, the session log, the
 *   programme's decision, the history line, the fan-out of every event
 *   (the shell's listener, control-socket watchers, sink plugins), the
 *   stop timeout, and the teardown, always in the order of
 *   controller_teardown() (docs/design.md "Teardown").
 *
 * Its phase is explicit:
 *
 *   IDLE ──start──> FINDING ──found──> CONNECTING ──up──> RUNNING
 *     ^        (name:NAME only)                              │
 *     │                                        stop / end ───┤
 *     └────────────── teardown <── STOPPING <────────────────┘
 *
 * Any phase may go straight to teardown (an error, a stop before the
 * treadmill answered). Everything runs on the loop; no call blocks.
 */
enum controller_phase {
	CONTROLLER_IDLE,	/* no session */
	CONTROLLER_FINDING,	/* scanning for the treadmill's name */
	CONTROLLER_CONNECTING,	/* the link's first bring-up */
	CONTROLLER_RUNNING,	/* the session runs (the link may be down
				 * and reconnecting) */
	CONTROLLER_STOPPING,	/* walk, then stop: waiting, bounded */
};

/* How the last session ended: paced run's exit status comes from it. */
enum controller_outcome {
	CONTROLLER_OUTCOME_NONE,	/* none ended yet */
	CONTROLLER_OUTCOME_FINISHED,	/* ran to its end, scaled back or not */
	CONTROLLER_OUTCOME_ENDED_EARLY,	/* the person or a safety stop */
	CONTROLLER_OUTCOME_UNREACHABLE,	/* the treadmill never answered */
	CONTROLLER_OUTCOME_FAILED,	/* anything else */
};

/* Why a start was refused: the shells map it to exit statuses. */
enum controller_error_kind {
	CONTROLLER_ERR_USAGE,		/* the caller's mistake: a bad profile,
					 * address or setting */
	CONTROLLER_ERR_UNREACHABLE,	/* the treadmill cannot be reached */
	CONTROLLER_ERR_BUSY,		/* a session already runs */
	CONTROLLER_ERR_FAILURE,		/* the installation or the system */
};

struct controller_error {
	enum controller_error_kind kind;
	char text[512];			/* "file:line: message" or a sentence */
};

/* The treadmill address of a box without one: exercise sessions only. */
#define CONTROLLER_NO_TREADMILL "none"

/* What a session runs with; copied by controller_start(). */
struct controller_request {
	const char *treadmill;		/* address: "sim", "name:T1", ...;
					 * NULL or "none": no treadmill (a
					 * belt = false profile needs none,
					 * and gets none whatever is given) */
	const char *adapter;		/* Bluetooth adapter, or NULL */
	const struct profile_limits *limits;
	uint32_t speedup;		/* >= 1 */
	const char *state_dir;		/* sessions/ and history.jsonl */
	const char *log_path;		/* NULL: STATE/sessions/TIME.jsonl */
	/* Exactly one of: */
	const char *profile_path;	/* this profile */
	const char *programme_path;	/* the stage the programme picks */
	bool precheck_symptoms;		/* programme: symptoms reported before
					 * this session (walk only today) */
	const char *stage;		/* programme: take the alternative its
					 * decision offers today (by stage ID)
					 * instead of its advice; NULL: the
					 * advice. Nothing else is accepted. */
	/*
	 * Where driver plugins are, and the settings of one loaded for this
	 * session: its group in paced.conf by plugin name (NULL: none), the
	 * file's name for messages, and "key=value" settings from the
	 * command line. They must stay valid until the session is over.
	 */
	const char *plugin_dir;
	const void *(*plugin_group)(const char *name, const void *data);
	const void *plugin_group_data;
	const char *plugin_file;
	const char *const *plugin_extra;
	/* What the person hears: cue timing and words (NULL: built in),
	 * and units. Copied. */
	const struct cue_config *cues;
	enum units units;
	/* Files written into STATE/exports/ once a session that ran is
	 * over: AUTO_EXPORT_BIT()s (paced.conf(5) export), 0 none. */
	unsigned export_formats;
};

/* What a started session is; valid until the next start. */
struct controller_info {
	const char *profile_name;
	const char *profile_path;
	const char *programme_name;	/* NULL without a programme */
	const char *stage;		/* the stage picked, or NULL */
	const char *decision;		/* why that stage, one or two sentences */
	const char *reason;		/* programme_reason_name() */
	const char *log_path;		/* NULL until the log is open */
	const char *treadmill;		/* the address as configured */
	const char *address;		/* the treadmill, resolved */
	bool reconnects;		/* the driver finds it again itself */
	const char *recovered_from;	/* the interrupted log a takeover
					 * continues, or NULL */
};

struct controller;

/*
 * The shell hears of every event (typed), of every batch of them being
 * done (update: redraw a progress line), and of each phase change.
 */
struct controller_listener {
	void (*event)(const struct event *ev, void *user_data);
	void (*update)(void *user_data);
	void (*phase)(enum controller_phase phase, void *user_data);
};

/* Borrows loop and plugins (which must outlive it). */
struct controller *controller_new(struct loop *loop,
				  struct plugin_host *plugins);
/* Tears a session down if one runs (controller_teardown()), then frees.
 * NULL ok. */
void controller_free(struct controller *c);

void controller_set_listener(struct controller *c,
			     const struct controller_listener *l,
			     void *user_data);
/* Watchers of this control socket get every event as a JSON line. */
void controller_set_control(struct controller *c, struct control *ctl);

/*
 * Start a session: load the profile (or the programme and the stage its
 * rules pick from the history), open its log, find and load the driver,
 * open the link. The belt starts once the treadmill answers: the caller's
 * request is the person's explicit start. Returns 0 (the session is
 * under way: FINDING or CONNECTING), or a negative errno with *ret_err.
 */
int controller_start(struct controller *c,
		     const struct controller_request *req,
		     struct controller_error *ret_err);

/*
 * Take over the session a crash cut short (docs/design.md "Crash
 * recovery"; paced(8) "Safety rules"), after history_recover_newest()
 * closed its log: its profile (the log's "open" line), plan time and
 * counted presses are read from log_path, and a session of that profile
 * is put where it was, paused (session_takeover()). The treadmill is
 * req's (the configured one); req's profile and programme are not used.
 * Once the link is up, a belt faster than walking pace is brought to it,
 * never started, never sped up; the session then waits for an explicit
 * resume or end, and writes a new log. Returns 0 or a negative errno
 * with *ret_err, as controller_start(); a session that cannot be taken
 * over (its log unreadable, its profile gone) still has its belt brought
 * to walking pace, as a press with no session does.
 */
int controller_recover(struct controller *c,
		       const struct controller_request *req,
		       const char *log_path, struct controller_error *ret_err);
/*
 * The state directory is one paced's (session_log_lock_state()): what
 * is a session log "left open by a crash" is only known to the one
 * holding it. Returns the lock's fd (keep it open for the process's
 * life), or a negative errno with a sentence naming the other paced in
 * why.
 */
int controller_lock_state(const char *state_dir, const char *what,
			  char *why, size_t len);

/*
 * The treadmill paced can reach with no session running, and the limits
 * its walking pace comes from (docs/design.md: a symptom press gets
 * walking pace before anything else, session or not). Copied, except
 * plugin_group_data, which must stay valid until the next call (the
 * shells call it again when paced.conf is reloaded). NULL forgets it.
 */
void controller_set_default(struct controller *c,
			    const struct controller_request *req);

/*
 * The person's actions, from any front end. A symptom press puts walking
 * pace on the wire before anything else happens, and returns the press
 * number (0 when debounced). With no session but a default treadmill
 * (controller_set_default(), an address, not a name to scan for), a
 * press connects to it and brings a belt faster than walking pace down
 * to it (never a start, never faster), then lets go: -EINPROGRESS. Each returns 0 or a negative errno with a
 * sentence (controller_strerror()).
 */
int controller_symptom(struct controller *c, enum symptom_kind kind);
int controller_pause(struct controller *c);
int controller_resume(struct controller *c);
/* The long press: cool-down walk, then stop. */
int controller_end(struct controller *c);
/*
 * Walk pace, then stop; a session still looking for or connecting to its
 * treadmill is cancelled. The teardown follows when the treadmill
 * confirms, or after a bounded wait.
 */
int controller_stop(struct controller *c);
const char *controller_strerror(int err);

/*
 * A signal asked paced to stop (SIGTERM, SIGINT). The first stops the
 * session as controller_stop() does; repeats within a second are one
 * request (GNU timeout signals the child and its group); one a second or
 * more later is the person insisting: controller_abandon(). Returns true
 * when nothing is left to wait for.
 */
bool controller_signal(struct controller *c);
/* Give up waiting for the belt: tear down now. */
void controller_abandon(struct controller *c);

/*
 * The control protocol's session requests (status, watch, symptom,
 * pause, resume, end, stop), answered on call; a request with an id that
 * was already answered gets the same answer again, without acting twice.
 * Requests the shell handles itself (start, scan, profiles ...) are not
 * for here: they get an error. extra adds the shell's own keys to the
 * status object (may be NULL).
 */
void controller_request(struct controller *c, struct paced_call *call,
			const struct ctl_request *req,
			void (*extra)(struct json *j, void *data),
			void *extra_data);
/* Status keys (state, segment, speeds, presses, link ...) into an open
 * object. */
void controller_status_json(struct controller *c, struct json *j);
/* Remember the answer given to request id (for controller_request()'s
 * retries); shells call it for requests they answer themselves. */
void controller_remember(struct controller *c, const char *id,
			 const char *json);
/* The answer already given to id, or NULL. */
const char *controller_recall(struct controller *c, const char *id);

enum controller_phase controller_phase(const struct controller *c);
const char *controller_phase_name(enum controller_phase phase);
bool controller_active(const struct controller *c);	/* not IDLE */
enum controller_outcome controller_outcome(const struct controller *c);
const struct controller_info *controller_info(const struct controller *c);
/* The running session, or NULL (progress lines). */
const struct session *controller_session(const struct controller *c);
/* The running exercise session (belt = false), or NULL. */
const struct exercise_session *controller_exercise(const struct controller *c);
/* The last treadmill record, or NULL. */
const struct treadmill_data *controller_last_data(const struct controller *c);
