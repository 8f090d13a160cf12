/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cue engine's rules on every bundled profile and on random ones, with presses, pauses and drops at several speed-ups. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue-check.h"
#include "gen-profile.h"
#include "profile.h"
#include "session.h"
#include "util.h"

#define S(x) ((uint64_t) (x) * USEC_PER_SEC)

static const uint32_t speedups[] = { 1, 7, 30, 100 };

/* A treadmill that does what it is told at once, on a fake clock. */
struct sim {
	struct session *s;
	uint64_t now;
	struct gen *g;
	struct session_event *ev;	/* every event, in order */
	size_t n_ev, cap;
	uint16_t belt;			/* what the belt does now */
};

static void pump(struct sim *m)
{
	struct session_event e;
	struct session_cmd c;

	while (session_next_command(m->s, m->now, &c)) {
		if (c.kind == SESSION_CMD_SET_SPEED)
			m->belt = (uint16_t) c.arg;
		else if (c.kind == SESSION_CMD_STOP ||
			 c.kind == SESSION_CMD_PAUSE)
			m->belt = 0;
		session_command_done(m->s, m->now, 0, 0x01);
	}
	while (session_next_event(m->s, &e)) {
		if (m->n_ev == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 1024;
			m->ev = paced_realloc(m->ev, m->cap * sizeof(*m->ev));
		}
		/* Advisory: the person does what she is told. */
		if (e.kind == SESSION_EV_ADVICE &&
		    e.cmd.kind == SESSION_CMD_SET_SPEED)
			m->belt = (uint16_t) e.cmd.arg;
		m->ev[m->n_ev++] = e;
	}
}

static void data(struct sim *m)
{
	struct treadmill_data d = { .present = TREADMILL_DATA_SPEED,
				    .speed = m->belt, .time_us = m->now };

	session_on_data(m->s, m->now, &d);
	pump(m);
}

/* Let real time pass to until, ticking at each deadline, some ticks late
 * (a busy loop): a late countdown tick must make its increase wait. */
static void run_until(struct sim *m, uint64_t until)
{
	while (m->now < until && !session_done(m->s)) {
		uint64_t d = session_next_deadline(m->s);

		m->now = MAX(m->now + 1, MIN(until, d));
		if (gen_rnd(m->g, 4) == 0)
			m->now += gen_rnd(m->g, 40000);
		session_tick(m->s, m->now);
		pump(m);
		data(m);
	}
}

static uint64_t real_left(const struct sim *m, uint32_t speedup)
{
	uint32_t p = session_profile_ms(m->s, m->now);
	uint32_t end = plan_end_ms(session_plan(m->s));

	return end > p ? (uint64_t) (end - p) * USEC_PER_MSEC / speedup : 0;
}

enum scenario {
	PLAIN,		/* start to finish */
	PRESSES,	/* symptom presses at random times */
	PAUSES,		/* pauses and resumes */
	DROPS,		/* link drops, the belt moving or not */
	SCENARIOS,
};

/*
 * One session of plan under the scenario; every rule of
 * tests/common/cue-check.c over its events. Returns the checks' counts.
 */
static struct cue_check run_session(const struct plan *plan,
				    const struct scaleback_policy *pol,
				    uint32_t speedup, enum scenario sc,
				    bool advisory, struct gen *g)
{
	struct session_config cfg = {
		.speedup = speedup, .countdown_ms = 3000, .speed_cap = 1000,
		.cue_lead_ms = 1000 * (5 + gen_rnd(g, 26)),
		.cue_ticks = gen_rnd(g, 2), .form_every = gen_rnd(g, 4),
	};
	struct treadmill_caps caps = {
		.can_control = !advisory, .has_speed_range = !advisory,
		.speed_min = 50, .speed_max = 1800, .speed_inc = 10,
	};
	struct sim m = { .now = S(1000), .g = g };
	struct cue_check r;
	unsigned events = 0;

	m.s = session_new(plan, pol, &cfg);
	ck_assert_ptr_nonnull(m.s);
	session_on_caps(m.s, m.now, &caps);
	session_on_link(m.s, m.now, true);
	pump(&m);
	ck_assert_int_eq(session_start(m.s, m.now), 0);
	pump(&m);
	while (!session_done(m.s) && events++ < 12) {
		uint64_t left = real_left(&m, speedup);

		run_until(&m, m.now + S(3) / speedup + 1 +
			      (left ? gen_rnd(g, (uint32_t) MIN(left, 4000000000ULL)) : 0) / 3);
		if (session_done(m.s))
			break;
		switch (sc) {
		case PLAIN:
			break;
		case PRESSES:
			if (session_state(m.s) != SESSION_PAUSED)
				(void) session_symptom(m.s, m.now,
					(enum symptom_kind) gen_rnd(g, SYMPTOM_KIND_COUNT));
			pump(&m);
			break;
		case PAUSES:
			if (session_pause(m.s, m.now) == 0) {
				pump(&m);
				run_until(&m, m.now + gen_rnd(g, 20000000));
				ck_assert_int_eq(session_resume(m.s, m.now), 0);
				pump(&m);
			}
			break;
		case DROPS:
			session_on_link(m.s, m.now, false);
			pump(&m);
			m.now += gen_rnd(g, 5000000);
			session_on_caps(m.s, m.now, &caps);
			session_on_link(m.s, m.now, true);
			pump(&m);
			if (gen_rnd(g, 2))
				m.belt = 0;
			data(&m);
			if (session_state(m.s) == SESSION_PAUSED) {
				ck_assert_int_eq(session_resume(m.s, m.now), 0);
				pump(&m);
			}
			break;
		case SCENARIOS:
			break;
		}
	}
	run_until(&m, m.now + S(7 * 3600));
	ck_assert(session_done(m.s));
	cue_check_events(m.ev, m.n_ev, session_walk_speed(m.s), cfg.cue_lead_ms,
			 &r);
	ck_assert(r.started);
	ck_assert_uint_eq(r.finishes, 1);
	/* Every segment entered was announced (cue_check_events checked
	 * each), and a session that ran its plan passed halfway once. */
	ck_assert_uint_ge(r.changes + r.symptoms, r.segments);
	if (session_completed(m.s) && sc != PRESSES)
		ck_assert_uint_eq(r.halfways, 1);
	session_free(m.s);
	free(m.ev);
	return r;
}

static const char *srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d ? d : "..";
}

/* Every bundled profile, every scenario, several speed-ups, controlled
 * and advisory. */
START_TEST(safety_every_increase_has_its_countdown_bundled)
{
	char dir[4096], path[4400];
	struct profile_limits lim;
	struct gen g = { 0x5eed1234u };
	unsigned profiles = 0, increases = 0;
	struct dirent *de;
	DIR *d;

	profile_limits_default(&lim);
	snprintf(dir, sizeof(dir), "%s/profiles", srcdir());
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot read %s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct profile_error err;
		struct profile *p;
		struct plan plan;

		if (len < 4 || strcmp(de->d_name + len - 4, ".cfg"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		p = profile_load(path, &lim, &err);
		ck_assert_msg(p != NULL, "%s", err.text);
		if (p->no_belt) {	/* exercises: no belt, no speed */
			profile_free(p);
			continue;
		}
		ck_assert_int_eq(plan_expand(p, &plan), 0);
		for (size_t k = 0; k < ARRAY_SIZE(speedups); k++)
			for (int sc = 0; sc < SCENARIOS; sc++)
				increases += run_session(&plan, &p->policy,
							 speedups[k],
							 (enum scenario) sc,
							 sc == PRESSES && k == 1,
							 &g).increases;
		plan_clear(&plan);
		profile_free(p);
		profiles++;
	}
	closedir(d);
	fprintf(stderr, "bundled: %u profiles, %u increases\n", profiles, increases);
	ck_assert_uint_ge(profiles, 20);
	/* Not vacuous: the jogs of the programme were counted down. */
	ck_assert_uint_gt(increases, 1000);
}
END_TEST

/* Random valid profiles (nested repeats, short jogs and walks, named
 * paces, hills), random presses, pauses and drops, random leads. */
START_TEST(safety_every_increase_has_its_countdown_random)
{
	struct profile_limits lim;
	struct gen g = { 0x0badcafeu };
	unsigned increases = 0, halfways = 0;

	profile_limits_default(&lim);
	for (int iter = 0; iter < 400; iter++) {
		struct profile *p = gen_profile(&g, &lim);
		struct plan plan;
		struct cue_check r;

		ck_assert_int_eq(plan_expand(p, &plan), 0);
		r = run_session(&plan, &p->policy,
				speedups[gen_rnd(&g, ARRAY_SIZE(speedups))],
				(enum scenario) (iter % SCENARIOS),
				gen_rnd(&g, 5) == 0, &g);
		increases += r.increases;
		halfways += r.halfways;
		plan_clear(&plan);
		profile_free(p);
	}
	ck_assert_uint_gt(increases, 1000);
	fprintf(stderr, "random: %u increases %u halfways\n", increases, halfways);
	ck_assert_uint_gt(halfways, 300);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cues");
	TCase *tc = tcase_create("properties");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, safety_every_increase_has_its_countdown_bundled);
	tcase_add_test(tc, safety_every_increase_has_its_countdown_random);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
