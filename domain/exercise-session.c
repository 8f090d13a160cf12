/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An exercise session (belt = false) as a state machine: time and presses in, steps and cues out. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise-session.h"
#include "util.h"

/* Said when a press is taken, and when the session ends early. */
#define SAY_REST "Stop and rest. Let the muscles go, and breathe normally."
#define SAY_ENDED "We stop here for today. Rest. If it leaks, hurts or feels heavy, tell your pelvic-health physiotherapist."
#define SAY_STOPPED "Session stopped."

struct exercise_session {
	struct exercise_plan plan;	/* owned copy of the steps */
	struct exercise_config cfg;
	enum exercise_state state;
	enum exercise_state paused_from;	/* RUNNING or RESTING */

	/* The item under way: step cur, or the inserted rest (resting). */
	size_t cur;
	bool resting;
	struct exercise_step item;
	uint32_t item_base_ms;		/* session ms it (re)started at */
	/* The clock: session ms anchor_ms at real anchor_us, moved only by
	 * a (re)start, so step boundaries do not drift with rounding. */
	uint64_t anchor_us;
	uint32_t anchor_ms;
	uint32_t frozen_ms;		/* session ms while paused or over */

	struct exercise_cue *cues;	/* the item's cues, owned */
	size_t n_cues, next_cue, alloc_cues;
	uint32_t say_end_ms;		/* item ms its instruction ends */

	unsigned presses;
	uint32_t last_press_ms;

	struct exercise_event *ev;	/* queue: ev[head..n) */
	size_t ev_head, ev_n, ev_alloc;
};

static const char *const state_names[] = {
	[EXERCISE_IDLE] = "idle",
	[EXERCISE_RUNNING] = "running",
	[EXERCISE_RESTING] = "resting",
	[EXERCISE_PAUSED] = "paused",
	[EXERCISE_FINISHED] = "finished",
	[EXERCISE_ABORTED] = "aborted",
};

const char *exercise_state_name(enum exercise_state state)
{
	return (unsigned) state < ARRAY_SIZE(state_names) ?
	       state_names[state] : "unknown";
}

uint32_t exercise_say_ms(const char *text)
{
	unsigned words = 0;
	bool in_word = false;

	for (const char *p = text; p && *p; p++) {
		bool letter = isalnum((unsigned char) *p);

		if (letter && !in_word)
			words++;
		in_word = letter || *p == '\'' || (in_word && *p == '-');
	}
	return words * 60000u / EXERCISE_WORDS_PER_MIN;
}

struct exercise_session *exercise_session_new(const struct exercise_plan *plan,
					      const struct exercise_config *cfg)
{
	struct exercise_session *s;

	if (!plan || !plan->n || !cfg)
		return NULL;
	s = paced_new0(struct exercise_session, 1);
	s->plan.n = plan->n;
	s->plan.step = paced_new0(struct exercise_step, plan->n);
	memcpy(s->plan.step, plan->step, plan->n * sizeof(*plan->step));
	s->cfg = *cfg;
	if (!s->cfg.speedup)
		s->cfg.speedup = 1;
	if (!s->cfg.rest_ms)
		s->cfg.rest_ms = EXERCISE_REST_DEFAULT_MS;
	if (!s->cfg.debounce_ms)
		s->cfg.debounce_ms = EXERCISE_DEBOUNCE_DEFAULT_MS;
	return s;
}

void exercise_session_free(struct exercise_session *s)
{
	if (!s)
		return;
	exercise_plan_clear(&s->plan);
	free(s->cues);
	free(s->ev);
	free(s);
}

/* ---- the clock ---- */

/* Plan ms of the current item at real time now. */
static uint32_t item_ms(const struct exercise_session *s, uint64_t now_us)
{
	uint64_t d;

	if (now_us <= s->anchor_us)
		d = s->anchor_ms;
	else
		d = s->anchor_ms + (now_us - s->anchor_us) * s->cfg.speedup /
				   USEC_PER_MSEC;
	if (d <= s->item_base_ms)
		return 0;
	d -= s->item_base_ms;
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t) d;
}

/* Real time at which the current item reaches plan ms at (rounded up:
 * a tick then sees it reached). */
static uint64_t item_real_at(const struct exercise_session *s, uint32_t at)
{
	uint64_t ms = (uint64_t) s->item_base_ms + at - s->anchor_ms;

	return s->anchor_us + (ms * USEC_PER_MSEC + s->cfg.speedup - 1) /
			      s->cfg.speedup;
}

static bool under_way(const struct exercise_session *s)
{
	return s->state == EXERCISE_RUNNING || s->state == EXERCISE_RESTING;
}

uint32_t exercise_session_ms(const struct exercise_session *s, uint64_t now_us)
{
	if (!under_way(s))
		return s->frozen_ms;
	return s->item_base_ms + MIN(item_ms(s, now_us), s->item.duration_ms);
}

/* ---- events ---- */

static struct exercise_event *push(struct exercise_session *s,
				   enum exercise_event_kind kind,
				   uint64_t now_us, uint32_t session_ms)
{
	struct exercise_event *e;

	if (s->ev_head == s->ev_n)
		s->ev_head = s->ev_n = 0;
	if (s->ev_n == s->ev_alloc) {
		s->ev_alloc = s->ev_alloc ? s->ev_alloc * 2 : 16;
		s->ev = paced_realloc(s->ev, s->ev_alloc * sizeof(*s->ev));
	}
	e = &s->ev[s->ev_n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->real_us = now_us;
	e->session_ms = session_ms;
	e->state = s->state;
	return e;
}

static void set_state(struct exercise_session *s, enum exercise_state state,
		      uint64_t now_us, uint32_t session_ms)
{
	if (s->state == state)
		return;
	s->state = state;
	push(s, EXERCISE_EV_STATE, now_us, session_ms);
}

static void say(struct exercise_session *s, enum exercise_cue_kind kind,
		const char *text, uint64_t now_us, uint32_t session_ms)
{
	struct exercise_event *e = push(s, EXERCISE_EV_CUE, now_us, session_ms);

	e->cue.at_ms = session_ms;
	e->cue.kind = kind;
	e->cue.step = s->resting ? s->plan.n : s->cur;
	snprintf(e->cue.text, sizeof(e->cue.text), "%s", text);
}

/* ---- items ---- */

/* Start the current item (s->cur, or the inserted rest) at now_us,
 * session ms base: its STEP event, its cues from the top. An item that
 * follows the one before on time keeps the clock's anchor. */
static void begin_item(struct exercise_session *s, uint64_t now_us,
		       uint32_t base, bool reanchor)
{
	struct exercise_event *e;

	if (reanchor) {
		s->anchor_us = now_us;
		s->anchor_ms = base;
	}
	s->item_base_ms = base;
	s->next_cue = s->n_cues = 0;
	s->say_end_ms = 0;
	if (s->resting) {
		memset(&s->item, 0, sizeof(s->item));
		s->item.kind = PROFILE_ITEM_REST;
		s->item.phase = s->cur < s->plan.n ?
				s->plan.step[s->cur].phase : PLAN_PHASE_COOLDOWN;
		s->item.duration_ms = s->cfg.rest_ms;
		s->item.say = SAY_REST;
	} else {
		size_t max;

		s->item = s->plan.step[s->cur];
		/* A step of D seconds has at most D cues (exercise.h). */
		max = s->item.duration_ms / 1000 + 1;
		if (max > s->alloc_cues) {
			s->alloc_cues = max;
			s->cues = paced_realloc(s->cues, max * sizeof(*s->cues));
		}
		s->n_cues = exercise_step_cues(&s->plan, s->cur, s->cues, max);
	}
	e = push(s, EXERCISE_EV_STEP, now_us, base);
	e->index = s->resting ? s->plan.n : s->cur;
	e->step = s->item;
}

static void end_session(struct exercise_session *s, enum exercise_state state,
			uint64_t now_us, uint32_t session_ms)
{
	s->frozen_ms = session_ms;
	set_state(s, state, now_us, session_ms);
	push(s, EXERCISE_EV_END, now_us, session_ms);
}

/* The next step after the current item; the finish after the last. */
static void next_item(struct exercise_session *s, uint64_t at_us,
		      uint32_t base)
{
	struct exercise_cue fin;

	if (s->resting)
		s->resting = false;	/* s->cur already names the next */
	else
		s->cur++;
	if (s->cur < s->plan.n) {
		set_state(s, EXERCISE_RUNNING, at_us, base);
		begin_item(s, at_us, base, false);
		return;
	}
	if (exercise_step_cues(&s->plan, s->plan.n, &fin, 1))
		say(s, EXERCISE_CUE_FINISH, fin.text, at_us, base);
	end_session(s, EXERCISE_FINISHED, at_us, base);
}

/* Let time pass up to now: due cues, then step boundaries. */
static void advance(struct exercise_session *s, uint64_t now_us)
{
	while (under_way(s)) {
		uint32_t t = item_ms(s, now_us);

		for (; s->next_cue < s->n_cues &&
		       s->cues[s->next_cue].at_ms - s->item.start_ms <= t &&
		       s->cues[s->next_cue].at_ms - s->item.start_ms <
		       s->item.duration_ms; s->next_cue++) {
			const struct exercise_cue *c = &s->cues[s->next_cue];
			uint32_t off = c->at_ms - s->item.start_ms;
			struct exercise_event *e;

			/* A count over the instruction would cut it short
			 * (cue-command says the newest cue): skipped. */
			if (c->kind == EXERCISE_CUE_COUNT && off < s->say_end_ms)
				continue;
			if (c->kind == EXERCISE_CUE_SAY)
				s->say_end_ms = off + exercise_say_ms(c->text);
			e = push(s, EXERCISE_EV_CUE, item_real_at(s, off),
				 s->item_base_ms + off);
			e->cue = *c;
		}
		if (t < s->item.duration_ms)
			return;
		next_item(s, item_real_at(s, s->item.duration_ms),
			  s->item_base_ms + s->item.duration_ms);
	}
}

/* ---- inputs ---- */

static bool live(const struct exercise_session *s)
{
	return under_way(s) || s->state == EXERCISE_PAUSED;
}

/* Cues due before an input are said before its answer. -ESRCH when the
 * session is not under way, or ends on the way. */
static int catch_up(struct exercise_session *s, uint64_t now_us)
{
	if (!live(s))
		return -ESRCH;
	advance(s, now_us);
	return live(s) ? 0 : -ESRCH;
}

int exercise_session_start(struct exercise_session *s, uint64_t now_us)
{
	if (s->state != EXERCISE_IDLE)
		return -EALREADY;
	s->cur = 0;
	s->resting = false;
	set_state(s, EXERCISE_RUNNING, now_us, 0);
	begin_item(s, now_us, 0, true);
	advance(s, now_us);
	return 0;
}

int exercise_session_symptom(struct exercise_session *s, uint64_t now_us,
			     enum symptom_kind kind)
{
	struct exercise_event *e;
	uint32_t ms;

	if (catch_up(s, now_us) < 0)
		return -ESRCH;
	ms = exercise_session_ms(s, now_us);
	if (s->presses && kind != SYMPTOM_LONG_PRESS &&
	    ms - s->last_press_ms < s->cfg.debounce_ms) {
		e = push(s, EXERCISE_EV_SYMPTOM, now_us, ms);
		e->symptom = kind;
		return 0;
	}
	s->presses++;
	s->last_press_ms = ms;
	e = push(s, EXERCISE_EV_SYMPTOM, now_us, ms);
	e->symptom = kind;
	e->press = s->presses;
	if (s->presses >= 2 || kind == SYMPTOM_LONG_PRESS) {
		say(s, EXERCISE_CUE_FINISH, SAY_ENDED, now_us, ms);
		end_session(s, EXERCISE_ABORTED, now_us, ms);
		return (int) s->presses;
	}
	/* The rest replaces what was left of the step; then the next one. */
	if (!s->resting)
		s->cur++;
	s->resting = true;
	say(s, EXERCISE_CUE_SYMPTOM, SAY_REST, now_us, ms);
	if (s->state == EXERCISE_PAUSED) {
		/* Paused she stays: the rest starts when she resumes. */
		s->paused_from = EXERCISE_RESTING;
		s->item.kind = PROFILE_ITEM_REST;
		s->item.duration_ms = s->cfg.rest_ms;
		s->item.say = SAY_REST;
		s->item.count = false;
		return 1;
	}
	set_state(s, EXERCISE_RESTING, now_us, ms);
	begin_item(s, now_us, ms, true);
	return 1;
}

int exercise_session_pause(struct exercise_session *s, uint64_t now_us)
{
	uint32_t ms;

	advance(s, now_us);
	if (!under_way(s))
		return -EALREADY;
	ms = exercise_session_ms(s, now_us);
	s->frozen_ms = ms;
	s->paused_from = s->state;
	set_state(s, EXERCISE_PAUSED, now_us, ms);
	return 0;
}

int exercise_session_resume(struct exercise_session *s, uint64_t now_us)
{
	if (s->state != EXERCISE_PAUSED)
		return -EALREADY;
	/* The step again from its start: a hold half done is not a hold. */
	set_state(s, s->paused_from, now_us, s->frozen_ms);
	begin_item(s, now_us, s->frozen_ms, true);
	advance(s, now_us);
	return 0;
}

int exercise_session_stop(struct exercise_session *s, uint64_t now_us)
{
	uint32_t ms;

	if (catch_up(s, now_us) < 0)
		return -ESRCH;
	ms = exercise_session_ms(s, now_us);
	say(s, EXERCISE_CUE_FINISH, SAY_STOPPED, now_us, ms);
	end_session(s, EXERCISE_ABORTED, now_us, ms);
	return 0;
}

void exercise_session_tick(struct exercise_session *s, uint64_t now_us)
{
	advance(s, now_us);
}

bool exercise_session_next_event(struct exercise_session *s,
				 struct exercise_event *ret_ev)
{
	if (s->ev_head == s->ev_n)
		return false;
	*ret_ev = s->ev[s->ev_head++];
	return true;
}

uint64_t exercise_session_next_deadline(const struct exercise_session *s)
{
	uint32_t at;

	if (!under_way(s))
		return UINT64_MAX;
	at = s->item.duration_ms;
	for (size_t i = s->next_cue; i < s->n_cues; i++) {
		uint32_t off = s->cues[i].at_ms - s->item.start_ms;

		if (s->cues[i].kind == EXERCISE_CUE_COUNT &&
		    off < s->say_end_ms)
			continue;
		at = MIN(at, off);
		break;
	}
	return item_real_at(s, at);
}

/* ---- what the shell reads ---- */

enum exercise_state exercise_session_state(const struct exercise_session *s)
{
	return s->state;
}

bool exercise_session_done(const struct exercise_session *s)
{
	return s->state == EXERCISE_FINISHED || s->state == EXERCISE_ABORTED;
}

bool exercise_session_completed(const struct exercise_session *s)
{
	return s->state == EXERCISE_FINISHED;
}

unsigned exercise_session_presses(const struct exercise_session *s)
{
	return s->presses;
}

const struct exercise_step *exercise_session_step(const struct exercise_session *s,
						  uint64_t now_us,
						  size_t *ret_index,
						  uint32_t *ret_left_ms)
{
	uint32_t t;

	if (!live(s))
		return NULL;
	/* Paused: the step starts again whole on resume. */
	t = under_way(s) ? MIN(item_ms(s, now_us), s->item.duration_ms) : 0;
	if (ret_index)
		*ret_index = s->resting ? s->plan.n : s->cur;
	if (ret_left_ms)
		*ret_left_ms = s->item.duration_ms - t;
	return &s->item;
}

uint32_t exercise_session_left_ms(const struct exercise_session *s,
				  uint64_t now_us)
{
	uint32_t left = 0;
	size_t from;

	if (s->state == EXERCISE_IDLE)
		return exercise_end_ms(&s->plan);
	if (!exercise_session_step(s, now_us, NULL, &left))
		return 0;
	/* Resting, s->cur already names the step after the rest. */
	from = s->resting ? s->cur : s->cur + 1;
	for (size_t i = from; i < s->plan.n; i++)
		left += s->plan.step[i].duration_ms;
	return left;
}

const struct exercise_plan *exercise_session_plan(const struct exercise_session *s)
{
	return &s->plan;
}
