/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: ANT stream parser, message decoders and the FE accumulator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	struct ant_fe fe;
	size_t msgs;
};

static void on_msg(const struct ant_msg *msg, void *user_data)
{
	struct state *st = user_data;
	struct ant_channel_event ev;
	struct treadmill_data d;
	uint8_t buf[ANT_MAX_FRAME], page[8], ch, type, tt;
	uint16_t dev;
	int n;

	st->msgs++;
	if (msg->len > ANT_MAX_PAYLOAD)
		abort();
	/* Every delivered message re-encodes to a frame with a good
	 * checksum (the XOR over the whole frame is 0). */
	n = ant_build(msg->id, msg->payload, msg->len, buf, sizeof(buf));
	if (n != msg->len + ANT_FRAME_OVERHEAD || ant_checksum(buf, (size_t) n))
		abort();
	(void) ant_decode_channel_event(msg, &ev);
	(void) ant_decode_channel_id(msg, &ch, &dev, &type, &tt);
	if (ant_decode_data(msg, &ch, page) == 0) {
		(void) ant_fe_feed(&st->fe, page);
		if (ant_fe_to_treadmill_data(&st->fe, &d) == 0 &&
		    !(d.present & TREADMILL_DATA_SPEED))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ant_parser p, q;
	struct state st, st2;
	size_t cut = size ? data[0] % (size + 1) : 0;
	size_t a, b;

	/* Whole, then split at a data-chosen point: same messages. */
	ant_parser_init(&p);
	ant_fe_init(&st.fe);
	st.msgs = 0;
	a = ant_parser_feed(&p, data, size, on_msg, &st);
	if (p.len >= ANT_MAX_FRAME || a != st.msgs)
		abort();

	ant_parser_init(&q);
	ant_fe_init(&st2.fe);
	st2.msgs = 0;
	b = ant_parser_feed(&q, data, cut, on_msg, &st2);
	b += ant_parser_feed(&q, data + cut, size - cut, on_msg, &st2);
	if (a != b || memcmp(&st.fe, &st2.fe, sizeof(st.fe)))
		abort();
	return 0;
}
