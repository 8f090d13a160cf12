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

static int append_line(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	ssize_t n;
	int r = 0;

	if (fd < 0)
		return -errno;
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
	char path[4096];
	const char *text;
	char *line;
	size_t len;
	int r;

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

	snprintf(path, sizeof(path), "%s/history.jsonl", state_dir);
	r = append_line(path, line, len + 1);
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

static int close_log(const char *state_dir, const char *path)
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
	int r;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* A running session holds its log locked (session-log.c): skip it. */
	if (flock(fileno(f), LOCK_SH | LOCK_NB) < 0) {
		fclose(f);
		return 0;
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
	if (ended)
		return 0;

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
	r = append_line(path, end, strlen(end));
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
	char dir[4096];
	struct dirent *d;
	DIR *dp;
	int closed = 0;

	snprintf(dir, sizeof(dir), "%s/sessions", state_dir);
	dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dp))) {
		char path[4096 + 256];
		size_t n = strlen(d->d_name);
		int r;

		if (n < 7 || strcmp(d->d_name + n - 6, ".jsonl"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		r = close_log(state_dir, path);
		if (r > 0)
			closed++;
	}
	closedir(dp);
	return closed;
}
