/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ANT serial framing, channel configuration and ANT+ FE pages: pure codec. */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "ant.h"

uint8_t ant_checksum(const uint8_t *data, size_t len)
{
	uint8_t x = 0;
	size_t i;

	for (i = 0; i < len; i++)
		x ^= data[i];
	return x;
}

void ant_parser_init(struct ant_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static void drop(struct ant_parser *p, size_t n)
{
	memmove(p->buf, p->buf + n, p->len - n);
	p->len -= n;
}

/*
 * Deliver every complete frame at the head of the buffer. Returns the
 * number delivered; leaves at most one partial frame (starting at a sync).
 */
static size_t scan(struct ant_parser *p, ant_msg_func_t func, void *user_data)
{
	size_t delivered = 0;

	for (;;) {
		struct ant_msg msg;
		size_t i = 0, total;

		while (i < p->len && p->buf[i] != ANT_SYNC)
			i++;
		p->skipped += i;
		drop(p, i);
		if (p->len < 2)
			return delivered;
		/* docs/ant.md 1.1: byte 1 counts payload bytes only. A length we
		 * would never accept means this 0xA4 was not a sync. */
		if (p->buf[1] > ANT_MAX_PAYLOAD) {
			p->bad_length++;
			drop(p, 1);
			continue;
		}
		total = (size_t) p->buf[1] + ANT_FRAME_OVERHEAD;
		if (p->len < total)
			return delivered;
		if (ant_checksum(p->buf, total - 1) != p->buf[total - 1]) {
			/* Drop only the sync: a real frame may start inside
			 * what we took for this one's payload. */
			p->bad_checksum++;
			drop(p, 1);
			continue;
		}
		msg.len = p->buf[1];
		msg.id = p->buf[2];
		memcpy(msg.payload, p->buf + 3, msg.len);
		drop(p, total);
		p->messages++;
		delivered++;
		if (func)
			func(&msg, user_data);
	}
}

size_t ant_parser_feed(struct ant_parser *p, const uint8_t *data, size_t len,
		       ant_msg_func_t func, void *user_data)
{
	size_t delivered = 0;

	while (len) {
		/* The buffer holds less than one frame after each scan, so
		 * there is always room for at least one byte. */
		size_t n = MIN(len, sizeof(p->buf) - p->len);

		memcpy(p->buf + p->len, data, n);
		p->len += n;
		data += n;
		len -= n;
		delivered += scan(p, func, user_data);
	}
	return delivered;
}

int ant_build(uint8_t id, const uint8_t *payload, size_t len,
	      uint8_t *buf, size_t buf_len)
{
	size_t total = len + ANT_FRAME_OVERHEAD;

	if (len > ANT_MAX_PAYLOAD || buf_len < total)
		return -EMSGSIZE;
	buf[0] = ANT_SYNC;
	buf[1] = (uint8_t) len;
	buf[2] = id;
	if (len)
		memcpy(buf + 3, payload, len);
	buf[total - 1] = ant_checksum(buf, total - 1);
	return (int) total;
}

int ant_build_reset(uint8_t *buf, size_t buf_len)
{
	/* One filler byte: the reset message has a 1-byte payload. */
	static const uint8_t p[1] = { 0x00 };

	return ant_build(ANT_MSG_RESET_SYSTEM, p, sizeof(p), buf, buf_len);
}

int ant_build_set_network_key(uint8_t net,
			      const uint8_t key[ANT_NETWORK_KEY_LEN],
			      uint8_t *buf, size_t buf_len)
{
	uint8_t p[1 + ANT_NETWORK_KEY_LEN];

	p[0] = net;
	memcpy(p + 1, key, ANT_NETWORK_KEY_LEN);
	return ant_build(ANT_MSG_SET_NETWORK_KEY, p, sizeof(p), buf, buf_len);
}

int ant_build_assign_channel(uint8_t ch, uint8_t type, uint8_t net,
			     uint8_t *buf, size_t buf_len)
{
	uint8_t p[3] = { ch, type, net };

	return ant_build(ANT_MSG_ASSIGN_CHANNEL, p, sizeof(p), buf, buf_len);
}

int ant_build_channel_id(uint8_t ch, uint16_t device_number,
			 uint8_t device_type, uint8_t trans_type,
			 uint8_t *buf, size_t buf_len)
{
	uint8_t p[5];

	p[0] = ch;
	put_le16(device_number, p + 1);
	p[3] = device_type;
	p[4] = trans_type;
	return ant_build(ANT_MSG_CHANNEL_ID, p, sizeof(p), buf, buf_len);
}

int ant_build_channel_period(uint8_t ch, uint16_t period,
			     uint8_t *buf, size_t buf_len)
{
	uint8_t p[3];

	p[0] = ch;
	put_le16(period, p + 1);
	return ant_build(ANT_MSG_CHANNEL_PERIOD, p, sizeof(p), buf, buf_len);
}

static int build_ch_byte(uint8_t id, uint8_t ch, uint8_t v, uint8_t *buf,
			 size_t buf_len)
{
	uint8_t p[2] = { ch, v };

	return ant_build(id, p, sizeof(p), buf, buf_len);
}

int ant_build_search_timeout(uint8_t ch, uint8_t timeout,
			     uint8_t *buf, size_t buf_len)
{
	return build_ch_byte(ANT_MSG_SEARCH_TIMEOUT, ch, timeout, buf,
			     buf_len);
}

int ant_build_rf_frequency(uint8_t ch, uint8_t freq,
			   uint8_t *buf, size_t buf_len)
{
	return build_ch_byte(ANT_MSG_RF_FREQUENCY, ch, freq, buf, buf_len);
}

int ant_build_open_channel(uint8_t ch, uint8_t *buf, size_t buf_len)
{
	return ant_build(ANT_MSG_OPEN_CHANNEL, &ch, 1, buf, buf_len);
}

int ant_build_close_channel(uint8_t ch, uint8_t *buf, size_t buf_len)
{
	return ant_build(ANT_MSG_CLOSE_CHANNEL, &ch, 1, buf, buf_len);
}

int ant_build_request(uint8_t ch, uint8_t msg_id, uint8_t *buf,
		      size_t buf_len)
{
	return build_ch_byte(ANT_MSG_REQUEST, ch, msg_id, buf, buf_len);
}

int ant_build_broadcast(uint8_t ch, const uint8_t page[8], uint8_t *buf,
			size_t buf_len)
{
	uint8_t p[9];

	p[0] = ch;
	memcpy(p + 1, page, 8);
	return ant_build(ANT_MSG_BROADCAST_DATA, p, sizeof(p), buf, buf_len);
}

int ant_decode_channel_event(const struct ant_msg *msg,
			     struct ant_channel_event *ret_ev)
{
	if (msg->id != ANT_MSG_CHANNEL_EVENT || msg->len < 3)
		return -EBADMSG;
	ret_ev->channel = msg->payload[0];
	ret_ev->msg_id = msg->payload[1];
	ret_ev->code = msg->payload[2];
	return 0;
}

int ant_decode_data(const struct ant_msg *msg, uint8_t *ret_channel,
		    uint8_t ret_page[8])
{
	if (msg->id != ANT_MSG_BROADCAST_DATA &&
	    msg->id != ANT_MSG_ACKNOWLEDGED_DATA)
		return -EBADMSG;
	/* Channel plus 8 bytes; anything after is an extended trailer. */
	if (msg->len < 9)
		return -EBADMSG;
	*ret_channel = msg->payload[0];
	memcpy(ret_page, msg->payload + 1, 8);
	return 0;
}

int ant_decode_channel_id(const struct ant_msg *msg, uint8_t *ret_channel,
			  uint16_t *ret_device_number, uint8_t *ret_device_type,
			  uint8_t *ret_trans_type)
{
	if (msg->id != ANT_MSG_CHANNEL_ID || msg->len < 5)
		return -EBADMSG;
	*ret_channel = msg->payload[0];
	*ret_device_number = get_le16(msg->payload + 1);
	*ret_device_type = msg->payload[3];
	*ret_trans_type = msg->payload[4];
	return 0;
}

const char *ant_msg_name(uint8_t id)
{
	switch (id) {
	case ANT_MSG_CHANNEL_EVENT:
		return "channel-event";
	case ANT_MSG_ASSIGN_CHANNEL:
		return "assign-channel";
	case ANT_MSG_CHANNEL_PERIOD:
		return "channel-period";
	case ANT_MSG_SEARCH_TIMEOUT:
		return "search-timeout";
	case ANT_MSG_RF_FREQUENCY:
		return "rf-frequency";
	case ANT_MSG_SET_NETWORK_KEY:
		return "set-network-key";
	case ANT_MSG_RESET_SYSTEM:
		return "reset-system";
	case ANT_MSG_OPEN_CHANNEL:
		return "open-channel";
	case ANT_MSG_CLOSE_CHANNEL:
		return "close-channel";
	case ANT_MSG_REQUEST:
		return "request";
	case ANT_MSG_BROADCAST_DATA:
		return "broadcast-data";
	case ANT_MSG_ACKNOWLEDGED_DATA:
		return "acknowledged-data";
	case ANT_MSG_BURST_DATA:
		return "burst-data";
	case ANT_MSG_CHANNEL_ID:
		return "channel-id";
	case ANT_MSG_CAPABILITIES:
		return "capabilities";
	case ANT_MSG_VERSION:
		return "version";
	case ANT_MSG_STARTUP:
		return "startup";
	default:
		return NULL;
	}
}

const char *ant_fe_state_name(enum ant_fe_state state)
{
	switch (state) {
	case ANT_FE_STATE_RESERVED:
		return "reserved";
	case ANT_FE_STATE_ASLEEP:
		return "asleep";
	case ANT_FE_STATE_READY:
		return "ready";
	case ANT_FE_STATE_IN_USE:
		return "in-use";
	case ANT_FE_STATE_FINISHED:
		return "finished";
	}
	return "unknown";
}

void ant_fe_init(struct ant_fe *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->heart_rate = 0xFF;
	fe->cadence = 0xFF;
	fe->resistance = 0xFF;
	fe->serial = 0xFFFFFFFFu;
}

#define SEEN(page)	(1u << ((page) - ANT_FE_PAGE_GENERAL))
#define SEEN_80		(1u << 30)
#define SEEN_81		(1u << 31)
#define SEEN_POS_VERT	(1u << 8)
#define SEEN_NEG_VERT	(1u << 9)

/* Forward difference of an 8-bit rolling counter: a counter never runs
 * backwards, so a smaller value means it wrapped (docs/ant.md 1.1). */
static uint8_t delta8(uint8_t now, uint8_t before)
{
	return (uint8_t) (now - before);
}

static int feed_general(struct ant_fe *fe, const uint8_t *b)
{
	uint8_t state = (b[7] >> 4) & 0x07;

	/* States 5..7 are reserved: not a page we can trust. */
	if (state > ANT_FE_STATE_FINISHED)
		return -EPROTO;
	fe->equipment_type = b[1] & 0x1F;
	if (fe->seen & SEEN(ANT_FE_PAGE_GENERAL)) {
		fe->elapsed_q += delta8(b[2], fe->elapsed_raw);
		fe->distance += delta8(b[3], fe->distance_raw);
	}
	fe->elapsed_raw = b[2];
	fe->distance_raw = b[3];
	fe->speed = get_le16(b + 4);
	fe->heart_rate = b[6];
	fe->distance_enabled = b[7] & 0x04;
	fe->virtual_speed = b[7] & 0x08;
	fe->state = (enum ant_fe_state) state;
	fe->lap = b[7] & 0x80;
	fe->seen |= SEEN(ANT_FE_PAGE_GENERAL);
	return ANT_FE_PAGE_GENERAL;
}

static int feed_settings(struct ant_fe *fe, const uint8_t *b)
{
	uint16_t incline = get_le16(b + 4);

	/* Page 17 bytes 4-5: signed 0.01 %, 0x7FFF = invalid. */
	fe->incline_valid = incline != 0x7FFF;
	fe->incline = fe->incline_valid ? (int16_t) incline : 0;
	fe->resistance = b[6];
	fe->seen |= SEEN(ANT_FE_PAGE_SETTINGS);
	return ANT_FE_PAGE_SETTINGS;
}

static int feed_treadmill(struct ant_fe *fe, const uint8_t *b)
{
	fe->cadence = b[4];
	/* docs/ant.md 1.1, page 19 byte 7: bit 0 positive, bit 1 negative
	 * vertical distance valid; each counter 0.1 m, rolling at 25.6 m.
	 * A counter only accumulates between two valid readings. */
	fe->pos_vert_valid = b[7] & 0x01;
	fe->neg_vert_valid = b[7] & 0x02;
	if (fe->pos_vert_valid) {
		if (fe->seen & SEEN_POS_VERT)
			fe->pos_vert += delta8(b[6], fe->pos_vert_raw);
		fe->pos_vert_raw = b[6];
		fe->seen |= SEEN_POS_VERT;
	} else {
		fe->seen &= ~SEEN_POS_VERT;
	}
	if (fe->neg_vert_valid) {
		if (fe->seen & SEEN_NEG_VERT)
			fe->neg_vert += delta8(b[5], fe->neg_vert_raw);
		fe->neg_vert_raw = b[5];
		fe->seen |= SEEN_NEG_VERT;
	} else {
		fe->seen &= ~SEEN_NEG_VERT;
	}
	fe->seen |= SEEN(ANT_FE_PAGE_TREADMILL);
	return ANT_FE_PAGE_TREADMILL;
}

int ant_fe_feed(struct ant_fe *fe, const uint8_t page[8])
{
	switch (page[0]) {
	case ANT_FE_PAGE_GENERAL:
		return feed_general(fe, page);
	case ANT_FE_PAGE_SETTINGS:
		return feed_settings(fe, page);
	case ANT_FE_PAGE_TREADMILL:
		return feed_treadmill(fe, page);
	case ANT_PAGE_MANUFACTURER:
		/* Common page 80: 3 HW revision, 4-5 manufacturer, 6-7 model. */
		fe->hw_revision = page[3];
		fe->manufacturer_id = get_le16(page + 4);
		fe->model = get_le16(page + 6);
		fe->seen |= SEEN_80;
		return ANT_PAGE_MANUFACTURER;
	case ANT_PAGE_PRODUCT:
		/* Common page 81: 3 SW revision, 4-7 serial number. */
		fe->sw_revision = page[3];
		fe->serial = get_le32(page + 4);
		fe->seen |= SEEN_81;
		return ANT_PAGE_PRODUCT;
	default:
		return -ENOENT;
	}
}

uint16_t ant_speed_to_kmh100(uint16_t mm_per_s)
{
	/* 1 mm/s = 0.0036 km/h = 0.36 (0.01 km/h): x * 36 / 100, rounded. */
	return (uint16_t) (((uint32_t) mm_per_s * 36 + 50) / 100);
}

uint16_t ant_speed_from_kmh100(uint16_t kmh100)
{
	return (uint16_t) (((uint32_t) kmh100 * 100 + 18) / 36);
}

int ant_fe_to_treadmill_data(const struct ant_fe *fe,
			     struct treadmill_data *ret_data)
{
	struct treadmill_data d;

	if (!(fe->seen & SEEN(ANT_FE_PAGE_GENERAL)))
		return -ENODATA;
	memset(&d, 0, sizeof(d));
	d.present = TREADMILL_DATA_SPEED | TREADMILL_DATA_ELAPSED;
	d.speed = ant_speed_to_kmh100(fe->speed);
	/* 0.25 s ticks to whole seconds, saturating like FTMS's uint16. */
	d.elapsed = (uint16_t) MIN(fe->elapsed_q / 4, 0xFFFFu);
	if (fe->distance_enabled) {
		d.present |= TREADMILL_DATA_DISTANCE;
		d.distance = fe->distance;
	}
	if ((fe->seen & SEEN(ANT_FE_PAGE_SETTINGS)) && fe->incline_valid) {
		/* 0.01 % to 0.1 %, rounded half away from zero. */
		int v = fe->incline;

		d.present |= TREADMILL_DATA_INCLINE;
		d.incline = (int16_t) (v >= 0 ? (v + 5) / 10 : (v - 5) / 10);
	}
	if (fe->heart_rate != 0xFF && fe->heart_rate != 0) {
		d.present |= TREADMILL_DATA_HEART_RATE;
		d.heart_rate = fe->heart_rate;
	}
	*ret_data = d;
	return 0;
}

void ant_fe_build_general(const struct ant_fe_general *g, uint8_t page[8])
{
	page[0] = ANT_FE_PAGE_GENERAL;
	page[1] = g->equipment_type & 0x1F;
	page[2] = g->elapsed_raw;
	page[3] = g->distance_raw;
	put_le16(g->speed, page + 4);
	page[6] = g->heart_rate;
	page[7] = (uint8_t) ((g->distance_enabled ? 0x04 : 0) |
			     ((g->state & 0x07) << 4) | (g->lap ? 0x80 : 0));
}

void ant_fe_build_settings(int16_t incline, uint8_t resistance,
			   enum ant_fe_state state, uint8_t page[8])
{
	page[0] = ANT_FE_PAGE_SETTINGS;
	page[1] = 0xFF;
	page[2] = 0xFF;
	page[3] = 0xFF;		/* cycle length: not a treadmill field */
	put_le16((uint16_t) incline, page + 4);
	page[6] = resistance;
	page[7] = (uint8_t) ((state & 0x07) << 4);
}

void ant_fe_build_treadmill(uint8_t cadence, uint8_t neg_vert_raw,
			    uint8_t pos_vert_raw, bool neg_valid,
			    bool pos_valid, enum ant_fe_state state,
			    uint8_t page[8])
{
	page[0] = ANT_FE_PAGE_TREADMILL;
	page[1] = 0xFF;
	page[2] = 0xFF;
	page[3] = 0xFF;
	page[4] = cadence;
	page[5] = neg_vert_raw;
	page[6] = pos_vert_raw;
	page[7] = (uint8_t) ((pos_valid ? 0x01 : 0) | (neg_valid ? 0x02 : 0) |
			     ((state & 0x07) << 4));
}
