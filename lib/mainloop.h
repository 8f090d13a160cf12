/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-threaded epoll event loop: fds, timers, signals, idle callbacks. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "clock.h"

struct loop;

typedef void (*loop_destroy_func_t)(void *user_data);
/* Return false to remove the watch. */
typedef bool (*loop_fd_func_t)(int fd, uint32_t events, void *user_data);
/* Return true to re-arm a periodic timer one period after its deadline
 * (absolute, so periods never drift); ignored for one-shot timers. */
typedef bool (*loop_timer_func_t)(void *user_data);
typedef void (*loop_signal_func_t)(int signo, void *user_data);
/* Return false to remove the idle callback. */
typedef bool (*loop_idle_func_t)(void *user_data);

/*
 * The loop reads the time from clk (NULL: CLOCK_MONOTONIC). With a fake
 * clock the timerfd is never armed: timers fire when loop_iterate() runs
 * after the fake clock has passed their deadline.
 */
struct loop *loop_new(const struct clock *clk);
/* Runs every remaining destroy callback, closes the loop's own fds. */
void loop_free(struct loop *loop);

uint64_t loop_now(const struct loop *loop);
const struct clock *loop_clock(const struct loop *loop);

/* Dispatch until loop_quit(); returns the status given to loop_quit(). */
int loop_run(struct loop *loop);
void loop_quit(struct loop *loop, int status);
/*
 * One round: wait at most timeout_ms (-1 forever, 0 poll) for fds, then
 * run due timers and idle callbacks. Returns the number of callbacks run,
 * or a negative errno.
 */
int loop_iterate(struct loop *loop, int timeout_ms);

/*
 * Every add returns an id > 0 or a negative errno. loop_remove() works on
 * any id, from anywhere, including the watch's own callback: the entry is
 * marked dead during dispatch and freed afterwards. destroy runs exactly
 * once, when the registration ends for whatever reason. The fd is borrowed:
 * remove its watch BEFORE closing it. Closing first is harmless only when
 * the close ends the open file description; for a dup the registration
 * outlives the fd number (epoll(7), Q6) and loop_remove() can no longer
 * take it out.
 */
int loop_add_fd(struct loop *loop, int fd, uint32_t events,
		loop_fd_func_t func, void *user_data,
		loop_destroy_func_t destroy);
int loop_modify_fd(struct loop *loop, int id, uint32_t events);

/* Fires once at the absolute deadline (loop clock, µs), or every
 * period_us after it when period_us > 0 and func returns true. */
int loop_add_timer(struct loop *loop, uint64_t deadline_us,
		   uint64_t period_us, loop_timer_func_t func,
		   void *user_data, loop_destroy_func_t destroy);
/* Convenience: one-shot (or periodic) timer relative to now. */
int loop_add_timeout(struct loop *loop, uint64_t delay_us, bool periodic,
		     loop_timer_func_t func, void *user_data,
		     loop_destroy_func_t destroy);
/* Move a timer's deadline (absolute µs); 0 on success. */
int loop_timer_reschedule(struct loop *loop, int id, uint64_t deadline_us);

/* Blocks signo and delivers it through the loop's signalfd. */
int loop_add_signal(struct loop *loop, int signo, loop_signal_func_t func,
		    void *user_data, loop_destroy_func_t destroy);

/* Runs once per loop round, after fds and timers, until it returns false.
 * While an idle callback exists the loop does not sleep. */
int loop_add_idle(struct loop *loop, loop_idle_func_t func, void *user_data,
		  loop_destroy_func_t destroy);

/* Returns true if id was live and is now removed. */
bool loop_remove(struct loop *loop, int id);
