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
#include "exercise.h"
#include "programme.h"

#define DAY (24 * 3600)

/* A five-stage programme with the default rules: P0 walks, P1-P4 jog.
 * The pure rules read only each stage's jog time and belt flag. */
static struct programme prog;
static struct programme_stage stages[7];
static struct profile walk_profile = { .jog_ms = 0 };
static struct profile jog_profile = { .jog_ms = 180000 };
static struct profile prep_profile = { .no_belt = true };
static struct programme_input in;
#define T0 1700000000	/* a Tuesday, 22:13 UTC */

static void setup(void)
{
	static const char *const ids[] = { "P0", "P1", "P2", "P3", "P4" };

	memset(&prog, 0, sizeof(prog));
	memset(stages, 0, sizeof(stages));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		strcpy(stages[i].id, ids[i]);
		stages[i].profile = i ? &jog_profile : &walk_profile;
	}
	prog.name = (char *) "test";
	prog.stages = stages;
	prog.n_stages = ARRAY_SIZE(ids);
	programme_rules_default(&prog.rules);
	memset(&in, 0, sizeof(in));
}

/* The same with the preparation phase first: PREP1 and PREP2 have no
 * belt and last at least 14 days each, P0 walks. */
static void setup_prep(void)
{
	static const char *const ids[] = {
		"PREP1", "PREP2", "P0", "P1", "P2", "P3", "P4" };

	setup();
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		strcpy(stages[i].id, ids[i]);
		stages[i].profile = i < 2 ? &prep_profile :
				    i == 2 ? &walk_profile : &jog_profile;
		stages[i].min_days = i < 2 ? 14 : 0;
	}
	prog.n_stages = ARRAY_SIZE(ids);
	prog.rules.walk_stage = 2;
}

static struct session_summary run(int day, size_t stage, unsigned presses,
				  bool completed)
{
	struct session_summary s = {
		.type = SESSION_RUN, .when_s = T0 + (int64_t) day * DAY,
		.stage = stage, .presses = presses, .completed = completed };
	return s;
}

static struct session_summary entry(int day, enum session_entry type)
{
	struct session_summary s = {
		.type = type, .when_s = T0 + (int64_t) day * DAY };

	checkin_init(&s.checkin);
	return s;
}

/* A check-in on that day with answers in the one-line form. */
static struct session_summary checkin(int day, const char *answers)
{
	struct session_summary s = entry(day, SESSION_CHECKIN);
	char err[160];

	ck_assert_msg(checkin_parse_arg(answers, &s.checkin, err,
					sizeof(err)) == 0, "%s", err);
	return s;
}

/* The decision at now: by default three days after the last entry, so
 * no rest day and no stale check-in gets in the way unless a test says. */
static struct programme_decision decide_at(const struct session_summary *h,
					   size_t n, int64_t now)
{
	struct programme_decision d;

	in.now_s = now;
	ck_assert_int_eq(programme_decide(&prog, h, n, &in, &d, NULL, NULL), 0);
	ck_assert(d.message[0] != '\0');
	ck_assert_uint_lt(d.stage, prog.n_stages);
	ck_assert_uint_lt(d.programme_stage, prog.n_stages);
	return d;
}

static struct programme_decision next(const struct session_summary *h,
				      size_t n)
{
	return decide_at(h, n, (n ? h[n - 1].when_s : T0) + 3 * DAY);
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

	h[n++] = run(13, 3, 0, true);	/* clean 1 of 2 at P3 */
	h[n++] = entry(14, SESSION_PRECHECK);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 0);		/* walk today */
	ck_assert_uint_eq(d.programme_stage, 3);	/* ladder unchanged */
	ck_assert_uint_eq(d.clean, 0);		/* counted afresh */
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_PRECHECK);
	ck_assert(d.walk_only && !d.locked);
	ck_assert(strstr(d.message, "pelvic-health physiotherapist"));
	/* the walk-only day is off the ladder: back to P3 afterwards */
	h[n++] = run(14, 0, 0, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_OFF_PLAN);
}
END_TEST

/* Symptoms reported before a session say the last one was not clean
 * after all: the step up it earned is undone. */
START_TEST(symptoms_since_the_last_session_undo_its_step_up)
{
	struct session_summary h[16];
	size_t n = climb(h);	/* the last run moved P2 -> P3 */
	struct programme_decision d;

	ck_assert_uint_eq(next(h, n).programme_stage, 3);
	h[n++] = entry(13, SESSION_PRECHECK);
	d = next(h, n);
	ck_assert_uint_eq(d.programme_stage, 2);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_PRECHECK);
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

	ck_assert_int_eq(programme_decide(&prog, h, 1, &in, &d, NULL, NULL),
			 -EINVAL);
	ck_assert_uint_eq(d.stage, 99);
	ck_assert_int_eq(programme_decide(NULL, h, 1, &in, &d, NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(programme_decide(&prog, NULL, 1, &in, &d, NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(programme_decide(&prog, h, 0, NULL, &d, NULL, NULL),
			 -EINVAL);
}
END_TEST

/* ---- check-in, next day, rest days, the preparation phase ---- */

/* Sat 25 Nov 2023 00:00 UTC, after to_p2()'s runs: rest-day tests
 * count calendar days. */
#define MIDNIGHT (1700006400 + 10 * DAY)
#define HOUR 3600

/* Up the ladder to P2 by day 6 (the last run, a P1, is a running one). */
static size_t to_p2(struct session_summary *h)
{
	h[0] = run(0, 0, 0, true);
	h[1] = run(2, 0, 0, true);
	h[2] = run(4, 1, 0, true);
	h[3] = run(6, 1, 0, true);
	return 4;
}

static struct session_summary at(struct session_summary s, int64_t t)
{
	s.when_s = t;
	return s;
}

START_TEST(red_flag_bleeding_makes_today_walk_only_and_refers)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(13, 3, 0, true);
	h[n++] = checkin(15, "leak=no,heaviness=no,pain=0,bleeding=yes");
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_RED_FLAG);
	ck_assert_uint_eq(d.stage, prog.rules.walk_stage);
	ck_assert_uint_eq(d.programme_stage, 3);
	ck_assert(d.walk_only && d.refer && !d.locked);
	ck_assert_msg(strstr(d.message, "bleeding") &&
		      strstr(d.message, "pelvic-health physiotherapist"),
		      "%s", d.message);
	/* the walk is done: back to the ladder, the advice stays past */
	h[n++] = run(15, 0, 0, true);
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert(!d.refer && !d.walk_only);
}
END_TEST

START_TEST(red_flag_heaviness_makes_today_walk_only)
{
	struct session_summary h[] = {
		run(0, 0, 0, true), checkin(2, "heaviness=yes") };
	struct programme_decision d = next(h, 2);

	ck_assert_int_eq(d.reason, PROGRAMME_WALK_RED_FLAG);
	ck_assert(d.walk_only && d.refer);
	ck_assert_msg(strstr(d.message, "heaviness or dragging"), "%s",
		      d.message);
}
END_TEST

START_TEST(red_flag_pain_at_threshold_makes_today_walk_only)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(13, 3, 0, true);	/* clean 1 of 2 at P3 */
	h[n++] = checkin(15, "leak=no,pain=3");
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_RED_FLAG);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_msg(strstr(d.message, "pain 3/10"), "%s", d.message);
	/* the threshold comes from the file */
	prog.rules.pain_walk_only = 4;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_CHECKIN);
	ck_assert(!d.walk_only && !d.refer);
	ck_assert_uint_eq(d.stage, 3);
}
END_TEST

START_TEST(mild_pain_below_threshold_repeats_the_stage)
{
	struct session_summary h[16];
	size_t n = climb(h);	/* the last run moved P2 -> P3 */
	struct programme_decision d;

	ck_assert_uint_eq(next(h, n).stage, 3);
	h[n++] = checkin(13, "pain=2");
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_CHECKIN);
	ck_assert_uint_eq(d.stage, 2);		/* the step up is undone */
	ck_assert_uint_eq(d.clean, 0);
	ck_assert(!d.walk_only && !d.refer);
}
END_TEST

START_TEST(leakage_at_checkin_repeats_the_stage)
{
	struct session_summary h[16];
	size_t n = climb(h);	/* the last run moved P2 -> P3 */
	struct programme_decision d;

	h[n++] = checkin(13, "leak=yes,heaviness=no,pain=0,bleeding=no");
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_CHECKIN);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_uint_eq(d.programme_stage, 2);
	ck_assert(!d.walk_only && !d.refer);
	ck_assert_msg(strstr(d.message, "repeat P2"), "%s", d.message);
	/* two clean sessions of the repeated stage move on again */
	h[n++] = run(14, 2, 0, true);
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_CLEAN);
	h[n++] = run(16, 2, 0, true);
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_ADVANCE);
	ck_assert_uint_eq(d.stage, 3);
	/* a second check-in before the same session repeats nothing more */
	n = climb(h);
	h[n++] = checkin(13, "leak=yes");
	h[n++] = checkin(13, "leak=yes");
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 2);
}
END_TEST

START_TEST(leakage_walk_only_when_the_programme_says_so)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	h[n++] = run(13, 3, 0, true);
	h[n++] = checkin(15, "leak=yes");
	prog.rules.leak = PROGRAMME_CHOICE_WALK_ONLY;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_WALK_PRECHECK);
	ck_assert(d.walk_only);
	ck_assert_uint_eq(d.stage, 0);
	prog.rules.leak = PROGRAMME_CHOICE_NONE;
	d = next(h, n);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_CLEAN);
}
END_TEST

START_TEST(short_sleep_offers_the_previous_stage)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;
	int64_t now;

	h[n++] = run(13, 3, 0, true);
	h[n++] = checkin(15, "leak=no,sleep=short");
	now = h[n - 1].when_s + HOUR;
	d = decide_at(h, n, now);
	ck_assert_int_eq(d.reason, PROGRAMME_OFFER_PREVIOUS);
	ck_assert_uint_eq(d.stage, 2);		/* recommended */
	ck_assert(d.has_alternative);
	ck_assert_uint_eq(d.alternative, 3);	/* today's as planned */
	ck_assert_uint_eq(d.programme_stage, 3);	/* no step back */
	ck_assert_msg(strstr(d.message, "short sleep") &&
		      strstr(d.message, "P3"), "%s", d.message);
	/* "previous": no offer */
	prog.rules.short_sleep = PROGRAMME_CHOICE_PREVIOUS;
	d = decide_at(h, n, now);
	ck_assert_int_eq(d.reason, PROGRAMME_PREVIOUS);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert(!d.has_alternative);
	/* "none": as planned */
	prog.rules.short_sleep = PROGRAMME_CHOICE_NONE;
	d = decide_at(h, n, now);
	ck_assert_uint_eq(d.stage, 3);
	ck_assert(!d.has_alternative);
}
END_TEST

START_TEST(low_energy_offers_the_previous_stage)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;
	int64_t t;

	h[n++] = run(13, 3, 0, true);
	h[n++] = checkin(15, "energy=low,breastfeeding=yes");
	t = h[n - 1].when_s;
	d = decide_at(h, n, t + HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_OFFER_PREVIOUS);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_uint_eq(d.alternative, 3);
	ck_assert(d.checked_in);
	ck_assert_msg(strstr(d.message, "low energy") &&
		      strstr(d.message, "Breastfeeding"), "%s", d.message);
	/* a check-in speaks for checkin_hours (12) only */
	d = decide_at(h, n, t + 13 * HOUR);
	ck_assert(!d.checked_in);
	ck_assert_uint_eq(d.stage, 3);
	/* walking is not running: nothing to offer at P0 */
	n = 0;
	h[n++] = run(0, 0, 0, true);
	h[n++] = checkin(1, "energy=low");
	d = decide_at(h, n, h[1].when_s + HOUR);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert(!d.has_alternative);
}
END_TEST

START_TEST(checkin_as_input_decides_as_the_history_does)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision a, b;

	h[n++] = checkin(15, "bleeding=yes");
	a = decide_at(h, n, h[n - 1].when_s);
	in.checkin = &h[n - 1].checkin;
	b = decide_at(h, n - 1, h[n - 1].when_s);
	ck_assert_int_eq(a.reason, b.reason);
	ck_assert_uint_eq(a.stage, b.stage);
	ck_assert_str_eq(a.message, b.message);
}
END_TEST

START_TEST(next_day_symptoms_count_as_a_press)
{
	struct session_summary h[16];
	size_t n = climb(h);
	struct programme_decision d;

	/* clean in the session, symptoms the day after: a repeat */
	h[n] = run(13, 3, 0, true);
	h[n].next_day = CHECKIN_YES;
	n++;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_REPEAT_SYMPTOM);
	ck_assert_uint_eq(d.clean, 0);
	/* a second symptomatic session in a row: a step back */
	h[n] = run(15, 3, 0, true);
	h[n].next_day = CHECKIN_YES;
	n++;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_STREAK);
	ck_assert_uint_eq(d.stage, 2);
	/* one press plus symptoms the next day: two presses, a step back */
	n = climb(h);
	h[n] = run(13, 3, 1, true);
	h[n].next_day = CHECKIN_YES;
	n++;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_PRESSES);
	/* "no" changes nothing: the session stays clean */
	n = climb(h);
	h[n] = run(13, 3, 0, true);
	h[n].next_day = CHECKIN_NO;
	n++;
	h[n] = run(15, 3, 0, true);
	h[n].next_day = CHECKIN_NO;
	n++;
	d = next(h, n);
	ck_assert_int_eq(d.reason, PROGRAMME_ADVANCE);
}
END_TEST

START_TEST(next_day_question_waits_for_an_answer)
{
	struct session_summary h[] = { run(0, 1, 0, true) };
	struct programme_decision d;

	d = next(h, 1);
	ck_assert(d.next_day_pending);
	ck_assert_int_eq(d.next_day_about_s, h[0].when_s);
	h[0].next_day = CHECKIN_NO;
	d = next(h, 1);
	ck_assert(!d.next_day_pending);
	d = next(NULL, 0);
	ck_assert(!d.next_day_pending);
}
END_TEST

START_TEST(rest_day_refuses_a_second_running_session)
{
	struct session_summary h[8];
	size_t n = to_p2(h);
	struct programme_decision d;

	/* P2 run on Saturday at 18:00 */
	h[n++] = at(run(0, 2, 0, true), MIDNIGHT + 18 * HOUR);
	/* Sunday 08:00: a rest day */
	d = decide_at(h, n, MIDNIGHT + DAY + 8 * HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
	ck_assert_uint_eq(d.stage, 0);		/* walk only is offered */
	ck_assert_uint_eq(d.programme_stage, 2);
	ck_assert(d.walk_only && !d.has_alternative);
	ck_assert_int_eq(d.due_s, MIDNIGHT + 2 * DAY);
	ck_assert_msg(strstr(d.message, "Mon 27 Nov") &&
		      strstr(d.message, "walk-only"), "%s", d.message);
	/* later the same evening is the same day */
	d = decide_at(h, n, MIDNIGHT + 18 * HOUR + 30 * 60);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
	/* a short night offers no running stage on a rest day either */
	h[n] = at(checkin(0, "sleep=short"), MIDNIGHT + DAY + 7 * HOUR);
	d = decide_at(h, n + 1, MIDNIGHT + DAY + 8 * HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
	ck_assert(!d.has_alternative);
	/* Monday just after midnight: running is due */
	d = decide_at(h, n, MIDNIGHT + 2 * DAY + 60);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert(!d.walk_only);
	/* two rest days from the file */
	prog.rules.rest_days = 2;
	d = decide_at(h, n, MIDNIGHT + 2 * DAY + 60);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
	ck_assert_int_eq(d.due_s, MIDNIGHT + 3 * DAY);
	/* none: the next day is fine, the same day never */
	prog.rules.rest_days = 0;
	d = decide_at(h, n, MIDNIGHT + DAY + 8 * HOUR);
	ck_assert_uint_eq(d.stage, 2);
	d = decide_at(h, n, MIDNIGHT + 20 * HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
}
END_TEST

/* Calendar days are the person's: a run at 23:30 local time is that
 * day's run, whatever UTC says. */
START_TEST(rest_days_count_local_calendar_days)
{
	struct session_summary h[8];
	size_t n = to_p2(h);
	struct programme_decision d;

	/* 23:30 local at UTC+2 is 21:30 UTC on Saturday */
	h[n++] = at(run(0, 2, 0, true), MIDNIGHT + 21 * HOUR + 30 * 60);
	in.utc_offset_s = 2 * HOUR;
	/* Monday 00:30 local = Sunday 22:30 UTC: due */
	d = decide_at(h, n, MIDNIGHT + DAY + 22 * HOUR + 30 * 60);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_int_eq(d.due_s, MIDNIGHT + DAY + 22 * HOUR);
	/* Sunday 23:00 local = Sunday 21:00 UTC: still the rest day */
	d = decide_at(h, n, MIDNIGHT + DAY + 21 * HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_REST_DAY);
}
END_TEST

START_TEST(rest_day_does_not_apply_to_walking_or_red_flags)
{
	struct session_summary h[] = {
		at(run(0, 0, 0, true), MIDNIGHT + 8 * HOUR),
		at(run(0, 0, 0, true), MIDNIGHT + 9 * HOUR) };
	struct programme_decision d;

	/* two walks: P0 again the same day, no rest needed */
	d = decide_at(h, 1, MIDNIGHT + 8 * HOUR + 3600);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_int_ne(d.reason, PROGRAMME_REST_DAY);
	ck_assert_int_eq(d.due_s, 0);
	d = decide_at(h, 2, MIDNIGHT + 10 * HOUR);
	ck_assert_int_eq(d.reason, PROGRAMME_ADVANCE);
	/* P1 is due at once: no running yet */
	ck_assert_uint_eq(d.stage, 1);
}
END_TEST

START_TEST(red_flags_reported_twice_suspend_running)
{
	struct session_summary h[] = {
		run(0, 2, 0, true), checkin(2, "bleeding=yes"),
		checkin(2, "bleeding=yes"),	/* the same gap: once */
		run(2, 0, 0, true), checkin(4, "pain=7") };
	struct programme_decision d;

	d = next(h, 4);
	ck_assert(!d.locked);
	d = next(h, 5);
	ck_assert_int_eq(d.reason, PROGRAMME_SUSPENDED);
	ck_assert(d.locked && d.refer && d.walk_only);
}
END_TEST

START_TEST(preparation_phase_lasts_its_min_days)
{
	struct session_summary h[] = {
		run(0, 0, 0, true), run(1, 0, 0, true), run(13, 0, 0, true),
		run(14, 0, 0, true) };
	struct programme_decision d;

	setup_prep();
	d = next(h, 2);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_TIME);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert_msg(strstr(d.message, "at least 14"), "%s", d.message);
	d = next(h, 3);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_TIME);
	d = next(h, 4);
	ck_assert_int_eq(d.reason, PROGRAMME_ADVANCE);
	ck_assert_uint_eq(d.stage, 1);
}
END_TEST

START_TEST(start_recommends_the_preparation_phase)
{
	struct programme_decision d;

	setup_prep();
	d = next(NULL, 0);
	ck_assert_int_eq(d.reason, PROGRAMME_START);
	ck_assert_uint_eq(d.stage, 0);
	ck_assert(d.has_alternative);
	ck_assert_uint_eq(d.alternative, 2);	/* P0 for who has done it */
	ck_assert_msg(strstr(d.message, "at least 4 weeks"), "%s", d.message);
	/* a shell that can only drive a belt gets the first belt stage */
	in.belt_only = true;
	d = next(NULL, 0);
	ck_assert_uint_eq(d.stage, 2);
	ck_assert_uint_eq(d.programme_stage, 0);
	ck_assert(!d.has_alternative);
	ck_assert_msg(strstr(d.message, "no treadmill part"), "%s", d.message);
}
END_TEST

START_TEST(preparation_is_advice_a_belt_stage_moves_on)
{
	struct session_summary h[] = {
		run(0, 0, 0, true), run(1, 2, 0, true), run(2, 2, 0, true) };
	struct programme_decision d;

	setup_prep();
	d = next(h, 2);
	ck_assert_uint_eq(d.programme_stage, 2);
	ck_assert_int_eq(d.reason, PROGRAMME_NEED_CLEAN);
	d = next(h, 3);
	ck_assert_uint_eq(d.stage, 3);
}
END_TEST

START_TEST(step_back_never_lands_on_a_no_belt_stage)
{
	struct session_summary h[] = { run(0, 2, 2, true) };
	struct programme_decision d;

	setup_prep();
	d = next(h, 1);
	ck_assert_int_eq(d.reason, PROGRAMME_STEP_BACK_PRESSES);
	ck_assert_uint_eq(d.stage, 2);
}
END_TEST

/* The report's record: every rule, with when and what it moved. */
struct events {
	struct programme_event ev[32];
	size_t n;
};

static void on_event(const struct programme_event *ev, void *user_data)
{
	struct events *e = user_data;

	ck_assert_uint_lt(e->n, ARRAY_SIZE(e->ev));
	e->ev[e->n++] = *ev;
}

START_TEST(each_rule_is_reported_with_its_cause)
{
	struct session_summary h[12];
	size_t n = to_p2(h);	/* two advances; the P1 run on day 6 */
	struct events e = { .n = 0 };
	struct programme_decision d;

	h[n++] = run(7, 0, 0, true);		/* a walk on the rest day */
	h[n++] = checkin(8, "bleeding=yes");
	h[n++] = run(8, 0, 0, true);		/* walk only */
	h[n++] = run(10, 2, 2, true);		/* two presses: -> P1 */
	in.now_s = h[n - 1].when_s + 2 * DAY;
	ck_assert_int_eq(programme_decide(&prog, h, n, &in, &d, on_event, &e),
			 0);
	ck_assert_uint_eq(e.n, 6);
	ck_assert_int_eq(e.ev[0].reason, PROGRAMME_ADVANCE);
	ck_assert_uint_eq(e.ev[1].to, 2);
	ck_assert_int_eq(e.ev[2].reason, PROGRAMME_REST_DAY);
	ck_assert_int_eq(e.ev[2].when_s, h[4].when_s);
	ck_assert_uint_eq(e.ev[2].to, 0);
	ck_assert_int_eq(e.ev[3].reason, PROGRAMME_REPEAT_CHECKIN);
	ck_assert_uint_eq(e.ev[3].to, 2);	/* no step up to undo */
	ck_assert_int_eq(e.ev[4].reason, PROGRAMME_WALK_RED_FLAG);
	ck_assert_int_eq(e.ev[5].reason, PROGRAMME_STEP_BACK_PRESSES);
	ck_assert_uint_eq(e.ev[5].from, 2);
	ck_assert_uint_eq(e.ev[5].to, 1);
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

/* docs/domain.md 3.5 and 3.6: the preparation phase with no treadmill
 * (at least four weeks), a P0 brisk walk, then walk/jog stages from 30 s
 * jogs to 30 minutes of continuous easy jogging, never more than 30 %
 * more jog time from one stage to the next. Jog minutes are computed
 * here from the expanded plans, not taken from the loader. */
START_TEST(bundled_ladder_growth)
{
	struct programme *p = bundled();
	uint32_t prev = 0, longest_first = 0, prep_days = 0;
	size_t first = 0;

	ck_assert_uint_ge(p->n_stages, 10);
	while (first < p->n_stages && p->stages[first].profile->no_belt) {
		struct exercise_plan ex;

		ck_assert_int_eq(exercise_expand(p->stages[first].profile, &ex),
				 0);
		ck_assert_uint_ge(exercise_end_ms(&ex), 4 * 60000);
		exercise_plan_clear(&ex);
		prep_days += p->stages[first].min_days;
		first++;
	}
	ck_assert_uint_eq(first, 2);
	ck_assert_uint_ge(prep_days, 28);
	ck_assert_str_eq(p->stages[first].id, "P0");
	ck_assert_uint_eq(p->rules.walk_stage, first);
	ck_assert_uint_eq(p->rules.advance_after, 2);
	ck_assert_uint_eq(p->rules.lock_regressions, 3);
	ck_assert_uint_eq(p->rules.window_s, 14 * DAY);
	ck_assert_uint_eq(p->rules.rest_days, 1);
	ck_assert_uint_eq(p->rules.pain_walk_only, 3);
	for (size_t i = first; i < p->n_stages; i++) {
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
		if (i == first) {
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
		if (i > first)
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
	expect_error(2, "each stage must be { id = \"P1\"; profile = \"FILE.cfg\"; } with an optional min_days = N;",
		     "name = \"x\";\nstages = ( { id = \"P0\"; } );\n");
	expect_error(3, "duplicate stage id \"P0\"",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; },\n"
		     "{ id = \"P0\"; profile = \"%s/profiles/rtr-p1.cfg\"; } );\n", srcdir(), srcdir());
	/* A path that would fill the profile's own message with itself. */
	expect_error(2, "stage P1: the profile's path is longer than 255 bytes",
		     "name = \"x\";\nstages = ( { id = \"P1\"; profile = \"/%0300d.cfg\"; } );\n", 0);
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
	expect_error(3, "unknown key 'advance' in rules (expected advance_after, step_back_presses, step_back_streak, lock_regressions, precheck_suspend, window_days, max_growth, walk_stage, rest_days, pain_walk_only, leak_at_checkin, short_sleep, low_energy, checkin_hours)",
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
	expect_error(3, "rest_days 7 is out of range (0 to 6)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { rest_days = 7; };\n", srcdir());
	expect_error(3, "pain_walk_only 0 is out of range (1 to 10)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { pain_walk_only = 0; };\n", srcdir());
	expect_error(3, "leak_at_checkin must be \"repeat\", \"walk-only\" or \"none\"",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { leak_at_checkin = \"ignore\"; };\n", srcdir());
	expect_error(3, "short_sleep must be \"offer-previous\", \"previous\" or \"none\"",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { short_sleep = \"repeat\"; };\n", srcdir());
	expect_error(3, "checkin_hours 30 is out of range (1 to 24)",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { checkin_hours = 30; };\n", srcdir());
	expect_error(2, "min_days must be an integer from 0 to 365",
		     "name = \"x\";\nstages = ( { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; min_days = -1; } );\n",
		     srcdir());
	expect_error(5, "walk stage \"PREP1\" has no treadmill (belt = false): name a walking stage with walk_stage",
		     "name = \"x\";\nstages = (\n"
		     " { id = \"PREP1\"; profile = \"%s/profiles/rtr-prep-1.cfg\"; },\n"
		     " { id = \"P0\"; profile = \"%s/profiles/rtr-p0.cfg\"; } );\n"
		     "rules = { walk_stage = \"PREP1\"; };\n", srcdir(), srcdir());
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
	tcase_add_test(tc, symptoms_since_the_last_session_undo_its_step_up);
	tcase_add_test(tc, red_flag_bleeding_makes_today_walk_only_and_refers);
	tcase_add_test(tc, red_flag_heaviness_makes_today_walk_only);
	tcase_add_test(tc, red_flag_pain_at_threshold_makes_today_walk_only);
	tcase_add_test(tc, mild_pain_below_threshold_repeats_the_stage);
	tcase_add_test(tc, leakage_at_checkin_repeats_the_stage);
	tcase_add_test(tc, leakage_walk_only_when_the_programme_says_so);
	tcase_add_test(tc, short_sleep_offers_the_previous_stage);
	tcase_add_test(tc, low_energy_offers_the_previous_stage);
	tcase_add_test(tc, checkin_as_input_decides_as_the_history_does);
	tcase_add_test(tc, next_day_symptoms_count_as_a_press);
	tcase_add_test(tc, next_day_question_waits_for_an_answer);
	tcase_add_test(tc, rest_day_refuses_a_second_running_session);
	tcase_add_test(tc, rest_days_count_local_calendar_days);
	tcase_add_test(tc, rest_day_does_not_apply_to_walking_or_red_flags);
	tcase_add_test(tc, red_flags_reported_twice_suspend_running);
	tcase_add_test(tc, preparation_phase_lasts_its_min_days);
	tcase_add_test(tc, start_recommends_the_preparation_phase);
	tcase_add_test(tc, preparation_is_advice_a_belt_stage_moves_on);
	tcase_add_test(tc, step_back_never_lands_on_a_no_belt_stage);
	tcase_add_test(tc, each_rule_is_reported_with_its_cause);
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
