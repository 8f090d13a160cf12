/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for programme files, the bundled ladder and the progression rules. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "util.h"
#include "plan.h"
#include "profile.h"
#include "programme.h"

#define DAY (24 * 3600)

/* A five-stage programme with the default rules; profiles are not needed
 * by the pure rule. */
static struct programme prog;
static struct programme_stage stages[5];

static void setup(void)
{
	static const char *const ids[] = { "P0", "P1", "P2", "P3", "P4" };

	memset(&prog, 0, sizeof(prog));
	memset(stages, 0, sizeof(stages));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		strcpy(stages[i].id, ids[i]);
	prog.name = (char *) "test";
	prog.stages = stages;
	prog.n_stages = ARRAY_SIZE(ids);
	programme_rules_default(&prog.rules);
}

static struct session_summary run(int day, size_t stage, unsigned presses,
				  bool completed)
{
	struct session_summary s = {
		.type = SESSION_RUN, .when_s = 1700000000 + (int64_t) day * DAY,
		.stage = stage, .presses = presses, .completed = completed };
	return s;
}

static struct session_summary entry(int day, enum session_entry type)
{
	struct session_summary s = {
		.type = type, .when_s = 1700000000 + (int64_t) day * DAY };
	return s;
}

static struct programme_decision next(const struct session_summary *h,
				      size_t n)
{
	struct programme_decision d;

	ck_assert_int_eq(programme_next(&prog, h, n, &d), 0);
	ck_assert(d.message[0] != '\0');
	return d;
}

START_TEST(start_at_first_stage)
{
	struct programme_decision d = next(NULL, 0);

	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_START);
	ck_assert(!d.locked && !d.refer);
}
END_TEST

START_TEST(advance_after_two_clean_sessions)
{
	struct session_summary h[] = {
		run(0, 0, 0, true), run(2, 0, 0, true),
		run(4, 1, 0, true), run(6, 1, 0, true) };
	struct programme_decision d;

	d = next(h, 1);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_CLEAN);
	ck_assert_uint_eq(d.clean, 1);
	d = next(h, 2);
	ck_assert_uint_eq(d.stage, 1);
	ck_assert_int_eq(d.reason, PROGRAMME_ADVANCE);
	ck_assert_str_eq(d.message, "2 clean sessions at P0: moving on to P1.");
	d = next(h, 4);
	ck_assert_uint_eq(d.stage, 2);
	/* the number comes from the file */
	prog.rules.advance_after = 3;
	d = next(h, 2);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_uint_eq(d.clean, 2);
	ck_assert_str_eq(d.message, "Clean session (2 of 3 at P0): stay at P0.");
}
END_TEST

START_TEST(repeat_stage_after_symptomatic_session)
{
	struct session_summary h[] = {
		run(0, 2, 0, true), run(2, 2, 1, true), run(4, 2, 0, true) };
	struct programme_decision d;

	prog.rules.walk_stage = 0;
	h[0].stage = h[1].stage = h[2].stage = 0;
	d = next(h, 2);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_SYMPTOM);
	ck_assert_uint_eq(d.clean, 0);
	/* the clean count starts again after the symptom */
	d = next(h, 3);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_CLEAN);
	ck_assert_uint_eq(d.clean, 1);
}
END_TEST

START_TEST(repeat_stage_after_incomplete_session)
{
	struct session_summary h[] = { run(0, 0, 0, true), run(2, 0, 0, false) };
	struct programme_decision d = next(h, 2);

	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_INCOMPLETE);
	ck_assert_uint_eq(d.clean, 0);
}
END_TEST

/* Walk the ladder up to P3 and return the history length. */
static size_t climb(struct session_summary *h)
{
	size_t n = 0;

	for (size_t st = 0; st < 3; st++) {
		h[n] = run((int) n * 2, st, 0, true);
		n++;
		h[n] = run((int) n * 2, st, 0, true);
		n++;
	}
	return n;	/* now at P3, day 12 */
}

START_TEST(step_back_after_two_presses_in_one_session)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	ck_assert_uint_eq(next(h, n).stage, 3);
	h[n] = run(14, 3, 2, true);
	d = next(h, n + 1);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_PRESSES);
	ck_assert_str_eq(d.message,
			 "2 symptom presses in one session: back one stage, from P3 to P2.");
	ck_assert(!d.locked);
}
END_TEST

START_TEST(step_back_after_symptoms_in_two_sessions_in_a_row)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(14, 3, 1, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_SYMPTOM);
	h[n++] = run(16, 3, 1, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_STREAK);
	/* a clean session in between breaks the streak */
	n -= 2;
	h[n++] = run(14, 3, 1, true);
	h[n++] = run(16, 3, 0, true);
	h[n++] = run(18, 3, 1, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_SYMPTOM);
}
END_TEST

START_TEST(step_back_stops_at_first_stage)
{
	struct session_summary h[] = { run(0, 0, 3, true) };
	struct programme_decision d = next(h, 1);

	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_PRESSES);
}
END_TEST

START_TEST(walk_only_after_pre_session_symptoms)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = entry(13, SESSION_PRECHECK);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);		/* walk today */
	ck_assert_uint_eq(d.programme_stage, 3);	/* ladder unchanged */
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_PRECHECK);
	ck_assert(!d.locked);
	ck_assert(strstr(d.message, "pelvic-health physiotherapist"));
	/* the walk-only day is off the ladder: back to P3 afterwards */
	h[n++] = run(13, 0, 0, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_OFF_PLAN);
}
END_TEST

START_TEST(suspend_running_after_two_pre_session_reports)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = entry(13, SESSION_PRECHECK);
	h[n++] = run(13, 0, 0, true);
	h[n++] = entry(15, SESSION_PRECHECK);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_SUSPENDED);
	ck_assert(d.locked && d.refer);
	ck_assert(strstr(d.message, "not a medical device"));
	/* clean walks do not lift it */
	h[n++] = run(16, 0, 0, true);
	h[n++] = run(18, 0, 0, true);
	h[n++] = run(20, 0, 0, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_SUSPENDED);
	ck_assert(d.locked);
}
END_TEST

START_TEST(pre_session_reports_far_apart_do_not_suspend)
{
	struct session_summary h[] = {
		entry(0, SESSION_PRECHECK), entry(30, SESSION_PRECHECK) };
	struct programme_decision d = next(h, 2);

	ck_assert_int_eq(d.reason, PROGRAMME_WALK_PRECHECK);
	ck_assert(!d.locked);
}
END_TEST

START_TEST(lock_after_three_regressions_within_14_days)
{
	struct session_summary h[32];
	size_t n = climb(h);	/* P3 at day 12 */
	struct programme_decision d;

	h[n++] = run(13, 3, 2, true);	/* -> P2 */
	h[n++] = run(15, 2, 2, true);	/* -> P1 */
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 1);
	ck_assert(!d.locked);
	h[n++] = run(26, 1, 2, true);	/* -> P0, third within 13 days */
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_LOCKED);
	ck_assert(d.locked && d.refer);
	ck_assert(strstr(d.message, "pelvic-health physiotherapist"));
	/* clean sessions do not unlock */
	h[n++] = run(28, 0, 0, true);
	h[n++] = run(30, 0, 0, true);
	h[n++] = run(32, 0, 0, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_LOCKED);
}
END_TEST

START_TEST(no_lock_when_regressions_are_spread_out)
{
	struct session_summary h[32];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(13, 3, 2, true);	/* -> P2 */
	h[n++] = run(20, 2, 2, true);	/* -> P1 */
	h[n++] = run(28, 1, 2, true);	/* -> P0: 15 days after the first */
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_PRESSES);
	ck_assert(!d.locked);
}
END_TEST

START_TEST(cleared_by_user_unlocks)
{
	struct session_summary h[32];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(13, 3, 2, true);
	h[n++] = run(14, 2, 2, true);
	h[n++] = run(15, 1, 2, true);
	ck_assert(next(h, n).locked);
	h[n++] = entry(40, SESSION_CLEARED);
	d = next(h, n);
	ck_assert(!d.locked);
	ck_assert_int_eq(d.reason, PROGRAMME_RESUMED);
	ck_assert_uint_eq(d.stage, 0);
	h[n++] = run(41, 0, 0, true);
	h[n++] = run(43, 0, 0, true);
	ck_assert_uint_eq(next(h, n).stage, 1);
}
END_TEST

START_TEST(finished_stays_at_last_stage)
{
	struct session_summary h[16];
	size_t n = 0;
	struct programme_decision d;

	for (size_t st = 0; st < 5; st++) {
		h[n] = run((int) n, st, 0, true);
		n++;
		h[n] = run((int) n, st, 0, true);
		n++;
	}
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 4);
	ck_assert_int_eq(d.reason, PROGRAMME_FINISHED);
}
END_TEST

START_TEST(nothing_gets_harder_without_a_clean_record)
{
	/* A hand-picked harder session (P4 while at P0) never moves the
	 * ladder up. */
	struct session_summary h[] = { run(0, 4, 0, true), run(1, 4, 0, true) };
	struct programme_decision d = next(h, 2);

	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_OFF_PLAN);
}
END_TEST

START_TEST(bad_history_is_refused)
{
	struct session_summary h[] = { run(0, 5, 0, true) };
	struct programme_decision d = { .stage = 99 };

	ck_assert_int_eq(programme_next(&prog, h, 1, &d), -EINVAL);
	ck_assert_uint_eq(d.stage, 99);
	ck_assert_int_eq(programme_next(NULL, h, 1, &d), -EINVAL);
	ck_assert_int_eq(programme_next(&prog, NULL, 1, &d), -EINVAL);
}
END_TEST

START_TEST(reason_names)
{
	ck_assert_str_eq(programme_reason_name(PROGRAMME_ADVANCE), "advance");
	ck_assert_str_eq(programme_reason_name(PROGRAMME_LOCKED), "locked");
	ck_assert_str_eq(programme_reason_name(PROGRAMME_WALK_PRECHECK),
			 "walk-precheck");
}
END_TEST

/* ---- programme files ---- */

static const char *srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d && *d ? d : ".";
}

static struct programme *bundled(void)
{
	char path[4096];
	struct profile_error err;
	struct programme *p;

	snprintf(path, sizeof(path), "%s/profiles/return-to-running.programme",
		 srcdir());
	p = programme_load(path, NULL, &err);
	ck_assert_msg(p != NULL, "%s", err.text);
	return p;
}

/* DOMAIN.md 3.5: P0 brisk walk, then walk/jog stages from 30 s jogs to 30
 * minutes of continuous easy jogging, never more than 30 % more jog time
 * from one stage to the next. Jog minutes are computed here from the
 * expanded plans, not taken from the loader. */
START_TEST(bundled_ladder_growth)
{
	struct programme *p = bundled();
	uint32_t prev = 0, longest_first = 0;

	ck_assert_uint_ge(p->n_stages, 10);
	ck_assert_str_eq(p->stages[0].id, "P0");
	ck_assert_uint_eq(p->rules.walk_stage, 0);
	ck_assert_uint_eq(p->rules.advance_after, 2);
	ck_assert_uint_eq(p->rules.lock_regressions, 3);
	ck_assert_uint_eq(p->rules.window_s, 14 * DAY);
	for (size_t i = 0; i < p->n_stages; i++) {
		struct plan plan;
		uint32_t jog, longest = 0;

		ck_assert_int_eq(plan_expand(p->stages[i].profile, &plan), 0);
		jog = plan_jog_ms(&plan);
		for (size_t k = 0; k < plan.n; k++) {
			if (plan.seg[k].jog_like)
				longest = MAX(longest, plan.seg[k].duration_ms);
		}
		/* every stage starts and ends with a 5 min walk */
		ck_assert(!plan.seg[0].jog_like);
		ck_assert_uint_ge(plan.seg[0].duration_ms, 300000);
		ck_assert(!plan.seg[plan.n - 1].jog_like);
		ck_assert_uint_ge(plan.seg[plan.n - 1].duration_ms, 300000);
		if (i == 0) {
			ck_assert_uint_eq(jog, 0);
			ck_assert_uint_ge(plan_end_ms(&plan), 30 * 60000);
		} else if (prev) {
			ck_assert_msg((uint64_t) jog * 100 <= (uint64_t) prev * 130,
				      "%s jogs %u ms, %u %% of %u ms",
				      p->stages[i].id, jog,
				      (unsigned) ((uint64_t) jog * 100 / prev),
				      prev);
		} else {
			/* the first jog stage: 30 s jogs */
			longest_first = longest;
			ck_assert_uint_eq(longest_first, 30000);
		}
		if (i)
			ck_assert_uint_gt(jog, 0);
		prev = jog;
		if (i == p->n_stages - 1) {
			ck_assert_uint_eq(longest, 30 * 60000);
			ck_assert_uint_eq(jog, 30 * 60000);
		}
		plan_clear(&plan);
	}
	programme_free(p);
}
END_TEST

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test-programme-XXXXXX");
	int fd = mkstemp(path);
	ssize_t len = (ssize_t) strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, (size_t) len), len);
	close(fd);
	return path;
}

static void expect_error(unsigned line, const char *msg, const char *body,
			 ...) __attribute__((format(printf, 3, 4)));

/* Stage profiles are named by absolute path into profiles/: bodies take
 * srcdir() for each %s. */
static void expect_error(unsigned line, const char *msg, const char *body,
			 ...)
{
	char text[4096], want[4800];
	struct profile_error err;
	va_list ap;
	char *path;

	va_start(ap, body);
	vsnprintf(text, sizeof(text), body, ap);
	va_end(ap);
	path = write_temp(text);
	ck_assert_ptr_null(programme_load(path, NULL, &err));
	ck_assert_msg(!strcmp(err.message, msg), "message \"%s\", expected \"%s\"",
		      err.message, msg);
	ck_assert_uint_eq(err.line, line);
	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", path, msg);
	ck_assert_str_eq(err.text, want);
	unlink(path);
	free(path);
}

START_TEST(programme_refuses_a_big_jump)
{
	expect_error(5, "stage \"P2\" jogs 8:00, 266 % of \"P1\" (3:00); at most 130 % is allowed",
		     "name = \"x\";\nstages = (\n"
		     " { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; },\n"
		     " { id = \"P1\"; profile = \"%s/profiles/rtr-p1.cfg\"; },\n"
		     " { id = \"P2\"; profile = \"%s/profiles/rtr-p2.cfg\"; }\n);\n", srcdir(), srcdir(), srcdir());
}
END_TEST

START_TEST(programme_errors)
{
	expect_error(3, "unknown key 'rule' in programme (expected name, description, stages, rules)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\nrule = { };\n", srcdir());
	expect_error(0, "missing required key 'name' (a string)",
		     "stages = ( );\n");
	expect_error(0, "missing required key 'stages'",
		     "name = \"x\";\n");
	expect_error(2, "'stages' must have 1 to 64 stages",
		     "name = \"x\";\nstages = ( );\n");
	expect_error(2, "each stage must be { id = \"P1\"; profile = \"FILE.cfg\"; }",
		     "name = \"x\";\nstages = ( { id = \"P0\"; } );\n");
	expect_error(3, "duplicate stage id \"P0\"",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; },\n"
		     "{ id = \"P0\"; profile = \"%s/profiles/rtr-p1.cfg\"; } );\n", srcdir(), srcdir());
	expect_error(2, "walk stage \"P1\" has jogging in it",
		     "name = \"x\";\nstages = ( { id = \"P1\"; profile = \"%s/profiles/rtr-p1.cfg\"; } );\n", srcdir());
	expect_error(3, "walk_stage \"P9\" is not a stage",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { walk_stage = \"P9\"; };\n", srcdir());
	expect_error(3, "max_growth must be a number from 1.0 to 1.3 (at most 30 % more jog time per stage)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { max_growth = 1.5; };\n", srcdir());
	expect_error(3, "advance_after 0 is out of range (1 to 16)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { advance_after = 0; };\n", srcdir());
	expect_error(3, "unknown key 'advance' in rules (expected advance_after, step_back_presses, step_back_streak, lock_regressions, precheck_suspend, window_days, max_growth, walk_stage)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { advance = 2; };\n", srcdir());
	expect_error(3, "syntax error",
		     "name = \"x\"\nstages = ( \n");
	expect_error(3, "'rules' must be a group { ... }",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = 2;\n", srcdir());
	expect_error(3, "lock_regressions must be an integer",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { lock_regressions = \"3\"; };\n", srcdir());
	expect_error(3, "window_days must be an integer from 1 to 365",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { window_days = 0; };\n", srcdir());
	expect_error(3, "walk_stage must be a stage id string",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { walk_stage = 0; };\n", srcdir());
	expect_error(2, "stage id must be 1 to 15 characters",
		     "name = \"x\";\nstages = ( { id = \"P0123456789abcdef\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n",
		     srcdir());
	expect_error(2, "'stages' must be a list ( { id = ...; profile = ...; }, ... )",
		     "name = \"x\";\nstages = 1;\n");
	expect_error(0, "@include is not allowed in a programme",
		     "@include \"x\"\n");
}
END_TEST

/* A stage profile's own error keeps its own file and line. */
START_TEST(programme_reports_stage_profile_error)
{
	char *bad = write_temp("name = \"b\";\nmain = ( { jog = 0; } );\n");
	char text[4200], want[4200];
	struct profile_error err;
	char *path;

	snprintf(text, sizeof(text),
		 "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s\"; } );\n",
		 bad);
	path = write_temp(text);
	ck_assert_ptr_null(programme_load(path, NULL, &err));
	snprintf(want, sizeof(want), "%s:2: jog 0 s is out of range (1 s to 4:00:00)",
		 bad);
	ck_assert_str_eq(err.text, want);
	unlink(path);
	unlink(bad);
	free(path);
	free(bad);
}
END_TEST

static Suite *programme_suite(void)
{
	Suite *s = suite_create("programme");
	TCase *tc;

	tc = tcase_create("rules");
	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, start_at_first_stage);
	tcase_add_test(tc, advance_after_two_clean_sessions);
	tcase_add_test(tc, repeat_stage_after_symptomatic_session);
	tcase_add_test(tc, repeat_stage_after_incomplete_session);
	tcase_add_test(tc, step_back_after_two_presses_in_one_session);
	tcase_add_test(tc, step_back_after_symptoms_in_two_sessions_in_a_row);
	tcase_add_test(tc, step_back_stops_at_first_stage);
	tcase_add_test(tc, walk_only_after_pre_session_symptoms);
	tcase_add_test(tc, suspend_running_after_two_pre_session_reports);
	tcase_add_test(tc, pre_session_reports_far_apart_do_not_suspend);
	tcase_add_test(tc, lock_after_three_regressions_within_14_days);
	tcase_add_test(tc, no_lock_when_regressions_are_spread_out);
	tcase_add_test(tc, cleared_by_user_unlocks);
	tcase_add_test(tc, finished_stays_at_last_stage);
	tcase_add_test(tc, nothing_gets_harder_without_a_clean_record);
	tcase_add_test(tc, bad_history_is_refused);
	tcase_add_test(tc, reason_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, bundled_ladder_growth);
	tcase_add_test(tc, programme_refuses_a_big_jump);
	tcase_add_test(tc, programme_errors);
	tcase_add_test(tc, programme_reports_stage_profile_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(programme_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
