/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which driver plugin takes a treadmill address: one rule for paced.conf, paced run and the service. */
#pragma once

#include "util.h"

/*
 * The plugin that drives a treadmill address: "sim" (sim, unix:PATH),
 * "ftms-ble" (a Bluetooth address, name:NAME with a non-empty NAME),
 * "usb-ant" (usb-ant[:...|@...]), or NULL for an address no driver takes.
 * Pure: parses the address, opens nothing.
 */
const char *plugin_driver_for_address(const char *address);

/* A treadmill given as name:NAME is scanned for this long (real time)
 * before its session gives up. */
#define TREADMILL_FIND_TIMEOUT_US (10 * USEC_PER_SEC)

/* The NAME of a "name:NAME" address, else NULL. */
const char *treadmill_address_name(const char *address);
