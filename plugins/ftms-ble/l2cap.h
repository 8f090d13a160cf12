/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bluetooth LE treadmills: addresses, adapters, and the ATT socket (L2CAP, CID 4). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mainloop.h"
#include "transport.h"

/*
 * XX:XX:XX:XX:XX:XX[/public|/random]: a Bluetooth LE treadmill. The
 * transport (lib/transport.h) is an L2CAP LE SOCK_SEQPACKET socket on the
 * ATT fixed channel (CID 4), bound to the chosen adapter. The kernel does
 * the LE connection; no bluetoothd is involved. Without a suffix the peer
 * address is taken as public (what `paced scan` prints says which).
 *
 * The connect is NON-BLOCKING: l2cap_transport_open() returns while the LE
 * connection is still being set up (transport_connecting() true); see
 * lib/transport.h for how to wait. Kernel ABI headers only: nothing here
 * calls into libbluetooth.
 */

/*
 * Parses "XX:XX:XX:XX:XX:XX" with an optional "/public" or "/random"
 * suffix (default public) into the 6 address bytes in the kernel's order
 * (little endian, as bdaddr_t) and *ret_random. Returns 0 or -EINVAL; the
 * out-parameters are untouched on failure.
 */
int l2cap_parse_bdaddr(const char *address, uint8_t ret_addr[6],
		       bool *ret_random);
/*
 * Parses an adapter name: "hciN" (N < 65536) gives *ret_index = N, an
 * adapter address "XX:XX:XX:XX:XX:XX" gives *ret_index = -1 and the
 * address in ret_addr (kernel order). Returns 0 or -EINVAL.
 */
int l2cap_parse_adapter(const char *adapter, int *ret_index,
			uint8_t ret_addr[6]);

/*
 * Opens address via adapter ("hciN" or its address; NULL or "": let the
 * kernel pick the route; a USB dongle next to the treadmill beats a weak
 * built-in radio). Returns 0 and *ret_transport (connecting), or -EINVAL
 * (not a Bluetooth address), -ENODEV (no such adapter), -EAFNOSUPPORT
 * (this kernel has no Bluetooth), -ENETDOWN (adapter down),
 * -EHOSTUNREACH (no route), socket(2) errors.
 */
int l2cap_transport_open(struct loop *loop, const char *address,
			 const char *adapter, struct transport **ret_transport);

/*
 * Asks the kernel to encrypt the link on fd (a Bluetooth ATT socket):
 * BT_SECURITY at level MEDIUM (encryption, pairing without MITM as
 * "Just Works") or HIGH when high is set. Use it when the treadmill
 * answers a write with Insufficient Encryption/Authentication (ATT error
 * 0x0f/0x05; docs/ftms.md 1.9), then retry the write: the kernel holds
 * queued PDUs until the link is encrypted. Returns 0, -ENOPROTOOPT for a
 * non-Bluetooth fd, or the setsockopt error.
 */
int l2cap_raise_security(int fd, bool high);

/* A sentence for an error from l2cap_transport_open(); never NULL. */
const char *l2cap_error_str(int err);
