/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cue engine's rules, checked over a session's whole event stream. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct cue_check {
	unsigned increases;	/* speed increases checked */
	unsigned countdowns;	/* countdown cues (ticks included) */
	unsigned segments;	/* segments entered */
	unsigned changes;	/* change cues */
	unsigned symptoms;	/* symptom cues */
	unsigned halfways;
	unsigned finishes;
	unsigned forms;
	unsigned lasts;
	bool started;		/* a START went out (or was advised) */
};

/*
 * Fails the running check test unless, in ev[0..n):
 *  - every speed increase commanded (or advised) was preceded by a
 *    countdown cue for that speed, said after the previous speed command
 *    and at least lead_ms of plan time earlier; the only exception is the
 *    first speed after a START, up to walk (the explicit (re)start);
 *  - every non-tick countdown but the start's announces lead_ms, ticks
 *    count down from at most 3;
 *  - every segment entered has its change cue at the same instant, or the
 *    symptom cue that stands for it;
 *  - there is at most one halfway and one finish, the finish is the last
 *    cue, and there is one exactly when the belt was started.
 * walk is the session's walk pace on the wire. Fills *ret with counts.
 * CUE_DUMP=1 in the environment prints the events up to a failed
 * increase.
 */
void cue_check_events(const struct session_event *ev, size_t n, uint16_t walk,
		      uint32_t lead_ms, struct cue_check *ret);
