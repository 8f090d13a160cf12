/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT bearer (client role) over any connected SOCK_SEQPACKET socket. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "att-types.h"
#include "mainloop.h"

/*
 * One ATT PDU per message: an L2CAP LE socket on CID 4, one end of a
 * socketpair with the simulator, or a Unix SEQPACKET socket to paced-sim.
 * Nothing here knows which.
 *
 * Requests go out one at a time (Core v5.3 Vol 3 Part F §3.3.2); later
 * ones wait in a FIFO. Commands and confirmations are sent at once. A
 * transaction not answered within the timeout (30 s by default, §3.3.3)
 * fails with -ETIMEDOUT and, as the spec demands, the bearer is then dead:
 * everything queued fails and the disconnect callback runs.
 *
 * Every PDU from the peer is length-checked before a field is read.
 * Malformed or unexpected PDUs are dropped and counted (struct att_stats),
 * never trusted and never fatal.
 *
 * Callbacks may call any att_* function, including att_unref() on the
 * last reference: the bearer holds a reference while it dispatches.
 */
struct att;

/*
 * Result of a request. On success err is 0, opcode is the response opcode
 * and params/len the PDU after the opcode byte. On an Error Response err
 * is att_ecode_to_errno(ecode) and ecode the code (params: the 4 bytes of
 * the Error Response). Other failures: ecode 0 and err -ETIMEDOUT (no
 * response), -ENOTCONN (peer hung up or bearer closed), -EPROTO (a
 * response to another request), -ECANCELED (att_cancel or freed).
 */
typedef void (*att_response_func_t)(int err, uint8_t ecode, uint8_t opcode,
				    const uint8_t *params, size_t len,
				    void *user_data);
/* Notification or indication: value/len is the attribute value. For an
 * indication the Confirmation has already been sent when handlers run, so
 * a request they send cannot overtake it. */
typedef void (*att_notify_func_t)(uint8_t opcode, uint16_t handle,
				  const uint8_t *value, size_t len,
				  void *user_data);
/* The bearer is gone: err -ENOTCONN (hang-up), -ETIMEDOUT, -EIO. */
typedef void (*att_disconnect_func_t)(int err, void *user_data);
typedef void (*att_debug_func_t)(const char *str, void *user_data);

struct att_stats {
	uint64_t rx_pdus;		/* every PDU read from the socket */
	uint64_t tx_pdus;
	uint64_t dropped_malformed;	/* too short, bad length, empty */
	uint64_t dropped_unexpected;	/* response with no request pending */
	uint64_t dropped_oversize;	/* longer than the current ATT_MTU */
	uint64_t wrong_response;	/* response to another request: -EPROTO */
	uint64_t notifications;
	uint64_t indications;
	uint64_t error_responses;
	uint64_t timeouts;
};

/*
 * fd: a connected SOCK_SEQPACKET socket, made non-blocking here. Borrowed
 * unless close_on_unref, in which case the bearer takes ownership and
 * closes it when the last reference goes. Returns NULL if the fd cannot
 * be watched.
 */
struct att *att_new(struct loop *loop, int fd, bool close_on_unref);
struct att *att_ref(struct att *att);
/* Drops a reference; the last one cancels everything (callbacks run with
 * -ECANCELED) and frees. Returns NULL. NULL ok. */
struct att *att_unref(struct att *att);

int att_get_fd(const struct att *att);
uint16_t att_get_mtu(const struct att *att);
/* Set after an Exchange MTU (§3.4.2.2: min of both, never below 23). */
int att_set_mtu(struct att *att, uint16_t mtu);
/* 0 restores the 30 s default. */
void att_set_timeout(struct att *att, uint64_t timeout_us);
void att_get_stats(const struct att *att, struct att_stats *ret_stats);
bool att_is_connected(const struct att *att);

void att_set_debug(struct att *att, att_debug_func_t func, void *user_data,
		   loop_destroy_func_t destroy);
void att_set_disconnect_cb(struct att *att, att_disconnect_func_t func,
			   void *user_data, loop_destroy_func_t destroy);

/*
 * Send opcode + params. For a request, func runs exactly once (never from
 * inside this call) unless -errno is returned. Commands (Write Command)
 * complete at once and take no callback. Returns an id > 0 (usable with
 * att_cancel), 0 for a command, or -EINVAL (unknown opcode, too long for
 * the MTU), -ENOTCONN.
 */
int att_send(struct att *att, uint8_t opcode, const void *params, size_t len,
	     att_response_func_t func, void *user_data,
	     loop_destroy_func_t destroy);
/* Cancel one queued or outstanding request; its callback runs with
 * -ECANCELED. A cancelled outstanding request keeps blocking the bearer
 * until its response arrives (§3.3.2 allows no second request). */
bool att_cancel(struct att *att, int id);

/* Handlers for notifications and indications of any handle. */
int att_register_notify(struct att *att, att_notify_func_t func,
			void *user_data, loop_destroy_func_t destroy);
bool att_unregister_notify(struct att *att, int id);

/* Errno for an ATT error code: -ENOENT Attribute Not Found, -EACCES for
 * permission/security errors, -EINVAL for bad handle/offset/length, etc. */
int att_ecode_to_errno(uint8_t ecode);
