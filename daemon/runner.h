/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runner: binds a session to the loop, a treadmill and the log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "advisory.h"
#include "cue.h"
#include "event.h"
#include "json.h"
#include "mainloop.h"
#include "session.h"
#include "session-log.h"
#include "treadmill.h"

struct runner;

struct programme;

/* Called after every batch of session events, and when the session is
 * done; the shell updates its progress line, watchers, and exits. */
typedef void (*runner_update_func_t)(struct runner *r, void *user_data);
/* Each event, typed (daemon/event.h), after its log line is queued. */
typedef void (*runner_event_func_t)(struct runner *r, const struct event *ev,
				    void *user_data);

struct runner_info {
	const char *profile_name;	/* logged in "start" */
	const char *profile_path;
	const char *programme;		/* programme path, or NULL */
	const char *stage;		/* stage ID in it, or NULL */
	const char *treadmill;		/* address as given */
	uint32_t speedup;
	uint32_t sample_ms;		/* real time between log samples; 0: 5000 */
	const struct cue_config *cues;	/* cue words; NULL: the built-in */
	enum units units;		/* for what a person reads or hears */
};

/*
 * Borrows loop, tm and log (which must outlive the runner); takes
 * ownership of session. Registers for the treadmill's events.
 */
struct runner *runner_new(struct loop *loop, struct treadmill *tm,
			  struct session *session, struct session_log *log,
			  const struct runner_info *info);
/*
 * Switch to another treadmill handle (a new link after a drop), or to
 * none (NULL): a command in flight on the old one fails with -ENOTCONN,
 * and the session sees the link go down and, if tm is up, come back.
 */
void runner_set_treadmill(struct runner *r, struct treadmill *tm);
/*
 * Let go of the treadmill before it is freed (its pending commands then
 * complete into a runner that ignores them); runner_free() afterwards.
 * runner_free() alone is fine while the treadmill still lives.
 */
void runner_detach(struct runner *r);
void runner_free(struct runner *r);
void runner_set_callbacks(struct runner *r, runner_update_func_t update,
			  runner_event_func_t event, void *user_data);
/*
 * The session runs stage `stage` (an index) of prog, whose history is in
 * state_dir: the finish cue then names the stage advised next and the
 * clean sessions in a row (cue_finish_context(), the history read when
 * it is said). Borrows prog and state_dir, which must outlive the runner.
 * Without it the finish cue names no stage.
 */
void runner_set_programme(struct runner *r, const struct programme *prog,
			  size_t stage, const char *state_dir);

/* Inputs from the person (keys, control socket, buttons). Each returns
 * 0 or the session's negative errno. Symptom returns the press number. */
int runner_start(struct runner *r);
int runner_symptom(struct runner *r, enum symptom_kind kind);
int runner_pause(struct runner *r);
int runner_resume(struct runner *r);
int runner_stop(struct runner *r);

/* Session over and nothing left to send: safe to exit. */
bool runner_done(const struct runner *r);
const struct session *runner_session(const struct runner *r);
/* The last treadmill data, or NULL before the first record. */
const struct treadmill_data *runner_last_data(const struct runner *r);
bool runner_link_up(const struct runner *r);
/* Adds status keys (state, segment, speeds, presses...) to an open
 * object. */
void runner_status_json(struct runner *r, struct json *j);
/* Real time of the last symptom press and of its walk command leaving
 * (for the latency benchmark and tests); 0 before any. */
void runner_last_press_latency(const struct runner *r, uint64_t *ret_press_us,
			       uint64_t *ret_sent_us);
