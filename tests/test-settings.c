/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced.conf as pacectl reads it: the same limits as paced, the other keys left to paced. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"
#include "util.h"

static char path[64];

static void write_conf(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test-settings.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
}

static void teardown(void)
{
	if (path[0])
		(void) unlink(path);
}

START_TEST(reads_what_pacectl_needs)
{
	struct paced_settings s;
	struct profile_error err;

	/* the daemon's keys (treadmill, plugins, ...) are left to paced */
	write_conf("treadmill = { address = \"sim\"; };\n"
		   "user = { walk = 4.5; jog = 7; speed_cap = 8.5; };\n"
		   "scaleback = { recovery = \"3:00\"; };\n"
		   "programme = \"/etc/paced/mine.programme\";\n"
		   "state_dir = \"/srv/paced\";\n"
		   "plugins = { sim = { speedup = 30; }; };\n");
	ck_assert_int_eq(settings_load(path, &s, &err), 0);
	ck_assert_uint_eq(s.limits.walk_speed, 450);
	ck_assert_uint_eq(s.limits.jog_speed, 700);
	ck_assert_uint_eq(s.limits.speed_cap, 850);
	ck_assert_uint_eq(s.limits.policy.recovery_ms, 180000);
	ck_assert_str_eq(s.programme, "/etc/paced/mine.programme");
	ck_assert_str_eq(s.state_dir, "/srv/paced");
	ck_assert_str_eq(s.profile_dir, PROFILEDIR);
	ck_assert_str_eq(s.file, path);
}
END_TEST

START_TEST(defaults_when_absent)
{
	struct paced_settings s;
	struct profile_limits def;

	write_conf("# nothing\n");
	ck_assert_int_eq(settings_load(path, &s, NULL), 0);
	profile_limits_default(&def);
	ck_assert_uint_eq(s.limits.speed_cap, def.speed_cap);
	ck_assert_str_eq(s.state_dir, STATEDIR);
	ck_assert_str_eq(s.programme, "");
}
END_TEST

/* The messages are paced's own (daemon/conf.c reads the same keys
 * through settings_parse_limits()). */
START_TEST(refuses_what_paced_refuses)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "user = { jog = 9.0;\n speed_cap = 8.0; };\n",
		  ":1: jog 9.0 km/h is above speed_cap 8.0 km/h" },
		{ "user = { spead_cap = 8.0; };\n",
		  ":1: unknown key 'spead_cap' in user" },
		{ "user = {\n walk = \"5\"; };\n",
		  ":2: walk must be a speed in km/h, not a string" },
		{ "\nstate_dir = 5;\n", ":2: state_dir must be a string" },
		{ "user = { walk = 4.0 \n", ":2: syntax error" },
	};
	struct paced_settings s = { .file = "untouched" };
	struct profile_error err;
	char want[512];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_conf(bad[i].text);
		ck_assert_int_eq(settings_load(path, &s, &err), -EINVAL);
		snprintf(want, sizeof(want), "%s%s", path, bad[i].error);
		ck_assert_str_eq(err.text, want);
		ck_assert_str_eq(s.file, "untouched");
		unlink(path);
	}
	ck_assert_int_eq(settings_load("/nonexistent/paced.conf", &s, &err),
			 -EINVAL);
	ck_assert_str_eq(err.text, "/nonexistent/paced.conf: cannot read the file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("settings");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, reads_what_pacectl_needs);
	tcase_add_test(tc, defaults_when_absent);
	tcase_add_test(tc, refuses_what_paced_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
