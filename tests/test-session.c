/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session state machine on a fake clock: transitions and safety rules. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue-check.h"
#include "session.h"
#include "util.h"

#define S(x) ((uint64_t) (x) * USEC_PER_SEC)
#define T0 S(1000)
#define WALK 500	/* 5.0 km/h */
#define JOG 750		/* 7.5 km/h */

static struct session *s;
static struct scaleback_policy pol;
static uint64_t now;

/* Every command the "treadmill" received, in order. */
static struct session_cmd sent[256];
static uint64_t sent_at[256];
static size_t n_sent;
static struct session_event evs[4096];
static size_t n_evs;
/* When false, commands stay in flight until ack() is called. */
static bool auto_ack;

static void build_plan(struct plan *p, const char *spec)
{
	/* spec: "w60 j60 w60 c60": walk/jog/cooldown, seconds */
	struct plan_segment seg[32];
	size_t n = 0;
	uint32_t t = 0;

	for (const char *c = spec; *c; ) {
		char kind = *c++;
		unsigned secs = (unsigned) strtoul(c, (char **) &c, 10);

		while (*c == ' ')
			c++;
		memset(&seg[n], 0, sizeof(seg[n]));
		seg[n].start_ms = t;
		seg[n].duration_ms = secs * 1000;
		/* 'h': a jog up a 2 % hill */
		seg[n].speed = kind == 'j' || kind == 'h' ? JOG : WALK;
		seg[n].incline = kind == 'h' ? 20 : 0;
		seg[n].jog_like = kind == 'j' || kind == 'h';
		seg[n].phase = kind == 'c' ? PLAN_PHASE_COOLDOWN :
			       n == 0 ? PLAN_PHASE_WARMUP : PLAN_PHASE_MAIN;
		snprintf(seg[n].pace_name, sizeof(seg[n].pace_name), "%s",
			 kind == 'j' ? "jog" : "walk");
		t += secs * 1000;
		n++;
	}
	p->seg = paced_new0(struct plan_segment, n);
	memcpy(p->seg, seg, n * sizeof(seg[0]));
	p->n = n;
	p->walk_speed = WALK;
}

static void pump(void)
{
	struct session_cmd c;

	for (;;) {
		bool any = false;

		while (session_next_command(s, now, &c)) {
			ck_assert_uint_lt(n_sent, ARRAY_SIZE(sent));
			sent_at[n_sent] = now;
			sent[n_sent++] = c;
			any = true;
			if (!auto_ack)
				break;
			session_command_done(s, now, 0, 0x01);
		}
		while (n_evs < ARRAY_SIZE(evs) &&
		       session_next_event(s, &evs[n_evs]))
			n_evs++;
		if (!any || !auto_ack)
			break;
	}
}

static void ack(int err, uint8_t result)
{
	session_command_done(s, now, err, result);
	pump();
}

/* Let time pass in 100 ms steps, ticking at each due deadline. */
static void run_until(uint64_t until)
{
	while (now < until) {
		uint64_t d = session_next_deadline(s);

		now = MIN(until, MAX(now + 1, MIN(d, now + 100000)));
		session_tick(s, now);
		pump();
	}
}

/* Feed a data record as a treadmill would, once a second. */
static void data(uint16_t speed)
{
	struct treadmill_data d = { .present = TREADMILL_DATA_SPEED,
				    .speed = speed, .time_us = now };

	session_on_data(s, now, &d);
	pump();
}

static void status(enum treadmill_status_kind kind)
{
	struct treadmill_status st = { .kind = kind };

	session_on_status(s, now, &st);
	pump();
}

static size_t count_cmd(enum session_cmd_kind kind, size_t from)
{
	size_t n = 0;

	for (size_t i = from; i < n_sent; i++)
		n += sent[i].kind == kind;
	return n;
}

static bool has_event(enum session_event_kind kind, size_t from)
{
	for (size_t i = from; i < n_evs; i++)
		if (evs[i].kind == kind)
			return true;
	return false;
}

/* Index of the first event of kind (a cue of cue kind) at or after from,
 * or -1. */
static long find_event(enum session_event_kind kind, size_t from)
{
	for (size_t i = from; i < n_evs; i++)
		if (evs[i].kind == kind)
			return (long) i;
	return -1;
}

static long find_cue(enum cue_kind kind, size_t from)
{
	for (size_t i = from; i < n_evs; i++)
		if (evs[i].kind == SESSION_EV_CUE && evs[i].cue.kind == kind)
			return (long) i;
	return -1;
}

/* The next countdown but the start's (said before the belt moves). */
static long find_lead(size_t from)
{
	for (long i = find_cue(CUE_COUNTDOWN, from); i >= 0;
	     i = find_cue(CUE_COUNTDOWN, (size_t) i + 1))
		if (evs[i].state != SESSION_COUNTDOWN && !evs[i].cue.tick)
			return i;
	return -1;
}

static size_t count_cues(enum cue_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < n_evs; i++)
		n += evs[i].kind == SESSION_EV_CUE && evs[i].cue.kind == kind;
	return n;
}

/* The plan time the belt was first commanded speed (at or after from). */
static long speed_cmd_at(int32_t speed, size_t from)
{
	for (size_t i = from; i < n_evs; i++)
		if (evs[i].kind == SESSION_EV_COMMAND &&
		    evs[i].cmd.kind == SESSION_CMD_SET_SPEED &&
		    evs[i].cmd.arg == speed)
			return (long) evs[i].profile_ms;
	return -1;
}

static struct session_config cfg;

static void make_session_plan(struct plan *p)
{
	scaleback_policy_default(&pol);
	s = session_new(p, &pol, &cfg);
	ck_assert_ptr_nonnull(s);
	plan_clear(p);
	session_on_link(s, now, true);
	pump();
}

static void make_session(const char *spec, uint32_t speedup)
{
	struct plan p = { 0 };

	build_plan(&p, spec);
	cfg.speedup = speedup;
	make_session_plan(&p);
}

/* The engine's rules over everything so far (tests/common/cue-check.c). */
static struct cue_check check_cues(void)
{
	struct cue_check r;

	ck_assert_uint_lt(n_evs, ARRAY_SIZE(evs));
	cue_check_events(evs, n_evs, session_walk_speed(s), 10000, &r);
	return r;
}

static void setup(void)
{
	now = T0;
	n_sent = 0;
	n_evs = 0;
	auto_ack = true;
	s = NULL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.countdown_ms = 3000;
	cfg.speed_cap = 1000;
}

static void teardown(void)
{
	session_free(s);
}

/* Start, count down, and reach the first segment. */
static void start_running(void)
{
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	run_until(now + S(3));
	ck_assert_int_eq(session_state(s), SESSION_RUNNING);
}

/* ---- transitions ---- */

START_TEST(belt_never_starts_without_explicit_start)
{
	make_session("w60 j60 c60", 1);
	run_until(now + S(600));
	data(0);
	status(TREADMILL_STATUS_STARTED_BY_USER);
	ck_assert_int_eq(session_state(s), SESSION_IDLE);
	ck_assert_uint_eq(n_sent, 0);
}
END_TEST

START_TEST(start_counts_down_then_starts_and_sets_speed)
{
	make_session("w60 j60 c60", 1);
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_COUNTDOWN);
	ck_assert_uint_eq(n_sent, 0);
	run_until(now + S(3));
	ck_assert_int_eq(session_state(s), SESSION_RUNNING);
	ck_assert_uint_ge(n_sent, 2);
	ck_assert_int_eq(sent[0].kind, SESSION_CMD_START);
	ck_assert_int_eq(sent[1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[1].arg, WALK);
	ck_assert_int_eq(session_start(s, now), -EALREADY);
}
END_TEST

START_TEST(segments_run_to_finish_and_stop)
{
	make_session("w60 j60 c60", 1);
	start_running();
	run_until(T0 + S(3 + 60) + 1);
	ck_assert_int_eq(session_state(s), SESSION_RUNNING);
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[n_sent - 1].arg, JOG);
	run_until(T0 + S(3 + 120) + 1);
	ck_assert_int_eq(session_state(s), SESSION_COOLDOWN);
	ck_assert_int_eq(sent[n_sent - 1].arg, WALK);
	run_until(T0 + S(3 + 180) + 1);
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	ck_assert(session_done(s));
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_STOP);
	ck_assert(has_event(SESSION_EV_END, 0));
}
END_TEST

START_TEST(segment_boundaries_at_absolute_deadlines)
{
	/* speedup 20: 60 s segments are 3 s of real time; ticks arrive late
	 * but each boundary's deadline stays exact. */
	uint64_t start;

	make_session("w60 j60 w60 j60 c60", 20);
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	start = session_next_deadline(s);
	ck_assert_uint_eq(start, T0 + 150000);	/* 3 s countdown / 20 */
	run_until(start);
	for (int k = 1; k <= 4; k++) {
		uint64_t d, b = start + (uint64_t) k * S(3);

		data(WALK);
		/* Cues on the way (a countdown, halfway) come on time: a late
		 * countdown would rightly make its increase wait. */
		while ((d = session_next_deadline(s)) < b) {
			now = d;
			session_tick(s, now);
			pump();
		}
		ck_assert_uint_eq(d, b);
		/* Tick 37 ms late: the next deadline must not slip. */
		now = d + 37000;
		session_tick(s, now);
		pump();
	}
	ck_assert_int_eq(session_state(s), SESSION_COOLDOWN);
}
END_TEST

START_TEST(one_command_in_flight)
{
	make_session("w60 j60 c60", 1);
	auto_ack = false;
	ck_assert_int_eq(session_start(s, now), 0);
	run_until(now + S(3));
	/* START went out; speed waits for its result (docs/ftms.md 1.7). */
	ck_assert_uint_eq(n_sent, 1);
	ck_assert_int_eq(sent[0].kind, SESSION_CMD_START);
	ack(0, 0x01);
	ck_assert_uint_eq(n_sent, 2);
	ck_assert_int_eq(sent[1].kind, SESSION_CMD_SET_SPEED);
}
END_TEST

START_TEST(user_pause_and_resume)
{
	size_t before;
	uint32_t p;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));		/* mid-jog */
	ck_assert_int_eq(session_pause(s, now), 0);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_USER);
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_PAUSE);
	/* Time passes while paused: nothing moves. */
	before = n_sent;
	p = session_profile_ms(s, now);
	run_until(now + S(600));
	ck_assert_uint_eq(n_sent, before);
	ck_assert_uint_eq(session_profile_ms(s, now), p);
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_RECOVERY);
	ck_assert_int_eq(count_cmd(SESSION_CMD_START, before), 1);
	ck_assert_int_eq(count_cmd(SESSION_CMD_SET_SPEED, before), 1);
	for (size_t i = before; i < n_sent; i++)
		if (sent[i].kind == SESSION_CMD_SET_SPEED)
			ck_assert_int_eq(sent[i].arg, WALK);
}
END_TEST

/*
 * The plan clock runs from the treadmill's confirmation of START (docs/ftms.md
 * 1.7: the indication is the outcome), so a control point that never
 * answers (the simulator's cp-silent) leaves the session at its start.
 */
START_TEST(plan_clock_starts_when_the_start_is_confirmed)
{
	uint64_t t1;

	make_session("w60 j60 c60", 10);
	auto_ack = false;
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	run_until(now + S(3) / 10);	/* the countdown */
	ck_assert_uint_eq(n_sent, 1);
	ck_assert_int_eq(sent[0].kind, SESSION_CMD_START);
	/* Two real seconds (20 s of plan) without an answer: no progress. */
	run_until(now + S(2));
	ck_assert_uint_eq(session_profile_ms(s, now), 0);
	ck_assert_int_eq(session_state(s), SESSION_RUNNING);
	t1 = now;
	auto_ack = true;
	ack(0, 0x01);
	run_until(t1 + S(1));
	ck_assert_uint_eq(session_profile_ms(s, now), 10000);
	/* The warm-up (60 s of plan, 6 s real) ends 6 s after the answer. */
	run_until(t1 + S(6) - 1);
	ck_assert_int_eq(session_segment(s)->speed, WALK);
	run_until(t1 + S(6));
	ck_assert_int_eq(session_segment(s)->speed, JOG);
}
END_TEST

START_TEST(plan_clock_stays_at_start_when_start_never_confirmed)
{
	make_session("w60 j60 c60", 30);
	auto_ack = false;
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	run_until(now + S(3) / 30);
	ck_assert_int_eq(sent[0].kind, SESSION_CMD_START);
	/* The driver gives up after 3 s: 90 s of plan, past the warm-up. */
	run_until(now + S(3));
	ack(-ETIMEDOUT, 0);
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_COMMAND_FAILED);
	ck_assert_uint_eq(session_profile_ms(s, now), 0);
	ck_assert_uint_eq(count_cmd(SESSION_CMD_SET_SPEED, 0), 0);
	for (size_t i = 0; i < n_evs; i++) {
		ck_assert_uint_eq(evs[i].profile_ms, 0);
		ck_assert(evs[i].kind != SESSION_EV_SEGMENT || evs[i].seg_index == 0);
	}
}
END_TEST

START_TEST(plan_clock_after_resume_waits_for_start)
{
	uint32_t p;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(30));
	ck_assert_int_eq(session_pause(s, now), 0);
	pump();
	p = session_profile_ms(s, now);
	auto_ack = false;
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_START);
	run_until(now + S(5));
	ck_assert_uint_eq(session_profile_ms(s, now), p);
	/* Operation Failed: the belt was already moving (docs/ftms.md 1.7). */
	ack(-EIO, 0x04);
	run_until(now + S(5));
	ck_assert_uint_eq(session_profile_ms(s, now), p + 5000);
}
END_TEST

START_TEST(plan_clock_runs_at_once_for_advisory)
{
	struct treadmill_caps caps = { .can_control = false };

	make_session("w60 j60 c60", 1);
	session_on_caps(s, now, &caps);
	auto_ack = false;
	start_running();
	run_until(now + S(10));
	ck_assert_uint_eq(n_sent, 0);
	ck_assert_uint_eq(session_profile_ms(s, now), 10000);
}
END_TEST

/* ---- safety rules (docs/design.md "Safety rules"), one test each ---- */

START_TEST(safety_symptom_press_sends_walk_pace_first)
{
	size_t before_ev, before;

	make_session("w60 h120 w60 j120 c60", 1);
	start_running();
	run_until(now + S(70));		/* mid-jog, up a hill */
	ck_assert_int_eq(session_target_speed(s), JOG);
	before = n_sent;
	before_ev = n_evs;
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	/* The very next command out, at the same instant, is walk pace. */
	ck_assert(session_next_command(s, now, &sent[n_sent]));
	ck_assert_int_eq(sent[n_sent].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[n_sent].arg, WALK);
	n_sent++;
	session_command_done(s, now, 0, 0x01);
	pump();
	/* Then incline 0, and the press is in the events. */
	ck_assert_uint_eq(n_sent, before + 2);
	ck_assert_int_eq(sent[before + 1].kind, SESSION_CMD_SET_INCLINE);
	ck_assert_int_eq(sent[before + 1].arg, 0);
	ck_assert(has_event(SESSION_EV_SYMPTOM, before_ev));
	ck_assert(has_event(SESSION_EV_SCALEBACK, before_ev));
	ck_assert_int_eq(session_state(s), SESSION_RECOVERY);
	/* The cue comes after the command (the shells send commands before
	 * they render any event): what happened, and what changes. */
	{
		long i = find_cue(CUE_SYMPTOM, before_ev);

		ck_assert_int_ge(i, 0);
		ck_assert_uint_eq(evs[i].cue.speed, WALK);
		ck_assert_uint_eq(evs[i].cue.press, 1);
		ck_assert_uint_eq(evs[i].cue.step.jog_time, 500);
		ck_assert_uint_eq(evs[i].cue.duration_ms, pol.recovery_ms);
		/* It stands for the recovery walk's change cue. */
		ck_assert_int_lt(find_cue(CUE_CHANGE, (size_t) i), 0);
	}
	run_until(now + S(600));
	check_cues();
}
END_TEST

/*
 * A press during a walk slower than the walk pace (a profile's 3.9 km/h
 * stroll): walking pace would be faster, so the belt stays where it is;
 * an advisory session tells her so rather than "walk at 5.0".
 */
START_TEST(safety_symptom_press_never_speeds_anyone_up)
{
	struct treadmill_caps adv = { .can_control = false };
	struct plan p = { 0 };

	for (int advisory = 0; advisory < 2; advisory++) {
		size_t before, before_ev;

		build_plan(&p, "w60 w120 j60 c60");
		p.seg[1].speed = 390;
		n_sent = 0;
		n_evs = 0;
		make_session_plan(&p);
		if (advisory)
			session_on_caps(s, now, &adv);
		start_running();
		run_until(now + S(90));
		ck_assert_uint_eq(session_target_speed(s), 390);
		before = n_sent;
		before_ev = n_evs;
		ck_assert_int_eq(session_symptom(s, now, SYMPTOM_LEAK), 1);
		pump();
		for (size_t i = before; i < n_sent; i++)
			if (sent[i].kind == SESSION_CMD_SET_SPEED)
				ck_assert_int_le(sent[i].arg, 390);
		for (size_t i = before_ev; i < n_evs; i++)
			if (evs[i].kind == SESSION_EV_ADVICE &&
			    evs[i].cmd.kind == SESSION_CMD_SET_SPEED)
				ck_assert_int_le(evs[i].cmd.arg, 390);
		ck_assert_uint_eq(evs[find_cue(CUE_SYMPTOM, before_ev)].cue.speed,
				  390);
		run_until(now + S(600));
		check_cues();
		session_free(s);
		s = NULL;
	}
}
END_TEST

START_TEST(safety_symptom_press_overtakes_queued_targets)
{
	make_session("w60 j120 c60", 1);
	start_running();
	auto_ack = false;
	run_until(now + S(60) + 1);	/* jog boundary: SET_SPEED jog out */
	ck_assert_int_eq(sent[n_sent - 1].arg, JOG);
	/* With the jog command in flight, press: no other target may go
	 * out before walk pace. */
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	ack(0, 0x01);
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[n_sent - 1].arg, WALK);
}
END_TEST

/*
 * A press while the start is on its way: the start is not dropped (some
 * machines ignore a speed until the belt runs, docs/ftms.md 2) and not
 * sent twice; once it is answered, walk pace is the next command and
 * nothing faster goes out before it.
 */
START_TEST(safety_symptom_press_keeps_a_queued_start)
{
	size_t starts = 0, first;

	make_session("j120 c60", 1);
	auto_ack = false;
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	run_until(now + S(3));
	ck_assert_uint_ge(n_sent, 1);
	first = n_sent - 1;
	ck_assert_int_eq(sent[first].kind, SESSION_CMD_START);
	/* The start is in flight: press. */
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	ck_assert_uint_eq(n_sent, first + 1);	/* one command at a time */
	ack(0, 0x01);
	ck_assert_uint_gt(n_sent, first + 1);
	ck_assert_int_eq(sent[first + 1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_le(sent[first + 1].arg, WALK);
	auto_ack = true;
	ack(0, 0x01);
	run_until(now + S(30));
	for (size_t i = 0; i < n_sent; i++) {
		starts += sent[i].kind == SESSION_CMD_START;
		if (sent[i].kind == SESSION_CMD_SET_SPEED)
			ck_assert_int_le(sent[i].arg, WALK);
	}
	ck_assert_uint_eq(starts, 1);
}
END_TEST

START_TEST(safety_console_stop_pauses_and_never_restarts)
{
	size_t before;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));
	before = n_sent;
	status(TREADMILL_STATUS_STOPPED_BY_USER);
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_CONSOLE_STOP);
	data(0);
	run_until(now + S(3600));
	status(TREADMILL_STATUS_STARTED_BY_USER);
	ck_assert_uint_eq(n_sent, before);
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
}
END_TEST

START_TEST(safety_safety_key_pauses_and_never_restarts)
{
	size_t before;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));
	before = n_sent;
	status(TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_SAFETY_KEY);
	run_until(now + S(3600));
	ck_assert_uint_eq(n_sent, before);
	/* Only the person's resume restarts it, at walk pace. */
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	ck_assert_int_eq(count_cmd(SESSION_CMD_START, before), 1);
	ck_assert_int_eq(sent[n_sent - 2].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[n_sent - 2].arg, WALK);
}
END_TEST

START_TEST(safety_control_lost_pauses_and_retakes_control_on_resume)
{
	size_t before;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));
	before = n_sent;
	status(TREADMILL_STATUS_CONTROL_LOST);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_CONTROL_LOST);
	run_until(now + S(600));
	ck_assert_uint_eq(n_sent, before);
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	ck_assert_int_eq(sent[before].kind, SESSION_CMD_REQUEST_CONTROL);
	ck_assert_int_eq(sent[before + 1].kind, SESSION_CMD_START);
	ck_assert_int_eq(sent[before + 2].arg, WALK);
}
END_TEST

START_TEST(safety_link_drop_pauses_then_moving_belt_walks_and_recovers)
{
	size_t before;

	make_session("w60 j300 c60", 1);
	start_running();
	run_until(now + S(100));		/* 40 s into the jog */
	session_on_link(s, now, false);
	pump();
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_LINK_DOWN);
	ck_assert_int_eq(session_resume(s, now), -EAGAIN);
	run_until(now + S(10));
	before = n_sent;
	session_on_link(s, now, true);
	pump();
	/* Nothing is sent until the belt's state is known. */
	ck_assert_uint_eq(n_sent, before);
	data(750);
	/* Belt still moving: walk pace at once, no start, recovery walk. */
	ck_assert_uint_gt(n_sent, before);
	ck_assert_int_eq(sent[before].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[before].arg, WALK);
	ck_assert_int_eq(count_cmd(SESSION_CMD_START, before), 0);
	ck_assert_int_eq(session_state(s), SESSION_RECOVERY);
	/* The jog resumes only after the recovery walk. */
	run_until(now + pol.recovery_ms * USEC_PER_MSEC - 1000);
	ck_assert_int_eq(session_target_speed(s), WALK);
	run_until(now + 2000);
	ck_assert_int_eq(session_target_speed(s), JOG);
}
END_TEST

START_TEST(safety_link_back_with_belt_stopped_waits_for_resume)
{
	size_t before;

	make_session("w60 j300 c60", 1);
	start_running();
	run_until(now + S(100));
	session_on_link(s, now, false);
	pump();
	session_on_link(s, now, true);
	before = n_sent;
	data(0);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_BELT_STOPPED);
	run_until(now + S(600));
	ck_assert_uint_eq(n_sent, before);
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	ck_assert_int_eq(sent[before].kind, SESSION_CMD_START);
	ck_assert_int_eq(sent[before + 1].arg, WALK);
}
END_TEST

START_TEST(safety_link_back_keeps_a_paused_session_paused)
{
	size_t before;

	make_session("w60 j300 c60", 1);
	start_running();
	run_until(now + S(100));
	ck_assert_int_eq(session_pause(s, now), 0);
	pump();
	session_on_link(s, now, false);
	pump();
	session_on_link(s, now, true);
	before = n_sent;
	/* The machine ignored the pause and the belt still moves. */
	data(750);
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
	ck_assert_int_eq(session_pause_reason(s), SESSION_PAUSE_USER);
	ck_assert_int_eq(count_cmd(SESSION_CMD_START, before), 0);
	ck_assert_int_eq(count_cmd(SESSION_CMD_SET_SPEED, before), 1);
	ck_assert_int_eq(sent[before].arg, WALK);
	run_until(now + S(600));
	ck_assert_int_eq(session_state(s), SESSION_PAUSED);
}
END_TEST

START_TEST(safety_stale_data_is_an_alarm)
{
	make_session("w600 c60", 1);
	start_running();
	data(500);
	n_evs = 0;
	run_until(now + S(4));
	ck_assert(!has_event(SESSION_EV_ALARM, 0));
	run_until(now + S(2));
	ck_assert(has_event(SESSION_EV_ALARM, 0));
	ck_assert_int_eq(evs[n_evs - 1].alarm, SESSION_ALARM_STALE_DATA);
	ck_assert(evs[n_evs - 1].active);
	/* No guessing: nothing was sent because of it. */
	ck_assert_int_eq(session_state(s), SESSION_RUNNING);
	data(500);
	ck_assert(!evs[n_evs - 1].active);
}
END_TEST

START_TEST(safety_speed_far_from_command_is_an_alarm)
{
	make_session("w600 c60", 1);
	start_running();
	for (int i = 0; i < 20; i++) {
		data(200);	/* commanded 5.0, belt says 2.0 */
		run_until(now + S(1));
	}
	ck_assert(has_event(SESSION_EV_ALARM, 0));
}
END_TEST

START_TEST(safety_stop_request_walks_then_stops)
{
	size_t before;

	make_session("w60 j300 c60", 1);
	start_running();
	run_until(now + S(100));
	before = n_sent;
	ck_assert_int_eq(session_stop(s, now), 0);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_ABORTED);
	ck_assert_int_eq(sent[before].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[before].arg, WALK);
	ck_assert_int_eq(sent[before + 1].kind, SESSION_CMD_STOP);
}
END_TEST

START_TEST(safety_commands_clamped_to_supported_range)
{
	struct treadmill_caps caps = {
		.can_control = true,
		.has_speed_range = true, .speed_min = 100, .speed_max = 700,
		.speed_inc = 50, .has_incline_range = true,
		.incline_min = 0, .incline_max = 100, .incline_inc = 5,
	};

	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 750), 700);
	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 20), 100);
	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 512), 500);
	/* Down to the grid, never up. */
	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 530), 500);
	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 549), 500);
	ck_assert_uint_eq(session_clamp_speed(&caps, 0, 550), 550);
	ck_assert_uint_eq(session_clamp_speed(&caps, 540, 540), 500);
	ck_assert_int_eq(session_clamp_incline(&caps, -20), 0);
	ck_assert_int_eq(session_clamp_incline(&caps, 23), 20);
	ck_assert_int_eq(session_clamp_incline(&caps, 150), 100);

	make_session("w60 j60 c60", 1);
	session_on_caps(s, now, &caps);
	start_running();
	run_until(now + S(61));
	ck_assert_int_eq(sent[n_sent - 1].arg, 700);
}
END_TEST

START_TEST(safety_speed_cap_applies_without_caps)
{
	ck_assert_uint_eq(session_clamp_speed(NULL, 1000, 1600), 1000);
}
END_TEST


/* ---- the treadmill's limits never beat paced's ---- */

/*
 * A treadmill reporting 15-20 km/h (cap 10) was sent 15.00 as the warm-up
 * walk: the cap lowered the ceiling, the minimum raised the value. Such a
 * treadmill is refused before the belt moves; nothing is ever sent.
 */
START_TEST(safety_speed_cap_wins_over_treadmill_range)
{
	struct treadmill_caps caps = {
		.can_control = true, .has_speed_range = true,
		.speed_min = 1500, .speed_max = 2000, .speed_inc = 10,
	};
	char text[256];
	long i;

	ck_assert_uint_le(session_clamp_speed(&caps, 1000, 500), 1000);
	ck_assert_uint_le(session_clamp_speed(&caps, 1000, 1800), 1000);
	ck_assert_int_eq(session_check_caps(&caps, 1000, 500),
			 SESSION_REFUSAL_MIN_ABOVE_CAP);
	make_session("w60 j60 c60", 1);
	session_on_caps(s, now, &caps);
	pump();
	i = find_event(SESSION_EV_REFUSED, 0);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(evs[i].refusal, SESSION_REFUSAL_MIN_ABOVE_CAP);
	session_refusal_text(evs[i].refusal, evs[i].value, evs[i].limit, text,
			     sizeof(text));
	ck_assert_str_eq(text, "the treadmill's slowest speed, 15.00 km/h, is above the speed cap of 10.00 km/h");
	ck_assert_str_eq(session_refusal_name(evs[i].refusal), "min-above-cap");
	ck_assert_int_eq(session_refused(s), SESSION_REFUSAL_MIN_ABOVE_CAP);
	ck_assert(session_done(s));
	ck_assert(!session_completed(s));
	ck_assert_int_eq(session_start(s, now), -ENODEV);
	pump();
	run_until(now + S(600));
	ck_assert_uint_eq(n_sent, 0);
	ck_assert_uint_eq(count_cues(CUE_FINISH), 0);
}
END_TEST

/* Whatever a treadmill reports, no speed above the cap ever, and none
 * above what was asked but for the machine's own minimum. */
START_TEST(safety_no_command_above_cap_whatever_the_treadmill_reports)
{
	uint32_t x = 0x12345678u;

	for (int i = 0; i < 200000; i++) {
		struct treadmill_caps c = { .can_control = true,
					    .has_speed_range = true };
		uint16_t cap, speed, v;

		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		c.speed_min = (uint16_t) (x % 3000);
		c.speed_max = (uint16_t) ((x >> 12) % 4000);
		c.speed_inc = (uint16_t) (i % 7 == 0 ? 65535 : (x >> 3) % 250);
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		cap = (uint16_t) (100 + x % 2400);
		speed = (uint16_t) ((x >> 8) % 3000);
		v = session_clamp_speed(&c, cap, speed);
		ck_assert_uint_le(v, cap);
		if (c.speed_max >= c.speed_min && speed >= c.speed_min)
			ck_assert_uint_le(v, speed);
		else
			ck_assert(v <= speed || v == c.speed_min);
	}
}
END_TEST

/* A treadmill that cannot go as slow as the walk is refused. */
START_TEST(safety_treadmill_slowest_above_walk_is_refused)
{
	struct treadmill_caps caps = {
		.can_control = true, .has_speed_range = true,
		.speed_min = 600, .speed_max = 2000, .speed_inc = 10,
	};

	make_session("w60 j60 c60", 1);
	session_on_caps(s, now, &caps);
	pump();
	ck_assert_int_eq(session_refused(s), SESSION_REFUSAL_MIN_ABOVE_WALK);
	ck_assert_int_eq(session_start(s, now), -ENODEV);
	ck_assert_uint_eq(n_sent, 0);
	/* At the walk exactly is fine. */
	caps.speed_min = WALK;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_NONE);
	/* Advisory treadmills and ones without a range are not refused:
	 * the cap alone applies. */
	caps.can_control = false;
	caps.speed_min = 1500;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_NONE);
	caps.can_control = true;
	caps.has_speed_range = false;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_NONE);
}
END_TEST

/*
 * A walk of 5.0 became 6.0 or 10.0 with increments of 6 or 10 km/h, and
 * an increment of 655.35 sent 0.00. Rounding goes down, increments above
 * 1 km/h are refused, and so is a grid that leaves the walk more than
 * 0.5 km/h away.
 */
START_TEST(safety_rounding_to_increment_never_rounds_up)
{
	struct treadmill_caps caps = {
		.can_control = true, .has_speed_range = true,
		.speed_min = 0, .speed_max = 2000,
	};
	static const uint16_t absurd[] = { 600, 1000, 65535, 101 };

	for (size_t i = 0; i < ARRAY_SIZE(absurd); i++) {
		caps.speed_inc = absurd[i];
		ck_assert_uint_le(session_clamp_speed(&caps, 1000, WALK), WALK);
		ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
				 SESSION_REFUSAL_INCREMENT);
	}
	/* 1.0 km/h from 0.5 reaches 5.0 exactly; from 0.3 only 4.3. */
	caps.speed_inc = 100;
	caps.speed_min = 50;
	ck_assert_uint_eq(session_clamp_speed(&caps, 1000, WALK), 450);
	ck_assert_int_eq(session_check_caps(&caps, 1000, 500),
			 SESSION_REFUSAL_NONE);
	caps.speed_min = 30;
	ck_assert_uint_eq(session_clamp_speed(&caps, 1000, WALK), 430);
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_WALK_UNREACHABLE);
	/* A range ending below the walk. */
	caps.speed_min = 0;
	caps.speed_inc = 10;
	caps.speed_max = 440;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_WALK_UNREACHABLE);
	caps.speed_max = 460;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_NONE);
	/* Nonsense ranges are refused too. */
	caps.speed_min = 900;
	caps.speed_max = 100;
	ck_assert_int_eq(session_check_caps(&caps, 1000, WALK),
			 SESSION_REFUSAL_RANGE_INVALID);

	/* A session on a 0.3 km/h grid from 0.5: every speed on the grid,
	 * none above what the plan asked. */
	caps.speed_min = 50;
	caps.speed_max = 1800;
	caps.speed_inc = 30;
	make_session("w60 j60 w60 c60", 1);
	session_on_caps(s, now, &caps);
	start_running();
	run_until(now + S(240));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	for (size_t i = 0; i < n_sent; i++) {
		if (sent[i].kind != SESSION_CMD_SET_SPEED)
			continue;
		ck_assert_int_eq((sent[i].arg - 50) % 30, 0);
		ck_assert_int_le(sent[i].arg, JOG);
	}
	ck_assert_int_ge(speed_cmd_at(740, 0), 0);	/* 7.5 -> 7.4 */
}
END_TEST

/* Inclines: the profile's, within -6..15 %, never one taken from the
 * treadmill's range (a machine whose range starts at 5 % gets 0 or 2 %,
 * not 5 %). */
START_TEST(safety_inclines_use_paced_limits_not_the_treadmill_range)
{
	struct treadmill_caps caps = {
		.can_control = true, .has_incline_range = true,
		.incline_min = 50, .incline_max = 150, .incline_inc = 10,
	};

	ck_assert_int_eq(session_clamp_incline(&caps, 0), 0);
	ck_assert_int_eq(session_clamp_incline(&caps, 20), 20);
	ck_assert_int_eq(session_clamp_incline(&caps, 75), 70);
	ck_assert_int_eq(session_clamp_incline(&caps, 300), 150);
	ck_assert_int_eq(session_clamp_incline(&caps, -100), -60);
	caps.incline_min = -300;
	caps.incline_max = 400;
	ck_assert_int_eq(session_clamp_incline(&caps, 400), 150);
	ck_assert_int_eq(session_clamp_incline(&caps, -200), -60);
	ck_assert_int_eq(session_clamp_incline(&caps, -25), -20);
	ck_assert_int_eq(session_clamp_incline(NULL, 200), 150);

	caps.incline_min = 50;
	caps.incline_max = 150;
	make_session("w60 h60 c60", 1);
	session_on_caps(s, now, &caps);
	start_running();
	run_until(now + S(200));
	for (size_t i = 0; i < n_sent; i++)
		if (sent[i].kind == SESSION_CMD_SET_INCLINE)
			ck_assert(sent[i].arg == 0 || sent[i].arg == 20);
}
END_TEST

/* A walk pace of 9.9 next to a jog of 10.0 ran its "recovery walk" at
 * 9.9: every walk is held to the walking ceiling (6.5 by default). */
START_TEST(safety_recovery_walk_is_a_walk)
{
	struct plan p = { 0 };

	build_plan(&p, "w60 j120 w60 j120 c60");
	p.walk_speed = 990;
	for (size_t i = 0; i < p.n; i++)
		p.seg[i].speed = p.seg[i].jog_like ? 1000 : 990;
	cfg.speed_cap = 1200;
	make_session_plan(&p);
	ck_assert_uint_eq(session_walk_speed(s), 650);
	start_running();
	run_until(now + S(70));
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	pump();
	run_until(now + S(600));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	for (size_t i = 0; i < n_sent; i++)
		if (sent[i].kind == SESSION_CMD_SET_SPEED)
			ck_assert(sent[i].arg == 650 || sent[i].arg == 1000);
	ck_assert_int_ge(speed_cmd_at(650, 0), 0);
	/* A lower ceiling from paced.conf binds the session too. */
	session_free(s);
	build_plan(&p, "w60 j60 c60");
	cfg.walk_max = 450;
	make_session_plan(&p);
	ck_assert_uint_eq(session_walk_speed(s), 450);
}
END_TEST

/* A reconnect that finds a treadmill paced must refuse, with the belt
 * moving: a stop, never a speed. */
START_TEST(safety_refused_treadmill_after_reconnect_gets_a_stop)
{
	struct treadmill_caps bad = {
		.can_control = true, .has_speed_range = true,
		.speed_min = 1500, .speed_max = 2000, .speed_inc = 10,
	};
	size_t before;

	make_session("w60 j300 c60", 1);
	start_running();
	run_until(now + S(100));
	session_on_link(s, now, false);
	pump();
	before = n_sent;
	session_on_caps(s, now, &bad);
	session_on_link(s, now, true);
	pump();
	data(750);
	run_until(now + S(60));
	ck_assert_int_eq(session_state(s), SESSION_ABORTED);
	ck_assert_uint_eq(count_cmd(SESSION_CMD_SET_SPEED, before), 0);
	ck_assert_uint_eq(count_cmd(SESSION_CMD_STOP, before), 1);
	ck_assert_uint_eq(count_cues(CUE_FINISH), 1);
}
END_TEST

/* ---- symptoms ---- */

START_TEST(press_during_walk_counts_and_lengthens_walk)
{
	make_session("w60 j120 w30 j120 c60", 1);
	start_running();
	run_until(now + S(190));	/* 10 s into the 30 s walk */
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_RECOVERY);
	/* The walk now lasts the recovery time from the press. */
	run_until(now + pol.recovery_ms * USEC_PER_MSEC - 1000);
	ck_assert_int_eq(session_target_speed(s), WALK);
	ck_assert_uint_eq(session_presses(s), 1);
}
END_TEST

START_TEST(presses_within_debounce_count_once)
{
	make_session("w60 j600 c60", 1);
	start_running();
	run_until(now + S(70));
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	pump();
	now += pol.debounce_ms * USEC_PER_MSEC / 2;
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 0);
	pump();
	ck_assert_uint_eq(session_presses(s), 1);
	now += pol.debounce_ms * USEC_PER_MSEC;
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 2);
}
END_TEST

START_TEST(harder_kind_within_debounce_is_not_absorbed)
{
	make_session("w60 j600 c60", 1);
	start_running();
	run_until(now + S(70));
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_LEAK), 1);
	pump();
	now += 500000;
	/* Pain half a second later: the built-in policy ends the session. */
	ck_assert_int_gt(session_symptom(s, now, SYMPTOM_PAIN), 0);
	pump();
	ck_assert_int_eq(session_state(s), SESSION_COOLDOWN);
	run_until(now + S(181));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
}
END_TEST

START_TEST(second_press_means_no_more_jogging)
{
	size_t before;

	make_session("w60 j60 w60 j60 w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));
	session_symptom(s, now, SYMPTOM_ANY);
	pump();
	now += S(10);
	session_symptom(s, now, SYMPTOM_ANY);
	pump();
	before = n_sent;
	run_until(now + S(3600));
	for (size_t i = before; i < n_sent; i++)
		if (sent[i].kind == SESSION_CMD_SET_SPEED)
			ck_assert_int_le(sent[i].arg, WALK);
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
}
END_TEST

START_TEST(long_press_ends_through_cooldown)
{
	make_session("w60 j600 c60", 1);
	start_running();
	run_until(now + S(70));
	session_symptom(s, now, SYMPTOM_LONG_PRESS);
	pump();
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[n_sent - 1].arg, WALK);
	ck_assert_int_eq(session_state(s), SESSION_COOLDOWN);
	run_until(now + S(121));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	ck_assert_int_eq(sent[n_sent - 1].kind, SESSION_CMD_STOP);
}
END_TEST

START_TEST(advisory_treadmill_gets_advice_never_commands)
{
	struct treadmill_caps caps = { .can_control = false };
	size_t before_ev;
	bool walk_advised = false;

	make_session("w60 j600 c60", 1);
	session_on_caps(s, now, &caps);
	ck_assert(session_advisory(s));
	start_running();
	run_until(now + S(70));
	ck_assert_uint_eq(n_sent, 0);
	ck_assert(has_event(SESSION_EV_ADVICE, 0));
	/* The same cue engine tells her: the countdown, then the change. */
	ck_assert_int_ge(find_lead(0), 0);
	ck_assert(evs[find_lead(0)].cue.advisory);
	ck_assert_int_eq(evs[find_lead(0)].profile_ms, 50000);
	/* The person follows the advice to jog. */
	data(JOG);
	before_ev = n_evs;
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), 1);
	pump();
	for (size_t i = before_ev; i < n_evs; i++)
		if (evs[i].kind == SESSION_EV_ADVICE &&
		    evs[i].cmd.kind == SESSION_CMD_SET_SPEED &&
		    evs[i].cmd.arg == WALK)
			walk_advised = true;
	ck_assert(walk_advised);
	ck_assert_uint_eq(n_sent, 0);
	/* The advice answers press 1 (the runner's cue says "slow to a walk"). */
	for (size_t i = before_ev; i < n_evs; i++)
		if (evs[i].kind == SESSION_EV_ADVICE &&
		    evs[i].cmd.kind == SESSION_CMD_SET_SPEED)
			ck_assert_uint_eq(evs[i].press_number, 1);
	/* She does not slow down: judging her is the runner's advisory
	 * checker (one way only), so the session raises no mismatch. */
	before_ev = n_evs;
	for (int i = 0; i < 20; i++) {
		data(JOG);
		run_until(now + S(1));
	}
	ck_assert(!has_event(SESSION_EV_ALARM, before_ev));
	check_cues();
}
END_TEST

/* ---- cues ---- */

/* The countdown, the change at each boundary, halfway, the last jog, the
 * cool-down and the finish, in plan time. */
START_TEST(cues_announce_every_change)
{
	struct cue_check r;
	long i;

	make_session("w60 j60 w60 j60 c60", 1);
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	/* The explicit start says when and how fast. */
	i = find_cue(CUE_COUNTDOWN, 0);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(evs[i].state, SESSION_COUNTDOWN);
	ck_assert_uint_eq(evs[i].cue.in_s, 3);
	ck_assert_uint_eq(evs[i].cue.speed, WALK);
	run_until(now + S(3));
	run_until(now + S(400));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	r = check_cues();
	ck_assert_uint_eq(r.increases, 2);
	ck_assert_uint_eq(r.changes, 5);
	ck_assert_uint_eq(r.halfways, 1);
	ck_assert_uint_eq(r.finishes, 1);
	ck_assert_uint_eq(r.lasts, 1);
	/* "jog in 10 seconds" 10 s of plan before the first jog. */
	i = find_lead(0);
	ck_assert_uint_eq(evs[i].profile_ms, 50000);
	ck_assert_uint_eq(evs[i].cue.in_s, 10);
	ck_assert_uint_eq(evs[i].cue.speed, JOG);
	ck_assert(evs[i].cue.jog);
	ck_assert_int_eq(speed_cmd_at(JOG, 0), 60000);
	/* The boundary's change names the segment and how long it lasts. */
	i = find_cue(CUE_CHANGE, (size_t) i);
	ck_assert_uint_eq(evs[i].profile_ms, 60000);
	ck_assert_uint_eq(evs[i].cue.duration_ms, 60000);
	ck_assert_uint_eq(evs[i].cue.jog_number, 1);
	ck_assert_uint_eq(evs[i].cue.jogs, 2);
	ck_assert_uint_eq(evs[i].cue.next_speed, WALK);
	/* A form tip with the first jog, not the second (every other). */
	ck_assert_uint_eq(count_cues(CUE_FORM), 0);
	i = find_cue(CUE_HALFWAY, 0);
	ck_assert_uint_eq(evs[i].profile_ms, 150000);
	ck_assert_uint_eq(evs[i].cue.left_ms, 150000);
	i = find_cue(CUE_LAST, 0);
	ck_assert_uint_eq(evs[i].profile_ms, 180000);
	ck_assert(evs[i].cue.follows);
	ck_assert_uint_eq(evs[i].cue.jog_number, 2);
	i = find_cue(CUE_COOLDOWN, 0);
	ck_assert_uint_eq(evs[i].profile_ms, 240000);
	ck_assert_uint_eq(evs[i].cue.duration_ms, 60000);
	i = find_cue(CUE_FINISH, 0);
	ck_assert_int_eq(evs[i].cue.outcome, CUE_OUTCOME_COMPLETED);
	ck_assert_uint_eq(evs[i].cue.press, 0);
}
END_TEST

START_TEST(cues_form_tip_every_other_jog)
{
	long i;

	cfg.form_every = 2;
	make_session("w60 j30 w60 j30 w60 j30 w60 j30 c60", 1);
	start_running();
	run_until(now + S(600));
	ck_assert_uint_eq(count_cues(CUE_FORM), 2);
	i = find_cue(CUE_FORM, 0);
	ck_assert_uint_eq(evs[i].profile_ms, 60000);
	ck_assert_uint_eq(evs[i].cue.form, 1);
	ck_assert(evs[i].cue.follows);
	i = find_cue(CUE_FORM, (size_t) i + 1);
	ck_assert_uint_eq(evs[i].profile_ms, 240000);
	ck_assert_uint_eq(evs[i].cue.form, 2);
	ck_assert_uint_eq(evs[i].cue.jog_number, 3);
}
END_TEST

/*
 * The rule itself: the belt is never commanded faster than before unless
 * a countdown for that speed came at least lead (10 s) of plan time
 * earlier. A 5 s walk between jogs: the second jog waits, starting 5 s
 * late and ending on time.
 */
START_TEST(safety_no_speed_increase_without_countdown_lead)
{
	const struct plan_segment *seg;
	long i;

	make_session("w60 j60 w5 j60 c60", 1);
	start_running();
	run_until(now + S(121));
	/* The countdown is said in the short walk, not during the jog. */
	i = find_lead((size_t) find_lead(0) + 1);
	ck_assert_uint_eq(evs[i].profile_ms, 120000);
	ck_assert_uint_eq(evs[i].cue.in_s, 10);
	seg = session_segment(s);
	ck_assert_uint_eq(seg->start_ms + seg->duration_ms, 130000);
	run_until(now + S(10));
	seg = session_segment(s);
	ck_assert_uint_eq(seg->speed, JOG);
	ck_assert_uint_eq(seg->start_ms, 130000);
	ck_assert_uint_eq(seg->start_ms + seg->duration_ms, 185000);
	ck_assert_uint_eq(plan_end_ms(session_plan(s)), 245000);
	run_until(now + S(200));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	ck_assert_uint_eq(check_cues().increases, 2);

	/* A jog shorter than the wait is walked whole. */
	session_free(s);
	n_evs = 0;
	make_session("w60 j4 w60 c60", 1);
	start_running();
	run_until(now + S(50));
	n_sent = 0;
	/* Pause 3 s before the jog: the resume has 3 s, not 10. */
	run_until(now + S(7));
	ck_assert_int_eq(session_pause(s, now), 0);
	pump();
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	run_until(now + S(300));
	ck_assert_uint_eq(count_cmd(SESSION_CMD_SET_SPEED, 0) > 0, 1);
	for (size_t k = 0; k < n_sent; k++)
		if (sent[k].kind == SESSION_CMD_SET_SPEED)
			ck_assert_int_eq(sent[k].arg, WALK);
	check_cues();
}
END_TEST

/* A jog the resume lands right before: it waits for a full countdown. */
START_TEST(cues_increase_after_resume_waits_for_countdown)
{
	long i;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(58));
	ck_assert_int_eq(session_pause(s, now), 0);
	pump();
	run_until(now + S(30));
	ck_assert_int_eq(session_resume(s, now), 0);
	pump();
	run_until(now + S(200));
	ck_assert_int_eq(session_state(s), SESSION_FINISHED);
	check_cues();
	/* Said at 50 s, then the pause; said again at the resume. */
	ck_assert_uint_eq(evs[find_lead(0)].profile_ms, 50000);
	i = find_lead((size_t) find_lead(0) + 1);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(evs[i].profile_ms, 58000);
	/* Said at the resume (58 s), the jog from 68 s to 120 s. */
	ck_assert_int_eq(speed_cmd_at(JOG, 0), 68000);
}
END_TEST

/* A plan that begins with a jog: the belt starts at the walk, and the
 * jog comes after its countdown. */
START_TEST(cues_plan_beginning_with_a_jog_starts_at_walk)
{
	long i;

	make_session("j60 w60 c60", 1);
	ck_assert_int_eq(session_start(s, now), 0);
	pump();
	i = find_cue(CUE_COUNTDOWN, 0);
	ck_assert_uint_eq(evs[i].cue.speed, WALK);
	ck_assert(!evs[i].cue.jog);
	run_until(now + S(3));
	ck_assert_int_eq(sent[0].kind, SESSION_CMD_START);
	ck_assert_int_eq(sent[1].kind, SESSION_CMD_SET_SPEED);
	ck_assert_int_eq(sent[1].arg, WALK);
	i = find_lead(0);
	ck_assert_uint_eq(evs[i].cue.speed, JOG);
	ck_assert_uint_eq(evs[i].profile_ms, 0);
	run_until(now + S(200));
	ck_assert_int_eq(speed_cmd_at(JOG, 0), 10000);
	check_cues();
}
END_TEST

/* A tick that comes late for the countdown (a busy loop, a sped-up
 * session) makes the increase wait as long. */
START_TEST(cues_late_tick_makes_the_increase_wait)
{
	make_session("w60 j60 c60", 10);
	start_running();
	/* The countdown's deadline is at 50 s of plan; tick 2 s late. */
	now = session_next_deadline(s) + S(2) / 10;
	session_tick(s, now);
	pump();
	ck_assert_uint_eq(evs[find_lead(0)].profile_ms, 52000);
	run_until(now + S(30));
	ck_assert_int_eq(speed_cmd_at(JOG, 0), 62000);
	check_cues();
}
END_TEST

START_TEST(cues_ticks_count_down_3_2_1)
{
	long i;

	cfg.cue_ticks = true;
	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(100));
	i = find_lead(0);
	ck_assert_uint_eq(evs[i].profile_ms, 50000);
	for (unsigned n = 3; n >= 1; n--) {
		i = find_cue(CUE_COUNTDOWN, (size_t) i + 1);
		ck_assert(evs[i].cue.tick);
		ck_assert_uint_eq(evs[i].cue.in_s, n);
		ck_assert_uint_eq(evs[i].profile_ms, 60000 - n * 1000);
	}
	check_cues();
}
END_TEST

/* A stop is summed up once; a refused or never-started session is not. */
START_TEST(cues_finish_once)
{
	long i;

	make_session("w60 j60 c60", 1);
	start_running();
	run_until(now + S(70));
	ck_assert_int_eq(session_stop(s, now), 0);
	pump();
	run_until(now + S(100));
	ck_assert_uint_eq(count_cues(CUE_FINISH), 1);
	i = find_cue(CUE_FINISH, 0);
	ck_assert_int_eq(evs[i].cue.outcome, CUE_OUTCOME_STOPPED);
	ck_assert_int_eq(session_stop(s, now), -EALREADY);
	check_cues();
	session_free(s);
	n_evs = 0;
	make_session("w60 j60 c60", 1);
	ck_assert_int_eq(session_stop(s, now), 0);
	pump();
	ck_assert_uint_eq(count_cues(CUE_FINISH), 0);
}
END_TEST

START_TEST(press_before_start_is_refused)
{
	make_session("w60 j60 c60", 1);
	ck_assert_int_eq(session_symptom(s, now, SYMPTOM_ANY), -ESRCH);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *su = suite_create("session");
	TCase *tc;

	tc = tcase_create("transitions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, belt_never_starts_without_explicit_start);
	tcase_add_test(tc, start_counts_down_then_starts_and_sets_speed);
	tcase_add_test(tc, segments_run_to_finish_and_stop);
	tcase_add_test(tc, segment_boundaries_at_absolute_deadlines);
	tcase_add_test(tc, one_command_in_flight);
	tcase_add_test(tc, user_pause_and_resume);
	tcase_add_test(tc, plan_clock_starts_when_the_start_is_confirmed);
	tcase_add_test(tc, plan_clock_stays_at_start_when_start_never_confirmed);
	tcase_add_test(tc, plan_clock_after_resume_waits_for_start);
	tcase_add_test(tc, plan_clock_runs_at_once_for_advisory);
	suite_add_tcase(su, tc);

	tc = tcase_create("safety");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, safety_symptom_press_sends_walk_pace_first);
	tcase_add_test(tc, safety_symptom_press_never_speeds_anyone_up);
	tcase_add_test(tc, safety_symptom_press_overtakes_queued_targets);
	tcase_add_test(tc, safety_symptom_press_keeps_a_queued_start);
	tcase_add_test(tc, safety_console_stop_pauses_and_never_restarts);
	tcase_add_test(tc, safety_safety_key_pauses_and_never_restarts);
	tcase_add_test(tc, safety_control_lost_pauses_and_retakes_control_on_resume);
	tcase_add_test(tc, safety_link_drop_pauses_then_moving_belt_walks_and_recovers);
	tcase_add_test(tc, safety_link_back_with_belt_stopped_waits_for_resume);
	tcase_add_test(tc, safety_link_back_keeps_a_paused_session_paused);
	tcase_add_test(tc, safety_stale_data_is_an_alarm);
	tcase_add_test(tc, safety_speed_far_from_command_is_an_alarm);
	tcase_add_test(tc, safety_stop_request_walks_then_stops);
	tcase_add_test(tc, safety_commands_clamped_to_supported_range);
	tcase_add_test(tc, safety_speed_cap_applies_without_caps);
	tcase_add_test(tc, safety_speed_cap_wins_over_treadmill_range);
	tcase_add_test(tc, safety_no_command_above_cap_whatever_the_treadmill_reports);
	tcase_add_test(tc, safety_treadmill_slowest_above_walk_is_refused);
	tcase_add_test(tc, safety_rounding_to_increment_never_rounds_up);
	tcase_add_test(tc, safety_inclines_use_paced_limits_not_the_treadmill_range);
	tcase_add_test(tc, safety_recovery_walk_is_a_walk);
	tcase_add_test(tc, safety_refused_treadmill_after_reconnect_gets_a_stop);
	tcase_add_test(tc, safety_no_speed_increase_without_countdown_lead);
	suite_add_tcase(su, tc);

	tc = tcase_create("symptoms");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, press_during_walk_counts_and_lengthens_walk);
	tcase_add_test(tc, presses_within_debounce_count_once);
	tcase_add_test(tc, harder_kind_within_debounce_is_not_absorbed);
	tcase_add_test(tc, second_press_means_no_more_jogging);
	tcase_add_test(tc, long_press_ends_through_cooldown);
	tcase_add_test(tc, press_before_start_is_refused);
	tcase_add_test(tc, advisory_treadmill_gets_advice_never_commands);
	suite_add_tcase(su, tc);

	tc = tcase_create("cues");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, cues_announce_every_change);
	tcase_add_test(tc, cues_form_tip_every_other_jog);
	tcase_add_test(tc, cues_increase_after_resume_waits_for_countdown);
	tcase_add_test(tc, cues_plan_beginning_with_a_jog_starts_at_walk);
	tcase_add_test(tc, cues_late_tick_makes_the_increase_wait);
	tcase_add_test(tc, cues_ticks_count_down_3_2_1);
	tcase_add_test(tc, cues_finish_once);
	suite_add_tcase(su, tc);
	return su;
}

int main(void)
{
	SRunner *sr = srunner_create(session_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
