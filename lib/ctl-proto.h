/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's wire format, shared by paced and pacectl. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Requests are text lines ("symptom leak\n"), at most CTL_LINE_MAX bytes
 * with the newline; every request gets exactly one reply line, a JSON
 * object with "ok": true plus data, or "ok": false and "error". 'watch'
 * replies once, then streams one JSON event object per line until the
 * client hangs up. Words are separated by spaces or tabs.
 */
#define CTL_LINE_MAX	256
#define CTL_ARG_MAX	128
/*
 * A request may start with "id=TOKEN" (1 to 32 letters, digits, '-' or
 * '_'): the daemon remembers the answer for a while, and the same id
 * again gets the same answer without acting twice, so a client that timed
 * out can retry a press safely.
 */
#define CTL_ID_MAX	33

enum ctl_cmd {
	CTL_CMD_STATUS,
	CTL_CMD_SYMPTOM,	/* [leak|pressure|pain|long] */
	CTL_CMD_PAUSE,
	CTL_CMD_RESUME,
	CTL_CMD_STOP,
	CTL_CMD_START,		/* [PROFILE] */
	CTL_CMD_WATCH,
	CTL_CMD_SCAN,		/* [SECONDS]: the service only; replies late */
	CTL_CMD_PROFILES,	/* the service only */
	CTL_CMD_END,		/* the long press: cool-down, then stop */
	CTL_CMD_HISTORY,	/* [N]: the service's history */
	CTL_CMD_NEXT,		/* the programme's next stage, and why */
	CTL_CMD_PROFILE,	/* NAME: one profile's timeline */
	CTL_CMD_CHECKIN,	/* ANSWERS: the pre-session check-in */
};

struct ctl_request {
	enum ctl_cmd cmd;
	char arg[CTL_ARG_MAX];	/* "" when absent */
	char id[CTL_ID_MAX];	/* "" when the request has none */
};

/*
 * Parse one line (without its newline; a trailing '\r' is ignored).
 * Returns 0, or -EINVAL with a static message in *ret_error: unknown
 * command, missing or extra argument, control characters.
 */
int ctl_parse_request(const char *line, size_t len, struct ctl_request *ret,
		      const char **ret_error);
/*
 * The command word of a line that ctl_parse_request() calls an unknown
 * command (a plugin's, paced_command_register()), after any id=, into
 * word; the rest of the line (trimmed) into rest. Returns 0, or -EINVAL
 * when there is no word or it does not fit.
 */
int ctl_split_request(const char *line, size_t len, char *word, size_t wlen,
		      char *rest, size_t rlen, char *id, size_t idlen);
const char *ctl_cmd_name(enum ctl_cmd cmd);

/*
 * Splits a byte stream into lines with a hard bound: a line longer than
 * CTL_LINE_MAX is reported once as too long and skipped up to its newline,
 * so a peer can never make us buffer more than CTL_LINE_MAX bytes.
 */
struct ctl_linebuf {
	char buf[CTL_LINE_MAX];
	size_t len;
	bool skipping;		/* inside an overlong line */
};

enum ctl_line_result {
	CTL_LINE_NONE,		/* need more bytes */
	CTL_LINE_OK,		/* *ret_line, *ret_len hold a line */
	CTL_LINE_TOO_LONG,	/* an overlong line was dropped */
};

/*
 * Feed bytes: consumes from *data (*len bytes) up to and including the first
 * complete line (or all of it), then reports. Call again while *len > 0.
 */
enum ctl_line_result ctl_linebuf_feed(struct ctl_linebuf *lb,
				      const char **data, size_t *len,
				      const char **ret_line, size_t *ret_len);
