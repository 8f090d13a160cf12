/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exercise sessions (belt = false): the pure state machine on a fake clock, and the controller running one with no treadmill. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "exercise-session.h"
#include "history.h"
#include "plugin.h"
#include "util.h"

#define T0 (1000 * USEC_PER_SEC)
#define MS(x) ((uint64_t) (x) * USEC_PER_MSEC)

/* ---- the pure state machine ---- */

static struct exercise_step steps[8];
static struct exercise_plan plan;

static void add_step(enum profile_item_kind kind, uint32_t ms, const char *say,
		     bool count)
{
	struct exercise_step *s = &steps[plan.n];

	s->start_ms = plan.n ? steps[plan.n - 1].start_ms +
			       steps[plan.n - 1].duration_ms : 0;
	s->duration_ms = ms;
	s->kind = kind;
	s->phase = PLAN_PHASE_MAIN;
	s->say = say;
	s->count = count;
	plan.step = steps;
	plan.n++;
}

static struct exercise_event evs[256];
static size_t n_evs;

static void drain(struct exercise_session *s)
{
	while (n_evs < ARRAY_SIZE(evs) &&
	       exercise_session_next_event(s, &evs[n_evs]))
		n_evs++;
}

/* Tick at every deadline up to real time until_us, draining. */
static void run_to(struct exercise_session *s, uint64_t until_us)
{
	for (;;) {
		uint64_t at = exercise_session_next_deadline(s);

		if (at > until_us)
			break;
		exercise_session_tick(s, at);
		drain(s);
	}
	exercise_session_tick(s, until_us);
	drain(s);
}

static const struct exercise_event *find(enum exercise_event_kind kind,
					 size_t from)
{
	for (size_t i = from; i < n_evs; i++)
		if (evs[i].kind == kind)
			return &evs[i];
	return NULL;
}

static struct exercise_session *new_session(uint32_t speedup)
{
	struct exercise_config cfg = {
		.speedup = speedup, .rest_ms = 20000, .debounce_ms = 3000,
	};

	n_evs = 0;
	return exercise_session_new(&plan, &cfg);
}

static void setup_pure(void)
{
	memset(&plan, 0, sizeof(plan));
	memset(steps, 0, sizeof(steps));
	n_evs = 0;
}

/* Every count is said after the step's instruction has been said whole
 * (at the assumed speech rate): a count over it would cut it short. */
static void assert_counts_clear(void)
{
	uint32_t say_at = 0, say_end = 0;
	unsigned counts = 0;

	for (size_t i = 0; i < n_evs; i++) {
		const struct exercise_event *e = &evs[i];

		if (e->kind != EXERCISE_EV_CUE)
			continue;
		if (e->cue.kind == EXERCISE_CUE_SAY) {
			say_at = e->session_ms;
			say_end = say_at + exercise_say_ms(e->cue.text);
		} else if (e->cue.kind == EXERCISE_CUE_COUNT) {
			ck_assert_msg(e->session_ms >= say_end,
				      "count \"%s\" at %u ms cuts the instruction said at %u ms",
				      e->cue.text, e->session_ms, say_at);
			counts++;
		}
	}
	ck_assert_uint_gt(counts, 0);
}

START_TEST(exercise_counts_never_cut_the_instruction)
{
	struct exercise_session *s;
	const struct exercise_event *e;
	unsigned counts = 0;

	/* Four words, 1.6 s: "2" at 1 s would cut it; "3" to "8" are said. */
	add_step(PROFILE_ITEM_HOLD, 8000, "Squeeze and lift. Hold", true);
	/* One word: its "2" is said. */
	add_step(PROFILE_ITEM_HOLD, 3000, "Hold", true);
	ck_assert_uint_eq(exercise_say_ms("Squeeze and lift. Hold"), 1600);
	ck_assert_uint_eq(exercise_say_ms("Hold"), 400);
	ck_assert_uint_eq(exercise_say_ms(NULL), 0);
	s = new_session(1);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	drain(s);
	run_to(s, T0 + MS(20000));
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_FINISHED);
	assert_counts_clear();
	for (size_t i = 0; i < n_evs; i++) {
		e = &evs[i];
		if (e->kind != EXERCISE_EV_CUE || e->cue.kind != EXERCISE_CUE_COUNT)
			continue;
		if (e->cue.step == 0) {
			ck_assert_uint_eq(e->session_ms, 1000 * (counts + 2));
			ck_assert_uint_eq(atoi(e->cue.text), counts + 3);
		} else {
			ck_assert_str_eq(e->cue.text, counts == 6 ? "2" : "3");
			ck_assert_uint_eq(e->session_ms, 8000 + 1000 * (counts - 5));
		}
		/* Said when due, not late. */
		ck_assert_uint_eq(e->real_us, T0 + MS(e->session_ms));
		counts++;
	}
	ck_assert_uint_eq(counts, 6 + 2);
	exercise_session_free(s);
}
END_TEST

/* The bundled preparation profiles, as the controller runs them. */
START_TEST(exercise_counts_never_cut_the_instruction_in_the_bundled_profiles)
{
	static const char *const names[] = { "rtr-prep-1.cfg", "rtr-prep-2.cfg" };
	const char *src = getenv("top_srcdir");
	struct profile_limits lim;
	uint32_t say_end = 0;
	unsigned counts = 0;

	profile_limits_default(&lim);
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		struct exercise_config cfg = { .speedup = 1000 };
		struct profile_error err;
		struct exercise_plan xp;
		struct exercise_session *s;
		struct profile *p;
		char path[4096];

		snprintf(path, sizeof(path), "%s/profiles/%s", src ? src : "..",
			 names[k]);
		p = profile_load(path, &lim, &err);
		ck_assert_msg(p != NULL, "%s", err.text);
		ck_assert_int_eq(exercise_expand(p, &xp), 0);
		n_evs = 0;
		s = exercise_session_new(&xp, &cfg);
		exercise_plan_clear(&xp);
		ck_assert_int_eq(exercise_session_start(s, T0), 0);
		for (;;) {
			struct exercise_event e;
			unsigned seen = 0;

			while (exercise_session_next_event(s, &e)) {
				seen++;
				if (e.kind != EXERCISE_EV_CUE)
					continue;
				if (e.cue.kind == EXERCISE_CUE_SAY)
					say_end = e.session_ms +
						  exercise_say_ms(e.cue.text);
				if (e.cue.kind != EXERCISE_CUE_COUNT)
					continue;
				ck_assert_msg(e.session_ms >= say_end,
					      "%s: count \"%s\" at %u ms cuts an instruction",
					      names[k], e.cue.text, e.session_ms);
				counts++;
			}
			if (exercise_session_done(s))
				break;
			ck_assert_uint_gt(seen, 0);
			exercise_session_tick(s, exercise_session_next_deadline(s));
		}
		ck_assert(exercise_session_completed(s));
		exercise_session_free(s);
		profile_free(p);
	}
	/* Not vacuous: the slow squeezes are counted. */
	ck_assert_uint_ge(counts, 8 * 3);
}
END_TEST

START_TEST(exercise_session_runs_its_steps_and_cues_in_order)
{
	struct exercise_session *s;
	static const char *const want[] = {
		"Lie down", "Squeeze", "2", "3", "Relax",
		"That is the end of the session. Well done.",
	};
	size_t n = 0, steps_seen = 0;

	add_step(PROFILE_ITEM_REST, 10000, "Lie down", false);
	add_step(PROFILE_ITEM_HOLD, 3000, "Squeeze", true);
	add_step(PROFILE_ITEM_REST, 5000, "Relax", false);
	s = new_session(60);
	ck_assert_int_eq(exercise_session_left_ms(s, T0), 18000);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	ck_assert_int_eq(exercise_session_start(s, T0), -EALREADY);
	drain(s);
	/* 18 s of plan at 60 times: 300 ms of real time. */
	run_to(s, T0 + MS(299));
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_RUNNING);
	run_to(s, T0 + MS(300));
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_FINISHED);
	ck_assert(exercise_session_completed(s));
	ck_assert_uint_eq(exercise_session_ms(s, T0 + MS(1000)), 18000);
	for (size_t i = 0; i < n_evs; i++) {
		if (evs[i].kind == EXERCISE_EV_STEP) {
			ck_assert_uint_eq(evs[i].index, steps_seen);
			steps_seen++;
		}
		if (evs[i].kind != EXERCISE_EV_CUE)
			continue;
		ck_assert_uint_lt(n, ARRAY_SIZE(want));
		ck_assert_str_eq(evs[i].cue.text, want[n]);
		n++;
	}
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	ck_assert_uint_eq(steps_seen, 3);
	ck_assert_int_eq(evs[n_evs - 1].kind, EXERCISE_EV_END);
	ck_assert_uint_eq(exercise_session_next_deadline(s), UINT64_MAX);
	exercise_session_free(s);
}
END_TEST

START_TEST(exercise_pause_freezes_resume_restarts_the_step)
{
	struct exercise_session *s;
	const struct exercise_event *e;
	uint64_t resumed = T0 + MS(112000);
	size_t mark, index;
	uint32_t left;

	add_step(PROFILE_ITEM_REST, 10000, "Rest", false);
	add_step(PROFILE_ITEM_HOLD, 5000, "Hold", true);
	add_step(PROFILE_ITEM_REST, 5000, "Relax", false);
	s = new_session(1);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	drain(s);
	run_to(s, T0 + MS(12000));	/* 2 s into the hold */
	ck_assert_int_eq(exercise_session_pause(s, T0 + MS(12000)), 0);
	ck_assert_int_eq(exercise_session_pause(s, T0 + MS(12000)), -EALREADY);
	drain(s);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_PAUSED);
	/* Frozen: nothing happens, the clock stands, no timer is wanted. */
	mark = n_evs;
	ck_assert_uint_eq(exercise_session_next_deadline(s), UINT64_MAX);
	run_to(s, resumed);
	ck_assert_uint_eq(n_evs, mark);
	ck_assert_uint_eq(exercise_session_ms(s, resumed), 12000);
	ck_assert_ptr_nonnull(exercise_session_step(s, resumed, &index, &left));
	ck_assert_uint_eq(index, 1);
	ck_assert_uint_eq(left, 5000);
	/* Resume: the hold again from its start, instruction included. */
	ck_assert_int_eq(exercise_session_resume(s, resumed), 0);
	ck_assert_int_eq(exercise_session_resume(s, resumed), -EALREADY);
	drain(s);
	e = find(EXERCISE_EV_STEP, mark);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->index, 1);
	ck_assert_uint_eq(e->session_ms, 12000);
	e = find(EXERCISE_EV_CUE, mark);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->cue.text, "Hold");
	ck_assert_uint_eq(e->real_us, resumed);
	/* The whole 5 s again: still holding 4.9 s later (3 s would have
	 * been left without the restart). */
	run_to(s, resumed + MS(4900));
	ck_assert_ptr_nonnull(exercise_session_step(s, resumed + MS(4900),
						    &index, NULL));
	ck_assert_uint_eq(index, 1);
	ck_assert_uint_eq(exercise_session_ms(s, resumed + MS(4900)), 16900);
	run_to(s, resumed + MS(5000));
	ck_assert_ptr_nonnull(exercise_session_step(s, resumed + MS(5000),
						    &index, NULL));
	ck_assert_uint_eq(index, 2);
	run_to(s, resumed + MS(10000));
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_FINISHED);
	ck_assert(exercise_session_completed(s));
	exercise_session_free(s);
}
END_TEST

START_TEST(exercise_press_rests_then_second_press_ends)
{
	struct exercise_session *s;
	const struct exercise_event *e;
	size_t mark, index;

	add_step(PROFILE_ITEM_HOLD, 5000, "Hold", true);
	add_step(PROFILE_ITEM_REST, 10000, "Relax", false);
	add_step(PROFILE_ITEM_HOLD, 5000, "Hold", true);
	add_step(PROFILE_ITEM_REST, 10000, "Relax", false);
	s = new_session(1);
	ck_assert_int_eq(exercise_session_symptom(s, T0, SYMPTOM_ANY), -ESRCH);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	drain(s);
	run_to(s, T0 + MS(2000));
	mark = n_evs;
	/* First press: recorded, "stop and rest", a rest instead of the
	 * rest of the hold. */
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(2000),
						  SYMPTOM_LEAK), 1);
	drain(s);
	ck_assert_uint_eq(exercise_session_presses(s), 1);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_RESTING);
	ck_assert_ptr_nonnull(e = find(EXERCISE_EV_SYMPTOM, mark));
	ck_assert_uint_eq(e->press, 1);
	ck_assert_int_eq(e->symptom, SYMPTOM_LEAK);
	ck_assert_ptr_nonnull(e = find(EXERCISE_EV_CUE, mark));
	ck_assert_int_eq(e->cue.kind, EXERCISE_CUE_SYMPTOM);
	ck_assert_ptr_nonnull(strstr(e->cue.text, "Stop and rest"));
	ck_assert_ptr_nonnull(e = find(EXERCISE_EV_STEP, mark));
	ck_assert_uint_eq(e->index, plan.n);
	ck_assert_int_eq(e->step.kind, PROFILE_ITEM_REST);
	ck_assert_uint_eq(e->step.duration_ms, 20000);
	/* A bounce inside the debounce window is not a second press. */
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(4000),
						  SYMPTOM_ANY), 0);
	ck_assert_uint_eq(exercise_session_presses(s), 1);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_RESTING);
	drain(s);
	mark = n_evs;
	/* No count of the interrupted hold is said over the rest. */
	run_to(s, T0 + MS(21900));
	ck_assert_ptr_null(find(EXERCISE_EV_CUE, mark));
	ck_assert_ptr_nonnull(exercise_session_step(s, T0 + MS(21900), &index,
						    NULL));
	ck_assert_uint_eq(index, plan.n);
	/* After the rest, the step after the interrupted one. */
	run_to(s, T0 + MS(22000));
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_RUNNING);
	ck_assert_ptr_nonnull(exercise_session_step(s, T0 + MS(22000), &index,
						    NULL));
	ck_assert_uint_eq(index, 1);
	/* Second press: the session ends there. */
	drain(s);
	mark = n_evs;
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(25000),
						  SYMPTOM_ANY), 2);
	drain(s);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_ABORTED);
	ck_assert(exercise_session_done(s));
	ck_assert(!exercise_session_completed(s));
	ck_assert_uint_eq(exercise_session_presses(s), 2);
	ck_assert_ptr_nonnull(e = find(EXERCISE_EV_CUE, mark));
	ck_assert_int_eq(e->cue.kind, EXERCISE_CUE_FINISH);
	ck_assert_int_eq(evs[n_evs - 1].kind, EXERCISE_EV_END);
	ck_assert_uint_eq(exercise_session_next_deadline(s), UINT64_MAX);
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(40000),
						  SYMPTOM_ANY), -ESRCH);
	exercise_session_free(s);
}
END_TEST

START_TEST(exercise_press_while_paused_rests_only_after_resume)
{
	struct exercise_session *s;
	size_t index, mark;

	add_step(PROFILE_ITEM_HOLD, 5000, "Hold", true);
	add_step(PROFILE_ITEM_REST, 10000, "Relax", false);
	s = new_session(1);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	ck_assert_int_eq(exercise_session_pause(s, T0 + MS(1000)), 0);
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(2000),
						  SYMPTOM_PAIN), 1);
	drain(s);
	mark = n_evs;
	/* Still paused: nothing moves by itself. */
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_PAUSED);
	run_to(s, T0 + MS(600000));
	ck_assert_uint_eq(n_evs, mark);
	ck_assert_int_eq(exercise_session_resume(s, T0 + MS(600000)), 0);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_RESTING);
	ck_assert_ptr_nonnull(exercise_session_step(s, T0 + MS(600000), &index,
						    NULL));
	ck_assert_uint_eq(index, plan.n);
	run_to(s, T0 + MS(620000));
	ck_assert_ptr_nonnull(exercise_session_step(s, T0 + MS(620000), &index,
						    NULL));
	ck_assert_uint_eq(index, 1);
	exercise_session_free(s);
}
END_TEST

START_TEST(exercise_stop_and_long_press_end_at_once)
{
	struct exercise_session *s;

	add_step(PROFILE_ITEM_HOLD, 5000, "Hold", true);
	s = new_session(1);
	ck_assert_int_eq(exercise_session_stop(s, T0), -ESRCH);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	ck_assert_int_eq(exercise_session_stop(s, T0 + MS(1000)), 0);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_ABORTED);
	ck_assert_uint_eq(exercise_session_presses(s), 0);
	ck_assert_int_eq(exercise_session_stop(s, T0 + MS(1000)), -ESRCH);
	exercise_session_free(s);

	s = new_session(1);
	ck_assert_int_eq(exercise_session_start(s, T0), 0);
	ck_assert_int_eq(exercise_session_symptom(s, T0 + MS(1000),
						  SYMPTOM_LONG_PRESS), 1);
	ck_assert_int_eq(exercise_session_state(s), EXERCISE_ABORTED);
	ck_assert(!exercise_session_completed(s));
	exercise_session_free(s);
}
END_TEST

/* ---- the controller: no treadmill, no driver, no link ---- */

static struct fake_clock fc;
static struct loop *loop;
static struct plugin_host *plugins;
static struct controller *ctl;
static struct profile_limits limits;
static char state_dir[64];
static unsigned belt_events, cues, links, presses, ends;
static char first_cue_kind[32], last_cue_kind[32];

static void on_event(const struct event *ev, void *user_data)
{
	switch (ev->kind) {
	case EVENT_SESSION:
		if (ev->session.kind == SESSION_EV_COMMAND ||
		    ev->session.kind == SESSION_EV_RESULT ||
		    ev->session.kind == SESSION_EV_ADVICE ||
		    ev->session.kind == SESSION_EV_REFUSED)
			belt_events++;
		if (ev->session.kind == SESSION_EV_SYMPTOM &&
		    ev->session.press_number)
			presses++;
		break;
	case EVENT_CUE:
		if (!cues++)
			snprintf(first_cue_kind, sizeof(first_cue_kind), "%s",
				 ev->cue.kind);
		snprintf(last_cue_kind, sizeof(last_cue_kind), "%s",
			 ev->cue.kind);
		break;
	case EVENT_LINK:
	case EVENT_DROPPED:
	case EVENT_DENIED:
		links++;
		break;
	case EVENT_SESSION_END:
		ends++;
		break;
	case EVENT_SESSION_START:
	case EVENT_ERROR:
	case EVENT_LOG:
	case EVENT_EXPORT:
		break;
	}
}

static void setup_ctl(void)
{
	const char *b = getenv("top_builddir");
	char dirs[4200];

	snprintf(state_dir, sizeof(state_dir), "/tmp/paced-test-exercise-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	snprintf(dirs, sizeof(dirs), "%s/plugins/.libs", b ? b : ".");
	setenv("PACED_PLUGIN_PATH", dirs, 1);
	fake_clock_init(&fc, T0);
	loop = loop_new(&fc.clock);
	plugins = plugin_host_new(loop, NULL, NULL);
	plugin_host_set_quiet(plugins, true);
	ctl = controller_new(loop, plugins);
	controller_set_listener(ctl, &(struct controller_listener) {
		.event = on_event,
	}, NULL);
	profile_limits_default(&limits);
	belt_events = cues = links = presses = ends = 0;
	first_cue_kind[0] = last_cue_kind[0] = '\0';
}

static void teardown_ctl(void)
{
	char cmd[200];

	controller_free(ctl);
	plugin_host_free(plugins);
	loop_free(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static bool idle(void)
{
	return controller_phase(ctl) == CONTROLLER_IDLE;
}

static bool run_until(bool (*cond)(void), uint64_t timeout_us)
{
	uint64_t end = fc.now_us + timeout_us;

	for (;;) {
		while (loop_iterate(loop, 0) > 0)
			;
		if (cond())
			return true;
		if (fc.now_us >= end)
			return false;
		fake_clock_advance(&fc, USEC_PER_MSEC);
	}
}

static int start_profile(const char *treadmill, const char *name,
			 struct controller_error *err)
{
	const char *src = getenv("top_srcdir");
	char path[4096];
	struct controller_request req = {
		.treadmill = treadmill, .limits = &limits, .speedup = 1000,
		.state_dir = state_dir, .profile_path = path,
		.plugin_dir = "/nonexistent",
	};

	snprintf(path, sizeof(path), "%s/profiles/%s", src ? src : "..", name);
	return controller_start(ctl, &req, err);
}

static struct history_entry *history(long *ret_n)
{
	struct history_entry *e = NULL;

	*ret_n = history_load(state_dir, &e, NULL);
	return e;
}

START_TEST(exercise_session_never_commands_a_belt)
{
	struct controller_error err;
	struct history_entry *e;
	long n;

	/* A treadmill is configured ("sim"): the exercise session ignores
	 * it. No driver is loaded, no link opened. */
	ck_assert_int_eq(start_profile("sim", "rtr-prep-1.cfg", &err), 0);
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_RUNNING);
	ck_assert_ptr_null(controller_info(ctl)->address);
	ck_assert_uint_eq(plugin_host_count(plugins), 0);
	ck_assert_ptr_null(controller_session(ctl));
	ck_assert(run_until(idle, 10 * USEC_PER_SEC));
	ck_assert_uint_eq(plugin_host_count(plugins), 0);
	ck_assert_ptr_null(controller_last_data(ctl));
	ck_assert_uint_eq(belt_events, 0);
	ck_assert_uint_eq(links, 0);
	ck_assert_uint_gt(cues, 20);
	ck_assert_str_eq(first_cue_kind, "instruction");
	ck_assert_str_eq(last_cue_kind, "finish");
	ck_assert_uint_eq(ends, 1);
	ck_assert_int_eq(controller_outcome(ctl), CONTROLLER_OUTCOME_FINISHED);
	e = history(&n);
	ck_assert_int_eq(n, 1);
	ck_assert(e[0].completed);
	ck_assert_uint_eq(e[0].presses, 0);
	ck_assert_str_eq(e[0].outcome, "finished");
	free(e);
}
END_TEST

START_TEST(exercise_session_needs_no_treadmill_a_belt_session_does)
{
	struct controller_error err;
	long n;

	ck_assert_int_eq(start_profile(NULL, "demo.cfg", &err), -EINVAL);
	ck_assert_int_eq(err.kind, CONTROLLER_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.text, "none is given"));
	ck_assert_int_eq(start_profile("none", "demo.cfg", &err), -EINVAL);
	ck_assert(idle());
	free(history(&n));
	ck_assert_int_le(n, 0);
	ck_assert_int_eq(start_profile(NULL, "rtr-prep-2.cfg", &err), 0);
	ck_assert(run_until(idle, 30 * USEC_PER_SEC));
	ck_assert_int_eq(controller_outcome(ctl), CONTROLLER_OUTCOME_FINISHED);
}
END_TEST

START_TEST(exercise_press_rests_then_second_press_ends_in_the_history)
{
	struct controller_error err;
	struct history_entry *e;
	long n;

	ck_assert_int_eq(start_profile("sim", "rtr-prep-1.cfg", &err), 0);
	ck_assert_int_eq(controller_symptom(ctl, SYMPTOM_LEAK), 1);
	ck_assert(!idle());
	fake_clock_advance(&fc, 10 * USEC_PER_MSEC);	/* 10 s of plan */
	ck_assert_int_eq(controller_pause(ctl), 0);
	ck_assert_int_eq(controller_resume(ctl), 0);
	ck_assert_int_eq(controller_symptom(ctl, SYMPTOM_ANY), 2);
	ck_assert(run_until(idle, USEC_PER_SEC));
	ck_assert_uint_eq(presses, 2);
	ck_assert_int_eq(controller_outcome(ctl), CONTROLLER_OUTCOME_ENDED_EARLY);
	e = history(&n);
	ck_assert_int_eq(n, 1);
	ck_assert(!e[0].completed);
	ck_assert_uint_eq(e[0].presses, 2);
	free(e);
	/* Stop: over at once, recorded, not completed. */
	ck_assert_int_eq(start_profile("sim", "rtr-prep-1.cfg", &err), 0);
	ck_assert_int_eq(controller_stop(ctl), 0);
	ck_assert(run_until(idle, USEC_PER_SEC));
	e = history(&n);
	ck_assert_int_eq(n, 2);
	ck_assert(!e[1].completed);
	ck_assert_str_eq(e[1].outcome, "aborted");
	free(e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("exercise-session");
	TCase *tc = tcase_create("pure");

	tcase_add_checked_fixture(tc, setup_pure, NULL);
	tcase_add_test(tc, exercise_counts_never_cut_the_instruction);
	tcase_add_test(tc, exercise_counts_never_cut_the_instruction_in_the_bundled_profiles);
	tcase_add_test(tc, exercise_session_runs_its_steps_and_cues_in_order);
	tcase_add_test(tc, exercise_pause_freezes_resume_restarts_the_step);
	tcase_add_test(tc, exercise_press_rests_then_second_press_ends);
	tcase_add_test(tc, exercise_press_while_paused_rests_only_after_resume);
	tcase_add_test(tc, exercise_stop_and_long_press_end_at_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("controller");
	tcase_add_checked_fixture(tc, setup_ctl, teardown_ctl);
	tcase_add_test(tc, exercise_session_never_commands_a_belt);
	tcase_add_test(tc, exercise_session_needs_no_treadmill_a_belt_session_does);
	tcase_add_test(tc, exercise_press_rests_then_second_press_ends_in_the_history);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
