/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: Training Status decoder and the JSON string escaper. */
#include <stdint.h>
#include <stdlib.h>

#include "ftms.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ftms_training_status ts;
	struct json *j;

	if (ftms_decode_training_status(data, size, &ts) < 0)
		return 0;
	if (ts.string && (ts.string < data + 2 ||
			  ts.string + ts.string_len != data + size))
		abort();
	/* The string is peer bytes: it must come out as valid JSON. */
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, ftms_training_status_name(ts.status));
	json_key(j, "string");
	json_string_len(j, (const char *) ts.string, ts.string_len);
	json_object_end(j);
	if (json_free(j) < 0)
		abort();
	return 0;
}
