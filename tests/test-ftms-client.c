/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FTMS client against scripted peers and against the simulated treadmill. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "ftms-client.h"
#include "gatt-client.h"
#include "ftms.h"
#include "mainloop.h"
#include "att-server.h"
#include "sim.h"
#include "util.h"

/*
 * Two kinds of peer. The scripted peer is a real ATT server (lib/sim/
 * att-server.h) with an FTMS database the test lays out itself, whose
 * control point answers from a script the test writes (result codes,
 * silence, indications sent by hand). The simulator peer is the full
 * simulated treadmill. Both sit on the far end of a SOCK_SEQPACKET
 * socketpair; time is a fake clock, so nothing here sleeps.
 */
static struct fake_clock fc;
static struct loop *loop;
static struct ftms_client *client;
static struct treadmill *tm;
static int peer_fd = -1;

/* ---- event recorder ---- */

#define MAX_EV 64

struct done_rec {
	enum treadmill_op op;
	int err;
	uint8_t result;
};

static struct rec {
	int link_up, link_down, link_err;
	int caps_calls;
	struct treadmill_caps caps;
	int data_calls;
	struct treadmill_data data;
	int status_calls;
	struct treadmill_status status[MAX_EV];
	int done_calls;
	struct done_rec done[MAX_EV];
} ev;

static void on_link(struct treadmill *t, bool up, int err, void *ud)
{
	if (up) {
		ev.link_up++;
	} else {
		ev.link_down++;
		ev.link_err = err;
	}
}

static void on_caps(struct treadmill *t, const struct treadmill_caps *caps,
		    void *ud)
{
	ev.caps_calls++;
	ev.caps = *caps;
}

static void on_data(struct treadmill *t, const struct treadmill_data *d,
		    void *ud)
{
	ev.data_calls++;
	ev.data = *d;
}

static void on_status(struct treadmill *t, const struct treadmill_status *st,
		      void *ud)
{
	if (ev.status_calls < MAX_EV)
		ev.status[ev.status_calls] = *st;
	ev.status_calls++;
}

static void on_done(struct treadmill *t, enum treadmill_op op, int err,
		    uint8_t result, void *ud)
{
	if (ev.done_calls < MAX_EV) {
		ev.done[ev.done_calls].op = op;
		ev.done[ev.done_calls].err = err;
		ev.done[ev.done_calls].result = result;
	}
	ev.done_calls++;
}

static const struct treadmill_events events = {
	.link = on_link,
	.caps = on_caps,
	.data = on_data,
	.status = on_status,
};

static bool status_seen(enum treadmill_status_kind kind)
{
	int i;

	for (i = 0; i < ev.status_calls && i < MAX_EV; i++)
		if (ev.status[i].kind == kind)
			return true;
	return false;
}

/* ---- loop helpers ---- */

static void spin(void)
{
	int i;

	for (i = 0; i < 6; i++)
		loop_iterate(loop, 0);
}

/* Advance the fake clock in 10 ms steps until cond or max_us passed. */
#define RUN_UNTIL(cond, max_us) do { \
	uint64_t waited_ = 0; \
	spin(); \
	while (!(cond) && waited_ < (max_us)) { \
		fake_clock_advance(&fc, 10 * USEC_PER_MSEC); \
		waited_ += 10 * USEC_PER_MSEC; \
		spin(); \
	} \
	ck_assert_msg((cond), "timed out waiting for " #cond); \
} while (0)

static void advance(uint64_t us)
{
	uint64_t t;

	for (t = 0; t < us; t += 10 * USEC_PER_MSEC) {
		fake_clock_advance(&fc, 10 * USEC_PER_MSEC);
		spin();
	}
}

static void base_setup(void)
{
	memset(&ev, 0, sizeof(ev));
	fake_clock_init(&fc, 1000000);
	loop = loop_new(&fc.clock);
	ck_assert_ptr_nonnull(loop);
}

/* FTMS_DEBUG=1 ./tests/test-ftms-client prints the client's debug log. */
static void print_debug(const char *str, void *user_data)
{
	fprintf(stderr, "[%llu] %s\n", (unsigned long long) loop_now(loop),
		str);
}

static void new_client(int fd, const struct ftms_client_opts *opts)
{
	client = ftms_client_new(loop, fd, opts);
	ck_assert_ptr_nonnull(client);
	if (getenv("FTMS_DEBUG"))
		ftms_client_set_debug(client, print_debug, NULL);
	tm = ftms_client_get_treadmill(client);
	treadmill_set_events(tm, &events, NULL);
}

/* ================= scripted peer ================= */

enum layout {
	LAYOUT_A,	/* FTMS at 0x0010, spec order, every characteristic */
	LAYOUT_B,	/* vendor 128-bit service first, FTMS at 0x0100,
			 * shuffled, no Training Status, no incline range */
	LAYOUT_NO_FTMS,
	LAYOUT_NO_CP,	/* read-only machine */
};

#define MAX_WRITES 32

static struct peer {
	struct att_server *srv;
	uint16_t feature, data, status, training, speed_range,
		 incline_range, cp;
	/* Control point script: results for successive writes; past the
	 * end, Success. 0 in the script means "stay silent". */
	uint8_t results[16];
	int nresults;
	int next_result;
	bool manual;			/* test sends indications itself */
	uint8_t answer_op;		/* nonzero: answer for this op instead */
	uint8_t writes[MAX_WRITES][20];
	size_t wlen[MAX_WRITES];
	int nwrites;
} p;

static uint8_t cp_write(struct att_server *srv, uint16_t handle,
			const uint8_t *value, size_t len, bool is_cmd,
			void *user_data)
{
	uint8_t ind[3];
	uint8_t result = FTMS_RESULT_SUCCESS;

	ck_assert(!is_cmd);
	if (p.nwrites < MAX_WRITES) {
		memcpy(p.writes[p.nwrites], value, MIN(len, (size_t) 20));
		p.wlen[p.nwrites] = len;
	}
	p.nwrites++;
	if (p.manual || !len)
		return 0;
	if (p.next_result < p.nresults)
		result = p.results[p.next_result++];
	if (!result)
		return 0;
	ind[0] = FTMS_OP_RESPONSE_CODE;
	ind[1] = p.answer_op ? p.answer_op : value[0];
	ind[2] = result;
	ck_assert_int_eq(att_server_indicate(srv, handle, ind, 3, NULL, NULL),
			 0);
	return 0;
}

static void peer_indicate(uint8_t op, uint8_t result)
{
	uint8_t ind[3] = { FTMS_OP_RESPONSE_CODE, op, result };

	ck_assert_int_eq(att_server_indicate(p.srv, p.cp, ind, 3, NULL, NULL),
			 0);
	spin();
}

static void peer_status(const uint8_t *v, size_t len)
{
	ck_assert_int_eq(att_server_notify(p.srv, p.status, v, len), 0);
	spin();
}

static void peer_data(const uint8_t *v, size_t len)
{
	ck_assert_int_eq(att_server_notify(p.srv, p.data, v, len), 0);
	spin();
}

static int add_char(uint16_t uuid, uint8_t props, bool cp)
{
	struct att_uuid u = att_uuid16(uuid);
	int h = att_server_add_char(p.srv, &u, props, cp ? cp_write : NULL,
				    NULL);

	ck_assert_int_gt(h, 0);
	return h;
}

static void set_val(uint16_t h, const uint8_t *v, size_t len)
{
	ck_assert_int_eq(att_server_set_value(p.srv, h, v, len), 0);
}

static void build_peer(enum layout layout)
{
	struct att_uuid gap = att_uuid16(0x1800), ftms = att_uuid16(0x1826);
	struct att_uuid vendor;
	/* Feature: distance, inclination, elapsed; targets speed, incline. */
	const uint8_t feature[8] = { 0x0c, 0x10, 0, 0, 0x03, 0, 0, 0 };
	/* 1.00 .. 16.00 km/h step 0.10; 0.0 .. 15.0 % step 0.5 */
	const uint8_t speed[6] = { 0x64, 0x00, 0x40, 0x06, 0x0a, 0x00 };
	const uint8_t incline[6] = { 0x00, 0x00, 0x96, 0x00, 0x05, 0x00 };

	memset(&p, 0, sizeof(p));
	p.srv = att_server_new(loop, 185);
	ck_assert_ptr_nonnull(p.srv);
	ck_assert(att_uuid_from_str("6e400001-b5a3-f393-e0a9-e50e24dcca9e",
				    &vendor));
	switch (layout) {
	case LAYOUT_A:
	case LAYOUT_NO_CP:
		ck_assert_int_gt(att_server_add_service(p.srv, &gap, 1), 0);
		add_char(0x2a00, GATT_PROP_READ, false);
		ck_assert_int_eq(att_server_add_service(p.srv, &ftms, 0x10),
				 0x10);
		p.feature = add_char(FTMS_UUID_FEATURE, GATT_PROP_READ, false);
		p.data = add_char(FTMS_UUID_TREADMILL_DATA, GATT_PROP_NOTIFY,
				  false);
		p.training = add_char(FTMS_UUID_TRAINING_STATUS,
				      GATT_PROP_READ | GATT_PROP_NOTIFY, false);
		p.speed_range = add_char(FTMS_UUID_SUPPORTED_SPEED_RANGE,
					 GATT_PROP_READ, false);
		p.incline_range = add_char(FTMS_UUID_SUPPORTED_INCLINATION_RANGE,
					   GATT_PROP_READ, false);
		if (layout == LAYOUT_A)
			p.cp = add_char(FTMS_UUID_CONTROL_POINT,
					GATT_PROP_WRITE | GATT_PROP_INDICATE,
					true);
		p.status = add_char(FTMS_UUID_MACHINE_STATUS, GATT_PROP_NOTIFY,
				    false);
		break;
	case LAYOUT_B:
		ck_assert_int_gt(att_server_add_service(p.srv, &vendor, 1), 0);
		add_char(0x2a00, GATT_PROP_READ | GATT_PROP_NOTIFY, false);
		ck_assert_int_gt(att_server_add_service(p.srv, &gap, 0x40), 0);
		add_char(0x2a00, GATT_PROP_READ, false);
		ck_assert_int_eq(att_server_add_service(p.srv, &ftms, 0x100),
				 0x100);
		p.status = add_char(FTMS_UUID_MACHINE_STATUS, GATT_PROP_NOTIFY,
				    false);
		p.cp = add_char(FTMS_UUID_CONTROL_POINT,
				GATT_PROP_WRITE | GATT_PROP_INDICATE, true);
		p.speed_range = add_char(FTMS_UUID_SUPPORTED_SPEED_RANGE,
					 GATT_PROP_READ, false);
		p.feature = add_char(FTMS_UUID_FEATURE, GATT_PROP_READ, false);
		p.data = add_char(FTMS_UUID_TREADMILL_DATA, GATT_PROP_NOTIFY,
				  false);
		/* A vendor service after FTMS, too. */
		ck_assert_int_gt(att_server_add_service(p.srv, &vendor, 0x200),
				 0);
		add_char(0x2acd, GATT_PROP_NOTIFY, false);
		break;
	case LAYOUT_NO_FTMS:
		ck_assert_int_gt(att_server_add_service(p.srv, &gap, 1), 0);
		add_char(0x2a00, GATT_PROP_READ, false);
		break;
	}
	if (p.feature)
		set_val(p.feature, feature, sizeof(feature));
	if (p.speed_range)
		set_val(p.speed_range, speed, sizeof(speed));
	if (p.incline_range)
		set_val(p.incline_range, incline, sizeof(incline));
}

static void scripted_start(enum layout layout,
			   const struct ftms_client_opts *opts)
{
	int sv[2];

	build_peer(layout);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	ck_assert_int_eq(att_server_attach(p.srv, sv[1], true), 0);
	peer_fd = sv[1];
	new_client(sv[0], opts);
}

static void scripted_teardown(void)
{
	ftms_client_free(client);
	client = NULL;
	att_server_free(p.srv);
	p.srv = NULL;
	loop_free(loop);
}

/* Connect and wait for the Request Control result. */
static void connect_ok(void)
{
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	ck_assert_int_eq(ev.done_calls, 0);
	RUN_UNTIL(ev.done_calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].op, TREADMILL_OP_CONNECT);
	ck_assert_int_eq(ev.done[0].err, 0);
	ck_assert_uint_eq(ev.done[0].result, FTMS_RESULT_SUCCESS);
	ck_assert(treadmill_in_control(tm));
}

static void assert_write(int i, const uint8_t *want, size_t len)
{
	ck_assert_int_gt(p.nwrites, i);
	ck_assert_uint_eq(p.wlen[i], len);
	ck_assert_msg(!memcmp(p.writes[i], want, len),
		      "control point write %d differs (op 0x%02x)", i,
		      p.writes[i][0]);
}

#define WRITE(i, ...) assert_write((i), (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void setup_a(void)
{
	base_setup();
	scripted_start(LAYOUT_A, NULL);
}

static void setup_b(void)
{
	base_setup();
	scripted_start(LAYOUT_B, NULL);
}

/* ---- discovery and bring-up ---- */

START_TEST(bringup_layout_a)
{
	connect_ok();
	ck_assert_int_eq(ev.link_up, 1);
	ck_assert_int_eq(ev.caps_calls, 1);
	ck_assert(ev.caps.can_control);
	ck_assert(ev.caps.has_speed_range);
	ck_assert_uint_eq(ev.caps.speed_min, 100);
	ck_assert_uint_eq(ev.caps.speed_max, 1600);
	ck_assert_uint_eq(ev.caps.speed_inc, 10);
	ck_assert(ev.caps.has_incline_range);
	ck_assert_int_eq(ev.caps.incline_max, 150);
	ck_assert_uint_eq(ev.caps.incline_inc, 5);
	ck_assert(ev.caps.speed_target);
	ck_assert(ev.caps.incline_target);
	ck_assert_uint_eq(ev.caps.machine_features, 0x100c);
	/* docs/ftms.md 1.9 step 4: notify for data/status/training, indicate
	 * for the control point. */
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.data), 1);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.status), 1);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.training), 1);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.cp), 2);
	/* Request Control is the first and only write. */
	ck_assert_int_eq(p.nwrites, 1);
	WRITE(0, 0x00);
	ck_assert(status_seen(TREADMILL_STATUS_CONTROL_GAINED));
	/* The MTU was exchanged: min(517, 185). */
	ck_assert_uint_eq(att_get_mtu(ftms_client_get_att(client)), 185);
	ck_assert_uint_eq(att_server_get_mtu(p.srv), 185);
}
END_TEST

START_TEST(bringup_layout_b)
{
	connect_ok();
	ck_assert(p.cp > 0x100 && p.data > p.cp);
	ck_assert(ev.caps.can_control);
	ck_assert(ev.caps.has_speed_range);
	ck_assert(!ev.caps.has_incline_range);
	ck_assert(!ev.caps.incline_target);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.data), 1);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.status), 1);
	ck_assert_uint_eq(att_server_get_cccd(p.srv, p.cp), 2);
	/* Data from the right handle reaches the runner. */
	peer_data((const uint8_t[]){ 0x00, 0x00, 0xe8, 0x03 }, 4);
	ck_assert_int_eq(ev.data_calls, 1);
	ck_assert_uint_eq(ev.data.speed, 1000);
	/* A set speed lands on the control point wherever it is. */
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	WRITE(1, 0x02, 0xf4, 0x01);
}
END_TEST

START_TEST(bringup_small_mtu)
{
	struct ftms_client_opts o = { .mtu = 23 };

	ftms_client_free(client);
	att_server_free(p.srv);
	scripted_start(LAYOUT_A, &o);
	connect_ok();
	ck_assert_uint_eq(att_get_mtu(ftms_client_get_att(client)), 23);
}
END_TEST

START_TEST(zero_length_pdu_counted_link_stays)
{
	struct treadmill_counters cnt;

	connect_ok();
	/* From the treadmill's side of the link: an empty record. */
	ck_assert_int_eq(send(peer_fd, "", 0, 0), 0);
	spin();
	ck_assert_int_eq(ev.link_down, 0);
	ck_assert_int_eq(treadmill_get_counters(tm, &cnt), 0);
	ck_assert_uint_eq(cnt.malformed, 1);
	/* The link goes on: a command is still carried out. */
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, 0);
}
END_TEST

START_TEST(bringup_no_ftms_service)
{
	ftms_client_free(client);
	att_server_free(p.srv);
	scripted_start(LAYOUT_NO_FTMS, NULL);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].err, -ENODEV);
	ck_assert_int_eq(ev.link_up, 0);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), -ENOTCONN);
}
END_TEST

START_TEST(bringup_read_only_machine)
{
	ftms_client_free(client);
	att_server_free(p.srv);
	scripted_start(LAYOUT_NO_CP, NULL);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].err, 0);
	ck_assert_int_eq(ev.link_up, 1);
	ck_assert(!ev.caps.can_control);
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL),
			 -EOPNOTSUPP);
}
END_TEST

START_TEST(connect_twice_refused)
{
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), -EALREADY);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), -ENOTCONN);
}
END_TEST

/* ---- control point procedure ---- */

START_TEST(every_op_encoded)
{
	connect_ok();
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 1000, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_incline(tm, -15, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_pause(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 7, USEC_PER_SEC);
	WRITE(1, 0x07);
	WRITE(2, 0x02, 0xe8, 0x03);	/* FTMS App. 2: 10 km/h */
	WRITE(3, 0x03, 0xf1, 0xff);
	WRITE(4, 0x08, 0x02);
	WRITE(5, 0x08, 0x01);
	WRITE(6, 0x00);
	ck_assert_int_eq(ev.done[1].op, TREADMILL_OP_START);
	ck_assert_int_eq(ev.done[2].op, TREADMILL_OP_SET_SPEED);
	ck_assert_int_eq(ev.done[3].op, TREADMILL_OP_SET_INCLINE);
	ck_assert_int_eq(ev.done[4].op, TREADMILL_OP_PAUSE);
	ck_assert_int_eq(ev.done[5].op, TREADMILL_OP_STOP);
	ck_assert_int_eq(ev.done[6].op, TREADMILL_OP_REQUEST_CONTROL);
	{
		int i;

		for (i = 1; i < 7; i++) {
			ck_assert_int_eq(ev.done[i].err, 0);
			ck_assert_uint_eq(ev.done[i].result, 1);
		}
	}
}
END_TEST

START_TEST(one_procedure_at_a_time)
{
	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_incline(tm, 20, on_done, NULL), 0);
	advance(200 * USEC_PER_MSEC);
	/* The Write Response came, but no indication: the incline waits. */
	ck_assert_int_eq(p.nwrites, 2);
	ck_assert_int_eq(ev.done_calls, 1);
	peer_indicate(FTMS_OP_START_OR_RESUME, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(p.nwrites == 3, USEC_PER_SEC);
	WRITE(2, 0x03, 0x14, 0x00);
	ck_assert_int_eq(ev.done_calls, 2);
	ck_assert_int_eq(ev.done[1].op, TREADMILL_OP_START);
	peer_indicate(FTMS_OP_SET_TARGET_INCLINATION, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
}
END_TEST

START_TEST(newest_target_wins)
{
	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 1000, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 1200, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	/* Completions never run inside the call that caused them. */
	ck_assert_int_eq(ev.done_calls, 1);
	spin();
	ck_assert_int_eq(ev.done_calls, 3);
	ck_assert_int_eq(ev.done[1].err, -ECANCELED);
	ck_assert_int_eq(ev.done[2].err, -ECANCELED);
	peer_indicate(FTMS_OP_START_OR_RESUME, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(p.nwrites == 3, USEC_PER_SEC);
	/* The walking pace goes out, not the stale jog targets. */
	WRITE(2, 0x02, 0xf4, 0x01);
	peer_indicate(FTMS_OP_SET_TARGET_SPEED, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(ev.done_calls == 5, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[4].err, 0);
	ck_assert_int_eq(p.nwrites, 3);
}
END_TEST

START_TEST(every_result_code)
{
	static const struct {
		uint8_t result;
		int err;
	} cases[] = {
		{ FTMS_RESULT_SUCCESS, 0 },
		{ FTMS_RESULT_OP_CODE_NOT_SUPPORTED, -EOPNOTSUPP },
		{ FTMS_RESULT_INVALID_PARAMETER, -EINVAL },
		{ FTMS_RESULT_OPERATION_FAILED, -EIO },
		{ 0x06, -EPROTO },	/* RFU */
		{ 0x00, -EPROTO },	/* RFU, sent as an indication */
	};
	size_t i;

	connect_ok();
	p.manual = true;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int before = ev.done_calls;

		ck_assert_int_eq(treadmill_set_speed(tm, 800, on_done, NULL),
				 0);
		spin();
		peer_indicate(FTMS_OP_SET_TARGET_SPEED, cases[i].result);
		RUN_UNTIL(ev.done_calls == before + 1, USEC_PER_SEC);
		ck_assert_int_eq(ev.done[before].err, cases[i].err);
		ck_assert_uint_eq(ev.done[before].result, cases[i].result);
	}
}
END_TEST

START_TEST(control_not_permitted_retried)
{
	/* Denied twice, then granted (docs/ftms.md 1.10: re-request on 0x05). */
	p.results[0] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	p.results[1] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	p.nresults = 2;
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(p.nwrites == 1, USEC_PER_SEC);
	/* The retry waits its delay (500 ms) on the loop clock. */
	advance(400 * USEC_PER_MSEC);
	ck_assert_int_eq(p.nwrites, 1);
	RUN_UNTIL(ev.done_calls == 1, 2 * USEC_PER_SEC);
	ck_assert_int_eq(p.nwrites, 3);
	WRITE(1, 0x00);
	WRITE(2, 0x00);
	ck_assert_int_eq(ev.done[0].err, 0);
	ck_assert(treadmill_in_control(tm));
	{
		struct ftms_client_stats s;

		ftms_client_get_stats(client, &s);
		ck_assert_uint_eq(s.control_requests, 3);
	}
}
END_TEST

START_TEST(control_not_permitted_gives_up)
{
	int i;

	for (i = 0; i < 8; i++)
		p.results[i] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	p.nresults = 8;
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 1, 5 * USEC_PER_SEC);
	/* One request and three retries, then the result goes upward. */
	ck_assert_int_eq(p.nwrites, 4);
	ck_assert_int_eq(ev.done[0].err, -EPERM);
	ck_assert_uint_eq(ev.done[0].result,
			  FTMS_RESULT_CONTROL_NOT_PERMITTED);
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(ev.link_up, 1);
}
END_TEST

START_TEST(control_not_permitted_mid_session)
{
	connect_ok();
	/* The machine forgot us silently: re-take control, then resend. */
	p.results[0] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	p.nresults = 1;
	p.next_result = 0;
	ck_assert_int_eq(treadmill_set_speed(tm, 600, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, 2 * USEC_PER_SEC);
	WRITE(1, 0x02, 0x58, 0x02);
	WRITE(2, 0x00);
	WRITE(3, 0x02, 0x58, 0x02);
	ck_assert_int_eq(ev.done[1].err, 0);
	ck_assert_uint_eq(ev.done[1].result, FTMS_RESULT_SUCCESS);
}
END_TEST

START_TEST(response_to_wrong_op)
{
	connect_ok();
	p.answer_op = FTMS_OP_SET_TARGET_INCLINATION;
	ck_assert_int_eq(treadmill_set_speed(tm, 600, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, -EPROTO);
}
END_TEST

START_TEST(indication_timeout)
{
	struct ftms_client_stats s;

	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	advance(2900 * USEC_PER_MSEC);
	ck_assert_int_eq(ev.done_calls, 1);
	RUN_UNTIL(ev.done_calls == 2, 200 * USEC_PER_MSEC);
	ck_assert_int_eq(ev.done[1].err, -ETIMEDOUT);
	ck_assert_uint_eq(ev.done[1].result, 0);
	/* The queue moves on. */
	RUN_UNTIL(p.nwrites == 3, USEC_PER_SEC);
	WRITE(2, 0x08, 0x01);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.cp_timeouts, 1);
	/* A late answer to the start is not taken for the stop's. */
	peer_indicate(FTMS_OP_START_OR_RESUME, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[2].op, TREADMILL_OP_STOP);
	ck_assert_int_eq(ev.done[2].err, -EPROTO);
}
END_TEST

START_TEST(malformed_cp_indications_dropped)
{
	struct ftms_client_stats s;
	const uint8_t bad1[] = { 0x80, 0x07 };
	const uint8_t bad2[] = { 0x07, 0x07, 0x01 };

	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	spin();
	ck_assert_int_eq(att_server_indicate(p.srv, p.cp, bad1, 2, NULL, NULL),
			 0);
	ck_assert_int_eq(att_server_indicate(p.srv, p.cp, bad2, 3, NULL, NULL),
			 0);
	spin();
	ck_assert_int_eq(ev.done_calls, 1);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.cp_malformed, 2);
	peer_indicate(FTMS_OP_START_OR_RESUME, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, 0);
	/* An indication with nothing outstanding is counted, not acted on. */
	peer_indicate(FTMS_OP_START_OR_RESUME, FTMS_RESULT_SUCCESS);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.cp_unexpected, 1);
}
END_TEST

/* ---- machine status ---- */

START_TEST(status_user_stop_cancels_movers)
{
	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_set_speed(tm, 900, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_incline(tm, 10, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	spin();
	/* The user stops the belt at the console (docs/ftms.md 1.8 op 0x02). */
	peer_status((const uint8_t[]){ 0x02, 0x01 }, 2);
	ck_assert(status_seen(TREADMILL_STATUS_STOPPED_BY_USER));
	spin();
	/* The queued start and incline never go out; the stop stays. */
	ck_assert_int_eq(ev.done_calls, 3);
	ck_assert_int_eq(ev.done[1].op, TREADMILL_OP_START);
	ck_assert_int_eq(ev.done[1].err, -ECANCELED);
	ck_assert_int_eq(ev.done[2].op, TREADMILL_OP_SET_INCLINE);
	ck_assert_int_eq(ev.done[2].err, -ECANCELED);
	peer_indicate(FTMS_OP_SET_TARGET_SPEED, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(p.nwrites == 3, USEC_PER_SEC);
	WRITE(2, 0x08, 0x01);
}
END_TEST

START_TEST(status_stop_cancels_pending_retry)
{
	connect_ok();
	/* Start is refused (0x05); while the client waits to re-take
	 * control, the user stops the belt at the console. */
	p.results[0] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	p.nresults = 1;
	p.next_result = 0;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 900, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	RUN_UNTIL(p.nwrites == 2, USEC_PER_SEC);
	peer_status((const uint8_t[]){ 0x02, 0x01 }, 2);
	RUN_UNTIL(ev.done_calls == 4, 2 * USEC_PER_SEC);
	advance(2 * USEC_PER_SEC);
	/* Neither the start nor the speed went out again; the stop did,
	 * after taking back the control the machine had refused. */
	ck_assert_int_eq(p.nwrites, 4);
	WRITE(1, 0x07);
	WRITE(2, 0x00);
	WRITE(3, 0x08, 0x01);
	ck_assert_int_eq(ev.done[1].op, TREADMILL_OP_SET_SPEED);
	ck_assert_int_eq(ev.done[1].err, -ECANCELED);
	ck_assert_int_eq(ev.done[2].op, TREADMILL_OP_START);
	ck_assert_int_eq(ev.done[2].err, -ECANCELED);
	ck_assert_int_eq(ev.done[3].op, TREADMILL_OP_STOP);
	ck_assert_int_eq(ev.done[3].err, 0);
}
END_TEST

START_TEST(status_stop_during_control_prelude)
{
	connect_ok();
	peer_status((const uint8_t[]){ 0xff }, 1);
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	/* Control silently lost again; a set speed needs the prelude. */
	p.manual = true;
	p.results[0] = FTMS_RESULT_CONTROL_NOT_PERMITTED;
	ck_assert_int_eq(treadmill_set_speed(tm, 900, on_done, NULL), 0);
	RUN_UNTIL(p.nwrites == 3, USEC_PER_SEC);
	peer_indicate(FTMS_OP_SET_TARGET_SPEED,
		      FTMS_RESULT_CONTROL_NOT_PERMITTED);
	RUN_UNTIL(p.nwrites == 4, USEC_PER_SEC);
	WRITE(3, 0x00);
	/* The belt is stopped by the user while Request Control runs. */
	peer_status((const uint8_t[]){ 0x03 }, 1);
	peer_indicate(FTMS_OP_REQUEST_CONTROL, FTMS_RESULT_SUCCESS);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[2].err, -ECANCELED);
	advance(USEC_PER_SEC);
	ck_assert_int_eq(p.nwrites, 4);
}
END_TEST

START_TEST(status_kinds)
{
	static const struct {
		uint8_t v[3];
		size_t len;
		enum treadmill_status_kind kind;
		int32_t value;
	} cases[] = {
		{ { 0x02, 0x02 }, 2, TREADMILL_STATUS_PAUSED_BY_USER, 2 },
		{ { 0x02, 0x01 }, 2, TREADMILL_STATUS_STOPPED_BY_USER, 1 },
		{ { 0x03 }, 1, TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY, 0 },
		{ { 0x04 }, 1, TREADMILL_STATUS_STARTED_BY_USER, 0 },
		{ { 0x05, 0x20, 0x03 }, 3,
		  TREADMILL_STATUS_TARGET_SPEED_CHANGED, 800 },
		{ { 0x06, 0xec, 0xff }, 3,
		  TREADMILL_STATUS_TARGET_INCLINE_CHANGED, -20 },
		{ { 0x07, 0x10 }, 2, TREADMILL_STATUS_OTHER, 0 },
		{ { 0x40 }, 1, TREADMILL_STATUS_OTHER, 0 },	/* RFU */
	};
	size_t i;

	connect_ok();
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = ev.status_calls;

		peer_status(cases[i].v, cases[i].len);
		ck_assert_int_eq(ev.status_calls, n + 1);
		ck_assert_int_eq(ev.status[n].kind, cases[i].kind);
		ck_assert_int_eq(ev.status[n].value, cases[i].value);
		ck_assert_uint_eq(ev.status[n].raw_op, cases[i].v[0]);
	}
	/* None of those took control away. */
	ck_assert(treadmill_in_control(tm));
	/* Truncated target-speed status: dropped and counted. */
	{
		struct ftms_client_stats s;
		int n = ev.status_calls;

		peer_status((const uint8_t[]){ 0x05, 0x20 }, 2);
		ck_assert_int_eq(ev.status_calls, n);
		ftms_client_get_stats(client, &s);
		ck_assert_uint_eq(s.status_malformed, 1);
	}
}
END_TEST

START_TEST(status_control_lost)
{
	connect_ok();
	peer_status((const uint8_t[]){ 0xff }, 1);
	ck_assert(status_seen(TREADMILL_STATUS_CONTROL_LOST));
	ck_assert(!treadmill_in_control(tm));
	/* No target goes out until control is re-taken deliberately. */
	ck_assert_int_eq(treadmill_set_speed(tm, 1000, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, -EPERM);
	ck_assert_int_eq(ev.done[2].err, -EPERM);
	ck_assert_int_eq(p.nwrites, 1);
	/* Stopping the belt is always allowed: control first, then stop. */
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 4, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[3].err, 0);
	WRITE(1, 0x00);
	WRITE(2, 0x08, 0x01);
	ck_assert(treadmill_in_control(tm));
	/* Now targets flow again. */
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 5, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[4].err, 0);
}
END_TEST

START_TEST(status_reset_drops_control)
{
	connect_ok();
	peer_status((const uint8_t[]){ 0x01 }, 1);
	ck_assert(status_seen(TREADMILL_STATUS_RESET));
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, 0);
	ck_assert_int_eq(ev.done[2].err, 0);
	WRITE(1, 0x00);
	WRITE(2, 0x07);
}
END_TEST

START_TEST(status_while_control_denied_no_retry)
{
	/* After Control Lost, a 0x05 on a target is final: no re-request
	 * behind the user's back. */
	connect_ok();
	peer_status((const uint8_t[]){ 0xff }, 1);
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 2, USEC_PER_SEC);
	peer_status((const uint8_t[]){ 0xff }, 1);
	ck_assert_int_eq(treadmill_set_speed(tm, 700, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[2].err, -EPERM);
	ck_assert_uint_eq(ev.done[2].result, 0);
	ck_assert_int_eq(p.nwrites, 2);
}
END_TEST

/* ---- data ---- */

START_TEST(data_records_and_split)
{
	struct ftms_client_stats s;

	connect_ok();
	/* speed 8.00, distance 1234 m, elapsed 600 s */
	peer_data((const uint8_t[]){ 0x04, 0x04, 0x20, 0x03, 0xd2, 0x04,
				     0x00, 0x58, 0x02 }, 9);
	ck_assert_int_eq(ev.data_calls, 1);
	ck_assert_uint_eq(ev.data.present, TREADMILL_DATA_SPEED |
			  TREADMILL_DATA_DISTANCE | TREADMILL_DATA_ELAPSED);
	ck_assert_uint_eq(ev.data.speed, 800);
	ck_assert_uint_eq(ev.data.distance, 1234);
	ck_assert_uint_eq(ev.data.elapsed, 600);
	ck_assert_uint_eq(ev.data.time_us, loop_now(loop));
	/* FTMS §4.19: More Data part, then the final part. */
	peer_data((const uint8_t[]){ 0x09, 0x00, 0x32, 0x00, 0x7f, 0x7f },
		  6);
	ck_assert_int_eq(ev.data_calls, 1);
	peer_data((const uint8_t[]){ 0x00, 0x00, 0x84, 0x03 }, 4);
	ck_assert_int_eq(ev.data_calls, 2);
	ck_assert_uint_eq(ev.data.speed, 900);
	ck_assert(ev.data.present & TREADMILL_DATA_INCLINE);
	ck_assert_int_eq(ev.data.incline, 50);
	/* Malformed: shorter than its flags. */
	peer_data((const uint8_t[]){ 0x00 }, 1);
	ck_assert_int_eq(ev.data_calls, 2);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.data_records, 2);
	ck_assert_uint_ge(s.data_malformed, 1);
}
END_TEST

/* ---- link ---- */

START_TEST(link_down_fails_pending)
{
	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 800, on_done, NULL), 0);
	spin();
	att_server_detach(p.srv);
	RUN_UNTIL(ev.link_down == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.link_err, -ENOTCONN);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[1].err, -ENOTCONN);
	ck_assert_int_eq(ev.done[2].err, -ENOTCONN);
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), -ENOTCONN);
}
END_TEST

START_TEST(hangup_during_bringup)
{
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	att_server_detach(p.srv);
	RUN_UNTIL(ev.done_calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].err, -ENOTCONN);
	ck_assert_int_eq(ev.link_up, 0);
	ck_assert_int_eq(ev.link_down, 0);
}
END_TEST

START_TEST(free_cancels_pending)
{
	connect_ok();
	p.manual = true;
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	spin();
	treadmill_free(tm);
	client = NULL;
	ck_assert_int_eq(ev.done_calls, 3);
	ck_assert_int_eq(ev.done[1].err, -ECANCELED);
	ck_assert_int_eq(ev.done[2].err, -ECANCELED);
}
END_TEST

/* ================= byte-exact scripted peer ================= */

/*
 * The whole bring-up of docs/ftms.md 1.9 as bytes, against a peer that lacks
 * Find By Type Value (so the client falls back to Read By Group Type), at
 * MTU 23. OUT: what the client must write; IN: what the peer answers.
 */
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

static void run_steps(const struct step *steps, size_t count)
{
	uint8_t buf[ATT_MAX_MTU + 1];
	size_t i;
	ssize_t n;

	for (i = 0; i < count; i++) {
		const struct step *st = &steps[i];

		if (st->dir == IN) {
			ck_assert_int_eq(send(peer_fd, st->pdu, st->len, 0),
					 (ssize_t) st->len);
			spin();
			continue;
		}
		spin();
		n = recv(peer_fd, buf, sizeof(buf), MSG_DONTWAIT);
		ck_assert_msg(n >= 0, "step %zu: expected a PDU, got none", i);
		ck_assert_msg((size_t) n == st->len &&
			      !memcmp(buf, st->pdu, st->len),
			      "step %zu: PDU differs (len %zd, want %zu, "
			      "opcode 0x%02x)", i, n, st->len, buf[0]);
	}
}

#define RUN(...) do { \
	const struct step steps_[] = { __VA_ARGS__ }; \
	run_steps(steps_, ARRAY_SIZE(steps_)); \
} while (0)

static void raw_setup(void)
{
	struct ftms_client_opts o = { .mtu = 23 };
	int sv[2];

	base_setup();
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	peer_fd = sv[1];
	new_client(sv[0], &o);
}

static void raw_teardown(void)
{
	ftms_client_free(client);
	client = NULL;
	close(peer_fd);
	peer_fd = -1;
	loop_free(loop);
}

START_TEST(bytes_bringup_with_fallback)
{
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN(/* FTMS by UUID: not supported here */
	    S_OUT(0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18),
	    S_IN(0x01, 0x06, 0x01, 0x00, 0x06),
	    /* every primary service: GAP 1-7, FTMS 8-0x13 */
	    S_OUT(0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x11, 0x06, 0x01, 0x00, 0x07, 0x00, 0x00, 0x18,
		 0x08, 0x00, 0x13, 0x00, 0x26, 0x18),
	    S_OUT(0x10, 0x14, 0x00, 0xff, 0xff, 0x00, 0x28),
	    S_IN(0x01, 0x10, 0x14, 0x00, 0x0a),
	    /* characteristics: Feature, Data, Control Point, Status */
	    S_OUT(0x08, 0x08, 0x00, 0x13, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x07, 0x09, 0x00, 0x02, 0x0a, 0x00, 0xcc, 0x2a,
		 0x0b, 0x00, 0x10, 0x0c, 0x00, 0xcd, 0x2a,
		 0x0e, 0x00, 0x28, 0x0f, 0x00, 0xd9, 0x2a),
	    S_OUT(0x08, 0x0f, 0x00, 0x13, 0x00, 0x03, 0x28),
	    S_IN(0x09, 0x07, 0x11, 0x00, 0x10, 0x12, 0x00, 0xda, 0x2a),
	    S_OUT(0x08, 0x12, 0x00, 0x13, 0x00, 0x03, 0x28),
	    S_IN(0x01, 0x08, 0x12, 0x00, 0x0a),
	    /* descriptors of the whole service */
	    S_OUT(0x04, 0x09, 0x00, 0x13, 0x00),
	    S_IN(0x05, 0x01, 0x09, 0x00, 0x03, 0x28, 0x0a, 0x00, 0xcc, 0x2a,
		 0x0b, 0x00, 0x03, 0x28, 0x0c, 0x00, 0xcd, 0x2a,
		 0x0d, 0x00, 0x02, 0x29),
	    S_OUT(0x04, 0x0e, 0x00, 0x13, 0x00),
	    S_IN(0x05, 0x01, 0x0e, 0x00, 0x03, 0x28, 0x0f, 0x00, 0xd9, 0x2a,
		 0x10, 0x00, 0x02, 0x29, 0x11, 0x00, 0x03, 0x28,
		 0x12, 0x00, 0xda, 0x2a),
	    S_OUT(0x04, 0x13, 0x00, 0x13, 0x00),
	    S_IN(0x05, 0x01, 0x13, 0x00, 0x02, 0x29),
	    /* Feature; this machine has no range characteristics */
	    S_OUT(0x0a, 0x0a, 0x00),
	    S_IN(0x0b, 0x0c, 0x10, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00),
	    /* CCCDs: data notify, status notify, control point indicate */
	    S_OUT(0x12, 0x0d, 0x00, 0x01, 0x00), S_IN(0x13),
	    S_OUT(0x12, 0x13, 0x00, 0x01, 0x00), S_IN(0x13),
	    S_OUT(0x12, 0x10, 0x00, 0x02, 0x00), S_IN(0x13),
	    /* Request Control, Write Response, indication, Confirmation */
	    S_OUT(0x12, 0x0f, 0x00, 0x00), S_IN(0x13),
	    S_IN(0x1d, 0x0f, 0x00, 0x80, 0x00, 0x01), S_OUT(0x1e));
	spin();
	ck_assert_int_eq(ev.done_calls, 1);
	ck_assert_int_eq(ev.done[0].err, 0);
	ck_assert_int_eq(ev.link_up, 1);
	ck_assert(ev.caps.can_control);
	ck_assert(!ev.caps.has_speed_range);
	ck_assert(!ev.caps.speed_target);	/* no range: not trusted */
	ck_assert_uint_eq(ev.caps.target_features, 0x3);

	/* FTMS App. 2: 02 e8 03, Write Response, indication 80 02 01. */
	ck_assert_int_eq(treadmill_set_speed(tm, 1000, on_done, NULL), 0);
	RUN(S_OUT(0x12, 0x0f, 0x00, 0x02, 0xe8, 0x03), S_IN(0x13),
	    S_IN(0x1d, 0x0f, 0x00, 0x80, 0x02, 0x01), S_OUT(0x1e));
	spin();
	ck_assert_int_eq(ev.done_calls, 2);
	ck_assert_int_eq(ev.done[1].err, 0);

	/* A control point ATT error (CSS Part B: CCCD Improperly
	 * Configured) fails the command with no indication to wait for. */
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	RUN(S_OUT(0x12, 0x0f, 0x00, 0x07),
	    S_IN(0x01, 0x12, 0x0f, 0x00, 0xfd));
	spin();
	ck_assert_int_eq(ev.done_calls, 3);
	ck_assert_int_eq(ev.done[2].err, -EIO);
}
END_TEST

START_TEST(bringup_mtu_below_minimum_said)
{
	struct ftms_client_opts o = { .mtu = 185 };
	int sv[2];

	/* A client that offers 185 to a server answering 22: the connect
	 * fails at once, saying so, instead of timing out later. */
	ftms_client_free(client);
	close(peer_fd);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	peer_fd = sv[1];
	new_client(sv[0], &o);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN(S_OUT(0x02, 0xb9, 0x00), S_IN(0x03, 0x16, 0x00));
	spin();
	ck_assert_int_eq(ev.done_calls, 1);
	ck_assert_int_eq(ev.done[0].err, -ERANGE);
	ck_assert_int_eq(ev.link_up, 0);
	ck_assert_str_eq(ftms_client_strerror(ev.done[0].err),
			 "the treadmill answered Exchange MTU with less than 23 bytes, which Bluetooth does not allow (Core Vol 3 Part F 3.4.2.2)");
	/* Nothing more is asked of it. */
	ck_assert_int_lt(recv(peer_fd, (uint8_t[8]){ 0 }, 8, MSG_DONTWAIT), 0);
	ck_assert_str_eq(ftms_client_strerror(-ECONNREFUSED),
			 strerror(ECONNREFUSED));
}
END_TEST

START_TEST(bytes_bringup_att_timeout)
{
	struct ftms_client_stats s;

	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN(S_OUT(0x06, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28, 0x26, 0x18));
	/* The peer never answers: §3.3.3, 30 s, then the bearer is dead. */
	advance(ATT_TIMEOUT_US);
	RUN_UNTIL(ev.done_calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].err, -ETIMEDOUT);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.att.timeouts, 1);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), -ENOTCONN);
}
END_TEST

/* ================= against the simulator ================= */

static struct sim *sim;

static void sim_start(uint32_t quirks, const struct ftms_client_opts *opts)
{
	struct sim_config cfg;
	int sv[2];

	sim_config_init(&cfg);
	cfg.quirks = quirks;
	cfg.drop_link_at_us = 3 * USEC_PER_SEC;
	cfg.stall_at_us = 3 * USEC_PER_SEC;
	cfg.lose_control_at_us = 2 * USEC_PER_SEC;
	sim = sim_new(loop, &cfg);
	ck_assert_ptr_nonnull(sim);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	ck_assert_int_eq(sim_attach(sim, sv[1], true), 0);
	new_client(sv[0], opts);
}

static void sim_setup(void)
{
	base_setup();
	sim = NULL;
}

static void sim_teardown(void)
{
	ftms_client_free(client);
	client = NULL;
	sim_free(sim);
	sim = NULL;
	loop_free(loop);
}

static struct sim_state sim_state(void)
{
	struct sim_state st;

	sim_get_state(sim, &st);
	return st;
}

static void sim_connect(void)
{
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 1, 2 * USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].err, 0);
	ck_assert(treadmill_in_control(tm));
	ck_assert(sim_state().in_control);
}

/* Start and set speed; wait until the belt is at that speed. */
static void sim_run_at(uint16_t speed)
{
	int n = ev.done_calls;

	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, speed, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == n + 2, 2 * USEC_PER_SEC);
	ck_assert_int_eq(ev.done[n].err, 0);
	ck_assert_int_eq(ev.done[n + 1].err, 0);
	RUN_UNTIL(sim_state().speed == speed, 30 * USEC_PER_SEC);
}

static void check_layout(uint32_t quirks)
{
	sim_start(quirks, NULL);
	sim_connect();
	ck_assert(ev.caps.can_control);
	ck_assert(ev.caps.has_speed_range);
	ck_assert_uint_eq(ev.caps.speed_min, 100);
	ck_assert_uint_eq(ev.caps.speed_max, 1600);
	ck_assert_uint_eq(ev.caps.speed_inc, 10);
	ck_assert(ev.caps.has_incline_range);
	ck_assert_int_eq(ev.caps.incline_max, 150);
	sim_run_at(800);
	RUN_UNTIL(ev.data_calls > 0 && ev.data.speed == 800,
		  3 * USEC_PER_SEC);
}

START_TEST(sim_default_layout)
{
	check_layout(0);
}
END_TEST

/* opts.connecting: bring-up waits for the bearer's connect(2) first. */
START_TEST(sim_connecting_fd_brought_up)
{
	struct ftms_client_opts opts = { .connecting = true };

	sim_start(0, &opts);
	sim_connect();
	sim_run_at(500);
}
END_TEST

/*
 * A connect that fails (here a loopback TCP connect to a closed port,
 * the nearest thing to an LE peer that never answers) completes the
 * CONNECT with the connect's error, not with a hang or a bring-up error.
 */
START_TEST(connecting_fd_failure_reported)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ftms_client_opts opts = { .connecting = true };
	socklen_t len = sizeof(sa);
	int lfd, fd, r;

	/* A port that was just free and has nobody listening. */
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(lfd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *) &sa, &len), 0);
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	r = connect(fd, (struct sockaddr *) &sa, sizeof(sa));
	if (r == 0 || errno != EINPROGRESS) {
		close(fd);
		/* The kernel refused at once: nothing to wait for. */
		ck_assert_int_eq(errno, ECONNREFUSED);
		return;
	}
	new_client(fd, &opts);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 1, 2 * USEC_PER_SEC);
	ck_assert_int_eq(ev.done[0].op, TREADMILL_OP_CONNECT);
	ck_assert_int_eq(ev.done[0].err, -ECONNREFUSED);
	ck_assert_int_eq(ev.link_up, 0);
}
END_TEST

START_TEST(sim_alt_handles)
{
	check_layout(SIM_QUIRK_ALT_HANDLES);
}
END_TEST

struct long_read {
	int calls;
	int err;
	char value[ATT_MAX_VALUE_LEN + 1];
	size_t len;
};

static void long_read_cb(int err, uint8_t ecode, const uint8_t *value,
			 size_t len, void *user_data)
{
	struct long_read *r = user_data;

	r->calls++;
	r->err = err;
	r->len = len;
	if (len)
		memcpy(r->value, value, len);
	r->value[len] = '\0';
}

struct found {
	int calls;
	int err;
	uint16_t start, end, handle;
};

static void found_svc(int err, uint8_t ecode, const struct gatt_service *s,
		      size_t count, void *user_data)
{
	struct found *f = user_data;

	f->calls++;
	f->err = err ? err : count == 1 ? 0 : -ENOENT;
	if (count == 1) {
		f->start = s[0].start;
		f->end = s[0].end;
	}
}

static void found_chars(int err, uint8_t ecode, const struct gatt_char *c,
			size_t count, void *user_data)
{
	struct found *f = user_data;
	struct att_uuid u = att_uuid16(0x2a29);
	const struct gatt_char *gc = gatt_find_char(c, count, &u);

	f->calls++;
	f->err = err;
	f->handle = gc ? gc->value_handle : 0;
}

START_TEST(sim_mtu_and_long_read)
{
	static const char want[] =
		"paced project: simulated FTMS treadmill (not a real machine)";
	struct ftms_client_opts o = { .mtu = 23 };
	struct long_read r = { 0 };
	struct found found = { 0 };
	struct att *att;
	uint16_t h;

	/* At MTU 23 the 60-byte Manufacturer Name takes Read + 2 Blobs. */
	sim_start(0, &o);
	sim_connect();
	att = ftms_client_get_att(client);
	ck_assert_uint_eq(att_get_mtu(att), 23);
	/* Find it as any client would: Device Information by UUID. */
	{
		struct att_uuid dis = att_uuid16(0x180a);

		ck_assert_int_eq(gatt_discover_primary(att, &dis, found_svc,
						       &found), 0);
		RUN_UNTIL(found.calls == 1, USEC_PER_SEC);
		ck_assert_int_eq(found.err, 0);
		ck_assert_int_eq(gatt_discover_chars(att, found.start,
						     found.end, found_chars,
						     &found), 0);
		RUN_UNTIL(found.calls == 2, USEC_PER_SEC);
		h = found.handle;
		ck_assert_uint_gt(h, 0);
	}
	ck_assert_int_eq(gatt_read(att, h, long_read_cb, &r), 0);
	RUN_UNTIL(r.calls == 1, USEC_PER_SEC);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(r.len, sizeof(want) - 1);
	ck_assert_str_eq(r.value, want);
}
END_TEST

START_TEST(sim_mtu_exchanged)
{
	sim_start(0, NULL);
	sim_connect();
	/* min(our 517, the simulator's 247) */
	ck_assert_uint_eq(att_get_mtu(ftms_client_get_att(client)), 247);
	ck_assert_uint_eq(att_server_get_mtu(sim_att_server(sim)), 247);
}
END_TEST

START_TEST(sim_every_control_op)
{
	sim_start(0, NULL);
	sim_connect();
	sim_run_at(600);
	ck_assert_int_eq(treadmill_set_incline(tm, 20, on_done, NULL), 0);
	RUN_UNTIL(sim_state().incline == 20, 10 * USEC_PER_SEC);
	ck_assert_int_eq(treadmill_pause(tm, on_done, NULL), 0);
	RUN_UNTIL(sim_state().belt == BELT_STATE_PAUSED &&
		  sim_state().speed == 0, 30 * USEC_PER_SEC);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	RUN_UNTIL(sim_state().belt == BELT_STATE_RUNNING, USEC_PER_SEC);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	RUN_UNTIL(sim_state().belt == BELT_STATE_STOPPED &&
		  sim_state().speed == 0, 30 * USEC_PER_SEC);
	/* Invalid parameter from the real server: off the speed grid. */
	{
		int n = ev.done_calls;

		ck_assert_int_eq(treadmill_set_speed(tm, 20000, on_done, NULL),
				 0);
		RUN_UNTIL(ev.done_calls == n + 1, USEC_PER_SEC);
		ck_assert_int_eq(ev.done[n].err, -EINVAL);
		ck_assert_uint_eq(ev.done[n].result,
				  FTMS_RESULT_INVALID_PARAMETER);
	}
}
END_TEST

START_TEST(sim_console_events)
{
	sim_start(0, NULL);
	sim_connect();
	sim_run_at(700);
	ck_assert_int_eq(sim_console_set_speed(sim, 900), 0);
	RUN_UNTIL(status_seen(TREADMILL_STATUS_TARGET_SPEED_CHANGED),
		  USEC_PER_SEC);
	sim_console_safety_key(sim, true);
	RUN_UNTIL(status_seen(TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY),
		  USEC_PER_SEC);
	sim_console_take_control(sim);
	RUN_UNTIL(status_seen(TREADMILL_STATUS_CONTROL_LOST), USEC_PER_SEC);
	ck_assert(!treadmill_in_control(tm));
}
END_TEST

START_TEST(sim_quirk_split_records)
{
	struct ftms_client_stats s;

	sim_start(SIM_QUIRK_SPLIT_RECORDS, NULL);
	sim_connect();
	sim_run_at(500);
	RUN_UNTIL(ev.data_calls >= 2 && ev.data.speed == 500,
		  3 * USEC_PER_SEC);
	ck_assert(ev.data.present & TREADMILL_DATA_DISTANCE);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.data_malformed, 0);
}
END_TEST

START_TEST(sim_quirk_truncate_20)
{
	struct ftms_client_stats s;
	struct ftms_client_opts o = { .mtu = 23 };

	sim_start(SIM_QUIRK_TRUNCATE_20, &o);
	sim_connect();
	sim_run_at(500);
	RUN_UNTIL(ev.data_calls >= 2 && ev.data.speed == 500,
		  3 * USEC_PER_SEC);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.data_malformed, 0);
}
END_TEST

START_TEST(sim_quirk_deny_first_control)
{
	struct ftms_client_stats s;

	sim_start(SIM_QUIRK_DENY_FIRST_CONTROL, NULL);
	sim_connect();
	ftms_client_get_stats(client, &s);
	ck_assert_uint_eq(s.control_requests, 2);
	sim_run_at(400);
}
END_TEST

START_TEST(sim_quirk_ignore_speed_until_started)
{
	int n;

	sim_start(SIM_QUIRK_IGNORE_SPEED_UNTIL_STARTED, NULL);
	sim_connect();
	/* The runner's order (start, then speed) works on such machines. */
	sim_run_at(900);
	n = ev.done_calls;
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == n + 1, USEC_PER_SEC);
	RUN_UNTIL(sim_state().speed == 500, 30 * USEC_PER_SEC);
}
END_TEST

START_TEST(sim_quirk_drop_link)
{
	sim_start(SIM_QUIRK_DROP_LINK, NULL);
	sim_connect();
	RUN_UNTIL(ev.link_down == 1, 10 * USEC_PER_SEC);
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL),
			 -ENOTCONN);
}
END_TEST

START_TEST(sim_quirk_stall)
{
	int n;

	sim_start(SIM_QUIRK_STALL, NULL);
	sim_connect();
	sim_run_at(300);
	advance(3 * USEC_PER_SEC);
	n = ev.data_calls;
	advance(5 * USEC_PER_SEC);
	/* No data and no invention of data: stale is the runner's alarm. */
	ck_assert_int_eq(ev.data_calls, n);
	ck_assert_int_eq(ev.link_down, 0);
}
END_TEST

START_TEST(sim_quirk_lose_control)
{
	int n;

	sim_start(SIM_QUIRK_LOSE_CONTROL, NULL);
	sim_connect();
	RUN_UNTIL(status_seen(TREADMILL_STATUS_CONTROL_LOST),
		  5 * USEC_PER_SEC);
	ck_assert(!treadmill_in_control(tm));
	n = ev.done_calls;
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == n + 1, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[n].err, -EPERM);
	/* A deliberate request takes it back. */
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == n + 2, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[n + 1].err, 0);
	ck_assert(sim_state().in_control);
}
END_TEST

START_TEST(sim_quirk_malformed)
{
	struct ftms_client_stats s;

	sim_start(SIM_QUIRK_MALFORMED, NULL);
	sim_connect();
	sim_run_at(500);
	advance(4 * USEC_PER_SEC);
	ck_assert_uint_gt(sim_state().malformed_sent, 0);
	ftms_client_get_stats(client, &s);
	ck_assert_uint_gt(s.data_malformed + s.status_malformed +
			  s.att.dropped_malformed, 0);
	ck_assert_uint_gt(ev.data_calls, 0);
	ck_assert(treadmill_in_control(tm));
}
END_TEST

START_TEST(sim_quirk_mph)
{
	struct ftms_client_opts o = { .wire_unit = FTMS_WIRE_UNIT_MPH };

	sim_start(SIM_QUIRK_MPH, &o);
	sim_connect();
	/* With the wire unit set, the runner still speaks km/h. */
	ck_assert_uint_ge(ev.caps.speed_max, 1550);
	ck_assert_uint_le(ev.caps.speed_max, 1650);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_speed(tm, 805, on_done, NULL), 0);
	RUN_UNTIL(ev.done_calls == 3, USEC_PER_SEC);
	ck_assert_int_eq(ev.done[2].err, 0);
	RUN_UNTIL(sim_state().speed >= 790 && sim_state().speed <= 820,
		  30 * USEC_PER_SEC);
	RUN_UNTIL(ev.data_calls > 0 && ev.data.speed >= 790 &&
		  ev.data.speed <= 820, 3 * USEC_PER_SEC);
}
END_TEST

static Suite *ftms_client_suite(void)
{
	Suite *s = suite_create("ftms-client");
	TCase *tc;

	tc = tcase_create("bringup");
	tcase_add_checked_fixture(tc, setup_a, scripted_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, bringup_layout_a);
	tcase_add_test(tc, bringup_small_mtu);
	tcase_add_test(tc, zero_length_pdu_counted_link_stays);
	tcase_add_test(tc, bringup_no_ftms_service);
	tcase_add_test(tc, bringup_read_only_machine);
	tcase_add_test(tc, connect_twice_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("bringup-layout-b");
	tcase_add_checked_fixture(tc, setup_b, scripted_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, bringup_layout_b);
	suite_add_tcase(s, tc);

	tc = tcase_create("control-point");
	tcase_add_checked_fixture(tc, setup_a, scripted_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, every_op_encoded);
	tcase_add_test(tc, one_procedure_at_a_time);
	tcase_add_test(tc, newest_target_wins);
	tcase_add_test(tc, every_result_code);
	tcase_add_test(tc, control_not_permitted_retried);
	tcase_add_test(tc, control_not_permitted_gives_up);
	tcase_add_test(tc, control_not_permitted_mid_session);
	tcase_add_test(tc, response_to_wrong_op);
	tcase_add_test(tc, indication_timeout);
	tcase_add_test(tc, malformed_cp_indications_dropped);
	suite_add_tcase(s, tc);

	tc = tcase_create("machine-status");
	tcase_add_checked_fixture(tc, setup_a, scripted_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, status_user_stop_cancels_movers);
	tcase_add_test(tc, status_stop_cancels_pending_retry);
	tcase_add_test(tc, status_stop_during_control_prelude);
	tcase_add_test(tc, status_kinds);
	tcase_add_test(tc, status_control_lost);
	tcase_add_test(tc, status_reset_drops_control);
	tcase_add_test(tc, status_while_control_denied_no_retry);
	tcase_add_test(tc, data_records_and_split);
	suite_add_tcase(s, tc);

	tc = tcase_create("link");
	tcase_add_checked_fixture(tc, setup_a, scripted_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, link_down_fails_pending);
	tcase_add_test(tc, hangup_during_bringup);
	tcase_add_test(tc, free_cancels_pending);
	suite_add_tcase(s, tc);

	tc = tcase_create("bytes");
	tcase_add_checked_fixture(tc, raw_setup, raw_teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, bytes_bringup_with_fallback);
	tcase_add_test(tc, bytes_bringup_att_timeout);
	tcase_add_test(tc, bringup_mtu_below_minimum_said);
	suite_add_tcase(s, tc);

	tc = tcase_create("simulator");
	tcase_add_checked_fixture(tc, sim_setup, sim_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sim_default_layout);
	tcase_add_test(tc, sim_connecting_fd_brought_up);
	tcase_add_test(tc, connecting_fd_failure_reported);
	tcase_add_test(tc, sim_alt_handles);
	tcase_add_test(tc, sim_mtu_exchanged);
	tcase_add_test(tc, sim_mtu_and_long_read);
	tcase_add_test(tc, sim_every_control_op);
	tcase_add_test(tc, sim_console_events);
	tcase_add_test(tc, sim_quirk_split_records);
	tcase_add_test(tc, sim_quirk_truncate_20);
	tcase_add_test(tc, sim_quirk_deny_first_control);
	tcase_add_test(tc, sim_quirk_ignore_speed_until_started);
	tcase_add_test(tc, sim_quirk_drop_link);
	tcase_add_test(tc, sim_quirk_stall);
	tcase_add_test(tc, sim_quirk_lose_control);
	tcase_add_test(tc, sim_quirk_malformed);
	tcase_add_test(tc, sim_quirk_mph);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ftms_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
