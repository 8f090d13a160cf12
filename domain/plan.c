/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Plan expansion: profile sections and nested repeats to a flat timeline. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "profile.h"
#include "plan.h"

struct builder {
	struct plan_segment *seg;
	size_t n;
	size_t alloc;
	uint32_t t_ms;
	uint16_t walk_speed;
	int err;
};

static void builder_add(struct builder *b, const struct profile_item *it,
			enum plan_phase phase)
{
	struct plan_segment *s;

	if (b->err)
		return;
	if (b->n >= PLAN_MAX_SEGMENTS ||
	    it->duration_ms > PLAN_MAX_TOTAL_MS - b->t_ms) {
		b->err = -E2BIG;
		return;
	}
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 32;
		b->seg = paced_realloc(b->seg, b->alloc * sizeof(*b->seg));
	}
	s = &b->seg[b->n++];
	memset(s, 0, sizeof(*s));
	s->start_ms = b->t_ms;
	s->duration_ms = it->duration_ms;
	s->speed = it->speed;
	s->incline = it->incline;
	s->phase = phase;
	/* A segment is jog-like when its speed is above the walk pace,
	 * whatever its pace is called: a "walk" at 7 km/h is a jog to the
	 * person's pelvic floor, and the scale-back treats it as one. */
	s->jog_like = it->speed > b->walk_speed;
	memcpy(s->pace_name, it->pace_name, sizeof(s->pace_name));
	s->pace_name[sizeof(s->pace_name) - 1] = '\0';
	b->t_ms += it->duration_ms;
}

static void builder_items(struct builder *b, const struct profile_item *items,
			  size_t n, enum plan_phase phase, unsigned depth)
{
	/* The loader bounds depth; this guards hand-built profiles. */
	if (depth > PROFILE_MAX_DEPTH + 1) {
		b->err = -E2BIG;
		return;
	}
	for (size_t i = 0; i < n && !b->err; i++) {
		const struct profile_item *it = &items[i];

		if (!it->repeat) {
			if (!it->duration_ms || !it->speed) {
				b->err = -EINVAL;
				return;
			}
			builder_add(b, it, phase);
			continue;
		}
		for (unsigned r = 0; r < it->repeat && !b->err; r++)
			builder_items(b, it->items, it->n_items, phase,
				      depth + 1);
	}
}

int plan_expand(const struct profile *profile, struct plan *ret_plan)
{
	static const enum plan_phase phase[PROFILE_SECTION_COUNT] = {
		[PROFILE_WARMUP] = PLAN_PHASE_WARMUP,
		[PROFILE_MAIN] = PLAN_PHASE_MAIN,
		[PROFILE_COOLDOWN] = PLAN_PHASE_COOLDOWN,
	};
	struct builder b = { 0 };

	if (!profile || !ret_plan || !profile->n_paces)
		return -EINVAL;
	b.walk_speed = profile->paces[0].speed;
	for (int s = 0; s < PROFILE_SECTION_COUNT; s++)
		builder_items(&b, profile->section[s], profile->section_n[s],
			      phase[s], 0);
	if (!b.err && !b.n)
		b.err = -EINVAL;
	if (b.err) {
		free(b.seg);
		return b.err;
	}
	ret_plan->seg = b.seg;
	ret_plan->n = b.n;
	ret_plan->walk_speed = b.walk_speed;
	return 0;
}

int plan_copy(const struct plan *src, struct plan *ret_dst)
{
	struct plan_segment *seg = NULL;

	if (src->n) {
		seg = paced_malloc(src->n * sizeof(*seg));
		memcpy(seg, src->seg, src->n * sizeof(*seg));
	}
	ret_dst->seg = seg;
	ret_dst->n = src->n;
	ret_dst->walk_speed = src->walk_speed;
	return 0;
}

void plan_clear(struct plan *plan)
{
	if (!plan)
		return;
	free(plan->seg);
	memset(plan, 0, sizeof(*plan));
}

uint32_t plan_start_ms(const struct plan *plan)
{
	return plan->n ? plan->seg[0].start_ms : 0;
}

uint32_t plan_end_ms(const struct plan *plan)
{
	const struct plan_segment *last;

	if (!plan->n)
		return 0;
	last = &plan->seg[plan->n - 1];
	return last->start_ms + last->duration_ms;
}

uint32_t plan_jog_ms(const struct plan *plan)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->seg[i].jog_like)
			sum += plan->seg[i].duration_ms;
	return sum;
}

long plan_find(const struct plan *plan, uint32_t t_ms)
{
	size_t lo = 0, hi = plan->n;

	if (!plan->n || t_ms < plan_start_ms(plan) || t_ms >= plan_end_ms(plan))
		return -1;
	/* Segments are contiguous and ordered: binary search on start. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (plan->seg[mid].start_ms <= t_ms)
			lo = mid;
		else
			hi = mid;
	}
	return (long) lo;
}

const char *plan_phase_name(enum plan_phase phase)
{
	switch (phase) {
	case PLAN_PHASE_WARMUP:
		return "warmup";
	case PLAN_PHASE_MAIN:
		return "main";
	case PLAN_PHASE_COOLDOWN:
		return "cooldown";
	case PLAN_PHASE_RECOVERY:
		return "recovery";
	}
	return "?";
}

int plan_validate(const struct plan *plan)
{
	uint64_t t;

	if (!plan || (plan->n && !plan->seg) || !plan->walk_speed)
		return -EINVAL;
	if (!plan->n)
		return 0;
	t = plan->seg[0].start_ms;
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_segment *s = &plan->seg[i];

		if (s->start_ms != t || !s->duration_ms || !s->speed)
			return -EINVAL;
		if (s->jog_like != (s->speed > plan->walk_speed))
			return -EINVAL;
		if (s->phase > PLAN_PHASE_RECOVERY)
			return -EINVAL;
		if (!memchr(s->pace_name, '\0', sizeof(s->pace_name)))
			return -EINVAL;
		t += s->duration_ms;
		if (t > UINT32_MAX)
			return -EINVAL;
	}
	return 0;
}
