/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advisory mode: cues for the person, and did she slow down when told to. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * On a treadmill paced cannot control (ANT+ FE: USB.md 1.1), the person
 * is the actuator. This pure checker turns the session's target speed
 * into cues ("walk now: 5.0 km/h"), announces a speed increase ahead of
 * time ("jog in 10 s: 8.0 km/h"), and watches the reported speed:
 *
 *   - slower than the target is never an alarm (safety wins every tie);
 *   - faster than target + tolerance is allowed for a grace period after
 *     a cue (a person needs a few seconds to press the console's keys),
 *     then it is the alarm "person did not slow down", repeated as a cue
 *     until she does; coming down clears it.
 *
 * Nothing here claims the belt changed: cues are requests, the verdict
 * comes only from what the treadmill reports. Time is the caller's clock
 * (real µs, not profile time: a grace period is about a person).
 */
struct advisory;

struct advisory_config {
	uint16_t walk_max;		/* 0.01 km/h: "walk" at or below; 0 = 650 */
	uint16_t tolerance;		/* 0.01 km/h over target still fine; 0 = 30 */
	uint32_t grace_ms;		/* to slow down after a cue; 0 = 10000 */
	uint32_t realarm_ms;		/* repeat the alarm cue; 0 = 20000 */
	uint32_t countdown_ms;		/* cue before an increase; 0 = 10000 */
};

enum advisory_cue_kind {
	ADVISORY_CUE_CHANGE,		/* segment boundary: "jog now: 8.0 km/h" */
	ADVISORY_CUE_SYMPTOM,		/* a press: "slow to a walk now: ..." */
	ADVISORY_CUE_COUNTDOWN,		/* "jog in 10 s: 8.0 km/h" */
	ADVISORY_CUE_ALARM,		/* still too fast after the grace */
	ADVISORY_CUE_COMPLIED,		/* after an alarm: she slowed down */
};

struct advisory_cue {
	enum advisory_cue_kind kind;
	uint16_t speed;			/* 0.01 km/h: the target named */
	uint16_t reported;		/* ALARM, COMPLIED: speed seen */
	uint32_t in_s;			/* COUNTDOWN: seconds to the change */
	uint64_t time_us;
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
 * The session's target changed: a segment boundary, or a symptom press
 * (symptom = true). Fills *ret_cue with what to tell the person. A new
 * cue restarts the grace unless an alarm is already up (an alarm stays
 * until she is at or below the target in force).
 */
void advisory_set_target(struct advisory *a, uint64_t now_us, uint16_t target,
			 bool symptom, struct advisory_cue *ret_cue);
/* The next boundary: at at_us the target becomes target. An increase gets
 * a countdown cue countdown_ms before it; a decrease or none clears it. */
void advisory_set_upcoming(struct advisory *a, uint64_t at_us,
			   uint16_t target);
/* A reported speed (0.01 km/h). Returns the verdict after it. */
enum advisory_verdict advisory_on_speed(struct advisory *a, uint64_t now_us,
					uint16_t speed);
/* Cues that fell due by now_us, one per call (alarm, re-alarm, complied,
 * countdown); false when there is none. */
bool advisory_poll(struct advisory *a, uint64_t now_us,
		   struct advisory_cue *ret_cue);
/* When advisory_poll() next has something, UINT64_MAX if never. */
uint64_t advisory_next_deadline(const struct advisory *a);
enum advisory_verdict advisory_get_verdict(const struct advisory *a,
					   uint64_t now_us);

/* What to say (display, pacectl watch, log, the cue command): snprintf
 * semantics. "walk now: 5.0 km/h", "slow to a walk now: 5.0 km/h",
 * "jog in 10 s: 8.0 km/h", "slow down now: 5.0 km/h (8.0 km/h)" ... */
int advisory_cue_text(const struct advisory *a, const struct advisory_cue *cue,
		      char *buf, size_t len);
/* The alarm's name in the session log. */
#define ADVISORY_ALARM_TEXT "person did not slow down"
const char *advisory_cue_kind_name(enum advisory_cue_kind kind);
