/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session history: append and read back, recovery of interrupted logs. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "history.h"
#include "progression.h"
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
	struct history_entry e[4];
	struct programme_stage stages[2] = { { .id = "P0" }, { .id = "P1" } };
	struct programme prog = { .path = (char *) "/p/a.programme",
				  .stages = stages, .n_stages = 2 };
	struct progression_history h = { 0 };

	history_entry_init(&e[0], SESSION_RUN, 1);
	e[0].presses = 1;
	history_entry_init(&e[1], SESSION_RUN, 2);
	history_entry_init(&e[2], SESSION_PRECHECK, 3);
	history_entry_init(&e[3], SESSION_NEXT_DAY, 4);
	e[3].about_s = 1;
	e[3].symptoms = true;
	snprintf(e[0].programme, sizeof(e[0].programme), "/p/a.programme");
	snprintf(e[0].stage, sizeof(e[0].stage), "P1");
	snprintf(e[1].programme, sizeof(e[1].programme), "/p/other.programme");
	snprintf(e[1].stage, sizeof(e[1].stage), "P0");
	for (size_t i = 0; i < 4; i++)
		progression_history_add(&h, &prog, &e[i]);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_uint_eq(h.other, 1);
	ck_assert_uint_eq(h.v[0].stage, 1);
	ck_assert_uint_eq(h.v[0].presses, 1);
	/* the next-day answer rides on the run it is about */
	ck_assert_int_eq(h.v[0].next_day, CHECKIN_YES);
	ck_assert_int_eq(h.v[1].type, SESSION_PRECHECK);
	progression_history_clear(&h);
}
END_TEST

/* paced run given "../profiles/x.programme", pacectl the absolute path:
 * the same programme, so the same history. */
START_TEST(runs_of_the_same_programme_by_another_path_count)
{
	struct programme_stage stages[1] = { { .id = "P0" } };
	struct programme prog = { .stages = stages, .n_stages = 1 };
	struct progression_history h = { 0 };
	struct history_entry e;
	char path[128], other[200];

	snprintf(path, sizeof(path), "%s/a.programme", dir);
	write_file("a.programme", "name = \"a\";\n");
	snprintf(other, sizeof(other), "%s/../%s/./a.programme", dir,
		 strrchr(dir, '/') + 1);
	prog.path = path;
	history_entry_init(&e, SESSION_RUN, 1);
	snprintf(e.stage, sizeof(e.stage), "P0");
	snprintf(e.programme, sizeof(e.programme), "%s", other);
	progression_history_add(&h, &prog, &e);
	progression_history_add(&h, &prog, &e);
	snprintf(e.programme, sizeof(e.programme), "%s/b.programme", dir);
	progression_history_add(&h, &prog, &e);
	ck_assert_uint_eq(h.n, 2);
	ck_assert_uint_eq(h.other, 1);
	progression_history_clear(&h);
}
END_TEST

START_TEST(checkin_and_next_day_round_trip)
{
	struct history_entry a, b, *e;
	char err[128];

	history_entry_init(&a, SESSION_CHECKIN, 1000);
	ck_assert_int_eq(checkin_parse_arg("leak=yes,heaviness=no,pain=4,bleeding=no,"
					   "sleep=short,breastfeeding=yes,energy=low",
					   &a.checkin, err, sizeof(err)), 0);
	history_entry_init(&b, SESSION_NEXT_DAY, 1100);
	b.about_s = 900;
	b.symptoms = true;
	ck_assert_int_eq(history_append(dir, &a), 0);
	ck_assert_int_eq(history_append(dir, &b), 0);
	ck_assert_ptr_nonnull(strstr(read_file("history.jsonl"),
		"{\"when_s\":1000,\"type\":\"checkin\",\"leak\":\"yes\",\"heaviness\":\"no\","
		"\"pain\":4,\"bleeding\":\"no\",\"sleep\":\"short\",\"breastfeeding\":\"yes\","
		"\"energy\":\"low\"}\n"
		"{\"when_s\":1100,\"type\":\"next-day\",\"about_s\":900,\"symptoms\":true}\n"));
	ck_assert_int_eq(history_load(dir, &e, NULL), 2);
	ck_assert_int_eq(e[0].type, SESSION_CHECKIN);
	ck_assert_int_eq(e[0].checkin.leak, CHECKIN_YES);
	ck_assert_int_eq(e[0].checkin.pain, 4);
	ck_assert_int_eq(e[0].checkin.sleep, CHECKIN_SLEEP_SHORT);
	ck_assert_int_eq(e[0].checkin.energy, CHECKIN_ENERGY_LOW);
	ck_assert_int_eq(e[0].checkin.next_day, CHECKIN_UNANSWERED);
	ck_assert_int_eq(e[1].type, SESSION_NEXT_DAY);
	ck_assert_int_eq(e[1].about_s, 900);
	ck_assert(e[1].symptoms);
	free(e);
}
END_TEST

/* Files written before check-ins existed read as they always did. */
START_TEST(old_history_files_keep_loading)
{
	struct history_entry *e;
	unsigned bad = 9;

	write_file("history.jsonl",
		   "{\"when_s\":1796249062,\"type\":\"run\",\"programme\":\"/p/r.programme\","
		   "\"stage\":\"P0\",\"profile\":\"P0 - 30 min brisk walk\",\"presses\":0,"
		   "\"completed\":true,\"outcome\":\"finished\",\"log\":\"/s/a.jsonl\"}\n"
		   "{\"when_s\":1796250000,\"type\":\"precheck\",\"programme\":\"/p/r.programme\","
		   "\"stage\":\"\",\"profile\":\"\",\"presses\":0,\"completed\":false,"
		   "\"outcome\":\"\",\"log\":\"\"}\n"
		   "{\"when_s\":1796260000,\"type\":\"cleared\"}\n");
	ck_assert_int_eq(history_load(dir, &e, &bad), 3);
	ck_assert_uint_eq(bad, 0);
	ck_assert_str_eq(e[0].stage, "P0");
	ck_assert(e[0].completed);
	ck_assert_str_eq(e[0].log, "/s/a.jsonl");
	ck_assert_int_eq(e[1].type, SESSION_PRECHECK);
	ck_assert_int_eq(e[2].type, SESSION_CLEARED);
	free(e);
}
END_TEST

/* The reader is strict: a value of the wrong type or out of range makes
 * the line unreadable (counted), never a guess. */
START_TEST(lines_with_wrong_types_are_skipped)
{
	static const char *const bad_lines[] = {
		"{\"when_s\":\"5\",\"type\":\"run\"}",
		"{\"when_s\":5,\"type\":\"run\",\"presses\":-1}",
		"{\"when_s\":5,\"type\":\"run\",\"presses\":1000}",
		"{\"when_s\":5,\"type\":\"run\",\"completed\":1}",
		"{\"when_s\":5,\"type\":\"run\",\"stage\":7}",
		"{\"when_s\":5,\"type\":\"checkin\",\"pain\":11}",
		"{\"when_s\":5,\"type\":\"checkin\",\"leak\":\"maybe\"}",
		"{\"when_s\":5,\"type\":\"checkin\",\"pain\":\"3\"}",
		"{\"when_s\":5,\"type\":\"next-day\",\"symptoms\":true}",
		"{\"when_s\":5,\"type\":\"next-day\",\"about_s\":1}",
		"{\"when_s\":5,\"type\":\"run\",\"type\":\"run\"}",
		"[{\"when_s\":5,\"type\":\"run\"}]",
		"{\"when_s\":5,\"type\":\"run\"} x",
	};
	static const char ok[] =
		"{\"when_s\":5,\"type\":\"checkin\",\"pain\":10,\"new\":1}";
	struct history_entry e;

	for (size_t i = 0; i < ARRAY_SIZE(bad_lines); i++)
		ck_assert_msg(!history_parse_line(bad_lines[i],
						  strlen(bad_lines[i]), &e),
			      "typed: %s", bad_lines[i]);
	ck_assert(history_parse_line(ok, strlen(ok), &e));
	ck_assert_int_eq(e.checkin.pain, 10);
}
END_TEST

static int stop_at_two(const struct history_entry *e, void *user_data)
{
	unsigned *n = user_data;

	return ++*n == 2 ? -ECANCELED : 0;
}

START_TEST(read_streams_and_stops_when_told)
{
	unsigned n = 0;

	write_file("history.jsonl",
		   "{\"when_s\":1,\"type\":\"cleared\"}\n"
		   "{\"when_s\":2,\"type\":\"cleared\"}\n"
		   "{\"when_s\":3,\"type\":\"cleared\"}\n");
	ck_assert_int_eq(history_read(dir, stop_at_two, &n, NULL), -ECANCELED);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(checkin_records_the_next_day_answer_about_the_last_run)
{
	struct history_entry run, *e;
	struct checkin c;
	int64_t about = 0;
	char err[128];

	checkin_parse_arg("leak=no,next-day=yes", &c, err, sizeof(err));
	/* no run yet: nothing to answer about, nothing written */
	ck_assert_int_eq(progression_record_checkin(dir, &c, 500), -ENOENT);
	ck_assert_int_eq(history_load(dir, &e, NULL), 0);
	free(e);
	history_entry_init(&run, SESSION_RUN, 400);
	ck_assert_int_eq(history_append(dir, &run), 0);
	ck_assert_int_eq(progression_pending_next_day(dir, &about), 0);
	ck_assert_int_eq(about, 400);
	ck_assert_int_eq(progression_record_checkin(dir, &c, 500), 0);
	ck_assert_int_eq(progression_pending_next_day(dir, &about), -ENOENT);
	ck_assert_int_eq(history_load(dir, &e, NULL), 3);
	ck_assert_int_eq(e[1].type, SESSION_CHECKIN);
	ck_assert_int_eq(e[1].checkin.leak, CHECKIN_NO);
	ck_assert_int_eq(e[2].type, SESSION_NEXT_DAY);
	ck_assert_int_eq(e[2].about_s, 400);
	ck_assert(e[2].symptoms);
	free(e);
	/* nothing answered is no check-in */
	checkin_init(&c);
	ck_assert_int_eq(progression_record_checkin(dir, &c, 600), -EINVAL);
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
	tcase_add_test(tc, runs_of_the_same_programme_by_another_path_count);
	tcase_add_test(tc, checkin_and_next_day_round_trip);
	tcase_add_test(tc, old_history_files_keep_loading);
	tcase_add_test(tc, lines_with_wrong_types_are_skipped);
	tcase_add_test(tc, read_streams_and_stops_when_told);
	tcase_add_test(tc, checkin_records_the_next_day_answer_about_the_last_run);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
