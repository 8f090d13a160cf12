/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "evdev" input plugin: symptom buttons that Linux exposes as input devices. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include <paced/plugin.h>

#include "evdev-core.h"

#define MAX_DEVICES 8
#define INPUT_DIR "/dev/input"

/*
 * One configured device: a path ("/dev/input/by-id/...-event-kbd", whose
 * link is resolved at each scan) or an EVIOCGNAME name ("AB Shutter3",
 * for BLE remotes that have no by-id link; DOMAIN.md 2.1).
 */
struct device {
	char spec[PATH_MAX];
	bool is_path;
	int fd;			/* -1 while absent */
	int watch;
	char node[PATH_MAX];	/* the eventN it is open on */
	char name[256];
	struct evdev_reader reader;
};

struct evdev {
	struct paced_plugin *self;
	struct evdev_buttons *buttons;
	struct device devices[MAX_DEVICES];
	unsigned n_devices;
	const char *source;	/* device name of the record being handled */
	bool grab;
	int inotify_fd, inotify_watch;
	int long_timer;
	/* Testing: records from a FIFO instead of a device. */
	char fifo[PATH_MAX];
	int fifo_fd, fifo_watch;
	struct evdev_reader fifo_reader;
};

static struct evdev state;

static void arm_timer(struct evdev *e);

static void on_action(enum paced_action action, int arg, void *user_data)
{
	struct evdev *e = user_data;

	(void) paced_input_action(e->self, e->source, action, arg);
}

static bool on_long_press(void *user_data)
{
	struct evdev *e = user_data;

	/* Fired and done: let the host forget it too. */
	paced_remove(e->self, e->long_timer);
	e->long_timer = 0;
	evdev_buttons_tick(e->buttons, paced_now_us(e->self));
	arm_timer(e);
	return false;
}

/* A timer at the long-press deadline, so it fires while still held. */
static void arm_timer(struct evdev *e)
{
	uint64_t d = evdev_buttons_deadline(e->buttons);
	uint64_t now = paced_now_us(e->self);

	if (e->long_timer > 0) {
		paced_remove(e->self, e->long_timer);
		e->long_timer = 0;
	}
	if (d)
		e->long_timer = paced_add_timeout(e->self, d > now ? d - now : 0,
						  false, on_long_press, e);
}

static void close_device(struct evdev *e, struct device *d)
{
	if (d->watch > 0)
		paced_remove(e->self, d->watch);
	d->watch = 0;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->node[0] = '\0';
	d->reader.len = 0;
}

static bool on_device(int fd, uint32_t events, void *user_data)
{
	struct device *d = user_data;
	struct evdev *e = &state;
	int r;

	e->source = d->name;
	r = evdev_reader_read(&d->reader, fd, e->buttons, paced_now_us(e->self));
	arm_timer(e);
	if (r >= 0 && !(events & (EPOLLHUP | EPOLLERR)))
		return true;
	/* Unplugged, or a BLE remote gone to sleep: wait for it. */
	paced_log(e->self, LOG_NOTICE, "%s (%s) is gone; waiting for it to come back",
		  d->name, d->node);
	evdev_buttons_reset(e->buttons);
	arm_timer(e);
	/* Removing our own watch from its callback is legal (STYLE.md). */
	close_device(e, d);
	return false;
}

static void open_device(struct evdev *e, struct device *d, const char *node)
{
	char name[256] = "";
	int fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		paced_log(e->self, LOG_WARNING, "cannot open %s: %s", node,
			  strerror(errno));
		return;
	}
	if (ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) < 0)
		name[0] = '\0';
	if (!d->is_path && strcmp(name, d->spec)) {
		close(fd);
		return;
	}
	/* Exclusive: a shutter remote's Enter must not reach a console. */
	if (e->grab && ioctl(fd, EVIOCGRAB, 1) < 0)
		paced_log(e->self, LOG_WARNING, "cannot grab %s (%s): %s, ignoring",
			  node, name, strerror(errno));
	d->fd = fd;
	snprintf(d->node, sizeof(d->node), "%s", node);
	snprintf(d->name, sizeof(d->name), "%s", name[0] ? name : node);
	d->watch = paced_add_fd(e->self, fd, EPOLLIN, on_device, d);
	if (d->watch < 0) {
		close_device(e, d);
		return;
	}
	paced_log(e->self, LOG_NOTICE, "listening to %s (%s)", d->name, node);
}

static bool node_in_use(const struct evdev *e, const char *node)
{
	for (unsigned i = 0; i < e->n_devices; i++)
		if (e->devices[i].fd >= 0 && !strcmp(e->devices[i].node, node))
			return true;
	return false;
}

/* Look for every absent device: by path directly, by name over eventN. */
static void scan(struct evdev *e)
{
	for (unsigned i = 0; i < e->n_devices; i++) {
		struct device *d = &e->devices[i];
		char real[PATH_MAX];
		struct dirent *de;
		DIR *dir;

		if (d->fd >= 0)
			continue;
		if (d->is_path) {
			if (realpath(d->spec, real) && !node_in_use(e, real))
				open_device(e, d, real);
			continue;
		}
		dir = opendir(INPUT_DIR);
		if (!dir)
			continue;
		while (d->fd < 0 && (de = readdir(dir))) {
			char node[PATH_MAX];

			if (strncmp(de->d_name, "event", 5))
				continue;
			snprintf(node, sizeof(node), INPUT_DIR "/%s", de->d_name);
			if (!node_in_use(e, node))
				open_device(e, d, node);
		}
		closedir(dir);
	}
}

static bool on_inotify(int fd, uint32_t events, void *user_data)
{
	struct evdev *e = user_data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* The contents do not matter: any new node means rescan. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	scan(e);
	return true;
}

static bool on_fifo(int fd, uint32_t events, void *user_data)
{
	struct evdev *e = user_data;
	int r;

	e->source = e->fifo;
	r = evdev_reader_read(&e->fifo_reader, fd, e->buttons,
			      paced_now_us(e->self));
	arm_timer(e);
	if (r < 0 && r != -ENODEV)
		paced_log(e->self, LOG_WARNING, "%s: %s", e->fifo, strerror(-r));
	return true;
}

static int fail_cfg(struct evdev *e, const struct paced_cfg *cfg,
		    const char *key, const char *msg, const char *what)
{
	paced_log(e->self, LOG_ERR, "%s:%u: %s%s%s", paced_cfg_file(cfg),
		  paced_cfg_line(cfg, key), msg, what ? ": " : "",
		  what ? what : "");
	return -EINVAL;
}

static int evdev_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	struct evdev *e = &state;
	const char *s, *name;
	int r;

	memset(e, 0, sizeof(*e));
	e->self = self;
	e->inotify_fd = -1;
	e->fifo_fd = -1;
	e->grab = true;
	e->buttons = evdev_buttons_new(on_action, e);
	for (unsigned i = 0; i < MAX_DEVICES; i++)
		e->devices[i].fd = -1;
	(void) paced_cfg_get_bool(cfg, "grab", &e->grab);

	for (unsigned i = 0; paced_cfg_get_member(cfg, "keys", i, &name, &s) == 0; i++) {
		r = evdev_buttons_map(e->buttons, name, s);
		if (r == -EINVAL)
			return fail_cfg(e, cfg, "keys", "unknown key or action (actions: symptom, symptom:leak, symptom:pressure, symptom:pain, end, pause, resume, start, stop)", name);
		if (r < 0)
			return fail_cfg(e, cfg, "keys", r == -EEXIST ?
					"key mapped twice" : "too many keys", name);
	}
	if (!evdev_buttons_count(e->buttons)) {
		/* A gpio-key overlay sends KEY_ENTER by default (keycode=28). */
		(void) evdev_buttons_map(e->buttons, "KEY_ENTER", "symptom");
	}
	for (unsigned i = 0; paced_cfg_get_str_elem(cfg, "devices", i, &s) == 0; i++) {
		struct device *d;

		if (e->n_devices == MAX_DEVICES)
			return fail_cfg(e, cfg, "devices", "too many devices", NULL);
		if (strlen(s) >= sizeof(d->spec) || !*s)
			return fail_cfg(e, cfg, "devices", "bad device", s);
		d = &e->devices[e->n_devices++];
		snprintf(d->spec, sizeof(d->spec), "%s", s);
		d->is_path = s[0] == '/';
	}
	/* For tests only: struct input_event records written to a FIFO. */
	if (paced_cfg_get_str(cfg, "fifo", &s) == 0) {
		if (strlen(s) >= sizeof(e->fifo))
			return fail_cfg(e, cfg, "fifo", "path too long", NULL);
		snprintf(e->fifo, sizeof(e->fifo), "%s", s);
		/* O_RDWR: the FIFO never reports end of file between writers. */
		e->fifo_fd = open(e->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (e->fifo_fd < 0)
			return fail_cfg(e, cfg, "fifo", strerror(errno), e->fifo);
		e->fifo_watch = paced_add_fd(self, e->fifo_fd, EPOLLIN, on_fifo, e);
		if (e->fifo_watch < 0)
			return e->fifo_watch;
	}
	if (e->n_devices) {
		/* New nodes: a remote waking up, a pedal plugged in. */
		e->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (e->inotify_fd >= 0 &&
		    inotify_add_watch(e->inotify_fd, INPUT_DIR,
				      IN_CREATE | IN_ATTRIB) >= 0)
			e->inotify_watch = paced_add_fd(self, e->inotify_fd,
							EPOLLIN, on_inotify, e);
		else
			paced_log(self, LOG_WARNING, "cannot watch %s for new devices: %s, ignoring",
				  INPUT_DIR, strerror(errno));
		scan(e);
	}
	return 0;
}

static void evdev_exit(struct paced_plugin *self)
{
	struct evdev *e = &state;

	for (unsigned i = 0; i < e->n_devices; i++)
		close_device(e, &e->devices[i]);
	/* Watches go before their fds close. */
	if (e->inotify_watch > 0)
		paced_remove(self, e->inotify_watch);
	if (e->fifo_watch > 0)
		paced_remove(self, e->fifo_watch);
	if (e->long_timer > 0)
		paced_remove(self, e->long_timer);
	if (e->inotify_fd >= 0)
		close(e->inotify_fd);
	if (e->fifo_fd >= 0)
		close(e->fifo_fd);
	evdev_buttons_free(e->buttons);
	e->buttons = NULL;
}

PACED_PLUGIN_DEFINE("evdev", PACKAGE_VERSION, evdev_init, evdev_exit);
