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

#include "conf.h"
#include "control.h"
#include "log.h"
#include "mainloop.h"
#include "notify.h"
#include "foreground.h"
#include "scan.h"
#include "service.h"
#include "setup.h"
#include "util.h"
#include "version.h"

struct daemon {
	struct loop *loop;
	struct service *service;
	const char *config_path;
	struct paced_config *cfg;
	int watchdog_id;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: paced [OPTION]...\n"
"       paced run --treadmill ADDR --profile FILE [OPTION]...\n""       paced scan [--adapter hciN] [--seconds N] [--json]\n"
"       paced setup [OPTION]...\n"
"Drive a smart treadmill through conservative walk/jog interval sessions,\n"
"scaling back at once when the symptom button is pressed.\n"
"\n"
"Without a command, paced runs as the service. 'paced run' runs one\n"
"session in the foreground (see paced run --help); 'paced scan' lists\n"
"nearby Bluetooth LE fitness machines; 'paced setup' sets up the box, once,\n"
"as root (see paced setup --help).\n"
"\n"
"  -c, --config FILE      read FILE instead of %s\n"
"  -n, --check-config     check the configuration, and that this user could\n"
"                         open the control socket with it; exit (0 if good)\n"
"  -d, --debug[=MODULES]  log to stderr; debug lines for MODULES\n"
"                         (comma-separated, or \"all\")\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"paced is not a medical device. See a pelvic-health physiotherapist before\n"
"returning to running after childbirth.\n"
"\n"
"Exit status: 0 clean shutdown or good config, 1 failure (bad config,\n"
"another paced on the control socket, ...), 2 bad arguments.\n"
"\n"
"See paced(8), paced.conf(5) and pacectl(1).\n", CONFFILE);
}

static void on_terminate(int signo, void *user_data)
{
	struct daemon *d = user_data;

	log_notice("%s received, shutting down", strsignal(signo));
	notify_send("STOPPING=1");
	if (d->service)
		service_shutdown(d->service);
	else
		loop_quit(d->loop, 0);
}

static void on_hup(int signo, void *user_data)
{
	struct daemon *d = user_data;
	struct paced_config_error cerr;
	struct paced_config *cfg;

	/* sd_notify(3): RELOADING=1 with MONOTONIC_USEC, then READY=1. */
	notify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu",
		     (unsigned long long) clock_monotonic_us());

	/* A bad edit keeps the configuration in use and says where it is
	 * wrong; a good one applies from the next session on (plugins and
	 * the control socket need a restart: service_reload()). */
	cfg = paced_config_load(d->config_path, &cerr);
	if (!cfg)
		log_err("SIGHUP: %s; keeping the configuration in use",
			cerr.text);
	else if (d->service)
		service_reload(d->service, cfg);
	else
		paced_config_free(cfg);
	notify_sendf("READY=1\nSTATUS=%s",
		     d->service ? service_status(d->service) : "starting");
}

static bool on_watchdog(void *user_data)
{
	notify_send("WATCHDOG=1");
	return true;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "debug", optional_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d = { 0 };
	const char *debug = NULL;
	bool foreground = false, check = false;
	struct paced_config_error cerr;
	uint64_t wd;
	int c, r;

	if (argc > 1 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "scan"))
		return scan_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "setup"))
		return setup_main(argc - 1, argv + 1);

	while ((c = getopt_long(argc, argv, "c:nd::hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'n':
			check = true;
			break;
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

	if (!d.config_path)
		d.config_path = getenv("PACED_CONFIG") ? getenv("PACED_CONFIG") :
				CONFFILE;
	d.cfg = paced_config_load(d.config_path, &cerr);
	if (!d.cfg) {
		fprintf(stderr, "paced: %s\n", cerr.text);
		return EXIT_FAILURE;
	}
	if (check) {
		char why[512];
		gid_t gid;

		/* What start-up would refuse, as the user running this
		 * (the unit's ExecStartPre= runs it as the service's): the
		 * control socket, and a treadmill no driver plugin takes. */
		r = control_check_setup(d.cfg->control_socket,
					d.cfg->control_group, &gid, why,
					sizeof(why));
		if (r < 0)
			fprintf(stderr, "paced: %s: %s\n", d.config_path, why);
		else if ((r = service_check_config(d.cfg, &cerr)) < 0)
			fprintf(stderr, "paced: %s\n", cerr.text);
		else
			printf("%s: configuration OK\n", d.config_path);
		paced_config_free(d.cfg);
		return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}

	/* Under systemd or with -d, stderr; a daemon started by hand, syslog. */
	log_init("paced", foreground || getenv("NOTIFY_SOCKET") ?
		 log_target_auto() : LOG_TARGET_SYSLOG, debug);

	d.loop = loop_new(NULL);
	if (!d.loop) {
		log_err("cannot create the event loop");
		paced_config_free(d.cfg);
		return EXIT_FAILURE;
	}
	/* A vanished control client must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (loop_add_signal(d.loop, SIGINT, on_terminate, &d, NULL) < 0 ||
	    loop_add_signal(d.loop, SIGTERM, on_terminate, &d, NULL) < 0 ||
	    loop_add_signal(d.loop, SIGHUP, on_hup, &d, NULL) < 0) {
		log_err("cannot set up signal handling");
		loop_free(d.loop);
		paced_config_free(d.cfg);
		return EXIT_FAILURE;
	}
	/* READY=1 only once plugins and the control socket are up. */
	d.service = service_new(d.loop, d.cfg);
	if (!d.service) {
		loop_free(d.loop);
		paced_config_free(d.cfg);
		log_close();
		return EXIT_FAILURE;
	}
	/* Ping at half the period systemd expects (sd_watchdog_enabled(3)). */
	wd = notify_watchdog_usec();
	if (wd)
		d.watchdog_id = loop_add_timeout(d.loop, wd / 2, true,
						 on_watchdog, &d, NULL);

	log_notice("paced %s started (%s)", paced_version(), d.config_path);
	notify_sendf("READY=1\nSTATUS=%s", service_status(d.service));
	r = loop_run(d.loop);
	service_free(d.service);
	loop_free(d.loop);
	paced_config_free(d.cfg);
	log_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
