/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON reader: what it accepts, what it refuses, and round trips with the writer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json-read.h"

static struct json_value *parse(const char *s)
{
	return json_parse(s, strlen(s), NULL);
}

START_TEST(scalars)
{
	struct json_value *v;
	int64_t i;
	double d;
	bool b;

	v = parse(" 42 ");
	ck_assert(json_value_int(v, &i));
	ck_assert_int_eq(i, 42);
	json_value_free(v);

	v = parse("-0.5e1");
	ck_assert(!json_value_int(v, &i));
	ck_assert(json_value_number(v, &d));
	ck_assert(d == -5.0);
	json_value_free(v);

	v = parse("9223372036854775807");
	ck_assert(json_value_int(v, &i));
	ck_assert_int_eq(i, INT64_MAX);
	json_value_free(v);
	/* Too big for int64_t: still a number, not an integer. */
	v = parse("9223372036854775808");
	ck_assert(!json_value_int(v, &i));
	ck_assert(json_value_number(v, &d));
	json_value_free(v);

	v = parse("true");
	ck_assert(json_value_bool(v, &b) && b);
	json_value_free(v);
	v = parse("null");
	ck_assert(json_value_is_null(v));
	ck_assert_int_eq(json_value_type(v), JSON_NULL);
	json_value_free(v);
	v = parse("\"a\\u00e9\\ud83d\\ude00\\n\"");
	ck_assert_str_eq(json_value_string(v), "a\xc3\xa9\xf0\x9f\x98\x80\n");
	json_value_free(v);
}
END_TEST

START_TEST(containers)
{
	struct json_value *v = parse(
		"{\"event\":\"symptom\",\"press\":2,\"seg\":{\"pace\":\"jog\"},"
		"\"list\":[1,[2,3],{\"x\":4},5],\"ok\":false}");
	const struct json_value *list, *c;
	int64_t i, sum = 0;
	bool b;
	char buf[4];

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(json_len(v), 5);
	ck_assert_str_eq(json_get_string(v, "event"), "symptom");
	ck_assert(json_get_int(v, "press", &i) && i == 2);
	ck_assert_str_eq(json_get_string(json_get(v, "seg"), "pace"), "jog");
	ck_assert(json_get_bool(v, "ok", &b) && !b);
	ck_assert_ptr_null(json_get(v, "missing"));
	ck_assert_ptr_null(json_get_string(v, "press"));	/* wrong type */
	list = json_get(v, "list");
	ck_assert_uint_eq(json_len(list), 4);
	ck_assert(json_value_int(json_at(list, 3), &i) && i == 5);
	ck_assert(json_value_int(json_at(json_at(list, 1), 1), &i) && i == 3);
	ck_assert(json_get_int(json_at(list, 2), "x", &i) && i == 4);
	ck_assert_ptr_null(json_at(list, 4));
	for (c = json_first(list); c; c = json_next(c))
		if (json_value_int(c, &i))
			sum += i;
	ck_assert_int_eq(sum, 6);
	ck_assert_str_eq(json_key_at(v, 4), "ok");
	ck_assert_str_eq(json_member_key(json_first(v)), "event");
	ck_assert(json_get_string_buf(v, "event", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "sym");
	json_value_free(v);

	v = parse("[]");
	ck_assert_int_eq(json_value_type(v), JSON_ARRAY);
	ck_assert_uint_eq(json_len(v), 0);
	ck_assert_ptr_null(json_first(v));
	json_value_free(v);
}
END_TEST

/* Everything a careless or hostile writer might send, refused whole. */
START_TEST(refused)
{
	static const char *const bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
		"01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity",
		"tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u0000\"",
		"\"a\tb\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
		"\"\xf4\x90\x80\x80\"", "1 2", "{} x", "{\"a\":1,\"a\":2}",
		"1e400", "[1]]",
	};
	struct json_read_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_value *v = json_parse(bad[i], strlen(bad[i]), &err);

		if (v)
			ck_abort_msg("accepted: %s", bad[i]);
		ck_assert(err.text[0]);
	}
	ck_assert_ptr_null(json_parse(NULL, 0, &err));
}
END_TEST

START_TEST(error_offset)
{
	struct json_read_error err;

	ck_assert_ptr_null(json_parse("{\"a\":1 \"b\"}", 11, &err));
	ck_assert_uint_eq(err.offset, 7);
	ck_assert_str_eq(err.text, "expected ',' or '}'");
}
END_TEST

START_TEST(depth_bound)
{
	char buf[2 * (JSON_READ_MAX_DEPTH + 2) + 1];
	struct json_value *v;
	size_t n;

	/* Exactly the maximum depth is fine ... */
	n = JSON_READ_MAX_DEPTH + 1;
	memset(buf, '[', n);
	memset(buf + n, ']', n);
	v = json_parse(buf, 2 * n, NULL);
	ck_assert_ptr_nonnull(v);
	json_value_free(v);
	/* ... one more is not. */
	n++;
	memset(buf, '[', n);
	memset(buf + n, ']', n);
	ck_assert_ptr_null(json_parse(buf, 2 * n, NULL));
}
END_TEST

/* Whatever lib/json.h writes, this reads back the same. */
START_TEST(writer_round_trip)
{
	struct json *j = json_new_buffer();
	struct json_value *v;
	const char *text;
	int64_t i;
	double d;

	json_object_begin(j);
	json_key(j, "s");
	json_string(j, "quote \" slash \\ tab \t nl \n ctl \x01 \xe2\x82\xac");
	json_key(j, "neg");
	json_int(j, INT64_MIN);
	json_key(j, "fixed");
	json_fixed(j, -5, 1);
	json_key(j, "bad utf8");
	json_string(j, "\xff");
	json_object_end(j);
	text = json_buffer(j, NULL);
	v = json_parse(text, strlen(text), NULL);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_get_string(v, "s"),
			 "quote \" slash \\ tab \t nl \n ctl \x01 \xe2\x82\xac");
	ck_assert(json_get_int(v, "neg", &i) && i == INT64_MIN);
	ck_assert(json_get_number(v, "fixed", &d) && d == -0.5);
	ck_assert_str_eq(json_get_string(v, "bad utf8"), "\xef\xbf\xbd");
	json_value_free(v);
	json_free(j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json-read");
	TCase *tc = tcase_create("json-read");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, scalars);
	tcase_add_test(tc, containers);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, error_offset);
	tcase_add_test(tc, depth_bound);
	tcase_add_test(tc, writer_round_trip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
