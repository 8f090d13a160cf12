/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Control Point response indication decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_control_response resp;
	uint8_t buf[3 + FTMS_RESPONSE_MAX_PARAM];
	int n;

	if (ftms_decode_control_response(data, size, &resp) < 0)
		return 0;
	if (!ftms_result_name(resp.result))
		abort();
	(void) ftms_op_name(resp.request_op);
	n = ftms_encode_control_response(&resp, buf, sizeof(buf));
	if (n < 0 || (size_t) n != size || memcmp(buf, data, size))
		abort();
	return 0;
}
