/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One JSON Lines file per session, each line written and synced at once. */
#pragma once

#include <stdint.h>

#include "json.h"

/*
 * Lines are built one at a time (session_log_begin(), keys, then
 * session_log_write()) and go to the file together at session_log_commit():
 * one write(2) of whole lines and one fdatasync(2). The runner commits
 * after each input it handles, before it answers anyone, so a SIGKILL or a
 * power cut at any moment leaves a file that parses line by line and holds
 * every acknowledged event (the whole point: an acknowledged symptom press
 * is never lost). One sync per input, not per line, because each sync
 * blocks the loop for milliseconds on an SD card. Lines start with "t"
 * (UTC, ms), "mono_us" (CLOCK_MONOTONIC) and "event".
 */
struct session_log;

/* Creates DIR/sessions/ if needed and a new file named after the start
 * time; or exactly path when path is non-NULL. Returns NULL with
 * *ret_err = -errno on failure. */
struct session_log *session_log_open(const char *state_dir, const char *path,
				     int *ret_err);
/* The file's path (owned by the log). */
const char *session_log_path(const struct session_log *log);

/*
 * Start a line: returns a writer positioned inside the line's object, after
 * "t", "mono_us" and "event". mono_us is when the event happened
 * (CLOCK_MONOTONIC µs, so a press and the command it caused can be timed
 * from the log), not when the line was written. Add keys, then
 * session_log_write(). Not re-entrant: one line at a time.
 */
struct json *session_log_begin(struct session_log *log, const char *event,
			       uint64_t mono_us);
/* Finish the line and queue it for the next commit. Returns 0 or a
 * negative errno for a line the writer could not build (it is dropped). */
int session_log_write(struct session_log *log);
/* Write and sync the queued lines. Returns 0 or a negative errno (the
 * lines are dropped, the log stays usable). */
int session_log_commit(struct session_log *log);
void session_log_close(struct session_log *log);
