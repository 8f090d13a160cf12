/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session exports: a log in, a FIT, TCX or CSV file out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "export.h"
#include "file.h"
#include "util.h"

static const char *const format_names[] = {
	[EXPORT_FIT] = "fit",
	[EXPORT_TCX] = "tcx",
	[EXPORT_CSV] = "csv",
};

const char *export_format_name(enum export_format format)
{
	if ((size_t) format >= ARRAY_SIZE(format_names))
		return "?";
	return format_names[format];
}

int export_format_from_name(const char *name, enum export_format *ret_format)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
		if (name && !strcmp(name, format_names[i])) {
			*ret_format = (enum export_format) i;
			return 0;
		}
	return -EINVAL;
}

void export_utc(int64_t unix_ms, char *buf, size_t len)
{
	time_t t = (time_t) (unix_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void export_mark_text(const struct export_mark *m, char *buf, size_t len)
{
	switch (m->kind) {
	case EXPORT_MARK_PRESS:
		if (!m->press)
			snprintf(buf, len, "symptom press (%s), debounced", m->what);
		else
			snprintf(buf, len, "symptom press %u (%s)%s%s", m->press,
				 m->what, m->effect[0] ? ": " : "", m->effect);
		return;
	case EXPORT_MARK_PAUSE:
		snprintf(buf, len, "pause (%s)", m->what);
		return;
	case EXPORT_MARK_RESUME:
		snprintf(buf, len, "resume");
		return;
	}
	snprintf(buf, len, "?");
}

int export_memstream_finish(FILE *f, char **buf, size_t *len,
			    uint8_t **ret_buf, size_t *ret_len)
{
	int r = ferror(f) ? -ENOMEM : 0;

	/* fclose() writes the final buffer and length back to *buf, *len. */
	if (fclose(f) != 0 && !r)
		r = -ENOMEM;
	if (r < 0) {
		free(*buf);
		return r;
	}
	*ret_buf = (uint8_t *) *buf;
	*ret_len = *len;
	return 0;
}

int export_write(const struct export_timeline *tl, enum export_format format,
		 long tz_offset_s, uint8_t **ret_buf, size_t *ret_len)
{
	switch (format) {
	case EXPORT_FIT:
		return export_write_fit(tl, tz_offset_s, ret_buf, ret_len);
	case EXPORT_TCX:
		return export_write_tcx(tl, ret_buf, ret_len);
	case EXPORT_CSV:
		return export_write_csv(tl, ret_buf, ret_len);
	}
	return -EINVAL;
}

static void error(struct export_error *err, unsigned line, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

static void error(struct export_error *err, unsigned line, const char *fmt,
		  ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* The local time's offset from UTC at t (FIT's local_timestamp). */
static long tz_offset(int64_t unix_ms)
{
	time_t t = (time_t) (unix_ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return tm.tm_gmtoff;
}

int export_log_buffer(const char *log_path, enum export_format format,
		      uint8_t **ret_buf, size_t *ret_len,
		      struct export_info *ret_info,
		      struct export_error *ret_err)
{
	struct session_read_error rerr;
	struct session_read *log = NULL;
	struct export_timeline *tl = NULL;
	int r;

	r = session_read_file(log_path, &log, &rerr);
	if (r == 0)
		r = export_timeline_build(log, &tl, &rerr);
	if (r < 0) {
		error(ret_err, rerr.line, "%s", rerr.text);
		session_read_free(log);
		return r;
	}
	r = export_write(tl, format, tz_offset(tl->start_unix_ms), ret_buf,
			 ret_len);
	if (r < 0)
		error(ret_err, 0, "%s: cannot write %s: %s", log_path,
		      export_format_name(format), strerror(-r));
	else if (ret_info)
		*ret_info = (struct export_info) {
			.torn_line = log->torn_line,
			.skipped = log->skipped,
			.treadmill_distance = tl->treadmill_distance,
			.distance_agree = tl->distance_agree,
			.distance_cm = tl->distance_cm,
			.integral_cm = tl->integral_cm,
			.plan_s = tl->plan_ms / 1000,
			.elapsed_s = tl->elapsed_ms / 1000,
			.laps = tl->n_laps,
			.seconds = tl->n_sec,
			.presses = tl->presses,
			.bytes = *ret_len,
		};
	export_timeline_free(tl);
	session_read_free(log);
	return r;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t) n;
	}
	return 0;
}

/* Replace path with buf, whole or not at all (lib/file.h). */
static int replace_file(const char *path, const uint8_t *buf, size_t len)
{
	char tmp[PATH_MAX];
	int fd = file_replace_open(path, tmp, sizeof(tmp));

	if (fd < 0)
		return fd;
	return file_replace_commit(fd, tmp, path, write_all(fd, buf, len));
}

int export_log(const char *log_path, enum export_format format,
	       const char *out_path, struct export_info *ret_info,
	       struct export_error *ret_err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	r = export_log_buffer(log_path, format, &buf, &len, ret_info, ret_err);
	if (r < 0)
		return r;
	if (!strcmp(out_path, "-")) {
		r = write_all(STDOUT_FILENO, buf, len);
		if (r < 0)
			error(ret_err, 0, "standard output: %s", strerror(-r));
	} else {
		r = replace_file(out_path, buf, len);
		if (r < 0)
			error(ret_err, 0, "%s: %s", out_path, strerror(-r));
	}
	free(buf);
	return r;
}
