/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exercise sessions (belt = false): a profile's holds and rests as a timeline and what to say when. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "util.h"

struct builder {
	struct exercise_plan plan;
	size_t alloc;
	uint32_t t_ms;
	int err;
};

static void add_items(struct builder *b, const struct profile_item *items,
		      size_t n, enum plan_phase phase, unsigned depth)
{
	/* The loader bounds depth; this guards hand-built profiles. */
	if (depth > PROFILE_MAX_DEPTH + 1) {
		b->err = -E2BIG;
		return;
	}
	for (size_t i = 0; i < n && !b->err; i++) {
		const struct profile_item *it = &items[i];
		struct exercise_step *s;

		if (it->repeat) {
			for (unsigned r = 0; r < it->repeat && !b->err; r++)
				add_items(b, it->items, it->n_items, phase,
					  depth + 1);
			continue;
		}
		if (it->kind == PROFILE_ITEM_BELT || !it->duration_ms) {
			b->err = -EINVAL;
			return;
		}
		if (b->plan.n >= PLAN_MAX_SEGMENTS ||
		    it->duration_ms > PLAN_MAX_TOTAL_MS - b->t_ms) {
			b->err = -E2BIG;
			return;
		}
		if (b->plan.n == b->alloc) {
			b->alloc = b->alloc ? b->alloc * 2 : 32;
			b->plan.step = paced_realloc(b->plan.step,
						     b->alloc * sizeof(*s));
		}
		s = &b->plan.step[b->plan.n++];
		s->start_ms = b->t_ms;
		s->duration_ms = it->duration_ms;
		s->kind = it->kind;
		s->phase = phase;
		s->say = it->say;
		s->count = it->count;
		b->t_ms += it->duration_ms;
	}
}

int exercise_expand(const struct profile *profile, struct exercise_plan *ret)
{
	static const enum plan_phase phase[PROFILE_SECTION_COUNT] = {
		[PROFILE_WARMUP] = PLAN_PHASE_WARMUP,
		[PROFILE_MAIN] = PLAN_PHASE_MAIN,
		[PROFILE_COOLDOWN] = PLAN_PHASE_COOLDOWN,
	};
	struct builder b = { 0 };

	if (!profile || !ret || !profile->no_belt)
		return -EINVAL;
	for (int s = 0; s < PROFILE_SECTION_COUNT; s++)
		add_items(&b, profile->section[s], profile->section_n[s],
			  phase[s], 0);
	if (!b.err && !b.plan.n)
		b.err = -EINVAL;
	if (b.err) {
		free(b.plan.step);
		return b.err;
	}
	*ret = b.plan;
	return 0;
}

void exercise_plan_clear(struct exercise_plan *plan)
{
	if (!plan)
		return;
	free(plan->step);
	memset(plan, 0, sizeof(*plan));
}

uint32_t exercise_end_ms(const struct exercise_plan *plan)
{
	const struct exercise_step *last;

	if (!plan->n)
		return 0;
	last = &plan->step[plan->n - 1];
	return last->start_ms + last->duration_ms;
}

uint32_t exercise_hold_ms(const struct exercise_plan *plan,
			  unsigned *ret_holds)
{
	uint32_t ms = 0;
	unsigned holds = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->step[i].kind == PROFILE_ITEM_HOLD) {
			ms += plan->step[i].duration_ms;
			holds++;
		}
	if (ret_holds)
		*ret_holds = holds;
	return ms;
}

const char *exercise_cue_kind_name(enum exercise_cue_kind kind)
{
	static const char *const names[] = {
		[EXERCISE_CUE_SAY] = "instruction",
		[EXERCISE_CUE_COUNT] = "count",
		[EXERCISE_CUE_FINISH] = "finish",
		[EXERCISE_CUE_SYMPTOM] = "symptom",
	};

	return (unsigned) kind < ARRAY_SIZE(names) ? names[kind] : NULL;
}

size_t exercise_step_cues(const struct exercise_plan *plan, size_t i,
			  struct exercise_cue *ret, size_t max)
{
	const struct exercise_step *s;
	size_t n = 0;

	if (i == plan->n && max) {
		ret[0].at_ms = exercise_end_ms(plan);
		ret[0].kind = EXERCISE_CUE_FINISH;
		ret[0].step = i;
		snprintf(ret[0].text, sizeof(ret[0].text),
			 "That is the end of the session. Well done.");
		return 1;
	}
	if (i >= plan->n)
		return 0;
	s = &plan->step[i];
	if (s->say && n < max) {
		ret[n].at_ms = s->start_ms;
		ret[n].kind = EXERCISE_CUE_SAY;
		ret[n].step = i;
		snprintf(ret[n].text, sizeof(ret[n].text), "%s", s->say);
		n++;
	}
	/* "hold 2, 3, 4, 5": the first second is the instruction's own. */
	for (uint32_t sec = 2; s->count && sec * 1000 <= s->duration_ms &&
			       n < max; sec++) {
		ret[n].at_ms = s->start_ms + (sec - 1) * 1000;
		ret[n].kind = EXERCISE_CUE_COUNT;
		ret[n].step = i;
		snprintf(ret[n].text, sizeof(ret[n].text), "%u", sec);
		n++;
	}
	return n;
}
