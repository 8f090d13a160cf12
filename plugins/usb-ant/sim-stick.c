/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Simulated ANT stick and FE treadmill, and the socketpair port to it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"
#include "ant.h"
#include "ant-port.h"
#include "sim-stick.h"
#include "usb-ant.h"

#define CH		0
#define PACKET		64	/* a full-speed bulk packet */
#define BCAST_US	250000	/* 4 Hz: 32768 / 8192 (docs/ant.md 1.1) */
/* Counters roll at 64 s and 256 m: never let a broadcast gap in belt
 * time reach that, whatever the speedup. */
#define MAX_BELT_GAP_US	(50 * USEC_PER_SEC)

static const char *const quirk_names[ANT_SIM_QUIRK_COUNT] = {
	"split", "bad-checksum", "drop", "stubborn", "burst",
};

struct ant_sim {
	struct loop *loop;
	struct ant_sim_config cfg;
	struct belt belt;
	uint64_t loop_base;
	int fd;
	int fd_id;
	int tick_id;
	int cue_id;
	uint16_t cue_speed;
	struct ant_parser parser;
	uint8_t search_timeout;		/* as configured by the host */
	bool silent;			/* drop quirk: treadmill quiet */
	bool searching;			/* told the host: gone to search */
	uint64_t silent_since;		/* belt time */
	bool started_once;
	unsigned int msg_count;
	uint8_t pending[PACKET];	/* burst quirk: held broadcast */
	size_t pending_len;
	void (*plug)(void *user_data);	/* the port's re-plug hook */
	void *plug_data;
	struct ant_sim_stats stats;
};

void ant_sim_config_init(struct ant_sim_config *ret_cfg)
{
	struct ant_sim_config c;

	memset(&c, 0, sizeof(c));
	c.belt.speed_min = 100;
	c.belt.speed_max = 1600;
	c.belt.speed_inc = 10;
	c.belt.incline_min = 0;
	c.belt.incline_max = 150;
	c.belt.incline_inc = 5;
	c.belt.accel = 100;
	c.belt.incline_rate = 10;
	c.speedup = 1;
	c.reaction_us = 2 * USEC_PER_SEC;
	c.device_number = 4242;
	c.start_speed = 400;
	*ret_cfg = c;
}

static bool parse_secs(const char *s, const char **end, uint64_t *ret_us)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || v < 0 || v > 1e6)
		return false;
	*end = e;
	*ret_us = (uint64_t) (v * USEC_PER_SEC);
	return true;
}

int ant_sim_config_add_quirk(struct ant_sim_config *cfg, const char *spec)
{
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t) (eq - spec) : strlen(spec);
	unsigned int i;

	for (i = 0; i < ANT_SIM_QUIRK_COUNT; i++) {
		uint32_t bit = 1u << i;
		uint64_t at, dur = 40 * USEC_PER_SEC;
		const char *e;

		if (strlen(quirk_names[i]) != n || strncmp(quirk_names[i], spec, n))
			continue;
		if (bit != ANT_SIM_QUIRK_DROP) {
			if (eq)
				return -EINVAL;
			cfg->quirks |= bit;
			return 0;
		}
		if (!eq || !parse_secs(eq + 1, &e, &at))
			return -ERANGE;
		if (*e == '+' && !parse_secs(e + 1, &e, &dur))
			return -ERANGE;
		if (*e)
			return -ERANGE;
		cfg->drop_at_us = at;
		cfg->drop_for_us = dur;
		cfg->quirks |= bit;
		return 0;
	}
	return -EINVAL;
}

static uint64_t belt_now(const struct ant_sim *sim)
{
	return (loop_now(sim->loop) - sim->loop_base) * sim->cfg.speedup;
}

static void put_packet(struct ant_sim *sim, const uint8_t *buf, size_t len)
{
	if (sim->fd < 0 || !len)
		return;
	/* SEQPACKET: this send is exactly one read on the host side. A
	 * full socket buffer drops the packet, as a stick overruns. */
	if (send(sim->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t) len)
		sim->stats.packets++;
}

static void send_frame(struct ant_sim *sim, const uint8_t *f, size_t len)
{
	if ((sim->cfg.quirks & ANT_SIM_QUIRK_SPLIT) && len > 2) {
		/* Cut after byte 2, then the rest: the parser must carry a
		 * partial frame across reads. */
		put_packet(sim, f, 2);
		put_packet(sim, f + 2, len - 2);
		return;
	}
	put_packet(sim, f, len);
}

static void send_event(struct ant_sim *sim, uint8_t msg_id, uint8_t code)
{
	uint8_t p[3] = { CH, msg_id, code }, f[ANT_MAX_FRAME];
	int n = ant_build(ANT_MSG_CHANNEL_EVENT, p, sizeof(p), f, sizeof(f));

	send_frame(sim, f, (size_t) n);
}

static enum ant_fe_state fe_state(const struct belt *b)
{
	switch (b->state) {
	case BELT_STATE_IDLE:
		return ANT_FE_STATE_READY;
	case BELT_STATE_RUNNING:
		return ANT_FE_STATE_IN_USE;
	case BELT_STATE_PAUSED:
		return ANT_FE_STATE_FINISHED;
	case BELT_STATE_STOPPED:
		return ANT_FE_STATE_READY;
	}
	return ANT_FE_STATE_READY;
}

static void build_page(struct ant_sim *sim, uint8_t page[8])
{
	struct belt *b = &sim->belt;
	unsigned int k = sim->msg_count++;
	enum ant_fe_state st = fe_state(b);

	/* ANT+ FE practice: page 16 every other message, the treadmill
	 * page and settings between, the common pages 80/81 now and then. */
	if (k % 66 == 64) {
		page[0] = ANT_PAGE_MANUFACTURER;
		page[1] = page[2] = 0xFF;
		page[3] = 1;
		put_le16(255, page + 4);	/* development id */
		put_le16(1, page + 6);
	} else if (k % 66 == 65) {
		page[0] = ANT_PAGE_PRODUCT;
		page[1] = page[2] = 0xFF;
		page[3] = 1;
		put_le32(sim->cfg.device_number, page + 4);
	} else if (k % 2 == 0) {
		struct ant_fe_general g = {
			.equipment_type = ANT_FE_TYPE_TREADMILL,
			.elapsed_raw = (uint8_t) (b->elapsed_us / 250000),
			.distance_raw = (uint8_t) belt_distance(b),
			.speed = ant_speed_from_kmh100(belt_speed(b)),
			.heart_rate = 0xFF,
			.distance_enabled = true,
			.state = st,
		};

		ant_fe_build_general(&g, page);
	} else if (k % 4 == 1) {
		uint16_t gain = belt_elevation_gain(b);	/* 0.1 m */

		ant_fe_build_treadmill(0xFF, 0, (uint8_t) gain, false, true,
				       st, page);
	} else {
		/* 0.1 % to 0.01 %. */
		ant_fe_build_settings((int16_t) (belt_incline(b) * 10), 0xFF,
				      st, page);
	}
}

static void broadcast(struct ant_sim *sim)
{
	uint8_t page[8], f[ANT_MAX_FRAME];
	int n;

	build_page(sim, page);
	n = ant_build_broadcast(CH, page, f, sizeof(f));
	sim->stats.broadcasts++;
	if ((sim->cfg.quirks & ANT_SIM_QUIRK_BAD_CHECKSUM) &&
	    sim->stats.broadcasts % 5 == 0)
		f[n - 1] ^= 0x5A;
	if (sim->cfg.quirks & ANT_SIM_QUIRK_BURST) {
		/* Two frames in one packet, as a stick batches them. */
		memcpy(sim->pending + sim->pending_len, f, (size_t) n);
		sim->pending_len += (size_t) n;
		if (sim->pending_len + ANT_MAX_FRAME > sizeof(sim->pending) ||
		    sim->stats.broadcasts % 2 == 0) {
			put_packet(sim, sim->pending, sim->pending_len);
			sim->pending_len = 0;
		}
		return;
	}
	send_frame(sim, f, (size_t) n);
}

static bool on_tick(void *user_data)
{
	struct ant_sim *sim = user_data;
	uint64_t now = belt_now(sim);
	bool quiet;

	belt_advance(&sim->belt, now);
	sim->stats.speed = belt_speed(&sim->belt);
	if (!sim->stats.channel_open)
		return true;
	quiet = (sim->cfg.quirks & ANT_SIM_QUIRK_DROP) &&
		now >= sim->cfg.drop_at_us &&
		now < sim->cfg.drop_at_us + sim->cfg.drop_for_us;
	if (!quiet) {
		sim->searching = false;
		broadcast(sim);
		return true;
	}
	if (!sim->searching) {
		/* The stick gives up tracking and searches (code 8). */
		sim->searching = true;
		sim->silent_since = now;
		send_event(sim, ANT_EVENT_MSG_ID_RF,
			   ANT_EVENT_RX_FAIL_GO_TO_SEARCH);
		return true;
	}
	if (now - sim->silent_since >=
	    (uint64_t) sim->search_timeout * 2500 * USEC_PER_MSEC) {
		/* Search timeout, then the channel closes (codes 1, 7). */
		send_event(sim, ANT_EVENT_MSG_ID_RF,
			   ANT_EVENT_RX_SEARCH_TIMEOUT);
		send_event(sim, ANT_EVENT_MSG_ID_RF, ANT_EVENT_CHANNEL_CLOSED);
		sim->stats.channel_open = false;
		sim->searching = false;
	}
	return true;
}

static void on_host_msg(const struct ant_msg *msg, void *user_data)
{
	struct ant_sim *sim = user_data;
	uint8_t f[ANT_MAX_FRAME], p[5];
	int n;

	switch (msg->id) {
	case ANT_MSG_RESET_SYSTEM:
		sim->stats.resets++;
		sim->stats.channel_open = false;
		sim->stats.key_set = false;
		sim->searching = false;
		p[0] = 0x20;	/* startup reason: command reset */
		n = ant_build(ANT_MSG_STARTUP, p, 1, f, sizeof(f));
		send_frame(sim, f, (size_t) n);
		return;
	case ANT_MSG_SET_NETWORK_KEY:
		if (msg->len != 1 + ANT_NETWORK_KEY_LEN)
			return;
		sim->stats.key_set = true;
		break;
	case ANT_MSG_SEARCH_TIMEOUT:
		if (msg->len >= 2)
			sim->search_timeout = msg->payload[1];
		break;
	case ANT_MSG_OPEN_CHANNEL:
		sim->stats.opens++;
		sim->stats.channel_open = true;
		sim->searching = false;
		if (!sim->started_once && sim->cfg.start_speed) {
			uint64_t now = belt_now(sim);

			/* The person steps on and starts walking. */
			sim->started_once = true;
			(void) belt_set_speed(&sim->belt, sim->cfg.start_speed,
					      now);
			(void) belt_start(&sim->belt, now);
		}
		break;
	case ANT_MSG_CLOSE_CHANNEL:
		sim->stats.channel_open = false;
		break;
	case ANT_MSG_ASSIGN_CHANNEL:
	case ANT_MSG_CHANNEL_ID:
	case ANT_MSG_CHANNEL_PERIOD:
	case ANT_MSG_RF_FREQUENCY:
		break;
	case ANT_MSG_REQUEST:
		if (msg->len >= 2 && msg->payload[1] == ANT_MSG_CHANNEL_ID) {
			p[0] = CH;
			put_le16(sim->cfg.device_number, p + 1);
			p[3] = ANT_FE_DEVICE_TYPE;
			p[4] = 0x05;
			n = ant_build(ANT_MSG_CHANNEL_ID, p, 5, f, sizeof(f));
			send_frame(sim, f, (size_t) n);
		}
		return;
	default:
		return;
	}
	sim->stats.config_msgs++;
	send_event(sim, msg->id, ANT_CODE_NO_ERROR);
}

static bool on_fd(int fd, uint32_t events, void *user_data)
{
	struct ant_sim *sim = user_data;
	uint8_t buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0) {
		ant_parser_feed(&sim->parser, buf, (size_t) n, on_host_msg, sim);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	/* The host closed its end. */
	sim->fd_id = 0;
	ant_sim_detach(sim);
	return false;
}

struct ant_sim *ant_sim_new(struct loop *loop, const struct ant_sim_config *cfg)
{
	struct ant_sim *sim;
	uint64_t period;
	int id;

	if (!cfg->belt.speed_inc || !cfg->belt.incline_inc ||
	    cfg->belt.speed_min > cfg->belt.speed_max)
		return NULL;
	sim = paced_new0(struct ant_sim, 1);
	sim->loop = loop;
	sim->cfg = *cfg;
	if (!sim->cfg.speedup)
		sim->cfg.speedup = 1;
	sim->fd = -1;
	sim->search_timeout = 12;
	sim->loop_base = loop_now(loop);
	belt_init(&sim->belt, &sim->cfg.belt, 0);
	ant_parser_init(&sim->parser);
	period = BCAST_US;
	if (period * sim->cfg.speedup > MAX_BELT_GAP_US)
		period = MAX_BELT_GAP_US / sim->cfg.speedup;
	id = loop_add_timeout(loop, period, true, on_tick, sim, NULL);
	sim->tick_id = id > 0 ? id : 0;
	return sim;
}

void ant_sim_detach(struct ant_sim *sim)
{
	if (sim->fd_id > 0)
		loop_remove(sim->loop, sim->fd_id);
	sim->fd_id = 0;
	if (sim->fd >= 0)
		close(sim->fd);
	sim->fd = -1;
	sim->stats.attached = false;
	sim->stats.channel_open = false;
	sim->pending_len = 0;
}

int ant_sim_attach(struct ant_sim *sim, int fd)
{
	int id;

	if (sim->fd >= 0)
		return -EBUSY;
	id = loop_add_fd(sim->loop, fd, EPOLLIN, on_fd, sim, NULL);
	if (id < 0)
		return id;
	sim->fd = fd;
	sim->fd_id = id;
	sim->stats.attached = true;
	ant_parser_init(&sim->parser);
	return 0;
}

void ant_sim_free(struct ant_sim *sim)
{
	if (!sim)
		return;
	ant_sim_detach(sim);
	if (sim->tick_id > 0)
		loop_remove(sim->loop, sim->tick_id);
	if (sim->cue_id > 0)
		loop_remove(sim->loop, sim->cue_id);
	free(sim);
}

int ant_sim_person_set_speed(struct ant_sim *sim, uint16_t speed)
{
	uint64_t now = belt_now(sim);
	int r = belt_set_speed(&sim->belt, speed, now);

	if (r == 0 && !belt_is_running(&sim->belt))
		r = belt_start(&sim->belt, now);
	return r == -EALREADY ? 0 : r;
}

int ant_sim_person_stop(struct ant_sim *sim)
{
	return belt_stop(&sim->belt, belt_now(sim));
}

static bool on_cue_timer(void *user_data)
{
	struct ant_sim *sim = user_data;

	sim->cue_id = 0;
	(void) ant_sim_person_set_speed(sim, sim->cue_speed);
	return false;
}

void ant_sim_cue(struct ant_sim *sim, uint16_t speed)
{
	int id;

	sim->stats.cues++;
	sim->stats.last_cue = speed;
	/* Stubborn: she speeds up when told, but never slows down. */
	belt_advance(&sim->belt, belt_now(sim));
	if ((sim->cfg.quirks & ANT_SIM_QUIRK_STUBBORN) &&
	    speed < belt_speed(&sim->belt))
		return;
	/* Round onto the console's grid, as a person presses its keys. */
	speed = (uint16_t) (speed - (speed - sim->cfg.belt.speed_min) %
			    sim->cfg.belt.speed_inc);
	speed = MAX(speed, sim->cfg.belt.speed_min);
	speed = MIN(speed, sim->cfg.belt.speed_max);
	sim->cue_speed = speed;
	if (sim->cue_id > 0)
		loop_remove(sim->loop, sim->cue_id);
	id = loop_add_timeout(sim->loop, sim->cfg.reaction_us /
			      sim->cfg.speedup, false, on_cue_timer, sim, NULL);
	sim->cue_id = id > 0 ? id : 0;
}

void ant_sim_get_stats(struct ant_sim *sim, struct ant_sim_stats *ret)
{
	belt_advance(&sim->belt, belt_now(sim));
	sim->stats.speed = belt_speed(&sim->belt);
	*ret = sim->stats;
}

/* ---------------------------------------------------------------- */
/* The port: the driver's end of the socketpair. */

struct sim_port {
	struct loop *loop;
	struct ant_port_cbs cbs;
	struct ant_sim *sim;
	int fd;
	int fd_id;
	int idle_id;
	bool present_sent;
};

static void port_close_fd(struct sim_port *sp)
{
	if (sp->fd_id > 0)
		loop_remove(sp->loop, sp->fd_id);
	sp->fd_id = 0;
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
}

static bool port_on_fd(int fd, uint32_t events, void *user_data)
{
	struct sim_port *sp = user_data;
	uint8_t buf[PACKET];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0) {
		if (sp->cbs.input)
			sp->cbs.input(buf, (size_t) n, sp->cbs.user_data);
		return true;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	/* EOF: the stick was unplugged. */
	sp->fd_id = 0;
	port_close_fd(sp);
	sp->present_sent = false;
	if (sp->cbs.present)
		sp->cbs.present(false, -ENODEV, sp->cbs.user_data);
	return false;
}

static bool port_on_idle(void *user_data)
{
	struct sim_port *sp = user_data;

	sp->idle_id = 0;
	if (sp->fd >= 0 && !sp->present_sent) {
		sp->present_sent = true;
		if (sp->cbs.present)
			sp->cbs.present(true, 0, sp->cbs.user_data);
	}
	return false;
}

/* Plug the simulated stick in: a fresh socketpair, announced from idle. */
static void port_plug(void *user_data)
{
	struct sim_port *sp = user_data;
	int sv[2], id;

	if (sp->fd >= 0)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	if (ant_sim_attach(sp->sim, sv[1]) < 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	sp->fd = sv[0];
	id = loop_add_fd(sp->loop, sp->fd, EPOLLIN, port_on_fd, sp, NULL);
	sp->fd_id = id > 0 ? id : 0;
	if (!sp->idle_id) {
		id = loop_add_idle(sp->loop, port_on_idle, sp, NULL);
		sp->idle_id = id > 0 ? id : 0;
	}
}

void ant_sim_plug(struct ant_sim *sim)
{
	if (sim->plug)
		sim->plug(sim->plug_data);
}

static int sim_port_start(void *impl)
{
	port_plug(impl);
	return 0;
}

static int sim_port_write(void *impl, const uint8_t *buf, size_t len)
{
	struct sim_port *sp = impl;

	if (sp->fd < 0)
		return -ENODEV;
	if (send(sp->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static void sim_port_free(void *impl)
{
	struct sim_port *sp = impl;

	if (!sp)
		return;
	if (sp->idle_id > 0)
		loop_remove(sp->loop, sp->idle_id);
	port_close_fd(sp);
	ant_sim_free(sp->sim);
	free(sp);
}

void *ant_port_sim_new(struct loop *loop, const struct usb_ant_config *cfg,
		       const struct ant_port_cbs *cbs)
{
	struct ant_sim_config def;
	struct sim_port *sp;

	if (!cfg->sim_cfg)
		ant_sim_config_init(&def);
	sp = paced_new0(struct sim_port, 1);
	sp->loop = loop;
	sp->cbs = *cbs;
	sp->fd = -1;
	sp->sim = ant_sim_new(loop, cfg->sim_cfg ? cfg->sim_cfg : &def);
	if (!sp->sim) {
		free(sp);
		return NULL;
	}
	sp->sim->plug = port_plug;
	sp->sim->plug_data = sp;
	return sp;
}

struct ant_sim *ant_port_sim_get(void *port)
{
	return ((struct sim_port *) port)->sim;
}

const struct ant_port_ops ant_port_sim_ops = {
	.name = "sim",
	.start = sim_port_start,
	.write = sim_port_write,
	.free = sim_port_free,
};
