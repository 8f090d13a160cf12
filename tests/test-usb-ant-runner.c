/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An advisory session end to end: runner, session, usb-ant, simulated stick. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "mainloop.h"
#include "plan.h"
#include "profile.h"
#include "runner.h"
#include "session.h"
#include "session-log.h"
#include "sim-stick.h"
#include "usb-ant.h"

/*
 * The real runner and session state machine drive a usb-ant treadmill
 * whose stick is simulated (plugins/usb-ant/sim-stick.c), on a fake
 * clock. Every advice event goes to the simulated person as a spoken cue
 * would (ant_sim_cue); she follows it after her reaction time, unless she
 * is stubborn. paced never sends the belt anything: the stick has no way
 * to take it.
 */

/* 20 s warm-up walk, 2 min jog, 1 min walk, 20 s cool-down. */
static const char profile_text[] =
	"name = \"advisory test\";\n"
	"paces = { walk = 5.0; jog = 8.0; };\n"
	"warmup = ( { walk = \"0:20\"; } );\n"
	"main = ( { jog = \"2:00\"; }, { walk = \"1:00\"; } );\n"
	"cooldown = ( { walk = \"0:20\"; } );\n";

static struct fake_clock fc;
static struct loop *loop;
static struct usb_ant *ua;
static struct ant_sim *sim;
static struct runner *runner;
static struct session_log *slog;
static char log_path[80];
static char events[64][512];
static size_t n_events;
static int advices_to_walk, mismatch_alarms, cues;

static void on_event(struct runner *r, const struct event *ev, void *user_data)
{
	struct json *j = json_new_buffer();
	uint16_t speed;

	event_json(j, ev);
	if (n_events < ARRAY_SIZE(events))
		snprintf(events[n_events++], sizeof(events[0]), "%s",
			 json_buffer(j, NULL));
	json_free(j);
	/* The runner's advisory checker: "person did not slow down". */
	if (ev->kind == EVENT_CUE && !strcmp(ev->cue.kind, "alarm"))
		mismatch_alarms++;
	if (ev->kind != EVENT_SESSION || ev->session.kind != SESSION_EV_ADVICE ||
	    ev->session.cmd.kind != SESSION_CMD_SET_SPEED)
		return;
	speed = (uint16_t) ev->session.cmd.arg;
	/* The cue reaches the person: the speaker of the box. */
	cues++;
	if (speed <= 500)
		advices_to_walk++;
	ant_sim_cue(sim, speed);
}

static void dump(void)
{
	for (size_t i = 0; i < n_events; i++)
		fprintf(stderr, "%s\n", events[i]);
}

static void make(bool stubborn)
{
	struct usb_ant_config cfg;
	struct ant_sim_config sc;
	struct profile_error perr;
	struct profile *p;
	struct plan plan;
	struct session *s;
	struct session_config scfg = { .speedup = 1, .countdown_ms = 0,
				       .speed_cap = 1200 };
	struct runner_info info = { .profile_name = "advisory test",
				    .treadmill = "usb-ant:sim", .speedup = 1 };
	int err;

	n_events = 0;
	advices_to_walk = mismatch_alarms = cues = 0;
	fake_clock_init(&fc, 1000 * USEC_PER_SEC);
	loop = loop_new(&fc.clock);
	ant_sim_config_init(&sc);
	sc.reaction_us = 3 * USEC_PER_SEC;
	if (stubborn)
		ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "stubborn"), 0);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant:sim",
					      "00 11 22 33 44 55 66 77",
					      &cfg), 0);
	cfg.sim_cfg = &sc;
	ck_assert_int_eq(usb_ant_new(loop, &cfg, &ua), 0);
	sim = usb_ant_get_sim(ua);

	p = profile_load_string(profile_text, "advisory.cfg", NULL, &perr);
	ck_assert_msg(p != NULL, "%s", perr.text);
	ck_assert_int_eq(plan_expand(p, &plan), 0);
	s = session_new(&plan, &p->policy, &scfg);
	ck_assert_ptr_nonnull(s);
	plan_clear(&plan);
	profile_free(p);
	snprintf(log_path, sizeof(log_path), "%s/paced-test-usb-ant-%d.jsonl",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		 (int) getpid());
	slog = session_log_open(NULL, log_path, &err);
	ck_assert_ptr_nonnull(slog);
	runner = runner_new(loop, usb_ant_get_treadmill(ua), s, slog, &info);
	runner_set_callbacks(runner, NULL, on_event, NULL);
	ck_assert_int_eq(treadmill_connect(usb_ant_get_treadmill(ua), NULL,
					   NULL), 0);
}

static void teardown(void)
{
	runner_detach(runner);
	usb_ant_free(ua);
	runner_free(runner);
	session_log_close(slog);
	loop_free(loop);
	unlink(log_path);
}

static void run_for(uint64_t us)
{
	uint64_t end = fc.now_us + us;

	while (fc.now_us < end) {
		fake_clock_advance(&fc, 50 * USEC_PER_MSEC);
		for (int i = 0; i < 50 && loop_iterate(loop, 0) > 0; i++)
			;
	}
}

static uint16_t belt(void)
{
	struct ant_sim_stats st;

	ant_sim_get_stats(sim, &st);
	return st.speed;
}

START_TEST(symptom_cue_followed)
{
	make(false);
	run_for(2 * USEC_PER_SEC);
	ck_assert(runner_link_up(runner));
	ck_assert(session_advisory(runner_session(runner)));
	ck_assert_int_eq(runner_start(runner), 0);
	/* Warm-up, then the jog cue; she follows it. */
	run_for(40 * USEC_PER_SEC);
	ck_assert_msg(belt() == 800, "belt %u", belt());
	ck_assert_int_ge(cues, 2);
	/* The press: a walk cue at once, and she slows down. */
	cues = advices_to_walk = 0;
	ck_assert_int_eq(runner_symptom(runner, SYMPTOM_ANY), 1);
	run_for(100 * USEC_PER_MSEC);
	if (advices_to_walk < 1)
		dump();
	ck_assert_int_ge(advices_to_walk, 1);
	run_for(15 * USEC_PER_SEC);
	ck_assert_msg(belt() <= 500, "belt %u", belt());
	ck_assert_int_eq(mismatch_alarms, 0);
	teardown();
}
END_TEST

START_TEST(symptom_cue_ignored_alarm)
{
	make(true);
	run_for(2 * USEC_PER_SEC);
	ck_assert_int_eq(runner_start(runner), 0);
	run_for(25 * USEC_PER_SEC);
	/* She jogs on her own, then ignores the walk cue after a press. */
	ck_assert_int_eq(ant_sim_person_set_speed(sim, 800), 0);
	run_for(10 * USEC_PER_SEC);
	ck_assert_int_eq(runner_symptom(runner, SYMPTOM_ANY), 1);
	run_for(100 * USEC_PER_MSEC);
	ck_assert_int_ge(advices_to_walk, 1);
	run_for(30 * USEC_PER_SEC);
	ck_assert_uint_eq(belt(), 800);
	if (mismatch_alarms < 1)
		dump();
	ck_assert_int_ge(mismatch_alarms, 1);
	teardown();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usb-ant-runner");
	TCase *tc = tcase_create("advisory");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, symptom_cue_followed);
	tcase_add_test(tc, symptom_cue_ignored_alarm);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
