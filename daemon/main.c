/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced: entry point, options, the service's event loop. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mainloop.h"
#include "notify.h"
#include "run.h"
#include "util.h"
#include "version.h"

struct daemon {
	struct loop *loop;
	int watchdog_id;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced [OPTION]...\n"
"       paced run --treadmill ADDR --profile FILE [OPTION]...\n"
"Drive a smart treadmill through conservative walk/jog interval sessions,\n"
"scaling back at once when the symptom button is pressed.\n"
"\n"
"Without a command, paced runs as the service. 'paced run' runs one\n"
"session in the foreground (see paced run --help).\n"
"\n"
"  -d, --debug[=MODULES]  log to stderr; debug lines for MODULES\n"
"                         (comma-separated, or \"all\")\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"paced is not a medical device. See a pelvic-health physiotherapist before\n"
"returning to running after childbirth.\n"
"\n"
"See paced(8) and pacectl(1).\n");
}

static void on_terminate(int signo, void *user_data)
{
	struct daemon *d = user_data;

	log_notice("%s received, shutting down", strsignal(signo));
	notify_send("STOPPING=1");
	loop_quit(d->loop, 0);
}

static void on_hup(int signo, void *user_data)
{
	/* sd_notify(3): RELOADING=1 with MONOTONIC_USEC, then READY=1. */
	notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu",
		     (unsigned long long) clock_monotonic_us());
	log_info("SIGHUP: nothing to reload yet");
	notify_send("READY=1");
}

static bool on_watchdog(void *user_data)
{
	notify_send("WATCHDOG=1");
	return true;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "debug", optional_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d = { 0 };
	const char *debug = NULL;
	bool foreground = false;
	uint64_t wd;
	int c, r;

	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);

	while ((c = getopt_long(argc, argv, "d::hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			foreground = true;
			debug = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("paced %s\n", paced_version());
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "paced: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* Under systemd or with -d, stderr; a daemon started by hand, syslog. */
	log_init("paced", foreground || getenv("NOTIFY_SOCKET") ?
		 log_target_auto() : LOG_TARGET_SYSLOG, debug);

	d.loop = loop_new(NULL);
	if (!d.loop) {
		log_err("cannot create the event loop");
		return EXIT_FAILURE;
	}
	if (loop_add_signal(d.loop, SIGINT, on_terminate, &d, NULL) < 0 ||
	    loop_add_signal(d.loop, SIGTERM, on_terminate, &d, NULL) < 0 ||
	    loop_add_signal(d.loop, SIGHUP, on_hup, &d, NULL) < 0) {
		log_err("cannot set up signal handling");
		loop_free(d.loop);
		return EXIT_FAILURE;
	}
	/* Ping at half the period systemd expects (sd_watchdog_enabled(3)). */
	wd = notify_watchdog_usec();
	if (wd)
		d.watchdog_id = loop_add_timeout(d.loop, wd / 2, true,
						 on_watchdog, &d, NULL);

	log_notice("paced %s started", paced_version());
	notify_send("READY=1\nSTATUS=idle");
	r = loop_run(d.loop);
	loop_free(d.loop);
	log_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
