/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An exercise session (belt = false) as a state machine: time and presses in, steps and cues out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exercise.h"
#include "scaleback.h"

/*
 * The preparation phase's sessions run with no treadmill: nothing here
 * knows of a belt, a link or a command, so none can ever be sent. Pure,
 * as session.h is: every entry point takes the real (CLOCK_MONOTONIC)
 * time in µs and the session derives its own clock from it, scaled by
 * speedup and frozen while paused.
 *
 * The shell (daemon/exercise-runner.c) feeds an input, drains
 * exercise_session_next_event() into the log and the cue engine, and
 * arms a timer for exercise_session_next_deadline().
 *
 * The rules:
 *  - the steps run in order, each one's cues (exercise_step_cues()) at
 *    their times; a count that would start while the step's instruction
 *    is still being said is skipped, never said over it
 *    (exercise_say_ms());
 *  - pause freezes the timeline; resume starts the current step again
 *    from its beginning, instruction included (a hold half done before a
 *    pause is not a hold);
 *  - a symptom press is recorded, "stop and rest" is said, and a rest of
 *    rest_ms replaces what was left of the step; the session goes on with
 *    the next step after it. A second counted press, or a long press,
 *    ends the session there;
 *  - stop ends it at once.
 */

enum exercise_state {
	EXERCISE_IDLE,		/* loaded, not started */
	EXERCISE_RUNNING,	/* a step of the plan */
	EXERCISE_RESTING,	/* the rest a symptom press inserted */
	EXERCISE_PAUSED,
	EXERCISE_FINISHED,	/* ran to its end */
	EXERCISE_ABORTED,	/* ended early: a press, end or stop */
};

enum exercise_event_kind {
	EXERCISE_EV_STATE,	/* state changed */
	EXERCISE_EV_STEP,	/* a step (or the inserted rest) began */
	EXERCISE_EV_CUE,	/* say cue */
	EXERCISE_EV_SYMPTOM,	/* a press: symptom, press (0 = debounced) */
	EXERCISE_EV_END,	/* finished or aborted */
};

struct exercise_event {
	enum exercise_event_kind kind;
	uint64_t real_us;		/* when it happened */
	uint32_t session_ms;		/* time exercised then (plan time) */
	enum exercise_state state;	/* after the event */
	size_t index;			/* STEP: index in the plan; the
					 * inserted rest: plan.n */
	struct exercise_step step;	/* STEP: kind, duration, say ... */
	struct exercise_cue cue;	/* CUE */
	enum symptom_kind symptom;	/* SYMPTOM */
	unsigned press;			/* SYMPTOM */
};

struct exercise_config {
	uint32_t speedup;	/* plan ms per real ms, >= 1 */
	uint32_t rest_ms;	/* the rest a press inserts; 0 = 60000 */
	uint32_t debounce_ms;	/* presses closer count once; 0 = 3000 */
};

/* Speech rate the overlap rule assumes: unhurried spoken English. */
#define EXERCISE_WORDS_PER_MIN 150
#define EXERCISE_REST_DEFAULT_MS 60000
#define EXERCISE_DEBOUNCE_DEFAULT_MS 3000

/* Pure. Plan ms it takes to say text at EXERCISE_WORDS_PER_MIN (a
 * count, one word: 400 ms). 0 for NULL or no words. */
uint32_t exercise_say_ms(const char *text);

struct exercise_session;

/* Copies plan (and the texts it borrows stay the profile's: the profile
 * must outlive the session). NULL for an empty plan. */
struct exercise_session *exercise_session_new(const struct exercise_plan *plan,
					      const struct exercise_config *cfg);
void exercise_session_free(struct exercise_session *s);

/* The explicit start: -EALREADY unless idle. */
int exercise_session_start(struct exercise_session *s, uint64_t now_us);
/* A press. Returns the press number (1, 2), 0 when debounced, -ESRCH
 * when the session is not under way. */
int exercise_session_symptom(struct exercise_session *s, uint64_t now_us,
			     enum symptom_kind kind);
/* -EALREADY unless running or resting. */
int exercise_session_pause(struct exercise_session *s, uint64_t now_us);
/* -EALREADY unless paused. */
int exercise_session_resume(struct exercise_session *s, uint64_t now_us);
/* End now: -ESRCH when already over or never started. */
int exercise_session_stop(struct exercise_session *s, uint64_t now_us);
void exercise_session_tick(struct exercise_session *s, uint64_t now_us);

bool exercise_session_next_event(struct exercise_session *s,
				 struct exercise_event *ret_ev);
/* Real time of the next thing tick must see, or UINT64_MAX. */
uint64_t exercise_session_next_deadline(const struct exercise_session *s);

enum exercise_state exercise_session_state(const struct exercise_session *s);
bool exercise_session_done(const struct exercise_session *s);
/* Ran to its end (a rest a first press inserted does not change that). */
bool exercise_session_completed(const struct exercise_session *s);
unsigned exercise_session_presses(const struct exercise_session *s);
uint32_t exercise_session_ms(const struct exercise_session *s, uint64_t now_us);
/* Plan ms left to the end as now planned (inserted rest included). */
uint32_t exercise_session_left_ms(const struct exercise_session *s,
				  uint64_t now_us);
/* The step under way (NULL when none): its index (plan.n: the inserted
 * rest) and plan ms left in it. */
const struct exercise_step *exercise_session_step(const struct exercise_session *s,
						  uint64_t now_us,
						  size_t *ret_index,
						  uint32_t *ret_left_ms);
const struct exercise_plan *exercise_session_plan(const struct exercise_session *s);

/* "idle", "running", "resting", "paused", "finished", "aborted". */
const char *exercise_state_name(enum exercise_state state);
