/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ANT codec: framing, stream resync, config messages, FE pages, rollovers. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ant.h"

/* Well-known frames. Reset and open are the byte strings every ANT
 * driver sends (GoldenCheetah src/ANT/ANTMessage.cpp builds the same);
 * the channel response is Tigge/openant ant/tests/base/test_message.py. */
static const uint8_t v_reset[] = { 0xA4, 0x01, 0x4A, 0x00, 0xEF };
static const uint8_t v_startup[] = { 0xA4, 0x01, 0x6F, 0x20, 0xEA };
static const uint8_t v_openant_response[] = {
	0xA4, 0x03, 0x40, 0x00, 0x46, 0x00, 0xA1,
};
static const uint8_t v_key[] = {
	0xA4, 0x09, 0x46, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0xE3,
};
static const uint8_t v_assign[] = { 0xA4, 0x03, 0x42, 0x00, 0x00, 0x00, 0xE5 };
static const uint8_t v_chid[] = {
	0xA4, 0x05, 0x51, 0x00, 0x00, 0x00, 0x11, 0x00, 0xE1,
};
static const uint8_t v_chid_paired[] = {
	0xA4, 0x05, 0x51, 0x00, 0x34, 0x12, 0x11, 0x05, 0xC2,
};
static const uint8_t v_period[] = { 0xA4, 0x03, 0x43, 0x00, 0x00, 0x20, 0xC4 };
static const uint8_t v_rf[] = { 0xA4, 0x02, 0x45, 0x00, 0x39, 0xDA };
static const uint8_t v_search_to[] = { 0xA4, 0x02, 0x44, 0x00, 0x0C, 0xEE };
static const uint8_t v_open[] = { 0xA4, 0x01, 0x4B, 0x00, 0xEE };
static const uint8_t v_close[] = { 0xA4, 0x01, 0x4C, 0x00, 0xE9 };
static const uint8_t v_request[] = { 0xA4, 0x02, 0x4D, 0x00, 0x51, 0xBA };
/* Pages 16 and 17 of an FE trainer (device 6574), captured in Tigge/openant
 * examples/calibration_success.log, framed as broadcasts on channel 0. */
static const uint8_t v_bc16_openant[] = {
	0xA4, 0x09, 0x4E, 0x00, 0x10, 0x19, 0x8B, 0x00, 0x00, 0x00, 0xFF,
	0x24, 0xBA,
};
static const uint8_t v_bc17_openant[] = {
	0xA4, 0x09, 0x4E, 0x00, 0x11, 0xFF, 0xFF, 0xDB, 0xFF, 0x7F, 0x21,
	0x20, 0xA8,
};
static const uint8_t v_search_timeout_ev[] = {
	0xA4, 0x03, 0x40, 0x00, 0x01, 0x01, 0xE7,
};

struct collect {
	struct ant_msg msgs[16];
	size_t n;
};

static void on_msg(const struct ant_msg *msg, void *user_data)
{
	struct collect *c = user_data;

	ck_assert_uint_lt(c->n, ARRAY_SIZE(c->msgs));
	c->msgs[c->n++] = *msg;
}

static void check_build(int n, const uint8_t *buf, const uint8_t *want,
			size_t want_len)
{
	ck_assert_int_eq(n, (int) want_len);
	ck_assert_mem_eq(buf, want, want_len);
}

START_TEST(build_config_messages)
{
	static const uint8_t key[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t buf[ANT_MAX_FRAME];

	check_build(ant_build_reset(buf, sizeof(buf)), buf, v_reset,
		    sizeof(v_reset));
	check_build(ant_build_set_network_key(0, key, buf, sizeof(buf)), buf,
		    v_key, sizeof(v_key));
	check_build(ant_build_assign_channel(0, ANT_CHANNEL_TYPE_RX, 0, buf,
					     sizeof(buf)),
		    buf, v_assign, sizeof(v_assign));
	check_build(ant_build_channel_id(0, 0, ANT_FE_DEVICE_TYPE, 0, buf,
					 sizeof(buf)),
		    buf, v_chid, sizeof(v_chid));
	check_build(ant_build_channel_id(0, 0x1234, ANT_FE_DEVICE_TYPE, 5, buf,
					 sizeof(buf)),
		    buf, v_chid_paired, sizeof(v_chid_paired));
	check_build(ant_build_channel_period(0, ANT_FE_PERIOD, buf,
					     sizeof(buf)),
		    buf, v_period, sizeof(v_period));
	check_build(ant_build_rf_frequency(0, ANT_FE_RF_FREQUENCY, buf,
					   sizeof(buf)),
		    buf, v_rf, sizeof(v_rf));
	check_build(ant_build_search_timeout(0, 12, buf, sizeof(buf)), buf,
		    v_search_to, sizeof(v_search_to));
	check_build(ant_build_open_channel(0, buf, sizeof(buf)), buf, v_open,
		    sizeof(v_open));
	check_build(ant_build_close_channel(0, buf, sizeof(buf)), buf,
		    v_close, sizeof(v_close));
	check_build(ant_build_request(0, ANT_MSG_CHANNEL_ID, buf, sizeof(buf)),
		    buf, v_request, sizeof(v_request));
}
END_TEST

START_TEST(build_limits)
{
	uint8_t big[ANT_MAX_PAYLOAD + 1] = { 0 };
	uint8_t buf[ANT_MAX_FRAME + 8];

	memset(buf, 0x5A, sizeof(buf));
	/* Too small a buffer: nothing written. */
	ck_assert_int_eq(ant_build_reset(buf, 4), -EMSGSIZE);
	ck_assert_uint_eq(buf[0], 0x5A);
	ck_assert_int_eq(ant_build(0x4E, big, sizeof(big), buf, sizeof(buf)),
			 -EMSGSIZE);
	ck_assert_int_eq(ant_build(0x4E, big, ANT_MAX_PAYLOAD, buf,
				   sizeof(buf)), ANT_MAX_FRAME);
	ck_assert_uint_eq(ant_checksum(buf, ANT_MAX_FRAME), 0);
	ck_assert_str_eq(ant_msg_name(ANT_MSG_STARTUP), "startup");
	ck_assert_ptr_null(ant_msg_name(0x01));
}
END_TEST

START_TEST(parse_one_and_decode)
{
	struct ant_parser p;
	struct collect c = { .n = 0 };
	struct ant_channel_event ev;
	uint8_t ch = 0xEE, page[8];

	ant_parser_init(&p);
	ck_assert_uint_eq(ant_parser_feed(&p, v_openant_response,
					  sizeof(v_openant_response), on_msg,
					  &c), 1);
	ck_assert_uint_eq(c.msgs[0].id, ANT_MSG_CHANNEL_EVENT);
	ck_assert_int_eq(ant_decode_channel_event(&c.msgs[0], &ev), 0);
	ck_assert_uint_eq(ev.channel, 0);
	ck_assert_uint_eq(ev.msg_id, ANT_MSG_SET_NETWORK_KEY);
	ck_assert_uint_eq(ev.code, ANT_CODE_NO_ERROR);
	/* A channel event is not data, and data needs 9 bytes. */
	ck_assert_int_eq(ant_decode_data(&c.msgs[0], &ch, page), -EBADMSG);
	ck_assert_uint_eq(ch, 0xEE);
	c.msgs[0].id = ANT_MSG_BROADCAST_DATA;
	ck_assert_int_eq(ant_decode_data(&c.msgs[0], &ch, page), -EBADMSG);
	c.msgs[0].id = ANT_MSG_CHANNEL_EVENT;
	c.msgs[0].len = 2;
	ck_assert_int_eq(ant_decode_channel_event(&c.msgs[0], &ev), -EBADMSG);

	ck_assert_uint_eq(ant_parser_feed(&p, v_chid_paired,
					  sizeof(v_chid_paired), on_msg, &c),
			  1);
	{
		uint16_t dev = 0;
		uint8_t type = 0, tt = 0;

		ck_assert_int_eq(ant_decode_channel_id(&c.msgs[1], &ch, &dev,
						       &type, &tt), 0);
		ck_assert_uint_eq(dev, 0x1234);
		ck_assert_uint_eq(type, 17);
		ck_assert_uint_eq(tt, 5);
	}
	ck_assert_uint_eq(p.messages, 2);
	ck_assert_uint_eq(p.len, 0);
}
END_TEST

START_TEST(parse_every_split)
{
	/* Three frames back to back, cut at every byte boundary pair:
	 * one USB read can end anywhere inside a frame (docs/ant.md 1.1). */
	uint8_t stream[64];
	size_t len = 0, a, b;

	memcpy(stream + len, v_startup, sizeof(v_startup));
	len += sizeof(v_startup);
	memcpy(stream + len, v_bc16_openant, sizeof(v_bc16_openant));
	len += sizeof(v_bc16_openant);
	memcpy(stream + len, v_search_timeout_ev, sizeof(v_search_timeout_ev));
	len += sizeof(v_search_timeout_ev);

	for (a = 0; a <= len; a++) {
		for (b = a; b <= len; b++) {
			struct ant_parser p;
			struct collect c = { .n = 0 };
			size_t n;

			ant_parser_init(&p);
			n = ant_parser_feed(&p, stream, a, on_msg, &c);
			n += ant_parser_feed(&p, stream + a, b - a, on_msg, &c);
			n += ant_parser_feed(&p, stream + b, len - b, on_msg,
					     &c);
			ck_assert_uint_eq(n, 3);
			ck_assert_uint_eq(c.msgs[0].id, ANT_MSG_STARTUP);
			ck_assert_uint_eq(c.msgs[0].payload[0], 0x20);
			ck_assert_uint_eq(c.msgs[1].id, ANT_MSG_BROADCAST_DATA);
			ck_assert_mem_eq(c.msgs[1].payload,
					 v_bc16_openant + 3, 9);
			ck_assert_uint_eq(c.msgs[2].id, ANT_MSG_CHANNEL_EVENT);
			ck_assert_uint_eq(p.bad_checksum + p.skipped, 0);
		}
	}
}
END_TEST

START_TEST(parse_garbage_and_bad_checksum)
{
	struct ant_parser p;
	struct collect c = { .n = 0 };
	uint8_t stream[64];
	size_t len = 0;

	/* Junk before the first sync. */
	stream[len++] = 0x00;
	stream[len++] = 0x55;
	stream[len++] = 0xFF;
	/* A frame with a flipped checksum: dropped and counted. */
	memcpy(stream + len, v_open, sizeof(v_open));
	stream[len + sizeof(v_open) - 1] ^= 0x01;
	len += sizeof(v_open);
	memcpy(stream + len, v_reset, sizeof(v_reset));
	len += sizeof(v_reset);

	ant_parser_init(&p);
	ck_assert_uint_eq(ant_parser_feed(&p, stream, len, on_msg, &c), 1);
	ck_assert_uint_eq(c.msgs[0].id, ANT_MSG_RESET_SYSTEM);
	ck_assert_uint_eq(p.bad_checksum, 1);
	/* 3 junk bytes, then the 4 bytes after the bad frame's sync. */
	ck_assert_uint_eq(p.skipped, 3 + 4);
}
END_TEST

START_TEST(parse_false_sync_resync)
{
	/* A lone 0xA4 whose "length" swallows the start of a real frame:
	 * the checksum fails and the parser finds the frame inside. */
	struct ant_parser p;
	struct collect c = { .n = 0 };
	uint8_t stream[32];
	size_t len = 0;

	stream[len++] = ANT_SYNC;
	stream[len++] = 0x02;	/* claims 2 payload bytes */
	memcpy(stream + len, v_startup, sizeof(v_startup));
	len += sizeof(v_startup);
	ant_parser_init(&p);
	ck_assert_uint_eq(ant_parser_feed(&p, stream, len, on_msg, &c), 1);
	ck_assert_uint_eq(c.msgs[0].id, ANT_MSG_STARTUP);
	ck_assert_uint_eq(p.bad_checksum, 1);

	/* A length beyond any ANT message: a false sync, no waiting. */
	ant_parser_init(&p);
	c.n = 0;
	len = 0;
	stream[len++] = ANT_SYNC;
	stream[len++] = 0xF0;
	memcpy(stream + len, v_reset, sizeof(v_reset));
	len += sizeof(v_reset);
	ck_assert_uint_eq(ant_parser_feed(&p, stream, len, on_msg, &c), 1);
	ck_assert_uint_eq(p.bad_length, 1);

	/* A sync byte inside a payload is just data. */
	{
		static const uint8_t pg[8] = { 0x10, 0x13, 0xA4, 0xA4, 0xA4,
					       0x04, 0xFF, 0x34 };
		uint8_t buf[ANT_MAX_FRAME];
		int n = ant_build_broadcast(0, pg, buf, sizeof(buf));

		ant_parser_init(&p);
		c.n = 0;
		ck_assert_int_eq(n, 13);
		ck_assert_uint_eq(ant_parser_feed(&p, buf, (size_t) n, on_msg,
						  &c), 1);
		ck_assert_mem_eq(c.msgs[0].payload + 1, pg, 8);
	}
}
END_TEST

START_TEST(parse_bounded)
{
	/* A flood of bytes never grows the buffer past one frame. */
	struct ant_parser p;
	uint8_t junk[1000];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (i % 7) ? ANT_SYNC : 0x20;
	ant_parser_init(&p);
	ck_assert_uint_eq(ant_parser_feed(&p, junk, sizeof(junk), NULL, NULL),
			  0);
	ck_assert_uint_lt(p.len, ANT_MAX_FRAME);
	ck_assert_uint_gt(p.bad_checksum + p.bad_length, 0);
	/* Back in sync afterwards: the pending false frame (at most one
	 * frame long) completes, fails its checksum, and the real frames
	 * inside it are found. */
	{
		struct collect c = { .n = 0 };
		uint8_t tail[10 * sizeof(v_open)];

		for (i = 0; i < 10; i++)
			memcpy(tail + i * sizeof(v_open), v_open,
			       sizeof(v_open));
		ck_assert_uint_ge(ant_parser_feed(&p, tail, sizeof(tail),
						  on_msg, &c), 9);
		ck_assert_uint_eq(c.msgs[c.n - 1].id, ANT_MSG_OPEN_CHANNEL);
	}
}
END_TEST

static void feed_page(struct ant_fe *fe, const uint8_t *frame, size_t len)
{
	struct ant_parser p;
	struct collect c = { .n = 0 };
	uint8_t ch, page[8];

	ant_parser_init(&p);
	ck_assert_uint_eq(ant_parser_feed(&p, frame, len, on_msg, &c), 1);
	ck_assert_int_eq(ant_decode_data(&c.msgs[0], &ch, page), 0);
	ck_assert_int_ge(ant_fe_feed(fe, page), 0);
}

START_TEST(fe_openant_captures)
{
	struct ant_fe fe;
	struct treadmill_data d;

	ant_fe_init(&fe);
	ck_assert_int_eq(ant_fe_to_treadmill_data(&fe, &d), -ENODATA);
	feed_page(&fe, v_bc16_openant, sizeof(v_bc16_openant));
	ck_assert_uint_eq(fe.equipment_type, 25);	/* trainer */
	ck_assert_int_eq(fe.state, ANT_FE_STATE_READY);
	ck_assert(fe.distance_enabled);
	ck_assert_uint_eq(fe.speed, 0);
	ck_assert_uint_eq(fe.heart_rate, 0xFF);
	ck_assert_uint_eq(fe.elapsed_raw, 139);
	feed_page(&fe, v_bc17_openant, sizeof(v_bc17_openant));
	ck_assert(!fe.incline_valid);			/* 0x7FFF */
	ck_assert_uint_eq(fe.resistance, 33);
	ck_assert_int_eq(ant_fe_to_treadmill_data(&fe, &d), 0);
	ck_assert_uint_eq(d.present, TREADMILL_DATA_SPEED |
			  TREADMILL_DATA_ELAPSED | TREADMILL_DATA_DISTANCE);
	ck_assert_uint_eq(d.elapsed, 0);
	ck_assert_str_eq(ant_fe_state_name(fe.state), "ready");
}
END_TEST

START_TEST(fe_page16_fields)
{
	struct ant_fe_general g = {
		.equipment_type = ANT_FE_TYPE_TREADMILL, .elapsed_raw = 40,
		.distance_raw = 10, .speed = 2778, .heart_rate = 142,
		.distance_enabled = true, .state = ANT_FE_STATE_IN_USE,
		.lap = true,
	};
	static const uint8_t want[8] = {
		0x10, 0x13, 40, 10, 0xDA, 0x0A, 142, 0xB4,
	};
	uint8_t page[8];
	struct ant_fe fe;
	struct treadmill_data d;

	ant_fe_build_general(&g, page);
	ck_assert_mem_eq(page, want, 8);
	ant_fe_init(&fe);
	ck_assert_int_eq(ant_fe_feed(&fe, page), ANT_FE_PAGE_GENERAL);
	ck_assert(fe.lap);
	ck_assert_int_eq(fe.state, ANT_FE_STATE_IN_USE);
	ck_assert_int_eq(ant_fe_to_treadmill_data(&fe, &d), 0);
	/* 2.778 m/s = 10.0008 km/h -> 1000 (0.01 km/h). */
	ck_assert_uint_eq(d.speed, 1000);
	ck_assert_uint_eq(d.heart_rate, 142);
	ck_assert(d.present & TREADMILL_DATA_HEART_RATE);
	ck_assert_uint_eq(ant_speed_to_kmh100(1389), 500);
	ck_assert_uint_eq(ant_speed_from_kmh100(500), 1389);
	ck_assert_uint_eq(ant_speed_to_kmh100(65535), 23593);

	/* Reserved state 5: dropped, nothing changed. */
	page[7] = 0x50;
	page[4] = 0;
	ck_assert_int_eq(ant_fe_feed(&fe, page), -EPROTO);
	ck_assert_uint_eq(fe.speed, 2778);
	/* Other pages: ignored. */
	page[0] = 18;
	ck_assert_int_eq(ant_fe_feed(&fe, page), -ENOENT);
	page[0] = 71;
	ck_assert_int_eq(ant_fe_feed(&fe, page), -ENOENT);
}
END_TEST

START_TEST(fe_rollovers)
{
	struct ant_fe_general g = {
		.equipment_type = ANT_FE_TYPE_TREADMILL, .elapsed_raw = 250,
		.distance_raw = 250, .speed = 1389, .heart_rate = 0xFF,
		.distance_enabled = true, .state = ANT_FE_STATE_IN_USE,
	};
	uint8_t page[8];
	struct ant_fe fe;
	struct treadmill_data d;
	unsigned int i;

	ant_fe_init(&fe);
	ant_fe_build_general(&g, page);
	ant_fe_feed(&fe, page);		/* base: nothing counted yet */
	/* 64 s counter (0.25 s) and 256 m counter both wrap. */
	g.elapsed_raw = 6;		/* +12 ticks = 3 s */
	g.distance_raw = 4;		/* +10 m */
	ant_fe_build_general(&g, page);
	ant_fe_feed(&fe, page);
	ck_assert_int_eq(ant_fe_to_treadmill_data(&fe, &d), 0);
	ck_assert_uint_eq(d.elapsed, 3);
	ck_assert_uint_eq(d.distance, 10);
	/* Ten full laps of the distance counter, in steps of 200 m. */
	for (i = 0; i < 64; i++) {
		g.distance_raw = (uint8_t) (g.distance_raw + 200);
		g.elapsed_raw = (uint8_t) (g.elapsed_raw + 200);
		ant_fe_build_general(&g, page);
		ant_fe_feed(&fe, page);
	}
	ant_fe_to_treadmill_data(&fe, &d);
	ck_assert_uint_eq(d.distance, 10 + 64 * 200);
	ck_assert_uint_eq(d.elapsed, (12 + 64 * 200) / 4);
	/* Distance not enabled: not reported. */
	g.distance_enabled = false;
	ant_fe_build_general(&g, page);
	ant_fe_feed(&fe, page);
	ant_fe_to_treadmill_data(&fe, &d);
	ck_assert(!(d.present & TREADMILL_DATA_DISTANCE));
}
END_TEST

START_TEST(fe_page17_incline)
{
	uint8_t page[8];
	struct ant_fe fe;
	struct ant_fe_general g = { .state = ANT_FE_STATE_IN_USE };
	struct treadmill_data d;
	static const uint8_t want[8] = {
		0x11, 0xFF, 0xFF, 0xFF, 0x2C, 0x01, 0x10, 0x30,
	};

	ant_fe_init(&fe);
	ant_fe_build_general(&g, page);
	ant_fe_feed(&fe, page);
	ant_fe_build_settings(300, 0x10, ANT_FE_STATE_IN_USE, page);
	ck_assert_mem_eq(page, want, 8);
	ck_assert_int_eq(ant_fe_feed(&fe, page), ANT_FE_PAGE_SETTINGS);
	ant_fe_to_treadmill_data(&fe, &d);
	ck_assert(d.present & TREADMILL_DATA_INCLINE);
	ck_assert_int_eq(d.incline, 30);
	/* Negative incline, rounded away from zero: -2.45 % -> -2.5 %. */
	ant_fe_build_settings(-245, 0, ANT_FE_STATE_IN_USE, page);
	ant_fe_feed(&fe, page);
	ant_fe_to_treadmill_data(&fe, &d);
	ck_assert_int_eq(d.incline, -25);
	ck_assert_int_eq(fe.incline, -245);
	/* 0x7FFF: invalid, not reported. */
	ant_fe_build_settings(0x7FFF, 0, ANT_FE_STATE_IN_USE, page);
	ant_fe_feed(&fe, page);
	ant_fe_to_treadmill_data(&fe, &d);
	ck_assert(!(d.present & TREADMILL_DATA_INCLINE));
}
END_TEST

START_TEST(fe_page19_vertical)
{
	uint8_t page[8];
	struct ant_fe fe;
	static const uint8_t want[8] = {
		0x13, 0xFF, 0xFF, 0xFF, 160, 5, 250, 0x33,
	};

	ant_fe_init(&fe);
	ant_fe_build_treadmill(160, 5, 250, true, true, ANT_FE_STATE_IN_USE,
			       page);
	ck_assert_mem_eq(page, want, 8);
	ck_assert_int_eq(ant_fe_feed(&fe, page), ANT_FE_PAGE_TREADMILL);
	ck_assert_uint_eq(fe.cadence, 160);
	ck_assert_uint_eq(fe.pos_vert, 0);
	/* Positive counter wraps (25.6 m): 250 -> 4 is +10 (1.0 m). */
	ant_fe_build_treadmill(161, 7, 4, true, true, ANT_FE_STATE_IN_USE,
			       page);
	ant_fe_feed(&fe, page);
	ck_assert_uint_eq(fe.pos_vert, 10);
	ck_assert_uint_eq(fe.neg_vert, 2);
	/* Invalid: the counter stops and re-bases when valid again. */
	ant_fe_build_treadmill(161, 7, 100, true, false, ANT_FE_STATE_IN_USE,
			       page);
	ant_fe_feed(&fe, page);
	ck_assert(!fe.pos_vert_valid);
	ck_assert_uint_eq(fe.pos_vert, 10);
	ant_fe_build_treadmill(161, 7, 120, true, true, ANT_FE_STATE_IN_USE,
			       page);
	ant_fe_feed(&fe, page);
	ck_assert_uint_eq(fe.pos_vert, 10);
	ant_fe_build_treadmill(161, 7, 121, true, true, ANT_FE_STATE_IN_USE,
			       page);
	ant_fe_feed(&fe, page);
	ck_assert_uint_eq(fe.pos_vert, 11);
}
END_TEST

START_TEST(common_pages_80_81)
{
	static const uint8_t p80[8] = { 0x50, 0xFF, 0xFF, 0x02, 0x01, 0x00,
					0x39, 0x30 };
	static const uint8_t p81[8] = { 0x51, 0xFF, 0xFF, 0x07, 0x78, 0x56,
					0x34, 0x12 };
	struct ant_fe fe;
	struct treadmill_data d;

	ant_fe_init(&fe);
	ck_assert_int_eq(ant_fe_feed(&fe, p80), ANT_PAGE_MANUFACTURER);
	ck_assert_uint_eq(fe.hw_revision, 2);
	ck_assert_uint_eq(fe.manufacturer_id, 1);	/* Garmin */
	ck_assert_uint_eq(fe.model, 12345);
	ck_assert_int_eq(ant_fe_feed(&fe, p81), ANT_PAGE_PRODUCT);
	ck_assert_uint_eq(fe.sw_revision, 7);
	ck_assert_uint_eq(fe.serial, 0x12345678);
	/* Identity pages alone are not treadmill data. */
	ck_assert_int_eq(ant_fe_to_treadmill_data(&fe, &d), -ENODATA);
}
END_TEST

static Suite *ant_suite(void)
{
	Suite *s = suite_create("ant");
	struct {
		const char *name;
		const TTest *tests[8];
	} cases[] = {
		{ "build", { build_config_messages, build_limits } },
		{ "framing", { parse_one_and_decode, parse_every_split,
			       parse_garbage_and_bad_checksum,
			       parse_false_sync_resync, parse_bounded } },
		{ "fe_pages", { fe_openant_captures, fe_page16_fields,
				fe_rollovers, fe_page17_incline,
				fe_page19_vertical, common_pages_80_81 } },
	};

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		TCase *tc = tcase_create(cases[c].name);

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
	SRunner *sr = srunner_create(ant_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
