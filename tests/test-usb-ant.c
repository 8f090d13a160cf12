/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb-ant driver: real libusb code on a fake libusb, and the simulated stick. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "util.h"
#include "ant.h"
#include "mainloop.h"
#include "fake-libusb.h"
#include "sim-stick.h"
#include "usb-ant.h"

/* A dummy key: the fake and the simulated stick accept any. The real
 * ANT+ key is licensed and never committed (docs/ant.md 1.1). */
#define KEY "01 02 03 04 05 06 07 08"

struct rec {
	int links_up, links_down, last_link_err;
	int caps;
	bool can_control;
	int data;
	struct treadmill_data last;
	int status[TREADMILL_STATUS_OTHER + 1];
	int done;
	int done_err[16];
	enum treadmill_op done_op[16];
};

static struct fake_clock fc;
static struct loop *loop;
static struct usb_ant *ua;
static struct treadmill *tm;
static struct rec rec;

static void on_link(struct treadmill *t, bool up, int err, void *ud)
{
	if (up)
		rec.links_up++;
	else
		rec.links_down++;
	rec.last_link_err = err;
}

static void on_caps(struct treadmill *t, const struct treadmill_caps *c,
		    void *ud)
{
	rec.caps++;
	rec.can_control = c->can_control;
}

static void on_data(struct treadmill *t, const struct treadmill_data *d,
		    void *ud)
{
	rec.data++;
	rec.last = *d;
}

static void on_status(struct treadmill *t, const struct treadmill_status *s,
		      void *ud)
{
	rec.status[s->kind]++;
}

static void on_done(struct treadmill *t, enum treadmill_op op, int err,
		    uint8_t result, void *ud)
{
	ck_assert_int_lt(rec.done, 16);
	rec.done_op[rec.done] = op;
	rec.done_err[rec.done++] = err;
}

static const struct treadmill_events events = {
	.link = on_link, .caps = on_caps, .data = on_data,
	.status = on_status,
};

static void spin(void)
{
	int i;

	for (i = 0; i < 100; i++)
		if (loop_iterate(loop, 0) <= 0)
			return;
}

static void advance(uint64_t us)
{
	fake_clock_advance(&fc, us);
	spin();
}

static void make(const char *address)
{
	struct usb_ant_config cfg;

	ck_assert_int_eq(usb_ant_config_parse(address, KEY, &cfg), 0);
	ck_assert_int_eq(usb_ant_new(loop, &cfg, &ua), 0);
	tm = usb_ant_get_treadmill(ua);
	treadmill_set_events(tm, &events, NULL);
}

static void setup(void)
{
	memset(&rec, 0, sizeof(rec));
	fake_clock_init(&fc, 1000 * USEC_PER_SEC);
	loop = loop_new(&fc.clock);
	fake_usb_reset();
	ua = NULL;
	tm = NULL;
}

static void teardown(void)
{
	usb_ant_free(ua);
	loop_free(loop);
}

/* Frames from tests/test-ant.c's vectors, built here from the codec. */
static size_t frame(uint8_t id, const uint8_t *p, size_t n, uint8_t *buf)
{
	int r = ant_build(id, p, n, buf, ANT_MAX_FRAME);

	ck_assert_int_gt(r, 0);
	return (size_t) r;
}

static void stick_says(uint8_t id, const uint8_t *p, size_t n)
{
	uint8_t f[ANT_MAX_FRAME];

	fake_usb_in(f, frame(id, p, n, f));
	spin();
}

static void stick_acks(uint8_t msg_id)
{
	uint8_t p[3] = { 0, msg_id, 0 };

	stick_says(ANT_MSG_CHANNEL_EVENT, p, 3);
}

static void stick_event(uint8_t code)
{
	uint8_t p[3] = { 0, ANT_EVENT_MSG_ID_RF, code };

	stick_says(ANT_MSG_CHANNEL_EVENT, p, 3);
}

static void expect_out(const uint8_t *want, size_t len)
{
	uint8_t got[512];
	size_t n = fake_usb_take_out(got, sizeof(got));

	ck_assert_uint_eq(n, len);
	if (len)
		ck_assert_mem_eq(got, want, len);
}

static void page16(uint16_t kmh100, enum ant_fe_state st, uint8_t elapsed,
		   uint8_t dist, uint8_t *ret_page)
{
	struct ant_fe_general g = {
		.equipment_type = ANT_FE_TYPE_TREADMILL, .elapsed_raw = elapsed,
		.distance_raw = dist, .speed = ant_speed_from_kmh100(kmh100),
		.heart_rate = 0xFF, .distance_enabled = true, .state = st,
	};

	ant_fe_build_general(&g, ret_page);
}

static void stick_page(const uint8_t page[8])
{
	uint8_t p[9];

	p[0] = 0;
	memcpy(p + 1, page, 8);
	stick_says(ANT_MSG_BROADCAST_DATA, p, 9);
}

/* docs/ant.md 1.1 channel setup, byte for byte (see tests/test-ant.c). */
static const uint8_t v_reset[] = { 0xA4, 0x01, 0x4A, 0x00, 0xEF };
static const uint8_t v_steps[][13] = {
	{ 0xA4, 0x09, 0x46, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	  0x08, 0xE3 },
	{ 0xA4, 0x03, 0x42, 0x00, 0x00, 0x00, 0xE5 },
	{ 0xA4, 0x05, 0x51, 0x00, 0x00, 0x00, 0x11, 0x00, 0xE1 },
	{ 0xA4, 0x03, 0x43, 0x00, 0x00, 0x20, 0xC4 },
	{ 0xA4, 0x02, 0x44, 0x00, 0x0C, 0xEE },
	{ 0xA4, 0x02, 0x45, 0x00, 0x39, 0xDA },
	{ 0xA4, 0x01, 0x4B, 0x00, 0xEE },
};
static const size_t v_step_len[] = { 13, 7, 9, 7, 6, 6, 5 };
static const uint8_t v_request_id[] = { 0xA4, 0x02, 0x4D, 0x00, 0x51, 0xBA };

/* Plug, connect, and walk the whole bring-up with byte-exact checks. */
static void bring_up(bool connect)
{
	static const uint8_t startup = 0x20;
	uint8_t page[8];
	unsigned int i;

	if (connect) {
		fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USB2, 1, 3);
		ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
		ck_assert_int_eq(rec.done, 0);	/* never synchronous */
	}
	spin();
	expect_out(v_reset, sizeof(v_reset));
	stick_says(ANT_MSG_STARTUP, &startup, 1);
	for (i = 0; i < ARRAY_SIZE(v_steps); i++) {
		expect_out(v_steps[i], v_step_len[i]);
		stick_acks(v_steps[i][2]);
	}
	/* Open, searching: no link yet, nothing more sent. */
	expect_out(NULL, 0);
	page16(500, ANT_FE_STATE_IN_USE, 0, 0, page);
	stick_page(page);
	expect_out(v_request_id, sizeof(v_request_id));
}

START_TEST(bring_up_bytes_and_first_page)
{
	static const uint8_t chid[5] = { 0, 0x92, 0x10, 17, 5 };
	struct fake_usb_stats st;
	struct usb_ant_stats s;

	make("usb-ant");
	bring_up(true);
	fake_usb_get_stats(&st);
	/* usb-serial-simple detached, interface claimed, IN pending. */
	ck_assert_int_eq(st.detaches, 1);
	ck_assert_int_eq(st.claims, 1);
	ck_assert(!st.kernel_driver_active);
	ck_assert(st.in_flight_in);
	ck_assert_int_eq(st.hotplug_registered, 1);
	ck_assert_int_eq(rec.caps, 1);
	ck_assert(!rec.can_control);
	ck_assert(!treadmill_get_caps(tm)->can_control);
	ck_assert(!treadmill_in_control(tm));
	ck_assert_int_eq(rec.links_up, 1);
	ck_assert(treadmill_link_up(tm));
	ck_assert_int_eq(rec.done, 1);
	ck_assert_int_eq(rec.done_err[0], 0);
	ck_assert_int_eq(rec.data, 1);
	ck_assert_uint_eq(rec.last.speed, 500);
	ck_assert(rec.last.present & TREADMILL_DATA_SPEED);
	ck_assert_uint_eq(rec.last.time_us, fc.now_us);
	ck_assert_str_eq(treadmill_driver_name(tm), "usb-ant");
	stick_says(ANT_MSG_CHANNEL_ID, chid, 5);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_eq(s.device_number, 0x1092);
	ck_assert_uint_eq(s.bring_ups, 1);
	ck_assert(s.tracking && s.stick_present);
}
END_TEST

START_TEST(commands_not_supported_async)
{
	make("usb-ant");
	bring_up(true);
	rec.done = 0;
	ck_assert_int_eq(treadmill_set_speed(tm, 500, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_start(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_stop(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_pause(tm, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_set_incline(tm, 10, on_done, NULL), 0);
	ck_assert_int_eq(treadmill_request_control(tm, on_done, NULL), 0);
	ck_assert_int_eq(rec.done, 0);
	spin();
	ck_assert_int_eq(rec.done, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(rec.done_err[i], -EOPNOTSUPP);
	ck_assert_int_eq(rec.done_op[0], TREADMILL_OP_SET_SPEED);
	/* Nothing was sent to the stick for any of them. */
	expect_out(NULL, 0);
	/* Connect when already tracking: completes, asynchronously. */
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	ck_assert_int_eq(rec.done, 6);
	spin();
	ck_assert_int_eq(rec.done_err[6], 0);
}
END_TEST

START_TEST(pages_to_events)
{
	uint8_t page[8], f[2 * ANT_MAX_FRAME], p[9];
	size_t n;
	struct usb_ant_stats s;

	make("usb-ant");
	bring_up(true);
	/* Page 17 (incline 2.5 %) then 16: the record carries both. */
	ant_fe_build_settings(250, 0xFF, ANT_FE_STATE_IN_USE, page);
	stick_page(page);
	ck_assert_int_eq(rec.data, 1);		/* only page 16 makes data */
	page16(650, ANT_FE_STATE_IN_USE, 8, 12, page);
	stick_page(page);
	ck_assert_int_eq(rec.data, 2);
	ck_assert_uint_eq(rec.last.speed, 650);
	ck_assert_int_eq(rec.last.incline, 25);
	ck_assert_uint_eq(rec.last.distance, 12);
	ck_assert_uint_eq(rec.last.elapsed, 2);

	/* One broadcast split across two bulk reads. */
	page16(700, ANT_FE_STATE_IN_USE, 12, 20, page);
	p[0] = 0;
	memcpy(p + 1, page, 8);
	n = frame(ANT_MSG_BROADCAST_DATA, p, 9, f);
	fake_usb_in(f, 5);
	spin();
	ck_assert_int_eq(rec.data, 2);
	fake_usb_in(f + 5, n - 5);
	spin();
	ck_assert_int_eq(rec.data, 3);
	ck_assert_uint_eq(rec.last.speed, 700);

	/* Two in one read, the first with a bad checksum: dropped. */
	page16(710, ANT_FE_STATE_IN_USE, 16, 24, page);
	memcpy(p + 1, page, 8);
	n = frame(ANT_MSG_BROADCAST_DATA, p, 9, f);
	f[n - 1] ^= 0x01;
	page16(720, ANT_FE_STATE_FINISHED, 20, 28, page);
	memcpy(p + 1, page, 8);
	n += frame(ANT_MSG_BROADCAST_DATA, p, 9, f + n);
	fake_usb_in(f, n);
	spin();
	ck_assert_int_eq(rec.data, 4);
	ck_assert_uint_eq(rec.last.speed, 720);
	ck_assert_uint_eq(rec.last.distance, 28);
	/* In use -> finished: the treadmill was paused at its console. */
	ck_assert_int_eq(rec.status[TREADMILL_STATUS_PAUSED_BY_USER], 1);
	page16(0, ANT_FE_STATE_READY, 24, 28, page);
	stick_page(page);
	ck_assert_int_eq(rec.status[TREADMILL_STATUS_STOPPED_BY_USER], 1);
	page16(300, ANT_FE_STATE_IN_USE, 28, 28, page);
	stick_page(page);
	ck_assert_int_eq(rec.status[TREADMILL_STATUS_STARTED_BY_USER], 1);
	/* A reserved FE state: page dropped and counted, no data. */
	page[7] = 0x70;
	stick_page(page);
	ck_assert_int_eq(rec.data, 6);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_eq(s.bad_checksum, 1);
	ck_assert_uint_eq(s.pages_dropped, 1);
	ck_assert_int_eq(usb_ant_get_fe(ua)->state, ANT_FE_STATE_IN_USE);
}
END_TEST

START_TEST(search_timeout_reopens)
{
	static const uint8_t v_open[] = { 0xA4, 0x01, 0x4B, 0x00, 0xEE };
	uint8_t page[8];
	struct usb_ant_stats s;

	make("usb-ant");
	bring_up(true);
	/* The treadmill goes quiet: the stick drops to search. */
	stick_event(ANT_EVENT_RX_FAIL);
	ck_assert_int_eq(rec.links_down, 0);	/* one miss is nothing */
	stick_event(ANT_EVENT_RX_FAIL_GO_TO_SEARCH);
	ck_assert_int_eq(rec.links_down, 1);
	ck_assert_int_eq(rec.last_link_err, -ETIMEDOUT);
	stick_event(ANT_EVENT_RX_SEARCH_TIMEOUT);
	expect_out(NULL, 0);
	stick_event(ANT_EVENT_CHANNEL_CLOSED);
	expect_out(v_open, sizeof(v_open));
	ck_assert_int_eq(rec.links_down, 1);
	stick_acks(ANT_MSG_OPEN_CHANNEL);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_eq(s.reopens, 1);
	ck_assert(!s.tracking);
	/* Found again: link up, counters from scratch. */
	page16(500, ANT_FE_STATE_IN_USE, 200, 100, page);
	stick_page(page);
	ck_assert_int_eq(rec.links_up, 2);
	ck_assert_uint_eq(rec.last.distance, 0);
}
END_TEST

START_TEST(unplug_and_replug)
{
	struct fake_usb_stats st;
	struct usb_ant_stats s;

	make("usb-ant");
	bring_up(true);
	fake_usb_unplug();
	spin();
	ck_assert_int_eq(rec.links_down, 1);
	ck_assert_int_eq(rec.last_link_err, -ENODEV);
	fake_usb_get_stats(&st);
	ck_assert_int_eq(st.closes, 1);
	ck_assert(!st.in_flight_in);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_eq(s.unplugs, 1);
	ck_assert(!s.stick_present);
	/* Commands still complete, asynchronously, while unplugged. */
	ck_assert_int_eq(treadmill_set_speed(tm, 300, on_done, NULL), 0);
	spin();
	ck_assert_int_eq(rec.done_err[rec.done - 1], -EOPNOTSUPP);

	/* Hotplug: the same bring-up again, byte for byte. */
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USBM, 1, 3);
	bring_up(false);
	ck_assert_int_eq(rec.links_up, 2);
	fake_usb_get_stats(&st);
	ck_assert_int_eq(st.opens, 2);
	ck_assert_int_eq(st.detaches, 2);
}
END_TEST

START_TEST(quick_replug)
{
	/* Out and in again before the loop runs: the arrival comes while
	 * the old handle is still closing, and must not be lost. */
	make("usb-ant");
	bring_up(true);
	fake_usb_unplug();
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USB2, 1, 3);
	spin();
	ck_assert_int_eq(rec.links_down, 1);
	bring_up(false);
	ck_assert_int_eq(rec.links_up, 2);
}
END_TEST

START_TEST(replug_without_hotplug)
{
	struct fake_usb_stats st;

	fake_usb_set_hotplug(false);
	make("usb-ant:0fcf:1009");
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USBM, 2, 1);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	bring_up(false);
	fake_usb_unplug();
	spin();
	ck_assert_int_eq(rec.links_down, 1);
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USBM, 2, 1);
	spin();
	expect_out(NULL, 0);		/* nobody told us yet */
	advance(2 * USEC_PER_SEC);	/* the periodic rescan finds it */
	bring_up(false);
	fake_usb_get_stats(&st);
	ck_assert_int_eq(st.hotplug_registered, 0);
	ck_assert_int_eq(st.opens, 2);
}
END_TEST

START_TEST(wrong_stick_or_none)
{
	/* Another product on 0fcf (the old USB1 tty stick): not ours. */
	make("usb-ant");
	fake_usb_plug(USB_ANT_VENDOR, 0x1004, 1, 1);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	spin();
	ck_assert_int_eq(rec.done, 1);
	ck_assert_int_eq(rec.done_err[0], -ENODEV);
	expect_out(NULL, 0);
	usb_ant_free(ua);

	/* By bus and port, and no permission (no udev rule). */
	fake_usb_reset();
	make("usb-ant:1-3");
	fake_usb_plug(0x1234, 0x5678, 1, 3);
	fake_usb_set_open_error(LIBUSB_ERROR_ACCESS);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	spin();
	ck_assert_int_eq(rec.done_err[1], -EACCES);
	ck_assert_ptr_nonnull(strstr(usb_ant_strerror(-EACCES), "udev"));
}
END_TEST

START_TEST(silent_stick_times_out)
{
	struct fake_usb_stats st;

	make("usb-ant");
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USB2, 1, 3);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	spin();
	expect_out(v_reset, sizeof(v_reset));
	advance(1000 * USEC_PER_MSEC);
	expect_out(v_reset, sizeof(v_reset));	/* tried again */
	advance(1000 * USEC_PER_MSEC);
	ck_assert_int_eq(rec.done, 0);
	advance(1000 * USEC_PER_MSEC);
	ck_assert_int_eq(rec.done, 1);
	ck_assert_int_eq(rec.done_err[0], -ETIMEDOUT);
	/* ... and keeps trying: a late stick still comes up. */
	fake_usb_get_stats(&st);
	ck_assert_int_eq(st.opens, 1);
	/* Free with the IN transfer in flight: cancelled, then freed. */
}
END_TEST

START_TEST(config_and_key)
{
	struct usb_ant_config cfg, before;

	memset(&cfg, 0x5A, sizeof(cfg));
	before = cfg;
	/* No key: refused, and the message says where to get one. */
	ck_assert_int_eq(usb_ant_config_parse("usb-ant", NULL, &cfg), -ENOKEY);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant", "", &cfg), -ENOKEY);
	ck_assert_mem_eq(&cfg, &before, sizeof(cfg));
	ck_assert_ptr_nonnull(strstr(usb_ant_strerror(-ENOKEY),
				     "thisisant.com"));
	ck_assert_ptr_nonnull(strstr(usb_ant_strerror(-ENOKEY),
				     "ant.network_key"));
	/* A key of the wrong size or with bad digits. */
	ck_assert_int_eq(usb_ant_config_parse("usb-ant", "0102", &cfg),
			 -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant",
					      "01020304050607080910", &cfg),
			 -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant", "zz", &cfg), -EINVAL);
	/* Addresses. */
	ck_assert_int_eq(usb_ant_config_parse("usb-ant:0fcf:1008@4242", KEY,
					      &cfg), 0);
	ck_assert_uint_eq(cfg.vendor, 0x0fcf);
	ck_assert_uint_eq(cfg.product, 0x1008);
	ck_assert_uint_eq(cfg.device_number, 4242);
	ck_assert_uint_eq(cfg.network_key[7], 8);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant:3-2", KEY, &cfg), 0);
	ck_assert_int_eq(cfg.bus, 3);
	ck_assert_int_eq(cfg.port, 2);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant:sim", KEY, &cfg), 0);
	ck_assert(cfg.sim);
	ck_assert_int_eq(usb_ant_config_parse("usb-antx", KEY, &cfg), -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant:foo", KEY, &cfg),
			 -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant@0", KEY, &cfg), -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("usb-ant@70000", KEY, &cfg),
			 -EINVAL);
	ck_assert_int_eq(usb_ant_config_parse("sim", KEY, &cfg), -EINVAL);
	/* The driver refuses a config without a key, whoever built it. */
	cfg.have_key = false;
	ck_assert_int_eq(usb_ant_new(loop, &cfg, &ua), -ENOKEY);
	ua = NULL;
}
END_TEST

START_TEST(paired_device_number)
{
	static const uint8_t v_chid[] = {
		0xA4, 0x05, 0x51, 0x00, 0x34, 0x12, 0x11, 0x00, 0xC7,
	};
	static const uint8_t startup = 0x20;
	uint8_t got[64];

	make("usb-ant@4660");
	fake_usb_plug(USB_ANT_VENDOR, USB_ANT_PRODUCT_USB2, 1, 3);
	treadmill_connect(tm, on_done, NULL);
	spin();
	expect_out(v_reset, sizeof(v_reset));
	stick_says(ANT_MSG_STARTUP, &startup, 1);
	fake_usb_take_out(got, sizeof(got));
	stick_acks(ANT_MSG_SET_NETWORK_KEY);
	fake_usb_take_out(got, sizeof(got));
	stick_acks(ANT_MSG_ASSIGN_CHANNEL);
	expect_out(v_chid, sizeof(v_chid));
	/* A refused step starts over from the reset. */
	{
		uint8_t p[3] = { 0, ANT_MSG_CHANNEL_ID, 0x15 };

		stick_says(ANT_MSG_CHANNEL_EVENT, p, 3);
		expect_out(v_reset, sizeof(v_reset));
	}
}
END_TEST

/* ---- the simulated stick, end to end through the driver ---- */

static struct ant_sim *sim_make(struct ant_sim_config *sc)
{
	struct usb_ant_config cfg;

	ck_assert_int_eq(usb_ant_config_parse("usb-ant:sim", KEY, &cfg), 0);
	cfg.sim_cfg = sc;
	ck_assert_int_eq(usb_ant_new(loop, &cfg, &ua), 0);
	tm = usb_ant_get_treadmill(ua);
	treadmill_set_events(tm, &events, NULL);
	ck_assert_int_eq(treadmill_connect(tm, on_done, NULL), 0);
	return usb_ant_get_sim(ua);
}

static void run_for(uint64_t us)
{
	uint64_t end = fc.now_us + us;

	while (fc.now_us < end)
		advance(50 * USEC_PER_MSEC);
}

START_TEST(sim_walks_and_follows_cue)
{
	struct ant_sim_config sc;
	struct ant_sim_stats ss;
	struct ant_sim *sim;

	ant_sim_config_init(&sc);
	sim = sim_make(&sc);
	ck_assert_ptr_nonnull(sim);
	run_for(1 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_up, 1);
	ck_assert_int_eq(rec.done_err[0], 0);
	ck_assert(!rec.can_control);
	run_for(10 * USEC_PER_SEC);
	/* 4 Hz, page 16 every other message: about 2 records a second. */
	ck_assert_int_ge(rec.data, 18);
	ck_assert_uint_eq(rec.last.speed, 400);
	ant_sim_get_stats(sim, &ss);
	ck_assert(ss.key_set);
	ck_assert_uint_eq(ss.resets, 1);
	ck_assert_uint_eq(ss.config_msgs, 7);
	/* The set-speed command never reaches the treadmill... */
	treadmill_set_speed(tm, 800, on_done, NULL);
	run_for(5 * USEC_PER_SEC);
	ck_assert_int_eq(rec.done_err[1], -EOPNOTSUPP);
	ck_assert_uint_eq(rec.last.speed, 400);
	/* ... but a person hearing a cue does it, after a reaction time. */
	ant_sim_cue(sim, 500);
	run_for(1 * USEC_PER_SEC);
	ck_assert_uint_eq(rec.last.speed, 400);
	run_for(5 * USEC_PER_SEC);
	ck_assert_uint_eq(rec.last.speed, 500);
	ck_assert_uint_gt(rec.last.distance, 0);
	ck_assert_uint_gt(rec.last.elapsed, 15);
}
END_TEST

START_TEST(sim_stubborn_person)
{
	struct ant_sim_config sc;
	struct ant_sim *sim;

	ant_sim_config_init(&sc);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "stubborn"), 0);
	sim = sim_make(&sc);
	run_for(2 * USEC_PER_SEC);
	ck_assert_int_eq(ant_sim_person_set_speed(sim, 900), 0);
	run_for(15 * USEC_PER_SEC);
	ck_assert_uint_eq(rec.last.speed, 900);
	ant_sim_cue(sim, 500);
	run_for(10 * USEC_PER_SEC);
	ck_assert_uint_eq(rec.last.speed, 900);
}
END_TEST

START_TEST(sim_quirks_split_burst_checksum)
{
	struct ant_sim_config sc;
	struct usb_ant_stats s;

	ant_sim_config_init(&sc);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "split"), 0);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "bad-checksum"), 0);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "burst"), 0);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "nope"), -EINVAL);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "split=3"), -EINVAL);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "drop=x"), -ERANGE);
	sim_make(&sc);
	run_for(20 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_up, 1);
	ck_assert_int_ge(rec.data, 25);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_ge(s.bad_checksum, 10);
	ck_assert_uint_eq(rec.last.speed, 400);
}
END_TEST

START_TEST(sim_drop_to_search_and_back)
{
	struct ant_sim_config sc;
	struct usb_ant_stats s;

	ant_sim_config_init(&sc);
	ck_assert_int_eq(ant_sim_config_add_quirk(&sc, "drop=10+40"), 0);
	sim_make(&sc);
	run_for(9 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_up, 1);
	run_for(5 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_down, 1);
	ck_assert_int_eq(rec.last_link_err, -ETIMEDOUT);
	run_for(40 * USEC_PER_SEC);
	usb_ant_get_stats(ua, &s);
	ck_assert_uint_eq(s.reopens, 1);
	ck_assert_int_eq(rec.links_up, 2);
	ck_assert(s.tracking);
}
END_TEST

START_TEST(sim_unplug_replug)
{
	struct ant_sim_config sc;
	struct ant_sim *sim;
	struct ant_sim_stats ss;

	ant_sim_config_init(&sc);
	sim = sim_make(&sc);
	run_for(2 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_up, 1);
	ant_sim_detach(sim);
	run_for(1 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_down, 1);
	ck_assert_int_eq(rec.last_link_err, -ENODEV);
	ant_sim_plug(sim);
	run_for(2 * USEC_PER_SEC);
	ck_assert_int_eq(rec.links_up, 2);
	ant_sim_get_stats(sim, &ss);
	ck_assert_uint_eq(ss.resets, 2);
}
END_TEST

static Suite *usb_ant_suite(void)
{
	Suite *s = suite_create("usb-ant");
	struct {
		const char *name;
		const TTest *tests[12];
	} cases[] = {
		{ "libusb", { bring_up_bytes_and_first_page,
			      commands_not_supported_async, pages_to_events,
			      search_timeout_reopens, unplug_and_replug,
			      replug_without_hotplug, quick_replug,
			      wrong_stick_or_none,
			      silent_stick_times_out, paired_device_number } },
		{ "config", { config_and_key } },
		{ "sim", { sim_walks_and_follows_cue, sim_stubborn_person,
			   sim_quirks_split_burst_checksum,
			   sim_drop_to_search_and_back, sim_unplug_replug } },
	};

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		TCase *tc = tcase_create(cases[c].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 30);
		for (unsigned int t = 0; t < ARRAY_SIZE(cases[c].tests) &&
		     cases[c].tests[t]; t++)
			tcase_add_test(tc, cases[c].tests[t]);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(usb_ant_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
