/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Session history: one summary line per session, read back for progression. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "file.h"
#include "history.h"
#include "json.h"
#include "util.h"

#define LINE_MAX_LEN 4096

const char *history_default_state_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (access(STATEDIR, W_OK) == 0)
		return STATEDIR;
	if (xdg && *xdg)
		snprintf(buf, len, "%s/paced", xdg);
	else
		snprintf(buf, len, "%s/.local/state/paced", home ? home : ".");
	return buf;
}

/* ---- reading our own lines ---- */

/* Position just after "key": at top level, or NULL. A match inside a
 * string value is preceded by a backslash (our writer escapes quotes). */
static const char *find_key(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strchr(p, '"'))) {
		if (p > line && p[-1] != '\\' &&
		    (p[-1] == '{' || p[-1] == ',') &&
		    !strncmp(p + 1, key, klen) && p[1 + klen] == '"' &&
		    p[2 + klen] == ':')
			return p + 3 + klen;
		p++;
	}
	return NULL;
}

bool json_line_string(const char *line, const char *key, char *buf,
		      size_t len)
{
	const char *p = find_key(line, key);
	size_t n = 0;

	if (!p || *p != '"' || !len)
		return false;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n + 1 < len)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	return *p == '"';
}

bool json_line_int(const char *line, const char *key, int64_t *ret)
{
	const char *p = find_key(line, key);
	char *end;
	long long v;

	if (!p)
		return false;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || end == p)
		return false;
	*ret = v;
	return true;
}

bool json_line_bool(const char *line, const char *key, bool *ret)
{
	const char *p = find_key(line, key);

	if (p && !strncmp(p, "true", 4)) {
		*ret = true;
		return true;
	}
	if (p && !strncmp(p, "false", 5)) {
		*ret = false;
		return true;
	}
	return false;
}

/* ---- history.jsonl ---- */

static const char *type_name(enum session_entry type)
{
	switch (type) {
	case SESSION_RUN:
		return "run";
	case SESSION_PRECHECK:
		return "precheck";
	case SESSION_CLEARED:
		return "cleared";
	}
	return "run";
}

/*
 * Append to name in dirfd and sync. State files are paced's own: never
 * through a symbolic link someone planted there, never a FIFO that would
 * hang start-up (lib/file.h).
 */
static int append_line(int dirfd, const char *name, const char *text,
		       size_t len)
{
	int fd = file_open_at(dirfd, name, O_WRONLY | O_CREAT | O_APPEND,
			      0640);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return fd;
	n = write(fd, text, len);
	if (n < 0)
		r = -errno;
	else if ((size_t) n != len)
		r = -EIO;
	else if (fdatasync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int history_append(const char *state_dir, const struct history_entry *e)
{
	struct json *j = json_new_buffer();
	const char *text;
	char *line;
	size_t len;
	int dfd, r;

	json_object_begin(j);
	json_key(j, "when_s");
	json_int(j, e->when_s);
	json_key(j, "type");
	json_string(j, type_name(e->type));
	json_key(j, "programme");
	json_string(j, e->programme);
	json_key(j, "stage");
	json_string(j, e->stage);
	json_key(j, "profile");
	json_string(j, e->profile);
	json_key(j, "presses");
	json_uint(j, e->presses);
	json_key(j, "completed");
	json_bool(j, e->completed);
	json_key(j, "outcome");
	json_string(j, e->outcome);
	json_key(j, "log");
	json_string(j, e->log);
	json_object_end(j);
	r = json_error(j);
	if (r < 0) {
		json_free(j);
		return r;
	}
	text = json_buffer(j, &len);
	line = paced_malloc(len + 1);
	memcpy(line, text, len);
	line[len] = '\n';
	json_free(j);

	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? -errno : append_line(dfd, "history.jsonl", line, len + 1);
	if (dfd >= 0)
		close(dfd);
	free(line);
	return r;
}

static bool parse_entry(const char *line, struct history_entry *e)
{
	char type[16];
	int64_t v;

	memset(e, 0, sizeof(*e));
	if (!json_line_string(line, "type", type, sizeof(type)) ||
	    !json_line_int(line, "when_s", &e->when_s))
		return false;
	if (!strcmp(type, "run"))
		e->type = SESSION_RUN;
	else if (!strcmp(type, "precheck"))
		e->type = SESSION_PRECHECK;
	else if (!strcmp(type, "cleared"))
		e->type = SESSION_CLEARED;
	else
		return false;
	json_line_string(line, "programme", e->programme, sizeof(e->programme));
	json_line_string(line, "stage", e->stage, sizeof(e->stage));
	json_line_string(line, "profile", e->profile, sizeof(e->profile));
	json_line_string(line, "outcome", e->outcome, sizeof(e->outcome));
	json_line_string(line, "log", e->log, sizeof(e->log));
	if (json_line_int(line, "presses", &v) && v >= 0 && v < 1000)
		e->presses = (unsigned) v;
	json_line_bool(line, "completed", &e->completed);
	return true;
}

long history_load(const char *state_dir, struct history_entry **ret_entries,
		  unsigned *ret_bad)
{
	struct history_entry *v = NULL;
	char path[4096], line[LINE_MAX_LEN];
	unsigned bad = 0;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/history.jsonl", state_dir);
	f = fopen(path, "re");
	if (!f && errno != ENOENT)
		return -errno;
	while (f && fgets(line, sizeof(line), f)) {
		struct history_entry e;

		if (!strchr(line, '\n') && !feof(f)) {
			/* Overlong: skip the rest of it. */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			bad++;
			continue;
		}
		if (!parse_entry(line, &e)) {
			bad++;
			continue;
		}
		v = paced_realloc(v, (n + 1) * sizeof(*v));
		v[n++] = e;
	}
	if (f)
		fclose(f);
	if (ret_bad)
		*ret_bad = bad;
	*ret_entries = v;
	return (long) n;
}

size_t history_summaries(const struct history_entry *e, size_t n,
			 const struct programme *prog,
			 struct session_summary *ret, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		struct session_summary s = { .type = e[i].type,
					     .when_s = e[i].when_s };

		if (e[i].type == SESSION_RUN) {
			long st;

			if (strcmp(e[i].programme, prog->path))
				continue;
			st = programme_find_stage(prog, e[i].stage);
			if (st < 0)
				continue;
			s.stage = (size_t) st;
			s.presses = e[i].presses;
			s.completed = e[i].completed;
		}
		ret[k++] = s;
	}
	return k;
}

/* ---- recovery ---- */

/* The end line, synced; then what the log reserved past its end
 * (session-log.c) is given back: the session will not need it. */
static int write_end(int fd, const char *text, size_t len)
{
	struct stat st;
	ssize_t n = write(fd, text, len);

	if (n < 0)
		return -errno;
	if ((size_t) n != len)
		return -EIO;
	if (fstat(fd, &st) == 0)
		(void) !ftruncate(fd, st.st_size);
	return fdatasync(fd) < 0 ? -errno : 0;
}

static int close_log(const char *state_dir, int dirfd, const char *name,
		     const char *path)
{
	char line[LINE_MAX_LEN], open_line[LINE_MAX_LEN] = "";
	bool ended = false, torn = false;
	struct history_entry e = { .type = SESSION_RUN };
	unsigned presses = 0;
	char end[512], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	struct json *j;
	const char *text;
	size_t len;
	FILE *f;
	int fd, r;

	/* Read and appended through one descriptor: what was checked is
	 * what gets the end line. */
	fd = file_open_at(dirfd, name, O_RDWR | O_APPEND, 0);
	if (fd < 0)
		return fd;
	/* A running session holds its log locked (session-log.c): skip it. */
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		close(fd);
		return 0;
	}
	r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	f = r < 0 ? NULL : fdopen(r, "r");
	if (!f) {
		int err = -errno;

		if (r >= 0)
			close(r);
		close(fd);
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		int64_t press;

		len = strlen(line);	/* 0 if a crash left NUL bytes */
		torn = !len || line[len - 1] != '\n';
		if (!open_line[0] && strstr(line, "\"event\":\"open\""))
			snprintf(open_line, sizeof(open_line), "%s", line);
		if (strstr(line, "\"event\":\"symptom\"") &&
		    json_line_int(line, "press", &press) && press > 0)
			presses = (unsigned) MAX((int64_t) presses, press);
		/* The stop's command and result lines follow the end line. */
		if (strstr(line, "\"event\":\"end\""))
			ended = true;
	}
	fclose(f);
	if (ended) {
		close(fd);
		return 0;
	}

	/* A crash may have cut the last line: start ours on a fresh one. */
	j = json_new_buffer();
	json_object_begin(j);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	json_key(j, "t");
	json_string(j, stamp);
	json_key(j, "event");
	json_string(j, "end");
	json_key(j, "outcome");
	json_string(j, "interrupted");
	json_key(j, "presses");
	json_uint(j, presses);
	json_object_end(j);
	text = json_buffer(j, &len);
	/* Only a cut line gets the newline: an empty line is not JSON. */
	snprintf(end, sizeof(end), "%s%s\n", torn ? "\n" : "", text);
	json_free(j);
	r = write_end(fd, end, strlen(end));
	close(fd);
	if (r < 0)
		return r;

	e.when_s = (int64_t) now;
	json_line_string(open_line, "programme", e.programme,
			 sizeof(e.programme));
	json_line_string(open_line, "stage", e.stage, sizeof(e.stage));
	json_line_string(open_line, "profile", e.profile, sizeof(e.profile));
	e.presses = presses;
	e.completed = false;
	snprintf(e.outcome, sizeof(e.outcome), "interrupted");
	snprintf(e.log, sizeof(e.log), "%.*s", (int) sizeof(e.log) - 1, path);
	r = history_append(state_dir, &e);
	return r < 0 ? r : 1;
}

int history_recover(const char *state_dir)
{
	char path[4096 + 256];
	struct dirent *d;
	int dfd, sfd, closed = 0;
	DIR *dp;

	/* sessions/ is paced's own: a symbolic link there is refused, so
	 * recovery never appends to files elsewhere (as session-log.c). */
	dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	sfd = openat(dfd, "sessions", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	close(dfd);
	if (sfd < 0)
		return errno == ENOENT ? 0 : errno == ELOOP ? -ENOTDIR : -errno;
	dp = fdopendir(sfd);
	if (!dp) {
		close(sfd);
		return -errno;
	}
	while ((d = readdir(dp))) {
		size_t n = strlen(d->d_name);
		int r;

		if (n < 7 || strcmp(d->d_name + n - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "%s/sessions/%s", state_dir,
			 d->d_name);
		r = close_log(state_dir, dirfd(dp), d->d_name, path);
		if (r > 0)
			closed++;
	}
	closedir(dp);
	return closed;
}
