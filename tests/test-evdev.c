/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evdev buttons: input_event records through pipes; hot-plug and grab through the plugin host. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <check.h>
#include <libconfig.h>

#include "evdev-core.h"
#include "log.h"
#include "mainloop.h"
#include "plugin.h"

#define MAX_ACTIONS 16

struct got {
	enum paced_action action[MAX_ACTIONS];
	int arg[MAX_ACTIONS];
	unsigned n;
};

static struct got got;
static struct evdev_buttons *b;
static struct evdev_reader reader;
static int fds[2];

static void on_action(enum paced_action action, int arg, void *user_data)
{
	ck_assert_ptr_eq(user_data, &got);
	ck_assert_uint_lt(got.n, MAX_ACTIONS);
	got.action[got.n] = action;
	got.arg[got.n] = arg;
	got.n++;
}

static void setup(void)
{
	memset(&got, 0, sizeof(got));
	memset(&reader, 0, sizeof(reader));
	b = evdev_buttons_new(on_action, &got);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_ENTER", "symptom"), 0);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_VOLUMEUP", "symptom:leak"), 0);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_PAGEDOWN", "pause"), 0);
	ck_assert_int_eq(evdev_buttons_map(b, "104", "resume"), 0);	/* KEY_PAGEUP */
	ck_assert_int_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void teardown(void)
{
	evdev_buttons_free(b);
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

/* Write records to the pipe, as a device (or a test FIFO) delivers them. */
static void send_ev(uint16_t type, uint16_t code, int32_t value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };

	ck_assert_int_eq(write(fds[1], &ev, sizeof(ev)), (int) sizeof(ev));
}

static void key(uint16_t code, int32_t value)
{
	send_ev(EV_MSC, MSC_SCAN, 0x70028);
	send_ev(EV_KEY, code, value);
	send_ev(EV_SYN, SYN_REPORT, 0);
}

static int pump(uint64_t now_us)
{
	return evdev_reader_read(&reader, fds[0], b, now_us);
}

START_TEST(test_press_acts_at_once)
{
	key(KEY_ENTER, 1);
	ck_assert_int_eq(pump(1000), 3);
	/* On the press itself, before any release. */
	ck_assert_uint_eq(got.n, 1);
	ck_assert_int_eq(got.action[0], PACED_ACTION_SYMPTOM);
	ck_assert_int_eq(got.arg[0], PACED_SYMPTOM_ANY);
	key(KEY_ENTER, 0);
	ck_assert_int_eq(pump(200000), 3);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(evdev_buttons_deadline(b), 0);
}
END_TEST

START_TEST(test_long_press_timer)
{
	key(KEY_ENTER, 1);
	pump(1000000);
	ck_assert_uint_eq(evdev_buttons_deadline(b), 1000000 + EVDEV_LONG_PRESS_US);
	evdev_buttons_tick(b, 2999999);
	ck_assert_uint_eq(got.n, 1);
	/* Still held at 2 s: ends the session without waiting for release. */
	evdev_buttons_tick(b, 3000000);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(got.action[1], PACED_ACTION_END);
	ck_assert_uint_eq(evdev_buttons_deadline(b), 0);
	evdev_buttons_tick(b, 4000000);
	key(KEY_ENTER, 0);
	pump(5000000);
	ck_assert_uint_eq(got.n, 2);
}
END_TEST

START_TEST(test_long_press_on_release)
{
	/* The timer was late (a busy loop): the release still counts. */
	key(KEY_ENTER, 1);
	pump(0);
	key(KEY_ENTER, 0);
	pump(EVDEV_LONG_PRESS_US + 5);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(got.action[1], PACED_ACTION_END);
}
END_TEST

START_TEST(test_autorepeat_ignored)
{
	key(KEY_VOLUMEUP, 1);
	for (int i = 0; i < 20; i++)
		key(KEY_VOLUMEUP, 2);
	key(KEY_VOLUMEUP, 0);
	/* One read takes at most 64 records; the rest on the next. */
	ck_assert_int_eq(pump(1000), 64);
	ck_assert_int_eq(pump(1000), 2);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_int_eq(got.action[0], PACED_ACTION_SYMPTOM);
	ck_assert_int_eq(got.arg[0], PACED_SYMPTOM_LEAK);
}
END_TEST

START_TEST(test_mapping)
{
	key(KEY_PAGEDOWN, 1);
	key(KEY_PAGEDOWN, 0);
	key(KEY_PAGEUP, 1);
	key(KEY_PAGEUP, 0);
	key(KEY_A, 1);		/* not mapped */
	key(KEY_A, 0);
	pump(1000);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_int_eq(got.action[0], PACED_ACTION_PAUSE);
	ck_assert_int_eq(got.action[1], PACED_ACTION_RESUME);
	/* Only symptom keys have a long press. */
	key(KEY_PAGEDOWN, 1);
	pump(0);
	ck_assert_uint_eq(evdev_buttons_deadline(b), 0);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_NOPE", "symptom"), -EINVAL);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_B", "jump"), -EINVAL);
	ck_assert_int_eq(evdev_buttons_map(b, "KEY_ENTER", "stop"), -EEXIST);
	ck_assert_int_eq(evdev_buttons_map(b, "0", "stop"), -EINVAL);
	ck_assert_uint_eq(evdev_buttons_count(b), 4);
}
END_TEST

START_TEST(test_split_records)
{
	struct input_event ev = { .type = EV_KEY, .code = KEY_ENTER, .value = 1 };
	const uint8_t *p = (const uint8_t *) &ev;

	/* A pipe may split a record: nothing until it is whole. */
	ck_assert_int_eq(write(fds[1], p, 5), 5);
	ck_assert_int_eq(pump(0), 0);
	ck_assert_uint_eq(got.n, 0);
	ck_assert_int_eq(write(fds[1], p + 5, sizeof(ev) - 5),
			 (int) (sizeof(ev) - 5));
	ck_assert_int_eq(pump(0), 1);
	ck_assert_uint_eq(got.n, 1);
	/* Nothing more to read; then the writer goes away. */
	ck_assert_int_eq(pump(0), 0);
	close(fds[1]);
	fds[1] = -1;
	ck_assert_int_eq(pump(0), -ENODEV);
}
END_TEST

START_TEST(test_reset_forgets_held)
{
	key(KEY_ENTER, 1);
	pump(0);
	evdev_buttons_reset(b);		/* the device vanished mid-hold */
	ck_assert_uint_eq(evdev_buttons_deadline(b), 0);
	evdev_buttons_tick(b, 10 * EVDEV_LONG_PRESS_US);
	ck_assert_uint_eq(got.n, 1);
}
END_TEST

/* ---- hot-plug and grab, through the plugin host ---- */

/*
 * The plugin as paced loads it: evdev.so for what real ioctls can show
 * on a FIFO, evdev-test.so (the same sources exporting evdev_test_ops)
 * where the test must answer EVIOCGNAME and EVIOCGRAB itself. Device
 * nodes are FIFOs in a temporary input_dir; paced's log goes to a file.
 */
#define MAX_NODES 4

struct fake_node {
	const char *node;	/* basename in input_dir */
	const char *name;	/* what EVIOCGNAME says */
	int busy;		/* grabs that fail with EBUSY first */
	int grabs, grabbed;	/* grab calls, successful ones */
};

static struct fake_node nodes[MAX_NODES];
static char tmp[512], input_dir[600], log_path[600];
static struct loop *loop;
static struct plugin_host *host;
static void *test_dl;
static config_t cfg;

struct hp_action {
	enum paced_action action;
	int arg;
	char source[256];
};

static struct hp_action acts[MAX_ACTIONS];
static unsigned n_acts;

static struct fake_node *node_of(int fd)
{
	char link[64], path[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	for (unsigned i = 0; i < MAX_NODES; i++)
		if (nodes[i].node && !strcmp(nodes[i].node, base))
			return &nodes[i];
	return NULL;
}

static int fake_get_name(int fd, char *buf, size_t len)
{
	struct fake_node *n = node_of(fd);

	if (!n || !n->name)
		return -ENOTTY;
	snprintf(buf, len, "%s", n->name);
	return 0;
}

static int fake_grab(int fd, bool on)
{
	struct fake_node *n = node_of(fd);

	if (!n)
		return -ENOTTY;
	n->grabs++;
	if (n->busy > 0) {
		n->busy--;
		return -EBUSY;
	}
	n->grabbed++;
	return 0;
}

static const struct evdev_dev_ops fake_ops = {
	.get_name = fake_get_name,
	.grab = fake_grab,
};

static int on_host_action(const struct plugin_origin *from,
			  enum paced_action action, int arg, void *user_data)
{
	const char *source = from->source;

	ck_assert_str_eq(from->plugin, "evdev");
	/* Buttons are at the box: they may start the belt. */
	ck_assert(from->may_start);
	ck_assert_uint_lt(n_acts, MAX_ACTIONS);
	acts[n_acts].action = action;
	acts[n_acts].arg = arg;
	snprintf(acts[n_acts].source, sizeof(acts[n_acts].source), "%s", source);
	n_acts++;
	return 0;
}

static const struct plugin_host_ops host_ops = { .action = on_host_action };

/* A plugin's settings: its group in a config read here, as paced.conf. */
static const struct plugin_settings *settings(const char *group)
{
	static struct plugin_settings set;

	set = (struct plugin_settings) {
		.group = group ? config_lookup(&cfg, group) : NULL,
		.file = "t.conf",
	};
	return &set;
}

static const char *so_path(const char *rel)
{
	static char p[PATH_MAX];
	const char *bd = getenv("top_builddir");

	snprintf(p, sizeof(p), "%s/%s", bd ? bd : ".", rel);
	return p;
}

static void hp_setup(void)
{
	int fd;

	memset(nodes, 0, sizeof(nodes));
	n_acts = 0;
	snprintf(tmp, sizeof(tmp), "%s/test-evdev.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(input_dir, sizeof(input_dir), "%s/input", tmp);
	ck_assert_int_eq(mkdir(input_dir, 0700), 0);
	/* paced's log lines are what a person reads: capture them. */
	snprintf(log_path, sizeof(log_path), "%s/log", tmp);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	log_init("test-evdev", LOG_TARGET_STDERR, NULL);
	loop = loop_new(NULL);
	host = plugin_host_new(loop, &host_ops, NULL);
	config_init(&cfg);
}

static void hp_teardown(void)
{
	char cmd[600];

	plugin_host_free(host);
	if (test_dl)
		dlclose(test_dl);
	test_dl = NULL;
	loop_free(loop);
	config_destroy(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

/* Load evdev.so (test_hooks false) or evdev-test.so with fake ioctls. */
static int load(bool test_hooks, const char *group)
{
	const char *path = so_path(test_hooks ? "tests/plugins/.libs/evdev-test.so" :
				   "plugins/.libs/evdev.so");
	char text[8192];

	snprintf(text, sizeof(text), "evdev = { input_dir = \"%s\"; %s };",
		 input_dir, group);
	ck_assert_msg(config_read_string(&cfg, text), "%s", config_error_text(&cfg));
	if (test_hooks) {
		const struct evdev_dev_ops **hook;

		/* The host's dlopen of the same path gets this same copy. */
		test_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		ck_assert_msg(test_dl, "%s", dlerror());
		hook = dlsym(test_dl, "evdev_test_ops");
		ck_assert_ptr_nonnull(hook);
		*hook = &fake_ops;
	}
	return plugin_host_load_path(host, path, "evdev", settings("evdev"));
}

static bool log_has(const char *needle)
{
	char buf[16384];
	ssize_t n;
	int fd = open(log_path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Run the loop until *count reaches want: never sleeps past events, and
 * gives up after about 5 s. */
static bool pump_until(const int *count, int want)
{
	for (int i = 0; i < 100 && *count < want; i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	return *count >= want;
}

static bool pump_acts(unsigned want)
{
	for (int i = 0; i < 100 && n_acts < want; i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	return n_acts >= want;
}

static bool pump_log(const char *needle)
{
	for (int i = 0; i < 100 && !log_has(needle); i++)
		ck_assert_int_ge(loop_iterate(loop, 50), 0);
	return log_has(needle);
}

static void make_node(const char *base)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", input_dir, base);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
}

static void remove_node(const char *base)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", input_dir, base);
	ck_assert_int_eq(unlink(p), 0);
}

/* The device's other end; ENXIO means paced does not have it open. */
static int open_writer(const char *base)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", input_dir, base);
	return open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

static void press(int fd, uint16_t code)
{
	struct input_event ev[3] = {
		{ .type = EV_MSC, .code = MSC_SCAN, .value = 0x70028 },
		{ .type = EV_KEY, .code = code, .value = 1 },
		{ .type = EV_SYN, .code = SYN_REPORT },
	};

	ck_assert_int_eq(write(fd, ev, sizeof(ev)), (int) sizeof(ev));
}

START_TEST(test_hotplug_by_name)
{
	int w, w2;

	/* hid-input splits a remote into one node per application. */
	nodes[0] = (struct fake_node) { .node = "event3",
					.name = "AB Shutter3 Consumer Control" };
	nodes[1] = (struct fake_node) { .node = "event1", .name = "USB Keyboard" };
	nodes[2] = (struct fake_node) { .node = "event4",
					.name = "AB Shutter3 Keyboard" };
	nodes[3] = (struct fake_node) { .node = "event6", .name = "AB Shutter30" };
	ck_assert_int_eq(load(true, "devices = [ \"AB Shutter3\" ];"
			      "keys = { KEY_VOLUMEUP = \"symptom:leak\";"
			      " KEY_ENTER = \"pause\"; };"), 0);
	/* Nothing there at start; then a keyboard and the remote appear. */
	ck_assert_uint_eq(n_acts, 0);
	make_node("event1");
	make_node("event3");
	make_node("event6");
	ck_assert(pump_until(&nodes[0].grabbed, 1));
	ck_assert(log_has("listening to AB Shutter3 Consumer Control"));
	/* Other devices were asked their names, left alone, not grabbed. */
	ck_assert_int_eq(nodes[1].grabs, 0);
	ck_assert_int_eq(open_writer("event1"), -1);
	ck_assert_int_eq(errno, ENXIO);
	ck_assert_int_eq(nodes[3].grabs, 0);
	ck_assert_int_eq(open_writer("event6"), -1);
	w = open_writer("event3");
	ck_assert_int_ge(w, 0);
	press(w, KEY_VOLUMEUP);
	ck_assert(pump_acts(1));
	ck_assert_int_eq(acts[0].action, PACED_ACTION_SYMPTOM);
	ck_assert_int_eq(acts[0].arg, PACED_SYMPTOM_LEAK);
	ck_assert_str_eq(acts[0].source, "AB Shutter3 Consumer Control");
	/* Its second node, later: taken too, Enter comes from there. */
	make_node("event4");
	ck_assert(pump_until(&nodes[2].grabbed, 1));
	w2 = open_writer("event4");
	ck_assert_int_ge(w2, 0);
	press(w2, KEY_ENTER);
	ck_assert(pump_acts(2));
	ck_assert_int_eq(acts[1].action, PACED_ACTION_PAUSE);
	ck_assert_str_eq(acts[1].source, "AB Shutter3 Keyboard");
	close(w);
	close(w2);
}
END_TEST

START_TEST(test_vanish_and_return)
{
	int w;

	nodes[0] = (struct fake_node) { .node = "event3", .name = "AB Shutter3" };
	nodes[1] = (struct fake_node) { .node = "event7", .name = "AB Shutter3" };
	make_node("event3");
	ck_assert_int_eq(load(true, "devices = [ \"AB Shutter3\" ];"
			      "keys = { KEY_ENTER = \"pause\"; };"), 0);
	/* Present at start: opened during init. */
	ck_assert_int_eq(nodes[0].grabbed, 1);
	w = open_writer("event3");
	ck_assert_int_ge(w, 0);
	/* The device goes away (the fd reports it); its node goes too. */
	close(w);
	ck_assert(pump_log("is gone (no device); waiting for it to come back"));
	remove_node("event3");
	/* It comes back as another node and is picked up again. */
	make_node("event7");
	ck_assert(pump_until(&nodes[1].grabbed, 1));
	w = open_writer("event7");
	ck_assert_int_ge(w, 0);
	press(w, KEY_ENTER);
	ck_assert(pump_acts(1));
	ck_assert_int_eq(acts[0].action, PACED_ACTION_PAUSE);
	/* Removing the node is enough, even with the fd still quiet. */
	remove_node("event7");
	ck_assert(pump_log("is gone (removed)"));
	ck_assert_int_eq(open_writer("event7"), -1);
	make_node("event7");
	ck_assert(pump_until(&nodes[1].grabbed, 2));
	close(w);
}
END_TEST

START_TEST(test_grab_busy)
{
	int w;

	nodes[0] = (struct fake_node) { .node = "event2", .name = "Foot Switch",
					.busy = 1 };
	ck_assert_int_eq(load(true, "devices = [ \"Foot Switch\" ];"), 0);
	make_node("event2");
	ck_assert(pump_until(&nodes[0].grabs, 1));
	ck_assert(log_has("cannot grab"));
	ck_assert(log_has("Device or resource busy"));
	ck_assert_int_eq(nodes[0].grabbed, 0);
	/* Used all the same: the default KEY_ENTER is a symptom. */
	w = open_writer("event2");
	ck_assert_int_ge(w, 0);
	press(w, KEY_ENTER);
	ck_assert(pump_acts(1));
	ck_assert_int_eq(acts[0].action, PACED_ACTION_SYMPTOM);
	ck_assert_int_eq(acts[0].arg, PACED_SYMPTOM_ANY);
	/* A record got through, so the other program let go: grab now. */
	ck_assert_int_eq(nodes[0].grabbed, 1);
	ck_assert(log_has("grabbed Foot Switch ("));
	close(w);
}
END_TEST

START_TEST(test_no_grab)
{
	int w;

	/* grab = false: shared with a console on purpose, never grabbed. */
	nodes[0] = (struct fake_node) { .node = "event2", .name = "Foot Switch" };
	make_node("event2");
	ck_assert_int_eq(load(true, "devices = [ \"Foot Switch\" ]; grab = false;"), 0);
	w = open_writer("event2");
	ck_assert_int_ge(w, 0);
	press(w, KEY_ENTER);
	ck_assert(pump_acts(1));
	ck_assert_int_eq(nodes[0].grabs, 0);
	close(w);
}
END_TEST

START_TEST(test_hotplug_by_path)
{
	char link[1024], dir[700], group[2048];
	int w;

	/* The shipped plugin with real ioctls: a FIFO has no name and
	 * cannot be grabbed (ENOTTY), which must not cost the button. */
	snprintf(dir, sizeof(dir), "%s/by-id", input_dir);
	snprintf(link, sizeof(link), "%s/usb-Pedal-event-kbd", dir);
	/* A second, absent device right in input_dir: watching for it must
	 * not narrow input_dir's own watch (removals). */
	snprintf(group, sizeof(group), "devices = [ \"%s\", \"%s/event9\" ];"
		 "keys = { KEY_B = \"symptom:pain\"; };", link, input_dir);
	ck_assert_int_eq(load(false, group), 0);
	/* The node first; udev makes the by-id directory and link later. */
	make_node("event5");
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(loop_iterate(loop, 20), 0);
	ck_assert_int_eq(open_writer("event5"), -1);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(loop_iterate(loop, 20), 0);
	ck_assert_int_eq(symlink("../event5", link), 0);
	ck_assert(pump_log("listening to"));
	ck_assert(log_has("cannot grab"));
	w = open_writer("event5");
	ck_assert_int_ge(w, 0);
	press(w, KEY_B);
	ck_assert(pump_acts(1));
	ck_assert_int_eq(acts[0].action, PACED_ACTION_SYMPTOM);
	ck_assert_int_eq(acts[0].arg, PACED_SYMPTOM_PAIN);
	ck_assert_ptr_nonnull(strstr(acts[0].source, "/input/event5"));
	remove_node("event5");
	ck_assert(pump_log("is gone (removed)"));
	close(w);
}
END_TEST

START_TEST(test_bad_input_dir)
{
	ck_assert_int_eq(plugin_host_load_path(host, so_path("plugins/.libs/evdev.so"),
			 "evdev", settings(NULL)), 0);
	plugin_host_free(host);
	host = plugin_host_new(loop, &host_ops, NULL);
	ck_assert(config_read_string(&cfg, "evdev = {\n devices = [ \"x\" ];\n"
				     " input_dir = \"dev/input\";\n};"));
	ck_assert_int_eq(plugin_host_load_path(host, so_path("plugins/.libs/evdev.so"),
			 "evdev", settings("evdev")), -EINVAL);
	ck_assert(log_has("t.conf:3: input_dir must be an absolute directory path"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evdev");
	TCase *tc = tcase_create("buttons");
	TCase *hp = tcase_create("hotplug");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_press_acts_at_once);
	tcase_add_test(tc, test_long_press_timer);
	tcase_add_test(tc, test_long_press_on_release);
	tcase_add_test(tc, test_autorepeat_ignored);
	tcase_add_test(tc, test_mapping);
	tcase_add_test(tc, test_split_records);
	tcase_add_test(tc, test_reset_forgets_held);
	suite_add_tcase(s, tc);
	tcase_set_timeout(hp, 20);
	tcase_add_checked_fixture(hp, hp_setup, hp_teardown);
	tcase_add_test(hp, test_hotplug_by_name);
	tcase_add_test(hp, test_vanish_and_return);
	tcase_add_test(hp, test_grab_busy);
	tcase_add_test(hp, test_no_grab);
	tcase_add_test(hp, test_hotplug_by_path);
	tcase_add_test(hp, test_bad_input_dir);
	suite_add_tcase(s, hp);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
