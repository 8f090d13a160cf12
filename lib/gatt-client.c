/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GATT client procedures: MTU, discovery, long reads, writes, CCCDs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "gatt-client.h"

enum gatt_proc {
	GATT_PROC_MTU,
	GATT_PROC_PRIMARY_ALL,
	GATT_PROC_PRIMARY_UUID,
	GATT_PROC_CHARS,
	GATT_PROC_DESCS,
	GATT_PROC_READ,
	GATT_PROC_WRITE,
};

/* One running procedure; lives until its callback has run. */
struct gatt_op {
	enum gatt_proc proc;
	/* Borrowed: an op always has exactly one request in flight on att,
	 * and the bearer completes (or cancels) it before it goes away. */
	struct att *att;
	union {
		gatt_mtu_func_t mtu;
		gatt_services_func_t svcs;
		gatt_chars_func_t chars;
		gatt_descs_func_t descs;
		gatt_read_func_t read;
		gatt_write_func_t write;
	} cb;				/* the member proc says */
	void *user_data;
	uint16_t next;			/* next start handle to ask for */
	uint16_t end;
	uint16_t mtu;			/* what we offered */
	struct att_uuid uuid;
	size_t count;
	union {
		struct gatt_service svcs[GATT_MAX_SERVICES];
		struct gatt_char chars[GATT_MAX_CHARS];
		struct gatt_desc descs[GATT_MAX_DESCS];
		uint8_t value[ATT_MAX_VALUE_LEN];
	} u;
	size_t value_len;
};

static void op_free(struct gatt_op *op)
{
	free(op);
}

/* Reports the outcome exactly once and ends the procedure. */
static void op_done(struct gatt_op *op, int err, uint8_t ecode)
{
	switch (op->proc) {
	case GATT_PROC_MTU:
		op->cb.mtu(err, ecode,
					     err ? 0 : att_get_mtu(op->att),
					     op->user_data);
		break;
	case GATT_PROC_PRIMARY_ALL:
	case GATT_PROC_PRIMARY_UUID:
		op->cb.svcs(err, ecode,
						  err ? NULL : op->u.svcs,
						  err ? 0 : op->count,
						  op->user_data);
		break;
	case GATT_PROC_CHARS:
		op->cb.chars(err, ecode,
					       err ? NULL : op->u.chars,
					       err ? 0 : op->count,
					       op->user_data);
		break;
	case GATT_PROC_DESCS:
		op->cb.descs(err, ecode,
					       err ? NULL : op->u.descs,
					       err ? 0 : op->count,
					       op->user_data);
		break;
	case GATT_PROC_READ:
		op->cb.read(err, ecode,
					      err ? NULL : op->u.value,
					      err ? 0 : op->value_len,
					      op->user_data);
		break;
	case GATT_PROC_WRITE:
		op->cb.write(err, ecode, op->user_data);
		break;
	}
	op_free(op);
}

static struct gatt_op *op_new(struct att *att, enum gatt_proc proc,
			      void *user_data)
{
	struct gatt_op *op = paced_new0(struct gatt_op, 1);

	op->proc = proc;
	op->att = att;
	op->user_data = user_data;
	return op;
}

static void rsp_cb(int err, uint8_t ecode, uint8_t opcode,
		   const uint8_t *p, size_t len, void *user_data);

static int send_req(struct gatt_op *op, uint8_t opcode, const uint8_t *params,
		    size_t len)
{
	int r = att_send(op->att, opcode, params, len, rsp_cb, op, NULL);

	return r < 0 ? r : 0;
}

/* Asks for the next range [op->next, op->end]; the request depends on the
 * procedure. Returns 0 or a negative errno. */
static int send_next(struct gatt_op *op)
{
	uint8_t pdu[4 + 2 + 16];
	size_t n;

	put_le16(op->next, pdu);
	put_le16(op->end, pdu + 2);
	switch (op->proc) {
	case GATT_PROC_PRIMARY_ALL:
		put_le16(GATT_UUID_PRIM_SVC, pdu + 4);
		return send_req(op, ATT_OP_READ_BY_GRP_TYPE_REQ, pdu, 6);
	case GATT_PROC_PRIMARY_UUID:
		/* §4.4.2: type 0x2800, value the UUID in its shortest form. */
		put_le16(GATT_UUID_PRIM_SVC, pdu + 4);
		n = att_uuid_put(&op->uuid, pdu + 6, 16);
		return send_req(op, ATT_OP_FIND_BY_TYPE_REQ, pdu, 6 + n);
	case GATT_PROC_CHARS:
		put_le16(GATT_UUID_CHARAC, pdu + 4);
		return send_req(op, ATT_OP_READ_BY_TYPE_REQ, pdu, 6);
	case GATT_PROC_DESCS:
		return send_req(op, ATT_OP_FIND_INFO_REQ, pdu, 4);
	case GATT_PROC_MTU:
	case GATT_PROC_READ:
	case GATT_PROC_WRITE:
		break;
	}
	return -EINVAL;
}

/*
 * After a batch whose last handle was last: continue from last + 1, or
 * finish when the range is exhausted. Handles must move forward, or a
 * hostile server could keep us asking for the same range for ever.
 */
static void continue_from(struct gatt_op *op, uint16_t last)
{
	int r;

	if (last < op->next) {
		op_done(op, -EPROTO, 0);
		return;
	}
	if (last >= op->end) {
		op_done(op, 0, 0);
		return;
	}
	op->next = last + 1;
	r = send_next(op);
	if (r < 0)
		op_done(op, r, 0);
}

/*
 * The entry list of a Read By Type or Read By Group Type Response
 * (§3.4.4.2, §3.4.4.10): a length byte, then whole entries of that
 * length, which is short_len with a 16-bit UUID or long_len with a
 * 128-bit one. Returns the entry length and moves *p and *len past the
 * length byte, or 0 for a malformed list.
 */
static size_t entry_list(const uint8_t **p, size_t *len, size_t short_len,
			 size_t long_len)
{
	size_t elen;

	if (*len < 1)
		return 0;
	elen = (*p)[0];
	if ((elen != short_len && elen != long_len) || *len - 1 < elen ||
	    (*len - 1) % elen)
		return 0;
	(*p)++;
	(*len)--;
	return elen;
}

/*
 * Append a service found at entry offset i: services come in handle
 * order, within the range asked for, each range well formed. false (the
 * op is done) when it is not, or when there are too many.
 */
static bool add_service(struct gatt_op *op, const struct gatt_service *s,
			size_t i, uint16_t *last)
{
	if (s->start < op->next || s->end < s->start ||
	    (i && s->start <= *last)) {
		op_done(op, -EPROTO, 0);
		return false;
	}
	if (op->count == GATT_MAX_SERVICES) {
		op_done(op, -EMSGSIZE, 0);
		return false;
	}
	op->u.svcs[op->count++] = *s;
	*last = s->end;
	return true;
}

/* §3.4.4.10 Read By Group Type Response: length, then entries of
 * start(2) end(2) value(length - 4). */
static void parse_groups(struct gatt_op *op, const uint8_t *p, size_t len)
{
	size_t elen = entry_list(&p, &len, 6, 20), i;
	uint16_t last = 0;

	if (!elen) {
		op_done(op, -EBADMSG, 0);
		return;
	}
	for (i = 0; i < len; i += elen) {
		struct gatt_service s;

		s.start = get_le16(p + i);
		s.end = get_le16(p + i + 2);
		(void) att_uuid_from_le(p + i + 4, elen - 4, &s.uuid);
		if (!add_service(op, &s, i, &last))
			return;
	}
	continue_from(op, last);
}

/* §3.4.3.4 Find By Type Value Response: found handle(2), group end(2). */
static void parse_handles_info(struct gatt_op *op, const uint8_t *p,
			       size_t len)
{
	size_t i;
	uint16_t last = 0;

	if (len < 4 || len % 4) {
		op_done(op, -EBADMSG, 0);
		return;
	}
	for (i = 0; i < len; i += 4) {
		struct gatt_service s;

		s.start = get_le16(p + i);
		s.end = get_le16(p + i + 2);
		s.uuid = op->uuid;
		if (!add_service(op, &s, i, &last))
			return;
	}
	continue_from(op, last);
}

/* §3.4.4.2 Read By Type Response with §3.3.1 declarations as values:
 * handle(2), properties(1), value handle(2), UUID(2 or 16). */
static void parse_chars(struct gatt_op *op, const uint8_t *p, size_t len)
{
	size_t elen = entry_list(&p, &len, 7, 21), i;
	uint16_t last = 0;

	if (!elen) {
		op_done(op, -EBADMSG, 0);
		return;
	}
	for (i = 0; i < len; i += elen) {
		struct gatt_char c;

		c.decl_handle = get_le16(p + i);
		c.props = p[i + 2];
		c.value_handle = get_le16(p + i + 3);
		c.end_handle = op->end;
		(void) att_uuid_from_le(p + i + 5, elen - 5, &c.uuid);
		/* Vol 3 Part G §3.3: the value follows its declaration. */
		if (c.decl_handle < op->next || c.decl_handle > op->end ||
		    c.value_handle <= c.decl_handle ||
		    c.value_handle > op->end ||
		    (i && c.decl_handle <= last)) {
			op_done(op, -EPROTO, 0);
			return;
		}
		if (op->count == GATT_MAX_CHARS) {
			op_done(op, -EMSGSIZE, 0);
			return;
		}
		if (op->count) {
			struct gatt_char *prev = &op->u.chars[op->count - 1];

			if (c.decl_handle <= prev->value_handle) {
				op_done(op, -EPROTO, 0);
				return;
			}
			prev->end_handle = c.decl_handle - 1;
		}
		op->u.chars[op->count++] = c;
		last = c.decl_handle;
	}
	continue_from(op, last);
}

/* §3.4.3.2 Find Information Response: format 1 = handle + 16-bit UUID,
 * format 2 = handle + 128-bit UUID. */
static void parse_descs(struct gatt_op *op, const uint8_t *p, size_t len)
{
	size_t elen, i;
	uint16_t last = 0;

	if (len < 1 || (p[0] != 1 && p[0] != 2)) {
		op_done(op, -EBADMSG, 0);
		return;
	}
	elen = p[0] == 1 ? 4 : 18;
	p++;
	len--;
	if (len < elen || len % elen) {
		op_done(op, -EBADMSG, 0);
		return;
	}
	for (i = 0; i < len; i += elen) {
		struct gatt_desc d;

		d.handle = get_le16(p + i);
		(void) att_uuid_from_le(p + i + 2, elen - 2, &d.uuid);
		if (d.handle < op->next || d.handle > op->end ||
		    (i && d.handle <= last)) {
			op_done(op, -EPROTO, 0);
			return;
		}
		if (op->count == GATT_MAX_DESCS) {
			op_done(op, -EMSGSIZE, 0);
			return;
		}
		op->u.descs[op->count++] = d;
		last = d.handle;
	}
	continue_from(op, last);
}

static void read_part(struct gatt_op *op, const uint8_t *p, size_t len)
{
	uint8_t pdu[4];
	size_t room = ATT_MAX_VALUE_LEN - op->value_len;
	int r;

	memcpy(op->u.value + op->value_len, p, MIN(len, room));
	op->value_len += MIN(len, room);
	/* §4.8.3: a part shorter than ATT_MTU - 1 is the last one. */
	if (len < (size_t) att_get_mtu(op->att) - 1 ||
	    op->value_len >= ATT_MAX_VALUE_LEN) {
		op_done(op, 0, 0);
		return;
	}
	put_le16(op->next, pdu);
	put_le16((uint16_t) op->value_len, pdu + 2);
	r = send_req(op, ATT_OP_READ_BLOB_REQ, pdu, 4);
	if (r < 0)
		op_done(op, r, 0);
}

static void rsp_cb(int err, uint8_t ecode, uint8_t opcode,
		   const uint8_t *p, size_t len, void *user_data)
{
	struct gatt_op *op = user_data;

	if (err) {
		/*
		 * Attribute Not Found ends every discovery: it means "no
		 * more" (§4.4.1, §4.6.1, §4.7.1). Attribute Not Long ends a
		 * long read of a value that exactly filled one PDU (§4.8.3).
		 */
		if (ecode == ATT_ECODE_ATTR_NOT_FOUND &&
		    (op->proc == GATT_PROC_PRIMARY_ALL ||
		     op->proc == GATT_PROC_PRIMARY_UUID ||
		     op->proc == GATT_PROC_CHARS ||
		     op->proc == GATT_PROC_DESCS)) {
			op_done(op, 0, 0);
			return;
		}
		if (ecode == ATT_ECODE_ATTR_NOT_LONG &&
		    op->proc == GATT_PROC_READ && op->value_len) {
			op_done(op, 0, 0);
			return;
		}
		op_done(op, err, ecode);
		return;
	}

	switch (op->proc) {
	case GATT_PROC_MTU:
		/*
		 * §3.4.2.2: Server Rx MTU (2 octets), "greater than or
		 * equal to the default ATT_MTU" (23). A server that says
		 * less does not follow the protocol: say so (-ERANGE) now
		 * rather than go on and time out later on whatever it
		 * makes of its own MTU.
		 */
		if (len != 2) {
			op_done(op, -EBADMSG, 0);
			return;
		}
		if (get_le16(p) < ATT_DEFAULT_LE_MTU) {
			op_done(op, -ERANGE, 0);
			return;
		}
		(void) att_set_mtu(op->att, MIN(op->mtu, get_le16(p)));
		op_done(op, 0, 0);
		return;
	case GATT_PROC_PRIMARY_ALL:
		parse_groups(op, p, len);
		return;
	case GATT_PROC_PRIMARY_UUID:
		parse_handles_info(op, p, len);
		return;
	case GATT_PROC_CHARS:
		parse_chars(op, p, len);
		return;
	case GATT_PROC_DESCS:
		parse_descs(op, p, len);
		return;
	case GATT_PROC_READ:
		read_part(op, p, len);
		return;
	case GATT_PROC_WRITE:
		/* §3.4.5.2: the Write Response has no parameters. */
		op_done(op, len ? -EBADMSG : 0, 0);
		return;
	}
}

static int start(struct gatt_op *op, int r)
{
	if (r < 0) {
		op_free(op);
		return r;
	}
	return 0;
}

int gatt_exchange_mtu(struct att *att, uint16_t client_mtu,
		      gatt_mtu_func_t func, void *user_data)
{
	struct gatt_op *op;
	uint8_t pdu[2];

	if (!att || !func || client_mtu < ATT_DEFAULT_LE_MTU ||
	    client_mtu > ATT_MAX_MTU)
		return -EINVAL;
	op = op_new(att, GATT_PROC_MTU, user_data);
	op->cb.mtu = func;
	op->mtu = client_mtu;
	put_le16(client_mtu, pdu);
	return start(op, send_req(op, ATT_OP_MTU_REQ, pdu, 2));
}

int gatt_discover_primary(struct att *att, const struct att_uuid *uuid,
			  gatt_services_func_t func, void *user_data)
{
	struct gatt_op *op;

	if (!att || !func)
		return -EINVAL;
	op = op_new(att, uuid ? GATT_PROC_PRIMARY_UUID : GATT_PROC_PRIMARY_ALL,
		    user_data);
	op->cb.svcs = func;
	if (uuid)
		op->uuid = *uuid;
	op->next = 0x0001;
	op->end = 0xffff;
	return start(op, send_next(op));
}

int gatt_discover_chars(struct att *att, uint16_t start_handle,
			uint16_t end_handle, gatt_chars_func_t func,
			void *user_data)
{
	struct gatt_op *op;

	if (!att || !func || !start_handle || end_handle < start_handle)
		return -EINVAL;
	op = op_new(att, GATT_PROC_CHARS, user_data);
	op->cb.chars = func;
	op->next = start_handle;
	op->end = end_handle;
	return start(op, send_next(op));
}

int gatt_discover_descs(struct att *att, uint16_t start_handle,
			uint16_t end_handle, gatt_descs_func_t func,
			void *user_data)
{
	struct gatt_op *op;

	if (!att || !func || !start_handle || end_handle < start_handle)
		return -EINVAL;
	op = op_new(att, GATT_PROC_DESCS, user_data);
	op->cb.descs = func;
	op->next = start_handle;
	op->end = end_handle;
	return start(op, send_next(op));
}

int gatt_read(struct att *att, uint16_t handle, gatt_read_func_t func,
	      void *user_data)
{
	struct gatt_op *op;
	uint8_t pdu[2];

	if (!att || !func || !handle)
		return -EINVAL;
	op = op_new(att, GATT_PROC_READ, user_data);
	op->cb.read = func;
	op->next = handle;
	put_le16(handle, pdu);
	return start(op, send_req(op, ATT_OP_READ_REQ, pdu, 2));
}

int gatt_write(struct att *att, uint16_t handle, const void *value,
	       size_t len, gatt_write_func_t func, void *user_data)
{
	struct gatt_op *op;
	uint8_t pdu[ATT_MAX_MTU];

	if (!att || !func || !handle || (len && !value) ||
	    len + 3 > att_get_mtu(att))
		return -EINVAL;
	op = op_new(att, GATT_PROC_WRITE, user_data);
	op->cb.write = func;
	put_le16(handle, pdu);
	if (len)
		memcpy(pdu + 2, value, len);
	return start(op, send_req(op, ATT_OP_WRITE_REQ, pdu, len + 2));
}

int gatt_write_cmd(struct att *att, uint16_t handle, const void *value,
		   size_t len)
{
	uint8_t pdu[ATT_MAX_MTU];

	if (!att || !handle || (len && !value) || len + 3 > att_get_mtu(att))
		return -EINVAL;
	put_le16(handle, pdu);
	if (len)
		memcpy(pdu + 2, value, len);
	return att_send(att, ATT_OP_WRITE_CMD, pdu, len + 2, NULL, NULL, NULL);
}

int gatt_write_cccd(struct att *att, uint16_t cccd_handle, uint16_t bits,
		    gatt_write_func_t func, void *user_data)
{
	uint8_t v[2];

	put_le16(bits, v);
	return gatt_write(att, cccd_handle, v, 2, func, user_data);
}

const struct gatt_char *gatt_find_char(const struct gatt_char *chars,
				       size_t count,
				       const struct att_uuid *uuid)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (att_uuid_eq(&chars[i].uuid, uuid))
			return &chars[i];
	return NULL;
}

const struct gatt_desc *gatt_find_desc(const struct gatt_desc *descs,
				       size_t count, uint16_t start_handle,
				       uint16_t end_handle,
				       const struct att_uuid *uuid)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (descs[i].handle >= start_handle &&
		    descs[i].handle <= end_handle &&
		    att_uuid_eq(&descs[i].uuid, uuid))
			return &descs[i];
	return NULL;
}
