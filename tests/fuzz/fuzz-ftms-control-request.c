/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Control Point request decoder (the simulator's side). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_control_request req;
	uint8_t buf[32];
	int r, n;

	r = ftms_decode_control_request(data, size, FTMS_WIRE_UNIT_KMH, &req);
	if (r == 0) {
		/* An accepted request re-encodes to the same bytes. */
		n = ftms_encode_control_request(&req, FTMS_WIRE_UNIT_KMH, buf,
						sizeof(buf));
		if (n < 0 || (size_t) n != size || memcmp(buf, data, size))
			abort();
	} else if (r != -EBADMSG && r != -EINVAL && r != -EOPNOTSUPP) {
		abort();
	}
	(void) ftms_result_from_error(r);
	(void) ftms_decode_control_request(data, size, FTMS_WIRE_UNIT_MPH,
					   &req);
	return 0;
}
