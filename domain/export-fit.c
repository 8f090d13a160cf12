/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FIT export: a session timeline as a Garmin activity file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "fit.h"
#include "util.h"

/*
 * Message and field numbers are the FIT Profile's (release 21.217); every
 * one used is listed with its type and scale in docs/fit.md 2, and the
 * choices below are explained in docs/fit.md 3.
 */
enum {
	MESG_FILE_ID = 0,
	MESG_SESSION = 18,
	MESG_LAP = 19,
	MESG_RECORD = 20,
	MESG_EVENT = 21,
	MESG_DEVICE_INFO = 23,
	MESG_ACTIVITY = 34,
	MESG_FIELD_DESCRIPTION = 206,
	MESG_DEVELOPER_DATA_ID = 207,
};

/* Local message types: one per layout, so each is defined once. */
enum {
	LOCAL_FILE_ID,
	LOCAL_DEVICE_INFO,
	LOCAL_DEVELOPER,
	LOCAL_FIELD_DESCRIPTION,
	LOCAL_TIMER,
	LOCAL_PRESS,
	LOCAL_RECORD,
	LOCAL_LAP,
	LOCAL_SESSION,
	LOCAL_ACTIVITY,
};

/* Profile types (docs/fit.md 2.10). */
#define FILE_ACTIVITY		4
#define MANUFACTURER_DEVELOPMENT 255
#define PRODUCT_PACED		1	/* ours to number under "development" */
#define SOURCE_LOCAL		5
#define SPORT_RUNNING		1
#define SUB_SPORT_TREADMILL	1
#define EVENT_TIMER		0
#define EVENT_SESSION		8
#define EVENT_LAP		9
#define EVENT_ACTIVITY		26
#define EVENT_USER_MARKER	32
#define EVENT_TYPE_START	0
#define EVENT_TYPE_STOP		1
#define EVENT_TYPE_MARKER	3
#define EVENT_TYPE_STOP_ALL	4
#define INTENSITY_ACTIVE	0
#define INTENSITY_WARMUP	2
#define INTENSITY_COOLDOWN	3
#define INTENSITY_RECOVERY	4
#define LAP_TRIGGER_MANUAL	0
#define LAP_TRIGGER_TIME	1
#define LAP_TRIGGER_SESSION_END	7
#define SESSION_TRIGGER_ACTIVITY_END 0
#define ACTIVITY_MANUAL		0

/* Developer fields on press events (docs/fit.md 3.2). */
#define DEV_INDEX		0
#define DEV_SYMPTOM		0
#define DEV_SCALEBACK		1
#define DEV_SYMPTOM_SIZE	16
#define DEV_SCALEBACK_SIZE	96
/* paced's application_id: a random UUID, fixed forever. */
static const uint8_t application_id[16] = {
	0xc3, 0x15, 0x73, 0x83, 0xfa, 0x71, 0x4d, 0x81,
	0x89, 0x55, 0x34, 0x42, 0xdf, 0x12, 0x3a, 0xc3,
};

#define NAME_SIZE	16

struct out {
	struct fit *fit;
	const struct export_timeline *tl;
	uint32_t t0;			/* FIT time of the activity clock's 0 */
	bool running;			/* the timer */
	int err;
};

#define FIELD(n, t, val)	{ .num = (n), .type = (t), .v.u = (val) }
#define SFIELD(n, t, val)	{ .num = (n), .type = (t), .v.i = (val) }
#define STR(n, sz, str)		{ .num = (n), .type = FIT_STRING, .size = (sz), .v.s = (str) }

static void put(struct out *o, uint8_t local, uint16_t global,
		const struct fit_field *f, size_t n)
{
	int r = fit_write(o->fit, local, global, f, n);

	if (r < 0 && !o->err)
		o->err = r;
}

static uint32_t at(const struct out *o, uint32_t elapsed_ms)
{
	return o->t0 + elapsed_ms / 1000;
}

/* 0.01 km/h to the Profile's m/s x 1000, rounded. */
static uint32_t mm_s(uint32_t speed)
{
	return (speed * 25 + 4) / 9;
}

/* software_version has a scale of 100: "0.1.0" is 0.10, "1.23" 1.23. */
static uint16_t version_hundredths(void)
{
	unsigned major = 0, minor = 0;

	(void) sscanf(PACKAGE_VERSION, "%u.%u", &major, &minor);
	if (minor < 10)
		minor *= 10;
	return (uint16_t) MIN(major * 100 + MIN(minor, 99U), 0xfffeU);
}

static void header(struct out *o)
{
	const struct fit_field file_id[] = {
		FIELD(0, FIT_ENUM, FILE_ACTIVITY),
		FIELD(1, FIT_UINT16, MANUFACTURER_DEVELOPMENT),
		FIELD(2, FIT_UINT16, PRODUCT_PACED),
		FIELD(4, FIT_UINT32, o->t0),
		STR(8, NAME_SIZE, "paced"),
	};
	const struct fit_field device[] = {
		FIELD(253, FIT_UINT32, o->t0),
		FIELD(0, FIT_UINT8, 0),		/* device_index: the creator */
		FIELD(2, FIT_UINT16, MANUFACTURER_DEVELOPMENT),
		FIELD(4, FIT_UINT16, PRODUCT_PACED),
		FIELD(5, FIT_UINT16, version_hundredths()),
		FIELD(25, FIT_ENUM, SOURCE_LOCAL),
		STR(27, NAME_SIZE, "paced"),
	};
	const struct fit_field developer[] = {
		{ .num = 1, .type = FIT_BYTE, .size = 16, .v.b = application_id },
		FIELD(3, FIT_UINT8, DEV_INDEX),
		FIELD(4, FIT_UINT32, version_hundredths()),
	};
	const struct fit_field symptom[] = {
		FIELD(0, FIT_UINT8, DEV_INDEX),
		FIELD(1, FIT_UINT8, DEV_SYMPTOM),
		FIELD(2, FIT_UINT8, FIT_STRING),
		STR(3, NAME_SIZE, "symptom"),
	};
	const struct fit_field scaleback[] = {
		FIELD(0, FIT_UINT8, DEV_INDEX),
		FIELD(1, FIT_UINT8, DEV_SCALEBACK),
		FIELD(2, FIT_UINT8, FIT_STRING),
		STR(3, NAME_SIZE, "scaleback"),
	};

	put(o, LOCAL_FILE_ID, MESG_FILE_ID, file_id, ARRAY_SIZE(file_id));
	put(o, LOCAL_DEVICE_INFO, MESG_DEVICE_INFO, device, ARRAY_SIZE(device));
	put(o, LOCAL_DEVELOPER, MESG_DEVELOPER_DATA_ID, developer,
	    ARRAY_SIZE(developer));
	put(o, LOCAL_FIELD_DESCRIPTION, MESG_FIELD_DESCRIPTION, symptom,
	    ARRAY_SIZE(symptom));
	put(o, LOCAL_FIELD_DESCRIPTION, MESG_FIELD_DESCRIPTION, scaleback,
	    ARRAY_SIZE(scaleback));
}

/* docs/fit.md 3.1: the timer's start and stop_all, group 0. */
static void timer(struct out *o, uint32_t elapsed_ms, bool start)
{
	const struct fit_field ev[] = {
		FIELD(253, FIT_UINT32, at(o, elapsed_ms)),
		FIELD(0, FIT_ENUM, EVENT_TIMER),
		FIELD(1, FIT_ENUM, start ? EVENT_TYPE_START : EVENT_TYPE_STOP_ALL),
		FIELD(3, FIT_UINT32, 0),	/* timer_trigger: manual */
		FIELD(4, FIT_UINT8, 0),		/* event_group */
	};

	put(o, LOCAL_TIMER, MESG_EVENT, ev, ARRAY_SIZE(ev));
	o->running = start;
}

/* docs/fit.md 3.2: a press is a user marker carrying its number, with
 * the symptom and what the scale-back did as developer fields. */
static void press(struct out *o, const struct export_mark *m)
{
	const char *effect = m->effect[0] ? m->effect :
			     m->press ? "" : "debounced: counted with the press before";
	const struct fit_field ev[] = {
		FIELD(253, FIT_UINT32, at(o, m->elapsed_ms)),
		FIELD(0, FIT_ENUM, EVENT_USER_MARKER),
		FIELD(1, FIT_ENUM, EVENT_TYPE_MARKER),
		FIELD(3, FIT_UINT32, m->press),
		{ .num = DEV_SYMPTOM, .type = FIT_STRING, .size = DEV_SYMPTOM_SIZE,
		  .dev = true, .dev_index = DEV_INDEX, .v.s = m->what },
		{ .num = DEV_SCALEBACK, .type = FIT_STRING,
		  .size = DEV_SCALEBACK_SIZE, .dev = true,
		  .dev_index = DEV_INDEX, .v.s = effect },
	};

	put(o, LOCAL_PRESS, MESG_EVENT, ev, ARRAY_SIZE(ev));
}

static void mark(struct out *o, const struct export_mark *m)
{
	switch (m->kind) {
	case EXPORT_MARK_PRESS:
		press(o, m);
		break;
	case EXPORT_MARK_PAUSE:
		timer(o, m->elapsed_ms, false);
		break;
	case EXPORT_MARK_RESUME:
		timer(o, m->elapsed_ms, true);
		break;
	}
}

static void record(struct out *o, const struct export_second *s)
{
	const struct fit_field rec[] = {
		FIELD(253, FIT_UINT32, o->t0 + s->elapsed_s),
		FIELD(5, FIT_UINT32, s->distance_cm),	/* m x 100 */
		FIELD(6, FIT_UINT16, MIN(mm_s(s->belt_speed), 0xfffeU)),
		FIELD(3, FIT_UINT8, s->heart_rate ? s->heart_rate :
						     FIT_INVALID_UINT8),
		SFIELD(9, FIT_SINT16, s->incline * 10),	/* grade, % x 100 */
	};

	put(o, LOCAL_RECORD, MESG_RECORD, rec, ARRAY_SIZE(rec));
}

static uint8_t intensity(const struct export_timeline *tl,
			 const struct export_lap *lap)
{
	bool any_jog = false;

	if (!strcmp(lap->phase, "warmup"))
		return INTENSITY_WARMUP;
	if (!strcmp(lap->phase, "cooldown"))
		return INTENSITY_COOLDOWN;
	if (!strcmp(lap->phase, "recovery"))
		return INTENSITY_RECOVERY;
	if (lap->jog)
		return INTENSITY_ACTIVE;
	/* A walk between jogs is the interval's recovery; a walking
	 * session's walks are its work. */
	for (size_t i = 0; i < tl->n_laps; i++)
		any_jog |= tl->laps[i].jog;
	return any_jog ? INTENSITY_RECOVERY : INTENSITY_ACTIVE;
}

static uint8_t hr_or_invalid(uint8_t hr)
{
	return hr ? hr : FIT_INVALID_UINT8;
}

static void lap(struct out *o, size_t i)
{
	const struct export_timeline *tl = o->tl;
	const struct export_lap *l = &tl->laps[i];
	/* What ended it: the next lap's cause, or the end of the session. */
	uint8_t trigger = i + 1 == tl->n_laps ? LAP_TRIGGER_SESSION_END :
			  tl->laps[i + 1].press ? LAP_TRIGGER_MANUAL :
			  LAP_TRIGGER_TIME;
	const struct fit_field f[] = {
		FIELD(254, FIT_UINT16, i),
		FIELD(253, FIT_UINT32, at(o, l->end_elapsed_ms)),
		FIELD(0, FIT_ENUM, EVENT_LAP),
		FIELD(1, FIT_ENUM, EVENT_TYPE_STOP),
		FIELD(2, FIT_UINT32, at(o, l->start_elapsed_ms)),
		FIELD(7, FIT_UINT32, l->end_elapsed_ms - l->start_elapsed_ms),
		FIELD(8, FIT_UINT32, l->end_plan_ms - l->start_plan_ms),
		FIELD(9, FIT_UINT32, l->distance_cm),
		FIELD(13, FIT_UINT16, MIN(mm_s(l->avg_speed), 0xfffeU)),
		FIELD(14, FIT_UINT16, MIN(mm_s(l->max_speed), 0xfffeU)),
		FIELD(15, FIT_UINT8, hr_or_invalid(l->avg_hr)),
		FIELD(16, FIT_UINT8, hr_or_invalid(l->max_hr)),
		FIELD(23, FIT_ENUM, intensity(tl, l)),
		FIELD(24, FIT_ENUM, trigger),
		FIELD(25, FIT_ENUM, SPORT_RUNNING),
		FIELD(39, FIT_ENUM, SUB_SPORT_TREADMILL),
	};

	put(o, LOCAL_LAP, MESG_LAP, f, ARRAY_SIZE(f));
}

static void summary(struct out *o, long tz_offset_s)
{
	const struct export_timeline *tl = o->tl;
	uint32_t end = at(o, tl->elapsed_ms);
	const struct fit_field session[] = {
		FIELD(254, FIT_UINT16, 0),
		FIELD(253, FIT_UINT32, end),
		FIELD(0, FIT_ENUM, EVENT_SESSION),
		FIELD(1, FIT_ENUM, EVENT_TYPE_STOP),
		FIELD(2, FIT_UINT32, o->t0),
		FIELD(5, FIT_ENUM, SPORT_RUNNING),
		FIELD(6, FIT_ENUM, SUB_SPORT_TREADMILL),
		FIELD(7, FIT_UINT32, tl->elapsed_ms),
		FIELD(8, FIT_UINT32, tl->plan_ms),
		FIELD(9, FIT_UINT32, tl->distance_cm),
		FIELD(14, FIT_UINT16, MIN(mm_s(tl->avg_speed), 0xfffeU)),
		FIELD(15, FIT_UINT16, MIN(mm_s(tl->max_speed), 0xfffeU)),
		FIELD(16, FIT_UINT8, hr_or_invalid(tl->avg_hr)),
		FIELD(17, FIT_UINT8, hr_or_invalid(tl->max_hr)),
		FIELD(25, FIT_UINT16, 0),	/* first_lap_index */
		FIELD(26, FIT_UINT16, tl->n_laps),
		FIELD(28, FIT_ENUM, SESSION_TRIGGER_ACTIVITY_END),
	};
	const struct fit_field activity[] = {
		FIELD(253, FIT_UINT32, end),
		FIELD(0, FIT_UINT32, tl->plan_ms),
		FIELD(1, FIT_UINT16, 1),
		FIELD(2, FIT_ENUM, ACTIVITY_MANUAL),
		FIELD(3, FIT_ENUM, EVENT_ACTIVITY),
		FIELD(4, FIT_ENUM, EVENT_TYPE_STOP),
		FIELD(5, FIT_UINT32, (uint32_t) (end + tz_offset_s)),
	};

	put(o, LOCAL_SESSION, MESG_SESSION, session, ARRAY_SIZE(session));
	put(o, LOCAL_ACTIVITY, MESG_ACTIVITY, activity, ARRAY_SIZE(activity));
}

int export_write_fit(const struct export_timeline *tl, long tz_offset_s,
		     uint8_t **ret_buf, size_t *ret_len)
{
	struct out o = { .fit = fit_new(), .tl = tl };
	size_t m = 0, l = 0, len;
	const uint8_t *file;

	o.t0 = fit_time(tl->start_unix_ms / 1000);
	header(&o);
	timer(&o, 0, true);
	/*
	 * Messages with a timestamp go in time order (docs/fit.md 3.4):
	 * before each second's record, the laps that ended and the marks
	 * that happened since the one before.
	 */
	for (size_t i = 0; i < tl->n_sec; i++) {
		const struct export_second *s = &tl->sec[i];
		uint64_t t = (uint64_t) s->elapsed_s * 1000;

		for (;;) {
			bool lap_due = l < s->lap &&
				       tl->laps[l].end_elapsed_ms <= t;
			/* A pause at this very second stops the timer
			 * after its record. */
			bool mark_due = m < tl->n_marks &&
					(tl->marks[m].elapsed_ms < t ||
					 (tl->marks[m].elapsed_ms == t &&
					  tl->marks[m].kind != EXPORT_MARK_PAUSE));

			if (lap_due && (!mark_due || tl->laps[l].end_elapsed_ms <=
							 tl->marks[m].elapsed_ms))
				lap(&o, l++);
			else if (mark_due)
				mark(&o, &tl->marks[m++]);
			else
				break;
		}
		record(&o, s);
	}
	/* Marks after the last second: a press at the very end, or the
	 * pause the session ended in (the timer is stopped already). */
	for (; m < tl->n_marks; m++)
		mark(&o, &tl->marks[m]);
	if (o.running)
		timer(&o, tl->elapsed_ms, false);
	while (l < tl->n_laps)
		lap(&o, l++);
	summary(&o, tz_offset_s);

	file = fit_finish(o.fit, &len);
	if (!file && !o.err)
		o.err = -EFBIG;
	if (o.err) {
		fit_free(o.fit);
		return o.err;
	}
	*ret_buf = paced_malloc(len);
	memcpy(*ret_buf, file, len);
	*ret_len = len;
	fit_free(o.fit);
	return 0;
}
