/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced setup's parts: editing paced.conf's text in place, the button press, --button. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/input.h>

#include "conf-edit.h"
#include "setup.h"

static const char conf[] =
	"# paced.conf\n"
	"treadmill = {\n"
	"\taddress = \"sim\";  # the simulator\n"
	"\t# adapter = \"hci0\";\n"
	"};\n"
	"user = { walk = 5.0; jog = 7.5; };\n"
	"# programme = \"/x/return-to-running.programme\";\n"
	"plugins = {\n"
	"\tsim = {\n"
	"\t\t# speedup = 1;\n"
	"\t};\n"
	"};\n";

static char *edit(const char *text, const char *path, const char *value)
{
	struct conf_text *t = conf_text_new(text);
	char *s;

	ck_assert_int_eq(value ? conf_text_set(t, path, value) :
			 conf_text_unset(t, path), 0);
	s = strdup(conf_text_get(t));
	conf_text_free(t);
	return s;
}

START_TEST(set_in_place_keeps_comments)
{
	char *s = edit(conf, "treadmill.address", "\"C4:3A:91:0B:22:7E/random\"");

	ck_assert_ptr_nonnull(strstr(s, "\taddress = \"C4:3A:91:0B:22:7E/random\";  # the simulator\n"));
	ck_assert_ptr_nonnull(strstr(s, "# paced.conf\n"));
	free(s);
	s = edit(conf, "user.jog", "8.0");
	ck_assert_ptr_nonnull(strstr(s, "user = { walk = 5.0; jog = 8.0; };\n"));
	free(s);
}
END_TEST

START_TEST(set_takes_the_commented_example)
{
	char *s = edit(conf, "programme", "\"/usr/share/p.programme\"");

	ck_assert_ptr_nonnull(strstr(s, "\nprogramme = \"/usr/share/p.programme\";\nplugins"));
	free(s);
	/* The example of a nested group is not the top level's. */
	s = edit(conf, "speedup", "60");
	ck_assert_ptr_nonnull(strstr(s, "\t\t# speedup = 1;\n"));
	ck_assert_ptr_nonnull(strstr(s, "};\nspeedup = 60;\n"));
	free(s);
	s = edit(conf, "plugins.sim.speedup", "60");
	ck_assert_ptr_nonnull(strstr(s, "\tsim = {\n\t\tspeedup = 60;\n\t};"));
	free(s);
}
END_TEST

START_TEST(set_creates_groups)
{
	char *s = edit(conf, "plugins.evdev.keys.KEY_VOLUMEUP", "\"symptom\"");

	ck_assert_ptr_nonnull(strstr(s,
		"\t};\n\tevdev = {\n\t\tkeys = {\n\t\t\tKEY_VOLUMEUP = \"symptom\";\n"
		"\t\t};\n\t};\n};\n"));
	free(s);
	s = edit(conf, "control.group", "\"paced\"");
	ck_assert_ptr_nonnull(strstr(s, "};\ncontrol = {\n\tgroup = \"paced\";\n};\n"));
	free(s);
	s = edit(conf, "user.speed_cap", "9.0");
	ck_assert_ptr_nonnull(strstr(s, "user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };"));
	free(s);
	s = edit("", "units", "\"metric\"");
	ck_assert_str_eq(s, "units = \"metric\";\n");
	free(s);
}
END_TEST

START_TEST(unset_comments_out)
{
	char *s = edit("programme = \"/a\";\nx = 1;\n", "programme", NULL);

	ck_assert_str_eq(s, "# programme = \"/a\";\nx = 1;\n");
	free(s);
	s = edit("a = { b = 1; c = 2; };\n", "a.b", NULL);
	ck_assert_str_eq(s, "a = { c = 2; };\n");
	free(s);
	s = edit("g = {\n\tb = [ 1,\n\t\t2 ];\n};\n", "g.b", NULL);
	ck_assert_str_eq(s, "g = {\n\t# b = [ 1,\n\t\t# 2 ];\n};\n");
	free(s);
	s = edit(conf, "absent", NULL);
	ck_assert_str_eq(s, conf);
	free(s);
}
END_TEST

START_TEST(malformed_text_is_left_alone)
{
	static const char *const bad[] = {
		"a = { b = 1;\n", "a = ;\n", "a = \"open\n", "/* open\na = 1;",
		"= 1;\n", "a = ( 1, 2;\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct conf_text *t = conf_text_new(bad[i]);

		ck_assert_int_eq(conf_text_set(t, "x", "1"), -EBADMSG);
		ck_assert_str_eq(conf_text_get(t), bad[i]);
		conf_text_free(t);
	}
	{
		struct conf_text *t = conf_text_new(conf);

		ck_assert_int_eq(conf_text_set(t, "user.", "1"), -EINVAL);
		ck_assert_int_eq(conf_text_set(t, "user.walk.x", "1"), -EINVAL);
		ck_assert_str_eq(conf_text_get(t), conf);
		conf_text_free(t);
	}
}
END_TEST

START_TEST(quote)
{
	char buf[16];

	ck_assert_int_eq(conf_quote("a\"b\\c", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "\"a\\\"b\\\\c\"");
	ck_assert_int_eq(conf_quote("a\nb", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(conf_quote("0123456789abcdef", buf, sizeof(buf)),
			 -ENOSPC);
}
END_TEST

static void press(int fd, uint16_t type, uint16_t code, int32_t value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };

	ck_assert_int_eq(write(fd, &ev, sizeof(ev)), (ssize_t) sizeof(ev));
}

static unsigned skipped_code;

static void on_skipped(size_t index, uint16_t code)
{
	skipped_code = code;
}

START_TEST(wait_press)
{
	int a[2], b[2], fds[2];
	const char *key = NULL;
	size_t which = 9;

	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	fds[0] = a[0];
	fds[1] = b[0];
	ck_assert_int_eq(setup_wait_press(fds, 2, 50, NULL, &which, &key),
			 -ETIMEDOUT);
	/* A release, an autorepeat, a key without a name, then the press. */
	press(b[1], EV_KEY, KEY_ENTER, 0);
	press(b[1], EV_KEY, KEY_ENTER, 2);
	press(b[1], EV_KEY, KEY_F24, 1);
	press(b[1], EV_SYN, 0, 0);
	press(b[1], EV_KEY, KEY_VOLUMEUP, 1);
	ck_assert_int_eq(setup_wait_press(fds, 2, 1000, on_skipped, &which,
					  &key), 0);
	ck_assert_uint_eq(which, 1);
	ck_assert_str_eq(key, "KEY_VOLUMEUP");
	ck_assert_uint_eq(skipped_code, KEY_F24);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
}
END_TEST

START_TEST(parse_button)
{
	char dev[64];
	const char *key = NULL;

	ck_assert_int_eq(setup_parse_button("AB Shutter3:KEY_VOLUMEUP", dev,
					    sizeof(dev), &key), 0);
	ck_assert_str_eq(dev, "AB Shutter3");
	ck_assert_str_eq(key, "KEY_VOLUMEUP");
	ck_assert_int_eq(setup_parse_button("/dev/input/by-id/x:y:KEY_ENTER",
					    dev, sizeof(dev), &key), 0);
	ck_assert_str_eq(dev, "/dev/input/by-id/x:y");
	ck_assert_int_eq(setup_parse_button("pedal:KEY_NOPE", dev, sizeof(dev),
					    &key), -EINVAL);
	ck_assert_int_eq(setup_parse_button(":KEY_ENTER", dev, sizeof(dev),
					    &key), -EINVAL);
	ck_assert_int_eq(setup_parse_button("pedal", dev, sizeof(dev), &key),
			 -EINVAL);
	ck_assert_str_eq(dev, "/dev/input/by-id/x:y");
}
END_TEST

static Suite *setup_suite(void)
{
	Suite *s = suite_create("setup");
	TCase *tc = tcase_create("conf-edit");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, set_in_place_keeps_comments);
	tcase_add_test(tc, set_takes_the_commented_example);
	tcase_add_test(tc, set_creates_groups);
	tcase_add_test(tc, unset_comments_out);
	tcase_add_test(tc, malformed_text_is_left_alone);
	tcase_add_test(tc, quote);
	suite_add_tcase(s, tc);
	tc = tcase_create("button");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, wait_press);
	tcase_add_test(tc, parse_button);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(setup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
