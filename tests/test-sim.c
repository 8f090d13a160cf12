/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Simulator: belt model, ATT server byte-exact, control point, quirks. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "att-types.h"
#include "ftms-client.h"
#include "ftms.h"
#include "gatt-client.h"
#include "mainloop.h"
#include "belt.h"
#include "sim.h"
#include "sim-transport.h"
#include "transport.h"
#include "util.h"

#define S(x) ((uint64_t) (x) * USEC_PER_SEC)

/* ------------------------------------------------------------------ */
/* Belt model on explicit times. */

static const struct belt_params params = {
	.speed_min = 100, .speed_max = 1600, .speed_inc = 10,
	.incline_min = 0, .incline_max = 150, .incline_inc = 5,
	.accel = 100, .incline_rate = 10,
};

START_TEST(belt_ramps_at_the_acceleration_limit)
{
	struct belt b;

	belt_init(&b, &params, 0);
	ck_assert_int_eq(b.state, BELT_STATE_IDLE);
	ck_assert_uint_eq(belt_speed(&b), 0);
	/* Start heads for the minimum: 1.00 km/h at 1 km/h per s. */
	ck_assert_int_eq(belt_start(&b, 0), 0);
	belt_advance(&b, S(1) / 2);
	ck_assert_uint_eq(belt_speed(&b), 50);
	belt_advance(&b, S(1));
	ck_assert_uint_eq(belt_speed(&b), 100);
	ck_assert(belt_at_target(&b));
	/* 1 -> 6 km/h takes 5 s; halfway we are at 3.5. */
	ck_assert_int_eq(belt_set_speed(&b, 600, S(1)), 0);
	ck_assert(!belt_at_target(&b));
	belt_advance(&b, S(1) + S(5) / 2);
	ck_assert_uint_eq(belt_speed(&b), 350);
	belt_advance(&b, S(10));
	ck_assert_uint_eq(belt_speed(&b), 600);
	ck_assert_uint_eq(belt_elapsed(&b), 10);
}
END_TEST

START_TEST(belt_distance_is_the_integral_of_speed)
{
	struct belt b;
	struct belt_params p = params;

	p.accel = 0;	/* instant: distance is speed x time exactly */
	belt_init(&b, &p, 0);
	ck_assert_int_eq(belt_set_speed(&b, 1200, 0), 0);
	ck_assert_int_eq(belt_start(&b, 0), 0);
	belt_advance(&b, S(3600));
	/* 12 km/h for one hour. */
	ck_assert_uint_eq(belt_distance(&b), 12000);
	ck_assert_uint_eq(belt_avg_speed(&b), 1200);

	/* With a ramp: 0 -> 3.6 km/h (1 m/s) over 3.6 s covers 1.8 m. */
	p.accel = 100;
	p.speed_min = 360;
	belt_init(&b, &p, 0);
	ck_assert_int_eq(belt_start(&b, 0), 0);
	belt_advance(&b, 3600000);
	ck_assert(b.distance > 1.79 && b.distance < 1.81);
	belt_advance(&b, 3600000 + S(10));
	ck_assert(b.distance > 11.79 && b.distance < 11.81);
}
END_TEST

START_TEST(belt_ranges_increments_and_states)
{
	struct belt b;

	belt_init(&b, &params, 0);
	ck_assert_int_eq(belt_set_speed(&b, 99, 0), -ERANGE);
	ck_assert_int_eq(belt_set_speed(&b, 1610, 0), -ERANGE);
	ck_assert_int_eq(belt_set_speed(&b, 105, 0), -EINVAL);
	ck_assert_int_eq(belt_set_incline(&b, -5, 0), -ERANGE);
	ck_assert_int_eq(belt_set_incline(&b, 151, 0), -ERANGE);
	ck_assert_int_eq(belt_set_incline(&b, 12, 0), -EINVAL);
	ck_assert_int_eq(belt_set_incline(&b, 20, 0), 0);
	ck_assert_int_eq(belt_stop(&b, 0), -EALREADY);
	ck_assert_int_eq(belt_pause(&b, 0), -EALREADY);
	/* A target set while idle does not move the belt. */
	ck_assert_int_eq(belt_set_speed(&b, 500, 0), 0);
	belt_advance(&b, S(5));
	ck_assert_uint_eq(belt_speed(&b), 0);
	ck_assert_int_eq(belt_incline(&b), 20);	/* deck moves: 2 s at 1 %/s */
	ck_assert_int_eq(belt_start(&b, S(5)), 0);
	ck_assert_int_eq(belt_start(&b, S(5)), -EALREADY);
	belt_advance(&b, S(10));
	ck_assert_uint_eq(belt_speed(&b), 500);
	/* Pause freezes elapsed time and slows the belt. */
	ck_assert_int_eq(belt_pause(&b, S(10)), 0);
	belt_advance(&b, S(20));
	ck_assert_uint_eq(belt_speed(&b), 0);
	ck_assert_uint_eq(belt_elapsed(&b), 5);
	ck_assert(b.elevation_gain > 0);
	/* Resume goes back to the target; stop clears it. */
	ck_assert_int_eq(belt_start(&b, S(20)), 0);
	belt_advance(&b, S(30));
	ck_assert_uint_eq(belt_speed(&b), 500);
	ck_assert_int_eq(belt_stop(&b, S(30)), 0);
	ck_assert_uint_eq(b.target_speed, 0);
	ck_assert_int_eq(belt_start(&b, S(40)), 0);
	ck_assert_uint_eq(b.target_speed, 100);
	/* Reset zeroes counters and targets but the belt cannot jump. */
	belt_advance(&b, S(41));
	belt_reset(&b, S(41));
	ck_assert_int_eq(b.state, BELT_STATE_IDLE);
	ck_assert_uint_eq(belt_elapsed(&b), 0);
	ck_assert_uint_eq(belt_distance(&b), 0);
	ck_assert_uint_eq(belt_speed(&b), 100);
	belt_advance(&b, S(43));
	ck_assert_uint_eq(belt_speed(&b), 0);
}
END_TEST

START_TEST(belt_safety_key_stops_at_once)
{
	struct belt b;

	belt_init(&b, &params, 0);
	ck_assert_int_eq(belt_start(&b, 0), 0);
	belt_advance(&b, S(2));
	belt_set_safety_key(&b, true, S(2));
	ck_assert_uint_eq(belt_speed(&b), 0);
	ck_assert_int_eq(b.state, BELT_STATE_STOPPED);
	ck_assert_int_eq(belt_start(&b, S(3)), -EPERM);
	belt_set_safety_key(&b, false, S(4));
	ck_assert_int_eq(belt_start(&b, S(4)), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The simulator behind a socketpair; the test speaks raw ATT. */

static struct fake_clock fc;
static struct loop *loop;
static struct sim *sim;
static int peer = -1;		/* the test's end */
static int sim_fd = -1;

static void start_sim(const struct sim_config *cfg)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	peer = sv[0];
	sim_fd = sv[1];
	sim = sim_new(loop, cfg);
	ck_assert_ptr_nonnull(sim);
	ck_assert_int_eq(sim_attach(sim, sim_fd, true), 0);
}

static void setup(void)
{
	struct sim_config cfg;

	fake_clock_init(&fc, S(100));
	loop = loop_new(&fc.clock);
	ck_assert_ptr_nonnull(loop);
	sim_config_init(&cfg);
	start_sim(&cfg);
}

static void setup_bare(void)
{
	fake_clock_init(&fc, S(100));
	loop = loop_new(&fc.clock);
	ck_assert_ptr_nonnull(loop);
}

static void teardown(void)
{
	sim_free(sim);
	sim = NULL;
	if (peer >= 0)
		close(peer);
	peer = -1;
	loop_free(loop);
}

static void pump(void)
{
	for (int i = 0; i < 8; i++)
		if (loop_iterate(loop, 0) <= 0)
			break;
}

static void advance(uint64_t us)
{
	/* In 100 ms steps, as time passes for a real loop. */
	while (us) {
		uint64_t step = MIN(us, 100000);

		fake_clock_advance(&fc, step);
		pump();
		us -= step;
	}
}

/* Next PDU from the simulator, or -1 if none is waiting. */
static ssize_t rx(uint8_t *buf, size_t len)
{
	pump();
	return recv(peer, buf, len, MSG_DONTWAIT);
}

static void tx(const uint8_t *pdu, size_t len)
{
	ck_assert_int_eq(send(peer, pdu, len, 0), (ssize_t) len);
	pump();
}

static void expect_pdu(const uint8_t *exp, size_t len, int line)
{
	uint8_t buf[600];
	ssize_t n = rx(buf, sizeof(buf));

	ck_assert_msg(n == (ssize_t) len, "line %d: got %zd bytes, want %zu",
		      line, n, len);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(buf[i] == exp[i],
			      "line %d: byte %zu is %02x, want %02x", line, i,
			      buf[i], exp[i]);
}

static void expect_nothing(int line)
{
	uint8_t buf[600];
	ssize_t n = rx(buf, sizeof(buf));

	ck_assert_msg(n < 0, "line %d: unexpected %zd-byte PDU %02x", line, n,
		      n > 0 ? buf[0] : 0);
}

#define TX(...) do {							\
		static const uint8_t pdu_[] = { __VA_ARGS__ };		\
		tx(pdu_, sizeof(pdu_));					\
	} while (0)
#define EXPECT(...) do {						\
		static const uint8_t exp_[] = { __VA_ARGS__ };		\
		expect_pdu(exp_, sizeof(exp_), __LINE__);		\
	} while (0)
#define XCHG(req, ...) do {						\
		static const uint8_t req_[] = { UNPAREN req };		\
		tx(req_, sizeof(req_));					\
		EXPECT(__VA_ARGS__);					\
	} while (0)
#define UNPAREN(...) __VA_ARGS__
#define NOTHING() expect_nothing(__LINE__)

/*
 * Default layout (see build_db in lib/sim/sim.c):
 *   0x0001 GAP      0x0003 Device Name, 0x0005 Appearance
 *   0x0006 GATT     0x0008 Service Changed, CCCD 0x0009
 *   0x000a DIS      0x000c Manufacturer, 0x000e Model, 0x0010 Firmware
 *   0x0011 FTMS     0x0013 Feature, 0x0015 Data (CCCD 0x0016),
 *                   0x0018 Training Status (0x0019), 0x001b Speed Range,
 *                   0x001d Incline Range, 0x001f Control Point (0x0020),
 *                   0x0022 Machine Status (0x0023)
 */

START_TEST(att_exchange_mtu)
{
	XCHG((0x02, 0x00, 0x02), 0x03, 0xf7, 0x00);
	ck_assert_uint_eq(att_server_get_mtu(sim_att_server(sim)), 247);
	/* Below 23 is treated as 23 (§3.4.2.2). */
	XCHG((0x02, 0x10, 0x00), 0x03, 0xf7, 0x00);
	ck_assert_uint_eq(att_server_get_mtu(sim_att_server(sim)), 23);
	/* Wrong length: Invalid PDU. */
	XCHG((0x02, 0x17), 0x01, 0x02, 0x00, 0x00, 0x04);
}
END_TEST

START_TEST(att_primary_service_discovery)
{
	/* Read By Group Type, MTU 23: three 6-byte entries fit. */
	XCHG((0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	     0x11, 0x06, 0x01, 0x00, 0x05, 0x00, 0x00, 0x18,
	     0x06, 0x00, 0x09, 0x00, 0x01, 0x18,
	     0x0a, 0x00, 0x10, 0x00, 0x0a, 0x18);
	XCHG((0x10, 0x11, 0x00, 0xff, 0xff, 0x00, 0x28),
	     0x11, 0x06, 0x11, 0x00, 0x23, 0x00, 0x26, 0x18);
	XCHG((0x10, 0x24, 0x00, 0xff, 0xff, 0x00, 0x28),
	     0x01, 0x10, 0x24, 0x00, 0x0a);
	/* Find By Type Value for FTMS, as a client looking by UUID does. */
	XCHG((0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	     0x07, 0x11, 0x00, 0x23, 0x00);
	XCHG((0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x16, 0x18),
	     0x01, 0x06, 0x01, 0x00, 0x0a);
	/* Not a grouping type (§3.4.4.9). */
	XCHG((0x10, 0x01, 0x00, 0xff, 0xff, 0x03, 0x28),
	     0x01, 0x10, 0x01, 0x00, 0x10);
	/* 128-bit form of 0x2800 is the same type. */
	XCHG((0x10, 0x11, 0x00, 0xff, 0xff, 0xfb, 0x34, 0x9b, 0x5f, 0x80,
	      0x00, 0x00, 0x80, 0x00, 0x10, 0x00, 0x00, 0x00, 0x28, 0x00,
	      0x00),
	     0x11, 0x06, 0x11, 0x00, 0x23, 0x00, 0x26, 0x18);
}
END_TEST

START_TEST(att_characteristic_and_descriptor_discovery)
{
	XCHG((0x08, 0x11, 0x00, 0x23, 0x00, 0x03, 0x28),
	     0x09, 0x07,
	     0x12, 0x00, 0x02, 0x13, 0x00, 0xcc, 0x2a,
	     0x14, 0x00, 0x10, 0x15, 0x00, 0xcd, 0x2a,
	     0x17, 0x00, 0x12, 0x18, 0x00, 0xd3, 0x2a);
	XCHG((0x08, 0x18, 0x00, 0x23, 0x00, 0x03, 0x28),
	     0x09, 0x07,
	     0x1a, 0x00, 0x02, 0x1b, 0x00, 0xd4, 0x2a,
	     0x1c, 0x00, 0x02, 0x1d, 0x00, 0xd5, 0x2a,
	     0x1e, 0x00, 0x28, 0x1f, 0x00, 0xd9, 0x2a);
	XCHG((0x08, 0x1f, 0x00, 0x23, 0x00, 0x03, 0x28),
	     0x09, 0x07, 0x21, 0x00, 0x10, 0x22, 0x00, 0xda, 0x2a);
	XCHG((0x08, 0x23, 0x00, 0x23, 0x00, 0x03, 0x28),
	     0x01, 0x08, 0x23, 0x00, 0x0a);
	/* Find Information: the value then its CCCD. */
	XCHG((0x04, 0x15, 0x00, 0x16, 0x00),
	     0x05, 0x01, 0x15, 0x00, 0xcd, 0x2a, 0x16, 0x00, 0x02, 0x29);
	XCHG((0x04, 0x24, 0x00, 0xff, 0xff), 0x01, 0x04, 0x24, 0x00, 0x0a);
	/* Read By Type on a value type: the Feature characteristic. */
	XCHG((0x08, 0x01, 0x00, 0xff, 0xff, 0xcc, 0x2a),
	     0x09, 0x0a, 0x13, 0x00, 0x1d, 0x10, 0x00, 0x00, 0x03, 0x00,
	     0x00, 0x00);
	/* ... and on one that cannot be read (notify only). */
	XCHG((0x08, 0x01, 0x00, 0xff, 0xff, 0xcd, 0x2a),
	     0x01, 0x08, 0x15, 0x00, 0x02);
}
END_TEST

START_TEST(att_reads_and_long_reads)
{
	static const char name[] =
		"paced project: simulated FTMS treadmill (not a real machine)";
	uint8_t buf[64], req[5] = { 0x0c, 0x0c, 0x00 };
	size_t got = 0;
	ssize_t n;

	/* Feature: machine 0x0000101d, target 0x00000003. */
	XCHG((0x0a, 0x13, 0x00),
	     0x0b, 0x1d, 0x10, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00);
	/* Speed range 1.00..16.00 by 0.10, incline 0..15.0 % by 0.5. */
	XCHG((0x0a, 0x1b, 0x00), 0x0b, 0x64, 0x00, 0x40, 0x06, 0x0a, 0x00);
	XCHG((0x0a, 0x1d, 0x00), 0x0b, 0x00, 0x00, 0x96, 0x00, 0x05, 0x00);
	/* Training Status: Idle. */
	XCHG((0x0a, 0x18, 0x00), 0x0b, 0x00, 0x01);
	/* A CCCD reads as 0 until written. */
	XCHG((0x0a, 0x16, 0x00), 0x0b, 0x00, 0x00);

	/* Manufacturer Name needs Read Blob at MTU 23: 22 bytes a part. */
	TX(0x0a, 0x0c, 0x00);
	n = rx(buf, sizeof(buf));
	ck_assert_int_eq(n, 23);
	ck_assert_uint_eq(buf[0], 0x0b);
	memcpy(buf + 32, buf + 1, 22);
	got = 22;
	while (got < strlen(name)) {
		uint8_t part[64];

		put_le16((uint16_t) got, req + 3);
		tx(req, 5);
		n = rx(part, sizeof(part));
		ck_assert_int_ge(n, 1);
		ck_assert_uint_eq(part[0], 0x0d);
		ck_assert_int_eq(memcmp(part + 1, name + got, (size_t) n - 1),
				 0);
		got += (size_t) n - 1;
		ck_assert_int_le(n, 23);
	}
	ck_assert_uint_eq(got, strlen(name));
	/* At the end: an empty part; past it: Invalid Offset. */
	put_le16((uint16_t) got, req + 3);
	tx(req, 5);
	EXPECT(0x0d);
	put_le16((uint16_t) got + 1, req + 3);
	tx(req, 5);
	EXPECT(0x01, 0x0c, 0x0c, 0x00, 0x07);
}
END_TEST

START_TEST(att_error_responses)
{
	/* Invalid handle, read not permitted, write not permitted. */
	XCHG((0x0a, 0x99, 0x00), 0x01, 0x0a, 0x99, 0x00, 0x01);
	XCHG((0x0a, 0x15, 0x00), 0x01, 0x0a, 0x15, 0x00, 0x02);
	XCHG((0x12, 0x13, 0x00, 0x01), 0x01, 0x12, 0x13, 0x00, 0x03);
	XCHG((0x12, 0x99, 0x00, 0x01), 0x01, 0x12, 0x99, 0x00, 0x01);
	/* Handle ranges: 0 or start > end. */
	XCHG((0x04, 0x00, 0x00, 0xff, 0xff), 0x01, 0x04, 0x00, 0x00, 0x01);
	XCHG((0x04, 0x05, 0x00, 0x04, 0x00), 0x01, 0x04, 0x05, 0x00, 0x01);
	XCHG((0x08, 0x00, 0x00, 0xff, 0xff, 0x03, 0x28),
	     0x01, 0x08, 0x00, 0x00, 0x01);
	/* Truncated requests: Invalid PDU. */
	XCHG((0x0a, 0x13), 0x01, 0x0a, 0x00, 0x00, 0x04);
	XCHG((0x0c, 0x13, 0x00), 0x01, 0x0c, 0x00, 0x00, 0x04);
	XCHG((0x10, 0x01, 0x00, 0xff, 0xff, 0x00), 0x01, 0x10, 0x00, 0x00,
	     0x04);
	XCHG((0x12, 0x16), 0x01, 0x12, 0x00, 0x00, 0x04);
	XCHG((0x06, 0x01, 0x00, 0xff, 0xff), 0x01, 0x06, 0x00, 0x00, 0x04);
	/* Requests a minimal server does not do. */
	XCHG((0x0e, 0x13, 0x00, 0x1b, 0x00), 0x01, 0x0e, 0x00, 0x00, 0x06);
	XCHG((0x16, 0x1f, 0x00, 0x00, 0x00, 0x00), 0x01, 0x16, 0x00, 0x00,
	     0x06);
	/* CCCD: wrong length, a bit the characteristic cannot do. */
	XCHG((0x12, 0x16, 0x00, 0x01), 0x01, 0x12, 0x16, 0x00, 0x0d);
	XCHG((0x12, 0x16, 0x00, 0x02, 0x00), 0x01, 0x12, 0x16, 0x00, 0xfd);
	XCHG((0x12, 0x20, 0x00, 0x01, 0x00), 0x01, 0x12, 0x20, 0x00, 0xfd);
	/* Commands, responses and stray confirmations: silence. */
	TX(0x52, 0x13, 0x00, 0x01);
	TX(0x53, 0x00);
	TX(0x0b, 0x00);
	TX(0x1e);
	TX(0x1b, 0x13, 0x00, 0x00);
	NOTHING();
	/* Still answering afterwards. */
	XCHG((0x0a, 0x18, 0x00), 0x0b, 0x00, 0x01);
}
END_TEST

START_TEST(att_oversize_and_empty_pdus)
{
	uint8_t big[40] = { 0x12, 0x1f, 0x00 };
	struct att_server_stats st;

	/* Longer than ATT_MTU 23: Invalid PDU, nothing written. */
	tx(big, sizeof(big));
	EXPECT(0x01, 0x12, 0x00, 0x00, 0x04);
	ck_assert_uint_eq(sim_command_count(sim), 0);
	/* An empty message is counted, not answered. */
	ck_assert_int_eq(send(peer, big, 0, 0), 0);
	NOTHING();
	att_server_get_stats(sim_att_server(sim), &st);
	ck_assert_uint_ge(st.dropped_malformed, 2);
	XCHG((0x0a, 0x18, 0x00), 0x0b, 0x00, 0x01);
}
END_TEST

START_TEST(att_notifications_follow_cccd)
{
	/* Nothing before the CCCD is written. */
	advance(S(2));
	NOTHING();
	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	XCHG((0x0a, 0x16, 0x00), 0x0b, 0x01, 0x00);
	advance(S(1));
	/* Idle belt: flags avg speed|distance|incline|elapsed = 0x040e;
	 * ramp angle N/A 0x7fff. */
	EXPECT(0x1b, 0x15, 0x00, 0x0e, 0x04, 0x00, 0x00, 0x00, 0x00,
	       0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f, 0x00, 0x00);
	NOTHING();
	advance(S(1));
	EXPECT(0x1b, 0x15, 0x00, 0x0e, 0x04, 0x00, 0x00, 0x00, 0x00,
	       0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f, 0x00, 0x00);
	XCHG((0x12, 0x16, 0x00, 0x00, 0x00), 0x13);
	advance(S(3));
	NOTHING();
}
END_TEST

/* The server on its own: a one-characteristic database. */

static int confirms[4], n_confirms;

static void on_confirm(struct att_server *srv, int err, void *user_data)
{
	if (n_confirms < 4)
		confirms[n_confirms] = err;
	n_confirms++;
}

static uint8_t on_write(struct att_server *srv, uint16_t handle,
			const uint8_t *value, size_t len, bool is_cmd,
			void *user_data)
{
	int *writes = user_data;

	(*writes)++;
	/* Reject a value starting with 0xee, with an application error. */
	return len && value[0] == 0xee ? 0x80 : 0;
}

START_TEST(att_server_indications_wait_for_confirmation)
{
	struct att_uuid svc = att_uuid16(0xfff0), chr = att_uuid16(0xfff1);
	struct att_server *srv = att_server_new(loop, 23);
	int sv[2], h, writes = 0;

	ck_assert_int_eq(att_server_add_char(srv, &chr, GATT_PROP_READ, NULL,
					     NULL), -EINVAL);
	ck_assert_int_eq(att_server_add_service(srv, &svc, 0x0100), 0x0100);
	ck_assert_int_eq(att_server_add_service(srv, &svc, 0x0050), -EINVAL);
	h = att_server_add_char(srv, &chr, GATT_PROP_WRITE | GATT_PROP_WRITE_NO_RSP |
				GATT_PROP_INDICATE, on_write, &writes);
	ck_assert_int_eq(h, 0x0102);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	peer = sv[0];
	ck_assert_int_eq(att_server_attach(srv, sv[1], true), 0);
	ck_assert_int_eq(att_server_add_service(srv, &svc, 0), -EBUSY);
	ck_assert_int_eq(att_server_indicate(srv, 0x0102, "a", 1, on_confirm,
					     NULL), -EPERM);
	XCHG((0x12, 0x03, 0x01, 0x02, 0x00), 0x13);
	/* Two queued; the second waits for the first Confirmation. */
	n_confirms = 0;
	ck_assert_int_eq(att_server_indicate(srv, 0x0102, "a", 1, on_confirm,
					     NULL), 0);
	ck_assert_int_eq(att_server_indicate(srv, 0x0102, "bc", 2, on_confirm,
					     NULL), 0);
	ck_assert_int_eq(att_server_indicate(srv, 0x0102, "d", 1, on_confirm,
					     NULL), 0);
	EXPECT(0x1d, 0x02, 0x01, 'a');
	NOTHING();
	TX(0x1e);
	ck_assert_int_eq(n_confirms, 1);
	ck_assert_int_eq(confirms[0], 0);
	EXPECT(0x1d, 0x02, 0x01, 'b', 'c');
	/* Write callbacks: Request answered, Command silent, errors. */
	XCHG((0x12, 0x02, 0x01, 0x01), 0x13);
	XCHG((0x12, 0x02, 0x01, 0xee), 0x01, 0x12, 0x02, 0x01, 0x80);
	TX(0x52, 0x02, 0x01, 0xee);
	NOTHING();
	ck_assert_int_eq(writes, 3);
	/* The link ends: the outstanding and the queued one fail. */
	att_server_detach(srv);
	ck_assert_int_eq(n_confirms, 3);
	ck_assert_int_eq(confirms[1], -ENOTCONN);
	ck_assert_int_eq(confirms[2], -ENOTCONN);
	ck_assert(!att_server_is_attached(srv));
	ck_assert_int_eq(att_server_notify(srv, 0x0102, "x", 1), -ENOTCONN);
	att_server_free(srv);
}
END_TEST

static int srv_disc_err;

static void on_srv_disc(struct att_server *srv, int err, void *user_data)
{
	srv_disc_err = err;
}

START_TEST(att_server_unconfirmed_indication_ends_link)
{
	struct att_uuid svc = att_uuid16(0xfff0), chr = att_uuid16(0xfff1);
	struct att_server *srv = att_server_new(loop, 23);
	uint8_t buf[8];
	int sv[2];

	ck_assert_int_eq(att_server_add_service(srv, &svc, 0), 1);
	ck_assert_int_eq(att_server_add_char(srv, &chr, GATT_PROP_INDICATE,
					     NULL, NULL), 3);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	peer = sv[0];
	ck_assert_int_eq(att_server_attach(srv, sv[1], false), 0);
	att_server_set_disconnect_cb(srv, on_srv_disc, NULL);
	XCHG((0x12, 0x04, 0x00, 0x02, 0x00), 0x13);
	n_confirms = 0;
	srv_disc_err = 0;
	ck_assert_int_eq(att_server_indicate(srv, 3, "z", 1, on_confirm,
					     NULL), 0);
	EXPECT(0x1d, 0x03, 0x00, 'z');
	/* §3.3.3: 30 s without a Confirmation and the bearer is done. */
	advance(ATT_TIMEOUT_US - 100000);
	ck_assert(att_server_is_attached(srv));
	advance(100000);
	ck_assert(!att_server_is_attached(srv));
	ck_assert_int_eq(srv_disc_err, -ETIMEDOUT);
	ck_assert_int_eq(n_confirms, 1);
	ck_assert_int_eq(confirms[0], -ENOTCONN);
	ck_assert_int_eq(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 0);
	/* A borrowed fd stays open. */
	ck_assert_int_ne(fcntl(sv[1], F_GETFD), -1);
	close(sv[1]);
	att_server_free(srv);
}
END_TEST

/* Enable the CP indications and take control, checking every byte. */
static void take_control(void)
{
	XCHG((0x12, 0x20, 0x00, 0x02, 0x00), 0x13);
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x00, 0x01);
	TX(0x1e);
}

START_TEST(cp_requires_indications)
{
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x01, 0x12, 0x1f, 0x00, 0xfd);
	ck_assert_uint_eq(sim_command_count(sim), 1);
	ck_assert_uint_eq(sim_command_get(sim, 0)->att_error, 0xfd);
	/* Notify-only is not enough either. */
	XCHG((0x12, 0x20, 0x00, 0x01, 0x00), 0x01, 0x12, 0x20, 0x00, 0xfd);
	take_control();
}
END_TEST

START_TEST(cp_one_procedure_at_a_time)
{
	struct sim_state st;

	XCHG((0x12, 0x20, 0x00, 0x02, 0x00), 0x13);
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x00, 0x01);
	/* Before the Confirmation: Procedure Already In Progress, and the
	 * write is discarded. */
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x01, 0x12, 0x1f, 0x00, 0xfe);
	sim_get_state(sim, &st);
	ck_assert_int_eq(st.belt, BELT_STATE_IDLE);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x01);
	TX(0x1e);
	sim_get_state(sim, &st);
	ck_assert_int_eq(st.belt, BELT_STATE_RUNNING);
}
END_TEST

START_TEST(cp_every_op_and_result_code)
{
	struct sim_state st;
	const struct sim_command *c;

	XCHG((0x12, 0x20, 0x00, 0x02, 0x00), 0x13);
	/* Control Not Permitted before Request Control. */
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x05);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x00, 0x01);
	TX(0x1e);
	/* Set speed 10.00 km/h (FTMS App. 2): stored while idle. */
	XCHG((0x12, 0x1f, 0x00, 0x02, 0xe8, 0x03), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x01);
	TX(0x1e);
	/* Out of range, off the increment grid, wrong length. */
	XCHG((0x12, 0x1f, 0x00, 0x02, 0x41, 0x06), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x03);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x02, 0xe9, 0x03), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x03);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x02, 0xe8), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x03);
	TX(0x1e);
	/* Incline 2.0 %, then -1.0 % (below the range). */
	XCHG((0x12, 0x1f, 0x00, 0x03, 0x14, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x03, 0x01);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x03, 0xf6, 0xff), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x03, 0x03);
	TX(0x1e);
	/* Ops a treadmill without them answers Op Code Not Supported. */
	XCHG((0x12, 0x1f, 0x00, 0x05, 0x64, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x05, 0x02);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x42), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x42, 0x02);
	TX(0x1e);
	/* Stop while idle fails; start; start again fails. */
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x01), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x04);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x01);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x04);
	TX(0x1e);
	/* The belt heads for the stored 10 km/h at 1 km/h per s. */
	advance(S(12));
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.speed, 1000);
	ck_assert_int_eq(st.incline, 20);
	ck_assert_uint_eq(st.training_status, FTMS_TRAINING_MANUAL_MODE);
	/* Stop/Pause with a bad parameter, then pause, pause again. */
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x03), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x03);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x02), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x01);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x02), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x04);
	TX(0x1e);
	/* Stop from pause is fine. */
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x01), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x01);
	TX(0x1e);
	sim_get_state(sim, &st);
	ck_assert_int_eq(st.belt, BELT_STATE_STOPPED);
	/* Reset: success, then control is gone. */
	XCHG((0x12, 0x1f, 0x00, 0x01), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x01, 0x01);
	TX(0x1e);
	sim_get_state(sim, &st);
	ck_assert(!st.in_control);
	ck_assert_uint_eq(st.training_status, FTMS_TRAINING_IDLE);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x05);
	TX(0x1e);
	/* An empty write has no op code to answer. */
	XCHG((0x12, 0x1f, 0x00), 0x01, 0x12, 0x1f, 0x00, 0x0d);

	/* The log has every write with its time and outcome. */
	ck_assert_uint_eq(sim_command_count(sim), 20);
	c = sim_command_get(sim, 2);
	ck_assert_uint_eq(c->op, FTMS_OP_SET_TARGET_SPEED);
	ck_assert_uint_eq(c->speed, 1000);
	ck_assert_uint_eq(c->result, FTMS_RESULT_SUCCESS);
	ck_assert_uint_eq(c->time_us, S(100));
	c = sim_command_get(sim, 19);
	ck_assert_uint_eq(c->att_error, 0x0d);
	ck_assert_ptr_null(sim_command_get(sim, 20));
}
END_TEST

START_TEST(console_actions_notify_machine_status)
{
	struct sim_state st;

	XCHG((0x12, 0x23, 0x00, 0x01, 0x00), 0x13);
	take_control();
	ck_assert_int_eq(sim_console_start(sim), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x04);
	ck_assert_int_eq(sim_console_set_speed(sim, 450), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x05, 0xc2, 0x01);
	ck_assert_int_eq(sim_console_set_incline(sim, 35), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x06, 0x23, 0x00);
	ck_assert_int_eq(sim_console_pause(sim), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x02, 0x02);
	ck_assert_int_eq(sim_console_start(sim), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x04);
	ck_assert_int_eq(sim_console_stop(sim), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x02, 0x01);
	ck_assert_int_eq(sim_console_stop(sim), -EALREADY);
	NOTHING();
	ck_assert_int_eq(sim_console_start(sim), 0);
	EXPECT(0x1b, 0x22, 0x00, 0x04);
	sim_console_safety_key(sim, true);
	EXPECT(0x1b, 0x22, 0x00, 0x03);
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.speed, 0);
	/* With the key out the belt cannot be started remotely. */
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x04);
	TX(0x1e);
	sim_console_safety_key(sim, false);
	sim_console_take_control(sim);
	EXPECT(0x1b, 0x22, 0x00, 0xff);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x05);
	TX(0x1e);
}
END_TEST

START_TEST(data_reports_the_belt)
{
	struct ftms_treadmill_data td;
	uint8_t buf[64];
	ssize_t n;

	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	take_control();
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x01);
	TX(0x1e);
	for (int i = 0; i < 60; i++) {
		advance(S(1));
		n = rx(buf, sizeof(buf));
		ck_assert_int_gt(n, 3);
	}
	ck_assert_int_eq(ftms_decode_treadmill_data(buf + 3, (size_t) n - 3,
						    FTMS_WIRE_UNIT_KMH, &td),
			 0);
	/* 1 km/h for ~59 s after a 1 s ramp: 16.5 m. */
	ck_assert_uint_eq(td.instantaneous_speed, 100);
	ck_assert_uint_eq(td.total_distance, 16);
	ck_assert_uint_eq(td.elapsed_time, 60);
}
END_TEST

START_TEST(link_state_is_per_connection)
{
	struct sim_state st;
	int sv[2];

	take_control();
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x01);
	TX(0x1e);
	close(peer);
	peer = -1;
	pump();
	ck_assert(!sim_is_attached(sim));
	sim_get_state(sim, &st);
	ck_assert(!st.in_control);
	/* The belt keeps running without a client, like a real one. */
	ck_assert_int_eq(st.belt, BELT_STATE_RUNNING);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	peer = sv[0];
	ck_assert_int_eq(sim_attach(sim, sv[1], true), 0);
	ck_assert_int_eq(sim_attach(sim, sv[1], false), -EBUSY);
	XCHG((0x0a, 0x20, 0x00), 0x0b, 0x00, 0x00);
	XCHG((0x12, 0x20, 0x00, 0x02, 0x00), 0x13);
	XCHG((0x12, 0x1f, 0x00, 0x08, 0x01), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x08, 0x05);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Quirks, seen on the wire. */

static void quirk_setup(const char *const *names)
{
	struct sim_config cfg;

	sim_config_init(&cfg);
	for (; *names; names++)
		ck_assert_int_eq(sim_config_add_quirk(&cfg, *names), 0);
	start_sim(&cfg);
}

START_TEST(quirk_names_parse)
{
	struct sim_config cfg;

	sim_config_init(&cfg);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "mph"), 0);
	ck_assert_uint_eq(cfg.quirks, SIM_QUIRK_MPH);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "drop-link=2.5"), 0);
	ck_assert_uint_eq(cfg.drop_link_at_us, 2500000);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "stall=0.125"), 0);
	ck_assert_uint_eq(cfg.stall_at_us, 125000);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "stall=x"), -ERANGE);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "stall="), -ERANGE);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "mph=1"), -EINVAL);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "mp"), -EINVAL);
	ck_assert_int_eq(sim_config_add_quirk(&cfg, "warp-drive"), -EINVAL);
	ck_assert_uint_eq(cfg.stall_at_us, 125000);
	for (unsigned int i = 0; i < SIM_QUIRK_COUNT; i++) {
		const char *n = sim_quirk_name(1u << i);

		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(sim_config_add_quirk(&cfg, n), 0);
	}
	ck_assert_ptr_null(sim_quirk_name(1u << SIM_QUIRK_COUNT));
}
END_TEST

START_TEST(quirk_split_records)
{
	static const char *const q[] = { "split-records", NULL };
	uint8_t buf[64];
	ssize_t n;

	quirk_setup(q);
	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	advance(S(1));
	/* Part one: More Data set, no speed. */
	n = rx(buf, sizeof(buf));
	ck_assert_int_ge(n, 5);
	ck_assert_uint_eq(buf[3] & 0x01, 0x01);
	/* Part two: More Data clear, speed and elapsed time. */
	EXPECT(0x1b, 0x15, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00);
}
END_TEST

START_TEST(quirk_truncate_20)
{
	static const char *const q[] = { "truncate-20", NULL };
	uint8_t buf[64];
	ssize_t n;

	quirk_setup(q);
	/* Even with a large MTU the frames stay 20 bytes. */
	XCHG((0x02, 0x00, 0x02), 0x03, 0xf7, 0x00);
	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	advance(S(1));
	n = rx(buf, sizeof(buf));
	ck_assert_int_eq(n, 3 + 20);
	/* Flags promise every FTMS 1.0 field: bits 1..12. */
	ck_assert_uint_eq(get_le16(buf + 3), 0x1ffe);
}
END_TEST

START_TEST(quirk_deny_first_control)
{
	static const char *const q[] = { "deny-first-control", NULL };

	quirk_setup(q);
	XCHG((0x12, 0x20, 0x00, 0x02, 0x00), 0x13);
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x00, 0x05);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x00), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x00, 0x01);
	TX(0x1e);
}
END_TEST

START_TEST(quirk_ignore_speed_until_started)
{
	static const char *const q[] = { "ignore-speed-until-started", NULL };
	struct sim_state st;

	quirk_setup(q);
	take_control();
	/* "Success", and nothing changes. */
	XCHG((0x12, 0x1f, 0x00, 0x02, 0xe8, 0x03), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x01);
	TX(0x1e);
	XCHG((0x12, 0x1f, 0x00, 0x07), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x07, 0x01);
	TX(0x1e);
	advance(S(5));
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.speed, 100);
	/* Once running, the same command works. */
	XCHG((0x12, 0x1f, 0x00, 0x02, 0xe8, 0x03), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x01);
	TX(0x1e);
	advance(S(10));
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.speed, 1000);
}
END_TEST

static int disconnects, last_disc_err;

static void on_disc(struct sim *s, int err, void *user_data)
{
	disconnects++;
	last_disc_err = err;
}

START_TEST(quirk_drop_link)
{
	static const char *const q[] = { "drop-link=2", NULL };
	uint8_t buf[8];

	quirk_setup(q);
	disconnects = 0;
	sim_set_disconnect_cb(sim, on_disc, NULL);
	advance(S(1));
	ck_assert(sim_is_attached(sim));
	advance(S(1));
	ck_assert(!sim_is_attached(sim));
	ck_assert_int_eq(disconnects, 1);
	ck_assert_int_eq(last_disc_err, -ECONNABORTED);
	/* The client sees EOF. */
	ck_assert_int_eq(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 0);
}
END_TEST

START_TEST(quirk_stall)
{
	/* 1.5 s: between two ticks, so no tie with the 2 s one. */
	static const char *const q[] = { "stall=1.5", NULL };
	uint8_t buf[64];

	quirk_setup(q);
	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	advance(S(1));
	ck_assert_int_gt(rx(buf, sizeof(buf)), 0);
	advance(S(1));
	NOTHING();
	advance(S(10));
	NOTHING();
	/* The link itself is alive. */
	XCHG((0x0a, 0x18, 0x00), 0x0b, 0x00, 0x01);
}
END_TEST

START_TEST(quirk_lose_control)
{
	static const char *const q[] = { "lose-control=3", NULL };
	struct sim_state st;

	quirk_setup(q);
	XCHG((0x12, 0x23, 0x00, 0x01, 0x00), 0x13);
	take_control();
	advance(S(2));
	NOTHING();
	advance(S(1));
	EXPECT(0x1b, 0x22, 0x00, 0xff);
	sim_get_state(sim, &st);
	ck_assert(!st.in_control);
}
END_TEST

START_TEST(quirk_malformed)
{
	static const char *const q[] = { "malformed", NULL };
	uint8_t buf[64];
	int bad = 0, good = 0;
	ssize_t n;

	quirk_setup(q);
	XCHG((0x12, 0x16, 0x00, 0x01, 0x00), 0x13);
	for (int i = 0; i < 10; i++) {
		advance(S(1));
		while ((n = rx(buf, sizeof(buf))) > 0) {
			struct ftms_treadmill_data td;

			if (n < 3 || get_le16(buf + 1) != 0x15 ||
			    ftms_decode_treadmill_data(buf + 3, (size_t) n - 3,
						       FTMS_WIRE_UNIT_KMH,
						       &td) < 0)
				bad++;
			else
				good++;
		}
	}
	ck_assert_int_eq(good, 10);
	ck_assert_int_eq(bad, 5);
}
END_TEST

START_TEST(quirk_mph)
{
	static const char *const q[] = { "mph", NULL };
	struct ftms_speed_range r;
	uint8_t buf[16];
	ssize_t n;
	struct sim_state st;

	quirk_setup(q);
	TX(0x0a, 0x1b, 0x00);
	n = rx(buf, sizeof(buf));
	ck_assert_int_eq(n, 7);
	/* On the wire: 0.62..9.94 mph. */
	ck_assert_uint_eq(get_le16(buf + 1), 62);
	ck_assert_uint_eq(get_le16(buf + 3), 994);
	ck_assert_int_eq(ftms_decode_speed_range(buf + 1, 6, FTMS_WIRE_UNIT_MPH,
						 &r), 0);
	ck_assert_uint_eq(r.max, 1600);
	take_control();
	/* 3.00 mph = 4.83 km/h: the belt rounds to its 0.1 grid. */
	XCHG((0x12, 0x1f, 0x00, 0x02, 0x2c, 0x01), 0x13);
	EXPECT(0x1d, 0x1f, 0x00, 0x80, 0x02, 0x01);
	TX(0x1e);
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.target_speed, 480);
}
END_TEST

START_TEST(quirk_alt_handles)
{
	static const char *const q[] = { "alt-handles", NULL };

	quirk_setup(q);
	/* A 128-bit vendor service first: its entry is alone (lengths
	 * differ), then the 16-bit ones. */
	XCHG((0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	     0x11, 0x14, 0x10, 0x00, 0x13, 0x00,
	     0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5, 0xa9, 0xe0,
	     0x93, 0xf3, 0xa3, 0xb5, 0x01, 0x00, 0x40, 0x6e);
	XCHG((0x10, 0x14, 0x00, 0xff, 0xff, 0x00, 0x28),
	     0x11, 0x06, 0x40, 0x00, 0x54, 0x00, 0x26, 0x18,
	     0x00, 0x01, 0x06, 0x01, 0x0a, 0x18,
	     0x80, 0x01, 0x83, 0x01, 0x01, 0x18);
	XCHG((0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	     0x07, 0x40, 0x00, 0x54, 0x00);
	/* The Control Point comes first in this layout. */
	ck_assert_uint_eq(sim_value_handle(sim, FTMS_UUID_CONTROL_POINT), 0x42);
	ck_assert_uint_eq(sim_value_handle(sim, FTMS_UUID_FEATURE), 0x54);
	XCHG((0x08, 0x40, 0x00, 0x54, 0x00, 0x03, 0x28),
	     0x09, 0x07,
	     0x41, 0x00, 0x28, 0x42, 0x00, 0xd9, 0x2a,
	     0x44, 0x00, 0x10, 0x45, 0x00, 0xda, 0x2a,
	     0x47, 0x00, 0x10, 0x48, 0x00, 0xcd, 0x2a);
	/* Vendor characteristic: 128-bit, Find Information format 2. */
	XCHG((0x04, 0x12, 0x00, 0x12, 0x00),
	     0x05, 0x02, 0x12, 0x00,
	     0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5, 0xa9, 0xe0,
	     0x93, 0xf3, 0xa3, 0xb5, 0x02, 0x00, 0x40, 0x6e);
	/* The handles in the gaps do not exist. */
	XCHG((0x0a, 0x20, 0x00), 0x01, 0x0a, 0x20, 0x00, 0x01);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Transports. */

START_TEST(transport_addresses)
{
	struct transport *t = NULL;
	char longpath[200];
	int err = 1;

	/* unix:PATH is lib's; "sim" is the sim plugin's, Bluetooth addresses
	 * the ftms-ble plugin's (tests/test-l2cap.c). */
	ck_assert_str_eq(transport_unix_path("unix:/tmp/x", &err), "/tmp/x");
	ck_assert_int_eq(err, 0);
	ck_assert_ptr_null(transport_unix_path("sim", &err));
	ck_assert_ptr_null(transport_unix_path("AA:bb:CC:00:11:22", &err));
	ck_assert_ptr_nonnull(transport_unix_path("unix:", &err));
	ck_assert_int_eq(err, -EINVAL);
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "unix:/", 6);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_ptr_nonnull(transport_unix_path(longpath, &err));
	ck_assert_int_eq(err, -ENAMETOOLONG);

	ck_assert_int_eq(transport_open_unix(loop, "bogus", &t), -EINVAL);
	ck_assert_int_eq(transport_open_unix(loop, "unix:", &t), -EINVAL);
	ck_assert_int_eq(transport_open_unix(loop, longpath, &t), -ENAMETOOLONG);
	ck_assert_int_eq(transport_open_unix(loop, "unix:/nonexistent/paced.sock",
					     &t), -ENOENT);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(transport_error_str(-EINVAL), "unix:PATH"));
	ck_assert_ptr_nonnull(strstr(transport_error_str(-ENOENT),
				     "no ATT server socket"));
}
END_TEST

START_TEST(transport_sim_is_a_real_link)
{
	struct transport *t = NULL;
	uint8_t buf[16];
	int fd;

	ck_assert_int_eq(sim_transport_open(loop, NULL, &t), 0);
	ck_assert_str_eq(transport_get_ops(t)->name, "sim");
	ck_assert_ptr_nonnull(sim_transport_sim(t));
	fd = transport_fd(t);
	buf[0] = 0x0a;
	put_le16(sim_value_handle(sim_transport_sim(t), FTMS_UUID_TRAINING_STATUS),
		 buf + 1);
	ck_assert_int_eq(send(fd, buf, 3, 0), 3);
	pump();
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 3);
	ck_assert_uint_eq(buf[0], 0x0b);
	ck_assert_uint_eq(buf[2], FTMS_TRAINING_IDLE);
	ck_assert_int_eq(transport_steal_fd(t), fd);
	ck_assert_int_eq(transport_steal_fd(t), -EBADF);
	transport_free(t);
	close(fd);
}
END_TEST

START_TEST(transport_unix_connects)
{
	char path[] = "/tmp/paced-test-XXXXXX";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct transport *t = NULL;
	int lfd, cfd;
	char sock[64], addr[80];

	ck_assert_ptr_nonnull(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/t.sock", path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *) &sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	snprintf(addr, sizeof(addr), "unix:%s", sock);
	ck_assert_int_eq(transport_open_unix(loop, addr, &t), 0);
	ck_assert_str_eq(transport_get_ops(t)->name, "unix");
	ck_assert_ptr_null(sim_transport_sim(t));
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	ck_assert_int_eq(send(transport_fd(t), "\x02\x17\x00", 3, 0), 3);
	ck_assert_int_eq(recv(cfd, sock, sizeof(sock), 0), 3);
	transport_free(t);
	close(cfd);
	close(lfd);
	unlink(sun.sun_path);
	rmdir(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The real FTMS client (lib/ftms-client.h) on the "sim" transport: the
 * path 'paced run --treadmill sim' takes. Quirk-by-quirk client behaviour
 * is in tests/test-ftms-client.c; here the simulator's side is checked. */

struct cl {
	int done_calls;
	int err[16];
	uint8_t result[16];
	int data_calls;
	struct treadmill_data data;
};

static struct cl cl;

static void cl_done(struct treadmill *tm, enum treadmill_op op, int err,
		    uint8_t result, void *user_data)
{
	if (cl.done_calls < 16) {
		cl.err[cl.done_calls] = err;
		cl.result[cl.done_calls] = result;
	}
	cl.done_calls++;
}

static void cl_data(struct treadmill *tm, const struct treadmill_data *d,
		    void *user_data)
{
	cl.data_calls++;
	cl.data = *d;
}

/* Run the loop on the fake clock, 10 ms a step, until cond or limit. */
#define RUN_UNTIL(cond, limit_us) do {					\
		uint64_t waited_ = 0;					\
		pump();							\
		while (!(cond) && waited_ < (limit_us)) {		\
			fake_clock_advance(&fc, 10000);			\
			waited_ += 10000;				\
			pump();						\
		}							\
		ck_assert_msg((cond), "timed out: %s", #cond);		\
	} while (0)

static struct transport *tp;
static struct ftms_client *client;

static struct treadmill *client_up(const struct ftms_client_opts *opts)
{
	static const struct treadmill_events ev = { .data = cl_data };
	struct treadmill *tm;

	memset(&cl, 0, sizeof(cl));
	ck_assert_int_eq(sim_transport_open(loop, NULL, &tp), 0);
	sim = sim_transport_sim(tp);
	client = ftms_client_new(loop, transport_steal_fd(tp), opts);
	ck_assert_ptr_nonnull(client);
	tm = ftms_client_get_treadmill(client);
	treadmill_set_events(tm, &ev, NULL);
	ck_assert_int_eq(treadmill_connect(tm, cl_done, NULL), 0);
	RUN_UNTIL(cl.done_calls == 1, S(2));
	ck_assert_int_eq(cl.err[0], 0);
	return tm;
}

static void client_teardown(void)
{
	ftms_client_free(client);
	client = NULL;
	transport_free(tp);	/* frees the simulator too */
	tp = NULL;
	sim = NULL;
	loop_free(loop);
}

START_TEST(client_bringup_as_the_simulator_sees_it)
{
	struct treadmill *tm = client_up(NULL);
	struct att_server *srv = sim_att_server(sim);
	struct sim_state st;
	const struct sim_command *c;

	/* MTU exchange: the client offers 517, we offer 247. */
	ck_assert_uint_eq(att_server_get_mtu(srv), 247);
	ck_assert_uint_eq(att_get_mtu(ftms_client_get_att(client)), 247);
	/* docs/ftms.md 1.9 step 4: notify on data and status, indicate on CP. */
	ck_assert_uint_eq(att_server_get_cccd(srv, sim_value_handle(sim,
			  FTMS_UUID_TREADMILL_DATA)), GATT_CCCD_NOTIFY);
	ck_assert_uint_eq(att_server_get_cccd(srv, sim_value_handle(sim,
			  FTMS_UUID_MACHINE_STATUS)), GATT_CCCD_NOTIFY);
	ck_assert_uint_eq(att_server_get_cccd(srv, sim_value_handle(sim,
			  FTMS_UUID_CONTROL_POINT)), GATT_CCCD_INDICATE);
	/* Step 5: Request Control was the first and only write so far. */
	ck_assert_uint_eq(sim_command_count(sim), 1);
	c = sim_command_get(sim, 0);
	ck_assert_uint_eq(c->op, FTMS_OP_REQUEST_CONTROL);
	ck_assert_uint_eq(c->result, FTMS_RESULT_SUCCESS);
	sim_get_state(sim, &st);
	ck_assert(st.in_control);
	ck_assert(treadmill_in_control(tm));

	/* Start, speed, incline, stop: each confirmed before the next is
	 * written, so the simulator never answers "in progress". */
	ck_assert_int_eq(treadmill_start(tm, cl_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 450, cl_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_incline(tm, 15, cl_done, NULL), 0);
	RUN_UNTIL(cl.done_calls == 4, S(2));
	for (int i = 1; i < 4; i++) {
		ck_assert_int_eq(cl.err[i], 0);
		ck_assert_uint_eq(cl.result[i], FTMS_RESULT_SUCCESS);
	}
	ck_assert_uint_eq(sim_command_count(sim), 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(sim_command_get(sim, i)->att_error, 0);
		ck_assert_uint_eq(sim_command_get(sim, i)->result,
				  FTMS_RESULT_SUCCESS);
	}
	ck_assert_uint_eq(sim_command_get(sim, 1)->op,
			  FTMS_OP_START_OR_RESUME);
	ck_assert_uint_eq(sim_command_get(sim, 2)->speed, 450);
	ck_assert_uint_eq(sim_command_get(sim, 3)->op,
			  FTMS_OP_SET_TARGET_INCLINATION);
	/* Timestamps come from the loop clock and never go backwards. */
	for (size_t i = 1; i < 4; i++)
		ck_assert_uint_ge(sim_command_get(sim, i)->time_us,
				  sim_command_get(sim, i - 1)->time_us);

	RUN_UNTIL(cl.data_calls > 0 && cl.data.speed == 450, S(10));
	sim_get_state(sim, &st);
	ck_assert_uint_eq(st.speed, 450);
	ck_assert_int_eq(treadmill_stop(tm, cl_done, NULL), 0);
	RUN_UNTIL(cl.done_calls == 5, S(2));
	ck_assert_int_eq(cl.err[4], 0);
	RUN_UNTIL(cl.data.speed == 0, S(10));
	sim_get_state(sim, &st);
	ck_assert_int_eq(st.belt, BELT_STATE_STOPPED);
}
END_TEST

static int read_err = 1;
static char read_buf[600];
static size_t read_len;

static void on_read(int err, uint8_t ecode, const uint8_t *value,
		    size_t len, void *user_data)
{
	read_err = err;
	read_len = MIN(len, sizeof(read_buf) - 1);
	if (value)
		memcpy(read_buf, value, read_len);
	read_buf[read_len] = '\0';
}

START_TEST(client_long_read_at_default_mtu)
{
	static const struct ftms_client_opts o = { .mtu = 23 };
	struct att *att;

	client_up(&o);
	att = ftms_client_get_att(client);
	ck_assert_uint_eq(att_get_mtu(att), 23);
	/* Manufacturer Name (0x000c): 60 bytes, Read + two Read Blobs. */
	read_err = 1;
	ck_assert_int_eq(gatt_read(att, 0x000c, on_read, NULL), 0);
	RUN_UNTIL(read_err != 1, S(1));
	ck_assert_int_eq(read_err, 0);
	ck_assert_str_eq(read_buf, "paced project: simulated FTMS treadmill "
				   "(not a real machine)");
	/* An error response travels back as an error. */
	read_err = 1;
	ck_assert_int_eq(gatt_read(att, 0x0015, on_read, NULL), 0);
	RUN_UNTIL(read_err != 1, S(1));
	ck_assert_int_eq(read_err, att_ecode_to_errno(ATT_ECODE_READ_NOT_PERMITTED));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("belt");
	tcase_add_test(tc, belt_ramps_at_the_acceleration_limit);
	tcase_add_test(tc, belt_distance_is_the_integral_of_speed);
	tcase_add_test(tc, belt_ranges_increments_and_states);
	tcase_add_test(tc, belt_safety_key_stops_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("att-server");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, att_exchange_mtu);
	tcase_add_test(tc, att_primary_service_discovery);
	tcase_add_test(tc, att_characteristic_and_descriptor_discovery);
	tcase_add_test(tc, att_reads_and_long_reads);
	tcase_add_test(tc, att_error_responses);
	tcase_add_test(tc, att_oversize_and_empty_pdus);
	tcase_add_test(tc, att_notifications_follow_cccd);
	suite_add_tcase(s, tc);

	tc = tcase_create("att-server-alone");
	tcase_add_checked_fixture(tc, setup_bare, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, att_server_indications_wait_for_confirmation);
	tcase_add_test(tc, att_server_unconfirmed_indication_ends_link);
	suite_add_tcase(s, tc);

	tc = tcase_create("control-point");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, cp_requires_indications);
	tcase_add_test(tc, cp_one_procedure_at_a_time);
	tcase_add_test(tc, cp_every_op_and_result_code);
	tcase_add_test(tc, console_actions_notify_machine_status);
	tcase_add_test(tc, data_reports_the_belt);
	tcase_add_test(tc, link_state_is_per_connection);
	suite_add_tcase(s, tc);

	tc = tcase_create("quirks");
	tcase_add_checked_fixture(tc, setup_bare, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, quirk_names_parse);
	tcase_add_test(tc, quirk_split_records);
	tcase_add_test(tc, quirk_truncate_20);
	tcase_add_test(tc, quirk_deny_first_control);
	tcase_add_test(tc, quirk_ignore_speed_until_started);
	tcase_add_test(tc, quirk_drop_link);
	tcase_add_test(tc, quirk_stall);
	tcase_add_test(tc, quirk_lose_control);
	tcase_add_test(tc, quirk_malformed);
	tcase_add_test(tc, quirk_mph);
	tcase_add_test(tc, quirk_alt_handles);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_checked_fixture(tc, setup_bare, client_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, client_bringup_as_the_simulator_sees_it);
	tcase_add_test(tc, client_long_read_at_default_mtu);
	suite_add_tcase(s, tc);

	tc = tcase_create("transport");
	tcase_add_checked_fixture(tc, setup_bare, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, transport_addresses);
	tcase_add_test(tc, transport_sim_is_a_real_link);
	tcase_add_test(tc, transport_unix_connects);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
