/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'paced scan': list nearby FTMS treadmills over Bluetooth LE. */
#pragma once

/* Exit statuses besides 0 (found) and 2 (usage). */
#define SCAN_EXIT_NONE 1		/* scanned fine, no match */
#define SCAN_EXIT_NOBT 3		/* no Bluetooth, no adapter, no rights */

/* argv[0] is "scan". Returns the exit status. */
int scan_main(int argc, char **argv);
