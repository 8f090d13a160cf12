/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session controller on a fake clock: phases, requests, retries, signals, teardown. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "controller.h"
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
	struct paced_call *call = call_new_plugin(loop, "test", may_start,
						  on_reply, NULL);
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
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
