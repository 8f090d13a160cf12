/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CSV export: one row a second, for a spreadsheet or a physiotherapist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "util.h"

/*
 * RFC 4180: a header row, records ending in CRLF, a field quoted when it
 * holds a comma, a quote, CR or LF, a quote inside doubled. Numbers use a
 * decimal point whatever the locale (written digit by digit, not with
 * printf's %f). The "events" column lists what happened since the row
 * before: presses (with what the scale-back did), pauses and resumes.
 */
static const char header[] =
	"time,session_s,elapsed_s,lap,phase,pace,target_kmh,belt_kmh,"
	"speed_source,incline_pct,heart_rate_bpm,distance_m,presses,events\r\n";

static void field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *source_name(uint8_t src)
{
	switch ((enum export_speed_source) src) {
	case EXPORT_SPEED_COMMAND:
		return "command";
	case EXPORT_SPEED_SAMPLE:
		return "sample";
	case EXPORT_SPEED_NONE:
		break;
	}
	return "";
}

/* The events of one row: marks up to its time (or all that are left, on
 * the last row), joined with "; ". */
static void events(FILE *f, const struct export_timeline *tl, size_t *m,
		   uint64_t until_ms, bool last)
{
	char all[1024] = "", one[256];
	size_t n = 0;

	for (; *m < tl->n_marks &&
	       (last || tl->marks[*m].elapsed_ms <= until_ms); (*m)++) {
		export_mark_text(&tl->marks[*m], one, sizeof(one));
		if (n < sizeof(all))
			n += (size_t) snprintf(all + n, sizeof(all) - n, "%s%s",
					       n ? "; " : "", one);
	}
	field(f, all);
}

int export_write_csv(const struct export_timeline *tl, uint8_t **ret_buf,
		     size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, m = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -errno;
	fputs(header, f);
	for (size_t i = 0; i < tl->n_sec; i++) {
		const struct export_second *s = &tl->sec[i];
		const struct export_lap *lap = &tl->laps[s->lap];
		char t[32];
		int16_t inc = s->incline;

		export_utc(tl->start_unix_ms / 1000 * 1000 +
			   (int64_t) s->elapsed_s * 1000, t, sizeof(t));
		fprintf(f, "%s,%u,%u,%u,", t, s->plan_s, s->elapsed_s, s->lap + 1);
		field(f, lap->phase);
		fputc(',', f);
		field(f, lap->pace);
		fprintf(f, ",%u.%02u,%u.%02u,%s,%s%d.%d,", s->target_speed / 100,
			s->target_speed % 100, s->belt_speed / 100,
			s->belt_speed % 100, source_name(s->speed_source),
			inc < 0 ? "-" : "", abs(inc) / 10, abs(inc) % 10);
		if (s->heart_rate)
			fprintf(f, "%u", s->heart_rate);
		fprintf(f, ",%u.%02u,%u,", s->distance_cm / 100,
			s->distance_cm % 100, s->presses);
		events(f, tl, &m, (uint64_t) s->elapsed_s * 1000,
		       i + 1 == tl->n_sec);
		fputs("\r\n", f);
	}
	return export_memstream_finish(f, &buf, &len, ret_buf, ret_len);
}
