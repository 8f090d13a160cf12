/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated FTMS treadmill: GATT database, control point, belt, quirks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftms.h"
#include "sim.h"
#include "util.h"

/* GAP, GATT and Device Information assigned numbers (Assigned Numbers §3.4). */
#define UUID_GAP_SERVICE		0x1800
#define UUID_GATT_SERVICE		0x1801
#define UUID_DIS_SERVICE		0x180a
#define UUID_DEVICE_NAME		0x2a00
#define UUID_APPEARANCE			0x2a01
#define UUID_SERVICE_CHANGED		0x2a05
#define UUID_MODEL_NUMBER		0x2a24
#define UUID_FIRMWARE_REVISION		0x2a26
#define UUID_MANUFACTURER_NAME		0x2a29
#define UUID_SUPPORTED_RESISTANCE	0x2ad6

/* Appearance 0x0500-ish values are cycling; treadmills have none in the
 * 2019 list, so "Generic" (0) is the honest choice. */
#define APPEARANCE_GENERIC		0x0000

/* Longer than 22 bytes, so reading it needs Read Blob at the default MTU. */
#define MANUFACTURER_NAME \
	"paced project: simulated FTMS treadmill (not a real machine)"

/* Matrix treadmills cut Treadmill Data at 20 bytes (docs/ftms.md 2). */
#define MATRIX_FRAME_LEN		20

/* The log of control point writes stops growing here. */
#define MAX_COMMANDS			100000

struct sim {
	struct loop *loop;
	struct sim_config cfg;
	enum ftms_wire_unit unit;
	struct att_server *srv;
	struct belt belt;
	uint64_t loop_base;		/* loop time at sim_new */

	/* value handles */
	uint16_t h_feature, h_data, h_training, h_speed_range;
	uint16_t h_incline_range, h_cp, h_status;

	/* per link */
	bool in_control;
	bool cp_busy;			/* indication not yet confirmed */
	unsigned int control_requests;	/* Request Control ops this link */
	uint64_t attach_belt_us;	/* belt time at attach */
	int tick_id, drop_id, stall_id, lose_id;
	bool link_dropped;		/* drop-link fired: once per simulator */
	bool stalled;
	uint64_t ticks;
	uint8_t training_status;

	struct sim_command *cmds;
	size_t n_cmds;

	uint64_t data_sent, status_sent, malformed_sent;

	sim_disconnect_func_t disc_func;
	void *disc_data;
	att_server_debug_func_t debug_func;
	void *debug_data;
};

static const char *const quirk_names[SIM_QUIRK_COUNT] = {
	"split-records", "truncate-20", "deny-first-control",
	"ignore-speed-until-started", "drop-link", "stall", "lose-control",
	"malformed", "mph", "alt-handles", "slow-belt", "cp-silent",
};

static void debug(struct sim *sim, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void debug(struct sim *sim, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!sim->debug_func)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim->debug_func(buf, sim->debug_data);
}

void sim_config_init(struct sim_config *ret_cfg)
{
	*ret_cfg = (struct sim_config) {
		.belt = {
			.speed_min = 100,
			.speed_max = 1600,
			.speed_inc = 10,
			.incline_min = 0,
			.incline_max = 150,
			.incline_inc = 5,
			.accel = 100,
			.incline_rate = 10,
		},
		.data_interval_us = USEC_PER_SEC,
		.speedup = 1,
		.drop_link_at_us = 5 * USEC_PER_SEC,
		.stall_at_us = 3 * USEC_PER_SEC,
		.lose_control_at_us = 5 * USEC_PER_SEC,
		.rx_mtu = 247,
	};
}

const char *sim_quirk_name(enum sim_quirk quirk)
{
	for (unsigned int i = 0; i < SIM_QUIRK_COUNT; i++)
		if ((unsigned int) quirk == 1u << i)
			return quirk_names[i];
	return NULL;
}

/* "2", "2.5", "0.25": seconds to µs; false on anything else. */
static bool parse_seconds(const char *s, uint64_t *ret_us)
{
	uint64_t whole = 0, frac = 0, scale = USEC_PER_SEC;
	bool digits = false;

	for (; *s >= '0' && *s <= '9'; s++, digits = true) {
		whole = whole * 10 + (uint64_t) (*s - '0');
		if (whole > 86400 * 365)
			return false;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits = true) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t) (*s - '0') * scale;
			}
		}
	}
	if (!digits || *s)
		return false;
	*ret_us = whole * USEC_PER_SEC + frac;
	return true;
}

int sim_config_add_quirk(struct sim_config *cfg, const char *spec)
{
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t) (eq - spec) : strlen(spec);
	uint64_t us;

	for (unsigned int i = 0; i < SIM_QUIRK_COUNT; i++) {
		uint32_t bit = 1u << i;
		uint64_t *at;

		if (strlen(quirk_names[i]) != n ||
		    strncmp(quirk_names[i], spec, n))
			continue;
		switch ((enum sim_quirk) bit) {
		case SIM_QUIRK_DROP_LINK:
			at = &cfg->drop_link_at_us;
			break;
		case SIM_QUIRK_STALL:
			at = &cfg->stall_at_us;
			break;
		case SIM_QUIRK_LOSE_CONTROL:
			at = &cfg->lose_control_at_us;
			break;
		case SIM_QUIRK_SPLIT_RECORDS:
		case SIM_QUIRK_TRUNCATE_20:
		case SIM_QUIRK_DENY_FIRST_CONTROL:
		case SIM_QUIRK_IGNORE_SPEED_UNTIL_STARTED:
		case SIM_QUIRK_MALFORMED:
		case SIM_QUIRK_MPH:
		case SIM_QUIRK_ALT_HANDLES:
		case SIM_QUIRK_SLOW_BELT:
		case SIM_QUIRK_CP_SILENT:
		default:
			at = NULL;
			break;
		}
		if (eq && !at)
			return -EINVAL;
		if (eq) {
			if (!parse_seconds(eq + 1, &us))
				return -ERANGE;
			*at = us;
		}
		cfg->quirks |= bit;
		return 0;
	}
	return -EINVAL;
}

static bool quirk(const struct sim *sim, enum sim_quirk q)
{
	return sim->cfg.quirks & q;
}

/* Belt time: the loop clock since sim_new, times speedup. */
static uint64_t belt_now(const struct sim *sim)
{
	return (loop_now(sim->loop) - sim->loop_base) * sim->cfg.speedup;
}

/* Loop time at which belt time reaches t (for scheduling). */
static uint64_t loop_time_of(const struct sim *sim, uint64_t belt_us)
{
	return sim->loop_base + belt_us / sim->cfg.speedup;
}

/* ---- notifications ---- */

static void notify_status(struct sim *sim, uint8_t op, const union ftms_param *p)
{
	struct ftms_machine_status st = { .op = op };
	uint8_t buf[FTMS_MAX_VALUE_LEN];
	int n;

	if (p)
		st.param = *p;
	n = ftms_encode_machine_status(&st, sim->unit, buf, sizeof(buf));
	if (n < 0) {
		debug(sim, "machine status 0x%02x: encode: %s", op,
		      strerror(-n));
		return;
	}
	if (att_server_notify(sim->srv, sim->h_status, buf, (size_t) n) == 0)
		sim->status_sent++;
}

static void set_training_status(struct sim *sim, uint8_t status)
{
	struct ftms_training_status ts = { .status = status };
	uint8_t buf[8];
	int n;

	if (status == sim->training_status)
		return;
	sim->training_status = status;
	n = ftms_encode_training_status(&ts, buf, sizeof(buf));
	if (n < 0)
		return;
	(void) att_server_set_value(sim->srv, sim->h_training, buf, (size_t) n);
	if (att_server_is_attached(sim->srv))
		(void) att_server_notify(sim->srv, sim->h_training, buf,
					 (size_t) n);
}

/* docs/ftms.md 1.5: the machine's view of the session, from the belt state. */
static void update_training_status(struct sim *sim)
{
	switch (sim->belt.state) {
	case BELT_STATE_IDLE:
		set_training_status(sim, FTMS_TRAINING_IDLE);
		break;
	case BELT_STATE_RUNNING:
	case BELT_STATE_PAUSED:
		set_training_status(sim, FTMS_TRAINING_MANUAL_MODE);
		break;
	case BELT_STATE_STOPPED:
		set_training_status(sim, FTMS_TRAINING_POST_WORKOUT);
		break;
	}
}

static void fill_data(struct sim *sim, struct ftms_treadmill_data *td)
{
	const struct belt *b = &sim->belt;

	memset(td, 0, sizeof(*td));
	td->instantaneous_speed = belt_speed(b);
	td->average_speed = belt_avg_speed(b);
	td->total_distance = belt_distance(b);
	td->inclination = belt_incline(b);
	td->positive_elevation_gain = belt_elevation_gain(b);
	td->negative_elevation_gain = 0;
	td->elapsed_time = belt_elapsed(b);
	/* The deck has no ramp-angle sensor: FTMS N/A sentinel. */
	td->not_available = FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE);
	td->present = FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED) |
		      FTMS_TD_BIT(FTMS_TD_AVERAGE_SPEED) |
		      FTMS_TD_BIT(FTMS_TD_TOTAL_DISTANCE) |
		      FTMS_TD_BIT(FTMS_TD_INCLINATION) |
		      FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE) |
		      FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME);
}

static void send_data(struct sim *sim, const struct ftms_treadmill_data *td,
		      size_t cut)
{
	uint8_t buf[FTMS_TD_MAX_LEN];
	int n = ftms_encode_treadmill_data(td, sim->unit, buf, sizeof(buf));

	if (n < 0) {
		debug(sim, "treadmill data: encode: %s", strerror(-n));
		return;
	}
	if (cut && (size_t) n > cut)
		n = (int) cut;
	if (att_server_notify(sim->srv, sim->h_data, buf, (size_t) n) == 0)
		sim->data_sent++;
}

/*
 * Deliberately broken PDUs, in turn: a value shorter than its flags, an
 * empty value, a notification for a handle that does not exist, an ATT
 * PDU cut inside its handle, a Machine Status whose parameter is cut.
 */
static void send_malformed(struct sim *sim)
{
	uint8_t pdu[8] = { ATT_OP_HANDLE_NFY };
	size_t len = 3;

	switch ((sim->malformed_sent) % 5) {
	case 0:
		put_le16(sim->h_data, pdu + 1);
		pdu[3] = 0x00;
		len = 4;
		break;
	case 1:
		put_le16(sim->h_data, pdu + 1);
		break;
	case 2:
		put_le16(0xfff0, pdu + 1);
		pdu[3] = 0x00;
		pdu[4] = 0x00;
		len = 5;
		break;
	case 3:
		pdu[1] = sim->h_data & 0xff;
		len = 2;
		break;
	default:
		put_le16(sim->h_status, pdu + 1);
		pdu[3] = FTMS_STATUS_TARGET_SPEED_CHANGED;
		pdu[4] = 0x10;
		len = 5;
		break;
	}
	if (att_server_send_raw(sim->srv, pdu, len) == 0)
		sim->malformed_sent++;
}

static bool on_tick(void *user_data)
{
	struct sim *sim = user_data;
	struct ftms_treadmill_data td, part;

	belt_advance(&sim->belt, belt_now(sim));
	update_training_status(sim);
	sim->ticks++;
	if (sim->stalled ||
	    !(att_server_get_cccd(sim->srv, sim->h_data) & GATT_CCCD_NOTIFY))
		return true;

	fill_data(sim, &td);
	if (quirk(sim, SIM_QUIRK_TRUNCATE_20)) {
		/* Matrix: the flags promise every spec field; the frame is
		 * cut at 20 bytes whatever the MTU (docs/ftms.md 2). */
		td.present = 0;
		for (int f = 0; f < FTMS_TD_STEP_COUNT; f++)
			td.present |= FTMS_TD_BIT(f);
		td.heart_rate = 0;	/* no pulse grips: 0 bpm */
		td.not_available |= FTMS_TD_BIT(FTMS_TD_TOTAL_ENERGY) |
				    FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR) |
				    FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE) |
				    FTMS_TD_BIT(FTMS_TD_FORCE_ON_BELT) |
				    FTMS_TD_BIT(FTMS_TD_POWER_OUTPUT);
		send_data(sim, &td, MATRIX_FRAME_LEN);
	} else if (quirk(sim, SIM_QUIRK_SPLIT_RECORDS)) {
		/* §4.19: first part with More Data = 1 (no speed), the
		 * last with More Data = 0 carrying the speed. */
		part = td;
		part.present &= ~(FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED) |
				  FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME));
		send_data(sim, &part, 0);
		part = td;
		part.present = FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED) |
			       FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME);
		send_data(sim, &part, 0);
	} else {
		send_data(sim, &td, 0);
	}
	if (quirk(sim, SIM_QUIRK_MALFORMED) && sim->ticks % 2 == 0)
		send_malformed(sim);
	return true;
}

/* ---- control point (FTMS v1.0 §4.16, docs/ftms.md 1.7) ---- */

static void on_cp_confirm(struct att_server *srv, int err, void *user_data)
{
	struct sim *sim = user_data;

	sim->cp_busy = false;
}

static bool on_lose_control(void *user_data);

static void grant_control(struct sim *sim)
{
	sim->in_control = true;
	if (quirk(sim, SIM_QUIRK_LOSE_CONTROL) && sim->lose_id <= 0)
		sim->lose_id = loop_add_timer(sim->loop,
			loop_time_of(sim, belt_now(sim) +
					  sim->cfg.lose_control_at_us),
			0, on_lose_control, sim, NULL);
}

static void drop_control(struct sim *sim)
{
	sim->in_control = false;
	if (sim->lose_id > 0)
		loop_remove(sim->loop, sim->lose_id);
	sim->lose_id = 0;
}

static uint8_t result_of(int err)
{
	switch (err) {
	case 0:
		return FTMS_RESULT_SUCCESS;
	case -ERANGE:
	case -EINVAL:
		return FTMS_RESULT_INVALID_PARAMETER;
	default:
		return FTMS_RESULT_OPERATION_FAILED;
	}
}

static uint8_t run_op(struct sim *sim, const struct ftms_control_request *req)
{
	uint64_t now = belt_now(sim);
	uint32_t speed;

	if (req->op != FTMS_OP_REQUEST_CONTROL && !sim->in_control)
		return FTMS_RESULT_CONTROL_NOT_PERMITTED;

	switch (req->op) {
	case FTMS_OP_REQUEST_CONTROL:
		sim->control_requests++;
		if (quirk(sim, SIM_QUIRK_DENY_FIRST_CONTROL) &&
		    sim->control_requests == 1)
			return FTMS_RESULT_CONTROL_NOT_PERMITTED;
		grant_control(sim);
		return FTMS_RESULT_SUCCESS;
	case FTMS_OP_RESET:
		/* docs/ftms.md 1.7: defaults, zeroed times, Idle, and the
		 * client's control ends. */
		belt_reset(&sim->belt, now);
		drop_control(sim);
		update_training_status(sim);
		return FTMS_RESULT_SUCCESS;
	case FTMS_OP_SET_TARGET_SPEED:
		speed = req->param.speed;
		/* 0.01 mph does not map onto a 0.01 km/h grid: round to the
		 * belt's increment, as an mph console does. */
		if (sim->unit == FTMS_WIRE_UNIT_MPH &&
		    speed >= sim->belt.p.speed_min) {
			uint32_t inc = sim->belt.p.speed_inc;
			uint32_t off = speed - sim->belt.p.speed_min;

			speed = sim->belt.p.speed_min +
				(off + inc / 2) / inc * inc;
		}
		if (speed > 0xffff)
			return FTMS_RESULT_INVALID_PARAMETER;
		/* A worn motor: the target is accepted, the belt tops out
		 * below it (what the speed-mismatch alarm is for). */
		if (quirk(sim, SIM_QUIRK_SLOW_BELT) && speed > SIM_SLOW_BELT_MAX &&
		    speed <= sim->belt.p.speed_max)
			speed = SIM_SLOW_BELT_MAX;
		if (quirk(sim, SIM_QUIRK_IGNORE_SPEED_UNTIL_STARTED) &&
		    !belt_is_running(&sim->belt)) {
			/* docs/ftms.md 2: "accepted" and silently dropped. */
			belt_advance(&sim->belt, now);
			return speed >= sim->belt.p.speed_min &&
			       speed <= sim->belt.p.speed_max ?
			       FTMS_RESULT_SUCCESS :
			       FTMS_RESULT_INVALID_PARAMETER;
		}
		return result_of(belt_set_speed(&sim->belt, (uint16_t) speed,
						now));
	case FTMS_OP_SET_TARGET_INCLINATION:
		return result_of(belt_set_incline(&sim->belt,
						  req->param.inclination, now));
	case FTMS_OP_START_OR_RESUME:
		/* Start while running, or with the key out: Operation
		 * Failed (docs/ftms.md 1.7). */
		return result_of(belt_start(&sim->belt, now));
	case FTMS_OP_STOP_OR_PAUSE:
		if (req->param.stop_pause == FTMS_STOP)
			return result_of(belt_stop(&sim->belt, now));
		if (req->param.stop_pause == FTMS_PAUSE)
			return result_of(belt_pause(&sim->belt, now));
		return FTMS_RESULT_INVALID_PARAMETER;
	default:
		/* Resistance, power, heart rate, targeted values, bike ops:
		 * the Feature characteristic does not claim them. */
		return FTMS_RESULT_OP_CODE_NOT_SUPPORTED;
	}
}

static struct sim_command *log_command(struct sim *sim, const uint8_t *value,
				       size_t len)
{
	struct sim_command *c;

	if (sim->n_cmds >= MAX_COMMANDS)
		return NULL;
	sim->cmds = paced_realloc(sim->cmds,
				  (sim->n_cmds + 1) * sizeof(*sim->cmds));
	c = &sim->cmds[sim->n_cmds++];
	memset(c, 0, sizeof(*c));
	c->time_us = loop_now(sim->loop);
	c->raw_len = (uint8_t) MIN(len, sizeof(c->raw));
	memcpy(c->raw, value, c->raw_len);
	c->op = len ? value[0] : 0xff;
	return c;
}

static uint8_t on_cp_write(struct att_server *srv, uint16_t handle,
			   const uint8_t *value, size_t len, bool is_cmd,
			   void *user_data)
{
	struct sim *sim = user_data;
	struct sim_command *c = log_command(sim, value, len);
	struct sim_command dummy;
	struct ftms_control_request req;
	struct ftms_control_response rsp = { 0 };
	uint8_t buf[3 + FTMS_RESPONSE_MAX_PARAM];
	int r, n;

	if (!c)
		c = &dummy;
	/* §4.16.1: indications must be on, and one procedure at a time;
	 * both are ATT errors from CSS Part B §1.2, and the write is
	 * discarded. */
	if (!(att_server_get_cccd(srv, handle) & GATT_CCCD_INDICATE)) {
		c->att_error = ATT_ECODE_CCCD_IMPROPER;
		return c->att_error;
	}
	if (sim->cp_busy) {
		c->att_error = ATT_ECODE_PROC_IN_PROGRESS;
		return c->att_error;
	}
	/* A control point that grants control and then never answers: the
	 * write is acknowledged (it is a Write Request) but no procedure
	 * runs and no indication follows, so only the client's own
	 * procedure timeout (FTMS v1.0 4.16.2: 30 s at most) can end it. */
	if (quirk(sim, SIM_QUIRK_CP_SILENT) && sim->in_control &&
	    len && value[0] != FTMS_OP_REQUEST_CONTROL)
		return 0;
	r = ftms_decode_control_request(value, len, sim->unit, &req);
	if (r == -EBADMSG) {
		/* Not even an op code to answer to. */
		c->att_error = ATT_ECODE_INVALID_VALUE_LEN;
		return c->att_error;
	}
	rsp.request_op = value[0];
	if (r < 0) {
		rsp.result = ftms_result_from_error(r);
	} else {
		if (req.op == FTMS_OP_SET_TARGET_SPEED)
			c->speed = req.param.speed;
		rsp.result = run_op(sim, &req);
	}
	c->result = rsp.result;
	debug(sim, "control point op 0x%02x: result 0x%02x", rsp.request_op,
	      rsp.result);

	n = ftms_encode_control_response(&rsp, buf, sizeof(buf));
	if (n < 0)
		return ATT_ECODE_UNLIKELY;
	/* Sent after the Write Response (the server holds it). */
	if (att_server_indicate(srv, handle, buf, (size_t) n, on_cp_confirm,
				sim) == 0)
		sim->cp_busy = true;
	/* The outcome first, then what it did to the session. */
	update_training_status(sim);
	return 0;
}

/* ---- timed quirks ---- */

static void remove_timer(struct sim *sim, int *id)
{
	if (*id > 0)
		loop_remove(sim->loop, *id);
	*id = 0;
}

static void link_gone(struct sim *sim)
{
	remove_timer(sim, &sim->tick_id);
	remove_timer(sim, &sim->drop_id);
	remove_timer(sim, &sim->stall_id);
	drop_control(sim);
	sim->cp_busy = false;
}

static bool on_drop_link(void *user_data)
{
	struct sim *sim = user_data;
	sim_disconnect_func_t func = sim->disc_func;

	sim->drop_id = 0;
	sim->link_dropped = true;
	debug(sim, "quirk: dropping the link");
	att_server_detach(sim->srv);
	link_gone(sim);
	if (func)
		func(sim, -ECONNABORTED, sim->disc_data);
	return false;
}

static bool on_stall(void *user_data)
{
	struct sim *sim = user_data;

	sim->stall_id = 0;
	sim->stalled = true;
	debug(sim, "quirk: Treadmill Data stalls");
	return false;
}

static bool on_lose_control(void *user_data)
{
	struct sim *sim = user_data;

	sim->lose_id = 0;
	if (!sim->in_control)
		return false;
	debug(sim, "quirk: control lost");
	sim->in_control = false;
	notify_status(sim, FTMS_STATUS_CONTROL_PERMISSION_LOST, NULL);
	return false;
}

static void on_srv_disconnect(struct att_server *srv, int err,
			      void *user_data)
{
	struct sim *sim = user_data;

	link_gone(sim);
	if (sim->disc_func)
		sim->disc_func(sim, err, sim->disc_data);
}

/* ---- database ---- */

static int add_char(struct sim *sim, uint16_t uuid, uint8_t props,
		    att_server_write_func_t write, const void *value,
		    size_t len)
{
	struct att_uuid u = att_uuid16(uuid);
	int h = att_server_add_char(sim->srv, &u, props, write, sim);

	if (h > 0 && len)
		h = att_server_set_value(sim->srv, (uint16_t) h, value, len) ?
		    -EINVAL : h;
	return h;
}

static int add_service(struct sim *sim, uint16_t uuid, uint16_t start)
{
	struct att_uuid u = att_uuid16(uuid);

	return att_server_add_service(sim->srv, &u, start);
}

static int build_gap(struct sim *sim, uint16_t start)
{
	static const char name[] = "paced-sim";
	uint8_t app[2];
	int r;

	put_le16(APPEARANCE_GENERIC, app);
	if ((r = add_service(sim, UUID_GAP_SERVICE, start)) < 0 ||
	    (r = add_char(sim, UUID_DEVICE_NAME, GATT_PROP_READ, NULL, name,
			  sizeof(name) - 1)) < 0 ||
	    (r = add_char(sim, UUID_APPEARANCE, GATT_PROP_READ, NULL, app,
			  2)) < 0)
		return r;
	return 0;
}

static int build_gatt(struct sim *sim, uint16_t start)
{
	int r;

	/* Service Changed: present (as on real devices), never sent, since
	 * the database never changes while a client is connected. */
	if ((r = add_service(sim, UUID_GATT_SERVICE, start)) < 0 ||
	    (r = add_char(sim, UUID_SERVICE_CHANGED, GATT_PROP_INDICATE, NULL,
			  NULL, 0)) < 0)
		return r;
	return 0;
}

static int build_dis(struct sim *sim, uint16_t start)
{
	static const char model[] = "paced-sim", fw[] = "1.0";
	int r;

	if ((r = add_service(sim, UUID_DIS_SERVICE, start)) < 0 ||
	    (r = add_char(sim, UUID_MANUFACTURER_NAME, GATT_PROP_READ, NULL,
			  MANUFACTURER_NAME,
			  sizeof(MANUFACTURER_NAME) - 1)) < 0 ||
	    (r = add_char(sim, UUID_MODEL_NUMBER, GATT_PROP_READ, NULL, model,
			  sizeof(model) - 1)) < 0 ||
	    (r = add_char(sim, UUID_FIRMWARE_REVISION, GATT_PROP_READ, NULL,
			  fw, sizeof(fw) - 1)) < 0)
		return r;
	return 0;
}

/* A vendor service with 128-bit UUIDs, as KingSmith and Horizon carry
 * (docs/ftms.md 2), so discovery meets both UUID widths. */
static int build_vendor(struct sim *sim, uint16_t start)
{
	static const struct att_uuid svc = { {
		0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5, 0xa9, 0xe0,
		0x93, 0xf3, 0xa3, 0xb5, 0x01, 0x00, 0x40, 0x6e } };
	static const struct att_uuid chr = { {
		0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5, 0xa9, 0xe0,
		0x93, 0xf3, 0xa3, 0xb5, 0x02, 0x00, 0x40, 0x6e } };
	static const uint8_t v[] = { 0x55, 0xaa };
	int r;

	if ((r = att_server_add_service(sim->srv, &svc, start)) < 0)
		return r;
	r = att_server_add_char(sim->srv, &chr,
				GATT_PROP_READ | GATT_PROP_NOTIFY, NULL, NULL);
	if (r < 0)
		return r;
	return att_server_set_value(sim->srv, (uint16_t) r, v, sizeof(v));
}

static int build_ftms(struct sim *sim, uint16_t start, bool alt)
{
	struct ftms_feature feat = {
		.machine = FTMS_FEATURE_AVERAGE_SPEED |
			   FTMS_FEATURE_TOTAL_DISTANCE |
			   FTMS_FEATURE_INCLINATION |
			   FTMS_FEATURE_ELEVATION_GAIN |
			   FTMS_FEATURE_ELAPSED_TIME,
		.target = FTMS_TARGET_SPEED | FTMS_TARGET_INCLINATION,
	};
	struct ftms_speed_range sr = {
		.min = sim->belt.p.speed_min,
		.max = sim->belt.p.speed_max,
		.increment = sim->belt.p.speed_inc,
	};
	struct ftms_incline_range ir = {
		.min = sim->belt.p.incline_min,
		.max = sim->belt.p.incline_max,
		.increment = sim->belt.p.incline_inc,
	};
	uint8_t fbuf[FTMS_FEATURE_LEN], sbuf[FTMS_SPEED_RANGE_LEN];
	uint8_t ibuf[FTMS_INCLINE_RANGE_LEN], res[6] = { 0, 0, 200, 0, 10, 0 };
	int nf, ns, ni, r;

	nf = ftms_encode_feature(&feat, fbuf, sizeof(fbuf));
	ns = ftms_encode_speed_range(&sr, sim->unit, sbuf, sizeof(sbuf));
	ni = ftms_encode_incline_range(&ir, ibuf, sizeof(ibuf));
	if (nf < 0 || ns < 0 || ni < 0)
		return -EINVAL;

	if ((r = add_service(sim, FTMS_UUID_SERVICE, start)) < 0)
		return r;
#define ADD(h, uuid, props, w, v, l)					\
	do {								\
		if ((r = add_char(sim, (uuid), (props), (w), (v), (l))) < 0) \
			return r;					\
		h = (uint16_t) r;					\
	} while (0)
	if (!alt) {
		/* FTMS v1.0 §4.1 table order. */
		ADD(sim->h_feature, FTMS_UUID_FEATURE, GATT_PROP_READ, NULL,
		    fbuf, (size_t) nf);
		ADD(sim->h_data, FTMS_UUID_TREADMILL_DATA, GATT_PROP_NOTIFY,
		    NULL, NULL, 0);
		ADD(sim->h_training, FTMS_UUID_TRAINING_STATUS,
		    GATT_PROP_READ | GATT_PROP_NOTIFY, NULL, NULL, 0);
		ADD(sim->h_speed_range, FTMS_UUID_SUPPORTED_SPEED_RANGE,
		    GATT_PROP_READ, NULL, sbuf, (size_t) ns);
		ADD(sim->h_incline_range, FTMS_UUID_SUPPORTED_INCLINATION_RANGE,
		    GATT_PROP_READ, NULL, ibuf, (size_t) ni);
		ADD(sim->h_cp, FTMS_UUID_CONTROL_POINT,
		    GATT_PROP_WRITE | GATT_PROP_INDICATE, on_cp_write, NULL, 0);
		ADD(sim->h_status, FTMS_UUID_MACHINE_STATUS, GATT_PROP_NOTIFY,
		    NULL, NULL, 0);
	} else {
		/* Another order, plus a resistance range a treadmill has no
		 * use for (FITSHOW pads expose it, docs/ftms.md 1.1). */
		uint16_t h_res;

		ADD(sim->h_cp, FTMS_UUID_CONTROL_POINT,
		    GATT_PROP_WRITE | GATT_PROP_INDICATE, on_cp_write, NULL, 0);
		ADD(sim->h_status, FTMS_UUID_MACHINE_STATUS, GATT_PROP_NOTIFY,
		    NULL, NULL, 0);
		ADD(sim->h_data, FTMS_UUID_TREADMILL_DATA, GATT_PROP_NOTIFY,
		    NULL, NULL, 0);
		ADD(h_res, UUID_SUPPORTED_RESISTANCE, GATT_PROP_READ, NULL,
		    res, sizeof(res));
		(void) h_res;
		ADD(sim->h_incline_range, FTMS_UUID_SUPPORTED_INCLINATION_RANGE,
		    GATT_PROP_READ, NULL, ibuf, (size_t) ni);
		ADD(sim->h_speed_range, FTMS_UUID_SUPPORTED_SPEED_RANGE,
		    GATT_PROP_READ, NULL, sbuf, (size_t) ns);
		ADD(sim->h_training, FTMS_UUID_TRAINING_STATUS,
		    GATT_PROP_READ | GATT_PROP_NOTIFY, NULL, NULL, 0);
		ADD(sim->h_feature, FTMS_UUID_FEATURE, GATT_PROP_READ, NULL,
		    fbuf, (size_t) nf);
	}
#undef ADD
	return 0;
}

/*
 * Default layout: GAP at 1, GATT, DIS, FTMS packed. The alternative puts
 * a 128-bit vendor service first at 0x0010, FTMS at 0x0040 in another
 * characteristic order, DIS at 0x0100 and GAP last at 0x0200, so a client
 * that remembers handles instead of discovering them breaks.
 */
static int build_db(struct sim *sim)
{
	int r;

	if (!quirk(sim, SIM_QUIRK_ALT_HANDLES)) {
		if ((r = build_gap(sim, 0)) < 0 || (r = build_gatt(sim, 0)) < 0 ||
		    (r = build_dis(sim, 0)) < 0 ||
		    (r = build_ftms(sim, 0, false)) < 0)
			return r;
		return 0;
	}
	if ((r = build_vendor(sim, 0x0010)) < 0 ||
	    (r = build_ftms(sim, 0x0040, true)) < 0 ||
	    (r = build_dis(sim, 0x0100)) < 0 ||
	    (r = build_gatt(sim, 0x0180)) < 0 ||
	    (r = build_gap(sim, 0x0200)) < 0)
		return r;
	return 0;
}

static bool belt_params_valid(const struct belt_params *p)
{
	return p->speed_min <= p->speed_max && p->speed_inc > 0 &&
	       p->incline_min <= p->incline_max && p->incline_inc > 0;
}

struct sim *sim_new(struct loop *loop, const struct sim_config *cfg)
{
	struct sim *sim;

	if (!loop || !cfg || !cfg->data_interval_us ||
	    !belt_params_valid(&cfg->belt))
		return NULL;
	sim = paced_new0(struct sim, 1);
	sim->loop = loop;
	sim->cfg = *cfg;
	if (!sim->cfg.speedup)
		sim->cfg.speedup = 1;
	sim->unit = quirk(sim, SIM_QUIRK_MPH) ? FTMS_WIRE_UNIT_MPH :
						FTMS_WIRE_UNIT_KMH;
	sim->loop_base = loop_now(loop);
	belt_init(&sim->belt, &cfg->belt, 0);
	sim->srv = att_server_new(loop, cfg->rx_mtu);
	if (build_db(sim) < 0) {
		sim_free(sim);
		return NULL;
	}
	sim->training_status = 0xff;
	update_training_status(sim);
	att_server_set_disconnect_cb(sim->srv, on_srv_disconnect, sim);
	return sim;
}

void sim_free(struct sim *sim)
{
	if (!sim)
		return;
	sim_detach(sim);
	remove_timer(sim, &sim->lose_id);
	att_server_free(sim->srv);
	free(sim->cmds);
	free(sim);
}

int sim_attach(struct sim *sim, int fd, bool take_fd)
{
	uint64_t now = loop_now(sim->loop);
	int r;

	r = att_server_attach(sim->srv, fd, take_fd);
	if (r < 0)
		return r;
	sim->in_control = false;
	sim->cp_busy = false;
	sim->control_requests = 0;
	sim->stalled = false;
	sim->attach_belt_us = belt_now(sim);
	/* Absolute deadlines, one period apart: the rate never drifts. */
	sim->tick_id = loop_add_timer(sim->loop, now + sim->cfg.data_interval_us,
				      sim->cfg.data_interval_us, on_tick, sim,
				      NULL);
	/* One drop per simulator: the client's reconnect then holds. */
	if (quirk(sim, SIM_QUIRK_DROP_LINK) && !sim->link_dropped)
		sim->drop_id = loop_add_timer(sim->loop,
			loop_time_of(sim, sim->attach_belt_us +
					  sim->cfg.drop_link_at_us),
			0, on_drop_link, sim, NULL);
	if (quirk(sim, SIM_QUIRK_STALL))
		sim->stall_id = loop_add_timer(sim->loop,
			loop_time_of(sim, sim->attach_belt_us +
					  sim->cfg.stall_at_us),
			0, on_stall, sim, NULL);
	debug(sim, "client attached");
	return 0;
}

void sim_detach(struct sim *sim)
{
	if (!sim || !att_server_is_attached(sim->srv))
		return;
	att_server_detach(sim->srv);
	link_gone(sim);
}

bool sim_is_attached(const struct sim *sim)
{
	return att_server_is_attached(sim->srv);
}

void sim_set_disconnect_cb(struct sim *sim, sim_disconnect_func_t func,
			   void *user_data)
{
	sim->disc_func = func;
	sim->disc_data = user_data;
}

void sim_set_debug(struct sim *sim, att_server_debug_func_t func,
		   void *user_data)
{
	sim->debug_func = func;
	sim->debug_data = user_data;
	att_server_set_debug(sim->srv, func, user_data);
}

/* ---- console ---- */

int sim_console_start(struct sim *sim)
{
	int r = belt_start(&sim->belt, belt_now(sim));

	if (r == 0) {
		update_training_status(sim);
		notify_status(sim, FTMS_STATUS_STARTED_OR_RESUMED_BY_USER,
			      NULL);
	}
	return r;
}

static int console_stop_pause(struct sim *sim, uint8_t what)
{
	union ftms_param p = { .stop_pause = what };
	int r = what == FTMS_STOP ? belt_stop(&sim->belt, belt_now(sim)) :
				    belt_pause(&sim->belt, belt_now(sim));

	if (r == 0) {
		update_training_status(sim);
		notify_status(sim, FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER, &p);
	}
	return r;
}

int sim_console_stop(struct sim *sim)
{
	return console_stop_pause(sim, FTMS_STOP);
}

int sim_console_pause(struct sim *sim)
{
	return console_stop_pause(sim, FTMS_PAUSE);
}

int sim_console_set_speed(struct sim *sim, uint16_t speed)
{
	union ftms_param p = { .speed = speed };
	int r = belt_set_speed(&sim->belt, speed, belt_now(sim));

	if (r == 0)
		notify_status(sim, FTMS_STATUS_TARGET_SPEED_CHANGED, &p);
	return r;
}

int sim_console_set_incline(struct sim *sim, int16_t incline)
{
	union ftms_param p = { .inclination = incline };
	int r = belt_set_incline(&sim->belt, incline, belt_now(sim));

	if (r == 0)
		notify_status(sim, FTMS_STATUS_TARGET_INCLINE_CHANGED, &p);
	return r;
}

void sim_console_safety_key(struct sim *sim, bool out)
{
	bool was = sim->belt.safety_key_out;

	belt_set_safety_key(&sim->belt, out, belt_now(sim));
	update_training_status(sim);
	if (out && !was)
		notify_status(sim, FTMS_STATUS_STOPPED_BY_SAFETY_KEY, NULL);
}

void sim_console_take_control(struct sim *sim)
{
	if (!sim->in_control)
		return;
	drop_control(sim);
	notify_status(sim, FTMS_STATUS_CONTROL_PERMISSION_LOST, NULL);
}

/* ---- introspection ---- */

void sim_get_state(struct sim *sim, struct sim_state *ret_state)
{
	const struct belt *b = &sim->belt;

	belt_advance(&sim->belt, belt_now(sim));
	*ret_state = (struct sim_state) {
		.belt = b->state,
		.safety_key_out = b->safety_key_out,
		.in_control = sim->in_control,
		.speed = belt_speed(b),
		.target_speed = b->target_speed,
		.incline = belt_incline(b),
		.target_incline = b->target_incline,
		.distance = belt_distance(b),
		.elapsed = belt_elapsed(b),
		.training_status = sim->training_status,
		.data_notifications = sim->data_sent,
		.status_notifications = sim->status_sent,
		.malformed_sent = sim->malformed_sent,
	};
}

size_t sim_command_count(const struct sim *sim)
{
	return sim->n_cmds;
}

const struct sim_command *sim_command_get(const struct sim *sim, size_t i)
{
	return i < sim->n_cmds ? &sim->cmds[i] : NULL;
}

uint16_t sim_value_handle(const struct sim *sim, uint16_t uuid16)
{
	switch (uuid16) {
	case FTMS_UUID_FEATURE:
		return sim->h_feature;
	case FTMS_UUID_TREADMILL_DATA:
		return sim->h_data;
	case FTMS_UUID_TRAINING_STATUS:
		return sim->h_training;
	case FTMS_UUID_SUPPORTED_SPEED_RANGE:
		return sim->h_speed_range;
	case FTMS_UUID_SUPPORTED_INCLINATION_RANGE:
		return sim->h_incline_range;
	case FTMS_UUID_CONTROL_POINT:
		return sim->h_cp;
	case FTMS_UUID_MACHINE_STATUS:
		return sim->h_status;
	default:
		return 0;
	}
}

struct att_server *sim_att_server(struct sim *sim)
{
	return sim->srv;
}
