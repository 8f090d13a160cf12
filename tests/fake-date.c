/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test aid (LD_PRELOAD): the wall clock starts at $PACED_TEST_DATE; monotonic time and timers are untouched. */
#include "config.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sys/time.h>

/*
 * tests/test-fortnight.sh runs two weeks of check-ins and sessions in a
 * minute: each pacectl and paced it starts gets PACED_TEST_DATE (seconds
 * since the epoch) and this library preloaded, so the process's wall
 * clock starts on that day and runs on from there. Only the wall clock
 * moves: CLOCK_MONOTONIC, which the event loop, its timerfds and the
 * session run on, is the real one. (libfaketime cannot be used here: it
 * also shifts absolute timerfd deadlines on CLOCK_MONOTONIC, and paced's
 * loop then never wakes.) Nothing in paced or pacectl knows about it.
 */
/* The build hides symbols by default; these three must interpose. */
#define EXPORT __attribute__((visibility("default")))

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static int64_t offset;

__attribute__((constructor)) static void fake_date_init(void)
{
	const char *date = getenv("PACED_TEST_DATE");
	struct timespec now;
	char *end;
	long long want;

	real_clock_gettime = (int (*)(clockid_t, struct timespec *))
		dlsym(RTLD_NEXT, "clock_gettime");
	if (!real_clock_gettime || !date || !*date)
		return;
	want = strtoll(date, &end, 10);
	if (*end || real_clock_gettime(CLOCK_REALTIME, &now) < 0)
		return;
	offset = (int64_t) want - (int64_t) now.tv_sec;
}

EXPORT int clock_gettime(clockid_t id, struct timespec *ts)
{
	int r;

	if (!real_clock_gettime)
		fake_date_init();
	r = real_clock_gettime(id, ts);
	if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t) offset;
	return r;
}

EXPORT time_t time(time_t *ret)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return (time_t) -1;
	if (ret)
		*ret = ts.tv_sec;
	return ts.tv_sec;
}

EXPORT int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void) tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
