/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb-ant driver: ANT channel bring-up, FE pages to treadmill events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ant-port.h"
#include "usb-ant.h"

/* The one channel and network this driver uses. */
#define CH		0
#define NET		0
#define MAX_STEPS	8
/* Consecutive failed bring-ups before a pending connect gives up. */
#define MAX_TRIES	3

enum state {
	STATE_IDLE,		/* not connected yet */
	STATE_NO_STICK,		/* waiting for the port to find a stick */
	STATE_RESET,		/* reset sent, waiting for startup (0x6F) */
	STATE_CONFIG,		/* configuration step 'step' in flight */
	STATE_OPEN,		/* channel open: searching or tracking */
};

struct pending {
	enum treadmill_op op;
	int err;
	treadmill_done_func_t done;
	void *user_data;
	struct pending *next;
};

struct step {
	uint8_t id;
	uint8_t len;
	uint8_t frame[ANT_MAX_FRAME];
};

struct usb_ant {
	struct loop *loop;
	struct treadmill *tm;
	struct usb_ant_config cfg;
	const struct ant_port_ops *port_ops;
	void *port;
	bool port_started;
	enum state state;
	struct step steps[MAX_STEPS];
	unsigned int n_steps;
	unsigned int step;
	unsigned int tries;
	int timer_id;
	struct ant_parser parser;
	struct ant_fe fe;
	bool fe_fresh;			/* no page since (re)acquisition */
	bool asked_id;			/* channel id requested this track */
	struct pending *connect;	/* waiting for the first page */
	struct pending *done_head, *done_tail;
	int idle_id;
	struct usb_ant_stats stats;
	bool destroying;
};

int usb_ant_config_parse(const char *address, const char *network_key_hex,
			 struct usb_ant_config *ret_cfg)
{
	struct usb_ant_config cfg;
	const char *rest, *at;
	char spec[64];
	int n;

	memset(&cfg, 0, sizeof(cfg));
	cfg.bus = -1;
	cfg.port = -1;
	/* ANT+ practice: 30 s search (12 x 2.5 s), then re-open. */
	cfg.search_timeout = 12;
	cfg.response_timeout_us = 1000 * USEC_PER_MSEC;

	if (!address || strncmp(address, "usb-ant", 7))
		return -EINVAL;
	rest = address + 7;
	if (*rest == ':')
		rest++;
	else if (*rest && *rest != '@')
		return -EINVAL;
	at = strchr(rest, '@');
	if (at) {
		char *end;
		unsigned long v = strtoul(at + 1, &end, 10);

		/* Device numbers are 16 bits; 0 is the wildcard. */
		if (at[1] < '0' || at[1] > '9' || *end || v == 0 || v > 0xFFFF)
			return -EINVAL;
		cfg.device_number = (uint16_t) v;
	}
	n = at ? (int) (at - rest) : (int) strlen(rest);
	if (n >= (int) sizeof(spec))
		return -EINVAL;
	memcpy(spec, rest, (size_t) n);
	spec[n] = '\0';
	if (!strcmp(spec, "sim")) {
		cfg.sim = true;
	} else if (*spec) {
		unsigned int a, b;
		char c, extra;

		if (sscanf(spec, "%4x:%4x%c", &a, &b, &extra) == 2 &&
		    strchr(spec, ':') && strlen(spec) == 9) {
			cfg.vendor = (uint16_t) a;
			cfg.product = (uint16_t) b;
		} else if (sscanf(spec, "%u%c%u%c", &a, &c, &b, &extra) == 3 &&
			   c == '-' && a <= 255 && b <= 255) {
			cfg.bus = (int) a;
			cfg.port = (int) b;
		} else {
			return -EINVAL;
		}
	}

	if (!network_key_hex || !*network_key_hex)
		return -ENOKEY;
	if (hex_decode(network_key_hex, cfg.network_key,
		       sizeof(cfg.network_key)) != ANT_NETWORK_KEY_LEN)
		return -EINVAL;
	cfg.have_key = true;
	*ret_cfg = cfg;
	return 0;
}

const char *usb_ant_strerror(int err)
{
	switch (err) {
	case -ENOKEY:
		return "no ANT+ network key: set ant.network_key in paced.conf "
		       "(8 bytes of hex). The key is licensed, not shipped with "
		       "paced: become an ANT+ Adopter at "
		       "https://www.thisisant.com to get it";
	case -EINVAL:
		return "bad usb-ant address or network key (usb-ant, "
		       "usb-ant:VVVV:PPPP, usb-ant:BUS-PORT or usb-ant:sim, "
		       "optionally @DEVICE; key: 8 bytes of hex)";
	case -ENODEV:
		return "no ANT USB stick found (0fcf:1008 or 0fcf:1009); "
		       "check the cable and the udev rule";
	case -EACCES:
		return "no permission to open the ANT USB stick; install the "
		       "udev rule giving paced's group access to it";
	case -ETIMEDOUT:
		return "the ANT stick did not answer its configuration";
	default:
		return strerror(-err);
	}
}

static void stop_timer(struct usb_ant *ua)
{
	if (ua->timer_id > 0)
		loop_remove(ua->loop, ua->timer_id);
	ua->timer_id = 0;
}

static bool flush_done(void *user_data)
{
	struct usb_ant *ua = user_data;

	ua->idle_id = 0;
	while (ua->done_head) {
		struct pending *p = ua->done_head;

		ua->done_head = p->next;
		if (!ua->done_head)
			ua->done_tail = NULL;
		if (p->done)
			p->done(ua->tm, p->op, p->err, 0, p->user_data);
		free(p);
	}
	return false;
}

/* Completion is always asynchronous (lib/treadmill.h): queue, then an
 * idle callback runs it on a clean stack. */
static void complete_later(struct usb_ant *ua, struct pending *p, int err)
{
	p->err = err;
	p->next = NULL;
	if (ua->done_tail)
		ua->done_tail->next = p;
	else
		ua->done_head = p;
	ua->done_tail = p;
	if (!ua->idle_id && !ua->destroying) {
		int id = loop_add_idle(ua->loop, flush_done, ua, NULL);

		ua->idle_id = id > 0 ? id : 0;
	}
}

static void finish_connect(struct usb_ant *ua, int err)
{
	struct pending *p = ua->connect;

	if (!p)
		return;
	ua->connect = NULL;
	complete_later(ua, p, err);
}

static void send_frame(struct usb_ant *ua, const uint8_t *frame, size_t len)
{
	/* A failed write means the stick is gone; the port reports that
	 * through present(false), which resets our state. */
	(void) ua->port_ops->write(ua->port, frame, len);
}

static void add_step(struct usb_ant *ua, int len, const uint8_t *frame)
{
	struct step *s = &ua->steps[ua->n_steps++];

	/* Builders cannot fail here: ANT_MAX_FRAME fits every message. */
	s->len = (uint8_t) len;
	memcpy(s->frame, frame, (size_t) len);
	s->id = frame[2];
}

/* docs/ant.md 1.1 "Channel setup to receive an ANT+ FE device", steps 2-7. */
static void build_steps(struct usb_ant *ua)
{
	uint8_t f[ANT_MAX_FRAME];
	const struct usb_ant_config *c = &ua->cfg;

	ua->n_steps = 0;
	add_step(ua, ant_build_set_network_key(NET, c->network_key, f,
					       sizeof(f)), f);
	add_step(ua, ant_build_assign_channel(CH, ANT_CHANNEL_TYPE_RX, NET, f,
					      sizeof(f)), f);
	add_step(ua, ant_build_channel_id(CH, c->device_number,
					  ANT_FE_DEVICE_TYPE, c->trans_type,
					  f, sizeof(f)), f);
	add_step(ua, ant_build_channel_period(CH, ANT_FE_PERIOD, f,
					      sizeof(f)), f);
	add_step(ua, ant_build_search_timeout(CH, c->search_timeout, f,
					      sizeof(f)), f);
	add_step(ua, ant_build_rf_frequency(CH, ANT_FE_RF_FREQUENCY, f,
					    sizeof(f)), f);
	add_step(ua, ant_build_open_channel(CH, f, sizeof(f)), f);
}

static bool on_response_timeout(void *user_data);

static void arm_timer(struct usb_ant *ua)
{
	int id;

	stop_timer(ua);
	id = loop_add_timeout(ua->loop, ua->cfg.response_timeout_us, false,
			      on_response_timeout, ua, NULL);
	ua->timer_id = id > 0 ? id : 0;
}

static void lose_track(struct usb_ant *ua, int err)
{
	bool was_up = treadmill_link_up(ua->tm);

	ua->stats.tracking = false;
	ua->fe_fresh = true;
	ua->asked_id = false;
	if (was_up)
		treadmill_emit_link(ua->tm, false, err);
}

static void start_bring_up(struct usb_ant *ua)
{
	uint8_t f[ANT_MAX_FRAME];
	int n = ant_build_reset(f, sizeof(f));

	ant_parser_init(&ua->parser);
	ua->state = STATE_RESET;
	arm_timer(ua);
	send_frame(ua, f, (size_t) n);
}

static bool on_response_timeout(void *user_data)
{
	struct usb_ant *ua = user_data;

	ua->timer_id = 0;
	/* A stick that does not answer gets reset and configured again;
	 * a connect waiting for it learns after MAX_TRIES attempts. */
	if (++ua->tries >= MAX_TRIES)
		finish_connect(ua, -ETIMEDOUT);
	lose_track(ua, -ETIMEDOUT);
	start_bring_up(ua);
	return false;
}

static void send_step(struct usb_ant *ua)
{
	struct step *s = &ua->steps[ua->step];

	ua->state = STATE_CONFIG;
	arm_timer(ua);
	send_frame(ua, s->frame, s->len);
}

static void emit_status(struct usb_ant *ua, enum treadmill_status_kind kind)
{
	struct treadmill_status st = { .kind = kind, .raw_op = 0, .value = 0 };

	treadmill_emit_status(ua->tm, &st);
}

/* FE state (page 16 byte 7) to what an FTMS treadmill would notify. */
static void state_change(struct usb_ant *ua, enum ant_fe_state from,
			 enum ant_fe_state to)
{
	if (from == to)
		return;
	switch (to) {
	case ANT_FE_STATE_IN_USE:
		emit_status(ua, TREADMILL_STATUS_STARTED_BY_USER);
		break;
	case ANT_FE_STATE_FINISHED:
		/* "Finished or paused": the runner pauses, the safe reading. */
		if (from == ANT_FE_STATE_IN_USE)
			emit_status(ua, TREADMILL_STATUS_PAUSED_BY_USER);
		break;
	case ANT_FE_STATE_READY:
	case ANT_FE_STATE_ASLEEP:
		if (from == ANT_FE_STATE_IN_USE ||
		    from == ANT_FE_STATE_FINISHED)
			emit_status(ua, TREADMILL_STATUS_STOPPED_BY_USER);
		break;
	case ANT_FE_STATE_RESERVED:
		break;
	}
}

static void on_page(struct usb_ant *ua, const uint8_t page[8])
{
	enum ant_fe_state before = ua->fe.state;
	bool first = ua->fe_fresh;
	struct treadmill_data d;
	int r;

	if (first) {
		/* Counters restart from the first page after (re)gaining
		 * the treadmill, as after an FTMS reconnect. */
		ant_fe_init(&ua->fe);
		before = ANT_FE_STATE_RESERVED;
	}
	r = ant_fe_feed(&ua->fe, page);
	if (r == -ENOENT)
		return;		/* a page we do not use: not an error */
	if (r < 0) {
		ua->stats.pages_dropped++;
		return;
	}
	ua->stats.pages++;
	if (r != ANT_FE_PAGE_GENERAL)
		return;
	/* Page 16 carries speed: it alone makes a data record. */
	ua->fe_fresh = false;
	if (!ua->stats.tracking) {
		struct treadmill_caps caps;

		memset(&caps, 0, sizeof(caps));
		caps.can_control = false;
		ua->stats.tracking = true;
		treadmill_emit_caps(ua->tm, &caps);
		treadmill_emit_link(ua->tm, true, 0);
		ua->tries = 0;
		finish_connect(ua, 0);
	}
	if (!first)
		state_change(ua, before, ua->fe.state);
	if (!ua->asked_id && ua->stats.device_number == 0) {
		uint8_t f[ANT_MAX_FRAME];
		int n = ant_build_request(CH, ANT_MSG_CHANNEL_ID, f, sizeof(f));

		/* Learn which treadmill a wildcard search found. */
		ua->asked_id = true;
		send_frame(ua, f, (size_t) n);
	}
	if (ant_fe_to_treadmill_data(&ua->fe, &d) == 0) {
		d.time_us = loop_now(ua->loop);
		treadmill_emit_data(ua->tm, &d);
	}
}

static void on_rf_event(struct usb_ant *ua, uint8_t code)
{
	uint8_t f[ANT_MAX_FRAME];
	int n;

	switch (code) {
	case ANT_EVENT_RX_FAIL:
		/* One missed broadcast; the channel goes on. */
		break;
	case ANT_EVENT_RX_FAIL_GO_TO_SEARCH:
		/* The treadmill went quiet: say so, the stick searches. */
		lose_track(ua, -ETIMEDOUT);
		break;
	case ANT_EVENT_RX_SEARCH_TIMEOUT:
		/* The channel closes next (EVENT_CHANNEL_CLOSED). */
		lose_track(ua, -ETIMEDOUT);
		break;
	case ANT_EVENT_CHANNEL_CLOSED:
		lose_track(ua, -ETIMEDOUT);
		/* Search again: a treadmill switched off and on later must
		 * be found without anyone touching paced. */
		ua->stats.reopens++;
		n = ant_build_open_channel(CH, f, sizeof(f));
		ua->step = ua->n_steps - 1;
		ua->state = STATE_CONFIG;
		arm_timer(ua);
		send_frame(ua, f, (size_t) n);
		break;
	default:
		break;
	}
}

static void on_msg(const struct ant_msg *msg, void *user_data)
{
	struct usb_ant *ua = user_data;
	struct ant_channel_event ev;
	uint8_t ch, page[8], type, tt;
	uint16_t dev;

	switch (ua->state) {
	case STATE_IDLE:
	case STATE_NO_STICK:
		return;
	case STATE_RESET:
		if (msg->id != ANT_MSG_STARTUP)
			return;	/* leftovers from before the reset */
		ua->step = 0;
		send_step(ua);
		return;
	case STATE_CONFIG:
		if (ant_decode_channel_event(msg, &ev) < 0 ||
		    ev.msg_id != ua->steps[ua->step].id)
			return;
		if (ev.code != ANT_CODE_NO_ERROR) {
			/* A refused step: start over from the reset. */
			stop_timer(ua);
			start_bring_up(ua);
			return;
		}
		if (++ua->step < ua->n_steps) {
			send_step(ua);
			return;
		}
		stop_timer(ua);
		ua->state = STATE_OPEN;
		ua->stats.bring_ups++;
		ua->fe_fresh = true;
		return;
	case STATE_OPEN:
		break;
	}

	if (ant_decode_data(msg, &ch, page) == 0) {
		if (ch == CH)
			on_page(ua, page);
	} else if (ant_decode_channel_event(msg, &ev) == 0) {
		if (ev.channel == CH && ev.msg_id == ANT_EVENT_MSG_ID_RF)
			on_rf_event(ua, ev.code);
	} else if (ant_decode_channel_id(msg, &ch, &dev, &type, &tt) == 0) {
		if (ch == CH && type == ANT_FE_DEVICE_TYPE && dev)
			ua->stats.device_number = dev;
	}
}

static void port_input(const uint8_t *data, size_t len, void *user_data)
{
	struct usb_ant *ua = user_data;
	uint64_t bad = ua->parser.bad_checksum, skipped = ua->parser.skipped;

	ant_parser_feed(&ua->parser, data, len, on_msg, ua);
	ua->stats.bad_checksum += ua->parser.bad_checksum - bad;
	ua->stats.skipped += ua->parser.skipped - skipped;
}

static void port_present(bool present, int err, void *user_data)
{
	struct usb_ant *ua = user_data;

	stop_timer(ua);
	ua->stats.stick_present = present;
	if (present) {
		start_bring_up(ua);
		return;
	}
	if (ua->state != STATE_NO_STICK)
		ua->stats.unplugs++;
	ua->state = STATE_NO_STICK;
	/* A session waiting to start learns at once (no stick, no
	 * permission); the port keeps watching for the stick. */
	finish_connect(ua, err ? err : -ENODEV);
	lose_track(ua, err ? err : -ENODEV);
}

static int command(void *impl, enum treadmill_op op, int32_t arg,
		   treadmill_done_func_t done, void *user_data)
{
	struct usb_ant *ua = impl;
	struct pending *p;
	int err;

	switch (op) {
	case TREADMILL_OP_CONNECT:
		if (ua->connect)
			return -EALREADY;
		if (!ua->port_started) {
			err = ua->port_ops->start(ua->port);
			if (err < 0)
				return err;
			ua->port_started = true;
			ua->state = STATE_NO_STICK;
		}
		p = paced_new0(struct pending, 1);
		p->op = op;
		p->done = done;
		p->user_data = user_data;
		if (ua->stats.tracking)
			complete_later(ua, p, 0);
		else
			ua->connect = p;
		return 0;
	case TREADMILL_OP_REQUEST_CONTROL:
	case TREADMILL_OP_START:
	case TREADMILL_OP_STOP:
	case TREADMILL_OP_PAUSE:
	case TREADMILL_OP_SET_SPEED:
	case TREADMILL_OP_SET_INCLINE:
		/* ANT+ FE has no page that moves a treadmill's belt
		 * (docs/ant.md 1.1): never pretend otherwise. */
		p = paced_new0(struct pending, 1);
		p->op = op;
		p->done = done;
		p->user_data = user_data;
		complete_later(ua, p, -EOPNOTSUPP);
		return 0;
	}
	return -EINVAL;
}

static bool in_control(void *impl)
{
	return false;
}

static void destroy(void *impl)
{
	struct usb_ant *ua = impl;

	if (!ua)
		return;
	ua->destroying = true;
	stop_timer(ua);
	if (ua->idle_id > 0)
		loop_remove(ua->loop, ua->idle_id);
	ua->idle_id = 0;
	if (ua->connect) {
		struct pending *p = ua->connect;

		ua->connect = NULL;
		complete_later(ua, p, -ECANCELED);
	}
	/* Freed: every queued completion runs now, as -ECANCELED unless it
	 * already had its result. */
	flush_done(ua);
	if (ua->cfg.freed)
		ua->cfg.freed(ua, ua->cfg.freed_data);
	if (ua->port && ua->port_ops)
		ua->port_ops->free(ua->port);
	free(ua);
}

/* Bytes skipped resyncing are not frames, so they are not counted here;
 * ANT+ has no control to deny and no request to time out. */
static void counters(const void *impl, struct treadmill_counters *ret)
{
	const struct usb_ant *ua = impl;

	ret->malformed = ua->stats.pages_dropped + ua->stats.bad_checksum;
}

static const struct treadmill_driver_ops usb_ant_ops = {
	.name = "usb-ant",
	.command = command,
	.in_control = in_control,
	.destroy = destroy,
	.counters = counters,
};

int usb_ant_new(struct loop *loop, const struct usb_ant_config *cfg,
		struct usb_ant **ret_ua)
{
	struct ant_port_cbs cbs;
	struct usb_ant *ua;

	/* Refuse without a key whatever the caller does: the channel can
	 * never find an ANT+ device on a network with the wrong key. */
	if (!cfg || !cfg->have_key)
		return -ENOKEY;
	ua = paced_new0(struct usb_ant, 1);
	ua->loop = loop;
	ua->cfg = *cfg;
	if (!ua->cfg.response_timeout_us)
		ua->cfg.response_timeout_us = 1000 * USEC_PER_MSEC;
	ua->state = STATE_IDLE;
	ua->fe_fresh = true;
	ant_parser_init(&ua->parser);
	ant_fe_init(&ua->fe);
	build_steps(ua);
	cbs.present = port_present;
	cbs.input = port_input;
	cbs.user_data = ua;
	if (cfg->sim) {
		ua->port_ops = &ant_port_sim_ops;
		ua->port = ant_port_sim_new(loop, cfg, &cbs);
	} else {
		ua->port_ops = &ant_port_libusb_ops;
		ua->port = ant_port_libusb_new(loop, cfg, &cbs);
	}
	if (!ua->port) {
		free(ua);
		return -EINVAL;
	}
	ua->tm = treadmill_new(&usb_ant_ops, ua);
	*ret_ua = ua;
	return 0;
}

void usb_ant_free(struct usb_ant *ua)
{
	if (ua)
		treadmill_free(ua->tm);
}

struct treadmill *usb_ant_get_treadmill(struct usb_ant *ua)
{
	return ua->tm;
}

void usb_ant_get_stats(const struct usb_ant *ua,
		       struct usb_ant_stats *ret_stats)
{
	*ret_stats = ua->stats;
}

const struct ant_fe *usb_ant_get_fe(const struct usb_ant *ua)
{
	return &ua->fe;
}

struct ant_sim *usb_ant_get_sim(struct usb_ant *ua)
{
	return ua->cfg.sim ? ant_port_sim_get(ua->port) : NULL;
}
