/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The byte port under the usb-ant driver: a real stick or the simulated one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mainloop.h"

struct usb_ant_config;

/*
 * A port carries ANT serial bytes (docs/ant.md 1.1: the same framing over USB
 * bulk and over a UART) in both directions, with no idea of message
 * boundaries. Callbacks run on the loop thread, never from inside a
 * port function called by the driver.
 */
struct ant_port_cbs {
	/* The stick is there and writable (present), or went away (err
	 * says why: -ENODEV unplugged, -EIO transfer error ...). */
	void (*present)(bool present, int err, void *user_data);
	void (*input)(const uint8_t *data, size_t len, void *user_data);
	void *user_data;
};

struct ant_port_ops {
	const char *name;
	/* Begin looking for the stick; present() follows when found. */
	int (*start)(void *port);
	/* Queue bytes for the stick; 0, or -ENODEV when none is present. */
	int (*write)(void *port, const uint8_t *buf, size_t len);
	void (*free)(void *port);
};

/* port-libusb.c: a USB stick through libusb-1.0 asynchronous transfers. */
extern const struct ant_port_ops ant_port_libusb_ops;
void *ant_port_libusb_new(struct loop *loop, const struct usb_ant_config *cfg,
			  const struct ant_port_cbs *cbs);

/* sim-stick.c: the simulated stick on the far end of a socketpair. */
extern const struct ant_port_ops ant_port_sim_ops;
void *ant_port_sim_new(struct loop *loop, const struct usb_ant_config *cfg,
		       const struct ant_port_cbs *cbs);
struct ant_sim *ant_port_sim_get(void *port);
