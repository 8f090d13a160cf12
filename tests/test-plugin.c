/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: loading and ABI checks, sink dispatch, which driver an address needs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <libconfig.h>

#include "address.h"
#include "log.h"
#include "mainloop.h"
#include "plugin.h"
#include "treadmill.h"

static char path[4096];

/* Settings as paced.conf gives them: a group, the file's name. */
static const struct plugin_settings *in(const config_t *cfg, const char *group)
{
	static struct plugin_settings set;

	set = (struct plugin_settings) {
		.group = cfg && group ? config_lookup(cfg, group) : NULL,
		.file = "t.conf",
	};
	return &set;
}

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
			 in(&cfg, "good")), 0);
	ck_assert_uint_eq(plugin_host_count(h), 1);
	ck_assert_ptr_nonnull(plugin_host_find_driver(h, "test:good"));
	ck_assert_ptr_null(plugin_host_find_driver(h, "sim"));
	ck_assert_str_eq(plugin_driver_name(plugin_host_find_driver(h, "test:good")),
			 "good");
	/* Loading it twice is refused. */
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("good"), "good",
			 in(NULL, NULL)), -EEXIST);
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
			 in(&cfg, "good")), want);
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
			 "bad-abi", in(NULL, NULL)), -EPROTO);
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
			 "short", in(NULL, NULL)), -EPROTO);
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
	unsetenv("PACED_PLUGIN_PATH");
	ck_assert_int_eq(plugin_host_load(h, "/nonexistent", "good", NULL),
			 -ENOENT);
	setenv("PACED_PLUGIN_PATH", dir, 1);
	ck_assert_int_eq(plugin_host_load(h, "/nonexistent", "good", NULL), 0);
	/* Names are names, not paths. */
	ck_assert_int_eq(plugin_host_load(h, dir, "../x", NULL), -EINVAL);
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
 * Sinks get every event by name, the cue's parts only with a cue, an
 * export's file and format only with an export; unloading the plugin
 * drops its sink.
 */
START_TEST(test_sink_emit)
{
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	const struct event press = {
		.kind = EVENT_SESSION,
		.session = { .kind = SESSION_EV_SYMPTOM, .press_number = 1 },
	};
	const struct event cue = {
		.kind = EVENT_CUE,
		.cue = { .kind = "symptom", .text = "slow to a walk now",
			 .speed = 500, .in_s = -1 },
	};
	const struct event end = {
		.kind = EVENT_SESSION_END,
		.service = { .detail = "finished", .log = "/x.jsonl" },
	};
	const struct event exported = {
		.kind = EVENT_EXPORT,
		.export = { .format = "fit", .path = "/e/x.fit",
			    .log = "/x.jsonl" },
	};
	const struct event failed = {
		.kind = EVENT_EXPORT,
		.export = { .format = "csv", .log = "/x.jsonl",
			    .error = "/e: Not a directory" },
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
			 "test-sink", in(&cfg, "test-sink")), 0);
	ck_assert_uint_eq(plugin_host_sink_count(h), 1);
	plugin_host_emit(h, &press);
	plugin_host_emit(h, &cue);
	plugin_host_emit(h, &end);
	plugin_host_emit(h, &exported);
	plugin_host_emit(h, &failed);
	ck_assert_str_eq(slurp(file),
			 "symptom\t-\t-\t0\t-\t-\t-\n"
			 "cue\tsymptom\tslow to a walk now\t500\t-\t-\t-\n"
			 "session-end\t-\t-\t0\t/x.jsonl\t-\t-\n"
			 "export\t-\t-\t0\t/x.jsonl\t/e/x.fit\tfit\n"
			 "export\t-\t-\t0\t/x.jsonl\t-\tcsv\n");
	plugin_host_free(h);
	config_destroy(&cfg);
	unlink(file);
	loop_free(loop);
}
END_TEST

/* Whether a plugin file exists in the build tree (a configure switch may
 * have left it out). */
static bool built(const char *name)
{
	const char *b = getenv("top_builddir");
	char p[4096];

	snprintf(p, sizeof(p), "%s/plugins/.libs/%s.so", b ? b : ".", name);
	return access(p, R_OK) == 0;
}

static const char *driver_for(struct plugin_host *h, const char *address)
{
	static char name[64];

	return plugin_driver_for_address(h, "/nonexistent", address, name,
					 sizeof(name)) == 0 ? name : NULL;
}

/* Each driver plugin's own paced_driver_info decides what it takes. */
START_TEST(test_driver_for_address)
{
	struct plugin_host *h = plugin_host_new(NULL, NULL, NULL);
	const char *b = getenv("top_builddir");
	char dirs[8200], name[64];

	snprintf(dirs, sizeof(dirs), "%s/plugins/.libs:%s/tests/plugins/.libs",
		 b ? b : ".", b ? b : ".");
	setenv("PACED_PLUGIN_PATH", dirs, 1);
	ck_assert_str_eq(driver_for(h, "sim"), "sim");
	ck_assert_str_eq(driver_for(h, "unix:/run/t.sock"), "sim");
	if (built("ftms-ble")) {
		ck_assert_str_eq(driver_for(h, "C4:3A:91:0B:22:7E/random"),
				 "ftms-ble");
		ck_assert_str_eq(driver_for(h, "C4:3A:91:0B:22:7E"),
				 "ftms-ble");
		/* name:NAME is the daemon's own form, found by a scanner. */
		ck_assert_str_eq(treadmill_address_name("name:FS-1A2B3C"),
				 "FS-1A2B3C");
		ck_assert_int_eq(plugin_scanner_plugin(h, "/nonexistent", name,
						       sizeof(name)), 0);
	}
	ck_assert_str_eq(treadmill_address_name("name:"), "");
	ck_assert_ptr_null(driver_for(h, "name:FS-1A2B3C"));
	if (built("usb-ant")) {
		ck_assert_str_eq(driver_for(h, "usb-ant"), "usb-ant");
		ck_assert_str_eq(driver_for(h, "usb-ant:sim"), "usb-ant");
		ck_assert_str_eq(driver_for(h, "usb-ant@4242"), "usb-ant");
	}
	ck_assert_ptr_null(driver_for(h, "usb-antenna"));
	ck_assert_ptr_null(driver_for(h, "C4:3A:91:0B:22"));
	ck_assert_ptr_null(driver_for(h, ""));
	/* A driver built out of tree, with a scheme no table knows. */
	ck_assert_str_eq(driver_for(h, "model:1"), "model-treadmill");
	/* Probing loads nothing for good. */
	ck_assert_uint_eq(plugin_host_count(h), 0);
	plugin_host_free(h);
	unsetenv("PACED_PLUGIN_PATH");
}
END_TEST

static struct {
	int link_up;
	bool have_caps;
	struct treadmill_caps caps;
	unsigned data;
	uint16_t speed;
	int done_err;
	enum treadmill_op done_op;
	unsigned done;
} seen;

static void on_link(struct treadmill *tm, bool up, int err, void *user_data)
{
	seen.link_up = up;
}

static void on_caps(struct treadmill *tm, const struct treadmill_caps *caps,
		    void *user_data)
{
	seen.have_caps = true;
	seen.caps = *caps;
}

static void on_data(struct treadmill *tm, const struct treadmill_data *d,
		    void *user_data)
{
	seen.data++;
	if (d->present & TREADMILL_DATA_SPEED)
		seen.speed = d->speed;
}

static void on_done(struct treadmill *tm, enum treadmill_op op, int err,
		    uint8_t result, void *user_data)
{
	seen.done++;
	seen.done_op = op;
	seen.done_err = err;
}

static void run_until(struct loop *loop, unsigned *counter, unsigned want)
{
	for (int i = 0; i < 200 && *counter < want; i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	ck_assert_uint_ge(*counter, want);
}

/*
 * A driver that knows only <paced/plugin.h>: its handle is a treadmill
 * like any other, commands complete through paced_treadmill_done() and
 * its records, caps and link reach the treadmill's events.
 */
START_TEST(test_out_of_tree_driver)
{
	static const struct treadmill_events events = {
		.link = on_link, .caps = on_caps, .data = on_data,
	};
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, NULL, NULL);
	struct paced_open req = { .address = "model:1", .speedup = 10 };
	struct plugin_driver *d;
	struct treadmill *tm;
	config_t cfg;

	memset(&seen, 0, sizeof(seen));
	config_init(&cfg);
	ck_assert(config_read_string(&cfg, "m = { min_speed = 0.8; };"));
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("model-treadmill"),
			 "model-treadmill", in(&cfg, "m")), 0);
	d = plugin_host_find_driver(h, "model:1");
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(plugin_driver_caps(d),
			  PACED_DRIVER_CONTROL | PACED_DRIVER_SPEEDUP);
	ck_assert_int_eq(plugin_driver_open(d, &req, &tm), 0);
	treadmill_set_events(tm, &events, NULL);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	/* Never from inside the call. */
	ck_assert_uint_eq(seen.done, 0);
	run_until(loop, &seen.done, 1);
	ck_assert_int_eq(seen.done_op, TREADMILL_OP_CONNECT);
	ck_assert_int_eq(seen.done_err, 0);
	ck_assert(seen.link_up);
	ck_assert(seen.have_caps && seen.caps.can_control);
	ck_assert_uint_eq(seen.caps.speed_min, 80);
	ck_assert(treadmill_in_control(tm));
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	run_until(loop, &seen.done, 2);
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	run_until(loop, &seen.done, 3);
	ck_assert_int_eq(seen.done_op, TREADMILL_OP_SET_SPEED);
	/* The belt model reaches the speed asked for, and says so. */
	for (int i = 0; i < 100 && seen.speed != 500; i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	ck_assert_uint_eq(seen.speed, 500);
	/* A bad speed is refused at once, nothing queued. */
	ck_assert_int_eq(treadmill_set_speed(tm, 5000, on_done, NULL), -EINVAL);
	/* A command left pending when the handle goes is cancelled. */
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	treadmill_free(tm);
	ck_assert_uint_eq(seen.done, 4);
	ck_assert_int_eq(seen.done_err, -ECANCELED);
	plugin_host_free(h);
	config_destroy(&cfg);
	loop_free(loop);
}
END_TEST

static struct paced_call *held[3];
static unsigned n_held;

static void hold_request(const struct plugin_origin *from,
			 struct paced_call *call, const char *line,
			 void *user_data)
{
	ck_assert_str_eq(line, "status");
	ck_assert_uint_lt(n_held, 3);
	held[n_held++] = call;
}

static unsigned lines_in(const char *file)
{
	unsigned n = 0;

	for (const char *c = slurp(file); *c; c++)
		n += *c == '\n';
	return n;
}

/*
 * An answer can come long after a plugin asked (a start waits for the
 * treadmill). Once the plugin is unloaded, an answer on its way and one
 * given later reach nobody: its code is gone.
 */
START_TEST(test_unload_forgets_pending_answers)
{
	const struct plugin_host_ops ops = { .request = hold_request };
	struct loop *loop = loop_new(NULL);
	struct plugin_host *h = plugin_host_new(loop, &ops, NULL);
	char file[] = "/tmp/test-plugin-answers-XXXXXX", conf[4200];
	config_t cfg;
	int fd = mkstemp(file);

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(conf, sizeof(conf), "test-requester = { file = \"%s\"; };",
		 file);
	config_init(&cfg);
	ck_assert(config_read_string(&cfg, conf));
	ck_assert_int_eq(plugin_host_load_path(h, plugin_path("test-requester"),
			 "test-requester", in(&cfg, "test-requester")), 0);
	for (int i = 0; i < 100 && n_held < 3; i++)
		loop_iterate(loop, 10);
	ck_assert_uint_eq(n_held, 3);
	/* While it is loaded, an answer reaches it, from the loop. */
	paced_call_reply(held[0], "{\"ok\":true}");
	ck_assert_uint_eq(lines_in(file), 0);
	for (int i = 0; i < 100 && lines_in(file) < 1; i++)
		loop_iterate(loop, 10);
	ck_assert_str_eq(slurp(file), "{\"ok\":true}\n");
	/* One answered but not yet delivered, one not answered at all. */
	paced_call_reply(held[1], "{\"ok\":true}");
	plugin_host_free(h);
	paced_call_reply(held[2], "{\"ok\":true}");
	for (int i = 0; i < 5; i++)
		loop_iterate(loop, 10);
	ck_assert_uint_eq(lines_in(file), 1);
	unlink(file);
	config_destroy(&cfg);
	loop_free(loop);
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
	tcase_add_test(tc, test_unload_forgets_pending_answers);
	tcase_add_test(tc, test_driver_for_address);
	tcase_add_test(tc, test_out_of_tree_driver);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
