/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advisory mode: cues for the person, and did she slow down when told to. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"
#include "advisory.h"

struct advisory {
	struct advisory_config cfg;
	bool have_target;
	uint16_t target;		/* 0.01 km/h in force */
	uint64_t cue_at;		/* last cue for the target in force */
	bool have_speed;
	uint16_t speed;			/* last reported */
	uint64_t over_since;		/* 0: not over target + tolerance */
	bool alarm;			/* raised and not yet cleared */
	bool alarm_due;			/* ALARM cue to hand out */
	bool complied_due;		/* COMPLIED cue to hand out */
	uint64_t realarm_at;		/* next repeat while alarm */
	bool countdown_armed;
	uint64_t countdown_at;		/* when to announce */
	uint64_t change_at;		/* when the increase happens */
	uint16_t upcoming;		/* 0.01 km/h */
};

struct advisory *advisory_new(const struct advisory_config *cfg)
{
	struct advisory *a = paced_new0(struct advisory, 1);

	if (cfg)
		a->cfg = *cfg;
	if (!a->cfg.walk_max)
		a->cfg.walk_max = 650;
	if (!a->cfg.tolerance)
		a->cfg.tolerance = 30;
	if (!a->cfg.grace_ms)
		a->cfg.grace_ms = 10000;
	if (!a->cfg.realarm_ms)
		a->cfg.realarm_ms = 20000;
	if (!a->cfg.countdown_ms)
		a->cfg.countdown_ms = 10000;
	return a;
}

void advisory_free(struct advisory *a)
{
	free(a);
}

static bool too_fast(const struct advisory *a, uint16_t speed)
{
	return speed > (uint32_t) a->target + a->cfg.tolerance;
}

static uint64_t grace_end(const struct advisory *a)
{
	return a->over_since + (uint64_t) a->cfg.grace_ms * USEC_PER_MSEC;
}

void advisory_set_target(struct advisory *a, uint64_t now_us, uint16_t target,
			 bool symptom, struct advisory_cue *ret_cue)
{
	a->have_target = true;
	a->target = target;
	a->cue_at = now_us;
	/* The boundary the countdown announced has come. */
	if (a->countdown_armed && now_us >= a->countdown_at)
		a->countdown_armed = false;
	if (a->have_speed && too_fast(a, a->speed)) {
		/* A fresh instruction gets a fresh grace, except that an
		 * alarm already up stays up: she has had her time. */
		if (!a->alarm)
			a->over_since = now_us;
	} else {
		a->over_since = 0;
		if (a->alarm) {
			a->alarm = false;
			a->alarm_due = false;
			a->complied_due = true;
		}
	}
	ret_cue->kind = symptom ? ADVISORY_CUE_SYMPTOM : ADVISORY_CUE_CHANGE;
	ret_cue->speed = target;
	ret_cue->reported = a->have_speed ? a->speed : 0;
	ret_cue->in_s = 0;
	ret_cue->time_us = now_us;
}

void advisory_set_upcoming(struct advisory *a, uint64_t at_us, uint16_t target)
{
	uint64_t lead = (uint64_t) a->cfg.countdown_ms * USEC_PER_MSEC;

	/* Only an increase is announced ahead: slowing down is never
	 * something to prepare for, it is done at once. */
	if (!a->have_target || target <= a->target) {
		a->countdown_armed = false;
		return;
	}
	a->countdown_armed = true;
	a->change_at = at_us;
	a->countdown_at = at_us > lead ? at_us - lead : 0;
	a->upcoming = target;
}

enum advisory_verdict advisory_on_speed(struct advisory *a, uint64_t now_us,
					uint16_t speed)
{
	a->have_speed = true;
	a->speed = speed;
	if (!a->have_target)
		return ADVISORY_UNKNOWN;
	if (!too_fast(a, speed)) {
		a->over_since = 0;
		if (a->alarm) {
			a->alarm = false;
			a->alarm_due = false;
			a->complied_due = true;
		}
		return ADVISORY_OK;
	}
	/* Over since the later of the first fast reading and the cue. */
	if (!a->over_since)
		a->over_since = MAX(now_us, a->cue_at);
	if (!a->alarm && now_us >= grace_end(a)) {
		a->alarm = true;
		a->alarm_due = true;
		a->realarm_at = now_us + (uint64_t) a->cfg.realarm_ms *
					 USEC_PER_MSEC;
	}
	return a->alarm ? ADVISORY_ALARM : ADVISORY_NOT_YET;
}

enum advisory_verdict advisory_get_verdict(const struct advisory *a,
					   uint64_t now_us)
{
	if (!a->have_target || !a->have_speed)
		return ADVISORY_UNKNOWN;
	if (a->alarm || (a->over_since && now_us >= grace_end(a)))
		return ADVISORY_ALARM;
	return a->over_since ? ADVISORY_NOT_YET : ADVISORY_OK;
}

uint64_t advisory_next_deadline(const struct advisory *a)
{
	uint64_t d = UINT64_MAX;

	if (a->alarm_due || a->complied_due)
		return 0;
	if (a->alarm)
		d = MIN(d, a->realarm_at);
	else if (a->over_since)
		d = MIN(d, grace_end(a));
	if (a->countdown_armed)
		d = MIN(d, a->countdown_at);
	return d;
}

static void fill(const struct advisory *a, struct advisory_cue *cue,
		 enum advisory_cue_kind kind, uint16_t speed, uint64_t now)
{
	cue->kind = kind;
	cue->speed = speed;
	cue->reported = a->speed;
	cue->in_s = 0;
	cue->time_us = now;
}

bool advisory_poll(struct advisory *a, uint64_t now_us,
		   struct advisory_cue *ret_cue)
{
	/* Readings may stop (stale data is the session's own alarm): the
	 * grace still runs out on time, judged on the last speed seen. */
	if (!a->alarm && a->over_since && now_us >= grace_end(a)) {
		a->alarm = true;
		a->alarm_due = true;
		a->realarm_at = now_us + (uint64_t) a->cfg.realarm_ms *
					 USEC_PER_MSEC;
	}
	if (a->complied_due) {
		a->complied_due = false;
		fill(a, ret_cue, ADVISORY_CUE_COMPLIED, a->target, now_us);
		return true;
	}
	if (a->alarm_due || (a->alarm && now_us >= a->realarm_at)) {
		a->alarm_due = false;
		a->realarm_at = now_us + (uint64_t) a->cfg.realarm_ms *
					 USEC_PER_MSEC;
		fill(a, ret_cue, ADVISORY_CUE_ALARM, a->target, now_us);
		return true;
	}
	if (a->countdown_armed && now_us >= a->countdown_at) {
		a->countdown_armed = false;
		if (now_us >= a->change_at)
			return false;	/* too late to announce */
		fill(a, ret_cue, ADVISORY_CUE_COUNTDOWN, a->upcoming, now_us);
		/* Round up: "in 10 s" when 9.6 s are left. */
		ret_cue->in_s = (uint32_t) ((a->change_at - now_us +
					     USEC_PER_SEC - 1) / USEC_PER_SEC);
		return true;
	}
	return false;
}

const char *advisory_cue_kind_name(enum advisory_cue_kind kind)
{
	switch (kind) {
	case ADVISORY_CUE_CHANGE:
		return "change";
	case ADVISORY_CUE_SYMPTOM:
		return "symptom";
	case ADVISORY_CUE_COUNTDOWN:
		return "countdown";
	case ADVISORY_CUE_ALARM:
		return "alarm";
	case ADVISORY_CUE_COMPLIED:
		return "complied";
	}
	return "unknown";
}

int advisory_cue_text(const struct advisory *a, const struct advisory_cue *cue,
		      char *buf, size_t len)
{
	const char *gait = cue->speed <= a->cfg.walk_max ? "walk" : "jog";
	double kmh = cue->speed / 100.0;

	switch (cue->kind) {
	case ADVISORY_CUE_CHANGE:
		if (!cue->speed)
			return snprintf(buf, len, "stop the belt now");
		return snprintf(buf, len, "%s now: %.1f km/h", gait, kmh);
	case ADVISORY_CUE_SYMPTOM:
		return snprintf(buf, len, "slow to a walk now: %.1f km/h", kmh);
	case ADVISORY_CUE_COUNTDOWN:
		return snprintf(buf, len, "%s in %u s: %.1f km/h", gait,
				cue->in_s, kmh);
	case ADVISORY_CUE_ALARM:
		return snprintf(buf, len, "slow down now: %.1f km/h "
				"(the treadmill says %.1f km/h)", kmh,
				cue->reported / 100.0);
	case ADVISORY_CUE_COMPLIED:
		return snprintf(buf, len, "thank you: %.1f km/h",
				cue->reported / 100.0);
	}
	return snprintf(buf, len, "%s", "");
}
