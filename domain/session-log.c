/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One JSON Lines file per session, each line written and synced at once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "session-log.h"
#include "util.h"

struct session_log {
	int fd;
	char *path;
	struct json *j;
	char *pending;		/* whole lines waiting for the commit */
	size_t pending_len;
};

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

struct session_log *session_log_open(const char *state_dir, const char *path,
				     int *ret_err)
{
	struct session_log *log;
	char buf[4096];
	int r;

	if (!path) {
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);

		snprintf(buf, sizeof(buf), "%s/sessions", state_dir);
		r = mkdir_p(buf);
		if (r < 0) {
			*ret_err = r;
			return NULL;
		}
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		/* The pid keeps two sessions started in one second apart. */
		snprintf(buf, sizeof(buf), "%s/sessions/%s-%ld.jsonl",
			 state_dir, stamp, (long) getpid());
		path = buf;
	}

	log = paced_new0(struct session_log, 1);
	log->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log->fd < 0) {
		*ret_err = -errno;
		free(log);
		return NULL;
	}
	/* Held for the session: history_recover() leaves locked logs be. */
	(void) flock(log->fd, LOCK_EX | LOCK_NB);
	log->path = paced_strdup(path);
	log->j = json_new_buffer();
	return log;
}

const char *session_log_path(const struct session_log *log)
{
	return log->path;
}

struct json *session_log_begin(struct session_log *log, const char *event,
			       uint64_t mono_us)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp),
		 ".%03ldZ", ts.tv_nsec / 1000000);

	json_buffer_reset(log->j);
	json_object_begin(log->j);
	json_key(log->j, "t");
	json_string(log->j, stamp);
	json_key(log->j, "mono_us");
	json_uint(log->j, mono_us);
	json_key(log->j, "event");
	json_string(log->j, event);
	return log->j;
}

int session_log_write(struct session_log *log)
{
	const char *text;
	size_t len;
	int r;

	json_object_end(log->j);
	r = json_error(log->j);
	if (r < 0)
		return r;
	text = json_buffer(log->j, &len);
	log->pending = paced_realloc(log->pending, log->pending_len + len + 1);
	memcpy(log->pending + log->pending_len, text, len);
	log->pending[log->pending_len + len] = '\n';
	log->pending_len += len + 1;
	return 0;
}

int session_log_commit(struct session_log *log)
{
	size_t len = log->pending_len;
	ssize_t n;

	if (!len)
		return 0;
	log->pending_len = 0;
	/* One write(2) of whole lines: with O_APPEND nothing else lands in
	 * the middle, and a crash cuts at most the unsynced tail. */
	n = write(log->fd, log->pending, len);
	if (n < 0)
		return -errno;
	if ((size_t) n != len) {
		/* Keep the file line-parseable after a short write. */
		(void) !write(log->fd, "\n", 1);
		return -EIO;
	}
	if (fdatasync(log->fd) < 0)
		return -errno;
	return 0;
}

void session_log_close(struct session_log *log)
{
	if (!log)
		return;
	(void) session_log_commit(log);
	if (log->fd >= 0) {
		(void) fsync(log->fd);
		close(log->fd);
	}
	json_free(log->j);
	free(log->pending);
	free(log->path);
	free(log);
}
