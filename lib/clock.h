/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Injectable monotonic clock, in microseconds. */
#pragma once

#include <stdint.h>

/*
 * Everything that needs the time asks a struct clock, never clock_gettime()
 * directly, so tests can run a 40-minute session on a fake clock in
 * milliseconds. Time is CLOCK_MONOTONIC in microseconds: fine enough to
 * measure symptom-to-command latency, and 584 000 years of range.
 */
struct clock {
	uint64_t (*now)(void *data);
	void *data;
};

/* The real CLOCK_MONOTONIC clock. */
extern const struct clock clock_monotonic;

uint64_t clock_monotonic_us(void);

static inline uint64_t clock_now(const struct clock *c)
{
	return c->now(c->data);
}

/* A clock that moves only when told to. */
struct fake_clock {
	struct clock clock;	/* pass &fc.clock wherever a clock is wanted */
	uint64_t now_us;
};

void fake_clock_init(struct fake_clock *fc, uint64_t start_us);
void fake_clock_advance(struct fake_clock *fc, uint64_t delta_us);
