/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link to the treadmill: open, connect with a deadline, reconnect with backoff. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
#include "log.h"
#include "transport.h"
#include "util.h"

/* Reconnect after a drop: 0.5 s, doubling, at most 8 s apart (real time). */
#define RECONNECT_FIRST_US (500 * USEC_PER_MSEC)
#define RECONNECT_MAX_US (8 * USEC_PER_SEC)

struct link {
	struct loop *loop;
	char *name;
	link_open_func_t open;
	void *open_data;
	struct treadmill *tm;
	struct runner *runner;
	link_done_func_t done;
	void *done_data;
	int connect_timer;
	int reconnect_timer;
	int fail_idle;		/* deferred done() for an early failure */
	int fail_err;
	uint64_t backoff_us;
};

struct link *link_new(struct loop *loop, const char *name,
		      link_open_func_t open, void *open_data)
{
	struct link *l = paced_new0(struct link, 1);

	l->loop = loop;
	l->name = paced_strdup(name);
	l->open = open;
	l->open_data = open_data;
	return l;
}

struct treadmill *link_treadmill(const struct link *l)
{
	return l->tm;
}

void link_set_runner(struct link *l, struct runner *r)
{
	if (l)
		l->runner = r;
}

static void finish(struct link *l, int err)
{
	link_done_func_t done = l->done;

	if (l->connect_timer > 0)
		loop_remove(l->loop, l->connect_timer);
	l->connect_timer = 0;
	l->done = NULL;
	if (done)
		done(l, err, l->done_data);
}

static void on_connected(struct treadmill *tm, enum treadmill_op op, int err,
			 uint8_t result, void *user_data)
{
	finish(user_data, err);
}

static bool on_connect_timeout(void *user_data)
{
	struct link *l = user_data;

	l->connect_timer = 0;
	finish(l, -ETIMEDOUT);
	return false;
}

static bool on_fail_idle(void *user_data)
{
	struct link *l = user_data;

	l->fail_idle = 0;
	finish(l, l->fail_err);
	return false;
}

int link_connect(struct link *l, uint64_t timeout_us, link_done_func_t done,
		 void *user_data)
{
	int err;

	if (l->tm || l->done)
		return -EALREADY;
	err = l->open(l->open_data, &l->tm);
	if (err < 0)
		return err;
	l->done = done;
	l->done_data = user_data;
	err = treadmill_connect(l->tm, on_connected, l);
	if (err < 0) {
		/* Report from the loop so the caller's state is settled. */
		l->fail_err = err;
		l->fail_idle = loop_add_idle(l->loop, on_fail_idle, l, NULL);
		return 0;
	}
	l->connect_timer = loop_add_timeout(l->loop, timeout_us, false,
					    on_connect_timeout, l, NULL);
	return 0;
}

static void schedule_reconnect(struct link *l);

static void on_reconnected(struct treadmill *tm, enum treadmill_op op,
			   int err, uint8_t result, void *user_data)
{
	struct link *l = user_data;

	if (err < 0) {
		log_warn_errno(err, "treadmill %s: reconnect failed", l->name);
		schedule_reconnect(l);
		return;
	}
	l->backoff_us = 0;
	log_notice("treadmill %s: link back", l->name);
}

/*
 * docs/design.md: link loss mid-session, reconnect with backoff. The old
 * treadmill is freed here, from a timer, never inside its own callbacks.
 */
static bool on_reconnect(void *user_data)
{
	struct link *l = user_data;
	int err;

	l->reconnect_timer = 0;
	if (l->runner)
		runner_set_treadmill(l->runner, NULL);
	treadmill_free(l->tm);
	l->tm = NULL;
	err = l->open(l->open_data, &l->tm);
	if (err < 0) {
		log_warn_errno(err, "treadmill %s: cannot reconnect", l->name);
		schedule_reconnect(l);
		return false;
	}
	if (l->runner)
		runner_set_treadmill(l->runner, l->tm);
	err = treadmill_connect(l->tm, on_reconnected, l);
	if (err < 0)
		schedule_reconnect(l);
	return false;
}

static void schedule_reconnect(struct link *l)
{
	if (l->reconnect_timer > 0)
		return;
	l->backoff_us = transport_backoff_next(l->backoff_us,
					      RECONNECT_FIRST_US,
					      RECONNECT_MAX_US);
	l->reconnect_timer = loop_add_timeout(l->loop, l->backoff_us, false,
					      on_reconnect, l, NULL);
}

void link_lost(struct link *l)
{
	log_warn("treadmill %s: link lost; reconnecting", l->name);
	schedule_reconnect(l);
}

void link_free(struct link *l)
{
	if (!l)
		return;
	/* No callbacks into the owner while it tears us down. */
	l->done = NULL;
	l->runner = NULL;
	if (l->connect_timer > 0)
		loop_remove(l->loop, l->connect_timer);
	if (l->reconnect_timer > 0)
		loop_remove(l->loop, l->reconnect_timer);
	if (l->fail_idle > 0)
		loop_remove(l->loop, l->fail_idle);
	treadmill_free(l->tm);
	free(l->name);
	free(l);
}
