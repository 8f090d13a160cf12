/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal ATT server (GATT server role) with its own attribute database. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "att-types.h"
#include "mainloop.h"

/*
 * The server half of the simulator's link: one connected SOCK_SEQPACKET fd
 * carrying one ATT PDU per message (Core v5.3 Vol 3 Part F), and a GATT
 * database (Vol 3 Part G §3) of primary services, characteristics and
 * CCCDs. It answers Exchange MTU, Find Information, Find By Type Value,
 * Read By Type, Read By Group Type, Read, Read Blob, Write Request and
 * Write Command, and sends notifications and indications; an indication
 * waits for the Confirmation of the one before (§3.4.7.2).
 *
 * Every incoming PDU is length-checked before a field is read. A malformed
 * request gets an Error Response (Invalid PDU); a malformed or unexpected
 * command, confirmation or response from the client is dropped and counted.
 *
 * The database is built before the link carries traffic and never changes
 * shape afterwards (no Service Changed): only values change.
 *
 * Callbacks run on the loop thread. Any att_server_* call is allowed from
 * them, but only the disconnect callback may free the server.
 */
struct att_server;

/*
 * A write from the client to a characteristic value (Write Request when
 * is_cmd is false, Write Command when true). Return 0 to accept, or an ATT
 * error code (ATT_ECODE_*) to reject; for a Write Command the code is
 * dropped, as §3.4.5.3 requires. Notifications and indications sent from
 * inside this callback go out after the Write Response, the order a real
 * server produces (FTMS v1.0 §4.16.1: response, then indication).
 */
typedef uint8_t (*att_server_write_func_t)(struct att_server *srv,
					   uint16_t handle, const uint8_t *value,
					   size_t len, bool is_cmd,
					   void *user_data);
/* The client wrote a CCCD of the characteristic whose value is at handle. */
typedef void (*att_server_cccd_func_t)(struct att_server *srv,
				       uint16_t value_handle, uint16_t cccd,
				       void *user_data);
/* The indication was confirmed (err 0) or the link went down (-ENOTCONN). */
typedef void (*att_server_confirm_func_t)(struct att_server *srv, int err,
					  void *user_data);
/* The link is gone: -ENOTCONN (hang-up), -ETIMEDOUT (no Confirmation
 * within 30 s, §3.3.3), -EIO. Called once; the server may be freed here. */
typedef void (*att_server_disconnect_func_t)(struct att_server *srv, int err,
					     void *user_data);
typedef void (*att_server_debug_func_t)(const char *str, void *user_data);

struct att_server_stats {
	uint64_t rx_pdus;
	uint64_t tx_pdus;
	uint64_t dropped_malformed;	/* too short/long, bad field */
	uint64_t dropped_unexpected;	/* responses, stray confirmations */
	uint64_t error_responses;	/* Error Responses we sent */
	uint64_t notifications;		/* notifications sent */
	uint64_t indications;		/* indications sent */
	uint64_t tx_dropped;		/* notifications lost to a full queue */
};

/*
 * A server on loop with no link yet. rx_mtu is the ATT_MTU we offer in
 * Exchange MTU (clamped to 23..ATT_MAX_MTU).
 */
struct att_server *att_server_new(struct loop *loop, uint16_t rx_mtu);
/* Detaches (without calling the disconnect callback) and frees. NULL ok. */
void att_server_free(struct att_server *srv);

/*
 * Database construction; only before att_server_attach(). Handles are
 * assigned in increasing order. start_handle 0 means "the next free
 * handle"; any other value must be above every handle used so far, which
 * lets a test build a layout with gaps. Returns the service declaration
 * handle, or -EINVAL, -ENOSPC (handle space exhausted), -EBUSY (attached).
 */
int att_server_add_service(struct att_server *srv,
			   const struct att_uuid *uuid, uint16_t start_handle);
/*
 * Adds a characteristic declaration, its value and, when props has Notify
 * or Indicate, a CCCD, to the last service added. write is called for
 * writes to the value (NULL: the value is read-only from the client's
 * side even if props say Write, and writes fail with Write Not
 * Permitted). Returns the value handle or a negative errno.
 */
int att_server_add_char(struct att_server *srv, const struct att_uuid *uuid,
			uint8_t props, att_server_write_func_t write,
			void *user_data);
/* Sets the value the client reads (at most ATT_MAX_VALUE_LEN bytes). */
int att_server_set_value(struct att_server *srv, uint16_t value_handle,
			 const void *value, size_t len);
void att_server_set_cccd_cb(struct att_server *srv,
			    att_server_cccd_func_t func, void *user_data);
void att_server_set_disconnect_cb(struct att_server *srv,
				  att_server_disconnect_func_t func,
				  void *user_data);
void att_server_set_debug(struct att_server *srv,
			  att_server_debug_func_t func, void *user_data);

/*
 * Start serving fd, a connected SOCK_SEQPACKET socket (made non-blocking
 * here). With take_fd the server owns the fd and closes it on detach;
 * otherwise it is borrowed and left open. Per-link state (MTU, CCCDs,
 * indication queue) starts fresh. -EBUSY while another link is attached.
 */
int att_server_attach(struct att_server *srv, int fd, bool take_fd);
/*
 * Ends the link as a peer hang-up would: shutdown(2) on the fd, queued
 * PDUs dropped, pending confirm callbacks run with -ENOTCONN. The
 * disconnect callback is not called (the caller knows). Safe from any
 * callback.
 */
void att_server_detach(struct att_server *srv);
bool att_server_is_attached(const struct att_server *srv);

uint16_t att_server_get_mtu(const struct att_server *srv);
/* The CCCD value the client last wrote for this value handle (0 if none). */
uint16_t att_server_get_cccd(const struct att_server *srv,
			     uint16_t value_handle);
void att_server_get_stats(const struct att_server *srv,
			  struct att_server_stats *ret_stats);

/*
 * Send a Handle Value Notification. The value is cut to ATT_MTU - 3
 * (§3.4.7.1). Returns 0, -ENOTCONN, -EPERM when the client has not
 * enabled notifications, -ENOBUFS when the transmit queue is full (the
 * notification is dropped and counted: they are unreliable by design).
 */
int att_server_notify(struct att_server *srv, uint16_t value_handle,
		      const void *value, size_t len);
/*
 * Queue a Handle Value Indication; it goes out once every earlier one is
 * confirmed. func (may be NULL) runs exactly once unless an error is
 * returned: -ENOTCONN, -EPERM (indications not enabled), -ENOBUFS.
 */
int att_server_indicate(struct att_server *srv, uint16_t value_handle,
			const void *value, size_t len,
			att_server_confirm_func_t func, void *user_data);
/* Like att_server_notify() but with no CCCD check and no length cut: for
 * quirks that put broken PDUs on the wire on purpose. */
int att_server_send_raw(struct att_server *srv, const void *pdu, size_t len);
