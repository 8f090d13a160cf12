/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advertisers a scan reported: one entry per address, the newest report wins. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <paced/plugin.h>

#include "json.h"

/* As many advertisers as a scanner keeps (ftms-ble: 64). */
#define SCAN_LIST_MAX 64

struct scan_seen {
	char address[64];	/* "XX:XX:XX:XX:XX:XX/public" */
	char name[249];		/* BLE names: at most 248 bytes */
	char kind[24];		/* "treadmill", "ftms", "-", ... */
	int rssi;		/* dBm; 127 unknown */
	bool ftms, treadmill, service_data, available;
	uint16_t machine_type;
};

struct scan_list {
	struct scan_seen seen[SCAN_LIST_MAX];
	size_t n;
};

/*
 * Record res: a new entry, or the entry of its address brought up to date
 * (an advertiser repeats itself, its name arriving with a scan response).
 * Returns the entry, or NULL when the list is full.
 */
struct scan_seen *scan_list_add(struct scan_list *l,
				const struct paced_scan_result *res);

/*
 * One advertiser as a JSON object, the form both 'paced scan --json' and
 * the service's 'scan' reply use: address (with its type), name, rssi
 * (null unknown), ftms, treadmill, machine_type and available (null
 * without FTMS Service Data), kind.
 */
void scan_seen_json(struct json *j, const struct scan_seen *d);
