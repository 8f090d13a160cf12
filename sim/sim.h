/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated FTMS treadmill: GATT database, control point, belt, quirks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mainloop.h"
#include "att-server.h"
#include "belt.h"

/*
 * An FTMS treadmill (FTMS v1.0, docs/ftms.md 1.1-1.8) behind a real ATT server:
 * GAP, GATT, Device Information and Fitness Machine services, a belt model
 * (lib/sim/belt.h), the Control Point procedure with permission, one
 * procedure at a time and every result code, Machine Status and Training
 * Status notifications, and Treadmill Data at a fixed rate. Every FTMS byte
 * is produced and parsed by lib/ftms.h.
 *
 * All time comes from the loop's clock, so a test drives the simulator on
 * a fake clock. Belt time runs 'speedup' times faster than the loop clock;
 * the Treadmill Data rate and the command log use loop time.
 */
struct sim;

/* Quirk switches imitating real treadmills (docs/ftms.md 2). */
enum sim_quirk {
	SIM_QUIRK_SPLIT_RECORDS = 1u << 0,	/* records in 2 parts (More Data) */
	SIM_QUIRK_TRUNCATE_20 = 1u << 1,	/* Matrix: every flag, cut at 20 B */
	SIM_QUIRK_DENY_FIRST_CONTROL = 1u << 2,	/* 1st Request Control: 0x05 */
	SIM_QUIRK_IGNORE_SPEED_UNTIL_STARTED = 1u << 3, /* accepted, dropped */
	SIM_QUIRK_DROP_LINK = 1u << 4,		/* hang up at drop_link_at_us */
	SIM_QUIRK_STALL = 1u << 5,		/* no data after stall_at_us */
	SIM_QUIRK_LOSE_CONTROL = 1u << 6,	/* status 0xFF at lose_control_at_us */
	SIM_QUIRK_MALFORMED = 1u << 7,		/* every 2nd tick adds a bad PDU */
	SIM_QUIRK_MPH = 1u << 8,		/* 0.01 mph in every speed field */
	SIM_QUIRK_ALT_HANDLES = 1u << 9,	/* another service/handle layout */
	SIM_QUIRK_SLOW_BELT = 1u << 10,		/* belt never above 6.00 km/h */
	SIM_QUIRK_CP_SILENT = 1u << 11,		/* CP grants control, then mute */
};
#define SIM_QUIRK_COUNT 12
/* What a slow-belt treadmill reaches, whatever it was asked: 0.01 km/h. */
#define SIM_SLOW_BELT_MAX 600

struct sim_config {
	struct belt_params belt;
	uint64_t data_interval_us;	/* Treadmill Data period, loop time */
	uint32_t speedup;		/* belt time multiplier, >= 1 */
	uint32_t quirks;		/* enum sim_quirk bits */
	uint64_t drop_link_at_us;	/* belt time after attach */
	uint64_t stall_at_us;		/* belt time after attach */
	uint64_t lose_control_at_us;	/* belt time after control is granted */
	uint16_t rx_mtu;		/* ATT_MTU offered in Exchange MTU */
};

/*
 * Defaults: 1.0-16.0 km/h in 0.1, incline 0-15 % in 0.5, 1 km/h per s
 * acceleration, 1 %/s deck, 1 Hz data, speedup 1, no quirks, MTU 247.
 */
void sim_config_init(struct sim_config *ret_cfg);
/*
 * Turn on a quirk by name ("split-records", "truncate-20",
 * "deny-first-control", "ignore-speed-until-started", "drop-link",
 * "stall", "lose-control", "malformed", "mph", "alt-handles",
 * "slow-belt", "cp-silent"). The timed
 * ones take "=SECONDS" (decimal, belt time): "drop-link=2.5". Returns 0,
 * -EINVAL for an unknown name or a value on an untimed quirk, -ERANGE
 * for a bad time. cfg is untouched on error.
 */
int sim_config_add_quirk(struct sim_config *cfg, const char *spec);
/* Name of one quirk bit, NULL if not a quirk. */
const char *sim_quirk_name(enum sim_quirk quirk);

/* NULL only for an invalid config (zero interval, bad belt ranges). */
struct sim *sim_new(struct loop *loop, const struct sim_config *cfg);
/* Detaches (no disconnect callback) and frees. NULL ok. */
void sim_free(struct sim *sim);

/*
 * Serve one client on fd, a connected SOCK_SEQPACKET socket; with take_fd
 * the simulator closes it on detach. Per-link state starts fresh: no
 * control, CCCDs off, MTU 23. The belt keeps its state across links, as a
 * real treadmill does. -EBUSY while a link is attached.
 */
int sim_attach(struct sim *sim, int fd, bool take_fd);
/* Hang up on the client (it sees EOF). No disconnect callback. */
void sim_detach(struct sim *sim);
bool sim_is_attached(const struct sim *sim);
/* Called when the link ends by itself: -ENOTCONN (client hung up),
 * -ECONNABORTED (the drop-link quirk), -ETIMEDOUT (no Confirmation).
 * The simulator may be freed from here (and from no other callback). */
typedef void (*sim_disconnect_func_t)(struct sim *sim, int err,
				      void *user_data);
void sim_set_disconnect_cb(struct sim *sim, sim_disconnect_func_t func,
			   void *user_data);
void sim_set_debug(struct sim *sim, att_server_debug_func_t func,
		   void *user_data);

/*
 * The console: what a person does at the treadmill. Each notifies Machine
 * Status to the client as docs/ftms.md 1.8 says (02 stop/pause, 03 safety key,
 * 04 started, 05/06 target changed, FF control lost). Returns 0 or the
 * belt's error (-EALREADY, -EPERM, -ERANGE, -EINVAL).
 */
int sim_console_start(struct sim *sim);
int sim_console_stop(struct sim *sim);
int sim_console_pause(struct sim *sim);
int sim_console_set_speed(struct sim *sim, uint16_t speed);
int sim_console_set_incline(struct sim *sim, int16_t incline);
void sim_console_safety_key(struct sim *sim, bool out);
/* The user takes over at the console: the client loses control (0xFF). */
void sim_console_take_control(struct sim *sim);

struct sim_state {
	enum belt_state belt;
	bool safety_key_out;
	bool in_control;		/* the client holds control */
	uint16_t speed;			/* 0.01 km/h, actual */
	uint16_t target_speed;		/* 0.01 km/h */
	int16_t incline;		/* 0.1 % */
	int16_t target_incline;		/* 0.1 % */
	uint32_t distance;		/* m */
	uint16_t elapsed;		/* s */
	uint8_t training_status;	/* FTMS_TRAINING_* */
	uint64_t data_notifications;	/* Treadmill Data PDUs sent */
	uint64_t status_notifications;	/* Machine Status PDUs sent */
	uint64_t malformed_sent;	/* deliberately bad PDUs (quirk) */
};
/* The state now (the belt is advanced to the current time first). */
void sim_get_state(struct sim *sim, struct sim_state *ret_state);

/* One control point write, as received. */
struct sim_command {
	uint64_t time_us;		/* loop clock when it arrived */
	uint8_t raw[20];		/* the bytes written (cut at 20) */
	uint8_t raw_len;
	uint8_t op;			/* raw[0], 0xff... if empty */
	uint8_t att_error;		/* ATT error sent instead, else 0 */
	uint8_t result;			/* FTMS result indicated, 0 if none */
	uint32_t speed;			/* decoded target speed, 0.01 km/h */
};
size_t sim_command_count(const struct sim *sim);
/* NULL past the end. Valid until the next write or sim_free(). */
const struct sim_command *sim_command_get(const struct sim *sim, size_t i);

/* Value handle of a characteristic (16-bit UUID) in the current layout,
 * 0 if the database has none. For tests and byte-exact scripts. */
uint16_t sim_value_handle(const struct sim *sim, uint16_t uuid16);
/* The ATT server underneath (stats, MTU). Borrowed. */
struct att_server *sim_att_server(struct sim *sim);
