/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: any bytes as a session log through the reader, the timeline and all three writers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fit.h"
#include "session-read.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever the log, the outcome is an error naming where, or files that
 * hold together: a FIT whose CRC checks, one CSV row a second. */
static void check_files(const struct export_timeline *tl)
{
	uint8_t *buf;
	size_t len, rows = 0;

	if (export_write(tl, EXPORT_FIT, 0, &buf, &len) == 0) {
		if (len < FIT_HEADER_SIZE + 2 || fit_crc(0, buf, len) != 0 ||
		    get_le32(buf + 4) != len - FIT_HEADER_SIZE - 2)
			abort();
		free(buf);
	}
	if (export_write(tl, EXPORT_TCX, 0, &buf, &len) == 0) {
		if (len < 100 || memchr(buf, '\0', len))
			abort();
		free(buf);
	}
	if (export_write(tl, EXPORT_CSV, 0, &buf, &len) == 0) {
		for (size_t i = 0; i < len; i++)
			rows += buf[i] == '\n';
		if (rows != tl->n_sec + 1)
			abort();
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session_read_error err;
	struct session_read *log = NULL;
	struct export_timeline *tl = NULL;

	err.text[0] = '\0';
	if (session_read_text("fuzz.jsonl", (const char *) data, size, &log,
			      &err) < 0) {
		/* A refusal always says which file, and the line if any. */
		if (strncmp(err.text, "fuzz.jsonl:", 11))
			abort();
		return 0;
	}
	if (export_timeline_build(log, &tl, &err) == 0) {
		/* The plan clock is the records' clock: one a second. */
		for (size_t i = 0; i < tl->n_sec; i++)
			if (tl->sec[i].plan_s != tl->sec[0].plan_s + i ||
			    tl->sec[i].lap >= tl->n_laps ||
			    (i && tl->sec[i].distance_cm < tl->sec[i - 1].distance_cm))
				abort();
		check_files(tl);
		export_timeline_free(tl);
	}
	session_read_free(log);
	return 0;
}
