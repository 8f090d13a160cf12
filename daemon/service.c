/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service mode: config, plugins, the control socket, one session at a time. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "advisory.h"
#include "control.h"
#include "history.h"
#include "json.h"
#include "link.h"
#include "log.h"
#include "notify.h"
#include "plan.h"
#include "plugin.h"
#include "profile.h"
#include "programme.h"
#include "runner.h"
#include "scan-list.h"
#include "service.h"
#include "session.h"
#include "session-log.h"
#include "util.h"

/* Real time, whatever speedup says. */
#define CONNECT_TIMEOUT_US (10 * USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * USEC_PER_SEC)
/* 'scan [SECONDS]' (issue 8); a treadmill named in paced.conf is looked
 * for this long at session start. */
#define SCAN_DEFAULT_S 5
#define SCAN_MAX_S 60
/* 'profiles' lists at most this many: the reply is one line, and a
 * client holds at most 64 KiB (control.c). */
#define PROFILES_MAX 60

enum scan_mode {
	SCAN_NONE,
	SCAN_LIST,		/* a client's 'scan': reply when it ends */
	SCAN_FIND,		/* session start: the treadmill by name */
};

struct service {
	struct loop *loop;
	/* The configuration the next session uses (SIGHUP replaces it);
	 * *_owned when we free it (the first one is main's). */
	const struct paced_config *cfg;
	struct paced_config *cfg_owned;
	struct plugin_host *plugins;
	struct control *control;
	/* the session, when one runs */
	const struct paced_config *scfg;	/* the config it started with */
	struct paced_config *scfg_owned;	/* ... when replaced meanwhile */
	char address[128];			/* the treadmill, resolved */
	struct session *pending;		/* waiting for SCAN_FIND */
	int launch_idle;
	struct link *link;
	struct plugin_driver *driver;
	struct runner *runner;
	struct session_log *log;
	struct programme *programme;
	char stage[PROGRAMME_STAGE_ID_MAX];
	char profile_name[HISTORY_TEXT_MAX];
	char profile_path[PATH_MAX];
	/* scanning (scanner plugins: ftms-ble) */
	enum scan_mode scan_mode;
	struct plugin_scanner *scanner;
	struct control_client *scan_client;	/* SCAN_LIST's, referenced */
	unsigned scan_seconds;
	struct scan_list *seen;
	bool connected;
	bool link_was_up;
	bool shutting_down;
	int stop_timer;
	int reap_idle;
	char status[160];
	/* The advisory cue behind the next "cue" event, for the sinks. */
	bool cue_pending;
	char cue_kind[24];
	char cue_text[128];
	uint16_t cue_speed;		/* 0.01 km/h */
};

static void set_status(struct service *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_status(struct service *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->status, sizeof(s->status), fmt, ap);
	va_end(ap);
	notify_sendf("STATUS=%s", s->status);
}

const char *service_status(const struct service *s)
{
	return s->status;
}

/* Watchers and sinks see the service's own events as the runner's. */
static void broadcast_service_event(struct service *s, const char *event,
				    const char *detail)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "event");
	json_string(j, event);
	if (detail) {
		json_key(j, "detail");
		json_string(j, detail);
	}
	json_object_end(j);
	control_broadcast(s->control, json_buffer(j, NULL));
	plugin_host_emit_runner(s->plugins, json_buffer(j, NULL), NULL);
	json_free(j);
}

static bool ensure_driver(struct service *s, const struct paced_config *cfg,
			  const char *address);

/* ---- scanning ---- */

static void scan_reset(struct service *s)
{
	if (s->scan_mode != SCAN_NONE && s->scanner)
		plugin_scanner_cancel(s->scanner);
	s->scan_mode = SCAN_NONE;
	s->scanner = NULL;
	free(s->seen);
	s->seen = NULL;
}

static void scan_reply_error(struct service *s, const char *error)
{
	if (!s->scan_client)
		return;
	control_reply_error(s->scan_client, error);
	control_client_unref(s->scan_client);
	s->scan_client = NULL;
}

/* The list a 'scan' asked for, as one JSON reply. */
static void scan_reply(struct service *s)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "seconds");
	json_uint(j, s->scan_seconds);
	json_key(j, "machines");
	json_array_begin(j);
	for (size_t i = 0; i < s->seen->n; i++)
		scan_seen_json(j, &s->seen->seen[i]);
	json_array_end(j);
	json_object_end(j);
	control_reply(s->scan_client, json_buffer(j, NULL));
	json_free(j);
	control_client_unref(s->scan_client);
	s->scan_client = NULL;
}

static bool on_launch(void *user_data);

static void on_scan_result(const struct paced_scan_result *res, void *cb_data)
{
	struct service *s = cb_data;
	const struct scan_seen *d;

	/* A scanner reporting the rest of a batch after a cancel. */
	if (s->scan_mode == SCAN_NONE || !s->seen)
		return;
	d = scan_list_add(s->seen, res);
	if (!d || s->scan_mode != SCAN_FIND || !d->treadmill ||
	    strcmp(d->name, treadmill_address_name(s->scfg->treadmill)) ||
	    s->launch_idle > 0)
		return;
	/* Found: the link is opened from the loop, not from inside the
	 * scanner's callback. */
	log_notice("treadmill '%s' found at %s", d->name, d->address);
	snprintf(s->address, sizeof(s->address), "%s", d->address);
	scan_reset(s);
	s->launch_idle = loop_add_idle(s->loop, on_launch, s, NULL);
}

static void schedule_reap(struct service *s);

static void on_scan_done(int err, void *cb_data)
{
	struct service *s = cb_data;
	enum scan_mode mode = s->scan_mode;
	const char *text;
	char buf[200];

	if (mode == SCAN_NONE || !s->scanner)
		return;
	text = err < 0 ? plugin_scanner_strerror(s->scanner, err) : NULL;
	s->scan_mode = SCAN_NONE;
	if (mode == SCAN_LIST) {
		if (err < 0)
			scan_reply_error(s, text);
		else
			scan_reply(s);
	} else if (mode == SCAN_FIND) {
		if (err < 0)
			snprintf(buf, sizeof(buf), "cannot look for treadmill '%s': %s",
				 treadmill_address_name(s->scfg->treadmill), text);
		else
			snprintf(buf, sizeof(buf), "treadmill '%s' not seen in %u s (is it on, and not connected to another app?)",
				 treadmill_address_name(s->scfg->treadmill),
				 (unsigned) (TREADMILL_FIND_TIMEOUT_US /
					     USEC_PER_SEC));
		log_err("%s", buf);
		broadcast_service_event(s, "error", buf);
		schedule_reap(s);
	}
	s->scanner = NULL;
	free(s->seen);
	s->seen = NULL;
}

static int scan_start(struct service *s, enum scan_mode mode,
		      uint64_t duration_us, const char *adapter,
		      const char **ret_error)
{
	struct plugin_scanner *sc = plugin_host_find_scanner(s->plugins);
	int err;

	if (!sc) {
		*ret_error = "no Bluetooth driver loaded (plugin ftms-ble)";
		return -ENODEV;
	}
	if (s->scan_mode != SCAN_NONE) {
		*ret_error = "a scan is already running";
		return -EBUSY;
	}
	s->seen = paced_new0(struct scan_list, 1);
	s->scanner = sc;
	s->scan_mode = mode;
	err = plugin_scanner_start(sc, adapter, duration_us, on_scan_result,
				   on_scan_done, s);
	if (err < 0) {
		*ret_error = plugin_scanner_strerror(sc, err);
		s->scan_mode = SCAN_NONE;
		scan_reset(s);
		return err;
	}
	return 0;
}

/* ---- the session's end ---- */

static void record_history(struct service *s)
{
	const struct session *ses = runner_session(s->runner);
	struct history_entry e = { .type = SESSION_RUN };
	int r;

	if (session_state(ses) == SESSION_IDLE)
		return;
	e.when_s = time(NULL);
	snprintf(e.programme, sizeof(e.programme), "%s",
		 s->programme ? s->programme->path : "");
	snprintf(e.stage, sizeof(e.stage), "%s", s->stage);
	snprintf(e.profile, sizeof(e.profile), "%s", s->profile_name);
	e.presses = session_presses(ses);
	e.completed = session_completed(ses);
	snprintf(e.outcome, sizeof(e.outcome), "%s",
		 session_state_name(session_state(ses)));
	snprintf(e.log, sizeof(e.log), "%s", session_log_path(s->log));
	r = history_append(s->scfg->state_dir, &e);
	if (r < 0)
		log_warn_errno(r, "cannot record the session in %s/history.jsonl",
			       s->scfg->state_dir);
}

static void end_session(struct service *s)
{
	if (s->stop_timer > 0)
		loop_remove(s->loop, s->stop_timer);
	s->stop_timer = 0;
	if (s->launch_idle > 0)
		loop_remove(s->loop, s->launch_idle);
	s->launch_idle = 0;
	if (s->scan_mode == SCAN_FIND)
		scan_reset(s);
	if (s->runner) {
		/* A session cancelled before the treadmill answered never
		 * ran: it must not count in the programme's history. */
		if (s->connected)
			record_history(s);
		log_notice("session %s (%s); log %s",
			   session_state_name(session_state(runner_session(s->runner))),
			   s->profile_name, session_log_path(s->log));
		broadcast_service_event(s, "session-end",
					session_state_name(session_state(runner_session(s->runner))));
		if (s->link)
			link_set_runner(s->link, NULL);
		runner_detach(s->runner);
	} else if (s->pending) {
		log_notice("session not started (%s)", s->profile_name);
		broadcast_service_event(s, "session-end", "not started");
	}
	session_free(s->pending);
	s->pending = NULL;
	link_free(s->link);
	s->link = NULL;
	runner_free(s->runner);
	s->runner = NULL;
	session_log_close(s->log);
	s->log = NULL;
	programme_free(s->programme);
	s->programme = NULL;
	s->stage[0] = '\0';
	s->connected = false;
	/* A configuration replaced during the session goes with it. */
	config_free(s->scfg_owned);
	s->scfg_owned = NULL;
	s->scfg = NULL;
	set_status(s, "idle");
	if (s->shutting_down)
		loop_quit(s->loop, 0);
}

static bool session_active(const struct service *s)
{
	return s->runner || s->pending || s->launch_idle > 0;
}

/* Freed from the loop, never from inside the runner's own callback. */
static bool on_reap(void *user_data)
{
	struct service *s = user_data;

	s->reap_idle = 0;
	end_session(s);
	return false;
}

static void schedule_reap(struct service *s)
{
	if (s->reap_idle <= 0)
		s->reap_idle = loop_add_idle(s->loop, on_reap, s, NULL);
}

static bool on_stop_timeout(void *user_data)
{
	struct service *s = user_data;

	s->stop_timer = 0;
	log_warn("the treadmill did not confirm the stop in time; ending the session");
	schedule_reap(s);
	return false;
}

static void request_stop(struct service *s)
{
	if (!s->runner) {
		/* Still looking for the treadmill: nothing ran. */
		if (s->pending || s->launch_idle > 0)
			schedule_reap(s);
		return;
	}
	(void) runner_stop(s->runner);
	if (!s->connected) {
		/* Never started the belt: nothing to wind down. */
		schedule_reap(s);
		return;
	}
	if (!runner_done(s->runner) && s->stop_timer <= 0)
		s->stop_timer = loop_add_timeout(s->loop, STOP_TIMEOUT_US, false,
						 on_stop_timeout, s, NULL);
}

static void on_update(struct runner *r, void *user_data)
{
	struct service *s = user_data;
	bool up = runner_link_up(r);

	if (runner_done(r)) {
		schedule_reap(s);
		return;
	}
	if (s->link_was_up && !up && s->connected && s->link)
		link_lost(s->link);
	s->link_was_up = up;
}

static void on_event(struct runner *r, const char *json, void *user_data)
{
	static const char cue_prefix[] = "{\"event\":\"cue\"";
	struct service *s = user_data;
	struct plugin_cue cue = {
		.kind = s->cue_kind, .text = s->cue_text, .speed = s->cue_speed,
	};
	bool is_cue = !strncmp(json, cue_prefix, sizeof(cue_prefix) - 1);

	control_broadcast(s->control, json);
	plugin_host_emit_runner(s->plugins, json,
				is_cue && s->cue_pending ? &cue : NULL);
	if (is_cue)
		s->cue_pending = false;
}

/*
 * The runner calls this just before it emits the matching "cue" event
 * (runner_set_cue_func()); the event's JSON is for people and watchers,
 * the sinks get the cue's parts (a speaker reads the text, a display
 * shows the speed).
 */
static void on_cue(struct runner *r, enum advisory_cue_kind kind,
		   uint16_t speed, const char *text, void *user_data)
{
	struct service *s = user_data;
	const char *name = advisory_cue_kind_name(kind);

	/* With a cue function set the runner no longer logs the text. */
	log_notice("%s", text);
	snprintf(s->cue_kind, sizeof(s->cue_kind), "%s", name ? name : "");
	snprintf(s->cue_text, sizeof(s->cue_text), "%s", text);
	s->cue_speed = speed;
	s->cue_pending = true;
}

/* ---- starting a session ---- */

static void on_link_done(struct link *l, int err, void *user_data)
{
	struct service *s = user_data;

	if (err < 0) {
		log_errno(err, "treadmill %s: bring-up failed", s->address);
		broadcast_service_event(s, "error", "treadmill unreachable");
		schedule_reap(s);
		return;
	}
	s->connected = true;
	s->link_was_up = true;
	err = runner_start(s->runner);
	if (err < 0) {
		log_errno(err, "cannot start the session");
		schedule_reap(s);
		return;
	}
	set_status(s, "session running: %s", s->profile_name);
}

static int open_treadmill(void *user_data, struct treadmill **ret_tm)
{
	struct service *s = user_data;

	return plugin_driver_open(s->driver, s->address, s->scfg->adapter,
				  ret_tm);
}

/* The programme's next stage, from the history (as 'paced run --programme'). */
static int pick_stage(struct service *s, const char **ret_error,
		      const struct profile **ret_profile,
		      const char **ret_path)
{
	struct programme_decision d;
	struct session_summary *sum;
	struct history_entry *hist = NULL;
	struct profile_error perr;
	unsigned bad = 0;
	size_t k;
	long n;
	int r;

	if (!s->cfg->programme[0]) {
		*ret_error = "no programme in paced.conf";
		return -ENOENT;
	}
	s->programme = programme_load(s->cfg->programme, &s->cfg->limits, &perr);
	if (!s->programme) {
		log_err("%s", perr.text);
		*ret_error = "the programme does not load (see the log)";
		return -EINVAL;
	}
	n = history_load(s->cfg->state_dir, &hist, &bad);
	if (n < 0) {
		*ret_error = "cannot read the session history";
		return (int) n;
	}
	sum = paced_new0(struct session_summary, (size_t) n + 1);
	k = history_summaries(hist, (size_t) n, s->programme, sum, (size_t) n);
	r = programme_next(s->programme, sum, k, &d);
	free(sum);
	free(hist);
	if (r < 0) {
		*ret_error = "cannot decide the next stage";
		return r;
	}
	log_notice("%s: stage %s (%s). %s", s->programme->name,
		   s->programme->stages[d.stage].id,
		   programme_reason_name(d.reason), d.message);
	snprintf(s->stage, sizeof(s->stage), "%s", s->programme->stages[d.stage].id);
	*ret_profile = s->programme->stages[d.stage].profile;
	*ret_path = s->programme->stages[d.stage].profile_path;
	return 0;
}

/* NAME in profile_dir (".cfg" optional), or an absolute path. */
static int profile_path(const struct service *s, const char *name, char *buf,
			size_t len)
{
	int n;

	if (name[0] == '/') {
		n = snprintf(buf, len, "%s", name);
	} else {
		if (strstr(name, "..") || strchr(name, '/'))
			return -EINVAL;
		n = snprintf(buf, len, "%s/%s", s->cfg->profile_dir, name);
		if (n > 0 && (size_t) n < len && access(buf, R_OK) < 0)
			n = snprintf(buf, len, "%s/%s.cfg", s->cfg->profile_dir,
				     name);
	}
	return n > 0 && (size_t) n < len ? 0 : -ENAMETOOLONG;
}

/*
 * The treadmill is known (s->address): open the link and bind the
 * session to it. Takes ownership of session.
 */
static int launch(struct service *s, struct session *session,
		  const char **ret_error)
{
	struct runner_info info = { 0 };
	int err;

	/* Opened only now for a treadmill found by name: a treadmill never
	 * seen leaves no empty log behind. */
	if (!s->log) {
		s->log = session_log_open(s->scfg->state_dir, NULL, &err);
		if (!s->log) {
			log_errno(err, "cannot create the session log in %s",
				  s->scfg->state_dir);
			session_free(session);
			*ret_error = "cannot create the session log";
			return err;
		}
	}
	/* A treadmill found by name may need another driver. */
	if (!plugin_host_find_driver(s->plugins, s->address))
		(void) ensure_driver(s, s->scfg, s->address);
	s->driver = plugin_host_find_driver(s->plugins, s->address);
	if (!s->driver) {
		session_free(session);
		*ret_error = "no loaded driver plugin handles the treadmill address";
		return -ENODEV;
	}
	s->link = link_new(s->loop, s->address, open_treadmill, s);
	err = link_connect(s->link, CONNECT_TIMEOUT_US, on_link_done, s);
	if (err < 0) {
		log_errno(err, "treadmill %s", s->address);
		session_free(session);
		*ret_error = "cannot open the treadmill link";
		return err;
	}
	info.profile_name = s->profile_name;
	info.profile_path = s->profile_path;
	info.programme = s->programme ? s->programme->path : NULL;
	info.stage = s->programme ? s->stage : NULL;
	info.treadmill = s->address;
	info.speedup = s->scfg->speedup;
	s->runner = runner_new(s->loop, link_treadmill(s->link), session, s->log,
			       &info);
	link_set_runner(s->link, s->runner);
	runner_set_callbacks(s->runner, on_update, on_event, s);
	runner_set_cue_func(s->runner, on_cue, s);
	s->cue_pending = false;
	log_notice("session starting: %s (%s), log %s", s->profile_name,
		   s->profile_path, session_log_path(s->log));
	set_status(s, "connecting to %s for %s", s->address, s->profile_name);
	broadcast_service_event(s, "session-start", s->profile_name);
	return 0;
}

/* The treadmill named in paced.conf was seen: go on with the session. */
static bool on_launch(void *user_data)
{
	struct service *s = user_data;
	struct session *session = s->pending;
	const char *error = NULL;

	s->launch_idle = 0;
	s->pending = NULL;
	if (launch(s, session, &error) < 0) {
		log_err("cannot start the session: %s", error);
		broadcast_service_event(s, "error", error);
		schedule_reap(s);
	}
	return false;
}

/*
 * Start a session: arg "" is the configured default (the programme if
 * there is one, else the profile), "--programme" the programme, anything
 * else a profile. Returns 0 or a negative errno with *ret_error. With a
 * treadmill named in paced.conf ("name:..."), 0 means it is being looked
 * for; the session starts when it is seen.
 */
static int start_session(struct service *s, const char *arg,
			 const char **ret_error)
{
	struct session_config scfg = { .speedup = s->cfg->speedup,
				       .countdown_ms = 3000 };
	const bool by_name = treadmill_address_name(s->cfg->treadmill);
	struct profile *profile = NULL;
	const struct profile *chosen = NULL;
	struct profile_error perr;
	struct plan plan = { 0 };
	struct session *session;
	char path_buf[PATH_MAX];
	const char *path = NULL;
	int err;

	if (session_active(s)) {
		*ret_error = "a session is already running";
		return -EBUSY;
	}
	if (s->shutting_down) {
		*ret_error = "paced is shutting down";
		return -ESHUTDOWN;
	}
	/* The driver (for a name, the scanner) is loaded when a session
	 * first needs it: now (check_driver()). */
	if (!ensure_driver(s, s->cfg, s->cfg->treadmill)) {
		*ret_error = by_name ? "no Bluetooth driver loaded (plugin ftms-ble)" :
			     "no loaded driver plugin handles the treadmill address";
		return -ENODEV;
	}
	if (!strcmp(arg, "--programme") || (!arg[0] && s->cfg->programme[0])) {
		err = pick_stage(s, ret_error, &chosen, &path);
		if (err < 0)
			goto fail;
	} else {
		const char *name = arg[0] ? arg : s->cfg->profile;

		if (!name[0]) {
			*ret_error = "no profile given and none in paced.conf";
			return -ENOENT;
		}
		if (profile_path(s, name, path_buf, sizeof(path_buf)) < 0) {
			*ret_error = "bad profile name (a file in the profile directory, or an absolute path)";
			return -EINVAL;
		}
		profile = profile_load(path_buf, &s->cfg->limits, &perr);
		if (!profile) {
			log_err("%s", perr.text);
			*ret_error = "the profile does not load (see pacectl profile check)";
			return -EINVAL;
		}
		chosen = profile;
		path = path_buf;
	}
	err = plan_expand(chosen, &plan);
	if (err < 0) {
		*ret_error = "cannot expand the profile";
		goto fail;
	}
	scfg.speed_cap = s->cfg->limits.speed_cap;
	session = session_new(&plan, &chosen->policy, &scfg);
	plan_clear(&plan);
	if (!session) {
		*ret_error = "the profile has nothing to run";
		err = -EINVAL;
		goto fail;
	}
	if (!by_name) {
		s->log = session_log_open(s->cfg->state_dir, NULL, &err);
		if (!s->log) {
			log_errno(err, "cannot create the session log in %s",
				  s->cfg->state_dir);
			session_free(session);
			*ret_error = "cannot create the session log";
			goto fail;
		}
	}
	snprintf(s->profile_name, sizeof(s->profile_name), "%s", chosen->name);
	snprintf(s->profile_path, sizeof(s->profile_path), "%s", path);
	profile_free(profile);
	profile = NULL;
	/* The session keeps this configuration, whatever SIGHUP brings. */
	s->scfg = s->cfg;
	/* A client's scan would compete with the treadmill's link (or with
	 * the scan that finds it): the session wins. */
	if (s->scan_mode == SCAN_LIST) {
		scan_reset(s);
		scan_reply_error(s, "scan cancelled: a session is starting");
	}
	if (by_name) {
		err = scan_start(s, SCAN_FIND, TREADMILL_FIND_TIMEOUT_US,
				 s->cfg->adapter, ret_error);
		if (err < 0) {
			session_free(session);
			goto fail;
		}
		s->pending = session;
		log_notice("session %s: looking for treadmill '%s'",
			   s->profile_name,
			   treadmill_address_name(s->cfg->treadmill));
		set_status(s, "looking for treadmill '%s' for %s",
			   treadmill_address_name(s->cfg->treadmill),
			   s->profile_name);
		return 0;
	}
	snprintf(s->address, sizeof(s->address), "%s", s->cfg->treadmill);
	err = launch(s, session, ret_error);
	if (err < 0)
		goto fail;
	return 0;

fail:
	profile_free(profile);
	link_free(s->link);
	s->link = NULL;
	session_log_close(s->log);
	s->log = NULL;
	programme_free(s->programme);
	s->programme = NULL;
	s->stage[0] = '\0';
	s->scfg = NULL;
	return err < 0 ? err : -EINVAL;
}

/* ---- the control socket ---- */

static void reply_status(struct service *s, struct control_client *client,
			 int press)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	if (press >= 0) {
		json_key(j, "press");
		json_int(j, press);
	}
	if (s->runner) {
		runner_status_json(s->runner, j);
	} else {
		json_key(j, "state");
		json_string(j, "idle");
	}
	json_key(j, "service");
	json_string(j, s->status);
	/* What the next session will use (SIGHUP changes it). */
	json_key(j, "next");
	json_object_begin(j);
	json_key(j, "treadmill");
	json_string(j, s->cfg->treadmill);
	json_key(j, "adapter");
	json_string(j, s->cfg->adapter);
	json_key(j, "walk_kmh");
	json_fixed(j, s->cfg->limits.walk_speed, 2);
	json_key(j, "jog_kmh");
	json_fixed(j, s->cfg->limits.jog_speed, 2);
	json_key(j, "speed_cap_kmh");
	json_fixed(j, s->cfg->limits.speed_cap, 2);
	json_key(j, "profile");
	json_string(j, s->cfg->profile);
	json_key(j, "programme");
	json_string(j, s->cfg->programme);
	json_object_end(j);
	json_object_end(j);
	control_reply(client, json_buffer(j, NULL));
	json_free(j);
}

/* 'scan [SECONDS]': answered when the scan ends. */
static void request_scan(struct service *s, struct control_client *client,
			 const char *arg)
{
	const char *error = NULL;
	unsigned long seconds = SCAN_DEFAULT_S;
	char *end;

	if (arg[0]) {
		errno = 0;
		seconds = strtoul(arg, &end, 10);
		if (errno || *end || arg[0] < '0' || arg[0] > '9' ||
		    seconds < 1 || seconds > SCAN_MAX_S) {
			control_reply_error(client, "scan takes a number of seconds from 1 to 60");
			return;
		}
	}
	if (session_active(s)) {
		control_reply_error(client, "a session is running: scanning would compete with the treadmill's link");
		return;
	}
	/* A Bluetooth treadmill's plugin has the scanner: load it now. */
	if (!plugin_host_find_scanner(s->plugins) &&
	    plugin_driver_for_address(s->cfg->treadmill) &&
	    !strcmp(plugin_driver_for_address(s->cfg->treadmill), "ftms-ble"))
		(void) ensure_driver(s, s->cfg, s->cfg->treadmill);
	if (scan_start(s, SCAN_LIST, (uint64_t) seconds * USEC_PER_SEC,
		       s->cfg->adapter, &error) < 0) {
		control_reply_error(client, error);
		return;
	}
	s->scan_seconds = (unsigned) seconds;
	s->scan_client = control_defer(client);
	log_info("scanning for %lu s for a control client", seconds);
}

static int only_cfg(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 && !strcmp(d->d_name + n - 4, ".cfg");
}

/* 'profiles': what 'start NAME' can run, each loaded as it would be. */
static void request_profiles(struct service *s, struct control_client *client)
{
	struct dirent **names = NULL;
	struct json *j;
	int n = scandir(s->cfg->profile_dir, &names, only_cfg, alphasort);

	if (n < 0) {
		log_warn_errno(-errno, "profile directory %s", s->cfg->profile_dir);
		control_reply_error(client, "cannot read the profile directory");
		return;
	}
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "dir");
	json_string(j, s->cfg->profile_dir);
	json_key(j, "default");
	json_string(j, s->cfg->profile);
	json_key(j, "profiles");
	json_array_begin(j);
	for (int i = 0; i < n && i < PROFILES_MAX; i++) {
		char path[PATH_MAX];
		struct profile_error perr;
		struct profile *p = NULL;

		if (snprintf(path, sizeof(path), "%s/%s", s->cfg->profile_dir,
			     names[i]->d_name) < (int) sizeof(path))
			p = profile_load(path, &s->cfg->limits, &perr);
		else
			snprintf(perr.text, sizeof(perr.text), "%s: path too long",
				 names[i]->d_name);
		json_object_begin(j);
		json_key(j, "file");
		json_string(j, names[i]->d_name);
		json_key(j, "valid");
		json_bool(j, p != NULL);
		if (p) {
			json_key(j, "name");
			json_string(j, p->name);
			json_key(j, "total_s");
			json_uint(j, p->total_ms / 1000);
			json_key(j, "own_policy");
			json_bool(j, p->own_policy);
		} else {
			json_key(j, "error");
			json_string(j, perr.text);
		}
		json_object_end(j);
		profile_free(p);
	}
	json_array_end(j);
	json_key(j, "truncated");
	json_bool(j, n > PROFILES_MAX);
	json_object_end(j);
	control_reply(client, json_buffer(j, NULL));
	json_free(j);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void on_request(struct control_client *client,
		       const struct ctl_request *req, void *user_data)
{
	struct service *s = user_data;
	const char *error = NULL;
	int press = -1;

	switch (req->cmd) {
	case CTL_CMD_START:
		if (start_session(s, req->arg, &error) < 0) {
			control_reply_error(client, error);
			return;
		}
		reply_status(s, client, -1);
		return;
	case CTL_CMD_STATUS:
	case CTL_CMD_WATCH:
		reply_status(s, client, -1);
		if (req->cmd == CTL_CMD_WATCH)
			control_watch(client);
		return;
	case CTL_CMD_SCAN:
		request_scan(s, client, req->arg);
		return;
	case CTL_CMD_PROFILES:
		request_profiles(s, client);
		return;
	case CTL_CMD_STOP:
		/* stop also cancels a session still connecting or looking
		 * for its treadmill. */
		if (session_active(s) && !s->connected) {
			request_stop(s);
			reply_status(s, client, -1);
			return;
		}
		break;
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
		break;
	}
	if (!s->runner || !s->connected) {
		control_reply_error(client, session_active(s) ? "treadmill not connected yet" :
				    "no session running");
		return;
	}
	switch (req->cmd) {
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
		if (runner_request(s->runner, req, &press, &error) < 0) {
			control_reply_error(client, error);
			return;
		}
		break;
	case CTL_CMD_STOP:
		request_stop(s);
		break;
	case CTL_CMD_STATUS:
	case CTL_CMD_WATCH:
	case CTL_CMD_START:
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
		break;
	}
	reply_status(s, client, press);
}

/* ---- buttons (input plugins) ---- */

static int on_action(const char *plugin, const char *source,
		     enum paced_action action, int arg, void *user_data)
{
	static const enum symptom_kind kinds[] = {
		[PACED_SYMPTOM_ANY] = SYMPTOM_ANY,
		[PACED_SYMPTOM_LEAK] = SYMPTOM_LEAK,
		[PACED_SYMPTOM_PRESSURE] = SYMPTOM_PRESSURE,
		[PACED_SYMPTOM_PAIN] = SYMPTOM_PAIN,
	};
	struct service *s = user_data;
	const char *error = NULL;
	int r;

	if (action == PACED_ACTION_START) {
		r = start_session(s, "", &error);
		if (r < 0)
			log_warn("%s (%s): start: %s", source, plugin, error);
		return r;
	}
	if (action == PACED_ACTION_STOP && session_active(s) && !s->connected) {
		request_stop(s);
		return 0;
	}
	if (!s->runner || !s->connected) {
		log_info("%s (%s): no session running, ignoring the press",
			 source, plugin);
		return -ESRCH;
	}
	switch (action) {
	case PACED_ACTION_SYMPTOM:
		if (arg < 0 || (size_t) arg >= ARRAY_SIZE(kinds))
			return -EINVAL;
		r = runner_symptom(s->runner, kinds[arg]);
		break;
	case PACED_ACTION_END:
		r = runner_symptom(s->runner, SYMPTOM_LONG_PRESS);
		break;
	case PACED_ACTION_PAUSE:
		r = runner_pause(s->runner);
		break;
	case PACED_ACTION_RESUME:
		r = runner_resume(s->runner);
		break;
	case PACED_ACTION_STOP:
		request_stop(s);
		r = 0;
		break;
	case PACED_ACTION_START:
	default:
		return -EINVAL;
	}
	if (r < 0)
		log_info("%s (%s): %s", source, plugin, runner_strerror(r));
	return r < 0 ? r : 0;
}

/* ---- bring-up ---- */

static bool plugin_listed(const struct paced_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_plugins; i++)
		if (!strcmp(cfg->plugins[i].name, name))
			return true;
	return false;
}

/*
 * Whoever writes treadmill = "AA:BB:..." should not also have to know
 * that the ftms-ble plugin drives it: when no loaded driver takes the
 * address, load the one plugin_driver_for_address() names, with an empty
 * group. A plugin listed in paced.conf that failed is not tried again.
 */
static bool have_driver(struct service *s, const char *address)
{
	/* A treadmill known by name is found by a scanner, then driven by
	 * the driver of the address found. */
	if (treadmill_address_name(address))
		return plugin_host_find_scanner(s->plugins) != NULL;
	return plugin_host_find_driver(s->plugins, address) != NULL;
}

static bool ensure_driver(struct service *s, const struct paced_config *cfg,
			  const char *address)
{
	const char *name;
	int err;

	if (have_driver(s, address))
		return true;
	name = plugin_driver_for_address(address);
	if (name && !plugin_listed(cfg, name)) {
		err = plugin_host_load(s->plugins, cfg->plugin_dir, name, NULL,
				       cfg->file);
		if (err == 0 && have_driver(s, address)) {
			log_notice("treadmill '%s': loaded the %s plugin it needs (not listed in %s)",
				   address, name, cfg->file);
			return true;
		}
	}
	log_warn("no loaded plugin drives treadmill '%s'%s%s%s; sessions cannot start",
		 address, name ? " (it needs plugin " : "",
		 name ? name : "", name ? ")" : "");
	return false;
}

/*
 * At start-up and on reload: is there a driver for the treadmill, or a
 * plugin that will be one? An unlisted driver plugin is only loaded when
 * a session (or a scan) needs it: an idle service maps no Bluetooth or
 * USB library it is not using (bench/README.md, idle RSS).
 */
static void check_driver(struct service *s, const struct paced_config *cfg,
			 const char *address)
{
	const char *name = plugin_driver_for_address(address);
	char path[PATH_MAX];

	if (have_driver(s, address))
		return;
	if (name && !plugin_listed(cfg, name) &&
	    plugin_find(cfg->plugin_dir, name, path, sizeof(path)) == 0) {
		log_info("treadmill '%s': plugin %s (%s) is loaded when a session needs it",
			 address, name, path);
		return;
	}
	log_warn("no plugin drives treadmill '%s'%s%s%s; sessions cannot start",
		 address, name ? " (it needs plugin " : "", name ? name : "",
		 name ? ", not found)" : "");
}

/*
 * A second paced on the same socket must refuse, not steal it: control_new()
 * replaces whatever socket file is there, so first see whether someone
 * answers on it. Refused or missing means a stale file, safe to replace.
 */
static int socket_in_use(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *) &sun, sizeof(sun));
	r = r == 0 ? 1 : (errno == ECONNREFUSED || errno == ENOENT) ? 0 : -errno;
	close(fd);
	return r;
}

struct service *service_new(struct loop *loop, const struct paced_config *cfg)
{
	struct service *s = paced_new0(struct service, 1);
	gid_t gid = (gid_t) -1;
	int err;

	s->loop = loop;
	s->cfg = cfg;
	snprintf(s->status, sizeof(s->status), "starting");

	if (cfg->control_group[0]) {
		struct group *gr = getgrnam(cfg->control_group);

		if (!gr) {
			log_err("%s: control group '%s' does not exist",
				cfg->file, cfg->control_group);
			goto fail;
		}
		gid = gr->gr_gid;
	}
	err = socket_in_use(cfg->control_socket);
	if (err > 0) {
		log_err("another paced is already running on %s; refusing to start",
			cfg->control_socket);
		goto fail;
	}
	if (err < 0 && err != -EACCES) {
		log_errno(err, "control socket %s", cfg->control_socket);
		goto fail;
	}
	/* Interrupted session logs are closed before anything else. */
	err = history_recover(cfg->state_dir);
	if (err > 0)
		log_notice("closed %d interrupted session log%s in %s", err,
			   err == 1 ? "" : "s", cfg->state_dir);

	s->plugins = plugin_host_new(loop, on_action, s);
	for (unsigned i = 0; i < cfg->n_plugins; i++) {
		err = plugin_host_load(s->plugins, cfg->plugin_dir,
				       cfg->plugins[i].name, cfg->plugins[i].group,
				       cfg->file);
		if (err < 0)
			log_warn("%s:%u: plugin %s not loaded, ignoring",
				 cfg->file, cfg->plugins[i].line,
				 cfg->plugins[i].name);
	}
	check_driver(s, cfg, cfg->treadmill);

	s->control = control_new(loop, cfg->control_socket, gid, on_request, s,
				 &err);
	if (!s->control) {
		log_errno(err, "cannot open the control socket %s",
			  cfg->control_socket);
		goto fail;
	}
	log_notice("control socket %s%s%s", cfg->control_socket,
		   cfg->control_group[0] ? ", group " : "", cfg->control_group);
	set_status(s, "idle");
	return s;
fail:
	service_free(s);
	return NULL;
}

/* Settings that a running service cannot change: say so, keep the old. */
static void needs_restart(const struct paced_config *old,
			  const struct paced_config *cfg)
{
	bool plugins = old->n_plugins != cfg->n_plugins;

	if (strcmp(old->control_socket, cfg->control_socket) ||
	    strcmp(old->control_group, cfg->control_group))
		log_warn("%s: the control socket and its group are set at start-up; restart paced to apply the change",
			 cfg->file);
	for (unsigned i = 0; !plugins && i < cfg->n_plugins; i++)
		plugins = strcmp(old->plugins[i].name, cfg->plugins[i].name);
	if (plugins || strcmp(old->plugin_dir, cfg->plugin_dir))
		log_warn("%s: plugins are loaded at start-up; restart paced to apply the new plugin list or directory",
			 cfg->file);
}

#define LOG_CHANGE_STR(field, what)					\
	do {								\
		if (strcmp(old->field, cfg->field))			\
			log_notice("SIGHUP: %s: \"%s\" -> \"%s\"", what,	\
				   old->field, cfg->field);		\
	} while (0)
#define LOG_CHANGE_KMH(field, what)					\
	do {								\
		if (old->limits.field != cfg->limits.field)		\
			log_notice("SIGHUP: %s: %.2f -> %.2f km/h", what,	\
				   old->limits.field / 100.0,		\
				   cfg->limits.field / 100.0);		\
	} while (0)

void service_reload(struct service *s, struct paced_config *cfg)
{
	const struct paced_config *old = s->cfg;
	int err;

	needs_restart(old, cfg);
	LOG_CHANGE_STR(treadmill, "treadmill");
	LOG_CHANGE_STR(adapter, "adapter");
	LOG_CHANGE_KMH(walk_speed, "walk");
	LOG_CHANGE_KMH(jog_speed, "jog");
	LOG_CHANGE_KMH(speed_cap, "speed_cap");
	LOG_CHANGE_STR(profile, "profile");
	LOG_CHANGE_STR(programme, "programme");
	LOG_CHANGE_STR(profile_dir, "profile_dir");
	LOG_CHANGE_STR(state_dir, "state_dir");
	/* A running session keeps the configuration it started with
	 * (s->scfg): its treadmill, cap and policy never change under it. */
	if (s->scfg && s->scfg == s->cfg) {
		s->scfg_owned = s->cfg_owned;
	} else {
		config_free(s->cfg_owned);
	}
	s->cfg = cfg;
	s->cfg_owned = cfg;
	/* A new state directory may hold logs an earlier paced left open;
	 * with a session running, its own log is open there. */
	if (!session_active(s)) {
		err = history_recover(cfg->state_dir);
		if (err > 0)
			log_notice("closed %d interrupted session log%s in %s",
				   err, err == 1 ? "" : "s", cfg->state_dir);
	}
	check_driver(s, cfg, cfg->treadmill);
	log_notice("SIGHUP: %s applied%s", cfg->file,
		   session_active(s) ? " from the next session on (the running one keeps its settings)" :
		   "");
}

void service_shutdown(struct service *s)
{
	s->shutting_down = true;
	if (!s->runner) {
		end_session(s);
		return;
	}
	set_status(s, "stopping the session");
	request_stop(s);
	if (s->stop_timer <= 0 && !s->reap_idle)
		schedule_reap(s);
}

void service_free(struct service *s)
{
	if (!s)
		return;
	if (s->reap_idle > 0)
		loop_remove(s->loop, s->reap_idle);
	s->reap_idle = 0;
	s->shutting_down = false;
	if (session_active(s) || s->link)
		end_session(s);
	scan_reset(s);
	scan_reply_error(s, "paced is shutting down");
	control_free(s->control);
	plugin_host_free(s->plugins);
	config_free(s->cfg_owned);
	free(s);
}
