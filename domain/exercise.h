/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exercise sessions (belt = false): a profile's holds and rests as a timeline and what to say when. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "profile.h"

/*
 * The preparation phase's sessions have no treadmill: the person lies,
 * sits or stands and the cue engine talks her through timed holds and
 * rests ("Squeeze and lift, hold" 2, 3, 4, 5 "and relax fully"). This
 * module is the pure half of such a session: the profile expanded to a
 * flat timeline (as plan.h does for belt profiles) and, for each step,
 * the cues to speak and when. A shell runs it with one timer: at each
 * cue's time it hands the text to the cue engine, and it records the
 * session like any other (log, history). Pure: no I/O, no clock.
 */
#define EXERCISE_CUE_TEXT_MAX (PROFILE_MAX_SAY + 1)

struct exercise_step {
	uint32_t start_ms;	/* session time; start[i+1] == end[i] */
	uint32_t duration_ms;	/* > 0 */
	enum profile_item_kind kind;	/* PROFILE_ITEM_HOLD or _REST */
	enum plan_phase phase;	/* warmup, main, cooldown */
	const char *say;	/* borrowed from the profile; NULL: silent */
	bool count;		/* speak the seconds: "2", "3", ... */
};

/* Owns its step array; the say texts stay the profile's, so the profile
 * must outlive the plan. */
struct exercise_plan {
	struct exercise_step *step;
	size_t n;
};

/*
 * Expand a belt = false profile. Returns 0, -EINVAL for a belt profile
 * (use plan_expand()) or an empty one, -E2BIG past PLAN_MAX_SEGMENTS or
 * PLAN_MAX_TOTAL_MS (the loader already refuses those). ret untouched on
 * failure.
 */
int exercise_expand(const struct profile *profile, struct exercise_plan *ret);
void exercise_plan_clear(struct exercise_plan *plan);
uint32_t exercise_end_ms(const struct exercise_plan *plan);
/* Time spent in holds, and how many there are. */
uint32_t exercise_hold_ms(const struct exercise_plan *plan,
			  unsigned *ret_holds);

enum exercise_cue_kind {
	EXERCISE_CUE_SAY,	/* the step's instruction, at its start */
	EXERCISE_CUE_COUNT,	/* a second counted aloud: "2" ... */
	EXERCISE_CUE_FINISH,	/* the session's end */
	EXERCISE_CUE_SYMPTOM,	/* a press was taken: stop and rest */
};

/* "instruction", "count", "finish", "symptom" (the cue kinds watchers,
 * sinks and cue-command see); NULL out of range. */
const char *exercise_cue_kind_name(enum exercise_cue_kind kind);

struct exercise_cue {
	uint32_t at_ms;		/* session time */
	enum exercise_cue_kind kind;
	size_t step;		/* index of the step it belongs to */
	char text[EXERCISE_CUE_TEXT_MAX];
};

/*
 * The cues of step i, in time order, into ret (at most max): its say text
 * at its start, then when it counts, "2" one second in, "3" at two
 * seconds ... up to its length in whole seconds (a 5 s hold: "2" to "5",
 * the next step's cue landing on the sixth second). After the last
 * step, one more call with i == plan->n gives the finish cue. Returns the
 * number written; a step of D seconds has at most D cues.
 */
size_t exercise_step_cues(const struct exercise_plan *plan, size_t i,
			  struct exercise_cue *ret, size_t max);
