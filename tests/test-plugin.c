/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: loading and ABI checks, sink dispatch, which driver an address needs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <check.h>
#include <libconfig.h>

#include "log.h"
#include "mainloop.h"
#include "plugin.h"

static char path[4096];

static const char *plugin_path(const char *name)
{
	const char *b = getenv("top_builddir");

	snprintf(path, sizeof(path), "%s/tests/plugins/.libs/%s.so",
		 b ? b : ".", name);
	return path;
}

START_TEST(test_good)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	config_t cfg;

	config_init(&cfg);
	ck_assert(config_read_string(&cfg, "good = { answer = 42; };"));
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("good"), "good",
			 config_lookup(&cfg, "good"), "t.conf"), 0);
	ck_assert_uint_eq(plugin_host_count(h), 1);
	ck_assert_ptr_nonnull(plugin_host_find_driver(h, "test:good"));
	ck_assert_ptr_null(plugin_host_find_driver(h, "sim"));
	ck_assert_str_eq(plugin_driver_name(plugin_host_find_driver(h, "test:good")),
			 "good");
	/* Loading it twice is refused. */
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("good"), "good",
			 NULL, "t.conf"), -EEXIST);
	plugin_host_free(h);
	config_destroy(&cfg);
	loop_free(loop);
}
END_TEST

/* The good plugin with the group "good = ..." in text is refused with
 * want, and nothing of it stays registered. */
static void good_refused(const char *text, int want)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	config_t cfg;

	config_init(&cfg);
	ck_assert(config_read_string(&cfg, text));
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("good"), "good",
			 config_lookup(&cfg, "good"), "t.conf"), want);
	ck_assert_uint_eq(plugin_host_count(h), 0);
	ck_assert_ptr_null(plugin_host_find_driver(h, "test:good"));
	plugin_host_free(h);
	config_destroy(&cfg);
	loop_free(loop);
}

/* The plugin sees its own group: a wrong value makes init fail. */
START_TEST(test_init_fails)
{
	good_refused("good = { answer = 41; };", -ERANGE);
}
END_TEST

/* A misspelt key is refused with its line, not silently ignored. */
START_TEST(test_unknown_key)
{
	good_refused("good = {\n  answer = 42;\n  answr = 42;\n};", -EINVAL);
}
END_TEST

START_TEST(test_wrong_abi)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);

	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("bad-abi"),
			 "bad-abi", NULL, "t.conf"), -EPROTO);
	ck_assert_uint_eq(plugin_host_count(h), 0);
	plugin_host_free(h);
	loop_free(loop);
}
END_TEST

START_TEST(test_short_size)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);

	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("short"),
			 "short", NULL, "t.conf"), -EPROTO);
	ck_assert_uint_eq(plugin_host_count(h), 0);
	plugin_host_free(h);
	loop_free(loop);
}
END_TEST

START_TEST(test_search_path)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	char dir[4096];
	const char *b = getenv("top_builddir");

	snprintf(dir, sizeof(dir), "%s/tests/plugins/.libs", b ? b : ".");
	ck_assert_int_eq(plugin_host_load(h, "/nonexistent", "good", NULL,
					  "t.conf"), -ENOENT);
	setenv("PACED_PLUGIN_PATH", dir, 1);
	ck_assert_int_eq(plugin_host_load(h, "/nonexistent", "good", NULL,
					  "t.conf"), 0);
	/* Names are names, not paths. */
	ck_assert_int_eq(plugin_host_load(h, dir, "../x", NULL, "t.conf"),
			 -EINVAL);
	plugin_host_free(h);
	loop_free(loop);
}
END_TEST

static char *slurp(const char *file)
{
	static char buf[4096];
	FILE *f = fopen(file, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Sinks get every runner event by name, and the cue's parts only with a
 * "cue" event; anything that is not a runner event object is not passed
 * on. Unloading the plugin drops its sink.
 */
START_TEST(test_sink_emit)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	const struct plugin_cue cue = {
		.kind = "symptom", .text = "slow to a walk now", .speed = 500,
	};
	char file[] = "/tmp/test-plugin-sink-XXXXXX", conf[4200];
	config_t cfg;
	int fd = mkstemp(file);

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(conf, sizeof(conf), "test-sink = { file = \"%s\"; };", file);
	config_init(&cfg);
	ck_assert(config_read_string(&cfg, conf));
	ck_assert_uint_eq(plugin_host_sink_count(h), 0);
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("test-sink"),
			 "test-sink", config_lookup(&cfg, "test-sink"),
			 "t.conf"), 0);
	ck_assert_uint_eq(plugin_host_sink_count(h), 1);
	plugin_host_emit_runner(h, "{\"event\":\"symptom\",\"press\":1}",
				&cue);
	plugin_host_emit_runner(h, "{\"event\":\"cue\",\"kind\":\"symptom\"}",
				&cue);
	plugin_host_emit_runner(h, "{\"event\":\"cue\"}", NULL);
	plugin_host_emit_runner(h, "{\"ok\":true}", &cue);
	ck_assert_str_eq(slurp(file),
			 "symptom\t-\t-\t0\n"
			 "cue\tsymptom\tslow to a walk now\t500\n"
			 "cue\t-\t-\t0\n");
	plugin_host_free(h);
	config_destroy(&cfg);
	unlink(file);
	loop_free(loop);
}
END_TEST

START_TEST(test_driver_for_address)
{
	ck_assert_str_eq(plugin_driver_for_address("sim"), "sim");
	ck_assert_str_eq(plugin_driver_for_address("unix:/run/t.sock"), "sim");
	ck_assert_str_eq(plugin_driver_for_address("C4:3A:91:0B:22:7E/random"),
			 "ftms-ble");
	ck_assert_str_eq(plugin_driver_for_address("C4:3A:91:0B:22:7E"),
			 "ftms-ble");
	ck_assert_str_eq(plugin_driver_for_address("name:FS-1A2B3C"),
			 "ftms-ble");
	ck_assert_ptr_null(plugin_driver_for_address("name:"));
	ck_assert_str_eq(plugin_driver_for_address("usb-ant"), "usb-ant");
	ck_assert_str_eq(plugin_driver_for_address("usb-ant:sim"), "usb-ant");
	ck_assert_str_eq(plugin_driver_for_address("usb-ant@4242"), "usb-ant");
	ck_assert_ptr_null(plugin_driver_for_address("usb-antenna"));
	ck_assert_ptr_null(plugin_driver_for_address("C4:3A:91:0B:22"));
	ck_assert_ptr_null(plugin_driver_for_address(""));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("loader");
	SRunner *sr;
	int failed;

	log_init("test-plugin", LOG_TARGET_STDERR, NULL);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_init_fails);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_wrong_abi);
	tcase_add_test(tc, test_short_size);
	tcase_add_test(tc, test_search_path);
	tcase_add_test(tc, test_sink_emit);
	tcase_add_test(tc, test_driver_for_address);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
