/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT bearer and GATT client procedures against byte-exact scripted peers. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "att.h"
#include "gatt-client.h"
#include "mainloop.h"
#include "util.h"

/*
 * The client owns sv[0]; the test is the peer on sv[1]. A script is a list
 * of {direction, bytes}: OUT steps are PDUs the client must have written
 * (compared with memcmp), IN steps are PDUs the peer injects. An empty IN
 * step just runs the loop ("poke the code now").
 */
static struct fake_clock fc;
static struct loop *loop;
static struct att *att;
static int peer = -1;

enum dir { OUT, IN };

struct step {
	enum dir dir;
	const uint8_t *pdu;
	size_t len;
};

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ })
#define S_OUT(...) { OUT, B(__VA_ARGS__) }
#define S_IN(...) { IN, B(__VA_ARGS__) }
#define S_POKE { IN, NULL, 0 }

static void setup(void)
{
	int sv[2];

	fake_clock_init(&fc, 1000000);
	loop = loop_new(&fc.clock);
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	att = att_new(loop, sv[0], true);
	ck_assert_ptr_nonnull(att);
	peer = sv[1];
	ck_assert_int_eq(fcntl(peer, F_SETFL, O_NONBLOCK), 0);
}

static void teardown(void)
{
	att = att_unref(att);
	if (peer >= 0)
		close(peer);
	peer = -1;
	loop_free(loop);
}

static void spin(void)
{
	int i;

	for (i = 0; i < 4; i++)
		loop_iterate(loop, 0);
}

/* Nothing more from the client. */
static void expect_silence(void)
{
	uint8_t buf[ATT_MAX_MTU + 1];
	ssize_t n;

	spin();
	n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
	ck_assert_msg(n < 0 && errno == EAGAIN,
		      "unexpected PDU of %zd bytes (opcode 0x%02x)", n,
		      n > 0 ? buf[0] : 0);
}

static void run_steps(const struct step *steps, size_t count)
{
	uint8_t buf[ATT_MAX_MTU + 1];
	size_t i;
	ssize_t n;

	for (i = 0; i < count; i++) {
		const struct step *s = &steps[i];

		if (s->dir == IN) {
			if (s->len)
				ck_assert_int_eq(send(peer, s->pdu, s->len, 0),
						 (ssize_t) s->len);
			spin();
			continue;
		}
		spin();
		n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
		ck_assert_msg(n >= 0, "step %zu: expected a PDU, got none", i);
		ck_assert_msg((size_t) n == s->len &&
			      !memcmp(buf, s->pdu, s->len),
			      "step %zu: PDU differs (len %zd, want %zu, "
			      "opcode 0x%02x)", i, n, s->len, buf[0]);
	}
}

#define RUN(...) do { \
	const struct step steps_[] = { __VA_ARGS__ }; \
	run_steps(steps_, ARRAY_SIZE(steps_)); \
} while (0)

/* ---- result recorders ---- */

struct res {
	int calls;
	int err;
	uint8_t ecode;
	uint16_t mtu;
	size_t count;
	struct gatt_service svcs[8];
	struct gatt_char chars[8];
	struct gatt_desc descs[8];
	uint8_t value[ATT_MAX_VALUE_LEN];
	size_t len;
	uint8_t opcode;
};

static void mtu_cb(int err, uint8_t ecode, uint16_t mtu, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->mtu = mtu;
}

static void svcs_cb(int err, uint8_t ecode, const struct gatt_service *s,
		    size_t count, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->count = count;
	if (count)
		memcpy(r->svcs, s, MIN(count, (size_t) 8) * sizeof(*s));
}

static void chars_cb(int err, uint8_t ecode, const struct gatt_char *c,
		     size_t count, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->count = count;
	if (count)
		memcpy(r->chars, c, MIN(count, (size_t) 8) * sizeof(*c));
}

static void descs_cb(int err, uint8_t ecode, const struct gatt_desc *d,
		     size_t count, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->count = count;
	if (count)
		memcpy(r->descs, d, MIN(count, (size_t) 8) * sizeof(*d));
}

static void read_cb(int err, uint8_t ecode, const uint8_t *v, size_t len,
		    void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->len = len;
	if (len)
		memcpy(r->value, v, len);
}

static void write_cb(int err, uint8_t ecode, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
}

static void rsp_cb(int err, uint8_t ecode, uint8_t opcode,
		   const uint8_t *params, size_t len, void *user_data)
{
	struct res *r = user_data;

	r->calls++;
	r->err = err;
	r->ecode = ecode;
	r->opcode = opcode;
	r->len = len;
	if (len)
		memcpy(r->value, params, len);
}

struct disc {
	int calls;
	int err;
};

static void disc_cb(int err, void *user_data)
{
	struct disc *d = user_data;

	d->calls++;
	d->err = err;
}

struct nfy {
	int calls;
	uint8_t opcode;
	uint16_t handle;
	uint8_t value[64];
	size_t len;
};

static void nfy_cb(uint8_t opcode, uint16_t handle, const uint8_t *value,
		   size_t len, void *user_data)
{
	struct nfy *n = user_data;

	n->calls++;
	n->opcode = opcode;
	n->handle = handle;
	n->len = len;
	memcpy(n->value, value, MIN(len, sizeof(n->value)));
}

static struct att_stats stats(void)
{
	struct att_stats s;

	att_get_stats(att, &s);
	return s;
}

/* ---- MTU exchange ---- */

START_TEST(mtu_exchange_takes_minimum)
{
	struct res r = { 0 };

	ck_assert_uint_eq(att_get_mtu(att), 23);
	ck_assert_int_eq(gatt_exchange_mtu(att, 185, mtu_cb, &r), 0);
	ck_assert_int_eq(r.calls, 0);	/* never from inside the call */
	RUN(S_OUT(0x02, 0xb9, 0x00), S_IN(0x03, 0xf7, 0x00));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.mtu, 185);
	ck_assert_uint_eq(att_get_mtu(att), 185);
}
END_TEST

START_TEST(mtu_exchange_server_smaller)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_exchange_mtu(att, 517, mtu_cb, &r), 0);
	RUN(S_OUT(0x02, 0x05, 0x02), S_IN(0x03, 0x40, 0x00));
	ck_assert_uint_eq(r.mtu, 64);
	ck_assert_uint_eq(att_get_mtu(att), 64);
}
END_TEST

START_TEST(mtu_exchange_server_below_minimum)
{
	struct res r = { 0 };

	/* §3.4.2.2: a Server Rx MTU under 23 breaks the protocol: said,
	 * and it cannot lower the default. */
	ck_assert_int_eq(gatt_exchange_mtu(att, 100, mtu_cb, &r), 0);
	RUN(S_OUT(0x02, 0x64, 0x00), S_IN(0x03, 0x16, 0x00));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, -ERANGE);
	ck_assert_uint_eq(att_get_mtu(att), 23);
}
END_TEST

START_TEST(mtu_exchange_not_supported)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_exchange_mtu(att, 100, mtu_cb, &r), 0);
	RUN(S_OUT(0x02, 0x64, 0x00), S_IN(0x01, 0x02, 0x00, 0x00, 0x06));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, -EOPNOTSUPP);
	ck_assert_uint_eq(r.ecode, ATT_ECODE_REQ_NOT_SUPPORTED);
	ck_assert_uint_eq(att_get_mtu(att), 23);
	ck_assert_int_eq(gatt_exchange_mtu(att, 10, mtu_cb, &r), -EINVAL);
}
END_TEST

START_TEST(mtu_exchange_truncated_response)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_exchange_mtu(att, 100, mtu_cb, &r), 0);
	RUN(S_OUT(0x02, 0x64, 0x00), S_IN(0x03, 0x40));
	ck_assert_int_eq(r.err, -EBADMSG);
	ck_assert_uint_eq(att_get_mtu(att), 23);
}
END_TEST

START_TEST(peer_mtu_request_answered)
{
	/* The server may start the exchange itself (§3.4.2.1). */
	RUN(S_IN(0x02, 0x40, 0x00), S_OUT(0x03, 0x05, 0x02));
	ck_assert_uint_eq(att_get_mtu(att), 64);
}
END_TEST

/* ---- discovery ---- */

START_TEST(discover_all_primary)
{
	struct res r = { 0 };
	struct att_uuid u128;

	ck_assert_int_eq(gatt_discover_primary(att, NULL, svcs_cb, &r), 0);
	RUN(S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    /* two 16-bit groups: GAP 1-5, FTMS 6-0x0b */
	    S_IN(0x11, 0x06, 0x01, 0x00, 0x05, 0x00, 0x00, 0x18,
		 0x06, 0x00, 0x0b, 0x00, 0x26, 0x18),
	    S_OUT(0x10, 0x0c, 0x00, 0xff, 0xff, 0x00, 0x28),
	    /* one 128-bit group 0x0c-0x10 */
	    S_IN(0x11, 0x14, 0x0c, 0x00, 0x10, 0x00,
		 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
	    S_OUT(0x10, 0x11, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x01, 0x10, 0x11, 0x00, 0x0a));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 3);
	ck_assert_uint_eq(r.svcs[1].start, 6);
	ck_assert_uint_eq(r.svcs[1].end, 0x0b);
	ck_assert(att_uuid_is16(&r.svcs[1].uuid));
	ck_assert_uint_eq(att_uuid_get16(&r.svcs[1].uuid), 0x1826);
	ck_assert(!att_uuid_is16(&r.svcs[2].uuid));
	ck_assert(att_uuid_from_str("ffeeddcc-bbaa-9988-7766-554433221100",
				    &u128));
	ck_assert(att_uuid_eq(&u128, &r.svcs[2].uuid));
	ck_assert_uint_eq(r.svcs[2].end, 0x10);
}
END_TEST

START_TEST(discover_primary_ends_at_ffff)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_discover_primary(att, NULL, svcs_cb, &r), 0);
	RUN(S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x11, 0x06, 0x01, 0x00, 0xff, 0xff, 0x26, 0x18));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 1);
	expect_silence();
}
END_TEST

START_TEST(discover_primary_by_uuid)
{
	struct res r = { 0 };
	struct att_uuid ftms = att_uuid16(0x1826);

	ck_assert_int_eq(gatt_discover_primary(att, &ftms, svcs_cb, &r), 0);
	RUN(S_OUT(0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	    S_IN(0x07, 0x20, 0x00, 0x2f, 0x00),
	    S_OUT(0x06, 0x30, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	    S_IN(0x01, 0x06, 0x30, 0x00, 0x0a));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 1);
	ck_assert_uint_eq(r.svcs[0].start, 0x20);
	ck_assert_uint_eq(r.svcs[0].end, 0x2f);
	ck_assert(att_uuid_eq(&r.svcs[0].uuid, &ftms));
}
END_TEST

START_TEST(discover_primary_by_uuid128)
{
	struct res r = { 0 };
	struct att_uuid u;

	ck_assert(att_uuid_from_str("ffeeddcc-bbaa-9988-7766-554433221100",
				    &u));
	ck_assert_int_eq(gatt_discover_primary(att, &u, svcs_cb, &r), 0);
	RUN(S_OUT(0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28,
		  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		  0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
	    S_IN(0x01, 0x06, 0x01, 0x00, 0x0a));
	/* Attribute Not Found on the first request: no such service. */
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 0);
}
END_TEST

START_TEST(discover_chars_16_and_128)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_discover_chars(att, 0x20, 0x2f, chars_cb, &r),
			 0);
	RUN(S_OUT(0x08, 0x20, 0x00, 0x2f, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x07, 0x21, 0x00, 0x02, 0x22, 0x00, 0xcc, 0x2a,
		 0x23, 0x00, 0x10, 0x24, 0x00, 0xcd, 0x2a),
	    S_OUT(0x08, 0x24, 0x00, 0x2f, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x15, 0x26, 0x00, 0x28, 0x27, 0x00,
		 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
	    S_OUT(0x08, 0x27, 0x00, 0x2f, 0x00, 0x03, 0x28),
	    S_IN(0x01, 0x08, 0x27, 0x00, 0x0a));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 3);
	ck_assert_uint_eq(r.chars[0].decl_handle, 0x21);
	ck_assert_uint_eq(r.chars[0].value_handle, 0x22);
	ck_assert_uint_eq(r.chars[0].props, GATT_PROP_READ);
	ck_assert_uint_eq(r.chars[0].end_handle, 0x22);
	ck_assert_uint_eq(att_uuid_get16(&r.chars[1].uuid), 0x2acd);
	ck_assert_uint_eq(r.chars[1].end_handle, 0x25);
	ck_assert_uint_eq(r.chars[2].props,
			  GATT_PROP_WRITE | GATT_PROP_INDICATE);
	ck_assert(!att_uuid_is16(&r.chars[2].uuid));
	ck_assert_uint_eq(r.chars[2].end_handle, 0x2f);
}
END_TEST

START_TEST(discover_descs_16_and_128)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_discover_descs(att, 0x25, 0x2f, descs_cb, &r),
			 0);
	RUN(S_OUT(0x04, 0x25, 0x00, 0x2f, 0x00),
	    S_IN(0x05, 0x01, 0x25, 0x00, 0x02, 0x29, 0x26, 0x00, 0x03, 0x28),
	    S_OUT(0x04, 0x27, 0x00, 0x2f, 0x00),
	    S_IN(0x05, 0x02, 0x27, 0x00,
		 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff),
	    S_OUT(0x04, 0x28, 0x00, 0x2f, 0x00),
	    S_IN(0x01, 0x04, 0x28, 0x00, 0x0a));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.count, 3);
	ck_assert_uint_eq(r.descs[0].handle, 0x25);
	ck_assert_uint_eq(att_uuid_get16(&r.descs[0].uuid), GATT_UUID_CCCD);
	ck_assert_uint_eq(r.descs[2].handle, 0x27);
	ck_assert(!att_uuid_is16(&r.descs[2].uuid));
}
END_TEST

START_TEST(discover_truncated_and_bad_lengths)
{
	struct res r = { 0 };

	/* Entry length 6 but only 4 bytes of entry. */
	ck_assert_int_eq(gatt_discover_primary(att, NULL, svcs_cb, &r), 0);
	RUN(S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x11, 0x06, 0x01, 0x00, 0x05, 0x00));
	ck_assert_int_eq(r.err, -EBADMSG);

	/* Read By Type entries of a length no declaration has. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gatt_discover_chars(att, 1, 9, chars_cb, &r), 0);
	RUN(S_OUT(0x08, 0x01, 0x00, 0x09, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x05, 0x02, 0x00, 0x02, 0x03, 0x00));
	ck_assert_int_eq(r.err, -EBADMSG);

	/* Find Information with an unknown format. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gatt_discover_descs(att, 1, 9, descs_cb, &r), 0);
	RUN(S_OUT(0x04, 0x01, 0x00, 0x09, 0x00),
	    S_IN(0x05, 0x03, 0x02, 0x00, 0x02, 0x29));
	ck_assert_int_eq(r.err, -EBADMSG);

	/* Find By Type Value with a half entry. */
	memset(&r, 0, sizeof(r));
	{
		struct att_uuid u = att_uuid16(0x1826);

		ck_assert_int_eq(gatt_discover_primary(att, &u, svcs_cb, &r),
				 0);
	}
	RUN(S_OUT(0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	    S_IN(0x07, 0x20, 0x00, 0x2f, 0x00, 0x30, 0x00));
	ck_assert_int_eq(r.err, -EBADMSG);
	/* The bearer survives all of it. */
	ck_assert(att_is_connected(att));
}
END_TEST

START_TEST(discover_handles_going_backwards)
{
	struct res r = { 0 };

	/* A peer answering with handles before the range would make us
	 * loop for ever; it is a protocol error. */
	ck_assert_int_eq(gatt_discover_chars(att, 0x20, 0x2f, chars_cb, &r),
			 0);
	RUN(S_OUT(0x08, 0x20, 0x00, 0x2f, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x07, 0x10, 0x00, 0x02, 0x11, 0x00, 0xcc, 0x2a));
	ck_assert_int_eq(r.err, -EPROTO);

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gatt_discover_primary(att, NULL, svcs_cb, &r), 0);
	RUN(S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x11, 0x06, 0x05, 0x00, 0x02, 0x00, 0x26, 0x18));
	ck_assert_int_eq(r.err, -EPROTO);
}
END_TEST

/* ---- reads and writes ---- */

START_TEST(read_short)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &r), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00),
	    S_IN(0x0b, 0x0a, 0x00, 0xb0, 0x04, 0x0a, 0x00));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.len, 6);
	ck_assert_uint_eq(get_le16(r.value + 2), 1200);
}
END_TEST

START_TEST(read_long_with_blobs)
{
	struct res r = { 0 };
	uint8_t part[23], req[5];
	size_t i;

	for (i = 0; i < sizeof(part); i++)
		part[i] = (uint8_t) i;
	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &r), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	/* 22 bytes fill an MTU-23 response: ask for more. */
	part[0] = ATT_OP_READ_RSP;
	ck_assert_int_eq(send(peer, part, 23, 0), 23);
	spin();
	req[0] = ATT_OP_READ_BLOB_REQ;
	put_le16(0x0003, req + 1);
	put_le16(22, req + 3);
	{
		const struct step s[] = { { OUT, req, 5 } };

		run_steps(s, 1);
	}
	part[0] = ATT_OP_READ_BLOB_RSP;
	ck_assert_int_eq(send(peer, part, 23, 0), 23);
	spin();
	put_le16(44, req + 3);
	{
		const struct step s[] = { { OUT, req, 5 } };

		run_steps(s, 1);
	}
	RUN(S_IN(0x0d, 0xaa, 0xbb, 0xcc));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.len, 47);
	ck_assert_uint_eq(r.value[0], 1);
	ck_assert_uint_eq(r.value[21], 22);
	ck_assert_uint_eq(r.value[22], 1);
	ck_assert_uint_eq(r.value[46], 0xcc);
}
END_TEST

START_TEST(read_long_ends_on_attribute_not_long)
{
	struct res r = { 0 };
	uint8_t part[23] = { ATT_OP_READ_RSP };

	ck_assert_int_eq(gatt_read(att, 0x0007, read_cb, &r), 0);
	RUN(S_OUT(0x0a, 0x07, 0x00));
	ck_assert_int_eq(send(peer, part, 23, 0), 23);
	RUN(S_OUT(0x0c, 0x07, 0x00, 0x16, 0x00),
	    S_IN(0x01, 0x0c, 0x07, 0x00, 0x0b));
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.len, 22);
}
END_TEST

START_TEST(write_request_and_command)
{
	struct res r = { 0 };
	const uint8_t v[] = { 0x02, 0xe8, 0x03 };

	ck_assert_int_eq(gatt_write(att, 0x0028, v, sizeof(v), write_cb, &r),
			 0);
	RUN(S_OUT(0x12, 0x28, 0x00, 0x02, 0xe8, 0x03), S_IN(0x13));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);

	ck_assert_int_eq(gatt_write_cmd(att, 0x0028, v, 1), 0);
	RUN(S_OUT(0x52, 0x28, 0x00, 0x02));

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gatt_write_cccd(att, 0x0029, GATT_CCCD_INDICATE,
					 write_cb, &r), 0);
	RUN(S_OUT(0x12, 0x29, 0x00, 0x02, 0x00), S_IN(0x13));
	ck_assert_int_eq(r.err, 0);

	/* Too long for MTU 23 (20 bytes of value at most). */
	{
		uint8_t big[21] = { 0 };

		ck_assert_int_eq(gatt_write(att, 0x28, big, 21, write_cb, &r),
				 -EINVAL);
		memset(&r, 0, sizeof(r));
		ck_assert_int_eq(gatt_write(att, 0x28, big, 20, write_cb, &r),
				 0);
		spin();
		{
			uint8_t pdu[32];

			ck_assert_int_eq(recv(peer, pdu, sizeof(pdu),
					      MSG_DONTWAIT), 23);
			ck_assert_uint_eq(pdu[0], ATT_OP_WRITE_REQ);
		}
		RUN(S_IN(0x13));
		ck_assert_int_eq(r.calls, 1);
	}
}
END_TEST

START_TEST(write_response_with_params_is_malformed)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_write(att, 0x0028, "\x07", 1, write_cb, &r), 0);
	RUN(S_OUT(0x12, 0x28, 0x00, 0x07), S_IN(0x13, 0x00));
	ck_assert_int_eq(r.err, -EBADMSG);
}
END_TEST

/* ---- error responses, wrong opcode, truncation ---- */

START_TEST(error_response_mapped)
{
	struct res r = { 0 };

	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &r), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x01, 0x0a, 0x03, 0x00, 0x02));
	ck_assert_int_eq(r.err, -EACCES);
	ck_assert_uint_eq(r.ecode, ATT_ECODE_READ_NOT_PERMITTED);
	ck_assert_str_eq(att_ecode_name(r.ecode), "Read Not Permitted");
	ck_assert_uint_eq(stats().error_responses, 1);

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(gatt_write(att, 0x28, "\x02", 1, write_cb, &r), 0);
	RUN(S_OUT(0x12, 0x28, 0x00, 0x02), S_IN(0x01, 0x12, 0x28, 0x00, 0xfe));
	ck_assert_int_eq(r.err, -EBUSY);
	ck_assert_str_eq(att_ecode_name(r.ecode),
			 "Procedure Already in Progress");
}
END_TEST

START_TEST(error_codes_have_names)
{
	ck_assert_str_eq(att_ecode_name(0x0a), "Attribute Not Found");
	ck_assert_str_eq(att_ecode_name(0x05), "Insufficient Authentication");
	ck_assert_str_eq(att_ecode_name(0x0f), "Insufficient Encryption");
	ck_assert_str_eq(att_ecode_name(0x85), "Application Error");
	ck_assert_str_eq(att_ecode_name(0x50), "Reserved Error");
	ck_assert_str_eq(att_opcode_name(0x1d), "Handle Value Indication");
	ck_assert_int_eq(att_ecode_to_errno(0x0a), -ENOENT);
	ck_assert_int_eq(att_ecode_to_errno(0x0f), -EACCES);
	ck_assert_int_eq(att_ecode_to_errno(0x13), -EINVAL);
	ck_assert_int_eq(att_ecode_to_errno(0x42), -EIO);
}
END_TEST

START_TEST(wrong_response_opcode)
{
	struct res r = { 0 };

	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00),
				  rsp_cb, &r, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x13));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, -EPROTO);
	ck_assert_uint_eq(stats().wrong_response, 1);

	/* An Error Response naming another request is just as wrong. */
	memset(&r, 0, sizeof(r));
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00),
				  rsp_cb, &r, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x01, 0x12, 0x03, 0x00, 0x0a));
	ck_assert_int_eq(r.err, -EPROTO);
	ck_assert_uint_eq(stats().wrong_response, 2);
	ck_assert(att_is_connected(att));
}
END_TEST

START_TEST(truncated_error_response_dropped)
{
	struct res r = { 0 };

	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00),
				  rsp_cb, &r, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x01, 0x0a, 0x03, 0x00));
	/* Dropped and counted; the request still waits for a real answer. */
	ck_assert_int_eq(r.calls, 0);
	ck_assert_uint_eq(stats().dropped_malformed, 1);
	RUN(S_IN(0x0b, 0x42));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.opcode, ATT_OP_READ_RSP);
	ck_assert_uint_eq(r.len, 1);
	ck_assert_uint_eq(r.value[0], 0x42);
}
END_TEST

START_TEST(unexpected_and_oversize_dropped)
{
	uint8_t big[40] = { ATT_OP_HANDLE_NFY, 0x10, 0x00 };
	struct nfy n = { 0 };

	ck_assert_int_gt(att_register_notify(att, nfy_cb, &n, NULL), 0);
	/* A response nobody asked for, a stray confirmation, an unknown
	 * opcode. (An empty record reads as EOF on SEQPACKET: att.c treats
	 * it as the hang-up it almost always is.) */
	RUN(S_IN(0x0b, 0x01), S_IN(0x1e), S_IN(0x7f, 0x00));
	ck_assert_uint_eq(stats().dropped_unexpected, 3);
	/* 40 bytes > MTU 23 (§3.2.8). */
	ck_assert_int_eq(send(peer, big, sizeof(big), 0), (ssize_t) sizeof(big));
	spin();
	ck_assert_uint_eq(stats().dropped_oversize, 1);
	ck_assert_int_eq(n.calls, 0);
	expect_silence();
}
END_TEST

START_TEST(peer_request_not_supported)
{
	/* We hold no database: any request gets Request Not Supported. */
	RUN(S_IN(0x0a, 0x01, 0x00), S_OUT(0x01, 0x0a, 0x00, 0x00, 0x06),
	    S_IN(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_OUT(0x01, 0x10, 0x00, 0x00, 0x06));
	/* Commands are ignored without an answer (§3.4.5.3). */
	RUN(S_IN(0x52, 0x01, 0x00, 0x01));
	expect_silence();
}
END_TEST

/* ---- one request at a time, cancel ---- */

START_TEST(one_request_at_a_time)
{
	struct res a = { 0 }, b = { 0 };

	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &a), 0);
	ck_assert_int_eq(gatt_read(att, 0x0005, read_cb, &b), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	/* The second waits until the first is answered (§3.3.2). */
	expect_silence();
	RUN(S_IN(0x0b, 0x01), S_OUT(0x0a, 0x05, 0x00), S_IN(0x0b, 0x02));
	ck_assert_int_eq(a.calls, 1);
	ck_assert_uint_eq(a.value[0], 1);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_uint_eq(b.value[0], 2);
}
END_TEST

START_TEST(cancel_queued_and_outstanding)
{
	struct res a = { 0 }, b = { 0 }, c = { 0 };
	int ida, idb;

	ida = att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00), rsp_cb, &a, NULL);
	idb = att_send(att, ATT_OP_READ_REQ, B(0x05, 0x00), rsp_cb, &b, NULL);
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x07, 0x00), rsp_cb,
				  &c, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	ck_assert(att_cancel(att, idb));
	ck_assert_int_eq(b.err, -ECANCELED);
	ck_assert(att_cancel(att, ida));
	ck_assert_int_eq(a.err, -ECANCELED);
	ck_assert(!att_cancel(att, ida));
	/* The cancelled request still occupies the bearer until answered;
	 * its response is consumed silently. */
	expect_silence();
	RUN(S_IN(0x0b, 0x01), S_OUT(0x0a, 0x07, 0x00), S_IN(0x0b, 0x03));
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_uint_eq(c.value[0], 3);
}
END_TEST

START_TEST(full_socket_queues_in_order)
{
	uint8_t v[2], buf[ATT_MAX_MTU + 1];
	struct res r = { 0 };
	unsigned int i, got = 0;
	ssize_t n;

	/* Far more than an AF_UNIX queue holds: later PDUs wait in the
	 * bearer (EAGAIN) and go out, in order, as the peer reads. */
	for (i = 0; i < 3000; i++) {
		put_le16((uint16_t) i, v);
		ck_assert_int_eq(gatt_write_cmd(att, 0x0028, v, 2), 0);
	}
	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &r), 0);
	for (i = 0; i < 100000 && got < 3000; i++) {
		n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			loop_iterate(loop, 0);
			continue;
		}
		ck_assert_int_eq(n, 5);
		ck_assert_uint_eq(buf[0], ATT_OP_WRITE_CMD);
		ck_assert_uint_eq(get_le16(buf + 3), got);
		got++;
	}
	ck_assert_uint_eq(got, 3000);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x0b, 0x07));
	ck_assert_int_eq(r.calls, 1);
	ck_assert_uint_eq(r.value[0], 7);
	ck_assert_uint_eq(stats().tx_pdus, 3001);
}
END_TEST

/* ---- notifications and indications ---- */

START_TEST(notification_dispatched)
{
	struct nfy n = { 0 };

	ck_assert_int_gt(att_register_notify(att, nfy_cb, &n, NULL), 0);
	RUN(S_IN(0x1b, 0x24, 0x00, 0x00, 0x00, 0xe8, 0x03));
	ck_assert_int_eq(n.calls, 1);
	ck_assert_uint_eq(n.opcode, ATT_OP_HANDLE_NFY);
	ck_assert_uint_eq(n.handle, 0x24);
	ck_assert_uint_eq(n.len, 4);
	ck_assert_uint_eq(get_le16(n.value + 2), 1000);
	/* No confirmation for a notification. */
	expect_silence();
	ck_assert_uint_eq(stats().notifications, 1);
}
END_TEST

START_TEST(indication_confirmed)
{
	struct nfy n = { 0 };

	ck_assert_int_gt(att_register_notify(att, nfy_cb, &n, NULL), 0);
	RUN(S_IN(0x1d, 0x28, 0x00, 0x80, 0x02, 0x01), S_OUT(0x1e));
	ck_assert_int_eq(n.calls, 1);
	ck_assert_uint_eq(n.opcode, ATT_OP_HANDLE_IND);
	ck_assert_uint_eq(n.handle, 0x28);
	ck_assert_uint_eq(n.len, 3);
	ck_assert_uint_eq(stats().indications, 1);
}
END_TEST

START_TEST(indication_while_request_outstanding)
{
	struct nfy n = { 0 };
	struct res r = { 0 };

	ck_assert_int_gt(att_register_notify(att, nfy_cb, &n, NULL), 0);
	ck_assert_int_eq(gatt_write(att, 0x28, "\x07", 1, write_cb, &r), 0);
	/* Indications and requests flow independently (§3.3.2). */
	RUN(S_OUT(0x12, 0x28, 0x00, 0x07), S_IN(0x1d, 0x28, 0x00, 0x80),
	    S_OUT(0x1e), S_IN(0x13));
	ck_assert_int_eq(n.calls, 1);
	ck_assert_int_eq(r.calls, 1);
	ck_assert_int_eq(r.err, 0);
}
END_TEST

START_TEST(malformed_notification_and_indication)
{
	struct nfy n = { 0 };

	ck_assert_int_gt(att_register_notify(att, nfy_cb, &n, NULL), 0);
	RUN(S_IN(0x1b, 0x24));
	/* A short indication is still confirmed (or the server could never
	 * indicate again) but its content is not delivered. */
	RUN(S_IN(0x1d, 0x28), S_OUT(0x1e));
	ck_assert_int_eq(n.calls, 0);
	ck_assert_uint_eq(stats().dropped_malformed, 2);
}
END_TEST

static int unregister_id;

static void unregister_self(uint8_t opcode, uint16_t handle,
			    const uint8_t *value, size_t len, void *user_data)
{
	struct nfy *n = user_data;

	n->calls++;
	ck_assert(att_unregister_notify(att, unregister_id));
}

START_TEST(unregister_from_inside_handler)
{
	struct nfy a = { 0 }, b = { 0 };

	unregister_id = att_register_notify(att, unregister_self, &a, NULL);
	ck_assert_int_gt(att_register_notify(att, nfy_cb, &b, NULL), 0);
	RUN(S_IN(0x1b, 0x24, 0x00, 0x01), S_IN(0x1b, 0x24, 0x00, 0x02));
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 2);
}
END_TEST

/* ---- timeout and hang-up ---- */

START_TEST(request_timeout_kills_bearer)
{
	struct res a = { 0 }, b = { 0 };
	struct disc d = { 0 };

	att_set_disconnect_cb(att, disc_cb, &d, NULL);
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00), rsp_cb,
				  &a, NULL), 0);
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x05, 0x00), rsp_cb,
				  &b, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	fake_clock_advance(&fc, ATT_TIMEOUT_US - 1);
	spin();
	ck_assert_int_eq(a.calls, 0);
	fake_clock_advance(&fc, 1);
	spin();
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, -ETIMEDOUT);
	/* §3.3.3: nothing more on this bearer; queued requests fail too. */
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.err, -ETIMEDOUT);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.err, -ETIMEDOUT);
	ck_assert(!att_is_connected(att));
	ck_assert_uint_eq(stats().timeouts, 1);
	ck_assert_int_eq(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00), rsp_cb,
				  &a, NULL), -ENOTCONN);
	/* A late response is not even read. */
	RUN(S_IN(0x0b, 0x01));
	ck_assert_int_eq(a.calls, 1);
}
END_TEST

START_TEST(request_timeout_configurable)
{
	struct res a = { 0 };

	att_set_timeout(att, 2 * USEC_PER_SEC);
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00), rsp_cb,
				  &a, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	fake_clock_advance(&fc, 2 * USEC_PER_SEC);
	spin();
	ck_assert_int_eq(a.err, -ETIMEDOUT);
}
END_TEST

START_TEST(response_in_time_cancels_timer)
{
	struct res a = { 0 };
	struct disc d = { 0 };

	att_set_disconnect_cb(att, disc_cb, &d, NULL);
	ck_assert_int_gt(att_send(att, ATT_OP_READ_REQ, B(0x03, 0x00), rsp_cb,
				  &a, NULL), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00), S_IN(0x0b));
	fake_clock_advance(&fc, 2 * ATT_TIMEOUT_US);
	spin();
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, 0);
	ck_assert_int_eq(d.calls, 0);
	ck_assert(att_is_connected(att));
}
END_TEST

START_TEST(peer_hangup_mid_request)
{
	struct res a = { 0 };
	struct disc d = { 0 };

	att_set_disconnect_cb(att, disc_cb, &d, NULL);
	ck_assert_int_eq(gatt_discover_primary(att, NULL, svcs_cb, &a), 0);
	RUN(S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28));
	close(peer);
	peer = -1;
	spin();
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, -ENOTCONN);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.err, -ENOTCONN);
	ck_assert(!att_is_connected(att));
	ck_assert_int_eq(gatt_read(att, 3, read_cb, &a), -ENOTCONN);
}
END_TEST

START_TEST(zero_length_pdu_dropped_not_eof)
{
	struct res a = { 0 };
	struct disc d = { 0 };

	/* A zero-length record reads like end of file: it is a malformed
	 * PDU, dropped and counted, and the bearer stays up. */
	att_set_disconnect_cb(att, disc_cb, &d, NULL);
	ck_assert_int_eq(gatt_read(att, 3, read_cb, &a), 0);
	RUN(S_OUT(0x0a, 0x03, 0x00));
	ck_assert_int_eq(send(peer, "", 0, 0), 0);
	ck_assert_int_eq(send(peer, "", 0, 0), 0);
	spin();
	ck_assert(att_is_connected(att));
	ck_assert_int_eq(d.calls, 0);
	ck_assert_uint_eq(stats().dropped_malformed, 2);
	ck_assert_uint_eq(stats().rx_pdus, 2);
	/* The request still gets its answer. */
	RUN(S_IN(0x0b, 0x2a));
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, 0);
	/* And a real hang-up is still one. */
	close(peer);
	peer = -1;
	spin();
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.err, -ENOTCONN);
}
END_TEST

START_TEST(unref_cancels_outstanding)
{
	struct res a = { 0 }, b = { 0 };

	ck_assert_int_eq(gatt_read(att, 0x0003, read_cb, &a), 0);
	ck_assert_int_eq(gatt_read(att, 0x0005, read_cb, &b), 0);
	att = att_unref(att);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, -ECANCELED);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_int_eq(b.err, -ECANCELED);
}
END_TEST

/* ---- UUID helpers ---- */

START_TEST(uuid_helpers)
{
	struct att_uuid a = att_uuid16(0x2acd), b;
	char s[ATT_UUID_STR_LEN];
	uint8_t buf[16];

	ck_assert(att_uuid_is16(&a));
	att_uuid_to_str(&a, s);
	ck_assert_str_eq(s, "0x2acd");
	ck_assert(att_uuid_from_str("00002acd-0000-1000-8000-00805f9b34fb",
				    &b));
	ck_assert(att_uuid_eq(&a, &b));
	ck_assert_uint_eq(att_uuid_put(&b, buf, sizeof(buf)), 2);
	ck_assert_uint_eq(get_le16(buf), 0x2acd);
	ck_assert(att_uuid_from_str("6E400001-B5A3-F393-E0A9-E50E24DCCA9E",
				    &b));
	ck_assert(!att_uuid_is16(&b));
	att_uuid_to_str(&b, s);
	ck_assert_str_eq(s, "6e400001-b5a3-f393-e0a9-e50e24dcca9e");
	ck_assert_uint_eq(att_uuid_put(&b, buf, sizeof(buf)), 16);
	ck_assert_uint_eq(buf[0], 0x9e);
	ck_assert_uint_eq(att_uuid_put(&b, buf, 15), 0);
	ck_assert(!att_uuid_from_str("2acd0", &b));
	ck_assert(!att_uuid_from_str("6E400001+B5A3-F393-E0A9-E50E24DCCA9E",
				     &b));
	ck_assert(att_uuid_from_le(B(0xcd, 0x2a), &b));
	ck_assert(att_uuid_eq(&a, &b));
	ck_assert(!att_uuid_from_le(B(0xcd, 0x2a, 0x00), &b));
	ck_assert(att_uuid_from_le(B(0xcd, 0x2a, 0x00, 0x00), &b));
	ck_assert(att_uuid_eq(&a, &b));
}
END_TEST

static Suite *att_suite(void)
{
	Suite *s = suite_create("att");
	TCase *tc;

	tc = tcase_create("mtu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, mtu_exchange_takes_minimum);
	tcase_add_test(tc, mtu_exchange_server_smaller);
	tcase_add_test(tc, mtu_exchange_server_below_minimum);
	tcase_add_test(tc, mtu_exchange_not_supported);
	tcase_add_test(tc, mtu_exchange_truncated_response);
	tcase_add_test(tc, peer_mtu_request_answered);
	suite_add_tcase(s, tc);

	tc = tcase_create("discovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, discover_all_primary);
	tcase_add_test(tc, discover_primary_ends_at_ffff);
	tcase_add_test(tc, discover_primary_by_uuid);
	tcase_add_test(tc, discover_primary_by_uuid128);
	tcase_add_test(tc, discover_chars_16_and_128);
	tcase_add_test(tc, discover_descs_16_and_128);
	tcase_add_test(tc, discover_truncated_and_bad_lengths);
	tcase_add_test(tc, discover_handles_going_backwards);
	suite_add_tcase(s, tc);

	tc = tcase_create("read-write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, read_short);
	tcase_add_test(tc, read_long_with_blobs);
	tcase_add_test(tc, read_long_ends_on_attribute_not_long);
	tcase_add_test(tc, write_request_and_command);
	tcase_add_test(tc, write_response_with_params_is_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, error_response_mapped);
	tcase_add_test(tc, error_codes_have_names);
	tcase_add_test(tc, wrong_response_opcode);
	tcase_add_test(tc, truncated_error_response_dropped);
	tcase_add_test(tc, unexpected_and_oversize_dropped);
	tcase_add_test(tc, peer_request_not_supported);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, one_request_at_a_time);
	tcase_add_test(tc, cancel_queued_and_outstanding);
	tcase_add_test(tc, full_socket_queues_in_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("notify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, notification_dispatched);
	tcase_add_test(tc, indication_confirmed);
	tcase_add_test(tc, indication_while_request_outstanding);
	tcase_add_test(tc, malformed_notification_and_indication);
	tcase_add_test(tc, unregister_from_inside_handler);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, request_timeout_kills_bearer);
	tcase_add_test(tc, request_timeout_configurable);
	tcase_add_test(tc, response_in_time_cancels_timer);
	tcase_add_test(tc, peer_hangup_mid_request);
	tcase_add_test(tc, zero_length_pdu_dropped_not_eof);
	tcase_add_test(tc, unref_cancels_outstanding);
	suite_add_tcase(s, tc);

	tc = tcase_create("uuid");
	tcase_add_test(tc, uuid_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(att_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
