/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evdev buttons: struct input_event records through a pipe into the plugin's reader. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "evdev-core.h"

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

int main(void)
{
	Suite *s = suite_create("evdev");
	TCase *tc = tcase_create("buttons");
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
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
