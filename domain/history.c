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
#include "json-read.h"
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

/* ---- the old line scanner ---- */

/*
 * The history itself is typed with lib/json-read.h (history_parse_line());
 * only close_log() below still scans lines this way, until it moves to
 * lib/json-read.h too. Position just after "key": at top level, or NULL. A match inside a
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

const char *history_type_name(enum session_entry type)
{
	switch (type) {
	case SESSION_RUN:
		return "run";
	case SESSION_PRECHECK:
		return "precheck";
	case SESSION_CLEARED:
		return "cleared";
	case SESSION_CHECKIN:
		return "checkin";
	case SESSION_NEXT_DAY:
		return "next-day";
	}
	return "run";
}

void history_entry_init(struct history_entry *ret, enum session_entry type,
			int64_t when_s)
{
	memset(ret, 0, sizeof(*ret));
	ret->type = type;
	ret->when_s = when_s;
	checkin_init(&ret->checkin);
}

void history_format(struct json *j, const struct history_entry *e)
{
	json_object_begin(j);
	json_key(j, "when_s");
	json_int(j, e->when_s);
	json_key(j, "type");
	json_string(j, history_type_name(e->type));
	switch (e->type) {
	case SESSION_RUN:
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
		break;
	case SESSION_CHECKIN:
		for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
			char num[4];
			const char *v;

			if (k == CHECKIN_KEY_NEXT_DAY)
				continue;	/* a next-day entry of its own */
			v = checkin_get(&e->checkin, (enum checkin_key) k, num,
					sizeof(num));
			if (!v)
				continue;
			json_key(j, checkin_key_name((enum checkin_key) k));
			if (k == CHECKIN_KEY_PAIN)
				json_int(j, e->checkin.pain);
			else
				json_string(j, v);
		}
		break;
	case SESSION_NEXT_DAY:
		json_key(j, "about_s");
		json_int(j, e->about_s);
		json_key(j, "symptoms");
		json_bool(j, e->symptoms);
		break;
	case SESSION_PRECHECK:
		/* The one-button form: the programme it was asked for. */
		if (e->programme[0]) {
			json_key(j, "programme");
			json_string(j, e->programme);
		}
		break;
	case SESSION_CLEARED:
		break;
	}
	json_object_end(j);
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

	history_format(j, e);
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

/* A string member into buf, if present; false only for a wrong type. */
static bool get_text(const struct json_value *v, const char *key, char *buf,
		     size_t len)
{
	const struct json_value *m = json_get(v, key);

	if (!m)
		return true;
	return json_get_string_buf(v, key, buf, len);
}

static bool parse_checkin(const struct json_value *v, struct checkin *c)
{
	for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
		enum checkin_key key = (enum checkin_key) k;
		const struct json_value *m;
		const char *word, *why;
		char num[4];
		int64_t pain;

		if (key == CHECKIN_KEY_NEXT_DAY)
			continue;
		m = json_get(v, checkin_key_name(key));
		if (!m)
			continue;
		if (key == CHECKIN_KEY_PAIN) {
			if (!json_value_int(m, &pain) || pain < 0 ||
			    pain > CHECKIN_PAIN_MAX)
				return false;
			snprintf(num, sizeof(num), "%d", (int) pain);
			word = num;
		} else {
			word = json_value_string(m);
			if (!word)
				return false;
		}
		if (checkin_set(c, key, word, strlen(word), &why) < 0)
			return false;
	}
	return true;
}

bool history_parse_line(const char *line, size_t len,
			struct history_entry *ret)
{
	static const struct {
		const char *name;
		enum session_entry type;
	} types[] = {
		{ "run", SESSION_RUN }, { "precheck", SESSION_PRECHECK },
		{ "cleared", SESSION_CLEARED }, { "checkin", SESSION_CHECKIN },
		{ "next-day", SESSION_NEXT_DAY },
	};
	struct json_value *v = json_parse(line, len, NULL);
	struct history_entry e;
	const char *type = json_get_string(v, "type");
	int64_t when, n;
	bool ok = false;

	if (!type || !json_get_int(v, "when_s", &when))
		goto out;
	history_entry_init(&e, SESSION_RUN, when);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i].name)) {
			e.type = types[i].type;
			ok = true;
		}
	if (!ok)
		goto out;
	switch (e.type) {
	case SESSION_RUN:
		ok = get_text(v, "programme", e.programme, sizeof(e.programme)) &&
		     get_text(v, "stage", e.stage, sizeof(e.stage)) &&
		     get_text(v, "profile", e.profile, sizeof(e.profile)) &&
		     get_text(v, "outcome", e.outcome, sizeof(e.outcome)) &&
		     get_text(v, "log", e.log, sizeof(e.log));
		if (ok && json_get(v, "presses")) {
			ok = json_get_int(v, "presses", &n) && n >= 0 &&
			     n < 1000;
			e.presses = ok ? (unsigned) n : 0;
		}
		if (ok && json_get(v, "completed"))
			ok = json_get_bool(v, "completed", &e.completed);
		break;
	case SESSION_CHECKIN:
		ok = parse_checkin(v, &e.checkin);
		break;
	case SESSION_NEXT_DAY:
		ok = json_get_int(v, "about_s", &e.about_s) &&
		     json_get_bool(v, "symptoms", &e.symptoms);
		break;
	case SESSION_PRECHECK:
		ok = get_text(v, "programme", e.programme, sizeof(e.programme));
		break;
	case SESSION_CLEARED:
		break;
	}
	if (ok)
		*ret = e;
out:
	json_value_free(v);
	return ok;
}

long history_read(const char *state_dir, history_func_t func, void *user_data,
		  unsigned *ret_bad)
{
	char path[4096], line[LINE_MAX_LEN];
	unsigned bad = 0;
	long n = 0;
	int fd, r = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/history.jsonl", state_dir);
	/* A regular file or nothing: a FIFO planted there must not hang a
	 * reader (lib/file.h). */
	fd = file_open_read(path);
	if (fd < 0 && fd != -ENOENT)
		return fd;
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (fd >= 0 && !f) {
		r = -errno;
		close(fd);
		return r;
	}
	while (f && r >= 0 && fgets(line, sizeof(line), f)) {
		struct history_entry e;
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n') {
			len--;
		} else if (!feof(f)) {
			/* Overlong: skip the rest of it. */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			bad++;
			continue;
		}
		if (!history_parse_line(line, len, &e)) {
			bad++;
			continue;
		}
		r = func(&e, user_data);
		n++;
	}
	if (f)
		fclose(f);
	if (r < 0)
		return r;
	if (ret_bad)
		*ret_bad = bad;
	return n;
}

struct collect {
	struct history_entry *v;
	size_t n;
};

static int collect_one(const struct history_entry *e, void *user_data)
{
	struct collect *c = user_data;

	c->v = paced_realloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n++] = *e;
	return 0;
}

long history_load(const char *state_dir, struct history_entry **ret_entries,
		  unsigned *ret_bad)
{
	struct collect c = { 0 };
	long n = history_read(state_dir, collect_one, &c, ret_bad);

	if (n < 0) {
		free(c.v);
		return n;
	}
	*ret_entries = c.v;
	return n;
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
	return history_recover_newest(state_dir, NULL, 0);
}

int history_recover_newest(const char *state_dir, char *newest, size_t len)
{
	char path[4096 + 256], last[256] = "";
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
		if (r <= 0)
			continue;
		closed++;
		if (strcmp(d->d_name, last) > 0)
			snprintf(last, sizeof(last), "%s", d->d_name);
	}
	closedir(dp);
	if (newest && len)
		snprintf(newest, len, "%s%s%s", last[0] ? state_dir : "",
			 last[0] ? "/sessions/" : "", last);
	return closed;
}
