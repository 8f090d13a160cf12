/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scale-back: the pure transform a symptom press applies to a plan. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

/*
 * What the runner reported (docs/domain.md 2.2, 3.1 signs of pelvic floor
 * dysfunction). SYMPTOM_ANY is a press with no kind (the one-button case).
 */
enum symptom_kind {
	SYMPTOM_ANY,
	SYMPTOM_LEAK,
	SYMPTOM_PRESSURE,	/* heaviness, pressure, bulge, dragging */
	SYMPTOM_PAIN,
	SYMPTOM_LONG_PRESS,	/* button held >= 2 s (docs/domain.md 2.2) */
	SYMPTOM_KIND_COUNT,
};

#define SCALEBACK_MAX_STEPS 8
/* Factors are stored in per mille so the transform is exact integer math. */
#define SCALEBACK_PERMILLE 1000
/* A jog shorter than this after jog_time scaling is walked instead. */
#define SCALEBACK_MIN_JOG_MS 10000

/* One step of the policy; press n applies steps[n - 1], the last repeats. */
struct scaleback_step {
	uint16_t jog_speed;	/* per mille of the jog speed, 1..1000; 1000 = same */
	uint16_t jog_time;	/* per mille of each jog kept, 1..1000; rest walked */
	bool no_jog;		/* every later jog becomes a walk */
	bool end;		/* cool-down now, then stop */
};

enum scaleback_long_press {
	SCALEBACK_LONG_PRESS_END,	/* default: cool-down now, then stop */
	SCALEBACK_LONG_PRESS_PRESS,	/* counts as an ordinary press */
};

struct scaleback_policy {
	uint32_t recovery_ms;	/* walk at least this long after a press */
	uint32_t debounce_ms;	/* presses closer than this count once */
	struct scaleback_step steps[SCALEBACK_MAX_STEPS];
	size_t n_steps;		/* 1..SCALEBACK_MAX_STEPS */
	/* minimum step (1-based) a press of each kind applies; 0 = none */
	uint8_t kind_min_step[SYMPTOM_KIND_COUNT];
	enum scaleback_long_press long_press;
	/* cool-down walk used by an end step when the plan has none left */
	uint32_t end_cooldown_ms;
};

/*
 * The built-in policy (docs/domain.md 3.5 "During a session"): recovery 2:00,
 * debounce 3 s; press 1 halves every later jog (the cut time is walked),
 * press 2 stops jogging for the session, press 3 ends it; leak >= step 1,
 * pressure >= step 2, pain >= step 3; a long press ends the session.
 */
void scaleback_policy_default(struct scaleback_policy *ret_pol);

/* 0 when the policy is usable, -EINVAL otherwise (no steps, factor 0 or
 * above 1000, an end step combined with anything, minimum step > n_steps). */
int scaleback_policy_validate(const struct scaleback_policy *pol);

/*
 * The step that press number press_number (1-based, as counted by
 * scaleback_press()) of the given kind applies: steps[min(n, n_steps) - 1],
 * raised to the kind's minimum step; a long press under
 * SCALEBACK_LONG_PRESS_END is always an end step. Returns the step by value.
 */
struct scaleback_step scaleback_choose(const struct scaleback_policy *pol,
				       unsigned press_number,
				       enum symptom_kind kind);

/*
 * Apply a press at session time now_ms to plan (normally the current,
 * possibly already scaled, plan: effects accumulate and never undo).
 *
 * ret_new receives the remaining plan from now_ms:
 *  - from now_ms, a recovery walk lasting recovery_ms (or to the end of the
 *    plan if that is sooner). It overlays the timeline, so a press during a
 *    walk lengthens that walk and the first part of a later jog is walked.
 *    Its speed is the lower of the walk pace and what was planned at that
 *    moment; its incline is 0.
 *  - then the rest of the plan transformed by the chosen step: jog_speed
 *    scales jog speeds (never below the walk pace), jog_time keeps that share
 *    of each jog and walks the rest at walk pace (so the end time does not
 *    move), no_jog walks every jog, end replaces everything with the plan's
 *    remaining cool-down (or end_cooldown_ms of walking), then the plan ends.
 *
 * Nothing is ever faster, steeper or longer-jogging than before. Adjacent
 * identical walk segments are merged. Returns 0; -EINVAL for an invalid plan
 * or policy; -ERANGE when now_ms is outside the plan (the session is over).
 * ret_new is untouched on failure. Pure.
 */
int scaleback_apply(const struct plan *plan, uint32_t now_ms,
		    unsigned press_number, enum symptom_kind kind,
		    const struct scaleback_policy *pol, struct plan *ret_new);

/*
 * Debounce (the runner's job; this is the pure rule). Feed every press, in
 * time order; a press within debounce_ms of the last *counted* press is
 * absorbed. Returns the press number to pass to scaleback_apply() (1, 2,
 * ...), or 0 when the press is absorbed.
 */
struct scaleback_presses {
	unsigned count;		/* counted presses so far */
	uint32_t last_ms;	/* session time of the last counted press */
	unsigned last_step;	/* 1-based step the last counted press chose */
};

unsigned scaleback_press(struct scaleback_presses *st, uint32_t now_ms,
			 const struct scaleback_policy *pol);

/*
 * The same with the press's kind: a press inside the debounce window is
 * still not absorbed when its kind asks for a harder step than the last
 * counted press got (a "pain" right after a "leak" must end the session).
 * It then returns the current count again; scaleback_apply() with that
 * count and kind applies the harder step. Returns 0 when absorbed.
 */
unsigned scaleback_press_kind(struct scaleback_presses *st, uint32_t now_ms,
			      enum symptom_kind kind,
			      const struct scaleback_policy *pol);

/* What a step does, in words ("jogs 50 % as long (the cut time walked)"),
 * as pacectl profile show and the exports say it. */
void scaleback_step_describe(const struct scaleback_step *st, char *buf,
			     size_t len);

/* "any", "leak", "pressure", "pain", "long-press"; NULL if out of range. */
const char *symptom_kind_name(enum symptom_kind kind);
/* Inverse of symptom_kind_name(); -EINVAL for an unknown name. */
int symptom_kind_from_name(const char *name, enum symptom_kind *ret_kind);
