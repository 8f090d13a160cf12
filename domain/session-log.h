/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One JSON Lines file per session, each line written and synced at once. */
#pragma once

#include <stddef.h>
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

/*
 * Before a session starts, its log is opened and SESSION_LOG_RESERVE
 * bytes are reserved for it on disk (fallocate(2), the file's size left
 * alone; given back at close). 1 MiB holds about six hours of samples at
 * the runner's 5 s interval plus every event of a session, far more than
 * any profile runs, so a disk that fills up during a session does not
 * reach the log, and a disk without that room refuses the session.
 */
#define SESSION_LOG_RESERVE (1024 * 1024)
/*
 * Lines a commit could not write are kept for the next one, at most this
 * many bytes (about two hours of samples); past it samples are given up
 * first, oldest first, then the oldest lines, and counted as lost.
 */
#define SESSION_LOG_PENDING_MAX (256 * 1024)

/*
 * Creates STATE_DIR/sessions/ if needed and a new file named after the
 * start time in it; or, when path is non-NULL, exactly path (appended to
 * if it exists). sessions/ must be a real directory and the file a
 * regular one: symbolic links, FIFOs and devices are refused (-ENOTDIR,
 * -ELOOP, -EBADFD; lib/file.h says them in words). Returns NULL with
 * *ret_err = -ENOSPC (no room for the reservation) or another negative
 * errno on failure, and leaves no file behind it created.
 */
/*
 * The state directory belongs to one paced at a time: two on one
 * directory would each take the other's live session log for one a
 * crash left open, close it as interrupted and drive the treadmill to
 * walking pace under the other's session (docs/design.md "Crash
 * recovery"). Creates STATE_DIR if needed and takes an exclusive
 * flock(2) on STATE_DIR/lock (O_CLOEXEC: no plugin's child inherits
 * it), then writes "PID WHAT\n" into it, what being "paced run" or "the
 * service". Returns the fd, to keep open for the process's life (the
 * kernel lets go at exit, a SIGKILL included), or -EWOULDBLOCK with the
 * holder's "PID WHAT" in holder (may be "" if it has not written it yet),
 * or another negative errno.
 */
int session_log_lock_state(const char *state_dir, const char *what,
			   char *holder, size_t holder_len);

struct session_log *session_log_open(const char *state_dir, const char *path,
				     int *ret_err);
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
/*
 * Write and sync the queued lines. Returns 0, or a negative errno: the
 * lines that did not reach the file are kept (within
 * SESSION_LOG_PENDING_MAX) and written, each exactly once, by a later
 * commit; session_log_get_state() tells how things stand. Nothing here
 * logs or rate-limits: that is the caller's.
 */
int session_log_commit(struct session_log *log);

struct session_log_state {
	int error;			/* 0 ok, else the latest -errno */
	uint64_t failing_since_us;	/* CLOCK_MONOTONIC of the first failure
					 * of this run of them; 0 when ok */
	size_t lines_pending;		/* kept for the next commit */
	size_t bytes_pending;
	uint64_t lines_lost;		/* given up past the bound, ever */
	uint64_t bytes_lost;
};

/* How writing the log stands (for status, watch and press replies). */
void session_log_get_state(const struct session_log *log,
			   struct session_log_state *ret_state);
/* Commits what it can, gives back the reservation, closes. NULL ok. */
void session_log_close(struct session_log *log);
