/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver-neutral treadmill handle: forwards commands, fans out events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "treadmill.h"

struct treadmill {
	const struct treadmill_driver_ops *ops;
	void *impl;
	struct treadmill_events events;
	void *user_data;
	struct treadmill_caps caps;	/* last caps emitted */
	bool link_up;			/* last link event */
	bool destroying;
};

struct treadmill *treadmill_new(const struct treadmill_driver_ops *ops,
				void *impl)
{
	struct treadmill *tm = paced_new0(struct treadmill, 1);

	tm->ops = ops;
	tm->impl = impl;
	return tm;
}

void *treadmill_get_impl(const struct treadmill *tm,
			 const struct treadmill_driver_ops *ops)
{
	return tm && tm->ops == ops ? tm->impl : NULL;
}

void treadmill_free(struct treadmill *tm)
{
	if (!tm || tm->destroying)
		return;
	/* The driver's destroy may call back into treadmill_free() (its own
	 * free function frees the handle); the flag stops the recursion. */
	tm->destroying = true;
	if (tm->ops->destroy)
		tm->ops->destroy(tm->impl);
	free(tm);
}

void treadmill_set_events(struct treadmill *tm,
			  const struct treadmill_events *events,
			  void *user_data)
{
	if (events)
		tm->events = *events;
	else
		memset(&tm->events, 0, sizeof(tm->events));
	tm->user_data = user_data;
}

static int command(struct treadmill *tm, enum treadmill_op op, int32_t arg,
		   treadmill_done_func_t done, void *user_data)
{
	if (!tm)
		return -EINVAL;
	if (!tm->ops->command)
		return -EOPNOTSUPP;
	return tm->ops->command(tm->impl, op, arg, done, user_data);
}

int treadmill_connect(struct treadmill *tm, treadmill_done_func_t done,
		      void *user_data)
{
	return command(tm, TREADMILL_OP_CONNECT, 0, done, user_data);
}

int treadmill_request_control(struct treadmill *tm,
			      treadmill_done_func_t done, void *user_data)
{
	return command(tm, TREADMILL_OP_REQUEST_CONTROL, 0, done, user_data);
}

int treadmill_start(struct treadmill *tm, treadmill_done_func_t done,
		    void *user_data)
{
	return command(tm, TREADMILL_OP_START, 0, done, user_data);
}

int treadmill_stop(struct treadmill *tm, treadmill_done_func_t done,
		   void *user_data)
{
	return command(tm, TREADMILL_OP_STOP, 0, done, user_data);
}

int treadmill_pause(struct treadmill *tm, treadmill_done_func_t done,
		    void *user_data)
{
	return command(tm, TREADMILL_OP_PAUSE, 0, done, user_data);
}

int treadmill_set_speed(struct treadmill *tm, uint16_t speed,
			treadmill_done_func_t done, void *user_data)
{
	return command(tm, TREADMILL_OP_SET_SPEED, speed, done, user_data);
}

int treadmill_set_incline(struct treadmill *tm, int16_t incline,
			  treadmill_done_func_t done, void *user_data)
{
	return command(tm, TREADMILL_OP_SET_INCLINE, incline, done, user_data);
}

const struct treadmill_caps *treadmill_get_caps(const struct treadmill *tm)
{
	return &tm->caps;
}

bool treadmill_in_control(const struct treadmill *tm)
{
	return tm->ops->in_control ? tm->ops->in_control(tm->impl) : false;
}

int treadmill_get_counters(const struct treadmill *tm,
			   struct treadmill_counters *ret_counters)
{
	struct treadmill_counters c;

	if (!tm)
		return -EINVAL;
	if (!tm->ops->counters)
		return -EOPNOTSUPP;
	memset(&c, 0, sizeof(c));
	tm->ops->counters(tm->impl, &c);
	*ret_counters = c;
	return 0;
}

const char *treadmill_driver_name(const struct treadmill *tm)
{
	return tm->ops->name ? tm->ops->name : "unknown";
}

const char *treadmill_op_name(enum treadmill_op op)
{
	switch (op) {
	case TREADMILL_OP_CONNECT:
		return "connect";
	case TREADMILL_OP_REQUEST_CONTROL:
		return "request-control";
	case TREADMILL_OP_START:
		return "start";
	case TREADMILL_OP_STOP:
		return "stop";
	case TREADMILL_OP_PAUSE:
		return "pause";
	case TREADMILL_OP_SET_SPEED:
		return "set-speed";
	case TREADMILL_OP_SET_INCLINE:
		return "set-incline";
	}
	return "unknown";
}

bool treadmill_link_up(const struct treadmill *tm)
{
	return tm->link_up;
}

void treadmill_emit_link(struct treadmill *tm, bool up, int err)
{
	tm->link_up = up;
	if (tm->events.link)
		tm->events.link(tm, up, err, tm->user_data);
}

void treadmill_emit_caps(struct treadmill *tm,
			 const struct treadmill_caps *caps)
{
	tm->caps = *caps;
	if (tm->events.caps)
		tm->events.caps(tm, caps, tm->user_data);
}

void treadmill_emit_data(struct treadmill *tm,
			 const struct treadmill_data *data)
{
	if (tm->events.data)
		tm->events.data(tm, data, tm->user_data);
}

void treadmill_emit_status(struct treadmill *tm,
			   const struct treadmill_status *status)
{
	if (tm->events.status)
		tm->events.status(tm, status, tm->user_data);
}
