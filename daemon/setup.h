/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced setup': the first run on the box, as root. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* argv[0] is "setup". Returns the exit status: 0 done, 1 a step failed
 * (each says which), 2 bad arguments or an answer that was never given. */
int setup_main(int argc, char **argv);

/*
 * Wait up to timeout_ms for a key press (struct input_event, EV_KEY,
 * value 1) of a key paced knows by name (lib/input-keys.h) on any of the
 * n fds; presses of other keys are reported through skipped (may be
 * NULL) and waited past. Returns 0 with the fd's index and the key's
 * name, -ETIMEDOUT, or another negative errno.
 */
int setup_wait_press(const int *fds, size_t n, int timeout_ms,
		     void (*skipped)(size_t index, uint16_t code),
		     size_t *ret_index, const char **ret_key);

/*
 * "DEVICE:KEY" (split at the last ':') into the device (a path or an
 * input device's name) and a key name paced knows. Returns 0, or
 * -EINVAL without touching the outputs.
 */
int setup_parse_button(const char *arg, char *dev, size_t len,
		       const char **ret_key);
