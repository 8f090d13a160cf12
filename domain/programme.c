/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Programme files (libconfig) and the pure across-session progression rule. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	/* DOMAIN.md 3.5 "Across sessions" and 3.4 (each phase at least
	 * twice; never more than 30 % more running). */
	r.advance_after = 2;
	r.step_back_presses = 2;
	r.step_back_streak = 2;
	r.lock_regressions = 3;
	r.precheck_suspend = 2;
	r.window_s = 14 * 24 * 3600;
	r.max_growth = 1300;
	r.walk_stage = 0;
	*ret_rules = r;
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

static bool get_count(struct pctx *c, const config_setting_t *g,
		      const char *key, unsigned *ret)
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
	if (v < 1 || v > PROGRAMME_MAX_COUNT) {
		pfail(c, LINE(m), "%s %lld is out of range (1 to %d)", key, v,
		      PROGRAMME_MAX_COUNT);
		return false;
	}
	*ret = (unsigned) v;
	return true;
}

static void parse_rules(struct pctx *c, const config_setting_t *root,
			struct programme *prog)
{
	static const char *const keys[] = {
		"advance_after", "step_back_presses", "step_back_streak",
		"lock_regressions", "precheck_suspend", "window_days",
		"max_growth", "walk_stage", NULL };
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
			      "unknown key '%s' in rules (expected advance_after, step_back_presses, step_back_streak, lock_regressions, precheck_suspend, window_days, max_growth, walk_stage)",
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

		/* DOMAIN.md 3.4: never more than 30 % over two weeks; a file
		 * may be stricter, never looser. */
		if (!(v >= 1.0 && v <= 1.3)) {
			pfail(c, LINE(m), "max_growth must be a number from 1.0 to 1.3 (at most 30 %% more jog time per stage)");
			return;
		}
		r->max_growth = (uint16_t) (v * 1000 + 0.5);
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

		st->line = LINE(g);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP ||
		    !config_setting_lookup_string(g, "id", &id) ||
		    !config_setting_lookup_string(g, "profile", &file) ||
		    config_setting_length(g) != 2) {
			pfail(c, LINE(g), "each stage must be { id = \"P1\"; profile = \"FILE.cfg\"; }");
			return;
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
	if (prog->stages[prog->rules.walk_stage].profile->jog_ms) {
		pfail(c, ws ? LINE(ws) : prog->stages[prog->rules.walk_stage].line,
		      "walk stage \"%s\" has jogging in it",
		      prog->stages[prog->rules.walk_stage].id);
		return;
	}
	/* DOMAIN.md 3.4/3.5: refuse a ladder that adds more than
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
	}
	return "?";
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

#define REFERRAL "paced is not a medical device: please see a pelvic-health physiotherapist before running again."

int programme_next(const struct programme *prog,
		   const struct session_summary *history, size_t n,
		   struct programme_decision *ret)
{
	const struct programme_rules *r;
	struct programme_decision d;
	struct recent regressions = { 0 }, prechecks = { 0 };
	bool walk_today = false;
	unsigned streak = 0, presses = 0;
	size_t stage = 0, from = 0;

	if (!prog || !ret || !prog->n_stages || (n && !history))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (history[i].type == SESSION_RUN &&
		    history[i].stage >= prog->n_stages)
			return -EINVAL;
	r = &prog->rules;
	memset(&d, 0, sizeof(d));
	d.reason = PROGRAMME_START;

	for (size_t i = 0; i < n; i++) {
		const struct session_summary *e = &history[i];
		bool symptomatic;

		switch (e->type) {
		case SESSION_CLEARED:
			/* Only an explicit user action lifts a lock. */
			d.locked = false;
			regressions.n = prechecks.n = 0;
			walk_today = false;
			streak = 0;
			d.clean = 0;
			d.reason = PROGRAMME_RESUMED;
			continue;
		case SESSION_PRECHECK:
			/* DOMAIN.md 3.5: symptoms reported before a session
			 * mean a walk-only session; twice, suspend running. */
			recent_add(&prechecks, e->when_s);
			walk_today = true;
			d.clean = 0;
			if (recent_within(&prechecks, r->precheck_suspend,
					  r->window_s)) {
				d.locked = true;
				d.reason = PROGRAMME_SUSPENDED;
			} else if (!d.locked) {
				d.reason = PROGRAMME_WALK_PRECHECK;
			}
			continue;
		case SESSION_RUN:
			break;
		}

		walk_today = false;
		symptomatic = e->presses > 0;
		streak = symptomatic ? streak + 1 : 0;
		presses = e->presses;
		if (d.locked)
			continue;	/* reason stays LOCKED / SUSPENDED */
		if (e->presses >= r->step_back_presses ||
		    (symptomatic && streak >= r->step_back_streak)) {
			d.reason = e->presses >= r->step_back_presses ?
				   PROGRAMME_STEP_BACK_PRESSES :
				   PROGRAMME_STEP_BACK_STREAK;
			from = stage;
			/* "Restart the previous exercise" (DOMAIN.md 3.4). */
			if (stage > 0)
				stage--;
			d.clean = 0;
			/* The streak is answered; the next symptom counts
			 * afresh. */
			streak = 0;
			recent_add(&regressions, e->when_s);
			if (recent_within(&regressions, r->lock_regressions,
					  r->window_s)) {
				d.locked = true;
				d.reason = PROGRAMME_LOCKED;
			}
		} else if (symptomatic) {
			d.reason = PROGRAMME_REPEAT_SYMPTOM;
			d.clean = 0;
		} else if (!e->completed) {
			d.reason = PROGRAMME_REPEAT_INCOMPLETE;
			d.clean = 0;
		} else if (e->stage != stage) {
			/* A walk-only day or a hand-picked profile: clean,
			 * but it says nothing about this stage. */
			d.reason = PROGRAMME_OFF_PLAN;
		} else if (++d.clean >= r->advance_after) {
			if (stage + 1 < prog->n_stages) {
				from = stage;
				stage++;
				d.clean = 0;
				d.reason = PROGRAMME_ADVANCE;
			} else {
				d.reason = PROGRAMME_FINISHED;
			}
		} else {
			d.reason = PROGRAMME_NEED_CLEAN;
		}
	}

	d.programme_stage = stage;
	d.stage = (d.locked || walk_today) ? r->walk_stage : stage;
	d.refer = d.locked;

	{
		const char *cur = prog->stages[stage].id;
		const char *walk = prog->stages[r->walk_stage].id;
		const char *prev = prog->stages[from].id;
		char *m = d.message;
		size_t len = sizeof(d.message);

		switch (d.reason) {
		case PROGRAMME_START:
			snprintf(m, len, "Starting the programme at %s.", cur);
			break;
		case PROGRAMME_ADVANCE:
			snprintf(m, len, "%u clean sessions at %s: moving on to %s.",
				 r->advance_after, prev, cur);
			break;
		case PROGRAMME_NEED_CLEAN:
			snprintf(m, len, "Clean session (%u of %u at %s): stay at %s.",
				 d.clean, r->advance_after, cur, cur);
			break;
		case PROGRAMME_REPEAT_SYMPTOM:
			snprintf(m, len, "Symptoms in the last session: repeat %s.",
				 cur);
			break;
		case PROGRAMME_REPEAT_INCOMPLETE:
			snprintf(m, len, "The last session stopped early: repeat %s.",
				 cur);
			break;
		case PROGRAMME_STEP_BACK_PRESSES:
			snprintf(m, len, "%u symptom presses in one session: back one stage, from %s to %s.",
				 presses, prev, cur);
			break;
		case PROGRAMME_STEP_BACK_STREAK:
			snprintf(m, len, "Symptoms in %u sessions in a row: back one stage, from %s to %s.",
				 r->step_back_streak, prev, cur);
			break;
		case PROGRAMME_WALK_PRECHECK:
			snprintf(m, len, "Symptoms before the session: walk only today (%s), then back to %s. If they last, see a pelvic-health physiotherapist.",
				 walk, cur);
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
		}
	}
	*ret = d;
	return 0;
}
