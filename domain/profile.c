/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile loading: libconfig text to a validated struct profile, or a file:line error. */
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
#include "scaleback.h"
#include "profile.h"

/* Profiles are small hand-written files; anything bigger is a mistake. */
#define PROFILE_MAX_FILE (256 * 1024)
#define PROFILE_MAX_NAME 120
#define PROFILE_MAX_DESCRIPTION 4096
/* Sanity bound on any km/h number before it is scaled to 0.01 km/h. */
#define KMH_MAX 100.0

struct ctx {
	const char *file;
	const struct profile_limits *lim;
	struct profile_error *err;
	bool failed;
	struct profile *p;
	uint16_t walk;		/* resolved walk pace, 0.01 km/h */
	uint16_t walk_max;	/* the walking ceiling, 0.01 km/h */
};

static void fail_line(struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Only the first error is kept: later ones are usually consequences. */
static void fail_line(struct ctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	if (!c->err)
		return;
	c->err->line = line;
	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
	va_end(ap);
	/* Messages quote the file's own strings, which may hold escapes
	 * (libconfig reads "\x1b"): never send them to a terminal. */
	for (char *q = c->err->message; *q; q++)
		if ((unsigned char) *q < 0x20 || *q == 0x7f)
			*q = '?';
	if (line)
		snprintf(c->err->text, sizeof(c->err->text), "%s:%u: %s",
			 c->file, line, c->err->message);
	else
		snprintf(c->err->text, sizeof(c->err->text), "%s: %s",
			 c->file, c->err->message);
}

#define fail(c, setting, ...) \
	fail_line((c), config_setting_source_line(setting), __VA_ARGS__)

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	default:
		return "unknown";
	}
}

void profile_limits_default(struct profile_limits *ret_limits)
{
	struct profile_limits l;

	memset(&l, 0, sizeof(l));
	l.speed_cap = PROFILE_DEFAULT_SPEED_CAP;
	l.walk_speed = PROFILE_DEFAULT_WALK;
	l.jog_speed = PROFILE_DEFAULT_JOG;
	l.walk_max = PROFILE_DEFAULT_WALK_MAX;
	scaleback_policy_default(&l.policy);
	*ret_limits = l;
}

int profile_parse_duration(const char *s, uint32_t *ret_ms)
{
	unsigned long part[3];
	int n = 0;
	uint64_t sec = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	/* "SECONDS", "m:ss" or "h:mm:ss"; every field but the first has
	 * exactly two digits below 60, so "1:5" and "1:75" are refused. */
	while (1) {
		const char *start = p;
		unsigned long v = 0;

		if (n == 3)
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned long) (*p - '0');
			if (v > 1000000)
				return -ERANGE;
			p++;
		}
		if (p == start)
			return -EINVAL;
		if (n > 0 && (p - start != 2 || v > 59))
			return -EINVAL;
		part[n++] = v;
		if (!*p)
			break;
		if (*p != ':')
			return -EINVAL;
		p++;
	}
	for (int i = 0; i < n; i++)
		sec = sec * 60 + part[i];
	if (!sec || sec * 1000 > PROFILE_MAX_DURATION_MS)
		return -ERANGE;
	*ret_ms = (uint32_t) (sec * 1000);
	return 0;
}

void profile_format_duration(uint32_t ms, char *buf, size_t len)
{
	uint32_t s = ms / 1000;

	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(buf, len, "%u:%02u", s / 60, s % 60);
}

static void fmt_speed(uint16_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%02u km/h", v / 100, v % 100);
}

/* Is every member of group one of the allowed names? */
static bool check_keys(struct ctx *c, const config_setting_t *group,
		       const char *what, const char *const *allowed)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, i);
		const char *name = config_setting_name(m);
		char list[200] = "";
		bool ok = false;

		for (size_t k = 0; allowed[k]; k++)
			if (name && !strcmp(name, allowed[k]))
				ok = true;
		if (ok)
			continue;
		for (size_t k = 0; allowed[k]; k++) {
			if (k)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, allowed[k], sizeof(list) - strlen(list) - 1);
		}
		fail(c, m, "unknown key '%s' in %s (expected %s)",
		     name ? name : "?", what, list);
		return false;
	}
	return true;
}

static bool get_number(struct ctx *c, const config_setting_t *s,
		       const char *what, double *ret)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*ret = (double) config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*ret = config_setting_get_float(s);
		return true;
	default:
		fail(c, s, "%s must be a number, not %s", what,
		     type_name(config_setting_type(s)));
		return false;
	}
}

/* A speed in km/h, > 0 and <= the cap, to 0.01 km/h. */
static bool get_speed(struct ctx *c, const config_setting_t *s,
		      const char *what, uint16_t *ret)
{
	double v;
	char cap[32];
	uint16_t speed;

	if (!get_number(c, s, what, &v))
		return false;
	fmt_speed(c->lim->speed_cap, cap, sizeof(cap));
	/* !(v > 0) also catches NaN. */
	if (!(v > 0)) {
		fail(c, s, "%s must be above 0 km/h", what);
		return false;
	}
	if (v > KMH_MAX || (speed = (uint16_t) (v * 100 + 0.5)) >
			   c->lim->speed_cap) {
		fail(c, s, "%s %g km/h is above the speed cap of %s", what,
		     v, cap);
		return false;
	}
	if (!speed) {
		fail(c, s, "%s must be above 0 km/h", what);
		return false;
	}
	*ret = speed;
	return true;
}

static bool get_duration(struct ctx *c, const config_setting_t *s,
			 const char *what, uint32_t *ret)
{
	char buf[32];
	int r;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: {
		long long v = config_setting_get_int64(s);

		if (v <= 0 || (uint64_t) v * 1000 > PROFILE_MAX_DURATION_MS) {
			profile_format_duration(PROFILE_MAX_DURATION_MS, buf,
						sizeof(buf));
			fail(c, s, "%s %lld s is out of range (1 s to %s)",
			     what, v, buf);
			return false;
		}
		*ret = (uint32_t) v * 1000;
		return true;
	}
	case CONFIG_TYPE_STRING:
		r = profile_parse_duration(config_setting_get_string(s), ret);
		if (r == -ERANGE) {
			profile_format_duration(PROFILE_MAX_DURATION_MS, buf,
						sizeof(buf));
			fail(c, s, "%s \"%s\" is out of range (0:01 to %s)",
			     what, config_setting_get_string(s), buf);
			return false;
		}
		if (r < 0) {
			fail(c, s, "%s \"%s\" is not a duration (use \"m:ss\", \"h:mm:ss\" or whole seconds)",
			     what, config_setting_get_string(s));
			return false;
		}
		return true;
	default:
		fail(c, s, "%s must be a duration (\"m:ss\", \"h:mm:ss\" or whole seconds), not %s",
		     what, type_name(config_setting_type(s)));
		return false;
	}
}

/* A factor 0 < f <= 1 to per mille. */
static bool get_factor(struct ctx *c, const config_setting_t *s,
		       const char *what, uint16_t *ret)
{
	double v;

	if (!get_number(c, s, what, &v))
		return false;
	if (!(v > 0) || v > 1.0) {
		fail(c, s, "%s %g is out of range: use a factor above 0 and at most 1 (a press never makes jogs harder)",
		     what, v);
		return false;
	}
	*ret = (uint16_t) (v * SCALEBACK_PERMILLE + 0.5);
	if (!*ret)
		*ret = 1;
	return true;
}

static bool get_bool(struct ctx *c, const config_setting_t *s,
		     const char *what, bool *ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		fail(c, s, "%s must be true or false, not %s", what,
		     type_name(config_setting_type(s)));
		return false;
	}
	*ret = config_setting_get_bool(s);
	return true;
}

static bool get_string(struct ctx *c, const config_setting_t *s,
		       const char *what, const char **ret)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(c, s, "%s must be a string, not %s", what,
		     type_name(config_setting_type(s)));
		return false;
	}
	*ret = config_setting_get_string(s);
	return true;
}

static struct profile_pace *find_pace(struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_paces; i++)
		if (!strcmp(p->paces[i].name, name))
			return &p->paces[i];
	return NULL;
}

const struct profile_pace *profile_pace(const struct profile *profile,
					const char *name)
{
	return find_pace((struct profile *) profile, name);
}

static void parse_paces(struct ctx *c, const config_setting_t *root)
{
	struct profile *p = c->p;
	const config_setting_t *g = config_setting_get_member(root, "paces");
	struct profile_pace *walk, *jog;
	char a[32], b[32];
	int n;

	/* [0] and [1] are always walk and jog so the plan can find the walk
	 * pace without a lookup. */
	memset(p->paces, 0, sizeof(p->paces));
	strcpy(p->paces[0].name, "walk");
	p->paces[0].speed = c->lim->walk_speed;
	strcpy(p->paces[1].name, "jog");
	p->paces[1].speed = c->lim->jog_speed;
	p->n_paces = 2;
	if (!g)
		goto check;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, g, "'paces' must be a group like { walk = 5.0; jog = 7.5; }, not %s",
		     type_name(config_setting_type(g)));
		return;
	}
	n = config_setting_length(g);
	for (int i = 0; i < n && !c->failed; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		struct profile_pace *pc;
		char what[64];

		if (!name || strlen(name) >= PLAN_PACE_NAME_MAX) {
			fail(c, m, "pace name '%s' is too long (at most %d characters)",
			     name ? name : "?", PLAN_PACE_NAME_MAX - 1);
			return;
		}
		pc = find_pace(p, name);
		if (!pc) {
			if (p->n_paces == PROFILE_MAX_PACES) {
				fail(c, m, "too many paces (at most %d)",
				     PROFILE_MAX_PACES);
				return;
			}
			pc = &p->paces[p->n_paces++];
			strcpy(pc->name, name);
		}
		snprintf(what, sizeof(what), "pace '%s'", name);
		if (!get_speed(c, m, what, &pc->speed))
			return;
	}
check:
	walk = &p->paces[0];
	jog = &p->paces[1];
	c->walk = walk->speed;
	/* A recovery walk is a walk: the walk pace has a ceiling that only
	 * paced.conf sets, and a profile cannot lift. */
	if (walk->speed > c->walk_max) {
		const config_setting_t *w = g ? config_setting_get_member(g, "walk") :
					  NULL;

		fmt_speed(walk->speed, a, sizeof(a));
		fmt_speed(c->walk_max, b, sizeof(b));
		if (w)
			fail(c, w, "walk pace %s is above the walking ceiling of %s (walk_max in paced.conf)",
			     a, b);
		else
			fail_line(c, 0, "the walk pace %s from paced.conf is above the walking ceiling of %s (walk_max)",
				  a, b);
		return;
	}
	/* A jog pace at or below the walk pace would make every "jog" a walk
	 * and scale-back meaningless. Checked here only when the profile set
	 * one of them; otherwise each jog segment is checked. */
	if (g && (config_setting_get_member(g, "walk") ||
		  config_setting_get_member(g, "jog")) &&
	    jog->speed <= walk->speed) {
		fmt_speed(jog->speed, a, sizeof(a));
		fmt_speed(walk->speed, b, sizeof(b));
		fail(c, g, "jog pace %s is not faster than the walk pace %s",
		     a, b);
	}
}

static void free_items(struct profile_item *items, size_t n)
{
	if (!items)
		return;
	for (size_t i = 0; i < n; i++) {
		free_items(items[i].items, items[i].n_items);
		free(items[i].say);
	}
	free(items);
}

static bool parse_items(struct ctx *c, const config_setting_t *list,
			const char *what, unsigned depth,
			struct profile_item **ret_items, size_t *ret_n);

static bool has_control(const char *s, bool allow_newline);
static bool refuse_exercise_keys(struct ctx *c, const config_setting_t *g);

static const char *const segment_keys[] = {
	"walk", "jog", "pace", "duration", "speed", "incline", NULL };
static const char *const repeat_keys[] = { "repeat", "segments", NULL };

static bool parse_repeat(struct ctx *c, const config_setting_t *g,
			 unsigned depth, struct profile_item *it)
{
	const config_setting_t *r = config_setting_get_member(g, "repeat");
	const config_setting_t *segs = config_setting_get_member(g, "segments");
	long long v;

	if (!check_keys(c, g, "repeat group", repeat_keys))
		return false;
	if (config_setting_type(r) != CONFIG_TYPE_INT &&
	    config_setting_type(r) != CONFIG_TYPE_INT64) {
		fail(c, r, "repeat must be an integer, not %s",
		     type_name(config_setting_type(r)));
		return false;
	}
	v = config_setting_get_int64(r);
	if (v < 1 || v > PROFILE_MAX_REPEAT) {
		fail(c, r, "repeat %lld is out of range (1 to %d)", v,
		     PROFILE_MAX_REPEAT);
		return false;
	}
	if (!segs) {
		fail(c, g, "repeat group has no 'segments' list");
		return false;
	}
	if (depth + 1 > PROFILE_MAX_DEPTH) {
		fail(c, g, "repeat groups nested too deep (at most %d levels)",
		     PROFILE_MAX_DEPTH);
		return false;
	}
	it->repeat = (unsigned) v;
	return parse_items(c, segs, "segments", depth + 1, &it->items,
			   &it->n_items);
}

static bool parse_segment(struct ctx *c, const config_setting_t *g,
			  struct profile_item *it)
{
	const config_setting_t *walk = config_setting_get_member(g, "walk");
	const config_setting_t *jog = config_setting_get_member(g, "jog");
	const config_setting_t *pace = config_setting_get_member(g, "pace");
	const config_setting_t *dur = config_setting_get_member(g, "duration");
	const config_setting_t *speed = config_setting_get_member(g, "speed");
	const config_setting_t *incl = config_setting_get_member(g, "incline");
	const struct profile_pace *pc;
	const char *pname;
	char a[32], b[32];

	if (config_setting_length(g) == 0) {
		fail(c, g, "empty segment: give walk = DURATION, jog = DURATION, or pace = \"NAME\" and duration = DURATION");
		return false;
	}
	if (!refuse_exercise_keys(c, g))
		return false;
	if (!check_keys(c, g, "segment", segment_keys))
		return false;
	if (!!walk + !!jog + !!pace != 1) {
		fail(c, g, "a segment needs exactly one of walk, jog or pace");
		return false;
	}
	if (pace) {
		if (!get_string(c, pace, "pace", &pname))
			return false;
		if (!dur) {
			fail(c, g, "segment with pace \"%s\" has no duration",
			     pname);
			return false;
		}
		if (!get_duration(c, dur, "duration", &it->duration_ms))
			return false;
	} else {
		if (dur) {
			fail(c, dur, "'duration' goes with 'pace'; with %s the value is the duration",
			     walk ? "walk" : "jog");
			return false;
		}
		pname = walk ? "walk" : "jog";
		if (!get_duration(c, walk ? walk : jog, pname,
				  &it->duration_ms))
			return false;
	}
	pc = profile_pace(c->p, pname);
	if (!pc) {
		char list[PROFILE_MAX_PACES * (PLAN_PACE_NAME_MAX + 2)] = "";

		for (size_t i = 0; i < c->p->n_paces; i++) {
			if (i)
				strcat(list, ", ");
			strcat(list, c->p->paces[i].name);
		}
		fail(c, pace, "unknown pace \"%s\" (known: %s)", pname, list);
		return false;
	}
	strcpy(it->pace_name, pc->name);
	it->speed = pc->speed;
	if (speed && !get_speed(c, speed, "speed", &it->speed))
		return false;
	if (!speed && it->speed > c->lim->speed_cap) {
		/* Inherited paces come from paced.conf, not this file. */
		fmt_speed(it->speed, a, sizeof(a));
		fmt_speed(c->lim->speed_cap, b, sizeof(b));
		fail(c, g, "the %s pace %s from paced.conf is above the speed cap of %s",
		     pc->name, a, b);
		return false;
	}
	if (speed && !strcmp(pc->name, "walk") && it->speed > c->walk_max) {
		fmt_speed(it->speed, a, sizeof(a));
		fmt_speed(c->walk_max, b, sizeof(b));
		fail(c, speed, "a walk at %s is above the walking ceiling of %s (walk_max in paced.conf): make it a jog or a named pace",
		     a, b);
		return false;
	}
	if (!strcmp(pc->name, "jog") && it->speed <= c->walk) {
		fmt_speed(it->speed, a, sizeof(a));
		fmt_speed(c->walk, b, sizeof(b));
		fail(c, speed ? speed : g,
		     "jog at %s is not faster than the walk pace %s", a, b);
		return false;
	}
	if (incl) {
		double v;

		if (!get_number(c, incl, "incline", &v))
			return false;
		if (!(v * 10 >= PROFILE_MIN_INCLINE - 0.5 &&
		      v * 10 <= PROFILE_MAX_INCLINE + 0.5)) {
			fail(c, incl, "incline %g %% is out of range (%d to %d %%)",
			     v, PROFILE_MIN_INCLINE / 10,
			     PROFILE_MAX_INCLINE / 10);
			return false;
		}
		it->incline = (int16_t) (v * 10 + (v < 0 ? -0.5 : 0.5));
	}
	return true;
}

/* ---- profiles with no belt: holds and rests ---- */

static const char *const exercise_keys[] = { "hold", "rest", "say", "count",
					     NULL };
static const char *const belt_only_keys[] = { "walk", "jog", "pace",
					      "duration", "speed", "incline",
					      NULL };

/*
 * { hold = D; say = "..."; count = true; } or { rest = D; say = "..."; }.
 * A treadmill key here, or an exercise key in a belt profile, gets its
 * own message: the two kinds of profile do not mix.
 */
static bool parse_exercise(struct ctx *c, const config_setting_t *g,
			   struct profile_item *it)
{
	const config_setting_t *hold = config_setting_get_member(g, "hold");
	const config_setting_t *rest = config_setting_get_member(g, "rest");
	const config_setting_t *m;
	const char *s;

	for (size_t k = 0; belt_only_keys[k]; k++)
		if ((m = config_setting_get_member(g, belt_only_keys[k]))) {
			fail(c, m, "'%s' needs a treadmill: this profile has belt = false (use hold or rest)",
			     belt_only_keys[k]);
			return false;
		}
	if (config_setting_length(g) == 0) {
		fail(c, g, "empty segment: give hold = DURATION or rest = DURATION");
		return false;
	}
	if (!check_keys(c, g, "exercise segment", exercise_keys))
		return false;
	if (!!hold + !!rest != 1) {
		fail(c, g, "an exercise segment needs exactly one of hold or rest");
		return false;
	}
	it->kind = hold ? PROFILE_ITEM_HOLD : PROFILE_ITEM_REST;
	if (!get_duration(c, hold ? hold : rest, hold ? "hold" : "rest",
			  &it->duration_ms))
		return false;
	if ((m = config_setting_get_member(g, "say"))) {
		if (!get_string(c, m, "say", &s))
			return false;
		/* Spoken by a synthesizer and shown on one line. */
		if (!*s || strlen(s) > PROFILE_MAX_SAY || has_control(s, false)) {
			fail(c, m, "say must be one line of 1 to %d characters",
			     PROFILE_MAX_SAY);
			return false;
		}
		it->say = paced_strdup(s);
	}
	if ((m = config_setting_get_member(g, "count"))) {
		if (!get_bool(c, m, "count", &it->count))
			return false;
		/* Counting is "2, 3, 4, 5" a second apart: an hour of it
		 * is a mistake. */
		if (it->count && it->duration_ms > 120000) {
			fail(c, m, "count is for holds and rests of at most 2:00");
			return false;
		}
	}
	return true;
}

/* An exercise key in a treadmill profile. */
static bool refuse_exercise_keys(struct ctx *c, const config_setting_t *g)
{
	const config_setting_t *m;

	for (size_t k = 0; exercise_keys[k]; k++)
		if ((m = config_setting_get_member(g, exercise_keys[k]))) {
			fail(c, m, "'%s' is for exercise sessions: set belt = false at the top of the profile",
			     exercise_keys[k]);
			return false;
		}
	return true;
}

static bool parse_items(struct ctx *c, const config_setting_t *list,
			const char *what, unsigned depth,
			struct profile_item **ret_items, size_t *ret_n)
{
	struct profile_item *items;
	int n;

	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		fail(c, list, "'%s' must be a list ( { ... }, ... ) of segments, not %s",
		     what, type_name(config_setting_type(list)));
		return false;
	}
	n = config_setting_length(list);
	if (n == 0) {
		fail(c, list, "'%s' is empty: give at least one segment",
		     what);
		return false;
	}
	items = paced_new0(struct profile_item, (size_t) n);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i);
		struct profile_item *it = &items[i];
		bool ok;

		it->line = config_setting_source_line(g);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			fail(c, g, "each entry of '%s' must be a group { ... }, not %s",
			     what, type_name(config_setting_type(g)));
			ok = false;
		} else if (config_setting_get_member(g, "repeat") ||
			   config_setting_get_member(g, "segments")) {
			if (!config_setting_get_member(g, "repeat")) {
				fail(c, g, "'segments' without 'repeat' (write repeat = 1 for a plain group)");
				ok = false;
			} else {
				ok = parse_repeat(c, g, depth, it);
			}
		} else if (c->p->no_belt) {
			ok = parse_exercise(c, g, it);
		} else {
			ok = parse_segment(c, g, it);
		}
		if (!ok) {
			free_items(items, (size_t) n);
			return false;
		}
	}
	*ret_items = items;
	*ret_n = (size_t) n;
	return true;
}

/* Expanded segment count and time, saturating, to refuse huge repeats
 * before expanding them. */
static void measure(const struct profile_item *items, size_t n,
		    uint64_t *ret_segs, uint64_t *ret_ms)
{
	uint64_t segs = 0, ms = 0;
	const uint64_t sat = 1ULL << 40;

	for (size_t i = 0; i < n; i++) {
		uint64_t s1, m1;

		if (!items[i].repeat) {
			s1 = 1;
			m1 = items[i].duration_ms;
		} else {
			measure(items[i].items, items[i].n_items, &s1, &m1);
			s1 *= items[i].repeat;
			m1 *= items[i].repeat;
		}
		segs = MIN(segs + s1, sat);
		ms = MIN(ms + m1, sat);
	}
	*ret_segs = segs;
	*ret_ms = ms;
}

static const char *const policy_keys[] = {
	"recovery", "debounce", "steps", "kinds", "long_press",
	"end_cooldown", NULL };
static const char *const step_keys[] = {
	"jog_speed", "jog_time", "no_jog", "end", NULL };

static bool parse_step(struct ctx *c, const config_setting_t *g,
		       struct scaleback_step *st)
{
	const config_setting_t *m;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, g, "each scale-back step must be a group { ... }, not %s",
		     type_name(config_setting_type(g)));
		return false;
	}
	if (config_setting_length(g) == 0) {
		fail(c, g, "empty scale-back step: give jog_speed, jog_time, no_jog or end");
		return false;
	}
	if (!check_keys(c, g, "scale-back step", step_keys))
		return false;
	st->jog_speed = SCALEBACK_PERMILLE;
	st->jog_time = SCALEBACK_PERMILLE;
	if ((m = config_setting_get_member(g, "jog_speed")) &&
	    !get_factor(c, m, "jog_speed", &st->jog_speed))
		return false;
	if ((m = config_setting_get_member(g, "jog_time")) &&
	    !get_factor(c, m, "jog_time", &st->jog_time))
		return false;
	if ((m = config_setting_get_member(g, "no_jog")) &&
	    !get_bool(c, m, "no_jog", &st->no_jog))
		return false;
	if ((m = config_setting_get_member(g, "end")) &&
	    !get_bool(c, m, "end", &st->end))
		return false;
	if (st->end && config_setting_length(g) > 1) {
		fail(c, g, "'end' cannot be combined with other keys in a step");
		return false;
	}
	return true;
}

/* A "scaleback" group g over *pol, which holds the policy it refines. */
static void parse_policy_group(struct ctx *c, const config_setting_t *g,
			       struct scaleback_policy *pol)
{
	static const enum symptom_kind kinds[] = {
		SYMPTOM_ANY, SYMPTOM_LEAK, SYMPTOM_PRESSURE, SYMPTOM_PAIN,
	};
	const config_setting_t *m;
	const char *s;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, g, "'scaleback' must be a group { ... }, not %s",
		     type_name(config_setting_type(g)));
		return;
	}
	if (!check_keys(c, g, "scaleback", policy_keys))
		return;
	if ((m = config_setting_get_member(g, "recovery"))) {
		if (!get_duration(c, m, "recovery", &pol->recovery_ms))
			return;
		if (pol->recovery_ms < 10000 || pol->recovery_ms > 1800000) {
			fail(c, m, "recovery must be between 0:10 and 30:00");
			return;
		}
	}
	if ((m = config_setting_get_member(g, "end_cooldown"))) {
		if (!get_duration(c, m, "end_cooldown", &pol->end_cooldown_ms))
			return;
		if (pol->end_cooldown_ms > 1800000) {
			fail(c, m, "end_cooldown must be at most 30:00");
			return;
		}
	}
	if ((m = config_setting_get_member(g, "debounce"))) {
		double v;

		if (!get_number(c, m, "debounce", &v))
			return;
		if (!(v >= 0 && v <= 60)) {
			fail(c, m, "debounce %g s is out of range (0 to 60 s)",
			     v);
			return;
		}
		pol->debounce_ms = (uint32_t) (v * 1000 + 0.5);
	}
	if ((m = config_setting_get_member(g, "steps"))) {
		int n;

		if (config_setting_type(m) != CONFIG_TYPE_LIST) {
			fail(c, m, "'steps' must be a list ( { ... }, ... ), not %s",
			     type_name(config_setting_type(m)));
			return;
		}
		n = config_setting_length(m);
		if (n < 1 || n > SCALEBACK_MAX_STEPS) {
			fail(c, m, "'steps' must have 1 to %d steps, not %d",
			     SCALEBACK_MAX_STEPS, n);
			return;
		}
		memset(pol->steps, 0, sizeof(pol->steps));
		for (int i = 0; i < n; i++)
			if (!parse_step(c, config_setting_get_elem(m, i),
					&pol->steps[i]))
				return;
		pol->n_steps = (size_t) n;
		/* Inherited minimum steps cannot point past the new list. */
		for (unsigned k = 0; k < SYMPTOM_KIND_COUNT; k++)
			if (pol->kind_min_step[k] > n)
				pol->kind_min_step[k] = (uint8_t) n;
	}
	if ((m = config_setting_get_member(g, "kinds"))) {
		if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
			fail(c, m, "'kinds' must be a group like { leak = 1; pain = 3; }, not %s",
			     type_name(config_setting_type(m)));
			return;
		}
		for (int i = 0; i < config_setting_length(m); i++) {
			const config_setting_t *k = config_setting_get_elem(m, i);
			const char *name = config_setting_name(k);
			enum symptom_kind kind = SYMPTOM_ANY;
			long long v;
			bool known = false;

			for (size_t j = 0; j < ARRAY_SIZE(kinds); j++)
				if (name && !strcmp(name, symptom_kind_name(kinds[j]))) {
					kind = kinds[j];
					known = true;
				}
			if (!known) {
				fail(c, k, "unknown symptom kind '%s' (expected any, leak, pressure, pain)",
				     name ? name : "?");
				return;
			}
			if (config_setting_type(k) != CONFIG_TYPE_INT) {
				fail(c, k, "kind '%s' must be a step number, not %s",
				     name, type_name(config_setting_type(k)));
				return;
			}
			v = config_setting_get_int64(k);
			if (v < 1 || v > (long long) pol->n_steps) {
				fail(c, k, "kind '%s' step %lld is out of range (1 to %zu)",
				     name, v, pol->n_steps);
				return;
			}
			pol->kind_min_step[kind] = (uint8_t) v;
		}
	}
	if ((m = config_setting_get_member(g, "long_press"))) {
		if (!get_string(c, m, "long_press", &s))
			return;
		if (!strcmp(s, "end")) {
			pol->long_press = SCALEBACK_LONG_PRESS_END;
		} else if (!strcmp(s, "press")) {
			pol->long_press = SCALEBACK_LONG_PRESS_PRESS;
		} else {
			fail(c, m, "long_press \"%s\" is not \"end\" or \"press\"",
			     s);
			return;
		}
	}
	if (scaleback_policy_validate(pol) < 0)
		fail(c, g, "scale-back policy is inconsistent");
}

static void parse_policy(struct ctx *c, const config_setting_t *root)
{
	const config_setting_t *g = config_setting_get_member(root,
							      "scaleback");

	c->p->policy = c->lim->policy;
	if (!g)
		return;
	c->p->own_policy = true;
	parse_policy_group(c, g, &c->p->policy);
}

int profile_parse_policy(const struct config_setting_t *group,
			 const char *file, const struct scaleback_policy *base,
			 struct scaleback_policy *ret_policy,
			 struct profile_error *ret_err)
{
	struct scaleback_policy pol = *base;
	struct profile_error err;
	struct ctx c = { 0 };

	memset(&err, 0, sizeof(err));
	c.file = file ? file : "<string>";
	c.err = &err;
	parse_policy_group(&c, group, &pol);
	if (c.failed) {
		if (ret_err)
			*ret_err = err;
		return -EINVAL;
	}
	*ret_policy = pol;
	return 0;
}

/* Control characters (other than newline and tab where allowed) would be
 * printed as they are by pacectl and in logs. */
static bool has_control(const char *s, bool allow_newline)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;

		if (allow_newline && (ch == '\n' || ch == '\t'))
			continue;
		if (ch < 0x20 || ch == 0x7f)
			return true;
	}
	return false;
}

static const char *const root_keys[] = {
	"name", "description", "paces", "warmup", "main", "cooldown",
	"scaleback", "belt", NULL };

/*
 * belt = false (default true): an exercise session with no treadmill,
 * whose segments are holds and rests. Paces and a scale-back policy are
 * about the belt, so such a profile may not have them.
 */
static void parse_belt(struct ctx *c, const config_setting_t *root)
{
	const config_setting_t *m = config_setting_get_member(root, "belt");
	bool belt = true;

	if (!m || !get_bool(c, m, "belt", &belt) || belt)
		return;
	c->p->no_belt = true;
	if ((m = config_setting_get_member(root, "paces")) ||
	    (m = config_setting_get_member(root, "scaleback")))
		fail(c, m, "'%s' is about the treadmill: a profile with belt = false has none",
		     config_setting_name(m));
}

static void parse_root(struct ctx *c, const config_setting_t *root)
{
	static const char *const section_key[PROFILE_SECTION_COUNT] = {
		[PROFILE_WARMUP] = "warmup",
		[PROFILE_MAIN] = "main",
		[PROFILE_COOLDOWN] = "cooldown",
	};
	struct profile *p = c->p;
	const config_setting_t *m;
	const char *s;
	uint64_t segs = 0, ms = 0;
	struct plan plan;
	char buf[32];

	if (!check_keys(c, root, "profile", root_keys))
		return;
	m = config_setting_get_member(root, "name");
	if (!m) {
		fail_line(c, 0, "missing required key 'name'");
		return;
	}
	if (!get_string(c, m, "name", &s))
		return;
	if (!*s || strlen(s) > PROFILE_MAX_NAME || has_control(s, false)) {
		fail(c, m, "name must be one line of 1 to %d characters",
		     PROFILE_MAX_NAME);
		return;
	}
	p->name = paced_strdup(s);
	s = "";
	if ((m = config_setting_get_member(root, "description"))) {
		if (!get_string(c, m, "description", &s))
			return;
		if (strlen(s) > PROFILE_MAX_DESCRIPTION) {
			fail(c, m, "description is longer than %d characters",
			     PROFILE_MAX_DESCRIPTION);
			return;
		}
		if (has_control(s, true)) {
			fail(c, m, "description contains a control character");
			return;
		}
	}
	p->description = paced_strdup(s);
	parse_belt(c, root);
	if (!p->no_belt)
		parse_paces(c, root);
	if (c->failed)
		return;
	for (int i = 0; i < PROFILE_SECTION_COUNT; i++) {
		uint64_t s1, m1;

		m = config_setting_get_member(root, section_key[i]);
		if (!m) {
			if (i == PROFILE_MAIN) {
				fail_line(c, 0, "missing required key 'main' (the list of segments to run)");
				return;
			}
			continue;
		}
		if (!parse_items(c, m, section_key[i], 0, &p->section[i],
				 &p->section_n[i]))
			return;
		measure(p->section[i], p->section_n[i], &s1, &m1);
		segs += s1;
		ms += m1;
		if (segs > PLAN_MAX_SEGMENTS) {
			fail(c, m, "the profile expands to more than %d segments",
			     PLAN_MAX_SEGMENTS);
			return;
		}
		if (ms > PROFILE_MAX_TOTAL_MS) {
			profile_format_duration(PROFILE_MAX_TOTAL_MS, buf,
						sizeof(buf));
			fail(c, m, "the profile is longer than %s in total",
			     buf);
			return;
		}
	}
	parse_policy(c, root);
	if (c->failed)
		return;
	if (p->no_belt) {
		/* Nothing to expand for a belt: measure() has the length. */
		p->total_ms = (uint32_t) ms;
		p->jog_ms = 0;
		return;
	}
	if (plan_expand(p, &plan) < 0) {
		fail_line(c, 0, "the profile does not expand to a plan");
		return;
	}
	p->total_ms = plan_end_ms(&plan);
	p->jog_ms = plan_jog_ms(&plan);
	plan_clear(&plan);
}

void profile_free(struct profile *profile)
{
	if (!profile)
		return;
	for (int i = 0; i < PROFILE_SECTION_COUNT; i++)
		free_items(profile->section[i], profile->section_n[i]);
	free(profile->path);
	free(profile->name);
	free(profile->description);
	free(profile);
}

/*
 * libconfig would follow @include to any file on the box; a profile is one
 * self-contained file, so the directive is refused before parsing.
 */
static unsigned find_include(const char *text)
{
	unsigned line = 1;
	const char *p = text;

	while (*p) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, "@include", 8))
			return line;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
		line++;
	}
	return 0;
}

struct profile *profile_load_string(const char *text, const char *name,
				    const struct profile_limits *limits,
				    struct profile_error *ret_err)
{
	struct profile_limits def;
	struct profile_error err;
	struct ctx c = { 0 };
	config_t cfg;
	unsigned inc;

	if (!limits) {
		profile_limits_default(&def);
		limits = &def;
	}
	memset(&err, 0, sizeof(err));
	c.file = name ? name : "<string>";
	c.lim = limits;
	c.walk_max = limits->walk_max ? limits->walk_max :
				       PROFILE_DEFAULT_WALK_MAX;
	c.err = &err;
	if (!text) {
		fail_line(&c, 0, "no text");
		goto out;
	}
	if (limits->walk_speed == 0 || limits->jog_speed == 0 ||
	    limits->speed_cap == 0 ||
	    scaleback_policy_validate(&limits->policy) < 0) {
		fail_line(&c, 0, "invalid limits (paced.conf)");
		goto out;
	}
	inc = find_include(text);
	if (inc) {
		fail_line(&c, inc, "@include is not allowed in a profile");
		goto out;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		/* libconfig's own syntax errors, in the same form. */
		fail_line(&c, (unsigned) config_error_line(&cfg), "%s",
			  config_error_text(&cfg));
		config_destroy(&cfg);
		goto out;
	}
	c.p = paced_new0(struct profile, 1);
	parse_root(&c, config_root_setting(&cfg));
	config_destroy(&cfg);
	if (c.failed) {
		profile_free(c.p);
		c.p = NULL;
	} else {
		c.p->path = paced_strdup(c.file);
	}
out:
	if (c.failed && ret_err)
		*ret_err = err;
	return c.failed ? NULL : c.p;
}

struct profile *profile_load(const char *path,
			     const struct profile_limits *limits,
			     struct profile_error *ret_err)
{
	struct profile_error err;
	struct ctx c = { 0 };
	struct profile *p;
	char *text;
	FILE *f;
	size_t n;
	int fd;

	memset(&err, 0, sizeof(err));
	c.file = path ? path : "(null)";
	c.err = &err;
	/* Never a FIFO or a device: 'pacectl start /some/fifo' must not
	 * block the service's loop in open(2), or read from anything but a
	 * file. Symbolic links are followed: a link in the profile
	 * directory to a profile kept elsewhere is a normal thing to do. */
	fd = path ? file_open_read(path) : -EINVAL;
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		fail_line(&c, 0, "cannot open: %s",
			  file_strerror(fd < 0 ? fd : -errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	text = paced_malloc(PROFILE_MAX_FILE + 1);
	n = fread(text, 1, PROFILE_MAX_FILE + 1, f);
	if (ferror(f)) {
		fail_line(&c, 0, "read error");
	} else if (n > PROFILE_MAX_FILE) {
		fail_line(&c, 0, "file is larger than %d bytes",
			  PROFILE_MAX_FILE);
	} else if (memchr(text, '\0', n)) {
		fail_line(&c, 0, "file contains a NUL byte: not a text profile");
	}
	fclose(f);
	if (c.failed) {
		free(text);
		goto fail;
	}
	text[n] = '\0';
	p = profile_load_string(text, path, limits, ret_err);
	free(text);
	return p;
fail:
	if (ret_err)
		*ret_err = err;
	return NULL;
}
