/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's wire format, shared by paced and pacectl. */
#include <errno.h>
#include <string.h>

#include "ctl-proto.h"
#include "util.h"

enum arg_rule {
	ARG_NONE,
	ARG_ONE,		/* at most one word */
};

static const struct {
	const char *name;
	enum ctl_cmd cmd;
	enum arg_rule arg;
} commands[] = {
	{ "status", CTL_CMD_STATUS, ARG_NONE },
	{ "symptom", CTL_CMD_SYMPTOM, ARG_ONE },
	{ "pause", CTL_CMD_PAUSE, ARG_NONE },
	{ "resume", CTL_CMD_RESUME, ARG_NONE },
	{ "stop", CTL_CMD_STOP, ARG_NONE },
	{ "start", CTL_CMD_START, ARG_ONE },
	{ "watch", CTL_CMD_WATCH, ARG_NONE },
	{ "scan", CTL_CMD_SCAN, ARG_ONE },
	{ "profiles", CTL_CMD_PROFILES, ARG_NONE },
	{ "end", CTL_CMD_END, ARG_NONE },
	{ "history", CTL_CMD_HISTORY, ARG_ONE },
	{ "next", CTL_CMD_NEXT, ARG_NONE },
	{ "profile", CTL_CMD_PROFILE, ARG_ONE },
	{ "checkin", CTL_CMD_CHECKIN, ARG_ONE },
};

const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "unknown";
}

/* Next space-separated word of [*p, end): returns its length, 0 at end. */
static size_t word(const char **p, const char *end, const char **ret_start)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*ret_start = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return (size_t) (s - *ret_start);
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * The checks every line gets, and an optional "id=TOKEN" first word.
 * Leaves *p after it; id gets the token ("" without one).
 */
static int preamble(const char **p, const char *end, char *id, size_t idlen,
		    const char **ret_error)
{
	const char *w, *save;
	size_t n;

	for (const char *c = *p; c < end; c++) {
		if ((unsigned char) *c < 0x20 && *c != '\t') {
			*ret_error = "control characters in request";
			return -EINVAL;
		}
	}
	id[0] = '\0';
	save = *p;
	n = word(p, end, &w);
	if (n < 3 || memcmp(w, "id=", 3)) {
		*p = save;
		return 0;
	}
	if (n == 3 || n - 3 >= idlen) {
		*ret_error = "a request id is 1 to 32 letters, digits, '-' or '_'";
		return -EINVAL;
	}
	for (size_t i = 3; i < n; i++)
		if (!id_char(w[i])) {
			*ret_error = "a request id is 1 to 32 letters, digits, '-' or '_'";
			return -EINVAL;
		}
	memcpy(id, w + 3, n - 3);
	id[n - 3] = '\0';
	return 0;
}

int ctl_parse_request(const char *line, size_t len, struct ctl_request *ret,
		      const char **ret_error)
{
	const char *p = line, *end = line + len, *w;
	struct ctl_request req = { 0 };
	size_t n, i;

	if (len && line[len - 1] == '\r')
		end--;
	if (preamble(&p, end, req.id, sizeof(req.id), ret_error) < 0)
		return -EINVAL;
	n = word(&p, end, &w);
	if (!n) {
		*ret_error = "empty request";
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strlen(commands[i].name) == n &&
		    !memcmp(commands[i].name, w, n))
			break;
	if (i == ARRAY_SIZE(commands)) {
		*ret_error = "unknown command";
		return -EINVAL;
	}
	req.cmd = commands[i].cmd;

	n = word(&p, end, &w);
	if (n) {
		if (commands[i].arg == ARG_NONE) {
			*ret_error = "this command takes no argument";
			return -EINVAL;
		}
		if (n >= sizeof(req.arg)) {
			*ret_error = "argument too long";
			return -EINVAL;
		}
		memcpy(req.arg, w, n);
	}
	if (word(&p, end, &w)) {
		*ret_error = "too many arguments";
		return -EINVAL;
	}
	*ret = req;
	return 0;
}

int ctl_split_request(const char *line, size_t len, char *word_buf,
		      size_t wlen, char *rest, size_t rlen, char *id,
		      size_t idlen)
{
	const char *p = line, *end = line + len, *w, *error;
	size_t n;

	if (len && line[len - 1] == '\r')
		end--;
	if (preamble(&p, end, id, idlen, &error) < 0)
		return -EINVAL;
	n = word(&p, end, &w);
	if (!n || n >= wlen)
		return -EINVAL;
	memcpy(word_buf, w, n);
	word_buf[n] = '\0';
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((size_t) (end - p) >= rlen)
		return -EINVAL;
	memcpy(rest, p, (size_t) (end - p));
	rest[end - p] = '\0';
	return 0;
}

enum ctl_line_result ctl_linebuf_feed(struct ctl_linebuf *lb,
				      const char **data, size_t *len,
				      const char **ret_line, size_t *ret_len)
{
	const char *nl = memchr(*data, '\n', *len);
	size_t take = nl ? (size_t) (nl - *data) + 1 : *len;
	size_t chunk = nl ? take - 1 : take;
	bool was_skipping = lb->skipping;

	*data += take;
	*len -= take;

	if (lb->skipping) {
		if (nl)
			lb->skipping = false;
		return CTL_LINE_NONE;
	}
	if (lb->len + chunk >= sizeof(lb->buf)) {
		/* Overlong: drop what we have and the rest of the line. */
		lb->len = 0;
		lb->skipping = !nl;
		return was_skipping ? CTL_LINE_NONE : CTL_LINE_TOO_LONG;
	}
	memcpy(lb->buf + lb->len, *data - take, chunk);
	lb->len += chunk;
	if (!nl)
		return CTL_LINE_NONE;
	lb->buf[lb->len] = '\0';
	*ret_line = lb->buf;
	*ret_len = lb->len;
	lb->len = 0;
	return CTL_LINE_OK;
}
