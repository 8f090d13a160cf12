/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A simulated treadmill as a real BLE peripheral: FTMS adverts + ATT on CID 4. */
#pragma once

#include <stdbool.h>

#include "mainloop.h"
#include "sim.h"

struct ble_peripheral;

/*
 * Powers adapter dev_id up (HCIDEVUP), advertises connectable (ADV_IND)
 * with Flags, the 16-bit service list {0x1826}, FTMS Service Data
 * "available, treadmill" (docs/ftms.md 1.2) and the complete local name (cut to
 * fit 31 bytes), and listens for L2CAP LE connections on the ATT CID.
 * Each accepted link is served by sim (borrowed; one client at a time,
 * a second is refused). Advertising is re-enabled whenever no client is
 * attached. Raw HCI advertising only; do not mix with bluetoothd's on the
 * same controller (docs/ble-vm.md pitfall 9). Needs CAP_NET_RAW+CAP_NET_ADMIN.
 * Returns NULL and *ret_err (see ble_scan_error_str()).
 */
struct ble_peripheral *ble_peripheral_new(struct loop *loop, int dev_id,
					  const char *name, struct sim *sim,
					  int *ret_err);
/* Stops advertising, closes the listener. The sim stays. NULL ok. */
void ble_peripheral_free(struct ble_peripheral *p);
/* "XX:XX:XX:XX:XX:XX" of the adapter. */
const char *ble_peripheral_address(const struct ble_peripheral *p);

typedef void (*ble_peripheral_func_t)(struct ble_peripheral *p, bool connected,
				      const char *peer, void *user_data);
void ble_peripheral_set_link_cb(struct ble_peripheral *p,
				ble_peripheral_func_t func, void *user_data);

/* Powers adapter dev_id up (HCIDEVUP, as 'hciconfig hciN up'); already up
 * is fine. Returns 0 or a negative errno (-EPERM without CAP_NET_ADMIN). */
int ble_adapter_up(int dev_id);
