/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl: command-line client for paced and its offline tools. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacectl.h"
#include "version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	/* commands: one line each, alphabetical */
	{ "checkin", cmd_checkin, "record the pre-session check-in; say today's session" },
	{ "end", cmd_ctl, "end the session through its cool-down (the long press)" },
	{ "export", cmd_export, "write a session as FIT, TCX or CSV (export LOG|latest --format F)" },
	{ "ftms", cmd_ftms, "decode FTMS payloads to JSON (ftms decode KIND HEX...)" },
	{ "history", cmd_progress, "list past sessions, presses and outcomes" },
	{ "next", cmd_progress, "say which programme stage comes next, and why" },
	{ "pause", cmd_ctl, "pause the session (the belt pauses)" },
	{ "profile", cmd_profile, "check, show or list interval profiles" },
	{ "profiles", cmd_profiles, "list the profiles the service can run" },
	{ "report", cmd_report, "the report for the physiotherapist (HTML, CSV, JSON)" },
	{ "resume", cmd_ctl, "resume a paused session, at walking pace" },
	{ "scan", cmd_scan, "list nearby Bluetooth treadmills (the service scans)" },
	{ "start", cmd_ctl, "start a session" },
	{ "status", cmd_ctl, "print the session's state as JSON" },
	{ "stop", cmd_ctl, "end the session: walking pace, then stop" },
	{ "symptom", cmd_ctl, "press the symptom button [leak|pressure|pain|long-press]" },
	{ "watch", cmd_ctl, "stream session events as JSON lines" },
	{ "web", cmd_web, "pair a phone with the web page; list, revoke devices" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: pacectl [OPTION]... COMMAND [ARG]...\n"
"Control paced and inspect profiles and treadmill data.\n"
"\n"
"Commands:\n");
	for (size_t i = 0; commands[i].name; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
"\n"
"Options:\n"
"  -S, --socket PATH  paced's control socket (default %s)\n"
"  -h, --help     show this help and exit (COMMAND --help for a command)\n"
"  -V, --version  show the version and exit\n"
"\n"
"See pacectl(1).\n", RUNDIR "/control");
}

int main(int argc, char *argv[])
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PACECTL_EXIT_OK;
		}
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("pacectl %s\n", paced_version());
			return PACECTL_EXIT_OK;
		}
		if (!strcmp(argv[i], "-S") || !strcmp(argv[i], "--socket")) {
			if (++i >= argc) {
				fprintf(stderr, "pacectl: %s needs a path\n",
					argv[i - 1]);
				return PACECTL_EXIT_USAGE;
			}
			pacectl_socket = argv[i];
			continue;
		}
		if (!strncmp(argv[i], "--socket=", 9)) {
			pacectl_socket = argv[i] + 9;
			continue;
		}
		fprintf(stderr, "pacectl: unknown option '%s'\n", argv[i]);
		usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	for (size_t c = 0; commands[c].name; c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i, argv + i);

	fprintf(stderr, "pacectl: unknown command '%s' (try pacectl --help)\n",
		argv[i]);
	return PACECTL_EXIT_USAGE;
}
