/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The small treadmill interface the runner drives, whatever the driver. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * A treadmill as the runner sees it: commands with a completion callback,
 * and four kinds of events. Nothing here knows about ATT, GATT or ANT+: the
 * FTMS client (lib/ftms-client.h) implements it over Bluetooth, and an
 * advisory-only driver (ANT+ cannot set the belt speed) implements the same
 * events with caps.can_control = false and every command completing with
 * -EOPNOTSUPP.
 *
 * Units follow FTMS (docs/ftms.md 1.4/1.6) because they are fine enough for any
 * source: speed in 0.01 km/h, incline in 0.1 %, distance in m, time in s.
 *
 * Threading: everything runs on the loop thread; callbacks are never
 * invoked from inside the call that registers or issues them (completion
 * is always asynchronous), so a caller never sees re-entrancy on its own
 * stack. A treadmill must not be freed from inside one of its callbacks;
 * defer with loop_add_idle().
 */
struct treadmill;

enum treadmill_op {
	TREADMILL_OP_CONNECT,		/* bring-up: discovery, reads, CCCDs, control */
	TREADMILL_OP_REQUEST_CONTROL,	/* re-take control after it was lost */
	TREADMILL_OP_START,		/* start or resume the belt */
	TREADMILL_OP_STOP,
	TREADMILL_OP_PAUSE,
	TREADMILL_OP_SET_SPEED,		/* arg: 0.01 km/h */
	TREADMILL_OP_SET_INCLINE,	/* arg: 0.1 % (signed) */
};

/*
 * Completion of a command. result is the raw FTMS Control Point result code
 * (docs/ftms.md 1.7: 0x01 Success, 0x02 Op Code Not Supported, 0x03 Invalid
 * Parameter, 0x04 Operation Failed, 0x05 Control Not Permitted) or 0 when
 * no indication arrived. err is 0 on success, else a negative errno:
 *   -EOPNOTSUPP  0x02, or the driver cannot control the belt at all
 *   -EINVAL      0x03
 *   -EIO         0x04, or an ATT error response (see the debug hook)
 *   -EPERM       0x05 (after the driver's own Request Control retries)
 *   -EPROTO      an RFU result code or a response to the wrong op code
 *   -ETIMEDOUT   no write response or indication in time
 *   -ENOTCONN    the link went down before completion
 *   -ECANCELED   superseded by a newer target of the same kind, or freed
 */
typedef void (*treadmill_done_func_t)(struct treadmill *tm,
				      enum treadmill_op op, int err,
				      uint8_t result, void *user_data);

/* What the machine says it can do; sent after connect and on change. */
struct treadmill_caps {
	bool can_control;		/* false: advisory only */
	bool has_speed_range;		/* speed_* below are valid */
	bool has_incline_range;		/* incline_* below are valid */
	bool speed_target;		/* machine accepts Set Target Speed */
	bool incline_target;		/* machine accepts Set Target Inclination */
	uint16_t speed_min;		/* 0.01 km/h */
	uint16_t speed_max;		/* 0.01 km/h */
	uint16_t speed_inc;		/* 0.01 km/h */
	int16_t incline_min;		/* 0.1 % */
	int16_t incline_max;		/* 0.1 % */
	uint16_t incline_inc;		/* 0.1 % */
	uint32_t machine_features;	/* FTMS Feature word 1, 0 if unknown */
	uint32_t target_features;	/* FTMS Feature word 2, 0 if unknown */
};

/* Which fields of struct treadmill_data are present. */
#define TREADMILL_DATA_SPEED		(1u << 0)
#define TREADMILL_DATA_AVG_SPEED	(1u << 1)
#define TREADMILL_DATA_DISTANCE		(1u << 2)
#define TREADMILL_DATA_INCLINE		(1u << 3)
#define TREADMILL_DATA_ELAPSED		(1u << 4)
#define TREADMILL_DATA_REMAINING	(1u << 5)
#define TREADMILL_DATA_HEART_RATE	(1u << 6)
#define TREADMILL_DATA_ENERGY		(1u << 7)
#define TREADMILL_DATA_STEPS		(1u << 8)

/* One complete data record (split FTMS records already merged). */
struct treadmill_data {
	uint32_t present;		/* TREADMILL_DATA_* */
	uint16_t speed;			/* 0.01 km/h */
	uint16_t avg_speed;		/* 0.01 km/h */
	uint32_t distance;		/* m */
	int16_t incline;		/* 0.1 % */
	uint16_t elapsed;		/* s since the training session started */
	uint16_t remaining;		/* s */
	uint8_t heart_rate;		/* bpm */
	uint16_t energy;		/* kcal total */
	uint32_t steps;
	uint64_t time_us;		/* loop clock when the record completed */
};

/* Machine status changes (docs/ftms.md 1.8) in driver-neutral form. */
enum treadmill_status_kind {
	TREADMILL_STATUS_RESET,			/* also drops control */
	TREADMILL_STATUS_STOPPED_BY_USER,
	TREADMILL_STATUS_PAUSED_BY_USER,
	TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY,
	TREADMILL_STATUS_STARTED_BY_USER,
	TREADMILL_STATUS_TARGET_SPEED_CHANGED,	/* value: 0.01 km/h */
	TREADMILL_STATUS_TARGET_INCLINE_CHANGED,	/* value: 0.1 % */
	TREADMILL_STATUS_CONTROL_LOST,
	TREADMILL_STATUS_CONTROL_GAINED,
	TREADMILL_STATUS_OTHER,			/* raw_op says which */
};

struct treadmill_status {
	enum treadmill_status_kind kind;
	uint8_t raw_op;			/* FTMS status op code, 0 if synthetic */
	int32_t value;			/* see kind */
};

struct treadmill_events {
	/* up: bring-up finished (not necessarily in control). down: err
	 * says why (-ENOTCONN hang-up, -ETIMEDOUT, -EPROTO ...). */
	void (*link)(struct treadmill *tm, bool up, int err, void *user_data);
	void (*caps)(struct treadmill *tm, const struct treadmill_caps *caps,
		     void *user_data);
	void (*data)(struct treadmill *tm, const struct treadmill_data *data,
		     void *user_data);
	void (*status)(struct treadmill *tm,
		       const struct treadmill_status *status, void *user_data);
};

/*
 * Runner side. events is copied; any member may be NULL. Setting new
 * events replaces the old ones.
 */
void treadmill_set_events(struct treadmill *tm,
			  const struct treadmill_events *events,
			  void *user_data);

/*
 * Commands. Each returns 0 when accepted (done runs later, exactly once)
 * or a negative errno without calling done (-ENOTCONN when the link is
 * down, -EINVAL for a bad argument). Commands run one at a time, in
 * order; a queued SET_SPEED (or SET_INCLINE) not yet sent is replaced by
 * a newer one, whose predecessor completes with -ECANCELED: the newest
 * target wins, so a symptom scale-back never waits behind stale targets.
 */
int treadmill_connect(struct treadmill *tm, treadmill_done_func_t done,
		      void *user_data);
int treadmill_request_control(struct treadmill *tm,
			      treadmill_done_func_t done, void *user_data);
int treadmill_start(struct treadmill *tm, treadmill_done_func_t done,
		    void *user_data);
int treadmill_stop(struct treadmill *tm, treadmill_done_func_t done,
		   void *user_data);
int treadmill_pause(struct treadmill *tm, treadmill_done_func_t done,
		    void *user_data);
int treadmill_set_speed(struct treadmill *tm, uint16_t speed,
			treadmill_done_func_t done, void *user_data);
int treadmill_set_incline(struct treadmill *tm, int16_t incline,
			  treadmill_done_func_t done, void *user_data);

/* Last caps seen (zeroed before the first caps event); never NULL. */
const struct treadmill_caps *treadmill_get_caps(const struct treadmill *tm);
bool treadmill_in_control(const struct treadmill *tm);
/* The last link event said up (a runner attached later starts from it). */
bool treadmill_link_up(const struct treadmill *tm);
const char *treadmill_driver_name(const struct treadmill *tm);
const char *treadmill_op_name(enum treadmill_op op);

/*
 * What a driver dropped or was refused, as running totals since the
 * handle was made (a reconnect makes a new handle: totals start again).
 * docs/design.md rule 5: a malformed PDU is dropped, never trusted; these
 * counters are how the session log still records that it happened.
 */
struct treadmill_counters {
	uint64_t malformed;	/* PDUs, records or pages dropped as malformed */
	uint64_t unexpected;	/* well-formed but unasked for, dropped */
	uint64_t timeouts;	/* requests the peer never answered */
	uint64_t denied;	/* Control Not Permitted answers, retried ones too */
};

/*
 * Fills *ret_counters; -EOPNOTSUPP (ret_counters untouched) when the
 * driver keeps none, -EINVAL for a NULL tm.
 */
int treadmill_get_counters(const struct treadmill *tm,
			   struct treadmill_counters *ret_counters);

/* Frees the driver behind tm too (closing its fd if it owns one). NULL ok. */
void treadmill_free(struct treadmill *tm);

/*
 * Driver side. A driver allocates its own state, then a treadmill with
 * treadmill_new(); treadmill_free() calls ops->destroy(impl) once.
 */
struct treadmill_driver_ops {
	const char *name;
	/* Queue op; return 0 and later call done(tm, op, ...) exactly
	 * once, never from inside this call; or return a negative errno
	 * (nothing queued, done never called). */
	int (*command)(void *impl, enum treadmill_op op, int32_t arg,
		       treadmill_done_func_t done, void *user_data);
	bool (*in_control)(void *impl);
	void (*destroy)(void *impl);
	/* Optional: totals so far (see struct treadmill_counters). */
	void (*counters)(const void *impl, struct treadmill_counters *ret);
};

struct treadmill *treadmill_new(const struct treadmill_driver_ops *ops,
				void *impl);
/* The impl given to treadmill_new() when tm was made with ops, else NULL:
 * a driver finds its own state from a handle it was given back. */
void *treadmill_get_impl(const struct treadmill *tm,
			 const struct treadmill_driver_ops *ops);
void treadmill_emit_link(struct treadmill *tm, bool up, int err);
void treadmill_emit_caps(struct treadmill *tm,
			 const struct treadmill_caps *caps);
void treadmill_emit_data(struct treadmill *tm,
			 const struct treadmill_data *data);
void treadmill_emit_status(struct treadmill *tm,
			   const struct treadmill_status *status);
