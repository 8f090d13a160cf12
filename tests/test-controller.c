/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session controller on a fake clock: phases, requests, retries, signals, teardown. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "call.h"
#include "controller.h"
#include "history.h"
#include "sim.h"
#include "json-read.h"
#include "log.h"
#include "plugin.h"
#include "util.h"

static struct fake_clock fc;
static struct loop *loop;
static struct plugin_host *plugins;
static struct controller *ctl;
static struct profile_limits limits;
static char state_dir[] = "/tmp/paced-test-controller-XXXXXX";
static char profile[4096];
static enum controller_phase phases[32];
static unsigned n_phases;
static unsigned n_starts, n_ends, presses_seen, walk_commands;
static char last_reply[4096];
static unsigned replies;

static void on_event(const struct event *ev, void *user_data)
{
	switch (ev->kind) {
	case EVENT_SESSION_START:
		n_starts++;
		break;
	case EVENT_SESSION_END:
		n_ends++;
		break;
	case EVENT_SESSION:
		if (ev->session.kind == SESSION_EV_SYMPTOM &&
		    ev->session.press_number)
			presses_seen++;
		if (ev->session.kind == SESSION_EV_COMMAND &&
		    ev->session.cmd.kind == SESSION_CMD_SET_SPEED &&
		    ev->session.cmd.arg == 500)
			walk_commands++;
		break;
	case EVENT_LINK:
	case EVENT_DROPPED:
	case EVENT_DENIED:
	case EVENT_CUE:
	case EVENT_ERROR:
	case EVENT_LOG:
	case EVENT_EXPORT:
		break;
	}
}

static void on_phase(enum controller_phase phase, void *user_data)
{
	if (n_phases < ARRAY_SIZE(phases))
		phases[n_phases++] = phase;
}

static void setup(void)
{
	const char *b = getenv("top_builddir"), *s = getenv("top_srcdir");
	char dirs[4200];

	snprintf(state_dir, sizeof(state_dir), "/tmp/paced-test-controller-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	snprintf(profile, sizeof(profile), "%s/profiles/demo.cfg", s ? s : "..");
	snprintf(dirs, sizeof(dirs), "%s/plugins/.libs", b ? b : ".");
	setenv("PACED_PLUGIN_PATH", dirs, 1);
	fake_clock_init(&fc, 1000 * USEC_PER_SEC);
	loop = loop_new(&fc.clock);
	plugins = plugin_host_new(loop, NULL, NULL);
	plugin_host_set_quiet(plugins, true);
	ctl = controller_new(loop, plugins);
	controller_set_listener(ctl, &(struct controller_listener) {
		.event = on_event, .phase = on_phase,
	}, NULL);
	profile_limits_default(&limits);
	n_phases = n_starts = n_ends = presses_seen = walk_commands = 0;
	replies = 0;
	last_reply[0] = '\0';
}

static void teardown(void)
{
	char cmd[200];

	controller_free(ctl);
	plugin_host_free(plugins);
	loop_free(loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Work through everything due now, then let 1 ms pass; until cond. */
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

static bool running(void)
{
	return controller_phase(ctl) == CONTROLLER_RUNNING &&
	       controller_session(ctl) &&
	       session_state(controller_session(ctl)) == SESSION_RUNNING;
}

static bool idle(void)
{
	return controller_phase(ctl) == CONTROLLER_IDLE;
}

static bool replied(void)
{
	return replies > 0;
}

static void start(uint32_t speedup)
{
	struct controller_request req = {
		.treadmill = "sim", .limits = &limits, .speedup = speedup,
		.state_dir = state_dir, .profile_path = profile,
		.plugin_dir = "/nonexistent",
	};
	struct controller_error err;

	ck_assert_msg(controller_start(ctl, &req, &err) == 0, "%s", err.text);
}

static void on_reply(const char *json, void *user_data)
{
	snprintf(last_reply, sizeof(last_reply), "%s", json);
	replies++;
}

/* A request line as a plugin would send it, answered into last_reply. */
static void request(const char *line, bool may_start)
{
	static struct call_list calls;
	struct paced_call *call = call_new_plugin(loop, &calls, "test",
						  may_start, on_reply, NULL);
	struct ctl_request req;
	const char *error;

	ck_assert_int_eq(ctl_parse_request(line, strlen(line), &req, &error), 0);
	replies = 0;
	controller_request(ctl, call, &req, NULL, NULL);
	/* Answers come from the loop, never from inside the call. */
	ck_assert_uint_eq(replies, 0);
	ck_assert(run_until(replied, USEC_PER_SEC));
}

static bool reply_ok(void)
{
	struct json_value *v = json_parse(last_reply, strlen(last_reply), NULL);
	bool ok = false;

	ck_assert_ptr_nonnull(v);
	ck_assert(json_get_bool(v, "ok", &ok));
	json_value_free(v);
	return ok;
}

/* IDLE, CONNECTING, RUNNING, STOPPING, IDLE: one session, one teardown,
 * one session-start and one session-end. */
START_TEST(phases_of_a_session_stopped_by_the_person)
{
	start(100);
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_CONNECTING);
	ck_assert(run_until(running, 5 * USEC_PER_SEC));
	ck_assert_int_eq(controller_stop(ctl), 0);
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_STOPPING);
	ck_assert(run_until(idle, 10 * USEC_PER_SEC));
	ck_assert_uint_eq(n_phases, 4);
	ck_assert_int_eq(phases[0], CONTROLLER_CONNECTING);
	ck_assert_int_eq(phases[1], CONTROLLER_RUNNING);
	ck_assert_int_eq(phases[2], CONTROLLER_STOPPING);
	ck_assert_int_eq(phases[3], CONTROLLER_IDLE);
	ck_assert_uint_eq(n_starts, 1);
	ck_assert_uint_eq(n_ends, 1);
	ck_assert_int_eq(controller_outcome(ctl), CONTROLLER_OUTCOME_ENDED_EARLY);
	/* Idle again: a new session may start. */
	ck_assert_int_eq(controller_stop(ctl), -ESRCH);
}
END_TEST

START_TEST(a_second_start_is_refused_while_one_runs)
{
	struct controller_request req = {
		.treadmill = "sim", .limits = &limits, .speedup = 100,
		.state_dir = state_dir, .profile_path = profile,
		.plugin_dir = "/nonexistent",
	};
	struct controller_error err;

	start(100);
	ck_assert_int_eq(controller_start(ctl, &req, &err), -EBUSY);
	ck_assert_int_eq(err.kind, CONTROLLER_ERR_BUSY);
	ck_assert_str_eq(err.text, "a session is already running");
}
END_TEST

/* A stop before the treadmill answered: nothing ran, no history line. */
START_TEST(stop_before_the_treadmill_answers_cancels_the_session)
{
	char path[4200];

	start(100);
	ck_assert_int_eq(controller_stop(ctl), 0);
	ck_assert(run_until(idle, USEC_PER_SEC));
	ck_assert_uint_eq(n_ends, 1);
	snprintf(path, sizeof(path), "%s/history.jsonl", state_dir);
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/*
 * pacectl retries a press it got no answer for, with the same id: the
 * controller answers the retry with the first answer and does not press
 * again (a retried press must not be two presses).
 */
START_TEST(retried_request_with_the_same_id_acts_once)
{
	char first[4096];

	start(20);
	ck_assert(run_until(running, 5 * USEC_PER_SEC));
	request("id=press-1 symptom leak", false);
	ck_assert(reply_ok());
	ck_assert_ptr_nonnull(strstr(last_reply, "\"press\":1"));
	snprintf(first, sizeof(first), "%s", last_reply);
	run_until(NULL, 500 * USEC_PER_MSEC);
	request("id=press-1 symptom leak", false);
	ck_assert_str_eq(last_reply, first);
	ck_assert_uint_eq(session_presses(controller_session(ctl)), 1);
	ck_assert_uint_eq(presses_seen, 1);
	/* Another id is another press (outside the debounce). */
	run_until(NULL, 5 * USEC_PER_SEC);
	request("id=press-2 symptom", false);
	ck_assert_ptr_nonnull(strstr(last_reply, "\"press\":2"));
	ck_assert_uint_eq(presses_seen, 2);
}
END_TEST

/* From a front end that may not start the belt (MQTT), resume is refused
 * and nothing happens; pause and symptom act at once. */
START_TEST(resume_needs_a_deliberate_act)
{
	start(20);
	ck_assert(run_until(running, 5 * USEC_PER_SEC));
	request("pause", false);
	ck_assert(reply_ok());
	ck_assert_int_eq(session_state(controller_session(ctl)), SESSION_PAUSED);
	request("resume", false);
	ck_assert(!reply_ok());
	ck_assert_ptr_nonnull(strstr(last_reply, "deliberate act"));
	ck_assert_int_eq(session_state(controller_session(ctl)), SESSION_PAUSED);
	request("resume", true);
	ck_assert(reply_ok());
}
END_TEST

/*
 * GNU timeout signals the child and its process group: two SIGTERMs a
 * few µs apart are one request. The stop (walk, then stop) goes out and
 * the session winds down; only a signal a second later abandons it.
 */
START_TEST(repeated_signal_within_a_second_counts_once)
{
	start(20);
	ck_assert(run_until(running, 5 * USEC_PER_SEC));
	ck_assert(!controller_signal(ctl));
	ck_assert(!controller_signal(ctl));
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_STOPPING);
	ck_assert(run_until(idle, 10 * USEC_PER_SEC));
	/* It stopped the belt: walk pace, then the stop was confirmed. */
	ck_assert_uint_ge(walk_commands, 1);
	ck_assert_int_eq(controller_outcome(ctl), CONTROLLER_OUTCOME_ENDED_EARLY);
}
END_TEST

START_TEST(a_signal_a_second_later_is_the_person_insisting)
{
	start(20);
	ck_assert(run_until(running, 5 * USEC_PER_SEC));
	ck_assert(!controller_signal(ctl));
	fake_clock_advance(&fc, USEC_PER_SEC + 1);
	ck_assert(controller_signal(ctl));
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_IDLE);
}
END_TEST

/* An address no driver plugin takes: refused, nothing left behind. */
START_TEST(an_address_no_driver_takes_is_a_usage_error)
{
	struct controller_request req = {
		.treadmill = "nowhere:1", .limits = &limits, .speedup = 1,
		.state_dir = state_dir, .profile_path = profile,
		.plugin_dir = "/nonexistent",
	};
	struct controller_error err;

	ck_assert_int_eq(controller_start(ctl, &req, &err), -EINVAL);
	ck_assert_int_eq(err.kind, CONTROLLER_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.text, "nowhere:1: not a treadmill address"));
	ck_assert_ptr_nonnull(strstr(err.text, "sim | unix:PATH"));
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_IDLE);
	ck_assert_uint_eq(n_starts, 0);
	ck_assert_uint_eq(n_ends, 0);
}
END_TEST

/* ---- a treadmill that outlives paced: a simulator on unix:PATH ---- */

static struct sim *tsim;
static int sim_listen = -1;
static char sim_addr[200];

static bool on_sim_accept(int fd, uint32_t events, void *user_data)
{
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (c >= 0 && sim_attach(tsim, c, true) < 0)
		close(c);
	return true;
}

/* The simulator runs on the test's loop and clock, as paced-sim runs
 * beside paced: its belt keeps going whatever happens to paced. */
static void sim_up(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sim_config cfg;

	sim_config_init(&cfg);
	tsim = sim_new(loop, &cfg);
	ck_assert_ptr_nonnull(tsim);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sim.sock", state_dir);
	snprintf(sim_addr, sizeof(sim_addr), "unix:%s", sun.sun_path);
	sim_listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			    SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sim_listen, 0);
	ck_assert_int_eq(bind(sim_listen, (struct sockaddr *) &sun,
			      sizeof(sun)), 0);
	ck_assert_int_eq(listen(sim_listen, 4), 0);
	ck_assert_int_gt(loop_add_fd(loop, sim_listen, EPOLLIN, on_sim_accept,
				     NULL, NULL), 0);
}

static void sim_down(void)
{
	sim_free(tsim);
	tsim = NULL;
	close(sim_listen);
	sim_listen = -1;
}

static uint16_t sim_speed(void)
{
	struct sim_state st;

	sim_get_state(tsim, &st);
	return st.speed;
}

static bool sim_jogging(void)
{
	return sim_speed() > 700;
}

static bool sim_walking(void)
{
	return sim_speed() == 500;
}

static struct controller_request sim_request(void)
{
	return (struct controller_request) {
		.treadmill = sim_addr, .limits = &limits, .speedup = 20,
		.state_dir = state_dir, .profile_path = profile,
		.plugin_dir = "/nonexistent",
	};
}

/* Control point writes since command n: how many of opcode op. */
static unsigned sim_commands_since(size_t n, uint8_t op)
{
	unsigned k = 0;

	for (size_t i = n; i < sim_command_count(tsim); i++)
		if (sim_command_get(tsim, i)->op == op)
			k++;
	return k;
}

/* The highest Set Target Speed (0x02) since command n, 0.01 km/h. */
static unsigned sim_fastest_since(size_t n)
{
	unsigned v = 0;

	for (size_t i = n; i < sim_command_count(tsim); i++) {
		const struct sim_command *c = sim_command_get(tsim, i);

		if (c->op == 0x02 && c->raw_len >= 3)
			v = MAX(v, (unsigned) (c->raw[1] | c->raw[2] << 8));
	}
	return v;
}

/*
 * A session jogging when paced dies (controller_abandon() sends nothing,
 * as a SIGKILL does): the belt jogs on. Returns the interrupted log.
 */
static void crash_mid_jog(char *log, size_t len)
{
	struct controller_request req = sim_request();
	struct controller_error err;

	sim_up();
	ck_assert_msg(controller_start(ctl, &req, &err) == 0, "%s", err.text);
	ck_assert(run_until(sim_jogging, 30 * USEC_PER_SEC));
	controller_abandon(ctl);
	controller_free(ctl);
	ctl = controller_new(loop, plugins);
	controller_set_listener(ctl, &(struct controller_listener) {
		.event = on_event, .phase = on_phase,
	}, NULL);
	run_until(NULL, USEC_PER_SEC);
	ck_assert(sim_jogging());
	/* What the restarted paced finds. */
	ck_assert_int_eq(history_recover_newest(state_dir, log, len), 1);
	ck_assert_ptr_nonnull(strstr(log, "/sessions/"));
}

static bool taken_over(void)
{
	const struct session *s = controller_session(ctl);

	return s && controller_phase(ctl) == CONTROLLER_RUNNING &&
	       session_state(s) == SESSION_PAUSED &&
	       session_pause_reason(s) == SESSION_PAUSE_RESTART;
}

/*
 * After a crash mid-jog, the restarted paced takes the session over on
 * the same treadmill: the belt comes down to walking pace (never a
 * start, nothing faster), and stays there.
 */
START_TEST(safety_belt_slowed_after_crash_restart)
{
	struct controller_request req;
	struct controller_error err;
	char log[4400];
	size_t mark;

	crash_mid_jog(log, sizeof(log));
	mark = sim_command_count(tsim);
	req = sim_request();
	req.profile_path = "/nonexistent/another.cfg";	/* not used */
	ck_assert_msg(controller_recover(ctl, &req, log, &err) == 0, "%s",
		      err.text);
	ck_assert_str_eq(controller_info(ctl)->recovered_from, log);
	ck_assert(run_until(sim_walking, 30 * USEC_PER_SEC));
	/* One speed, walking pace, and never a start (0x07). */
	ck_assert_uint_eq(sim_fastest_since(mark), 500);
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 0);
	run_until(NULL, 20 * USEC_PER_SEC);
	ck_assert(sim_walking());
	ck_assert_uint_eq(sim_fastest_since(mark), 500);
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 0);
	controller_abandon(ctl);
	sim_down();
}
END_TEST

/*
 * The session taken over waits paused: no plan time passes, nothing
 * moves the belt until an explicit resume, which goes to walking pace
 * with a recovery walk; a press meanwhile is a press of that session.
 */
START_TEST(safety_recovered_session_waits_paused)
{
	struct controller_request req;
	struct controller_error err;
	const struct session *s;
	char log[4400];
	uint32_t at;
	size_t mark;

	crash_mid_jog(log, sizeof(log));
	req = sim_request();
	ck_assert_msg(controller_recover(ctl, &req, log, &err) == 0, "%s",
		      err.text);
	ck_assert(run_until(taken_over, 10 * USEC_PER_SEC));
	ck_assert(run_until(sim_walking, 30 * USEC_PER_SEC));
	s = controller_session(ctl);
	/* Where it was: in the main part, past the warm-up's 1:30. */
	at = session_profile_ms(s, fc.now_us);
	ck_assert_uint_ge(at, 90000);
	mark = sim_command_count(tsim);
	run_until(NULL, 60 * USEC_PER_SEC);
	ck_assert(taken_over());
	ck_assert_uint_eq(session_profile_ms(s, fc.now_us), at);
	ck_assert_uint_eq(sim_command_count(tsim), mark);
	ck_assert(sim_walking());
	request("status", false);
	ck_assert_ptr_nonnull(strstr(last_reply, "\"state\":\"paused\""));
	ck_assert_ptr_nonnull(strstr(last_reply, "\"reason\":\"restarted\""));
	ck_assert_ptr_nonnull(strstr(last_reply, "\"recovered_from\""));
	/* A front end that may not start the belt cannot resume it. */
	request("resume", false);
	ck_assert(!reply_ok());
	ck_assert(taken_over());
	request("resume", true);
	ck_assert(reply_ok());
	/* Resumed at walking pace, in a recovery walk (it was jogging):
	 * nothing faster went out in the walk's first second. */
	run_until(NULL, USEC_PER_SEC);
	ck_assert_int_eq(session_state(s), SESSION_RECOVERY);
	ck_assert_uint_le(sim_fastest_since(mark), 500);
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 1);
	ck_assert(sim_walking());
	controller_abandon(ctl);
	sim_down();
}
END_TEST

/*
 * The interrupted session's line already counts its presses: the
 * takeover's line counts only the presses after the restart, so the
 * programme sees each press once.
 */
START_TEST(takeover_counts_each_press_once_in_the_history)
{
	struct controller_request req = sim_request();
	struct controller_error err;
	struct history_entry *e = NULL;
	char log[4400];
	long n;

	sim_up();
	ck_assert_msg(controller_start(ctl, &req, &err) == 0, "%s", err.text);
	ck_assert(run_until(sim_jogging, 30 * USEC_PER_SEC));
	ck_assert_int_eq(controller_symptom(ctl, SYMPTOM_LEAK), 1);
	run_until(NULL, USEC_PER_SEC);
	controller_abandon(ctl);
	controller_free(ctl);
	ctl = controller_new(loop, plugins);
	controller_set_listener(ctl, &(struct controller_listener) {
		.event = on_event, .phase = on_phase,
	}, NULL);
	ck_assert_int_eq(history_recover_newest(state_dir, log, sizeof(log)), 1);
	ck_assert_msg(controller_recover(ctl, &req, log, &err) == 0, "%s",
		      err.text);
	ck_assert(run_until(taken_over, 10 * USEC_PER_SEC));
	/* The replayed press is in the session, not a new one. */
	ck_assert_uint_eq(session_presses(controller_session(ctl)), 1);
	ck_assert_int_eq(controller_end(ctl), 0);
	ck_assert(run_until(idle, 30 * USEC_PER_SEC));
	/* (controller_abandon() wrote a line of its own first: a real
	 * crash writes none. The last two are the ones that count.) */
	n = history_load(state_dir, &e, NULL);
	ck_assert_int_ge(n, 2);
	ck_assert_str_eq(e[n - 2].outcome, "interrupted");
	ck_assert_uint_eq(e[n - 2].presses, 1);
	ck_assert_uint_eq(e[n - 1].presses, 0);
	ck_assert_str_eq(e[n - 1].profile, e[n - 2].profile);
	free(e);
	sim_down();
}
END_TEST

/* A belt found stopped is left stopped: no start, no speed. */
START_TEST(recovered_session_never_starts_a_stopped_belt)
{
	struct controller_request req;
	struct controller_error err;
	char log[4400];
	size_t mark;

	crash_mid_jog(log, sizeof(log));
	ck_assert_int_eq(sim_console_stop(tsim), 0);
	ck_assert(run_until(NULL, 10 * USEC_PER_SEC));
	ck_assert_uint_eq(sim_speed(), 0);
	mark = sim_command_count(tsim);
	req = sim_request();
	ck_assert_msg(controller_recover(ctl, &req, log, &err) == 0, "%s",
		      err.text);
	ck_assert(run_until(taken_over, 10 * USEC_PER_SEC));
	run_until(NULL, 30 * USEC_PER_SEC);
	ck_assert(taken_over());
	ck_assert_uint_eq(sim_speed(), 0);
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 0);
	ck_assert_uint_eq(sim_commands_since(mark, 0x02), 0);
	/* Ending it: no cool-down to run, the session is over. */
	ck_assert_int_eq(controller_end(ctl), 0);
	ck_assert(run_until(idle, 10 * USEC_PER_SEC));
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 0);
	ck_assert_uint_eq(sim_speed(), 0);
	sim_down();
}
END_TEST

/*
 * No session, but paced can reach the treadmill: a press connects, brings
 * a belt someone runs on at 7.5 km/h down to walking pace (no start,
 * nothing faster), is answered ok with what it does, and lets go.
 */
START_TEST(safety_symptom_without_session_sends_walk_pace)
{
	struct controller_request req;

	sim_up();
	req = sim_request();
	controller_set_default(ctl, &req);
	ck_assert_int_eq(sim_console_start(tsim), 0);
	ck_assert_int_eq(sim_console_set_speed(tsim, 750), 0);
	ck_assert(run_until(sim_jogging, 20 * USEC_PER_SEC));
	request("symptom", false);
	ck_assert(reply_ok());
	ck_assert_msg(strstr(last_reply, "walking pace goes to the treadmill"),
		      "%s", last_reply);
	ck_assert(run_until(sim_walking, 20 * USEC_PER_SEC));
	ck_assert_uint_eq(sim_fastest_since(0), 500);
	ck_assert_uint_eq(sim_commands_since(0, 0x07), 0);
	/* It lets go: the treadmill is free for a session. */
	run_until(NULL, 20 * USEC_PER_SEC);
	ck_assert(!sim_is_attached(tsim));
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_IDLE);
	/* A belt at or below walking pace gets nothing. */
	ck_assert_int_eq(sim_console_stop(tsim), 0);
	run_until(NULL, 10 * USEC_PER_SEC);
	request("symptom", false);
	ck_assert(reply_ok());
	run_until(NULL, 20 * USEC_PER_SEC);
	ck_assert_uint_eq(sim_commands_since(0, 0x07), 0);
	ck_assert_uint_eq(sim_fastest_since(0), 500);
	ck_assert_uint_eq(sim_speed(), 0);
	/* Without a treadmill to reach, the answer is the old one. */
	controller_set_default(ctl, NULL);
	request("symptom", false);
	ck_assert(!reply_ok());
	ck_assert_ptr_nonnull(strstr(last_reply, "no session running"));
	sim_down();
}
END_TEST

/* A log the restart cannot read (or a profile gone) still gets the belt
 * to walking pace: the session is lost, the safety is not. */
START_TEST(safety_belt_slowed_when_the_session_cannot_be_taken_over)
{
	struct controller_request req;
	struct controller_error err;
	char log[4400];
	size_t mark;
	FILE *f;

	crash_mid_jog(log, sizeof(log));
	f = fopen(log, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"event\":\"open\"}\n", f);
	fclose(f);
	mark = sim_command_count(tsim);
	req = sim_request();
	controller_set_default(ctl, &req);
	ck_assert_int_lt(controller_recover(ctl, &req, log, &err), 0);
	ck_assert_int_eq(controller_phase(ctl), CONTROLLER_IDLE);
	ck_assert(run_until(sim_walking, 30 * USEC_PER_SEC));
	ck_assert_uint_eq(sim_fastest_since(mark), 500);
	ck_assert_uint_eq(sim_commands_since(mark, 0x07), 0);
	run_until(NULL, 20 * USEC_PER_SEC);
	sim_down();
}
END_TEST

/* Two paced on one state directory: the second is refused, naming the
 * first; the lock goes with the first one's descriptor. */
START_TEST(state_dir_locked_against_a_second_paced)
{
	char why[512];
	int a, b;

	a = controller_lock_state(state_dir, "the service", why, sizeof(why));
	ck_assert_int_ge(a, 0);
	b = controller_lock_state(state_dir, "paced run", why, sizeof(why));
	ck_assert_int_eq(b, -EWOULDBLOCK);
	ck_assert_msg(strstr(why, "in use by the service (pid "), "%s", why);
	ck_assert_ptr_nonnull(strstr(why, state_dir));
	close(a);
	b = controller_lock_state(state_dir, "paced run", why, sizeof(why));
	ck_assert_int_ge(b, 0);
	close(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("controller");
	TCase *tc = tcase_create("controller");
	SRunner *sr;
	int failed;

	log_init("test-controller", LOG_TARGET_STDERR, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, phases_of_a_session_stopped_by_the_person);
	tcase_add_test(tc, a_second_start_is_refused_while_one_runs);
	tcase_add_test(tc, stop_before_the_treadmill_answers_cancels_the_session);
	tcase_add_test(tc, retried_request_with_the_same_id_acts_once);
	tcase_add_test(tc, resume_needs_a_deliberate_act);
	tcase_add_test(tc, repeated_signal_within_a_second_counts_once);
	tcase_add_test(tc, a_signal_a_second_later_is_the_person_insisting);
	tcase_add_test(tc, an_address_no_driver_takes_is_a_usage_error);
	tcase_add_test(tc, safety_belt_slowed_after_crash_restart);
	tcase_add_test(tc, safety_recovered_session_waits_paused);
	tcase_add_test(tc, takeover_counts_each_press_once_in_the_history);
	tcase_add_test(tc, recovered_session_never_starts_a_stopped_belt);
	tcase_add_test(tc, safety_symptom_without_session_sends_walk_pace);
	tcase_add_test(tc, safety_belt_slowed_when_the_session_cannot_be_taken_over);
	tcase_add_test(tc, state_dir_locked_against_a_second_paced);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
