/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An ATT bearer that can be opened again after a drop: unix:PATH here, others by their owners. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mainloop.h"

/*
 * Whatever the treadmill, the result is one connected SOCK_SEQPACKET fd
 * carrying one ATT PDU per message, which the GATT client uses without
 * knowing what is on the other end (docs/design.md rule 2). A transport
 * is that fd plus the way to get a new one after the link drops:
 *
 *   unix:PATH   an ATT server listening on a Unix SEQPACKET socket at
 *               PATH (paced-sim --listen PATH, or any other tool): here
 *   sim         the simulated treadmill in this process, on one end of a
 *               socketpair (sim/sim-transport.c, the sim plugin and tests)
 *   XX:XX:...   a Bluetooth LE treadmill, an L2CAP socket on the ATT
 *               fixed channel (plugins/ftms-ble/l2cap.c)
 *
 * lib/ knows only the first; the others plug in through transport_ops,
 * so lib/ needs neither the simulator nor the Bluetooth headers.
 *
 * A connect may be NON-BLOCKING (Bluetooth): the fd becomes writable when
 * the link is up or has failed; then transport_finish_connect(), or let
 * transport_wait_connected() do both with a timeout. ATT must not be sent
 * before that (the kernel answers ENOTCONN).
 */
struct transport;

struct transport_ops {
	const char *name;		/* "unix", "sim", "bluetooth" */
	/*
	 * A fresh connected (or connecting: *ret_connecting) non-blocking,
	 * close-on-exec fd, for the first open and every reopen; the
	 * transport owns it. Returns 0 or a negative errno.
	 */
	int (*open)(void *impl, int *ret_fd, bool *ret_connecting);
	/* The transport is freed: free impl. May be NULL. */
	void (*free)(void *impl);
};

/*
 * Opens a transport of kind ops (impl is its state; ownership passes to
 * the transport even on failure, through ops->free). Returns 0 and
 * *ret_transport, or open's negative errno.
 */
int transport_new(struct loop *loop, const char *address,
		  const struct transport_ops *ops, void *impl,
		  struct transport **ret_transport);

/*
 * "unix:PATH": the path, or NULL for another address. *ret_err (may be
 * NULL) says why a unix: address is bad: -EINVAL (empty path),
 * -ENAMETOOLONG (longer than sun_path allows).
 */
const char *transport_unix_path(const char *address, int *ret_err);
/*
 * Connects to unix:PATH without blocking (a Unix socket connect either
 * completes at once or fails): -ENOENT no such socket, -ECONNREFUSED
 * nobody listening, -EAGAIN backlog full, -EPROTOTYPE not SEQPACKET.
 */
int transport_open_unix(struct loop *loop, const char *address,
			struct transport **ret_transport);

/* True while a non-blocking connect is in progress. */
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
 * Called once when the connect started by transport_new() or
 * transport_reopen() has completed (err 0) or failed (negative errno,
 * -ETIMEDOUT after timeout_us). Called from the loop, never from inside
 * transport_wait_connected() itself; it may free the transport.
 */
typedef void (*transport_connect_func_t)(struct transport *t, int err,
					 void *user_data);
/*
 * Waits on the loop for the connect to finish, then calls func. When the
 * transport is already connected, func runs from an idle callback. A
 * second wait replaces the first; transport_free() and transport_reopen()
 * cancel it without calling func. Returns 0 or a loop error.
 */
int transport_wait_connected(struct transport *t, uint64_t timeout_us,
			     transport_connect_func_t func, void *user_data);

/* Connect again after the link dropped: a new fd from ops->open. */
int transport_reopen(struct transport *t);
/* Closes the fd and frees the kind's state. NULL ok. */
void transport_free(struct transport *t);

/* The fd: connected, non-blocking, close-on-exec. Owned by t; borrow it
 * (att_new(loop, fd, false)). */
int transport_fd(const struct transport *t);
/*
 * Hands the fd over to a caller that takes ownership of it (for example
 * ftms_client_new()); t no longer closes it. Returns the fd, or -EBADF if
 * it was already taken. While connecting, the transport keeps its own
 * reference to finish the connect.
 */
int transport_steal_fd(struct transport *t);
const char *transport_address(const struct transport *t);
/* The kind's state given to transport_new() (borrowed). */
void *transport_impl(const struct transport *t);
const struct transport_ops *transport_get_ops(const struct transport *t);

/*
 * Capped exponential backoff for reconnects: first_us after the first
 * drop (prev_us 0), then doubling up to max_us. Pure; the caller keeps
 * prev_us and resets it to 0 once the link is back.
 */
uint64_t transport_backoff_next(uint64_t prev_us, uint64_t first_us,
				uint64_t max_us);

/* A sentence for an error from opening a unix: transport; never NULL. */
const char *transport_error_str(int err);
