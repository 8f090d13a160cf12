/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service mode: config, plugins, the control socket, one session at a time. */
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
#include "service.h"
#include "session.h"
#include "session-log.h"
#include "util.h"

/* Real time, whatever speedup says. */
#define CONNECT_TIMEOUT_US (10 * USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * USEC_PER_SEC)

struct service {
	struct loop *loop;
	const struct paced_config *cfg;
	struct plugin_host *plugins;
	struct control *control;
	/* the session, when one runs */
	struct link *link;
	struct plugin_driver *driver;
	struct runner *runner;
	struct session_log *log;
	struct programme *programme;
	char stage[PROGRAMME_STAGE_ID_MAX];
	char profile_name[HISTORY_TEXT_MAX];
	bool connected;
	bool link_was_up;
	bool shutting_down;
	int stop_timer;
	int reap_idle;
	char status[160];
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
	json_free(j);
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
	r = history_append(s->cfg->state_dir, &e);
	if (r < 0)
		log_warn_errno(r, "cannot record the session in %s/history.jsonl",
			       s->cfg->state_dir);
}

static void end_session(struct service *s)
{
	if (s->stop_timer > 0)
		loop_remove(s->loop, s->stop_timer);
	s->stop_timer = 0;
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
	}
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
	set_status(s, "idle");
	if (s->shutting_down)
		loop_quit(s->loop, 0);
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
	if (!s->runner)
		return;
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
	struct service *s = user_data;

	control_broadcast(s->control, json);
}

/* ---- starting a session ---- */

static void on_link_done(struct link *l, int err, void *user_data)
{
	struct service *s = user_data;

	if (err < 0) {
		log_errno(err, "treadmill %s: bring-up failed", s->cfg->treadmill);
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

	return plugin_driver_open(s->driver, s->cfg->treadmill,
				  s->cfg->adapter, ret_tm);
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
 * Start a session: arg "" is the configured default (the programme if
 * there is one, else the profile), "--programme" the programme, anything
 * else a profile. Returns 0 or a negative errno with *ret_error.
 */
static int start_session(struct service *s, const char *arg,
			 const char **ret_error)
{
	struct session_config scfg = { .speedup = s->cfg->speedup,
				       .countdown_ms = 3000 };
	struct runner_info info = { 0 };
	struct profile *profile = NULL;
	const struct profile *chosen = NULL;
	struct profile_error perr;
	struct plan plan = { 0 };
	struct session *session;
	char path_buf[PATH_MAX];
	const char *path = NULL;
	int err;

	if (s->runner) {
		*ret_error = "a session is already running";
		return -EBUSY;
	}
	if (s->shutting_down) {
		*ret_error = "paced is shutting down";
		return -ESHUTDOWN;
	}
	s->driver = plugin_host_find_driver(s->plugins, s->cfg->treadmill);
	if (!s->driver) {
		*ret_error = "no loaded driver plugin handles the treadmill address";
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
	s->log = session_log_open(s->cfg->state_dir, NULL, &err);
	if (!s->log) {
		log_errno(err, "cannot create the session log in %s",
			  s->cfg->state_dir);
		session_free(session);
		*ret_error = "cannot create the session log";
		goto fail;
	}
	snprintf(s->profile_name, sizeof(s->profile_name), "%s", chosen->name);
	s->link = link_new(s->loop, s->cfg->treadmill, open_treadmill, s);
	err = link_connect(s->link, CONNECT_TIMEOUT_US, on_link_done, s);
	if (err < 0) {
		log_errno(err, "treadmill %s", s->cfg->treadmill);
		session_free(session);
		*ret_error = "cannot open the treadmill link";
		goto fail;
	}
	info.profile_name = chosen->name;
	info.profile_path = path;
	info.programme = s->programme ? s->programme->path : NULL;
	info.stage = s->programme ? s->stage : NULL;
	info.treadmill = s->cfg->treadmill;
	info.speedup = scfg.speedup;
	s->runner = runner_new(s->loop, link_treadmill(s->link), session, s->log,
			       &info);
	link_set_runner(s->link, s->runner);
	runner_set_callbacks(s->runner, on_update, on_event, s);
	log_notice("session starting: %s (%s), log %s", chosen->name, path,
		   session_log_path(s->log));
	profile_free(profile);
	set_status(s, "connecting to %s for %s", s->cfg->treadmill,
		   s->profile_name);
	broadcast_service_event(s, "session-start", s->profile_name);
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
	json_object_end(j);
	control_reply(client, json_buffer(j, NULL));
	json_free(j);
}

static void on_request(struct control_client *client,
		       const struct ctl_request *req, void *user_data)
{
	struct service *s = user_data;
	const char *error = NULL;
	int press = -1;

	if (req->cmd == CTL_CMD_START) {
		if (start_session(s, req->arg, &error) < 0) {
			control_reply_error(client, error);
			return;
		}
		reply_status(s, client, -1);
		return;
	}
	if (req->cmd == CTL_CMD_STATUS || req->cmd == CTL_CMD_WATCH) {
		reply_status(s, client, -1);
		if (req->cmd == CTL_CMD_WATCH)
			control_watch(client);
		return;
	}
	/* stop also cancels a session still connecting. */
	if (req->cmd == CTL_CMD_STOP && s->runner && !s->connected) {
		request_stop(s);
		reply_status(s, client, -1);
		return;
	}
	if (!s->runner || !s->connected) {
		control_reply_error(client, s->runner ? "treadmill not connected yet" :
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
	if (!plugin_host_find_driver(s->plugins, cfg->treadmill))
		log_warn("no loaded plugin drives treadmill '%s'; sessions cannot start",
			 cfg->treadmill);

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

void service_shutdown(struct service *s)
{
	s->shutting_down = true;
	if (!s->runner) {
		loop_quit(s->loop, 0);
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
	if (s->runner || s->link)
		end_session(s);
	control_free(s->control);
	plugin_host_free(s->plugins);
	free(s);
}
