/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced scan': list nearby FTMS treadmills over Bluetooth LE. */
#pragma once

/* Exit statuses besides 0 (found) and 2 (usage). */
#define SCAN_EXIT_NONE 1		/* scanned fine, no match */
#define SCAN_EXIT_NOBT 3		/* no Bluetooth, no adapter, no rights */

#include <stdbool.h>

#include "scan-list.h"

/*
 * Listen for Bluetooth LE advertisers for seconds with the ftms-ble
 * plugin, or until a treadmill called find (NULL: none) shows; announce:
 * say "Scanning on ..." on stderr once the scan runs. Fills *list and
 * *ret_found (the index of find in it, or -1) and returns 0; or says why
 * on stderr, prefixed with who, and returns SCAN_EXIT_NOBT. SIGINT and
 * SIGTERM end the scan early.
 */
int scan_collect(const char *who, const char *adapter, long seconds,
		 const char *find, bool announce, struct scan_list *list,
		 int *ret_found);

/* argv[0] is "scan". Returns the exit status. */
int scan_main(int argc, char **argv);
