/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session history: one summary line per session, read back for progression. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkin.h"
#include "programme.h"

/*
 * STATE_DIR/history.jsonl holds one JSON object per line, appended and
 * synced as things happen, oldest first. Every line has "when_s" (wall
 * clock, seconds since the epoch) and "type":
 *   "run"       a session ended (or an interrupted one was found):
 *               {"when_s":..,"type":"run","programme":"..","stage":"P2",
 *                "profile":"..","presses":1,"completed":false,
 *                "outcome":"finished","log":".."}
 *   "checkin"   the pre-session check-in's answers (domain/checkin.h),
 *               each key only when answered: {"when_s":..,"type":"checkin",
 *                "leak":"no","heaviness":"no","pain":0,"bleeding":"no",
 *                "sleep":"short","breastfeeding":"yes","energy":"low"}
 *   "next-day"  symptoms in the 24 hours after a session, about the run
 *               whose "when_s" is "about_s":
 *               {"when_s":..,"type":"next-day","about_s":..,"symptoms":true}
 *   "precheck"  the one-button check: symptoms since the last session
 *               (no kind), as paced run --precheck writes it
 *   "cleared"   a clinician cleared running again
 * A reader skips (and counts) lines it cannot type; unknown keys are
 * ignored, so a newer paced's lines still read.
 */
#define HISTORY_TEXT_MAX 256

struct history_entry {
	enum session_entry type;
	int64_t when_s;			/* wall clock */
	/* SESSION_RUN */
	char programme[HISTORY_TEXT_MAX];	/* programme path, "" if none */
	char stage[PROGRAMME_STAGE_ID_MAX];	/* "P2", "" if none */
	char profile[HISTORY_TEXT_MAX];	/* profile name */
	unsigned presses;
	bool completed;			/* ran to its planned end */
	char outcome[16];		/* finished, aborted, interrupted */
	char log[HISTORY_TEXT_MAX];	/* the session log's path */
	/* SESSION_CHECKIN: next_day is never set (it is its own entry) */
	struct checkin checkin;
	/* SESSION_NEXT_DAY */
	int64_t about_s;		/* when_s of the run it is about */
	bool symptoms;
};

/* A fresh entry of that type at when_s: strings empty, check-in
 * unanswered. */
void history_entry_init(struct history_entry *ret, enum session_entry type,
			int64_t when_s);
/* "run", "checkin", "next-day", "precheck", "cleared". */
const char *history_type_name(enum session_entry type);

/* The entry as its history line's object (the keys its type has, above),
 * into j: for the file, and for replies that list the history. */
struct json;
void history_format(struct json *j, const struct history_entry *e);

/* The state directory paced uses when none is given: STATEDIR when we may
 * write there, else $XDG_STATE_HOME/paced or ~/.local/state/paced. */
const char *history_default_state_dir(char *buf, size_t len);

/* Append and sync one entry. Returns 0 or a negative errno. */
int history_append(const char *state_dir, const struct history_entry *e);

/*
 * Type one line (len bytes, no newline needed) with lib/json-read.h.
 * Returns false, *ret untouched, for a line that is not a history entry:
 * not one JSON object, no "when_s" or "type", an unknown type, a value of
 * the wrong type or out of range.
 */
bool history_parse_line(const char *line, size_t len,
			struct history_entry *ret);

/*
 * Stream the history, oldest first: func gets each entry that types (a
 * borrowed pointer, valid during the call) and may stop the walk by
 * returning a negative errno, which history_read() then returns. Lines
 * that do not type (and lines longer than 4 KiB) are skipped and counted
 * in *ret_bad (NULL ok). A missing file is an empty history. Returns the
 * number of entries passed, or a negative errno. Memory does not grow
 * with the file.
 */
typedef int (*history_func_t)(const struct history_entry *e, void *user_data);
long history_read(const char *state_dir, history_func_t func, void *user_data,
		  unsigned *ret_bad);

/*
 * Read every entry, oldest first, into a new array (free() it): for
 * tools that list the history. Returns the count or a negative errno.
 */
long history_load(const char *state_dir, struct history_entry **ret_entries,
		  unsigned *ret_bad);

/*
 * A session log without an "end" line belongs to a session cut short by
 * a crash, a power cut or SIGKILL: close it ("outcome":"interrupted"),
 * and record it in the history. Returns the number of logs closed or a
 * negative errno. Nothing here ever touches a treadmill.
 */
int history_recover(const char *state_dir);
/*
 * The same, and the path of the newest log it closed (names sort by
 * their start time) in newest, "" if none: the session a restart takes
 * over (docs/design.md "Safety rules", crash recovery).
 */
int history_recover_newest(const char *state_dir, char *newest, size_t len);

/*
 * The old scanner for paced's own JSON lines (not general JSON): the value
 * of a top-level key; strings unescaped for \" and \\ only. Superseded
 * by lib/json-read.h; only history_recover() still uses it (and
 * tests/test-history.c tests it). To be removed with that last use.
 */
bool json_line_string(const char *line, const char *key, char *buf,
		      size_t len);
bool json_line_int(const char *line, const char *key, int64_t *ret);
bool json_line_bool(const char *line, const char *key, bool *ret);
