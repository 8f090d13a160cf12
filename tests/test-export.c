/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session exports: the log reader, the plan-clock timeline, the three writers. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "export.h"
#include "fit.h"
#include "session-read.h"
#include "util.h"

/* ---- building logs ---- */

/* 2026-03-01T07:00:00Z: t of a line is this plus its mono_us. */
#define T0_S	1772348400LL

struct logb {
	char *buf;
	size_t len;
};

static void raw(struct logb *lb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void raw(struct logb *lb, const char *fmt, ...)
{
	va_list ap;
	char line[1024];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck_assert_int_lt(n, (int) sizeof(line));
	lb->buf = paced_realloc(lb->buf, lb->len + (size_t) n + 1);
	memcpy(lb->buf + lb->len, line, (size_t) n + 1);
	lb->len += (size_t) n;
}

/* One log line: t and mono_us from mono (µs), the event, then the rest. */
static void line(struct logb *lb, uint64_t mono, const char *event,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void line(struct logb *lb, uint64_t mono, const char *event,
		 const char *fmt, ...)
{
	char rest[768], t[32];
	time_t s = (time_t) (T0_S + (int64_t) (mono / 1000000));
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	raw(lb, "{\"t\":\"%s.%03uZ\",\"mono_us\":%llu,\"event\":\"%s\"%s%s}\n", t,
	    (unsigned) (mono / 1000 % 1000), (unsigned long long) mono, event,
	    rest[0] ? "," : "", rest);
}

#define SEC(s)	((uint64_t) ((s) * 1000000.0))

static void open_line(struct logb *lb, unsigned speedup, unsigned planned)
{
	line(lb, 0, "open", "\"profile\":\"Test, \\\"quoted\\\" & <odd>\","
	     "\"profile_path\":\"t.cfg\",\"treadmill\":\"sim\",\"speedup\":%u,"
	     "\"planned_s\":%u,\"planned_jog_s\":60", speedup, planned);
}

static void state(struct logb *lb, uint64_t mono, double s, const char *st,
		  const char *reason)
{
	line(lb, mono, "state", "\"state\":\"%s\",\"session_s\":%.1f,"
	     "\"reason\":\"%s\"", st, s, reason);
}

static void segment(struct logb *lb, uint64_t mono, double s, unsigned index,
		    const char *phase, const char *pace, double kmh,
		    double dur, bool jog)
{
	line(lb, mono, "segment", "\"state\":\"running\",\"session_s\":%.1f,"
	     "\"index\":%u,\"phase\":\"%s\",\"pace\":\"%s\",\"speed_kmh\":%.2f,"
	     "\"incline_pct\":1.5,\"duration_s\":%.1f,\"jog\":%s", s, index,
	     phase, pace, kmh, dur, jog ? "true" : "false");
}

static void speed(struct logb *lb, uint64_t mono, double s, double kmh)
{
	line(lb, mono, "command", "\"state\":\"running\",\"session_s\":%.1f,"
	     "\"command\":\"set-speed\",\"value\":%.2f", s, kmh);
	line(lb, mono + 500, "result", "\"state\":\"running\",\"session_s\":%.1f,"
	     "\"command\":\"set-speed\",\"value\":%.2f,\"ok\":true,\"result\":1",
	     s, kmh);
}

static void sample(struct logb *lb, uint64_t mono, double s, double kmh,
		   unsigned dist, int hr)
{
	char h[32] = "";

	if (hr > 0)
		snprintf(h, sizeof(h), ",\"heart_rate_bpm\":%d", hr);
	line(lb, mono, "sample", "\"session_s\":%.1f,\"speed_kmh\":%.2f,"
	     "\"incline_pct\":1.5,\"distance_m\":%u%s", s, kmh, dist, h);
}

static void press(struct logb *lb, uint64_t mono, double s, unsigned n,
		  const char *kind)
{
	line(lb, mono, "symptom", "\"state\":\"running\",\"session_s\":%.1f,"
	     "\"kind\":\"%s\",\"press\":%u,\"debounced\":%s", s, kind, n,
	     n ? "false" : "true");
	if (n)
		line(lb, mono, "scaleback", "\"state\":\"running\","
		     "\"session_s\":%.1f,\"kind\":\"%s\",\"press\":%u,"
		     "\"jog_speed\":1.000,\"jog_time\":0.500,\"no_jog\":false,"
		     "\"end\":false", s, kind, n);
}

static void end_line(struct logb *lb, uint64_t mono, double s, unsigned presses)
{
	state(lb, mono, s, "finished", "none");
	line(lb, mono, "end", "\"state\":\"finished\",\"session_s\":%.1f,"
	     "\"outcome\":\"finished\",\"presses\":%u,\"completed\":true,"
	     "\"profile\":\"t\"", s, presses);
	line(lb, mono + 10, "command", "\"state\":\"finished\",\"session_s\":%.1f,"
	     "\"command\":\"stop\"", s);
}

static struct session_read *read_ok(const struct logb *lb)
{
	struct session_read_error err = { 0 };
	struct session_read *r = NULL;
	int ret = session_read_text("t.jsonl", lb->buf, lb->len, &r, &err);

	ck_assert_msg(ret == 0, "read failed: %s", err.text);
	return r;
}

static struct export_timeline *layout(const struct session_read *r)
{
	struct session_read_error err = { 0 };
	struct export_timeline *tl = NULL;
	int ret = export_timeline_build(r, &tl, &err);

	ck_assert_msg(ret == 0, "timeline failed: %s", err.text);
	return tl;
}

/*
 * The session every writer test uses, at speed-up 10: warm-up walk
 * 0-60 s, jog 60-120 (a leak press at 90 starts a recovery walk to 150),
 * main walk 150-170 with a pause at 160 (3 s real = 30 s), cool-down
 * 170-200. The treadmill reports distance and, from 100 s, heart rate.
 */
static void demo_session(struct logb *lb)
{
	open_line(lb, 10, 200);
	line(lb, SEC(0.01), "caps", "\"control\":true");
	line(lb, SEC(0.01), "link", "\"up\":true");
	state(lb, SEC(0.1), 0, "countdown", "none");
	state(lb, SEC(1), 0, "running", "none");
	segment(lb, SEC(1), 0, 0, "warmup", "walk", 5.0, 60, false);
	line(lb, SEC(1), "command", "\"state\":\"running\",\"session_s\":0.0,"
	     "\"command\":\"start\"");
	line(lb, SEC(1), "result", "\"state\":\"running\",\"session_s\":0.0,"
	     "\"command\":\"start\",\"ok\":true,\"result\":1");
	speed(lb, SEC(1), 0, 5.0);
	sample(lb, SEC(4), 30, 5.0, 41, 0);
	segment(lb, SEC(7), 60, 1, "main", "jog", 7.5, 60, true);
	speed(lb, SEC(7), 60, 7.5);
	sample(lb, SEC(9), 80, 7.5, 123, 0);
	press(lb, SEC(10), 90, 1, "leak");
	state(lb, SEC(10), 90, "recovery", "none");
	segment(lb, SEC(10), 90, 0, "recovery", "walk", 5.0, 60, false);
	speed(lb, SEC(10), 90, 5.0);
	sample(lb, SEC(11), 100, 5.0, 161, 120);
	line(lb, SEC(12), "weather", "\"sky\":\"grey\"");	/* a newer paced */
	sample(lb, SEC(14), 130, 5.0, 203, 124);
	state(lb, SEC(16), 150, "running", "none");
	segment(lb, SEC(16), 150, 1, "main", "walk", 5.0, 20, false);
	state(lb, SEC(17), 160, "paused", "user");
	line(lb, SEC(17), "result", "\"state\":\"paused\",\"session_s\":160.0,"
	     "\"command\":\"pause\",\"ok\":true,\"result\":1");
	sample(lb, SEC(18), 160, 0.0, 235, 118);
	state(lb, SEC(20), 160, "running", "none");
	segment(lb, SEC(20), 160, 1, "main", "walk", 5.0, 20, false);
	speed(lb, SEC(20), 160, 5.0);
	segment(lb, SEC(21), 170, 2, "cooldown", "walk", 5.0, 30, false);
	sample(lb, SEC(22), 180, 5.0, 262, 110);
	end_line(lb, SEC(24), 200, 1);
}

/* ---- the reader ---- */

START_TEST(reader_every_kind)
{
	struct logb lb = { 0 };
	struct session_read *r;
	const struct session_line *l;
	unsigned kinds[SESSION_LINE_END + 1] = { 0 };

	demo_session(&lb);
	line(&lb, SEC(24), "alarm", "\"state\":\"finished\",\"session_s\":200.0,"
	     "\"alarm\":\"stale-data\",\"active\":true,\"stale_ms\":5000");
	line(&lb, SEC(24), "advice", "\"session_s\":200.0,"
	     "\"command\":\"set-speed\",\"value\":4.00");
	line(&lb, SEC(24), "cue", "\"kind\":\"walk\",\"text\":\"walk now\","
	     "\"speed_kmh\":4.00");
	line(&lb, SEC(24), "treadmill-status", "\"status\":\"reset\",\"op\":1");
	r = read_ok(&lb);
	for (size_t i = 0; i < r->n; i++)
		kinds[r->lines[i].kind]++;
	for (int k = 0; k <= SESSION_LINE_END; k++)
		ck_assert_msg(kinds[k] > 0, "no %s line",
			      session_line_kind_name(k));
	/* caps, weather, treadmill-status: known to paced, not needed here,
	 * or from a newer paced: skipped, not refused. */
	ck_assert_uint_eq(r->skipped, 3);
	ck_assert_uint_eq(r->n + r->skipped, r->line_count);
	ck_assert_uint_eq(r->torn_line, 0);

	ck_assert_str_eq(r->open.profile, "Test, \"quoted\" & <odd>");
	ck_assert_uint_eq(r->open.speedup, 10);
	ck_assert_uint_eq(r->open.planned_s, 200);
	l = &r->lines[0];
	ck_assert_int_eq(l->kind, SESSION_LINE_OPEN);
	ck_assert_int_eq(l->t_ms, T0_S * 1000);
	for (size_t i = 0; i < r->n; i++) {
		l = &r->lines[i];
		switch (l->kind) {
		case SESSION_LINE_SEGMENT:
			if (l->u.segment.jog) {
				ck_assert_str_eq(l->u.segment.pace, "jog");
				ck_assert_uint_eq(l->u.segment.speed, 750);
				ck_assert_int_eq(l->u.segment.incline, 15);
				ck_assert_uint_eq(l->u.segment.duration_ms, 60000);
				ck_assert_uint_eq(l->session_ms, 60000);
			}
			break;
		case SESSION_LINE_SCALEBACK:
			ck_assert_uint_eq(l->u.press.jog_time, 500);
			ck_assert_uint_eq(l->u.press.jog_speed, 1000);
			ck_assert_str_eq(l->u.press.kind, "leak");
			break;
		case SESSION_LINE_SAMPLE:
			ck_assert(l->u.sample.has_distance);
			if (l->session_ms == 100000) {
				ck_assert(l->u.sample.has_hr);
				ck_assert_uint_eq(l->u.sample.heart_rate, 120);
				ck_assert_uint_eq(l->u.sample.distance_m, 161);
			}
			break;
		case SESSION_LINE_ADVICE:
			ck_assert(l->u.command.has_value);
			ck_assert_int_eq(l->u.command.value, 400);
			break;
		case SESSION_LINE_ALARM:
			ck_assert_str_eq(l->u.alarm.alarm, "stale-data");
			ck_assert(l->u.alarm.active);
			break;
		case SESSION_LINE_CUE:
			ck_assert_str_eq(l->u.cue.text, "walk now");
			break;
		case SESSION_LINE_END:
			ck_assert_str_eq(l->u.end.outcome, "finished");
			ck_assert_uint_eq(l->u.end.presses, 1);
			ck_assert(l->u.end.completed);
			break;
		case SESSION_LINE_LINK:
			ck_assert(l->u.link_up);
			break;
		case SESSION_LINE_OPEN:
		case SESSION_LINE_STATE:
		case SESSION_LINE_COMMAND:
		case SESSION_LINE_RESULT:
		case SESSION_LINE_SYMPTOM:
			break;
		}
	}
	session_read_free(r);
	free(lb.buf);
}
END_TEST

/* A bad line is refused as FILE:LINE: what is wrong, whatever it is. */
static const struct {
	const char *line;		/* the log's second line */
	const char *want;		/* in the error */
} bad_lines[] = {
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"state\"",
	  "t.jsonl:2: not JSON" },
	{ "[1,2]", "t.jsonl:2: not a JSON object" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1}",
	  "t.jsonl:2: no \"event\" name" },
	{ "{\"mono_us\":1,\"event\":\"state\",\"state\":\"running\"}",
	  "t.jsonl:2: state: \"t\" must be a UTC time" },
	{ "{\"t\":\"2026-13-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"state\","
	  "\"state\":\"running\"}", "t.jsonl:2: state: \"t\" must be" },
	{ "{\"t\":\"2026-03-01 07:00:00\",\"mono_us\":1,\"event\":\"state\","
	  "\"state\":\"running\"}", "t.jsonl:2: state: \"t\" must be" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"event\":\"state\","
	  "\"state\":\"running\"}", "t.jsonl:2: state: missing \"mono_us\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":-1,\"event\":\"state\","
	  "\"state\":\"running\"}", "t.jsonl:2: state: \"mono_us\" must be a whole number" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"state\"}",
	  "t.jsonl:2: state: missing \"state\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"segment\","
	  "\"phase\":\"main\",\"duration_s\":60}",
	  "t.jsonl:2: segment: missing \"speed_kmh\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"segment\","
	  "\"phase\":\"main\",\"speed_kmh\":700,\"duration_s\":60}",
	  "t.jsonl:2: segment: \"speed_kmh\" must be a number from 0 to 100" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"segment\","
	  "\"phase\":\"main\",\"speed_kmh\":\"fast\",\"duration_s\":60}",
	  "t.jsonl:2: segment: \"speed_kmh\" must be a number" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"result\","
	  "\"command\":\"set-speed\",\"value\":5.0}",
	  "t.jsonl:2: result: missing \"ok\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"command\","
	  "\"command\":\"set-speed\"}", "t.jsonl:2: command: missing \"value\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"symptom\","
	  "\"kind\":\"leak\",\"press\":1.5}",
	  "t.jsonl:2: symptom: \"press\" must be a whole number" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"sample\","
	  "\"heart_rate_bpm\":300}", "t.jsonl:2: sample: \"heart_rate_bpm\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"sample\","
	  "\"session_s\":100000}", "t.jsonl:2: sample: \"session_s\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"alarm\","
	  "\"alarm\":\"stale-data\",\"active\":1}",
	  "t.jsonl:2: alarm: \"active\" must be true or false" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"open\","
	  "\"profile\":\"again\"}", "t.jsonl:2: a second \"open\" line" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"end\"}",
	  "t.jsonl:2: end: missing \"outcome\"" },
	{ "{\"t\":\"2026-03-01T07:00:00.000Z\",\"mono_us\":1,\"event\":\"state\","
	  "\"state\":\"running\",\"state\":\"paused\"}", "t.jsonl:2: not JSON" },
	{ "", "t.jsonl:2: empty line" },
};

START_TEST(reader_bad_line)
{
	struct logb lb = { 0 };
	struct session_read_error err = { 0 };
	struct session_read *r = NULL;
	int ret;

	open_line(&lb, 1, 60);
	raw(&lb, "%s\n", bad_lines[_i].line);
	/* A good line after it: the bad one is not a torn tail. */
	state(&lb, SEC(1), 0, "running", "none");
	ret = session_read_text("t.jsonl", lb.buf, lb.len, &r, &err);
	ck_assert_int_eq(ret, -EBADMSG);
	ck_assert_ptr_null(r);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_msg(strstr(err.text, bad_lines[_i].want),
		      "got \"%s\", want \"%s\"", err.text, bad_lines[_i].want);
	free(lb.buf);
}
END_TEST

START_TEST(reader_bad_file)
{
	struct logb lb = { 0 };
	struct session_read_error err = { 0 };
	struct session_read *r = NULL;
	char *long_line;

	/* Not starting with "open". */
	state(&lb, SEC(1), 0, "running", "none");
	ck_assert_int_eq(session_read_text("t.jsonl", lb.buf, lb.len, &r, &err),
			 -EBADMSG);
	ck_assert_str_eq(err.text, "t.jsonl:1: state: the first line must be "
			 "the session's \"open\" line");
	ck_assert_int_eq(session_read_text("t.jsonl", "", 0, &r, &err), -EBADMSG);
	ck_assert_str_eq(err.text, "t.jsonl: empty: not a session log");
	ck_assert_uint_eq(err.line, 0);
	/* An over-long line in the middle. */
	free(lb.buf);
	lb = (struct logb) { 0 };
	open_line(&lb, 1, 60);
	long_line = paced_malloc(SESSION_READ_MAX_LINE + 2);
	memset(long_line, ' ', SESSION_READ_MAX_LINE + 1);
	long_line[SESSION_READ_MAX_LINE + 1] = '\0';
	lb.buf = paced_realloc(lb.buf, lb.len + SESSION_READ_MAX_LINE + 3);
	memcpy(lb.buf + lb.len, long_line, SESSION_READ_MAX_LINE + 1);
	lb.len += SESSION_READ_MAX_LINE + 1;
	lb.buf[lb.len++] = '\n';
	lb.buf[lb.len] = '\0';
	free(long_line);
	state(&lb, SEC(1), 0, "running", "none");
	ck_assert_int_eq(session_read_text("t.jsonl", lb.buf, lb.len, &r, &err),
			 -EBADMSG);
	ck_assert_str_eq(err.text, "t.jsonl:2: longer than 65536 bytes");
	/* Files: a missing one, a directory. */
	ck_assert_int_eq(session_read_file("/nonexistent/x.jsonl", &r, &err),
			 -ENOENT);
	ck_assert_str_eq(err.text, "/nonexistent/x.jsonl: No such file or directory");
	ck_assert_int_eq(session_read_file("/", &r, &err), -EISDIR);
	free(lb.buf);
}
END_TEST

/* A crash can cut the last line; paced then appends an "end" line
 * without mono_us. Both logs still read, the torn line skipped. */
START_TEST(reader_torn_tail)
{
	struct logb lb = { 0 };
	struct session_read_error err = { 0 };
	struct session_read *r = NULL;
	size_t keep;

	open_line(&lb, 1, 60);
	state(&lb, SEC(1), 0, "running", "none");
	sample(&lb, SEC(3), 2, 5.0, 2, 0);
	keep = lb.len;
	raw(&lb, "{\"t\":\"2026-03-01T07:00:04.000Z\",\"mono_us\":4000000,\"ev");
	r = read_ok(&lb);
	ck_assert_uint_eq(r->torn_line, 4);
	ck_assert_uint_eq(r->n, 3);
	session_read_free(r);

	raw(&lb, "\n{\"t\":\"2026-03-01T08:00:00.000Z\",\"event\":\"end\","
	    "\"outcome\":\"interrupted\",\"presses\":0}\n");
	r = read_ok(&lb);
	ck_assert_uint_eq(r->torn_line, 4);
	ck_assert_int_eq(r->lines[r->n - 1].kind, SESSION_LINE_END);
	ck_assert(!r->lines[r->n - 1].has_mono);
	ck_assert_str_eq(r->lines[r->n - 1].u.end.outcome, "interrupted");
	session_read_free(r);

	/* Anything else after a bad line: the log is bad, not torn. */
	lb.len = keep;
	raw(&lb, "{\"t\":\"2026-03-01T07:00:04.000Z\",\"mono_us\":4000000,\"ev\n");
	sample(&lb, SEC(5), 4, 5.0, 5, 0);
	ck_assert_int_eq(session_read_text("t.jsonl", lb.buf, lb.len, &r, &err),
			 -EBADMSG);
	ck_assert_uint_eq(err.line, 4);
	free(lb.buf);
}
END_TEST

/* Samples written before they carried session_s: their plan time runs
 * from the last line that had one, at the speed-up, frozen while paused. */
START_TEST(reader_derived_plan_time)
{
	struct logb lb = { 0 };
	struct session_read *r;

	open_line(&lb, 30, 600);
	state(&lb, SEC(1), 0, "running", "none");
	line(&lb, SEC(3), "sample", "\"speed_kmh\":5.00");		/* 60 s */
	state(&lb, SEC(4), 90, "paused", "user");
	line(&lb, SEC(6), "sample", "\"speed_kmh\":0.00");		/* 90 s */
	state(&lb, SEC(7), 90, "running", "none");
	line(&lb, SEC(7.5), "sample", "\"speed_kmh\":5.00");	/* 105 s */
	r = read_ok(&lb);
	ck_assert(!r->lines[2].session_from_log);
	ck_assert_uint_eq(r->lines[2].session_ms, 60000);
	ck_assert_uint_eq(r->lines[4].session_ms, 90000);
	ck_assert_uint_eq(r->lines[6].session_ms, 105000);
	ck_assert(r->lines[3].session_from_log);
	session_read_free(r);
	free(lb.buf);
}
END_TEST

/* ---- the timeline ---- */

/* A 30-minute plan run at speed-up 30 (a minute of real time) is laid
 * out as 30 minutes: one record a second, on the plan clock. */
START_TEST(timeline_plan_clock)
{
	struct logb lb = { 0 };
	struct session_read *r;
	struct export_timeline *tl;

	open_line(&lb, 30, 1800);
	state(&lb, SEC(2), 0, "running", "none");
	segment(&lb, SEC(2), 0, 0, "main", "walk", 6.0, 1800, false);
	speed(&lb, SEC(2), 0, 6.0);
	for (unsigned s = 5; s < 60; s += 5)
		sample(&lb, SEC(2 + s), s * 30, 6.0, s * 30 * 6 / 3.6, 0);
	end_line(&lb, SEC(62), 1800, 0);
	r = read_ok(&lb);
	tl = layout(r);
	ck_assert_uint_eq(tl->plan_ms, 1800000);
	ck_assert_uint_eq(tl->elapsed_ms, 1800000);
	ck_assert_uint_eq(tl->n_sec, 1801);
	for (size_t i = 0; i < tl->n_sec; i++) {
		ck_assert_uint_eq(tl->sec[i].plan_s, i);
		ck_assert_uint_eq(tl->sec[i].elapsed_s, i);
	}
	/* Plan time 0 is the start's wall-clock time. */
	ck_assert_int_eq(tl->start_unix_ms, (T0_S + 2) * 1000);
	ck_assert_uint_eq(tl->n_laps, 1);
	ck_assert_str_eq(tl->outcome, "finished");
	/* 30 minutes at 6 km/h. */
	ck_assert_uint_eq(tl->integral_cm, 300000);
	ck_assert_uint_eq(tl->sec[900].integral_cm, 150000);
	ck_assert(tl->treadmill_distance);
	ck_assert(tl->distance_agree);
	export_timeline_free(tl);
	session_read_free(r);
	free(lb.buf);
}
END_TEST

START_TEST(timeline_pause)
{
	struct logb lb = { 0 };
	struct session_read *r;
	struct export_timeline *tl;
	const struct export_lap *walk;
	const struct export_second *before = NULL, *after = NULL;

	demo_session(&lb);
	r = read_ok(&lb);
	tl = layout(r);
	/* 200 s of plan, 0-200 inclusive; the pause (3 s real x 10) adds
	 * 30 s to the activity clock and no records. */
	ck_assert_uint_eq(tl->plan_ms, 200000);
	ck_assert_uint_eq(tl->elapsed_ms, 230000);
	ck_assert_uint_eq(tl->n_sec, 201);
	for (size_t i = 0; i < tl->n_sec; i++) {
		const struct export_second *s = &tl->sec[i];

		ck_assert_uint_eq(s->plan_s, i);
		ck_assert_uint_eq(s->elapsed_s, i <= 160 ? i : i + 30);
		if (s->plan_s == 160)
			before = s;
		if (s->plan_s == 161)
			after = s;
	}
	ck_assert_ptr_nonnull(before);
	ck_assert_ptr_nonnull(after);
	ck_assert_uint_eq(after->elapsed_s - before->elapsed_s, 31);
	/* Marks: the press, then the timer stopping and starting again. */
	ck_assert_uint_eq(tl->n_marks, 3);
	ck_assert_int_eq(tl->marks[0].kind, EXPORT_MARK_PRESS);
	ck_assert_uint_eq(tl->marks[0].plan_ms, 90000);
	ck_assert_uint_eq(tl->marks[0].press, 1);
	ck_assert_str_eq(tl->marks[0].what, "leak");
	ck_assert_str_eq(tl->marks[0].effect,
			 "jogs 50 % as long (the cut time walked)");
	ck_assert_int_eq(tl->marks[1].kind, EXPORT_MARK_PAUSE);
	ck_assert_uint_eq(tl->marks[1].elapsed_ms, 160000);
	ck_assert_str_eq(tl->marks[1].what, "user");
	ck_assert_int_eq(tl->marks[2].kind, EXPORT_MARK_RESUME);
	ck_assert_uint_eq(tl->marks[2].elapsed_ms, 190000);
	/* Laps: warm-up, jog, recovery, main walk (the segment announced
	 * again on resuming goes on in the same lap), cool-down. */
	ck_assert_uint_eq(tl->n_laps, 5);
	walk = &tl->laps[3];
	ck_assert_str_eq(walk->phase, "main");
	ck_assert_uint_eq(walk->start_plan_ms, 150000);
	ck_assert_uint_eq(walk->end_plan_ms, 170000);
	ck_assert_uint_eq(walk->end_elapsed_ms - walk->start_elapsed_ms, 50000);
	ck_assert_uint_eq(walk->count, 20);
	ck_assert(tl->laps[2].press);
	ck_assert(!tl->laps[3].press);
	ck_assert_str_eq(tl->laps[2].phase, "recovery");
	/* Heart rate from the samples that had it, never during a pause. */
	ck_assert_uint_eq(tl->sec[99].heart_rate, 0);
	ck_assert_uint_eq(tl->sec[100].heart_rate, 120);
	ck_assert_uint_eq(tl->max_hr, 124);
	ck_assert_uint_eq(tl->sec[161].heart_rate, 0);
	/* Presses so far, per second. */
	ck_assert_uint_eq(tl->sec[89].presses, 0);
	ck_assert_uint_eq(tl->sec[90].presses, 1);
	ck_assert_uint_eq(tl->presses, 1);
	/* Belt speed: commanded, or the sample when that came later. */
	ck_assert_uint_eq(tl->sec[61].belt_speed, 750);
	ck_assert_int_eq(tl->sec[61].speed_source, EXPORT_SPEED_COMMAND);
	ck_assert_uint_eq(tl->sec[81].belt_speed, 750);
	ck_assert_int_eq(tl->sec[81].speed_source, EXPORT_SPEED_SAMPLE);
	ck_assert_int_eq(tl->sec[81].incline, 15);
	export_timeline_free(tl);
	session_read_free(r);
	free(lb.buf);
}
END_TEST

/* A pause is its real length times the speed-up, rounded to a whole
 * second from microseconds: 1.49194 s at 60 is 89.52 s, so 90 s, the
 * same as anyone reading the log's mono_us would make of it. */
START_TEST(timeline_pause_rounds_its_real_length)
{
	struct logb lb = { 0 };
	struct session_read *r;
	struct export_timeline *tl;

	open_line(&lb, 60, 120);
	state(&lb, 1000000, 0, "running", "none");
	segment(&lb, 1000000, 0, 0, "main", "walk", 5.0, 120, false);
	state(&lb, 1500000, 30, "paused", "user");
	state(&lb, 1500000 + 1491940, 30, "running", "none");
	segment(&lb, 1500000 + 1491940, 30, 0, "main", "walk", 5.0, 120, false);
	end_line(&lb, 1500000 + 1491940 + 1500000, 120, 0);
	r = read_ok(&lb);
	tl = layout(r);
	ck_assert_uint_eq(tl->plan_ms, 120000);
	ck_assert_uint_eq(tl->elapsed_ms, 120000 + 90000);
	export_timeline_free(tl);
	session_read_free(r);
	free(lb.buf);
}
END_TEST

/* The treadmill's distance is followed, monotonic, and agrees with the
 * integral of the belt speed within the documented tolerance. */
START_TEST(timeline_distance)
{
	struct logb lb = { 0 };
	struct session_read *r;
	struct export_timeline *tl;

	demo_session(&lb);
	r = read_ok(&lb);
	tl = layout(r);
	ck_assert(tl->treadmill_distance);
	ck_assert(tl->distance_agree);
	/* Integral: 60 s at 5, 30 s at 7.5, 70 s at 5 (the pause adds
	 * nothing), 40 s at 5 km/h. */
	ck_assert_uint_eq(tl->integral_cm,
			  (500 * 60000 + 750 * 30000 + 500 * 70000 +
			   500 * 40000) / 3600);
	/* At a sample the distance is the treadmill's, exactly. */
	ck_assert_uint_eq(tl->sec[80].distance_cm, 12300);
	ck_assert_uint_eq(tl->sec[130].distance_cm, 20300);
	for (size_t i = 1; i < tl->n_sec; i++)
		ck_assert_uint_ge(tl->sec[i].distance_cm,
				  tl->sec[i - 1].distance_cm);
	/* The laps add up to the whole. */
	{
		uint32_t sum = 0;

		for (size_t i = 0; i < tl->n_laps; i++)
			sum += tl->laps[i].distance_cm;
		ck_assert_uint_eq(sum, tl->distance_cm);
	}
	ck_assert(export_distance_agree(tl->distance_cm, tl->integral_cm));
	export_timeline_free(tl);
	session_read_free(r);
	free(lb.buf);

	/* The tolerance itself: 3 % plus 20 m. */
	ck_assert(export_distance_agree(100000, 105000));
	ck_assert(!export_distance_agree(100000, 106000));
	ck_assert(export_distance_agree(0, 2000));
	ck_assert(!export_distance_agree(0, 2100));
}
END_TEST

/* A counter that did not start at 0, one that restarts, one that
 * disagrees: followed from the session's start, continued, believed. */
START_TEST(timeline_distance_counters)
{
	static const struct {
		unsigned d[3];		/* at 100, 200, 300 s of 6 km/h */
		uint32_t total_cm;	/* at 300 s */
		bool agree;
	} cases[] = {
		{ { 167, 333, 500 }, 50000, true },	/* counts from 0 */
		{ { 1167, 1333, 1500 }, 50000, true },	/* from 1000 m */
		{ { 167, 10, 177 }, 50000, true },	/* restarts at 10 */
		{ { 183, 367, 550 }, 55000, false },	/* counts 10 % over */
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct logb lb = { 0 };
		struct session_read *r;
		struct export_timeline *tl;

		open_line(&lb, 10, 300);
		state(&lb, SEC(1), 0, "running", "none");
		speed(&lb, SEC(1), 0, 6.0);
		for (unsigned k = 0; k < 3; k++)
			sample(&lb, SEC(1 + 10 * (k + 1)), 100.0 * (k + 1), 6.0,
			       cases[c].d[k], 0);
		end_line(&lb, SEC(31), 300, 0);
		r = read_ok(&lb);
		tl = layout(r);
		ck_assert_msg(abs((int) tl->distance_cm - (int) cases[c].total_cm) <= 100,
			      "case %zu: %u cm", c, tl->distance_cm);
		ck_assert_uint_eq(tl->integral_cm, 50000);
		ck_assert_int_eq(tl->distance_agree, cases[c].agree);
		for (size_t i = 1; i < tl->n_sec; i++)
			ck_assert_uint_ge(tl->sec[i].distance_cm,
					  tl->sec[i - 1].distance_cm);
		export_timeline_free(tl);
		session_read_free(r);
		free(lb.buf);
	}
}
END_TEST

START_TEST(timeline_never_started)
{
	struct logb lb = { 0 };
	struct session_read_error err = { 0 };
	struct export_timeline *tl = NULL;
	struct session_read *r;

	open_line(&lb, 1, 60);
	state(&lb, SEC(1), 0, "countdown", "none");
	line(&lb, SEC(6), "end", "\"state\":\"aborted\",\"session_s\":0.0,"
	     "\"outcome\":\"aborted\",\"presses\":0");
	r = read_ok(&lb);
	ck_assert_int_eq(export_timeline_build(r, &tl, &err), -EBADMSG);
	ck_assert_ptr_null(tl);
	ck_assert_str_eq(err.text, "t.jsonl: the belt never started: nothing to export");
	session_read_free(r);
	free(lb.buf);
}
END_TEST

/* ---- the writers ---- */

struct fit_counts {
	unsigned by_global[256];
	unsigned first_global;
	unsigned data;
	uint32_t last_ts;
	bool ts_ascending;
};

/* Walk a FIT file's records as a decoder would: definitions remembered
 * per local type, data records counted per global message. */
static void walk_fit(const uint8_t *b, size_t len, struct fit_counts *c)
{
	struct { bool def; uint16_t global; size_t size; int ts_at; } local[16];
	size_t p = FIT_HEADER_SIZE, end;

	memset(local, 0, sizeof(local));
	memset(c, 0, sizeof(*c));
	c->ts_ascending = true;
	ck_assert_uint_ge(len, FIT_HEADER_SIZE + 2);
	ck_assert_uint_eq(b[0], FIT_HEADER_SIZE);
	ck_assert(!memcmp(b + 8, ".FIT", 4));
	ck_assert_uint_eq(get_le16(b + 12), fit_crc(0, b, 12));
	ck_assert_uint_eq(fit_crc(0, b, len), 0);
	end = FIT_HEADER_SIZE + get_le32(b + 4);
	ck_assert_uint_eq(end + 2, len);
	while (p < end) {
		uint8_t h = b[p++];
		unsigned l = h & 0x0f;

		ck_assert_msg(!(h & 0x80), "compressed header");
		if (h & 0x40) {
			unsigned n = b[p + 4], off = 0;

			local[l].def = true;
			local[l].global = get_le16(b + p + 2);
			local[l].ts_at = -1;
			p += 5;
			for (unsigned i = 0; i < n; i++, p += 3) {
				if (b[p] == 253)
					local[l].ts_at = (int) off;
				off += b[p + 1];
			}
			if (h & 0x20) {
				unsigned nd = b[p++];

				for (unsigned i = 0; i < nd; i++, p += 3)
					off += b[p + 1];
			}
			local[l].size = off;
			continue;
		}
		ck_assert_msg(local[l].def, "data before definition");
		if (!c->data++)
			c->first_global = local[l].global;
		c->by_global[local[l].global & 0xff]++;
		if (local[l].ts_at >= 0) {
			uint32_t ts = get_le32(b + p + local[l].ts_at);

			if (ts < c->last_ts)
				c->ts_ascending = false;
			c->last_ts = ts;
		}
		p += local[l].size;
	}
	ck_assert_uint_eq(p, end);
}

/* The demo session written in one format, and what it was written from. */
struct written {
	struct logb lb;
	struct session_read *r;
	struct export_timeline *tl;
	uint8_t *buf;
	char *text;			/* buf as a C string */
	size_t len;
};

static void write_demo(struct written *w, enum export_format format,
		       void (*more)(struct logb *))
{
	memset(w, 0, sizeof(*w));
	demo_session(&w->lb);
	if (more)
		more(&w->lb);
	w->r = read_ok(&w->lb);
	w->tl = layout(w->r);
	ck_assert_int_eq(export_write(w->tl, format, 3600, &w->buf, &w->len), 0);
	w->text = paced_malloc(w->len + 1);
	memcpy(w->text, w->buf, w->len);
	w->text[w->len] = '\0';
}

static void written_free(struct written *w)
{
	free(w->text);
	free(w->buf);
	export_timeline_free(w->tl);
	session_read_free(w->r);
	free(w->lb.buf);
}

START_TEST(write_fit)
{
	struct written w;
	struct fit_counts c;

	write_demo(&w, EXPORT_FIT, NULL);
	walk_fit(w.buf, w.len, &c);
	ck_assert_uint_eq(c.first_global, 0);		/* file_id first */
	ck_assert_uint_eq(c.by_global[0], 1);
	ck_assert_uint_eq(c.by_global[23], 1);		/* device_info */
	ck_assert_uint_eq(c.by_global[20], w.tl->n_sec);	/* records */
	ck_assert_uint_eq(c.by_global[19], w.tl->n_laps);	/* laps */
	ck_assert_uint_eq(c.by_global[18], 1);		/* session */
	ck_assert_uint_eq(c.by_global[34], 1);		/* activity */
	/* Timer start, the press, stop and start for the pause, stop. */
	ck_assert_uint_eq(c.by_global[21], 5);
	ck_assert_uint_eq(c.by_global[206], 2);		/* field descriptions */
	ck_assert_uint_eq(c.by_global[207], 1);
	ck_assert(c.ts_ascending);
	ck_assert_uint_eq(c.last_ts, fit_time(T0_S + 1) + 230);
	written_free(&w);
}
END_TEST

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(write_tcx)
{
	struct written w;
	const char *x;
	const struct export_timeline *tl;

	write_demo(&w, EXPORT_TCX, NULL);
	x = w.text;
	tl = w.tl;
	ck_assert_uint_eq(count(x, "<Lap StartTime="), tl->n_laps);
	ck_assert_uint_eq(count(x, "<Trackpoint>"), tl->n_sec);
	/* The pause splits the main walk's track: one more Track. */
	ck_assert_uint_eq(count(x, "<Track>"), tl->n_laps + 1);
	ck_assert(strstr(x, "<Activity Sport=\"Running\">"));
	ck_assert(strstr(x, "<Id>2026-03-01T07:00:01Z</Id>"));
	ck_assert(strstr(x, "<Lap StartTime=\"2026-03-01T07:02:31Z\">"));
	ck_assert(strstr(x, "<HeartRateBpm><Value>120</Value></HeartRateBpm>"));
	ck_assert(strstr(x, "<TriggerMethod>Manual</TriggerMethod>"));
	ck_assert(strstr(x, "<Intensity>Resting</Intensity>"));
	ck_assert(strstr(x, "symptom press 1 (leak): jogs 50 % as long"));
	/* The profile's name, escaped. */
	ck_assert(strstr(x, "<Notes>Test, &quot;quoted&quot; &amp; &lt;odd&gt;"));
	ck_assert(!strstr(x, "<odd>"));
	written_free(&w);
}
END_TEST

/* A pace name that needs quoting. */
static void quoted_pace(struct logb *lb)
{
	segment(lb, SEC(0.5), 0, 9, "main", "slow, \\\"easy\\\"", 5.0, 1, false);
}

START_TEST(write_csv)
{
	struct written w;
	const char *x;
	const struct export_timeline *tl;

	write_demo(&w, EXPORT_CSV, quoted_pace);
	x = w.text;
	tl = w.tl;
	ck_assert_uint_eq(count(x, "\r\n"), tl->n_sec + 1);
	ck_assert_uint_eq(count(x, "\n"), tl->n_sec + 1);	/* CRLF only */
	ck_assert(!strncmp(x, "time,session_s,elapsed_s,lap,phase,pace,target_kmh,"
			   "belt_kmh,speed_source,incline_pct,heart_rate_bpm,"
			   "distance_m,presses,events\r\n", 120));
	ck_assert(strstr(x, "\r\n2026-03-01T07:00:01Z,0,0,1,main,\"slow, \"\"easy\"\"\","));
	ck_assert(strstr(x, ",90,90,3,recovery,walk,5.00,5.00,command,1.5,,"));
	ck_assert(strstr(x, ",1,symptom press 1 (leak): jogs 50 % as long (the cut time walked)\r\n"));
	ck_assert(strstr(x, ",161,191,4,main,walk,5.00,5.00,command,1.5,,"));
	ck_assert(strstr(x, ",160,160,4,main,walk,5.00,5.00,sample,1.5,124,"));
	ck_assert(strstr(x, ",1,pause (user)\r\n"));
	ck_assert(strstr(x, ",1,resume\r\n"));
	written_free(&w);
}
END_TEST

/* ---- the file API ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-export-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || strlen(e->d_name) > 2;
	closedir(d);
	return n;
}

static void write_file(const char *path, const struct logb *lb)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(lb->buf, 1, lb->len, f), lb->len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The output is replaced whole or not at all: a bad log, an unwritable
 * place, never leave a file or a temporary behind. */
START_TEST(export_file_atomic)
{
	struct logb lb = { 0 };
	struct export_error err = { 0 };
	struct export_info info = { 0 };
	char log[128], out[128], bad[128];
	struct stat st;

	make_tmpdir();
	demo_session(&lb);
	snprintf(log, sizeof(log), "%s/s.jsonl", tmpdir);
	snprintf(out, sizeof(out), "%s/s.fit", tmpdir);
	write_file(log, &lb);
	ck_assert_int_eq(export_log(log, EXPORT_FIT, out, &info, &err), 0);
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_uint_eq((size_t) st.st_size, info.bytes);
	ck_assert_uint_eq(info.laps, 5);
	ck_assert_uint_eq(info.presses, 1);
	ck_assert_uint_eq(info.plan_s, 200);
	ck_assert_uint_eq(info.elapsed_s, 230);
	ck_assert_uint_eq(entries(tmpdir), 2);

	/* A bad log: an error naming the line, the old file untouched. */
	lb.len = 0;
	open_line(&lb, 1, 60);
	raw(&lb, "{\"t\":1}\n");
	state(&lb, SEC(1), 0, "running", "none");
	snprintf(bad, sizeof(bad), "%s/bad.jsonl", tmpdir);
	write_file(bad, &lb);
	ck_assert_int_eq(export_log(bad, EXPORT_FIT, out, NULL, &err), -EBADMSG);
	ck_assert(strstr(err.text, "bad.jsonl:2: "));
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_uint_eq((size_t) st.st_size, info.bytes);
	ck_assert_uint_eq(entries(tmpdir), 3);

	/* Nowhere to write: an error naming the output, nothing left. */
	snprintf(out, sizeof(out), "%s/no/such/dir/s.csv", tmpdir);
	ck_assert_int_eq(export_log(log, EXPORT_CSV, out, NULL, &err), -ENOENT);
	ck_assert(strstr(err.text, "/no/such/dir/s.csv: No such file"));
	ck_assert_uint_eq(entries(tmpdir), 3);
	remove_tmpdir();
	free(lb.buf);
}
END_TEST

START_TEST(format_names)
{
	enum export_format f;

	ck_assert_int_eq(export_format_from_name("tcx", &f), 0);
	ck_assert_int_eq(f, EXPORT_TCX);
	ck_assert_str_eq(export_format_name(EXPORT_FIT), "fit");
	ck_assert_str_eq(export_format_name(EXPORT_CSV), "csv");
	ck_assert_int_eq(export_format_from_name("gpx", &f), -EINVAL);
	ck_assert_int_eq(export_format_from_name(NULL, &f), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("export");
	TCase *reader = tcase_create("reader");
	TCase *timeline = tcase_create("timeline");
	TCase *writers = tcase_create("writers");
	SRunner *sr;
	int failed;

	setenv("TZ", "UTC", 1);
	tcase_set_timeout(reader, 30);
	tcase_add_test(reader, reader_every_kind);
	tcase_add_loop_test(reader, reader_bad_line, 0, ARRAY_SIZE(bad_lines));
	tcase_add_test(reader, reader_bad_file);
	tcase_add_test(reader, reader_torn_tail);
	tcase_add_test(reader, reader_derived_plan_time);
	suite_add_tcase(s, reader);
	tcase_set_timeout(timeline, 30);
	tcase_add_test(timeline, timeline_plan_clock);
	tcase_add_test(timeline, timeline_pause);
	tcase_add_test(timeline, timeline_pause_rounds_its_real_length);
	tcase_add_test(timeline, timeline_distance);
	tcase_add_test(timeline, timeline_distance_counters);
	tcase_add_test(timeline, timeline_never_started);
	suite_add_tcase(s, timeline);
	tcase_set_timeout(writers, 30);
	tcase_add_test(writers, write_fit);
	tcase_add_test(writers, write_tcx);
	tcase_add_test(writers, write_csv);
	tcase_add_test(writers, export_file_atomic);
	tcase_add_test(writers, format_names);
	suite_add_tcase(s, writers);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
