/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated treadmill's belt: pure functions of time, no I/O. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Units follow FTMS (docs/ftms.md 1.4/1.6): speed in 0.01 km/h, incline in
 * 0.1 %. Time is the caller's clock in µs; the model only ever looks at
 * the difference between two calls, so it runs on a fake clock, the real
 * one, or a sped-up one alike.
 *
 * struct belt is a plain value (not opaque, unlike most of the tree): it
 * is the whole state of a pure model, and tests build it on the stack.
 * Change it only through the functions below.
 */
struct belt_params {
	uint16_t speed_min;		/* 0.01 km/h */
	uint16_t speed_max;		/* 0.01 km/h */
	uint16_t speed_inc;		/* 0.01 km/h, > 0 */
	int16_t incline_min;		/* 0.1 % */
	int16_t incline_max;		/* 0.1 % */
	uint16_t incline_inc;		/* 0.1 %, > 0 */
	uint32_t accel;			/* 0.01 km/h per s; 0 = instant */
	uint32_t incline_rate;		/* 0.1 % per s; 0 = instant */
};

enum belt_state {
	BELT_STATE_IDLE,		/* never started since reset */
	BELT_STATE_RUNNING,
	BELT_STATE_PAUSED,		/* slowing to 0, session kept */
	BELT_STATE_STOPPED,		/* slowing to 0, session ended */
};

struct belt {
	struct belt_params p;
	enum belt_state state;
	bool safety_key_out;		/* belt cannot start until reinserted */
	uint64_t now_us;		/* time of the last update */
	double speed;			/* 0.01 km/h, actual belt speed */
	double incline;			/* 0.1 %, actual deck angle */
	uint16_t target_speed;		/* 0.01 km/h, used while running */
	int16_t target_incline;		/* 0.1 % */
	double distance;		/* m since reset */
	double elevation_gain;		/* m, positive gain since reset */
	uint64_t elapsed_us;		/* running time since reset */
};

/* Idle, at rest, at incline 0 (clamped into the range). */
void belt_init(struct belt *b, const struct belt_params *p, uint64_t now_us);
/* Moves the model to now_us (earlier times are ignored). */
void belt_advance(struct belt *b, uint64_t now_us);

/*
 * Controls. Each first advances to now_us. Start heads for the target
 * speed (the minimum if no target is set); -EALREADY when running, -EPERM
 * when the safety key is out. Stop and pause slow the belt to 0; stop
 * also clears the target so a later start begins at the minimum, never
 * straight back at a jog. -EALREADY when there is nothing to stop/pause.
 */
int belt_start(struct belt *b, uint64_t now_us);
int belt_stop(struct belt *b, uint64_t now_us);
int belt_pause(struct belt *b, uint64_t now_us);
/* -ERANGE outside [min, max], -EINVAL off the increment grid from min. */
int belt_set_speed(struct belt *b, uint16_t speed, uint64_t now_us);
int belt_set_incline(struct belt *b, int16_t incline, uint64_t now_us);
/* FTMS op 0x01: targets to defaults, counters to zero, idle. */
void belt_reset(struct belt *b, uint64_t now_us);
/* Pulling the key stops the belt at once (the motor is cut). */
void belt_set_safety_key(struct belt *b, bool out, uint64_t now_us);

/* Rounded readouts of the state at the last update. */
uint16_t belt_speed(const struct belt *b);		/* 0.01 km/h */
uint16_t belt_avg_speed(const struct belt *b);		/* 0.01 km/h */
int16_t belt_incline(const struct belt *b);		/* 0.1 % */
uint32_t belt_distance(const struct belt *b);		/* m */
uint16_t belt_elevation_gain(const struct belt *b);	/* 0.1 m */
uint16_t belt_elapsed(const struct belt *b);		/* s, saturating */
bool belt_is_running(const struct belt *b);
/* Running and at the target speed. */
bool belt_at_target(const struct belt *b);
const char *belt_state_name(enum belt_state state);
