/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ANT serial messages and ANT+ Fitness Equipment pages: pure codec, no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "treadmill.h"

/*
 * Everything here is a pure function of its arguments: no I/O, no logging,
 * no allocation. Builders return the number of bytes written or -EMSGSIZE
 * (nothing written); decoders return 0 or a negative errno and leave their
 * ret_* untouched on failure. "docs/ant.md" is the project's research note
 * (1.1 framing, channel setup, FE pages); layouts are as decoded by
 * Tigge/openant (openant/base/message.py, devices/fitness_equipment.py),
 * Loghorn/ant-plus (src/fitness-equipment-sensors.ts) and GoldenCheetah
 * (src/ANT/ANT.h).
 */

/* docs/ant.md 1.1: sync, length, id, payload, XOR of every previous byte. */
#define ANT_SYNC			0xA4
/* Largest payload accepted: a 9-byte data message plus the longest
 * extended-data trailer (flag + 4 id + RSSI 3 + timestamp 2 = 10), with
 * room to spare; a length byte above it is a false sync. */
#define ANT_MAX_PAYLOAD			32
#define ANT_FRAME_OVERHEAD		4	/* sync, len, id, checksum */
#define ANT_MAX_FRAME			(ANT_MAX_PAYLOAD + ANT_FRAME_OVERHEAD)

/* Message IDs (docs/ant.md 1.1; GoldenCheetah src/ANT/ANT.h). */
#define ANT_MSG_CHANNEL_EVENT		0x40	/* response or event */
#define ANT_MSG_ASSIGN_CHANNEL		0x42
#define ANT_MSG_CHANNEL_PERIOD		0x43
#define ANT_MSG_SEARCH_TIMEOUT		0x44
#define ANT_MSG_RF_FREQUENCY		0x45
#define ANT_MSG_SET_NETWORK_KEY		0x46
#define ANT_MSG_RESET_SYSTEM		0x4A
#define ANT_MSG_OPEN_CHANNEL		0x4B
#define ANT_MSG_CLOSE_CHANNEL		0x4C
#define ANT_MSG_REQUEST			0x4D
#define ANT_MSG_BROADCAST_DATA		0x4E
#define ANT_MSG_ACKNOWLEDGED_DATA	0x4F
#define ANT_MSG_BURST_DATA		0x50
#define ANT_MSG_CHANNEL_ID		0x51
#define ANT_MSG_CAPABILITIES		0x54
#define ANT_MSG_VERSION			0x3E
#define ANT_MSG_STARTUP			0x6F

/* Channel event codes carried by 0x40 with msg id 0x01 (docs/ant.md 1.1). */
#define ANT_CODE_NO_ERROR		0x00
#define ANT_EVENT_RX_SEARCH_TIMEOUT	0x01
#define ANT_EVENT_RX_FAIL		0x02
#define ANT_EVENT_CHANNEL_CLOSED	0x07
#define ANT_EVENT_RX_FAIL_GO_TO_SEARCH	0x08
/* msg id field of a 0x40 that is an RF event, not a command response. */
#define ANT_EVENT_MSG_ID_RF		0x01

/* ANT+ FE receive channel (docs/ant.md 1.1 "Channel setup"). */
#define ANT_CHANNEL_TYPE_RX		0x00	/* bidirectional slave */
#define ANT_FE_DEVICE_TYPE		17
#define ANT_FE_PERIOD			8192	/* 32768 / 8192 = 4 Hz */
#define ANT_FE_RF_FREQUENCY		57	/* 2457 MHz */
#define ANT_NETWORK_KEY_LEN		8

/* FE data pages (docs/ant.md 1.1 table). */
#define ANT_FE_PAGE_GENERAL		16
#define ANT_FE_PAGE_SETTINGS		17
#define ANT_FE_PAGE_TREADMILL		19
#define ANT_PAGE_MANUFACTURER		80
#define ANT_PAGE_PRODUCT		81
#define ANT_FE_TYPE_TREADMILL		19

/* FE state, page 16 byte 7 bits 4..6. */
enum ant_fe_state {
	ANT_FE_STATE_RESERVED = 0,
	ANT_FE_STATE_ASLEEP = 1,
	ANT_FE_STATE_READY = 2,
	ANT_FE_STATE_IN_USE = 3,
	ANT_FE_STATE_FINISHED = 4,	/* finished or paused */
};

/* One checked message; payload excludes sync, length, id and checksum. */
struct ant_msg {
	uint8_t id;
	uint8_t len;
	uint8_t payload[ANT_MAX_PAYLOAD];
};

/*
 * Stream parser. A USB bulk read (or a tty read) carries any number of
 * messages or pieces of one; bytes before a sync are skipped, a length
 * above ANT_MAX_PAYLOAD or a bad checksum drops the sync byte and
 * rescans from the next byte, so a real message hiding behind a false
 * sync (0xA4 inside a payload) is still found. The buffer never holds
 * more than one frame. A plain value, like struct belt: it is the whole
 * state of a pure function and tests keep it on the stack; touch it only
 * through the functions below. The counters are for statistics.
 */
struct ant_parser {
	uint8_t buf[ANT_MAX_FRAME];
	size_t len;
	uint64_t messages;		/* delivered */
	uint64_t bad_checksum;		/* frames dropped on checksum */
	uint64_t bad_length;		/* false syncs: length too large */
	uint64_t skipped;		/* bytes skipped looking for a sync */
};

typedef void (*ant_msg_func_t)(const struct ant_msg *msg, void *user_data);

void ant_parser_init(struct ant_parser *p);
/* Feeds len bytes; func runs once per good message, in order, from this
 * call. Returns the number of messages delivered. */
size_t ant_parser_feed(struct ant_parser *p, const uint8_t *data, size_t len,
		       ant_msg_func_t func, void *user_data);

/* XOR of len bytes (the checksum of a frame is over all bytes before it). */
uint8_t ant_checksum(const uint8_t *data, size_t len);

/* Any message: returns the frame length or -EMSGSIZE (payload too long
 * or buf too small). */
int ant_build(uint8_t id, const uint8_t *payload, size_t len,
	      uint8_t *buf, size_t buf_len);
/* The configuration messages the usb-ant driver sends (docs/ant.md 1.1). */
int ant_build_reset(uint8_t *buf, size_t buf_len);
int ant_build_set_network_key(uint8_t net,
			      const uint8_t key[ANT_NETWORK_KEY_LEN],
			      uint8_t *buf, size_t buf_len);
int ant_build_assign_channel(uint8_t ch, uint8_t type, uint8_t net,
			     uint8_t *buf, size_t buf_len);
int ant_build_channel_id(uint8_t ch, uint16_t device_number,
			 uint8_t device_type, uint8_t trans_type,
			 uint8_t *buf, size_t buf_len);
int ant_build_channel_period(uint8_t ch, uint16_t period,
			     uint8_t *buf, size_t buf_len);
/* timeout in units of 2.5 s; 0xFF = never time out. */
int ant_build_search_timeout(uint8_t ch, uint8_t timeout,
			     uint8_t *buf, size_t buf_len);
int ant_build_rf_frequency(uint8_t ch, uint8_t freq,
			   uint8_t *buf, size_t buf_len);
int ant_build_open_channel(uint8_t ch, uint8_t *buf, size_t buf_len);
int ant_build_close_channel(uint8_t ch, uint8_t *buf, size_t buf_len);
int ant_build_request(uint8_t ch, uint8_t msg_id, uint8_t *buf,
		      size_t buf_len);
/* Broadcast data (0x4E): channel plus one 8-byte page; for simulators. */
int ant_build_broadcast(uint8_t ch, const uint8_t page[8], uint8_t *buf,
			size_t buf_len);

/* 0x40: a response to msg_id (code 0 = no error), or, with msg_id 0x01,
 * an RF event. -EBADMSG if msg is not a well-formed 0x40. */
struct ant_channel_event {
	uint8_t channel;
	uint8_t msg_id;
	uint8_t code;
};
int ant_decode_channel_event(const struct ant_msg *msg,
			     struct ant_channel_event *ret_ev);
/* 0x4E/0x4F (extended trailers ignored): channel and 8 data bytes. */
int ant_decode_data(const struct ant_msg *msg, uint8_t *ret_channel,
		    uint8_t ret_page[8]);
/* 0x51 as a response: the paired device. */
int ant_decode_channel_id(const struct ant_msg *msg, uint8_t *ret_channel,
			  uint16_t *ret_device_number, uint8_t *ret_device_type,
			  uint8_t *ret_trans_type);
const char *ant_msg_name(uint8_t id);
const char *ant_fe_state_name(enum ant_fe_state state);

/*
 * FE accumulator. Pages carry short counters (elapsed 0.25 s rolling at
 * 64 s, distance 1 m rolling at 256 m, vertical distance 0.1 m rolling at
 * 25.6 m); the accumulator adds the forward difference modulo the
 * counter's range on each page, so totals grow across rollovers. The
 * first page of a kind only sets the base (a treadmill already at 300 m
 * counts from there on, as FTMS reports the session's own distance).
 * A plain value like struct ant_parser.
 */
struct ant_fe {
	uint32_t seen;			/* 1 << (page - 16) for 16..19, and
					   bits 30/31 for pages 80/81 */
	uint8_t equipment_type;		/* page 16 byte 1 bits 0..4 */
	enum ant_fe_state state;
	bool lap;			/* page 16 byte 7 bit 7 toggle */
	bool distance_enabled;
	bool virtual_speed;
	uint16_t speed;			/* 0.001 m/s, as on the wire */
	uint8_t heart_rate;		/* bpm, 0xFF invalid */
	uint8_t elapsed_raw;		/* last counters seen */
	uint8_t distance_raw;
	uint32_t elapsed_q;		/* 0.25 s since the first page 16 */
	uint32_t distance;		/* m since the first page 16 */
	bool incline_valid;
	int16_t incline;		/* 0.01 % */
	uint8_t resistance;		/* 0.5 %, 0xFF... as sent */
	uint8_t cadence;		/* strides/min, 0xFF invalid */
	bool pos_vert_valid;
	bool neg_vert_valid;
	uint8_t pos_vert_raw;
	uint8_t neg_vert_raw;
	uint32_t pos_vert;		/* 0.1 m since first seen */
	uint32_t neg_vert;		/* 0.1 m since first seen */
	uint16_t manufacturer_id;	/* page 80 */
	uint16_t model;
	uint8_t hw_revision;
	uint8_t sw_revision;		/* page 81 main revision */
	uint32_t serial;		/* page 81, 0xFFFFFFFF none */
};

void ant_fe_init(struct ant_fe *fe);
/*
 * Feeds one 8-byte page (data byte 0 = page number). Returns the page
 * number for pages 16, 17, 19, 80, 81; -ENOENT for other pages (ignored,
 * fe untouched: 18 metabolic, 71 command status, 48..51 control ...);
 * -EPROTO for a reserved FE state in page 16 (fe untouched).
 */
int ant_fe_feed(struct ant_fe *fe, const uint8_t page[8]);
/*
 * What the runner sees, as an FTMS treadmill would report it: speed in
 * 0.01 km/h (rounded), distance in m (if enabled), incline in 0.1 %
 * (if valid), elapsed s, heart rate (if valid). -ENODATA before the first
 * page 16. time_us is left for the caller.
 */
int ant_fe_to_treadmill_data(const struct ant_fe *fe,
			     struct treadmill_data *ret_data);
/* Speed conversion used above: 0.001 m/s to 0.01 km/h, rounded. */
uint16_t ant_speed_to_kmh100(uint16_t mm_per_s);
/* Inverse, for simulators: 0.01 km/h to 0.001 m/s, rounded. */
uint16_t ant_speed_from_kmh100(uint16_t kmh100);

/* Builders of the pages above, for simulators and tests. */
struct ant_fe_general {
	uint8_t equipment_type;
	uint8_t elapsed_raw;		/* 0.25 s, mod 256 */
	uint8_t distance_raw;		/* m, mod 256 */
	uint16_t speed;			/* 0.001 m/s */
	uint8_t heart_rate;		/* 0xFF invalid */
	bool distance_enabled;
	enum ant_fe_state state;
	bool lap;
};
void ant_fe_build_general(const struct ant_fe_general *g, uint8_t page[8]);
/* incline in 0.01 %, 0x7FFF invalid */
void ant_fe_build_settings(int16_t incline, uint8_t resistance,
			   enum ant_fe_state state, uint8_t page[8]);
void ant_fe_build_treadmill(uint8_t cadence, uint8_t neg_vert_raw,
			    uint8_t pos_vert_raw, bool neg_valid,
			    bool pos_valid, enum ant_fe_state state,
			    uint8_t page[8]);
