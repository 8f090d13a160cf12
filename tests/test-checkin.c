/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The check-in's answers and its one-line form (the control socket's argument). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "ctl-proto.h"
#include "util.h"

static const char full[] =
	"leak=no,heaviness=no,pain=10,bleeding=no,sleep=enough,"
	"breastfeeding=yes,energy=normal,next-day=yes";

START_TEST(parse_every_answer)
{
	struct checkin c;
	char err[160];

	ck_assert_int_eq(checkin_parse_arg(full, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.leak, CHECKIN_NO);
	ck_assert_int_eq(c.heaviness, CHECKIN_NO);
	ck_assert_int_eq(c.pain, 10);
	ck_assert_int_eq(c.bleeding, CHECKIN_NO);
	ck_assert_int_eq(c.sleep, CHECKIN_SLEEP_ENOUGH);
	ck_assert_int_eq(c.breastfeeding, CHECKIN_YES);
	ck_assert_int_eq(c.energy, CHECKIN_ENERGY_NORMAL);
	ck_assert_int_eq(c.next_day, CHECKIN_YES);
	/* any order, any subset; the rest stays unanswered */
	ck_assert_int_eq(checkin_parse_arg("energy=low,pain=0", &c, err,
					   sizeof(err)), 0);
	ck_assert_int_eq(c.energy, CHECKIN_ENERGY_LOW);
	ck_assert_int_eq(c.pain, 0);
	ck_assert_int_eq(c.leak, CHECKIN_UNANSWERED);
	ck_assert(!checkin_answered(&c, CHECKIN_KEY_SLEEP));
	ck_assert(!checkin_empty(&c));
}
END_TEST

START_TEST(format_round_trips_in_canonical_order)
{
	struct checkin c, back;
	char buf[CHECKIN_ARG_MAX + 1], err[160];

	ck_assert_int_eq(checkin_parse_arg("next-day=yes,energy=normal,breastfeeding=yes,"
					   "sleep=enough,bleeding=no,pain=10,heaviness=no,leak=no",
					   &c, err, sizeof(err)), 0);
	ck_assert_int_eq(checkin_format_arg(&c, buf, sizeof(buf)),
			 (int) strlen(full));
	ck_assert_str_eq(buf, full);
	ck_assert_int_eq(checkin_parse_arg(buf, &back, err, sizeof(err)), 0);
	ck_assert_mem_eq(&c, &back, sizeof(c));
	/* a short buffer is cut, and the length still says how much */
	ck_assert_int_eq(checkin_format_arg(&c, buf, 10), (int) strlen(full));
	ck_assert_str_eq(buf, "leak=no,h");
}
END_TEST

/* The longest possible line fits the control socket's argument, and is
 * one word of a request line (no spaces). */
START_TEST(longest_line_fits_the_control_socket)
{
	struct checkin c;
	char buf[256], err[160];

	ck_assert_int_eq(checkin_parse_arg("leak=yes,heaviness=yes,pain=10,bleeding=yes,"
					   "sleep=enough,breastfeeding=yes,energy=normal,next-day=yes",
					   &c, err, sizeof(err)), 0);
	ck_assert_int_le(checkin_format_arg(&c, buf, sizeof(buf)),
			 CHECKIN_ARG_MAX);
	ck_assert_int_lt(CHECKIN_ARG_MAX, CTL_ARG_MAX);
	ck_assert_ptr_null(strchr(buf, ' '));
}
END_TEST

static const struct {
	const char *arg;
	const char *error;
} bad[] = {
	{ "", "no answers (give KEY=VALUE pairs separated by commas)" },
	{ "leak", "'leak' is not KEY=VALUE" },
	{ "leak=maybe", "'leak=maybe': the answer is yes or no" },
	{ "leak=YES", "'leak=YES': the answer is yes or no" },
	{ "pain=11", "'pain=11': pain is a whole number from 0 to 10" },
	{ "pain=07", "'pain=07': pain is a whole number from 0 to 10" },
	{ "pain=-1", "'pain=-1': pain is a whole number from 0 to 10" },
	{ "pain=", "'pain=': pain is a whole number from 0 to 10" },
	{ "sleep=long", "'sleep=long': sleep is enough or short" },
	{ "energy=high", "'energy=high': energy is low, normal or good" },
	{ "mood=good", "unknown question 'mood' (leak, heaviness, pain, bleeding, sleep, breastfeeding, energy, next-day)" },
	{ "leak=no,leak=yes", "'leak' is answered twice" },
	{ "leak=no,", "a comma ends the line" },
	{ "leak=no,,pain=1", "'' is not KEY=VALUE" },
	{ "leak=no pain=1", "'leak=no pain=1': the answer is yes or no" },
	{ "leak=no,heaviness=no,pain=1,bleeding=no,sleep=short,breastfeeding=no,"
	  "energy=good,next-day=no,leak=no,leak=no,leak=no,leak=no,leak=no,l=1",
	  "longer than 120 bytes" },
};

START_TEST(bad_lines_are_refused_with_the_reason)
{
	struct checkin c = { .pain = 5 };
	char err[200];

	ck_assert_int_eq(checkin_parse_arg(bad[_i].arg, &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, bad[_i].error);
	/* untouched on failure */
	ck_assert_int_eq(c.pain, 5);
}
END_TEST

START_TEST(names_and_words)
{
	enum checkin_key k;
	char num[4];
	struct checkin c;
	const char *why;

	checkin_init(&c);
	ck_assert(checkin_empty(&c));
	ck_assert_int_eq(checkin_key_from_name("next-day", 8, &k), 0);
	ck_assert_int_eq(k, CHECKIN_KEY_NEXT_DAY);
	ck_assert_int_eq(checkin_key_from_name("next", 4, &k), -EINVAL);
	ck_assert_str_eq(checkin_key_values(CHECKIN_KEY_ENERGY), "low|normal|good");
	ck_assert_str_eq(checkin_key_values(CHECKIN_KEY_BLEEDING), "yes|no");
	ck_assert_ptr_null(checkin_get(&c, CHECKIN_KEY_PAIN, num, sizeof(num)));
	ck_assert_int_eq(checkin_set(&c, CHECKIN_KEY_PAIN, "0", 1, &why), 0);
	ck_assert_str_eq(checkin_get(&c, CHECKIN_KEY_PAIN, num, sizeof(num)), "0");
	ck_assert_str_eq(checkin_key_name(CHECKIN_KEY_BREASTFEEDING),
			 "breastfeeding");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("checkin");
	TCase *tc = tcase_create("checkin");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, parse_every_answer);
	tcase_add_test(tc, format_round_trips_in_canonical_order);
	tcase_add_test(tc, longest_line_fits_the_control_socket);
	tcase_add_loop_test(tc, bad_lines_are_refused_with_the_reason, 0,
			    ARRAY_SIZE(bad));
	tcase_add_test(tc, names_and_words);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
