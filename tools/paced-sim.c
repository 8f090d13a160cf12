/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced-sim: the simulated FTMS treadmill served on a Unix SEQPACKET socket. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mainloop.h"
#include "sim.h"
#include "util.h"
#include "version.h"

struct app {
	struct loop *loop;
	struct sim *sim;
	const char *path;
	int listen_fd;
	bool verbose;
	char line[256];			/* console input being assembled */
	size_t line_len;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced-sim --listen PATH [OPTIONS]\n"
"Serve a simulated FTMS treadmill (ATT over a Unix SOCK_SEQPACKET socket)\n"
"to one client at a time; point paced at it with --treadmill unix:PATH.\n"
"\n"
"  -l, --listen PATH    socket path to create (a stale socket is replaced)\n"
"  -r, --rate HZ        Treadmill Data notifications per second (default 1)\n"
"  -s, --speedup N      belt time runs N times faster (default 1)\n"
"  -a, --accel KMH      belt acceleration in km/h per second, 0 = instant\n"
"                       (default 1.0)\n"
"  -q, --quirk NAME[=S] imitate a real treadmill's quirk (repeatable):\n"
"                       split-records, truncate-20, deny-first-control,\n"
"                       ignore-speed-until-started, drop-link[=S],\n"
"                       stall[=S], lose-control[=S], malformed, mph,\n"
"                       alt-handles, slow-belt, cp-silent\n"
"                       (S: seconds of belt time)\n"
"  -v, --verbose        log every ATT PDU and control point result to\n"
"                       stderr\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Lines on standard input act as the treadmill's console: start, stop,\n"
"pause, speed KMH, incline PCT, key-out, key-in, take-control, status.\n");
}

static void debug_cb(const char *str, void *user_data)
{
	fprintf(stderr, "paced-sim: %s\n", str);
}

/* "3.5" km/h or % to hundredths/tenths; false on junk. */
static bool parse_fixed(const char *s, int scale, long *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < -1e6 || v > 1e6)
		return false;
	*ret = (long) (v * scale + (v < 0 ? -0.5 : 0.5));
	return true;
}

static void print_status(struct app *app)
{
	struct sim_state st;

	sim_get_state(app->sim, &st);
	printf("belt %s, speed %u.%02u km/h (target %u.%02u), incline "
	       "%d.%d %%, distance %u m, elapsed %u s, %s, key %s\n",
	       belt_state_name(st.belt), st.speed / 100, st.speed % 100,
	       st.target_speed / 100, st.target_speed % 100,
	       st.incline / 10, abs(st.incline % 10), st.distance, st.elapsed,
	       st.in_control ? "client in control" : "no client control",
	       st.safety_key_out ? "out" : "in");
	fflush(stdout);
}

static void console_line(struct app *app, char *line)
{
	char *arg = strchr(line, ' ');
	long v;
	int r = 0;

	if (arg)
		*arg++ = '\0';
	if (!strcmp(line, "start")) {
		r = sim_console_start(app->sim);
	} else if (!strcmp(line, "stop")) {
		r = sim_console_stop(app->sim);
	} else if (!strcmp(line, "pause")) {
		r = sim_console_pause(app->sim);
	} else if (!strcmp(line, "speed") && arg && parse_fixed(arg, 100, &v) &&
		   v >= 0 && v <= 0xffff) {
		r = sim_console_set_speed(app->sim, (uint16_t) v);
	} else if (!strcmp(line, "incline") && arg &&
		   parse_fixed(arg, 10, &v) && v >= INT16_MIN &&
		   v <= INT16_MAX) {
		r = sim_console_set_incline(app->sim, (int16_t) v);
	} else if (!strcmp(line, "key-out")) {
		sim_console_safety_key(app->sim, true);
	} else if (!strcmp(line, "key-in")) {
		sim_console_safety_key(app->sim, false);
	} else if (!strcmp(line, "take-control")) {
		sim_console_take_control(app->sim);
	} else if (!strcmp(line, "status")) {
		print_status(app);
		return;
	} else if (*line) {
		fprintf(stderr, "paced-sim: unknown console command '%s' "
			"(start, stop, pause, speed KMH, incline PCT, key-out, "
			"key-in, take-control, status)\n", line);
		return;
	} else {
		return;
	}
	if (r < 0)
		fprintf(stderr, "paced-sim: %s: %s\n", line, strerror(-r));
}

static bool on_stdin(int fd, uint32_t events, void *user_data)
{
	struct app *app = user_data;
	char buf[128];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;	/* EOF: no console, keep serving */
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			app->line[app->line_len] = '\0';
			console_line(app, app->line);
			app->line_len = 0;
		} else if (app->line_len < sizeof(app->line) - 1) {
			app->line[app->line_len++] = buf[i];
		}
	}
	return true;
}

static void on_disconnect(struct sim *sim, int err, void *user_data)
{
	switch (err) {
	case -ENOTCONN:
		fprintf(stderr, "paced-sim: client disconnected\n");
		break;
	case -ECONNABORTED:
		fprintf(stderr, "paced-sim: dropped the link (drop-link "
			"quirk)\n");
		break;
	default:
		fprintf(stderr, "paced-sim: link lost: %s\n", strerror(-err));
		break;
	}
}

static bool on_listen(int fd, uint32_t events, void *user_data)
{
	struct app *app = user_data;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int r;

	if (c < 0)
		return true;
	if (sim_is_attached(app->sim)) {
		/* One client at a time: the newcomer sees EOF at once
		 * rather than ATT timeouts 30 s later. */
		fprintf(stderr, "paced-sim: busy, refusing a second client\n");
		(void) close(c);
		return true;
	}
	r = sim_attach(app->sim, c, true);
	if (r < 0) {
		fprintf(stderr, "paced-sim: attach: %s\n", strerror(-r));
		(void) close(c);
		return true;
	}
	fprintf(stderr, "paced-sim: client connected\n");
	return true;
}

static void on_signal(int signo, void *user_data)
{
	struct app *app = user_data;

	loop_quit(app->loop, 0);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	/* Replace a socket left by an earlier run, nothing else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		(void) unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0 ||
	    listen(fd, 4) < 0) {
		int r = -errno;

		(void) close(fd);
		return r;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "rate", required_argument, NULL, 'r' },
		{ "speedup", required_argument, NULL, 's' },
		{ "accel", required_argument, NULL, 'a' },
		{ "quirk", required_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct app app = { .listen_fd = -1 };
	struct sim_config cfg;
	char *end;
	double d;
	long v;
	int c, r, status;

	sim_config_init(&cfg);
	while ((c = getopt_long(argc, argv, "l:r:s:a:q:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			app.path = optarg;
			break;
		case 'r':
			errno = 0;
			d = strtod(optarg, &end);
			if (errno || end == optarg || *end || d < 0.01 ||
			    d > 1000) {
				fprintf(stderr, "paced-sim: --rate: expected "
					"0.01..1000 Hz, got '%s'\n", optarg);
				return 2;
			}
			cfg.data_interval_us = (uint64_t) (USEC_PER_SEC / d);
			break;
		case 's':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 ||
			    v > 10000) {
				fprintf(stderr, "paced-sim: --speedup: expected "
					"1..10000, got '%s'\n", optarg);
				return 2;
			}
			cfg.speedup = (uint32_t) v;
			break;
		case 'a':
			if (!parse_fixed(optarg, 100, &v) || v < 0 ||
			    v > 10000) {
				fprintf(stderr, "paced-sim: --accel: expected "
					"0..100 km/h per second, got '%s'\n",
					optarg);
				return 2;
			}
			cfg.belt.accel = (uint32_t) v;
			break;
		case 'q':
			r = sim_config_add_quirk(&cfg, optarg);
			if (r == -ERANGE) {
				fprintf(stderr, "paced-sim: --quirk %s: bad "
					"time (seconds, e.g. 2.5)\n", optarg);
				return 2;
			}
			if (r < 0) {
				fprintf(stderr, "paced-sim: --quirk %s: unknown "
					"quirk or it takes no value (see "
					"--help)\n", optarg);
				return 2;
			}
			break;
		case 'v':
			app.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("paced-sim %s\n", paced_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "paced-sim: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (!app.path) {
		fprintf(stderr, "paced-sim: --listen PATH is required\n");
		usage(stderr);
		return 2;
	}

	app.loop = loop_new(NULL);
	if (!app.loop) {
		fprintf(stderr, "paced-sim: cannot create the event loop\n");
		return 1;
	}
	app.sim = sim_new(app.loop, &cfg);
	if (!app.sim) {
		fprintf(stderr, "paced-sim: invalid simulator settings\n");
		loop_free(app.loop);
		return 1;
	}
	if (app.verbose)
		sim_set_debug(app.sim, debug_cb, NULL);
	sim_set_disconnect_cb(app.sim, on_disconnect, &app);

	app.listen_fd = listen_on(app.path);
	if (app.listen_fd < 0) {
		fprintf(stderr, "paced-sim: cannot listen on %s: %s\n",
			app.path, app.listen_fd == -EEXIST ?
			"exists and is not a socket" :
			strerror(-app.listen_fd));
		sim_free(app.sim);
		loop_free(app.loop);
		return 1;
	}
	(void) loop_add_fd(app.loop, app.listen_fd, EPOLLIN, on_listen, &app,
			   NULL);
	(void) loop_add_fd(app.loop, STDIN_FILENO, EPOLLIN, on_stdin, &app,
			   NULL);
	(void) loop_add_signal(app.loop, SIGINT, on_signal, &app, NULL);
	(void) loop_add_signal(app.loop, SIGTERM, on_signal, &app, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Tests and scripts wait for this line before connecting. */
	printf("paced-sim: listening on %s\n", app.path);
	fflush(stdout);

	status = loop_run(app.loop);

	sim_free(app.sim);
	(void) close(app.listen_fd);
	(void) unlink(app.path);
	loop_free(app.loop);
	return status < 0 ? 1 : 0;
}
