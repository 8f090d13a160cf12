/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for the scale-back transform, its policy and the debounce rule. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "util.h"
#include "gen-profile.h"
#include "plan.h"
#include "profile.h"
#include "scaleback.h"

#define MIN_S(m, s) (((m) * 60 + (s)) * 1000U)

/* Segment builder for hand-made plans: walk pace 5.00 km/h. */
static struct plan make_plan(const uint32_t *dur, const uint16_t *speed,
			     const int16_t *incline, const enum plan_phase *ph,
			     size_t n)
{
	struct plan p;
	uint32_t t = 0;

	p.seg = paced_new0(struct plan_segment, n);
	p.n = n;
	p.walk_speed = 500;
	for (size_t i = 0; i < n; i++) {
		struct plan_segment *s = &p.seg[i];

		s->start_ms = t;
		s->duration_ms = dur[i];
		s->speed = speed[i];
		s->incline = incline ? incline[i] : 0;
		s->phase = ph ? ph[i] : PLAN_PHASE_MAIN;
		s->jog_like = speed[i] > p.walk_speed;
		strcpy(s->pace_name, s->jog_like ? "jog" : "walk");
		t += dur[i];
	}
	return p;
}

/* warm-up 5:00 walk, 3 x (1:00 jog 7.50, 1:30 walk), cool-down 5:00 walk */
static struct plan sample(void)
{
	static const uint32_t d[] = {
		MIN_S(5, 0), MIN_S(1, 0), MIN_S(1, 30), MIN_S(1, 0),
		MIN_S(1, 30), MIN_S(1, 0), MIN_S(1, 30), MIN_S(5, 0) };
	static const uint16_t v[] = { 500, 750, 500, 750, 500, 750, 500, 450 };
	static const int16_t inc[] = { 20, 10, 0, 10, 0, 10, 0, 0 };
	static const enum plan_phase ph[] = {
		PLAN_PHASE_WARMUP, PLAN_PHASE_MAIN, PLAN_PHASE_MAIN,
		PLAN_PHASE_MAIN, PLAN_PHASE_MAIN, PLAN_PHASE_MAIN,
		PLAN_PHASE_MAIN, PLAN_PHASE_COOLDOWN };

	return make_plan(d, v, inc, ph, ARRAY_SIZE(d));
}

static struct scaleback_policy policy_steps(struct scaleback_step st)
{
	struct scaleback_policy pol;

	scaleback_policy_default(&pol);
	pol.steps[0] = st;
	pol.n_steps = 1;
	memset(pol.kind_min_step, 0, sizeof(pol.kind_min_step));
	return pol;
}

static const struct scaleback_step HALF = { .jog_speed = 1000, .jog_time = 500 };
static const struct scaleback_step SAME = { .jog_speed = 1000, .jog_time = 1000 };

/* Speed planned at time t, or 0 outside. */
static uint16_t speed_at(const struct plan *p, uint32_t t)
{
	long i = plan_find(p, t);

	return i < 0 ? 0 : p->seg[i].speed;
}

START_TEST(test_default_policy)
{
	struct scaleback_policy pol;

	scaleback_policy_default(&pol);
	ck_assert_int_eq(scaleback_policy_validate(&pol), 0);
	ck_assert_uint_eq(pol.recovery_ms, 120000);
	ck_assert_uint_eq(pol.debounce_ms, 3000);
	ck_assert_uint_eq(pol.n_steps, 3);
	ck_assert_uint_eq(pol.steps[0].jog_time, 500);
	ck_assert(pol.steps[1].no_jog);
	ck_assert(pol.steps[2].end);
	ck_assert_uint_eq(pol.kind_min_step[SYMPTOM_PAIN], 3);
	ck_assert_int_eq(pol.long_press, SCALEBACK_LONG_PRESS_END);
}
END_TEST

START_TEST(test_policy_validate)
{
	struct scaleback_policy pol;

	scaleback_policy_default(&pol);
	pol.steps[0].jog_speed = 1001;	/* faster after a press */
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	scaleback_policy_default(&pol);
	pol.steps[0].jog_time = 0;
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	scaleback_policy_default(&pol);
	pol.n_steps = 0;
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	scaleback_policy_default(&pol);
	pol.steps[2].no_jog = true;	/* end combined with no_jog */
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	scaleback_policy_default(&pol);
	pol.kind_min_step[SYMPTOM_LEAK] = 4;
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	scaleback_policy_default(&pol);
	pol.recovery_ms = 0;	/* the belt must walk after a press */
	ck_assert_int_eq(scaleback_policy_validate(&pol), -EINVAL);
	ck_assert_int_eq(scaleback_policy_validate(NULL), -EINVAL);
}
END_TEST

START_TEST(test_choose)
{
	struct scaleback_policy pol;
	struct scaleback_step s;

	scaleback_policy_default(&pol);
	s = scaleback_choose(&pol, 1, SYMPTOM_ANY);
	ck_assert_uint_eq(s.jog_time, 500);
	ck_assert(!s.no_jog && !s.end);
	s = scaleback_choose(&pol, 2, SYMPTOM_ANY);
	ck_assert(s.no_jog);
	s = scaleback_choose(&pol, 3, SYMPTOM_ANY);
	ck_assert(s.end);
	/* the last step repeats */
	s = scaleback_choose(&pol, 9, SYMPTOM_ANY);
	ck_assert(s.end);
	/* press 0 is treated as the first, never ignored */
	s = scaleback_choose(&pol, 0, SYMPTOM_ANY);
	ck_assert_uint_eq(s.jog_time, 500);
	/* kinds raise the step, never lower it */
	s = scaleback_choose(&pol, 1, SYMPTOM_LEAK);
	ck_assert_uint_eq(s.jog_time, 500);
	s = scaleback_choose(&pol, 1, SYMPTOM_PRESSURE);
	ck_assert(s.no_jog);
	s = scaleback_choose(&pol, 1, SYMPTOM_PAIN);
	ck_assert(s.end);
	s = scaleback_choose(&pol, 3, SYMPTOM_LEAK);
	ck_assert(s.end);
	/* long press */
	s = scaleback_choose(&pol, 1, SYMPTOM_LONG_PRESS);
	ck_assert(s.end);
	pol.long_press = SCALEBACK_LONG_PRESS_PRESS;
	s = scaleback_choose(&pol, 1, SYMPTOM_LONG_PRESS);
	ck_assert(!s.end);
	ck_assert_uint_eq(s.jog_time, 500);
}
END_TEST

START_TEST(test_debounce)
{
	struct scaleback_policy pol;
	struct scaleback_presses st = { 0 };

	scaleback_policy_default(&pol);	/* 3 s */
	ck_assert_uint_eq(scaleback_press(&st, 10000, &pol), 1);
	ck_assert_uint_eq(scaleback_press(&st, 10500, &pol), 0);
	ck_assert_uint_eq(scaleback_press(&st, 12999, &pol), 0);
	ck_assert_uint_eq(scaleback_press(&st, 13000, &pol), 2);
	/* measured from the last counted press, so a held-down stream of
	 * presses still counts every 3 s */
	ck_assert_uint_eq(scaleback_press(&st, 15000, &pol), 0);
	ck_assert_uint_eq(scaleback_press(&st, 16000, &pol), 3);
	/* out of order: counted, a dropped symptom is the unsafe error */
	ck_assert_uint_eq(scaleback_press(&st, 1000, &pol), 4);
	/* the first press always counts, even at time 0 */
	memset(&st, 0, sizeof(st));
	ck_assert_uint_eq(scaleback_press(&st, 0, &pol), 1);
	pol.debounce_ms = 0;
	ck_assert_uint_eq(scaleback_press(&st, 0, &pol), 2);
}
END_TEST

/* A harder kind inside the debounce window is never swallowed. */
START_TEST(test_debounce_kind_escalates)
{
	struct scaleback_policy pol;
	struct scaleback_presses st = { 0 };

	scaleback_policy_default(&pol);
	ck_assert_uint_eq(scaleback_press_kind(&st, 10000, SYMPTOM_LEAK, &pol),
			  1);
	/* same or easier step: absorbed */
	ck_assert_uint_eq(scaleback_press_kind(&st, 10500, SYMPTOM_ANY, &pol),
			  0);
	ck_assert_uint_eq(scaleback_press_kind(&st, 10600, SYMPTOM_LEAK, &pol),
			  0);
	/* pain asks for step 3 (end): applied at once, same press number */
	ck_assert_uint_eq(scaleback_press_kind(&st, 11000, SYMPTOM_PAIN, &pol),
			  1);
	ck_assert(scaleback_choose(&pol, 1, SYMPTOM_PAIN).end);
	ck_assert_uint_eq(scaleback_press_kind(&st, 11500, SYMPTOM_PAIN, &pol),
			  0);
	/* a long press that ends is harder than any step */
	memset(&st, 0, sizeof(st));
	scaleback_policy_default(&pol);
	pol.kind_min_step[SYMPTOM_PAIN] = 0;
	ck_assert_uint_eq(scaleback_press_kind(&st, 0, SYMPTOM_PAIN, &pol), 1);
	ck_assert_uint_eq(scaleback_press_kind(&st, 2000, SYMPTOM_LONG_PRESS,
					       &pol), 1);
	ck_assert_uint_eq(st.count, 1);
	ck_assert_uint_eq(st.last_ms, 0);	/* the window does not move */
}
END_TEST

START_TEST(test_kind_names)
{
	enum symptom_kind k;

	for (unsigned i = 0; i < SYMPTOM_KIND_COUNT; i++) {
		ck_assert_int_eq(symptom_kind_from_name(
			symptom_kind_name((enum symptom_kind) i), &k), 0);
		ck_assert_uint_eq(k, i);
	}
	ck_assert_int_eq(symptom_kind_from_name("cramp", &k), -EINVAL);
	ck_assert_ptr_null(symptom_kind_name(SYMPTOM_KIND_COUNT));
}
END_TEST

/* Press in the middle of the first jog (5:30): walk 2:00 to 7:30, which
 * covers the rest of jog 1 and all of walk 1; then halved jogs. */
START_TEST(test_recovery_during_jog)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(HALF);
	uint32_t now = MIN_S(5, 30);

	ck_assert_int_eq(scaleback_apply(&p, now, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_int_eq(plan_validate(&n), 0);
	ck_assert_uint_eq(n.seg[0].start_ms, now);
	ck_assert_uint_eq(n.seg[0].phase, PLAN_PHASE_RECOVERY);
	ck_assert_uint_eq(n.seg[0].speed, 500);
	ck_assert_int_eq(n.seg[0].incline, 0);	/* jog had 1.0 % */
	ck_assert_uint_eq(n.seg[0].duration_ms, 120000);
	ck_assert(!n.seg[0].jog_like);
	/* jog 2 at 7:30 is halved: 0:30 jog then 0:30 walk + 1:30 walk */
	ck_assert_uint_eq(n.seg[1].start_ms, MIN_S(7, 30));
	ck_assert(n.seg[1].jog_like);
	ck_assert_uint_eq(n.seg[1].duration_ms, 30000);
	ck_assert_uint_eq(n.seg[1].speed, 750);
	ck_assert_int_eq(n.seg[1].incline, 10);	/* kept jog keeps incline */
	ck_assert(!n.seg[2].jog_like);
	ck_assert_uint_eq(n.seg[2].speed, 500);
	ck_assert_str_eq(n.seg[2].pace_name, "walk");
	/* cut walk (incline 0) and planned walk (incline 0) merge */
	ck_assert_uint_eq(n.seg[2].duration_ms, 30000 + 90000);
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	ck_assert_uint_eq(plan_jog_ms(&n), 60000);
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

/* A press during a walk lengthens it to the recovery time: the next jog's
 * first part is walked. */
START_TEST(test_recovery_during_walk)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(SAME);
	uint32_t now = MIN_S(7, 0);	/* 30 s before jog 2 */

	ck_assert_int_eq(scaleback_apply(&p, now, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_int_eq(plan_validate(&n), 0);
	ck_assert_uint_eq(n.seg[0].duration_ms, 120000);
	ck_assert(!n.seg[0].jog_like);
	/* jog 2 was 7:30-8:30: walked until 9:00, so nothing of it is left;
	 * the next jog is jog 3 at 10:00 */
	for (size_t i = 0; i < n.n; i++)
		if (n.seg[i].jog_like) {
			ck_assert_uint_eq(n.seg[i].start_ms, MIN_S(10, 0));
			break;
		}
	ck_assert_uint_eq(speed_at(&n, MIN_S(8, 59)), 500);
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_recovery_partial_jog_after)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(SAME);
	uint32_t now = MIN_S(6, 0);	/* start of walk 1: recovery to 8:00 */

	ck_assert_int_eq(scaleback_apply(&p, now, 1, SYMPTOM_ANY, &pol, &n), 0);
	/* jog 2 runs 7:30-8:30; its first 30 s are walked */
	ck_assert_uint_eq(speed_at(&n, MIN_S(7, 59)), 500);
	ck_assert_uint_eq(speed_at(&n, MIN_S(8, 0)), 750);
	ck_assert_uint_eq(speed_at(&n, MIN_S(8, 29)), 750);
	ck_assert_uint_eq(speed_at(&n, MIN_S(8, 30)), 500);
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

/* The recovery walk never speeds up a slower planned walk. */
START_TEST(test_recovery_keeps_slow_walk)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(SAME);
	uint32_t now = MIN_S(14, 0);	/* in the 4.50 km/h cool-down */

	ck_assert_int_eq(scaleback_apply(&p, now, 1, SYMPTOM_ANY, &pol, &n), 0);
	/* 2:00 of recovery, then the rest of the cool-down */
	ck_assert_uint_eq(n.n, 2);
	ck_assert_uint_eq(n.seg[0].speed, 450);
	ck_assert_uint_eq(n.seg[0].phase, PLAN_PHASE_RECOVERY);
	ck_assert_uint_eq(n.seg[1].speed, 450);
	ck_assert_uint_eq(n.seg[1].phase, PLAN_PHASE_COOLDOWN);
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_recovery_incline_zero)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(SAME);

	/* in the warm-up walk at 2.0 % */
	ck_assert_int_eq(scaleback_apply(&p, 60000, 1, SYMPTOM_ANY, &pol, &n),
			 0);
	ck_assert_int_eq(n.seg[0].incline, 0);
	ck_assert_uint_eq(n.seg[0].duration_ms, 120000);
	/* after the recovery the warm-up resumes as planned */
	ck_assert_int_eq(n.seg[1].incline, 20);
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_jog_speed_floor)
{
	struct scaleback_step st = { .jog_speed = 500, .jog_time = 1000 };
	struct scaleback_step st9 = { .jog_speed = 900, .jog_time = 1000 };
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(st);

	/* 7.50 x 0.5 = 3.75 < walk: jogs become walks at the walk pace */
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_uint_eq(plan_jog_ms(&n), 0);
	for (size_t i = 0; i < n.n; i++)
		ck_assert_uint_ge(n.seg[i].speed, 450);
	plan_clear(&n);
	pol = policy_steps(st9);
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_uint_eq(speed_at(&n, MIN_S(7, 30)), 675);
	/* the press in the warm-up leaves all three jogs, slower */
	ck_assert_uint_eq(plan_jog_ms(&n), 3 * 60000);
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_jog_time_short_jog_walked)
{
	static const uint32_t d[] = { 15000, 60000, 15000, 60000 };
	static const uint16_t v[] = { 750, 500, 750, 500 };
	struct scaleback_policy pol = policy_steps(HALF);
	struct plan p = make_plan(d, v, NULL, NULL, 4), n;

	pol.recovery_ms = 10000;
	/* 15 s halved is 7 s, below SCALEBACK_MIN_JOG_MS: walked */
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_uint_eq(plan_jog_ms(&n), 0);
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_no_jog)
{
	struct scaleback_step st = { .jog_speed = 1000, .jog_time = 1000,
				     .no_jog = true };
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(st);

	ck_assert_int_eq(scaleback_apply(&p, MIN_S(2, 0), 1, SYMPTOM_ANY, &pol,
					 &n), 0);
	ck_assert_int_eq(plan_validate(&n), 0);
	ck_assert_uint_eq(plan_jog_ms(&n), 0);
	for (size_t i = 0; i < n.n; i++) {
		ck_assert_uint_le(n.seg[i].speed, 500);
		ck_assert(!n.seg[i].jog_like);
	}
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_end_goes_to_cooldown)
{
	struct scaleback_step st = { .jog_speed = 1000, .jog_time = 1000,
				     .end = true };
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(st);
	uint32_t now = MIN_S(5, 30);

	ck_assert_int_eq(scaleback_apply(&p, now, 1, SYMPTOM_ANY, &pol, &n), 0);
	ck_assert_int_eq(plan_validate(&n), 0);
	ck_assert_uint_eq(n.n, 1);
	ck_assert_uint_eq(n.seg[0].start_ms, now);
	ck_assert_uint_eq(n.seg[0].phase, PLAN_PHASE_COOLDOWN);
	ck_assert_uint_eq(n.seg[0].duration_ms, MIN_S(5, 0));
	ck_assert_uint_eq(n.seg[0].speed, 450);
	plan_clear(&n);
	/* during the cool-down: only what is left of it */
	ck_assert_int_eq(scaleback_apply(&p, MIN_S(15, 0), 1, SYMPTOM_ANY, &pol,
					 &n), 0);
	ck_assert_uint_eq(plan_end_ms(&n), plan_end_ms(&p));
	ck_assert_uint_eq(n.seg[0].duration_ms, MIN_S(2, 30));
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_end_without_cooldown)
{
	static const uint32_t d[] = { 60000, 600000 };
	static const uint16_t v[] = { 500, 800 };
	static const int16_t inc[] = { 0, 30 };
	struct scaleback_policy pol;
	struct plan p = make_plan(d, v, inc, NULL, 2), n;

	scaleback_policy_default(&pol);
	ck_assert_int_eq(scaleback_apply(&p, 120000, 1, SYMPTOM_LONG_PRESS,
					 &pol, &n), 0);
	ck_assert_uint_eq(n.n, 1);
	ck_assert_uint_eq(n.seg[0].duration_ms, pol.end_cooldown_ms);
	ck_assert_uint_eq(n.seg[0].speed, 500);
	ck_assert_int_eq(n.seg[0].incline, 0);
	ck_assert(!n.seg[0].jog_like);
	plan_clear(&n);
	plan_clear(&p);
}
END_TEST

START_TEST(test_press_near_end)
{
	struct plan p = sample(), n;
	struct scaleback_policy pol = policy_steps(HALF);
	uint32_t end = plan_end_ms(&p);

	/* recovery is cut at the end of the plan, which does not move */
	ck_assert_int_eq(scaleback_apply(&p, end - 1000, 1, SYMPTOM_ANY, &pol,
					 &n), 0);
	ck_assert_uint_eq(n.n, 1);
	ck_assert_uint_eq(n.seg[0].duration_ms, 1000);
	plan_clear(&n);
	ck_assert_int_eq(scaleback_apply(&p, end, 1, SYMPTOM_ANY, &pol, &n),
			 -ERANGE);
	ck_assert_int_eq(scaleback_apply(&p, end + 5, 1, SYMPTOM_ANY, &pol, &n),
			 -ERANGE);
	plan_clear(&p);
}
END_TEST

START_TEST(test_invalid_input)
{
	struct plan p = sample(), n = { 0 };
	struct scaleback_policy pol;

	scaleback_policy_default(&pol);
	p.seg[3].start_ms++;	/* not contiguous */
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_ANY, &pol, &n),
			 -EINVAL);
	p.seg[3].start_ms--;
	pol.steps[0].jog_speed = 1200;
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_ANY, &pol, &n),
			 -EINVAL);
	scaleback_policy_default(&pol);
	ck_assert_int_eq(scaleback_apply(&p, 0, 1, SYMPTOM_KIND_COUNT, &pol,
					 &n), -EINVAL);
	/* ret_new untouched on failure */
	ck_assert_ptr_null(n.seg);
	ck_assert_uint_eq(n.n, 0);
	plan_clear(&p);
}
END_TEST

/* Presses accumulate: press 2 on the scaled plan never undoes press 1. */
START_TEST(test_accumulate)
{
	struct plan p = sample(), a, b;
	struct scaleback_policy pol;

	scaleback_policy_default(&pol);
	ck_assert_int_eq(scaleback_apply(&p, MIN_S(5, 30), 1, SYMPTOM_ANY,
					 &pol, &a), 0);
	ck_assert_uint_eq(plan_jog_ms(&a), 60000);
	ck_assert_int_eq(scaleback_apply(&a, MIN_S(7, 40), 2, SYMPTOM_ANY,
					 &pol, &b), 0);
	ck_assert_uint_eq(plan_jog_ms(&b), 0);
	ck_assert_uint_eq(plan_end_ms(&b), plan_end_ms(&p));
	plan_clear(&a);
	plan_clear(&b);
	plan_clear(&p);
}
END_TEST

/* ---- property tests over random profiles ---- */

static struct gen rng;

static uint32_t rnd(uint32_t n)
{
	return gen_rnd(&rng, n);
}

static struct profile *random_profile(struct profile_limits *lim)
{
	return gen_profile(&rng, lim);
}

/* Jog time in p from t on. */
static uint32_t jog_after(const struct plan *p, uint32_t t)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct plan_segment *s = &p->seg[i];
		uint32_t end = s->start_ms + s->duration_ms;

		if (s->jog_like && end > t)
			sum += end - MAX(s->start_ms, t);
	}
	return sum;
}

/* Check one press against the plan it was applied to. */
static void check_press(const struct plan *old, const struct plan *new,
			uint32_t now, const struct scaleback_step *st,
			const struct scaleback_policy *pol, uint16_t cap)
{
	uint32_t rec_end = MIN(now + pol->recovery_ms, plan_end_ms(old));

	ck_assert_int_eq(plan_validate(new), 0);
	ck_assert_uint_ge(new->n, 1);
	ck_assert_uint_eq(new->seg[0].start_ms, now);
	ck_assert_uint_le(plan_jog_ms(new), plan_jog_ms(old));
	for (size_t i = 0; i < new->n; i++) {
		const struct plan_segment *s = &new->seg[i];

		ck_assert_uint_gt(s->speed, 0);
		ck_assert_uint_le(s->speed, cap);
		if (s->jog_like)
			ck_assert_uint_gt(s->speed, new->walk_speed);
		if (s->phase == PLAN_PHASE_RECOVERY)
			ck_assert_int_eq(s->incline, 0);
	}
	if (st->end) {
		for (size_t i = 0; i < new->n; i++)
			ck_assert(!new->seg[i].jog_like);
		return;
	}
	/* jog_time walks the cut time: the end of the session holds */
	ck_assert_uint_eq(plan_end_ms(new), plan_end_ms(old));
	/* and keeps at most that share of the jogging after the recovery */
	ck_assert_uint_le((uint64_t) plan_jog_ms(new) * SCALEBACK_PERMILLE,
			  (uint64_t) jog_after(old, rec_end) * st->jog_time);
	/* At every moment: never faster than planned, never a jog in the
	 * recovery window, never a jog where there was none. Segment
	 * boundaries are the only places speed changes. */
	for (size_t i = 0; i < new->n; i++) {
		const struct plan_segment *s = &new->seg[i];
		uint32_t t[2] = { s->start_ms,
				  s->start_ms + s->duration_ms - 1 };

		for (int k = 0; k < 2; k++) {
			long j = plan_find(old, t[k]);

			ck_assert_int_ge(j, 0);
			ck_assert_uint_le(s->speed, old->seg[j].speed);
			if (s->jog_like)
				ck_assert(old->seg[j].jog_like);
			if (t[k] < rec_end)
				ck_assert(!s->jog_like);
		}
	}
}

START_TEST(test_property_random)
{
	struct profile_limits lim;
	unsigned presses = 0;

	profile_limits_default(&lim);
	rng.state = 0x9e3779b9u;
	for (int iter = 0; iter < 1500; iter++) {
		struct profile *p = random_profile(&lim);
		struct plan plan;

		ck_assert_int_eq(plan_expand(p, &plan), 0);
		ck_assert_int_eq(plan_validate(&plan), 0);
		ck_assert_uint_eq(plan_start_ms(&plan), 0);
		ck_assert_uint_eq(plan_end_ms(&plan), p->total_ms);
		/* up to four presses at random times, in order */
		for (unsigned press = 1; press <= 4; press++) {
			uint32_t span = plan_end_ms(&plan) -
					plan_start_ms(&plan);
			uint32_t now = plan_start_ms(&plan) + rnd(span);
			enum symptom_kind kind = (enum symptom_kind)
						 rnd(SYMPTOM_KIND_COUNT);
			struct scaleback_step st =
				scaleback_choose(&p->policy, press, kind);
			struct plan next;

			ck_assert_int_eq(scaleback_apply(&plan, now, press,
							 kind, &p->policy,
							 &next), 0);
			check_press(&plan, &next, now, &st, &p->policy,
				    lim.speed_cap);
			presses++;
			plan_clear(&plan);
			plan = next;
			if (st.end)
				break;
		}
		plan_clear(&plan);
		profile_free(p);
	}
	ck_assert_uint_gt(presses, 1500);
}
END_TEST

/* The transform alone, with the jog_time step and many press times. */
START_TEST(test_property_jog_time_total)
{
	struct profile_limits lim;

	profile_limits_default(&lim);
	rng.state = 12345;
	for (int iter = 0; iter < 1000; iter++) {
		struct profile *p = random_profile(&lim);
		struct scaleback_step st = p->policy.steps[0];
		struct plan plan, next;
		uint32_t now;

		ck_assert_int_eq(plan_expand(p, &plan), 0);
		now = rnd(plan_end_ms(&plan));
		ck_assert_int_eq(scaleback_apply(&plan, now, 1, SYMPTOM_ANY,
						 &p->policy, &next), 0);
		check_press(&plan, &next, now, &st, &p->policy, lim.speed_cap);
		ck_assert_uint_eq(plan_end_ms(&next) - now,
				  plan_end_ms(&plan) - now);
		plan_clear(&next);
		plan_clear(&plan);
		profile_free(p);
	}
}
END_TEST

static Suite *scaleback_suite(void)
{
	Suite *s = suite_create("scaleback");
	TCase *tc;

	tc = tcase_create("policy");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_default_policy);
	tcase_add_test(tc, test_policy_validate);
	tcase_add_test(tc, test_choose);
	tcase_add_test(tc, test_debounce);
	tcase_add_test(tc, test_debounce_kind_escalates);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_recovery_during_jog);
	tcase_add_test(tc, test_recovery_during_walk);
	tcase_add_test(tc, test_recovery_partial_jog_after);
	tcase_add_test(tc, test_recovery_keeps_slow_walk);
	tcase_add_test(tc, test_recovery_incline_zero);
	tcase_add_test(tc, test_jog_speed_floor);
	tcase_add_test(tc, test_jog_time_short_jog_walked);
	tcase_add_test(tc, test_no_jog);
	tcase_add_test(tc, test_end_goes_to_cooldown);
	tcase_add_test(tc, test_end_without_cooldown);
	tcase_add_test(tc, test_press_near_end);
	tcase_add_test(tc, test_invalid_input);
	tcase_add_test(tc, test_accumulate);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_property_random);
	tcase_add_test(tc, test_property_jog_time_total);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scaleback_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
