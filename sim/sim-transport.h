/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "sim" transport: the simulated treadmill in this process, on one end of a socketpair. */
#pragma once

#include "mainloop.h"
#include "sim.h"
#include "transport.h"

/*
 * A transport (lib/transport.h) whose far end is a simulator on the same
 * loop. Every reopen makes a new socketpair and attaches the same
 * simulator to it: its belt runs on through a dropped link, as a real
 * treadmill's does (docs/design.md rule 2). cfg NULL: defaults. Returns 0
 * and *ret_transport, -ENOMEM for an invalid simulator configuration, or
 * a socketpair(2) error.
 */
int sim_transport_open(struct loop *loop, const struct sim_config *cfg,
		       struct transport **ret_transport);
/* The simulator behind a "sim" transport, else NULL. Borrowed: tests use
 * it to press console buttons and read the command log. */
struct sim *sim_transport_sim(const struct transport *t);
