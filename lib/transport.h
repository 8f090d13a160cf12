/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses ("sim", "unix:PATH") to a connected ATT socket. */
#pragma once

#include <stdbool.h>

#include "mainloop.h"

struct sim;
struct sim_config;

/*
 * Whatever the address, the result is one connected SOCK_SEQPACKET fd
 * carrying one ATT PDU per message, which the GATT client uses without
 * knowing what is on the other end (DESIGN.md rule 2):
 *
 *   sim         the simulated treadmill (lib/sim/sim.h) in this process,
 *               on one end of a socketpair, on the same loop
 *   unix:PATH   an ATT server listening on a Unix SEQPACKET socket at
 *               PATH (paced-sim --listen PATH, or any other tool)
 *
 * Bluetooth addresses (XX:XX:XX:XX:XX:XX, an L2CAP LE socket on the ATT
 * CID) come in a later issue; transport_open() already recognises them
 * and answers -EOPNOTSUPP, so callers can tell "not yet" from "bad".
 */
struct transport;

enum transport_kind {
	TRANSPORT_KIND_SIM,
	TRANSPORT_KIND_UNIX,
	TRANSPORT_KIND_BLUETOOTH,
};

/*
 * Parses address without opening anything. Returns the kind, or -EINVAL
 * (unknown form, empty unix path), -ENAMETOOLONG (unix path longer than
 * sun_path allows). For a message, see transport_error_str().
 */
int transport_parse(const char *address, enum transport_kind *ret_kind);

/*
 * Opens address. sim_cfg configures the "sim" simulator (NULL: defaults)
 * and is ignored otherwise. unix: connects without blocking (a Unix
 * socket connect either completes at once or fails). Returns 0 and
 * *ret_transport, or a negative errno: the transport_parse() errors,
 * -EOPNOTSUPP for Bluetooth addresses (not implemented yet), connect(2)
 * errors (-ENOENT no such socket, -ECONNREFUSED nobody listening,
 * -EAGAIN backlog full), -ENOMEM when the simulator config is invalid.
 */
int transport_open(struct loop *loop, const char *address,
		   const struct sim_config *sim_cfg,
		   struct transport **ret_transport);
/*
 * Connect again to the same treadmill after the link dropped: a new fd
 * (steal it as after transport_open()); a "sim" transport keeps its
 * simulator, whose belt ran on meanwhile, as a real treadmill's does.
 * Returns 0 or the transport_open() errors.
 */
int transport_reopen(struct transport *t);
/* Closes the fd and frees the in-process simulator, if any. NULL ok. */
void transport_free(struct transport *t);

/* The client's fd: connected, non-blocking, close-on-exec. Owned by t;
 * borrow it (att_new(loop, fd, false)). */
int transport_fd(const struct transport *t);
/*
 * Hands the fd over to a caller that takes ownership of it (for example
 * ftms_client_new()); t no longer closes it. Returns the fd, or -EBADF if
 * it was already taken. A "sim" transport must still outlive the link:
 * it holds the simulator.
 */
int transport_steal_fd(struct transport *t);
enum transport_kind transport_get_kind(const struct transport *t);
/* The in-process simulator of a "sim" transport, else NULL. Borrowed:
 * tests use it to press console buttons and read the command log. */
struct sim *transport_sim(const struct transport *t);
const char *transport_address(const struct transport *t);

/* A sentence explaining an error from transport_parse()/open() for the
 * given address ("unknown treadmill address ..."); never NULL. */
const char *transport_error_str(int err);
