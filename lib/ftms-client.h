/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FTMS treadmill client: bring-up and the control point procedure over GATT. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "att.h"
#include "ftms.h"
#include "mainloop.h"
#include "treadmill.h"

/*
 * Implements struct treadmill (lib/treadmill.h) over an ATT bearer:
 *
 *   treadmill_connect(): Exchange MTU, find the FTMS service by UUID 0x1826
 *   (never by handle), discover its characteristics and descriptors, read
 *   Feature and the Supported Speed/Inclination Ranges, enable the CCCDs
 *   (Treadmill Data, Machine Status, Training Status: notify; Control
 *   Point: indicate), emit caps and link-up, then Request Control. The
 *   connect completes with the Request Control result (docs/ftms.md 1.9).
 *
 *   Commands run the Control Point procedure of docs/ftms.md 1.7: one at a time,
 *   each a Write Request followed by the response indication
 *   80 <op> <result>. "Control Not Permitted" triggers Request Control and
 *   a retry (bounded). After the machine reports Control Permission Lost or
 *   Reset (docs/ftms.md 1.8), start and target commands fail with -EPERM until
 *   the runner calls treadmill_request_control() deliberately; stop and
 *   pause still re-take control, because stopping the belt is always safe.
 *
 *   When the machine says the user stopped/paused it, the safety key was
 *   pulled, it was reset or control was lost, commands not yet sent other
 *   than stop/pause/request-control are cancelled (-ECANCELED): a start
 *   queued a moment earlier must never restart a belt the runner stopped.
 */
struct ftms_client;

struct ftms_client_opts {
	uint16_t mtu;			/* offered in Exchange MTU; 0: 517 */
	uint64_t att_timeout_us;	/* ATT transaction timeout; 0: 30 s */
	uint64_t cp_timeout_us;		/* wait for the CP indication; 0: 3 s */
	unsigned int control_retries;	/* Request Control retries; 0: 3 */
	uint64_t control_retry_us;	/* delay before each retry; 0: 500 ms */
	enum ftms_wire_unit wire_unit;	/* docs/ftms.md 2: mph consoles */
	/*
	 * The fd's connect(2) is still in progress (a non-blocking L2CAP LE
	 * connect, transport_connecting()): treadmill_connect() first waits
	 * for it to finish, then brings the link up; a failed connect
	 * completes TREADMILL_OP_CONNECT with its error (-EHOSTDOWN,
	 * -ECONNREFUSED, ...). The caller's connect deadline covers both.
	 */
	bool connecting;
	/*
	 * The bearer can be encrypted on demand (docs/ftms.md 1.9): ask for
	 * it once when the treadmill answers Insufficient Encryption or
	 * Authentication, then write again. Bluetooth's is
	 * l2cap_raise_security(); NULL for bearers that cannot (the error
	 * then stands).
	 */
	int (*raise_security)(int fd, bool high);
};

struct ftms_client_stats {
	struct att_stats att;
	uint64_t data_records;		/* complete Treadmill Data records */
	uint64_t data_malformed;	/* parts the assembler dropped */
	uint64_t status_malformed;	/* Machine Status we could not decode */
	uint64_t cp_malformed;		/* CP indications we could not decode */
	uint64_t cp_unexpected;		/* CP indications nobody waited for */
	uint64_t cp_timeouts;		/* no indication within cp_timeout */
	uint64_t control_requests;	/* Request Control writes */
	uint64_t control_denied;	/* 0x05 Control Not Permitted results */
};

/*
 * fd: a connected SOCK_SEQPACKET socket with an ATT server at the other
 * end; the client TAKES OWNERSHIP and closes it when freed. opts may be
 * NULL (defaults). Returns NULL (and closes fd) on failure. Nothing is
 * sent until treadmill_connect().
 */
struct ftms_client *ftms_client_new(struct loop *loop, int fd,
				    const struct ftms_client_opts *opts);
/* Frees the client, its treadmill handle and the fd. Pending commands
 * complete with -ECANCELED. NULL ok. Not from inside its own callbacks. */
void ftms_client_free(struct ftms_client *c);

/* The treadmill interface; owned by the client. treadmill_free() on it is
 * the same as ftms_client_free(). */
struct treadmill *ftms_client_get_treadmill(struct ftms_client *c);
struct att *ftms_client_get_att(struct ftms_client *c);
void ftms_client_get_stats(const struct ftms_client *c,
			   struct ftms_client_stats *ret_stats);
/*
 * Why treadmill_connect() failed, in a sentence for the log: the errors
 * the bring-up gives for a treadmill that does not follow the protocol
 * (-ERANGE: it answered Exchange MTU with less than 23; -ENODEV: no
 * FTMS service or no Treadmill Data; -EBADMSG, -EPROTO, -EMSGSIZE,
 * -ETIMEDOUT), strerror() for the others (a refused connect, ...).
 */
const char *ftms_client_strerror(int err);
void ftms_client_set_debug(struct ftms_client *c, att_debug_func_t func,
			   void *user_data);
