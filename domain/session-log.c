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
#include <sys/statvfs.h>

#include "clock.h"
#include "file.h"
#include "session-log.h"
#include "util.h"

/* What the file's lines are, for choosing which to give up first. */
struct line {
	size_t len;		/* with its newline */
	bool sample;		/* a periodic "sample": expendable */
};

struct session_log {
	int fd;
	char *path;
	struct json *j;
	bool building_sample;	/* the line being built is a "sample" */
	/*
	 * Whole lines not in the file yet: queued since the last commit,
	 * and those a failed commit kept (at most SESSION_LOG_PENDING_MAX
	 * bytes). text holds them back to back, lines[] their lengths.
	 */
	char *text;
	size_t text_len;
	struct line *lines;
	size_t n_lines;
	bool torn;		/* the file ends in part of a line */
	struct session_log_state state;
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

int session_log_lock_state(const char *state_dir, const char *what,
			   char *holder, size_t holder_len)
{
	char line[96];
	ssize_t n;
	int dfd, fd, r;

	if (holder_len)
		holder[0] = '\0';
	r = mkdir_p(state_dir);
	if (r < 0)
		return r;
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* Never through a link: lib/file.h, as every state file. */
	fd = file_open_at(dfd, "lock", O_RDWR | O_CREAT, 0640);
	close(dfd);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		n = pread(fd, holder, holder_len ? holder_len - 1 : 0, 0);
		if (n > 0) {
			holder[n] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
		}
		close(fd);
		return r;
	}
	n = snprintf(line, sizeof(line), "%ld %s\n", (long) getpid(), what);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t) n, 0) != n) {
		r = -errno;
		close(fd);
		return r ? r : -EIO;
	}
	return fd;
}

/*
 * The directory the log goes in: path's, or STATE_DIR/sessions. Those
 * two are the administrator's (or the user's) choice and may be reached
 * through symbolic links; sessions/ inside is paced's own and must be a
 * real directory, so a link planted there cannot send logs (or crash
 * recovery's appends, history.c) anywhere else.
 */
static int open_dir(const char *state_dir, const char *path)
{
	const char *slash;
	char dir[4096];
	int dfd, sfd;

	if (path) {
		slash = strrchr(path, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == path)
			snprintf(dir, sizeof(dir), "/");
		else if ((size_t) (slash - path) < sizeof(dir))
			snprintf(dir, sizeof(dir), "%.*s",
				 (int) (slash - path), path);
		else
			return -ENAMETOOLONG;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return dfd < 0 ? -errno : dfd;
	}
	dfd = mkdir_p(state_dir);
	if (dfd < 0)
		return dfd;
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (mkdirat(dfd, "sessions", 0750) < 0 && errno != EEXIST) {
		sfd = -errno;
	} else {
		sfd = openat(dfd, "sessions", O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0)
			sfd = errno == ENOTDIR || errno == ELOOP ? -ENOTDIR :
			      -errno;
	}
	close(dfd);
	return sfd;
}

/*
 * SESSION_LOG_RESERVE bytes past the end of the file, without changing
 * its size (FALLOC_FL_KEEP_SIZE: posix_fallocate(3) would grow the file
 * with NUL bytes, which are not JSON lines). A file system without
 * fallocate(2) (some network and FUSE file systems) gets a check of its
 * free space instead: no reservation, but a full disk still refuses.
 */
static int reserve(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);	/* --log: appended to */
	struct statvfs sv;

	if (end < 0)
		return -errno;
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, end, SESSION_LOG_RESERVE) == 0)
		return 0;
	if (errno != EOPNOTSUPP)
		return -errno;
	if (fstatvfs(fd, &sv) < 0)
		return -errno;
	if ((unsigned long long) sv.f_bavail * sv.f_frsize < SESSION_LOG_RESERVE)
		return -ENOSPC;
	return 0;
}

struct session_log *session_log_open(const char *state_dir, const char *path,
				     int *ret_err)
{
	struct session_log *log;
	char buf[4096], name[64];
	bool created = true;
	int dfd, fd = -1, r;

	dfd = open_dir(state_dir, path);
	if (dfd < 0) {
		*ret_err = dfd;
		return NULL;
	}
	if (!path) {
		time_t now = time(NULL);
		size_t n;
		struct tm tm;

		/*
		 * Named after the start; the pid keeps two services apart,
		 * and a suffix two sessions started in one second. A new
		 * file: a name already taken is never appended to.
		 */
		gmtime_r(&now, &tm);
		n = strftime(name, sizeof(name), "%Y%m%dT%H%M%SZ", &tm);
		for (int i = 1; i <= 100; i++) {
			snprintf(name + n, sizeof(name) - n, i == 1 ?
				 "-%ld.jsonl" : "-%ld-%d.jsonl",
				 (long) getpid(), i);
			fd = file_open_at(dfd, name, O_WRONLY | O_APPEND |
					  O_CREAT | O_EXCL, 0640);
			if (fd != -EEXIST)
				break;
		}
		snprintf(buf, sizeof(buf), "%s/sessions/%s", state_dir, name);
		path = name;
	} else {
		/* --log FILE: a new file, or lines appended to an existing
		 * one; never through a symbolic link, never a FIFO. */
		snprintf(buf, sizeof(buf), "%s", path);
		path = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		fd = file_open_at(dfd, path, O_WRONLY | O_APPEND | O_CREAT |
				  O_EXCL, 0640);
		if (fd == -EEXIST) {
			created = false;
			fd = file_open_at(dfd, path, O_WRONLY | O_APPEND, 0);
		}
	}
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	/* A session whose log cannot be written does not start. */
	r = reserve(fd);
	if (r < 0)
		goto fail;

	log = paced_new0(struct session_log, 1);
	log->fd = fd;
	/* Held for the session: history_recover() leaves locked logs be. */
	(void) flock(log->fd, LOCK_EX | LOCK_NB);
	log->path = paced_strdup(buf);
	log->j = json_new_buffer();
	close(dfd);
	return log;

fail:
	if (fd >= 0) {
		close(fd);
		if (created)
			(void) unlinkat(dfd, path, 0);
	}
	close(dfd);
	*ret_err = r;
	return NULL;
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

	log->building_sample = !strcmp(event, "sample");
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

/* Forget line i of the queue (counted as lost). */
static void drop_line(struct session_log *log, size_t i)
{
	size_t off = 0;

	for (size_t k = 0; k < i; k++)
		off += log->lines[k].len;
	log->state.lines_lost++;
	log->state.bytes_lost += log->lines[i].len;
	memmove(log->text + off, log->text + off + log->lines[i].len,
		log->text_len - off - log->lines[i].len);
	log->text_len -= log->lines[i].len;
	memmove(&log->lines[i], &log->lines[i + 1],
		(log->n_lines - i - 1) * sizeof(*log->lines));
	log->n_lines--;
}

/*
 * Keep the queue within SESSION_LOG_PENDING_MAX: samples go first,
 * oldest first, for they only repeat what the belt did; then the oldest
 * lines. What a person did (a press, a pause) is the last thing lost.
 */
static void bound_queue(struct session_log *log)
{
	size_t i = 0;

	while (log->text_len > SESSION_LOG_PENDING_MAX && i < log->n_lines) {
		if (log->lines[i].sample)
			drop_line(log, i);
		else
			i++;
	}
	while (log->text_len > SESSION_LOG_PENDING_MAX && log->n_lines)
		drop_line(log, 0);
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
	log->text = paced_realloc(log->text, log->text_len + len + 1);
	memcpy(log->text + log->text_len, text, len);
	log->text[log->text_len + len] = '\n';
	log->text_len += len + 1;
	log->lines = paced_realloc(log->lines,
				   (log->n_lines + 1) * sizeof(*log->lines));
	log->lines[log->n_lines].len = len + 1;
	log->lines[log->n_lines].sample = log->building_sample;
	log->n_lines++;
	bound_queue(log);
	return 0;
}

/* The first n lines reached the file: take them off the queue. */
static void written(struct session_log *log, size_t n)
{
	size_t bytes = 0;

	for (size_t k = 0; k < n; k++)
		bytes += log->lines[k].len;
	memmove(log->text, log->text + bytes, log->text_len - bytes);
	log->text_len -= bytes;
	memmove(log->lines, log->lines + n,
		(log->n_lines - n) * sizeof(*log->lines));
	log->n_lines -= n;
}

static int failed(struct session_log *log, int err)
{
	if (!log->state.error)
		log->state.failing_since_us = clock_monotonic_us();
	log->state.error = err;
	return err;
}

int session_log_commit(struct session_log *log)
{
	size_t whole = 0, bytes = 0;
	struct stat st;
	ssize_t n;

	if (log->torn) {
		/* A torn line could not be cut off: end it, so ours start
		 * on a line of their own (readers skip the torn one). */
		if (write(log->fd, "\n", 1) != 1)
			return failed(log, errno ? -errno : -ENOSPC);
		log->torn = false;
	}
	if (!log->text_len) {
		if (!log->state.error)
			return 0;
		/* Only a sync failed last time: try it again. */
		if (fdatasync(log->fd) < 0)
			return failed(log, -errno);
		log->state.error = 0;
		log->state.failing_since_us = 0;
		return 0;
	}
	/* One write(2) of whole lines: with O_APPEND nothing else lands in
	 * the middle, and a crash cuts at most the unsynced tail. */
	errno = 0;
	n = write(log->fd, log->text, log->text_len);
	if (n < 0)
		return failed(log, -errno);
	if ((size_t) n < log->text_len) {
		/*
		 * A full disk part way: keep the lines that made it whole,
		 * cut the torn one off the file and keep it and the rest for
		 * the next commit, so each line lands exactly once.
		 */
		while (bytes + log->lines[whole].len <= (size_t) n)
			bytes += log->lines[whole++].len;
		written(log, whole);
		if (bytes < (size_t) n &&
		    (fstat(log->fd, &st) < 0 ||
		     ftruncate(log->fd, st.st_size - (n - (ssize_t) bytes)) < 0))
			log->torn = true;
		return failed(log, -ENOSPC);
	}
	written(log, log->n_lines);
	/* The lines are in the file whatever fdatasync(2) says: an error
	 * here is reported, and they are not written twice. */
	if (fdatasync(log->fd) < 0)
		return failed(log, -errno);
	log->state.error = 0;
	log->state.failing_since_us = 0;
	return 0;
}

void session_log_get_state(const struct session_log *log,
			   struct session_log_state *ret_state)
{
	*ret_state = log->state;
	ret_state->lines_pending = log->n_lines;
	ret_state->bytes_pending = log->text_len;
}

void session_log_close(struct session_log *log)
{
	if (!log)
		return;
	(void) session_log_commit(log);
	if (log->fd >= 0) {
		struct stat st;

		/* Give back what the reservation did not use: truncating
		 * to the size frees the blocks kept past it. */
		if (fstat(log->fd, &st) == 0)
			(void) !ftruncate(log->fd, st.st_size);
		(void) fsync(log->fd);
		close(log->fd);
	}
	json_free(log->j);
	free(log->text);
	free(log->lines);
	free(log->path);
	free(log);
}
