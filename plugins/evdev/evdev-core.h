/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evdev buttons, pure part: key map, press / long press / autorepeat, record reader. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/input.h>

#include <paced/plugin.h>

/* docs/domain.md 2.2: a hold of 2 s ends the session, timed while still held. */
#define EVDEV_LONG_PRESS_US 2000000ULL
#define EVDEV_MAX_KEYS 16

typedef void (*evdev_action_func_t)(enum paced_action action, int arg,
				    void *user_data);

struct evdev_buttons;

struct evdev_buttons *evdev_buttons_new(evdev_action_func_t func,
					void *user_data);
void evdev_buttons_free(struct evdev_buttons *b);

/* "KEY_ENTER" (or a decimal code) into its code; -EINVAL if unknown. */
int evdev_key_code(const char *name, uint16_t *ret_code);
/*
 * Map a key to an action: "symptom", "symptom:leak|pressure|pain",
 * "end", "pause", "resume", "start", "stop". Returns 0, -EINVAL for an
 * unknown key or action, -ENOSPC past EVDEV_MAX_KEYS, -EEXIST when the
 * key is already mapped.
 */
int evdev_buttons_map(struct evdev_buttons *b, const char *key,
		      const char *action);
unsigned evdev_buttons_count(const struct evdev_buttons *b);

/*
 * One input event at loop time now_us. A mapped key acts on press
 * (value 1) at once, never waiting to tell presses apart; autorepeat
 * (value 2) is ignored; a symptom key still held EVDEV_LONG_PRESS_US
 * after its press also ends the session (at evdev_buttons_tick()).
 */
void evdev_buttons_event(struct evdev_buttons *b, uint16_t type,
			 uint16_t code, int32_t value, uint64_t now_us);
/* The loop time the next tick is due, 0 for none. */
uint64_t evdev_buttons_deadline(const struct evdev_buttons *b);
void evdev_buttons_tick(struct evdev_buttons *b, uint64_t now_us);
/* The device went away: forget held keys (no long press from a ghost). */
void evdev_buttons_reset(struct evdev_buttons *b);

/*
 * The two ioctls that identify and claim a device node. A FIFO (the
 * tests' stand-in for /dev/input/eventN) answers neither, so this tiny
 * table is the seam: the plugin uses evdev_ioctl_ops, tests swap it.
 * Each returns 0 or a negative errno.
 */
struct evdev_dev_ops {
	/* EVIOCGNAME: the kernel's name for the device, NUL-terminated. */
	int (*get_name)(int fd, char *buf, size_t len);
	/* EVIOCGRAB: take (true) or give back exclusive delivery; -EBUSY
	 * when another program holds it. */
	int (*grab)(int fd, bool on);
};

extern const struct evdev_dev_ops evdev_ioctl_ops;

/*
 * Whole struct input_event records from a byte stream (a device node
 * delivers whole records; a pipe may split them).
 */
struct evdev_reader {
	uint8_t buf[sizeof(struct input_event)];
	size_t len;
};

/*
 * Read what fd has and feed each complete record to b. Returns the
 * number of records, 0 when nothing was there (EAGAIN), -ENODEV at end
 * of file or when the device is gone, or another negative errno.
 */
int evdev_reader_read(struct evdev_reader *r, int fd,
		      struct evdev_buttons *b, uint64_t now_us);
