/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advisory mode: did she slow down when told to? Alarm and thanks on top of the cue engine. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cue.h"

/*
 * On a treadmill paced cannot control (ANT+ FE: docs/ant.md 1.1), the
 * person is the actuator. The session's cue engine tells her what to do
 * ("walk now: 5.0 km/h", "jog in 10 seconds: 8.0 km/h"), as in every
 * session; this pure checker sits on top of it and judges whether she
 * did, from the speed the treadmill reports:
 *
 *   - slower than the target is never an alarm (safety wins every tie);
 *   - faster than target + tolerance is allowed for a grace period after
 *     a new target (a person needs a few seconds to press the console's
 *     keys), then it is the alarm "person did not slow down", repeated as
 *     a cue until she does; coming down clears it, with a word of thanks.
 *
 * Nothing here claims the belt changed: the verdict comes only from what
 * the treadmill reports. Time is the caller's clock (real µs, not profile
 * time: a grace period is about a person).
 */
struct advisory;

struct advisory_config {
	uint16_t tolerance;		/* 0.01 km/h over target still fine; 0 = 30 */
	uint32_t grace_ms;		/* to slow down after a target; 0 = 10000 */
	uint32_t realarm_ms;		/* repeat the alarm cue; 0 = 20000 */
};

enum advisory_verdict {
	ADVISORY_OK,			/* at or below target + tolerance */
	ADVISORY_NOT_YET,		/* too fast, still within the grace */
	ADVISORY_ALARM,			/* too fast past the grace */
	ADVISORY_UNKNOWN,		/* no target or no speed seen yet */
};

/* cfg may be NULL (defaults). Never NULL (aborts on OOM, util.h). */
struct advisory *advisory_new(const struct advisory_config *cfg);
void advisory_free(struct advisory *a);

/*
 * The session asked for a new speed (its SESSION_EV_ADVICE set-speed: a
 * boundary or a press; the engine's cue told her). A new target restarts
 * the grace unless an alarm is already up (an alarm stays until she is at
 * or below the target in force).
 */
void advisory_set_target(struct advisory *a, uint64_t now_us, uint16_t target);
/* A reported speed (0.01 km/h). Returns the verdict after it. */
enum advisory_verdict advisory_on_speed(struct advisory *a, uint64_t now_us,
					uint16_t speed);
/* The checker's own cues that fell due by now_us, one per call: CUE_ALARM
 * (and its repeats) or CUE_COMPLIED, advisory set; false when none. */
bool advisory_poll(struct advisory *a, uint64_t now_us, struct cue *ret_cue);
/* When advisory_poll() next has something, UINT64_MAX if never. */
uint64_t advisory_next_deadline(const struct advisory *a);
enum advisory_verdict advisory_get_verdict(const struct advisory *a,
					   uint64_t now_us);

/* The alarm's name in the session log. */
#define ADVISORY_ALARM_TEXT "person did not slow down"
