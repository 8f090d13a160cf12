/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl profile: check, show and list interval profiles and programmes offline. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "exercise.h"
#include "plan.h"
#include "profile.h"
#include "programme.h"
#include "scaleback.h"
#include "pacectl.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: pacectl profile check [OPTION]... FILE...\n"
"       pacectl profile show [OPTION]... FILE|PROGRAMME\n"
"       pacectl profile list [DIR]\n"
"Validate interval profiles (.cfg) and programmes (.programme) exactly as\n"
"paced does, show a profile's expanded timeline and what each symptom press\n"
"would do to it, or list the installed ones (default DIR: %s).\n"
"\n"
"Options:\n"
"  --cap KMH    speed cap (default %u.%02u, as paced.conf speed_cap)\n"
"  --walk KMH   your walk pace when the profile has none (default %u.%02u)\n"
"  --jog KMH    your jog pace when the profile has none (default %u.%02u)\n"
"  --walk-max KMH  the walking ceiling (default %u.%02u, as paced.conf walk_max)\n"
"  -a, --all    show: print the whole timeline after each press too\n"
"  -h, --help   show this help\n"
"\n"
"Exit status: 0 if every file loads, 1 if one does not, 2 on bad usage.\n"
"See paced-profile(5).\n", PROFILEDIR,
		PROFILE_DEFAULT_SPEED_CAP / 100, PROFILE_DEFAULT_SPEED_CAP % 100,
		PROFILE_DEFAULT_WALK / 100, PROFILE_DEFAULT_WALK % 100,
		PROFILE_DEFAULT_JOG / 100, PROFILE_DEFAULT_JOG % 100,
		PROFILE_DEFAULT_WALK_MAX / 100, PROFILE_DEFAULT_WALK_MAX % 100);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static bool is_programme(const char *path)
{
	return ends_with(path, ".programme");
}

static int parse_kmh(const char *s, uint16_t *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 100)
		return -EINVAL;
	*ret = (uint16_t) (v * 100 + 0.5);
	return 0;
}

static const char *dur(uint32_t ms, char *buf, size_t len)
{
	profile_format_duration(ms, buf, len);
	return buf;
}

static void print_wrapped(const char *text, const char *indent, int width)
{
	const char *p = text;

	while (*p) {
		int len = (int) strlen(p);
		int cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		printf("%s%.*s\n", indent, cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void print_table(const struct plan *plan)
{
	printf("  %7s  %8s  %-8s  %-6s  %10s  %7s\n", "start", "duration",
	       "phase", "pace", "speed km/h", "incline");
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];
		char a[16], b[16];
		int inc = s->incline;

		printf("  %7s  %8s  %-8s  %-6s  %7u.%02u  %4s%d.%d %%\n",
		       dur(s->start_ms, a, sizeof(a)),
		       dur(s->duration_ms, b, sizeof(b)),
		       plan_phase_name(s->phase), s->pace_name,
		       s->speed / 100, s->speed % 100,
		       inc < 0 ? "-" : "", abs(inc) / 10, abs(inc) % 10);
	}
}

/* Jog time in plan from t_ms on. */
static uint32_t jog_from(const struct plan *plan, uint32_t t_ms)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];
		uint32_t end = s->start_ms + s->duration_ms;

		if (s->jog_like && end > t_ms)
			sum += end - MAX(s->start_ms, t_ms);
	}
	return sum;
}

/* Middle of the first jog at or after t_ms, else t_ms itself. */
static uint32_t press_time(const struct plan *plan, uint32_t t_ms)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];

		if (s->jog_like && s->start_ms >= t_ms)
			return s->start_ms + s->duration_ms / 2 / 1000 * 1000;
	}
	return t_ms;
}

static void show_policy(const struct profile *p, const struct plan *plan,
			bool all)
{
	const struct scaleback_policy *pol = &p->policy;
	struct plan cur;
	uint32_t t;
	char a[16], b[16], c[16], d[16], what[160];

	printf("\nScale-back (%s):\n",
	       p->own_policy ? "this profile's policy" :
	       "built-in policy, unless paced.conf sets one");
	printf("  every press: walk pace at once, and walk at least %s\n",
	       dur(pol->recovery_ms, a, sizeof(a)));
	printf("  presses within %u.%u s of a counted one count once\n",
	       pol->debounce_ms / 1000, pol->debounce_ms % 1000 / 100);
	for (size_t i = 0; i < pol->n_steps; i++) {
		scaleback_step_describe(&pol->steps[i], what, sizeof(what));
		printf("  press %zu%s %s\n", i + 1,
		       i + 1 == pol->n_steps ? "+:" : ": ", what);
	}
	for (unsigned k = SYMPTOM_LEAK; k <= SYMPTOM_PAIN; k++)
		if (pol->kind_min_step[k] > 1)
			printf("  a '%s' press counts as at least press %u\n",
			       symptom_kind_name((enum symptom_kind) k),
			       pol->kind_min_step[k]);
	printf("  long press (2 s): %s\n",
	       pol->long_press == SCALEBACK_LONG_PRESS_END ?
	       "cool-down now, then stop" : "an ordinary press");

	printf("\nWhat three presses would do, each in the middle of the next jog:\n");
	plan_copy(plan, &cur);
	t = 0;
	for (unsigned press = 1; press <= 3; press++) {
		struct plan next;
		struct scaleback_step st;
		int r;

		t = press_time(&cur, t);
		if (plan_find(&cur, t) < 0) {
			printf("  press %u: the session is over\n", press);
			break;
		}
		st = scaleback_choose(pol, press, SYMPTOM_ANY);
		scaleback_step_describe(&st, what, sizeof(what));
		r = scaleback_apply(&cur, t, press, SYMPTOM_ANY, pol, &next);
		if (r < 0) {
			printf("  press %u: cannot apply (%s)\n", press,
			       strerror(-r));
			break;
		}
		if (st.end)
			printf("  press %u at %5s  %s\n", press,
			       dur(t, a, sizeof(a)), what);
		else
			printf("  press %u at %5s  walk, then %s\n", press,
			       dur(t, a, sizeof(a)), what);
		printf("  %18s%s left, %s of it jogging (was %s)\n", "",
		       dur(plan_end_ms(&next) - t, b, sizeof(b)),
		       dur(plan_jog_ms(&next), c, sizeof(c)),
		       dur(jog_from(&cur, t), d, sizeof(d)));
		if (all)
			print_table(&next);
		plan_clear(&cur);
		cur = next;
		/* The next press comes after this one's recovery walk. */
		t = MIN(t + pol->recovery_ms, plan_end_ms(&cur));
	}
	plan_clear(&cur);
}

/* The ladder: each stage with its time, jog time and growth. */
static int show_programme(const char *path, const struct profile_limits *lim)
{
	const struct programme_rules *r;
	struct profile_error err;
	struct programme *prog;
	char a[16], b[16];

	prog = programme_load(path, lim, &err);
	if (!prog) {
		fprintf(stderr, "%s\n", err.text);
		return PACECTL_EXIT_FAIL;
	}
	r = &prog->rules;
	printf("%s\n", prog->name);
	if (*prog->description)
		print_wrapped(prog->description, "  ", 74);
	printf("\n  %-6s %-22s %8s %8s  %s\n", "stage", "profile", "total",
	       "jogging", "growth");
	for (size_t i = 0; i < prog->n_stages; i++) {
		const struct programme_stage *st = &prog->stages[i];
		const char *file = strrchr(st->profile_path, '/');
		uint32_t prev = i ? prog->stages[i - 1].profile->jog_ms : 0;

		printf("  %-6s %-22s %8s %8s", st->id,
		       file ? file + 1 : st->profile_path,
		       dur(st->profile->total_ms, a, sizeof(a)),
		       dur(st->profile->jog_ms, b, sizeof(b)));
		if (prev)
			printf("  %+d %%", (int) (((int64_t) st->profile->jog_ms -
						  prev) * 100 / prev));
		if (st->profile->no_belt)
			printf("  no treadmill");
		if (st->min_days)
			printf(", at least %u days", st->min_days);
		printf("\n");
	}
	printf("\nRules: next stage after %u clean sessions; repeat a stage after a symptom;\n"
	       "back one stage after %u presses in a session or symptoms in %u sessions\n"
	       "in a row; walk only (%s) after symptoms before a session, suspended after\n"
	       "%u such reports; locked at %s after %u step-backs within %u days.\n",
	       r->advance_after, r->step_back_presses, r->step_back_streak,
	       prog->stages[r->walk_stage].id, r->precheck_suspend,
	       prog->stages[r->walk_stage].id, r->lock_regressions,
	       r->window_s / 86400);
	printf("Check-in: bleeding, heaviness or dragging, or pain of %u/10 or more: walk\n"
	       "only, see a physiotherapist. Leakage: %s. Short sleep: %s.\n"
	       "Low energy: %s. Symptoms the day after a session count as a\n"
	       "press in it. %u rest day%s between running sessions (a walk instead).\n",
	       r->pain_walk_only, programme_choice_name(r->leak),
	       programme_choice_name(r->short_sleep),
	       programme_choice_name(r->low_energy), r->rest_days,
	       r->rest_days == 1 ? "" : "s");
	programme_free(prog);
	return PACECTL_EXIT_OK;
}

/* A belt = false profile's items as written: repeats once, not expanded. */
static void print_items(const struct profile_item *items, size_t n,
			const char *section, unsigned depth)
{
	for (size_t i = 0; i < n; i++) {
		const struct profile_item *it = &items[i];
		char d[16];

		printf("  %-9s%*s", i == 0 && depth == 0 ? section : "",
		       (int) depth * 4, "");
		if (it->repeat) {
			printf("%u x:\n", it->repeat);
			print_items(it->items, it->n_items, section, depth + 1);
			continue;
		}
		printf("%s %5s%s  %s%s%s\n",
		       it->kind == PROFILE_ITEM_HOLD ? "hold" : "rest",
		       dur(it->duration_ms, d, sizeof(d)),
		       it->count ? ", counted" : "         ",
		       it->say ? "\"" : "", it->say ? it->say : "",
		       it->say ? "\"" : "");
	}
}

/* An exercise session: what it is, and what the cue engine says when. */
static int show_exercise(const struct profile *p, bool all)
{
	static const char *const section[PROFILE_SECTION_COUNT] = {
		"warmup", "main", "cooldown" };
	struct exercise_plan plan;
	struct exercise_cue cues[128];
	unsigned holds;
	uint32_t hold_ms;
	char a[16], b[16];
	size_t shown = 0;

	if (exercise_expand(p, &plan) < 0) {
		fprintf(stderr, "%s: cannot expand\n", p->path);
		return PACECTL_EXIT_FAIL;
	}
	printf("  no treadmill (belt = false): holds and rests, spoken\n\n");
	for (int i = 0; i < PROFILE_SECTION_COUNT; i++)
		print_items(p->section[i], p->section_n[i], section[i], 0);
	hold_ms = exercise_hold_ms(&plan, &holds);
	printf("  total %s, holding %s in %u holds\n\n",
	       dur(exercise_end_ms(&plan), a, sizeof(a)),
	       dur(hold_ms, b, sizeof(b)), holds);
	printf("What paced says, and when%s:\n", all ? "" :
	       " (the first steps; --all for every one)");
	for (size_t i = 0; i <= plan.n && (all || shown < 12); i++) {
		size_t n = exercise_step_cues(&plan, i, cues, ARRAY_SIZE(cues));

		for (size_t k = 0; k < n && (all || shown < 12); k++, shown++)
			printf("  %7s  %s\n", dur(cues[k].at_ms, a, sizeof(a)),
			       cues[k].text);
	}
	exercise_plan_clear(&plan);
	return PACECTL_EXIT_OK;
}

static int show(const char *path, const struct profile_limits *lim, bool all)
{
	struct profile_error err;
	struct profile *p;
	struct plan plan;
	char a[16], b[16];
	unsigned jogs = 0;

	if (is_programme(path))
		return show_programme(path, lim);
	p = profile_load(path, lim, &err);
	if (!p) {
		fprintf(stderr, "%s\n", err.text);
		return PACECTL_EXIT_FAIL;
	}
	if (p->no_belt) {
		int r;

		printf("%s\n", p->name);
		if (*p->description)
			print_wrapped(p->description, "  ", 74);
		r = show_exercise(p, all);
		profile_free(p);
		return r;
	}
	if (plan_expand(p, &plan) < 0) {
		fprintf(stderr, "%s: cannot expand\n", path);
		profile_free(p);
		return PACECTL_EXIT_FAIL;
	}
	printf("%s\n", p->name);
	if (*p->description)
		print_wrapped(p->description, "  ", 74);
	printf("  paces: walk %u.%02u, jog %u.%02u km/h; speed cap %u.%02u km/h\n\n",
	       p->paces[0].speed / 100, p->paces[0].speed % 100,
	       p->paces[1].speed / 100, p->paces[1].speed % 100,
	       lim->speed_cap / 100, lim->speed_cap % 100);
	print_table(&plan);
	for (size_t i = 0; i < plan.n; i++)
		jogs += plan.seg[i].jog_like;
	printf("  total %s, jogging %s in %u segment%s\n",
	       dur(plan_end_ms(&plan), a, sizeof(a)),
	       dur(plan_jog_ms(&plan), b, sizeof(b)), jogs,
	       jogs == 1 ? "" : "s");
	show_policy(p, &plan, all);
	plan_clear(&plan);
	profile_free(p);
	return PACECTL_EXIT_OK;
}

static bool check_one(const char *path, const struct profile_limits *lim)
{
	struct profile_error err;
	char a[16], b[16];

	if (is_programme(path)) {
		struct programme *prog = programme_load(path, lim, &err);

		if (!prog) {
			fprintf(stderr, "%s\n", err.text);
			return false;
		}
		printf("%s: ok: programme \"%s\", %zu stages\n", path,
		       prog->name, prog->n_stages);
		programme_free(prog);
	} else {
		struct profile *p = profile_load(path, lim, &err);

		if (!p) {
			fprintf(stderr, "%s\n", err.text);
			return false;
		}
		printf("%s: ok: \"%s\", %s, jogging %s\n", path, p->name,
		       dur(p->total_ms, a, sizeof(a)),
		       dur(p->jog_ms, b, sizeof(b)));
		profile_free(p);
	}
	return true;
}

static int filter(const struct dirent *d)
{
	return d->d_name[0] != '.' &&
	       (ends_with(d->d_name, ".cfg") ||
		ends_with(d->d_name, ".programme"));
}

static int list(const char *dir, const struct profile_limits *lim)
{
	struct dirent **names;
	int n, bad = 0;

	/* versionsort: rtr-p2 before rtr-p10 */
	n = scandir(dir, &names, filter, versionsort);
	if (n < 0) {
		fprintf(stderr, "pacectl profile list: %s: %s\n", dir,
			strerror(errno));
		return PACECTL_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		char path[4096], a[16], b[16];
		struct profile_error err;
		bool ok;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (is_programme(path)) {
			struct programme *prog = programme_load(path, lim, &err);

			ok = prog != NULL;
			if (ok)
				printf("%-28s programme: %s (%zu stages)\n",
				       names[i]->d_name, prog->name,
				       prog->n_stages);
			programme_free(prog);
		} else {
			struct profile *p = profile_load(path, lim, &err);

			ok = p != NULL;
			if (ok)
				printf("%-28s %-46s %7s  jog %s\n",
				       names[i]->d_name, p->name,
				       dur(p->total_ms, a, sizeof(a)),
				       dur(p->jog_ms, b, sizeof(b)));
			profile_free(p);
		}
		if (!ok) {
			printf("%-28s INVALID: %s\n", names[i]->d_name,
			       err.text);
			bad++;
		}
		free(names[i]);
	}
	free(names);
	if (!n)
		printf("no profiles in %s\n", dir);
	return bad ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_limits lim;
	const char *sub;
	bool all = false;
	int i = 2, nfiles = 0, failed = 0;
	char **files;

	profile_limits_default(&lim);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PACECTL_EXIT_USAGE : PACECTL_EXIT_OK;
	}
	sub = argv[1];
	files = paced_new0(char *, (size_t) argc);
	for (; i < argc; i++) {
		const char *a = argv[i];
		uint16_t *target = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(files);
			return PACECTL_EXIT_OK;
		} else if (!strcmp(a, "-a") || !strcmp(a, "--all")) {
			all = true;
			continue;
		} else if (!strcmp(a, "--cap")) {
			target = &lim.speed_cap;
		} else if (!strcmp(a, "--walk")) {
			target = &lim.walk_speed;
		} else if (!strcmp(a, "--jog")) {
			target = &lim.jog_speed;
		} else if (!strcmp(a, "--walk-max")) {
			target = &lim.walk_max;
		} else if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				files[nfiles++] = argv[i];
			break;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pacectl profile: unknown option '%s'\n", a);
			free(files);
			return PACECTL_EXIT_USAGE;
		} else {
			files[nfiles++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || parse_kmh(argv[i + 1], target) < 0) {
			fprintf(stderr, "pacectl profile: %s needs a speed in km/h above 0\n", a);
			free(files);
			return PACECTL_EXIT_USAGE;
		}
		i++;
	}

	if (!strcmp(sub, "check")) {
		if (!nfiles) {
			fprintf(stderr, "pacectl profile check: no FILE given\n");
			free(files);
			return PACECTL_EXIT_USAGE;
		}
		for (int f = 0; f < nfiles; f++)
			if (!check_one(files[f], &lim))
				failed++;
		free(files);
		return failed ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
	}
	if (!strcmp(sub, "show")) {
		int r;

		if (nfiles != 1) {
			fprintf(stderr, "pacectl profile show: give exactly one FILE\n");
			free(files);
			return PACECTL_EXIT_USAGE;
		}
		r = show(files[0], &lim, all);
		free(files);
		return r;
	}
	if (!strcmp(sub, "list")) {
		int r;

		if (nfiles > 1) {
			fprintf(stderr, "pacectl profile list: at most one DIR\n");
			free(files);
			return PACECTL_EXIT_USAGE;
		}
		r = list(nfiles ? files[0] : PROFILEDIR, &lim);
		free(files);
		return r;
	}
	fprintf(stderr, "pacectl profile: unknown sub-command '%s' (check, show, list)\n",
		sub);
	free(files);
	return PACECTL_EXIT_USAGE;
}
