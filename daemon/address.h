/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses the daemon itself understands: name:NAME, found by a scan. */
#pragma once

#include "util.h"

/*
 * Every other address form belongs to a driver plugin, whose
 * paced_driver_info decides (daemon/plugin.c). "name:NAME" is the
 * daemon's own: a scanner plugin finds the treadmill advertising NAME,
 * and the address it advertises then goes to the drivers. Some treadmills
 * take a new random address at each power-on; their name stays.
 */

/* A treadmill given as name:NAME is scanned for this long (real time)
 * before its session gives up. */
#define TREADMILL_FIND_TIMEOUT_US (10 * USEC_PER_SEC)

/* The NAME of a "name:NAME" address ("" for "name:"), else NULL. */
const char *treadmill_address_name(const char *address);
