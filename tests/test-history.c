/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session history: append and read back, recovery of interrupted logs. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "history.h"
#include "util.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/paced-test-history.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

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

static char *read_file(const char *name)
{
	static char buf[8192];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(append_then_load_round_trip)
{
	struct history_entry a = { .type = SESSION_RUN, .when_s = 1000,
				   .presses = 2, .completed = false };
	struct history_entry b = { .type = SESSION_PRECHECK, .when_s = 2000 };
	struct history_entry *e;
	unsigned bad = 9;
	long n;

	snprintf(a.programme, sizeof(a.programme), "/p/rtr.programme");
	snprintf(a.stage, sizeof(a.stage), "P2");
	/* Quotes and backslashes survive the trip. */
	snprintf(a.profile, sizeof(a.profile), "P2 \"8 x\" \\ jog");
	snprintf(a.outcome, sizeof(a.outcome), "aborted");
	ck_assert_int_eq(history_append(dir, &a), 0);
	ck_assert_int_eq(history_append(dir, &b), 0);
	n = history_load(dir, &e, &bad);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(e[0].type, SESSION_RUN);
	ck_assert_int_eq(e[0].when_s, 1000);
	ck_assert_str_eq(e[0].stage, "P2");
	ck_assert_str_eq(e[0].profile, "P2 \"8 x\" \\ jog");
	ck_assert_uint_eq(e[0].presses, 2);
	ck_assert(!e[0].completed);
	ck_assert_int_eq(e[1].type, SESSION_PRECHECK);
	free(e);
}
END_TEST

START_TEST(missing_history_is_empty_and_bad_lines_are_counted)
{
	struct history_entry *e = NULL;
	unsigned bad = 0;

	ck_assert_int_eq(history_load(dir, &e, &bad), 0);
	free(e);
	write_file("history.jsonl",
		   "{\"when_s\":5,\"type\":\"run\",\"stage\":\"P1\"}\n"
		   "not json at all\n"
		   "{\"when_s\":6,\"type\":\"bogus\"}\n"
		   "{\"type\":\"run\"}\n"
		   "{\"when_s\":7,\"type\":\"cleared\"}\n");
	ck_assert_int_eq(history_load(dir, &e, &bad), 2);
	ck_assert_uint_eq(bad, 3);
	ck_assert_int_eq(e[1].type, SESSION_CLEARED);
	free(e);
}
END_TEST

START_TEST(key_inside_a_string_is_not_a_key)
{
	char buf[32];
	int64_t v;

	ck_assert(json_line_string("{\"a\":\"x\\\"presses\\\":9\",\"presses\":3}",
				   "a", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "x\"presses\":9");
	ck_assert(json_line_int("{\"a\":\"x\\\"presses\\\":9\",\"presses\":3}",
				"presses", &v));
	ck_assert_int_eq(v, 3);
	ck_assert(!json_line_int("{\"a\":1}", "presses", &v));
}
END_TEST

static const char interrupted[] =
	"{\"t\":\"x\",\"mono_us\":1,\"event\":\"open\",\"profile\":\"P3\","
	"\"programme\":\"/p/rtr.programme\",\"stage\":\"P3\"}\n"
	"{\"t\":\"x\",\"mono_us\":2,\"event\":\"symptom\",\"kind\":\"leak\",\"press\":1}\n"
	"{\"t\":\"x\",\"mono_us\":3,\"event\":\"symptom\",\"kind\":\"any\",\"press\":2}\n"
	"{\"t\":\"x\",\"mono_us\":4,\"event\":\"sam";	/* cut by the kill */

START_TEST(recover_closes_interrupted_log_once)
{
	struct history_entry *e;
	const char *text;
	char path[256];

	snprintf(path, sizeof(path), "%s/sessions", dir);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	write_file("sessions/a.jsonl", interrupted);
	write_file("sessions/b.jsonl",
		   "{\"event\":\"open\"}\n{\"event\":\"end\",\"outcome\":\"finished\"}\n"
		   "{\"event\":\"command\",\"command\":\"stop\"}\n");
	ck_assert_int_eq(history_recover(dir), 1);
	text = read_file("sessions/a.jsonl");
	/* The torn line stays torn, and the end line starts on its own. */
	ck_assert_ptr_nonnull(strstr(text, "\"sam\n{"));
	ck_assert_ptr_nonnull(strstr(text, "\"event\":\"end\",\"outcome\":\"interrupted\",\"presses\":2}\n"));
	ck_assert_int_eq(history_load(dir, &e, NULL), 1);
	ck_assert_str_eq(e[0].stage, "P3");
	ck_assert_uint_eq(e[0].presses, 2);
	ck_assert_str_eq(e[0].outcome, "interrupted");
	free(e);
	/* Idempotent. */
	ck_assert_int_eq(history_recover(dir), 0);
}
END_TEST

START_TEST(recover_leaves_a_running_sessions_log_alone)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/sessions", dir);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	write_file("sessions/live.jsonl", interrupted);
	snprintf(path, sizeof(path), "%s/sessions/live.jsonl", dir);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	/* What session-log.c holds for a live session. */
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(history_recover(dir), 0);
	close(fd);
	ck_assert_int_eq(history_recover(dir), 1);
}
END_TEST

START_TEST(summaries_keep_only_this_programme)
{
	struct history_entry e[3] = {
		{ .type = SESSION_RUN, .when_s = 1, .presses = 1 },
		{ .type = SESSION_RUN, .when_s = 2 },
		{ .type = SESSION_PRECHECK, .when_s = 3 },
	};
	struct programme_stage stages[2] = { { .id = "P0" }, { .id = "P1" } };
	struct programme prog = { .path = (char *) "/p/a.programme",
				  .stages = stages, .n_stages = 2 };
	struct session_summary s[3];

	snprintf(e[0].programme, sizeof(e[0].programme), "/p/a.programme");
	snprintf(e[0].stage, sizeof(e[0].stage), "P1");
	snprintf(e[1].programme, sizeof(e[1].programme), "/p/other.programme");
	snprintf(e[1].stage, sizeof(e[1].stage), "P0");
	ck_assert_uint_eq(history_summaries(e, 3, &prog, s, 3), 2);
	ck_assert_uint_eq(s[0].stage, 1);
	ck_assert_uint_eq(s[0].presses, 1);
	ck_assert_int_eq(s[1].type, SESSION_PRECHECK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, append_then_load_round_trip);
	tcase_add_test(tc, missing_history_is_empty_and_bad_lines_are_counted);
	tcase_add_test(tc, key_inside_a_string_is_not_a_key);
	tcase_add_test(tc, recover_closes_interrupted_log_once);
	tcase_add_test(tc, recover_leaves_a_running_sessions_log_alone);
	tcase_add_test(tc, summaries_keep_only_this_programme);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
