/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runner: binds a session to the loop, a treadmill and the log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisory.h"
#include "event.h"
#include "history.h"
#include "log.h"
#include "runner.h"
#include "util.h"

struct runner {
	struct loop *loop;
	struct treadmill *tm;
	struct session *s;
	struct session_log *log;
	char *profile_name;
	char *profile_path;
	char *treadmill;
	uint32_t speedup;
	uint64_t sample_us;

	int timer_id;
	bool detached;		/* runner_detach(): the treadmill is going */
	bool in_flight;		/* a command is with the treadmill */
	bool link_up;
	bool ended_logged;
	struct treadmill_data last;
	bool have_data;
	uint64_t last_sample;

	/* Driver counters (docs/design.md rule 5: dropped PDUs are logged). The
	 * session's totals are base (handles let go of after a link drop)
	 * plus the current handle's last reading. */
	bool have_counters;		/* some handle kept counters */
	struct treadmill_counters cnt_base;
	struct treadmill_counters cnt_tm;
	struct treadmill_counters cnt_logged;	/* totals last logged */
	uint64_t dropped_at;		/* real µs of the last "dropped" line */
	bool refused;			/* a command was refused: log it */
	enum treadmill_op refused_op;
	int refused_err;
	uint8_t refused_result;

	bool log_failing;	/* the last commit failed */
	uint64_t log_warned_us;	/* when the journal last heard of it */

	uint64_t press_us;	/* last symptom press, real µs */
	uint64_t press_sent_us;	/* its walk command handed to the driver */
	bool press_pending;

	struct advisory *adv;	/* advisory treadmill: judges the person */
	int adv_timer;
	struct cue_config cues;	/* templates, tips */
	enum units units;
	const struct programme *programme;	/* borrowed; NULL none */
	size_t stage;
	const char *state_dir;		/* borrowed */

	runner_update_func_t update;
	runner_event_func_t event;
	void *user_data;
};

static void flush(struct runner *r);
static void advisory_event(struct runner *r, const struct session_event *ev);

/* ---- log lines ---- */

static void speed_field(struct json *j, const char *key, int32_t v)
{
	json_key(j, key);
	json_fixed(j, v, 2);
}

static void log_write(struct runner *r)
{
	int err = session_log_write(r->log);

	if (err < 0)
		log_warn_errno(err, "session log %s: bad line, ignoring",
			       session_log_path(r->log));
}

/* While the log cannot be written, the journal hears of it once a
 * minute, not once an input: a full SD card must not fill the journal. */
#define LOG_FAILING_REPEAT_US (60 * USEC_PER_SEC)

static void report(struct runner *r, const struct event *ev);

/*
 * Write what is queued. The belt never waits on the log: a commit that
 * fails keeps its lines for the next (domain/session-log.h), and the
 * session goes on, safe. What changes is what paced says: an "log" event
 * when writing starts failing and when it is back (status, watchers and
 * the press replies carry the state too: runner_status_json()).
 */
static void log_commit(struct runner *r)
{
	struct session_log_state st;
	uint64_t now = loop_now(r->loop);
	int err = session_log_commit(r->log);
	char detail[160];
	struct event ev = {
		.kind = EVENT_LOG, .real_us = now,
		.service = { .detail = detail, .log = session_log_path(r->log) },
	};

	if (err < 0 && !r->log_failing) {
		r->log_failing = true;
		r->log_warned_us = now;
		snprintf(detail, sizeof(detail), "failing: %s", strerror(-err));
		log_err("session log %s: cannot write (%s); the session goes on, its lines are kept until they can be written",
			session_log_path(r->log), strerror(-err));
		report(r, &ev);
	} else if (err < 0 && now - r->log_warned_us >= LOG_FAILING_REPEAT_US) {
		r->log_warned_us = now;
		session_log_get_state(r->log, &st);
		log_err("session log %s: still cannot write (%s): %zu lines waiting, %llu lost",
			session_log_path(r->log), strerror(-err),
			st.lines_pending, (unsigned long long) st.lines_lost);
	} else if (err == 0 && r->log_failing) {
		r->log_failing = false;
		session_log_get_state(r->log, &st);
		snprintf(detail, sizeof(detail), "written again (%llu lines lost)",
			 (unsigned long long) st.lines_lost);
		log_notice("session log %s: %s", session_log_path(r->log),
			   detail);
		report(r, &ev);
	}
}

/* ---- driver counters: "dropped" and "denied" lines ---- */

static void read_counters(struct runner *r)
{
	struct treadmill_counters c;

	if (r->tm && treadmill_get_counters(r->tm, &c) == 0) {
		r->cnt_tm = c;
		r->have_counters = true;
	}
}

static void counters_total(const struct runner *r,
			   struct treadmill_counters *ret)
{
	ret->malformed = r->cnt_base.malformed + r->cnt_tm.malformed;
	ret->unexpected = r->cnt_base.unexpected + r->cnt_tm.unexpected;
	ret->timeouts = r->cnt_base.timeouts + r->cnt_tm.timeouts;
	ret->denied = r->cnt_base.denied + r->cnt_tm.denied;
}

/* The handle is going (link drop, detach): keep what it counted. */
static void fold_counters(struct runner *r)
{
	read_counters(r);
	counters_total(r, &r->cnt_base);
	memset(&r->cnt_tm, 0, sizeof(r->cnt_tm));
}

static void counter_fields(struct json *j, const struct treadmill_counters *t)
{
	json_key(j, "malformed");
	json_uint(j, t->malformed);
	json_key(j, "unexpected");
	json_uint(j, t->unexpected);
	json_key(j, "timeouts");
	json_uint(j, t->timeouts);
	json_key(j, "denied");
	json_uint(j, t->denied);
}

static void emit_simple(struct runner *r, enum event_kind kind, bool up,
			int err);

/*
 * Called from flush() once commands are out. A refusal of control is
 * logged once, at once: it explains the pause or the retry that follows.
 * Dropped PDUs are logged at most once per sample interval (a treadmill
 * that sends garbage at 10 Hz must not fill an SD card); what a line
 * leaves out is in the next one and in the totals of the "end" line.
 */
static void note_counters(struct runner *r, uint64_t now)
{
	struct treadmill_counters t;
	struct json *j;

	read_counters(r);
	counters_total(r, &t);
	if (r->refused || t.denied > r->cnt_logged.denied) {
		j = session_log_begin(r->log, "denied", now);
		if (r->refused) {
			json_key(j, "op");
			json_string(j, treadmill_op_name(r->refused_op));
			json_key(j, "result");
			json_uint(j, r->refused_result);
			json_key(j, "error");
			json_string(j, strerror(-r->refused_err));
		} else {
			/* Only the driver saw it (its own Request Control
			 * retry, docs/ftms.md 1.10): the count is of 0x05. */
			json_key(j, "result");
			json_uint(j, 0x05);
		}
		json_key(j, "denied");
		json_uint(j, t.denied);
		json_key(j, "new");
		json_uint(j, t.denied - r->cnt_logged.denied);
		emit_simple(r, EVENT_DENIED, false, 0);
		r->cnt_logged.denied = t.denied;
		r->refused = false;
	}
	/* After the "end" line (which holds the totals) only refusals. */
	if (!session_done(r->s) &&
	    (t.malformed > r->cnt_logged.malformed ||
	     t.unexpected > r->cnt_logged.unexpected) &&
	    (!r->dropped_at || now >= r->dropped_at + r->sample_us)) {
		j = session_log_begin(r->log, "dropped", now);
		counter_fields(j, &t);
		json_key(j, "new_malformed");
		json_uint(j, t.malformed - r->cnt_logged.malformed);
		json_key(j, "new_unexpected");
		json_uint(j, t.unexpected - r->cnt_logged.unexpected);
		emit_simple(r, EVENT_DROPPED, false, 0);
		r->dropped_at = now;
		t.denied = r->cnt_logged.denied;
		r->cnt_logged = t;
	}
}

static void end_fields(struct runner *r, struct json *j)
{
	const struct session *s = r->s;
	struct treadmill_counters t;

	json_key(j, "presses");
	json_uint(j, session_presses(s));
	json_key(j, "completed");
	json_bool(j, session_completed(s));
	json_key(j, "profile");
	json_string(j, r->profile_name);
	json_key(j, "profile_path");
	json_string(j, r->profile_path);
	read_counters(r);
	if (r->have_counters) {
		counters_total(r, &t);
		json_key(j, "counters");
		json_object_begin(j);
		counter_fields(j, &t);
		json_object_end(j);
	}
}

static void report(struct runner *r, const struct event *ev)
{
	if (r->event)
		r->event(r, ev, r->user_data);
}

static void emit_cue(struct runner *r, const struct cue *cue, uint64_t real_us,
		     uint32_t profile_ms);

static void emit(struct runner *r, const struct session_event *sev)
{
	struct event ev = {
		.kind = EVENT_SESSION, .real_us = sev->real_us, .session = *sev,
	};
	struct json *j;

	/* The session's cues go out as what the person is told. */
	if (sev->kind == SESSION_EV_CUE) {
		emit_cue(r, &sev->cue, sev->real_us, sev->profile_ms);
		return;
	}
	j = session_log_begin(r->log, event_name(&ev), sev->real_us);
	event_session_fields(j, sev);
	if (sev->kind == SESSION_EV_END)
		end_fields(r, j);
	log_write(r);
	if (session_advisory(r->s))
		advisory_event(r, sev);

	if (sev->kind == SESSION_EV_ALARM && sev->active)
		log_warn("alarm: %s", session_alarm_name(sev->alarm));
	if (sev->kind == SESSION_EV_REFUSED) {
		char text[256];

		session_refusal_text(sev->refusal, sev->value, sev->limit,
				     text, sizeof(text));
		log_err("treadmill %s refused: %s", r->treadmill, text);
	}
	report(r, &ev);
}

/* Treadmill-side events that do not come from the session: their log line
 * is already built. */
static void emit_simple(struct runner *r, enum event_kind kind, bool up,
			int err)
{
	struct event ev = { .kind = kind, .real_us = loop_now(r->loop) };

	log_write(r);
	if (kind == EVENT_LINK) {
		ev.link.up = up;
		ev.link.err = err;
	} else {
		counters_total(r, &ev.counters);
	}
	report(r, &ev);
}

/* ---- cues ---- */

static void arm(struct runner *r);

/*
 * What the person is told: its words (cue_render(), the shell's
 * templates and units), a "cue" line in the session log, and an
 * EVENT_CUE for the shell, watchers and sinks (cue-command says it).
 */
static void emit_cue(struct runner *r, const struct cue *cue, uint64_t real_us,
		     uint32_t profile_ms)
{
	struct cue_context ctx = { 0 };
	char text[CUE_TEXT_MAX];
	struct event ev = {
		.kind = EVENT_CUE, .real_us = real_us,
		.cue = {
			.kind = cue_kind_name(cue->kind), .text = text,
			.speed = cue->speed, .reported = cue->reported,
			.in_s = cue->kind == CUE_COUNTDOWN ?
				(int32_t) cue->in_s : -1,
			.follows = cue->follows, .profile_ms = profile_ms,
		},
	};
	struct json *j;

	/* The programme's verdict, with this session in it. */
	if (cue->kind == CUE_FINISH && r->programme) {
		struct history_entry *e = NULL;
		long n = history_load(r->state_dir, &e, NULL);

		(void) cue_finish_context(r->programme, r->stage, time(NULL), e,
					  n > 0 ? (size_t) n : 0, cue, &ctx);
		free(e);
	}
	cue_render(&r->cues, r->units, cue, &ctx, text, sizeof(text));
	j = session_log_begin(r->log, "cue", real_us);
	event_cue_fields(j, &ev.cue);
	log_write(r);
	if (cue->kind == CUE_ALARM || cue->kind == CUE_COMPLIED) {
		j = session_log_begin(r->log, "alarm", real_us);
		json_key(j, "alarm");
		json_string(j, ADVISORY_ALARM_TEXT);
		json_key(j, "active");
		json_bool(j, cue->kind == CUE_ALARM);
		speed_field(j, "speed_kmh", cue->reported);
		log_write(r);
	}
	report(r, &ev);
}

/* ---- advisory mode: did she follow? ---- */

static void advisory_event(struct runner *r, const struct session_event *ev)
{
	if (!r->adv)
		r->adv = advisory_new(NULL);
	/* The engine's cue told her; the checker holds her to it. */
	if (ev->kind == SESSION_EV_ADVICE &&
	    ev->cmd.kind == SESSION_CMD_SET_SPEED)
		advisory_set_target(r->adv, ev->real_us, (uint16_t) ev->cmd.arg);
}

static void advisory_poll_cues(struct runner *r)
{
	uint64_t now = loop_now(r->loop);
	struct cue cue;

	while (r->adv && advisory_poll(r->adv, now, &cue))
		emit_cue(r, &cue, now, session_profile_ms(r->s, now));
}

static bool on_adv_timer(void *user_data)
{
	struct runner *r = user_data;

	r->adv_timer = 0;
	advisory_poll_cues(r);
	log_commit(r);
	arm(r);
	return false;
}

/* ---- commands ---- */

static void on_done(struct treadmill *tm, enum treadmill_op op, int err,
		    uint8_t result, void *user_data)
{
	struct runner *r = user_data;

	/* A treadmill we let go of cancels what it had pending: not ours. */
	if (r->detached || tm != r->tm)
		return;
	r->in_flight = false;
	/* docs/ftms.md 1.7: 0x05 Control Not Permitted (-EPERM), or a Request
	 * Control answered with anything but success. Logged, never acted
	 * on here: what the session does about it is its own business. */
	if (err == -EPERM || (op == TREADMILL_OP_REQUEST_CONTROL &&
			      result != 0 && result != 0x01)) {
		r->refused = true;
		r->refused_op = op;
		r->refused_err = err ? err : -EPERM;
		r->refused_result = result;
	}
	session_command_done(r->s, loop_now(r->loop), err, result);
	flush(r);
}

static int send_cmd(struct runner *r, const struct session_cmd *cmd)
{
	switch (cmd->kind) {
	case SESSION_CMD_REQUEST_CONTROL:
		return treadmill_request_control(r->tm, on_done, r);
	case SESSION_CMD_START:
		return treadmill_start(r->tm, on_done, r);
	case SESSION_CMD_STOP:
		return treadmill_stop(r->tm, on_done, r);
	case SESSION_CMD_PAUSE:
		return treadmill_pause(r->tm, on_done, r);
	case SESSION_CMD_SET_SPEED:
		return treadmill_set_speed(r->tm, (uint16_t) cmd->arg,
					   on_done, r);
	case SESSION_CMD_SET_INCLINE:
		return treadmill_set_incline(r->tm, (int16_t) cmd->arg,
					     on_done, r);
	}
	return -EINVAL;
}

static bool on_timer(void *user_data)
{
	struct runner *r = user_data;

	r->timer_id = 0;
	session_tick(r->s, loop_now(r->loop));
	flush(r);
	return false;
}

static void arm(struct runner *r)
{
	uint64_t d = session_next_deadline(r->s);

	if (r->adv) {
		uint64_t a = advisory_next_deadline(r->adv);

		if (r->adv_timer > 0)
			loop_remove(r->loop, r->adv_timer);
		r->adv_timer = 0;
		if (a != UINT64_MAX) {
			int id = loop_add_timer(r->loop, a, 0, on_adv_timer, r,
						NULL);

			r->adv_timer = id > 0 ? id : 0;
		}
	}

	if (r->timer_id > 0) {
		if (d == UINT64_MAX) {
			loop_remove(r->loop, r->timer_id);
			r->timer_id = 0;
		} else {
			loop_timer_reschedule(r->loop, r->timer_id, d);
		}
		return;
	}
	if (d != UINT64_MAX) {
		int id = loop_add_timer(r->loop, d, 0, on_timer, r, NULL);

		r->timer_id = id > 0 ? id : 0;
	}
}

/*
 * The one place commands leave: called after every input. Commands go to
 * the treadmill before any event is written, so a symptom press puts walk
 * pace on the wire before the log's fsync (docs/design.md safety rules).
 */
static void flush(struct runner *r)
{
	struct session_event ev;
	struct session_cmd cmd;

	if (r->detached)
		return;
	while (!r->in_flight &&
	       session_next_command(r->s, loop_now(r->loop), &cmd)) {
		int err;

		r->in_flight = true;
		err = send_cmd(r, &cmd);
		if (err < 0) {
			r->in_flight = false;
			session_command_done(r->s, loop_now(r->loop), err, 0);
			continue;
		}
		if (r->press_pending && cmd.kind == SESSION_CMD_SET_SPEED) {
			r->press_sent_us = loop_now(r->loop);
			r->press_pending = false;
		}
	}
	note_counters(r, loop_now(r->loop));
	while (session_next_event(r->s, &ev))
		emit(r, &ev);
	log_commit(r);
	arm(r);
	if (r->update)
		r->update(r, r->user_data);
}

/* ---- treadmill events ---- */

static void on_link(struct treadmill *tm, bool up, int err, void *user_data)
{
	struct runner *r = user_data;
	struct json *j;

	r->link_up = up;
	session_on_link(r->s, loop_now(r->loop), up);
	j = session_log_begin(r->log, "link", loop_now(r->loop));
	json_key(j, "up");
	json_bool(j, up);
	if (err) {
		json_key(j, "error");
		json_string(j, strerror(-err));
	}
	emit_simple(r, EVENT_LINK, up, err);
	flush(r);
}

static void on_caps(struct treadmill *tm, const struct treadmill_caps *caps,
		    void *user_data)
{
	struct runner *r = user_data;
	struct json *j;

	session_on_caps(r->s, loop_now(r->loop), caps);
	j = session_log_begin(r->log, "caps", loop_now(r->loop));
	json_key(j, "control");
	json_bool(j, caps->can_control);
	if (caps->has_speed_range) {
		speed_field(j, "speed_min_kmh", caps->speed_min);
		speed_field(j, "speed_max_kmh", caps->speed_max);
		speed_field(j, "speed_step_kmh", caps->speed_inc);
	}
	if (caps->has_incline_range) {
		json_key(j, "incline_min_pct");
		json_fixed(j, caps->incline_min, 1);
		json_key(j, "incline_max_pct");
		json_fixed(j, caps->incline_max, 1);
	}
	log_write(r);
	log_commit(r);
}

static void on_data(struct treadmill *tm, const struct treadmill_data *d,
		    void *user_data)
{
	struct runner *r = user_data;
	uint64_t now = loop_now(r->loop);

	r->last = *d;
	r->have_data = true;
	session_on_data(r->s, now, d);
	if (r->adv && (d->present & TREADMILL_DATA_SPEED)) {
		advisory_on_speed(r->adv, now, d->speed);
		advisory_poll_cues(r);
	}
	/* A sample every few seconds: enough to reconstruct the session,
	 * few enough fsyncs for an SD card. */
	if (!session_done(r->s) && session_state(r->s) != SESSION_IDLE &&
	    now >= r->last_sample + r->sample_us) {
		struct json *j = session_log_begin(r->log, "sample", now);

		r->last_sample = now;
		/* Plan time too, so a sped-up session can be laid out on
		 * its own clock (exports, reports). */
		json_key(j, "session_s");
		json_fixed(j, session_profile_ms(r->s, now) / 100, 1);
		if (d->present & TREADMILL_DATA_SPEED)
			speed_field(j, "speed_kmh", d->speed);
		if (d->present & TREADMILL_DATA_INCLINE) {
			json_key(j, "incline_pct");
			json_fixed(j, d->incline, 1);
		}
		if (d->present & TREADMILL_DATA_DISTANCE) {
			json_key(j, "distance_m");
			json_uint(j, d->distance);
		}
		if (d->present & TREADMILL_DATA_ELAPSED) {
			json_key(j, "elapsed_s");
			json_uint(j, d->elapsed);
		}
		if (d->present & TREADMILL_DATA_HEART_RATE) {
			json_key(j, "heart_rate_bpm");
			json_uint(j, d->heart_rate);
		}
		log_write(r);
	}
	flush(r);
}

static const char *status_name(enum treadmill_status_kind kind)
{
	switch (kind) {
	case TREADMILL_STATUS_RESET:
		return "reset";
	case TREADMILL_STATUS_STOPPED_BY_USER:
		return "stopped-by-user";
	case TREADMILL_STATUS_PAUSED_BY_USER:
		return "paused-by-user";
	case TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY:
		return "safety-key";
	case TREADMILL_STATUS_STARTED_BY_USER:
		return "started-by-user";
	case TREADMILL_STATUS_TARGET_SPEED_CHANGED:
		return "target-speed-changed";
	case TREADMILL_STATUS_TARGET_INCLINE_CHANGED:
		return "target-incline-changed";
	case TREADMILL_STATUS_CONTROL_LOST:
		return "control-lost";
	case TREADMILL_STATUS_CONTROL_GAINED:
		return "control-gained";
	case TREADMILL_STATUS_OTHER:
		break;
	}
	return "other";
}

static void on_status(struct treadmill *tm, const struct treadmill_status *st,
		      void *user_data)
{
	struct runner *r = user_data;
	struct json *j;

	/* A refusal the driver retried comes before the control it won. */
	note_counters(r, loop_now(r->loop));
	session_on_status(r->s, loop_now(r->loop), st);
	j = session_log_begin(r->log, "treadmill-status",
			      loop_now(r->loop));
	json_key(j, "status");
	json_string(j, status_name(st->kind));
	json_key(j, "op");
	json_uint(j, st->raw_op);
	if (st->kind == TREADMILL_STATUS_TARGET_SPEED_CHANGED)
		speed_field(j, "value", st->value);
	else if (st->kind == TREADMILL_STATUS_TARGET_INCLINE_CHANGED) {
		json_key(j, "value");
		json_fixed(j, st->value, 1);
	}
	log_write(r);
	flush(r);
}

/* ---- public ---- */

struct runner *runner_new(struct loop *loop, struct treadmill *tm,
			  struct session *session, struct session_log *log,
			  const struct runner_info *info)
{
	struct runner *r = paced_new0(struct runner, 1);
	struct json *j;

	r->loop = loop;
	r->s = session;
	r->log = log;
	r->profile_name = paced_strdup(info->profile_name ? info->profile_name : "");
	r->profile_path = paced_strdup(info->profile_path ? info->profile_path : "");
	r->treadmill = paced_strdup(info->treadmill ? info->treadmill : "");
	r->speedup = info->speedup ? info->speedup : 1;
	r->sample_us = (info->sample_ms ? info->sample_ms : 5000) * USEC_PER_MSEC;
	if (info->cues)
		r->cues = *info->cues;
	else
		cue_config_default(&r->cues);
	r->units = info->units;

	j = session_log_begin(log, "open", loop_now(loop));
	json_key(j, "profile");
	json_string(j, r->profile_name);
	json_key(j, "profile_path");
	json_string(j, r->profile_path);
	if (info->programme) {
		json_key(j, "programme");
		json_string(j, info->programme);
	}
	if (info->stage) {
		json_key(j, "stage");
		json_string(j, info->stage);
	}
	json_key(j, "treadmill");
	json_string(j, r->treadmill);
	json_key(j, "speedup");
	json_uint(j, r->speedup);
	json_key(j, "planned_s");
	json_uint(j, plan_end_ms(session_plan(session)) / 1000);
	json_key(j, "planned_jog_s");
	json_uint(j, plan_jog_ms(session_plan(session)) / 1000);
	log_write(r);
	log_commit(r);

	/* A session may begin on a treadmill that is already connected. */
	runner_set_treadmill(r, tm);
	return r;
}

void runner_set_treadmill(struct runner *r, struct treadmill *tm)
{
	static const struct treadmill_events events = {
		.link = on_link,
		.caps = on_caps,
		.data = on_data,
		.status = on_status,
	};

	if (r->detached)
		return;
	if (r->tm)
		treadmill_set_events(r->tm, NULL, NULL);
	if (r->in_flight) {
		/* Its answer can only come from the old link now. */
		r->in_flight = false;
		session_command_done(r->s, loop_now(r->loop), -ENOTCONN, 0);
	}
	if (r->link_up)
		on_link(r->tm, false, -ENOTCONN, r);
	if (r->tm != tm)
		fold_counters(r);
	r->tm = tm;
	if (tm) {
		treadmill_set_events(tm, &events, r);
		if (treadmill_link_up(tm)) {
			on_caps(tm, treadmill_get_caps(tm), r);
			on_link(tm, true, 0, r);
		}
	}
	flush(r);
}

void runner_detach(struct runner *r)
{
	if (!r || r->detached)
		return;
	fold_counters(r);
	r->detached = true;
	treadmill_set_events(r->tm, NULL, NULL);
	r->tm = NULL;
}

void runner_free(struct runner *r)
{
	if (!r)
		return;
	runner_detach(r);
	if (r->timer_id > 0)
		loop_remove(r->loop, r->timer_id);
	if (r->adv_timer > 0)
		loop_remove(r->loop, r->adv_timer);
	advisory_free(r->adv);
	session_free(r->s);
	free(r->profile_name);
	free(r->profile_path);
	free(r->treadmill);
	free(r);
}

void runner_set_programme(struct runner *r, const struct programme *prog,
			  size_t stage, const char *state_dir)
{
	r->programme = prog;
	r->stage = stage;
	r->state_dir = state_dir;
}

void runner_set_callbacks(struct runner *r, runner_update_func_t update,
			  runner_event_func_t event, void *user_data)
{
	r->update = update;
	r->event = event;
	r->user_data = user_data;
}

int runner_start(struct runner *r)
{
	int err = session_start(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int runner_symptom(struct runner *r, enum symptom_kind kind)
{
	uint64_t now = loop_now(r->loop);
	int n;

	r->press_us = now;
	r->press_pending = true;
	r->press_sent_us = 0;
	n = session_symptom(r->s, now, kind);
	flush(r);
	/* Nothing new went out (already walking, or in flight): clear. */
	if (r->press_pending)
		r->press_pending = false;
	return n;
}

int runner_pause(struct runner *r)
{
	int err = session_pause(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int runner_resume(struct runner *r)
{
	int err = session_resume(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int runner_stop(struct runner *r)
{
	int err = session_stop(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

bool runner_done(const struct runner *r)
{
	/* Done once the session ended and its last commands (walk, stop)
	 * were answered, or can never be sent because the link is gone. */
	if (!session_done(r->s) || r->in_flight)
		return false;
	return !r->link_up || !session_has_command(r->s);
}

const struct session *runner_session(const struct runner *r)
{
	return r->s;
}

const struct treadmill_data *runner_last_data(const struct runner *r)
{
	return r->have_data ? &r->last : NULL;
}

bool runner_link_up(const struct runner *r)
{
	return r->link_up;
}

/*
 * "log": whether the session log is being written. A press acknowledged
 * while it is not says so: the belt walks, the record of it waits.
 */
static void log_state_json(struct runner *r, struct json *j)
{
	struct session_log_state st;

	session_log_get_state(r->log, &st);
	json_key(j, "log");
	json_object_begin(j);
	json_key(j, "path");
	json_string(j, session_log_path(r->log));
	json_key(j, "ok");
	json_bool(j, st.error == 0);
	if (st.error) {
		json_key(j, "error");
		json_string(j, strerror(-st.error));
		json_key(j, "failing_s");
		json_uint(j, (clock_monotonic_us() - st.failing_since_us) /
			  USEC_PER_SEC);
	}
	json_key(j, "lines_waiting");
	json_uint(j, st.lines_pending);
	json_key(j, "lines_lost");
	json_uint(j, st.lines_lost);
	json_object_end(j);
}

void runner_status_json(struct runner *r, struct json *j)
{
	uint64_t now = loop_now(r->loop);
	const struct plan_segment *seg = session_segment(r->s);
	const struct plan *plan = session_plan(r->s);
	uint32_t p = session_profile_ms(r->s, now);

	json_key(j, "state");
	json_string(j, session_state_name(session_state(r->s)));
	if (session_state(r->s) == SESSION_PAUSED) {
		json_key(j, "reason");
		json_string(j, session_pause_reason_name(
				       session_pause_reason(r->s)));
	}
	json_key(j, "profile");
	json_string(j, r->profile_name);
	json_key(j, "session_s");
	json_fixed(j, p / 100, 1);
	json_key(j, "remaining_s");
	json_fixed(j, plan_end_ms(plan) > p ? (plan_end_ms(plan) - p) / 100 : 0,
		   1);
	json_key(j, "segment");
	if (seg) {
		uint32_t end = seg->start_ms + seg->duration_ms;

		json_object_begin(j);
		json_key(j, "phase");
		json_string(j, plan_phase_name(seg->phase));
		json_key(j, "pace");
		json_string(j, seg->pace_name);
		speed_field(j, "speed_kmh", seg->speed);
		json_key(j, "incline_pct");
		json_fixed(j, seg->incline, 1);
		json_key(j, "remaining_s");
		json_fixed(j, end > p ? (end - p) / 100 : 0, 1);
		json_object_end(j);
	} else {
		json_null(j);
	}
	speed_field(j, "target_speed_kmh", session_target_speed(r->s));
	json_key(j, "treadmill");
	json_object_begin(j);
	json_key(j, "link");
	json_bool(j, r->link_up);
	json_key(j, "speed_kmh");
	if (r->have_data && (r->last.present & TREADMILL_DATA_SPEED))
		json_fixed(j, r->last.speed, 2);
	else
		json_null(j);
	json_object_end(j);
	json_key(j, "presses");
	json_uint(j, session_presses(r->s));
	log_state_json(r, j);
}

void runner_last_press_latency(const struct runner *r, uint64_t *ret_press_us,
			       uint64_t *ret_sent_us)
{
	*ret_press_us = r->press_us;
	*ret_sent_us = r->press_sent_us;
}
