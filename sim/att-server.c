/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal ATT server with a GATT database, over a SOCK_SEQPACKET fd. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1	/* POLLRDHUP */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "att-server.h"
#include "util.h"

/* A notification queue deeper than this means the client stopped reading. */
#define TX_QUEUE_MAX	64

enum attr_kind {
	ATTR_SERVICE,
	ATTR_CHAR_DECL,
	ATTR_VALUE,
	ATTR_CCCD,
};

struct attr {
	uint16_t handle;
	enum attr_kind kind;
	struct att_uuid type;		/* attribute type (0x2800, 0x2acd ...) */
	uint8_t *value;			/* owned; unused for CCCDs */
	size_t len;
	uint16_t end;			/* services: last handle of the group */
	uint8_t props;			/* values: characteristic properties */
	uint16_t cccd;			/* CCCDs: per-link configuration */
	size_t value_idx;		/* CCCDs: index of their value */
	size_t cccd_idx;		/* values: index of their CCCD, 0 none */
	att_server_write_func_t write;
	void *user_data;
};

struct pdu {
	struct pdu *next;
	size_t len;
	uint8_t data[];
};

struct ind {
	struct ind *next;
	uint16_t handle;
	att_server_confirm_func_t func;
	void *user_data;
	size_t len;
	uint8_t value[];
};

struct att_server {
	struct loop *loop;
	uint16_t rx_mtu;		/* what we offer in Exchange MTU */
	uint16_t mtu;			/* current ATT_MTU of the link */

	struct attr *attrs;
	size_t n_attrs;
	size_t cur_service;		/* index of the last service + 1, 0 none */

	int fd;				/* -1 when detached */
	bool own_fd;
	int watch_id;
	bool want_out;			/* EPOLLOUT armed */

	struct pdu *tx_head, *tx_tail;	/* waiting for the socket */
	size_t tx_len;
	struct pdu *held_head, *held_tail; /* sent after the current response */
	bool holding;

	struct ind *ind_head, *ind_tail;	/* [0] is outstanding if ind_sent */
	bool ind_sent;
	int ind_timer;

	struct att_server_stats stats;

	att_server_cccd_func_t cccd_func;
	void *cccd_data;
	att_server_disconnect_func_t disc_func;
	void *disc_data;
	att_server_debug_func_t debug_func;
	void *debug_data;
};

static void debug(struct att_server *srv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void debug(struct att_server *srv, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!srv->debug_func)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	srv->debug_func(buf, srv->debug_data);
}

/* "< 12 1f 00 07": one PDU at debug level, cut at 64 bytes. */
static void debug_pdu(struct att_server *srv, char dir, const uint8_t *pdu,
		      size_t len)
{
	char hex[3 * 64 + 4];
	size_t n = 0;

	if (!srv->debug_func)
		return;
	for (size_t i = 0; i < len && i < 64; i++)
		n += (size_t) snprintf(hex + n, sizeof(hex) - n, " %02x",
				       pdu[i]);
	if (len > 64)
		snprintf(hex + n, sizeof(hex) - n, " ...");
	debug(srv, "%c%s", dir, hex);
}

struct att_server *att_server_new(struct loop *loop, uint16_t rx_mtu)
{
	struct att_server *srv;

	if (!loop)
		return NULL;
	srv = paced_new0(struct att_server, 1);
	srv->loop = loop;
	srv->rx_mtu = MAX(ATT_DEFAULT_LE_MTU, MIN(rx_mtu, ATT_MAX_MTU));
	srv->mtu = ATT_DEFAULT_LE_MTU;
	srv->fd = -1;
	return srv;
}

static void free_pdus(struct pdu *p)
{
	while (p) {
		struct pdu *next = p->next;

		free(p);
		p = next;
	}
}

void att_server_free(struct att_server *srv)
{
	if (!srv)
		return;
	att_server_detach(srv);
	for (size_t i = 0; i < srv->n_attrs; i++)
		free(srv->attrs[i].value);
	free(srv->attrs);
	free(srv);
}

static struct attr *find_attr(struct att_server *srv, uint16_t handle)
{
	for (size_t i = 0; i < srv->n_attrs; i++)
		if (srv->attrs[i].handle == handle)
			return &srv->attrs[i];
	return NULL;
}

static struct attr *add_attr(struct att_server *srv, uint16_t handle,
			     enum attr_kind kind, uint16_t type)
{
	struct attr *a;

	srv->attrs = paced_realloc(srv->attrs,
				   (srv->n_attrs + 1) * sizeof(*srv->attrs));
	a = &srv->attrs[srv->n_attrs++];
	memset(a, 0, sizeof(*a));
	a->handle = handle;
	a->kind = kind;
	a->type = att_uuid16(type);
	if (srv->cur_service)
		srv->attrs[srv->cur_service - 1].end = handle;
	return a;
}

static uint16_t last_handle(const struct att_server *srv)
{
	return srv->n_attrs ? srv->attrs[srv->n_attrs - 1].handle : 0;
}

int att_server_add_service(struct att_server *srv,
			   const struct att_uuid *uuid, uint16_t start_handle)
{
	uint16_t last = last_handle(srv);
	uint8_t buf[16];
	size_t n;
	struct attr *a;

	if (!srv || !uuid)
		return -EINVAL;
	if (srv->fd >= 0)
		return -EBUSY;
	if (last == 0xffff)
		return -ENOSPC;
	if (start_handle == 0)
		start_handle = last + 1;
	else if (start_handle <= last)
		return -EINVAL;

	n = att_uuid_put(uuid, buf, sizeof(buf));
	/* Vol 3 Part G §3.1: the declaration's value is the service UUID. */
	srv->cur_service = 0;
	a = add_attr(srv, start_handle, ATTR_SERVICE, GATT_UUID_PRIM_SVC);
	a->value = paced_malloc(n);
	memcpy(a->value, buf, n);
	a->len = n;
	a->end = start_handle;
	srv->cur_service = srv->n_attrs;
	return start_handle;
}

int att_server_add_char(struct att_server *srv, const struct att_uuid *uuid,
			uint8_t props, att_server_write_func_t write,
			void *user_data)
{
	uint16_t last = last_handle(srv);
	bool cccd = props & (GATT_PROP_NOTIFY | GATT_PROP_INDICATE);
	uint8_t decl[19];
	size_t n, vidx;
	struct attr *a;

	if (!srv || !uuid || !srv->cur_service)
		return -EINVAL;
	if (srv->fd >= 0)
		return -EBUSY;
	if (last > 0xffff - (cccd ? 3 : 2))
		return -ENOSPC;

	/* Vol 3 Part G §3.3.1: properties, value handle, UUID. */
	decl[0] = props;
	put_le16(last + 2, decl + 1);
	n = 3 + att_uuid_put(uuid, decl + 3, sizeof(decl) - 3);
	a = add_attr(srv, last + 1, ATTR_CHAR_DECL, GATT_UUID_CHARAC);
	a->value = paced_malloc(n);
	memcpy(a->value, decl, n);
	a->len = n;

	a = add_attr(srv, last + 2, ATTR_VALUE, 0);
	a->type = *uuid;
	a->props = props;
	a->write = write;
	a->user_data = user_data;
	vidx = srv->n_attrs - 1;

	if (cccd) {
		a = add_attr(srv, last + 3, ATTR_CCCD, GATT_UUID_CCCD);
		a->value_idx = vidx;
		srv->attrs[vidx].cccd_idx = srv->n_attrs - 1;
	}
	return last + 2;
}

int att_server_set_value(struct att_server *srv, uint16_t value_handle,
			 const void *value, size_t len)
{
	struct attr *a = srv ? find_attr(srv, value_handle) : NULL;

	if (!a || a->kind != ATTR_VALUE || len > ATT_MAX_VALUE_LEN ||
	    (len && !value))
		return -EINVAL;
	free(a->value);
	a->value = paced_malloc(len);
	if (len)
		memcpy(a->value, value, len);
	a->len = len;
	return 0;
}

void att_server_set_cccd_cb(struct att_server *srv,
			    att_server_cccd_func_t func, void *user_data)
{
	srv->cccd_func = func;
	srv->cccd_data = user_data;
}

void att_server_set_disconnect_cb(struct att_server *srv,
				  att_server_disconnect_func_t func,
				  void *user_data)
{
	srv->disc_func = func;
	srv->disc_data = user_data;
}

void att_server_set_debug(struct att_server *srv,
			  att_server_debug_func_t func, void *user_data)
{
	srv->debug_func = func;
	srv->debug_data = user_data;
}

uint16_t att_server_get_mtu(const struct att_server *srv)
{
	return srv->mtu;
}

bool att_server_is_attached(const struct att_server *srv)
{
	return srv && srv->fd >= 0;
}

uint16_t att_server_get_cccd(const struct att_server *srv,
			     uint16_t value_handle)
{
	for (size_t i = 0; i < srv->n_attrs; i++) {
		const struct attr *a = &srv->attrs[i];

		if (a->handle == value_handle && a->kind == ATTR_VALUE)
			return a->cccd_idx ? srv->attrs[a->cccd_idx].cccd : 0;
	}
	return 0;
}

void att_server_get_stats(const struct att_server *srv,
			  struct att_server_stats *ret_stats)
{
	*ret_stats = srv->stats;
}

/* ---- transmit path ---- */

static void update_out(struct att_server *srv)
{
	bool want = srv->tx_head != NULL;

	if (want == srv->want_out || srv->watch_id <= 0)
		return;
	if (loop_modify_fd(srv->loop, srv->watch_id,
			   EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0)) == 0)
		srv->want_out = want;
}

static void flush(struct att_server *srv)
{
	while (srv->tx_head && srv->fd >= 0) {
		struct pdu *p = srv->tx_head;
		ssize_t r = send(srv->fd, p->data, p->len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r < 0 && errno == EINTR)
			continue;
		/* A send error other than a full buffer means the peer is
		 * gone; the read side reports the hang-up. */
		srv->tx_head = p->next;
		if (!srv->tx_head)
			srv->tx_tail = NULL;
		srv->tx_len--;
		if (r >= 0) {
			srv->stats.tx_pdus++;
			debug_pdu(srv, '>', p->data, p->len);
		}
		free(p);
	}
	update_out(srv);
}

static void append(struct pdu **head, struct pdu **tail, struct pdu *p)
{
	p->next = NULL;
	if (*tail)
		(*tail)->next = p;
	else
		*head = p;
	*tail = p;
}

enum pdu_kind {
	PDU_RSP,		/* answers the request being handled: first */
	PDU_IND,		/* reliable: never dropped for a full queue */
	PDU_NFY,		/* unreliable: dropped when the queue is full */
};

/*
 * Queue one PDU. While a request is being answered, server-initiated PDUs
 * wait in the held list so that they follow the response on the wire.
 */
static int queue_pdu(struct att_server *srv, const uint8_t *hdr,
		     size_t hdr_len, const void *data, size_t len,
		     enum pdu_kind kind)
{
	struct pdu *p;

	if (srv->fd < 0)
		return -ENOTCONN;
	if (kind == PDU_NFY && srv->tx_len >= TX_QUEUE_MAX)
		return -ENOBUFS;
	p = paced_malloc(sizeof(*p) + hdr_len + len);
	p->len = hdr_len + len;
	memcpy(p->data, hdr, hdr_len);
	if (len)
		memcpy(p->data + hdr_len, data, len);
	if (srv->holding && kind != PDU_RSP) {
		append(&srv->held_head, &srv->held_tail, p);
	} else {
		append(&srv->tx_head, &srv->tx_tail, p);
		srv->tx_len++;
		if (!srv->holding)
			flush(srv);
	}
	return 0;
}

static void release_held(struct att_server *srv)
{
	struct pdu *p = srv->held_head;

	srv->holding = false;
	srv->held_head = srv->held_tail = NULL;
	while (p) {
		struct pdu *next = p->next;

		if (srv->fd >= 0) {
			append(&srv->tx_head, &srv->tx_tail, p);
			srv->tx_len++;
		} else {
			free(p);
		}
		p = next;
	}
	flush(srv);
}

static void send_rsp(struct att_server *srv, const uint8_t *pdu, size_t len)
{
	(void) queue_pdu(srv, pdu, len, NULL, 0, PDU_RSP);
}

/* §3.4.1.1: Error Response = 01, request opcode, handle, error code. */
static void send_error(struct att_server *srv, uint8_t req, uint16_t handle,
		       uint8_t ecode)
{
	uint8_t pdu[5] = { ATT_OP_ERROR_RSP, req };

	put_le16(handle, pdu + 2);
	pdu[4] = ecode;
	srv->stats.error_responses++;
	debug(srv, "error rsp: req 0x%02x handle 0x%04x ecode 0x%02x", req,
	      handle, ecode);
	send_rsp(srv, pdu, sizeof(pdu));
}

/* ---- indications ---- */

static bool ind_timeout(void *user_data);

static void send_next_ind(struct att_server *srv)
{
	struct ind *i = srv->ind_head;
	uint8_t hdr[3] = { ATT_OP_HANDLE_IND };

	if (!i || srv->ind_sent || srv->fd < 0)
		return;
	put_le16(i->handle, hdr + 1);
	if (queue_pdu(srv, hdr, 3, i->value, MIN(i->len, srv->mtu - 3u),
		      PDU_IND) < 0)
		return;
	srv->ind_sent = true;
	srv->stats.indications++;
	/* §3.3.3: a server transaction unconfirmed for 30 s ends the link. */
	srv->ind_timer = loop_add_timeout(srv->loop, ATT_TIMEOUT_US, false,
					  ind_timeout, srv, NULL);
}

static void fail_indications(struct att_server *srv)
{
	struct ind *i = srv->ind_head;

	srv->ind_head = srv->ind_tail = NULL;
	srv->ind_sent = false;
	if (srv->ind_timer > 0)
		loop_remove(srv->loop, srv->ind_timer);
	srv->ind_timer = 0;
	while (i) {
		struct ind *next = i->next;

		if (i->func)
			i->func(srv, -ENOTCONN, i->user_data);
		free(i);
		i = next;
	}
}

int att_server_indicate(struct att_server *srv, uint16_t value_handle,
			const void *value, size_t len,
			att_server_confirm_func_t func, void *user_data)
{
	struct ind *i;

	if (srv->fd < 0)
		return -ENOTCONN;
	if (len > ATT_MAX_VALUE_LEN || (len && !value))
		return -EINVAL;
	if (!(att_server_get_cccd(srv, value_handle) & GATT_CCCD_INDICATE))
		return -EPERM;
	i = paced_malloc(sizeof(*i) + len);
	i->next = NULL;
	i->handle = value_handle;
	i->func = func;
	i->user_data = user_data;
	i->len = len;
	if (len)
		memcpy(i->value, value, len);
	if (srv->ind_tail)
		srv->ind_tail->next = i;
	else
		srv->ind_head = i;
	srv->ind_tail = i;
	send_next_ind(srv);
	return 0;
}

int att_server_notify(struct att_server *srv, uint16_t value_handle,
		      const void *value, size_t len)
{
	uint8_t hdr[3] = { ATT_OP_HANDLE_NFY };
	int r;

	if (srv->fd < 0)
		return -ENOTCONN;
	if (len && !value)
		return -EINVAL;
	if (!(att_server_get_cccd(srv, value_handle) & GATT_CCCD_NOTIFY))
		return -EPERM;
	put_le16(value_handle, hdr + 1);
	/* §3.4.7.1: only the first ATT_MTU - 3 octets are sent. */
	r = queue_pdu(srv, hdr, 3, value, MIN(len, srv->mtu - 3u), PDU_NFY);
	if (r == -ENOBUFS)
		srv->stats.tx_dropped++;
	else if (r == 0)
		srv->stats.notifications++;
	return r;
}

int att_server_send_raw(struct att_server *srv, const void *pdu, size_t len)
{
	if (srv->fd < 0)
		return -ENOTCONN;
	if (!len || !pdu || len > ATT_MAX_MTU)
		return -EINVAL;
	return queue_pdu(srv, pdu, len, NULL, 0, PDU_NFY);
}

/* ---- link ---- */

static void end_link(struct att_server *srv)
{
	if (srv->fd < 0)
		return;
	if (srv->watch_id > 0)
		loop_remove(srv->loop, srv->watch_id);
	srv->watch_id = 0;
	srv->want_out = false;
	/* A peer sees EOF whether we own the fd or not. */
	(void) shutdown(srv->fd, SHUT_RDWR);
	if (srv->own_fd)
		(void) close(srv->fd);
	srv->fd = -1;
	free_pdus(srv->tx_head);
	free_pdus(srv->held_head);
	srv->tx_head = srv->tx_tail = srv->held_head = srv->held_tail = NULL;
	srv->tx_len = 0;
	fail_indications(srv);
}

void att_server_detach(struct att_server *srv)
{
	if (srv)
		end_link(srv);
}

static void link_failed(struct att_server *srv, int err)
{
	att_server_disconnect_func_t func = srv->disc_func;
	void *data = srv->disc_data;

	debug(srv, "link down: %s", strerror(-err));
	end_link(srv);
	/* Last: the callback may free srv. */
	if (func)
		func(srv, err, data);
}

static bool ind_timeout(void *user_data)
{
	struct att_server *srv = user_data;

	srv->ind_timer = 0;
	link_failed(srv, -ETIMEDOUT);
	return false;
}

/* ---- request handlers; each gets the PDU after the opcode ---- */

static bool attr_readable(const struct attr *a)
{
	switch (a->kind) {
	case ATTR_SERVICE:
	case ATTR_CHAR_DECL:
	case ATTR_CCCD:
		return true;
	case ATTR_VALUE:
		return a->props & GATT_PROP_READ;
	}
	return false;
}

/* The bytes a read returns; tmp holds a CCCD's value. */
static const uint8_t *attr_bytes(const struct attr *a, uint8_t tmp[2],
				 size_t *ret_len)
{
	if (a->kind == ATTR_CCCD) {
		put_le16(a->cccd, tmp);
		*ret_len = 2;
		return tmp;
	}
	*ret_len = a->len;
	return a->value;
}

/* Decode a start/end handle pair; §3.4.3.1 etc.: 0 or start > end is an
 * Invalid Handle error naming the start handle. */
static bool check_range(struct att_server *srv, uint8_t op,
			const uint8_t *p, uint16_t *ret_start,
			uint16_t *ret_end)
{
	uint16_t start = get_le16(p), end = get_le16(p + 2);

	if (start == 0 || start > end) {
		send_error(srv, op, start, ATT_ECODE_INVALID_HANDLE);
		return false;
	}
	*ret_start = start;
	*ret_end = end;
	return true;
}

static void handle_mtu(struct att_server *srv, const uint8_t *p, size_t len)
{
	uint8_t rsp[3] = { ATT_OP_MTU_RSP };
	uint16_t client;

	if (len != 2) {
		send_error(srv, ATT_OP_MTU_REQ, 0, ATT_ECODE_INVALID_PDU);
		return;
	}
	/* §3.4.2.2: ATT_MTU = min(client Rx MTU, server Rx MTU), never
	 * below the default 23. The response carries our own Rx MTU, and
	 * the new MTU applies after it is sent. */
	client = get_le16(p);
	put_le16(srv->rx_mtu, rsp + 1);
	send_rsp(srv, rsp, sizeof(rsp));
	srv->mtu = MAX(ATT_DEFAULT_LE_MTU, MIN(client, srv->rx_mtu));
	debug(srv, "mtu: client %u, now %u", client, srv->mtu);
}

static void handle_find_info(struct att_server *srv, const uint8_t *p,
			     size_t len)
{
	uint8_t rsp[ATT_MAX_MTU] = { ATT_OP_FIND_INFO_RSP };
	uint16_t start, end;
	size_t off = 2;
	int format = 0;

	if (len != 4) {
		send_error(srv, ATT_OP_FIND_INFO_REQ, 0, ATT_ECODE_INVALID_PDU);
		return;
	}
	if (!check_range(srv, ATT_OP_FIND_INFO_REQ, p, &start, &end))
		return;
	for (size_t i = 0; i < srv->n_attrs; i++) {
		const struct attr *a = &srv->attrs[i];
		int f = att_uuid_is16(&a->type) ? 1 : 2;
		size_t n = f == 1 ? 4 : 18;

		if (a->handle < start || a->handle > end)
			continue;
		/* §3.4.3.2: one format per response; stop when it changes. */
		if (format && f != format)
			break;
		if (off + n > srv->mtu)
			break;
		format = f;
		put_le16(a->handle, rsp + off);
		att_uuid_put(&a->type, rsp + off + 2, n - 2);
		off += n;
	}
	if (!format) {
		send_error(srv, ATT_OP_FIND_INFO_REQ, start,
			   ATT_ECODE_ATTR_NOT_FOUND);
		return;
	}
	rsp[1] = format;
	send_rsp(srv, rsp, off);
}

static void handle_find_by_type(struct att_server *srv, const uint8_t *p,
				size_t len)
{
	uint8_t rsp[ATT_MAX_MTU] = { ATT_OP_FIND_BY_TYPE_RSP };
	struct att_uuid type;
	uint16_t start, end;
	size_t off = 1;

	if (len < 6) {
		send_error(srv, ATT_OP_FIND_BY_TYPE_REQ, 0,
			   ATT_ECODE_INVALID_PDU);
		return;
	}
	if (!check_range(srv, ATT_OP_FIND_BY_TYPE_REQ, p, &start, &end))
		return;
	/* §3.4.3.3: the type is always a 16-bit UUID here. */
	type = att_uuid16(get_le16(p + 4));
	for (size_t i = 0; i < srv->n_attrs; i++) {
		const struct attr *a = &srv->attrs[i];
		uint8_t tmp[2];
		const uint8_t *v;
		size_t vlen;

		if (a->handle < start || a->handle > end ||
		    !att_uuid_eq(&a->type, &type))
			continue;
		v = attr_bytes(a, tmp, &vlen);
		if (vlen != len - 6 || (vlen && memcmp(v, p + 6, vlen)))
			continue;
		if (off + 4 > srv->mtu)
			break;
		/* Group End Handle: the service's last handle; a
		 * non-grouping attribute is its own group (§3.4.3.4). */
		put_le16(a->handle, rsp + off);
		put_le16(a->kind == ATTR_SERVICE ? a->end : a->handle,
			 rsp + off + 2);
		off += 4;
	}
	if (off == 1) {
		send_error(srv, ATT_OP_FIND_BY_TYPE_REQ, start,
			   ATT_ECODE_ATTR_NOT_FOUND);
		return;
	}
	send_rsp(srv, rsp, off);
}

static void handle_read_by_type(struct att_server *srv, const uint8_t *p,
				size_t len)
{
	uint8_t rsp[ATT_MAX_MTU] = { ATT_OP_READ_BY_TYPE_RSP };
	struct att_uuid type;
	uint16_t start, end;
	size_t off = 2, pair = 0;

	if ((len != 6 && len != 20) ||
	    !att_uuid_from_le(p + 4, len - 4, &type)) {
		send_error(srv, ATT_OP_READ_BY_TYPE_REQ, 0,
			   ATT_ECODE_INVALID_PDU);
		return;
	}
	if (!check_range(srv, ATT_OP_READ_BY_TYPE_REQ, p, &start, &end))
		return;
	for (size_t i = 0; i < srv->n_attrs; i++) {
		const struct attr *a = &srv->attrs[i];
		uint8_t tmp[2];
		const uint8_t *v;
		size_t vlen, n;

		if (a->handle < start || a->handle > end ||
		    !att_uuid_eq(&a->type, &type))
			continue;
		if (!attr_readable(a)) {
			/* §3.4.4.1: an unreadable first match is an error;
			 * a later one ends the response. */
			if (pair == 0) {
				send_error(srv, ATT_OP_READ_BY_TYPE_REQ,
					   a->handle,
					   ATT_ECODE_READ_NOT_PERMITTED);
				return;
			}
			break;
		}
		v = attr_bytes(a, tmp, &vlen);
		/* §3.4.4.2: each value cut to min(ATT_MTU - 4, 253). */
		n = 2 + MIN(vlen, MIN(srv->mtu - 4u, 253u));
		if (pair && n != pair)
			break;
		if (off + n > srv->mtu)
			break;
		pair = n;
		put_le16(a->handle, rsp + off);
		if (n > 2)
			memcpy(rsp + off + 2, v, n - 2);
		off += n;
	}
	if (pair == 0) {
		send_error(srv, ATT_OP_READ_BY_TYPE_REQ, start,
			   ATT_ECODE_ATTR_NOT_FOUND);
		return;
	}
	rsp[1] = (uint8_t) pair;
	send_rsp(srv, rsp, off);
}

static void handle_read_by_grp_type(struct att_server *srv, const uint8_t *p,
				    size_t len)
{
	uint8_t rsp[ATT_MAX_MTU] = { ATT_OP_READ_BY_GRP_TYPE_RSP };
	struct att_uuid type, prim = att_uuid16(GATT_UUID_PRIM_SVC);
	struct att_uuid second = att_uuid16(GATT_UUID_SECOND_SVC);
	uint16_t start, end;
	size_t off = 2, entry = 0;

	if ((len != 6 && len != 20) ||
	    !att_uuid_from_le(p + 4, len - 4, &type)) {
		send_error(srv, ATT_OP_READ_BY_GRP_TYPE_REQ, 0,
			   ATT_ECODE_INVALID_PDU);
		return;
	}
	if (!check_range(srv, ATT_OP_READ_BY_GRP_TYPE_REQ, p, &start, &end))
		return;
	/* §3.4.4.9: only grouping types (Part G §2.5.3) may be asked for. */
	if (!att_uuid_eq(&type, &prim) && !att_uuid_eq(&type, &second)) {
		send_error(srv, ATT_OP_READ_BY_GRP_TYPE_REQ, start,
			   ATT_ECODE_UNSUPP_GRP_TYPE);
		return;
	}
	for (size_t i = 0; i < srv->n_attrs; i++) {
		const struct attr *a = &srv->attrs[i];
		size_t n;

		if (a->handle < start || a->handle > end ||
		    !att_uuid_eq(&a->type, &type))
			continue;
		/* §3.4.4.10: values cut to min(ATT_MTU - 6, 251); all
		 * entries the same length. */
		n = 4 + MIN(a->len, MIN(srv->mtu - 6u, 251u));
		if (entry && n != entry)
			break;
		if (off + n > srv->mtu)
			break;
		entry = n;
		put_le16(a->handle, rsp + off);
		put_le16(a->end, rsp + off + 2);
		if (n > 4)
			memcpy(rsp + off + 4, a->value, n - 4);
		off += n;
	}
	if (!entry) {
		send_error(srv, ATT_OP_READ_BY_GRP_TYPE_REQ, start,
			   ATT_ECODE_ATTR_NOT_FOUND);
		return;
	}
	rsp[1] = (uint8_t) entry;
	send_rsp(srv, rsp, off);
}

static void handle_read(struct att_server *srv, uint8_t op, const uint8_t *p,
			size_t len)
{
	uint8_t rsp[ATT_MAX_MTU] = { op + 1 };
	size_t want = op == ATT_OP_READ_BLOB_REQ ? 4 : 2;
	uint16_t handle, offset = 0;
	const struct attr *a;
	const uint8_t *v;
	uint8_t tmp[2];
	size_t vlen, n;

	if (len != want) {
		send_error(srv, op, 0, ATT_ECODE_INVALID_PDU);
		return;
	}
	handle = get_le16(p);
	if (op == ATT_OP_READ_BLOB_REQ)
		offset = get_le16(p + 2);
	a = find_attr(srv, handle);
	if (!a) {
		send_error(srv, op, handle, ATT_ECODE_INVALID_HANDLE);
		return;
	}
	if (!attr_readable(a)) {
		send_error(srv, op, handle, ATT_ECODE_READ_NOT_PERMITTED);
		return;
	}
	v = attr_bytes(a, tmp, &vlen);
	/* §3.4.4.6: an offset past the end is Invalid Offset; an offset
	 * exactly at the end returns an empty part, ending a long read. */
	if (offset > vlen) {
		send_error(srv, op, handle, ATT_ECODE_INVALID_OFFSET);
		return;
	}
	n = MIN(vlen - offset, srv->mtu - 1u);
	if (n)
		memcpy(rsp + 1, v + offset, n);
	send_rsp(srv, rsp, 1 + n);
}

static uint8_t write_cccd(struct att_server *srv, struct attr *a,
			  const uint8_t *v, size_t len)
{
	struct attr *val = &srv->attrs[a->value_idx];
	uint16_t allowed = 0, cccd;

	if (len != 2)
		return ATT_ECODE_INVALID_VALUE_LEN;
	cccd = get_le16(v);
	if (val->props & GATT_PROP_NOTIFY)
		allowed |= GATT_CCCD_NOTIFY;
	if (val->props & GATT_PROP_INDICATE)
		allowed |= GATT_CCCD_INDICATE;
	/* CSS Part B §1.2: a configuration the characteristic cannot honour
	 * is "CCCD Improperly Configured" (BlueZ does the same). */
	if (cccd & ~allowed)
		return ATT_ECODE_CCCD_IMPROPER;
	a->cccd = cccd;
	debug(srv, "cccd 0x%04x = 0x%04x", a->handle, cccd);
	if (srv->cccd_func)
		srv->cccd_func(srv, val->handle, cccd, srv->cccd_data);
	return 0;
}

static void handle_write(struct att_server *srv, uint8_t op, const uint8_t *p,
			 size_t len)
{
	bool is_cmd = op == ATT_OP_WRITE_CMD;
	uint8_t rsp[1] = { ATT_OP_WRITE_RSP };
	uint16_t handle;
	struct attr *a;
	uint8_t ecode;

	if (len < 2) {
		if (is_cmd)
			srv->stats.dropped_malformed++;
		else
			send_error(srv, op, 0, ATT_ECODE_INVALID_PDU);
		return;
	}
	handle = get_le16(p);
	p += 2;
	len -= 2;
	a = find_attr(srv, handle);
	if (!a) {
		ecode = ATT_ECODE_INVALID_HANDLE;
	} else if (a->kind == ATTR_CCCD) {
		ecode = write_cccd(srv, a, p, len);
	} else if (a->kind != ATTR_VALUE || !a->write ||
		   !(a->props & (is_cmd ? GATT_PROP_WRITE_NO_RSP :
				 GATT_PROP_WRITE))) {
		ecode = ATT_ECODE_WRITE_NOT_PERMITTED;
	} else if (len > ATT_MAX_VALUE_LEN) {
		ecode = ATT_ECODE_INVALID_VALUE_LEN;
	} else {
		ecode = a->write(srv, handle, p, len, is_cmd, a->user_data);
	}
	if (is_cmd) {
		/* §3.4.5.3: no response, not even an error. */
		if (ecode)
			debug(srv, "write cmd 0x%04x rejected 0x%02x", handle,
			      ecode);
		return;
	}
	if (ecode)
		send_error(srv, op, handle, ecode);
	else
		send_rsp(srv, rsp, sizeof(rsp));
}

static void handle_confirm(struct att_server *srv, size_t len)
{
	struct ind *i = srv->ind_head;

	if (len != 0) {
		srv->stats.dropped_malformed++;
		return;
	}
	if (!i || !srv->ind_sent) {
		srv->stats.dropped_unexpected++;
		debug(srv, "confirmation with no indication, dropped");
		return;
	}
	srv->ind_head = i->next;
	if (!srv->ind_head)
		srv->ind_tail = NULL;
	srv->ind_sent = false;
	if (srv->ind_timer > 0)
		loop_remove(srv->loop, srv->ind_timer);
	srv->ind_timer = 0;
	if (i->func)
		i->func(srv, 0, i->user_data);
	free(i);
	send_next_ind(srv);
}

static void dispatch(struct att_server *srv, const uint8_t *pdu, size_t len)
{
	uint8_t op = pdu[0];
	const uint8_t *p = pdu + 1;
	size_t plen = len - 1;

	srv->stats.rx_pdus++;
	debug_pdu(srv, '<', pdu, len);
	/* §3.2.9: nothing longer than ATT_MTU may arrive. */
	if (len > srv->mtu) {
		srv->stats.dropped_malformed++;
		if (att_rsp_for_req(op))
			send_error(srv, op, 0, ATT_ECODE_INVALID_PDU);
		return;
	}
	srv->holding = true;
	switch (op) {
	case ATT_OP_MTU_REQ:
		handle_mtu(srv, p, plen);
		break;
	case ATT_OP_FIND_INFO_REQ:
		handle_find_info(srv, p, plen);
		break;
	case ATT_OP_FIND_BY_TYPE_REQ:
		handle_find_by_type(srv, p, plen);
		break;
	case ATT_OP_READ_BY_TYPE_REQ:
		handle_read_by_type(srv, p, plen);
		break;
	case ATT_OP_READ_BY_GRP_TYPE_REQ:
		handle_read_by_grp_type(srv, p, plen);
		break;
	case ATT_OP_READ_REQ:
	case ATT_OP_READ_BLOB_REQ:
		handle_read(srv, op, p, plen);
		break;
	case ATT_OP_WRITE_REQ:
	case ATT_OP_WRITE_CMD:
		handle_write(srv, op, p, plen);
		break;
	case ATT_OP_HANDLE_CONF:
		handle_confirm(srv, plen);
		break;
	default:
		if (att_rsp_for_req(op)) {
			/* Read Multiple, Prepare/Execute Write ...: a
			 * minimal server answers Request Not Supported. */
			send_error(srv, op, 0, ATT_ECODE_REQ_NOT_SUPPORTED);
		} else if (att_op_is_cmd(op)) {
			/* §3.3: unknown commands are ignored. */
			srv->stats.dropped_unexpected++;
		} else if (op == ATT_OP_ERROR_RSP ||
			   (op & 1) || op == ATT_OP_HANDLE_NFY ||
			   op == ATT_OP_HANDLE_IND) {
			/* Responses, notifications: not for a server. */
			srv->stats.dropped_unexpected++;
		} else {
			send_error(srv, op, 0, ATT_ECODE_REQ_NOT_SUPPORTED);
		}
		break;
	}
	release_held(srv);
}

static bool peer_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLRDHUP };

	if (poll(&pfd, 1, 0) < 0)
		return true;
	return pfd.revents & (POLLRDHUP | POLLHUP | POLLERR);
}

static bool on_io(int fd, uint32_t events, void *user_data)
{
	struct att_server *srv = user_data;
	uint8_t buf[ATT_MAX_MTU + 1];
	ssize_t r;

	if (events & EPOLLOUT)
		flush(srv);
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
		return true;

	/* Drain what is readable; stop if a callback ended the link. */
	while (srv->fd == fd) {
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == 0 && !peer_gone(fd)) {
			/* An empty SEQPACKET message also reads as 0. */
			srv->stats.rx_pdus++;
			srv->stats.dropped_malformed++;
			continue;
		}
		if (r <= 0) {
			/* EOF or a socket error: the peer is gone. The watch
			 * is removed in end_link(); returning true keeps the
			 * loop from removing it a second time. */
			link_failed(srv, r == 0 ? -ENOTCONN : -EIO);
			return true;
		}
		if ((size_t) r > sizeof(buf)) {
			/* MSG_TRUNC reports the real size: too big. */
			srv->stats.rx_pdus++;
			srv->stats.dropped_malformed++;
			if (att_rsp_for_req(buf[0]))
				send_error(srv, buf[0], 0,
					   ATT_ECODE_INVALID_PDU);
			continue;
		}
		dispatch(srv, buf, (size_t) r);
	}
	return true;
}

int att_server_attach(struct att_server *srv, int fd, bool take_fd)
{
	int flags, id;

	if (!srv || fd < 0)
		return -EINVAL;
	if (srv->fd >= 0)
		return -EBUSY;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	id = loop_add_fd(srv->loop, fd, EPOLLIN | EPOLLRDHUP, on_io, srv,
			 NULL);
	if (id < 0)
		return id;
	srv->fd = fd;
	srv->own_fd = take_fd;
	srv->watch_id = id;
	srv->mtu = ATT_DEFAULT_LE_MTU;
	/* Vol 3 Part G §3.3.3.3: CCCDs of an unbonded client reset on
	 * each connection. */
	for (size_t i = 0; i < srv->n_attrs; i++)
		srv->attrs[i].cccd = 0;
	return 0;
}
