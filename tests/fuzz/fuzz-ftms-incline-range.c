/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Supported Inclination Range decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_incline_range r;
	uint8_t buf[FTMS_INCLINE_RANGE_LEN];

	if (ftms_decode_incline_range(data, size, &r) < 0)
		return 0;
	if (r.min > r.max)
		abort();
	if (ftms_encode_incline_range(&r, buf, sizeof(buf)) !=
	    FTMS_INCLINE_RANGE_LEN || memcmp(buf, data, sizeof(buf)))
		abort();
	return 0;
}
