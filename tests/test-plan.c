/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for plan expansion: sections, nested repeats, jog-likeness, lookups. */
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

static struct profile *load(const char *text)
{
	struct profile_error err;
	struct profile *p = profile_load_string(text, "t.cfg", NULL, &err);

	ck_assert_msg(p != NULL, "%s", err.text);
	return p;
}

START_TEST(test_sections_and_times)
{
	struct profile *p = load(
		"name = \"t\";\n"
		"warmup = ( { walk = \"5:00\"; incline = 1; } );\n"
		"main = ( { jog = 60; }, { walk = 90; } );\n"
		"cooldown = ( { walk = \"3:00\"; speed = 4.5; } );\n");
	struct plan plan;

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_int_eq(plan_validate(&plan), 0);
	ck_assert_uint_eq(plan.n, 4);
	ck_assert_uint_eq(plan.walk_speed, 500);
	ck_assert_uint_eq(plan.seg[0].start_ms, 0);
	ck_assert_uint_eq(plan.seg[0].phase, PLAN_PHASE_WARMUP);
	ck_assert_int_eq(plan.seg[0].incline, 10);
	ck_assert_uint_eq(plan.seg[1].start_ms, 300000);
	ck_assert_uint_eq(plan.seg[1].phase, PLAN_PHASE_MAIN);
	ck_assert(plan.seg[1].jog_like);
	ck_assert_uint_eq(plan.seg[1].speed, 750);
	ck_assert_str_eq(plan.seg[1].pace_name, "jog");
	ck_assert_uint_eq(plan.seg[2].start_ms, 360000);
	ck_assert(!plan.seg[2].jog_like);
	ck_assert_uint_eq(plan.seg[3].start_ms, 450000);
	ck_assert_uint_eq(plan.seg[3].phase, PLAN_PHASE_COOLDOWN);
	ck_assert_uint_eq(plan.seg[3].speed, 450);
	ck_assert_uint_eq(plan_start_ms(&plan), 0);
	ck_assert_uint_eq(plan_end_ms(&plan), 630000);
	ck_assert_uint_eq(plan_end_ms(&plan), p->total_ms);
	ck_assert_uint_eq(plan_jog_ms(&plan), 60000);
	plan_clear(&plan);
	ck_assert_ptr_null(plan.seg);
	ck_assert_uint_eq(plan.n, 0);
	plan_clear(&plan);	/* twice is harmless */
	profile_free(p);
}
END_TEST

START_TEST(test_nested_repeats)
{
	struct profile *p = load(
		"name = \"t\";\n"
		"main = ( { repeat = 2; segments = (\n"
		"   { repeat = 3; segments = ( { jog = 30; }, { walk = 60; } ); },\n"
		"   { walk = 120; } ); } );\n");
	struct plan plan;
	static const uint32_t want[] = {
		30, 60, 30, 60, 30, 60, 120, 30, 60, 30, 60, 30, 60, 120 };
	uint32_t t = 0;

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_uint_eq(plan.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < plan.n; i++) {
		ck_assert_uint_eq(plan.seg[i].start_ms, t);
		ck_assert_uint_eq(plan.seg[i].duration_ms, want[i] * 1000);
		ck_assert(plan.seg[i].jog_like == (want[i] == 30));
		t += want[i] * 1000;
	}
	ck_assert_uint_eq(plan_jog_ms(&plan), 6 * 30000);
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

/* Jog-like means faster than the walk pace, whatever the pace is called. */
START_TEST(test_jog_like_by_speed)
{
	struct profile *p = load(
		"name = \"t\";\n"
		"paces = { walk = 5.0; brisk = 5.8; stroll = 4.0; };\n"
		"main = ( { walk = 60; speed = 6.0; }, { pace = \"brisk\"; duration = 60; },\n"
		"  { pace = \"stroll\"; duration = 60; }, { walk = 60; speed = 5.0; } );\n");
	struct plan plan;

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert(plan.seg[0].jog_like);
	ck_assert_str_eq(plan.seg[0].pace_name, "walk");
	ck_assert(plan.seg[1].jog_like);
	ck_assert_str_eq(plan.seg[1].pace_name, "brisk");
	ck_assert(!plan.seg[2].jog_like);
	ck_assert(!plan.seg[3].jog_like);	/* equal is not above */
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

START_TEST(test_find)
{
	struct profile *p = load(
		"name = \"t\";\nmain = ( { walk = 10; }, { jog = 20; }, { walk = 30; } );\n");
	struct plan plan, empty = { 0 };

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_int_eq(plan_find(&plan, 0), 0);
	ck_assert_int_eq(plan_find(&plan, 9999), 0);
	ck_assert_int_eq(plan_find(&plan, 10000), 1);
	ck_assert_int_eq(plan_find(&plan, 29999), 1);
	ck_assert_int_eq(plan_find(&plan, 30000), 2);
	ck_assert_int_eq(plan_find(&plan, 59999), 2);
	ck_assert_int_eq(plan_find(&plan, 60000), -1);
	ck_assert_int_eq(plan_find(&plan, UINT32_MAX), -1);
	ck_assert_int_eq(plan_find(&empty, 0), -1);
	ck_assert_uint_eq(plan_end_ms(&empty), 0);
	ck_assert_uint_eq(plan_jog_ms(&empty), 0);
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

START_TEST(test_copy_validate)
{
	struct profile *p = load(
		"name = \"t\";\nmain = ( { walk = 10; }, { jog = 20; } );\n");
	struct plan plan, copy;

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_int_eq(plan_copy(&plan, &copy), 0);
	ck_assert_ptr_ne(copy.seg, plan.seg);
	ck_assert_uint_eq(copy.n, plan.n);
	ck_assert_int_eq(memcmp(copy.seg, plan.seg, plan.n * sizeof(*plan.seg)),
			 0);
	/* validate catches each kind of damage */
	copy.seg[1].start_ms += 1;
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	copy.seg[1].start_ms -= 1;
	copy.seg[1].jog_like = false;
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	copy.seg[1].jog_like = true;
	copy.seg[0].duration_ms = 0;
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	copy.seg[0].duration_ms = 10000;
	copy.seg[0].speed = 0;
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	copy.seg[0].speed = 500;
	memset(copy.seg[0].pace_name, 'x', sizeof(copy.seg[0].pace_name));
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	strcpy(copy.seg[0].pace_name, "walk");
	ck_assert_int_eq(plan_validate(&copy), 0);
	copy.walk_speed = 0;
	ck_assert_int_eq(plan_validate(&copy), -EINVAL);
	ck_assert_int_eq(plan_validate(NULL), -EINVAL);
	plan_clear(&copy);
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

/* plan_expand() guards hand-built profiles the loader would refuse. */
START_TEST(test_expand_guards)
{
	struct profile_item seg = { .duration_ms = 1000, .speed = 500 };
	struct profile_item inner = { .repeat = 100, .items = &seg, .n_items = 1 };
	struct profile_item outer = { .repeat = 100, .items = &inner, .n_items = 1 };
	struct profile p;
	struct plan plan = { 0 };

	memset(&p, 0, sizeof(p));
	strcpy(p.paces[0].name, "walk");
	p.paces[0].speed = 500;
	p.n_paces = 1;
	p.section[PROFILE_MAIN] = &outer;
	p.section_n[PROFILE_MAIN] = 1;
	ck_assert_int_eq(plan_expand(&p, &plan), -E2BIG);
	ck_assert_ptr_null(plan.seg);
	/* a zero-length segment is not a plan */
	seg.duration_ms = 0;
	p.section[PROFILE_MAIN] = &seg;
	ck_assert_int_eq(plan_expand(&p, &plan), -EINVAL);
	/* nothing at all */
	p.section_n[PROFILE_MAIN] = 0;
	ck_assert_int_eq(plan_expand(&p, &plan), -EINVAL);
	ck_assert_int_eq(plan_expand(NULL, &plan), -EINVAL);
}
END_TEST

START_TEST(test_phase_names)
{
	ck_assert_str_eq(plan_phase_name(PLAN_PHASE_WARMUP), "warmup");
	ck_assert_str_eq(plan_phase_name(PLAN_PHASE_MAIN), "main");
	ck_assert_str_eq(plan_phase_name(PLAN_PHASE_COOLDOWN), "cooldown");
	ck_assert_str_eq(plan_phase_name(PLAN_PHASE_RECOVERY), "recovery");
}
END_TEST

/* ---- property: random nested profiles expand to contiguous timelines
 * whose length is the sum of the repeated durations ---- */

static struct gen rng = { 0x2545f491u };

static uint32_t rnd(uint32_t n)
{
	return gen_rnd(&rng, n);
}


/* Emits items and returns their expanded (segments, ms, jog ms). */
static void gen(char *buf, size_t len, unsigned depth, uint64_t *segs,
		uint64_t *ms, uint64_t *jog)
{
	unsigned n = 1 + rnd(3);

	*segs = *ms = *jog = 0;
	gen_append(buf, len, "(");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = rnd(depth < 3 ? 4 : 3);
		unsigned d = 1 + rnd(400);

		gen_append(buf, len, "%s", i ? ", " : " ");
		if (k == 3) {
			unsigned r = 1 + rnd(4);
			uint64_t s1, m1, j1;

			gen_append(buf, len, "{ repeat = %u; segments = ", r);
			gen(buf, len, depth + 1, &s1, &m1, &j1);
			gen_append(buf, len, "; }");
			*segs += r * s1;
			*ms += r * m1;
			*jog += r * j1;
			continue;
		}
		if (k == 0) {
			gen_append(buf, len, "{ jog = %u; }", d);
			*jog += d * 1000ULL;
		} else if (k == 1) {
			gen_append(buf, len, "{ walk = \"%u:%02u\"; }", d / 60, d % 60);
		} else {
			gen_append(buf, len, "{ pace = \"walk\"; duration = %u; incline = %d; }",
			       d, (int) rnd(10) - 5);
		}
		*segs += 1;
		*ms += d * 1000ULL;
	}
	gen_append(buf, len, " )");
}

START_TEST(test_property_expand)
{
	static char buf[32768];
	int loaded = 0;

	for (int iter = 0; iter < 2000; iter++) {
		uint64_t segs, ms, jog;
		struct profile_error err;
		struct profile *p;
		struct plan plan;

		strcpy(buf, "name = \"r\";\nmain = ");
		gen(buf, sizeof(buf), 0, &segs, &ms, &jog);
		gen_append(buf, sizeof(buf), ";\n");
		p = profile_load_string(buf, "r", NULL, &err);
		if (segs > PLAN_MAX_SEGMENTS || ms > PROFILE_MAX_TOTAL_MS) {
			/* refused whole, never truncated */
			ck_assert_ptr_null(p);
			continue;
		}
		ck_assert_msg(p != NULL, "%s\n%s", err.text, buf);
		loaded++;
		ck_assert_int_eq(plan_expand(p, &plan), 0);
		ck_assert_int_eq(plan_validate(&plan), 0);
		ck_assert_uint_eq(plan.n, segs);
		ck_assert_uint_eq(plan_start_ms(&plan), 0);
		ck_assert_uint_eq(plan_end_ms(&plan), ms);
		ck_assert_uint_eq(plan_jog_ms(&plan), jog);
		ck_assert_uint_eq(p->total_ms, ms);
		ck_assert_uint_eq(p->jog_ms, jog);
		for (size_t i = 0; i + 1 < plan.n; i++)
			ck_assert_uint_eq(plan.seg[i].start_ms +
					  plan.seg[i].duration_ms,
					  plan.seg[i + 1].start_ms);
		for (size_t i = 0; i < plan.n; i++) {
			ck_assert_int_eq(plan_find(&plan, plan.seg[i].start_ms),
					 (long) i);
			ck_assert_uint_le(plan.seg[i].speed,
					  PROFILE_DEFAULT_SPEED_CAP);
		}
		plan_clear(&plan);
		profile_free(p);
	}
	ck_assert_int_gt(loaded, 1000);
}
END_TEST

static Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("expand");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_sections_and_times);
	tcase_add_test(tc, test_nested_repeats);
	tcase_add_test(tc, test_jog_like_by_speed);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_copy_validate);
	tcase_add_test(tc, test_expand_guards);
	tcase_add_test(tc, test_phase_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_property_expand);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plan_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
