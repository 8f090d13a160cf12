/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LE scan for FTMS machines through a raw HCI socket, on the event loop. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mainloop.h"
#include "ble-adv.h"

/* Distinct advertisers kept per scan; more are counted and dropped. */
#define BLE_SCAN_MAX_DEVICES 64

struct ble_scan_device {
	char address[18];		/* "XX:XX:XX:XX:XX:XX" */
	bool random;			/* LE random address */
	int8_t rssi;			/* dBm, latest report */
	bool has_rssi;			/* false: controller said 127 */
	struct ble_adv_info adv;	/* advertisement + scan response */
	uint32_t reports;
};

struct ble_scan;

/*
 * Starts an active LE scan on adapter dev_id (the N of hciN; -1: the
 * first adapter that is up). Controller commands are sent synchronously
 * with a 1 s HCI timeout (libbluetooth hci_le_set_scan_*); reports are
 * then read on the loop without blocking. Returns NULL and *ret_err:
 * -EAFNOSUPPORT (no Bluetooth in this kernel), -ENODEV (no such or no
 * adapter up), -EPERM (needs CAP_NET_RAW and CAP_NET_ADMIN), -EBUSY (the
 * controller refused: something else, often bluetoothd discovery, is
 * scanning), or another negative errno.
 */
struct ble_scan *ble_scan_new(struct loop *loop, int dev_id, int *ret_err);
/* Stops the scan (scan disable) and frees everything. NULL ok. */
void ble_scan_free(struct ble_scan *s);

size_t ble_scan_count(const struct ble_scan *s);
/* i-th advertiser in first-seen order; NULL past the end. */
const struct ble_scan_device *ble_scan_get(const struct ble_scan *s, size_t i);
/* The first FTMS treadmill whose name equals name (any, if NULL). */
const struct ble_scan_device *ble_scan_find(const struct ble_scan *s,
					    const char *name);
uint32_t ble_scan_malformed(const struct ble_scan *s);
/* The adapter scanning, "hciN". */
const char *ble_scan_adapter(const struct ble_scan *s);

/* A sentence for an error from ble_scan_new(); never NULL. */
const char *ble_scan_error_str(int err);
