/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a session log back: one JSON Lines file in, typed lines out. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "json-read.h"
#include "session-read.h"
#include "util.h"

/* Bounds for what a log may say; beyond them the line is refused, not
 * clamped: a corrupted value must not become a plausible one. */
#define MAX_SESSION_S	86400.0		/* a day of plan time */
#define MAX_SPEED_KMH	100.0
#define MAX_INCLINE_PCT	100.0
#define MAX_FACTOR	10.0		/* scale-back factors */
#define MAX_PRESS	1000000
#define MAX_DISTANCE_M	0xffffff	/* FTMS Total Distance is uint24 */

struct ctx {
	const char *name;
	unsigned line;
	const char *event;
	struct session_read_error *err;
	bool failed;
};

static void fail(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct ctx *c, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err)
		return;
	c->err->line = c->line;
	if (c->line)
		snprintf(c->err->text, sizeof(c->err->text), "%s:%u: %s",
			 c->name, c->line, msg);
	else
		snprintf(c->err->text, sizeof(c->err->text), "%s: %s",
			 c->name, msg);
}

const char *session_line_kind_name(enum session_line_kind kind)
{
	switch (kind) {
	case SESSION_LINE_OPEN:
		return "open";
	case SESSION_LINE_STATE:
		return "state";
	case SESSION_LINE_SEGMENT:
		return "segment";
	case SESSION_LINE_COMMAND:
		return "command";
	case SESSION_LINE_RESULT:
		return "result";
	case SESSION_LINE_ADVICE:
		return "advice";
	case SESSION_LINE_SYMPTOM:
		return "symptom";
	case SESSION_LINE_SCALEBACK:
		return "scaleback";
	case SESSION_LINE_ALARM:
		return "alarm";
	case SESSION_LINE_SAMPLE:
		return "sample";
	case SESSION_LINE_CUE:
		return "cue";
	case SESSION_LINE_LINK:
		return "link";
	case SESSION_LINE_END:
		return "end";
	}
	return "?";
}

/* ---- typed members, each with its own error ---- */

/* The member key of o, or NULL (an error when it is required). */
static const struct json_value *member(struct ctx *c, const struct json_value *o,
				       const char *key, bool required)
{
	const struct json_value *v = json_get(o, key);

	if (!v && required)
		fail(c, "%s: missing \"%s\"", c->event, key);
	return v;
}

static bool text(struct ctx *c, const struct json_value *o, const char *key,
		 char *buf, size_t len, bool required)
{
	const struct json_value *v = member(c, o, key, required);

	if (!v)
		return false;
	if (!json_get_string_buf(o, key, buf, len)) {
		fail(c, "%s: \"%s\" must be a string", c->event, key);
		return false;
	}
	return true;
}

static bool flag(struct ctx *c, const struct json_value *o, const char *key,
		 bool *ret, bool required)
{
	const struct json_value *v = member(c, o, key, required);

	if (!v)
		return false;
	if (!json_value_bool(v, ret)) {
		fail(c, "%s: \"%s\" must be true or false", c->event, key);
		return false;
	}
	return true;
}

/* A number from min to max, returned times scale and rounded: the log's
 * fixed-point values ("5.00" km/h) become integers (500). */
static bool fixed(struct ctx *c, const struct json_value *o, const char *key,
		  double scale, double min, double max, int64_t *ret,
		  bool required)
{
	const struct json_value *v = member(c, o, key, required);
	double d;

	if (!v)
		return false;
	if (!json_value_number(v, &d) || !(d >= min && d <= max)) {
		fail(c, "%s: \"%s\" must be a number from %g to %g",
		     c->event, key, min, max);
		return false;
	}
	*ret = llround(d * scale);
	return true;
}

/* A whole number from min to max. */
static bool whole(struct ctx *c, const struct json_value *o, const char *key,
		  int64_t min, int64_t max, int64_t *ret, bool required)
{
	const struct json_value *v = member(c, o, key, required);
	int64_t i;

	if (!v)
		return false;
	if (!json_value_int(v, &i) || i < min || i > max) {
		fail(c, "%s: \"%s\" must be a whole number from %lld to %lld",
		     c->event, key, (long long) min, (long long) max);
		return false;
	}
	*ret = i;
	return true;
}

/* "2026-12-02T22:02:19.915Z", exactly as session-log.c writes it. */
static bool utc_ms(const char *s, int64_t *ret)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	int v[7] = { 0 }, k = 0;
	struct tm tm = { 0 };
	time_t t;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] != 'd') {
			if (s[i] != shape[i])
				return false;
			k += shape[i] != 'Z';
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		v[k] = v[k] * 10 + (s[i] - '0');
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return false;
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	t = timegm(&tm);
	if (t == (time_t) -1)
		return false;
	*ret = (int64_t) t * 1000 + v[6];
	return true;
}

/* ---- one line per event ---- */

static void parse_open(struct ctx *c, const struct json_value *o,
		       struct session_line_open *op)
{
	int64_t i;

	memset(op, 0, sizeof(*op));
	text(c, o, "profile", op->profile, sizeof(op->profile), true);
	text(c, o, "profile_path", op->profile_path, sizeof(op->profile_path),
	     false);
	text(c, o, "programme", op->programme, sizeof(op->programme), false);
	text(c, o, "stage", op->stage, sizeof(op->stage), false);
	text(c, o, "treadmill", op->treadmill, sizeof(op->treadmill), false);
	op->speedup = 1;
	if (whole(c, o, "speedup", 1, 1000000, &i, false))
		op->speedup = (uint32_t) i;
	if (whole(c, o, "planned_s", 0, (int64_t) MAX_SESSION_S, &i, false))
		op->planned_s = (uint32_t) i;
	if (whole(c, o, "planned_jog_s", 0, (int64_t) MAX_SESSION_S, &i, false))
		op->planned_jog_s = (uint32_t) i;
}

static void parse_segment(struct ctx *c, const struct json_value *o,
			  struct session_line_segment *sg)
{
	int64_t i;

	if (whole(c, o, "index", 0, UINT32_MAX, &i, false))
		sg->index = (uint32_t) i;
	text(c, o, "phase", sg->phase, sizeof(sg->phase), true);
	text(c, o, "pace", sg->pace, sizeof(sg->pace), false);
	if (fixed(c, o, "speed_kmh", 100, 0, MAX_SPEED_KMH, &i, true))
		sg->speed = (uint16_t) i;
	if (fixed(c, o, "incline_pct", 10, -MAX_INCLINE_PCT, MAX_INCLINE_PCT,
		  &i, false))
		sg->incline = (int16_t) i;
	if (fixed(c, o, "duration_s", 1000, 0, MAX_SESSION_S, &i, true))
		sg->duration_ms = (uint32_t) i;
	flag(c, o, "jog", &sg->jog, false);
}

static void parse_command(struct ctx *c, const struct json_value *o,
			  enum session_line_kind kind,
			  struct session_line_command *cm)
{
	int64_t i;

	if (!text(c, o, "command", cm->command, sizeof(cm->command), true))
		return;
	if (!strcmp(cm->command, "set-speed")) {
		cm->has_value = fixed(c, o, "value", 100, 0, MAX_SPEED_KMH, &i,
				      true);
		cm->value = (int32_t) i;
	} else if (!strcmp(cm->command, "set-incline")) {
		cm->has_value = fixed(c, o, "value", 10, -MAX_INCLINE_PCT,
				      MAX_INCLINE_PCT, &i, true);
		cm->value = (int32_t) i;
	}
	if (kind == SESSION_LINE_RESULT)
		flag(c, o, "ok", &cm->ok, true);
}

static void parse_press(struct ctx *c, const struct json_value *o,
			enum session_line_kind kind,
			struct session_line_press *p)
{
	int64_t i;

	text(c, o, "kind", p->kind, sizeof(p->kind), true);
	if (whole(c, o, "press", 0, MAX_PRESS, &i, true))
		p->press = (uint32_t) i;
	if (kind != SESSION_LINE_SCALEBACK)
		return;
	p->jog_speed = p->jog_time = 1000;
	if (fixed(c, o, "jog_speed", 1000, 0, MAX_FACTOR, &i, false))
		p->jog_speed = (uint16_t) i;
	if (fixed(c, o, "jog_time", 1000, 0, MAX_FACTOR, &i, false))
		p->jog_time = (uint16_t) i;
	flag(c, o, "no_jog", &p->no_jog, false);
	flag(c, o, "end", &p->end, false);
}

static void parse_sample(struct ctx *c, const struct json_value *o,
			 struct session_line_sample *sm)
{
	int64_t i;

	if ((sm->has_speed = fixed(c, o, "speed_kmh", 100, 0, MAX_SPEED_KMH,
				   &i, false)))
		sm->speed = (uint16_t) i;
	if ((sm->has_incline = fixed(c, o, "incline_pct", 10, -MAX_INCLINE_PCT,
				     MAX_INCLINE_PCT, &i, false)))
		sm->incline = (int16_t) i;
	if ((sm->has_distance = whole(c, o, "distance_m", 0, MAX_DISTANCE_M,
				      &i, false)))
		sm->distance_m = (uint32_t) i;
	if ((sm->has_elapsed = whole(c, o, "elapsed_s", 0, UINT32_MAX, &i,
				     false)))
		sm->elapsed_s = (uint32_t) i;
	if ((sm->has_hr = whole(c, o, "heart_rate_bpm", 0, 255, &i, false)))
		sm->heart_rate = (uint8_t) i;
}

static const struct {
	const char *name;
	enum session_line_kind kind;
} events[] = {
	{ "open", SESSION_LINE_OPEN },
	{ "state", SESSION_LINE_STATE },
	{ "segment", SESSION_LINE_SEGMENT },
	{ "command", SESSION_LINE_COMMAND },
	{ "result", SESSION_LINE_RESULT },
	{ "advice", SESSION_LINE_ADVICE },
	{ "symptom", SESSION_LINE_SYMPTOM },
	{ "scaleback", SESSION_LINE_SCALEBACK },
	{ "alarm", SESSION_LINE_ALARM },
	{ "sample", SESSION_LINE_SAMPLE },
	{ "cue", SESSION_LINE_CUE },
	{ "link", SESSION_LINE_LINK },
	{ "end", SESSION_LINE_END },
};

/* The fields of one line. Returns false for a line of an event not known
 * here (skipped) or a bad one (c->failed). */
static bool parse_line(struct ctx *c, struct session_read *r,
		       const struct json_value *o, struct session_line *l)
{
	const char *ev = json_get_string(o, "event");
	const char *t = json_get_string(o, "t");
	const struct json_value *mono = json_get(o, "mono_us");
	size_t k;
	int64_t i;

	if (json_value_type(o) != JSON_OBJECT) {
		fail(c, "not a JSON object");
		return false;
	}
	if (!ev) {
		fail(c, "no \"event\" name");
		return false;
	}
	c->event = ev;
	if (!t || !utc_ms(t, &l->t_ms)) {
		fail(c, "%s: \"t\" must be a UTC time like "
		     "2026-01-31T08:00:00.000Z", ev);
		return false;
	}
	for (k = 0; k < ARRAY_SIZE(events); k++)
		if (!strcmp(ev, events[k].name))
			break;
	if (k == ARRAY_SIZE(events))
		return false;
	l->kind = events[k].kind;
	/* The "end" line paced writes for an interrupted session has no
	 * monotonic time: every other line must have one. */
	if (mono || l->kind != SESSION_LINE_END) {
		if (!whole(c, o, "mono_us", 0, INT64_MAX, &i, true))
			return false;
		l->has_mono = true;
		l->mono_us = (uint64_t) i;
	}
	if ((l->session_from_log = fixed(c, o, "session_s", 1000, 0,
					 MAX_SESSION_S, &i, false)))
		l->session_ms = (uint32_t) i;

	switch (l->kind) {
	case SESSION_LINE_OPEN:
		parse_open(c, o, &r->open);
		break;
	case SESSION_LINE_STATE:
		text(c, o, "state", l->u.state.state,
		     sizeof(l->u.state.state), true);
		strcpy(l->u.state.reason, "none");
		text(c, o, "reason", l->u.state.reason,
		     sizeof(l->u.state.reason), false);
		break;
	case SESSION_LINE_SEGMENT:
		parse_segment(c, o, &l->u.segment);
		break;
	case SESSION_LINE_COMMAND:
	case SESSION_LINE_RESULT:
	case SESSION_LINE_ADVICE:
		parse_command(c, o, l->kind, &l->u.command);
		break;
	case SESSION_LINE_SYMPTOM:
	case SESSION_LINE_SCALEBACK:
		parse_press(c, o, l->kind, &l->u.press);
		break;
	case SESSION_LINE_ALARM:
		text(c, o, "alarm", l->u.alarm.alarm,
		     sizeof(l->u.alarm.alarm), true);
		flag(c, o, "active", &l->u.alarm.active, true);
		break;
	case SESSION_LINE_SAMPLE:
		parse_sample(c, o, &l->u.sample);
		break;
	case SESSION_LINE_CUE:
		text(c, o, "kind", l->u.cue.kind, sizeof(l->u.cue.kind), true);
		text(c, o, "text", l->u.cue.text, sizeof(l->u.cue.text), false);
		break;
	case SESSION_LINE_LINK:
		flag(c, o, "up", &l->u.link_up, true);
		break;
	case SESSION_LINE_END:
		text(c, o, "outcome", l->u.end.outcome,
		     sizeof(l->u.end.outcome), true);
		if (whole(c, o, "presses", 0, MAX_PRESS, &i, false))
			l->u.end.presses = (uint32_t) i;
		flag(c, o, "completed", &l->u.end.completed, false);
		break;
	}
	return !c->failed;
}

/* The line paced appends to a log a crash left open (history.c). */
static bool is_recovery_end(const char *s, size_t len)
{
	struct json_value *v = json_parse(s, len, NULL);
	const char *ev = json_get_string(v, "event");
	const char *outcome = json_get_string(v, "outcome");
	bool yes = ev && outcome && !strcmp(ev, "end") &&
		   !strcmp(outcome, "interrupted") && !json_get(v, "mono_us");

	json_value_free(v);
	return yes;
}

/* Plan time for a line that does not carry it: the clock runs from the
 * last line that did, at the speed-up, while the session is running. */
struct plan_clock {
	bool anchored, running;
	uint64_t mono_us;
	uint32_t session_ms;
};

static void plan_time(struct plan_clock *pc, uint32_t speedup,
		      struct session_line *l)
{
	if (l->session_from_log) {
		pc->anchored = l->has_mono;
		pc->mono_us = l->mono_us;
		pc->session_ms = l->session_ms;
	} else if (pc->anchored && pc->running && l->has_mono &&
		   l->mono_us > pc->mono_us) {
		uint64_t ms = (l->mono_us - pc->mono_us) / 1000 * speedup +
			      pc->session_ms;

		l->session_ms = (uint32_t) MIN(ms, (uint64_t) (MAX_SESSION_S * 1000));
	} else {
		l->session_ms = pc->session_ms;
	}
	if (l->kind == SESSION_LINE_STATE)
		pc->running = !strcmp(l->u.state.state, "running") ||
			      !strcmp(l->u.state.state, "recovery") ||
			      !strcmp(l->u.state.state, "cooldown");
}

int session_read_text(const char *name, const char *text, size_t len,
		      struct session_read **ret_read,
		      struct session_read_error *ret_err)
{
	struct ctx c = { .name = name, .err = ret_err };
	struct plan_clock pc = { 0 };
	struct session_read *r;
	size_t cap = 64;
	const char *p = text, *end = text + len;

	if (len > SESSION_READ_MAX_BYTES) {
		fail(&c, "larger than %u MiB: not a session log",
		     SESSION_READ_MAX_BYTES >> 20);
		return -EFBIG;
	}
	r = paced_new0(struct session_read, 1);
	r->name = paced_strdup(name);
	r->lines = paced_new0(struct session_line, cap);

	while (p < end && !c.failed) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *next = nl ? nl + 1 : end;
		size_t n = (size_t) ((nl ? nl : end) - p);
		struct json_read_error jerr;
		struct json_value *v = NULL;
		struct session_line *l;

		c.line = ++r->line_count;
		c.event = "line";
		if (n <= SESSION_READ_MAX_LINE)
			v = json_parse(p, n, &jerr);
		else
			snprintf(jerr.text, sizeof(jerr.text), "longer than %u bytes",
				 SESSION_READ_MAX_LINE);
		if (!v) {
			/* A torn write at the very end, maybe followed by
			 * the line recovery appended: skip it. */
			const char *nl2 = next < end ?
				memchr(next, '\n', (size_t) (end - next)) : NULL;
			size_t n2 = (size_t) ((nl2 ? nl2 : end) - next);
			bool last2 = !nl2 || nl2 + 1 >= end;

			if (!r->torn_line && r->n &&
			    (next >= end ||
			     (last2 && is_recovery_end(next, n2)))) {
				r->torn_line = c.line;
				p = next;
				continue;
			}
			if (n == 0)
				fail(&c, "empty line");
			else if (n > SESSION_READ_MAX_LINE)
				fail(&c, "%s", jerr.text);
			else
				fail(&c, "not JSON: %s (column %zu)", jerr.text,
				     jerr.offset + 1);
			break;
		}
		if (r->n == cap) {
			cap *= 2;
			r->lines = paced_realloc(r->lines, cap * sizeof(*r->lines));
		}
		l = &r->lines[r->n];
		memset(l, 0, sizeof(*l));
		l->line = c.line;
		if (parse_line(&c, r, v, l)) {
			if (r->n == 0 && l->kind != SESSION_LINE_OPEN)
				fail(&c, "%s: the first line must be the "
				     "session's \"open\" line", c.event);
			else if (r->n > 0 && l->kind == SESSION_LINE_OPEN)
				fail(&c, "a second \"open\" line");
			else {
				plan_time(&pc, r->open.speedup, l);
				r->n++;
			}
		} else if (!c.failed) {
			if (r->n == 0)
				fail(&c, "%s: the first line must be the "
				     "session's \"open\" line", c.event);
			r->skipped++;
		}
		json_value_free(v);
		p = next;
	}
	if (!c.failed && r->n == 0) {
		c.line = 0;
		fail(&c, "empty: not a session log");
	}
	if (c.failed) {
		session_read_free(r);
		return -EBADMSG;
	}
	*ret_read = r;
	return 0;
}

int session_read_file(const char *path, struct session_read **ret_read,
		      struct session_read_error *ret_err)
{
	struct ctx c = { .name = path, .err = ret_err };
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		fail(&c, "%s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		fail(&c, "%s", strerror(-r));
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(&c, "not a regular file");
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if ((uint64_t) st.st_size > SESSION_READ_MAX_BYTES) {
		fail(&c, "larger than %u MiB: not a session log",
		     SESSION_READ_MAX_BYTES >> 20);
		close(fd);
		return -EFBIG;
	}
	buf = paced_malloc((size_t) st.st_size + 1);
	/* The file may still be growing (a running session): read what
	 * its size said, whole lines decide the rest. */
	while (got < (size_t) st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t) st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			fail(&c, "%s", strerror(-r));
			free(buf);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t) n;
	}
	close(fd);
	r = session_read_text(path, buf, got, ret_read, ret_err);
	free(buf);
	return r;
}

void session_read_free(struct session_read *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->lines);
	free(r);
}
