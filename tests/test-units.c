/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Units and words: km/h and mph, paces, durations said aloud, ordinals. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "units.h"

static const char *speed(enum units u, uint16_t v)
{
	static char buf[32];

	ck_assert_int_lt(units_format_speed(u, v, buf, sizeof(buf)),
			 (int) sizeof(buf));
	return buf;
}

static const char *pace(enum units u, uint16_t v)
{
	static char buf[32];

	units_format_pace(u, v, buf, sizeof(buf));
	return buf;
}

static const char *words(uint32_t ms)
{
	static char buf[64];

	units_format_duration_words(ms, buf, sizeof(buf));
	return buf;
}

static const char *ordinal(unsigned n)
{
	static char buf[24];

	units_format_ordinal(n, buf, sizeof(buf));
	return buf;
}

START_TEST(test_speeds)
{
	ck_assert_str_eq(speed(UNITS_METRIC, 750), "7.5 km/h");
	ck_assert_str_eq(speed(UNITS_METRIC, 500), "5.0 km/h");
	ck_assert_str_eq(speed(UNITS_METRIC, 1249), "12.5 km/h");
	ck_assert_str_eq(speed(UNITS_METRIC, 0), "0.0 km/h");
	/* 7.5 km/h is 4.66 mph, 5.0 is 3.11, 16.09344 is exactly 10. */
	ck_assert_str_eq(speed(UNITS_IMPERIAL, 750), "4.7 mph");
	ck_assert_str_eq(speed(UNITS_IMPERIAL, 500), "3.1 mph");
	ck_assert_str_eq(speed(UNITS_IMPERIAL, 1609), "10.0 mph");
	ck_assert_str_eq(speed(UNITS_IMPERIAL, 65535), "407.2 mph");
	ck_assert_str_eq(units_speed_unit(UNITS_IMPERIAL), "mph");
	ck_assert_str_eq(units_speed_unit(UNITS_METRIC), "km/h");
	/* Never out of order: a faster speed never reads slower. */
	for (uint32_t v = 1; v <= 3000; v++)
		ck_assert_uint_ge(units_speed_tenths(UNITS_IMPERIAL, (uint16_t) v),
				  units_speed_tenths(UNITS_IMPERIAL, (uint16_t) (v - 1)));
}
END_TEST

START_TEST(test_paces)
{
	ck_assert_str_eq(pace(UNITS_METRIC, 750), "8:00 /km");
	ck_assert_str_eq(pace(UNITS_METRIC, 1000), "6:00 /km");
	ck_assert_str_eq(pace(UNITS_IMPERIAL, 750), "12:52 /mi");
	ck_assert_str_eq(pace(UNITS_IMPERIAL, 1000), "9:39 /mi");
	ck_assert_str_eq(pace(UNITS_METRIC, 1), "6000:00 /km");
	ck_assert_str_eq(pace(UNITS_METRIC, 0), "-");
}
END_TEST

START_TEST(test_duration_words)
{
	ck_assert_str_eq(words(0), "0 seconds");
	ck_assert_str_eq(words(1000), "1 second");
	ck_assert_str_eq(words(10000), "10 seconds");
	ck_assert_str_eq(words(45000), "45 seconds");
	ck_assert_str_eq(words(60000), "1 minute");
	ck_assert_str_eq(words(90000), "1 minute 30");
	ck_assert_str_eq(words(125000), "2 minutes 5");
	/* Rounded to the nearest second: a hold's 59.5 s is a minute. */
	ck_assert_str_eq(words(59500), "1 minute");
	ck_assert_str_eq(words(59499), "59 seconds");
	ck_assert_str_eq(words(3600000), "1 hour");
	ck_assert_str_eq(words(3900000), "1 hour 5 minutes");
	ck_assert_str_eq(words(7260000), "2 hours 1 minute");
	ck_assert_str_eq(words(UINT32_MAX), "1193 hours 2 minutes");
}
END_TEST

START_TEST(test_ordinals)
{
	ck_assert_str_eq(ordinal(1), "first");
	ck_assert_str_eq(ordinal(2), "second");
	ck_assert_str_eq(ordinal(3), "third");
	ck_assert_str_eq(ordinal(10), "tenth");
	ck_assert_str_eq(ordinal(11), "11th");
	ck_assert_str_eq(ordinal(12), "12th");
	ck_assert_str_eq(ordinal(13), "13th");
	ck_assert_str_eq(ordinal(21), "21st");
	ck_assert_str_eq(ordinal(22), "22nd");
	ck_assert_str_eq(ordinal(23), "23rd");
	ck_assert_str_eq(ordinal(101), "101st");
	ck_assert_str_eq(ordinal(111), "111th");
}
END_TEST

START_TEST(test_names)
{
	enum units u = UNITS_METRIC;

	ck_assert_int_eq(units_from_name("imperial", &u), 0);
	ck_assert_int_eq(u, UNITS_IMPERIAL);
	ck_assert_int_eq(units_from_name("metric", &u), 0);
	ck_assert_int_eq(u, UNITS_METRIC);
	ck_assert_int_eq(units_from_name("Imperial", &u), -EINVAL);
	ck_assert_int_eq(units_from_name(NULL, &u), -EINVAL);
	ck_assert_int_eq(u, UNITS_METRIC);
	ck_assert_str_eq(units_name(UNITS_IMPERIAL), "imperial");
	ck_assert_ptr_null(units_name((enum units) 7));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("words");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_speeds);
	tcase_add_test(tc, test_paces);
	tcase_add_test(tc, test_duration_words);
	tcase_add_test(tc, test_ordinals);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
