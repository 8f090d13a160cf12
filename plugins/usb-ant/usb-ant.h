/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb-ant: an ANT+ FE treadmill through a USB ANT stick, advisory only. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mainloop.h"
#include "ant.h"
#include "treadmill.h"
#include "sim-stick.h"

/*
 * ANT+ Fitness Equipment carries a treadmill's speed, distance, incline
 * and state but has no page that sets the belt speed (docs/ant.md 1.1 "Can a
 * treadmill be controlled over ANT+ FE-C? Practically, no."), so this
 * driver is receive-only: caps.can_control is false and every command
 * but CONNECT completes (later, never from inside the call) with
 * -EOPNOTSUPP. The runner then runs the session in advisory mode.
 *
 * Layers: the driver (usb-ant.c) speaks ANT through lib/ant.h over a
 * byte port (ant-port.h): libusb bulk transfers on a real stick
 * (port-libusb.c), or a socketpair to the simulated stick (sim-stick.c).
 */
struct usb_ant;

/* Known sticks (docs/ant.md 1.1): Dynastream/Garmin ANTUSB2 and ANTUSB-m. */
#define USB_ANT_VENDOR			0x0fcf
#define USB_ANT_PRODUCT_USB2		0x1008
#define USB_ANT_PRODUCT_USBM		0x1009

struct usb_ant_config {
	uint16_t vendor;		/* 0: USB_ANT_VENDOR */
	uint16_t product;		/* 0: either known stick */
	int bus;			/* -1: any */
	int port;			/* -1: any (libusb port number) */
	bool sim;			/* usb-ant:sim, the simulated stick */
	bool have_key;
	uint8_t network_key[ANT_NETWORK_KEY_LEN];
	uint16_t device_number;		/* 0: wildcard, first FE found */
	uint8_t trans_type;		/* 0: wildcard */
	uint8_t search_timeout;		/* 2.5 s units (ANT 0x44) */
	uint64_t response_timeout_us;	/* per configuration message */
	/* usb-ant:sim only: the simulated stick and treadmill (NULL:
	 * defaults); borrowed, copied by usb_ant_new(). */
	const struct ant_sim_config *sim_cfg;
	/* Called from treadmill_free() of this stick's treadmill, so an
	 * owner that keeps a pointer to it (the plugin) can drop it. */
	void (*freed)(struct usb_ant *ua, void *user_data);
	void *freed_data;
};

/*
 * Fills cfg from a treadmill address and the network key:
 *
 *   usb-ant                  the first known stick
 *   usb-ant:VVVV:PPPP        by vendor and product id (hex)
 *   usb-ant:BUS-PORT         by bus and port number (decimal, "1-3")
 *   usb-ant:sim              the simulated stick (tests, demos)
 *
 * any of them followed by "@N" to pair with FE device number N only.
 * network_key_hex is the ANT+ network key from paced.conf (8 bytes of
 * hex, separators allowed); NULL or empty gives -ENOKEY, whose message
 * (usb_ant_strerror) says where to get one. -EINVAL: bad address or key.
 * cfg is untouched on error.
 */
int usb_ant_config_parse(const char *address, const char *network_key_hex,
			 struct usb_ant_config *ret_cfg);
/* A sentence for an error from usb_ant_config_parse()/usb_ant_new(). */
const char *usb_ant_strerror(int err);

/*
 * Creates the driver; nothing is opened until treadmill_connect(). The
 * driver and its treadmill free each other: usb_ant_free(ua) and
 * treadmill_free(usb_ant_get_treadmill(ua)) are the same. Returns 0 and
 * *ret_ua, or -ENOKEY (no key: refused, always), -EINVAL.
 */
int usb_ant_new(struct loop *loop, const struct usb_ant_config *cfg,
		struct usb_ant **ret_ua);
void usb_ant_free(struct usb_ant *ua);
struct treadmill *usb_ant_get_treadmill(struct usb_ant *ua);

/* Statistics, for logs and tests. */
struct usb_ant_stats {
	uint64_t bring_ups;		/* configuration sequences completed */
	uint64_t reopens;		/* channel re-opened after search timeout */
	uint64_t pages;			/* FE pages decoded */
	uint64_t pages_dropped;		/* malformed or reserved-state pages */
	uint64_t bad_checksum;		/* from the stream parser */
	uint64_t skipped;		/* bytes skipped resyncing */
	uint64_t unplugs;
	uint16_t device_number;		/* paired FE device, 0 if none yet */
	bool stick_present;
	bool tracking;			/* receiving an FE device now */
};
void usb_ant_get_stats(const struct usb_ant *ua,
		       struct usb_ant_stats *ret_stats);
/* The FE accumulator (borrowed), e.g. for state and cadence. */
const struct ant_fe *usb_ant_get_fe(const struct usb_ant *ua);
/* The simulated stick of a usb-ant:sim driver (borrowed), else NULL. */
struct ant_sim *usb_ant_get_sim(struct usb_ant *ua);
