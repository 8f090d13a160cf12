/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: any bytes through the JSON reader, and a walk of what it accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every value, so a bad link in the tree shows under ASan. */
static size_t walk(const struct json_value *v, unsigned depth)
{
	const struct json_value *c;
	size_t n = 1;
	double d;

	if (depth > JSON_READ_MAX_DEPTH + 1)
		abort();
	switch (json_value_type(v)) {
	case JSON_STRING:
		n += strlen(json_value_string(v));
		break;
	case JSON_NUMBER:
		if (!json_value_number(v, &d))
			abort();
		break;
	case JSON_OBJECT:
		for (c = json_first(v); c; c = json_next(c)) {
			if (json_get(v, json_member_key(c)) != c)
				abort();
			n += walk(c, depth + 1);
		}
		break;
	case JSON_ARRAY:
		for (c = json_first(v); c; c = json_next(c))
			n += walk(c, depth + 1);
		break;
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		break;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_read_error err;
	struct json_value *v = json_parse((const char *) data, size, &err);

	if (v) {
		(void) walk(v, 0);
		json_value_free(v);
	} else if (err.offset > size) {
		abort();
	}
	return 0;
}
