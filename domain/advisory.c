/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advisory mode: did she slow down when told to? Alarm and thanks on top of the cue engine. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
};

struct advisory *advisory_new(const struct advisory_config *cfg)
{
	struct advisory *a = paced_new0(struct advisory, 1);

	if (cfg)
		a->cfg = *cfg;
	if (!a->cfg.tolerance)
		a->cfg.tolerance = 30;
	if (!a->cfg.grace_ms)
		a->cfg.grace_ms = 10000;
	if (!a->cfg.realarm_ms)
		a->cfg.realarm_ms = 20000;
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

void advisory_set_target(struct advisory *a, uint64_t now_us, uint16_t target)
{
	a->have_target = true;
	a->target = target;
	a->cue_at = now_us;
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
	return d;
}

static void fill(const struct advisory *a, struct cue *cue,
		 enum cue_kind kind)
{
	memset(cue, 0, sizeof(*cue));
	cue->kind = kind;
	cue->advisory = true;
	cue->speed = a->target;
	cue->reported = a->speed;
}

bool advisory_poll(struct advisory *a, uint64_t now_us, struct cue *ret_cue)
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
		fill(a, ret_cue, CUE_COMPLIED);
		return true;
	}
	if (a->alarm_due || (a->alarm && now_us >= a->realarm_at)) {
		a->alarm_due = false;
		a->realarm_at = now_us + (uint64_t) a->cfg.realarm_ms *
					 USEC_PER_MSEC;
		fill(a, ret_cue, CUE_ALARM);
		return true;
	}
	return false;
}
