/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb-ant on a real USB ANT stick: bring-up and first FE page, or skip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "mainloop.h"
#include "usb-ant.h"

/*
 * Needs hardware nobody has in CI: a Dynastream/Garmin stick, an ANT+
 * FE treadmill broadcasting nearby, and the ANT+ network key, which is
 * licensed and never in the tree. Run by hand:
 *   PACED_TEST_ANT_KEY="xx xx xx xx xx xx xx xx" tests/test-usb-ant-hw
 * Exit 77 (skip) when the key or the stick is missing.
 */
static int result = -EINPROGRESS;

static void on_connect(struct treadmill *tm, enum treadmill_op op, int err,
		       uint8_t res, void *user_data)
{
	result = err;
	loop_quit(user_data, 0);
}

static bool on_timeout(void *user_data)
{
	result = -ETIMEDOUT;
	loop_quit(user_data, 0);
	return false;
}

int main(void)
{
	const char *key = getenv("PACED_TEST_ANT_KEY");
	struct usb_ant_config cfg;
	struct usb_ant *ua;
	struct loop *loop;
	int r;

	if (!key || !*key) {
		printf("SKIP: set PACED_TEST_ANT_KEY (the ANT+ network key) "
		       "and plug in an ANT stick near an ANT+ FE treadmill\n");
		return 77;
	}
	r = usb_ant_config_parse(getenv("PACED_TEST_ANT_ADDR") ?
				 getenv("PACED_TEST_ANT_ADDR") : "usb-ant",
				 key, &cfg);
	if (r < 0) {
		fprintf(stderr, "FAIL: %s\n", usb_ant_strerror(r));
		return 1;
	}
	loop = loop_new(NULL);
	if (!loop || usb_ant_new(loop, &cfg, &ua) < 0)
		return 1;
	r = treadmill_connect(usb_ant_get_treadmill(ua), on_connect, loop);
	if (r < 0)
		return 1;
	loop_add_timeout(loop, 60 * USEC_PER_SEC, false, on_timeout, loop,
			 NULL);
	loop_run(loop);
	usb_ant_free(ua);
	loop_free(loop);
	if (result == -ENODEV || result == -EACCES) {
		printf("SKIP: %s\n", usb_ant_strerror(result));
		return 77;
	}
	if (result < 0) {
		fprintf(stderr, "FAIL: %s\n", usb_ant_strerror(result));
		return 1;
	}
	printf("PASS: an ANT+ FE device answered\n");
	return 0;
}
