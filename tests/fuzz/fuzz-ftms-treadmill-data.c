/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Treadmill Data decoder, encoder and record assembler. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Beyond "no crash": the decoder's invariants. A field is never both
 * present and missing; a frame without cut fields re-encodes (km/h) to
 * the bytes it came from, minus any trailing bytes.
 */
static void check_frame(const uint8_t *data, size_t size)
{
	struct ftms_treadmill_data td, again;
	uint8_t buf[FTMS_TD_MAX_LEN];
	int n;

	if (ftms_decode_treadmill_data(data, size, FTMS_WIRE_UNIT_MPH, &td) < 0
	    && size >= 2)
		abort();
	if (ftms_decode_treadmill_data(data, size, FTMS_WIRE_UNIT_KMH, &td) < 0)
		return;
	if (td.present & td.missing)
		abort();
	if (td.missing || (td.flags & 0xc000))
		return;
	n = ftms_encode_treadmill_data(&td, FTMS_WIRE_UNIT_KMH, buf,
				       sizeof(buf));
	if (n < 0)
		abort();
	if ((size_t) n + td.trailing != size)
		abort();
	/* 0x7FFF and 0xFFFF elevation sentinels both survive unchanged. */
	if (memcmp(buf, data, (size_t) n))
		abort();
	if (ftms_decode_treadmill_data(buf, (size_t) n, FTMS_WIRE_UNIT_KMH,
				       &again) < 0 ||
	    again.present != td.present)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_assembler a;
	struct ftms_treadmill_data rec;
	size_t off = 1;

	check_frame(data, size);

	/* The first byte chooses where the rest is split into parts. */
	if (size < 1)
		return 0;
	ftms_assembler_init(&a, FTMS_WIRE_UNIT_KMH);
	while (off < size) {
		size_t part = 1 + (data[0] + off) % 21;

		if (part > size - off)
			part = size - off;
		(void) ftms_assembler_feed(&a, data + off, part, &rec);
		if (ftms_assembler_pending(&a) &&
		    a.parts > FTMS_ASSEMBLER_MAX_PARTS)
			abort();
		off += part;
		if (data[0] & 0x80)
			ftms_assembler_reset(&a);
	}
	return 0;
}
