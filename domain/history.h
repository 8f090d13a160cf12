/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session history: one summary line per session, read back for progression. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "programme.h"

/*
 * STATE_DIR/history.jsonl holds one JSON object per line, appended and
 * synced when a session ends (or when an interrupted one is found):
 *   {"when_s":..,"type":"run","programme":"..","stage":"P2",
 *    "profile":"..","presses":1,"completed":false,"outcome":"finished",
 *    "log":".."}
 * "type" is "run", "precheck" (symptoms reported before a session) or
 * "cleared" (a clinician cleared running again).
 */
#define HISTORY_TEXT_MAX 256

struct history_entry {
	enum session_entry type;
	int64_t when_s;			/* wall clock */
	char programme[HISTORY_TEXT_MAX];	/* programme path, "" if none */
	char stage[PROGRAMME_STAGE_ID_MAX];	/* "P2", "" if none */
	char profile[HISTORY_TEXT_MAX];	/* profile name */
	unsigned presses;
	bool completed;			/* ran to its planned end */
	char outcome[16];		/* finished, aborted, interrupted */
	char log[HISTORY_TEXT_MAX];	/* the session log's path */
};

/* The state directory paced uses when none is given: STATEDIR when we may
 * write there, else $XDG_STATE_HOME/paced or ~/.local/state/paced. */
const char *history_default_state_dir(char *buf, size_t len);

/* Append and sync one entry. Returns 0 or a negative errno. */
int history_append(const char *state_dir, const struct history_entry *e);

/*
 * Read every entry, oldest first, into a new array (free() it). Lines
 * that do not parse are skipped and counted in *ret_bad (NULL ok). A
 * missing file is an empty history. Returns the count or a negative errno.
 */
long history_load(const char *state_dir, struct history_entry **ret_entries,
		  unsigned *ret_bad);

/*
 * The entries of one programme as the progression rule wants them:
 * stage IDs mapped to indices, other programmes' and unknown stages'
 * entries left out. Returns the count written to ret (at most max).
 */
size_t history_summaries(const struct history_entry *e, size_t n,
			 const struct programme *prog,
			 struct session_summary *ret, size_t max);

/*
 * A session log without an "end" line belongs to a session cut short by
 * a crash, a power cut or SIGKILL: close it ("outcome":"interrupted"),
 * and record it in the history. Returns the number of logs closed or a
 * negative errno. Nothing here ever touches a treadmill.
 */
int history_recover(const char *state_dir);

/*
 * Minimal reader for paced's own JSON lines (not general JSON): the value
 * of a top-level key. Strings are unescaped for \" and \\ only.
 */
bool json_line_string(const char *line, const char *key, char *buf,
		      size_t len);
bool json_line_int(const char *line, const char *key, int64_t *ret);
bool json_line_bool(const char *line, const char *key, bool *ret);
