/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The report for the physiotherapist: what it reads from a history and its logs, in each format. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "json-read.h"
#include "programme.h"
#include "report.h"
#include "util.h"

#define DAY0 1740988800		/* Mon 3 Mar 2025 08:00 UTC */

static char dir[64];
static char prog_path[1024];
static struct programme *prog;

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/*
 * A P1 session with two presses: a leak 10 s into the first jog, with a
 * sample 5 s before it (the belt as measured), and a heaviness press in
 * the second jog with no recent sample (the speed last set); then the
 * session stopped early. A debounced press and a torn last line are in
 * it too. Then symptoms the next day, a red flag at the next check-in,
 * and a walk whose log is gone.
 */
static void setup(void)
{
	const char *src = getenv("top_srcdir");
	struct profile_error err;
	char text[8192], path[128];

	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(dir, sizeof(dir), "/tmp/paced-test-report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sessions", dir);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	snprintf(prog_path, sizeof(prog_path),
		 "%.900s/profiles/return-to-running.programme",
		 src && *src ? src : ".");
	prog = programme_load(prog_path, NULL, &err);
	ck_assert_msg(prog != NULL, "%s", err.text);
	write_file("sessions/a.jsonl",
		"{\"t\":\"2025-03-03T08:00:00.000Z\",\"mono_us\":1,\"event\":\"open\",\"profile\":\"P1\",\"planned_s\":1500,\"planned_jog_s\":180}\n"
		"{\"t\":\"x\",\"mono_us\":2,\"event\":\"segment\",\"state\":\"running\",\"session_s\":0.0,\"index\":0,\"phase\":\"warmup\",\"pace\":\"walk\",\"speed_kmh\":5.00,\"jog\":false}\n"
		"{\"t\":\"x\",\"mono_us\":3,\"event\":\"segment\",\"state\":\"running\",\"session_s\":300.0,\"index\":1,\"phase\":\"main\",\"pace\":\"jog\",\"speed_kmh\":7.50,\"jog\":true}\n"
		"{\"t\":\"x\",\"mono_us\":4,\"event\":\"result\",\"session_s\":300.0,\"command\":\"set-speed\",\"value\":7.50,\"ok\":true}\n"
		"{\"t\":\"x\",\"mono_us\":5,\"event\":\"sample\",\"session_s\":305.0,\"speed_kmh\":7.40}\n"
		"{\"t\":\"x\",\"mono_us\":6,\"event\":\"symptom\",\"state\":\"running\",\"session_s\":310.0,\"kind\":\"leak\",\"press\":1,\"debounced\":false}\n"
		"{\"t\":\"x\",\"mono_us\":7,\"event\":\"symptom\",\"state\":\"recovery\",\"session_s\":311.0,\"kind\":\"leak\",\"press\":0,\"debounced\":true}\n"
		"{\"t\":\"x\",\"mono_us\":8,\"event\":\"segment\",\"state\":\"recovery\",\"session_s\":310.0,\"index\":0,\"phase\":\"recovery\",\"pace\":\"walk\",\"speed_kmh\":5.00,\"jog\":false}\n"
		"{\"t\":\"x\",\"mono_us\":9,\"event\":\"result\",\"session_s\":310.0,\"command\":\"set-speed\",\"value\":5.00,\"ok\":true}\n"
		"{\"t\":\"x\",\"mono_us\":10,\"event\":\"segment\",\"state\":\"running\",\"session_s\":500.0,\"index\":3,\"phase\":\"main\",\"pace\":\"jog\",\"speed_kmh\":7.50,\"jog\":true}\n"
		"{\"t\":\"x\",\"mono_us\":11,\"event\":\"result\",\"session_s\":500.0,\"command\":\"set-speed\",\"value\":7.50,\"ok\":true}\n"
		"{\"t\":\"x\",\"mono_us\":12,\"event\":\"symptom\",\"state\":\"running\",\"session_s\":600.0,\"kind\":\"pressure\",\"press\":2,\"debounced\":false}\n"
		"{\"t\":\"x\",\"mono_us\":13,\"event\":\"segment\",\"state\":\"recovery\",\"session_s\":600.0,\"index\":0,\"phase\":\"recovery\",\"pace\":\"walk\",\"speed_kmh\":5.00,\"jog\":false}\n"
		"{\"t\":\"x\",\"mono_us\":14,\"event\":\"end\",\"state\":\"aborted\",\"session_s\":900.0,\"outcome\":\"aborted\"}\n"
		"{\"t\":\"x\",\"mono_us\":15,\"event\":\"sam");
	snprintf(text, sizeof(text),
		"{\"when_s\":%d,\"type\":\"checkin\",\"leak\":\"no\",\"heaviness\":\"no\",\"pain\":0,\"bleeding\":\"no\",\"sleep\":\"short\"}\n"
		"{\"when_s\":%d,\"type\":\"run\",\"programme\":\"%s\",\"stage\":\"P1\",\"profile\":\"P1 <b>&amp;\",\"presses\":2,\"completed\":false,\"outcome\":\"aborted\",\"log\":\"%s/sessions/a.jsonl\"}\n"
		"not a line\n"
		"{\"when_s\":%d,\"type\":\"next-day\",\"about_s\":%d,\"symptoms\":true}\n"
		"{\"when_s\":%d,\"type\":\"checkin\",\"leak\":\"no\",\"heaviness\":\"no\",\"pain\":0,\"bleeding\":\"yes\"}\n"
		"{\"when_s\":%d,\"type\":\"run\",\"programme\":\"%s\",\"stage\":\"P0\",\"profile\":\"P0 - 30 min brisk walk\",\"presses\":0,\"completed\":true,\"outcome\":\"finished\",\"log\":\"%s/sessions/gone.jsonl\"}\n",
		DAY0 - 600, DAY0 + 900, prog_path, dir, DAY0 + 86400, DAY0 + 900,
		DAY0 + 2 * 86400 - 600, DAY0 + 2 * 86400 + 2400, prog_path, dir);
	write_file("history.jsonl", text);
}

static void teardown(void)
{
	char cmd[128];

	programme_free(prog);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The report in one format, as text (free() it). */
static char *render(int64_t since, enum report_format format)
{
	struct report_options opt = { .now_s = DAY0 + 3 * 86400,
				      .since_s = since };
	struct report *rep;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(report_build(dir, prog, &opt, &rep), 0);
	ck_assert_uint_eq(report_bad_lines(rep), 1);
	ck_assert_int_eq(report_write(rep, format, f), 0);
	fclose(f);
	report_free(rep);
	return text;
}

static const struct json_value *at(const struct json_value *v,
				   const char *key, size_t i)
{
	return json_at(json_get(v, key), i);
}

static double num(const struct json_value *v, const char *key)
{
	double d = -1;

	ck_assert_msg(json_get_number(v, key, &d), "no %s", key);
	return d;
}

START_TEST(sessions_presses_and_when_they_came)
{
	char *text = render(0, REPORT_JSON);
	struct json_value *root = json_parse(text, strlen(text), NULL);
	const struct json_value *s, *p;

	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_len(json_get(root, "sessions")), 2);
	s = at(root, "sessions", 0);
	ck_assert_str_eq(json_get_string(s, "stage"), "P1");
	ck_assert_str_eq(json_get_string(s, "start"), "2025-03-03T08:00:00+0000");
	/* 10 s of the first jog and 100 s of the second */
	ck_assert(num(s, "jog_s") == 110.0);
	ck_assert(num(s, "planned_jog_s") == 180);
	ck_assert(num(s, "session_s") == 900.0);
	ck_assert(num(s, "presses") == 2);
	ck_assert(num(json_get(s, "by_kind"), "leak") == 1);
	ck_assert(num(json_get(s, "by_kind"), "pressure") == 1);
	ck_assert_str_eq(json_get_string(s, "next_day"), "yes");
	ck_assert_uint_eq(json_len(json_get(s, "press_list")), 2);
	p = at(s, "press_list", 0);
	ck_assert_str_eq(json_get_string(p, "kind"), "leak");
	ck_assert(num(p, "session_s") == 310.0);
	ck_assert(num(p, "minute") == 5.1);
	ck_assert_str_eq(json_get_string(p, "phase"), "main");
	ck_assert(num(p, "segment") == 2);
	ck_assert_str_eq(json_get_string(p, "pace"), "jog");
	ck_assert(num(p, "belt_kmh") == 7.4);
	ck_assert_str_eq(json_get_string(p, "belt_source"), "measured");
	p = at(s, "press_list", 1);
	ck_assert_str_eq(json_get_string(p, "kind"), "pressure");
	ck_assert(num(p, "segment") == 4);
	ck_assert(num(p, "belt_kmh") == 7.5);
	ck_assert_str_eq(json_get_string(p, "belt_source"), "set");
	/* the walk whose log is gone is there, from its history line */
	s = at(root, "sessions", 1);
	ck_assert_str_eq(json_get_string(s, "stage"), "P0");
	ck_assert(json_value_type(json_get(s, "log")) == JSON_FALSE);
	json_value_free(root);
	free(text);
}
END_TEST

START_TEST(checkins_and_the_rules_that_held_her_back)
{
	char *text = render(0, REPORT_JSON);
	struct json_value *root = json_parse(text, strlen(text), NULL);
	const struct json_value *rules;
	bool red = false, back = false;

	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_len(json_get(root, "checkins")), 2);
	ck_assert_str_eq(json_get_string(at(root, "checkins", 0), "sleep"),
			 "short");
	ck_assert_str_eq(json_get_string(at(root, "checkins", 1), "bleeding"),
			 "yes");
	rules = json_get(root, "rules");
	for (size_t i = 0; i < json_len(rules); i++) {
		const char *r = json_get_string(json_at(rules, i), "rule");

		red = red || !strcmp(r, "walk-red-flag");
		/* two presses, and symptoms the next day: a third */
		back = back || !strcmp(r, "step-back-presses");
	}
	ck_assert(red && back);
	ck_assert_str_eq(json_get_string(json_get(root, "programme"), "name"),
			 "Return to running after childbirth");
	ck_assert_uint_ge(json_len(json_get(root, "weeks")), 1);
	ck_assert(num(at(root, "weeks", 0), "sessions") == 2);
	json_value_free(root);
	free(text);
}
END_TEST

START_TEST(period_leaves_out_what_came_before)
{
	char *text = render(DAY0 + 86400, REPORT_JSON);
	struct json_value *root = json_parse(text, strlen(text), NULL);

	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_len(json_get(root, "sessions")), 1);
	ck_assert_uint_eq(json_len(json_get(root, "checkins")), 1);
	ck_assert_str_eq(json_get_string(at(root, "sessions", 0), "stage"), "P0");
	json_value_free(root);
	free(text);
}
END_TEST

/* Fields of one CSV record (RFC 4180 quoting). */
static unsigned csv_fields(const char *line, const char *end)
{
	unsigned n = 1;
	bool quoted = false;

	for (const char *p = line; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			n++;
	}
	ck_assert(!quoted);
	return n;
}

START_TEST(csv_rows_all_have_every_column)
{
	char *text = render(0, REPORT_CSV);
	const char *p = text;
	unsigned rows = 0, header = 0;

	while (*p) {
		const char *end = strstr(p, "\r\n");
		unsigned n;

		ck_assert_ptr_nonnull(end);
		n = csv_fields(p, end);
		if (!rows)
			header = n;
		ck_assert_msg(n == header, "row %u: %u fields, not %u: %.*s",
			      rows, n, header, (int) (end - p), p);
		rows++;
		p = end + 2;
	}
	ck_assert_uint_eq(header, 29);
	/* programme, 2 sessions, 2 presses, 2 check-ins, rules, weeks */
	ck_assert_uint_ge(rows, 9);
	ck_assert_ptr_nonnull(strstr(text, "\r\npress,2025-03-03,08:00,\"P1\","));
	ck_assert_ptr_nonnull(strstr(text, "5.1,main,2,jog,7.40,measured,leak"));
	free(text);
}
END_TEST

START_TEST(html_is_self_contained_and_escaped)
{
	char *text = render(0, REPORT_HTML);

	ck_assert_ptr_nonnull(strstr(text, "<!DOCTYPE html>"));
	ck_assert_ptr_null(strstr(text, "<script"));
	ck_assert_ptr_null(strstr(text, "src="));
	ck_assert_ptr_null(strstr(text, "href="));
	ck_assert_ptr_nonnull(strstr(text, "@page"));
	ck_assert_ptr_nonnull(strstr(text, "<svg"));
	/* the profile name from the history, escaped */
	ck_assert_ptr_nonnull(strstr(text, "P1 &lt;b&gt;&amp;amp;"));
	ck_assert_ptr_null(strstr(text, "P1 <b>"));
	ck_assert_ptr_nonnull(strstr(text, "walk only: red flag at check-in"));
	free(text);
}
END_TEST

/* A FIFO where a log should be is skipped, never waited on. */
START_TEST(a_fifo_for_a_log_never_hangs_the_report)
{
	struct report_options opt = { .now_s = DAY0 + 3 * 86400 };
	struct report *rep;
	char path[128];

	snprintf(path, sizeof(path), "%s/sessions/a.jsonl", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(report_build(dir, prog, &opt, &rep), 0);
	ck_assert_uint_eq(report_sessions(rep), 2);
	report_free(rep);
}
END_TEST

START_TEST(missing_history_is_an_empty_report)
{
	struct report_options opt = { .now_s = DAY0 };
	struct report *rep;
	FILE *f = fopen("/dev/null", "w");
	char path[128];

	snprintf(path, sizeof(path), "%s/history.jsonl", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(report_build(dir, prog, &opt, &rep), 0);
	ck_assert_uint_eq(report_sessions(rep), 0);
	for (int fmt = REPORT_HTML; fmt <= REPORT_JSON; fmt++)
		ck_assert_int_eq(report_write(rep, (enum report_format) fmt, f), 0);
	report_free(rep);
	fclose(f);
	ck_assert_int_eq(report_build("/nonexistent\x01", prog, &opt, &rep), 0);
	report_free(rep);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sessions_presses_and_when_they_came);
	tcase_add_test(tc, checkins_and_the_rules_that_held_her_back);
	tcase_add_test(tc, period_leaves_out_what_came_before);
	tcase_add_test(tc, csv_rows_all_have_every_column);
	tcase_add_test(tc, html_is_self_contained_and_escaped);
	tcase_add_test(tc, a_fifo_for_a_log_never_hangs_the_report);
	tcase_add_test(tc, missing_history_is_an_empty_report);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
