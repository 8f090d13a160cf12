/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "mqtt" plugin: the session on an MQTT broker for Home Assistant, and the buttons that may only slow or stop the belt. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <mosquitto.h>

#include <paced/plugin.h>

#include "json.h"
#include "json-read.h"
#include "util.h"

#define DEFAULT_PORT		1883
#define DEFAULT_TLS_PORT	8883
#define DEFAULT_KEEPALIVE	60
/* Reconnect backoff: 1 s doubling to a minute. */
#define BACKOFF_MIN_S		1
#define BACKOFF_MAX_S		60
/* While a session runs, its time left is refreshed this often. */
#define REFRESH_US		5000000
/* Ignored commands are logged at most this often. */
#define JUNK_LOG_US		10000000
#define JUNK_BURST		10
#define PASSWORD_MAX		256
/*
 * The kernel's send buffer for the broker: a fixed one, not autotuned to
 * megabytes, so a broker that stops reading is noticed (STALL_US) after
 * a few seconds of state, not hours. The kernel doubles it; the discovery
 * burst (about 9 KB) fits.
 */
#define SNDBUF			8192
/* Output pending this long: the broker is not keeping up. */
#define STALL_US		2000000

/* The buttons, in discovery order: object id, name, payload, icon. */
static const struct button {
	const char *id, *name, *payload, *icon;
} buttons[] = {
	{ "symptom", "Symptom", "symptom", "mdi:alert-octagon" },
	{ "symptom_leak", "Symptom: leak", "symptom:leak", "mdi:water-alert" },
	{ "symptom_heaviness", "Symptom: heaviness", "symptom:pressure",
	  "mdi:arrow-down-bold-circle" },
	{ "symptom_pain", "Symptom: pain", "symptom:pain", "mdi:alert" },
	{ "pause", "Pause", "pause", "mdi:pause" },
	{ "end", "End (cool-down)", "end", "mdi:flag-checkered" },
	{ "stop", "Stop", "stop", "mdi:stop" },
};

/* The sensors: object id, name, topic (state or session), template,
 * unit, device class, icon. */
static const struct sensor {
	const char *id, *name;
	bool session;		/* on TOPIC/session, else TOPIC/state */
	const char *tmpl, *unit, *device_class, *icon;
} sensors[] = {
	{ "state", "State", false, "{{ value_json.state }}", NULL, NULL,
	  "mdi:run" },
	{ "stage", "Stage", true, "{{ value_json.stage }}", NULL, NULL,
	  "mdi:stairs-up" },
	{ "segment", "Segment", true, "{{ value_json.segment }}", NULL, NULL,
	  "mdi:walk" },
	{ "time_left", "Time left", true, "{{ value_json.remaining_s }}", "s",
	  "duration", NULL },
	{ "belt_speed", "Belt speed", true, "{{ value_json.belt_speed_kmh }}",
	  "km/h", "speed", NULL },
	{ "presses_today", "Presses today", true,
	  "{{ value_json.presses_today }}", NULL, NULL, "mdi:gesture-tap" },
	{ "next_session_due", "Next session due", true,
	  "{{ value_json.next_due }}", NULL, "timestamp", "mdi:calendar" },
};

#define N_BUTTONS (sizeof(buttons) / sizeof(buttons[0]))
#define N_SENSORS (sizeof(sensors) / sizeof(sensors[0]))

struct mqtt {
	struct paced_plugin *self;
	struct mosquitto *mosq;
	bool lib;		/* mosquitto_lib_init() done */
	/* Settings. */
	char host[INET6_ADDRSTRLEN];
	int port;
	int keepalive;
	char *topic;		/* the base: TOPIC/state, ... */
	char *discovery;	/* NULL: no Home Assistant discovery */
	char node[64];		/* [a-zA-Z0-9_-], unique per box */
	/* The event loop's view of the library's socket. */
	int fd;
	uint32_t fd_events;
	int fd_watch;
	int misc_timer;		/* keepalive, while a socket is open */
	int retry_timer;	/* reconnect, while none is */
	int refresh_timer;	/* time left, while a session runs */
	int midnight_timer;	/* a new day: presses today, next due */
	unsigned backoff_s;
	bool connected;		/* CONNACK accepted */
	bool fresh;		/* just connected: publish everything */
	bool lost;		/* the library closed the socket */
	bool complained;	/* a failed attempt logged since the last success */
	bool attempting;	/* a connection under way, not yet accepted */
	int why;		/* why the socket went: MOSQ_ERR_*, or -errno */
	uint64_t pending_us;	/* since when output waits, 0 none */
	bool stalled;		/* said so in the log */
	unsigned dropped;	/* events dropped while stalled */
	/* What we know, for republishing. */
	char *status;		/* the last status reply */
	char *session;		/* the object on TOPIC/session */
	bool status_busy, status_again;
	long presses_before;	/* today's presses in finished sessions */
	char next_due[40];	/* ISO 8601, "" unknown */
	bool state_dirty;	/* held back while stalled */
	uint64_t junk_logged_us;
	unsigned junk_lines;	/* logged in this window */
	unsigned junk_quiet;	/* not logged in this window */
};

static struct mqtt state;

static void sync_io(struct mqtt *m);
static void schedule_retry(struct mqtt *m);

static int fail_cfg(struct mqtt *m, const struct paced_cfg *cfg,
		    const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_cfg(struct mqtt *m, const struct paced_cfg *cfg,
		    const char *key, const char *fmt, ...)
{
	char msg[PATH_MAX + 160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	paced_log(m->self, LOG_ERR, "%s:%u: %s", paced_cfg_file(cfg),
		  paced_cfg_line(cfg, key), msg);
	return -EINVAL;
}

static char *topic_of(const struct mqtt *m, const char *leaf)
{
	char *t;

	if (asprintf(&t, "%s/%s", m->topic, leaf) < 0)
		abort();	/* docs/style.md: abort on OOM */
	return t;
}

/* ---- publishing: never blocks, never queues without bound ---- */

/*
 * Queue one message. The socket is non-blocking and libmosquitto writes
 * what the kernel takes at once; the rest waits for EPOLLOUT. While the
 * broker takes nothing (stalled), events are dropped and retained state
 * is only marked dirty, so a broker that stops reading costs at most
 * what was queued before it stopped.
 */
static bool publish(struct mqtt *m, const char *leaf, const char *payload,
		    bool retain)
{
	char *t;
	int r;

	if (!m->connected)
		return false;
	t = leaf[0] == '/' ? paced_strdup(leaf + 1) : topic_of(m, leaf);
	r = mosquitto_publish(m->mosq, NULL, t, (int) strlen(payload),
			      payload, 0, retain);
	if (r != MOSQ_ERR_SUCCESS)
		paced_log(m->self, LOG_DEBUG, "publish %s: %s", t,
			  mosquitto_strerror(r));
	free(t);
	return r == MOSQ_ERR_SUCCESS;
}

/*
 * Output that waits a moment is normal (a burst, a publish from inside
 * a library callback); output that waits for STALL_US means the broker
 * is not reading.
 */
static bool stalled(struct mqtt *m)
{
	return m->pending_us &&
	       paced_now_us(m->self) - m->pending_us >= STALL_US;
}

/* Events go only to a broker that is keeping up. */
static void publish_event(struct mqtt *m, const char *leaf,
			  const char *payload)
{
	if (!m->connected)
		return;
	if (stalled(m)) {
		m->dropped++;
		return;
	}
	publish(m, leaf, payload, false);
}

static void publish_state(struct mqtt *m)
{
	if (!m->connected)
		return;
	if (stalled(m)) {
		m->state_dirty = true;
		return;
	}
	m->state_dirty = false;
	if (m->status)
		publish(m, "state", m->status, true);
	if (m->session)
		publish(m, "session", m->session, true);
}

static void device_json(const struct mqtt *m, struct json *j)
{
	char id[80], name[96];

	snprintf(id, sizeof(id), "paced_%s", m->node);
	snprintf(name, sizeof(name), "paced (%s)", m->node);
	json_key(j, "device");
	json_object_begin(j);
	json_key(j, "identifiers");
	json_array_begin(j);
	json_string(j, id);
	json_array_end(j);
	json_key(j, "name");
	json_string(j, name);
	json_key(j, "manufacturer");
	json_string(j, "paced");
	json_key(j, "model");
	json_string(j, "treadmill session");
	json_key(j, "sw_version");
	json_string(j, PACKAGE_VERSION);
	json_object_end(j);
}

/* The keys every entity shares: name, unique_id, availability, device. */
static void entity_begin(const struct mqtt *m, struct json *j,
			 const char *id, const char *name, const char *icon)
{
	char uid[160], *avail = topic_of(m, "availability");

	snprintf(uid, sizeof(uid), "paced_%s_%s", m->node, id);
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, name);
	json_key(j, "unique_id");
	json_string(j, uid);
	json_key(j, "availability_topic");
	json_string(j, avail);
	json_key(j, "payload_available");
	json_string(j, "online");
	json_key(j, "payload_not_available");
	json_string(j, "offline");
	if (icon) {
		json_key(j, "icon");
		json_string(j, icon);
	}
	device_json(m, j);
	free(avail);
}

/*
 * Home Assistant MQTT discovery: one retained config a entity on
 * DISCOVERY/COMPONENT/NODE_ID/OBJECT_ID/config, all of one device. The
 * layout and keys are those of Home Assistant's MQTT discovery, sensor
 * and button documentation; tests/test-mqtt.sh checks them.
 */
static void publish_discovery(struct mqtt *m)
{
	struct json *j = json_new_buffer();
	char topic[512];

	if (!m->discovery)
		goto out;
	for (size_t i = 0; i < N_SENSORS; i++) {
		const struct sensor *s = &sensors[i];
		char *st = topic_of(m, s->session ? "session" : "state");

		json_buffer_reset(j);
		entity_begin(m, j, s->id, s->name, s->icon);
		json_key(j, "state_topic");
		json_string(j, st);
		json_key(j, "value_template");
		json_string(j, s->tmpl);
		if (s->unit) {
			json_key(j, "unit_of_measurement");
			json_string(j, s->unit);
		}
		if (s->device_class) {
			json_key(j, "device_class");
			json_string(j, s->device_class);
		}
		json_object_end(j);
		snprintf(topic, sizeof(topic), "/%s/sensor/paced_%s/%s/config",
			 m->discovery, m->node, s->id);
		publish(m, topic, json_buffer(j, NULL), true);
		free(st);
	}
	for (size_t i = 0; i < N_BUTTONS; i++) {
		const struct button *b = &buttons[i];
		char *ct = topic_of(m, "command");

		json_buffer_reset(j);
		entity_begin(m, j, b->id, b->name, b->icon);
		json_key(j, "command_topic");
		json_string(j, ct);
		json_key(j, "payload_press");
		json_string(j, b->payload);
		json_object_end(j);
		snprintf(topic, sizeof(topic), "/%s/button/paced_%s/%s/config",
			 m->discovery, m->node, b->id);
		publish(m, topic, json_buffer(j, NULL), true);
		free(ct);
	}
out:
	json_free(j);
}

/* ---- what the daemon says: status, history, next ---- */

static void copy_field(struct json *j, const struct json_value *from,
		       const char *key, const char *as)
{
	const struct json_value *v = from ? json_get(from, key) : NULL;
	double d;
	const char *s;

	json_key(j, as);
	if (v && (s = json_value_string(v)))
		json_string(j, s);
	else if (v && json_value_number(v, &d))
		json_double(j, d, 2);
	else
		json_null(j);
}

/* TOPIC/session: the sensors' values, from the status reply. */
static void build_session(struct mqtt *m)
{
	struct json_value *v = json_parse(m->status, strlen(m->status), NULL);
	const struct json_value *seg = v ? json_get(v, "segment") : NULL;
	const struct json_value *tm = v ? json_get(v, "treadmill") : NULL;
	struct json *j = json_new_buffer();
	int64_t presses = 0;
	const char *st = v ? json_get_string(v, "state") : NULL;

	if (seg && json_value_type(seg) != JSON_OBJECT)
		seg = NULL;
	if (tm && json_value_type(tm) != JSON_OBJECT)
		tm = NULL;
	if (!v || !json_get_int(v, "presses", &presses))
		presses = 0;
	json_object_begin(j);
	copy_field(j, v, "state", "state");
	copy_field(j, v, "profile", "profile");
	copy_field(j, v, "stage", "stage");
	copy_field(j, seg, "pace", "segment");
	copy_field(j, seg, "phase", "phase");
	copy_field(j, v, "remaining_s", "remaining_s");
	copy_field(j, seg, "remaining_s", "segment_remaining_s");
	copy_field(j, v, "target_speed_kmh", "target_speed_kmh");
	copy_field(j, tm, "speed_kmh", "belt_speed_kmh");
	json_key(j, "presses");
	json_int(j, presses);
	json_key(j, "presses_today");
	json_int(j, m->presses_before + (st && strcmp(st, "idle") ? presses : 0));
	json_key(j, "next_due");
	if (m->next_due[0])
		json_string(j, m->next_due);
	else
		json_null(j);
	json_object_end(j);
	free(m->session);
	m->session = paced_strdup(json_buffer(j, NULL));
	json_free(j);
	json_value_free(v);
}

static bool on_refresh(void *user_data);
static void request_status(struct mqtt *m);

static void on_status(const char *json, void *user_data)
{
	struct mqtt *m = user_data;
	struct json_value *v = json_parse(json, strlen(json), NULL);
	const char *st = v ? json_get_string(v, "state") : NULL;
	bool running = st && strcmp(st, "idle");

	m->status_busy = false;
	free(m->status);
	m->status = paced_strdup(json);
	json_value_free(v);
	build_session(m);
	publish_state(m);
	/* Time left moves on its own while a session runs; when idle,
	 * nothing wakes the plugin but the broker and the keepalive. */
	if (running && !m->refresh_timer) {
		m->refresh_timer = paced_add_timeout(m->self, REFRESH_US, true,
						     on_refresh, m, NULL);
		if (m->refresh_timer < 0)
			m->refresh_timer = 0;
	} else if (!running && m->refresh_timer) {
		paced_remove(m->self, m->refresh_timer);
		m->refresh_timer = 0;
	}
	if (m->status_again) {
		m->status_again = false;
		request_status(m);
	}
	sync_io(m);
}

/* One status request at a time; events meanwhile ask for one more. */
static void request_status(struct mqtt *m)
{
	if (m->status_busy) {
		m->status_again = true;
		return;
	}
	if (paced_request(m->self, "status", on_status, m) == 0)
		m->status_busy = true;
}

static bool on_refresh(void *user_data)
{
	struct mqtt *m = user_data;

	if (m->connected)
		request_status(m);
	return true;
}

/* Local midnight today, for "presses today". */
static time_t today_start(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void on_history(const char *json, void *user_data)
{
	struct mqtt *m = user_data;
	struct json_value *v = json_parse(json, strlen(json), NULL);
	const struct json_value *e = v ? json_get(v, "entries") : NULL;
	time_t since = today_start();
	long n = 0;

	for (size_t i = 0; e && i < json_len(e); i++) {
		const struct json_value *h = json_at(e, i);
		int64_t when = 0, p = 0;

		if (json_get_int(h, "when_s", &when) && when >= since &&
		    json_get_int(h, "presses", &p) && p > 0)
			n += (long) p;
	}
	json_value_free(v);
	m->presses_before = n;
	if (m->status) {
		build_session(m);
		publish_state(m);
		sync_io(m);
	}
}

static void on_next(const char *json, void *user_data)
{
	struct mqtt *m = user_data;
	struct json_value *v = json_parse(json, strlen(json), NULL);
	int64_t due = 0;
	bool ok = false;

	m->next_due[0] = '\0';
	/* 0: the programme has no running yet; unknown to the sensor. */
	if (v && json_get_bool(v, "ok", &ok) && ok &&
	    json_get_int(v, "running_due_s", &due) && due > 0) {
		time_t t = (time_t) due;
		struct tm tm;

		/* Home Assistant's timestamp sensors take ISO 8601. */
		gmtime_r(&t, &tm);
		strftime(m->next_due, sizeof(m->next_due),
			 "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	}
	json_value_free(v);
	if (m->status) {
		build_session(m);
		publish_state(m);
		sync_io(m);
	}
}

static void refresh_all(struct mqtt *m);

static bool on_midnight(void *user_data)
{
	struct mqtt *m = user_data;

	m->midnight_timer = 0;
	refresh_all(m);
	return false;
}

/* Everything the sensors show, asked for afresh; again at midnight,
 * when "presses today" starts over and a rest day may end. */
static void refresh_all(struct mqtt *m)
{
	time_t now = time(NULL), next = today_start() + 24 * 3600 + 1;

	(void) paced_request(m->self, "history", on_history, m);
	(void) paced_request(m->self, "next", on_next, m);
	request_status(m);
	if (m->midnight_timer)
		paced_remove(m->self, m->midnight_timer);
	m->midnight_timer = paced_add_timeout(m->self,
					      (uint64_t) (next > now ? next - now : 1) * 1000000,
					      false, on_midnight, m, NULL);
	if (m->midnight_timer < 0)
		m->midnight_timer = 0;
}

/* ---- the sink: every session event ---- */

static void on_event(const struct paced_event *ev, void *user_data)
{
	struct mqtt *m = user_data;

	if (!ev->name || !ev->json)
		return;
	publish_event(m, "event", ev->json);
	if (!strcmp(ev->name, "cue") && ev->text) {
		struct json *j = json_new_buffer();

		json_object_begin(j);
		json_key(j, "kind");
		json_string(j, ev->cue_kind ? ev->cue_kind : "");
		json_key(j, "text");
		json_string(j, ev->text);
		json_key(j, "speed_kmh");
		if (ev->speed)
			json_fixed(j, ev->speed, 2);
		else
			json_null(j);
		json_object_end(j);
		publish_event(m, "cue", json_buffer(j, NULL));
		json_free(j);
	}
	if (!strcmp(ev->name, "session-start") ||
	    !strcmp(ev->name, "session-end"))
		refresh_all(m);
	else
		request_status(m);
	/* What was published may need EPOLLOUT. */
	if (m->connected)
		sync_io(m);
}

static const struct paced_sink_ops sink_ops = {
	.name = "mqtt",
	.event = on_event,
};

/* ---- commands in: only ever slower or stopped ---- */

static void junk(struct mqtt *m, const char *why, const char *payload)
{
	uint64_t now = paced_now_us(m->self);

	/* Each is logged, but a flood of junk must not flood the log:
	 * JUNK_BURST lines a JUNK_LOG_US window, then a count. */
	if (!m->junk_logged_us || now - m->junk_logged_us >= JUNK_LOG_US) {
		if (m->junk_quiet)
			paced_log(m->self, LOG_WARNING, "%u more commands ignored",
				  m->junk_quiet);
		m->junk_logged_us = now;
		m->junk_lines = 0;
		m->junk_quiet = 0;
	}
	if (m->junk_lines == JUNK_BURST) {
		m->junk_quiet++;
		return;
	}
	m->junk_lines++;
	paced_log(m->self, LOG_WARNING, "command \"%.40s\" ignored: %s",
		  payload, why);
}

/*
 * The command topic's words. Nothing here starts or resumes the belt or
 * sets a speed: from MQTT anything may slow or stop it, nothing may start
 * or speed it (docs/design.md, front ends). The descriptor does not
 * set PACED_PLUGIN_STARTS either, so the daemon would refuse them too.
 */
static const struct command {
	const char *word;
	enum paced_action action;
	int arg;
} commands[] = {
	{ "symptom", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_ANY },
	{ "symptom:leak", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_LEAK },
	{ "symptom:pressure", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_PRESSURE },
	{ "symptom:pain", PACED_ACTION_SYMPTOM, PACED_SYMPTOM_PAIN },
	{ "pause", PACED_ACTION_PAUSE, 0 },
	{ "end", PACED_ACTION_END, 0 },
	{ "stop", PACED_ACTION_STOP, 0 },
};

static void on_command(struct mqtt *m, const char *payload, bool retained)
{
	char word[32];
	size_t n = strlen(payload);

	while (n && (payload[n - 1] == '\n' || payload[n - 1] == '\r' ||
		     payload[n - 1] == ' '))
		n--;
	if (retained) {
		/* A retained command would act again at every reconnect,
		 * hours later: a press is now or never. */
		junk(m, "retained (publish commands without retain)", payload);
		return;
	}
	if (n >= sizeof(word)) {
		junk(m, "not a command (symptom, symptom:leak|pressure|pain, pause, end, stop)",
		     payload);
		return;
	}
	memcpy(word, payload, n);
	word[n] = '\0';
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int r;

		if (strcmp(commands[i].word, word))
			continue;
		r = paced_input_action(m->self, "MQTT", commands[i].action,
				       commands[i].arg);
		if (r < 0 && r != -ESRCH)
			paced_log(m->self, LOG_INFO, "%s: %s", word,
				  strerror(-r));
		return;
	}
	if (!strcmp(word, "start") || !strcmp(word, "resume") ||
	    !strncmp(word, "start ", 6) || !strncmp(word, "speed", 5))
		junk(m, "MQTT may slow or stop the belt, never start or speed it",
		     word);
	else
		junk(m, "not a command (symptom, symptom:leak|pressure|pain, pause, end, stop)",
		     word);
}

/* ---- the connection, driven from paced's loop ---- */

/*
 * A connection attempt failed (refused, TLS, timeout): said once until
 * the next success, not at every retry of a broker that is down for the
 * night.
 */
static void complain(struct mqtt *m, const char *why)
{
	if (m->complained)
		return;
	m->complained = true;
	paced_log(m->self, LOG_WARNING, "cannot connect to broker %s:%d: %s; retrying with backoff",
		  m->host, m->port, why);
}

static void on_connect(struct mosquitto *mosq, void *user_data, int rc)
{
	struct mqtt *m = user_data;

	if (rc) {
		paced_log(m->self, LOG_WARNING, "broker %s:%d refused us: %s",
			  m->host, m->port, mosquitto_connack_string(rc));
		return;
	}
	/* Published after the library call returns (sync_io): not from
	 * inside its callback. */
	m->connected = true;
	m->fresh = true;
}

static void on_disconnect(struct mosquitto *mosq, void *user_data, int rc)
{
	struct mqtt *m = user_data;

	/* Said in sync_io(): not every failure comes through here. */
	m->why = rc == MOSQ_ERR_ERRNO ? -errno : rc;
	m->lost = true;
}

static void on_message(struct mosquitto *mosq, void *user_data,
		       const struct mosquitto_message *msg)
{
	struct mqtt *m = user_data;
	char buf[128];
	size_t n;

	if (msg->payloadlen < 0)
		return;
	n = (size_t) msg->payloadlen < sizeof(buf) - 1 ?
		(size_t) msg->payloadlen : sizeof(buf) - 1;
	/* An empty payload has no buffer at all (NULL). */
	if (n)
		memcpy(buf, msg->payload, n);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) || (size_t) msg->payloadlen != n) {
		junk(m, "not a command", "(binary or too long)");
		return;
	}
	on_command(m, buf, msg->retain);
}

static bool on_misc(void *user_data)
{
	struct mqtt *m = user_data;

	(void) mosquitto_loop_misc(m->mosq);
	sync_io(m);
	return true;
}

static bool on_io(int fd, uint32_t events, void *user_data)
{
	struct mqtt *m = user_data;

	int r = MOSQ_ERR_SUCCESS;

	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		r = mosquitto_loop_read(m->mosq, 1);
	if (r == MOSQ_ERR_SUCCESS && (events & EPOLLOUT) &&
	    mosquitto_socket(m->mosq) >= 0)
		r = mosquitto_loop_write(m->mosq, 1);
	/* A TLS handshake that fails closes the socket without calling
	 * on_disconnect(): keep the reason for the log either way. */
	if (r != MOSQ_ERR_SUCCESS && !m->why)
		m->why = r == MOSQ_ERR_ERRNO ? -errno : r;
	sync_io(m);
	/* sync_io() removes this watch itself when it must: returning
	 * false would remove it again, by a number maybe reused. */
	return true;
}

static void drop_watch(struct mqtt *m)
{
	if (m->fd_watch > 0)
		paced_remove(m->self, m->fd_watch);
	m->fd_watch = 0;
	m->fd = -1;
	m->fd_events = 0;
}

/*
 * Make the loop watch what the library needs: its socket for reading,
 * for writing while it has output queued, the keepalive timer while
 * connected, the reconnect timer while not; then publish what waits.
 */
static void sync_io(struct mqtt *m)
{
	int fd = mosquitto_socket(m->mosq);
	uint32_t ev;
	bool want_write;

	if (m->lost || fd < 0) {
		const char *why = m->why < 0 ? strerror(-m->why) :
				  mosquitto_strerror(m->why ? m->why :
						     MOSQ_ERR_CONN_LOST);

		if (m->connected)
			paced_log(m->self, LOG_WARNING, "broker %s:%d gone, reconnecting: %s",
				  m->host, m->port, why);
		else if (m->attempting)
			complain(m, why);
		m->attempting = false;
		m->why = 0;
		m->lost = false;
		m->connected = false;
		m->stalled = false;
		m->pending_us = 0;
		drop_watch(m);
		if (m->misc_timer)
			paced_remove(m->self, m->misc_timer);
		m->misc_timer = 0;
		if (fd >= 0)
			(void) mosquitto_disconnect(m->mosq);
		schedule_retry(m);
		return;
	}
	if (m->fresh) {
		char *cmd = topic_of(m, "command");

		m->fresh = false;
		m->attempting = false;
		m->complained = false;
		m->backoff_s = BACKOFF_MIN_S;
		paced_log(m->self, LOG_INFO, "connected to %s:%d, topics %s/#",
			  m->host, m->port, m->topic);
		(void) mosquitto_subscribe(m->mosq, NULL, cmd, 0);
		free(cmd);
		publish(m, "availability", "online", true);
		publish_discovery(m);
		publish_state(m);
		refresh_all(m);
	}
	want_write = mosquitto_want_write(m->mosq);
	if (want_write && !m->pending_us)
		m->pending_us = paced_now_us(m->self);
	if (!want_write)
		m->pending_us = 0;
	if (m->connected && stalled(m) && !m->stalled) {
		m->stalled = true;
		paced_log(m->self, LOG_INFO, "broker not taking data: holding state back, dropping events until it does");
	} else if (m->stalled && !want_write) {
		/* Drained: the newest state once, then as before. */
		m->stalled = false;
		paced_log(m->self, LOG_INFO, "broker caught up; %u events were dropped meanwhile",
			  m->dropped);
		m->dropped = 0;
		if (m->state_dirty)
			publish_state(m);
		want_write = mosquitto_want_write(m->mosq);
		if (want_write)
			m->pending_us = paced_now_us(m->self);
	}
	ev = EPOLLIN | (want_write ? EPOLLOUT : 0);
	if (fd != m->fd || ev != m->fd_events) {
		int sndbuf = SNDBUF;

		if (fd != m->fd)
			(void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
					  sizeof(sndbuf));
		drop_watch(m);
		m->fd_watch = paced_add_fd(m->self, fd, ev, on_io, m, NULL);
		if (m->fd_watch < 0) {
			paced_log(m->self, LOG_ERR, "cannot watch the broker's socket: %s",
				  strerror(-m->fd_watch));
			m->fd_watch = 0;
		} else {
			m->fd = fd;
			m->fd_events = ev;
		}
	}
	if (!m->misc_timer) {
		/*
		 * A quarter of the keepalive: a ping goes out between 1
		 * and 1.25 keepalives of silence, inside the broker's 1.5.
		 */
		m->misc_timer = paced_add_timeout(m->self,
						  (uint64_t) m->keepalive * 250000,
						  true, on_misc, m, NULL);
		if (m->misc_timer < 0)
			m->misc_timer = 0;
	}
}

static void try_connect(struct mqtt *m, bool first)
{
	int r;

	/* The host is a numeric address (see parse()): the library's
	 * getaddrinfo() then resolves without asking anyone. */
	r = first ? mosquitto_connect_async(m->mosq, m->host, m->port,
					    m->keepalive) :
		    mosquitto_reconnect_async(m->mosq);
	if (r != MOSQ_ERR_SUCCESS) {
		complain(m, r == MOSQ_ERR_ERRNO ? strerror(errno) :
			 mosquitto_strerror(r));
		m->lost = true;
	} else {
		m->attempting = true;	/* under way: its end is said */
	}
	sync_io(m);
}

static bool on_retry(void *user_data)
{
	struct mqtt *m = user_data;

	m->retry_timer = 0;
	if (m->backoff_s < BACKOFF_MAX_S)
		m->backoff_s = m->backoff_s * 2 > BACKOFF_MAX_S ?
			BACKOFF_MAX_S : m->backoff_s * 2;
	try_connect(m, false);
	return false;
}

static void schedule_retry(struct mqtt *m)
{
	if (m->retry_timer)
		return;
	m->retry_timer = paced_add_timeout(m->self,
					   (uint64_t) m->backoff_s * 1000000,
					   false, on_retry, m, NULL);
	if (m->retry_timer < 0)
		m->retry_timer = 0;
}

/* ---- configuration ---- */

/*
 * The password, from a file only paced may read: the first line. A file
 * others may read is refused, not trusted.
 */
static int read_password(struct mqtt *m, const struct paced_cfg *cfg,
			 const char *path, char *buf, size_t len)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail_cfg(m, cfg, "password_file", "password_file %s: %s",
				path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail_cfg(m, cfg, "password_file", "password_file %s: not a regular file",
				path);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return fail_cfg(m, cfg, "password_file",
				"password_file %s is readable by others (mode %04o): chmod 600 it, owned by the user paced runs as",
				path, (unsigned) (st.st_mode & 07777));
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return fail_cfg(m, cfg, "password_file", "password_file %s: %s",
				path, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0])
		return fail_cfg(m, cfg, "password_file", "password_file %s is empty",
				path);
	return 0;
}

/* A topic level of ours: no wildcards, no empty levels. */
static bool topic_ok(const char *t)
{
	size_t n = strlen(t);

	return n && n < 128 && !strpbrk(t, "+#") && t[0] != '/' &&
	       t[n - 1] != '/' && !strstr(t, "//");
}

static void node_id(struct mqtt *m)
{
	char host[64] = "";
	size_t n = 0;

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "box");
	for (const char *c = host; *c && *c != '.' && n < sizeof(m->node) - 1; c++) {
		bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-';

		m->node[n++] = ok ? *c : '_';
	}
	m->node[n] = '\0';
}

static int tls_file(struct mqtt *m, const struct paced_cfg *cfg,
		    const char *name, const char *value, const char **slot)
{
	if (value[0] != '/')
		return fail_cfg(m, cfg, "tls", "tls %s %s: give an absolute path",
				name, value);
	if (access(value, R_OK) < 0)
		return fail_cfg(m, cfg, "tls", "tls %s %s: %s", name, value,
				strerror(errno));
	*slot = value;
	return 0;
}

static int parse(struct mqtt *m, const struct paced_cfg *cfg)
{
	const char *host = "127.0.0.1", *s, *user = NULL, *pwfile = NULL;
	const char *ca = NULL, *cert = NULL, *key = NULL, *name;
	char password[PASSWORD_MAX] = "";
	struct in6_addr a6;
	struct in_addr a4;
	long long v;
	bool disc = true;
	int r;

	if (paced_cfg_get_str(cfg, "host", &s) == 0)
		host = s;
	else if (paced_cfg_get_str(cfg, "host", &s) != -ENOENT)
		return fail_cfg(m, cfg, "host", "host must be a string: \"192.168.1.10\"");
	if (!strcmp(host, "localhost"))
		host = "127.0.0.1";
	/*
	 * A name would be resolved by getaddrinfo() inside
	 * mosquitto_connect_async(), which blocks paced's one thread for as
	 * long as DNS or mDNS takes: seconds, during which a symptom press
	 * would wait. Only numeric addresses, resolved by no one.
	 */
	if (inet_pton(AF_INET, host, &a4) != 1 &&
	    inet_pton(AF_INET6, host, &a6) != 1)
		return fail_cfg(m, cfg, "host",
				"host %s: give the broker's IP address (resolving a name could stall paced's loop; 'getent hosts %s' prints it)",
				host, host);
	snprintf(m->host, sizeof(m->host), "%s", host);

	for (unsigned i = 0; (r = paced_cfg_get_member(cfg, "tls", i, &name, &s)) == 0; i++) {
		if (!strcmp(name, "ca_file"))
			r = tls_file(m, cfg, name, s, &ca);
		else if (!strcmp(name, "cert_file"))
			r = tls_file(m, cfg, name, s, &cert);
		else if (!strcmp(name, "key_file"))
			r = tls_file(m, cfg, name, s, &key);
		else
			return fail_cfg(m, cfg, "tls", "unknown key '%s' in tls (known: ca_file, cert_file, key_file)",
					name);
		if (r < 0)
			return r;
	}
	if (r == -EINVAL)
		return fail_cfg(m, cfg, "tls", "tls must be a group of strings: { ca_file = \"/etc/ssl/certs/ca.pem\"; }");
	if ((cert || key) && !ca)
		return fail_cfg(m, cfg, "tls", "tls needs ca_file: the broker's certificate is always checked");
	if (!cert != !key)
		return fail_cfg(m, cfg, "tls", "tls cert_file and key_file go together");

	m->port = ca ? DEFAULT_TLS_PORT : DEFAULT_PORT;
	r = paced_cfg_get_int(cfg, "port", &v);
	if (r == 0 && (v < 1 || v > 65535))
		return fail_cfg(m, cfg, "port", "port %lld: from 1 to 65535", v);
	if (r == -EINVAL)
		return fail_cfg(m, cfg, "port", "port must be a number");
	if (r == 0)
		m->port = (int) v;
	m->keepalive = DEFAULT_KEEPALIVE;
	r = paced_cfg_get_int(cfg, "keepalive", &v);
	if (r == 0 && (v < 5 || v > 3600))
		return fail_cfg(m, cfg, "keepalive", "keepalive %lld: from 5 to 3600 seconds", v);
	if (r == -EINVAL)
		return fail_cfg(m, cfg, "keepalive", "keepalive must be a number of seconds");
	if (r == 0)
		m->keepalive = (int) v;

	s = "paced";
	r = paced_cfg_get_str(cfg, "topic", &s);
	if (r == -EINVAL || !topic_ok(s))
		return fail_cfg(m, cfg, "topic", "topic must be an MQTT topic without wildcards: \"paced\"");
	m->topic = paced_strdup(s);
	s = "homeassistant";
	r = paced_cfg_get_str(cfg, "discovery", &s);
	if (r == -EINVAL && paced_cfg_get_bool(cfg, "discovery", &disc) < 0)
		return fail_cfg(m, cfg, "discovery", "discovery is Home Assistant's discovery prefix (\"homeassistant\"), or false");
	if (r == -EINVAL && disc)
		return fail_cfg(m, cfg, "discovery", "discovery = true: give the prefix (\"homeassistant\")");
	if (disc) {
		if (!topic_ok(s))
			return fail_cfg(m, cfg, "discovery", "discovery %s: a topic prefix without wildcards", s);
		m->discovery = paced_strdup(s);
	}

	if (paced_cfg_get_str(cfg, "username", &s) == 0)
		user = s;
	if (paced_cfg_get_str(cfg, "password_file", &s) == 0)
		pwfile = s;
	if (pwfile && !user)
		return fail_cfg(m, cfg, "password_file", "password_file needs username");
	if (pwfile && (r = read_password(m, cfg, pwfile, password,
					 sizeof(password))) < 0)
		return r;

	node_id(m);
	{
		char id[96];

		snprintf(id, sizeof(id), "paced-%s", m->node);
		m->mosq = mosquitto_new(id, true, m);
	}
	if (!m->mosq)
		return fail_cfg(m, cfg, NULL, "cannot create an MQTT client: %s",
				strerror(errno));
	if (user && mosquitto_username_pw_set(m->mosq, user,
					      pwfile ? password : NULL)) {
		explicit_bzero(password, sizeof(password));
		return fail_cfg(m, cfg, "username", "username: rejected by libmosquitto");
	}
	explicit_bzero(password, sizeof(password));
	if (ca) {
		r = mosquitto_tls_set(m->mosq, ca, NULL, cert, key, NULL);
		if (r)
			return fail_cfg(m, cfg, "tls", "tls: %s", mosquitto_strerror(r));
	}
	{
		char *avail = topic_of(m, "availability");

		/* Home Assistant shows paced offline when the box is. */
		r = mosquitto_will_set(m->mosq, avail, 7, "offline", 0, true);
		free(avail);
		if (r)
			return fail_cfg(m, cfg, NULL, "last will: %s", mosquitto_strerror(r));
	}
	return 0;
}

static void mqtt_free(struct mqtt *m)
{
	if (m->mosq) {
		/*
		 * Say goodbye if we can without waiting: a clean disconnect
		 * suppresses the last will, so say "offline" first.
		 */
		if (m->connected) {
			publish(m, "availability", "offline", true);
			(void) mosquitto_loop_write(m->mosq, 1);
			(void) mosquitto_disconnect(m->mosq);
			(void) mosquitto_loop_write(m->mosq, 1);
		}
		mosquitto_destroy(m->mosq);
	}
	if (m->lib)
		mosquitto_lib_cleanup();
	free(m->topic);
	free(m->discovery);
	free(m->status);
	free(m->session);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

static int mqtt_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = {
		"host", "port", "keepalive", "username", "password_file",
		"topic", "discovery", "tls", NULL
	};
	struct mqtt *m = &state;
	int r;

	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->self = self;
	m->fd = -1;
	m->backoff_s = BACKOFF_MIN_S;
	mosquitto_lib_init();
	m->lib = true;
	r = parse(m, cfg);
	if (r == 0)
		r = paced_sink_register(self, &sink_ops, m);
	if (r < 0) {
		mqtt_free(m);
		return r;
	}
	mosquitto_connect_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
	mosquitto_message_callback_set(m->mosq, on_message);
	paced_log(self, LOG_INFO, "broker %s:%d, topic %s, discovery %s",
		  m->host, m->port, m->topic,
		  m->discovery ? m->discovery : "off");
	try_connect(m, true);
	return 0;
}

static void mqtt_exit(struct paced_plugin *self)
{
	mqtt_free(&state);
}

PACED_PLUGIN_DEFINE("mqtt", PACKAGE_VERSION, mqtt_init, mqtt_exit);
