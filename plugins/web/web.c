/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "web" plugin: the phone page and its HTTP API, served by libmicrohttpd from the daemon's loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include <paced/plugin.h>

#include "assets.h"
#include "auth.h"
#include "file.h"
#include "json.h"
#include "json-read.h"
#include "util.h"

/*
 * Limits (docs/design.md: a request never makes the service buffer more
 * than it chose to). A request body is a small JSON object; headers fit
 * in the per-connection pool; a client idle that long is dropped.
 */
#define BODY_MAX 1024
#define CONN_MAX 64
#define CONN_MEMORY 8192
#define CONN_IDLE_S 30
/* Event streams: each buffers at most this much for a client that does
 * not read; past it the stream is ended and the page reconnects. */
#define STREAM_MAX 32
#define STREAM_BUF_MAX (64 * 1024)
/* A start or resume confirmation lives this long. */
#define CONFIRM_US (5 * 1000000ULL)
#define COOKIE "paced_token"
/* A session's speed chart: the log read is bounded (a 45-minute session
 * logs about 0.5 MB) and the curve thinned to at most this many points. */
#define CHART_LOG_MAX (2 * 1024 * 1024)
#define CHART_POINTS 600
#define CHART_MARKS 64

struct stream;

/* One HTTP request: MHD's per-request context. */
struct request {
	struct web *w;
	struct MHD_Connection *conn;
	char body[BODY_MAX + 1];
	size_t body_len;
	bool too_big;
	bool waiting;		/* suspended until the daemon replies */
	bool orphan;		/* the connection went before the reply */
	char *reply;		/* the daemon's JSON reply, owned */
	long long chart;	/* > 0: the reply is the history, chart
				 * the session that began then (when_s) */
	struct request *next;	/* in w->waiting, while waiting */
};

/* One Server-Sent Events client. */
struct stream {
	struct web *w;
	struct MHD_Connection *conn;
	char device[AUTH_ID_LEN + 1];
	char *buf;
	size_t len, off;
	bool suspended;		/* nothing to send: parked */
	bool ended;		/* close it: lagging, revoked or replaced */
	struct stream *next;
};

/* The one pending start or resume, waiting for its second POST. */
struct confirm {
	char token[2 * 16 + 1];
	char device[AUTH_ID_LEN + 1];
	char line[160];		/* the request line it confirms */
	const char *what;	/* "start" or "resume" */
	uint64_t until_us;	/* 0: none */
};

struct web {
	struct paced_plugin *self;
	struct MHD_Daemon *mhd;
	int timer;		/* MHD's next timeout, 0 none */
	bool in_run;		/* inside MHD_run() */
	bool kicked;		/* a connection was resumed meanwhile */
	struct auth auth;
	char *url;		/* the base for pairing URLs; NULL: derived */
	char host[64];		/* listen address as configured */
	bool any_host;		/* listening on every address */
	unsigned port;
	unsigned n_conn;	/* open connections */
	struct stream *streams;
	unsigned n_streams;
	struct request *waiting;
	struct confirm confirm;
	bool session;		/* between session-start and session-end */
};

static struct web web;

static void schedule(struct web *w);
static void resume(struct web *w, struct MHD_Connection *conn);

/* ---- responses ---- */

/*
 * Every response: nothing from elsewhere runs or frames the page
 * (Content-Security-Policy default-src 'self'), and no CORS header is
 * ever sent, so other origins cannot read anything.
 */
static void harden(struct MHD_Response *resp, bool cache)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control",
				cache ? "max-age=300" : "no-store");
}

static enum MHD_Result send_buf(struct MHD_Connection *conn,
				unsigned status, const char *type,
				const void *data, size_t len, bool copy,
				const char *cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(len, (void *) data,
					       copy ? MHD_RESPMEM_MUST_COPY :
						      MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	harden(resp, !copy && !cookie);
	MHD_add_response_header(resp, "Content-Type", type);
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result send_json(struct MHD_Connection *conn,
				 unsigned status, const char *json)
{
	return send_buf(conn, status, "application/json", json, strlen(json),
			true, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  unsigned status, const char *fmt, ...)
{
	struct json *j = json_new_buffer();
	char msg[256];
	enum MHD_Result r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, false);
	json_key(j, "error");
	json_string(j, msg);
	json_object_end(j);
	r = send_json(conn, status, json_buffer(j, NULL));
	json_free(j);
	return r;
}

/* A page for people: the pairing instructions and pairing outcomes. */
static enum MHD_Result send_page(struct MHD_Connection *conn,
				 unsigned status, const char *title,
				 const char *text, const char *cookie)
{
	char page[1024];
	int n;

	n = snprintf(page, sizeof(page),
		     "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
		     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		     "%s<title>paced: %s</title><link rel=\"stylesheet\" href=\"/app.css\">"
		     "</head><body class=\"plain\"><h1>%s</h1><p>%s</p></body></html>\n",
		     cookie ? "<meta http-equiv=\"refresh\" content=\"1;url=/\">" : "",
		     title, title, text);
	return send_buf(conn, status, "text/html; charset=utf-8", page,
			(size_t) n, true, cookie);
}

/* ---- the daemon's replies ---- */

static void on_reply(const char *json, void *user_data)
{
	struct request *r = user_data;
	struct request **p;

	for (p = &r->w->waiting; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	if (r->orphan) {
		free(r);
		return;
	}
	r->reply = paced_strdup(json);
	r->waiting = false;
	resume(r->w, r->conn);
}

/*
 * Ask the daemon as the control socket would and park the connection
 * until it answers; whatever the request does to the belt is done when
 * paced_request() returns (include/paced/plugin.h).
 */
static enum MHD_Result ask(struct request *r, const char *line)
{
	int err = paced_request(r->w->self, line, on_reply, r);

	if (err < 0)
		return send_error(r->conn, MHD_HTTP_BAD_REQUEST,
				  "the service refused '%s': %s", line,
				  strerror(-err));
	r->waiting = true;
	r->next = r->w->waiting;
	r->w->waiting = r;
	MHD_suspend_connection(r->conn);
	return MHD_YES;
}

/* The reply's HTTP status: 200, or 409 for what the service refused. */
static enum MHD_Result send_reply(struct request *r)
{
	struct json_value *v = json_parse(r->reply, strlen(r->reply), NULL);
	bool ok = false;
	enum MHD_Result res;

	json_get_bool(v, "ok", &ok);
	json_value_free(v);
	res = send_json(r->conn, ok ? MHD_HTTP_OK : MHD_HTTP_CONFLICT,
			r->reply);
	free(r->reply);
	r->reply = NULL;
	return res;
}

/* ---- event streams ---- */

static void stream_append(struct stream *s, const char *text, size_t len)
{
	if (s->ended)
		return;
	if (s->len - s->off + len > STREAM_BUF_MAX) {
		/* A client that does not read is not waited for: the belt's
		 * events go on, its stream ends. */
		s->ended = true;
	} else {
		if (s->off) {
			memmove(s->buf, s->buf + s->off, s->len - s->off);
			s->len -= s->off;
			s->off = 0;
		}
		s->buf = paced_realloc(s->buf, s->len + len);
		memcpy(s->buf + s->len, text, len);
		s->len += len;
	}
	if (s->suspended) {
		s->suspended = false;
		resume(s->w, s->conn);
	}
}

static void stream_end(struct stream *s)
{
	s->ended = true;
	if (s->suspended) {
		s->suspended = false;
		resume(s->w, s->conn);
	}
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void) pos;
	if (s->ended)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (s->off == s->len) {
		/* Nothing to send: park it until an event comes (no timer,
		 * no polling). */
		s->off = s->len = 0;
		s->suspended = true;
		MHD_suspend_connection(s->conn);
		return 0;
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(buf, s->buf + s->off, n);
	s->off += n;
	return (ssize_t) n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	struct stream **p;

	for (p = &s->w->streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			s->w->n_streams--;
			break;
		}
	free(s->buf);
	free(s);
}

static enum MHD_Result stream_open(struct request *r,
				   const struct auth_device *dev)
{
	static const char hello[] = "retry: 1000\n\n";
	struct web *w = r->w;
	struct MHD_Response *resp;
	struct stream *s, *oldest;
	enum MHD_Result res;

	if (w->n_streams == STREAM_MAX) {
		/* The oldest is most likely a phone that went to sleep. */
		for (oldest = w->streams; oldest->next; oldest = oldest->next)
			;
		if (!oldest->ended)
			stream_end(oldest);
		else
			return send_error(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					  "too many event streams");
	}
	s = paced_new0(struct stream, 1);
	s->w = w;
	s->conn = r->conn;
	memcpy(s->device, dev->id, sizeof(s->device));
	stream_append(s, hello, sizeof(hello) - 1);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
						 stream_read, s, stream_free);
	if (!resp) {
		free(s->buf);
		free(s);
		return MHD_NO;
	}
	harden(resp, false);
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	s->next = w->streams;
	w->streams = s;
	w->n_streams++;
	res = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return res;
}

static void on_event(const struct paced_event *ev, void *user_data)
{
	struct web *w = user_data;
	size_t len = strlen(ev->json);
	char *msg = paced_malloc(len + 9);

	if (!strcmp(ev->name, "session-start"))
		w->session = true;
	else if (!strcmp(ev->name, "session-end"))
		w->session = false;

	/* One event, one line: the JSON has no newline in it. */
	memcpy(msg, "data: ", 6);
	memcpy(msg + 6, ev->json, len);
	memcpy(msg + 6 + len, "\n\n", 3);
	for (struct stream *s = w->streams; s; s = s->next)
		stream_append(s, msg, len + 8);
	free(msg);
}

static const struct paced_sink_ops sink_ops = {
	.name = "web",
	.event = on_event,
};

/* ---- who is asking ---- */

static const struct auth_device *device_of(struct request *r)
{
	return auth_check(&r->w->auth,
			  MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
						      COOKIE));
}

/*
 * A POST acts only when the page itself sent it: its Origin is the very
 * host the browser asked for (docs/design.md: no cross-site request may
 * move the belt). The SameSite=Strict cookie alone would do in today's
 * browsers; this holds for older ones too.
 */
static bool same_origin(struct request *r)
{
	const char *origin = MHD_lookup_connection_value(r->conn,
							 MHD_HEADER_KIND,
							 "Origin");
	const char *host = MHD_lookup_connection_value(r->conn,
						       MHD_HEADER_KIND,
						       "Host");

	return origin && host && !strncmp(origin, "http://", 7) &&
	       !strcmp(origin + 7, host);
}

/* ---- the API ---- */

/* The request body as JSON: NULL when empty; *bad when not an object. */
static struct json_value *body_json(struct request *r, bool *bad)
{
	struct json_value *v;

	*bad = false;
	if (!r->body_len)
		return NULL;
	v = json_parse(r->body, r->body_len, NULL);
	if (!v || json_value_type(v) != JSON_OBJECT) {
		json_value_free(v);
		*bad = true;
		return NULL;
	}
	return v;
}

static bool is_name(const char *s, size_t max)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	return n && n <= max && !s[n] && s[0] != '.';
}

static enum MHD_Result post_symptom(struct request *r)
{
	static const char *const kinds[] = { "leak", "pressure", "pain" };
	struct json_value *v;
	const char *kind = NULL;
	char line[64] = "symptom";
	bool bad;

	v = body_json(r, &bad);
	if (v)
		kind = json_get_string(v, "kind");
	if (kind && strcmp(kind, "any")) {
		size_t i;

		for (i = 0; i < 3 && strcmp(kind, kinds[i]); i++)
			;
		if (i == 3) {
			json_value_free(v);
			return send_error(r->conn, MHD_HTTP_BAD_REQUEST,
					  "kind: expected leak, pressure or pain");
		}
		snprintf(line, sizeof(line), "symptom %s", kinds[i]);
	}
	json_value_free(v);
	/* Even a malformed body is a press: walking pace first
	 * (docs/design.md), the quibble afterwards never. */
	(void) bad;
	return ask(r, line);
}

/*
 * Start and resume take two POSTs: the first returns a token that only
 * the same device can send back within CONFIRM_US, after the page's
 * press and hold. While one device holds a pending confirmation, others
 * are refused: two phones cannot race each other into starting the belt.
 */
static enum MHD_Result post_confirmed(struct request *r,
				      const struct auth_device *dev,
				      const char *what)
{
	struct web *w = r->w;
	struct confirm *c = &w->confirm;
	uint64_t now = paced_now_us(w->self);
	struct json_value *v;
	const char *token, *profile;
	char line[sizeof(c->line)];
	uint8_t rnd[16];
	struct json *j;
	enum MHD_Result res;
	bool bad;

	if (c->until_us && now >= c->until_us)
		c->until_us = 0;
	v = body_json(r, &bad);
	if (bad)
		return send_error(r->conn, MHD_HTTP_BAD_REQUEST,
				  "the body is not a JSON object");
	token = json_get_string(v, "confirm");
	if (token) {
		bool mine = c->until_us && !strcmp(c->device, dev->id) &&
			    !strcmp(c->what, what) &&
			    strlen(token) == strlen(c->token) &&
			    !strcmp(token, c->token);

		json_value_free(v);
		if (!mine)
			return send_error(r->conn, MHD_HTTP_FORBIDDEN,
					  "no pending %s for this confirmation (it lasts %llu s)",
					  what, CONFIRM_US / 1000000ULL);
		snprintf(line, sizeof(line), "%s", c->line);
		c->until_us = 0;
		return ask(r, line);
	}
	if (c->until_us && strcmp(c->device, dev->id)) {
		json_value_free(v);
		return send_error(r->conn, MHD_HTTP_CONFLICT,
				  "another device is confirming a %s", c->what);
	}
	profile = json_get_string(v, "profile");
	if (profile && (strcmp(what, "start") || !is_name(profile, 64))) {
		json_value_free(v);
		return send_error(r->conn, MHD_HTTP_BAD_REQUEST,
				  "profile: expected a profile name");
	}
	snprintf(c->line, sizeof(c->line), "%s%s%s", what,
		 profile ? " " : "", profile ? profile : "");
	json_value_free(v);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return send_error(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "no randomness");
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(c->token + 2 * i, 3, "%02x", rnd[i]);
	memcpy(c->device, dev->id, sizeof(c->device));
	c->what = what;
	c->until_us = now + CONFIRM_US;
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "confirm");
	json_string(j, c->token);
	json_key(j, "action");
	json_string(j, c->line);
	json_key(j, "expires_ms");
	json_uint(j, CONFIRM_US / 1000);
	json_object_end(j);
	res = send_json(r->conn, MHD_HTTP_ACCEPTED, json_buffer(j, NULL));
	json_free(j);
	return res;
}

static enum MHD_Result post_checkin(struct request *r)
{
	struct json_value *v;
	const char *answers = NULL;
	char line[160];
	bool bad;

	v = body_json(r, &bad);
	if (v)
		answers = json_get_string(v, "answers");
	/* checkin_parse_arg() (domain/checkin.h) judges the words; only
	 * its alphabet passes here, so nothing else reaches the line. */
	if (!answers || !*answers || strlen(answers) > 120 ||
	    answers[strspn(answers, "abcdefghijklmnopqrstuvwxyz0123456789=,-")]) {
		json_value_free(v);
		return send_error(r->conn, MHD_HTTP_BAD_REQUEST,
				  "answers: expected \"leak=no,pain=0,...\"");
	}
	snprintf(line, sizeof(line), "checkin %s", answers);
	json_value_free(v);
	return ask(r, line);
}

/* The session log of history's entry begun at when_s, or NULL. Only
 * a file directly in STATE/sessions/ is ever opened. */
static char *chart_log(struct request *r, const struct json_value *hist)
{
	const struct json_value *list = json_get(hist, "entries");
	const char *dir = paced_state_dir(r->w->self), *log;
	size_t dl = strlen(dir);

	for (size_t i = 0; i < json_len(list); i++) {
		const struct json_value *e = json_at(list, i);
		int64_t when = 0;

		if (!json_get_int(e, "when_s", &when) || when != r->chart)
			continue;
		log = json_get_string(e, "log");
		if (!log || strncmp(log, dir, dl) ||
		    strncmp(log + dl, "/sessions/", 10) ||
		    strchr(log + dl + 10, '/') || log[dl + 10] == '.')
			return NULL;
		return paced_strdup(log);
	}
	return NULL;
}

static char *read_log(const char *path, size_t *ret_len, int *ret_err)
{
	char *buf;
	size_t len = 0;
	int fd = file_open_at(AT_FDCWD, path, O_RDONLY, 0);

	if (fd < 0) {
		*ret_err = fd;
		return NULL;
	}
	buf = paced_malloc(CHART_LOG_MAX + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, CHART_LOG_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t) n) > CHART_LOG_MAX) {
			*ret_err = n < 0 ? -errno : len > CHART_LOG_MAX ? -EFBIG : 0;
			break;
		}
	}
	close(fd);
	if (*ret_err) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/*
 * Belt speed over the session, symptom presses and scale-backs, from the
 * session log's sample, symptom and scaleback lines (docs/design.md: the
 * log is the record). Lines that do not parse are skipped, as a torn
 * last line would be.
 */
static enum MHD_Result send_chart(struct request *r)
{
	struct json_value *hist = json_parse(r->reply, strlen(r->reply), NULL);
	char *path = chart_log(r, hist), *text, *line, *next;
	double *pts = NULL, press[CHART_MARKS], back[CHART_MARKS];
	size_t n = 0, cap = 0, n_press = 0, n_back = 0, len, step;
	enum MHD_Result res;
	struct json *j;
	int err = 0;

	json_value_free(hist);
	free(r->reply);
	r->reply = NULL;
	if (!path)
		return send_error(r->conn, MHD_HTTP_NOT_FOUND,
				  "no session log for that session");
	text = read_log(path, &len, &err);
	free(path);
	if (!text)
		return send_error(r->conn, err == -EFBIG ?
				  MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_NOT_FOUND,
				  "the session log cannot be read: %s",
				  err == -EFBIG ? "too large" : file_strerror(-err));
	for (line = text; line && *line; line = next) {
		struct json_value *v;
		const char *ev;
		double t = 0, kmh = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strstr(line, "\"event\":\"sample\"") &&
		    !strstr(line, "\"event\":\"symptom\"") &&
		    !strstr(line, "\"event\":\"scaleback\""))
			continue;
		v = json_parse(line, strlen(line), NULL);
		ev = json_get_string(v, "event");
		if (ev && json_get_number(v, "session_s", &t)) {
			if (!strcmp(ev, "sample") &&
			    json_get_number(v, "speed_kmh", &kmh)) {
				if (n + 2 > cap) {
					cap = cap ? 2 * cap : 512;
					pts = paced_realloc(pts, cap * sizeof(*pts));
				}
				pts[n++] = t;
				pts[n++] = kmh;
			} else if (!strcmp(ev, "symptom") &&
				   n_press < CHART_MARKS) {
				press[n_press++] = t;
			} else if (!strcmp(ev, "scaleback") &&
				   n_back < CHART_MARKS) {
				back[n_back++] = t;
			}
		}
		json_value_free(v);
	}
	free(text);
	step = n / 2 / CHART_POINTS + 1;
	j = json_new_buffer();
	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, true);
	json_key(j, "when_s");
	json_int(j, r->chart);
	json_key(j, "samples");
	json_array_begin(j);
	for (size_t i = 0; i < n / 2; i += step) {
		json_array_begin(j);
		json_double(j, pts[2 * i], 1);
		json_double(j, pts[2 * i + 1], 2);
		json_array_end(j);
	}
	json_array_end(j);
	json_key(j, "presses");
	json_array_begin(j);
	for (size_t i = 0; i < n_press; i++)
		json_double(j, press[i], 1);
	json_array_end(j);
	json_key(j, "scalebacks");
	json_array_begin(j);
	for (size_t i = 0; i < n_back; i++)
		json_double(j, back[i], 1);
	json_array_end(j);
	json_object_end(j);
	free(pts);
	res = send_json(r->conn, MHD_HTTP_OK, json_buffer(j, NULL));
	json_free(j);
	return res;
}

static enum MHD_Result api(struct request *r, const char *method,
			   const char *path)
{
	static const struct {
		const char *path, *line;
	} gets[] = {
		{ "status", "status" }, { "history", "history" },
		{ "next", "next" }, { "profiles", "profiles" },
	}, posts[] = {
		{ "pause", "pause" }, { "end", "end" }, { "stop", "stop" },
	};
	const struct auth_device *dev = device_of(r);
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET);
	char line[96];

	if (!dev)
		return send_error(r->conn, MHD_HTTP_UNAUTHORIZED,
				  "this device is not paired (pacectl web pair)");
	if (!get && strcmp(method, MHD_HTTP_METHOD_POST))
		return send_error(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "GET or POST only");
	if (!get && !same_origin(r))
		return send_error(r->conn, MHD_HTTP_FORBIDDEN,
				  "POST only from the page itself (Origin)");
	if (r->too_big)
		return send_error(r->conn, MHD_HTTP_CONTENT_TOO_LARGE,
				  "the body is over %d bytes", BODY_MAX);
	if (get) {
		for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++)
			if (!strcmp(path, gets[i].path))
				return ask(r, gets[i].line);
		if (!strcmp(path, "events"))
			return stream_open(r, dev);
		if (!strncmp(path, "history/", 8)) {
			char *end;

			r->chart = strtoll(path + 8, &end, 10);
			if (end == path + 8 || strcmp(end, "/speed") ||
			    r->chart <= 0 || path[8] == '+' || path[8] == '-')
				return send_error(r->conn, MHD_HTTP_NOT_FOUND,
						  "expected /api/history/WHEN_S/speed");
			/* Reading a log (up to 2 MiB, in the loop) must not
			 * hold up a press: charts wait for the session's end. */
			if (web.session)
				return send_error(r->conn, MHD_HTTP_CONFLICT,
						  "charts are drawn when no session is running");
			return ask(r, "history");
		}
		if (!strncmp(path, "profiles/", 9)) {
			if (!is_name(path + 9, 64))
				return send_error(r->conn, MHD_HTTP_NOT_FOUND,
						  "no such profile name");
			snprintf(line, sizeof(line), "profile %s", path + 9);
			return ask(r, line);
		}
	} else {
		for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++)
			if (!strcmp(path, posts[i].path))
				return ask(r, posts[i].line);
		if (!strcmp(path, "symptom"))
			return post_symptom(r);
		if (!strcmp(path, "start") || !strcmp(path, "resume"))
			return post_confirmed(r, dev, !strcmp(path, "start") ?
						      "start" : "resume");
		if (!strcmp(path, "checkin"))
			return post_checkin(r);
	}
	return send_error(r->conn, MHD_HTTP_NOT_FOUND, "no %s /api/%s",
			  method, path);
}

/* ---- pairing and pages ---- */

static enum MHD_Result pair(struct request *r)
{
	struct web *w = r->w;
	const char *code = MHD_lookup_connection_value(r->conn,
						       MHD_GET_ARGUMENT_KIND,
						       "code");
	const char *agent = MHD_lookup_connection_value(r->conn,
							MHD_HEADER_KIND,
							"User-Agent");
	const struct auth_device *dev;
	char token[AUTH_SECRET_HEX + 1], cookie[160];
	int err;

	err = auth_pair_take(&w->auth, code ? code : "",
			     paced_now_us(w->self), time(NULL), agent, token,
			     &dev);
	if (err == -EACCES)
		return send_page(r->conn, MHD_HTTP_FORBIDDEN, "Not paired",
				 "This pairing link is wrong, used or expired. "
				 "Run <code>pacectl web pair</code> on the box for a new one.",
				 NULL);
	if (err < 0) {
		paced_log(w->self, LOG_ERR, "pairing failed: %s",
			  err == -ENOSPC ? "too many devices (pacectl web revoke ID)" :
			  strerror(-err));
		return send_page(r->conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				 "Not paired",
				 err == -ENOSPC ? "Too many devices are paired: revoke one "
				 "with <code>pacectl web revoke ID</code>." :
				 "The box could not save the pairing; see its log.",
				 NULL);
	}
	paced_log(w->self, LOG_NOTICE, "paired device %s (%s)", dev->id,
		  dev->agent);
	/* A year; HttpOnly: no script reads it; SameSite=Strict: no other
	 * site's page sends it. */
	snprintf(cookie, sizeof(cookie),
		 COOKIE "=%s; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict",
		 token);
	return send_page(r->conn, MHD_HTTP_OK, "Paired",
			 "This phone can now use paced. <a href=\"/\">Open it</a>.",
			 cookie);
}

static enum MHD_Result page(struct request *r, const char *method,
			    const char *url)
{
	const struct web_asset *a = web_asset_find(url);

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_error(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "GET only");
	if (!strcmp(url, "/pair"))
		return pair(r);
	if (!a)
		return send_error(r->conn, MHD_HTTP_NOT_FOUND, "no such page");
	/* Scripts and styles hold nothing private; the application page
	 * itself is for paired devices. */
	if (a->page && !device_of(r))
		return send_page(r->conn, MHD_HTTP_UNAUTHORIZED,
				 "Pair this phone",
				 "On the box, run <code>pacectl web pair</code> and open "
				 "the link it prints (or scan its QR code) on this phone. "
				 "The link works once, for 5 minutes.", NULL);
	return send_buf(r->conn, MHD_HTTP_OK, a->type, a->data, a->len, false,
			NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct web *w = cls;
	struct request *r = *con_cls;

	(void) version;
	if (!r) {
		const char *len = MHD_lookup_connection_value(conn,
							      MHD_HEADER_KIND,
							      "Content-Length");

		r = paced_new0(struct request, 1);
		r->w = w;
		r->conn = conn;
		*con_cls = r;
		/* Refused before a byte of it is read. */
		if (len && strtoull(len, NULL, 10) > BODY_MAX)
			return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
					  "the body is over %d bytes", BODY_MAX);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body_len + *upload_data_size > BODY_MAX)
			r->too_big = true;
		else {
			memcpy(r->body + r->body_len, upload_data,
			       *upload_data_size);
			r->body_len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->reply)
		return r->chart ? send_chart(r) : send_reply(r);
	if (!strncmp(url, "/api/", 5))
		return api(r, method, url + 5);
	return page(r, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode code)
{
	struct request *r = *con_cls;

	(void) cls;
	(void) conn;
	(void) code;
	if (!r)
		return;
	*con_cls = NULL;
	free(r->reply);
	if (r->waiting)
		r->orphan = true;	/* on_reply() frees it */
	else
		free(r);
}

/* ---- driving MHD from the daemon's loop ---- */

/*
 * The connection limit is ours, enforced at accept: a connection past it
 * is closed at once while listening goes on. At its own limit MHD takes
 * the listening socket out of its epoll set until a later MHD_run(),
 * and with the other connections parked (event streams) that run may be
 * long in coming; its own limit is kept above ours as a backstop.
 */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
				 socklen_t len)
{
	struct web *w = cls;

	(void) addr;
	(void) len;
	return w->n_conn < CONN_MAX ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct web *w = cls;

	(void) conn;
	(void) socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		w->n_conn++;
	else if (w->n_conn)
		w->n_conn--;
}

static void run(struct web *w)
{
	w->in_run = true;
	w->kicked = false;
	MHD_run(w->mhd);
	w->in_run = false;
	schedule(w);
}

static bool on_timer(void *user_data)
{
	struct web *w = user_data;

	w->timer = 0;
	run(w);
	return false;
}

/*
 * Arm a timer only when MHD has something timed (an idle connection to
 * drop): with no connections the plugin never wakes the box up.
 */
static void schedule(struct web *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (w->timer)
		paced_remove(w->self, w->timer);
	w->timer = 0;
	if (w->kicked)
		ms = 0;
	else if (MHD_get_timeout(w->mhd, &ms) != MHD_YES)
		return;
	w->timer = paced_add_timeout(w->self, (uint64_t) ms * 1000, false,
				     on_timer, w, NULL);
	if (w->timer < 0)
		w->timer = 0;
}

/*
 * In external polling mode a resumed connection moves only when MHD runs
 * again (microhttpd.h, MHD_resume_connection()): run it from the loop
 * next, never from inside MHD's own callbacks.
 */
static void resume(struct web *w, struct MHD_Connection *conn)
{
	MHD_resume_connection(conn);
	w->kicked = true;
	if (!w->in_run)
		schedule(w);
}

static bool on_ready(int fd, uint32_t events, void *user_data)
{
	(void) fd;
	(void) events;
	run(user_data);
	return true;
}

/* ---- control commands: web pair | devices | revoke ID ---- */

/* The address a phone on the LAN reaches: the first non-loopback IPv4
 * address when listening on all of them. */
static void base_url(struct web *w, char *buf, size_t len)
{
	char host[sizeof(w->host)] = "";
	struct ifaddrs *ifs, *i;

	if (w->url) {
		snprintf(buf, len, "%s", w->url);
		return;
	}
	if (w->any_host && getifaddrs(&ifs) == 0) {
		for (i = ifs; i && !*host; i = i->ifa_next) {
			struct sockaddr_in *sin = (void *) i->ifa_addr;

			if (sin && sin->sin_family == AF_INET &&
			    ntohl(sin->sin_addr.s_addr) >> 24 != 127)
				inet_ntop(AF_INET, &sin->sin_addr, host,
					  sizeof(host));
		}
		freeifaddrs(ifs);
	}
	if (!*host)
		snprintf(host, sizeof(host), "%s",
			 w->any_host ? "127.0.0.1" : w->host);
	snprintf(buf, len, strchr(host, ':') ? "http://[%s]:%u" : "http://%s:%u",
		 host, w->port);
}

static void reply_fmt(struct paced_call *call, bool ok, const char *key,
		      const char *value)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "ok");
	json_bool(j, ok);
	json_key(j, key);
	json_string(j, value);
	json_object_end(j);
	paced_call_reply(call, json_buffer(j, NULL));
	json_free(j);
}

static void on_command(struct paced_call *call, const char *arg,
		       void *user_data)
{
	struct web *w = user_data;
	char code[AUTH_SECRET_HEX + 1], url[512], msg[96];
	struct json *j;
	int err;

	/* Only a person at the box pairs or revokes: never another plugin
	 * (an MQTT broker must not mint web tokens). */
	if (paced_call_uid(call) < 0) {
		reply_fmt(call, false, "error",
			  "web: only the control socket may pair or revoke");
		return;
	}
	while (*arg == ' ')
		arg++;
	if (!strcmp(arg, "pair")) {
		err = auth_pair_new(&w->auth, paced_now_us(w->self), code);
		if (err < 0) {
			reply_fmt(call, false, "error", strerror(-err));
			return;
		}
		base_url(w, url, sizeof(url));
		j = json_new_buffer();
		json_object_begin(j);
		json_key(j, "ok");
		json_bool(j, true);
		json_key(j, "url");
		json_string(j, url);
		json_key(j, "pair");
		/* The code rides in the query: the page at /pair takes it. */
		snprintf(url + strlen(url), sizeof(url) - strlen(url),
			 "/pair?code=%s", code);
		json_string(j, url);
		json_key(j, "expires_s");
		json_uint(j, AUTH_PAIR_US / 1000000);
		json_object_end(j);
		/* The call is gone once answered: who asked, first. */
		paced_log(w->self, LOG_NOTICE,
			  "pairing link issued (uid %ld), valid 5 minutes",
			  paced_call_uid(call));
		paced_call_reply(call, json_buffer(j, NULL));
		json_free(j);
		return;
	}
	if (!strcmp(arg, "devices")) {
		j = json_new_buffer();
		json_object_begin(j);
		json_key(j, "ok");
		json_bool(j, true);
		json_key(j, "devices");
		json_array_begin(j);
		for (unsigned i = 0; i < w->auth.n_dev; i++) {
			json_object_begin(j);
			json_key(j, "id");
			json_string(j, w->auth.dev[i].id);
			json_key(j, "created");
			json_int(j, w->auth.dev[i].created);
			json_key(j, "agent");
			json_string(j, w->auth.dev[i].agent);
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		paced_call_reply(call, json_buffer(j, NULL));
		json_free(j);
		return;
	}
	if (!strncmp(arg, "revoke ", 7)) {
		const char *id = arg + 7;

		err = auth_revoke(&w->auth, id);
		if (err < 0) {
			snprintf(msg, sizeof(msg), "%s", err == -ENOENT ?
				 "no such device (pacectl web devices)" :
				 strerror(-err));
			reply_fmt(call, false, "error", msg);
			return;
		}
		/* Its open streams end now, not at their next event. */
		for (struct stream *s = w->streams; s; s = s->next)
			if (!strcmp(s->device, id))
				stream_end(s);
		if (w->confirm.until_us && !strcmp(w->confirm.device, id))
			w->confirm.until_us = 0;
		paced_log(w->self, LOG_NOTICE, "revoked device %s", id);
		reply_fmt(call, true, "revoked", id);
		return;
	}
	reply_fmt(call, false, "error",
		  "web: expected pair, devices or revoke ID");
}

/* ---- plugin ---- */

/* fmt is libmicrohttpd's own format string. */
__attribute__((format(printf, 2, 0)))
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	paced_log(w->self, LOG_DEBUG, "%s", msg);
}

/* "HOST:PORT" or "[V6]:PORT", numeric only: a name would need a
 * blocking resolver at start-up. */
static int parse_listen(struct web *w, const char *s,
			struct sockaddr_storage *ss, bool *v6)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon)
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535)
		return -EINVAL;
	hl = (size_t) (colon - s);
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (!hl || hl >= sizeof(w->host))
		return -EINVAL;
	memcpy(w->host, s, hl);
	w->host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, w->host, &((struct sockaddr_in *) ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (void *) ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t) port);
		*v6 = false;
		w->any_host = sin->sin_addr.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, w->host,
			     &((struct sockaddr_in6 *) ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (void *) ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t) port);
		*v6 = true;
		w->any_host = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
	} else {
		return -EINVAL;
	}
	w->port = (unsigned) port;
	return 0;
}

static int web_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const known[] = { "listen", "url", NULL };
	struct web *w = &web;
	const char *listen = "0.0.0.0:8080", *url = NULL;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	char err[512];
	bool v6 = false;
	int r, fd;

	memset(w, 0, sizeof(*w));
	w->self = self;
	r = paced_cfg_check_keys(self, cfg, known);
	if (r < 0)
		return r;
	paced_cfg_get_str(cfg, "listen", &listen);
	if (parse_listen(w, listen, &ss, &v6) < 0) {
		paced_log(self, LOG_ERR,
			  "%s:%u: listen '%s': expected ADDRESS:PORT with a numeric address (\"0.0.0.0:8080\", \"[::]:8080\")",
			  paced_cfg_file(cfg), paced_cfg_line(cfg, "listen"),
			  listen);
		return -EINVAL;
	}
	if (paced_cfg_get_str(cfg, "url", &url) == 0) {
		if (strncmp(url, "http://", 7) || strlen(url) > 200 ||
		    strpbrk(url, " \"'<>?#")) {
			paced_log(self, LOG_ERR,
				  "%s:%u: url '%s': expected http://HOST[:PORT] as phones reach the box",
				  paced_cfg_file(cfg), paced_cfg_line(cfg, "url"),
				  url);
			return -EINVAL;
		}
		w->url = paced_strdup(url);
		if (w->url[strlen(w->url) - 1] == '/')
			w->url[strlen(w->url) - 1] = '\0';
	}
	r = auth_load(&w->auth, paced_state_dir(self), err, sizeof(err));
	if (r < 0) {
		paced_log(self, LOG_ERR, "%s", err);
		goto fail;
	}
	w->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
				  MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0),
				  0, on_accept, w, on_request, w,
				  MHD_OPTION_SOCK_ADDR, &ss,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned) (2 * CONN_MAX),
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t) CONN_MEMORY,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned) CONN_IDLE_S,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, w,
				  MHD_OPTION_END);
	if (!w->mhd) {
		paced_log(self, LOG_ERR, "cannot listen on %s (in use, or no such address?)",
			  listen);
		r = -EADDRINUSE;
		goto fail;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info)
		w->port = info->port;
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	fd = info ? info->epoll_fd : -1;
	r = fd < 0 ? -EIO : paced_add_fd(self, fd, EPOLLIN, on_ready, w, NULL);
	if (r >= 0)
		r = paced_sink_register(self, &sink_ops, w);
	if (r >= 0)
		r = paced_command_register(self, "web", on_command, w);
	if (r < 0) {
		paced_log(self, LOG_ERR, "cannot hook into the loop: %s",
			  strerror(-r));
		goto fail;
	}
	paced_log(self, LOG_INFO, "listening on http://%s%s%s:%u/, %u device(s) paired",
		  v6 ? "[" : "", w->host, v6 ? "]" : "", w->port,
		  w->auth.n_dev);
	return 0;
fail:
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	auth_clear(&w->auth);
	free(w->url);
	memset(w, 0, sizeof(*w));
	return r;
}

static void web_exit(struct paced_plugin *self)
{
	struct web *w = &web;

	(void) self;
	/* MHD must not be stopped with parked connections. */
	for (struct stream *s = w->streams; s; s = s->next)
		stream_end(s);
	for (struct request *r = w->waiting; r; r = r->next)
		MHD_resume_connection(r->conn);
	MHD_stop_daemon(w->mhd);
	auth_clear(&w->auth);
	free(w->url);
}

/* The page starts the belt only after a press and hold and a second,
 * confirming request (post_confirmed()). */
PACED_PLUGIN_DEFINE("web", PACKAGE_VERSION, web_init, web_exit,
		    .flags = PACED_PLUGIN_STARTS);
