/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session plan: a profile expanded to a flat, contiguous timeline. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profile;

/* Longest pace name, NUL included ("walk", "jog", "brisk", ...). */
#define PLAN_PACE_NAME_MAX 16
/* Upper bounds that keep every sum in uint32_t milliseconds. */
#define PLAN_MAX_SEGMENTS 4096
#define PLAN_MAX_TOTAL_MS (6U * 3600U * 1000U)	/* 6 h */

enum plan_phase {
	PLAN_PHASE_WARMUP,
	PLAN_PHASE_MAIN,
	PLAN_PHASE_COOLDOWN,
	PLAN_PHASE_RECOVERY,	/* the walk inserted by a symptom press */
};

/*
 * One segment of the timeline. Units are the FTMS wire units (FTMS v1.0
 * §4.16.2.4-5: speed 0.01 km/h, inclination 0.1 %) so the runner sends
 * them as they are.
 */
struct plan_segment {
	uint32_t start_ms;	/* session time; start[i+1] == end[i] */
	uint32_t duration_ms;	/* > 0 */
	uint16_t speed;		/* 0.01 km/h, > 0 */
	int16_t incline;	/* 0.1 % */
	enum plan_phase phase;
	bool jog_like;		/* speed > plan.walk_speed: subject to scale-back */
	char pace_name[PLAN_PACE_NAME_MAX];	/* "walk", "jog", or a named pace */
};

/*
 * A plan owns its segment array; copy it with plan_copy(), release it with
 * plan_clear(). Segments are contiguous and ordered. The first segment of a
 * full plan starts at 0; a plan returned by scaleback_apply() starts at the
 * time of the press.
 */
struct plan {
	struct plan_segment *seg;	/* owned */
	size_t n;
	uint16_t walk_speed;	/* 0.01 km/h: the walk pace; jog-like is above it */
};

/*
 * Expand a loaded profile (warm-up, main with its nested repeats, cool-down)
 * into a timeline starting at 0. Returns 0, or -E2BIG when the timeline would
 * exceed PLAN_MAX_SEGMENTS or PLAN_MAX_TOTAL_MS (profile_load() already
 * refuses such profiles, so this only guards hand-built ones). ret_plan is
 * untouched on failure. Pure.
 */
int plan_expand(const struct profile *profile, struct plan *ret_plan);

/* Deep copy. Returns 0 (allocation failure aborts, see util.h). */
int plan_copy(const struct plan *src, struct plan *ret_dst);

/* Frees the segments and zeroes the struct; safe on a zeroed plan. */
void plan_clear(struct plan *plan);

/* Session time at which the plan starts / ends (0 / 0 for an empty plan). */
uint32_t plan_start_ms(const struct plan *plan);
uint32_t plan_end_ms(const struct plan *plan);

/* Total time of the jog-like segments, in ms. */
uint32_t plan_jog_ms(const struct plan *plan);

/*
 * Index of the segment that contains session time t_ms (start <= t < end),
 * or -1 when t_ms is before the start or at/after the end.
 */
long plan_find(const struct plan *plan, uint32_t t_ms);

/* "warmup", "main", "cooldown", "recovery". */
const char *plan_phase_name(enum plan_phase phase);

/*
 * Structural check used by tests and by scaleback_apply() on its input:
 * segments non-empty, contiguous, speeds > 0, jog_like consistent with
 * walk_speed. Returns 0 or -EINVAL.
 */
int plan_validate(const struct plan *plan);
