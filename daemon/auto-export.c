/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Automatic export: a finished session's files in STATE/exports/, as paced.conf asks. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "auto-export.h"
#include "log.h"

/* STATE/exports/, made once: the same mode as sessions/, whose data the
 * files carry. */
static int exports_dir(const char *state_dir, char *buf, size_t len)
{
	struct stat st;

	if ((size_t) snprintf(buf, len, "%s/exports", state_dir) >= len)
		return -ENAMETOOLONG;
	if (mkdir(buf, 0750) < 0 && errno != EEXIST)
		return -errno;
	/* Never through a link someone put there: export_log() refuses a
	 * link as the file, and the directory must not be one either. */
	if (lstat(buf, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* "DIR/2026-12-03T05-07-19.fit" for ".../sessions/2026-12-03T05-07-19.jsonl". */
static int out_path(const char *dir, const char *log_path,
		    enum export_format format, char *buf, size_t len)
{
	const char *base = strrchr(log_path, '/');
	const char *dot;
	size_t n;

	base = base ? base + 1 : log_path;
	dot = strrchr(base, '.');
	n = dot && dot != base ? (size_t) (dot - base) : strlen(base);
	if (!n)
		return -EINVAL;
	if ((size_t) snprintf(buf, len, "%s/%.*s.%s", dir, (int) n, base,
			      export_format_name(format)) >= len)
		return -ENAMETOOLONG;
	return 0;
}

unsigned auto_export(const char *state_dir, const char *log_path,
		     unsigned formats, auto_export_func_t done,
		     void *user_data)
{
	char dir[PATH_MAX], path[PATH_MAX], why[600];
	unsigned failed = 0;
	int dir_err = exports_dir(state_dir, dir, sizeof(dir));

	for (int f = EXPORT_FIT; f <= EXPORT_CSV; f++) {
		enum export_format format = (enum export_format) f;
		struct export_error err = { 0 };
		int r;

		if (!(formats & AUTO_EXPORT_BIT(format)))
			continue;
		if (dir_err < 0) {
			snprintf(why, sizeof(why), "%s/exports: %s", state_dir,
				 strerror(-dir_err));
		} else if ((r = out_path(dir, log_path, format, path,
					 sizeof(path))) < 0) {
			snprintf(why, sizeof(why), "%s: %s", log_path,
				 strerror(-r));
		} else if (export_log(log_path, format, path, NULL, &err) < 0) {
			snprintf(why, sizeof(why), "%s", err.text);
		} else {
			log_info("session exported to %s", path);
			if (done)
				done(format, path, NULL, user_data);
			continue;
		}
		failed++;
		log_err("automatic %s export of %s failed: %s; the session and its history are kept as they are",
			export_format_name(format), log_path, why);
		if (done)
			done(format, NULL, why, user_data);
	}
	return failed;
}
