/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cue words: the default sentences, templates, placeholders, true finishes. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue.h"
#include "history.h"
#include "programme.h"

static struct cue_config cfg;

static void setup(void)
{
	cue_config_default(&cfg);
}

static const char *say(const struct cue *c, const struct cue_context *ctx,
		       enum units u)
{
	static char buf[CUE_TEXT_MAX];

	ck_assert_int_lt(cue_render(&cfg, u, c, ctx, buf, sizeof(buf)),
			 (int) sizeof(buf));
	return buf;
}

START_TEST(test_default_sentences)
{
	struct cue c = { .kind = CUE_COUNTDOWN, .speed = 750, .jog = true,
			 .in_s = 10, .duration_ms = 60000 };

	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "jog in 10 seconds: 7.5 km/h");
	ck_assert_str_eq(say(&c, NULL, UNITS_IMPERIAL),
			 "jog in 10 seconds: 4.7 mph");
	c.tick = true;
	c.in_s = 3;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "3");
	memset(&c, 0, sizeof(c));
	c.kind = CUE_CHANGE;
	c.speed = 500;
	c.duration_ms = 90000;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walk now: 5.0 km/h, 1 minute 30");
	c.kind = CUE_HALFWAY;
	c.left_ms = 15 * 60000;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "halfway: 15 minutes to go");
	c.kind = CUE_LAST;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "last jog: 1 minute 30");
	c.kind = CUE_COOLDOWN;
	c.duration_ms = 300000;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "cool-down: 5 minutes of easy walking");
	c.kind = CUE_ALARM;
	c.advisory = true;
	c.reported = 800;
	ck_assert_str_eq(say(&c, NULL, UNITS_IMPERIAL),
			 "slow down now: 3.1 mph (the treadmill says 5.0 mph)");
	c.kind = CUE_COMPLIED;
	c.reported = 520;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "thank you: 5.2 km/h");
}
END_TEST

/* What happened and what changes, from the step the press chose; never
 * a promise about jogs that are not there. */
START_TEST(test_symptom_words)
{
	struct cue c = { .kind = CUE_SYMPTOM, .speed = 500, .press = 1,
			 .jog_number = 2, .jogs = 6 };

	c.step = (struct scaleback_step) { .jog_speed = 1000, .jog_time = 500 };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Jogs are half as long from here");
	c.advisory = true;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "slow to a walk now: 5.0 km/h. Jogs are half as long from here");
	c.advisory = false;
	c.step = (struct scaleback_step) { .jog_speed = 800, .jog_time = 1000 };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Jogs are slower from here");
	c.step = (struct scaleback_step) { .jog_speed = 800, .jog_time = 700 };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Jogs are shorter and slower from here");
	c.step = (struct scaleback_step) { .jog_speed = 1000, .jog_time = 700 };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Jogs are shorter from here");
	c.step = (struct scaleback_step) { .jog_speed = 1000, .jog_time = 1000,
					   .no_jog = true };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. No more jogging this session");
	c.step = (struct scaleback_step) { .end = true };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Cooling down now, then the session ends");
	/* The last jog is behind her: no talk of jogs. */
	c.jogs = c.jog_number;
	c.step = (struct scaleback_step) { .jog_speed = 1000, .jog_time = 500 };
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "walking now. Easy walking from here");
}
END_TEST

/* The finish's encouragement is built from the caller's facts only. */
START_TEST(test_finish_is_true)
{
	struct cue c = { .kind = CUE_FINISH };
	struct cue_context ctx = { .stage = "P4", .next_stage = "P5",
				   .clean_streak = 3 };

	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "third clean session in a row: next time is stage P5");
	ctx.clean_streak = 1;
	ctx.next_stage = "P4";
	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "session complete, no symptoms: next time is stage P4 again");
	/* No programme: nothing about a next time, no streak. */
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "session complete, no symptoms");
	/* A press: never called clean, whatever the caller's streak says. */
	c.press = 1;
	ctx.clean_streak = 5;
	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "session complete, and you listened to your body: next time is stage P4 again");
	c.outcome = CUE_OUTCOME_CUT_SHORT;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "session over early, and you listened to your body");
	c.outcome = CUE_OUTCOME_STOPPED;
	c.press = 0;
	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "session stopped: next time is stage P4 again");
	c.advisory = true;
	c.outcome = CUE_OUTCOME_COMPLETED;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "stop the belt now. session complete, no symptoms");
}
END_TEST

/* From the bundled programme and a history, the facts a finish names. */
START_TEST(test_finish_context_from_programme)
{
	const char *top = getenv("top_srcdir");
	struct history_entry e[3];
	struct cue c = { .kind = CUE_FINISH };
	struct cue_context ctx;
	struct profile_error err;
	struct programme *prog;
	char path[4096];
	long p0;

	snprintf(path, sizeof(path), "%s/profiles/return-to-running.programme",
		 top ? top : "..");
	prog = programme_load(path, NULL, &err);
	ck_assert_msg(prog != NULL, "%s", err.text);
	p0 = programme_find_stage(prog, "P0");
	ck_assert_int_ge(p0, 0);
	memset(e, 0, sizeof(e));
	for (int i = 0; i < 3; i++) {
		e[i].type = SESSION_RUN;
		e[i].when_s = 1000000 + i * 86400;
		snprintf(e[i].programme, sizeof(e[i].programme), "%s", prog->path);
		e[i].completed = true;
	}
	snprintf(e[0].stage, sizeof(e[0].stage), "P0");
	snprintf(e[1].stage, sizeof(e[1].stage), "P0");
	e[1].presses = 1;
	snprintf(e[2].stage, sizeof(e[2].stage), "P0");
	/* P0 clean, with a press, clean, then this clean one: the second
	 * clean in a row moves her on. */
	ck_assert_int_eq(cue_finish_context(prog, (size_t) p0, 1300000, e, 3,
					    &c, &ctx), 0);
	ck_assert_str_eq(ctx.stage, "P0");
	ck_assert_str_eq(ctx.next_stage, "P1");
	ck_assert_uint_eq(ctx.clean_streak, 2);
	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "second clean session in a row: next time is stage P1");
	/* This one with a press: no streak, the stage again. */
	c.press = 1;
	ck_assert_int_eq(cue_finish_context(prog, (size_t) p0, 1300000, e, 3,
					    &c, &ctx), 0);
	ck_assert_uint_eq(ctx.clean_streak, 0);
	ck_assert_str_eq(say(&c, &ctx, UNITS_METRIC),
			 "session complete, and you listened to your body: next time is stage P0 again");
	/* Another programme's history does not count; a bad stage is
	 * refused and says nothing. */
	snprintf(e[2].programme, sizeof(e[2].programme), "/other.programme");
	c.press = 0;
	ck_assert_int_eq(cue_finish_context(prog, (size_t) p0, 1300000, e, 3,
					    &c, &ctx), 0);
	ck_assert_uint_eq(ctx.clean_streak, 1);
	ck_assert_int_eq(cue_finish_context(prog, prog->n_stages, 0, e, 3, &c,
					    &ctx), -EINVAL);
	ck_assert_ptr_null(ctx.next_stage);
	programme_free(prog);
}
END_TEST

START_TEST(test_form_tips_rotate)
{
	struct cue c = { .kind = CUE_FORM, .form = 1 };

	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "Land softly.");
	c.form = 2;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "Short, quick steps.");
	c.form = 5;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "Land softly.");
	snprintf(cfg.tips[0], sizeof(cfg.tips[0]), "Relax your shoulders.");
	cfg.n_tips = 1;
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC), "Relax your shoulders.");
}
END_TEST

/* A household's own words: every placeholder of a change cue. */
START_TEST(test_custom_templates)
{
	struct cue c = { .kind = CUE_CHANGE, .speed = 750, .jog = true,
			 .duration_ms = 60000, .left_ms = 600000,
			 .next_speed = 500, .jog_number = 2, .jogs = 6 };
	enum cue_template t;
	char why[256];

	snprintf(cfg.templates[CUE_TPL_CHANGE], CUE_TEMPLATE_MAX,
		 "{gait} {jog}/{jogs}: {speed} {duration}, then {next}; {left} left {{ok}}");
	ck_assert_int_eq(cue_template_check(CUE_TPL_CHANGE,
					    cfg.templates[CUE_TPL_CHANGE], why,
					    sizeof(why)), 0);
	ck_assert_str_eq(say(&c, NULL, UNITS_METRIC),
			 "jog 2/6: 7.5 km/h 1 minute, then walk at 5.0 km/h; 10 minutes left {ok}");
	c.next_speed = 0;
	snprintf(cfg.templates[CUE_TPL_CHANGE], CUE_TEMPLATE_MAX,
		 "marche: {speed}, puis {next}");
	ck_assert_str_eq(say(&c, NULL, UNITS_IMPERIAL),
			 "marche: 4.7 mph, puis the end");
	ck_assert_int_eq(cue_template_from_name("symptom_advisory", &t), 0);
	ck_assert_int_eq(t, CUE_TPL_SYMPTOM_ADVISORY);
	ck_assert_str_eq(cue_template_name(CUE_TPL_TICK), "tick");
	ck_assert_int_eq(cue_template_from_name("chnage", &t), -EINVAL);
}
END_TEST

START_TEST(test_template_errors)
{
	char why[256];

	ck_assert_int_eq(cue_template_check(CUE_TPL_CHANGE, "{sped} now", why,
					    sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "unknown placeholder {sped} (a change cue knows {speed} {gait} {duration} {left} {next} {jog} {jogs})");
	ck_assert_int_eq(cue_template_check(CUE_TPL_CHANGE, "in {in}", why,
					    sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "{in} means nothing in a change cue (it knows {speed} {gait} {duration} {left} {next} {jog} {jogs})");
	ck_assert_int_eq(cue_template_check(CUE_TPL_TICK, "{count", why,
					    sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "'{' without its '}' (write {{ for a brace)");
	ck_assert_int_eq(cue_template_check(CUE_TPL_FORM, "tip\x07", why,
					    sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "contains a control character");
	ck_assert_int_eq(cue_template_check(CUE_TPL_FORM, "{{tip}} }", why,
					    sizeof(why)), 0);
	/* Every default is a valid template of its kind. */
	for (int t = 0; t < CUE_TPL_COUNT; t++)
		ck_assert_msg(cue_template_check((enum cue_template) t,
						 cfg.templates[t], why,
						 sizeof(why)) == 0,
			      "%s: %s", cue_template_name((enum cue_template) t),
			      why);
}
END_TEST

START_TEST(test_names_and_truncation)
{
	struct cue c = { .kind = CUE_FORM, .form = 1 };
	enum cue_kind k;
	char small[6];

	for (int i = 0; i < CUE_KIND_COUNT; i++) {
		ck_assert_int_eq(cue_kind_from_name(cue_kind_name((enum cue_kind) i),
						    &k), 0);
		ck_assert_int_eq(k, i);
	}
	ck_assert_int_eq(cue_kind_from_name("warning", &k), -EINVAL);
	ck_assert_ptr_null(cue_kind_name((enum cue_kind) CUE_KIND_COUNT));
	/* snprintf semantics. */
	ck_assert_int_eq(cue_render(&cfg, UNITS_METRIC, &c, NULL, small,
				    sizeof(small)), 12);
	ck_assert_str_eq(small, "Land ");
	ck_assert_uint_eq(cfg.lead_ms, 10000);
	ck_assert_uint_eq(cfg.form_every, 2);
	ck_assert(!cfg.ticks);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cue");
	TCase *tc = tcase_create("words");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_default_sentences);
	tcase_add_test(tc, test_symptom_words);
	tcase_add_test(tc, test_finish_is_true);
	tcase_add_test(tc, test_finish_context_from_programme);
	tcase_add_test(tc, test_form_tips_rotate);
	tcase_add_test(tc, test_custom_templates);
	tcase_add_test(tc, test_template_errors);
	tcase_add_test(tc, test_names_and_truncation);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
