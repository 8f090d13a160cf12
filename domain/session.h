/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session state machine: events and time in, treadmill commands out. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cue.h"
#include "plan.h"
#include "scaleback.h"
#include "treadmill.h"

/*
 * Pure: no I/O, no clock of its own. Every entry point takes the real
 * (CLOCK_MONOTONIC) time in µs; the session derives the profile clock from
 * it, scaled by speedup and frozen while paused, so a 40-minute session
 * runs on a fake clock in milliseconds and --speedup scales only the plan,
 * never the stale-data or mismatch alarms.
 *
 * The shell (daemon/runner.c) drives it:
 *   1. feed an input (session_symptom(), session_on_data(), ...);
 *   2. send what session_next_command() returns, one at a time: a command
 *      goes out only after the previous one's result came back through
 *      session_command_done() (docs/ftms.md 1.7: one procedure at a time);
 *   3. drain session_next_event() into the log;
 *   4. arm a timer for session_next_deadline() and call session_tick().
 * In that order: a symptom press puts walk pace on the wire before
 * anything is logged or recomputed.
 *
 * Advisory mode (a treadmill whose caps say it cannot be controlled, such
 * as ANT+ FE): session_next_command() never returns a command; each one
 * becomes a SESSION_EV_ADVICE event for the person ("walk at 5.0 km/h"),
 * and the speed-mismatch alarm checks that the belt followed. Nothing in
 * advisory mode ever claims the belt was changed.
 *
 * Cues (SESSION_EV_CUE, struct cue): the same engine in both modes tells
 * the person what is coming (docs/design.md: no speed increase without
 * warning). Its safety rule: a speed above the one the belt was last
 * given is queued only after a countdown cue naming that speed, at least
 * cue_lead_ms of plan time earlier, said while the belt was already at the
 * lower speed. Where the plan leaves less time (a short walk between jogs,
 * a jog right after a resume, a reconnect or a late tick), the increase
 * waits: the slower segment goes on until the countdown has had its lead,
 * and the faster one starts that much later but ends on time (never more
 * running than planned, and every later boundary stays where it was; a
 * faster segment shorter than the wait is walked whole). The one exception
 * is the belt's (re)start, which only an explicit start or resume brings:
 * it goes to at most walking pace, announced by a countdown cue when the
 * start is asked for (session_config.countdown_ms ahead); a plan that
 * begins faster than the walk starts at the walk and counts down to it.
 *
 * Treadmill limits (session_on_caps()): the speed cap and the walking
 * ceiling win over anything a treadmill reports. A treadmill whose range
 * cannot honour them is refused before the belt moves (SESSION_EV_REFUSED,
 * then the session ends), see session_check_caps().
 */

enum session_state {
	SESSION_IDLE,		/* loaded, belt untouched */
	SESSION_COUNTDOWN,	/* explicit start received, belt not started */
	SESSION_RUNNING,	/* a warm-up or main segment */
	SESSION_RECOVERY,	/* the walk a symptom press inserted */
	SESSION_PAUSED,		/* see enum session_pause_reason */
	SESSION_COOLDOWN,
	SESSION_FINISHED,	/* plan completed, belt stopped */
	SESSION_ABORTED,	/* ended early by the person or a stop request */
};

enum session_pause_reason {
	SESSION_PAUSE_NONE,
	SESSION_PAUSE_USER,		/* pause request (pacectl, key) */
	SESSION_PAUSE_CONSOLE_STOP,	/* stopped on the console */
	SESSION_PAUSE_CONSOLE_PAUSE,	/* paused on the console */
	SESSION_PAUSE_SAFETY_KEY,
	SESSION_PAUSE_CONTROL_LOST,	/* control permission lost or reset */
	SESSION_PAUSE_LINK_DOWN,
	SESSION_PAUSE_BELT_STOPPED,	/* link back, belt found stopped */
	SESSION_PAUSE_COMMAND_FAILED,	/* the treadmill refused a start */
	SESSION_PAUSE_RESTART,		/* taken over after paced restarted
					 * (session_takeover()) */
};

enum session_cmd_kind {
	SESSION_CMD_REQUEST_CONTROL,
	SESSION_CMD_START,
	SESSION_CMD_STOP,
	SESSION_CMD_PAUSE,
	SESSION_CMD_SET_SPEED,		/* arg: 0.01 km/h, already clamped */
	SESSION_CMD_SET_INCLINE,	/* arg: 0.1 %, already clamped */
};

struct session_cmd {
	enum session_cmd_kind kind;
	int32_t arg;
};

enum session_alarm {
	SESSION_ALARM_STALE_DATA,	/* no Treadmill Data while running */
	SESSION_ALARM_SPEED_MISMATCH,	/* belt far from the command */
	SESSION_ALARM_COMMAND_FAILED,	/* a command's result was an error */
};

enum session_event_kind {
	SESSION_EV_STATE,	/* state (and pause reason) changed */
	SESSION_EV_SEGMENT,	/* a new segment began: seg */
	SESSION_EV_COMMAND,	/* cmd handed to the treadmill */
	SESSION_EV_RESULT,	/* cmd completed: err, result */
	SESSION_EV_SYMPTOM,	/* press: kind, press_number (0 = debounced) */
	SESSION_EV_SCALEBACK,	/* step applied to the rest of the plan */
	SESSION_EV_ALARM,	/* alarm raised (active) or cleared */
	SESSION_EV_END,		/* finished or aborted: summary below */
	SESSION_EV_ADVICE,	/* advisory treadmill: tell the person cmd */
	SESSION_EV_CUE,		/* tell the person: cue */
	SESSION_EV_REFUSED,	/* the treadmill cannot be used: refusal */
};

/* Why a treadmill is refused (session_check_caps()). */
enum session_refusal {
	SESSION_REFUSAL_NONE,
	SESSION_REFUSAL_RANGE_INVALID,	/* maximum below minimum */
	SESSION_REFUSAL_INCREMENT,	/* speed increment above the limit */
	SESSION_REFUSAL_MIN_ABOVE_CAP,	/* slowest speed above the cap */
	SESSION_REFUSAL_MIN_ABOVE_WALK,	/* slowest speed above the walk */
	SESSION_REFUSAL_WALK_UNREACHABLE, /* walk pace beyond the tolerance */
};

/*
 * Limits on what a treadmill reports (docs/ftms.md 1.6, Supported Speed
 * Range). The largest speed increment paced accepts: real machines step
 * by 0.1 km/h or 0.1 mph (0.16 km/h); anything coarser than a whole km/h
 * would turn every target into a guess, so it is refused as absurd. The
 * walk pace must be reachable within the tolerance after rounding down to
 * the machine's grid and clamping to its range.
 */
#define SESSION_MAX_SPEED_INC 100	/* 0.01 km/h: 1.0 km/h */
#define SESSION_WALK_TOLERANCE 50	/* 0.01 km/h: 0.5 km/h */

struct session_event {
	enum session_event_kind kind;
	uint64_t real_us;		/* when it happened */
	uint32_t profile_ms;		/* session time then */
	enum session_state state;
	enum session_pause_reason reason;
	struct plan_segment seg;	/* SEGMENT */
	size_t seg_index;		/* SEGMENT: index in the current plan */
	struct session_cmd cmd;		/* COMMAND, RESULT */
	int err;			/* RESULT: 0 or -errno */
	uint8_t result;			/* RESULT: FTMS result code */
	enum symptom_kind symptom;	/* SYMPTOM, SCALEBACK */
	unsigned press_number;		/* SYMPTOM, SCALEBACK; ADVICE: the
					 * press it answers, 0 if none */
	struct scaleback_step step;	/* SCALEBACK */
	enum session_alarm alarm;	/* ALARM */
	bool active;			/* ALARM */
	int32_t value;			/* ALARM: speed seen, or ms stale;
					 * REFUSED: the treadmill's figure */
	int32_t limit;			/* REFUSED: paced's figure it breaks */
	enum session_refusal refusal;	/* REFUSED */
	struct cue cue;			/* CUE */
};

struct session_config {
	uint32_t speedup;		/* profile ms per real ms, >= 1 */
	uint32_t countdown_ms;		/* profile time before the belt starts */
	uint16_t speed_cap;		/* 0.01 km/h: never commanded above */
	uint32_t stale_data_ms;		/* real time; 0 = 5000 */
	uint16_t mismatch_kmh;		/* 0.01 km/h; 0 = 100 (1 km/h) */
	uint32_t mismatch_ms;		/* real time; 0 = 15000 */
	uint16_t walk_max;		/* 0.01 km/h: no walk above it (a
					 * recovery walk neither); 0 = 650 */
	uint32_t cue_lead_ms;		/* plan time from a countdown cue to
					 * its increase; 0 = 10000 */
	bool cue_ticks;			/* 3, 2, 1 before each increase */
	unsigned form_every;		/* a form cue every Nth jog; 0 none */
};

struct session;

/* Copies plan and policy. Returns NULL for an empty or invalid plan. */
struct session *session_new(const struct plan *plan,
			    const struct scaleback_policy *policy,
			    const struct session_config *config);
void session_free(struct session *s);

/* A press the interrupted session's log recorded (session_takeover()). */
struct session_past_press {
	uint32_t profile_ms;
	enum symptom_kind kind;
};

/*
 * Take over a session a crash, an OOM kill or SIGKILL cut short
 * (docs/design.md "Safety rules", crash recovery; paced(8) "Safety rules": after a
 * restart the session pauses and resumes only on an explicit resume).
 * An idle session not yet bound to a treadmill is put where the
 * interrupted one was: its counted presses replayed through the same
 * scale-back, in order (the rest of the plan is as easy as it had
 * become), its plan clock frozen at profile_ms, PAUSED for
 * SESSION_PAUSE_RESTART, the belt counted as started. When the link
 * comes up, a belt moving faster than walking pace gets walking pace; a
 * slower or stopped one gets nothing (never faster, never a start). It
 * then waits for an explicit resume (walking pace, a recovery walk before
 * any jog) or a stop. Returns 0, or -EALREADY unless idle and unbound.
 */
int session_takeover(struct session *s, uint64_t now_us, uint32_t profile_ms,
		     const struct session_past_press *presses, size_t n);
/* Explicit start (the only way the belt is ever started): -EALREADY
 * unless idle, -ENODEV when the treadmill was refused. */
int session_start(struct session *s, uint64_t now_us);
/* A symptom press from any source. Returns the press number (1, 2, ...)
 * or 0 when debounced; -ESRCH when no session is running. */
int session_symptom(struct session *s, uint64_t now_us,
		    enum symptom_kind kind);
int session_pause(struct session *s, uint64_t now_us);
/* Resume after any pause, at walking pace: -EAGAIN while the link is
 * down, -EALREADY unless paused. */
int session_resume(struct session *s, uint64_t now_us);
/* End the session early: walk pace, then stop. */
int session_stop(struct session *s, uint64_t now_us);

void session_on_link(struct session *s, uint64_t now_us, bool up);
/* The treadmill's capabilities (after every connect, before the link is
 * up). Refuses a treadmill session_check_caps() refuses: REFUSED, then the
 * session ends (a belt already started gets a stop, never a speed). */
void session_on_caps(struct session *s, uint64_t now_us,
		     const struct treadmill_caps *caps);
void session_on_data(struct session *s, uint64_t now_us,
		     const struct treadmill_data *data);
void session_on_status(struct session *s, uint64_t now_us,
		       const struct treadmill_status *status);
/* The result of the command last returned by session_next_command(). */
void session_command_done(struct session *s, uint64_t now_us, int err,
			  uint8_t result);
/* Let time pass: segment boundaries, countdown, alarms. */
void session_tick(struct session *s, uint64_t now_us);

/* Next command to send, if none is in flight. Returns false when none. */
bool session_next_command(struct session *s, uint64_t now_us,
			  struct session_cmd *ret_cmd);
/* A command waits to be sent (whether or not one is in flight). */
bool session_has_command(const struct session *s);
bool session_next_event(struct session *s, struct session_event *ret_ev);
/* Real time of the next thing session_tick() must see, or UINT64_MAX. */
uint64_t session_next_deadline(const struct session *s);

enum session_state session_state(const struct session *s);
enum session_pause_reason session_pause_reason(const struct session *s);
bool session_done(const struct session *s);	/* finished or aborted */
bool session_advisory(const struct session *s);
/* The next segment boundary in real time and the speed it brings, while
 * the plan runs; false otherwise. (Advisory mode announces increases.) */
bool session_next_change(const struct session *s, uint64_t *ret_at_us,
			 uint16_t *ret_speed);
uint32_t session_profile_ms(const struct session *s, uint64_t now_us);
/* Segment in progress, or NULL outside a running plan. */
const struct plan_segment *session_segment(const struct session *s);
const struct plan *session_plan(const struct session *s);
unsigned session_presses(const struct session *s);
/* Finished as planned: not stopped, not cut short by an end step. */
bool session_completed(const struct session *s);
uint16_t session_target_speed(const struct session *s);	/* last commanded */
uint16_t session_walk_speed(const struct session *s);	/* clamped */

/* Why the session refused its treadmill, SESSION_REFUSAL_NONE if not. */
enum session_refusal session_refused(const struct session *s);

/*
 * Pure. A speed for the wire: never above cap (0 = none) whatever caps
 * say, then within the treadmill's range and rounded *down* to its
 * increment from its minimum, never up into danger. A speed below the
 * minimum becomes the minimum (never above cap): the session has checked
 * that the minimum is no faster than the walk (session_check_caps()).
 */
uint16_t session_clamp_speed(const struct treadmill_caps *caps, uint16_t cap,
			     uint16_t speed);
/*
 * Pure. An incline for the wire: paced's own limits (the profile format's
 * PROFILE_MIN_INCLINE..PROFILE_MAX_INCLINE), then the treadmill's range
 * and increment only where they move it toward flat (0 %): the nearest
 * point of its grid between 0 and the wanted incline, else the wanted
 * incline as it is (which the treadmill may refuse). Never a slope taken
 * from the treadmill's range.
 */
int16_t session_clamp_incline(const struct treadmill_caps *caps,
			      int16_t incline);
/*
 * Pure. Can a session with this cap and walk pace (0.01 km/h, already
 * within the walking ceiling) use a treadmill with these caps? Advisory
 * treadmills and ones that report no speed range are never refused (the
 * cap still applies to every command). Refused: a range whose maximum is
 * below its minimum, an increment above SESSION_MAX_SPEED_INC, a minimum
 * above the cap or above the walk, a walk the range and grid cannot come
 * within SESSION_WALK_TOLERANCE of.
 */
enum session_refusal session_check_caps(const struct treadmill_caps *caps,
					uint16_t cap, uint16_t walk);
/* "range-invalid", "increment", "min-above-cap", "min-above-walk",
 * "walk-unreachable", "none". */
const char *session_refusal_name(enum session_refusal r);
/* A sentence for a person: the REFUSED event's refusal, value, limit.
 * snprintf semantics. */
int session_refusal_text(enum session_refusal r, int32_t value, int32_t limit,
			 char *buf, size_t len);

const char *session_state_name(enum session_state state);
const char *session_pause_reason_name(enum session_pause_reason reason);
const char *session_cmd_name(enum session_cmd_kind kind);
const char *session_alarm_name(enum session_alarm alarm);
