/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Figures for bench/README.md: symptom-to-command latency, boundary drift. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftms-client.h"
#include "ftms.h"
#include "plan.h"
#include "runner.h"
#include "scaleback.h"
#include "sim.h"
#include "sim-transport.h"
#include "transport.h"
#include "util.h"

#define WALK 500
#define JOG 750

struct bench {
	struct loop *loop;
	struct transport *tp;
	struct sim *sim;
	struct ftms_client *client;
	struct treadmill *tm;
	struct session_log *log;
	bool connected;
};

static void on_connected(struct treadmill *tm, enum treadmill_op op, int err,
			 uint8_t result, void *user_data)
{
	struct bench *b = user_data;

	if (err < 0) {
		fprintf(stderr, "bench: connect failed: %s\n", strerror(-err));
		exit(1);
	}
	b->connected = true;
}

static void run_for(struct bench *b, uint64_t us)
{
	uint64_t end = loop_now(b->loop) + us;

	while (loop_now(b->loop) < end)
		loop_iterate(b->loop, 1);
}

static void bench_open(struct bench *b, const char *log_dir)
{
	struct sim_config cfg;
	char path[256];
	int err;

	memset(b, 0, sizeof(*b));
	b->loop = loop_new(NULL);
	sim_config_init(&cfg);
	/* A belt that reaches any speed at once: we time paced, not the
	 * simulated motor. */
	cfg.belt.accel = 0;
	if (sim_transport_open(b->loop, &cfg, &b->tp) < 0) {
		fprintf(stderr, "bench: cannot start the simulator\n");
		exit(1);
	}
	b->sim = sim_transport_sim(b->tp);
	b->client = ftms_client_new(b->loop, transport_steal_fd(b->tp), NULL);
	b->tm = ftms_client_get_treadmill(b->client);
	snprintf(path, sizeof(path), "%s/paced-bench-%d.jsonl", log_dir,
		 (int) getpid());
	b->log = session_log_open(NULL, path, &err);
	if (!b->log) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-err));
		exit(1);
	}
	(void) unlink(path);	/* keep the fd, leave no file behind */
	treadmill_connect(b->tm, on_connected, b);
	while (!b->connected)
		loop_iterate(b->loop, 10);
}

static void bench_close(struct bench *b)
{
	ftms_client_free(b->client);
	transport_free(b->tp);
	session_log_close(b->log);
	loop_free(b->loop);
}

static void plan_add(struct plan *p, uint32_t secs, uint16_t speed)
{
	struct plan_segment *s;

	p->seg = paced_realloc(p->seg, (p->n + 1) * sizeof(*p->seg));
	s = &p->seg[p->n];
	memset(s, 0, sizeof(*s));
	s->start_ms = p->n ? p->seg[p->n - 1].start_ms +
			     p->seg[p->n - 1].duration_ms : 0;
	s->duration_ms = secs * 1000;
	s->speed = speed;
	s->jog_like = speed > WALK;
	s->phase = PLAN_PHASE_MAIN;
	snprintf(s->pace_name, sizeof(s->pace_name), "%s",
		 speed > WALK ? "jog" : "walk");
	p->n++;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t) (p * (double) (n - 1) + 0.5);

	return v[MIN(i, n - 1)];
}

static void report(const char *what, uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%-44s p50 %6.3f ms  p99 %6.3f ms  max %6.3f ms  (n=%zu)\n",
	       what, pct(v, n, 0.50) / 1000.0, pct(v, n, 0.99) / 1000.0,
	       v[n - 1] / 1000.0, n);
}

/*
 * One fresh session per press, on one connection: start, reach the jog,
 * press, and time (a) until the walk command's write(2) returned and (b)
 * until the simulator, at the other end of the socket, read it.
 */
static int latency(unsigned n, const char *log_dir)
{
	struct scaleback_policy pol;
	/* A plan that begins with a jog starts at the walk and counts down
	 * to it (docs/safety.md): a 1 ms lead, or every press waits 10 s. */
	struct session_config cfg = { .speedup = 1, .speed_cap = 1000,
				      .cue_lead_ms = 1 };
	struct runner_info info = { .profile_name = "bench", .speedup = 1 };
	uint64_t *sent = calloc(n, sizeof(*sent));
	uint64_t *wire = calloc(n, sizeof(*wire));
	struct plan plan = { .walk_speed = WALK };
	struct bench b;

	bench_open(&b, log_dir);
	scaleback_policy_default(&pol);
	plan_add(&plan, 600, JOG);
	for (unsigned i = 0; i < n; i++) {
		struct session *s = session_new(&plan, &pol, &cfg);
		struct runner *r = runner_new(b.loop, b.tm, s, b.log, &info);
		uint64_t press, tx;
		size_t mark;

		runner_start(r);
		/* Until the jog is acknowledged and nothing is in flight. */
		while (session_target_speed(s) != JOG ||
		       session_has_command(s))
			loop_iterate(b.loop, 1);
		run_for(&b, 2000);
		mark = sim_command_count(b.sim);
		runner_symptom(r, SYMPTOM_ANY);
		runner_last_press_latency(r, &press, &tx);
		while (sim_command_count(b.sim) == mark)
			loop_iterate(b.loop, 1);
		sent[i] = tx - press;
		wire[i] = sim_command_get(b.sim, mark)->time_us - press;
		if (sim_command_get(b.sim, mark)->speed != WALK) {
			fprintf(stderr, "bench: first command was not walk pace\n");
			return 1;
		}
		runner_stop(r);
		while (!runner_done(r))
			loop_iterate(b.loop, 1);
		runner_free(r);
	}
	printf("symptom press to walk-pace command, %u presses, in-process\n"
	       "simulator on a socketpair, session log in %s:\n", n, log_dir);
	report("  press -> command written to the socket", sent, n);
	report("  press -> command read by the simulator", wire, n);
	plan_clear(&plan);
	bench_close(&b);
	free(sent);
	free(wire);
	return 0;
}

/*
 * A real-time session of alternating 30 s walk and jog segments: every
 * boundary's Set Target Speed is timed where the simulator receives it,
 * against the boundary's planned instant.
 */
static int drift(unsigned minutes, const char *log_dir)
{
	struct scaleback_policy pol;
	struct session_config cfg = { .speedup = 1, .speed_cap = 1000 };
	struct runner_info info = { .profile_name = "drift", .speedup = 1 };
	struct plan plan = { .walk_speed = WALK };
	uint64_t start = 0, worst = 0, sum = 0;
	unsigned boundaries = 0;
	struct runner *r;
	struct session *s;
	struct bench b;
	size_t seen = 0;

	bench_open(&b, log_dir);
	scaleback_policy_default(&pol);
	for (unsigned i = 0; i < minutes * 2; i++)
		plan_add(&plan, 30, i % 2 ? JOG : WALK);
	s = session_new(&plan, &pol, &cfg);
	r = runner_new(b.loop, b.tm, s, b.log, &info);
	runner_start(r);
	while (!runner_done(r)) {
		loop_iterate(b.loop, -1);
		for (; seen < sim_command_count(b.sim); seen++) {
			const struct sim_command *c = sim_command_get(b.sim, seen);
			uint64_t planned, late;
			unsigned k;

			if (c->op != FTMS_OP_SET_TARGET_SPEED)
				continue;
			if (!start) {
				/* Segment 0's speed marks the plan's zero. */
				start = c->time_us;
				continue;
			}
			k = ++boundaries;
			planned = start + (uint64_t) k * 30 * USEC_PER_SEC;
			late = c->time_us > planned ? c->time_us - planned :
						      planned - c->time_us;
			worst = MAX(worst, late);
			sum += late;
		}
	}
	printf("boundary drift over a %u-minute real-time session, %u "
	       "boundaries:\n  worst %.3f ms, mean %.3f ms (command received "
	       "by the simulator vs. the planned instant)\n", minutes,
	       boundaries, worst / 1000.0,
	       boundaries ? sum / 1000.0 / boundaries : 0.0);
	runner_free(r);
	plan_clear(&plan);
	bench_close(&b);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("BENCH_LOG_DIR");

	if (!dir)
		dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if (argc >= 2 && !strcmp(argv[1], "latency"))
		return latency(argc > 2 ? (unsigned) atoi(argv[2]) : 1000, dir);
	if (argc >= 2 && !strcmp(argv[1], "drift"))
		return drift(argc > 2 ? (unsigned) atoi(argv[2]) : 10, dir);
	fprintf(stderr,
		"usage: %s latency [PRESSES] | drift [MINUTES]\n"
		"  BENCH_LOG_DIR=DIR puts the session log there (default "
		"/dev/shm)\n", argv[0]);
	return 2;
}
