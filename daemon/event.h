/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What happens around a session, as a value: one tagged union every part of the daemon speaks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "session.h"
#include "treadmill.h"

/*
 * The runner and the controller report what happens as struct event;
 * JSON is written only at the edges, by event_json() (pacectl watch, the
 * sinks, the web and MQTT front ends) and by the runner's session log,
 * from the same fields. Nothing re-parses JSON another part wrote.
 *
 * Pointers inside an event are valid during the callback only.
 */
enum event_kind {
	EVENT_SESSION,		/* the session state machine's own event */
	EVENT_LINK,		/* the treadmill link came up or went down */
	EVENT_DROPPED,		/* the driver dropped malformed PDUs */
	EVENT_DENIED,		/* the treadmill refused control */
	EVENT_CUE,		/* a sentence for the person */
	EVENT_SESSION_START,	/* a session was accepted */
	EVENT_SESSION_END,	/* a session is over and torn down */
	EVENT_ERROR,		/* a session could not go on */
	EVENT_LOG,		/* the session log failed or recovered */
	EVENT_EXPORT,		/* a finished session's file was written */
};

struct event_cue {
	const char *kind;	/* cue_kind_name(): "countdown", "change", ... */
	const char *text;	/* the sentence */
	uint16_t speed;		/* 0.01 km/h named, 0 none */
	uint16_t reported;	/* advisory alarms: the speed seen */
	int32_t in_s;		/* countdowns: seconds to the change; -1 */
	bool follows;		/* completes the cue before it, same instant:
				 * a speaker says it next, not instead */
	uint32_t profile_ms;	/* plan time it was said at */
};

struct event {
	enum event_kind kind;
	uint64_t real_us;		/* when it happened (loop clock) */
	union {
		struct session_event session;		/* EVENT_SESSION */
		struct {
			bool up;
			int err;			/* down: why */
		} link;					/* EVENT_LINK */
		struct treadmill_counters counters;	/* DROPPED, DENIED */
		struct event_cue cue;			/* EVENT_CUE */
		struct {
			const char *detail;	/* profile, outcome, reason */
			const char *log;	/* the session log, or NULL */
		} service;		/* SESSION_START, SESSION_END, ERROR, LOG */
		struct {
			const char *format;	/* "fit", "tcx", "csv" */
			const char *path;	/* the file written; NULL failed */
			const char *log;	/* the session log it is from */
			const char *error;	/* why it failed, else NULL */
		} export;				/* EVENT_EXPORT */
	};
};

/* "state", "link-up", "cue", "session-start" ... */
const char *event_name(const struct event *ev);
/*
 * The event as pacectl watch prints it: {"event":NAME,...}, one line.
 * Writes a whole object into j (a fresh buffer writer).
 */
void event_json(struct json *j, const struct event *ev);
/* The session event's own keys, inside an open object: shared by the
 * watch line and the session log line, so the two cannot drift apart. */
void event_session_fields(struct json *j, const struct session_event *ev);
/* A cue's keys (session_s, kind, text, speed_kmh, in_s, follows), the
 * same way. */
void event_cue_fields(struct json *j, const struct event_cue *cue);
