/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exercise runner: binds an exercise session (belt = false) to the loop and the log. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise-runner.h"
#include "log.h"
#include "util.h"

struct exercise_runner {
	struct loop *loop;
	struct exercise_session *s;
	struct session_log *log;
	char *profile_name;
	char *profile_path;
	int timer;
	bool log_failing;

	exercise_runner_update_func_t update;
	exercise_runner_event_func_t event;
	void *user_data;
};

/* The belt session's names, so watchers, status and history read one
 * vocabulary: the rest a press inserts is the belt's recovery walk. */
static enum session_state belt_state(enum exercise_state st)
{
	switch (st) {
	case EXERCISE_IDLE:
		return SESSION_IDLE;
	case EXERCISE_RUNNING:
		return SESSION_RUNNING;
	case EXERCISE_RESTING:
		return SESSION_RECOVERY;
	case EXERCISE_PAUSED:
		return SESSION_PAUSED;
	case EXERCISE_FINISHED:
		return SESSION_FINISHED;
	case EXERCISE_ABORTED:
		break;
	}
	return SESSION_ABORTED;
}

const char *exercise_runner_state_name(const struct exercise_runner *r)
{
	return session_state_name(belt_state(exercise_session_state(r->s)));
}

static const char *step_kind_name(const struct exercise_step *st)
{
	return st->kind == PROFILE_ITEM_HOLD ? "hold" : "rest";
}

static void log_write(struct exercise_runner *r)
{
	int err = session_log_write(r->log);

	if (err < 0)
		log_warn_errno(err, "session log %s: bad line, ignoring",
			       session_log_path(r->log));
}

/* As runner.c: a failing log never stops the session; said once when it
 * starts failing and once when it is back. */
static void log_commit(struct exercise_runner *r)
{
	int err = session_log_commit(r->log);

	if (err < 0 && !r->log_failing) {
		r->log_failing = true;
		log_err("session log %s: cannot write (%s); the session goes on, its lines are kept until they can be written",
			session_log_path(r->log), strerror(-err));
	} else if (err == 0 && r->log_failing) {
		r->log_failing = false;
		log_notice("session log %s: written again",
			   session_log_path(r->log));
	}
}

static void report(struct exercise_runner *r, const struct event *ev)
{
	if (r->event)
		r->event(r, ev, r->user_data);
}

static void emit_cue(struct exercise_runner *r, const struct exercise_event *xe)
{
	struct event ev = {
		.kind = EVENT_CUE, .real_us = xe->real_us,
		.cue = {
			.kind = exercise_cue_kind_name(xe->cue.kind),
			.text = xe->cue.text, .in_s = -1,
			.profile_ms = xe->session_ms,
		},
	};
	struct json *j = session_log_begin(r->log, "cue", xe->real_us);

	event_cue_fields(j, &ev.cue);
	log_write(r);
	report(r, &ev);
}

/* A step as a segment: the belt session's keys (a reader of either log
 * finds them), with speed 0, and phase saying hold or rest. */
static void emit_step(struct exercise_runner *r, const struct exercise_event *xe,
		      struct session_event *sev)
{
	const struct exercise_plan *plan = exercise_session_plan(r->s);
	struct json *j = session_log_begin(r->log, "segment", xe->real_us);

	json_key(j, "state");
	json_string(j, session_state_name(sev->state));
	json_key(j, "session_s");
	json_fixed(j, xe->session_ms / 100, 1);
	json_key(j, "index");
	json_uint(j, xe->index);
	json_key(j, "phase");
	json_string(j, step_kind_name(&xe->step));
	json_key(j, "section");
	json_string(j, plan_phase_name(xe->step.phase));
	json_key(j, "pace");
	json_string(j, step_kind_name(&xe->step));
	json_key(j, "speed_kmh");
	json_fixed(j, 0, 2);
	json_key(j, "duration_s");
	json_fixed(j, xe->step.duration_ms / 100, 1);
	json_key(j, "count");
	json_bool(j, xe->step.count);
	json_key(j, "inserted");
	json_bool(j, xe->index == plan->n);
	log_write(r);

	sev->kind = SESSION_EV_SEGMENT;
	sev->seg.start_ms = xe->session_ms;
	sev->seg.duration_ms = xe->step.duration_ms;
	sev->seg.phase = xe->step.phase;
	snprintf(sev->seg.pace_name, sizeof(sev->seg.pace_name), "%s",
		 step_kind_name(&xe->step));
	sev->seg_index = xe->index;
}

static void emit(struct exercise_runner *r, const struct exercise_event *xe)
{
	struct event ev = { .kind = EVENT_SESSION, .real_us = xe->real_us };
	struct session_event *sev = &ev.session;
	struct json *j;

	if (xe->kind == EXERCISE_EV_CUE) {
		emit_cue(r, xe);
		return;
	}
	sev->real_us = xe->real_us;
	sev->profile_ms = xe->session_ms;
	sev->state = belt_state(xe->state);
	if (sev->state == SESSION_PAUSED)
		sev->reason = SESSION_PAUSE_USER;
	switch (xe->kind) {
	case EXERCISE_EV_STEP:
		emit_step(r, xe, sev);
		report(r, &ev);
		return;
	case EXERCISE_EV_STATE:
		sev->kind = SESSION_EV_STATE;
		break;
	case EXERCISE_EV_SYMPTOM:
		sev->kind = SESSION_EV_SYMPTOM;
		sev->symptom = xe->symptom;
		sev->press_number = xe->press;
		break;
	case EXERCISE_EV_END:
		sev->kind = SESSION_EV_END;
		break;
	case EXERCISE_EV_CUE:
		return;
	}
	j = session_log_begin(r->log, event_name(&ev), xe->real_us);
	event_session_fields(j, sev);
	if (xe->kind == EXERCISE_EV_END) {
		json_key(j, "presses");
		json_uint(j, exercise_session_presses(r->s));
		json_key(j, "completed");
		json_bool(j, exercise_session_completed(r->s));
		json_key(j, "profile");
		json_string(j, r->profile_name);
		json_key(j, "profile_path");
		json_string(j, r->profile_path);
	}
	log_write(r);
	if (xe->kind == EXERCISE_EV_SYMPTOM)
		log_notice("symptom press %u (%s)", xe->press,
			   symptom_kind_name(xe->symptom));
	report(r, &ev);
}

static bool on_timer(void *user_data);

/* Events to the log and out, one commit, then the next timer. */
static void flush(struct exercise_runner *r)
{
	struct exercise_event xe;
	uint64_t at, now;

	while (exercise_session_next_event(r->s, &xe))
		emit(r, &xe);
	log_commit(r);
	if (r->timer > 0)
		loop_remove(r->loop, r->timer);
	r->timer = 0;
	at = exercise_session_next_deadline(r->s);
	if (at != UINT64_MAX) {
		now = loop_now(r->loop);
		r->timer = loop_add_timeout(r->loop, at > now ? at - now : 0,
					    false, on_timer, r, NULL);
	}
	if (r->update)
		r->update(r, r->user_data);
}

static bool on_timer(void *user_data)
{
	struct exercise_runner *r = user_data;

	r->timer = 0;
	exercise_session_tick(r->s, loop_now(r->loop));
	flush(r);
	return false;
}

struct exercise_runner *exercise_runner_new(struct loop *loop,
					    struct exercise_session *session,
					    struct session_log *log,
					    const struct runner_info *info)
{
	struct exercise_runner *r = paced_new0(struct exercise_runner, 1);
	const struct exercise_plan *plan = exercise_session_plan(session);
	unsigned holds;
	uint32_t hold_ms = exercise_hold_ms(plan, &holds);
	struct json *j;

	r->loop = loop;
	r->s = session;
	r->log = log;
	r->profile_name = paced_strdup(info->profile_name ? info->profile_name : "");
	r->profile_path = paced_strdup(info->profile_path ? info->profile_path : "");

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
	/* No treadmill: the one key says so, and a reader expecting an
	 * address finds none. */
	json_key(j, "belt");
	json_bool(j, false);
	json_key(j, "speedup");
	json_uint(j, info->speedup ? info->speedup : 1);
	json_key(j, "planned_s");
	json_uint(j, exercise_end_ms(plan) / 1000);
	json_key(j, "planned_jog_s");
	json_uint(j, 0);
	json_key(j, "holds");
	json_uint(j, holds);
	json_key(j, "hold_s");
	json_uint(j, hold_ms / 1000);
	log_write(r);
	log_commit(r);
	return r;
}

void exercise_runner_free(struct exercise_runner *r)
{
	if (!r)
		return;
	if (r->timer > 0)
		loop_remove(r->loop, r->timer);
	exercise_session_free(r->s);
	free(r->profile_name);
	free(r->profile_path);
	free(r);
}

void exercise_runner_set_callbacks(struct exercise_runner *r,
				   exercise_runner_update_func_t update,
				   exercise_runner_event_func_t event,
				   void *user_data)
{
	r->update = update;
	r->event = event;
	r->user_data = user_data;
}

int exercise_runner_start(struct exercise_runner *r)
{
	int err = exercise_session_start(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int exercise_runner_symptom(struct exercise_runner *r, enum symptom_kind kind)
{
	int n = exercise_session_symptom(r->s, loop_now(r->loop), kind);

	flush(r);
	return n;
}

int exercise_runner_pause(struct exercise_runner *r)
{
	int err = exercise_session_pause(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int exercise_runner_resume(struct exercise_runner *r)
{
	int err = exercise_session_resume(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

int exercise_runner_stop(struct exercise_runner *r)
{
	int err = exercise_session_stop(r->s, loop_now(r->loop));

	flush(r);
	return err;
}

bool exercise_runner_done(const struct exercise_runner *r)
{
	return exercise_session_done(r->s);
}

const struct exercise_session *exercise_runner_session(const struct exercise_runner *r)
{
	return r->s;
}

void exercise_runner_status_json(struct exercise_runner *r, struct json *j)
{
	uint64_t now = loop_now(r->loop);
	const struct exercise_step *st;
	struct session_log_state ls;
	uint32_t left = 0;
	size_t index = 0;

	json_key(j, "state");
	json_string(j, exercise_runner_state_name(r));
	if (exercise_session_state(r->s) == EXERCISE_PAUSED) {
		json_key(j, "reason");
		json_string(j, session_pause_reason_name(SESSION_PAUSE_USER));
	}
	json_key(j, "profile");
	json_string(j, r->profile_name);
	json_key(j, "belt");
	json_bool(j, false);
	json_key(j, "session_s");
	json_fixed(j, exercise_session_ms(r->s, now) / 100, 1);
	json_key(j, "remaining_s");
	json_fixed(j, exercise_session_left_ms(r->s, now) / 100, 1);
	/* What to do now, and for how long. */
	json_key(j, "step");
	st = exercise_session_step(r->s, now, &index, &left);
	if (st) {
		json_object_begin(j);
		json_key(j, "index");
		json_uint(j, index);
		json_key(j, "of");
		json_uint(j, exercise_session_plan(r->s)->n);
		json_key(j, "kind");
		json_string(j, step_kind_name(st));
		json_key(j, "section");
		json_string(j, plan_phase_name(st->phase));
		json_key(j, "say");
		if (st->say)
			json_string(j, st->say);
		else
			json_null(j);
		json_key(j, "inserted");
		json_bool(j, index == exercise_session_plan(r->s)->n);
		json_key(j, "remaining_s");
		json_fixed(j, left / 100, 1);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "segment");
	json_null(j);
	json_key(j, "presses");
	json_uint(j, exercise_session_presses(r->s));
	session_log_get_state(r->log, &ls);
	json_key(j, "log");
	json_object_begin(j);
	json_key(j, "path");
	json_string(j, session_log_path(r->log));
	json_key(j, "ok");
	json_bool(j, ls.error == 0);
	json_key(j, "lines_waiting");
	json_uint(j, ls.lines_pending);
	json_key(j, "lines_lost");
	json_uint(j, ls.lines_lost);
	json_object_end(j);
}
