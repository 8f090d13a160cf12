/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: arbitrary PDUs into the ATT/GATT/FTMS client in every state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "ftms-client.h"
#include "ftms.h"
#include "mainloop.h"
#include "att-server.h"
#include "util.h"

/*
 * Input: one selector byte, then PDUs as [length][bytes...] records.
 *
 * A real ATT server with a small FTMS database sits on the other end of a
 * socketpair and answers the client's bring-up, so the client really is
 * in the state the selector asks for when the fuzzed PDUs arrive:
 *
 *   bits 0-4  inject after the server has received this many PDUs
 *             (0: before the MTU response; 1-13: during discovery,
 *             reads and CCCD writes; 31: after bring-up, idle)
 *   bit 5     queue start + set speed + set incline first, so a control
 *             point procedure is outstanding
 *   bit 6     the control point never answers (the write stays
 *             outstanding, indications come only from the fuzzer)
 *   bit 7     the client offers MTU 23 (no Exchange MTU at all)
 *
 * Every injected PDU goes out raw (att_server_send_raw), is followed by a
 * few loop rounds, and at the end the fake clock jumps past every timeout
 * (control point, ATT 30 s) so the timeout paths run too.
 */

static bool manual_cp;
static uint16_t cp_handle;

static uint8_t cp_write(struct att_server *srv, uint16_t handle,
			const uint8_t *value, size_t len, bool is_cmd,
			void *user_data)
{
	uint8_t ind[3];

	if (manual_cp || !len)
		return 0;
	ind[0] = FTMS_OP_RESPONSE_CODE;
	ind[1] = value[0];
	ind[2] = FTMS_RESULT_SUCCESS;
	(void) att_server_indicate(srv, handle, ind, 3, NULL, NULL);
	return 0;
}

static void add_char(struct att_server *srv, uint16_t uuid, uint8_t props,
		     const uint8_t *value, size_t len)
{
	struct att_uuid u = att_uuid16(uuid);
	bool cp = uuid == FTMS_UUID_CONTROL_POINT;
	int h = att_server_add_char(srv, &u, props, cp ? cp_write : NULL,
				    NULL);

	if (h <= 0)
		abort();	/* the harness itself is broken */
	if (cp)
		cp_handle = (uint16_t) h;
	if (len)
		(void) att_server_set_value(srv, (uint16_t) h, value, len);
}

static struct att_server *build_server(struct loop *loop)
{
	static const uint8_t feature[8] = { 0x0c, 0x10, 0, 0, 0x03, 0, 0, 0 };
	static const uint8_t speed[6] = { 0x64, 0x00, 0x40, 0x06, 0x0a, 0x00 };
	static const uint8_t incline[6] = { 0x00, 0x00, 0x96, 0x00, 0x05, 0x00 };
	struct att_server *srv = att_server_new(loop, 64);
	struct att_uuid ftms = att_uuid16(FTMS_UUID_SERVICE);
	struct att_uuid gap = att_uuid16(0x1800);

	if (!srv || att_server_add_service(srv, &gap, 1) < 0)
		abort();
	add_char(srv, 0x2a00, GATT_PROP_READ, (const uint8_t *) "paced", 5);
	if (att_server_add_service(srv, &ftms, 0) < 0)
		abort();
	add_char(srv, FTMS_UUID_FEATURE, GATT_PROP_READ, feature, 8);
	add_char(srv, FTMS_UUID_TREADMILL_DATA, GATT_PROP_NOTIFY, NULL, 0);
	add_char(srv, FTMS_UUID_SUPPORTED_SPEED_RANGE, GATT_PROP_READ, speed,
		 6);
	add_char(srv, FTMS_UUID_SUPPORTED_INCLINATION_RANGE, GATT_PROP_READ,
		 incline, 6);
	add_char(srv, FTMS_UUID_CONTROL_POINT,
		 GATT_PROP_WRITE | GATT_PROP_INDICATE, NULL, 0);
	add_char(srv, FTMS_UUID_MACHINE_STATUS, GATT_PROP_NOTIFY, NULL, 0);
	return srv;
}

static void on_done(struct treadmill *tm, enum treadmill_op op, int err,
		    uint8_t result, void *user_data)
{
	/* Issue more work from a completion, as a runner would. */
	if (op == TREADMILL_OP_SET_SPEED && err == 0)
		(void) treadmill_stop(tm, NULL, NULL);
}

static void rounds(struct loop *loop, int n)
{
	while (n--)
		loop_iterate(loop, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_client_opts opts = { 0 };
	struct att_server_stats st;
	struct fake_clock fc;
	struct loop *loop;
	struct att_server *srv;
	struct ftms_client *c;
	struct treadmill *tm;
	uint8_t sel;
	int sv[2], i;
	size_t off;

	if (size < 1)
		return 0;
	sel = data[0];
	manual_cp = sel & 0x40;
	if (sel & 0x80)
		opts.mtu = ATT_DEFAULT_LE_MTU;

	fake_clock_init(&fc, 1000000);
	loop = loop_new(&fc.clock);
	if (!loop)
		abort();
	srv = build_server(loop);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (att_server_attach(srv, sv[1], true) < 0)
		abort();
	c = ftms_client_new(loop, sv[0], &opts);
	if (!c)
		abort();
	tm = ftms_client_get_treadmill(c);
	(void) treadmill_connect(tm, on_done, NULL);

	/* Let the real server carry the client to the requested state. */
	for (i = 0; i < 200; i++) {
		att_server_get_stats(srv, &st);
		if (st.rx_pdus >= (sel & 0x1f))
			break;
		/* Nothing left to do: bring-up is over. */
		if (loop_iterate(loop, 0) <= 0)
			break;
	}
	if (sel & 0x20) {
		(void) treadmill_start(tm, on_done, NULL);
		(void) treadmill_set_speed(tm, 500, on_done, NULL);
		(void) treadmill_set_incline(tm, 10, on_done, NULL);
		rounds(loop, 2);
	}

	off = 1;
	while (off < size) {
		size_t len = data[off++];

		if (len > size - off)
			len = size - off;
		if (len && att_server_is_attached(srv))
			(void) att_server_send_raw(srv, data + off, len);
		off += len;
		rounds(loop, 3);
	}

	/* Past the control point timeout, then past ATT's 30 s. */
	fake_clock_advance(&fc, 5 * USEC_PER_SEC);
	rounds(loop, 3);
	fake_clock_advance(&fc, ATT_TIMEOUT_US);
	rounds(loop, 3);

	ftms_client_free(c);
	att_server_free(srv);
	loop_free(loop);
	return 0;
}
