/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses ("sim", "unix:PATH", Bluetooth LE) to an ATT socket. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

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
 *   XX:XX:XX:XX:XX:XX[/public|/random]
 *               a Bluetooth LE treadmill: an L2CAP LE SOCK_SEQPACKET
 *               socket on the ATT fixed channel (CID 4), bound to the
 *               chosen adapter. The kernel does the LE connection; no
 *               bluetoothd is involved. Without a suffix the peer address
 *               is taken as public (what `paced scan` prints says which).
 *
 * A Bluetooth connect is NON-BLOCKING: transport_open() returns while the
 * LE connection is still being set up (transport_connecting() true). The
 * fd becomes writable when it is up or has failed; then call
 * transport_finish_connect(), or let transport_wait_connected() do both
 * with a timeout. ATT must not be sent before that (the kernel answers
 * ENOTCONN). sim and unix: transports are connected on return.
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
 * Parses a Bluetooth LE address "XX:XX:XX:XX:XX:XX" with an optional
 * "/public" or "/random" suffix (default public) into the 6 address bytes
 * in the kernel's order (little endian, as bdaddr_t) and *ret_random.
 * Returns 0 or -EINVAL; the out-parameters are untouched on failure.
 */
int transport_parse_bdaddr(const char *address, uint8_t ret_addr[6],
			   bool *ret_random);
/*
 * Parses an adapter name: "hciN" (N < 65536) gives *ret_index = N, an
 * adapter address "XX:XX:XX:XX:XX:XX" gives *ret_index = -1 and the
 * address in ret_addr (kernel order). Returns 0 or -EINVAL.
 */
int transport_parse_adapter(const char *adapter, int *ret_index,
			    uint8_t ret_addr[6]);

struct transport_opts {
	const struct sim_config *sim_cfg; /* "sim" only; NULL: defaults */
	/*
	 * Bluetooth only: the local adapter, "hciN" or its address (a USB
	 * dongle next to the treadmill beats a weak built-in radio). NULL
	 * or "": let the kernel pick the route. Copied.
	 */
	const char *adapter;
};

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
 * transport_open() with options (NULL: defaults). For Bluetooth it also
 * returns -ENODEV (no such adapter), -EAFNOSUPPORT (this kernel has no
 * Bluetooth), -EHOSTUNREACH/-ENETDOWN (adapter down or no route), and
 * success while the connect is still in progress.
 */
int transport_open_opts(struct loop *loop, const char *address,
			const struct transport_opts *opts,
			struct transport **ret_transport);

/*
 * True while a non-blocking Bluetooth connect is in progress. The fd may
 * be stolen meanwhile (ftms_client_new() sends nothing until
 * treadmill_connect()); the transport keeps its own reference to finish
 * the connect.
 */
bool transport_connecting(const struct transport *t);
/*
 * Call once the fd is writable (EPOLLOUT) during a connect: reads
 * SO_ERROR. Returns 0 (connected; transport_connecting() is now false),
 * -EINPROGRESS (not yet, keep waiting) or the connect error (-ETIMEDOUT,
 * -EHOSTDOWN, -ECONNREFUSED ...; the fd is closed unless it was stolen,
 * in which case its owner sees the error on it). 0 when not connecting.
 */
int transport_finish_connect(struct transport *t);

/*
 * Called once when the connect started by transport_open*() or
 * transport_reopen() has completed (err 0) or failed (negative errno,
 * -ETIMEDOUT after timeout_us). Called from the loop, never from inside
 * transport_wait_connected() itself; it may free the transport.
 */
typedef void (*transport_connect_func_t)(struct transport *t, int err,
					 void *user_data);
/*
 * Waits on the loop for the connect to finish, then calls func. When the
 * transport is already connected (sim, unix:), func runs from an idle
 * callback. A second wait replaces the first; transport_free() and
 * transport_reopen() cancel it without calling func. Returns 0 or a
 * loop error.
 */
int transport_wait_connected(struct transport *t, uint64_t timeout_us,
			     transport_connect_func_t func, void *user_data);

/*
 * Asks the kernel to encrypt the link on fd (a Bluetooth ATT socket):
 * BT_SECURITY at level MEDIUM (encryption, pairing without MITM as
 * "Just Works") or HIGH when high is set. Use it when the treadmill
 * answers a write with Insufficient Encryption/Authentication (ATT error
 * 0x0f/0x05; FTMS.md 1.9), then retry the write: the kernel holds queued
 * PDUs until the link is encrypted. Returns 0, -ENOPROTOOPT for a
 * non-Bluetooth fd, or the setsockopt error.
 */
int transport_fd_raise_security(int fd, bool high);
/*
 * Connect again to the same treadmill after the link dropped: a new fd
 * (steal it as after transport_open()); a "sim" transport keeps its
 * simulator, whose belt ran on meanwhile, as a real treadmill's does.
 * For Bluetooth this starts a new non-blocking connect on the same adapter
 * (wait for it as after transport_open()). Returns 0 or the
 * transport_open() errors.
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

/*
 * Capped exponential backoff for reconnects: first_us after the first
 * drop (prev_us 0), then doubling up to max_us. Pure; the daemon keeps
 * prev_us and resets it to 0 once the link is back.
 */
uint64_t transport_backoff_next(uint64_t prev_us, uint64_t first_us,
				uint64_t max_us);

/* A sentence explaining an error from transport_parse()/open() for the
 * given address ("unknown treadmill address ..."); never NULL. */
const char *transport_error_str(int err);
