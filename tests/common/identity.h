/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether a test may act as other users: root of the whole machine. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

/*
 * Root in a user namespace that maps only itself (unshare
 * --map-root-user, which make check-arm64 uses for its binfmt_misc) can
 * neither chown to another uid nor setgroups(2): the cases that take
 * other users' identities need every uid mapped, as the initial
 * namespace has them ("0 0 4294967295" in /proc/self/uid_map).
 */
static inline bool test_may_take_other_ids(void)
{
	unsigned long inside, outside, count = 0;
	FILE *f;

	if (geteuid() != 0)
		return false;
	f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return false;
	if (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		count = 0;
	fclose(f);
	return inside == 0 && outside == 0 && count == 4294967295UL;
}
