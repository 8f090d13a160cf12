/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl history and pacectl next: the session history and what follows. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "json.h"
#include "pacectl.h"
#include "profile.h"
#include "programme.h"
#include "util.h"

#define DEFAULT_PROGRAMME PROFILEDIR "/return-to-running.programme"

struct opts {
	const char *state_dir;
	const char *programme;
	bool json;
};

static int parse(int argc, char **argv, struct opts *o, const char *usage)
{
	static const struct option lopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "programme", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char buf[PATH_MAX];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:jh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->state_dir = optarg;
			break;
		case 'p':
			o->programme = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		default:
			fputs(usage, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pacectl: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->state_dir)
		o->state_dir = history_default_state_dir(buf, sizeof(buf));
	return 0;
}

static const char *type_word(enum session_entry t)
{
	switch (t) {
	case SESSION_RUN:
		return "run";
	case SESSION_PRECHECK:
		return "precheck";
	case SESSION_CLEARED:
		return "cleared";
	}
	return "?";
}

static int cmd_history(int argc, char **argv)
{
	static const char usage[] =
"Usage: pacectl history [--state-dir DIR] [--json]\n"
"List past sessions, oldest first: when, stage, profile, symptom presses\n"
"and outcome. Reads DIR/history.jsonl.\n";
	struct opts o = { 0 };
	struct history_entry *e = NULL;
	unsigned bad = 0;
	long n;
	int r = parse(argc, argv, &o, usage);

	if (r)
		return r > 0 ? PACECTL_EXIT_OK : PACECTL_EXIT_USAGE;
	n = history_load(o.state_dir, &e, &bad);
	if (n < 0) {
		fprintf(stderr, "pacectl: %s/history.jsonl: %s\n", o.state_dir,
			strerror((int) -n));
		return PACECTL_EXIT_FAIL;
	}
	if (bad)
		fprintf(stderr, "pacectl: %s/history.jsonl: %u unreadable lines skipped\n",
			o.state_dir, bad);
	if (o.json) {
		struct json *j = json_new_file(stdout);

		json_array_begin(j);
		for (long i = 0; i < n; i++) {
			json_object_begin(j);
			json_key(j, "when_s");
			json_int(j, e[i].when_s);
			json_key(j, "type");
			json_string(j, type_word(e[i].type));
			json_key(j, "stage");
			json_string(j, e[i].stage);
			json_key(j, "profile");
			json_string(j, e[i].profile);
			json_key(j, "presses");
			json_uint(j, e[i].presses);
			json_key(j, "completed");
			json_bool(j, e[i].completed);
			json_key(j, "outcome");
			json_string(j, e[i].outcome);
			json_object_end(j);
		}
		json_array_end(j);
		json_free(j);
		putchar('\n');
	} else if (n == 0) {
		printf("No sessions yet in %s.\n", o.state_dir);
	} else {
		printf("%-16s  %-8s  %-5s  %7s  %-11s  %s\n", "when", "type",
		       "stage", "presses", "outcome", "profile");
		for (long i = 0; i < n; i++) {
			char when[32];
			time_t t = (time_t) e[i].when_s;
			struct tm tm;

			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
			if (e[i].type != SESSION_RUN)
				printf("%-16s  %-8s\n", when, type_word(e[i].type));
			else
				printf("%-16s  %-8s  %-5s  %7u  %-11s  %s\n", when,
				       "run", e[i].stage[0] ? e[i].stage : "-",
				       e[i].presses, e[i].outcome, e[i].profile);
		}
	}
	free(e);
	return PACECTL_EXIT_OK;
}

static int cmd_next(int argc, char **argv)
{
	static const char usage[] =
"Usage: pacectl next [--programme FILE] [--state-dir DIR] [--json]\n"
"Say which stage of the programme comes next, and why, from the session\n"
"history (default programme: " DEFAULT_PROGRAMME ").\n";
	struct opts o = { .programme = DEFAULT_PROGRAMME };
	struct profile_error perr;
	struct programme_decision d;
	struct history_entry *e = NULL;
	struct session_summary *sum;
	struct programme *prog;
	size_t k;
	long n;
	int r = parse(argc, argv, &o, usage);

	if (r)
		return r > 0 ? PACECTL_EXIT_OK : PACECTL_EXIT_USAGE;
	prog = programme_load(o.programme, NULL, &perr);
	if (!prog) {
		fprintf(stderr, "%s\n", perr.text);
		return PACECTL_EXIT_FAIL;
	}
	n = history_load(o.state_dir, &e, NULL);
	if (n < 0) {
		fprintf(stderr, "pacectl: %s/history.jsonl: %s\n", o.state_dir,
			strerror((int) -n));
		programme_free(prog);
		return PACECTL_EXIT_FAIL;
	}
	sum = paced_new0(struct session_summary, (size_t) n + 1);
	k = history_summaries(e, (size_t) n, prog, sum, (size_t) n);
	r = programme_next(prog, sum, k, &d);
	if (r == 0 && o.json) {
		struct json *j = json_new_file(stdout);

		json_object_begin(j);
		json_key(j, "stage");
		json_string(j, prog->stages[d.stage].id);
		json_key(j, "profile");
		json_string(j, prog->stages[d.stage].profile_path);
		json_key(j, "reason");
		json_string(j, programme_reason_name(d.reason));
		json_key(j, "locked");
		json_bool(j, d.locked);
		json_key(j, "refer");
		json_bool(j, d.refer);
		json_key(j, "message");
		json_string(j, d.message);
		json_object_end(j);
		json_free(j);
		putchar('\n');
	} else if (r == 0) {
		printf("Next: %s (%s)\n  profile: %s\n  why: %s\n",
		       prog->stages[d.stage].id,
		       prog->stages[d.stage].profile->name,
		       prog->stages[d.stage].profile_path, d.message);
	} else {
		fprintf(stderr, "pacectl: cannot decide: %s\n", strerror(-r));
	}
	free(sum);
	free(e);
	programme_free(prog);
	return r < 0 ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}

int cmd_progress(int argc, char **argv)
{
	return !strcmp(argv[0], "next") ? cmd_next(argc, argv) :
					  cmd_history(argc, argv);
}
