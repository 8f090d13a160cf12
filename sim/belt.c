/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated treadmill's belt: ramps, distance and elapsed time. */
#include <errno.h>

#include "belt.h"
#include "util.h"

/* 0.01 km/h for one second moves the belt 10 m / 3600 s. */
#define M_PER_UNIT_S	(10.0 / 3600.0)

/* No libm for two helpers: lib/ links nothing but libc. */
static double fabs_(double x)
{
	return x < 0 ? -x : x;
}

static long lround_(double x)
{
	return (long) (x < 0 ? x - 0.5 : x + 0.5);
}

void belt_init(struct belt *b, const struct belt_params *p, uint64_t now_us)
{
	*b = (struct belt) { .p = *p, .state = BELT_STATE_IDLE, .now_us = now_us };
	if (b->p.speed_inc == 0)
		b->p.speed_inc = 1;
	if (b->p.incline_inc == 0)
		b->p.incline_inc = 1;
	b->target_incline = (int16_t) MAX(p->incline_min, MIN(0, p->incline_max));
	b->incline = b->target_incline;
}

static double speed_goal(const struct belt *b)
{
	return b->state == BELT_STATE_RUNNING ? b->target_speed : 0.0;
}

/*
 * Move v toward goal at rate per second for dt seconds; returns the
 * integral of v over the step (exact for a linear ramp that may end part
 * way through the step), and stores the new value.
 */
static double ramp(double *v, double goal, double rate, double dt)
{
	double v0 = *v, dist = fabs_(goal - v0), t;

	if (rate <= 0 || dist <= rate * dt) {
		t = rate > 0 ? dist / rate : 0;
		*v = goal;
		return (v0 + goal) / 2 * t + goal * (dt - t);
	}
	*v = v0 + (goal > v0 ? rate : -rate) * dt;
	return (v0 + *v) / 2 * dt;
}

void belt_advance(struct belt *b, uint64_t now_us)
{
	double dt, inc0, d;

	if (now_us <= b->now_us)
		return;
	dt = (double) (now_us - b->now_us) / USEC_PER_SEC;
	if (b->state == BELT_STATE_RUNNING)
		b->elapsed_us += now_us - b->now_us;
	b->now_us = now_us;

	inc0 = b->incline;
	d = ramp(&b->speed, speed_goal(b), b->p.accel, dt) * M_PER_UNIT_S;
	(void) ramp(&b->incline, b->target_incline, b->p.incline_rate, dt);
	b->distance += d;
	/* Rise over the step from the mean grade (0.1 % = 1/1000). */
	if ((inc0 + b->incline) / 2 > 0)
		b->elevation_gain += d * (inc0 + b->incline) / 2 / 1000.0;
}

int belt_start(struct belt *b, uint64_t now_us)
{
	belt_advance(b, now_us);
	if (b->safety_key_out)
		return -EPERM;
	if (b->state == BELT_STATE_RUNNING)
		return -EALREADY;
	if (b->target_speed < b->p.speed_min)
		b->target_speed = b->p.speed_min;
	b->state = BELT_STATE_RUNNING;
	return 0;
}

int belt_stop(struct belt *b, uint64_t now_us)
{
	belt_advance(b, now_us);
	if (b->state == BELT_STATE_IDLE || b->state == BELT_STATE_STOPPED)
		return -EALREADY;
	b->state = BELT_STATE_STOPPED;
	b->target_speed = 0;
	return 0;
}

int belt_pause(struct belt *b, uint64_t now_us)
{
	belt_advance(b, now_us);
	if (b->state != BELT_STATE_RUNNING)
		return -EALREADY;
	b->state = BELT_STATE_PAUSED;
	return 0;
}

int belt_set_speed(struct belt *b, uint16_t speed, uint64_t now_us)
{
	belt_advance(b, now_us);
	if (speed < b->p.speed_min || speed > b->p.speed_max)
		return -ERANGE;
	if ((speed - b->p.speed_min) % b->p.speed_inc)
		return -EINVAL;
	b->target_speed = speed;
	return 0;
}

int belt_set_incline(struct belt *b, int16_t incline, uint64_t now_us)
{
	belt_advance(b, now_us);
	if (incline < b->p.incline_min || incline > b->p.incline_max)
		return -ERANGE;
	if ((incline - b->p.incline_min) % b->p.incline_inc)
		return -EINVAL;
	b->target_incline = incline;
	return 0;
}

void belt_reset(struct belt *b, uint64_t now_us)
{
	struct belt_params p = b->p;
	bool key = b->safety_key_out;
	double speed, incline;

	belt_advance(b, now_us);
	speed = b->speed;
	incline = b->incline;
	belt_init(b, &p, now_us);
	/* The belt and the deck cannot jump: they ramp from where they are. */
	b->speed = speed;
	b->incline = incline;
	b->safety_key_out = key;
}

void belt_set_safety_key(struct belt *b, bool out, uint64_t now_us)
{
	belt_advance(b, now_us);
	b->safety_key_out = out;
	if (out) {
		if (b->state == BELT_STATE_RUNNING ||
		    b->state == BELT_STATE_PAUSED)
			b->state = BELT_STATE_STOPPED;
		b->target_speed = 0;
		b->speed = 0;
	}
}

uint16_t belt_speed(const struct belt *b)
{
	return (uint16_t) lround_(b->speed);
}

uint16_t belt_avg_speed(const struct belt *b)
{
	double s = (double) b->elapsed_us / USEC_PER_SEC;

	if (s <= 0)
		return 0;
	return (uint16_t) MIN(lround_(b->distance / s / M_PER_UNIT_S), 0xffff);
}

int16_t belt_incline(const struct belt *b)
{
	return (int16_t) lround_(b->incline);
}

uint32_t belt_distance(const struct belt *b)
{
	return (uint32_t) MIN(b->distance, 0xffffff);
}

uint16_t belt_elevation_gain(const struct belt *b)
{
	return (uint16_t) MIN(lround_(b->elevation_gain * 10), 0xffff);
}

uint16_t belt_elapsed(const struct belt *b)
{
	return (uint16_t) MIN(b->elapsed_us / USEC_PER_SEC, 0xffff);
}

bool belt_is_running(const struct belt *b)
{
	return b->state == BELT_STATE_RUNNING;
}

bool belt_at_target(const struct belt *b)
{
	return b->state == BELT_STATE_RUNNING &&
	       belt_speed(b) == b->target_speed;
}

const char *belt_state_name(enum belt_state state)
{
	switch (state) {
	case BELT_STATE_IDLE:
		return "idle";
	case BELT_STATE_RUNNING:
		return "running";
	case BELT_STATE_PAUSED:
		return "paused";
	case BELT_STATE_STOPPED:
		return "stopped";
	}
	return "?";
}
