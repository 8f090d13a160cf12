/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced setup': the first run on the box, as root: treadmill, paces, programme, button, group, service. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/input.h>

#include "address.h"
#include "conf.h"
#include "conf-edit.h"
#include "input-keys.h"
#include "log.h"
#include "plugin.h"
#include "scan.h"
#include "setup.h"
#include "util.h"

#define WHO "paced setup"
#define KMH_PER_MPH 1.609344
#define SCAN_SECONDS 5
#define PRESS_SECONDS 30
#define MAX_BUTTONS 32
#define PROGRAMME "return-to-running.programme"
/* paced.conf(5): the ranges conf.c accepts for the paces. */
#define WALK_MIN 1.0
#define JOG_MIN 1.0
#define JOG_MAX 25.0

enum { SETUP_OK = 0, SETUP_FAILED = 1, SETUP_USAGE = 2 };

struct setup {
	/* Answers given as flags; NULL or -1: ask (or, with --yes, keep). */
	const char *config;
	const char *treadmill, *adapter, *units, *walk, *jog, *button, *user;
	int programme;
	bool no_button, no_start, yes;

	struct paced_config *cur;	/* paced.conf as it is; NULL unreadable */
	struct conf_text *text;
	bool exists;			/* the file was there */
	bool units_known;		/* this paced takes a units key */
	bool imperial;
	double walk_kmh, jog_kmh, cap_kmh;
	int failed;			/* steps that failed */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced setup [OPTION]...\n"
"Set up paced on this box, once, as root: pick the treadmill, your paces\n"
"and units, the bundled programme and a symptom button, let a user drive\n"
"the service with pacectl, write paced.conf (comments kept, the old file\n"
"kept as paced.conf.bak-DATE), check it, and start the service.\n"
"Each question has an option; --yes keeps what paced.conf says for the\n"
"ones not given, so the whole setup can be scripted.\n"
"\n"
"  -t, --treadmill ADDR   sim, AA:BB:CC:DD:EE:FF[/random], name:NAME,\n"
"                         usb-ant, unix:PATH (default: scan and ask)\n"
"      --adapter hciN     the Bluetooth adapter to scan with\n"
"      --units UNITS      metric (km/h) or imperial (mph)\n"
"      --walk SPEED       your walking pace, in your units\n"
"      --jog SPEED        your jogging pace, in your units\n"
"      --programme        follow the bundled return-to-running programme\n"
"      --no-programme     do not (an active programme line is commented out)\n"
"      --button DEV:KEY   the symptom button: an input device (path or\n"
"                         name) and its key, e.g. \"AB Shutter3:KEY_VOLUMEUP\"\n"
"      --no-button        map no button (default: press the one to use)\n"
"  -u, --user NAME        add NAME to group paced, to use pacectl\n"
"                         (default: $SUDO_USER)\n"
"      --no-start         do not enable and (re)start paced.service\n"
"  -c, --config FILE      edit FILE instead of %s\n"
"  -y, --yes              ask nothing: keep paced.conf's value for what no\n"
"                         option gives (no button unless --button)\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 done, 1 a step failed (it says which), 2 bad arguments or\n"
"an unanswered question. See paced(8), SETUP.\n", CONFFILE);
}

static void fail(struct setup *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct setup *s, const char *fmt, ...)
{
	va_list ap;

	fputs(WHO ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	s->failed++;
}

static void heading(const char *title)
{
	printf("\n== %s\n", title);
}

/*
 * One line from stdin after a prompt, without its newline; an empty line
 * means the default. Returns 0, or -ENODATA at the end of input (the
 * caller names the option that answers it).
 */
static int ask(const char *prompt, const char *def, char *buf, size_t len)
{
	size_t n;

	if (def && *def)
		printf("%s [%s]: ", prompt, def);
	else
		printf("%s: ", prompt);
	fflush(stdout);
	if (!fgets(buf, (int) len, stdin)) {
		putchar('\n');
		return -ENODATA;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	/* The rest of an over-long line is not the next answer. */
	if (n == len - 1 && !strchr(buf, '\n'))
		for (int c = getchar(); c != EOF && c != '\n'; c = getchar())
			;
	if (!*buf && def)
		snprintf(buf, len, "%s", def);
	return 0;
}

static int no_answer(const char *what, const char *option)
{
	fprintf(stderr, WHO ": no answer for %s (end of input): pass %s, or "
		"--yes to keep what paced.conf says\n", what, option);
	return -ENODATA;
}

static bool yes_no(const char *s, bool *ret)
{
	if (!strcasecmp(s, "y") || !strcasecmp(s, "yes")) {
		*ret = true;
		return true;
	}
	if (!strcasecmp(s, "n") || !strcasecmp(s, "no")) {
		*ret = false;
		return true;
	}
	return false;
}

/* ---- running commands ---- */

/* argv[0] looked up in PATH, no shell. Returns its exit status, or 127
 * when it could not be run. */
static int run_cmd(char *const argv[])
{
	pid_t pid;
	int status;

	printf("  running:");
	for (char *const *a = argv; *a; a++)
		printf(" %s", *a);
	putchar('\n');
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, WHO ": cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ---- the treadmill ---- */

/* An address an installed driver plugin takes, or name:NAME. */
static bool valid_address(const char *a)
{
	struct plugin_host *h;
	char name[64];
	bool ok;

	if (!*a || strlen(a) >= sizeof(((struct paced_config *) 0)->treadmill))
		return false;
	if (treadmill_address_name(a))
		return *treadmill_address_name(a);
	h = plugin_host_new(NULL, NULL, NULL);
	ok = plugin_driver_for_address(h, PLUGINDIR, a, name, sizeof(name)) == 0;
	plugin_host_free(h);
	return ok;
}

/* The forms the installed drivers take, for the person. */
static const char *addr_help(void)
{
	static char buf[512];
	struct plugin_host *h = plugin_host_new(NULL, NULL, NULL);

	plugin_driver_usage(h, PLUGINDIR, buf, sizeof(buf) - 16);
	plugin_host_free(h);
	strcat(buf, buf[0] ? "; name:NAME" : "name:NAME");
	return buf;
}

static int ask_treadmill(struct setup *s, char *ret, size_t len)
{
	const char *cur = s->cur ? s->cur->treadmill : "sim";
	struct scan_list *list = paced_new0(struct scan_list, 1);
	size_t idx[SCAN_LIST_MAX], n = 0;
	char buf[256];
	int found, r;

	printf("Switch the treadmill on, with no phone app connected to it.\n");
	if (scan_collect(WHO, s->adapter, SCAN_SECONDS, NULL, true, list,
			 &found) != 0)
		printf("No scan (above why): pick the simulator or type the "
		       "address.\n");
	for (size_t i = 0; i < list->n; i++) {
		const struct scan_seen *d = &list->seen[i];

		if (!d->ftms)
			continue;
		idx[n++] = i;
		printf("  %zu) %-20s %-26s %-10s", n,
		       d->name[0] ? d->name : "(no name)", d->address, d->kind);
		if (d->rssi != 127)
			printf(" %d dBm", d->rssi);
		putchar('\n');
	}
	if (list->n && !n)
		printf("  (no FTMS treadmill heard: is it on, and free?)\n");
	printf("  s) the simulated treadmill (sim), to try paced out\n"
	       "  or type an address: %s\n", addr_help());
	for (;;) {
		char *end;
		unsigned long k;

		r = ask("Treadmill", cur, buf, sizeof(buf));
		if (r < 0) {
			free(list);
			return no_answer("the treadmill", "--treadmill ADDR");
		}
		k = strtoul(buf, &end, 10);
		if (!*end && end != buf && k >= 1 && k <= n) {
			snprintf(ret, len, "%s", list->seen[idx[k - 1]].address);
			break;
		}
		if (!strcmp(buf, "s"))
			snprintf(buf, sizeof(buf), "sim");
		if (valid_address(buf)) {
			snprintf(ret, len, "%s", buf);
			break;
		}
		printf("'%s' is not a number above nor a treadmill address (%s).\n",
		       buf, addr_help());
	}
	free(list);
	return 0;
}

/* ---- units and paces ---- */

/* A speed in the person's units into km/h, within lo..hi km/h. */
static int parse_speed(const struct setup *s, const char *text,
		       double lo, double hi, double *ret_kmh)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v))
		return -EINVAL;
	if (s->imperial)
		v *= KMH_PER_MPH;
	/* Two decimals, as paced.conf keeps them (0.01 km/h). */
	v = round(v * 100) / 100;
	if (v < lo || v > hi)
		return -ERANGE;
	*ret_kmh = v;
	return 0;
}

static const char *unit_name(const struct setup *s)
{
	return s->imperial ? "mph" : "km/h";
}

static double shown(const struct setup *s, double kmh)
{
	return s->imperial ? kmh / KMH_PER_MPH : kmh;
}

/* The pace called what, from option (NULL: ask), checked against lo..hi
 * and the cap. Returns 0, -EINVAL (bad option) or -ENODATA. */
static int get_pace(struct setup *s, const char *what, const char *option,
		    const char *flag, double lo, double hi, double def,
		    double *ret)
{
	char buf[64], defbuf[32], prompt[96];
	const char *text = option;
	int r;

	snprintf(defbuf, sizeof(defbuf), "%.1f", shown(s, def));
	snprintf(prompt, sizeof(prompt), "Your %s pace in %s", what,
		 unit_name(s));
	for (;;) {
		if (!text && s->yes)
			text = defbuf;
		if (!text) {
			if (ask(prompt, defbuf, buf, sizeof(buf)) < 0)
				return no_answer(what, flag);
			text = buf;
		}
		r = parse_speed(s, text, lo, MIN(hi, s->cap_kmh), ret);
		if (!r)
			return 0;
		if (r == -EINVAL)
			fprintf(stderr, WHO ": %s pace '%s': not a number\n",
				what, text);
		else
			fprintf(stderr, WHO ": %s pace %s %s: must be %.1f to "
				"%.1f %s (paced.conf's speed_cap is %.1f km/h)\n",
				what, text, unit_name(s), shown(s, lo),
				shown(s, MIN(hi, s->cap_kmh)), unit_name(s),
				s->cap_kmh);
		if (option || s->yes)
			return -EINVAL;
		text = NULL;
	}
}

static int ask_units_and_paces(struct setup *s)
{
	const char *cur_units = NULL;
	char buf[64];

	heading("Units and paces");
	if (s->cur)
		(void) config_lookup_string(s->cur->cfg, "units", &cur_units);
	if (!s->units && !s->yes) {
		for (;;) {
			if (ask("Units: metric (km/h) or imperial (mph)",
				cur_units ? cur_units : "metric", buf,
				sizeof(buf)) < 0)
				return no_answer("the units", "--units");
			if (!strcmp(buf, "metric") || !strcmp(buf, "imperial"))
				break;
			printf("Type metric or imperial.\n");
		}
		s->imperial = !strcmp(buf, "imperial");
	} else {
		s->imperial = s->units ? !strcmp(s->units, "imperial") :
			      cur_units && !strcmp(cur_units, "imperial");
	}
	if (!s->units_known)
		printf("This paced has no units setting yet: paced.conf keeps "
		       "km/h and pacectl shows km/h%s.\n", s->imperial ?
		       " (your mph are converted)" : "");
	/* Walking has a ceiling (user.walk_max): a walk above it would be a
	 * paced.conf the service refuses. */
	if (get_pace(s, "walking", s->walk, "--walk", WALK_MIN,
		     (s->cur ? s->cur->limits.walk_max :
		      PROFILE_DEFAULT_WALK_MAX) / 100.0,
		     s->walk_kmh, &s->walk_kmh) < 0 ||
	    get_pace(s, "jogging", s->jog, "--jog", JOG_MIN, JOG_MAX,
		     s->jog_kmh, &s->jog_kmh) < 0)
		return -EINVAL;
	if (s->walk_kmh >= s->jog_kmh) {
		fprintf(stderr, WHO ": walking pace %.1f must be slower than "
			"jogging pace %.1f %s\n", shown(s, s->walk_kmh),
			shown(s, s->jog_kmh), unit_name(s));
		return -EINVAL;
	}
	printf("Paces: walk %.2f km/h, jog %.2f km/h.\n", s->walk_kmh,
	       s->jog_kmh);
	return 0;
}

/* ---- buttons ---- */

int setup_parse_button(const char *arg, char *dev, size_t len,
		       const char **ret_key)
{
	const char *colon = strrchr(arg, ':');
	const struct input_key *k;
	size_t n;

	if (!colon || colon == arg)
		return -EINVAL;
	k = input_key_by_name(colon + 1);
	n = (size_t) (colon - arg);
	if (!k || n >= len)
		return -EINVAL;
	memcpy(dev, arg, n);
	dev[n] = '\0';
	*ret_key = k->name;
	return 0;
}

int setup_wait_press(const int *fds, size_t n, int timeout_ms,
		     void (*skipped)(size_t index, uint16_t code),
		     size_t *ret_index, const char **ret_key)
{
	struct pollfd pfd[MAX_BUTTONS];
	struct timespec t0, now;

	if (n == 0 || n > MAX_BUTTONS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		pfd[i] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - ((now.tv_sec - t0.tv_sec) * 1000 +
				     (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(pfd, n, (int) left);
		if (r < 0 && errno != EINTR)
			return -errno;
		for (size_t i = 0; r > 0 && i < n; i++) {
			struct input_event ev[16];
			ssize_t got;

			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(pfd[i].fd, ev, sizeof(ev));
			if (got <= 0) {
				/* Gone (unplugged, end of a pipe): stop
				 * watching it. */
				if (got == 0 || (errno != EAGAIN &&
						 errno != EINTR))
					pfd[i].fd = -1;
				continue;
			}
			/* A device node hands out whole records. */
			for (size_t e = 0; e < (size_t) got / sizeof(ev[0]); e++) {
				const char *name;

				if (ev[e].type != EV_KEY || ev[e].value != 1)
					continue;
				name = input_key_name(ev[e].code);
				if (name) {
					*ret_index = i;
					*ret_key = name;
					return 0;
				}
				if (skipped)
					skipped(i, ev[e].code);
			}
		}
	}
}

struct button_dev {
	char node[PATH_MAX];	/* /dev/input/eventN */
	char id[PATH_MAX];	/* its /dev/input/by-id link, or "" */
	char name[256];		/* EVIOCGNAME */
	int fd;
};

static bool test_bit(const unsigned long *bits, unsigned bit)
{
	return bits[bit / (8 * sizeof(long))] &
	       (1UL << (bit % (8 * sizeof(long))));
}

/* A button: it sends EV_KEY with at least one key paced knows by name. */
static bool looks_like_button(int fd)
{
	unsigned long ev[EV_MAX / (8 * sizeof(long)) + 1] = { 0 };
	unsigned long keys[KEY_MAX / (8 * sizeof(long)) + 1] = { 0 };

	if (ioctl(fd, EVIOCGBIT(0, sizeof(ev)), ev) < 0 ||
	    !test_bit(ev, EV_KEY) ||
	    ioctl(fd, EVIOCGBIT(EV_KEY, sizeof(keys)), keys) < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(input_keys); i++)
		if (test_bit(keys, input_keys[i].code))
			return true;
	return false;
}

static void find_by_id(struct button_dev *b)
{
	DIR *d = opendir("/dev/input/by-id");
	struct dirent *e;
	char path[PATH_MAX], real[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/input/by-id/%s", e->d_name);
		if (realpath(path, real) && !strcmp(real, b->node)) {
			snprintf(b->id, sizeof(b->id), "%s", path);
			break;
		}
	}
	closedir(d);
}

static size_t list_buttons(struct button_dev *b, size_t max)
{
	DIR *d = opendir("/dev/input");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		struct button_dev *x = &b[n];

		if (strncmp(e->d_name, "event", 5))
			continue;
		snprintf(x->node, sizeof(x->node), "/dev/input/%s", e->d_name);
		x->fd = open(x->node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (x->fd < 0) {
			printf("  %s: cannot read it: %s\n", x->node,
			       strerror(errno));
			continue;
		}
		if (!looks_like_button(x->fd) ||
		    ioctl(x->fd, EVIOCGNAME(sizeof(x->name) - 1), x->name) < 0) {
			close(x->fd);
			continue;
		}
		x->id[0] = '\0';
		find_by_id(x);
		n++;
	}
	closedir(d);
	return n;
}

static void on_skipped(size_t index, uint16_t code)
{
	printf("  key code %u is not one paced knows by name (KEY_ENTER, "
	       "KEY_VOLUMEUP, ...): press another\n", code);
}

/* Device and key from a press; -ENOENT when none was pressed or found. */
static int ask_button(struct setup *s, char *dev, size_t len,
		      const char **ret_key)
{
	struct button_dev *b = paced_new0(struct button_dev, MAX_BUTTONS);
	int fds[MAX_BUTTONS], r;
	size_t n, which;
	char buf[16];
	bool yes;

	n = list_buttons(b, MAX_BUTTONS);
	if (!n) {
		printf("No input device with a button was found in /dev/input "
		       "(plugged in? a Bluetooth remote paired and connected?).\n");
		r = -ENOENT;
		goto out;
	}
	printf("Input devices that look like buttons:\n");
	for (size_t i = 0; i < n; i++) {
		printf("  %s  %s\n", b[i].node, b[i].name);
		if (b[i].id[0])
			printf("      %s\n", b[i].id);
		fds[i] = b[i].fd;
	}
	for (;;) {
		if (ask("Map a symptom button now? (y/n)", "y", buf,
			sizeof(buf)) < 0) {
			r = no_answer("the button", "--button DEV:KEY or --no-button");
			goto out;
		}
		if (yes_no(buf, &yes))
			break;
	}
	if (!yes) {
		r = -ENOENT;
		goto out;
	}
	printf("Press the button now (%d s)...\n", PRESS_SECONDS);
	fflush(stdout);
	r = setup_wait_press(fds, n, PRESS_SECONDS * 1000, on_skipped, &which,
			     ret_key);
	if (r == -ETIMEDOUT) {
		printf("No press in %d s.\n", PRESS_SECONDS);
		r = -ENOENT;
	} else if (r < 0) {
		fail(s, "reading the buttons: %s", strerror(-r));
	} else {
		/* A by-id path survives replugging; a Bluetooth remote has
		 * none, and paced finds it by name. */
		snprintf(dev, len, "%s", b[which].id[0] ? b[which].id :
			 b[which].name);
		printf("Pressed: %s on %s.\n", *ret_key, dev);
	}
out:
	for (size_t i = 0; i < n; i++)
		close(b[i].fd);
	free(b);
	return r;
}

/* ---- the text of paced.conf ---- */

static void set_str(struct setup *s, const char *path, const char *v)
{
	char q[PATH_MAX + 8];

	if (conf_quote(v, q, sizeof(q)) < 0 ||
	    conf_text_set(s->text, path, q) < 0)
		fail(s, "cannot set %s in the text of %s", path, s->config);
}

static void set_num(struct setup *s, const char *path, double v)
{
	char buf[32];

	/* libconfig needs the point to read a float. */
	snprintf(buf, sizeof(buf), "%.2f", v);
	if (buf[strlen(buf) - 1] == '0')
		buf[strlen(buf) - 1] = '\0';
	if (conf_text_set(s->text, path, buf) < 0)
		fail(s, "cannot set %s in the text of %s", path, s->config);
}

static int read_text(struct setup *s)
{
	FILE *f = fopen(s->config, "r");
	char *buf = NULL;
	size_t len = 0;
	struct paced_config_error cerr;
	int r = 0;

	if (!f) {
		if (errno != ENOENT) {
			fprintf(stderr, WHO ": %s: %s\n", s->config,
				strerror(errno));
			return -errno;
		}
		printf("%s does not exist: writing a new one.\n", s->config);
		s->text = conf_text_new("# paced.conf: see paced.conf(5). "
					"Written by paced setup.\n");
		return 0;
	}
	s->exists = true;
	{
		FILE *m = open_memstream(&buf, &len);
		char chunk[4096];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, got, m);
		if (ferror(f))
			r = -EIO;
		fclose(m);
	}
	fclose(f);
	if (r < 0 || memchr(buf, '\0', len)) {
		fprintf(stderr, WHO ": %s: cannot read it as text\n", s->config);
		free(buf);
		return -EIO;
	}
	s->text = conf_text_new(buf);
	free(buf);
	s->cur = paced_config_load(s->config, &cerr);
	if (!s->cur)
		printf("Note: %s as it is would be refused:\n  %s\nSetup edits "
		       "the text and checks the result.\n", s->config,
		       cerr.text);
	return 0;
}

/* paced.conf.bak-YYYYMMDD-HHMMSS beside it (-2, -3 ... if taken). */
static int backup(const char *path, char *ret, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int in, out = -1;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	for (int i = 1; out < 0 && i < 100; i++) {
		if (i == 1)
			snprintf(ret, len, "%s.bak-%s", path, stamp);
		else
			snprintf(ret, len, "%s.bak-%s-%d", path, stamp, i);
		out = open(ret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0 && errno != EEXIST)
			break;
	}
	if (out < 0) {
		int r = -errno;

		close(in);
		return r;
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(in, buf, sizeof(buf));

		if (n <= 0 || write(out, buf, (size_t) n) != n) {
			int r = n < 0 || n > 0 ? -EIO : 0;

			close(in);
			if (fsync(out) < 0 && !r)
				r = -errno;
			close(out);
			return r;
		}
	}
}

/* Replace path with text, atomically, keeping its mode and owner. */
static int write_file(const char *path, const char *text, bool exists)
{
	struct stat st = { .st_mode = 0644, .st_uid = (uid_t) -1,
			   .st_gid = (gid_t) -1 };
	char tmp[PATH_MAX], dir[PATH_MAX], *slash;
	size_t len = strlen(text);
	int fd, r = 0;

	if (exists && stat(path, &st) < 0)
		return -errno;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int) sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t) len ||
	    fchmod(fd, st.st_mode & 07777) < 0 ||
	    (exists && fchown(fd, st.st_uid, st.st_gid) < 0 &&
	     errno != EPERM) ||
	    fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	close(fd);
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void) unlink(tmp);
		return r;
	}
	/* The rename itself must survive a power cut. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			(void) fsync(fd);
			close(fd);
		}
	}
	return 0;
}

/* ---- the steps ---- */

static int step_treadmill(struct setup *s)
{
	char addr[256];

	heading("Treadmill");
	if (s->treadmill) {
		snprintf(addr, sizeof(addr), "%s", s->treadmill);
	} else if (s->yes) {
		snprintf(addr, sizeof(addr), "%s", s->cur ? s->cur->treadmill : "sim");
		printf("Keeping the treadmill %s (--treadmill ADDR changes it).\n",
		       addr);
	} else if (ask_treadmill(s, addr, sizeof(addr)) < 0) {
		return -ENODATA;
	}
	set_str(s, "treadmill.address", addr);
	printf("Treadmill: %s.\n", addr);
	if (!strncmp(addr, "usb-ant", 7))
		printf("An ANT+ treadmill needs the ANT+ network key in "
		       "plugins.usb-ant.network_key (see the README).\n");
	return 0;
}

static int step_programme(struct setup *s)
{
	char path[PATH_MAX + sizeof(PROGRAMME) + 1], buf[16];
	const char *cur = NULL;
	bool yes = true;

	heading("Programme");
	/* The bundled one, where paced.conf's profile_dir says (default
	 * PROFILEDIR). */
	snprintf(path, sizeof(path), "%s/%s",
		 s->cur ? s->cur->profile_dir : PROFILEDIR, PROGRAMME);
	if (s->cur && s->cur->programme[0])
		cur = s->cur->programme;
	if (s->programme >= 0) {
		yes = s->programme;
	} else if (s->yes) {
		yes = cur != NULL || !s->exists;
		if (cur) {
			printf("Keeping the programme %s.\n", cur);
			return 0;
		}
	} else {
		printf("The bundled return-to-running programme climbs from a "
		       "30-minute walk to 30 minutes'\nrunning in 21 stages, "
		       "and steps back when symptoms come (paced-profile(5)).\n");
		for (;;) {
			if (ask("Follow it? (y/n)", "y", buf, sizeof(buf)) < 0)
				return no_answer("the programme",
						 "--programme or --no-programme");
			if (yes_no(buf, &yes))
				break;
		}
	}
	if (!yes) {
		if (cur)
			printf("Programme off (was %s).\n", cur);
		if (conf_text_unset(s->text, "programme") < 0)
			fail(s, "cannot comment out programme in %s", s->config);
		if (!s->cur || !s->cur->profile[0])
			printf("'pacectl start NAME' runs a profile; 'pacectl "
			       "profiles' lists them.\n");
		return 0;
	}
	if (access(path, R_OK) < 0) {
		fail(s, "the bundled programme %s: %s", path, strerror(errno));
		return 0;
	}
	set_str(s, "programme", path);
	printf("Programme: %s ('pacectl start' runs its next stage).\n", path);
	return 0;
}

static int step_button(struct setup *s)
{
	char dev[PATH_MAX], path[PATH_MAX + 64];
	const char *key = NULL;
	char q[PATH_MAX + 8];
	int r;

	heading("Symptom button");
	if (s->button) {
		(void) setup_parse_button(s->button, dev, sizeof(dev), &key);
		if (dev[0] == '/' && access(dev, F_OK) < 0)
			printf("Note: %s is not there now; paced picks it up "
			       "when it appears.\n", dev);
	} else if (s->no_button || s->yes) {
		printf("No button mapped%s: 'pacectl symptom' is the symptom "
		       "button until one is (paced setup --button DEV:KEY).\n",
		       s->no_button ? "" : " (--yes; --button DEV:KEY maps one)");
		return 0;
	} else if ((r = ask_button(s, dev, sizeof(dev), &key)) < 0) {
		if (r == -ENODATA)
			return r;
		printf("No button mapped: 'pacectl symptom' is the symptom "
		       "button until one is (paced setup --button DEV:KEY).\n");
		return 0;
	}
	/* The device list is set to this one; other keys stay mapped. */
	if (conf_quote(dev, q, sizeof(q)) < 0) {
		fail(s, "device '%s': control characters", dev);
		return 0;
	}
	snprintf(path, sizeof(path), "[ %s ]", q);
	if (conf_text_set(s->text, "plugins.evdev.devices", path) < 0)
		fail(s, "cannot set plugins.evdev.devices in %s", s->config);
	snprintf(path, sizeof(path), "plugins.evdev.keys.%s", key);
	set_str(s, path, "symptom");
	printf("Button: %s on %s is the symptom button (held 2 s: end the "
	       "session).\n", key, dev);
	return 0;
}

/* Who gets group paced: --user, else whoever ran sudo. */
static const char *target_user(const struct setup *s)
{
	const char *u = s->user ? s->user : getenv("SUDO_USER");

	return u && *u && strcmp(u, "root") ? u : NULL;
}

static void step_control_group(struct setup *s)
{
	const char *cur = s->cur ? s->cur->control_group : "";

	/* Group paced opens the control socket to its members. */
	if (!getgrnam("paced")) {
		printf("There is no group paced here (the package creates it; "
		       "after make install:\nsystemd-sysusers paced.conf), so "
		       "control.group stays as it is.\n");
		return;
	}
	if (*cur && strcmp(cur, "paced")) {
		printf("control.group is '%s': members of that group use "
		       "pacectl (left as it is).\n", cur);
		return;
	}
	set_str(s, "control.group", "paced");
}

static int step_write(struct setup *s)
{
	struct paced_config_error cerr;
	struct paced_config *c;
	char bak[PATH_MAX + 64];
	int r;

	heading("paced.conf");
	step_control_group(s);
	if (s->failed) {
		fprintf(stderr, WHO ": %s was not changed\n", s->config);
		return -EINVAL;
	}
	/* paced --check-config, in process, before anything is written. */
	c = paced_config_load_string(conf_text_get(s->text), s->config, &cerr);
	if (!c) {
		fail(s, "the new %s would be refused, so it was not written:\n  %s",
		     s->config, cerr.text);
		return -EINVAL;
	}
	paced_config_free(c);
	if (s->exists) {
		FILE *f = fopen(s->config, "r");
		size_t len = strlen(conf_text_get(s->text));
		char *old = paced_malloc(len + 2);
		bool same = f && fread(old, 1, len + 1, f) == len &&
			    !memcmp(old, conf_text_get(s->text), len);

		if (f)
			fclose(f);
		free(old);
		if (same) {
			printf("%s already says all this: unchanged.\n",
			       s->config);
			return 0;
		}
		r = backup(s->config, bak, sizeof(bak));
		if (r < 0) {
			fail(s, "cannot keep a backup of %s (%s), so it was "
			     "not changed", s->config, strerror(-r));
			return r;
		}
		printf("The old file is kept as %s.\n", bak);
	}
	r = write_file(s->config, conf_text_get(s->text), s->exists);
	if (r < 0) {
		fail(s, "cannot write %s: %s", s->config, strerror(-r));
		return r;
	}
	c = paced_config_load(s->config, &cerr);
	if (!c) {
		fail(s, "%s", cerr.text);
		return -EINVAL;
	}
	paced_config_free(c);
	printf("%s: written; configuration OK.\n", s->config);
	return 0;
}

static void step_user(struct setup *s)
{
	const char *name = target_user(s);
	struct passwd *pw;
	struct group *gr;
	bool member;

	heading("Who may use pacectl");
	if (s->user && !strcmp(s->user, "root")) {
		printf("root may always use pacectl: nobody was added to group "
		       "paced.\n");
		return;
	}
	if (!name) {
		printf("No user given (not run through sudo, no --user): "
		       "nobody was added to group paced.\nAdd one with: "
		       "usermod -a -G paced NAME\n");
		return;
	}
	pw = getpwnam(name);
	if (!pw) {
		fail(s, "there is no user '%s'", name);
		return;
	}
	gr = getgrnam("paced");
	if (!gr) {
		fail(s, "there is no group paced to add %s to (the package "
		     "creates it; after make install: systemd-sysusers "
		     "paced.conf)", name);
		return;
	}
	member = pw->pw_gid == gr->gr_gid;
	for (char **m = gr->gr_mem; !member && *m; m++)
		member = !strcmp(*m, name);
	if (member) {
		printf("%s is already in group paced.\n", name);
		return;
	}
	{
		char *argv[] = { "usermod", "-a", "-G", "paced",
				 (char *) name, NULL };

		if (run_cmd(argv) != 0) {
			fail(s, "could not add %s to group paced", name);
			return;
		}
	}
	printf("%s is now in group paced: log in again (or run 'newgrp "
	       "paced') before using pacectl.\n", name);
}

static void step_start(struct setup *s)
{
	char *enable[] = { "systemctl", "enable", "paced", NULL };
	char *restart[] = { "systemctl", "restart", "paced", NULL };
	char *active[] = { "systemctl", "is-active", "paced", NULL };

	heading("The service");
	if (s->no_start) {
		printf("Not started (--no-start). Start it with: "
		       "systemctl enable --now paced\n");
		return;
	}
	/* sd_booted(3): systemd is PID 1 when this directory exists. */
	if (access("/run/systemd/system", F_OK) < 0) {
		printf("systemd is not running here (no /run/systemd/system), "
		       "so nothing was started.\nOn the box: systemctl enable "
		       "--now paced. Without systemd, run paced as user paced,\n"
		       "as paced.service's ExecStart= does, with /run/paced "
		       "and /var/lib/paced owned by paced.\n");
		return;
	}
	/* A restart, not a reload: the control group and the plugins are
	 * set up at start (paced.conf(5)). */
	if (run_cmd(enable) != 0 || run_cmd(restart) != 0 ||
	    run_cmd(active) != 0) {
		fail(s, "paced.service did not start: see journalctl -u paced");
		return;
	}
	printf("paced is running.\n");
}

/* Flags are checked before any question, so a typo costs nothing. */
static int check_flags(struct setup *s)
{
	char dev[PATH_MAX];
	const char *key;

	if (s->treadmill && !valid_address(s->treadmill)) {
		fprintf(stderr, WHO ": --treadmill '%s': not a treadmill "
			"address (%s)\n", s->treadmill, addr_help());
		return -EINVAL;
	}
	if (s->units && strcmp(s->units, "metric") &&
	    strcmp(s->units, "imperial")) {
		fprintf(stderr, WHO ": --units '%s': metric or imperial\n",
			s->units);
		return -EINVAL;
	}
	if (s->button && setup_parse_button(s->button, dev, sizeof(dev),
					    &key) < 0) {
		fprintf(stderr, WHO ": --button '%s': expected DEVICE:KEY, "
			"KEY one of:", s->button);
		for (size_t i = 0; i < ARRAY_SIZE(input_keys); i++)
			fprintf(stderr, " %s", input_keys[i].name);
		fputc('\n', stderr);
		return -EINVAL;
	}
	if (s->button && s->no_button) {
		fprintf(stderr, WHO ": --button and --no-button together\n");
		return -EINVAL;
	}
	return 0;
}

/* Root, or at least whoever may write the file: say so before asking. */
static int check_writable(const struct setup *s)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", s->config);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (access(dir, W_OK) == 0 &&
	    (access(s->config, W_OK) == 0 || errno == ENOENT))
		return 0;
	fprintf(stderr, WHO ": cannot write %s (%s): run it as root, "
		"sudo paced setup\n", s->config, strerror(errno));
	return -EACCES;
}

int setup_main(int argc, char **argv)
{
	enum { OPT_ADAPTER = 256, OPT_UNITS, OPT_WALK, OPT_JOG, OPT_PROG,
	       OPT_NO_PROG, OPT_BUTTON, OPT_NO_BUTTON, OPT_NO_START };
	static const struct option opts[] = {
		{ "treadmill", required_argument, NULL, 't' },
		{ "adapter", required_argument, NULL, OPT_ADAPTER },
		{ "units", required_argument, NULL, OPT_UNITS },
		{ "walk", required_argument, NULL, OPT_WALK },
		{ "jog", required_argument, NULL, OPT_JOG },
		{ "programme", no_argument, NULL, OPT_PROG },
		{ "no-programme", no_argument, NULL, OPT_NO_PROG },
		{ "button", required_argument, NULL, OPT_BUTTON },
		{ "no-button", no_argument, NULL, OPT_NO_BUTTON },
		{ "user", required_argument, NULL, 'u' },
		{ "no-start", no_argument, NULL, OPT_NO_START },
		{ "config", required_argument, NULL, 'c' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct setup s = { .config = CONFFILE, .programme = -1 };
	struct paced_config_error cerr;
	struct paced_config *probe;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:u:c:yh", opts, NULL)) != -1) {
		switch (c) {
		case 't': s.treadmill = optarg; break;
		case OPT_ADAPTER: s.adapter = optarg; break;
		case OPT_UNITS: s.units = optarg; break;
		case OPT_WALK: s.walk = optarg; break;
		case OPT_JOG: s.jog = optarg; break;
		case OPT_PROG: s.programme = 1; break;
		case OPT_NO_PROG: s.programme = 0; break;
		case OPT_BUTTON: s.button = optarg; break;
		case OPT_NO_BUTTON: s.no_button = true; break;
		case 'u': s.user = optarg; break;
		case OPT_NO_START: s.no_start = true; break;
		case 'c': s.config = optarg; break;
		case 'y': s.yes = true; break;
		case 'h':
			usage(stdout);
			return SETUP_OK;
		default:
			usage(stderr);
			return SETUP_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, WHO ": unexpected argument '%s'\n",
			argv[optind]);
		return SETUP_USAGE;
	}
	if (check_flags(&s) < 0)
		return SETUP_USAGE;
	if (check_writable(&s) < 0)
		return SETUP_FAILED;
	/* Scanning logs through log.c; setup talks on a terminal. */
	log_init("paced", LOG_TARGET_STDERR, NULL);
	if (read_text(&s) < 0)
		return SETUP_FAILED;

	/* Whether this paced takes units = "..." (another setting, later). */
	probe = paced_config_load_string("units = \"metric\";\n", "probe", &cerr);
	s.units_known = probe != NULL;
	paced_config_free(probe);
	s.cap_kmh = (s.cur ? s.cur->limits.speed_cap : PROFILE_DEFAULT_SPEED_CAP) / 100.0;
	s.walk_kmh = (s.cur ? s.cur->limits.walk_speed : PROFILE_DEFAULT_WALK) / 100.0;
	s.jog_kmh = (s.cur ? s.cur->limits.jog_speed : PROFILE_DEFAULT_JOG) / 100.0;

	printf("paced setup: editing %s.\n", s.config);
	rc = SETUP_USAGE;
	if (step_treadmill(&s) < 0 || ask_units_and_paces(&s) < 0)
		goto out;
	if (s.units_known)
		set_str(&s, "units", s.imperial ? "imperial" : "metric");
	set_num(&s, "user.walk", s.walk_kmh);
	set_num(&s, "user.jog", s.jog_kmh);
	if (step_programme(&s) < 0 || step_button(&s) < 0)
		goto out;
	if (step_write(&s) < 0) {
		rc = SETUP_FAILED;
		goto out;
	}
	step_user(&s);
	step_start(&s);
	if (s.failed) {
		fprintf(stderr, WHO ": %d step%s failed (above)\n", s.failed,
			s.failed == 1 ? "" : "s");
		rc = SETUP_FAILED;
		goto out;
	}
	printf("\nDone. %s may now run: pacectl status; pacectl start\n",
	       target_user(&s) ? target_user(&s) : "A member of group paced");
	rc = SETUP_OK;
out:
	conf_text_free(s.text);
	paced_config_free(s.cur);
	return rc;
}
