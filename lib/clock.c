/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The monotonic clock and a fake one for tests. */
#include <time.h>

#include "clock.h"

uint64_t clock_monotonic_us(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t monotonic_now(void *data)
{
	return clock_monotonic_us();
}

const struct clock clock_monotonic = { .now = monotonic_now, .data = NULL };

static uint64_t fake_now(void *data)
{
	const struct fake_clock *fc = data;

	return fc->now_us;
}

void fake_clock_init(struct fake_clock *fc, uint64_t start_us)
{
	fc->clock.now = fake_now;
	fc->clock.data = fc;
	fc->now_us = start_us;
}

void fake_clock_advance(struct fake_clock *fc, uint64_t delta_us)
{
	fc->now_us += delta_us;
}
