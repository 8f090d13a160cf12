/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runner end to end on a fake clock: real GATT client, simulator on a
 * socketpair, asserting the bytes the treadmill received and when. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftms-client.h"
#include "ftms.h"
#include "profile.h"
#include "runner.h"
#include "sim.h"
#include "sim-transport.h"
#include "transport.h"
#include "util.h"

#define SPEEDUP 50
#define WALK 500
#define JOG 750

/* 5 s warm-up, 2 x (2 min jog / 1 min walk), 10 s cool-down. */
static const char profile_text[] =
	"name = \"runner test\";\n"
	"paces = { walk = 5.0; jog = 7.5; };\n"
	"warmup = ( { walk = \"0:05\"; } );\n"
	"main = ( { repeat = 2; segments = ( { jog = \"2:00\"; },"
	" { walk = \"1:00\"; } ); } );\n"
	"cooldown = ( { walk = \"0:10\"; } );\n";

static struct fake_clock fc;
static struct loop *loop;
static struct transport *tp;
static struct ftms_client *client;
static struct runner *runner;
static struct session_log *slog;
static struct sim *sim;
static char log_path[64];
static bool connected;

static void dbg(const char *str, void *user_data)
{
	fprintf(stderr, "%llu %s\n", (unsigned long long) loop_now(loop), str);
}

static void on_connected(struct treadmill *tm, enum treadmill_op op, int err,
			 uint8_t result, void *user_data)
{
	ck_assert_int_eq(err, 0);
	connected = true;
}

/*
 * Time passes only here: the loop first works through everything due
 * now (the socketpair's bytes, due timers), then the clock moves 1 ms,
 * until cond holds or timeout_us of fake time went by. A 6-minute
 * session runs in milliseconds, and every time measured is exact.
 */
static bool run_until(bool (*cond)(void), uint64_t timeout_us)
{
	uint64_t end = fc.now_us + timeout_us;

	for (;;) {
		while (loop_iterate(loop, 0) > 0)
			;
		if (cond && cond())
			return true;
		if (fc.now_us >= end)
			return cond ? cond() : true;
		fake_clock_advance(&fc, USEC_PER_MSEC);
	}
}

static void run_for(uint64_t us)
{
	(void) run_until(NULL, us);
}

static bool is_connected(void)
{
	return connected;
}

static bool sim_jogging(void)
{
	struct sim_state st;

	sim_get_state(sim, &st);
	return st.target_speed == JOG && st.speed == JOG;
}

static bool session_over(void)
{
	return runner_done(runner);
}

/* A fresh simulator (with a quirk, or NULL), client and runner. */
static void setup_with(const char *quirk, const struct ftms_client_opts *opts,
		       uint32_t sample_ms)
{
	struct sim_config cfg;
	struct profile_error perr;
	struct profile *p;
	struct plan plan;
	struct session *s;
	struct session_config scfg = { .speedup = SPEEDUP, .countdown_ms = 0,
				       .speed_cap = 1000 };
	struct runner_info info = { .profile_name = "runner test",
				    .treadmill = "sim", .speedup = SPEEDUP,
				    .sample_ms = sample_ms };
	int err, fd;

	fake_clock_init(&fc, 1000 * USEC_PER_SEC);
	loop = loop_new(&fc.clock);
	sim_config_init(&cfg);
	cfg.speedup = SPEEDUP;
	/* A quick belt so the tests wait for the plan, not the motor. */
	cfg.data_interval_us = 50000;
	if (quirk)
		ck_assert_int_eq(sim_config_add_quirk(&cfg, quirk), 0);
	ck_assert_int_eq(sim_transport_open(loop, &cfg, &tp), 0);
	sim = sim_transport_sim(tp);
	fd = transport_steal_fd(tp);
	client = ftms_client_new(loop, fd, opts);
	ck_assert_ptr_nonnull(client);
	/* PACED_TEST_DEBUG=1: every ATT PDU of both ends, with loop times. */
	if (getenv("PACED_TEST_DEBUG")) {
		ftms_client_set_debug(client, dbg, NULL);
		sim_set_debug(sim, dbg, NULL);
	}

	p = profile_load_string(profile_text, "runner-test.cfg", NULL, &perr);
	ck_assert_msg(p != NULL, "%s", perr.text);
	ck_assert_int_eq(plan_expand(p, &plan), 0);
	s = session_new(&plan, &p->policy, &scfg);
	ck_assert_ptr_nonnull(s);
	plan_clear(&plan);
	profile_free(p);

	snprintf(log_path, sizeof(log_path), "%s/paced-test-runner-%d.jsonl",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		 (int) getpid());
	slog = session_log_open(NULL, log_path, &err);
	ck_assert_ptr_nonnull(slog);
	runner = runner_new(loop, ftms_client_get_treadmill(client), s, slog,
			    &info);
	connected = false;
	ck_assert_int_eq(treadmill_connect(ftms_client_get_treadmill(client),
					   on_connected, NULL), 0);
	ck_assert(run_until(is_connected, 2 * USEC_PER_SEC));
}

static void setup(void)
{
	setup_with(NULL, NULL, 0);
}

static void teardown(void)
{
	runner_detach(runner);
	ftms_client_free(client);
	runner_free(runner);
	transport_free(tp);
	session_log_close(slog);
	loop_free(loop);
	unlink(log_path);
}

/* Index of the first Set Target Speed to speed at or after 'from'. */
static long find_speed_cmd(size_t from, uint32_t speed)
{
	for (size_t i = from; i < sim_command_count(sim); i++) {
		const struct sim_command *c = sim_command_get(sim, i);

		if (c->op == FTMS_OP_SET_TARGET_SPEED && c->speed == speed)
			return (long) i;
	}
	return -1;
}

static size_t count_op(size_t from, uint8_t op)
{
	size_t n = 0;

	for (size_t i = from; i < sim_command_count(sim); i++)
		n += sim_command_get(sim, i)->op == op;
	return n;
}

static size_t mark;

static bool walk_cmd_seen(void)
{
	return find_speed_cmd(mark, WALK) >= 0;
}

START_TEST(symptom_mid_jog_reaches_treadmill_within_5ms)
{
	uint64_t press;
	long i;

	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(sim_jogging, 10 * USEC_PER_SEC));
	/* Let the jog settle, then press. */
	run_for(100 * USEC_PER_MSEC);
	mark = sim_command_count(sim);
	press = loop_now(loop);
	ck_assert_int_eq(runner_symptom(runner, SYMPTOM_ANY), 1);
	ck_assert(run_until(walk_cmd_seen, USEC_PER_SEC));
	i = find_speed_cmd(mark, WALK);
	/* It is the first command the treadmill received after the press. */
	ck_assert_int_eq(i, (long) mark);
	/* And it left before any time passed: nothing was waited for. What
	 * that costs in real time is bench/'s figure (symptom latency). */
	ck_assert_uint_eq(sim_command_get(sim, (size_t) i)->time_us, press);
}
END_TEST

START_TEST(later_jogs_scaled_as_the_profile_says)
{
	const struct sim_command *a, *b;
	long j, w;

	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(sim_jogging, 10 * USEC_PER_SEC));
	mark = sim_command_count(sim);
	ck_assert_int_eq(runner_symptom(runner, SYMPTOM_ANY), 1);
	ck_assert(run_until(session_over, 20 * USEC_PER_SEC));

	/* The built-in step 1 halves the next jog; the cut half is walked. */
	j = find_speed_cmd(mark, JOG);
	ck_assert_int_ge(j, 0);
	w = find_speed_cmd((size_t) j, WALK);
	ck_assert_int_ge(w, 0);
	a = sim_command_get(sim, (size_t) j);
	b = sim_command_get(sim, (size_t) w);
	/* 60 s of profile time, to the fake clock's 1 ms step (50 ms of
	 * profile time at speedup 50). */
	ck_assert_uint_ge((b->time_us - a->time_us) * SPEEDUP, 60000000 - 50000);
	ck_assert_uint_le((b->time_us - a->time_us) * SPEEDUP, 60000000 + 50000);
	/* And it ended with a stop, after a walk. */
	ck_assert_uint_eq(sim_command_get(sim, sim_command_count(sim) - 1)->op,
			  FTMS_OP_STOP_OR_PAUSE);
	ck_assert_int_eq(session_state(runner_session(runner)),
			 SESSION_FINISHED);
}
END_TEST

static bool paused(void)
{
	return session_state(runner_session(runner)) == SESSION_PAUSED;
}

START_TEST(no_start_after_console_stop_until_resume)
{
	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(sim_jogging, 10 * USEC_PER_SEC));
	ck_assert_int_eq(sim_console_stop(sim), 0);
	ck_assert(run_until(paused, USEC_PER_SEC));
	mark = sim_command_count(sim);
	/* Two seconds: 100 s of profile time would have passed. */
	run_for(2 * USEC_PER_SEC);
	ck_assert_uint_eq(count_op(mark, FTMS_OP_START_OR_RESUME), 0);
	ck_assert_uint_eq(sim_command_count(sim), mark);

	ck_assert_int_eq(runner_resume(runner), 0);
	ck_assert(run_until(walk_cmd_seen, USEC_PER_SEC));
	ck_assert_uint_eq(count_op(mark, FTMS_OP_START_OR_RESUME), 1);
}
END_TEST

/* ---- the session log: dropped PDUs, refusals, the plan clock ---- */

static char *log_text(void)
{
	FILE *f = fopen(log_path, "r");
	char *buf = paced_malloc(1 << 20);
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* The next line at or after *pos with every needle in it (NULL-ended),
 * copied to line; *pos moves past it. false when there is none. */
static bool next_line(const char *text, size_t *pos, char *line, size_t size,
		      const char *const *needles)
{
	while (text[*pos]) {
		const char *start = text + *pos, *end = strchr(start, '\n');
		size_t len = end ? (size_t) (end - start) : strlen(start);
		bool all = true;

		*pos += len + (end ? 1 : 0);
		if (len >= size)
			continue;
		memcpy(line, start, len);
		line[len] = '\0';
		for (size_t i = 0; needles[i]; i++)
			all = all && strstr(line, needles[i]);
		if (all)
			return true;
	}
	return false;
}

static size_t count_lines(const char *text, const char *const *needles)
{
	char line[1024];
	size_t pos = 0, n = 0;

	while (next_line(text, &pos, line, sizeof(line), needles))
		n++;
	return n;
}

/* Value of "key":N in a line, -1 when absent. */
static long long key_value(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static void setup_malformed(void)
{
	/* Lines at most every 0.5 s (real), to see several and their gaps. */
	setup_with("malformed", NULL, 500);
}

START_TEST(malformed_pdus_logged_as_dropped_rate_limited_and_totalled)
{
	static const char *const dropped[] = { "\"event\":\"dropped\"", NULL };
	static const char *const end[] = { "\"event\":\"end\"", NULL };
	static const char *const alarm[] = { "\"event\":\"alarm\"", NULL };
	struct ftms_client_stats st;
	struct sim_state ss;
	long long last_us = 0, last_total = 0;
	size_t pos = 0, n = 0;
	char line[1024];
	char *text;

	ck_assert_int_eq(runner_start(runner), 0);
	run_for(2 * USEC_PER_SEC);
	ck_assert_int_eq(runner_stop(runner), 0);
	ck_assert(run_until(session_over, 5 * USEC_PER_SEC));
	sim_get_state(sim, &ss);
	ck_assert_uint_gt(ss.malformed_sent, 10);

	text = log_text();
	while (next_line(text, &pos, line, sizeof(line), dropped)) {
		long long us = key_value(line, "mono_us");
		long long total = key_value(line, "malformed");

		/* Running totals that grow, the delta since the last line,
		 * and never two lines within the sample interval. */
		ck_assert_int_gt(total, last_total);
		ck_assert_int_eq(key_value(line, "new_malformed"),
				 total - last_total);
		if (n)
			ck_assert_int_ge(us - last_us, 500000);
		last_us = us;
		last_total = total;
		n++;
	}
	/* 2 s of garbage (about 20 bad PDUs) at 0.5 s per line: at most
	 * 5 lines, not one a PDU; at least 2 even on a slow machine. */
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_le(n, 5);
	/* The end line holds the session's totals: every bad PDU the
	 * client dropped, which is at least what the lines said. */
	pos = 0;
	ck_assert(next_line(text, &pos, line, sizeof(line), end));
	ftms_client_get_stats(client, &st);
	ck_assert_ptr_nonnull(strstr(line, "\"counters\":{"));
	ck_assert_int_ge(key_value(line, "malformed"), last_total);
	ck_assert_int_le(key_value(line, "malformed"),
			 (long long) (st.data_malformed + st.status_malformed +
				      st.att.dropped_malformed));
	ck_assert_int_gt(key_value(line, "malformed"), 0);
	/* Dropped PDUs are never an alarm, never a reason to pause. */
	ck_assert_uint_eq(count_lines(text, alarm), 0);
	free(text);
}
END_TEST

static void setup_deny(void)
{
	setup_with("deny-first-control", NULL, 0);
}

/* The treadmill says 0x05 to the bring-up's Request Control; the client
 * asks again (docs/ftms.md 1.10) and gets it. One "denied" line, before the
 * control-gained status. */
START_TEST(bring_up_control_denial_logged_once)
{
	static const char *const denied[] = { "\"event\":\"denied\"", NULL };
	static const char *const gained[] = { "\"control-gained\"", NULL };
	char line[1024];
	size_t pos = 0, gpos = 0;
	char *text;

	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(sim_jogging, 10 * USEC_PER_SEC));
	text = log_text();
	ck_assert_uint_eq(count_lines(text, denied), 1);
	ck_assert(next_line(text, &pos, line, sizeof(line), denied));
	ck_assert_int_eq(key_value(line, "result"), 5);
	ck_assert_int_eq(key_value(line, "denied"), 1);
	ck_assert_int_eq(key_value(line, "new"), 1);
	ck_assert(next_line(text, &gpos, line, sizeof(line), gained));
	ck_assert_uint_lt(pos, gpos);
	free(text);
}
END_TEST

static bool control_lost_pause(void)
{
	return paused() && session_pause_reason(runner_session(runner)) ==
			   SESSION_PAUSE_CONTROL_LOST;
}

/* Someone takes over at the console while the walk command of a symptom
 * press is on its way: the treadmill refuses it (0x05), and the log
 * says which command was refused. The session's own reaction (pause,
 * control-lost) is unchanged. */
START_TEST(refused_command_logged_as_denied_with_its_op)
{
	static const char *const denied[] = { "\"event\":\"denied\"", NULL };
	char line[1024];
	size_t pos = 0;
	char *text;
	long i;

	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(sim_jogging, 10 * USEC_PER_SEC));
	run_for(100 * USEC_PER_MSEC);
	mark = sim_command_count(sim);
	ck_assert_int_eq(runner_symptom(runner, SYMPTOM_ANY), 1);
	sim_console_take_control(sim);
	ck_assert(run_until(control_lost_pause, USEC_PER_SEC));
	ck_assert(run_until(walk_cmd_seen, USEC_PER_SEC));
	i = find_speed_cmd(mark, WALK);
	ck_assert_uint_eq(sim_command_get(sim, (size_t) i)->result, 0x05);
	run_for(100 * USEC_PER_MSEC);
	text = log_text();
	ck_assert_uint_eq(count_lines(text, denied), 1);
	ck_assert(next_line(text, &pos, line, sizeof(line), denied));
	ck_assert_ptr_nonnull(strstr(line, "\"op\":\"set-speed\""));
	ck_assert_int_eq(key_value(line, "result"), 5);
	ck_assert_int_eq(key_value(line, "new"), 1);
	free(text);
}
END_TEST

static void setup_cp_silent(void)
{
	struct ftms_client_opts opts = { .cp_timeout_us = 500000 };

	setup_with("cp-silent", &opts, 0);
}

/* A control point that grants control and then never answers: the
 * START times out, the session pauses, and the plan clock never ran (at
 * speedup 50 the half second would have been 25 s of plan). */
START_TEST(plan_clock_waits_for_a_start_the_treadmill_never_confirms)
{
	static const char *const pause[] = { "\"reason\":\"command-failed\"",
					     NULL };
	char line[1024];
	size_t pos = 0;
	char *text;

	ck_assert_int_eq(runner_start(runner), 0);
	ck_assert(run_until(paused, 3 * USEC_PER_SEC));
	ck_assert_int_eq(session_pause_reason(runner_session(runner)),
			 SESSION_PAUSE_COMMAND_FAILED);
	ck_assert_uint_eq(session_profile_ms(runner_session(runner),
					     loop_now(loop)), 0);
	ck_assert_uint_eq(count_op(0, FTMS_OP_SET_TARGET_SPEED), 0);
	text = log_text();
	ck_assert(next_line(text, &pos, line, sizeof(line), pause));
	ck_assert_ptr_nonnull(strstr(line, "\"session_s\":0.0"));
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("end-to-end");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, symptom_mid_jog_reaches_treadmill_within_5ms);
	tcase_add_test(tc, later_jogs_scaled_as_the_profile_says);
	tcase_add_test(tc, no_start_after_console_stop_until_resume);
	tcase_add_test(tc, refused_command_logged_as_denied_with_its_op);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup_malformed, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, malformed_pdus_logged_as_dropped_rate_limited_and_totalled);
	suite_add_tcase(s, tc);

	tc = tcase_create("denied");
	tcase_add_checked_fixture(tc, setup_deny, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bring_up_control_denial_logged_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("cp-silent");
	tcase_add_checked_fixture(tc, setup_cp_silent, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, plan_clock_waits_for_a_start_the_treadmill_never_confirms);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
