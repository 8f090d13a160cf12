/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's wire format, shared by paced and pacectl. */
#include <errno.h>
#include <string.h>

#include "ctl-proto.h"
#include "util.h"

static const struct {
	const char *name;
	enum ctl_cmd cmd;
	bool arg_allowed;
} commands[] = {
	{ "status", CTL_CMD_STATUS, false },
	{ "symptom", CTL_CMD_SYMPTOM, true },
	{ "pause", CTL_CMD_PAUSE, false },
	{ "resume", CTL_CMD_RESUME, false },
	{ "stop", CTL_CMD_STOP, false },
	{ "start", CTL_CMD_START, true },
	{ "watch", CTL_CMD_WATCH, false },
	{ "scan", CTL_CMD_SCAN, true },
	{ "profiles", CTL_CMD_PROFILES, false },
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

int ctl_parse_request(const char *line, size_t len, struct ctl_request *ret,
		      const char **ret_error)
{
	const char *p = line, *end = line + len, *w;
	struct ctl_request req = { 0 };
	size_t n, i;

	if (len && line[len - 1] == '\r')
		end--;
	for (const char *c = line; c < end; c++) {
		if ((unsigned char) *c < 0x20 && *c != '\t') {
			*ret_error = "control characters in request";
			return -EINVAL;
		}
	}

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
		if (!commands[i].arg_allowed) {
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
