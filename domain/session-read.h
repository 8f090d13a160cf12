/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a session log back: one JSON Lines file in, typed lines out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The other half of session-log.h: a session log (STATE/sessions/, lines as
 * daemon/runner.c writes them, listed in paced(8) "SESSION LOG") read with
 * the strict JSON reader into one typed record per line, in file order.
 * What an export or a report needs is kept; lines of an event this reader
 * does not know are skipped (a newer paced may add some), and so are the
 * keys it does not use. A line it knows but cannot trust (not JSON, a key
 * of the wrong type, a value out of range, a required key missing) makes
 * the whole read fail with "FILE:LINE: message"; nothing is guessed.
 *
 * One exception, for logs cut by a crash: the last line, or a line
 * followed only by the "end" line paced appends when it finds such a log
 * (outcome "interrupted", no mono_us), may be a torn write. It is skipped
 * and its number kept in torn_line, so a crashed session still exports.
 *
 * Plan time: every session event carries session_s (the plan clock, frozen
 * while paused); samples carry it since the runner started writing it. A
 * line without it gets one derived from mono_us and the speed-up since the
 * last line that had it, frozen while paused (session_from_log false).
 */

#define SESSION_READ_MAX_BYTES	(16U << 20)	/* a 4-hour log is ~1 MiB */
#define SESSION_READ_MAX_LINE	65536
#define SESSION_READ_TEXT_MAX	48		/* names kept from the log */
#define SESSION_READ_CUE_MAX	128		/* a cue's sentence */
#define SESSION_READ_LONG_TEXT	256		/* profile name, paths */

enum session_line_kind {
	SESSION_LINE_OPEN,
	SESSION_LINE_STATE,
	SESSION_LINE_SEGMENT,
	SESSION_LINE_COMMAND,		/* handed to the treadmill */
	SESSION_LINE_RESULT,		/* the treadmill's answer */
	SESSION_LINE_ADVICE,		/* advisory: what the person was told */
	SESSION_LINE_SYMPTOM,
	SESSION_LINE_SCALEBACK,
	SESSION_LINE_ALARM,
	SESSION_LINE_SAMPLE,
	SESSION_LINE_CUE,
	SESSION_LINE_LINK,
	SESSION_LINE_END,
};

/* Values in the log's own units, as integers: speed 0.01 km/h, incline
 * 0.1 %, times ms. */
struct session_line_open {
	char profile[SESSION_READ_LONG_TEXT];
	char profile_path[SESSION_READ_LONG_TEXT];
	char programme[SESSION_READ_LONG_TEXT];	/* "" if none */
	char stage[SESSION_READ_TEXT_MAX];		/* "" if none */
	char treadmill[SESSION_READ_LONG_TEXT];
	uint32_t speedup;			/* >= 1 */
	uint32_t planned_s;			/* 0 if not logged */
	uint32_t planned_jog_s;
};

struct session_line_state {
	char state[SESSION_READ_TEXT_MAX];	/* running, paused, ... */
	char reason[SESSION_READ_TEXT_MAX];	/* "none", "user", ... */
};

struct session_line_segment {
	uint32_t index;			/* in the current plan */
	char phase[SESSION_READ_TEXT_MAX];	/* warmup main recovery cooldown */
	char pace[SESSION_READ_TEXT_MAX];	/* walk, jog, a profile's name */
	uint16_t speed;			/* 0.01 km/h */
	int16_t incline;		/* 0.1 % */
	uint32_t duration_ms;
	bool jog;
};

/* COMMAND, RESULT and ADVICE. */
struct session_line_command {
	char command[SESSION_READ_TEXT_MAX];	/* set-speed, start, ... */
	bool has_value;
	int32_t value;			/* set-speed: 0.01 km/h;
					 * set-incline: 0.1 % */
	bool ok;			/* RESULT */
};

/* SYMPTOM and SCALEBACK. */
struct session_line_press {
	char kind[SESSION_READ_TEXT_MAX];	/* any leak pressure pain long-press */
	uint32_t press;			/* 1, 2, ...; 0 = debounced */
	uint16_t jog_speed;		/* SCALEBACK: per mille of the jog speed */
	uint16_t jog_time;		/* per mille of the jog time */
	bool no_jog;
	bool end;
};

struct session_line_alarm {
	char alarm[SESSION_READ_TEXT_MAX];
	bool active;
};

struct session_line_sample {
	bool has_speed, has_incline, has_distance, has_elapsed, has_hr;
	uint16_t speed;			/* 0.01 km/h */
	int16_t incline;		/* 0.1 % */
	uint32_t distance_m;		/* the treadmill's total */
	uint32_t elapsed_s;		/* the treadmill's own clock */
	uint8_t heart_rate;		/* bpm */
};

struct session_line_cue {
	char kind[SESSION_READ_TEXT_MAX];
	char text[SESSION_READ_CUE_MAX];
};

struct session_line_end {
	char outcome[SESSION_READ_TEXT_MAX];	/* finished aborted interrupted */
	uint32_t presses;
	bool completed;
};

struct session_line {
	enum session_line_kind kind;
	unsigned line;			/* 1-based line in the file */
	int64_t t_ms;			/* "t": UTC, ms since 1970 */
	bool has_mono;			/* the recovery "end" line has none */
	uint64_t mono_us;		/* when it happened, CLOCK_MONOTONIC */
	bool session_from_log;		/* session_ms was in the line */
	uint32_t session_ms;		/* plan clock */
	union {		/* OPEN: see session_read.open */
		struct session_line_state state;
		struct session_line_segment segment;
		struct session_line_command command;
		struct session_line_press press;
		struct session_line_alarm alarm;
		struct session_line_sample sample;
		struct session_line_cue cue;
		struct session_line_end end;
		bool link_up;
	} u;
};

struct session_read {
	char *name;			/* the file name given */
	struct session_line_open open;	/* the first line's */
	struct session_line *lines;	/* file order; lines[0] is OPEN */
	size_t n;
	unsigned line_count;		/* lines in the file */
	unsigned skipped;		/* lines of events not known here */
	unsigned torn_line;		/* a torn line skipped, 0 if none */
};

struct session_read_error {
	unsigned line;			/* 0: about the whole file */
	char text[512];			/* "FILE:LINE: message" */
};

/* Read the log at path. Returns 0, or a negative errno with *ret_err
 * filled: -EBADMSG for a bad log, -EFBIG past SESSION_READ_MAX_BYTES, or
 * the error of opening or reading the file. */
int session_read_file(const char *path, struct session_read **ret_read,
		      struct session_read_error *ret_err);
/* The same from text in memory; name is the file name in messages. */
int session_read_text(const char *name, const char *text, size_t len,
		      struct session_read **ret_read,
		      struct session_read_error *ret_err);
void session_read_free(struct session_read *r);

const char *session_line_kind_name(enum session_line_kind kind);
