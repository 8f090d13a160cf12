/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exercise runner: binds an exercise session (belt = false) to the loop and the log. */
#pragma once

#include <stdbool.h>

#include "event.h"
#include "exercise-session.h"
#include "json.h"
#include "mainloop.h"
#include "runner.h"
#include "session-log.h"

/*
 * What runner.c is to a belt session, for a session with no treadmill:
 * one timer on the loop for exercise_session_next_deadline(), a session
 * log line for each of its events (open, state, segment, cue, symptom,
 * end, in the belt session's format where the two share a line), and
 * each event out, typed, to the controller: cues as EVENT_CUE (kinds
 * "instruction", "count", "symptom", "finish"), the rest as EVENT_SESSION
 * with the belt session's state names (the inserted rest is
 * "recovery"). There is no treadmill here to command: nothing in this
 * file can reach one.
 */
struct exercise_runner;

typedef void (*exercise_runner_update_func_t)(struct exercise_runner *r,
					      void *user_data);
typedef void (*exercise_runner_event_func_t)(struct exercise_runner *r,
					     const struct event *ev,
					     void *user_data);

/* Takes session; borrows loop and log (which must outlive it) and the
 * strings of info for the "open" line only. */
struct exercise_runner *exercise_runner_new(struct loop *loop,
					    struct exercise_session *session,
					    struct session_log *log,
					    const struct runner_info *info);
void exercise_runner_free(struct exercise_runner *r);
void exercise_runner_set_callbacks(struct exercise_runner *r,
				   exercise_runner_update_func_t update,
				   exercise_runner_event_func_t event,
				   void *user_data);

/* The session's own errnos (exercise-session.h). */
int exercise_runner_start(struct exercise_runner *r);
int exercise_runner_symptom(struct exercise_runner *r, enum symptom_kind kind);
int exercise_runner_pause(struct exercise_runner *r);
int exercise_runner_resume(struct exercise_runner *r);
int exercise_runner_stop(struct exercise_runner *r);

bool exercise_runner_done(const struct exercise_runner *r);
const struct exercise_session *exercise_runner_session(const struct exercise_runner *r);
/* The belt session's state name for it: "running", "recovery" ... */
const char *exercise_runner_state_name(const struct exercise_runner *r);
/* Status keys (state, step, what to do, time left, presses, log) into an
 * open object. */
void exercise_runner_status_json(struct exercise_runner *r, struct json *j);
