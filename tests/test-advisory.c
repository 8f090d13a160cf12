/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advisory checker: grace, "person did not slow down", and its two cues. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "advisory.h"

#define S(x) ((uint64_t) (x) * USEC_PER_SEC)
#define T0 S(1000)

/* The checker's cues in the engine's words (domain/cue.c defaults). */
static const char *text(const struct cue *c)
{
	static char buf[CUE_TEXT_MAX];
	struct cue_config cfg;

	cue_config_default(&cfg);
	ck_assert(c->advisory);
	ck_assert_int_lt(cue_render(&cfg, UNITS_METRIC, c, NULL, buf,
				    sizeof(buf)), (int) sizeof(buf));
	return buf;
}

START_TEST(symptom_ignored_raises_alarm)
{
	struct advisory *a = advisory_new(NULL);
	struct cue c;

	advisory_set_target(a, T0, 800);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(5), 800), ADVISORY_OK);
	/* The press: the engine says walk, the belt still runs at 8. */
	advisory_set_target(a, T0 + S(10), 500);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(11), 800),
			 ADVISORY_NOT_YET);
	ck_assert_uint_eq(advisory_next_deadline(a), T0 + S(20));
	ck_assert(!advisory_poll(a, T0 + S(19), &c));
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(19), 800),
			 ADVISORY_NOT_YET);
	/* Grace over: the alarm, once, then repeated while it lasts. */
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(20), 800), ADVISORY_ALARM);
	ck_assert(advisory_poll(a, T0 + S(20), &c));
	ck_assert_int_eq(c.kind, CUE_ALARM);
	ck_assert_str_eq(text(&c),
			 "slow down now: 5.0 km/h (the treadmill says 8.0 km/h)");
	ck_assert(!advisory_poll(a, T0 + S(21), &c));
	ck_assert_uint_eq(advisory_next_deadline(a), T0 + S(40));
	ck_assert(advisory_poll(a, T0 + S(40), &c));
	ck_assert_int_eq(c.kind, CUE_ALARM);
	/* A new, higher target does not clear it: she is still too fast. */
	advisory_set_target(a, T0 + S(45), 600);
	ck_assert_int_eq(advisory_get_verdict(a, T0 + S(45)), ADVISORY_ALARM);
	/* She slows down: cleared, with a word of thanks. */
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(50), 620), ADVISORY_OK);
	ck_assert(advisory_poll(a, T0 + S(50), &c));
	ck_assert_int_eq(c.kind, CUE_COMPLIED);
	ck_assert_str_eq(text(&c), "thank you: 6.2 km/h");
	ck_assert(!advisory_poll(a, T0 + S(100), &c));
	ck_assert_uint_eq(advisory_next_deadline(a), UINT64_MAX);
	ck_assert_str_eq(ADVISORY_ALARM_TEXT, "person did not slow down");
	advisory_free(a);
}
END_TEST

START_TEST(slowing_within_grace_is_fine)
{
	struct advisory *a = advisory_new(NULL);
	struct cue c;

	advisory_set_target(a, T0, 800);
	advisory_on_speed(a, T0 + S(1), 800);
	advisory_set_target(a, T0 + S(2), 500);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(4), 700),
			 ADVISORY_NOT_YET);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(8), 520), ADVISORY_OK);
	ck_assert(!advisory_poll(a, T0 + S(60), &c));
	/* Slower than told is never an alarm. */
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(70), 0), ADVISORY_OK);
	advisory_set_target(a, T0 + S(80), 900);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(200), 300), ADVISORY_OK);
	ck_assert(!advisory_poll(a, T0 + S(300), &c));
	/* Within the tolerance (0.3 km/h) counts as done. */
	advisory_set_target(a, T0 + S(310), 500);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(400), 530), ADVISORY_OK);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(401), 531),
			 ADVISORY_NOT_YET);
	advisory_free(a);
}
END_TEST

START_TEST(alarm_without_fresh_readings)
{
	struct advisory_config cfg = { .grace_ms = 5000 };
	struct advisory *a = advisory_new(&cfg);
	struct cue c;

	advisory_set_target(a, T0, 900);
	advisory_on_speed(a, T0, 900);
	advisory_set_target(a, T0 + S(1), 500);
	/* No reading since (the stick went quiet): judged on the last. */
	ck_assert_uint_eq(advisory_next_deadline(a), T0 + S(6));
	ck_assert(advisory_poll(a, T0 + S(6), &c));
	ck_assert_int_eq(c.kind, CUE_ALARM);
	ck_assert_uint_eq(c.reported, 900);
	ck_assert_uint_eq(c.speed, 500);
	advisory_free(a);
}
END_TEST

/*
 * Changes, countdowns and symptoms are the session's cue engine's now
 * (tests/test-session.c): the checker never speaks but to judge.
 */
START_TEST(checker_speaks_only_to_judge)
{
	struct advisory *a = advisory_new(NULL);
	struct cue c;

	advisory_set_target(a, T0, 500);
	advisory_on_speed(a, T0 + S(1), 500);
	advisory_set_target(a, T0 + S(60), 800);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(61), 800), ADVISORY_OK);
	advisory_set_target(a, T0 + S(120), 500);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(121), 500), ADVISORY_OK);
	ck_assert_uint_eq(advisory_next_deadline(a), UINT64_MAX);
	ck_assert(!advisory_poll(a, T0 + S(125), &c));
	/* Stop: a target of 0 is still only slower-is-fine. */
	advisory_set_target(a, T0 + S(140), 0);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(141), 500),
			 ADVISORY_NOT_YET);
	ck_assert_int_eq(advisory_on_speed(a, T0 + S(150), 500),
			 ADVISORY_ALARM);
	ck_assert(advisory_poll(a, T0 + S(150), &c));
	ck_assert_int_eq(c.kind, CUE_ALARM);
	ck_assert_str_eq(cue_kind_name(c.kind), "alarm");
	advisory_free(a);
}
END_TEST

START_TEST(unknown_until_both_known)
{
	struct advisory *a = advisory_new(NULL);

	ck_assert_int_eq(advisory_get_verdict(a, T0), ADVISORY_UNKNOWN);
	ck_assert_int_eq(advisory_on_speed(a, T0, 1200), ADVISORY_UNKNOWN);
	/* Target arrives while she is already too fast: grace from now. */
	advisory_set_target(a, T0 + S(5), 500);
	ck_assert_int_eq(advisory_get_verdict(a, T0 + S(14)),
			 ADVISORY_NOT_YET);
	ck_assert_int_eq(advisory_get_verdict(a, T0 + S(15)), ADVISORY_ALARM);
	advisory_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("advisory");
	TCase *tc = tcase_create("checker");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, symptom_ignored_raises_alarm);
	tcase_add_test(tc, slowing_within_grace_is_fine);
	tcase_add_test(tc, alarm_without_fresh_readings);
	tcase_add_test(tc, checker_speaks_only_to_judge);
	tcase_add_test(tc, unknown_until_both_known);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
