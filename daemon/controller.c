/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session controller: one session at a time, from request to teardown, for every front end. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "auto-export.h"
#include "controller.h"
#include "exercise-runner.h"
#include "ftms-client.h"
#include "history.h"
#include "link.h"
#include "log.h"
#include "plan.h"
#include "progression.h"
#include "runner.h"
#include "session-log.h"
#include "session-read.h"
#include "util.h"

/* Real time, whatever speedup says. */
#define CONNECT_TIMEOUT_US (10 * USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * USEC_PER_SEC)
/* Signals closer than this are one request (GNU timeout signals the
 * child and its process group: two SIGTERMs a few µs apart). */
#define SIGNAL_REPEAT_US USEC_PER_SEC
/* Answers kept for requests that may be retried with the same id. */
#define RECALL_MAX 32
#define RECALL_US (10 * 60 * USEC_PER_SEC)

/* History lines kept while they cannot be written, and how often they
 * are tried again. */
#define HISTORY_KEEP_MAX 8
/* A press with no session: how long paced holds the treadmill to see
 * its belt and bring it to walking pace before letting go. */
#define GUARD_US (15 * USEC_PER_SEC)
#define HISTORY_RETRY_US (30 * USEC_PER_SEC)

struct recall {
	char id[CTL_ID_MAX];
	char *json;
	uint64_t at_us;
};

struct controller {
	struct loop *loop;
	struct plugin_host *plugins;
	struct control *control;
	struct controller_listener listener;
	void *listener_data;
	enum controller_phase phase;
	enum controller_outcome outcome;

	/* The session's settings, copied at start. */
	char treadmill[128];
	char address[128];		/* resolved (name:NAME found) */
	char adapter[32];
	char state_dir[4096];
	char log_path[4096];		/* --log, "" for the default */
	char plugin_dir[4096];
	uint32_t speedup;
	struct cue_config cues;		/* what the person hears, copied */
	enum units units;
	unsigned export_formats;	/* AUTO_EXPORT_BIT()s */
	uint32_t driver_caps;		/* PACED_DRIVER_* */
	/* Driver plugin settings: the request's, for the session's life. */
	const char *plugin_file;
	const void *(*plugin_group)(const char *name, const void *data);
	const void *plugin_group_data;
	const char *const *plugin_extra;
	struct plugin_driver *driver;
	struct plugin_scanner *scanner;	/* while FINDING */

	/* What it runs. */
	struct profile *profile;	/* a lone profile, owned */
	struct programme *programme;	/* or a programme, owned */
	size_t stage;
	char profile_name[HISTORY_TEXT_MAX];
	char profile_path[4096];
	char decision[640];	/* programme_decision.message */
	struct session *pending;	/* until the link is open */
	/* A profile with belt = false: no treadmill, no driver, no link. */
	struct exercise_session *ex_pending;
	struct exercise_runner *exr;
	/* A takeover (controller_recover()): where the interrupted session
	 * was, from its log. */
	bool takeover;
	char recovered_from[4096];
	uint32_t past_ms;
	struct session_past_press *past;
	size_t n_past;
	/* Its programme and stage: the takeover's history line continues
	 * them, and counts only the presses after the restart (the
	 * interrupted line already has the ones before). */
	char past_programme[HISTORY_TEXT_MAX];
	char past_stage[PROGRAMME_STAGE_ID_MAX];

	struct link *link;
	struct runner *runner;
	struct session_log *log;
	bool ran;			/* the link came up: the session ran */
	int stop_timer;
	int launch_idle;		/* found by name: launch from the loop */
	int teardown_idle;
	uint64_t signal_us;		/* the last stop signal, 0 none */

	struct history_entry history[HISTORY_KEEP_MAX];	/* not written yet */
	unsigned n_history;
	char history_dir[4096];
	int history_timer;

	/* What a press with no session reaches (controller_set_default()). */
	bool has_default;
	char def_treadmill[128];
	char def_adapter[32];
	char def_plugin_dir[4096];
	uint32_t def_speedup;
	struct profile_limits def_limits;
	const char *def_plugin_file;
	const void *(*def_plugin_group)(const char *name, const void *data);
	const void *def_plugin_group_data;
	/* The guard: that treadmill's link while the press is seen to. */
	struct link *guard;
	int guard_timer;
	bool guard_busy;		/* a speed command in flight */
	bool guard_sent;		/* walking pace went out */

	struct controller_info info;
	struct recall recall[RECALL_MAX];
	unsigned recall_next;
	struct json *ev_json;
};

static void guard_cancel(struct controller *c);
static int guard(struct controller *c);

static const char *const phase_names[] = {
	[CONTROLLER_IDLE] = "idle",
	[CONTROLLER_FINDING] = "finding",
	[CONTROLLER_CONNECTING] = "connecting",
	[CONTROLLER_RUNNING] = "running",
	[CONTROLLER_STOPPING] = "stopping",
};

const char *controller_phase_name(enum controller_phase phase)
{
	return (unsigned) phase < ARRAY_SIZE(phase_names) ?
	       phase_names[phase] : "unknown";
}

struct controller *controller_new(struct loop *loop,
				  struct plugin_host *plugins)
{
	struct controller *c = paced_new0(struct controller, 1);

	c->loop = loop;
	c->plugins = plugins;
	c->ev_json = json_new_buffer();
	return c;
}

void controller_set_listener(struct controller *c,
			     const struct controller_listener *l,
			     void *user_data)
{
	if (l)
		c->listener = *l;
	else
		memset(&c->listener, 0, sizeof(c->listener));
	c->listener_data = user_data;
}

void controller_set_control(struct controller *c, struct control *ctl)
{
	c->control = ctl;
}

static void set_phase(struct controller *c, enum controller_phase phase)
{
	if (c->phase == phase)
		return;
	c->phase = phase;
	if (c->listener.phase)
		c->listener.phase(phase, c->listener_data);
}

/* Every event goes to the shell, the watchers and the sinks, in that
 * order, each as the typed value or its one JSON rendering. */
static void fan_out(struct controller *c, const struct event *ev)
{
	if (c->listener.event)
		c->listener.event(ev, c->listener_data);
	if (c->control) {
		json_buffer_reset(c->ev_json);
		event_json(c->ev_json, ev);
		control_broadcast(c->control, json_buffer(c->ev_json, NULL));
	}
	plugin_host_emit(c->plugins, ev);
}

static void service_event(struct controller *c, enum event_kind kind,
			  const char *detail, const char *log)
{
	struct event ev = {
		.kind = kind, .real_us = loop_now(c->loop),
		.service = { .detail = detail, .log = log },
	};

	fan_out(c, &ev);
}

/* ---- teardown: always in this order ---- */

struct exported {
	struct controller *c;
	const char *log;
};

static void on_exported(enum export_format format, const char *path,
			const char *error, void *user_data)
{
	struct exported *x = user_data;
	struct event ev = {
		.kind = EVENT_EXPORT, .real_us = loop_now(x->c->loop),
		.export = {
			.format = export_format_name(format), .path = path,
			.log = x->log, .error = error,
		},
	};

	fan_out(x->c, &ev);
}

/*
 * A history line that could not be written (a full disk) is kept and
 * written when it can: the programme's rules must see the session's
 * presses, or the next session would be harder than it should be.
 */
/* Try the kept lines again; stop retrying once none is left. */
static void flush_history(struct controller *c)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < c->n_history; i++) {
		int r = history_append(c->history_dir, &c->history[i]);

		if (r == 0)
			log_notice("session of %s recorded in %s/history.jsonl at last",
				   c->history[i].profile, c->history_dir);
		else
			c->history[kept++] = c->history[i];
	}
	c->n_history = kept;
	if (!kept && c->history_timer > 0) {
		loop_remove(c->loop, c->history_timer);
		c->history_timer = 0;
	}
}

static bool on_history_retry(void *user_data)
{
	flush_history(user_data);
	return true;	/* flush_history() removes it when done */
}

static void keep_history(struct controller *c, const struct history_entry *e,
			 int err)
{
	if (c->n_history == HISTORY_KEEP_MAX) {
		log_err("cannot record the session in %s/history.jsonl (%s), and %u more are waiting: this one is lost",
			c->state_dir, strerror(-err), c->n_history);
		return;
	}
	log_err("cannot record the session in %s/history.jsonl (%s); kept, and written when it can be",
		c->state_dir, strerror(-err));
	snprintf(c->history_dir, sizeof(c->history_dir), "%s", c->state_dir);
	c->history[c->n_history++] = *e;
	if (c->history_timer <= 0)
		c->history_timer = loop_add_timeout(c->loop, HISTORY_RETRY_US,
						    true, on_history_retry, c,
						    NULL);
}

/* The session's line in the history, which the programme's rules read. */
static void record_history(struct controller *c)
{
	struct history_entry e = { .type = SESSION_RUN };
	int r;

	if (c->exr) {
		const struct exercise_session *x = exercise_runner_session(c->exr);

		e.presses = exercise_session_presses(x);
		e.completed = exercise_session_completed(x);
		snprintf(e.outcome, sizeof(e.outcome), "%s",
			 exercise_runner_state_name(c->exr));
	} else {
		const struct session *s = runner_session(c->runner);

		if (session_state(s) == SESSION_IDLE)
			return;
		e.presses = session_presses(s);
		if (c->takeover)
			e.presses -= MIN(e.presses, (unsigned) c->n_past);
		e.completed = session_completed(s);
		snprintf(e.outcome, sizeof(e.outcome), "%s",
			 session_state_name(session_state(s)));
	}
	e.when_s = time(NULL);
	snprintf(e.programme, sizeof(e.programme), "%s",
		 c->programme ? c->programme->path :
		 c->takeover ? c->past_programme : "");
	snprintf(e.stage, sizeof(e.stage), "%s",
		 c->programme ? c->programme->stages[c->stage].id :
		 c->takeover ? c->past_stage : "");
	snprintf(e.profile, sizeof(e.profile), "%s", c->profile_name);
	snprintf(e.log, sizeof(e.log), "%s", session_log_path(c->log));
	r = history_append(c->state_dir, &e);
	if (r < 0)
		keep_history(c, &e, r);
}

/*
 * The one teardown order (docs/design.md "Teardown"):
 *   1. timers and a scan still running stop: nothing fires into a
 *      half-torn session;
 *   2. a session that ran gets its history line (one that never reached
 *      its treadmill must not count in the programme);
 *   3. "session-end" goes out while the log path is still known;
 *   4. the runner lets go of the treadmill, then the link (and with it
 *      the treadmill, the driver's code) is freed;
 *   5. the runner and its session, then the log, then the profile or
 *      programme;
 *   6. a session that ran is exported from its closed log, as
 *      paced.conf asks ("export" events): after its history line, so a
 *      failed export cannot cost the session anything;
 *   7. the phase is idle again.
 * The driver plugin stays loaded: the next session may need it.
 */
static void teardown(struct controller *c)
{
	const char *outcome = "not started";
	char exported[4096] = "";

	if (c->stop_timer > 0)
		loop_remove(c->loop, c->stop_timer);
	c->stop_timer = 0;
	if (c->teardown_idle > 0)
		loop_remove(c->loop, c->teardown_idle);
	c->teardown_idle = 0;
	if (c->launch_idle > 0)
		loop_remove(c->loop, c->launch_idle);
	c->launch_idle = 0;
	if (c->scanner)
		plugin_scanner_cancel(c->scanner);
	c->scanner = NULL;

	if (c->runner) {
		outcome = session_state_name(session_state(runner_session(c->runner)));
		if (c->ran)
			record_history(c);
		log_notice("session %s (%s); log %s", outcome, c->profile_name,
			   session_log_path(c->log));
	} else if (c->exr) {
		/* An exercise session runs from its start: it always ran. */
		outcome = exercise_runner_state_name(c->exr);
		record_history(c);
		log_notice("session %s (%s); log %s", outcome, c->profile_name,
			   session_log_path(c->log));
	} else if (c->phase != CONTROLLER_IDLE) {
		log_notice("session not started (%s)", c->profile_name);
	}
	if (c->phase != CONTROLLER_IDLE)
		service_event(c, EVENT_SESSION_END, outcome,
			      c->log ? session_log_path(c->log) : NULL);

	link_set_runner(c->link, NULL);
	runner_detach(c->runner);
	link_free(c->link);
	c->link = NULL;
	runner_free(c->runner);
	c->runner = NULL;
	session_free(c->pending);
	c->pending = NULL;
	exercise_runner_free(c->exr);
	c->exr = NULL;
	exercise_session_free(c->ex_pending);
	c->ex_pending = NULL;
	if (c->ran && c->export_formats && c->log)
		snprintf(exported, sizeof(exported), "%s",
			 session_log_path(c->log));
	session_log_close(c->log);
	c->log = NULL;
	c->info.log_path = NULL;
	profile_free(c->profile);
	c->profile = NULL;
	programme_free(c->programme);
	c->programme = NULL;
	c->driver = NULL;
	c->ran = false;
	c->signal_us = 0;
	c->takeover = false;
	c->recovered_from[0] = '\0';
	c->info.recovered_from = NULL;
	free(c->past);
	c->past = NULL;
	c->n_past = 0;
	if (exported[0])
		auto_export(c->state_dir, exported, c->export_formats,
			    on_exported, &(struct exported) { c, exported });
	set_phase(c, CONTROLLER_IDLE);
}

/* Torn down from the loop, never from inside the runner's or the link's
 * own callbacks. */
static bool on_teardown(void *user_data)
{
	struct controller *c = user_data;

	c->teardown_idle = 0;
	teardown(c);
	return false;
}

static void schedule_teardown(struct controller *c,
			      enum controller_outcome outcome)
{
	if (c->outcome == CONTROLLER_OUTCOME_NONE)
		c->outcome = outcome;
	if (c->teardown_idle <= 0)
		c->teardown_idle = loop_add_idle(c->loop, on_teardown, c, NULL);
}

void controller_free(struct controller *c)
{
	struct recall *r;

	if (!c)
		return;
	teardown(c);
	if (c->guard || c->guard_timer > 0)
		guard_cancel(c);
	/* A last try for the history lines a full disk held back. */
	flush_history(c);
	if (c->n_history)
		log_err("%u session%s could not be recorded in %s/history.jsonl and are lost",
			c->n_history, c->n_history == 1 ? "" : "s",
			c->history_dir);
	if (c->history_timer > 0)
		loop_remove(c->loop, c->history_timer);
	for (r = c->recall; r < c->recall + RECALL_MAX; r++)
		free(r->json);
	json_free(c->ev_json);
	free(c);
}

/* ---- the runner's side ---- */

static void on_runner_event(struct runner *r, const struct event *ev,
			    void *user_data)
{
	struct controller *c = user_data;

	/*
	 * A drop mid-session: reconnect with backoff (docs/design.md), unless
	 * the driver finds the treadmill again by itself (an ANT+ search):
	 * reopening it would only restart that search.
	 */
	if (ev->kind == EVENT_LINK && !ev->link.up && c->ran &&
	    c->phase == CONTROLLER_RUNNING &&
	    !(c->driver_caps & PACED_DRIVER_RECONNECTS))
		link_lost(c->link);
	fan_out(c, ev);
}

static void on_runner_update(struct runner *r, void *user_data)
{
	struct controller *c = user_data;

	if (runner_done(r) && c->ran)
		schedule_teardown(c, session_state(runner_session(r)) ==
				     SESSION_FINISHED ?
				     CONTROLLER_OUTCOME_FINISHED :
				     CONTROLLER_OUTCOME_ENDED_EARLY);
	if (c->listener.update)
		c->listener.update(c->listener_data);
}

/* ---- bring-up ---- */

static void on_link_done(struct link *l, int err, void *user_data)
{
	struct controller *c = user_data;

	if (err < 0) {
		if (err == -ETIMEDOUT)
			log_err("treadmill %s: no answer within %llu s",
				c->address, (unsigned long long)
				(CONNECT_TIMEOUT_US / USEC_PER_SEC));
		else
			log_err("treadmill %s: bring-up failed: %s", c->address,
				ftms_client_strerror(err));
		service_event(c, EVENT_ERROR, "treadmill unreachable", NULL);
		schedule_teardown(c, CONTROLLER_OUTCOME_UNREACHABLE);
		return;
	}
	c->ran = true;
	set_phase(c, CONTROLLER_RUNNING);
	/* A takeover has no explicit start: it waits paused, and the
	 * session has already seen the belt (session_takeover()). */
	if (c->takeover) {
		log_notice("session %s taken over after a restart: paused at %u s, waiting for resume or end",
			   c->profile_name, c->past_ms / 1000);
		return;
	}
	/* The request that started the session was the explicit start. */
	err = runner_start(c->runner);
	if (err == -ENODEV) {
		/* Its limits cannot keep the belt safe: the runner logged
		 * why, and the belt never moved. */
		service_event(c, EVENT_ERROR, "treadmill refused", NULL);
		schedule_teardown(c, CONTROLLER_OUTCOME_FAILED);
	} else if (err < 0) {
		log_errno(err, "cannot start the session");
		schedule_teardown(c, CONTROLLER_OUTCOME_FAILED);
	}
}

static int open_treadmill(void *user_data, struct treadmill **ret_tm)
{
	struct controller *c = user_data;
	struct paced_open req = {
		.address = c->address,
		.adapter = c->adapter[0] ? c->adapter : NULL,
		.speedup = c->speedup,
	};

	return plugin_driver_open(c->driver, &req, ret_tm);
}

static void set_error(struct controller_error *err,
		      enum controller_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct controller_error *err,
		      enum controller_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* The session's log, and what its "open" line names. */
static int open_log(struct controller *c, struct runner_info *info,
		    struct controller_error *ret_err)
{
	int err;

	c->log = session_log_open(c->state_dir,
				  c->log_path[0] ? c->log_path : NULL, &err);
	if (!c->log) {
		set_error(ret_err, CONTROLLER_ERR_FAILURE,
			  "cannot create the session log in %s: %s",
			  c->log_path[0] ? c->log_path : c->state_dir,
			  strerror(-err));
		return err;
	}
	c->info.log_path = session_log_path(c->log);
	info->profile_name = c->profile_name;
	info->profile_path = c->profile_path;
	info->programme = c->programme ? c->programme->path : NULL;
	info->stage = c->programme ? c->programme->stages[c->stage].id : NULL;
	return 0;
}

/*
 * The treadmill is known (c->address) and its driver loaded: open the
 * link and bind the session to it. The log is opened only now: a
 * treadmill that was never found leaves no empty log behind.
 */
static int launch(struct controller *c, struct controller_error *ret_err)
{
	struct runner_info info = { 0 };
	int err;

	c->link = link_new(c->loop, c->address, open_treadmill, c);
	err = link_connect(c->link, CONNECT_TIMEOUT_US, on_link_done, c);
	if (err < 0) {
		/* The driver said why in its own log line. */
		set_error(ret_err, err == -EINVAL || err == -ENAMETOOLONG ||
				   err == -ENOKEY ? CONTROLLER_ERR_USAGE :
				   CONTROLLER_ERR_UNREACHABLE,
			  "treadmill %s: cannot open the link", c->address);
		return err;
	}
	err = open_log(c, &info, ret_err);
	if (err < 0)
		return err;
	info.treadmill = c->address;
	info.speedup = c->speedup;
	info.cues = &c->cues;
	info.units = c->units;
	c->runner = runner_new(c->loop, link_treadmill(c->link), c->pending,
			       c->log, &info);
	c->pending = NULL;	/* the runner owns it now */
	/* The finish cue names the stage advised next. */
	if (c->programme)
		runner_set_programme(c->runner, c->programme, c->stage,
				     c->state_dir);
	link_set_runner(c->link, c->runner);
	runner_set_callbacks(c->runner, on_runner_update, on_runner_event, c);
	log_notice("session starting: %s (%s), log %s", c->profile_name,
		   c->profile_path, session_log_path(c->log));
	set_phase(c, CONTROLLER_CONNECTING);
	service_event(c, EVENT_SESSION_START, c->profile_name,
		      session_log_path(c->log));
	return 0;
}

/* ---- an exercise session: no treadmill ---- */

static void on_exercise_event(struct exercise_runner *r, const struct event *ev,
			      void *user_data)
{
	fan_out(user_data, ev);
}

static void on_exercise_update(struct exercise_runner *r, void *user_data)
{
	struct controller *c = user_data;

	if (exercise_runner_done(r))
		schedule_teardown(c, exercise_session_completed(
					     exercise_runner_session(r)) ?
				     CONTROLLER_OUTCOME_FINISHED :
				     CONTROLLER_OUTCOME_ENDED_EARLY);
	if (c->listener.update)
		c->listener.update(c->listener_data);
}

/*
 * A profile with belt = false runs here and nowhere else: no driver is
 * loaded, no link opened, no treadmill named, so no belt command can
 * exist. The request that started it is the person's start.
 */
static int launch_exercise(struct controller *c,
			   struct controller_error *ret_err)
{
	struct runner_info info = { 0 };
	int err;

	err = open_log(c, &info, ret_err);
	if (err < 0)
		return err;
	c->info.address = NULL;
	info.speedup = c->speedup;
	c->exr = exercise_runner_new(c->loop, c->ex_pending, c->log, &info);
	c->ex_pending = NULL;	/* the runner owns it now */
	exercise_runner_set_callbacks(c->exr, on_exercise_update,
				      on_exercise_event, c);
	log_notice("exercise session starting, no treadmill: %s (%s), log %s",
		   c->profile_name, c->profile_path, session_log_path(c->log));
	c->ran = true;
	set_phase(c, CONTROLLER_RUNNING);
	service_event(c, EVENT_SESSION_START, c->profile_name,
		      session_log_path(c->log));
	(void) exercise_runner_start(c->exr);
	return 0;
}

/* ---- finding a treadmill by name ---- */

static bool on_found(void *user_data)
{
	struct controller *c = user_data;
	struct controller_error err;

	c->launch_idle = 0;
	if (launch(c, &err) < 0) {
		log_err("cannot start the session: %s", err.text);
		service_event(c, EVENT_ERROR, err.text, NULL);
		schedule_teardown(c, err.kind == CONTROLLER_ERR_UNREACHABLE ?
				     CONTROLLER_OUTCOME_UNREACHABLE :
				     CONTROLLER_OUTCOME_FAILED);
	}
	return false;
}

static int ensure_driver(struct controller *c,
			 struct controller_error *ret_err);

static void on_find_result(const struct paced_scan_result *res, void *cb_data)
{
	struct controller *c = cb_data;
	struct controller_error err;

	/* A scanner reporting the rest of a batch after a cancel. */
	if (c->phase != CONTROLLER_FINDING || !c->scanner || !res->treadmill ||
	    strcmp(res->name, treadmill_address_name(c->treadmill)))
		return;
	log_notice("treadmill '%s' found at %s", res->name, res->address);
	snprintf(c->address, sizeof(c->address), "%s", res->address);
	c->info.address = c->address;
	plugin_scanner_cancel(c->scanner);
	c->scanner = NULL;
	/* The address found may need a driver not loaded yet. */
	if (ensure_driver(c, &err) < 0) {
		log_err("%s", err.text);
		service_event(c, EVENT_ERROR, err.text, NULL);
		schedule_teardown(c, CONTROLLER_OUTCOME_FAILED);
		return;
	}
	/* The link is opened from the loop, not from inside the scanner's
	 * callback. */
	c->launch_idle = loop_add_idle(c->loop, on_found, c, NULL);
}

static void on_find_done(int err, void *cb_data)
{
	struct controller *c = cb_data;
	char buf[256];

	if (c->phase != CONTROLLER_FINDING || !c->scanner)
		return;
	if (err < 0)
		snprintf(buf, sizeof(buf), "cannot look for treadmill '%s': %s",
			 treadmill_address_name(c->treadmill),
			 plugin_scanner_strerror(c->scanner, err));
	else
		snprintf(buf, sizeof(buf), "treadmill '%s' not seen in %u s (is it on, and not connected to another app?)",
			 treadmill_address_name(c->treadmill),
			 (unsigned) (TREADMILL_FIND_TIMEOUT_US / USEC_PER_SEC));
	c->scanner = NULL;
	log_err("%s", buf);
	service_event(c, EVENT_ERROR, buf, NULL);
	schedule_teardown(c, CONTROLLER_OUTCOME_UNREACHABLE);
}

/* ---- starting ---- */

/* Load plugin name with its settings from the session's request. */
static int load_plugin(struct controller *c, const char *name)
{
	struct plugin_settings set = {
		.group = c->plugin_group ?
			 c->plugin_group(name, c->plugin_group_data) : NULL,
		.file = c->plugin_file ? c->plugin_file : "the command line",
		.extra = c->plugin_extra,
	};

	return plugin_host_load(c->plugins, c->plugin_dir, name, &set);
}

/*
 * The driver plugin for c->address: a loaded one, else the plugin whose
 * paced_driver_info takes the address, loaded now with its settings.
 */
static int ensure_driver(struct controller *c,
			 struct controller_error *ret_err)
{
	char name[64], forms[512];
	int err;

	c->driver = plugin_host_find_driver(c->plugins, c->address);
	if (!c->driver) {
		err = plugin_driver_for_address(c->plugins, c->plugin_dir,
						c->address, name, sizeof(name));
		if (err < 0) {
			plugin_driver_usage(c->plugins, c->plugin_dir, forms,
					    sizeof(forms));
			set_error(ret_err, CONTROLLER_ERR_USAGE,
				  "%s: not a treadmill address (%s%s)",
				  c->address, forms[0] ? forms : "no driver plugin found",
				  forms[0] ? "; see paced run --help" : "");
			return -EINVAL;
		}
		err = load_plugin(c, name);
		if (err < 0) {
			set_error(ret_err, err == -EINVAL ? CONTROLLER_ERR_USAGE :
					   CONTROLLER_ERR_FAILURE,
				  "treadmill '%s': its driver plugin %s did not load (see the log)",
				  c->address, name);
			return err;
		}
		log_info("treadmill '%s': loaded the %s plugin it needs",
			 c->address, name);
		c->driver = plugin_host_find_driver(c->plugins, c->address);
		if (!c->driver) {
			set_error(ret_err, CONTROLLER_ERR_FAILURE,
				  "plugin %s does not drive '%s'", name,
				  c->address);
			return -ENODEV;
		}
	}
	c->driver_caps = plugin_driver_caps(c->driver);
	c->info.reconnects = c->driver_caps & PACED_DRIVER_RECONNECTS;
	return 0;
}

/* A plugin that offers a scanner, for a treadmill given by name. */
static int ensure_scanner(struct controller *c,
			  struct controller_error *ret_err)
{
	char name[64];

	c->scanner = plugin_host_find_scanner(c->plugins);
	if (!c->scanner && plugin_scanner_plugin(c->plugins, c->plugin_dir,
						 name, sizeof(name)) == 0)
		(void) load_plugin(c, name);
	c->scanner = plugin_host_find_scanner(c->plugins);
	if (!c->scanner) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: no Bluetooth scanner to find it by name (plugin ftms-ble)",
			  c->treadmill);
		return -ENODEV;
	}
	return 0;
}

/*
 * The programme's next stage, from the history, by its rules
 * (docs/domain.md 3.5). Symptoms reported before this session are
 * recorded first: they decide today.
 */
static int pick_stage(struct controller *c,
		      const struct controller_request *req,
		      struct controller_error *ret_err)
{
	struct programme_input in = { 0 };
	struct programme_decision d;
	struct profile_error perr;
	unsigned bad = 0;
	int r;

	c->programme = programme_load(req->programme_path, req->limits, &perr);
	if (!c->programme) {
		set_error(ret_err, CONTROLLER_ERR_USAGE, "%s", perr.text);
		return -EINVAL;
	}
	if (req->precheck_symptoms) {
		struct history_entry e = { .type = SESSION_PRECHECK,
					   .when_s = time(NULL) };

		snprintf(e.programme, sizeof(e.programme), "%s",
			 c->programme->path);
		r = history_append(c->state_dir, &e);
		if (r < 0)
			log_warn_errno(r, "cannot record the answer in %s",
				       c->state_dir);
	}
	/* The one decision (domain/progression.h), the one pacectl next
	 * makes: a preparation stage (belt = false) runs here too, with
	 * no treadmill (launch_exercise()). */
	in.now_s = time(NULL);
	in.utc_offset_s = progression_utc_offset(in.now_s);
	in.belt_only = false;
	r = progression_decide(c->state_dir, c->programme, &in, &d, &bad);
	if (r < 0) {
		set_error(ret_err, CONTROLLER_ERR_FAILURE,
			  "cannot read the history in %s: %s", c->state_dir,
			  strerror(-r));
		return r;
	}
	if (bad)
		log_warn("%s/history.jsonl: %u unreadable lines, ignoring",
			 c->state_dir, bad);
	c->stage = d.stage;
	if (req->stage && strcmp(req->stage, c->programme->stages[d.stage].id)) {
		/* Only what the rules offer: a stage picked freely would
		 * skip the progression they guard (docs/domain.md 3.5). */
		if (!d.has_alternative ||
		    strcmp(req->stage, c->programme->stages[d.alternative].id)) {
			set_error(ret_err, CONTROLLER_ERR_USAGE,
				  "%s: stage %s is not offered today: %s is%s%s",
				  c->programme->path, req->stage,
				  c->programme->stages[d.stage].id,
				  d.has_alternative ? ", or " : "",
				  d.has_alternative ?
				  c->programme->stages[d.alternative].id : "");
			return -EINVAL;
		}
		log_notice("%s: stage %s taken instead of %s, as offered",
			   c->programme->name, req->stage,
			   c->programme->stages[d.stage].id);
		c->stage = d.alternative;
	}
	snprintf(c->decision, sizeof(c->decision), "%s", d.message);
	c->info.programme_name = c->programme->name;
	c->info.stage = c->programme->stages[c->stage].id;
	c->info.reason = programme_reason_name(d.reason);
	c->info.decision = c->decision;
	log_notice("%s: stage %s (%s). %s", c->programme->name,
		   c->info.stage, c->info.reason, d.message);
	return 0;
}

/* Holds and rests (belt = false): the press's rest and debounce come
 * from the profile's policy, as a belt session's recovery walk does. */
static int prepare_exercise(struct controller *c, const struct profile *p,
			    const char *path, struct controller_error *ret_err)
{
	struct exercise_config cfg = {
		.speedup = c->speedup,
		.rest_ms = p->policy.recovery_ms,
		.debounce_ms = p->policy.debounce_ms,
	};
	struct exercise_plan plan;
	int err = exercise_expand(p, &plan);

	if (err < 0) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: cannot expand the profile: %s", path,
			  strerror(-err));
		return err;
	}
	c->ex_pending = exercise_session_new(&plan, &cfg);
	exercise_plan_clear(&plan);
	if (!c->ex_pending) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: the profile has nothing to run", path);
		return -EINVAL;
	}
	return 0;
}

static int prepare(struct controller *c, const struct controller_request *req,
		   struct controller_error *ret_err)
{
	struct session_config scfg = {
		.speedup = c->speedup, .countdown_ms = 3000,
		.speed_cap = req->limits->speed_cap,
		.walk_max = req->limits->walk_max,
		.cue_lead_ms = c->cues.lead_ms,
		.cue_ticks = c->cues.ticks,
		.form_every = c->cues.form_every,
	};
	const struct profile *chosen;
	struct profile_error perr;
	struct plan plan = { 0 };
	const char *path;
	int err;

	if (req->programme_path) {
		err = pick_stage(c, req, ret_err);
		if (err < 0)
			return err;
		chosen = c->programme->stages[c->stage].profile;
		path = c->programme->stages[c->stage].profile_path;
	} else {
		c->profile = profile_load(req->profile_path, req->limits, &perr);
		if (!c->profile) {
			set_error(ret_err, CONTROLLER_ERR_USAGE, "%s", perr.text);
			return -EINVAL;
		}
		chosen = c->profile;
		path = req->profile_path;
	}
	snprintf(c->profile_name, sizeof(c->profile_name), "%s", chosen->name);
	snprintf(c->profile_path, sizeof(c->profile_path), "%s", path);
	c->info.profile_name = c->profile_name;
	c->info.profile_path = c->profile_path;
	/* An exercise session has no belt to take over: the fallback of
	 * controller_recover() still sees to a belt that runs. */
	if (chosen->no_belt && c->takeover) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: an exercise session, nothing to take over", path);
		return -EINVAL;
	}
	if (chosen->no_belt)
		return prepare_exercise(c, chosen, path, ret_err);
	err = plan_expand(chosen, &plan);
	if (err < 0) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: cannot expand the profile: %s", path,
			  strerror(-err));
		return err;
	}
	c->pending = session_new(&plan, &chosen->policy, &scfg);
	plan_clear(&plan);
	if (!c->pending) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: the profile has nothing to run", path);
		return -EINVAL;
	}
	if (c->takeover &&
	    session_takeover(c->pending, loop_now(c->loop), c->past_ms,
			     c->past, c->n_past) < 0) {
		set_error(ret_err, CONTROLLER_ERR_FAILURE,
			  "%s: cannot take the session over", path);
		return -EINVAL;
	}
	return 0;
}

static int start(struct controller *c, const struct controller_request *req,
		 struct controller_error *ret_err)
{
	const char *name;
	int err;

	if (c->phase != CONTROLLER_IDLE) {
		set_error(ret_err, CONTROLLER_ERR_BUSY,
			  "a session is already running");
		return -EBUSY;
	}
	/* The session takes the treadmill over from a press's guard. */
	if (c->guard)
		guard_cancel(c);
	if (!req || !req->limits || !req->state_dir ||
	    !req->profile_path == !req->programme_path) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "a session needs one profile or programme");
		return -EINVAL;
	}
	/* History lines a full disk held back go first: the programme's
	 * rules must see them before they pick today's stage. */
	flush_history(c);
	memset(&c->info, 0, sizeof(c->info));
	if (c->takeover)
		c->info.recovered_from = c->recovered_from;
	c->outcome = CONTROLLER_OUTCOME_NONE;
	/* "none" (or no treadmill at all): exercise sessions only. */
	snprintf(c->treadmill, sizeof(c->treadmill), "%s",
		 req->treadmill ? req->treadmill : CONTROLLER_NO_TREADMILL);
	snprintf(c->address, sizeof(c->address), "%s", c->treadmill);
	c->info.treadmill = c->treadmill;
	snprintf(c->adapter, sizeof(c->adapter), "%s",
		 req->adapter ? req->adapter : "");
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", req->state_dir);
	snprintf(c->log_path, sizeof(c->log_path), "%s",
		 req->log_path ? req->log_path : "");
	snprintf(c->plugin_dir, sizeof(c->plugin_dir), "%s",
		 req->plugin_dir ? req->plugin_dir : PLUGINDIR);
	c->speedup = req->speedup ? req->speedup : 1;
	if (req->cues)
		c->cues = *req->cues;
	else
		cue_config_default(&c->cues);
	c->units = req->units;
	c->export_formats = req->export_formats;
	c->plugin_file = req->plugin_file;
	c->plugin_group = req->plugin_group;
	c->plugin_group_data = req->plugin_group_data;
	c->plugin_extra = req->plugin_extra;

	err = prepare(c, req, ret_err);
	if (err < 0)
		goto fail;
	if (c->ex_pending) {
		err = launch_exercise(c, ret_err);
		if (err < 0)
			goto fail;
		return 0;
	}
	if (!strcmp(c->treadmill, CONTROLLER_NO_TREADMILL)) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "%s: %s runs on a treadmill, and none is given",
			  c->profile_path, c->profile_name);
		err = -EINVAL;
		goto fail;
	}
	name = treadmill_address_name(c->treadmill);
	if (name) {
		if (!*name) {
			set_error(ret_err, CONTROLLER_ERR_USAGE,
				  "%s: not a treadmill address (name:NAME needs a NAME)",
				  c->treadmill);
			err = -EINVAL;
			goto fail;
		}
		err = ensure_scanner(c, ret_err);
		if (err < 0)
			goto fail;
		err = plugin_scanner_start(c->scanner, c->adapter,
					   TREADMILL_FIND_TIMEOUT_US,
					   on_find_result, on_find_done, c);
		if (err < 0) {
			set_error(ret_err, CONTROLLER_ERR_UNREACHABLE, "%s",
				  plugin_scanner_strerror(c->scanner, err));
			c->scanner = NULL;
			goto fail;
		}
		log_notice("session %s: looking for treadmill '%s'",
			   c->profile_name, name);
		set_phase(c, CONTROLLER_FINDING);
		return 0;
	}
	c->info.address = c->address;
	err = ensure_driver(c, ret_err);
	if (err < 0)
		goto fail;
	err = launch(c, ret_err);
	if (err < 0)
		goto fail;
	return 0;
fail:
	/* Nothing ran: no history line, no session-end. */
	teardown(c);
	return err < 0 ? err : -EINVAL;
}

int controller_start(struct controller *c,
		     const struct controller_request *req,
		     struct controller_error *ret_err)
{
	if (c->phase == CONTROLLER_IDLE)
		c->takeover = false;
	return start(c, req, ret_err);
}

/*
 * Where the interrupted session was: its profile, its plan time (the
 * latest session_s of any line) and its counted presses in order. A log
 * the strict reader refuses is not guessed at.
 */
static int read_interrupted(struct controller *c, const char *log_path,
			    char *profile, size_t len,
			    struct controller_error *ret_err)
{
	struct session_read_error rerr;
	struct session_read *rd;
	int r;

	r = session_read_file(log_path, &rd, &rerr);
	if (r < 0) {
		set_error(ret_err, CONTROLLER_ERR_FAILURE, "%s", rerr.text);
		return r;
	}
	if (!rd->open.profile_path[0]) {
		set_error(ret_err, CONTROLLER_ERR_FAILURE,
			  "%s: no profile in its open line", log_path);
		session_read_free(rd);
		return -EBADMSG;
	}
	snprintf(profile, len, "%s", rd->open.profile_path);
	snprintf(c->past_programme, sizeof(c->past_programme), "%s",
		 rd->open.programme);
	snprintf(c->past_stage, sizeof(c->past_stage), "%.*s",
		 (int) sizeof(c->past_stage) - 1, rd->open.stage);
	c->past_ms = 0;
	c->past = paced_new0(struct session_past_press, rd->n + 1);
	c->n_past = 0;
	for (size_t i = 0; i < rd->n; i++) {
		const struct session_line *l = &rd->lines[i];
		enum symptom_kind kind;

		c->past_ms = MAX(c->past_ms, l->session_ms);
		if (l->kind != SESSION_LINE_SYMPTOM || !l->u.press.press ||
		    symptom_kind_from_name(l->u.press.kind, &kind) < 0)
			continue;
		c->past[c->n_past].profile_ms = l->session_ms;
		c->past[c->n_past++].kind = kind;
	}
	session_read_free(rd);
	return 0;
}

int controller_recover(struct controller *c,
		       const struct controller_request *req,
		       const char *log_path, struct controller_error *ret_err)
{
	struct controller_request take;
	char profile[SESSION_READ_LONG_TEXT];
	int err;

	if (c->phase != CONTROLLER_IDLE) {
		set_error(ret_err, CONTROLLER_ERR_BUSY,
			  "a session is already running");
		return -EBUSY;
	}
	if (!req || !log_path) {
		set_error(ret_err, CONTROLLER_ERR_USAGE,
			  "a takeover needs a request and a log");
		return -EINVAL;
	}
	free(c->past);
	c->past = NULL;
	err = read_interrupted(c, log_path, profile, sizeof(profile), ret_err);
	if (err < 0)
		goto fallback;
	take = *req;
	take.profile_path = profile;
	take.programme_path = NULL;
	take.precheck_symptoms = false;
	take.log_path = NULL;
	c->takeover = true;
	snprintf(c->recovered_from, sizeof(c->recovered_from), "%s", log_path);
	err = start(c, &take, ret_err);
	if (err < 0) {
		/* start() tore down: nothing of the takeover is left. */
		c->takeover = false;
		goto fallback;
	}
	return 0;

fallback:
	/* The session cannot be taken over (its log unreadable, its
	 * profile gone): its belt may still run, so it gets what a press
	 * with no session gets, walking pace if it runs faster. */
	free(c->past);
	c->past = NULL;
	c->n_past = 0;
	if (guard(c) == -EINPROGRESS)
		log_warn("cannot take over the interrupted session; its treadmill gets walking pace if the belt runs faster");
	return err;
}

int controller_lock_state(const char *state_dir, const char *what,
			  char *why, size_t len)
{
	char holder[96];
	int fd = session_log_lock_state(state_dir, what, holder,
					sizeof(holder));

	if (fd == -EWOULDBLOCK) {
		long pid = strtol(holder, NULL, 10);
		const char *other = strchr(holder, ' ');

		if (pid > 0 && other)
			snprintf(why, len, "state directory %s is in use by %s (pid %ld); one paced per state directory",
				 state_dir, other + 1, pid);
		else
			snprintf(why, len, "state directory %s is in use by another paced; one paced per state directory",
				 state_dir);
	} else if (fd < 0) {
		snprintf(why, len, "cannot lock the state directory %s: %s",
			 state_dir, strerror(-fd));
	}
	return fd;
}

/* ---- a press with no session: walking pace anyway ---- */

void controller_set_default(struct controller *c,
			    const struct controller_request *req)
{
	c->has_default = req && req->treadmill && req->limits;
	if (!c->has_default)
		return;
	snprintf(c->def_treadmill, sizeof(c->def_treadmill), "%s",
		 req->treadmill);
	snprintf(c->def_adapter, sizeof(c->def_adapter), "%s",
		 req->adapter ? req->adapter : "");
	snprintf(c->def_plugin_dir, sizeof(c->def_plugin_dir), "%s",
		 req->plugin_dir ? req->plugin_dir : PLUGINDIR);
	c->def_speedup = req->speedup ? req->speedup : 1;
	c->def_limits = *req->limits;
	c->def_plugin_file = req->plugin_file;
	c->def_plugin_group = req->plugin_group;
	c->def_plugin_group_data = req->plugin_group_data;
}

/* The link goes from the loop, never from inside its own callbacks. */
static bool on_guard_end(void *user_data)
{
	struct controller *c = user_data;

	c->guard_timer = 0;
	if (c->guard) {
		treadmill_set_events(link_treadmill(c->guard), NULL, NULL);
		link_free(c->guard);
	}
	c->guard = NULL;
	c->guard_busy = false;
	c->guard_sent = false;
	c->driver = NULL;
	return false;
}

static void guard_end_soon(struct controller *c)
{
	if (c->guard_timer > 0)
		loop_remove(c->loop, c->guard_timer);
	c->guard_timer = loop_add_idle(c->loop, on_guard_end, c, NULL);
}

static void guard_cancel(struct controller *c)
{
	if (c->guard_timer > 0)
		loop_remove(c->loop, c->guard_timer);
	(void) on_guard_end(c);
}

static void on_guard_done(struct treadmill *tm, enum treadmill_op op, int err,
			  uint8_t result, void *user_data)
{
	struct controller *c = user_data;

	c->guard_busy = false;
	if (err < 0 && err != -ECANCELED) {
		log_warn("no session: treadmill %s refused walking pace (%s)",
			 c->address, strerror(-err));
		guard_end_soon(c);
	}
}

/*
 * The walking pace this treadmill is given: the user's walk, under the
 * walking ceiling and the cap, rounded down to its grid; only ever to a
 * belt running faster (docs/design.md "Safety rules": never faster,
 * never a start).
 */
static void on_guard_data(struct treadmill *tm, const struct treadmill_data *d,
			  void *user_data)
{
	struct controller *c = user_data;
	const struct treadmill_caps *caps = treadmill_get_caps(tm);
	const struct profile_limits *l = &c->def_limits;
	uint16_t w = MIN(l->walk_speed, l->walk_max ? l->walk_max :
				       PROFILE_DEFAULT_WALK_MAX);

	if (!(d->present & TREADMILL_DATA_SPEED) || c->guard_busy)
		return;
	if (l->speed_cap)
		w = MIN(w, l->speed_cap);
	if (!caps->can_control ||
	    session_check_caps(caps, l->speed_cap, w) != SESSION_REFUSAL_NONE) {
		/* An advisory treadmill, or one whose range could turn any
		 * speed into a faster one: nothing is sent. */
		log_warn("no session: treadmill %s cannot be given walking pace safely; nothing sent",
			 c->address);
		guard_end_soon(c);
		return;
	}
	w = session_clamp_speed(caps, l->speed_cap, w);
	if (d->speed <= w) {
		log_notice("no session: treadmill %s belt at %u.%02u km/h, %s",
			   c->address, d->speed / 100, d->speed % 100,
			   c->guard_sent ? "walking pace reached" :
			   "nothing to slow down");
		guard_end_soon(c);
		return;
	}
	if (c->guard_sent)
		return;		/* slowing down: wait for it */
	if (treadmill_set_speed(tm, w, on_guard_done, c) < 0) {
		guard_end_soon(c);
		return;
	}
	c->guard_busy = true;
	c->guard_sent = true;
	log_notice("no session: treadmill %s belt at %u.%02u km/h, walking pace %u.%02u km/h sent",
		   c->address, d->speed / 100, d->speed % 100, w / 100,
		   w % 100);
}

static void on_guard_up(struct link *l, int err, void *user_data)
{
	static const struct treadmill_events events = {
		.data = on_guard_data,
	};
	struct controller *c = user_data;

	if (err < 0) {
		log_warn("no session, and treadmill %s cannot be reached: %s",
			 c->address, err == -ETIMEDOUT ? "no answer" :
			 ftms_client_strerror(err));
		guard_end_soon(c);
		return;
	}
	treadmill_set_events(link_treadmill(l), &events, c);
}

static bool on_guard_timeout(void *user_data)
{
	struct controller *c = user_data;

	c->guard_timer = 0;
	log_notice("no session: letting go of treadmill %s", c->address);
	guard_end_soon(c);
	return false;
}

/* Connect to the default treadmill and watch its belt, for GUARD_US. */
static int guard(struct controller *c)
{
	int err;

	if (c->guard)
		return -EINPROGRESS;	/* already seeing to it */
	if (!c->has_default || treadmill_address_name(c->def_treadmill) ||
	    !strcmp(c->def_treadmill, CONTROLLER_NO_TREADMILL))
		return -ESRCH;
	snprintf(c->treadmill, sizeof(c->treadmill), "%s", c->def_treadmill);
	snprintf(c->address, sizeof(c->address), "%s", c->def_treadmill);
	snprintf(c->adapter, sizeof(c->adapter), "%s", c->def_adapter);
	snprintf(c->plugin_dir, sizeof(c->plugin_dir), "%s",
		 c->def_plugin_dir);
	c->speedup = c->def_speedup;
	c->plugin_file = c->def_plugin_file;
	c->plugin_group = c->def_plugin_group;
	c->plugin_group_data = c->def_plugin_group_data;
	c->plugin_extra = NULL;
	if (ensure_driver(c, NULL) < 0)
		return -ESRCH;
	c->guard = link_new(c->loop, c->address, open_treadmill, c);
	err = link_connect(c->guard, CONNECT_TIMEOUT_US, on_guard_up, c);
	if (err < 0) {
		link_free(c->guard);
		c->guard = NULL;
		c->driver = NULL;
		return -ESRCH;
	}
	c->guard_timer = loop_add_timeout(c->loop, GUARD_US, false,
					  on_guard_timeout, c, NULL);
	log_notice("symptom press with no session: connecting to treadmill %s to bring its belt to walking pace",
		   c->address);
	return -EINPROGRESS;
}

/* ---- the person's actions ---- */

static struct runner *live_runner(struct controller *c)
{
	return c->phase == CONTROLLER_RUNNING || c->phase == CONTROLLER_STOPPING ?
	       c->runner : NULL;
}

int controller_symptom(struct controller *c, enum symptom_kind kind)
{
	struct runner *r = live_runner(c);

	if (c->exr)
		return exercise_runner_symptom(c->exr, kind);
	/* No session, yet paced may reach a belt someone runs on. */
	if (!r && c->phase == CONTROLLER_IDLE)
		return guard(c);
	if (!r)
		return -ENOTCONN;
	return runner_symptom(r, kind);
}

int controller_pause(struct controller *c)
{
	struct runner *r = live_runner(c);

	if (c->exr)
		return exercise_runner_pause(c->exr);
	if (!r)
		return c->phase == CONTROLLER_IDLE ? -ESRCH : -ENOTCONN;
	return runner_pause(r);
}

int controller_resume(struct controller *c)
{
	struct runner *r = live_runner(c);

	if (c->exr)
		return exercise_runner_resume(c->exr);
	if (!r)
		return c->phase == CONTROLLER_IDLE ? -ESRCH : -ENOTCONN;
	return runner_resume(r);
}

int controller_end(struct controller *c)
{
	const struct session *s = c->runner ? runner_session(c->runner) : NULL;

	/* A session taken over and still waiting: there is no cool-down to
	 * run without a resume, so ending it is walking pace and stop. */
	if (c->takeover && c->phase == CONTROLLER_RUNNING && s &&
	    session_state(s) == SESSION_PAUSED &&
	    session_pause_reason(s) == SESSION_PAUSE_RESTART)
		return controller_stop(c);
	return controller_symptom(c, SYMPTOM_LONG_PRESS);
}

static bool on_stop_timeout(void *user_data)
{
	struct controller *c = user_data;

	c->stop_timer = 0;
	log_warn("the treadmill did not confirm the stop in time; ending the session");
	schedule_teardown(c, CONTROLLER_OUTCOME_ENDED_EARLY);
	return false;
}

int controller_stop(struct controller *c)
{
	switch (c->phase) {
	case CONTROLLER_IDLE:
		return -ESRCH;
	case CONTROLLER_FINDING:
	case CONTROLLER_CONNECTING:
		/* Never started the belt: nothing to wind down. */
		schedule_teardown(c, CONTROLLER_OUTCOME_ENDED_EARLY);
		return 0;
	case CONTROLLER_RUNNING:
		if (c->exr) {
			/* Nothing to wind down: it ends now. */
			(void) exercise_runner_stop(c->exr);
			schedule_teardown(c, CONTROLLER_OUTCOME_ENDED_EARLY);
			return 0;
		}
		set_phase(c, CONTROLLER_STOPPING);
		(void) runner_stop(c->runner);
		if (runner_done(c->runner))
			schedule_teardown(c, CONTROLLER_OUTCOME_ENDED_EARLY);
		else if (c->stop_timer <= 0)
			c->stop_timer = loop_add_timeout(c->loop, STOP_TIMEOUT_US,
							 false, on_stop_timeout,
							 c, NULL);
		return 0;
	case CONTROLLER_STOPPING:
		return 0;
	}
	return 0;
}

void controller_abandon(struct controller *c)
{
	if (c->phase != CONTROLLER_IDLE)
		teardown(c);
	if (c->outcome == CONTROLLER_OUTCOME_NONE)
		c->outcome = CONTROLLER_OUTCOME_ENDED_EARLY;
}

bool controller_signal(struct controller *c)
{
	uint64_t now = loop_now(c->loop);

	if (c->phase == CONTROLLER_IDLE)
		return true;
	if (c->signal_us && now - c->signal_us < SIGNAL_REPEAT_US)
		return false;
	if (c->signal_us) {
		/* A second request, a second or more later: the person
		 * insists on going now. */
		log_warn("asked again to stop: leaving without waiting for the treadmill");
		controller_abandon(c);
		return true;
	}
	c->signal_us = now;
	(void) controller_stop(c);
	return false;
}

const char *controller_strerror(int err)
{
	switch (err) {
	case -EAGAIN:
		return "treadmill link is down";
	case -ESRCH:
		return "no session running";
	case -ENOTCONN:
		return "treadmill not connected yet";
	case -EPERM:
		return "only a deliberate act at the box starts or resumes the belt";
	case -ENODEV:
		return "the treadmill was refused: its limits cannot keep the belt safe (see the log)";
	case -EINPROGRESS:
		return "no session running: walking pace goes to the treadmill if its belt runs faster";
	default:
		return "not possible in this state";
	}
}

/* ---- requests ---- */

void controller_remember(struct controller *c, const char *id,
			 const char *json)
{
	struct recall *r;

	if (!id || !*id)
		return;
	r = &c->recall[c->recall_next++ % RECALL_MAX];
	free(r->json);
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->json = paced_strdup(json);
	r->at_us = loop_now(c->loop);
}

const char *controller_recall(struct controller *c, const char *id)
{
	uint64_t now = loop_now(c->loop);

	if (!id || !*id)
		return NULL;
	for (struct recall *r = c->recall; r < c->recall + RECALL_MAX; r++)
		if (r->json && !strcmp(r->id, id) && now - r->at_us < RECALL_US)
			return r->json;
	return NULL;
}

void controller_status_json(struct controller *c, struct json *j)
{
	if (c->exr) {
		exercise_runner_status_json(c->exr, j);
	} else if (c->runner) {
		runner_status_json(c->runner, j);
		/* What the person reads and hears; the numbers stay km/h. */
		json_key(j, "units");
		json_string(j, units_name(c->units));
		/* A takeover says which session it continues. */
		if (c->takeover) {
			json_key(j, "recovered_from");
			json_string(j, c->recovered_from);
		}
	} else {
		json_key(j, "state");
		json_string(j, "idle");
	}
	json_key(j, "phase");
	json_string(j, controller_phase_name(c->phase));
}

static void reply_status(struct controller *c, struct paced_call *call,
			 const struct ctl_request *req, int press,
			 const char *note,
			 void (*extra)(struct json *j, void *data),
			 void *extra_data)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	if (press >= 0) {
		json_key(j, "press");
		json_int(j, press);
	}
	if (note) {
		json_key(j, "note");
		json_string(j, note);
	}
	controller_status_json(c, j);
	if (extra)
		extra(j, extra_data);
	json_object_end(j);
	controller_remember(c, req->id, json_buffer(j, NULL));
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
}

static void reply_error(struct controller *c, struct paced_call *call,
			const struct ctl_request *req, const char *error)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, false);
	json_key(j, "error");
	json_string(j, error);
	json_object_end(j);
	controller_remember(c, req->id, json_buffer(j, NULL));
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
}

void controller_request(struct controller *c, struct paced_call *call,
			const struct ctl_request *req,
			void (*extra)(struct json *j, void *data),
			void *extra_data)
{
	enum symptom_kind kind = SYMPTOM_ANY;
	const char *again = controller_recall(c, req->id);
	int r = 0, press = -1;

	/* A retried request (same id): the same answer, nothing done twice. */
	if (again) {
		paced_call_reply(call, again);
		return;
	}
	switch (req->cmd) {
	case CTL_CMD_STATUS:
		break;
	case CTL_CMD_WATCH:
		call_watch(call);
		break;
	case CTL_CMD_SYMPTOM:
		if (req->arg[0] && symptom_kind_from_name(req->arg, &kind) < 0) {
			reply_error(c, call, req, "unknown symptom kind (leak, pressure, pain, long-press)");
			return;
		}
		r = controller_symptom(c, kind);
		if (r >= 0)
			press = r;
		/* No session: the press is answered with what paced does
		 * for the belt all the same. */
		if (r == -EINPROGRESS) {
			reply_status(c, call, req, -1, controller_strerror(r),
				     extra, extra_data);
			return;
		}
		break;
	case CTL_CMD_PAUSE:
		r = controller_pause(c);
		break;
	case CTL_CMD_RESUME:
		r = call_may_start(call) ? controller_resume(c) : -EPERM;
		break;
	case CTL_CMD_END:
		r = controller_end(c);
		break;
	case CTL_CMD_STOP:
		r = controller_stop(c);
		break;
	case CTL_CMD_START:
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
	case CTL_CMD_HISTORY:
	case CTL_CMD_NEXT:
	case CTL_CMD_PROFILE:
	case CTL_CMD_CHECKIN:
		reply_error(c, call, req, "not a session request");
		return;
	}
	if (r < 0) {
		if (r != -ESRCH)
			log_info("%s: %s: %s", call_source(call),
				 ctl_cmd_name(req->cmd), controller_strerror(r));
		reply_error(c, call, req, controller_strerror(r));
		return;
	}
	reply_status(c, call, req, press, NULL, extra, extra_data);
}

/* ---- what the shells read ---- */

enum controller_phase controller_phase(const struct controller *c)
{
	return c->phase;
}

bool controller_active(const struct controller *c)
{
	return c->phase != CONTROLLER_IDLE;
}

enum controller_outcome controller_outcome(const struct controller *c)
{
	return c->outcome;
}

const struct controller_info *controller_info(const struct controller *c)
{
	return &c->info;
}

const struct session *controller_session(const struct controller *c)
{
	return c->runner ? runner_session(c->runner) : NULL;
}

const struct exercise_session *controller_exercise(const struct controller *c)
{
	return c->exr ? exercise_runner_session(c->exr) : NULL;
}

const struct treadmill_data *controller_last_data(const struct controller *c)
{
	return c->runner ? runner_last_data(c->runner) : NULL;
}
