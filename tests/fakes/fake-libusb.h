/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link-time fake of the libusb-1.0 calls the usb-ant port makes, scripted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linked instead of -lusb-1.0 into one test binary (docs/ant.md 1.5 "link-time
 * fake"), so plugins/usb-ant/port-libusb.c runs unchanged. One eventfd is
 * libusb's only pollfd; whatever the fake has to deliver (an IN packet,
 * an OUT completion, a hotplug event, a cancellation) makes it readable,
 * and libusb_handle_events_timeout_completed() delivers it, as libusb
 * calls transfer and hotplug callbacks from event handling.
 */
struct fake_usb_stats {
	int inits, exits;
	int opens, closes;
	int claims, releases, detaches;
	int submits, cancels;
	int hotplug_registered;
	int pollfds_given;
	bool kernel_driver_active;
	bool in_flight_in, in_flight_out;
};

/* Fresh state: nothing plugged, hotplug supported, kernel driver bound. */
void fake_usb_reset(void);
void fake_usb_set_hotplug(bool supported);
/* The next libusb_open fails with this libusb error (0: succeed). */
void fake_usb_set_open_error(int libusb_err);
/* A stick appears (hotplug "arrived" queued when registered). */
void fake_usb_plug(uint16_t vendor, uint16_t product, uint8_t bus,
		   uint8_t port);
/* It goes: in-flight transfers end NO_DEVICE; hotplug "left" queued. */
void fake_usb_unplug(void);
/* One IN packet (one bulk read), delivered when the IN transfer is
 * pending; packets queue up. len <= 64. */
void fake_usb_in(const uint8_t *data, size_t len);
/* Every byte the host has written to the OUT endpoint since the last
 * call (concatenated); returns the count, at most cap. */
size_t fake_usb_take_out(uint8_t *buf, size_t cap);
void fake_usb_get_stats(struct fake_usb_stats *ret);
