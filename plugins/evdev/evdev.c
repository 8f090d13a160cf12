/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "evdev" input plugin: symptom buttons that Linux exposes as input devices. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>

#include <paced/plugin.h>

#include "evdev-core.h"

#define MAX_SPECS 8
/* A HID device may show up as several nodes (below): room for each. */
#define MAX_NODES 16
#define INPUT_DIR "/dev/input"

/*
 * One configured device: a path ("/dev/input/by-id/...-event-kbd", whose
 * link is resolved at each scan) or an EVIOCGNAME name ("AB Shutter3",
 * for BLE remotes that have no by-id link; docs/domain.md 2.1).
 */
struct spec {
	char text[PATH_MAX];
	bool is_path;
	bool warned;		/* "cannot open" said once until it opens */
};

/* One open eventN node, for the spec it matched. */
struct node {
	int spec;		/* index into specs, -1 for a free slot */
	int fd;
	int watch;
	bool grabbed;
	char path[PATH_MAX];
	char name[256];		/* EVIOCGNAME, or the path when it has none */
	struct evdev_reader reader;
};

struct evdev {
	struct paced_plugin *self;
	const struct evdev_dev_ops *ops;
	struct evdev_buttons *buttons;
	struct spec specs[MAX_SPECS];
	unsigned n_specs;
	struct node nodes[MAX_NODES];
	const char *source;	/* device name of the record being handled */
	bool grab;
	char input_dir[PATH_MAX];	/* /dev/input, or input_dir for tests */
	int inotify_fd, inotify_watch, dir_wd;
	int long_timer;
	/* Testing: records from a FIFO instead of a device. */
	char fifo[PATH_MAX];
	int fifo_fd, fifo_watch;
	struct evdev_reader fifo_reader;
};

#ifdef EVDEV_TEST_HOOKS
/*
 * Only in tests/plugins/evdev-test.so, the build tests/test-evdev.c
 * loads: the test points this at ioctls a FIFO can answer before init.
 */
extern const struct evdev_dev_ops *evdev_test_ops;
__attribute__((visibility("default")))
const struct evdev_dev_ops *evdev_test_ops;
#endif

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
						  false, on_long_press, e, NULL);
}

static void close_node(struct evdev *e, struct node *n)
{
	if (n->watch > 0)
		paced_remove(e->self, n->watch);
	/* Closing the fd also ends a grab. */
	if (n->fd >= 0)
		close(n->fd);
	memset(n, 0, sizeof(*n));
	n->spec = -1;
	n->fd = -1;
}

/* Unplugged, or a BLE remote gone to sleep: say so and wait for it. */
static void node_gone(struct evdev *e, struct node *n, const char *why)
{
	paced_log(e->self, LOG_NOTICE, "%s (%s) is gone (%s); waiting for it to come back",
		  n->name, n->path, why);
	/* No long press from a key held when it vanished. */
	evdev_buttons_reset(e->buttons);
	arm_timer(e);
	close_node(e, n);
}

/* retry: after a failure already logged; only success is news then. */
static void try_grab(struct evdev *e, struct node *n, bool retry)
{
	int r = e->ops->grab(n->fd, true);

	if (r == 0) {
		if (retry)
			paced_log(e->self, LOG_NOTICE, "grabbed %s (%s) now",
				  n->name, n->path);
		n->grabbed = true;
		return;
	}
	if (retry)
		return;
	/*
	 * Still listen: a button that also types into a console is better
	 * than none. With EBUSY another program (a console, an X server)
	 * has it exclusively and its presses may not reach us until it lets
	 * go; the grab is tried again whenever a record does arrive.
	 */
	paced_log(e->self, LOG_WARNING, "cannot grab %s (%s): %s%s, ignoring",
		  n->path, n->name, strerror(-r), r == -EBUSY ?
		  " (another program holds it: its keys may not reach paced)" : "");
}

static bool on_node(int fd, uint32_t events, void *user_data)
{
	struct node *n = user_data;
	struct evdev *e = &state;
	int r;

	e->source = n->name;
	r = evdev_reader_read(&n->reader, fd, e->buttons, paced_now_us(e->self));
	arm_timer(e);
	if (r > 0 && e->grab && !n->grabbed)
		try_grab(e, n, true);
	if (r >= 0 && !(events & (EPOLLHUP | EPOLLERR)))
		return true;
	/* Removing our own watch from its callback is legal (docs/style.md). */
	node_gone(e, n, r < 0 && r != -ENODEV ? strerror(-r) : "no device");
	return false;
}

/*
 * A name matches itself, and the nodes the kernel splits a HID device
 * into: hid-input gives each application its own node named "NAME
 * Keyboard", "NAME Consumer Control", ... (a shutter remote's Enter
 * and VolumeUp come from two of them), so "NAME " followed by anything.
 */
static bool name_matches(const char *spec, const char *name)
{
	size_t len = strlen(spec);

	return !strncmp(spec, name, len) && (!name[len] || name[len] == ' ');
}

static struct node *free_node(struct evdev *e)
{
	for (unsigned i = 0; i < MAX_NODES; i++)
		if (e->nodes[i].spec < 0)
			return &e->nodes[i];
	return NULL;
}

/* Open path for spec i; probing: one of many eventN tried for a name. */
static void open_node(struct evdev *e, unsigned i, const char *path,
		      bool probing)
{
	struct spec *sp = &e->specs[i];
	char name[256] = "";
	struct node *n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		/*
		 * Probing every eventN for a name meets nodes we may not
		 * read (a keyboard, a node udev has not chmod'ed yet).
		 */
		if (!probing && !sp->warned)
			paced_log(e->self, LOG_WARNING, "cannot open %s: %s",
				  path, strerror(errno));
		if (!probing)
			sp->warned = true;
		return;
	}
	if (e->ops->get_name(fd, name, sizeof(name)) < 0)
		name[0] = '\0';
	if (!sp->is_path && !name_matches(sp->text, name)) {
		close(fd);
		return;
	}
	n = free_node(e);
	if (!n) {
		paced_log(e->self, LOG_WARNING, "%s (%s): more than %d input nodes open, ignoring it",
			  path, name, MAX_NODES);
		close(fd);
		return;
	}
	sp->warned = false;
	n->spec = (int) i;
	n->fd = fd;
	snprintf(n->path, sizeof(n->path), "%s", path);
	snprintf(n->name, sizeof(n->name), "%s", name[0] ? name : path);
	/* Exclusive: a shutter remote's Enter must not reach a console. */
	if (e->grab)
		try_grab(e, n, false);
	n->watch = paced_add_fd(e->self, fd, EPOLLIN, on_node, n, NULL);
	if (n->watch < 0) {
		paced_log(e->self, LOG_WARNING, "cannot watch %s: %s", path,
			  strerror(-n->watch));
		n->watch = 0;
		close_node(e, n);
		return;
	}
	paced_log(e->self, LOG_NOTICE, "listening to %s (%s)%s", n->name, path,
		  n->grabbed ? ", grabbed" : "");
}

static bool path_in_use(const struct evdev *e, const char *path)
{
	for (unsigned i = 0; i < MAX_NODES; i++)
		if (e->nodes[i].spec >= 0 && !strcmp(e->nodes[i].path, path))
			return true;
	return false;
}

static bool spec_open(const struct evdev *e, unsigned i)
{
	for (unsigned j = 0; j < MAX_NODES; j++)
		if (e->nodes[j].spec == (int) i)
			return true;
	return false;
}

/*
 * A by-id or by-path link appears after its eventN node: udev makes it
 * once the node is set up, and the last event in input_dir may come
 * before it. Watch the link's own directory too; it may not exist yet
 * (no USB input device so far), and then its creation in input_dir
 * brings us back here. Adding a watch twice is harmless; IN_MASK_ADD
 * keeps input_dir's own mask when a link lives right in it.
 */
static void watch_link_dirs(struct evdev *e)
{
	if (e->inotify_fd < 0)
		return;
	for (unsigned i = 0; i < e->n_specs; i++) {
		char dir[PATH_MAX];

		if (!e->specs[i].is_path || spec_open(e, i))
			continue;
		snprintf(dir, sizeof(dir), "%s", e->specs[i].text);
		(void) inotify_add_watch(e->inotify_fd, dirname(dir),
					 IN_MASK_ADD | IN_CREATE | IN_MOVED_TO |
					 IN_ATTRIB);
	}
}

/*
 * Look for what is missing: a path spec's one node, and every node a
 * name spec matches (a node is never taken twice).
 */
static void scan(struct evdev *e)
{
	struct dirent *de;
	DIR *dir = NULL;

	watch_link_dirs(e);
	for (unsigned i = 0; i < e->n_specs; i++) {
		char real[PATH_MAX];

		if (e->specs[i].is_path && !spec_open(e, i) &&
		    realpath(e->specs[i].text, real) && !path_in_use(e, real))
			open_node(e, i, real, false);
	}
	for (unsigned i = 0; i < e->n_specs; i++) {
		if (e->specs[i].is_path)
			continue;
		if (!dir)
			dir = opendir(e->input_dir);
		else
			rewinddir(dir);
		if (!dir)
			return;
		while ((de = readdir(dir))) {
			char path[PATH_MAX];

			if (strncmp(de->d_name, "event", 5))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", e->input_dir,
				     de->d_name) >= (int) sizeof(path))
				continue;
			if (!path_in_use(e, path))
				open_node(e, i, path, true);
		}
	}
	if (dir)
		closedir(dir);
}

/* A node removed from input_dir: the device it was is gone. */
static void node_removed(struct evdev *e, const char *base)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", e->input_dir, base) >=
	    (int) sizeof(path))
		return;
	for (unsigned i = 0; i < MAX_NODES; i++)
		if (e->nodes[i].spec >= 0 && !strcmp(e->nodes[i].path, path))
			node_gone(e, &e->nodes[i], "removed");
}

static bool on_inotify(int fd, uint32_t events, void *user_data)
{
	struct evdev *e = user_data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		/*
		 * The kernel writes whole events; each length is still
		 * checked before its name is looked at.
		 */
		for (ssize_t i = 0; i + (ssize_t) sizeof(struct inotify_event) <= n;) {
			struct inotify_event ev;
			const char *name = buf + i + sizeof(ev);

			memcpy(&ev, buf + i, sizeof(ev));
			if (ev.len > (size_t) (n - i) - sizeof(ev))
				break;
			if (ev.wd == e->dir_wd && ev.len && memchr(name, '\0', ev.len) &&
			    ev.mask & (IN_DELETE | IN_MOVED_FROM))
				node_removed(e, name);
			i += (ssize_t) (sizeof(ev) + ev.len);
		}
	}
	/*
	 * Anything else (a new node, new permissions, a new link, a lost
	 * queue) may be a device we wait for: rescan.
	 */
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

static void evdev_exit(struct paced_plugin *self);

static int setup(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	struct evdev *e = &state;
	const char *s, *name;
	int r;

	memset(e, 0, sizeof(*e));
	e->self = self;
	e->ops = &evdev_ioctl_ops;
#ifdef EVDEV_TEST_HOOKS
	if (evdev_test_ops)
		e->ops = evdev_test_ops;
#endif
	e->inotify_fd = -1;
	e->dir_wd = -1;
	e->fifo_fd = -1;
	e->grab = true;
	e->buttons = evdev_buttons_new(on_action, e);
	for (unsigned i = 0; i < MAX_NODES; i++) {
		e->nodes[i].spec = -1;
		e->nodes[i].fd = -1;
	}
	if (paced_cfg_get_bool(cfg, "grab", &e->grab) == -EINVAL)
		return fail_cfg(e, cfg, "grab", "grab must be true or false", NULL);

	for (unsigned i = 0; paced_cfg_get_member(cfg, "keys", i, &name, &s) == 0; i++) {
		r = evdev_buttons_map(e->buttons, name, s);
		if (r == -EINVAL)
			return fail_cfg(e, cfg, "keys", "unknown key or action "
					"(actions: symptom, symptom:leak, symptom:pressure, "
					"symptom:pain, end, pause, resume, start, stop)", name);
		if (r < 0)
			return fail_cfg(e, cfg, "keys", r == -EEXIST ?
					"key mapped twice" : "too many keys", name);
	}
	if (!evdev_buttons_count(e->buttons)) {
		/* A gpio-key overlay sends KEY_ENTER by default (keycode=28). */
		(void) evdev_buttons_map(e->buttons, "KEY_ENTER", "symptom");
	}
	for (unsigned i = 0; paced_cfg_get_str_elem(cfg, "devices", i, &s) == 0; i++) {
		struct spec *sp;

		if (e->n_specs == MAX_SPECS)
			return fail_cfg(e, cfg, "devices", "too many devices", NULL);
		if (strlen(s) >= sizeof(sp->text) || !*s)
			return fail_cfg(e, cfg, "devices", "bad device", s);
		sp = &e->specs[e->n_specs++];
		snprintf(sp->text, sizeof(sp->text), "%s", s);
		sp->is_path = s[0] == '/';
	}
	/*
	 * Where device nodes appear: /dev/input, or a directory of FIFOs in
	 * tests and containers. Resolved once, so the nodes found by name
	 * compare equal to the ones paths resolve to.
	 */
	s = INPUT_DIR;
	r = paced_cfg_get_str(cfg, "input_dir", &s);
	if (r == -EINVAL || s[0] != '/' || strlen(s) >= sizeof(e->input_dir) - 32)
		return fail_cfg(e, cfg, "input_dir", "input_dir must be an absolute directory path", NULL);
	if (!realpath(s, e->input_dir))
		snprintf(e->input_dir, sizeof(e->input_dir), "%s", s);
	/* For tests only: struct input_event records written to a FIFO. */
	if (paced_cfg_get_str(cfg, "fifo", &s) == 0) {
		if (strlen(s) >= sizeof(e->fifo))
			return fail_cfg(e, cfg, "fifo", "path too long", NULL);
		snprintf(e->fifo, sizeof(e->fifo), "%s", s);
		/* O_RDWR: the FIFO never reports end of file between writers. */
		e->fifo_fd = open(e->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (e->fifo_fd < 0)
			return fail_cfg(e, cfg, "fifo", strerror(errno), e->fifo);
		e->fifo_watch = paced_add_fd(self, e->fifo_fd, EPOLLIN,
					     on_fifo, e, NULL);
		if (e->fifo_watch < 0)
			return e->fifo_watch;
	}
	if (e->n_specs) {
		/*
		 * New nodes: a remote waking up, a pedal plugged in; removed
		 * nodes: a device gone even if its fd has not said so.
		 */
		e->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (e->inotify_fd >= 0)
			e->dir_wd = inotify_add_watch(e->inotify_fd, e->input_dir,
						      IN_CREATE | IN_ATTRIB |
						      IN_MOVED_TO | IN_DELETE |
						      IN_MOVED_FROM);
		if (e->dir_wd >= 0)
			e->inotify_watch = paced_add_fd(self, e->inotify_fd,
							EPOLLIN, on_inotify, e, NULL);
		else
			paced_log(self, LOG_WARNING, "cannot watch %s for new devices: %s, ignoring",
				  e->input_dir, strerror(errno));
		scan(e);
	}
	return 0;
}

static int evdev_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = {
		"devices", "keys", "grab", "input_dir", "fifo", NULL,
	};
	int r;

	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	r = setup(self, cfg);

	/* The host calls exit() only after a successful init. */
	if (r < 0)
		evdev_exit(self);
	return r;
}

static void evdev_exit(struct paced_plugin *self)
{
	struct evdev *e = &state;

	for (unsigned i = 0; i < MAX_NODES; i++)
		if (e->nodes[i].spec >= 0)
			close_node(e, &e->nodes[i]);
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

/* A button is a deliberate act at the box: its start and resume keys may
 * start the belt (docs/safety.md). */
PACED_PLUGIN_DEFINE("evdev", PACKAGE_VERSION, evdev_init, evdev_exit,
		    .flags = PACED_PLUGIN_STARTS);
