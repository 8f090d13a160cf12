/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report for the physiotherapist: history and session logs to HTML, CSV or JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "programme.h"

/*
 * One report, three renderings of the same data: a self-contained HTML
 * page (inline SVG charts, no script, print CSS for A4 and Letter), CSV
 * rows (one "record" column says what each row is) and JSON. It holds:
 * the programme and today's decision; every session in the period with
 * its stage, jog time (planned and done, from its log) and its symptom
 * presses with when they came (minutes in, segment, belt speed); the
 * check-in answers; sessions per week; and each rule the programme
 * applied (advances, repeats, step-backs, walk-only days, locks) with
 * the rule's name.
 *
 * report_build() streams STATE/history.jsonl and each session log line
 * by line: memory holds per-session summaries (about 200 bytes a
 * session, plus 40 bytes a press) and one line at a time, never a log.
 * It reads files; it never prints, logs or exits, so the service can
 * serve the same report (report_write() to any FILE, e.g.
 * open_memstream()).
 */
enum report_format {
	REPORT_HTML,
	REPORT_CSV,
	REPORT_JSON,
};

struct report_options {
	int64_t now_s;		/* "today": the decision and the period's end */
	int64_t since_s;	/* sessions and check-ins from then; 0: all */
};

struct report;

/*
 * Build the report for prog (borrowed: it must outlive the report) from
 * state_dir. A session whose log is missing or unreadable is reported
 * from its history line alone, and says so. Returns 0, or a negative
 * errno when the history cannot be read.
 */
int report_build(const char *state_dir, const struct programme *prog,
		 const struct report_options *opt, struct report **ret);
void report_free(struct report *rep);

/* Returns 0, or -EIO when writing to f failed. */
int report_write(const struct report *rep, enum report_format format,
		 FILE *f);

/* "html", "csv", "json": -EINVAL otherwise. */
int report_format_from_name(const char *name, enum report_format *ret);

/* What was read, for a caller's summary line. */
size_t report_sessions(const struct report *rep);
unsigned report_bad_lines(const struct report *rep);
