/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Programme files (libconfig) and the pure across-session progression rule. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libconfig.h>

#include "file.h"
#include "util.h"
#include "plan.h"
#include "profile.h"
#include "programme.h"

#define PROGRAMME_MAX_FILE (64 * 1024)

void programme_rules_default(struct programme_rules *ret_rules)
{
	struct programme_rules r;

	memset(&r, 0, sizeof(r));
	/* docs/domain.md 3.5 "Across sessions" and 3.4 (each phase at
	 * least twice; never more than 30 % more running). */
	r.advance_after = 2;
	r.step_back_presses = 2;
	r.step_back_streak = 2;
	r.lock_regressions = 3;
	r.precheck_suspend = 2;
	r.window_s = 14 * 24 * 3600;
	r.max_growth = 1300;
	r.walk_stage = 0;
	/* docs/domain.md 3.6, "rest day between runs": Couch to 5K (3.3)
	 * and the return-to-run protocols (3.4) keep at least one. */
	r.rest_days = 1;
	/* docs/domain.md 3.4: the injury protocols accept mild pain of 2 to
	 * 4 out of 10, postpartum guidance none; 3.6 lists pelvic or
	 * low-back pain as a red flag. 3/10 is past the strictest
	 * protocol's limit: walk only. Pain below it still stops progress
	 * (the leak rule, below). */
	r.pain_walk_only = 3;
	/* Leakage since the last session repeats the stage (the session
	 * was not clean). docs/domain.md 3.5 and 3.6 would make today
	 * walking only; a clinician can choose that: "walk-only". */
	r.leak = PROGRAMME_CHOICE_REPEAT;
	/* docs/domain.md 3.6, check-in: adjust training for sleep and
	 * energy availability (Deering 2024, 3.2); an offer, not a step
	 * back. */
	r.short_sleep = PROGRAMME_CHOICE_OFFER_PREVIOUS;
	r.low_energy = PROGRAMME_CHOICE_OFFER_PREVIOUS;
	/* "Last night's sleep": a check-in speaks for the day it was made. */
	r.checkin_valid_s = 12 * 3600;
	*ret_rules = r;
}

const char *programme_choice_name(enum programme_choice choice)
{
	switch (choice) {
	case PROGRAMME_CHOICE_NONE:
		return "none";
	case PROGRAMME_CHOICE_REPEAT:
		return "repeat";
	case PROGRAMME_CHOICE_WALK_ONLY:
		return "walk-only";
	case PROGRAMME_CHOICE_OFFER_PREVIOUS:
		return "offer-previous";
	case PROGRAMME_CHOICE_PREVIOUS:
		return "previous";
	}
	return "?";
}

struct pctx {
	const char *file;
	struct profile_error err;
	bool failed;
};

static void pfail(struct pctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pfail(struct pctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	c->err.line = line;
	va_start(ap, fmt);
	vsnprintf(c->err.message, sizeof(c->err.message), fmt, ap);
	va_end(ap);
	for (char *q = c->err.message; *q; q++)
		if ((unsigned char) *q < 0x20 || *q == 0x7f)
			*q = '?';
	if (line)
		snprintf(c->err.text, sizeof(c->err.text), "%s:%u: %s",
			 c->file, line, c->err.message);
	else
		snprintf(c->err.text, sizeof(c->err.text), "%s: %s", c->file,
			 c->err.message);
}

#define LINE(s) ((unsigned) config_setting_source_line(s))

void programme_free(struct programme *prog)
{
	if (!prog)
		return;
	for (size_t i = 0; i < prog->n_stages; i++) {
		free(prog->stages[i].profile_path);
		profile_free(prog->stages[i].profile);
	}
	free(prog->stages);
	free(prog->path);
	free(prog->name);
	free(prog->description);
	free(prog);
}

long programme_find_stage(const struct programme *prog, const char *id)
{
	for (size_t i = 0; i < prog->n_stages; i++)
		if (!strcmp(prog->stages[i].id, id))
			return (long) i;
	return -1;
}

/* An integer from lo to hi, if present. */
static bool get_range(struct pctx *c, const config_setting_t *g,
		      const char *key, unsigned lo, unsigned hi, unsigned *ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	long long v;

	if (!m)
		return true;
	if (config_setting_type(m) != CONFIG_TYPE_INT) {
		pfail(c, LINE(m), "%s must be an integer", key);
		return false;
	}
	v = config_setting_get_int64(m);
	if (v < (long long) lo || v > (long long) hi) {
		pfail(c, LINE(m), "%s %lld is out of range (%u to %u)", key, v,
		      lo, hi);
		return false;
	}
	*ret = (unsigned) v;
	return true;
}

static bool get_count(struct pctx *c, const config_setting_t *g,
		      const char *key, unsigned *ret)
{
	return get_range(c, g, key, 1, PROGRAMME_MAX_COUNT, ret);
}

static const enum programme_choice leak_choices[] = {
	PROGRAMME_CHOICE_REPEAT, PROGRAMME_CHOICE_WALK_ONLY,
	PROGRAMME_CHOICE_NONE,
};
static const enum programme_choice wellbeing_choices[] = {
	PROGRAMME_CHOICE_OFFER_PREVIOUS, PROGRAMME_CHOICE_PREVIOUS,
	PROGRAMME_CHOICE_NONE,
};

/* One of three choices by name, if present. */
static bool get_choice(struct pctx *c, const config_setting_t *g,
		       const char *key, const enum programme_choice *choices,
		       enum programme_choice *ret)
{
	const config_setting_t *m = config_setting_get_member(g, key);
	const char *v;

	if (!m)
		return true;
	v = config_setting_type(m) == CONFIG_TYPE_STRING ?
	    config_setting_get_string(m) : "";
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(v, programme_choice_name(choices[i]))) {
			*ret = choices[i];
			return true;
		}
	pfail(c, LINE(m), "%s must be \"%s\", \"%s\" or \"%s\"", key,
	      programme_choice_name(choices[0]),
	      programme_choice_name(choices[1]),
	      programme_choice_name(choices[2]));
	return false;
}

static void parse_rules(struct pctx *c, const config_setting_t *root,
			struct programme *prog)
{
	static const char *const keys[] = {
		"advance_after", "step_back_presses", "step_back_streak",
		"lock_regressions", "precheck_suspend", "window_days",
		"max_growth", "walk_stage", "rest_days", "pain_walk_only",
		"leak_at_checkin", "short_sleep", "low_energy",
		"checkin_hours", NULL };
	const config_setting_t *g = config_setting_get_member(root, "rules");
	struct programme_rules *r = &prog->rules;
	const config_setting_t *m;

	programme_rules_default(r);
	if (!g)
		return;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		pfail(c, LINE(g), "'rules' must be a group { ... }");
		return;
	}
	for (int i = 0; i < config_setting_length(g); i++) {
		const char *name = config_setting_name(config_setting_get_elem(g, i));
		bool ok = false;

		for (size_t k = 0; keys[k]; k++)
			if (name && !strcmp(name, keys[k]))
				ok = true;
		if (!ok) {
			pfail(c, LINE(config_setting_get_elem(g, i)),
			      "unknown key '%s' in rules (expected advance_after, step_back_presses, step_back_streak, lock_regressions, precheck_suspend, window_days, max_growth, walk_stage, rest_days, pain_walk_only, leak_at_checkin, short_sleep, low_energy, checkin_hours)",
			      name ? name : "?");
			return;
		}
	}
	if (!get_count(c, g, "advance_after", &r->advance_after) ||
	    !get_count(c, g, "step_back_presses", &r->step_back_presses) ||
	    !get_count(c, g, "step_back_streak", &r->step_back_streak) ||
	    !get_count(c, g, "lock_regressions", &r->lock_regressions) ||
	    !get_count(c, g, "precheck_suspend", &r->precheck_suspend))
		return;
	if ((m = config_setting_get_member(g, "window_days"))) {
		long long v = config_setting_get_int64(m);

		if (config_setting_type(m) != CONFIG_TYPE_INT || v < 1 ||
		    v > 365) {
			pfail(c, LINE(m), "window_days must be an integer from 1 to 365");
			return;
		}
		r->window_s = (uint32_t) v * 24 * 3600;
	}
	if ((m = config_setting_get_member(g, "max_growth"))) {
		double v = config_setting_type(m) == CONFIG_TYPE_FLOAT ?
			   config_setting_get_float(m) : -1;

		/* docs/domain.md 3.4: never more than 30 % over two weeks; a file
		 * may be stricter, never looser. */
		if (!(v >= 1.0 && v <= 1.3)) {
			pfail(c, LINE(m), "max_growth must be a number from 1.0 to 1.3 (at most 30 %% more jog time per stage)");
			return;
		}
		r->max_growth = (uint16_t) (v * 1000 + 0.5);
	}
	if (!get_range(c, g, "rest_days", 0, 6, &r->rest_days) ||
	    !get_range(c, g, "pain_walk_only", 1, CHECKIN_PAIN_MAX,
		       &r->pain_walk_only) ||
	    !get_choice(c, g, "leak_at_checkin", leak_choices, &r->leak) ||
	    !get_choice(c, g, "short_sleep", wellbeing_choices,
			&r->short_sleep) ||
	    !get_choice(c, g, "low_energy", wellbeing_choices,
			&r->low_energy))
		return;
	if ((m = config_setting_get_member(g, "checkin_hours"))) {
		unsigned h;

		if (!get_range(c, g, "checkin_hours", 1, 24, &h))
			return;
		r->checkin_valid_s = h * 3600;
	}
}

/* dir of path + "/" + rel, unless rel is absolute. */
static char *resolve(const char *path, const char *rel)
{
	const char *slash = strrchr(path, '/');
	size_t dl, len;
	char *out;

	if (rel[0] == '/' || !slash)
		return paced_strdup(rel);
	dl = (size_t) (slash - path) + 1;
	len = dl + strlen(rel) + 1;
	out = paced_malloc(len);
	memcpy(out, path, dl);
	strcpy(out + dl, rel);
	return out;
}

static void parse_stages(struct pctx *c, const config_setting_t *root,
			 struct programme *prog,
			 const struct profile_limits *limits)
{
	const config_setting_t *list = config_setting_get_member(root, "stages");
	const char *walk_id = NULL;
	const config_setting_t *ws = NULL;
	const config_setting_t *rules = config_setting_get_member(root, "rules");
	int n;

	if (!list) {
		pfail(c, 0, "missing required key 'stages'");
		return;
	}
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		pfail(c, LINE(list), "'stages' must be a list ( { id = ...; profile = ...; }, ... )");
		return;
	}
	n = config_setting_length(list);
	if (n < 1 || n > PROGRAMME_MAX_STAGES) {
		pfail(c, LINE(list), "'stages' must have 1 to %d stages",
		      PROGRAMME_MAX_STAGES);
		return;
	}
	prog->stages = paced_new0(struct programme_stage, (size_t) n);
	for (int i = 0; i < n && !c->failed; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct programme_stage *st = &prog->stages[i];
		const char *id, *file;
		struct profile_error perr;
		const config_setting_t *md;

		st->line = LINE(g);
		md = config_setting_type(g) == CONFIG_TYPE_GROUP ?
		     config_setting_get_member(g, "min_days") : NULL;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP ||
		    !config_setting_lookup_string(g, "id", &id) ||
		    !config_setting_lookup_string(g, "profile", &file) ||
		    config_setting_length(g) != 2 + !!md) {
			pfail(c, LINE(g), "each stage must be { id = \"P1\"; profile = \"FILE.cfg\"; } with an optional min_days = N;");
			return;
		}
		/* docs/domain.md 3.6: the preparation phase's four weeks. */
		if (md) {
			long long v = config_setting_get_int64(md);

			if (config_setting_type(md) != CONFIG_TYPE_INT ||
			    v < 0 || v > 365) {
				pfail(c, LINE(md), "min_days must be an integer from 0 to 365");
				return;
			}
			st->min_days = (uint32_t) v;
		}
		if (!*id || strlen(id) >= PROGRAMME_STAGE_ID_MAX) {
			pfail(c, LINE(g), "stage id must be 1 to %d characters",
			      PROGRAMME_STAGE_ID_MAX - 1);
			return;
		}
		if (programme_find_stage(prog, id) >= 0) {
			pfail(c, LINE(g), "duplicate stage id \"%s\"", id);
			return;
		}
		strcpy(st->id, id);
		prog->n_stages = (size_t) i + 1;
		st->profile_path = resolve(prog->path, file);
		if (strlen(st->profile_path) >= PROGRAMME_PROFILE_PATH_MAX) {
			pfail(c, LINE(g), "stage %s: the profile's path is longer than %d bytes",
			      id, PROGRAMME_PROFILE_PATH_MAX - 1);
			return;
		}
		st->profile = profile_load(st->profile_path, limits, &perr);
		if (!st->profile) {
			/* The profile's own file:line is the useful one. */
			c->failed = true;
			c->err = perr;
			return;
		}
	}
	if (rules)
		ws = config_setting_get_member(rules, "walk_stage");
	if (ws) {
		long idx;

		if (config_setting_type(ws) != CONFIG_TYPE_STRING) {
			pfail(c, LINE(ws), "walk_stage must be a stage id string");
			return;
		}
		walk_id = config_setting_get_string(ws);
		idx = programme_find_stage(prog, walk_id);
		if (idx < 0) {
			pfail(c, LINE(ws), "walk_stage \"%s\" is not a stage",
			      walk_id);
			return;
		}
		prog->rules.walk_stage = (size_t) idx;
	}
	if (prog->stages[prog->rules.walk_stage].profile->no_belt) {
		pfail(c, ws ? LINE(ws) : prog->stages[prog->rules.walk_stage].line,
		      "walk stage \"%s\" has no treadmill (belt = false): name a walking stage with walk_stage",
		      prog->stages[prog->rules.walk_stage].id);
		return;
	}
	if (prog->stages[prog->rules.walk_stage].profile->jog_ms) {
		pfail(c, ws ? LINE(ws) : prog->stages[prog->rules.walk_stage].line,
		      "walk stage \"%s\" has jogging in it",
		      prog->stages[prog->rules.walk_stage].id);
		return;
	}
	/* docs/domain.md 3.4/3.5: refuse a ladder that adds more than
	 * max_growth of jog time from one stage to the next. A first jog
	 * stage after walking has nothing to grow from. */
	for (size_t i = 1; i < prog->n_stages; i++) {
		uint64_t prev = prog->stages[i - 1].profile->jog_ms;
		uint64_t cur = prog->stages[i].profile->jog_ms;
		char a[32], b[32];

		if (!prev || cur * 1000 <= prev * prog->rules.max_growth)
			continue;
		profile_format_duration((uint32_t) cur, a, sizeof(a));
		profile_format_duration((uint32_t) prev, b, sizeof(b));
		pfail(c, prog->stages[i].line,
		      "stage \"%s\" jogs %s, %llu %% of \"%s\" (%s); at most %u %% is allowed",
		      prog->stages[i].id, a,
		      (unsigned long long) (cur * 100 / prev),
		      prog->stages[i - 1].id, b,
		      prog->rules.max_growth / 10);
		return;
	}
}

struct programme *programme_load(const char *path,
				 const struct profile_limits *limits,
				 struct profile_error *ret_err)
{
	static const char *const keys[] = {
		"name", "description", "stages", "rules", NULL };
	struct pctx c = { 0 };
	struct programme *prog = NULL;
	config_setting_t *root;
	const char *s;
	config_t cfg;
	char *text;
	FILE *f;
	size_t n;
	int fd;

	c.file = path ? path : "(null)";
	/* As profile_load(): a regular file, never a FIFO or a device. */
	fd = path ? file_open_read(path) : -EINVAL;
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		pfail(&c, 0, "cannot open: %s",
		      file_strerror(fd < 0 ? fd : -errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	text = paced_malloc(PROGRAMME_MAX_FILE + 1);
	n = fread(text, 1, PROGRAMME_MAX_FILE + 1, f);
	fclose(f);
	if (n > PROGRAMME_MAX_FILE || memchr(text, '\0', n)) {
		free(text);
		pfail(&c, 0, "not a programme file (too large or binary)");
		goto out;
	}
	text[n] = '\0';
	if (strstr(text, "@include")) {
		free(text);
		pfail(&c, 0, "@include is not allowed in a programme");
		goto out;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		pfail(&c, (unsigned) config_error_line(&cfg), "%s",
		      config_error_text(&cfg));
		config_destroy(&cfg);
		free(text);
		goto out;
	}
	free(text);
	root = config_root_setting(&cfg);
	prog = paced_new0(struct programme, 1);
	prog->path = paced_strdup(path);
	for (int i = 0; i < config_setting_length(root) && !c.failed; i++) {
		const config_setting_t *m = config_setting_get_elem(root, i);
		const char *name = config_setting_name(m);
		bool ok = false;

		for (size_t k = 0; keys[k]; k++)
			if (name && !strcmp(name, keys[k]))
				ok = true;
		if (!ok)
			pfail(&c, LINE(m), "unknown key '%s' in programme (expected name, description, stages, rules)",
			      name ? name : "?");
	}
	if (!c.failed && !config_lookup_string(&cfg, "name", &s))
		pfail(&c, 0, "missing required key 'name' (a string)");
	if (!c.failed)
		prog->name = paced_strdup(s);
	if (!c.failed) {
		s = "";
		config_lookup_string(&cfg, "description", &s);
		prog->description = paced_strdup(s);
		parse_rules(&c, root, prog);
	}
	if (!c.failed)
		parse_stages(&c, root, prog, limits);
	config_destroy(&cfg);
out:
	if (c.failed) {
		programme_free(prog);
		if (ret_err)
			*ret_err = c.err;
		return NULL;
	}
	return prog;
}

const char *programme_reason_name(enum programme_reason reason)
{
	switch (reason) {
	case PROGRAMME_START:
		return "start";
	case PROGRAMME_ADVANCE:
		return "advance";
	case PROGRAMME_NEED_CLEAN:
		return "need-clean";
	case PROGRAMME_REPEAT_SYMPTOM:
		return "repeat-symptom";
	case PROGRAMME_REPEAT_INCOMPLETE:
		return "repeat-incomplete";
	case PROGRAMME_STEP_BACK_PRESSES:
		return "step-back-presses";
	case PROGRAMME_STEP_BACK_STREAK:
		return "step-back-streak";
	case PROGRAMME_WALK_PRECHECK:
		return "walk-precheck";
	case PROGRAMME_SUSPENDED:
		return "suspended";
	case PROGRAMME_LOCKED:
		return "locked";
	case PROGRAMME_OFF_PLAN:
		return "off-plan";
	case PROGRAMME_FINISHED:
		return "finished";
	case PROGRAMME_RESUMED:
		return "resumed";
	case PROGRAMME_NEED_TIME:
		return "need-time";
	case PROGRAMME_LEFT_PREP:
		return "left-prep";
	case PROGRAMME_REPEAT_CHECKIN:
		return "repeat-checkin";
	case PROGRAMME_WALK_RED_FLAG:
		return "walk-red-flag";
	case PROGRAMME_REST_DAY:
		return "rest-day";
	case PROGRAMME_OFFER_PREVIOUS:
		return "offer-previous";
	case PROGRAMME_PREVIOUS:
		return "previous";
	}
	return "?";
}

bool programme_stage_has_belt(const struct programme *prog, size_t stage)
{
	return stage < prog->n_stages && (!prog->stages[stage].profile ||
					  !prog->stages[stage].profile->no_belt);
}

bool programme_stage_runs(const struct programme *prog, size_t stage)
{
	return programme_stage_has_belt(prog, stage) &&
	       prog->stages[stage].profile &&
	       prog->stages[stage].profile->jog_ms > 0;
}

/* Times of recent events, newest last; enough for any count rule. */
struct recent {
	int64_t t[PROGRAMME_MAX_COUNT];
	unsigned n;
};

static void recent_add(struct recent *r, int64_t t)
{
	if (r->n == PROGRAMME_MAX_COUNT) {
		memmove(r->t, r->t + 1, sizeof(r->t[0]) * (r->n - 1));
		r->n--;
	}
	r->t[r->n++] = t;
}

/* Do the last count events fall within window_s of the newest? */
static bool recent_within(const struct recent *r, unsigned count,
			  uint32_t window_s)
{
	if (!count || r->n < count)
		return false;
	return r->t[r->n - 1] - r->t[r->n - count] <= (int64_t) window_s;
}

/* The local calendar day of t (floor division, so any t works). */
static int64_t local_day(int64_t t, int32_t utc_offset_s)
{
	int64_t x = t + utc_offset_s;

	return x >= 0 ? x / 86400 : -((-x + 86399) / 86400);
}

/* Red flags in a check-in (docs/domain.md 3.6: no running today, and see
 * a pelvic-health physiotherapist). */
enum {
	FLAG_BLEEDING = 1 << 0,
	FLAG_HEAVINESS = 1 << 1,
	FLAG_PAIN = 1 << 2,
};

/* The history folded so far: what programme_decide() carries from one
 * entry to the next. */
struct fold {
	const struct programme *prog;
	const struct programme_rules *r;
	const struct programme_input *in;
	programme_event_func_t event;
	void *user_data;
	enum programme_reason reason;	/* the last rule applied */
	bool locked;
	unsigned clean;
	size_t stage, from;
	unsigned streak, presses;
	int64_t first_s;		/* first run at stage, or -1 */
	struct recent regressions, prechecks;
	/* since the last run */
	bool walk_pending;		/* walk only until the next run */
	enum programme_reason walk;	/* WALK_RED_FLAG or WALK_PRECHECK */
	unsigned flags;			/* red flags reported */
	int pain;			/* the pain reported with them */
	bool counted;			/* a walk-only report counted once */
	bool repeated;			/* the stage was repeated once */
	bool have_checkin;
	int64_t checkin_s;
	struct checkin checkin;		/* the latest check-in */
	/* the last run */
	bool advanced;			/* it moved the stage on, from */
	bool have_run;
	int64_t last_run_s;
	enum checkin_yesno last_next_day;
	bool have_running;
	int64_t last_running_s;		/* the last session with jogging */
};

static void emit(struct fold *f, int64_t when, enum programme_reason reason,
		 size_t from, size_t to)
{
	struct programme_event ev = {
		.when_s = when, .reason = reason, .from = from, .to = to };

	if (f->event)
		f->event(&ev, f->user_data);
}

/* The first local day a running session is allowed again. */
static int64_t due_day(const struct fold *f)
{
	return local_day(f->last_running_s, f->in->utc_offset_s) +
	       f->r->rest_days + 1;
}

static bool in_rest(const struct fold *f, int64_t t)
{
	return f->have_running &&
	       local_day(t, f->in->utc_offset_s) < due_day(f);
}

/*
 * Symptoms reported before a session mean the last session was not clean
 * after all: undo the step up it earned and count clean sessions afresh
 * (docs/domain.md 3.1 recommendation 2: not later than the symptoms).
 */
static void repeat_stage(struct fold *f, int64_t when)
{
	size_t before = f->stage;

	if (f->repeated || f->locked)
		return;
	f->repeated = true;
	if (f->advanced) {
		f->stage = f->from;
		f->advanced = false;
		f->first_s = -1;
	}
	f->clean = 0;
	f->reason = PROGRAMME_REPEAT_CHECKIN;
	emit(f, when, PROGRAMME_REPEAT_CHECKIN, before, f->stage);
}

/* docs/domain.md 3.5: symptoms at the pre-session check mean a walk-only
 * session; twice within the window, running is suspended (and a second
 * check-in before the same session is not a second report). */
static void walk_only(struct fold *f, int64_t when, enum programme_reason why)
{
	const struct programme_rules *r = f->r;

	f->walk_pending = true;
	if (why == PROGRAMME_WALK_RED_FLAG || f->walk != PROGRAMME_WALK_RED_FLAG)
		f->walk = why;
	if (!f->counted) {
		f->counted = true;
		recent_add(&f->prechecks, when);
		if (!f->locked && recent_within(&f->prechecks,
						r->precheck_suspend,
						r->window_s)) {
			f->locked = true;
			f->reason = PROGRAMME_SUSPENDED;
			emit(f, when, PROGRAMME_SUSPENDED, f->stage,
			     r->walk_stage);
			return;
		}
	}
	if (f->locked)
		return;
	f->reason = f->walk;
	emit(f, when, why, f->stage, r->walk_stage);
}

static void fold_checkin(struct fold *f, int64_t when, const struct checkin *c)
{
	const struct programme_rules *r = f->r;
	unsigned flags = 0;

	f->have_checkin = true;
	f->checkin_s = when;
	f->checkin = *c;
	if (c->bleeding == CHECKIN_YES)
		flags |= FLAG_BLEEDING;
	if (c->heaviness == CHECKIN_YES)
		flags |= FLAG_HEAVINESS;
	if (c->pain >= (int) r->pain_walk_only)
		flags |= FLAG_PAIN;
	if (flags || (c->leak == CHECKIN_YES &&
		      r->leak != PROGRAMME_CHOICE_NONE) || c->pain > 0)
		repeat_stage(f, when);
	if (flags) {
		f->flags |= flags;
		if (flags & FLAG_PAIN)
			f->pain = MAX(f->pain, c->pain);
		walk_only(f, when, PROGRAMME_WALK_RED_FLAG);
	} else if (c->leak == CHECKIN_YES &&
		   r->leak == PROGRAMME_CHOICE_WALK_ONLY) {
		walk_only(f, when, PROGRAMME_WALK_PRECHECK);
	}
}

/* The wellbeing rule a check-in triggers: the stronger of the two. */
static enum programme_choice wellbeing(const struct fold *f)
{
	enum programme_choice a = PROGRAMME_CHOICE_NONE, b = a;

	if (f->checkin.sleep == CHECKIN_SLEEP_SHORT)
		a = f->r->short_sleep;
	if (f->checkin.energy == CHECKIN_ENERGY_LOW)
		b = f->r->low_energy;
	if (a == PROGRAMME_CHOICE_PREVIOUS || b == PROGRAMME_CHOICE_PREVIOUS)
		return PROGRAMME_CHOICE_PREVIOUS;
	return a != PROGRAMME_CHOICE_NONE ? a : b;
}

static void fold_run(struct fold *f, const struct session_summary *e)
{
	const struct programme *prog = f->prog;
	const struct programme_rules *r = f->r;
	/* A next-day yes counts exactly as one more press in the session. */
	unsigned presses = e->presses + (e->next_day == CHECKIN_YES);
	bool symptomatic = presses > 0;
	size_t before = f->stage;

	/* What the reports call walk-only days and offers taken: a walk
	 * inside the rest period, the stage before after a poor night. */
	if (!f->locked && !f->walk_pending && e->stage == r->walk_stage &&
	    e->stage != f->stage && programme_stage_runs(prog, f->stage) &&
	    in_rest(f, e->when_s))
		emit(f, e->when_s, PROGRAMME_REST_DAY, f->stage, e->stage);
	if (!f->locked && f->have_checkin && e->stage + 1 == f->stage &&
	    wellbeing(f) != PROGRAMME_CHOICE_NONE)
		emit(f, e->when_s, PROGRAMME_OFFER_PREVIOUS, f->stage, e->stage);
	/* The preparation phase is advice, not a gate: a treadmill stage
	 * run after it moves the ladder there. */
	if (!f->locked && !programme_stage_has_belt(prog, f->stage) &&
	    e->stage > f->stage && programme_stage_has_belt(prog, e->stage)) {
		f->from = f->stage;
		f->stage = e->stage;
		f->clean = 0;
		f->first_s = -1;
		f->reason = PROGRAMME_LEFT_PREP;
		emit(f, e->when_s, PROGRAMME_LEFT_PREP, before, f->stage);
		before = f->stage;
	}
	if (e->stage == f->stage && f->first_s < 0)
		f->first_s = e->when_s;

	f->walk_pending = false;
	f->counted = f->repeated = false;
	f->flags = 0;
	f->pain = 0;
	f->have_checkin = false;
	f->advanced = false;
	f->have_run = true;
	f->last_run_s = e->when_s;
	f->last_next_day = e->next_day;
	if (programme_stage_runs(prog, e->stage)) {
		f->have_running = true;
		f->last_running_s = e->when_s;
	}
	f->streak = symptomatic ? f->streak + 1 : 0;
	f->presses = presses;
	if (f->locked)
		return;		/* reason stays LOCKED / SUSPENDED */
	if (presses >= r->step_back_presses ||
	    (symptomatic && f->streak >= r->step_back_streak)) {
		f->reason = presses >= r->step_back_presses ?
			    PROGRAMME_STEP_BACK_PRESSES :
			    PROGRAMME_STEP_BACK_STREAK;
		f->from = f->stage;
		/* "Restart the previous exercise" (docs/domain.md 3.4); a
		 * step back never lands on a no-belt stage. */
		if (f->stage > 0 && programme_stage_has_belt(prog, f->stage - 1)) {
			f->stage--;
			f->first_s = -1;
		}
		f->clean = 0;
		/* The streak is answered; the next symptom counts afresh. */
		f->streak = 0;
		emit(f, e->when_s, f->reason, before, f->stage);
		recent_add(&f->regressions, e->when_s);
		if (recent_within(&f->regressions, r->lock_regressions,
				  r->window_s)) {
			f->locked = true;
			f->reason = PROGRAMME_LOCKED;
			emit(f, e->when_s, PROGRAMME_LOCKED, f->stage,
			     r->walk_stage);
		}
	} else if (symptomatic) {
		f->reason = PROGRAMME_REPEAT_SYMPTOM;
		f->clean = 0;
		emit(f, e->when_s, f->reason, f->stage, f->stage);
	} else if (!e->completed) {
		f->reason = PROGRAMME_REPEAT_INCOMPLETE;
		f->clean = 0;
	} else if (e->stage != f->stage) {
		/* A walk-only day or a hand-picked profile: clean, but it
		 * says nothing about this stage. */
		f->reason = PROGRAMME_OFF_PLAN;
	} else if (++f->clean < r->advance_after) {
		f->reason = PROGRAMME_NEED_CLEAN;
	} else if (e->when_s - f->first_s <
		   (int64_t) prog->stages[f->stage].min_days * 86400) {
		/* docs/domain.md 3.6: the preparation phase's weeks. */
		f->reason = PROGRAMME_NEED_TIME;
	} else if (f->stage + 1 < prog->n_stages) {
		f->from = f->stage;
		f->stage++;
		f->clean = 0;
		f->first_s = -1;
		f->advanced = true;
		f->reason = PROGRAMME_ADVANCE;
		emit(f, e->when_s, f->reason, f->from, f->stage);
	} else {
		f->reason = PROGRAMME_FINISHED;
	}
}

static void fold_entry(struct fold *f, const struct session_summary *e)
{
	switch (e->type) {
	case SESSION_CLEARED:
		/* Only an explicit user action lifts a lock. */
		f->locked = false;
		f->regressions.n = f->prechecks.n = 0;
		f->walk_pending = false;
		f->streak = 0;
		f->clean = 0;
		f->reason = PROGRAMME_RESUMED;
		emit(f, e->when_s, f->reason, f->stage, f->stage);
		break;
	case SESSION_PRECHECK:
		/* The one-button check says "symptoms", not which: the
		 * walk-only rule, as for a red flag, without the flag. */
		repeat_stage(f, e->when_s);
		walk_only(f, e->when_s, PROGRAMME_WALK_PRECHECK);
		break;
	case SESSION_CHECKIN:
		fold_checkin(f, e->when_s, &e->checkin);
		break;
	case SESSION_RUN:
		fold_run(f, e);
		break;
	case SESSION_NEXT_DAY:
		break;		/* carried on its run (session_summary) */
	}
}

/* The first treadmill stage after stage, or stage itself if none. */
static size_t belt_stage_after(const struct programme *prog, size_t stage)
{
	for (size_t i = stage; i < prog->n_stages; i++)
		if (programme_stage_has_belt(prog, i))
			return i;
	return stage;
}

static void format_day(int64_t t, int32_t utc_offset_s, char *buf, size_t len)
{
	time_t local = (time_t) (t + utc_offset_s);
	struct tm tm;

	/* gmtime_r() of a shifted time: pure, no time zone file read. */
	gmtime_r(&local, &tm);
	strftime(buf, len, "%a %-d %b", &tm);
}

#define REFERRAL "paced is not a medical device: please see a pelvic-health physiotherapist before running again."

/* The first sentence: the rule that decided today. */
static void explain(const struct fold *f, const struct programme_decision *d,
		    char *m, size_t len)
{
	const struct programme *prog = f->prog;
	const struct programme_rules *r = f->r;
	const char *cur = prog->stages[d->programme_stage].id;
	const char *today = prog->stages[d->stage].id;
	const char *walk = prog->stages[r->walk_stage].id;
	const char *prev = prog->stages[f->from].id;
	char flags[96] = "", day[32];
	unsigned prep_days = 0;

	switch (d->reason) {
	case PROGRAMME_START:
		for (size_t i = d->programme_stage; i < prog->n_stages &&
		     !programme_stage_has_belt(prog, i); i++)
			prep_days += prog->stages[i].min_days;
		if (!programme_stage_has_belt(prog, d->programme_stage))
			snprintf(m, len, "Starting the programme with the preparation phase at %s: pelvic-floor and core exercises with no treadmill, for at least %u weeks before running.",
				 cur, prep_days / 7);
		else
			snprintf(m, len, "Starting the programme at %s.", cur);
		break;
	case PROGRAMME_ADVANCE:
		snprintf(m, len, "%u clean sessions at %s: moving on to %s.",
			 r->advance_after, prev, cur);
		break;
	case PROGRAMME_NEED_CLEAN:
		snprintf(m, len, "Clean session (%u of %u at %s): stay at %s.",
			 d->clean, r->advance_after, cur, cur);
		break;
	case PROGRAMME_NEED_TIME:
		snprintf(m, len, "Clean session at %s, day %lld of at least %u: stay at %s.",
			 cur, (long long) ((f->in->now_s - f->first_s) / 86400 + 1),
			 prog->stages[d->programme_stage].min_days, cur);
		break;
	case PROGRAMME_LEFT_PREP:
		snprintf(m, len, "On from the preparation phase: continue at %s.",
			 cur);
		break;
	case PROGRAMME_REPEAT_SYMPTOM:
		snprintf(m, len, "Symptoms in the last session: repeat %s.",
			 cur);
		break;
	case PROGRAMME_REPEAT_INCOMPLETE:
		snprintf(m, len, "The last session stopped early: repeat %s.",
			 cur);
		break;
	case PROGRAMME_REPEAT_CHECKIN:
		snprintf(m, len, "Leakage or pain since the last session: repeat %s, no moving on yet.",
			 cur);
		break;
	case PROGRAMME_STEP_BACK_PRESSES:
		snprintf(m, len, "%u symptom presses in one session: back one stage, from %s to %s.",
			 f->presses, prev, cur);
		break;
	case PROGRAMME_STEP_BACK_STREAK:
		snprintf(m, len, "Symptoms in %u sessions in a row: back one stage, from %s to %s.",
			 r->step_back_streak, prev, cur);
		break;
	case PROGRAMME_WALK_PRECHECK:
		snprintf(m, len, "Symptoms before the session: walk only today (%s), then back to %s. If they last, see a pelvic-health physiotherapist.",
			 walk, cur);
		break;
	case PROGRAMME_WALK_RED_FLAG:
		snprintf(flags, sizeof(flags), "%s%s%s",
			 f->flags & FLAG_BLEEDING ? "bleeding, " : "",
			 f->flags & FLAG_HEAVINESS ? "heaviness or dragging, " : "",
			 f->flags & FLAG_PAIN ? "pain, " : "");
		/* Without its causes (a red flag carried from an older
		 * check-in), the words still say what it is. */
		if (strlen(flags) >= 2)
			flags[strlen(flags) - 2] = '\0';
		else
			snprintf(flags, sizeof(flags), "a red flag");
		if (f->flags & FLAG_PAIN)
			snprintf(flags + strlen(flags),
				 sizeof(flags) - strlen(flags), " %d/10",
				 f->pain);
		snprintf(m, len, "Since the last session: %s. Walk only today (%s), then back to %s. " REFERRAL,
			 flags, walk, cur);
		break;
	case PROGRAMME_SUSPENDED:
		snprintf(m, len, "Symptoms reported before %u sessions: running is suspended, walking only (%s). " REFERRAL,
			 r->precheck_suspend, walk);
		break;
	case PROGRAMME_LOCKED:
		snprintf(m, len, "%u step-backs within %u days: locked at the walking stage %s. " REFERRAL,
			 r->lock_regressions, r->window_s / 86400, walk);
		break;
	case PROGRAMME_OFF_PLAN:
		snprintf(m, len, "The last session was not stage %s: continue with %s.",
			 cur, cur);
		break;
	case PROGRAMME_FINISHED:
		snprintf(m, len, "Final stage %s done cleanly: keep running it, and keep listening to your body.",
			 cur);
		break;
	case PROGRAMME_RESUMED:
		snprintf(m, len, "Cleared to resume: continuing at %s.",
			 cur);
		break;
	case PROGRAMME_REST_DAY:
		format_day(d->due_s, f->in->utc_offset_s, day, sizeof(day));
		snprintf(m, len, "Rest day: the next running session (%s) is due on %s, not today. A walk-only session (%s) is offered instead.",
			 cur, day, walk);
		break;
	case PROGRAMME_OFFER_PREVIOUS:
	case PROGRAMME_PREVIOUS:
		snprintf(flags, sizeof(flags), "%s%s%s",
			 f->checkin.sleep == CHECKIN_SLEEP_SHORT ? "short sleep" : "",
			 f->checkin.sleep == CHECKIN_SLEEP_SHORT &&
			 f->checkin.energy == CHECKIN_ENERGY_LOW ? " and " : "",
			 f->checkin.energy == CHECKIN_ENERGY_LOW ? "low energy" : "");
		if (d->reason == PROGRAMME_OFFER_PREVIOUS)
			snprintf(m, len, "With %s, the stage before (%s) is recommended today; if you feel well, %s as planned is the alternative.",
				 flags, today, cur);
		else
			snprintf(m, len, "With %s, today is the stage before (%s) instead of %s.",
				 flags, today, cur);
		break;
	}
}

/* Sentences after the first: what else today holds. */
static void explain_more(const struct fold *f,
			 const struct programme_decision *d, size_t wanted,
			 char *m, size_t len)
{
	const struct programme *prog = f->prog;
	size_t n = strlen(m);
	char day[32];

	if (d->stage != wanted && n < len)
		n += (size_t) snprintf(m + n, len - n, " %s has no treadmill part and cannot run here: %s instead.",
				       prog->stages[wanted].id,
				       prog->stages[d->stage].id);
	if (d->has_alternative && d->reason == PROGRAMME_START && n < len)
		n += (size_t) snprintf(m + n, len - n, " If you have done that already, you may start at %s.",
				       prog->stages[d->alternative].id);
	if (d->reason != PROGRAMME_REST_DAY && d->due_s > f->in->now_s &&
	    programme_stage_runs(prog, d->programme_stage) && n < len) {
		format_day(d->due_s, f->in->utc_offset_s, day, sizeof(day));
		n += (size_t) snprintf(m + n, len - n, " Next running session due on %s.",
				       day);
	}
	if (d->checked_in && f->checkin.breastfeeding == CHECKIN_YES &&
	    n < len)
		/* docs/domain.md 3.1 recommendation 4: breast support and
		 * feeding. */
		(void) snprintf(m + n, len - n, " Breastfeeding: feed or express before you run, and wear a supportive bra.");
}

int programme_decide(const struct programme *prog,
		     const struct session_summary *history, size_t n,
		     const struct programme_input *in,
		     struct programme_decision *ret,
		     programme_event_func_t event, void *user_data)
{
	struct programme_decision d;
	struct fold f;
	size_t wanted;

	if (!prog || !in || !ret || !prog->n_stages || (n && !history))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (history[i].type == SESSION_RUN &&
		    history[i].stage >= prog->n_stages)
			return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.prog = prog;
	f.r = &prog->rules;
	f.in = in;
	f.event = event;
	f.user_data = user_data;
	f.reason = PROGRAMME_START;
	f.first_s = -1;
	for (size_t i = 0; i < n; i++)
		fold_entry(&f, &history[i]);
	if (in->checkin)
		fold_checkin(&f, in->now_s, in->checkin);

	memset(&d, 0, sizeof(d));
	d.programme_stage = f.stage;
	d.stage = f.stage;
	d.progress = f.reason;
	d.reason = f.reason;
	d.locked = f.locked;
	d.clean = f.clean;
	d.checked_in = f.have_checkin && f.checkin_s <= in->now_s &&
		       in->now_s - f.checkin_s <= (int64_t) f.r->checkin_valid_s;
	d.next_day_pending = f.have_run &&
			     f.last_next_day == CHECKIN_UNANSWERED;
	d.next_day_about_s = f.have_run ? f.last_run_s : 0;
	if (f.have_running)
		d.due_s = due_day(&f) * 86400 - in->utc_offset_s;
	if (f.locked) {
		d.stage = f.r->walk_stage;
		d.walk_only = true;
	} else if (f.walk_pending) {
		d.stage = f.r->walk_stage;
		d.reason = f.walk;
		d.walk_only = true;
	} else if (programme_stage_runs(prog, f.stage) &&
		   in_rest(&f, in->now_s)) {
		/* docs/domain.md 3.6: a rest day between runs; no
		 * running stage is offered either. */
		d.stage = f.r->walk_stage;
		d.reason = PROGRAMME_REST_DAY;
		d.walk_only = true;
	} else {
		enum programme_choice w = d.checked_in ? wellbeing(&f) :
					  PROGRAMME_CHOICE_NONE;

		/* docs/domain.md 3.6: adjust training for sleep and energy. */
		if (w != PROGRAMME_CHOICE_NONE &&
		    programme_stage_runs(prog, f.stage) && f.stage > 0 &&
		    programme_stage_has_belt(prog, f.stage - 1)) {
			d.stage = f.stage - 1;
			d.reason = w == PROGRAMME_CHOICE_PREVIOUS ?
				   PROGRAMME_PREVIOUS :
				   PROGRAMME_OFFER_PREVIOUS;
			d.has_alternative = w != PROGRAMME_CHOICE_PREVIOUS;
			d.alternative = f.stage;
		}
	}
	d.refer = f.locked || (f.walk_pending && f.walk == PROGRAMME_WALK_RED_FLAG);
	/* A no-belt stage at the start is advice: a treadmill stage is the
	 * alternative for someone who has done it already. */
	if (d.reason == PROGRAMME_START &&
	    !programme_stage_has_belt(prog, d.stage) &&
	    belt_stage_after(prog, d.stage) != d.stage) {
		d.has_alternative = true;
		d.alternative = belt_stage_after(prog, d.stage);
	}
	wanted = d.stage;
	if (in->belt_only) {
		d.stage = belt_stage_after(prog, d.stage);
		if (d.has_alternative && d.alternative == d.stage)
			d.has_alternative = false;
	}
	explain(&f, &d, d.message, sizeof(d.message));
	explain_more(&f, &d, wanted, d.message, sizeof(d.message));
	*ret = d;
	return 0;
}
