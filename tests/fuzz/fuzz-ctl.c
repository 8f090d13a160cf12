/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: control-socket bytes through the line splitter and parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_linebuf lb = { 0 };
	size_t chunk;

	if (!size)
		return 0;
	/* The first byte picks how reads split the stream, as a slow or
	 * hostile client would. */
	chunk = 1 + data[0] % 64;
	data++;
	size--;
	while (size) {
		const char *p = (const char *) data;
		size_t n = chunk < size ? chunk : size, left = n;

		while (left) {
			const char *line, *err;
			struct ctl_request req;
			size_t len;

			if (ctl_linebuf_feed(&lb, &p, &left, &line, &len) !=
			    CTL_LINE_OK)
				continue;
			if (len >= CTL_LINE_MAX)
				abort();	/* the bound the server relies on */
			if (ctl_parse_request(line, len, &req, &err) == 0 &&
			    strlen(req.arg) >= CTL_ARG_MAX)
				abort();
		}
		data += n;
		size -= n;
	}
	if (lb.len >= CTL_LINE_MAX)
		abort();
	return 0;
}
