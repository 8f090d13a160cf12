/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening files others can name: regular files only, never blocking. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "file.h"

/* 0 when fd is a regular file, else the error file_open_at() documents. */
static int check_regular(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode))
		return 0;
	return S_ISDIR(st.st_mode) ? -EISDIR : S_ISLNK(st.st_mode) ?
	       -ELOOP : -EBADFD;
}

int file_open_at(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd, r;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC, mode);
	if (fd < 0)
		/* A FIFO opened for writing with no reader (open(2)). */
		return errno == ENXIO ? -EBADFD : -errno;
	r = check_regular(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int file_open_read(const char *path)
{
	char proc[32];
	int pfd, fd, r;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	r = check_regular(pfd);
	if (r < 0) {
		close(pfd);
		return r;
	}
	/*
	 * Reopening through /proc/self/fd opens the inode the O_PATH
	 * descriptor holds, not whatever the path names by now (the way
	 * systemd's fd_reopen() does it). Without /proc mounted, the path
	 * is opened again and must still be the same file; only then can a
	 * swap in between reach open(2), which O_NONBLOCK keeps from
	 * blocking, and it is refused.
	 */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		struct stat a, b;

		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0 && (fstat(pfd, &a) < 0 || fstat(fd, &b) < 0 ||
				a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
			close(fd);
			close(pfd);
			return -ESTALE;
		}
	}
	r = fd < 0 ? -errno : 0;
	close(pfd);
	return r < 0 ? r : fd;
}

const char *file_strerror(int err)
{
	switch (-err) {
	case ELOOP:
		return "is a symbolic link, which is not followed here";
	case EISDIR:
		return "is a directory";
	case EBADFD:
		return "is not a regular file (a FIFO, socket or device)";
	case ESTALE:
		return "was replaced while it was being opened";
	default:
		return strerror(-err);
	}
}

/* The directory part of path, into buf. */
static int dir_of(const char *path, char *buf, size_t len)
{
	char copy[PATH_MAX];

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int) sizeof(copy) ||
	    snprintf(buf, len, "%s", dirname(copy)) >= (int) len)
		return -ENAMETOOLONG;
	return 0;
}

int file_replace_open(const char *path, char *tmp, size_t len)
{
	char dir[PATH_MAX], base[PATH_MAX];
	struct stat st;
	mode_t mask;
	int fd, r;

	/* Only a regular file is replaced: a rename over a device node, a
	 * FIFO or a link would replace that instead of writing a file. */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : S_ISLNK(st.st_mode) ?
		       -ELOOP : -EBADFD;
	r = dir_of(path, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (snprintf(base, sizeof(base), "%s", path) >= (int) sizeof(base) ||
	    snprintf(tmp, len, "%s/.%s.XXXXXX", dir, basename(base)) >=
	    (int) len)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0) {
		r = -errno;
		close(fd);
		(void) unlink(tmp);
		return r;
	}
	return fd;
}

int file_replace_commit(int fd, const char *tmp, const char *path, int err)
{
	char dir[PATH_MAX];
	int r = err, dfd;

	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void) unlink(tmp);
		return r;
	}
	if (dir_of(path, dir, sizeof(dir)) == 0) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void) fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}
