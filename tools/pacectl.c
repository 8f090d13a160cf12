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
"  -h, --help     show this help and exit (COMMAND --help for a command)\n"
"  -V, --version  show the version and exit\n"
"\n"
"See pacectl(1).\n");
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
