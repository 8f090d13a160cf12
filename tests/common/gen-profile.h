/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Random valid profiles for property tests: deterministic, seeded per test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* xorshift32: the same seed gives the same profiles on every machine. */
struct gen {
	uint32_t state;		/* seed: any value but 0 */
};

/* 0..n-1 (0 for n == 0). */
uint32_t gen_rnd(struct gen *g, uint32_t n);
/* printf onto the end of the string in buf (len bytes in all). */
void gen_append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define GEN_PROFILE_MAX 16384

/*
 * The text of a random valid profile: paces walk 4.x, jog 6.x-9.x and a
 * named "brisk" 5.x; a warm-up and a main of up to three items each,
 * nested repeats, jogs (some up a 2.5 % hill), walks at explicit speeds
 * within the walking ceiling, downhill walks, the named pace; a cool-down
 * walk; a three-step scaleback group. len >= GEN_PROFILE_MAX.
 */
void gen_profile_text(struct gen *g, char *buf, size_t len);
/* The same, loaded with lim; a check failure (with the text) if it does
 * not load. */
struct profile *gen_profile(struct gen *g, const struct profile_limits *lim);
