/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control wire format: request parsing and bounded line splitting. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-proto.h"

static int parse(const char *line, struct ctl_request *req, const char **err)
{
	return ctl_parse_request(line, strlen(line), req, err);
}

START_TEST(requests_parse)
{
	struct ctl_request r;
	const char *err = NULL;

	ck_assert_int_eq(parse("status", &r, &err), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_STATUS);
	ck_assert_int_eq(parse("  symptom\tleak \r", &r, &err), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_SYMPTOM);
	ck_assert_str_eq(r.arg, "leak");
	ck_assert_int_eq(parse("start /x/p2.cfg", &r, &err), 0);
	ck_assert_str_eq(r.arg, "/x/p2.cfg");
	ck_assert_int_eq(parse("watch", &r, &err), 0);
	ck_assert_int_eq(r.cmd, CTL_CMD_WATCH);
}
END_TEST

START_TEST(bad_requests_say_why)
{
	static const struct {
		const char *line;
		const char *error;
	} cases[] = {
		{ "", "empty request" },
		{ "   ", "empty request" },
		{ "jog faster", "unknown command" },
		{ "status now", "this command takes no argument" },
		{ "symptom leak pain", "too many arguments" },
		{ "symptom \x1b[2J", "control characters in request" },
	};
	char big[CTL_ARG_MAX + 20] = "start ";
	struct ctl_request r = { .cmd = CTL_CMD_STOP };
	const char *err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = NULL;
		ck_assert_int_eq(parse(cases[i].line, &r, &err), -EINVAL);
		ck_assert_str_eq(err, cases[i].error);
	}
	memset(big + 6, 'a', CTL_ARG_MAX);
	big[6 + CTL_ARG_MAX] = '\0';
	ck_assert_int_eq(parse(big, &r, &err), -EINVAL);
	ck_assert_str_eq(err, "argument too long");
	/* Failure leaves the request untouched. */
	ck_assert_int_eq(r.cmd, CTL_CMD_STOP);
}
END_TEST

START_TEST(lines_split_across_reads)
{
	struct ctl_linebuf lb = { 0 };
	const char *a = "sta", *b = "tus\nsymptom pain\nsto";
	const char *p, *line;
	size_t len, n;

	p = a;
	n = strlen(a);
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len),
			 CTL_LINE_NONE);
	ck_assert_uint_eq(n, 0);
	p = b;
	n = strlen(b);
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len), CTL_LINE_OK);
	ck_assert_str_eq(line, "status");
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len), CTL_LINE_OK);
	ck_assert_str_eq(line, "symptom pain");
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len),
			 CTL_LINE_NONE);
	ck_assert_uint_eq(lb.len, 3);
}
END_TEST

START_TEST(overlong_line_reported_once_and_skipped)
{
	struct ctl_linebuf lb = { 0 };
	char chunk[100];
	const char *p, *line;
	size_t len, n;
	int too_long = 0;

	memset(chunk, 'x', sizeof(chunk));
	/* 10 KiB without a newline: one report, bounded buffer. */
	for (int i = 0; i < 100; i++) {
		p = chunk;
		n = sizeof(chunk);
		while (n)
			too_long += ctl_linebuf_feed(&lb, &p, &n, &line, &len) ==
				    CTL_LINE_TOO_LONG;
		ck_assert_uint_lt(lb.len, CTL_LINE_MAX);
	}
	ck_assert_int_eq(too_long, 1);
	p = "xx\nstop\n";
	n = strlen(p);
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len),
			 CTL_LINE_NONE);
	ck_assert_int_eq(ctl_linebuf_feed(&lb, &p, &n, &line, &len), CTL_LINE_OK);
	ck_assert_str_eq(line, "stop");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-proto");
	TCase *tc = tcase_create("ctl-proto");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, requests_parse);
	tcase_add_test(tc, bad_requests_say_why);
	tcase_add_test(tc, lines_split_across_reads);
	tcase_add_test(tc, overlong_line_reported_once_and_skipped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
