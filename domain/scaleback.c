/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scale-back: plan x symptom press -> an easier remaining plan. Pure. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "plan.h"
#include "scaleback.h"

#define RECOVERY_MIN_MS 10000U
#define RECOVERY_MAX_MS (30U * 60U * 1000U)
#define DEBOUNCE_MAX_MS 60000U

static const char *const kind_names[SYMPTOM_KIND_COUNT] = {
	[SYMPTOM_ANY] = "any",
	[SYMPTOM_LEAK] = "leak",
	[SYMPTOM_PRESSURE] = "pressure",
	[SYMPTOM_PAIN] = "pain",
	[SYMPTOM_LONG_PRESS] = "long-press",
};

const char *symptom_kind_name(enum symptom_kind kind)
{
	if ((unsigned) kind >= SYMPTOM_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

int symptom_kind_from_name(const char *name, enum symptom_kind *ret_kind)
{
	for (unsigned k = 0; k < SYMPTOM_KIND_COUNT; k++)
		if (name && !strcmp(name, kind_names[k])) {
			*ret_kind = (enum symptom_kind) k;
			return 0;
		}
	return -EINVAL;
}

void scaleback_policy_default(struct scaleback_policy *ret_pol)
{
	struct scaleback_policy p;

	memset(&p, 0, sizeof(p));
	/* docs/domain.md 3.5: walk first, then every later jog halved (the cut
	 * time walked), a second press means no more jogging today, and a
	 * long press ends the session with a 2-3 min cool-down walk. */
	p.recovery_ms = 120000;
	p.debounce_ms = 3000;
	p.steps[0] = (struct scaleback_step) {
		.jog_speed = SCALEBACK_PERMILLE, .jog_time = 500 };
	p.steps[1] = (struct scaleback_step) {
		.jog_speed = SCALEBACK_PERMILLE,
		.jog_time = SCALEBACK_PERMILLE, .no_jog = true };
	p.steps[2] = (struct scaleback_step) {
		.jog_speed = SCALEBACK_PERMILLE,
		.jog_time = SCALEBACK_PERMILLE, .end = true };
	p.n_steps = 3;
	/* Heaviness and pain are the stronger stop signals in docs/domain.md 3.1
	 * ("stop exercising if you experience pain"). */
	p.kind_min_step[SYMPTOM_LEAK] = 1;
	p.kind_min_step[SYMPTOM_PRESSURE] = 2;
	p.kind_min_step[SYMPTOM_PAIN] = 3;
	p.long_press = SCALEBACK_LONG_PRESS_END;
	p.end_cooldown_ms = 180000;
	*ret_pol = p;
}

int scaleback_policy_validate(const struct scaleback_policy *pol)
{
	if (!pol || !pol->n_steps || pol->n_steps > SCALEBACK_MAX_STEPS)
		return -EINVAL;
	if (pol->recovery_ms < RECOVERY_MIN_MS ||
	    pol->recovery_ms > RECOVERY_MAX_MS)
		return -EINVAL;
	if (pol->debounce_ms > DEBOUNCE_MAX_MS)
		return -EINVAL;
	if (pol->end_cooldown_ms < 1000 || pol->end_cooldown_ms > RECOVERY_MAX_MS)
		return -EINVAL;
	if (pol->long_press != SCALEBACK_LONG_PRESS_END &&
	    pol->long_press != SCALEBACK_LONG_PRESS_PRESS)
		return -EINVAL;
	for (size_t i = 0; i < pol->n_steps; i++) {
		const struct scaleback_step *s = &pol->steps[i];

		/* A factor above 1 would make a jog harder after a press. */
		if (!s->jog_speed || s->jog_speed > SCALEBACK_PERMILLE ||
		    !s->jog_time || s->jog_time > SCALEBACK_PERMILLE)
			return -EINVAL;
		if (s->end && (s->no_jog || s->jog_speed != SCALEBACK_PERMILLE ||
			       s->jog_time != SCALEBACK_PERMILLE))
			return -EINVAL;
	}
	for (unsigned k = 0; k < SYMPTOM_KIND_COUNT; k++)
		if (pol->kind_min_step[k] > pol->n_steps)
			return -EINVAL;
	return 0;
}

/* 0-based index into steps, or n_steps for a long press that ends. */
static size_t step_index(const struct scaleback_policy *pol,
			 unsigned press_number, enum symptom_kind kind)
{
	size_t idx;

	if (kind == SYMPTOM_LONG_PRESS &&
	    pol->long_press == SCALEBACK_LONG_PRESS_END)
		return pol->n_steps;
	/* Press 0 cannot happen through scaleback_press(); treat it as the
	 * first press rather than ignoring a symptom. */
	idx = press_number ? press_number - 1 : 0;
	if ((unsigned) kind < SYMPTOM_KIND_COUNT &&
	    pol->kind_min_step[kind] &&
	    idx < (size_t) pol->kind_min_step[kind] - 1)
		idx = pol->kind_min_step[kind] - 1;
	if (idx >= pol->n_steps)
		idx = pol->n_steps - 1;
	return idx;
}

struct scaleback_step scaleback_choose(const struct scaleback_policy *pol,
				       unsigned press_number,
				       enum symptom_kind kind)
{
	static const struct scaleback_step end = {
		.jog_speed = SCALEBACK_PERMILLE,
		.jog_time = SCALEBACK_PERMILLE, .end = true };
	size_t idx = step_index(pol, press_number, kind);

	return idx < pol->n_steps ? pol->steps[idx] : end;
}

unsigned scaleback_press_kind(struct scaleback_presses *st, uint32_t now_ms,
			      enum symptom_kind kind,
			      const struct scaleback_policy *pol)
{
	unsigned step;

	/* Only a press after the last counted one can be absorbed: a press
	 * reported out of order counts, since dropping a symptom is the
	 * unsafe mistake. */
	if (st->count && now_ms >= st->last_ms &&
	    now_ms - st->last_ms < pol->debounce_ms) {
		step = (unsigned) step_index(pol, st->count, kind) + 1;
		if (step <= st->last_step)
			return 0;
		st->last_step = step;
		return st->count;
	}
	st->count++;
	st->last_ms = now_ms;
	st->last_step = (unsigned) step_index(pol, st->count, kind) + 1;
	return st->count;
}

unsigned scaleback_press(struct scaleback_presses *st, uint32_t now_ms,
			 const struct scaleback_policy *pol)
{
	return scaleback_press_kind(st, now_ms, SYMPTOM_ANY, pol);
}

struct out {
	struct plan_segment *seg;
	size_t n, alloc;
	uint32_t t_ms;
};

static bool same_walk(const struct plan_segment *a,
		      const struct plan_segment *b)
{
	return !a->jog_like && !b->jog_like && a->speed == b->speed &&
	       a->incline == b->incline && a->phase == b->phase &&
	       !strcmp(a->pace_name, b->pace_name);
}

/* Append a piece at the current end time; adjacent identical walks merge. */
static void out_add(struct out *o, const struct plan_segment *tmpl,
		    uint32_t duration_ms)
{
	struct plan_segment *s;

	if (!duration_ms)
		return;
	if (o->n && same_walk(&o->seg[o->n - 1], tmpl)) {
		o->seg[o->n - 1].duration_ms += duration_ms;
		o->t_ms += duration_ms;
		return;
	}
	if (o->n == o->alloc) {
		o->alloc = o->alloc ? o->alloc * 2 : 16;
		o->seg = paced_realloc(o->seg, o->alloc * sizeof(*o->seg));
	}
	s = &o->seg[o->n++];
	*s = *tmpl;
	s->start_ms = o->t_ms;
	s->duration_ms = duration_ms;
	o->t_ms += duration_ms;
}

static void set_name(struct plan_segment *s, const char *name)
{
	memset(s->pace_name, 0, sizeof(s->pace_name));
	strncpy(s->pace_name, name, sizeof(s->pace_name) - 1);
}

/* A walk that stands in for (part of) s: never faster than s was, never
 * faster than the walk pace, flat (docs/design.md: walk pace at once). */
static struct plan_segment walk_for(const struct plan_segment *s,
				    uint16_t walk_speed, enum plan_phase phase)
{
	struct plan_segment w = *s;

	w.speed = MIN(s->speed, walk_speed);
	w.incline = 0;
	w.phase = phase;
	w.jog_like = false;
	if (s->jog_like)
		set_name(&w, "walk");
	return w;
}

/* The rest of a segment after the recovery walk, transformed by step. */
static void transform_piece(struct out *o, const struct plan_segment *s,
			    uint32_t d, const struct scaleback_step *step,
			    uint16_t walk_speed)
{
	struct plan_segment j = *s;
	struct plan_segment w = walk_for(s, walk_speed, s->phase);
	uint32_t keep;

	if (!s->jog_like) {
		out_add(o, s, d);
		return;
	}
	if (step->no_jog) {
		out_add(o, &w, d);
		return;
	}
	/* Integer per mille math: floor, so never faster or longer. */
	j.speed = (uint16_t) ((uint32_t) s->speed * step->jog_speed /
			      SCALEBACK_PERMILLE);
	if (j.speed <= walk_speed) {
		out_add(o, &w, d);
		return;
	}
	keep = (uint32_t) ((uint64_t) d * step->jog_time / SCALEBACK_PERMILLE);
	if (step->jog_time < SCALEBACK_PERMILLE) {
		/* Whole seconds read better on a display; a sliver of a jog
		 * is not worth the belt change. */
		keep -= keep % 1000;
		if (keep < SCALEBACK_MIN_JOG_MS)
			keep = 0;
	}
	out_add(o, &j, keep);
	out_add(o, &w, d - keep);
}

static void apply_end(struct out *o, const struct plan *plan, long idx,
		      uint32_t now_ms, const struct scaleback_policy *pol)
{
	const struct plan_segment *cur = &plan->seg[idx];

	/* The plan's own cool-down (what is left of it), walked flat and
	 * never faster than the walk pace. */
	for (size_t i = (size_t) idx; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];
		uint32_t from = MAX(s->start_ms, now_ms);
		struct plan_segment w;

		if (s->phase != PLAN_PHASE_COOLDOWN)
			continue;
		w = walk_for(s, plan->walk_speed, PLAN_PHASE_COOLDOWN);
		out_add(o, &w, s->start_ms + s->duration_ms - from);
	}
	if (!o->n) {
		struct plan_segment w = walk_for(cur, plan->walk_speed,
						 PLAN_PHASE_COOLDOWN);

		set_name(&w, "walk");
		out_add(o, &w, pol->end_cooldown_ms);
	}
}

int scaleback_apply(const struct plan *plan, uint32_t now_ms,
		    unsigned press_number, enum symptom_kind kind,
		    const struct scaleback_policy *pol, struct plan *ret_new)
{
	struct scaleback_step step;
	struct out o = { 0 };
	uint32_t rec_end;
	long idx;

	if (!ret_new || plan_validate(plan) < 0 ||
	    scaleback_policy_validate(pol) < 0 ||
	    (unsigned) kind >= SYMPTOM_KIND_COUNT)
		return -EINVAL;
	idx = plan_find(plan, now_ms);
	if (idx < 0)
		return -ERANGE;
	step = scaleback_choose(pol, press_number, kind);
	o.t_ms = now_ms;

	if (step.end) {
		apply_end(&o, plan, idx, now_ms, pol);
		goto done;
	}

	rec_end = plan_end_ms(plan) - now_ms < pol->recovery_ms ?
		  plan_end_ms(plan) : now_ms + pol->recovery_ms;
	for (size_t i = (size_t) idx; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];
		uint32_t s_end = s->start_ms + s->duration_ms;
		uint32_t from = MAX(s->start_ms, now_ms);

		/* The recovery walk overlays the timeline, so the end time
		 * of the session does not move. */
		if (from < rec_end) {
			uint32_t to = MIN(s_end, rec_end);
			struct plan_segment w = walk_for(s, plan->walk_speed,
							 PLAN_PHASE_RECOVERY);

			out_add(&o, &w, to - from);
			from = to;
		}
		if (from < s_end)
			transform_piece(&o, s, s_end - from, &step,
					plan->walk_speed);
	}

done:
	ret_new->seg = o.seg;
	ret_new->n = o.n;
	ret_new->walk_speed = plan->walk_speed;
	return 0;
}

/* Per mille as "50 %" or "92.5 %". */
static void pct(unsigned permille, char *buf, size_t len)
{
	if (permille % 10)
		snprintf(buf, len, "%u.%u %%", permille / 10, permille % 10);
	else
		snprintf(buf, len, "%u %%", permille / 10);
}

void scaleback_step_describe(const struct scaleback_step *st, char *buf,
			     size_t len)
{
	size_t n = 0;
	char p[16];

	buf[0] = '\0';
	if (st->end) {
		snprintf(buf, len, "cool-down now, then stop");
		return;
	}
	if (st->no_jog) {
		snprintf(buf, len, "no more jogging (every later jog walked)");
		return;
	}
	if (st->jog_speed < SCALEBACK_PERMILLE) {
		pct(st->jog_speed, p, sizeof(p));
		n += (size_t) snprintf(buf + n, len - n,
				       "jogs at %s speed (never below the walk pace)",
				       p);
	}
	if (st->jog_time < SCALEBACK_PERMILLE && n < len) {
		pct(st->jog_time, p, sizeof(p));
		n += (size_t) snprintf(buf + n, len - n,
				       "%sjogs %s as long (the cut time walked)",
				       n ? ", " : "", p);
	}
	if (!n)
		snprintf(buf, len, "recovery walk only");
}
