/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT bearer (client role): request queue, timeout, notifications, errors. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"
#include "att.h"

struct att_req {
	struct att_req *next;
	int id;
	uint8_t opcode;
	uint8_t rsp_opcode;
	size_t len;			/* whole PDU, opcode included */
	uint8_t *pdu;
	att_response_func_t func;	/* NULL once cancelled */
	void *user_data;
	loop_destroy_func_t destroy;
};

struct att_notify {
	struct att_notify *next;
	int id;
	bool removed;
	att_notify_func_t func;
	void *user_data;
	loop_destroy_func_t destroy;
};

struct att_out {
	struct att_out *next;
	size_t len;
	uint8_t pdu[];
};

struct att {
	int ref;
	struct loop *loop;
	int fd;
	bool close_fd;
	bool connected;
	int watch_id;
	bool watching_out;
	uint16_t mtu;
	uint64_t timeout_us;
	int timeout_id;
	int next_id;
	int down_idle;			/* deferred bearer_down() */
	int down_err;

	struct att_req *pending;	/* the one outstanding request */
	struct att_req *queue_head;	/* waiting requests, FIFO */
	struct att_req *queue_tail;
	struct att_out *out_head;	/* PDUs the socket had no room for */
	struct att_out *out_tail;
	struct att_notify *notify;
	int notify_dispatching;

	att_debug_func_t debug;
	void *debug_data;
	loop_destroy_func_t debug_destroy;
	att_disconnect_func_t disconnect;
	void *disconnect_data;
	loop_destroy_func_t disconnect_destroy;

	struct att_stats stats;
};

static void __attribute__((format(printf, 2, 3)))
dbg(struct att *att, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!att->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	att->debug(buf, att->debug_data);
}

static void dbg_hex(struct att *att, const char *dir, const uint8_t *pdu,
		    size_t len)
{
	char buf[3 * 64 + 1];
	size_t i, n = MIN(len, (size_t) 64);

	if (!att->debug)
		return;
	for (i = 0; i < n; i++)
		snprintf(buf + 3 * i, 4, "%02x ", pdu[i]);
	buf[n ? 3 * n - 1 : 0] = '\0';
	dbg(att, "%s %s (%zu): %s%s", dir, len ? att_opcode_name(pdu[0]) : "-",
	    len, buf, len > n ? " ..." : "");
}

const char *att_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case ATT_OP_ERROR_RSP: return "Error Response";
	case ATT_OP_MTU_REQ: return "Exchange MTU Request";
	case ATT_OP_MTU_RSP: return "Exchange MTU Response";
	case ATT_OP_FIND_INFO_REQ: return "Find Information Request";
	case ATT_OP_FIND_INFO_RSP: return "Find Information Response";
	case ATT_OP_FIND_BY_TYPE_REQ: return "Find By Type Value Request";
	case ATT_OP_FIND_BY_TYPE_RSP: return "Find By Type Value Response";
	case ATT_OP_READ_BY_TYPE_REQ: return "Read By Type Request";
	case ATT_OP_READ_BY_TYPE_RSP: return "Read By Type Response";
	case ATT_OP_READ_REQ: return "Read Request";
	case ATT_OP_READ_RSP: return "Read Response";
	case ATT_OP_READ_BLOB_REQ: return "Read Blob Request";
	case ATT_OP_READ_BLOB_RSP: return "Read Blob Response";
	case ATT_OP_READ_MULT_REQ: return "Read Multiple Request";
	case ATT_OP_READ_MULT_RSP: return "Read Multiple Response";
	case ATT_OP_READ_BY_GRP_TYPE_REQ: return "Read By Group Type Request";
	case ATT_OP_READ_BY_GRP_TYPE_RSP: return "Read By Group Type Response";
	case ATT_OP_WRITE_REQ: return "Write Request";
	case ATT_OP_WRITE_RSP: return "Write Response";
	case ATT_OP_PREP_WRITE_REQ: return "Prepare Write Request";
	case ATT_OP_PREP_WRITE_RSP: return "Prepare Write Response";
	case ATT_OP_EXEC_WRITE_REQ: return "Execute Write Request";
	case ATT_OP_EXEC_WRITE_RSP: return "Execute Write Response";
	case ATT_OP_HANDLE_NFY: return "Handle Value Notification";
	case ATT_OP_HANDLE_IND: return "Handle Value Indication";
	case ATT_OP_HANDLE_CONF: return "Handle Value Confirmation";
	case ATT_OP_READ_MULT_VAR_REQ: return "Read Multiple Variable Request";
	case ATT_OP_READ_MULT_VAR_RSP: return "Read Multiple Variable Response";
	case ATT_OP_MULT_HANDLE_NFY: return "Multiple Handle Value Notification";
	case ATT_OP_WRITE_CMD: return "Write Command";
	case ATT_OP_SIGNED_WRITE_CMD: return "Signed Write Command";
	default: return "Unknown Opcode";
	}
}

const char *att_ecode_name(uint8_t ecode)
{
	switch (ecode) {
	case ATT_ECODE_INVALID_HANDLE: return "Invalid Handle";
	case ATT_ECODE_READ_NOT_PERMITTED: return "Read Not Permitted";
	case ATT_ECODE_WRITE_NOT_PERMITTED: return "Write Not Permitted";
	case ATT_ECODE_INVALID_PDU: return "Invalid PDU";
	case ATT_ECODE_AUTHENTICATION: return "Insufficient Authentication";
	case ATT_ECODE_REQ_NOT_SUPPORTED: return "Request Not Supported";
	case ATT_ECODE_INVALID_OFFSET: return "Invalid Offset";
	case ATT_ECODE_AUTHORIZATION: return "Insufficient Authorization";
	case ATT_ECODE_PREP_QUEUE_FULL: return "Prepare Queue Full";
	case ATT_ECODE_ATTR_NOT_FOUND: return "Attribute Not Found";
	case ATT_ECODE_ATTR_NOT_LONG: return "Attribute Not Long";
	case ATT_ECODE_ENC_KEY_SIZE: return "Encryption Key Size Too Short";
	case ATT_ECODE_INVALID_VALUE_LEN: return "Invalid Attribute Value Length";
	case ATT_ECODE_UNLIKELY: return "Unlikely Error";
	case ATT_ECODE_INSUFF_ENCRYPTION: return "Insufficient Encryption";
	case ATT_ECODE_UNSUPP_GRP_TYPE: return "Unsupported Group Type";
	case ATT_ECODE_INSUFF_RESOURCES: return "Insufficient Resources";
	case ATT_ECODE_DB_OUT_OF_SYNC: return "Database Out Of Sync";
	case ATT_ECODE_VALUE_NOT_ALLOWED: return "Value Not Allowed";
	case ATT_ECODE_WRITE_REJECTED: return "Write Request Rejected";
	case ATT_ECODE_CCCD_IMPROPER:
		return "Client Characteristic Configuration Descriptor Improperly Configured";
	case ATT_ECODE_PROC_IN_PROGRESS: return "Procedure Already in Progress";
	case ATT_ECODE_OUT_OF_RANGE: return "Out of Range";
	default:
		if (ecode >= ATT_ECODE_APP_FIRST && ecode <= ATT_ECODE_APP_LAST)
			return "Application Error";
		return "Reserved Error";
	}
}

int att_ecode_to_errno(uint8_t ecode)
{
	switch (ecode) {
	case ATT_ECODE_ATTR_NOT_FOUND:
		return -ENOENT;
	case ATT_ECODE_INVALID_HANDLE:
	case ATT_ECODE_INVALID_OFFSET:
	case ATT_ECODE_INVALID_VALUE_LEN:
	case ATT_ECODE_VALUE_NOT_ALLOWED:
	case ATT_ECODE_OUT_OF_RANGE:
		return -EINVAL;
	case ATT_ECODE_READ_NOT_PERMITTED:
	case ATT_ECODE_WRITE_NOT_PERMITTED:
	case ATT_ECODE_AUTHENTICATION:
	case ATT_ECODE_AUTHORIZATION:
	case ATT_ECODE_ENC_KEY_SIZE:
	case ATT_ECODE_INSUFF_ENCRYPTION:
	case ATT_ECODE_WRITE_REJECTED:
		return -EACCES;
	case ATT_ECODE_REQ_NOT_SUPPORTED:
	case ATT_ECODE_UNSUPP_GRP_TYPE:
	case ATT_ECODE_ATTR_NOT_LONG:
		return -EOPNOTSUPP;
	case ATT_ECODE_PREP_QUEUE_FULL:
	case ATT_ECODE_INSUFF_RESOURCES:
		return -ENOSPC;
	case ATT_ECODE_PROC_IN_PROGRESS:
		return -EBUSY;
	case ATT_ECODE_CCCD_IMPROPER:
		return -EPIPE;
	case ATT_ECODE_DB_OUT_OF_SYNC:
		return -ESTALE;
	case ATT_ECODE_INVALID_PDU:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

void att_uuid_to_str(const struct att_uuid *u, char buf[ATT_UUID_STR_LEN])
{
	const uint8_t *b = u->le;

	if (att_uuid_is16(u)) {
		snprintf(buf, ATT_UUID_STR_LEN, "0x%04x", att_uuid_get16(u));
		return;
	}
	/* The textual form is big endian (RFC 4122), the wire little. */
	snprintf(buf, ATT_UUID_STR_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[15], b[14], b[13], b[12], b[11], b[10], b[9], b[8],
		 b[7], b[6], b[5], b[4], b[3], b[2], b[1], b[0]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char) tolower((unsigned char) c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool att_uuid_from_str(const char *s, struct att_uuid *ret_uuid)
{
	struct att_uuid u;
	size_t len, i;
	int nib = 0, hi = 0, n = 0;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len == 4) {
		uint16_t v = 0;

		for (i = 0; i < 4; i++) {
			int h = hexval(s[i]);

			if (h < 0)
				return false;
			v = (uint16_t) (v << 4 | h);
		}
		*ret_uuid = att_uuid16(v);
		return true;
	}
	if (len != 36)
		return false;
	for (i = 0; i < 36; i++) {
		int h;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
			continue;
		}
		h = hexval(s[i]);
		if (h < 0)
			return false;
		if (!nib) {
			hi = h;
			nib = 1;
		} else {
			u.le[15 - n++] = (uint8_t) (hi << 4 | h);
			nib = 0;
		}
	}
	*ret_uuid = u;
	return true;
}

/* ---- bearer ---- */

static bool can_read(int fd, uint32_t events, void *user_data);

static void req_free(struct att_req *req)
{
	if (req->destroy)
		req->destroy(req->user_data);
	free(req->pdu);
	free(req);
}

/* Completes req (already unlinked) and frees it. */
static void req_complete(struct att_req *req, int err, uint8_t ecode,
			 uint8_t opcode, const uint8_t *params, size_t len)
{
	if (req->func)
		req->func(err, ecode, opcode, params, len, req->user_data);
	req_free(req);
}

static void set_out_watch(struct att *att, bool want)
{
	if (att->watch_id <= 0 || att->watching_out == want)
		return;
	if (loop_modify_fd(att->loop, att->watch_id,
			   EPOLLIN | (want ? EPOLLOUT : 0)) == 0)
		att->watching_out = want;
}

static int queue_out(struct att *att, const uint8_t *pdu, size_t len)
{
	struct att_out *o = paced_malloc(sizeof(*o) + len);

	o->next = NULL;
	o->len = len;
	memcpy(o->pdu, pdu, len);
	if (att->out_tail)
		att->out_tail->next = o;
	else
		att->out_head = o;
	att->out_tail = o;
	set_out_watch(att, true);
	return 0;
}

/* Writes one PDU, or queues it behind earlier ones that did not fit. */
static int write_pdu(struct att *att, const uint8_t *pdu, size_t len)
{
	ssize_t n;

	if (!att->connected)
		return -ENOTCONN;
	dbg_hex(att, "<", pdu, len);
	att->stats.tx_pdus++;
	if (att->out_head)
		return queue_out(att, pdu, len);
	n = send(att->fd, pdu, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return queue_out(att, pdu, len);
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET ||
		      errno == ENOTCONN))
		return -ENOTCONN;	/* the peer hung up */
	if (n < 0)
		return -errno;
	/* SEQPACKET sends a record whole or not at all. */
	return (size_t) n == len ? 0 : -EIO;
}

static void bearer_down(struct att *att, int err);

static bool timeout_cb(void *user_data)
{
	struct att *att = user_data;

	att->timeout_id = 0;
	att->stats.timeouts++;
	dbg(att, "request %s timed out",
	    att->pending ? att_opcode_name(att->pending->opcode) : "?");
	/* §3.3.3: after a transaction timeout no further ATT PDUs may be
	 * sent on this bearer; a new one needs a new connection. */
	att_ref(att);
	bearer_down(att, -ETIMEDOUT);
	att_unref(att);
	return false;
}

/* Sends the next queued request if none is outstanding. */
static void wakeup(struct att *att)
{
	struct att_req *req;
	int r;

	while (att->connected && !att->pending && att->queue_head) {
		req = att->queue_head;
		att->queue_head = req->next;
		if (!att->queue_head)
			att->queue_tail = NULL;
		req->next = NULL;
		r = write_pdu(att, req->pdu, req->len);
		if (r < 0) {
			dbg(att, "send failed: %s", strerror(-r));
			att_ref(att);
			req_complete(req, r, 0, 0, NULL, 0);
			bearer_down(att, r == -ENOTCONN ? r : -EIO);
			att_unref(att);
			return;
		}
		att->pending = req;
		att->timeout_id = loop_add_timeout(att->loop, att->timeout_us,
						   false, timeout_cb, att,
						   NULL);
	}
}

/*
 * Ends the bearer: the watch goes, every request fails with err, the
 * disconnect callback runs once. Caller holds a reference.
 */
static void bearer_down(struct att *att, int err)
{
	struct att_req *req;

	if (att->down_idle > 0)
		loop_remove(att->loop, att->down_idle);
	att->down_idle = 0;
	if (!att->connected)
		return;
	att->connected = false;
	if (att->watch_id > 0)
		loop_remove(att->loop, att->watch_id);
	att->watch_id = 0;
	if (att->timeout_id > 0)
		loop_remove(att->loop, att->timeout_id);
	att->timeout_id = 0;
	while (att->out_head) {
		struct att_out *o = att->out_head;

		att->out_head = o->next;
		free(o);
	}
	att->out_tail = NULL;

	req = att->pending;
	att->pending = NULL;
	if (req)
		req_complete(req, err, 0, 0, NULL, 0);
	while ((req = att->queue_head)) {
		att->queue_head = req->next;
		if (!att->queue_head)
			att->queue_tail = NULL;
		req_complete(req, err, 0, 0, NULL, 0);
	}
	if (att->disconnect)
		att->disconnect(err, att->disconnect_data);
}

static void handle_response(struct att *att, const uint8_t *pdu, size_t len)
{
	struct att_req *req = att->pending;
	uint8_t opcode = pdu[0];
	uint8_t ecode = 0;
	int err = 0;

	if (!req) {
		/* §3.3.2: a response without a request is a protocol error
		 * by the peer; nothing can be matched to it. */
		att->stats.dropped_unexpected++;
		dbg(att, "%s with no request pending, dropped",
		    att_opcode_name(opcode));
		return;
	}

	if (opcode == ATT_OP_ERROR_RSP) {
		/* §3.4.1.1: opcode, request opcode, handle (2), error code. */
		if (len != 5) {
			att->stats.dropped_malformed++;
			dbg(att, "Error Response of %zu bytes, dropped", len);
			return;
		}
		if (pdu[1] != req->opcode) {
			att->stats.wrong_response++;
			err = -EPROTO;
		} else {
			att->stats.error_responses++;
			ecode = pdu[4];
			err = att_ecode_to_errno(ecode);
			dbg(att, "%s on handle 0x%04x: %s (0x%02x)",
			    att_opcode_name(req->opcode), get_le16(pdu + 2),
			    att_ecode_name(ecode), ecode);
		}
	} else if (opcode != req->rsp_opcode) {
		att->stats.wrong_response++;
		dbg(att, "%s while waiting for %s", att_opcode_name(opcode),
		    att_opcode_name(req->rsp_opcode));
		err = -EPROTO;
	}

	att->pending = NULL;
	if (att->timeout_id > 0)
		loop_remove(att->loop, att->timeout_id);
	att->timeout_id = 0;
	req_complete(req, err, ecode, err == -EPROTO ? 0 : opcode,
		     err == -EPROTO ? NULL : pdu + 1,
		     err == -EPROTO ? 0 : len - 1);
	wakeup(att);
}

static void handle_notify(struct att *att, const uint8_t *pdu, size_t len)
{
	struct att_notify *n;
	uint16_t handle;
	bool ind = pdu[0] == ATT_OP_HANDLE_IND;
	uint8_t conf = ATT_OP_HANDLE_CONF;

	/* §3.4.7.2: the Confirmation acknowledges receipt, not content. A
	 * malformed indication is confirmed too, or the server could never
	 * send another one on this bearer; it is still dropped. */
	if (len < 3) {
		att->stats.dropped_malformed++;
		dbg(att, "%s of %zu bytes, dropped", att_opcode_name(pdu[0]),
		    len);
		if (ind)
			(void) write_pdu(att, &conf, 1);
		return;
	}
	handle = get_le16(pdu + 1);
	if (ind) {
		att->stats.indications++;
		/*
		 * §3.4.7.2 asks for the Confirmation on receipt. Send it
		 * before the handlers run: a handler that reacts by writing
		 * to the server (the next FTMS control point procedure) must
		 * not overtake it, as servers may hold the procedure open
		 * until the indication is confirmed.
		 */
		(void) write_pdu(att, &conf, 1);
	} else {
		att->stats.notifications++;
	}

	att->notify_dispatching++;
	for (n = att->notify; n; n = n->next) {
		if (n->removed)
			continue;
		n->func(pdu[0], handle, pdu + 3, len - 3, n->user_data);
		if (!att->connected)
			break;
	}
	att->notify_dispatching--;
	if (!att->notify_dispatching) {
		struct att_notify **p = &att->notify;

		while ((n = *p)) {
			if (n->removed) {
				*p = n->next;
				if (n->destroy)
					n->destroy(n->user_data);
				free(n);
			} else {
				p = &n->next;
			}
		}
	}
}

static void handle_peer_request(struct att *att, const uint8_t *pdu,
				size_t len)
{
	uint8_t rsp[5];

	/* The server may exchange MTU too (§3.4.2.1); we answer with ours. */
	if (pdu[0] == ATT_OP_MTU_REQ) {
		if (len != 3) {
			att->stats.dropped_malformed++;
			return;
		}
		rsp[0] = ATT_OP_MTU_RSP;
		put_le16(ATT_MAX_MTU, rsp + 1);
		if (write_pdu(att, rsp, 3) == 0)
			(void) att_set_mtu(att, get_le16(pdu + 1));
		return;
	}
	/* We hold no database: §3.4.1.1 says answer Request Not Supported. */
	rsp[0] = ATT_OP_ERROR_RSP;
	rsp[1] = pdu[0];
	put_le16(0, rsp + 2);
	rsp[4] = ATT_ECODE_REQ_NOT_SUPPORTED;
	(void) write_pdu(att, rsp, 5);
}

static void handle_pdu(struct att *att, const uint8_t *pdu, size_t len)
{
	uint8_t op;

	att->stats.rx_pdus++;
	dbg_hex(att, ">", pdu, len);
	if (len == 0) {
		att->stats.dropped_malformed++;
		return;
	}
	op = pdu[0];
	switch (op) {
	case ATT_OP_ERROR_RSP:
	case ATT_OP_MTU_RSP:
	case ATT_OP_FIND_INFO_RSP:
	case ATT_OP_FIND_BY_TYPE_RSP:
	case ATT_OP_READ_BY_TYPE_RSP:
	case ATT_OP_READ_RSP:
	case ATT_OP_READ_BLOB_RSP:
	case ATT_OP_READ_MULT_RSP:
	case ATT_OP_READ_BY_GRP_TYPE_RSP:
	case ATT_OP_WRITE_RSP:
	case ATT_OP_PREP_WRITE_RSP:
	case ATT_OP_EXEC_WRITE_RSP:
	case ATT_OP_READ_MULT_VAR_RSP:
		handle_response(att, pdu, len);
		return;
	case ATT_OP_HANDLE_NFY:
	case ATT_OP_HANDLE_IND:
		handle_notify(att, pdu, len);
		return;
	default:
		break;
	}
	if (att_rsp_for_req(op)) {
		handle_peer_request(att, pdu, len);
		return;
	}
	/* Commands we do not support are ignored (§3.4.8); anything else,
	 * a Confirmation we never asked for included, is counted. */
	att->stats.dropped_unexpected++;
	dbg(att, "unexpected %s (0x%02x), dropped", att_opcode_name(op), op);
}

static void flush_out(struct att *att)
{
	while (att->out_head) {
		struct att_out *o = att->out_head;
		ssize_t n = send(att->fd, o->pdu, o->len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			bearer_down(att, -EIO);
			return;
		}
		att->out_head = o->next;
		if (!att->out_head)
			att->out_tail = NULL;
		free(o);
	}
	set_out_watch(att, false);
}

/*
 * recv(2) gave 0 bytes. On a SOCK_SEQPACKET socket (L2CAP, or AF_UNIX
 * for unix: peers) that is either the peer's end of file or a record of
 * zero bytes, which a peer can send. ATT has no empty PDU, so a record
 * is malformed, and is dropped and counted like any other (§3.3: no
 * PDU without an opcode); only a peer that has shut down ends the
 * bearer. Both kernels set RCV_SHUTDOWN, which poll(2) reports as
 * POLLRDHUP, when the peer goes.
 */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };

	if (poll(&p, 1, 0) < 0)
		return true;
	return p.revents & (POLLRDHUP | POLLHUP | POLLERR);
}

static bool can_read(int fd, uint32_t events, void *user_data)
{
	struct att *att = user_data;
	/* One spare byte tells an oversize PDU from one of exactly MTU. */
	uint8_t buf[ATT_MAX_MTU + 1];
	ssize_t n;
	int i;

	att_ref(att);
	if (events & EPOLLOUT)
		flush_out(att);
	/* A bounded batch per wakeup keeps one chatty peer from starving
	 * the loop's timers. */
	for (i = 0; i < 16 && att->connected; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			/* Keep the kernel's reason (a refused or timed-out
			 * L2CAP connect, a supervision timeout): it is what
			 * the log should say. */
			bearer_down(att, errno == ECONNRESET ? -ENOTCONN :
				    -errno);
			break;
		}
		if (n == 0 && peer_gone(fd)) {
			bearer_down(att, -ENOTCONN);
			break;
		}
		if ((size_t) n > att->mtu) {
			/* §3.2.8: no PDU may exceed ATT_MTU. */
			att->stats.rx_pdus++;
			att->stats.dropped_oversize++;
			dbg(att, "PDU of %zd bytes > MTU %u, dropped", n,
			    att->mtu);
			continue;
		}
		handle_pdu(att, buf, (size_t) n);
	}
	if (att->connected && (events & (EPOLLHUP | EPOLLERR)) && i == 0)
		bearer_down(att, -ENOTCONN);
	att_unref(att);
	return true;
}

struct att *att_new(struct loop *loop, int fd, bool close_on_unref)
{
	struct att *att;
	int fl;

	if (!loop || fd < 0)
		return NULL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return NULL;

	att = paced_new0(struct att, 1);
	att->ref = 1;
	att->loop = loop;
	att->fd = fd;
	att->mtu = ATT_DEFAULT_LE_MTU;
	att->timeout_us = ATT_TIMEOUT_US;
	att->connected = true;
	att->watch_id = loop_add_fd(loop, fd, EPOLLIN, can_read, att, NULL);
	if (att->watch_id < 0) {
		att->connected = false;
		att->watch_id = 0;
		/* Do not close an fd we failed to take. */
		att_unref(att);
		return NULL;
	}
	att->close_fd = close_on_unref;
	return att;
}

struct att *att_ref(struct att *att)
{
	if (att)
		att->ref++;
	return att;
}

struct att *att_unref(struct att *att)
{
	struct att_notify *n;

	if (!att || --att->ref > 0)
		return NULL;

	/* Keep the bearer alive while cancellation callbacks run. */
	att->ref = 1;
	att->disconnect = NULL;
	if (att->disconnect_destroy)
		att->disconnect_destroy(att->disconnect_data);
	att->disconnect_destroy = NULL;
	bearer_down(att, -ECANCELED);
	while ((n = att->notify)) {
		att->notify = n->next;
		if (n->destroy)
			n->destroy(n->user_data);
		free(n);
	}
	if (att->debug_destroy)
		att->debug_destroy(att->debug_data);
	if (att->close_fd)
		close(att->fd);
	free(att);
	return NULL;
}

int att_get_fd(const struct att *att)
{
	return att->fd;
}

uint16_t att_get_mtu(const struct att *att)
{
	return att->mtu;
}

int att_set_mtu(struct att *att, uint16_t mtu)
{
	/* §3.4.2.2: ATT_MTU = min(client Rx MTU, server Rx MTU); a peer
	 * value below 23 is invalid and the default stays. */
	if (mtu < ATT_DEFAULT_LE_MTU)
		return -EINVAL;
	att->mtu = MIN(mtu, (uint16_t) ATT_MAX_MTU);
	return 0;
}

void att_set_timeout(struct att *att, uint64_t timeout_us)
{
	att->timeout_us = timeout_us ? timeout_us : ATT_TIMEOUT_US;
}

void att_get_stats(const struct att *att, struct att_stats *ret_stats)
{
	*ret_stats = att->stats;
}

bool att_is_connected(const struct att *att)
{
	return att->connected;
}

void att_set_debug(struct att *att, att_debug_func_t func, void *user_data,
		   loop_destroy_func_t destroy)
{
	if (att->debug_destroy)
		att->debug_destroy(att->debug_data);
	att->debug = func;
	att->debug_data = user_data;
	att->debug_destroy = destroy;
}

void att_set_disconnect_cb(struct att *att, att_disconnect_func_t func,
			   void *user_data, loop_destroy_func_t destroy)
{
	if (att->disconnect_destroy)
		att->disconnect_destroy(att->disconnect_data);
	att->disconnect = func;
	att->disconnect_data = user_data;
	att->disconnect_destroy = destroy;
}

static bool down_later(void *user_data);

int att_send(struct att *att, uint8_t opcode, const void *params, size_t len,
	     att_response_func_t func, void *user_data,
	     loop_destroy_func_t destroy)
{
	struct att_req *req;
	uint8_t rsp = att_rsp_for_req(opcode);
	int r;

	if (!att)
		return -EINVAL;
	if (!att->connected)
		return -ENOTCONN;
	if (len + 1 > att->mtu || (len && !params))
		return -EINVAL;

	if (!rsp) {
		uint8_t pdu[ATT_MAX_MTU];

		/* Only commands go out unacknowledged; a client never sends
		 * responses, notifications or confirmations this way. */
		if (!att_op_is_cmd(opcode))
			return -EINVAL;
		pdu[0] = opcode;
		if (len)
			memcpy(pdu + 1, params, len);
		r = write_pdu(att, pdu, len + 1);
		if (destroy)
			destroy(user_data);
		return r < 0 ? r : 0;
	}

	req = paced_new0(struct att_req, 1);
	if (++att->next_id <= 0)
		att->next_id = 1;
	req->id = att->next_id;
	req->opcode = opcode;
	req->rsp_opcode = rsp;
	req->len = len + 1;
	req->pdu = paced_malloc(len + 1);
	req->pdu[0] = opcode;
	if (len)
		memcpy(req->pdu + 1, params, len);
	req->func = func;
	req->user_data = user_data;
	req->destroy = destroy;

	if (att->queue_tail)
		att->queue_tail->next = req;
	else
		att->queue_head = req;
	att->queue_tail = req;

	/*
	 * Sending now could fail and complete the request inside this call;
	 * callers must never see their callback before att_send() returns,
	 * so a failed first send is reported from an idle callback.
	 */
	if (!att->pending) {
		att_ref(att);
		att->queue_head = req->next;
		if (!att->queue_head)
			att->queue_tail = NULL;
		r = write_pdu(att, req->pdu, req->len);
		req->next = NULL;
		att->pending = req;
		if (r < 0) {
			/* The bearer is broken; take it down (failing req)
			 * once this call has returned. */
			att->down_err = r == -ENOTCONN ? r : -EIO;
			if (att->down_idle <= 0)
				att->down_idle = loop_add_idle(att->loop,
							       down_later, att,
							       NULL);
			att_unref(att);
			return req->id;
		}
		att->timeout_id = loop_add_timeout(att->loop, att->timeout_us,
						   false, timeout_cb, att,
						   NULL);
		att_unref(att);
	}
	return req->id;
}

static bool down_later(void *user_data)
{
	struct att *att = user_data;

	att->down_idle = 0;
	att_ref(att);
	bearer_down(att, att->down_err);
	att_unref(att);
	return false;
}

bool att_cancel(struct att *att, int id)
{
	struct att_req **p, *req;

	if (!att || id <= 0)
		return false;
	if (att->pending && att->pending->id == id) {
		req = att->pending;
		if (!req->func && !req->destroy)
			return false;
		/* The response will still arrive and be consumed. */
		if (req->func)
			req->func(-ECANCELED, 0, 0, NULL, 0, req->user_data);
		req->func = NULL;
		if (req->destroy)
			req->destroy(req->user_data);
		req->destroy = NULL;
		return true;
	}
	for (p = &att->queue_head; (req = *p); p = &req->next) {
		if (req->id != id)
			continue;
		*p = req->next;
		if (att->queue_tail == req) {
			struct att_req *t = att->queue_head;

			while (t && t->next)
				t = t->next;
			att->queue_tail = t;
		}
		req_complete(req, -ECANCELED, 0, 0, NULL, 0);
		return true;
	}
	return false;
}

int att_register_notify(struct att *att, att_notify_func_t func,
			void *user_data, loop_destroy_func_t destroy)
{
	struct att_notify *n, **p;

	if (!att || !func)
		return -EINVAL;
	n = paced_new0(struct att_notify, 1);
	if (++att->next_id <= 0)
		att->next_id = 1;
	n->id = att->next_id;
	n->func = func;
	n->user_data = user_data;
	n->destroy = destroy;
	for (p = &att->notify; *p; p = &(*p)->next)
		;
	*p = n;
	return n->id;
}

bool att_unregister_notify(struct att *att, int id)
{
	struct att_notify **p, *n;

	if (!att)
		return false;
	for (p = &att->notify; (n = *p); p = &n->next) {
		if (n->id != id || n->removed)
			continue;
		if (att->notify_dispatching) {
			/* Freed after the dispatch loop (saved-next rule). */
			n->removed = true;
			return true;
		}
		*p = n->next;
		if (n->destroy)
			n->destroy(n->user_data);
		free(n);
		return true;
	}
	return false;
}
