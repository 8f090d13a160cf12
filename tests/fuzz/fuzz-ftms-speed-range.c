/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Supported Speed Range decoder, both wire units. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_speed_range r;
	uint8_t buf[FTMS_SPEED_RANGE_LEN];

	if (ftms_decode_speed_range(data, size, FTMS_WIRE_UNIT_MPH, &r) == 0 &&
	    r.min > r.max)
		abort();
	if (ftms_decode_speed_range(data, size, FTMS_WIRE_UNIT_KMH, &r) < 0)
		return 0;
	if (r.min > r.max)
		abort();
	if (ftms_encode_speed_range(&r, FTMS_WIRE_UNIT_KMH, buf, sizeof(buf))
	    != FTMS_SPEED_RANGE_LEN || memcmp(buf, data, sizeof(buf)))
		abort();
	return 0;
}
