/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evdev buttons, pure part: key map, press / long press / autorepeat, record reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "evdev-core.h"
#include "input-keys.h"

struct key_map {
	uint16_t code;
	enum paced_action action;
	int arg;
	bool down;
	bool long_fired;
	uint64_t down_us;
};

struct evdev_buttons {
	evdev_action_func_t func;
	void *user_data;
	struct key_map keys[EVDEV_MAX_KEYS];
	unsigned n_keys;
};

int evdev_key_code(const char *name, uint16_t *ret_code)
{
	const struct input_key *k = input_key_by_name(name);
	char *end;
	unsigned long v;

	if (k) {
		*ret_code = k->code;
		return 0;
	}
	if (!*name || *name < '0' || *name > '9')
		return -EINVAL;
	v = strtoul(name, &end, 10);
	if (*end || v == 0 || v > KEY_MAX)
		return -EINVAL;
	*ret_code = (uint16_t) v;
	return 0;
}

static int parse_action(const char *s, enum paced_action *ret_action,
			int *ret_arg)
{
	static const struct {
		const char *name;
		enum paced_action action;
		int arg;
	} actions[] = {
		{ "symptom", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_ANY },
		{ "symptom:leak", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_LEAK },
		{ "symptom:pressure", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_PRESSURE },
		{ "symptom:pain", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_PAIN },
		{ "end", PACED_ACTION_END, 0 },
		{ "pause", PACED_ACTION_PAUSE, 0 },
		{ "resume", PACED_ACTION_RESUME, 0 },
		{ "start", PACED_ACTION_START, 0 },
		{ "stop", PACED_ACTION_STOP, 0 },
	};

	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(actions[i].name, s)) {
			*ret_action = actions[i].action;
			*ret_arg = actions[i].arg;
			return 0;
		}
	return -EINVAL;
}

struct evdev_buttons *evdev_buttons_new(evdev_action_func_t func,
					void *user_data)
{
	struct evdev_buttons *b = calloc(1, sizeof(*b));

	if (!b)
		abort();	/* docs/style.md: abort on OOM */
	b->func = func;
	b->user_data = user_data;
	return b;
}

void evdev_buttons_free(struct evdev_buttons *b)
{
	free(b);
}

int evdev_buttons_map(struct evdev_buttons *b, const char *key,
		      const char *action)
{
	struct key_map *k;
	uint16_t code;
	int r;

	r = evdev_key_code(key, &code);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < b->n_keys; i++)
		if (b->keys[i].code == code)
			return -EEXIST;
	if (b->n_keys == EVDEV_MAX_KEYS)
		return -ENOSPC;
	k = &b->keys[b->n_keys];
	memset(k, 0, sizeof(*k));
	k->code = code;
	r = parse_action(action, &k->action, &k->arg);
	if (r < 0)
		return r;
	b->n_keys++;
	return 0;
}

unsigned evdev_buttons_count(const struct evdev_buttons *b)
{
	return b->n_keys;
}

void evdev_buttons_event(struct evdev_buttons *b, uint16_t type,
			 uint16_t code, int32_t value, uint64_t now_us)
{
	struct key_map *k = NULL;

	if (type != EV_KEY)
		return;		/* EV_SYN, EV_MSC scan codes: not presses */
	for (unsigned i = 0; i < b->n_keys && !k; i++)
		if (b->keys[i].code == code)
			k = &b->keys[i];
	if (!k)
		return;
	switch (value) {
	case 1:
		if (k->down)
			return;	/* a press without release: count once */
		k->down = true;
		k->long_fired = false;
		k->down_us = now_us;
		/* docs/domain.md 2.2: act on the first press at once. */
		b->func(k->action, k->arg, b->user_data);
		break;
	case 0:
		/* The hold is measured press to release as well: a late
		 * timer must not lose a long press. */
		if (k->down && !k->long_fired &&
		    k->action == PACED_ACTION_SYMPTOM &&
		    now_us - k->down_us >= EVDEV_LONG_PRESS_US) {
			k->long_fired = true;
			b->func(PACED_ACTION_END, 0, b->user_data);
		}
		k->down = false;
		break;
	default:
		break;	/* 2 = autorepeat: never a new press */
	}
}

uint64_t evdev_buttons_deadline(const struct evdev_buttons *b)
{
	uint64_t d = 0;

	for (unsigned i = 0; i < b->n_keys; i++) {
		const struct key_map *k = &b->keys[i];
		uint64_t t = k->down_us + EVDEV_LONG_PRESS_US;

		if (k->down && !k->long_fired &&
		    k->action == PACED_ACTION_SYMPTOM && (!d || t < d))
			d = t;
	}
	return d;
}

void evdev_buttons_tick(struct evdev_buttons *b, uint64_t now_us)
{
	for (unsigned i = 0; i < b->n_keys; i++) {
		struct key_map *k = &b->keys[i];

		if (k->down && !k->long_fired &&
		    k->action == PACED_ACTION_SYMPTOM &&
		    now_us - k->down_us >= EVDEV_LONG_PRESS_US) {
			k->long_fired = true;
			b->func(PACED_ACTION_END, 0, b->user_data);
		}
	}
}

void evdev_buttons_reset(struct evdev_buttons *b)
{
	for (unsigned i = 0; i < b->n_keys; i++)
		b->keys[i].down = false;
}

int evdev_reader_read(struct evdev_reader *r, int fd,
		      struct evdev_buttons *b, uint64_t now_us)
{
	uint8_t buf[64 * sizeof(struct input_event)];
	int records = 0;
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ENODEV;
	for (ssize_t i = 0; i < n;) {
		size_t take = sizeof(r->buf) - r->len < (size_t) (n - i) ?
			      sizeof(r->buf) - r->len : (size_t) (n - i);
		struct input_event ev;

		memcpy(r->buf + r->len, buf + i, take);
		r->len += take;
		i += (ssize_t) take;
		if (r->len < sizeof(r->buf))
			break;
		/* Copied out, never cast over the buffer (alignment). */
		memcpy(&ev, r->buf, sizeof(ev));
		r->len = 0;
		records++;
		evdev_buttons_event(b, ev.type, ev.code, ev.value, now_us);
	}
	return records;
}

static int ioctl_get_name(int fd, char *buf, size_t len)
{
	if (!len)
		return -EINVAL;
	memset(buf, 0, len);
	/* The kernel copies at most len - 1 bytes here: the last stays NUL. */
	if (ioctl(fd, EVIOCGNAME(len - 1), buf) < 0)
		return -errno;
	return 0;
}

static int ioctl_grab(int fd, bool on)
{
	return ioctl(fd, EVIOCGRAB, on ? 1 : 0) < 0 ? -errno : 0;
}

const struct evdev_dev_ops evdev_ioctl_ops = {
	.get_name = ioctl_get_name,
	.grab = ioctl_grab,
};
