/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl requests to a running paced over its control socket. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include "ctl-proto.h"
#include "json-read.h"
#include "pacectl.h"
#include "units.h"

#define REPLY_TIMEOUT_MS 5000

const char *pacectl_socket = RUNDIR "/control";

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

/* Connect to paced, or say in a sentence why not. */
static int connect_or_explain(void)
{
	int fd = ctl_connect(pacectl_socket);
	struct stat st;

	if (fd >= 0)
		return fd;
	if (fd == -EACCES && stat(pacectl_socket, &st) == 0) {
		struct group *gr = getgrgid(st.st_gid);

		fprintf(stderr, "pacectl: no permission to use %s: only members of group '%s' may (ask to be added: usermod -aG %s $USER)\n",
			pacectl_socket, gr ? gr->gr_name : "?",
			gr ? gr->gr_name : "GROUP");
	} else if (fd == -ENOENT || fd == -ECONNREFUSED) {
		fprintf(stderr, "pacectl: paced is not running (no one answers on %s; systemctl start paced)\n",
			pacectl_socket);
	} else {
		fprintf(stderr, "pacectl: cannot reach paced at %s: %s\n",
			pacectl_socket, strerror(-fd));
	}
	return fd;
}

int pacectl_request(const char *req, int timeout_ms, char **ret_reply)
{
	struct pollfd pfd;
	size_t len = 0, cap = 4096;
	char *buf;
	int fd, r;

	fd = connect_or_explain();
	if (fd < 0)
		return fd;
	r = send_all(fd, req, strlen(req));
	if (r == 0)
		r = send_all(fd, "\n", 1);
	if (r < 0) {
		fprintf(stderr, "pacectl: cannot send to paced at %s: %s\n",
			pacectl_socket, strerror(-r));
		close(fd);
		return r;
	}
	buf = malloc(cap);
	if (!buf)
		abort();
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		ssize_t n;

		r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			r = -ETIMEDOUT;
			break;
		}
		if (len + 1 >= cap) {
			/* paced holds at most 64 KiB for a client. */
			if (cap >= 256 * 1024) {
				r = -EMSGSIZE;
				break;
			}
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = -ECONNRESET;
			break;
		}
		len += (size_t) n;
		buf[len] = '\0';
		if (memchr(buf, '\n', len)) {
			*strchr(buf, '\n') = '\0';
			close(fd);
			*ret_reply = buf;
			return 0;
		}
	}
	close(fd);
	free(buf);
	fprintf(stderr, "pacectl: no reply from paced at %s: %s\n",
		pacectl_socket, strerror(-r));
	return r;
}

/* Human output: on a terminal unless --json; scripts get JSON lines. */
static bool human;

static double num(const struct json_value *obj, const char *key, double dflt)
{
	double v;

	return json_get_number(obj, key, &v) ? v : dflt;
}

static const char *str(const struct json_value *obj, const char *key)
{
	const char *v = json_get_string(obj, key);

	return v ? v : "-";
}

static void bar(char *buf, size_t width, double done, double total)
{
	size_t n = total > 0 ? (size_t) (width * (done / total) + 0.5) : 0;

	for (size_t i = 0; i < width; i++)
		buf[i] = i < MIN(n, width) ? '#' : '.';
	buf[width] = '\0';
}

/* The person's units: the running session's, else the next one's (the
 * service's paced.conf); the numbers on the wire stay km/h. */
static enum units status_units(const struct json_value *v)
{
	const char *name = json_get_string(v, "units");
	enum units u = UNITS_METRIC;

	if (!name)
		name = json_get_string(json_get(v, "next"), "units");
	if (name)
		(void) units_from_name(name, &u);
	return u;
}

/* km/h as a number from JSON to paced's hundredths, bounded. */
static uint16_t kmh(double v)
{
	return v > 0 && v < 655 ? (uint16_t) (v * 100 + 0.5) : 0;
}

/* One status object as a few readable lines. */
static void print_status(const struct json_value *v)
{
	const struct json_value *seg = json_get(v, "segment");
	const struct json_value *tm = json_get(v, "treadmill");
	double s_done = num(v, "session_s", 0);
	double s_left = num(v, "remaining_s", 0);
	double seg_left = num(seg, "remaining_s", 0);
	double target = num(v, "target_speed_kmh", 0);
	double belt = num(tm, "speed_kmh", -1);
	const char *state = str(v, "state");
	enum units u = status_units(v);
	char b1[41], b2[41], t[32], b[32];

	if (!strcmp(state, "idle")) {
		printf("paced: idle (%s)\n", str(v, "service"));
		return;
	}
	bar(b1, 40, s_done, s_done + s_left);
	printf("%s: %s\n", str(v, "profile"), state);
	printf("session [%s] %d:%02d left\n", b1, (int) s_left / 60,
	       (int) s_left % 60);
	if (json_value_type(seg) == JSON_OBJECT) {
		/* The segment's length, when the daemon reports it. */
		double seg_len = num(seg, "duration_s", 0);

		if (seg_len > 0) {
			bar(b2, 40, seg_len > seg_left ? seg_len - seg_left : 0,
			    seg_len);
			printf("%-7s [%s] %d:%02d left\n", str(seg, "pace"), b2,
			       (int) seg_left / 60, (int) seg_left % 60);
		} else {
			printf("%-7s %d:%02d left in this segment\n",
			       str(seg, "pace"), (int) seg_left / 60,
			       (int) seg_left % 60);
		}
	}
	if (json_value_type(json_get(v, "step")) == JSON_OBJECT) {
		/* An exercise session (no treadmill): what to do now. */
		const struct json_value *st = json_get(v, "step");
		const char *say = json_get_string(st, "say");
		double st_left = num(st, "remaining_s", 0);
		bool inserted = false;
		char which[48];

		(void) json_get_bool(st, "inserted", &inserted);
		if (inserted)
			snprintf(which, sizeof(which), "after the press");
		else
			snprintf(which, sizeof(which), "step %d of %d",
				 (int) num(st, "index", 0) + 1,
				 (int) num(st, "of", 0));
		printf("%-7s %d:%02d left, %s%s%s\n", str(st, "kind"),
		       (int) st_left / 60, (int) st_left % 60, which,
		       say ? ": " : "", say ? say : "");
		printf("presses %d\n", (int) num(v, "presses", 0));
		if (num(v, "press", -1) >= 0)
			printf("press %d counted: stop and rest\n",
			       (int) num(v, "press", 0));
		return;
	}
	units_format_speed(u, kmh(target), t, sizeof(t));
	if (belt >= 0)
		units_format_speed(u, kmh(belt), b, sizeof(b));
	else
		snprintf(b, sizeof(b), "-");
	printf("target %s, belt %s, presses %d\n", t, b,
	       (int) num(v, "presses", 0));
	if (num(v, "press", -1) >= 0)
		printf("press %d counted: walking pace now\n",
		       (int) num(v, "press", 0));
}

/* A reply or event line, parsed; NULL (and a word on stderr) when it is
 * not one JSON object. */
static struct json_value *parse_line(const char *line)
{
	struct json_read_error err;
	struct json_value *v = json_parse(line, strlen(line), &err);

	if (!v || json_value_type(v) != JSON_OBJECT) {
		fprintf(stderr, "pacectl: paced sent something that is not a JSON object (%s at %zu)\n",
			v ? "not an object" : err.text, err.offset);
		json_value_free(v);
		return NULL;
	}
	return v;
}

/*
 * 'watch' on a terminal: a screen redrawn every second (and on each
 * event) from a fresh 'status', with the last few events below it.
 */
#define WATCH_EVENTS 6
#define WATCH_REDRAW_MS 1000

static char recent[WATCH_EVENTS][160];
static unsigned n_recent;

static void remember_event(const struct json_value *v)
{
	const char *event = str(v, "event"), *detail;

	if (!strcmp(event, "sample") || !strcmp(event, "data") ||
	    !strcmp(event, "result"))
		return;
	/* The most telling key of each kind of event. */
	detail = json_get_string(v, "detail");
	if (!detail)
		detail = json_get_string(v, "command");
	if (!detail)
		detail = json_get_string(v, "kind");
	if (!detail)
		detail = json_get_string(v, "state");
	memmove(recent[1], recent[0], sizeof(recent[0]) * (WATCH_EVENTS - 1));
	snprintf(recent[0], sizeof(recent[0]), "%s%s %s",
		 !strcmp(event, "alarm") ? "ALARM " : "", event,
		 detail ? detail : "");
	if (n_recent < WATCH_EVENTS)
		n_recent++;
}

static void redraw(void)
{
	struct json_value *status;
	struct pollfd pfd;
	char line[4096];
	size_t len = 0;
	int fd = ctl_connect(pacectl_socket);

	if (fd < 0)
		return;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (send(fd, "status\n", 7, MSG_NOSIGNAL) == 7) {
		while (len < sizeof(line) - 1 && poll(&pfd, 1, 500) > 0) {
			ssize_t n = read(fd, line + len, sizeof(line) - 1 - len);

			if (n <= 0)
				break;
			len += (size_t) n;
			if (memchr(line, '\n', len))
				break;
		}
	}
	close(fd);
	line[len] = '\0';
	if (!strchr(line, '\n'))
		return;
	*strchr(line, '\n') = '\0';
	status = parse_line(line);
	if (!status)
		return;
	fputs("\033[H\033[J", stdout);
	print_status(status);
	json_value_free(status);
	if (n_recent)
		printf("\nrecent:\n");
	for (unsigned i = 0; i < n_recent; i++)
		printf("  %s\n", recent[i]);
	printf("\n(Ctrl-C to leave; the session goes on)\n");
	fflush(stdout);
}

/*
 * Print reply lines until one is complete (or, when streaming, until the
 * daemon hangs up). Returns 0 when the first reply said "ok": true.
 */
static int read_replies(int fd, bool stream)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096], line[65536];
	struct json_value *v;
	size_t len = 0;
	bool first = true;
	int ok = -EPROTO;

	for (;;) {
		ssize_t n;
		bool live = stream && human && !first;
		int r = poll(&pfd, 1, live ? WATCH_REDRAW_MS :
			     stream && !first ? -1 : REPLY_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && live) {
			redraw();
			continue;
		}
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return first ? -ECONNRESET : ok;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			v = parse_line(line);
			if (!v)
				return -EPROTO;
			if (first) {
				bool yes = false;

				first = false;
				ok = json_get_bool(v, "ok", &yes) && yes ? 0 : -EIO;
				if (ok < 0) {
					const char *err = json_get_string(v, "error");

					if (human && err)
						fprintf(stderr, "pacectl: %s\n", err);
					else
						fprintf(stderr, "pacectl: %s\n", line);
					json_value_free(v);
					return ok;
				}
			}
			if (!human) {
				puts(line);
			} else if (stream) {
				if (!json_get(v, "ok"))
					remember_event(v);
				redraw();
			} else {
				print_status(v);
			}
			json_value_free(v);
			fflush(stdout);
			if (!stream)
				return ok;
		}
	}
}

/* Requests that act on the belt or the session: worth retrying, and so
 * sent with an id, which makes a retry act once. */
static bool acts(enum ctl_cmd cmd)
{
	switch (cmd) {
	case CTL_CMD_SYMPTOM:
	case CTL_CMD_PAUSE:
	case CTL_CMD_RESUME:
	case CTL_CMD_END:
	case CTL_CMD_STOP:
	case CTL_CMD_START:
		return true;
	case CTL_CMD_STATUS:
	case CTL_CMD_WATCH:
	case CTL_CMD_SCAN:
	case CTL_CMD_PROFILES:
	case CTL_CMD_HISTORY:
	case CTL_CMD_NEXT:
	case CTL_CMD_PROFILE:
	case CTL_CMD_CHECKIN:
		break;
	}
	return false;
}

/* 16 hex digits from the kernel's random pool (the time and pid if it
 * has none yet: ids only need to differ between requests). */
static void request_id(char *buf, size_t len)
{
	uint8_t b[8];
	uint64_t x;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t) sizeof(b)) {
		x = (uint64_t) time(NULL) << 20 ^ (uint64_t) getpid();
		memcpy(b, &x, sizeof(b));
	}
	snprintf(buf, len, "%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* One try: connect, send, read the reply (or the stream). */
static int ask(const char *req, size_t len, bool stream)
{
	int fd = connect_or_explain(), r;

	if (fd < 0)
		return -ECONNREFUSED;
	r = send_all(fd, req, len);
	if (r == 0)
		r = read_replies(fd, stream);
	close(fd);
	return r;
}

int cmd_ctl(int argc, char **argv)
{
	char line[CTL_LINE_MAX], req[CTL_LINE_MAX + CTL_ID_MAX + 8];
	char id[CTL_ID_MAX] = "";
	struct ctl_request parsed;
	const char *error;
	size_t len = 0;
	int r;

	bool json = false;
	int n_args = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: pacectl [--socket PATH] %s [--json]%s\n", argv[0],
		       !strcmp(argv[0], "symptom") ? " [leak|pressure|pain|long-press]" :
		       !strcmp(argv[0], "start") ? " [PROFILE|--programme]" : "");
		return PACECTL_EXIT_OK;
	}
	/* --json anywhere after the command; "--programme" is start's. */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			argv[n_args++] = argv[i];
	}
	argc = n_args;
	human = !json && isatty(STDOUT_FILENO);
	for (int i = 0; i < argc; i++) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s",
				 i ? " " : "", argv[i]);

		if (n < 0 || (size_t) n >= sizeof(line) - len - 1) {
			fprintf(stderr, "pacectl: request too long\n");
			return PACECTL_EXIT_USAGE;
		}
		len += (size_t) n;
	}
	/* Check locally first: a usage error needs no daemon. */
	if (ctl_parse_request(line, len, &parsed, &error) < 0) {
		fprintf(stderr, "pacectl: %s: %s\n", argv[0], error);
		return PACECTL_EXIT_USAGE;
	}
	/* "id=ID request": a retry of a press is the same press. */
	if (acts(parsed.cmd))
		request_id(id, sizeof(id));
	len = (size_t) snprintf(req, sizeof(req), "%s%s%s%s\n",
				id[0] ? "id=" : "", id, id[0] ? " " : "", line);

	r = ask(req, len, parsed.cmd == CTL_CMD_WATCH);
	if (r == -ETIMEDOUT && id[0]) {
		/* paced may be busy or stopped a moment: ask again, with the
		 * same id, so that it acts once whichever it reads first. */
		fprintf(stderr, "pacectl: no reply yet from paced at %s; asking again\n",
			pacectl_socket);
		r = ask(req, len, false);
		if (r == -ETIMEDOUT) {
			fprintf(stderr, "pacectl: sent to paced at %s, not yet acknowledged (request id %s): it may still act on it\n",
				pacectl_socket, id);
			return PACECTL_EXIT_UNACKED;
		}
	}
	if (r == -ETIMEDOUT || r == -ECONNRESET || r == -EPIPE)
		fprintf(stderr, "pacectl: no reply from paced at %s: %s\n",
			pacectl_socket, strerror(-r));
	return r < 0 ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}
