/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether a plugin file may be loaded: nobody but root or paced could have put it there. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "plugin-trust.h"

/* As the kernel's limit on links followed in one lookup (path_resolution(7)). */
#define MAX_LINKS 40

struct walk {
	char todo[2 * PATH_MAX];	/* components still to walk */
	char where[PATH_MAX];		/* the directory walked to, for messages */
	int dirfd;			/* O_PATH, that directory */
	char *why;
	size_t len;
};

static int untrusted(struct walk *w, const char *name, const char *what,
		     const struct stat *st)
{
	snprintf(w->why, w->len, "%s%s%s %s (mode %04o, owner uid %u)",
		 w->where, strcmp(w->where, "/") && *name ? "/" : "", name,
		 what, (unsigned) (st->st_mode & 07777), (unsigned) st->st_uid);
	return -EPERM;
}

/*
 * Owned by root or us, and writable by nobody else; a sticky directory
 * above the plugin's own may be writable by others (see the header).
 */
static int check(struct walk *w, const char *name, const struct stat *st,
		 bool sticky_ok)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return untrusted(w, name, "is owned by neither root nor paced's user", st);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(sticky_ok && (st->st_mode & S_ISVTX)))
		return untrusted(w, name, st->st_mode & S_IWOTH ?
				 "is writable by others" :
				 "is writable by its group", st);
	return 0;
}

static int failed(struct walk *w, const char *name, int err)
{
	snprintf(w->why, w->len, "%s%s%s: %s", w->where,
		 strcmp(w->where, "/") && *name ? "/" : "", name,
		 strerror(-err));
	return err;
}

/* Move into directory name (O_PATH, no link followed) and check it. */
static int enter(struct walk *w, const char *name)
{
	struct stat st;
	size_t n = strlen(w->where);
	int fd, r;

	fd = openat(w->dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return failed(w, name, -errno);
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return failed(w, name, r);
	}
	r = check(w, name, &st, true);
	if (r < 0) {
		close(fd);
		return r;
	}
	close(w->dirfd);
	w->dirfd = fd;
	if (!strcmp(name, "..")) {
		char *slash = strrchr(w->where, '/');

		if (slash && slash != w->where)
			*slash = '\0';
		else
			snprintf(w->where, sizeof(w->where), "/");
	} else {
		snprintf(w->where + n, sizeof(w->where) - n, "%s%s",
			 n > 1 ? "/" : "", name);
	}
	return 0;
}

/* Start again at / (an absolute path or link target). */
static int at_root(struct walk *w)
{
	struct stat st;
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = fd;
	snprintf(w->where, sizeof(w->where), "/");
	if (fstat(fd, &st) < 0)
		return failed(w, "", -errno);
	return check(w, "", &st, true);
}

static int walk(struct walk *w)
{
	char name[NAME_MAX + 1], target[PATH_MAX];
	unsigned links = 0;
	int r;

	r = at_root(w);
	while (r == 0) {
		char *p = w->todo, *end;
		struct stat st;
		size_t n;
		ssize_t t;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t) (end - p);
		if (!n)
			return failed(w, "", -EISDIR);
		if (n > NAME_MAX)
			return failed(w, "", -ENAMETOOLONG);
		memcpy(name, p, n);
		name[n] = '\0';
		while (*end == '/')
			end++;
		memmove(w->todo, end, strlen(end) + 1);

		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			r = enter(w, name);
			continue;
		}
		if (fstatat(w->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return failed(w, name, -errno);
		if (S_ISLNK(st.st_mode)) {
			/* Only whoever may write this directory (checked)
			 * could change the link: follow it. */
			if (++links > MAX_LINKS)
				return failed(w, name, -ELOOP);
			t = readlinkat(w->dirfd, name, target,
				       sizeof(target) - 1);
			if (t < 0)
				return failed(w, name, -errno);
			target[t] = '\0';
			if (strlen(target) + 1 + strlen(w->todo) >=
			    sizeof(w->todo))
				return failed(w, name, -ENAMETOOLONG);
			memmove(w->todo + t + 1, w->todo, strlen(w->todo) + 1);
			memcpy(w->todo, target, (size_t) t);
			w->todo[t] = w->todo[t + 1] ? '/' : '\0';
			if (target[0] == '/')
				r = at_root(w);
			continue;
		}
		if (*w->todo) {
			if (!S_ISDIR(st.st_mode))
				return failed(w, name, -ENOTDIR);
			r = enter(w, name);
			continue;
		}
		/* The plugin itself, and its own directory, strictly. */
		if (!S_ISREG(st.st_mode))
			return failed(w, name, S_ISDIR(st.st_mode) ? -EISDIR :
				      -EBADFD);
		r = check(w, name, &st, false);
		if (r < 0)
			return r;
		if (fstat(w->dirfd, &st) < 0)
			return failed(w, "", -errno);
		return check(w, "", &st, false);
	}
	return r;
}

int plugin_trust_check(const char *path, char *why, size_t len)
{
	struct walk w = { .dirfd = -1, .why = why, .len = len };
	int r;

	if (!path || !*path) {
		snprintf(why, len, "no plugin path");
		return -EINVAL;
	}
	if (strlen(path) >= PATH_MAX) {
		snprintf(why, len, "%.64s...: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* A relative path starts where we are: that way is checked too. */
	if (path[0] != '/' && !getcwd(w.todo, PATH_MAX)) {
		r = -errno;
		snprintf(why, len, "%s: %s", path, strerror(-r));
		return r;
	}
	snprintf(w.todo + strlen(w.todo), sizeof(w.todo) - strlen(w.todo),
		 "/%s", path);
	r = walk(&w);
	if (w.dirfd >= 0)
		close(w.dirfd);
	return r;
}
