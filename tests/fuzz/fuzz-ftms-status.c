/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Fitness Machine Status decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_machine_status st;
	uint8_t buf[32];
	int n;

	(void) ftms_decode_machine_status(data, size, FTMS_WIRE_UNIT_MPH, &st);
	if (ftms_decode_machine_status(data, size, FTMS_WIRE_UNIT_KMH, &st) < 0)
		return 0;
	if (!ftms_status_op_name(st.op))
		abort();
	/* The op and its parameter re-encode to the leading bytes. */
	n = ftms_encode_machine_status(&st, FTMS_WIRE_UNIT_KMH, buf,
				       sizeof(buf));
	if (n < 1 || (size_t) n > size || memcmp(buf, data, (size_t) n))
		abort();
	return 0;
}
