/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session laid out second by second on its plan clock, for the exports. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session-read.h"

/*
 * Every export (FIT, TCX, CSV) is written from this one timeline, so the
 * three files agree with each other to the second and the metre.
 *
 * Clocks. The plan clock (session_s in the log) runs from the moment the
 * treadmill confirmed the start and stands still while the session is
 * paused; a 30-minute profile run at --speedup 30 still has 30 minutes of
 * plan time, so its files are 30 minutes long. The activity clock adds the
 * pauses, each as long as it really was times the speed-up (so a sped-up
 * session looks as if it had been run at speed 1), rounded to whole
 * seconds with at least 1 s, so every second's record falls on a whole
 * second and a pause is always visible as a timer stop and start.
 * Wall-clock times are the start's UTC time (from the log's own "t" and
 * mono_us) plus the activity clock.
 *
 * One record per second of plan time, from 0 to the end, none during a
 * pause. Each carries:
 *  - belt speed: the last thing known about the belt at that moment,
 *    whichever came later: a "sample" line (what the treadmill reported),
 *    or the treadmill's acknowledgement of a set-speed, pause or stop
 *    ("result" lines, ok). Samples come every few seconds of real time,
 *    so between them, and for a sped-up session almost always, this is
 *    the commanded speed; speed_source says which. An advisory treadmill
 *    (ANT+) is never commanded, so there it is the last sample.
 *  - target speed: the last set-speed paced commanded or advised, else
 *    the segment's planned speed.
 *  - incline: likewise, the last reported or acknowledged incline.
 *  - heart rate: from the last sample, if it carried one; a sample
 *    without one, or a pause, ends it (0: none).
 *  - distance: see EXPORT_DISTANCE_TOLERANCE.
 *
 * Laps: one per "segment" line (each plan segment, and each recovery walk
 * a symptom press inserts), except that the segment paced announces again
 * on resuming after a pause continues the lap it interrupted, and a
 * segment that lasted no time at all (replaced at once) is dropped.
 */

/*
 * Distance. The integral of the belt speed above is always computed; when
 * the treadmill reports its total distance (samples' distance_m), the
 * records follow the treadmill instead: between two samples the distance
 * grows in proportion to the integral, so it matches the treadmill at
 * every sample and stays monotonic (a counter that restarts, after a link
 * drop or a reset, continues from where it was; one that was not at 0
 * when the session started is counted from the session's start).
 *
 * The two must agree within EXPORT_DISTANCE_TOLERANCE_PCT percent plus
 * EXPORT_DISTANCE_TOLERANCE_M metres: the integral assumes the belt is at
 * the commanded speed at once, while a real belt takes a few seconds to
 * reach it (a few metres at every change), and the treadmill counts whole
 * metres. distance_agree says whether they did; a treadmill whose counter
 * disagrees by more is still believed (it is what the person saw on the
 * console), and pacectl export says so.
 */
#define EXPORT_DISTANCE_TOLERANCE_PCT	3
#define EXPORT_DISTANCE_TOLERANCE_M	20

enum export_speed_source {
	EXPORT_SPEED_NONE,		/* nothing known yet: 0 */
	EXPORT_SPEED_COMMAND,		/* the acknowledged command */
	EXPORT_SPEED_SAMPLE,		/* the treadmill's report */
};

struct export_second {
	uint32_t plan_s;		/* plan clock */
	uint32_t elapsed_s;		/* activity clock (plan + pauses) */
	uint16_t belt_speed;		/* 0.01 km/h */
	uint16_t target_speed;		/* 0.01 km/h */
	int16_t incline;		/* 0.1 % */
	uint8_t heart_rate;		/* bpm, 0 = none */
	uint8_t speed_source;		/* enum export_speed_source */
	uint32_t distance_cm;		/* the distance exported */
	uint32_t integral_cm;		/* the integral of belt speed */
	uint32_t lap;			/* index in laps */
	uint32_t presses;		/* counted presses so far */
};

struct export_lap {
	uint32_t start_plan_ms, end_plan_ms;
	uint32_t start_elapsed_ms, end_elapsed_ms;	/* pauses inside */
	char phase[SESSION_READ_TEXT_MAX];	/* warmup main recovery cooldown */
	char pace[SESSION_READ_TEXT_MAX];
	uint16_t speed;			/* planned, 0.01 km/h */
	int16_t incline;		/* planned, 0.1 % */
	bool jog;
	bool press;			/* begun by a symptom press */
	unsigned line;			/* its "segment" line */
	uint32_t first, count;		/* its seconds: sec[first..+count) */
	uint32_t distance_cm;
	uint16_t avg_speed, max_speed;	/* 0.01 km/h, over its seconds */
	uint8_t avg_hr, max_hr;		/* 0 = none */
};

enum export_mark_kind {
	EXPORT_MARK_PRESS,		/* a symptom press */
	EXPORT_MARK_PAUSE,		/* the timer stops */
	EXPORT_MARK_RESUME,		/* the timer starts again */
};

struct export_mark {
	enum export_mark_kind kind;
	unsigned line;			/* in the log */
	uint32_t plan_ms, elapsed_ms;
	uint32_t press;			/* PRESS: 1, 2, ...; 0 = debounced */
	char what[SESSION_READ_TEXT_MAX];	/* PRESS: symptom kind; PAUSE:
						 * the reason */
	char effect[96];		/* PRESS: what the scale-back did */
};

struct export_timeline {
	const struct session_line_open *open;	/* borrowed from the log */
	int64_t start_unix_ms;		/* UTC at plan time 0 */
	uint32_t plan_ms;		/* timer time: the plan clock at the end */
	uint32_t elapsed_ms;		/* with the pauses */
	char outcome[SESSION_READ_TEXT_MAX];	/* finished, aborted,
						 * interrupted; "unfinished"
						 * without an end line */
	bool completed;
	uint32_t presses;		/* counted presses */

	struct export_second *sec;
	size_t n_sec;
	struct export_lap *laps;
	size_t n_laps;
	struct export_mark *marks;	/* in time order */
	size_t n_marks;

	bool treadmill_distance;	/* sec[].distance follows the treadmill */
	uint32_t distance_cm;		/* total exported */
	uint32_t integral_cm;		/* total of the integral */
	bool distance_agree;		/* see above */
	uint16_t avg_speed, max_speed;	/* 0.01 km/h: distance / timer time */
	uint8_t avg_hr, max_hr;
};

/*
 * Lay out a log read by session_read_*(). Returns 0, or -EBADMSG with
 * *ret_err ("FILE: ...") for a session that never started (the belt
 * never ran: nothing to export). log must outlive the timeline.
 */
int export_timeline_build(const struct session_read *log,
			  struct export_timeline **ret_tl,
			  struct session_read_error *ret_err);
void export_timeline_free(struct export_timeline *tl);

/* Whether two distances agree within the tolerance above. */
bool export_distance_agree(uint32_t a_cm, uint32_t b_cm);
