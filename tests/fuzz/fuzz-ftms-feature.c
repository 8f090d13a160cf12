/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Fitness Machine Feature decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_feature f;
	uint8_t buf[FTMS_FEATURE_LEN];

	if (ftms_decode_feature(data, size, &f) < 0)
		return 0;
	for (unsigned int b = 0; b < 32; b++) {
		(void) ftms_feature_name(b);
		(void) ftms_target_feature_name(b);
	}
	if (ftms_encode_feature(&f, buf, sizeof(buf)) != FTMS_FEATURE_LEN ||
	    memcmp(buf, data, sizeof(buf)))
		abort();
	return 0;
}
