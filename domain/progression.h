/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The programme decision from a state directory: history in, today's stage out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkin.h"
#include "history.h"
#include "programme.h"

/*
 * The one place that turns a state directory's history into the next
 * session: paced run, the service (its session controller) and pacectl
 * next all call progression_decide(), so they cannot disagree. It reads
 * STATE/history.jsonl (streamed, memory in proportion to the entries of
 * this programme only) and calls the pure programme_decide(). It never
 * prints, logs or exits: errors are returned, and unreadable history
 * lines are counted for the caller to report.
 *
 * The programme must be loaded with the limits the caller runs sessions
 * with (paced.conf's paces and cap): those decide whether each stage
 * profile is valid at all.
 */

/*
 * The history of one programme as the rules want it (appended to by
 * progression_summaries_add(), oldest first): runs of this programme
 * with their stage index, next-day answers carried on the run they are
 * about, and the check-ins, one-button checks and clearances.
 */
struct progression_history {
	struct session_summary *v;
	size_t n, alloc;
	unsigned bad;		/* history lines that did not type */
	unsigned other;		/* runs of other programmes or stages, skipped */
	char *seen;		/* the last programme path compared (owned) */
	bool seen_is_ours;	/* and whether it names prog's file */
};

/*
 * Whether a run's "programme" names prog's file: the same string, or the
 * same file by another path (paced run given "../profiles/x", pacectl
 * the absolute path). Reads the file system; remembers the last answer.
 */
bool progression_same_programme(struct progression_history *h,
				const struct programme *prog, const char *path);

void progression_history_add(struct progression_history *h,
			     const struct programme *prog,
			     const struct history_entry *e);
void progression_history_clear(struct progression_history *h);
/* Read STATE/history.jsonl into h. Returns 0 or a negative errno. */
int progression_history_read(struct progression_history *h,
			     const char *state_dir,
			     const struct programme *prog);

/*
 * Decide the next session for prog from state_dir's history at in->now_s
 * (see programme_decide()). *ret_bad (NULL ok) gets the number of history
 * lines that could not be read. Returns 0, or a negative errno (the
 * history cannot be read, or -EINVAL); ret untouched then.
 */
int progression_decide(const char *state_dir, const struct programme *prog,
		       const struct programme_input *in,
		       struct programme_decision *ret, unsigned *ret_bad);

/*
 * The local time's offset from UTC at t (seconds east), for
 * programme_input.utc_offset_s; reads the time zone, not the clock.
 */
int32_t progression_utc_offset(int64_t t);

/*
 * t as local time for the person reading (pacectl, the report); the
 * epoch when the time zone cannot place it. PROGRESSION_TIME() formats it
 * into an array with a literal format the compiler checks.
 */
struct tm;
const struct tm *progression_local_tm(int64_t t, struct tm *ret);
#define PROGRESSION_TIME(t, fmt, buf) do {				\
	struct tm tm_;							\
									\
	if (!strftime((buf), sizeof(buf), (fmt),			\
		      progression_local_tm((t), &tm_)))			\
		(buf)[0] = '\0';					\
} while (0)

/*
 * The last run in state_dir's history (any programme) that has no
 * next-day answer yet: 0 and its when_s, -ENOENT when there is none (or
 * it is answered), or another negative errno.
 */
int progression_pending_next_day(const char *state_dir, int64_t *ret_about_s);

/*
 * Record a check-in made at now_s: one "checkin" line with its answers,
 * and when c->next_day is answered, a "next-day" line about the last run
 * that has none (-ENOENT, and nothing written, when no run is waiting for
 * one). A check-in with nothing answered is refused (-EINVAL). Both lines
 * are synced before it returns. Returns 0 or a negative errno.
 */
int progression_record_checkin(const char *state_dir, const struct checkin *c,
			       int64_t now_s);

/*
 * The decision's keys, written into the JSON object j is inside: stage,
 * name, profile, belt, reason, progress, programme_stage, alternative
 * (an object or null), walk_only, locked, refer, clean, running_due
 * ("YYYY-MM-DD" local, or null), running_due_s, checked_in,
 * next_day_pending, next_day_about_s (the run it asks about, or 0),
 * message, programme, programme_name, and ladder (every stage in
 * order, as alternative is: stage, name, profile, belt). pacectl next
 * --json, the service's next and checkin replies and every front end
 * built on them read the same keys.
 */
struct json;
void progression_decision_json(struct json *j, const struct programme *prog,
			       const struct programme_decision *d);
