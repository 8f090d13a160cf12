/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A simulated USB ANT stick hearing a simulated ANT+ FE treadmill. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mainloop.h"
#include "sim/belt.h"

/*
 * The far end of the usb-ant driver's port, on a SOCK_SEQPACKET
 * socketpair: one message = one USB bulk packet, so "a frame split
 * across reads" and "several frames in one read" happen exactly as the
 * quirks say (docs/ant.md 1.5 layer 2). It answers reset with the startup
 * message, acknowledges every configuration message (any network key:
 * it is a simulation), and once the channel is open broadcasts FE pages
 * 16/17/19 (and 80/81 now and then) at 4 Hz loop time from a belt model
 * (lib/sim/belt.h) that runs 'speedup' times faster than the loop clock.
 *
 * Nothing here can set the belt from the host side, as on a real ANT+
 * treadmill: the belt moves only when the simulated person does
 * something at the console (ant_sim_person_*), or follows a spoken cue
 * (ant_sim_cue) after a reaction time, unless she is "stubborn".
 */
struct ant_sim;

enum ant_sim_quirk {
	ANT_SIM_QUIRK_SPLIT = 1u << 0,		/* frames cut across packets */
	ANT_SIM_QUIRK_BAD_CHECKSUM = 1u << 1,	/* every 5th broadcast bad */
	ANT_SIM_QUIRK_DROP = 1u << 2,		/* silent from drop_at_us */
	ANT_SIM_QUIRK_STUBBORN = 1u << 3,	/* she never slows down when told */
	ANT_SIM_QUIRK_BURST = 1u << 4,		/* 2 broadcasts per packet */
};
#define ANT_SIM_QUIRK_COUNT 5

struct ant_sim_config {
	struct belt_params belt;
	uint32_t speedup;		/* belt time multiplier, >= 1 */
	uint32_t quirks;		/* enum ant_sim_quirk bits */
	uint64_t drop_at_us;		/* belt time: treadmill goes quiet */
	uint64_t drop_for_us;		/* belt time it stays quiet */
	uint64_t reaction_us;		/* belt time from cue to console */
	uint16_t device_number;		/* the treadmill's ANT device number */
	uint16_t start_speed;		/* 0.01 km/h the person starts at */
};

/* Defaults: the FTMS simulator's belt, speedup 1, device 4242, a 2 s
 * reaction time, starts at 4.0 km/h on the first open channel. */
void ant_sim_config_init(struct ant_sim_config *ret_cfg);
/* "split", "bad-checksum", "burst", "stubborn", "drop=AT[+FOR]" (seconds
 * of belt time; FOR defaults to 40 s, past the 30 s search timeout).
 * -EINVAL unknown, -ERANGE bad time; cfg untouched on error. */
int ant_sim_config_add_quirk(struct ant_sim_config *cfg, const char *spec);

struct ant_sim *ant_sim_new(struct loop *loop, const struct ant_sim_config *cfg);
void ant_sim_free(struct ant_sim *sim);
/* Serve the host on fd (SOCK_SEQPACKET, takes ownership); a new attach
 * is a stick plugged in again: radio state starts from scratch, the
 * belt goes on. -EBUSY if attached. */
int ant_sim_attach(struct ant_sim *sim, int fd);
/* Unplug: close the fd (the host reads EOF). */
void ant_sim_detach(struct ant_sim *sim);
/* Plug in again (usb-ant:sim only: the port makes a new socketpair). */
void ant_sim_plug(struct ant_sim *sim);

/* The person at the console. 0 or the belt's error. */
int ant_sim_person_set_speed(struct ant_sim *sim, uint16_t speed);
int ant_sim_person_stop(struct ant_sim *sim);
/* A cue reached the person ("walk now: 5.0 km/h"): she sets the speed
 * after reaction_us; with ANT_SIM_QUIRK_STUBBORN only cues to go faster. */
void ant_sim_cue(struct ant_sim *sim, uint16_t speed);

struct ant_sim_stats {
	uint64_t resets;
	uint64_t config_msgs;		/* acknowledged configuration messages */
	uint64_t broadcasts;
	uint64_t packets;		/* packets written to the host */
	uint64_t opens;			/* channel opens */
	uint64_t cues;
	bool attached;
	bool channel_open;
	bool key_set;
	uint16_t speed;			/* 0.01 km/h, belt now */
	uint16_t last_cue;		/* 0.01 km/h */
};
void ant_sim_get_stats(struct ant_sim *sim, struct ant_sim_stats *ret);
