/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-threaded epoll event loop: fds, timers, signals, idle callbacks. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "mainloop.h"
#include "util.h"

#define MAX_EPOLL_EVENTS 16
#define DISARMED UINT64_MAX

enum watch_type {
	WATCH_FD,
	WATCH_TIMER,
	WATCH_SIGNAL,
	WATCH_IDLE,
};

struct watch {
	int id;
	enum watch_type type;
	bool dead;		/* removed; freed after the current dispatch */
	bool rescheduled;	/* timer moved from inside its own callback */
	int fd;			/* WATCH_FD: borrowed */
	int signo;		/* WATCH_SIGNAL */
	uint64_t deadline;	/* WATCH_TIMER: absolute, loop clock µs */
	uint64_t period;	/* WATCH_TIMER: 0 for one-shot */
	union {
		loop_fd_func_t fd;
		loop_timer_func_t timer;
		loop_signal_func_t signal;
		loop_idle_func_t idle;
	} func;
	void *user_data;
	loop_destroy_func_t destroy;
	struct watch *next;
};

struct loop {
	const struct clock *clk;
	bool real_clock;	/* arm the timerfd only for CLOCK_MONOTONIC */
	int epoll_fd;
	int timer_fd;
	int signal_fd;		/* -1 until the first signal watch */
	sigset_t signals;	/* what signal_fd listens for */
	sigset_t saved_mask;	/* the process mask before we blocked any */
	bool mask_saved;
	uint64_t armed;		/* deadline the timerfd is set to, or DISARMED */
	struct watch *watches;	/* newest first */
	int next_id;
	int dispatching;	/* >0 while callbacks run: defer frees */
	bool quit;
	int status;
};

/*
 * The epoll data pointer of the loop's own fds. Watches are heap pointers,
 * so these addresses can never collide with one.
 */
static char timer_tag, signal_tag;

struct loop *loop_new(const struct clock *clk)
{
	struct loop *loop = paced_new0(struct loop, 1);
	struct epoll_event ev = { .events = EPOLLIN };

	loop->clk = clk ? clk : &clock_monotonic;
	loop->real_clock = loop->clk == &clock_monotonic;
	loop->timer_fd = -1;
	loop->signal_fd = -1;
	loop->armed = DISARMED;
	loop->next_id = 1;
	sigemptyset(&loop->signals);

	loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epoll_fd < 0)
		goto fail;

	if (loop->real_clock) {
		loop->timer_fd = timerfd_create(CLOCK_MONOTONIC,
						TFD_NONBLOCK | TFD_CLOEXEC);
		if (loop->timer_fd < 0)
			goto fail;
		ev.data.ptr = &timer_tag;
		if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->timer_fd,
			      &ev) < 0)
			goto fail;
	}
	return loop;

fail:
	loop_free(loop);
	return NULL;
}

static void watch_free(struct watch *w)
{
	if (w->destroy)
		w->destroy(w->user_data);
	free(w);
}

void loop_free(struct loop *loop)
{
	struct watch *w, *next;

	if (!loop)
		return;

	for (w = loop->watches; w; w = next) {
		next = w->next;
		/* Dead watches already ran their destroy in loop_remove(). */
		if (w->dead)
			free(w);
		else
			watch_free(w);
	}
	if (loop->mask_saved)
		(void) sigprocmask(SIG_SETMASK, &loop->saved_mask, NULL);
	if (loop->signal_fd >= 0)
		close(loop->signal_fd);
	if (loop->timer_fd >= 0)
		close(loop->timer_fd);
	if (loop->epoll_fd >= 0)
		close(loop->epoll_fd);
	free(loop);
}

uint64_t loop_now(const struct loop *loop)
{
	return clock_now(loop->clk);
}

const struct clock *loop_clock(const struct loop *loop)
{
	return loop->clk;
}

void loop_quit(struct loop *loop, int status)
{
	loop->quit = true;
	loop->status = status;
}

static struct watch *watch_new(struct loop *loop, enum watch_type type,
			       void *user_data, loop_destroy_func_t destroy)
{
	struct watch *w = paced_new0(struct watch, 1);

	w->id = loop->next_id++;
	/* Ids are never reused in practice: 2^31 registrations is decades. */
	if (loop->next_id <= 0)
		loop->next_id = 1;
	w->type = type;
	w->fd = -1;
	w->user_data = user_data;
	w->destroy = destroy;
	w->next = loop->watches;
	loop->watches = w;
	return w;
}

static struct watch *find_watch(struct loop *loop, int id)
{
	struct watch *w;

	for (w = loop->watches; w; w = w->next)
		if (w->id == id && !w->dead)
			return w;
	return NULL;
}

/* Unlink and free dead watches; only ever outside dispatch. */
static void reap(struct loop *loop)
{
	struct watch **pw = &loop->watches;

	while (*pw) {
		struct watch *w = *pw;

		if (w->dead) {
			*pw = w->next;
			free(w);
		} else {
			pw = &w->next;
		}
	}
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events,
		loop_fd_func_t func, void *user_data,
		loop_destroy_func_t destroy)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;

	if (fd < 0 || !func)
		return -EINVAL;

	w = watch_new(loop, WATCH_FD, user_data, destroy);
	w->fd = fd;
	w->func.fd = func;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int r = -errno;

		/* Not registered: the caller keeps ownership of user_data. */
		w->destroy = NULL;
		w->dead = true;
		if (!loop->dispatching)
			reap(loop);
		return r;
	}
	return w->id;
}

int loop_modify_fd(struct loop *loop, int id, uint32_t events)
{
	struct watch *w = find_watch(loop, id);
	struct epoll_event ev = { .events = events };

	if (!w || w->type != WATCH_FD)
		return -ENOENT;
	ev.data.ptr = w;
	if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	return 0;
}

int loop_add_timer(struct loop *loop, uint64_t deadline_us,
		   uint64_t period_us, loop_timer_func_t func,
		   void *user_data, loop_destroy_func_t destroy)
{
	struct watch *w;

	if (!func || deadline_us == DISARMED)
		return -EINVAL;

	w = watch_new(loop, WATCH_TIMER, user_data, destroy);
	w->deadline = deadline_us;
	w->period = period_us;
	w->func.timer = func;
	return w->id;
}

int loop_add_timeout(struct loop *loop, uint64_t delay_us, bool periodic,
		     loop_timer_func_t func, void *user_data,
		     loop_destroy_func_t destroy)
{
	return loop_add_timer(loop, loop_now(loop) + delay_us,
			      periodic ? delay_us : 0, func, user_data,
			      destroy);
}

int loop_timer_reschedule(struct loop *loop, int id, uint64_t deadline_us)
{
	struct watch *w = find_watch(loop, id);

	if (!w || w->type != WATCH_TIMER || deadline_us == DISARMED)
		return -ENOENT;
	w->deadline = deadline_us;
	w->rescheduled = true;
	return 0;
}

static int update_signalfd(struct loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &signal_tag };
	sigset_t old;
	int fd;

	if (!loop->mask_saved) {
		if (sigprocmask(SIG_BLOCK, NULL, &loop->saved_mask) < 0)
			return -errno;
		loop->mask_saved = true;
	}
	/* Blocked signals go to the signalfd instead of a handler. */
	old = loop->saved_mask;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&loop->signals, s) == 1)
			sigaddset(&old, s);
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0)
		return -errno;

	fd = signalfd(loop->signal_fd, &loop->signals,
		      SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->signal_fd < 0) {
		loop->signal_fd = fd;
		if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

int loop_add_signal(struct loop *loop, int signo, loop_signal_func_t func,
		    void *user_data, loop_destroy_func_t destroy)
{
	struct watch *w;
	int r;

	if (!func || signo <= 0 || signo >= NSIG || signo == SIGKILL ||
	    signo == SIGSTOP)
		return -EINVAL;

	sigaddset(&loop->signals, signo);
	r = update_signalfd(loop);
	if (r < 0)
		return r;

	w = watch_new(loop, WATCH_SIGNAL, user_data, destroy);
	w->signo = signo;
	w->func.signal = func;
	return w->id;
}

int loop_add_idle(struct loop *loop, loop_idle_func_t func, void *user_data,
		  loop_destroy_func_t destroy)
{
	struct watch *w;

	if (!func)
		return -EINVAL;
	w = watch_new(loop, WATCH_IDLE, user_data, destroy);
	w->func.idle = func;
	return w->id;
}

static void kill_watch(struct loop *loop, struct watch *w)
{
	w->dead = true;

	switch (w->type) {
	case WATCH_FD:
		/* The fd may already be closed by its owner: ignore EBADF. */
		(void) epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
		break;
	case WATCH_SIGNAL: {
		struct watch *o;
		bool still = false;

		for (o = loop->watches; o; o = o->next)
			if (!o->dead && o->type == WATCH_SIGNAL &&
			    o->signo == w->signo)
				still = true;
		if (!still) {
			sigdelset(&loop->signals, w->signo);
			(void) update_signalfd(loop);
		}
		break;
	}
	case WATCH_TIMER:
	case WATCH_IDLE:
		break;
	}

	/*
	 * destroy runs now, but the struct itself lives until the dispatch
	 * round ends, so a callback removing itself (or a watch whose event
	 * is still pending in this round) never touches freed memory.
	 */
	if (w->destroy) {
		loop_destroy_func_t destroy = w->destroy;

		w->destroy = NULL;
		destroy(w->user_data);
	}
	if (!loop->dispatching)
		reap(loop);
}

bool loop_remove(struct loop *loop, int id)
{
	struct watch *w = find_watch(loop, id);

	if (!w)
		return false;
	kill_watch(loop, w);
	return true;
}

static struct watch *earliest_timer(struct loop *loop)
{
	struct watch *w, *best = NULL;

	for (w = loop->watches; w; w = w->next)
		if (!w->dead && w->type == WATCH_TIMER &&
		    (!best || w->deadline < best->deadline))
			best = w;
	return best;
}

static void arm_timerfd(struct loop *loop)
{
	struct watch *t = earliest_timer(loop);
	struct itimerspec its = { 0 };
	uint64_t deadline = t ? t->deadline : DISARMED;

	if (!loop->real_clock || deadline == loop->armed)
		return;

	if (deadline != DISARMED) {
		/* it_value 0 would disarm: a deadline at 0 means "now". */
		if (deadline == 0)
			deadline = 1;
		its.it_value.tv_sec = deadline / USEC_PER_SEC;
		its.it_value.tv_nsec = (deadline % USEC_PER_SEC) * 1000;
	}
	if (timerfd_settime(loop->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		loop->armed = deadline;
}

static bool has_idle(struct loop *loop)
{
	struct watch *w;

	for (w = loop->watches; w; w = w->next)
		if (!w->dead && w->type == WATCH_IDLE)
			return true;
	return false;
}

static int dispatch_signals(struct loop *loop)
{
	struct signalfd_siginfo si;
	int n = 0;

	while (read(loop->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		struct watch *w;

		for (w = loop->watches; w; w = w->next) {
			if (w->dead || w->type != WATCH_SIGNAL ||
			    w->signo != (int) si.ssi_signo)
				continue;
			w->func.signal(w->signo, w->user_data);
			n++;
		}
	}
	return n;
}

/* Fire due timers in deadline order, catching up on missed periods. */
static int dispatch_timers(struct loop *loop)
{
	int n = 0;

	for (;;) {
		uint64_t now = loop_now(loop);
		struct watch *t = earliest_timer(loop);
		bool again;

		if (!t || t->deadline > now)
			break;

		t->rescheduled = false;
		again = t->func.timer(t->user_data);
		n++;
		if (t->dead || t->rescheduled)
			continue;
		if (t->period && again)
			t->deadline += t->period;
		else
			kill_watch(loop, t);
	}
	return n;
}

static int dispatch_idle(struct loop *loop)
{
	struct watch *w;
	int n = 0;

	for (w = loop->watches; w; w = w->next) {
		if (w->dead || w->type != WATCH_IDLE)
			continue;
		n++;
		if (!w->func.idle(w->user_data))
			kill_watch(loop, w);
	}
	return n;
}

int loop_iterate(struct loop *loop, int timeout_ms)
{
	struct epoll_event events[MAX_EPOLL_EVENTS];
	int nfds, n = 0;

	if (has_idle(loop))
		timeout_ms = 0;
	if (loop->real_clock) {
		arm_timerfd(loop);
	} else {
		/* Fake clock: nothing will wake us for a due timer. */
		struct watch *t = earliest_timer(loop);

		if (t && t->deadline <= loop_now(loop))
			timeout_ms = 0;
	}

	nfds = epoll_wait(loop->epoll_fd, events, MAX_EPOLL_EVENTS, timeout_ms);
	if (nfds < 0)
		return errno == EINTR ? 0 : -errno;

	loop->dispatching++;
	for (int i = 0; i < nfds; i++) {
		void *ptr = events[i].data.ptr;
		struct watch *w = ptr;

		if (ptr == &timer_tag) {
			uint64_t expirations;

			/* Only drains; due timers are found by deadline. */
			(void) !read(loop->timer_fd, &expirations,
				     sizeof(expirations));
			loop->armed = DISARMED;
			continue;
		}
		if (ptr == &signal_tag) {
			n += dispatch_signals(loop);
			continue;
		}
		if (w->dead)
			continue;
		n++;
		/* A callback that removed its own watch already took the fd
		 * out of epoll; doing it again could hit a new watch that
		 * reuses the fd number. */
		if (!w->func.fd(w->fd, events[i].events, w->user_data) &&
		    !w->dead)
			kill_watch(loop, w);
	}
	n += dispatch_timers(loop);
	n += dispatch_idle(loop);
	loop->dispatching--;

	if (!loop->dispatching)
		reap(loop);
	return n;
}

int loop_run(struct loop *loop)
{
	loop->quit = false;
	while (!loop->quit) {
		int r = loop_iterate(loop, -1);

		if (r < 0)
			return r;
	}
	return loop->status;
}
