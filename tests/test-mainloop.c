/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Event loop: timers on a fake and a real clock, fds, signals, removal. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include "mainloop.h"
#include "util.h"

static struct fake_clock fc;
static struct loop *loop;

static void setup(void)
{
	fake_clock_init(&fc, 1000000);
	loop = loop_new(&fc.clock);
	ck_assert_ptr_nonnull(loop);
}

static void teardown(void)
{
	loop_free(loop);
}

struct rec {
	int n;
	int order[16];
	uint64_t at[16];
	int tag;
};

struct tctx {
	struct rec *rec;
	int tag;
	int repeat;		/* periodic: fire this many times */
};

static bool record(void *user_data)
{
	struct tctx *t = user_data;
	struct rec *r = t->rec;

	r->order[r->n] = t->tag;
	r->at[r->n] = loop_now(loop);
	r->n++;
	return --t->repeat > 0;
}

START_TEST(timers_fire_in_deadline_order)
{
	struct rec r = { 0 };
	struct tctx a = { &r, 1, 1 }, b = { &r, 2, 1 }, c = { &r, 3, 1 };

	/* Added out of order on purpose. */
	ck_assert_int_gt(loop_add_timer(loop, 1300000, 0, record, &c, NULL), 0);
	ck_assert_int_gt(loop_add_timer(loop, 1100000, 0, record, &a, NULL), 0);
	ck_assert_int_gt(loop_add_timer(loop, 1200000, 0, record, &b, NULL), 0);

	/* Nothing is due yet. */
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 0);

	fake_clock_advance(&fc, 100000);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.order[0], 1);
	ck_assert_uint_eq(r.at[0], 1100000);

	/* A jump past both remaining deadlines fires them in order. */
	fake_clock_advance(&fc, 500000);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(r.order[1], 2);
	ck_assert_int_eq(r.order[2], 3);

	/* One-shot timers are gone. */
	fake_clock_advance(&fc, 5000000);
	ck_assert_int_eq(loop_iterate(loop, 0), 0);
}
END_TEST

START_TEST(periodic_timer_keeps_absolute_deadlines)
{
	struct rec r = { 0 };
	struct tctx t = { &r, 7, 4 };
	int id;

	id = loop_add_timeout(loop, 250000, true, record, &t, NULL);
	ck_assert_int_gt(id, 0);

	/* Late by 30 ms each time: the next deadline must not slip. */
	for (int i = 1; i <= 3; i++) {
		fc.now_us = 1000000 + i * 250000 + 30000;
		loop_iterate(loop, 0);
		ck_assert_int_eq(r.n, i);
	}
	/* Each period counts from the previous deadline, not the firing. */
	fc.now_us = 1000000 + 4 * 250000;
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 4);
	/* The fourth call returned false: removed. */
	ck_assert(!loop_remove(loop, id));
}
END_TEST

static bool resched_once(void *user_data)
{
	struct tctx *t = user_data;
	int *id = (int *) &t->repeat;

	t->rec->order[t->rec->n++] = t->tag;
	if (t->rec->n == 1)
		ck_assert_int_eq(loop_timer_reschedule(loop, *id,
						       loop_now(loop) + 10), 0);
	return false;
}

START_TEST(timer_reschedules_itself)
{
	struct rec r = { 0 };
	struct tctx t = { &r, 5, 0 };

	t.repeat = loop_add_timeout(loop, 100, false, resched_once, &t, NULL);
	fake_clock_advance(&fc, 100);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 1);
	fake_clock_advance(&fc, 10);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 2);
	fake_clock_advance(&fc, 1000);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 2);
}
END_TEST

static int destroyed;

static void count_destroy(void *user_data)
{
	destroyed++;
}

struct fdctx {
	int id;
	int calls;
	bool remove_self;
	bool remove_other;
	int other_id;
};

static bool on_readable(int fd, uint32_t events, void *user_data)
{
	struct fdctx *f = user_data;
	char buf[16];

	f->calls++;
	(void) !read(fd, buf, sizeof(buf));
	if (f->remove_other)
		ck_assert(loop_remove(loop, f->other_id));
	if (f->remove_self)
		ck_assert(loop_remove(loop, f->id));
	return true;
}

START_TEST(fd_watch_dispatches_and_stops)
{
	struct fdctx f = { 0 };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	destroyed = 0;
	f.id = loop_add_fd(loop, sv[0], EPOLLIN, on_readable, &f,
			   count_destroy);
	ck_assert_int_gt(f.id, 0);

	ck_assert_int_eq(loop_iterate(loop, 0), 0);
	ck_assert_int_eq(write(sv[1], "x", 1), 1);
	ck_assert_int_eq(loop_iterate(loop, 100), 1);
	ck_assert_int_eq(f.calls, 1);

	/* Removing a watch from inside its own callback is safe. */
	f.remove_self = true;
	ck_assert_int_eq(write(sv[1], "y", 1), 1);
	loop_iterate(loop, 100);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_int_eq(destroyed, 1);
	ck_assert_int_eq(write(sv[1], "z", 1), 1);
	ck_assert_int_eq(loop_iterate(loop, 0), 0);
	ck_assert_int_eq(f.calls, 2);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(removal_of_pending_watch_during_dispatch)
{
	struct fdctx a = { 0 }, b = { 0 };
	int s1[2], s2[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s1), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, s2), 0);
	destroyed = 0;
	a.id = loop_add_fd(loop, s1[0], EPOLLIN, on_readable, &a,
			   count_destroy);
	b.id = loop_add_fd(loop, s2[0], EPOLLIN, on_readable, &b,
			   count_destroy);
	/* Both become ready in the same round; whichever runs first
	 * removes the other, which must then not be called. */
	a.remove_other = true;
	a.other_id = b.id;
	b.remove_other = true;
	b.other_id = a.id;
	ck_assert_int_eq(write(s1[1], "x", 1), 1);
	ck_assert_int_eq(write(s2[1], "x", 1), 1);
	ck_assert_int_eq(loop_iterate(loop, 100), 1);
	ck_assert_int_eq(a.calls + b.calls, 1);
	ck_assert_int_eq(destroyed, 1);
	close(s1[0]);
	close(s1[1]);
	close(s2[0]);
	close(s2[1]);
}
END_TEST

static bool false_once(int fd, uint32_t events, void *user_data)
{
	char buf[4];

	(void) !read(fd, buf, sizeof(buf));
	(*(int *) user_data)++;
	return false;
}

START_TEST(fd_callback_returning_false_removes)
{
	int sv[2], calls = 0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	destroyed = 0;
	ck_assert_int_gt(loop_add_fd(loop, sv[0], EPOLLIN, false_once, &calls,
				     count_destroy), 0);
	ck_assert_int_eq(write(sv[1], "a", 1), 1);
	loop_iterate(loop, 100);
	ck_assert_int_eq(write(sv[1], "b", 1), 1);
	loop_iterate(loop, 0);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(destroyed, 1);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/*
 * A callback that removes its own watch, closes the fd, opens another
 * that gets the same number and watches it, then returns false: the new
 * watch must survive (the loop must not take the fd number out of epoll
 * a second time).
 */
struct reuse {
	int fd, peer;		/* watched end, and its peer */
	int id;
	int new_fd, new_peer;
	int new_calls;
};

static bool on_new_fd(int fd, uint32_t events, void *user_data)
{
	struct reuse *r = user_data;
	char c;

	(void) !read(fd, &c, 1);
	r->new_calls++;
	return true;
}

static bool remove_close_reopen(int fd, uint32_t events, void *user_data)
{
	struct reuse *r = user_data;
	int sv[2];

	ck_assert(loop_remove(loop, r->id));
	close(r->fd);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	/* The lowest free number is the one just closed. */
	ck_assert_int_eq(sv[0], r->fd);
	r->new_fd = sv[0];
	r->new_peer = sv[1];
	ck_assert_int_gt(loop_add_fd(loop, r->new_fd, EPOLLIN, on_new_fd, r,
				     NULL), 0);
	return false;
}

START_TEST(fd_number_reused_inside_callback)
{
	struct reuse r = { 0 };
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	r.fd = sv[0];
	r.peer = sv[1];
	r.id = loop_add_fd(loop, r.fd, EPOLLIN, remove_close_reopen, &r, NULL);
	ck_assert_int_gt(r.id, 0);
	ck_assert_int_eq(write(r.peer, "a", 1), 1);
	loop_iterate(loop, 100);
	ck_assert_int_eq(write(r.new_peer, "b", 1), 1);
	loop_iterate(loop, 100);
	ck_assert_int_eq(r.new_calls, 1);
	close(r.peer);
	close(r.new_fd);
	close(r.new_peer);
}
END_TEST

START_TEST(bad_fd_is_refused)
{
	int calls = 0;

	destroyed = 0;
	ck_assert_int_eq(loop_add_fd(loop, -1, EPOLLIN, false_once, &calls,
				     count_destroy), -EINVAL);
	ck_assert_int_eq(loop_add_fd(loop, 999, EPOLLIN, false_once, &calls,
				     count_destroy), -EBADF);
	/* A registration that never happened never runs destroy. */
	ck_assert_int_eq(destroyed, 0);
}
END_TEST

static int got_signo;

static void on_signal(int signo, void *user_data)
{
	got_signo = signo;
	loop_quit(loop, 42);
}

START_TEST(signal_delivered_through_loop)
{
	got_signo = 0;
	ck_assert_int_gt(loop_add_signal(loop, SIGUSR1, on_signal, NULL, NULL),
			 0);
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	ck_assert_int_eq(loop_run(loop), 42);
	ck_assert_int_eq(got_signo, SIGUSR1);
}
END_TEST

static bool idle_thrice(void *user_data)
{
	return ++*(int *) user_data < 3;
}

START_TEST(idle_runs_until_false)
{
	int n = 0;

	destroyed = 0;
	ck_assert_int_gt(loop_add_idle(loop, idle_thrice, &n, count_destroy), 0);
	/* -1 would block forever, but never while an idle callback lives. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(loop_iterate(loop, -1), 1);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(loop_iterate(loop, 0), 0);
	ck_assert_int_eq(destroyed, 1);
}
END_TEST

START_TEST(remove_timer_before_due)
{
	struct rec r = { 0 };
	struct tctx t = { &r, 1, 1 };
	int id;

	destroyed = 0;
	id = loop_add_timeout(loop, 10, false, record, &t, count_destroy);
	ck_assert(loop_remove(loop, id));
	ck_assert(!loop_remove(loop, id));
	ck_assert_int_eq(destroyed, 1);
	fake_clock_advance(&fc, 100);
	loop_iterate(loop, 0);
	ck_assert_int_eq(r.n, 0);
}
END_TEST

static bool quit_now(void *user_data)
{
	loop_quit(user_data, 0);
	return false;
}

START_TEST(real_clock_timer_fires_on_time)
{
	struct loop *rl = loop_new(NULL);
	uint64_t start = loop_now(rl);

	ck_assert_ptr_nonnull(rl);
	ck_assert_int_gt(loop_add_timer(rl, start + 20000, 0, quit_now, rl,
					NULL), 0);
	ck_assert_int_eq(loop_run(rl), 0);
	/* timerfd with an absolute deadline: never early. */
	ck_assert_uint_ge(loop_now(rl), start + 20000);
	ck_assert_uint_lt(loop_now(rl), start + 20000 + 200000);
	loop_free(rl);
}
END_TEST

static Suite *mainloop_suite(void)
{
	Suite *s = suite_create("mainloop");
	TCase *tc;

	tc = tcase_create("timers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, timers_fire_in_deadline_order);
	tcase_add_test(tc, periodic_timer_keeps_absolute_deadlines);
	tcase_add_test(tc, timer_reschedules_itself);
	tcase_add_test(tc, remove_timer_before_due);
	tcase_add_test(tc, real_clock_timer_fires_on_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("fds");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, fd_watch_dispatches_and_stops);
	tcase_add_test(tc, removal_of_pending_watch_during_dispatch);
	tcase_add_test(tc, fd_callback_returning_false_removes);
	tcase_add_test(tc, fd_number_reused_inside_callback);
	tcase_add_test(tc, bad_fd_is_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("signals-idle");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, signal_delivered_through_loop);
	tcase_add_test(tc, idle_runs_until_false);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mainloop_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
