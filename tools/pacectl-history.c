/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl history and pacectl next: the session history and what follows. */
#include "config.h"

#include <errno.h>
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
#include "progression.h"
#include "util.h"

#define DEFAULT_PROGRAMME PROFILEDIR "/return-to-running.programme"

bool pacectl_where_option(struct pacectl_where *w, int c, const char *arg)
{
	switch (c) {
	case 's':
		w->state_dir = arg;
		return true;
	case 'c':
		w->config = arg;
		return true;
	case 'p':
		w->programme = arg;
		return true;
	default:
		return false;
	}
}

int pacectl_setup(struct pacectl_setup *st, const struct pacectl_where *w)
{
	struct profile_error err;

	memset(st, 0, sizeof(*st));
	profile_limits_default(&st->settings.limits);
	snprintf(st->limits_from, sizeof(st->limits_from),
		 "built-in defaults");
	if (w->config) {
		if (settings_load(w->config, &st->settings, &err) < 0) {
			fprintf(stderr, "pacectl: %s\n", err.text);
			return -EINVAL;
		}
		snprintf(st->limits_from, sizeof(st->limits_from), "%s",
			 w->config);
	}
	if (w->state_dir)
		st->state_dir = w->state_dir;
	else if (w->config)
		st->state_dir = st->settings.state_dir;
	else
		st->state_dir = history_default_state_dir(st->state_buf,
							  sizeof(st->state_buf));
	if (w->programme)
		st->programme = w->programme;
	else if (w->config && st->settings.programme[0])
		st->programme = st->settings.programme;
	else
		st->programme = DEFAULT_PROGRAMME;
	return 0;
}

struct programme *pacectl_load_programme(const struct pacectl_setup *st)
{
	struct profile_error err;
	struct programme *prog;

	/* With the limits paced runs with: a stage above the cap is refused
	 * here as it would be there. */
	prog = programme_load(st->programme, &st->settings.limits, &err);
	if (!prog)
		fprintf(stderr, "%s\n", err.text);
	return prog;
}

struct opts {
	struct pacectl_where where;
	bool json;
};

static int parse(int argc, char **argv, struct opts *o, const char *usage)
{
	static const struct option lopts[] = {
		PACECTL_WHERE_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:c:jh", lopts, NULL)) != -1) {
		if (pacectl_where_option(&o->where, c, optarg))
			continue;
		switch (c) {
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
	return 0;
}

/* What a history line says, after its type: answers, or the session. */
static void describe(const struct history_entry *e, char *buf, size_t len)
{
	char when[32];

	switch (e->type) {
	case SESSION_CHECKIN:
		checkin_format_arg(&e->checkin, buf, len);
		break;
	case SESSION_NEXT_DAY:
		PROGRESSION_TIME(e->about_s, "%Y-%m-%d %H:%M", when);
		snprintf(buf, len, "after the session of %s: %s", when,
			 e->symptoms ? "symptoms" : "no symptoms");
		break;
	case SESSION_PRECHECK:
		snprintf(buf, len, "symptoms since the last session (button)");
		break;
	case SESSION_CLEARED:
		snprintf(buf, len, "cleared to run again");
		break;
	case SESSION_RUN:
		snprintf(buf, len, "%.*s", (int) len - 1, e->profile);
		break;
	}
}

static void history_json(const struct history_entry *e, long n)
{
	struct json *j = json_new_file(stdout);

	json_array_begin(j);
	for (long i = 0; i < n; i++) {
		json_object_begin(j);
		json_key(j, "when_s");
		json_int(j, e[i].when_s);
		json_key(j, "type");
		json_string(j, history_type_name(e[i].type));
		switch (e[i].type) {
		case SESSION_RUN:
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
			break;
		case SESSION_CHECKIN:
			for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
				char num[4];
				const char *v = checkin_get(&e[i].checkin,
							    (enum checkin_key) k,
							    num, sizeof(num));

				if (!v)
					continue;
				json_key(j, checkin_key_name((enum checkin_key) k));
				if (k == CHECKIN_KEY_PAIN)
					json_int(j, e[i].checkin.pain);
				else
					json_string(j, v);
			}
			break;
		case SESSION_NEXT_DAY:
			json_key(j, "about_s");
			json_int(j, e[i].about_s);
			json_key(j, "symptoms");
			json_bool(j, e[i].symptoms);
			break;
		case SESSION_PRECHECK:
		case SESSION_CLEARED:
			break;
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_free(j);
	putchar('\n');
}

static int cmd_history(int argc, char **argv)
{
	static const char usage[] =
"Usage: pacectl history [--state-dir DIR | --config FILE] [--json]\n"
"List the history, oldest first: sessions (stage, symptom presses,\n"
"outcome, profile), check-ins and next-day answers. Reads\n"
"DIR/history.jsonl; --config takes DIR from paced.conf's state_dir.\n";
	struct opts o = { 0 };
	struct pacectl_setup st;
	struct history_entry *e = NULL;
	unsigned bad = 0;
	long n;
	int r = parse(argc, argv, &o, usage);

	if (r)
		return r > 0 ? PACECTL_EXIT_OK : PACECTL_EXIT_USAGE;
	o.where.programme = NULL;	/* the history is the person's */
	if (pacectl_setup(&st, &o.where) < 0)
		return PACECTL_EXIT_FAIL;
	n = history_load(st.state_dir, &e, &bad);
	if (n < 0) {
		fprintf(stderr, "pacectl: %s/history.jsonl: %s\n", st.state_dir,
			strerror((int) -n));
		return PACECTL_EXIT_FAIL;
	}
	if (bad)
		fprintf(stderr, "pacectl: %s/history.jsonl: %u unreadable lines skipped\n",
			st.state_dir, bad);
	if (o.json) {
		history_json(e, n);
	} else if (n == 0) {
		printf("No sessions yet in %s.\n", st.state_dir);
	} else {
		printf("%-16s  %-8s  %-5s  %7s  %-11s  %s\n", "when", "type",
		       "stage", "presses", "outcome", "profile or answers");
		for (long i = 0; i < n; i++) {
			char when[32], what[160];

			PROGRESSION_TIME(e[i].when_s, "%Y-%m-%d %H:%M", when);
			describe(&e[i], what, sizeof(what));
			if (e[i].type != SESSION_RUN)
				printf("%-16s  %-8s  %-5s  %7s  %-11s  %s\n", when,
				       history_type_name(e[i].type), "", "", "",
				       what);
			else
				printf("%-16s  %-8s  %-5s  %7u  %-11s  %s\n", when,
				       "run", e[i].stage[0] ? e[i].stage : "-",
				       e[i].presses, e[i].outcome, what);
		}
	}
	free(e);
	return PACECTL_EXIT_OK;
}

void pacectl_print_decision(const struct pacectl_setup *st,
			    const struct programme *prog,
			    const struct programme_decision *d, int64_t now,
			    bool as_json)
{
	const struct profile_limits *l = &st->settings.limits;
	const struct programme_stage *s = &prog->stages[d->stage];
	char due[32] = "";

	if (d->due_s)
		PROGRESSION_TIME(d->due_s, "%Y-%m-%d", due);
	if (as_json) {
		struct json *j = json_new_file(stdout);

		json_object_begin(j);
		progression_decision_json(j, prog, d);
		json_key(j, "history");
		json_string(j, st->state_dir);
		json_key(j, "limits");
		json_object_begin(j);
		json_key(j, "from");
		json_string(j, st->limits_from);
		json_key(j, "walk_kmh");
		json_fixed(j, l->walk_speed, 2);
		json_key(j, "jog_kmh");
		json_fixed(j, l->jog_speed, 2);
		json_key(j, "speed_cap_kmh");
		json_fixed(j, l->speed_cap, 2);
		json_object_end(j);
		json_object_end(j);
		json_free(j);
		putchar('\n');
		return;
	}
	printf("Next: %s (%s)\n  profile: %s\n  why: %s\n", s->id,
	       s->profile->name, s->profile_path, d->message);
	if (d->has_alternative)
		printf("  or: %s (%s)\n", prog->stages[d->alternative].id,
		       prog->stages[d->alternative].profile->name);
	if (d->due_s)
		printf("  next running session: %s\n",
		       d->due_s <= now ? "due now" : due);
	if (!d->checked_in)
		printf("  no check-in today (pacectl checkin)\n");
	printf("  from: %s with %s (walk %u.%02u, jog %u.%02u, cap %u.%02u km/h)\n"
	       "        and the history in %s\n", prog->path, st->limits_from,
	       l->walk_speed / 100, l->walk_speed % 100, l->jog_speed / 100,
	       l->jog_speed % 100, l->speed_cap / 100, l->speed_cap % 100,
	       st->state_dir);
}

int pacectl_decide(const struct pacectl_setup *st,
		   const struct programme *prog, int64_t now,
		   struct programme_decision *ret)
{
	struct programme_input in = { 0 };
	unsigned bad = 0;
	int r;

	in.now_s = now;
	in.utc_offset_s = progression_utc_offset(now);
	r = progression_decide(st->state_dir, prog, &in, ret, &bad);
	if (r < 0) {
		fprintf(stderr, "pacectl: %s/history.jsonl: %s\n", st->state_dir,
			strerror(-r));
		return r;
	}
	if (bad)
		fprintf(stderr, "pacectl: %s/history.jsonl: %u unreadable lines skipped\n",
			st->state_dir, bad);
	return 0;
}

static int cmd_next(int argc, char **argv)
{
	static const char usage[] =
"Usage: pacectl next [--programme FILE] [--state-dir DIR] [--config FILE] [--json]\n"
"Say which stage of the programme comes next, and why, from the session\n"
"history and today's check-in: the same decision paced makes. --config\n"
"reads paced.conf's paces, speed cap, programme and state_dir, as the\n"
"service does; without it the built-in limits are used (and said).\n"
"Default programme: " DEFAULT_PROGRAMME ".\n";
	struct opts o = { 0 };
	struct pacectl_setup st;
	struct programme_decision d;
	struct programme *prog;
	int64_t now = time(NULL);
	int r = parse(argc, argv, &o, usage);

	if (r)
		return r > 0 ? PACECTL_EXIT_OK : PACECTL_EXIT_USAGE;
	if (pacectl_setup(&st, &o.where) < 0)
		return PACECTL_EXIT_FAIL;
	prog = pacectl_load_programme(&st);
	if (!prog)
		return PACECTL_EXIT_FAIL;
	r = pacectl_decide(&st, prog, now, &d);
	if (r == 0)
		pacectl_print_decision(&st, prog, &d, now, o.json);
	programme_free(prog);
	return r < 0 ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}

int cmd_progress(int argc, char **argv)
{
	return !strcmp(argv[0], "next") ? cmd_next(argc, argv) :
					  cmd_history(argc, argv);
}
