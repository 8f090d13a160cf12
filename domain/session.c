/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session state machine: events and time in, treadmill commands out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "session.h"
#include "util.h"

#define OUTBOX_MAX 8
#define NO_TARGET (-100000)	/* target unknown: resend the next one */

struct session {
	struct plan plan;		/* remaining plan, absolute profile ms */
	struct scaleback_policy pol;
	struct session_config cfg;
	struct treadmill_caps caps;

	enum session_state state;
	enum session_pause_reason reason;
	long cur;			/* segment index in plan, -1 before */
	bool started;			/* the belt was started once */

	/* Profile clock: anchor_prof at anchor_real, running or frozen. */
	uint64_t anchor_real;
	uint32_t anchor_prof;
	bool clock_running;
	bool await_start;		/* clock waits for START's answer */
	uint64_t countdown_end;		/* real µs, COUNTDOWN only */

	/* Commands: one in flight, the rest wait (docs/ftms.md 1.7). */
	struct session_cmd outbox[OUTBOX_MAX];
	size_t n_out;
	bool in_flight;
	struct session_cmd flying;
	int32_t target_speed;		/* last queued, or NO_TARGET */
	int32_t target_incline;
	int32_t done_speed;		/* last acknowledged speed, or NO_TARGET */
	uint64_t done_speed_at;

	bool link_up;
	bool advisory;			/* the treadmill takes no commands */
	bool advice_press;		/* the next speed advice answers a press */
	bool await_first_data;		/* link back: is the belt moving? */
	int32_t belt_speed;		/* last reported, or NO_TARGET */
	enum session_pause_reason paused_before_drop;	/* NONE if running */
	bool in_control;

	struct scaleback_presses presses;
	bool cut_short;			/* an end step was applied */
	enum session_refusal refusal;	/* the treadmill was refused */

	/* Cues (docs/design.md: no speed increase without warning). */
	bool cd_valid;			/* a countdown stands for: */
	uint16_t cd_speed;		/*   this speed (0.01 km/h, clamped) */
	uint32_t cd_boundary;		/*   at this plan ms */
	uint32_t cd_at;			/*   said at this plan ms */
	unsigned cd_tick;		/* next 3-2-1 tick to say, 0 none */
	bool in_jog;			/* the segment entered last is a jog */
	unsigned jog_runs;		/* jogs begun */
	unsigned forms;			/* form cues said */
	bool halfway_said;
	bool last_said;
	bool cooldown_said;
	bool cue_any;			/* a cue was said at cue_real */
	uint64_t cue_real;

	/* Alarms (real time). */
	uint64_t last_data;
	bool stale_raised;
	uint64_t mismatch_since;	/* 0: speeds agree */
	bool mismatch_raised;

	struct session_event *ev;	/* FIFO of events for the log */
	size_t n_ev, ev_head, ev_cap;
};

/* ---- clock ---- */

uint32_t session_profile_ms(const struct session *s, uint64_t now_us)
{
	uint64_t d;

	if (!s->clock_running || now_us < s->anchor_real)
		return s->anchor_prof;
	d = (now_us - s->anchor_real) * s->cfg.speedup / USEC_PER_MSEC;
	return s->anchor_prof + (uint32_t) MIN(d, (uint64_t) PLAN_MAX_TOTAL_MS);
}

/* Real time at which the profile clock reaches prof_ms: rounded up, so a
 * boundary never fires early, and anchored, so boundaries never drift. */
static uint64_t real_at(const struct session *s, uint32_t prof_ms)
{
	uint64_t d;

	if (prof_ms <= s->anchor_prof)
		return s->anchor_real;
	d = (uint64_t) (prof_ms - s->anchor_prof) * USEC_PER_MSEC;
	return s->anchor_real + (d + s->cfg.speedup - 1) / s->cfg.speedup;
}

static void clock_freeze(struct session *s, uint64_t now)
{
	s->anchor_prof = session_profile_ms(s, now);
	s->anchor_real = now;
	s->clock_running = false;
	s->await_start = false;
}

static void clock_run(struct session *s, uint64_t now)
{
	s->anchor_real = now;
	s->clock_running = true;
	s->await_start = false;
}

static bool start_queued(const struct session *s)
{
	for (size_t i = 0; i < s->n_out; i++)
		if (s->outbox[i].kind == SESSION_CMD_START)
			return true;
	return false;
}

/*
 * The belt is (re)starting: the plan clock runs from when the treadmill
 * confirms the START (docs/ftms.md 1.7: the indication is the outcome), not
 * from when it was asked. A control point that never answers would
 * otherwise have the plan run on, segment after segment, for a belt that
 * never moved. Advisory treadmills confirm nothing: the person is told
 * to start, and the clock runs at once.
 */
static void clock_run_when_started(struct session *s, uint64_t now)
{
	if (s->advisory || !start_queued(s)) {
		clock_run(s, now);
		return;
	}
	s->anchor_real = now;
	s->clock_running = false;
	s->await_start = true;
}

/* ---- events ---- */

static struct session_event *push_event(struct session *s,
					enum session_event_kind kind,
					uint64_t now)
{
	struct session_event *e;

	if (s->n_ev == s->ev_cap) {
		size_t cap = s->ev_cap ? s->ev_cap * 2 : 16;
		struct session_event *ev = paced_new0(struct session_event, cap);

		/* Unroll the ring into the new array. */
		for (size_t i = 0; i < s->n_ev; i++)
			ev[i] = s->ev[(s->ev_head + i) % s->ev_cap];
		free(s->ev);
		s->ev = ev;
		s->ev_cap = cap;
		s->ev_head = 0;
	}
	e = &s->ev[(s->ev_head + s->n_ev++) % s->ev_cap];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->real_us = now;
	e->profile_ms = session_profile_ms(s, now);
	e->state = s->state;
	e->reason = s->reason;
	return e;
}

bool session_next_event(struct session *s, struct session_event *ret_ev)
{
	if (!s->n_ev)
		return false;
	*ret_ev = s->ev[s->ev_head];
	s->ev_head = (s->ev_head + 1) % s->ev_cap;
	s->n_ev--;
	return true;
}

static void set_state(struct session *s, uint64_t now, enum session_state st,
		      enum session_pause_reason reason)
{
	if (s->state == st && s->reason == reason)
		return;
	s->state = st;
	s->reason = reason;
	push_event(s, SESSION_EV_STATE, now);
}

/* ---- commands ---- */

uint16_t session_clamp_speed(const struct treadmill_caps *caps, uint16_t cap,
			     uint16_t speed)
{
	uint32_t v = speed, lo, hi, inc;

	/* The cap first and last: nothing a treadmill reports raises it. */
	if (cap && v > cap)
		v = cap;
	if (!caps || !caps->has_speed_range ||
	    caps->speed_max < caps->speed_min)
		return (uint16_t) v;
	lo = caps->speed_min;
	hi = caps->speed_max;
	inc = caps->speed_inc ? caps->speed_inc : 1;
	if (v > hi)
		v = hi;
	/* Slower than the machine goes: its slowest, which the session
	 * checked is no faster than the walk; never above the cap. */
	if (v < lo)
		return (uint16_t) (cap && lo > cap ? v : lo);
	/* docs/ftms.md 1.6: speeds are the minimum plus a whole number of
	 * increments. Down to the grid: never faster than asked. */
	return (uint16_t) (lo + (v - lo) / inc * inc);
}

int16_t session_clamp_incline(const struct treadmill_caps *caps,
			      int16_t incline)
{
	int32_t v = incline, lo, hi, inc, a, b, g;

	/* paced's own limits: the profile format's. */
	v = MAX(v, PROFILE_MIN_INCLINE);
	v = MIN(v, PROFILE_MAX_INCLINE);
	if (!caps || !caps->has_incline_range ||
	    caps->incline_max < caps->incline_min)
		return (int16_t) v;
	lo = caps->incline_min;
	hi = caps->incline_max;
	inc = caps->incline_inc ? caps->incline_inc : 1;
	/* The treadmill's range and grid only between flat and v: the grid
	 * point there nearest v, or v itself when there is none. */
	a = MAX(MIN(v, 0), lo);
	b = MIN(MAX(v, 0), hi);
	if (a > b)
		return (int16_t) v;
	if (v >= 0) {
		g = lo + (b - lo) / inc * inc;
		return (int16_t) (g >= a ? g : v);
	}
	g = lo + (a - lo + inc - 1) / inc * inc;
	return (int16_t) (g <= b ? g : v);
}

static enum session_refusal check_caps(const struct treadmill_caps *caps,
				       uint16_t cap, uint16_t walk,
				       int32_t *ret_value, int32_t *ret_limit)
{
	uint16_t got;

	if (!caps || !caps->can_control || !caps->has_speed_range)
		return SESSION_REFUSAL_NONE;
	if (caps->speed_max < caps->speed_min) {
		*ret_value = caps->speed_max;
		*ret_limit = caps->speed_min;
		return SESSION_REFUSAL_RANGE_INVALID;
	}
	if (caps->speed_inc > SESSION_MAX_SPEED_INC) {
		*ret_value = caps->speed_inc;
		*ret_limit = SESSION_MAX_SPEED_INC;
		return SESSION_REFUSAL_INCREMENT;
	}
	if (cap && caps->speed_min > cap) {
		*ret_value = caps->speed_min;
		*ret_limit = cap;
		return SESSION_REFUSAL_MIN_ABOVE_CAP;
	}
	if (caps->speed_min > walk) {
		*ret_value = caps->speed_min;
		*ret_limit = walk;
		return SESSION_REFUSAL_MIN_ABOVE_WALK;
	}
	got = session_clamp_speed(caps, cap, walk);
	if (walk > got + SESSION_WALK_TOLERANCE) {
		*ret_value = got;
		*ret_limit = walk;
		return SESSION_REFUSAL_WALK_UNREACHABLE;
	}
	return SESSION_REFUSAL_NONE;
}

enum session_refusal session_check_caps(const struct treadmill_caps *caps,
					uint16_t cap, uint16_t walk)
{
	int32_t value, limit;

	return check_caps(caps, cap, walk, &value, &limit);
}

/* The walk pace before the treadmill's grid: within the ceiling and cap. */
static uint16_t walk_wanted(const struct session *s)
{
	uint16_t w = MIN(s->plan.walk_speed, s->cfg.walk_max);

	return s->cfg.speed_cap ? MIN(w, s->cfg.speed_cap) : w;
}

uint16_t session_walk_speed(const struct session *s)
{
	return session_clamp_speed(&s->caps, s->cfg.speed_cap, walk_wanted(s));
}

/* The speed a segment runs at: a walk (a recovery walk too) never above
 * the walking ceiling, whatever built the plan; then the wire's clamp. */
static uint16_t seg_speed(const struct session *s,
			  const struct plan_segment *seg)
{
	uint16_t v = seg->speed;

	if (!seg->jog_like || seg->phase == PLAN_PHASE_RECOVERY)
		v = MIN(v, s->cfg.walk_max);
	return session_clamp_speed(&s->caps, s->cfg.speed_cap, v);
}

static void queue(struct session *s, enum session_cmd_kind kind, int32_t arg)
{
	if (kind == SESSION_CMD_SET_SPEED)
		s->target_speed = arg;
	else if (kind == SESSION_CMD_SET_INCLINE)
		s->target_incline = arg;

	/* A newer target of the same kind replaces one not yet sent. */
	if (kind == SESSION_CMD_SET_SPEED || kind == SESSION_CMD_SET_INCLINE) {
		for (size_t i = 0; i < s->n_out; i++) {
			if (s->outbox[i].kind == kind) {
				s->outbox[i].arg = arg;
				return;
			}
		}
	}
	if (s->n_out == OUTBOX_MAX) {
		/* Cannot happen with the sequences below; losing the oldest
		 * target is the safe failure, never a late start. */
		memmove(s->outbox, s->outbox + 1,
			(OUTBOX_MAX - 1) * sizeof(s->outbox[0]));
		s->n_out--;
	}
	s->outbox[s->n_out].kind = kind;
	s->outbox[s->n_out].arg = arg;
	s->n_out++;
}

/* speed is final: seg_speed() or session_walk_speed(). */
static void queue_speed(struct session *s, uint16_t speed)
{
	if (s->target_speed != speed)
		queue(s, SESSION_CMD_SET_SPEED, speed);
}

static void queue_incline(struct session *s, int16_t incline)
{
	int16_t v = session_clamp_incline(&s->caps, incline);

	if (s->target_incline != v)
		queue(s, SESSION_CMD_SET_INCLINE, v);
}

/* Drop everything not yet sent: nothing stale may reach a stopped belt. */
static void drop_pending(struct session *s)
{
	s->n_out = 0;
	s->target_speed = NO_TARGET;
	s->target_incline = NO_TARGET;
}

bool session_next_command(struct session *s, uint64_t now_us,
			  struct session_cmd *ret_cmd)
{
	struct session_event *e;

	/* Advisory: every command becomes advice to the person, and the
	 * target it names is what the mismatch alarm holds the belt to. */
	while (s->advisory && s->n_out) {
		struct session_cmd c = s->outbox[0];

		memmove(s->outbox, s->outbox + 1,
			--s->n_out * sizeof(s->outbox[0]));
		if (c.kind == SESSION_CMD_REQUEST_CONTROL)
			continue;
		e = push_event(s, SESSION_EV_ADVICE, now_us);
		e->cmd = c;
		if (c.kind == SESSION_CMD_SET_SPEED && s->advice_press) {
			e->press_number = MAX(s->presses.count, 1u);
			s->advice_press = false;
		}
	}
	if (s->advisory || s->in_flight || !s->n_out || !s->link_up)
		return false;
	s->flying = s->outbox[0];
	memmove(s->outbox, s->outbox + 1, --s->n_out * sizeof(s->outbox[0]));
	s->in_flight = true;
	*ret_cmd = s->flying;
	e = push_event(s, SESSION_EV_COMMAND, now_us);
	e->cmd = s->flying;
	return true;
}

bool session_has_command(const struct session *s)
{
	return s->n_out > 0;
}

/* ---- segments ---- */

static bool belt_active(enum session_state st)
{
	return st == SESSION_RUNNING || st == SESSION_RECOVERY ||
	       st == SESSION_COOLDOWN;
}

static enum session_state phase_state(enum plan_phase phase)
{
	switch (phase) {
	case PLAN_PHASE_RECOVERY:
		return SESSION_RECOVERY;
	case PLAN_PHASE_COOLDOWN:
		return SESSION_COOLDOWN;
	case PLAN_PHASE_WARMUP:
	case PLAN_PHASE_MAIN:
		break;
	}
	return SESSION_RUNNING;
}

/* ---- cues ---- */

/* Jogs (runs of jog-like segments) that begin after the current one. */
static unsigned jogs_ahead(const struct session *s)
{
	unsigned n = 0;

	for (size_t k = s->cur < 0 ? 0 : (size_t) s->cur + 1; k < s->plan.n; k++)
		n += s->plan.seg[k].jog_like &&
		     (k == 0 || !s->plan.seg[k - 1].jog_like);
	return n;
}

static struct cue *push_cue(struct session *s, uint64_t now,
			    enum cue_kind kind)
{
	struct session_event *e = push_event(s, SESSION_EV_CUE, now);
	uint32_t end = plan_end_ms(&s->plan);

	e->cue.kind = kind;
	e->cue.advisory = s->advisory;
	/* Cues of one instant make one announcement: a speaker says them
	 * in turn instead of cutting the first one short. */
	e->cue.follows = s->cue_any && s->cue_real == now;
	e->cue.left_ms = end > e->profile_ms ? end - e->profile_ms : 0;
	e->cue.jog_number = s->jog_runs;
	e->cue.jogs = s->jog_runs + jogs_ahead(s);
	s->cue_any = true;
	s->cue_real = now;
	return &e->cue;
}

/* What the belt may be given without a countdown: what it was given
 * last, or walking pace when it (re)starts, which only an explicit start
 * or resume (or a link back with the belt moving) brings. */
static uint16_t base_speed(const struct session *s)
{
	return s->target_speed == NO_TARGET ? session_walk_speed(s) :
					      (uint16_t) s->target_speed;
}

static bool countdown_valid(const struct session *s, uint16_t v, uint32_t p)
{
	return s->cd_valid && s->cd_speed == v &&
	       s->cd_at + s->cfg.cue_lead_ms <= p;
}

static void plan_insert(struct plan *plan, size_t at,
			const struct plan_segment *seg)
{
	plan->seg = paced_realloc(plan->seg, (plan->n + 1) * sizeof(*seg));
	memmove(&plan->seg[at + 1], &plan->seg[at],
		(plan->n - at) * sizeof(*seg));
	plan->seg[at] = *seg;
	plan->n++;
}

/*
 * The current segment goes on until `until` (plan ms), so that the
 * increase after it waits for its countdown: the segments after it are
 * trimmed from the front, or removed when wholly covered. The plan's end
 * does not move. Returns false when the segment right after the current
 * one was removed (the next boundary is another one now).
 */
static bool hold_until(struct session *s, uint32_t until)
{
	struct plan *pl = &s->plan;
	size_t c = (size_t) s->cur, i = c + 1;
	uint32_t end = plan_end_ms(pl);
	bool kept = true;

	until = MIN(until, end);
	while (i < pl->n &&
	       pl->seg[i].start_ms + pl->seg[i].duration_ms <= until) {
		memmove(&pl->seg[i], &pl->seg[i + 1],
			(pl->n - i - 1) * sizeof(pl->seg[0]));
		pl->n--;
		kept = false;
	}
	if (i < pl->n && pl->seg[i].start_ms < until) {
		pl->seg[i].duration_ms -= until - pl->seg[i].start_ms;
		pl->seg[i].start_ms = until;
	}
	pl->seg[c].duration_ms = (i < pl->n ? pl->seg[i].start_ms : end) -
				 pl->seg[c].start_ms;
	return kept;
}

/*
 * Segment idx is entered at plan time p faster than the belt may go
 * without a countdown (a plan that begins with a jog, a jog the plan
 * reaches with no walk after a resume): a segment at base speed goes in
 * first, for the countdown's lead. Returns its index, now current.
 */
static long hold_entry(struct session *s, long idx, uint32_t p, uint16_t base)
{
	struct plan_segment hold = s->plan.seg[idx];

	if (p > hold.start_ms) {
		struct plan_segment *a = &s->plan.seg[idx], b = *a;

		b.start_ms = p;
		b.duration_ms = a->start_ms + a->duration_ms - p;
		a->duration_ms = p - a->start_ms;
		plan_insert(&s->plan, (size_t) ++idx, &b);
	}
	hold.start_ms = p;
	hold.duration_ms = 0;		/* hold_until() gives it its length */
	hold.speed = base;
	hold.jog_like = base > s->plan.walk_speed;
	if (!hold.jog_like)
		snprintf(hold.pace_name, sizeof(hold.pace_name), "walk");
	plan_insert(&s->plan, (size_t) idx, &hold);
	s->cur = idx;
	(void) hold_until(s, p + s->cfg.cue_lead_ms);
	return idx;
}

/* The next segment, when it is faster than the current one: *ret_v. */
static bool next_increase(const struct session *s, uint16_t *ret_v)
{
	size_t i = (size_t) s->cur + 1;
	uint16_t v;

	if (s->cur < 0 || i >= s->plan.n)
		return false;
	v = seg_speed(s, &s->plan.seg[i]);
	if (v <= seg_speed(s, &s->plan.seg[s->cur]))
		return false;
	*ret_v = v;
	return true;
}

static bool announced(const struct session *s, uint16_t v)
{
	return s->cd_valid && s->cd_speed == v &&
	       s->cd_boundary == s->plan.seg[s->cur + 1].start_ms;
}

/* The 3-2-1 after an announced increase, skipping those gone by. */
static void say_ticks(struct session *s, uint64_t now, uint32_t p)
{
	struct cue *c;
	uint32_t n;

	if (!s->cd_tick || p >= s->cd_boundary) {
		s->cd_tick = 0;
		return;
	}
	n = (s->cd_boundary - p + 999) / 1000;
	if (n > s->cd_tick)
		return;
	c = push_cue(s, now, CUE_COUNTDOWN);
	c->tick = true;
	c->in_s = n;
	c->speed = s->cd_speed;
	c->jog = s->cd_speed > session_walk_speed(s);
	s->cd_tick = n - 1;
}

/*
 * The safety rule of session.h: the next increase gets its countdown
 * cue_lead_ms of plan time ahead, said while the belt is at the lower
 * speed; too late for that, the increase waits (hold_until()). say false
 * only makes the plan wait, so a segment's own cues can go first.
 */
static void announce(struct session *s, uint64_t now, bool say)
{
	uint32_t lead = s->cfg.cue_lead_ms, p;
	const struct plan_segment *next;
	struct cue *c;
	uint16_t v;

	if (!belt_active(s->state) || s->cur < 0)
		return;
	p = session_profile_ms(s, now);
	for (;;) {
		if (!next_increase(s, &v))
			return;
		if (announced(s, v)) {
			if (say)
				say_ticks(s, now, p);
			return;
		}
		if (p + lead < s->plan.seg[s->cur + 1].start_ms)
			return;		/* not yet: a deadline brings it */
		if (p + lead == s->plan.seg[s->cur + 1].start_ms ||
		    hold_until(s, p + lead))
			break;
	}
	if (!say)
		return;
	next = &s->plan.seg[s->cur + 1];
	c = push_cue(s, now, CUE_COUNTDOWN);
	c->speed = v;
	c->jog = v > session_walk_speed(s);
	c->in_s = (next->start_ms - p + 999) / 1000;
	c->duration_ms = next->duration_ms;
	s->cd_valid = true;
	s->cd_speed = v;
	s->cd_boundary = next->start_ms;
	s->cd_at = p;
	s->cd_tick = s->cfg.cue_ticks && c->in_s > 1 ?
		     MIN(CUE_TICKS, c->in_s - 1) : 0;
}

/* Plan time of the next cue the clock brings, or UINT32_MAX. */
static uint32_t next_cue_ms(const struct session *s)
{
	uint32_t t = UINT32_MAX, lead = s->cfg.cue_lead_ms, b;
	uint16_t v;

	if (next_increase(s, &v)) {
		b = s->plan.seg[s->cur + 1].start_ms;
		if (!announced(s, v))
			t = b > lead ? b - lead : 0;
		else if (s->cd_tick)
			t = b - MIN(b, s->cd_tick * 1000);
	}
	if (!s->halfway_said && !s->cut_short)
		t = MIN(t, (plan_end_ms(&s->plan) + 1) / 2);
	return t;
}

/* Once, when half of the session as now planned has gone by. */
static void say_halfway(struct session *s, uint64_t now)
{
	uint32_t p = session_profile_ms(s, now);

	if (s->halfway_said || s->cut_short ||
	    (uint64_t) p * 2 < plan_end_ms(&s->plan))
		return;
	s->halfway_said = true;
	(void) push_cue(s, now, CUE_HALFWAY);
}

static void enter_segment(struct session *s, uint64_t now, long idx,
			  bool tell)
{
	uint32_t p = session_profile_ms(s, now);
	const struct plan_segment *seg;
	struct session_event *e;
	uint16_t v, base = base_speed(s);
	bool new_jog;
	struct cue *c;

	s->cur = idx;
	v = seg_speed(s, &s->plan.seg[idx]);
	/* The safety net under announce(): whatever led here, an increase
	 * without its countdown waits for one. */
	if (v > base && !countdown_valid(s, v, p))
		idx = hold_entry(s, idx, p, base);
	s->cd_valid = false;
	s->cd_tick = 0;
	announce(s, now, false);
	seg = &s->plan.seg[idx];
	v = seg_speed(s, seg);
	set_state(s, now, phase_state(seg->phase), SESSION_PAUSE_NONE);
	queue_speed(s, v);
	queue_incline(s, seg->incline);
	e = push_event(s, SESSION_EV_SEGMENT, now);
	e->seg = *seg;
	e->seg_index = (size_t) idx;

	new_jog = seg->jog_like && !s->in_jog;
	s->in_jog = seg->jog_like;
	s->jog_runs += new_jog;
	if (tell) {
		const struct plan_segment *n = (size_t) idx + 1 < s->plan.n ?
					       seg + 1 : NULL;

		c = push_cue(s, now, CUE_CHANGE);
		c->speed = v;
		c->jog = seg->jog_like;
		c->duration_ms = seg->start_ms + seg->duration_ms - p;
		c->next_speed = n ? seg_speed(s, n) : 0;
		c->next_jog = n && n->jog_like;
	}
	if (new_jog && !s->last_said && !jogs_ahead(s)) {
		s->last_said = true;
		c = push_cue(s, now, CUE_LAST);
		c->speed = v;
		c->jog = true;
		c->duration_ms = seg->start_ms + seg->duration_ms - p;
	}
	if (new_jog && s->cfg.form_every &&
	    (s->jog_runs - 1) % s->cfg.form_every == 0) {
		c = push_cue(s, now, CUE_FORM);
		c->form = ++s->forms;
	}
	if (seg->phase == PLAN_PHASE_COOLDOWN && !s->cooldown_said) {
		s->cooldown_said = true;
		c = push_cue(s, now, CUE_COOLDOWN);
		c->speed = v;
		c->duration_ms = c->left_ms;
	}
	announce(s, now, true);
}

static void end_session(struct session *s, uint64_t now,
			enum session_state st)
{
	clock_freeze(s, now);
	set_state(s, now, st, SESSION_PAUSE_NONE);
	/* Once, and only for a belt that moved: a session refused or
	 * stopped before its start has nothing to sum up. */
	if (s->started) {
		struct cue *c = push_cue(s, now, CUE_FINISH);

		c->outcome = st != SESSION_FINISHED ? CUE_OUTCOME_STOPPED :
			     s->cut_short ? CUE_OUTCOME_CUT_SHORT :
			     CUE_OUTCOME_COMPLETED;
		c->press = s->presses.count;
		c->left_ms = 0;
	}
	push_event(s, SESSION_EV_END, now);
}

static void finish(struct session *s, uint64_t now)
{
	drop_pending(s);
	if (s->link_up)
		queue(s, SESSION_CMD_STOP, 0);
	end_session(s, now, SESSION_FINISHED);
}

/*
 * Replace plan from prof_ms on with a walk of dur_ms and push the rest of
 * the plan later by dur_ms: used when the belt comes back after a pause
 * or a link drop, so a jog never resumes without a recovery walk first.
 */
static void insert_walk(struct session *s, uint32_t prof_ms, uint32_t dur_ms)
{
	long idx = plan_find(&s->plan, prof_ms);
	struct plan_segment *seg;
	size_t n;

	if (idx < 0 || !dur_ms)
		return;
	n = 1 + s->plan.n - (size_t) idx;
	seg = paced_new0(struct plan_segment, n);
	seg[0].start_ms = prof_ms;
	seg[0].duration_ms = dur_ms;
	seg[0].speed = MIN(s->plan.walk_speed, s->plan.seg[idx].speed);
	seg[0].incline = 0;
	seg[0].phase = PLAN_PHASE_RECOVERY;
	seg[0].jog_like = false;
	snprintf(seg[0].pace_name, sizeof(seg[0].pace_name), "walk");
	for (size_t i = 1; i < n; i++) {
		seg[i] = s->plan.seg[(size_t) idx + i - 1];
		if (i == 1) {
			uint32_t end = seg[i].start_ms + seg[i].duration_ms;

			seg[i].duration_ms = end - prof_ms;
			seg[i].start_ms = prof_ms;
		}
		seg[i].start_ms += dur_ms;
	}
	free(s->plan.seg);
	s->plan.seg = seg;
	s->plan.n = n;
	s->cur = -1;
}

/* Belt moving again after a pause or a link drop: walk first. */
static void continue_at_walk(struct session *s, uint64_t now)
{
	uint32_t p = s->anchor_prof;
	long idx = plan_find(&s->plan, p);

	if (idx < 0) {
		finish(s, now);
		return;
	}
	queue_speed(s, session_walk_speed(s));
	queue_incline(s, 0);
	if (s->plan.seg[idx].jog_like)
		insert_walk(s, p, s->pol.recovery_ms);
	/* After a resume a START is queued: wait for it. After a link drop
	 * with the belt still moving there is none: run at once. */
	clock_run_when_started(s, now);
	s->last_data = now;
	s->mismatch_since = 0;
	enter_segment(s, now, plan_find(&s->plan, p), true);
}

static void pause_for(struct session *s, uint64_t now,
		      enum session_pause_reason reason)
{
	if (s->state == SESSION_COUNTDOWN || belt_active(s->state)) {
		clock_freeze(s, now);
		drop_pending(s);
		/* A countdown said before the pause is stale after it. */
		s->cd_valid = false;
		s->cd_tick = 0;
		s->in_jog = false;
		set_state(s, now, SESSION_PAUSED, reason);
	} else if (s->state == SESSION_PAUSED && reason != s->reason &&
		   reason != SESSION_PAUSE_USER) {
		/* A safety reason replaces a milder one; it decides what
		 * resume must do (re-take control, restart the belt). */
		set_state(s, now, SESSION_PAUSED, reason);
	}
}

/* ---- inputs ---- */

struct session *session_new(const struct plan *plan,
			    const struct scaleback_policy *policy,
			    const struct session_config *config)
{
	struct session *s;

	if (!plan || !plan->n || plan_validate(plan) < 0 ||
	    scaleback_policy_validate(policy) < 0)
		return NULL;

	s = paced_new0(struct session, 1);
	plan_copy(plan, &s->plan);
	s->pol = *policy;
	s->cfg = *config;
	if (!s->cfg.speedup)
		s->cfg.speedup = 1;
	if (!s->cfg.stale_data_ms)
		s->cfg.stale_data_ms = 5000;
	if (!s->cfg.mismatch_kmh)
		s->cfg.mismatch_kmh = 100;
	if (!s->cfg.mismatch_ms)
		s->cfg.mismatch_ms = 15000;
	if (!s->cfg.walk_max)
		s->cfg.walk_max = PROFILE_DEFAULT_WALK_MAX;
	if (!s->cfg.cue_lead_ms)
		s->cfg.cue_lead_ms = CUE_LEAD_DEFAULT_MS;
	s->state = SESSION_IDLE;
	s->cur = -1;
	s->target_speed = NO_TARGET;
	s->target_incline = NO_TARGET;
	s->done_speed = NO_TARGET;
	s->belt_speed = NO_TARGET;
	s->in_control = true;
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	plan_clear(&s->plan);
	free(s->ev);
	free(s);
}

int session_takeover(struct session *s, uint64_t now_us, uint32_t profile_ms,
		     const struct session_past_press *presses, size_t n)
{
	struct plan scaled;

	if (s->state != SESSION_IDLE || s->link_up)
		return -EALREADY;
	/* The presses as session_symptom() took them, without the belt:
	 * the same debounce, the same steps, on the plan as it was then. */
	for (size_t i = 0; i < n; i++) {
		uint32_t p = presses[i].profile_ms;
		unsigned k = scaleback_press_kind(&s->presses, p,
						  presses[i].kind, &s->pol);

		if (!k || scaleback_apply(&s->plan,
					  MAX(p, plan_start_ms(&s->plan)), k,
					  presses[i].kind, &s->pol,
					  &scaled) < 0)
			continue;
		plan_clear(&s->plan);
		s->plan = scaled;
		if (scaleback_choose(&s->pol, k, presses[i].kind).end)
			s->cut_short = true;
	}
	s->anchor_prof = MIN(profile_ms, plan_end_ms(&s->plan));
	s->anchor_real = now_us;
	s->clock_running = false;
	s->started = true;
	s->cur = -1;
	/* When the link comes up, session_on_data() sees the belt first
	 * and keeps the session paused whatever it finds. */
	s->paused_before_drop = SESSION_PAUSE_RESTART;
	set_state(s, now_us, SESSION_PAUSED, SESSION_PAUSE_RESTART);
	return 0;
}

int session_start(struct session *s, uint64_t now_us)
{
	if (s->refusal != SESSION_REFUSAL_NONE)
		return -ENODEV;
	if (s->state != SESSION_IDLE)
		return -EALREADY;
	if (!s->link_up)
		return -EAGAIN;
	s->countdown_end = now_us + (uint64_t) s->cfg.countdown_ms *
			   USEC_PER_MSEC / s->cfg.speedup;
	s->anchor_prof = 0;
	s->anchor_real = now_us;
	set_state(s, now_us, SESSION_COUNTDOWN, SESSION_PAUSE_NONE);
	/*
	 * The belt's first start is the person's own act, and goes to at
	 * most walking pace (begin() makes a faster first segment wait for
	 * a countdown of its own): say when and how fast, as it is asked.
	 */
	if (s->cfg.countdown_ms) {
		const struct plan_segment *first = &s->plan.seg[0];
		uint16_t v = seg_speed(s, first), w = session_walk_speed(s);
		struct cue *c = push_cue(s, now_us, CUE_COUNTDOWN);

		c->speed = MIN(v, w);
		c->in_s = (s->cfg.countdown_ms + 999) / 1000;
		c->duration_ms = v > w ? s->cfg.cue_lead_ms : first->duration_ms;
	}
	session_tick(s, now_us);
	return 0;
}

static void begin(struct session *s, uint64_t now)
{
	long idx;

	/* Anchor the profile clock on an instant, not on when we got round
	 * to each tick, so boundaries are absolute and never drift: the end
	 * of the countdown, or (a treadmill we control) START's answer. */
	s->anchor_prof = plan_start_ms(&s->plan);
	s->started = true;
	s->last_data = now;
	if (!s->in_control)
		queue(s, SESSION_CMD_REQUEST_CONTROL, 0);
	queue(s, SESSION_CMD_START, 0);
	clock_run_when_started(s, s->countdown_end ?
				  MIN(s->countdown_end, now) : now);
	/* An advisory clock runs from the countdown's end, which a late
	 * tick may have left behind. */
	idx = plan_find(&s->plan, session_profile_ms(s, now));
	if (idx < 0)
		finish(s, now);
	else
		enter_segment(s, now, idx, true);
}

int session_symptom(struct session *s, uint64_t now_us,
		    enum symptom_kind kind)
{
	struct session_event *e;
	struct plan scaled;
	uint32_t p;
	unsigned n;

	if (s->state == SESSION_IDLE || session_done(s))
		return -ESRCH;

	/*
	 * docs/design.md safety rule: walk pace goes out first, before anything
	 * is logged or recomputed. Only targets not yet sent are dropped;
	 * a start still queued stays (walk pace on a belt not yet started
	 * would be ignored by many machines, docs/ftms.md 2).
	 */
	if (belt_active(s->state)) {
		uint16_t w = session_walk_speed(s);
		bool dropped = false;
		size_t j = 0;

		s->advice_press = s->advisory;
		for (size_t i = 0; i < s->n_out; i++) {
			if (s->outbox[i].kind != SESSION_CMD_SET_SPEED &&
			    s->outbox[i].kind != SESSION_CMD_SET_INCLINE)
				s->outbox[j++] = s->outbox[i];
			else if (s->outbox[i].kind == SESSION_CMD_SET_SPEED)
				dropped = true;
		}
		s->n_out = j;
		/* A target never sent is not what the belt does. */
		if (dropped)
			s->target_speed = s->in_flight &&
					  s->flying.kind == SESSION_CMD_SET_SPEED ?
					  s->flying.arg : s->done_speed;
		/* Walking pace, or slower if the belt already is: a press
		 * never speeds anyone up. Advisory: the person is told every
		 * time, even at walk. */
		if (s->target_speed != NO_TARGET && s->target_speed < w)
			w = (uint16_t) s->target_speed;
		if (s->advisory || s->target_speed > w ||
		    s->target_speed == NO_TARGET)
			queue(s, SESSION_CMD_SET_SPEED, w);
		queue_incline(s, 0);
	} else if (s->state == SESSION_PAUSED && s->link_up && !s->advisory &&
		   s->belt_speed > session_walk_speed(s)) {
		/* Paused, yet the belt runs faster than a walk (a session
		 * taken over after a restart, a console that kept it going):
		 * a press still brings walking pace first. Never a start. */
		queue(s, SESSION_CMD_SET_SPEED, session_walk_speed(s));
	}

	p = session_profile_ms(s, now_us);
	/* Debounced, except a press whose kind asks for a harder step (pain
	 * right after a leak, a long press) is never absorbed. */
	n = scaleback_press_kind(&s->presses, p, kind, &s->pol);

	e = push_event(s, SESSION_EV_SYMPTOM, now_us);
	e->symptom = kind;
	e->press_number = n;
	if (!n)
		return 0;

	if (scaleback_apply(&s->plan, MAX(p, plan_start_ms(&s->plan)), n,
			    kind, &s->pol, &scaled) < 0)
		return (int) n;
	plan_clear(&s->plan);
	s->plan = scaled;
	e = push_event(s, SESSION_EV_SCALEBACK, now_us);
	e->symptom = kind;
	e->press_number = n;
	e->step = scaleback_choose(&s->pol, n, kind);
	if (e->step.end)
		s->cut_short = true;

	/* The plan is another one: so is its next increase. */
	s->cd_valid = false;
	s->cd_tick = 0;
	s->cur = -1;
	if (belt_active(s->state)) {
		long idx = plan_find(&s->plan, p);

		if (idx < 0) {
			finish(s, now_us);
		} else {
			/* What happened and what changes; it stands for the
			 * recovery walk's change cue. */
			struct cue *c = push_cue(s, now_us, CUE_SYMPTOM);

			c->speed = MIN(session_walk_speed(s), base_speed(s));
			c->press = n;
			c->step = scaleback_choose(&s->pol, n, kind);
			if (s->plan.seg[idx].phase == PLAN_PHASE_RECOVERY)
				c->duration_ms = s->plan.seg[idx].start_ms +
						 s->plan.seg[idx].duration_ms - p;
			s->in_jog = false;
			enter_segment(s, now_us, idx, false);
		}
	}
	return (int) n;
}

int session_pause(struct session *s, uint64_t now_us)
{
	bool moving = belt_active(s->state);

	if (!moving && s->state != SESSION_COUNTDOWN)
		return -EALREADY;
	pause_for(s, now_us, SESSION_PAUSE_USER);
	if (moving && s->link_up)
		queue(s, SESSION_CMD_PAUSE, 0);
	return 0;
}

int session_resume(struct session *s, uint64_t now_us)
{
	if (s->state != SESSION_PAUSED)
		return -EALREADY;
	if (!s->link_up || s->await_first_data)
		return -EAGAIN;

	/* docs/design.md: resume only on an explicit user action, at walk pace. */
	if (!s->in_control)
		queue(s, SESSION_CMD_REQUEST_CONTROL, 0);
	if (!s->started) {
		s->countdown_end = 0;
		begin(s, now_us);
		return 0;
	}
	queue(s, SESSION_CMD_START, 0);
	continue_at_walk(s, now_us);
	return 0;
}

int session_stop(struct session *s, uint64_t now_us)
{
	bool moving = belt_active(s->state);

	if (session_done(s))
		return -EALREADY;
	drop_pending(s);
	if (s->started && s->link_up) {
		/* docs/design.md: on a stop, walk pace first, then stop; a paused
		 * session's belt too when it runs faster than a walk (one
		 * taken over after a restart). */
		if (moving || s->belt_speed > session_walk_speed(s))
			queue(s, SESSION_CMD_SET_SPEED, session_walk_speed(s));
		queue(s, SESSION_CMD_STOP, 0);
	}
	end_session(s, now_us, SESSION_ABORTED);
	return 0;
}

void session_on_link(struct session *s, uint64_t now_us, bool up)
{
	if (up == s->link_up)
		return;
	s->link_up = up;
	if (!up) {
		s->await_first_data = false;
		s->belt_speed = NO_TARGET;
		/* A session already paused stays paused whatever the belt
		 * turns out to be doing when the link comes back. */
		s->paused_before_drop = s->state == SESSION_PAUSED ?
					s->reason : SESSION_PAUSE_NONE;
		pause_for(s, now_us, SESSION_PAUSE_LINK_DOWN);
		return;
	}
	/* The driver re-took control during its bring-up. */
	s->in_control = true;
	if (s->state == SESSION_PAUSED && s->started &&
	    (s->reason == SESSION_PAUSE_LINK_DOWN ||
	     s->reason == SESSION_PAUSE_RESTART))
		s->await_first_data = true;
}

void session_on_caps(struct session *s, uint64_t now_us,
		     const struct treadmill_caps *caps)
{
	struct session_event *e;
	enum session_refusal r;
	int32_t value = 0, limit = 0;

	s->caps = *caps;
	s->advisory = !caps->can_control;
	if (session_done(s))
		return;
	/* Before the belt moves (caps come before the link is up): the
	 * speed cap and the walk win over whatever the treadmill says. */
	r = check_caps(caps, s->cfg.speed_cap, walk_wanted(s), &value, &limit);
	if (r == SESSION_REFUSAL_NONE)
		return;
	s->refusal = r;
	e = push_event(s, SESSION_EV_REFUSED, now_us);
	e->refusal = r;
	e->value = value;
	e->limit = limit;
	drop_pending(s);
	/* A belt already moving (a reconnect found another machine) gets
	 * a stop: no speed this treadmill may turn into a faster one. */
	if (s->started)
		queue(s, SESSION_CMD_STOP, 0);
	end_session(s, now_us, SESSION_ABORTED);
}

enum session_refusal session_refused(const struct session *s)
{
	return s->refusal;
}

bool session_advisory(const struct session *s)
{
	return s->advisory;
}

static void check_mismatch(struct session *s, uint64_t now,
			   const struct treadmill_data *d)
{
	uint32_t diff;

	if (!(d->present & TREADMILL_DATA_SPEED) || s->done_speed == NO_TARGET ||
	    s->in_flight || s->n_out)
		return;
	diff = (uint32_t) abs((int32_t) d->speed - s->done_speed);
	if (diff <= s->cfg.mismatch_kmh) {
		s->mismatch_since = 0;
		if (s->mismatch_raised) {
			struct session_event *e;

			s->mismatch_raised = false;
			e = push_event(s, SESSION_EV_ALARM, now);
			e->alarm = SESSION_ALARM_SPEED_MISMATCH;
			e->value = d->speed;
		}
		return;
	}
	if (!s->mismatch_since)
		s->mismatch_since = MAX(now, s->done_speed_at);
}

void session_on_data(struct session *s, uint64_t now_us,
		     const struct treadmill_data *data)
{
	s->last_data = now_us;
	if (data->present & TREADMILL_DATA_SPEED)
		s->belt_speed = data->speed;
	if (s->stale_raised) {
		struct session_event *e;

		s->stale_raised = false;
		e = push_event(s, SESSION_EV_ALARM, now_us);
		e->alarm = SESSION_ALARM_STALE_DATA;
	}

	if (s->await_first_data) {
		bool moving = (data->present & TREADMILL_DATA_SPEED) &&
			      data->speed > 0;

		s->await_first_data = false;
		/*
		 * Link back after a drop (docs/design.md): a belt still moving gets
		 * walk pace at once and a recovery walk before the plan goes
		 * on; a belt found stopped waits for an explicit resume. A
		 * session paused before the drop stays paused (walk pace only,
		 * if the belt moves anyway).
		 */
		if (s->paused_before_drop != SESSION_PAUSE_NONE) {
			/* Walking pace for a belt faster than it; a slower
			 * one is left as it is: never faster, never a start
			 * (paced(8) "Safety rules"). */
			if (moving && data->speed > session_walk_speed(s))
				queue_speed(s, session_walk_speed(s));
			set_state(s, now_us, SESSION_PAUSED,
				  s->paused_before_drop);
		} else if (moving) {
			continue_at_walk(s, now_us);
		} else {
			set_state(s, now_us, SESSION_PAUSED,
				  SESSION_PAUSE_BELT_STOPPED);
		}
		return;
	}
	/* Advisory: the runner's checker judges the person, one way only
	 * (slower than asked is never an alarm). */
	if (belt_active(s->state) && !s->advisory)
		check_mismatch(s, now_us, data);
}

void session_on_status(struct session *s, uint64_t now_us,
		       const struct treadmill_status *status)
{
	switch (status->kind) {
	case TREADMILL_STATUS_STOPPED_BY_USER:
		pause_for(s, now_us, SESSION_PAUSE_CONSOLE_STOP);
		break;
	case TREADMILL_STATUS_PAUSED_BY_USER:
		pause_for(s, now_us, SESSION_PAUSE_CONSOLE_PAUSE);
		break;
	case TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY:
		pause_for(s, now_us, SESSION_PAUSE_SAFETY_KEY);
		break;
	case TREADMILL_STATUS_RESET:
	case TREADMILL_STATUS_CONTROL_LOST:
		/* docs/ftms.md 1.8: stop issuing targets; re-request control
		 * only as a deliberate action (the person's resume). */
		s->in_control = false;
		pause_for(s, now_us, SESSION_PAUSE_CONTROL_LOST);
		break;
	case TREADMILL_STATUS_CONTROL_GAINED:
		s->in_control = true;
		break;
	case TREADMILL_STATUS_STARTED_BY_USER:
	case TREADMILL_STATUS_TARGET_SPEED_CHANGED:
	case TREADMILL_STATUS_TARGET_INCLINE_CHANGED:
	case TREADMILL_STATUS_OTHER:
		/* The person's own console actions: logged by the shell, and
		 * never a reason for paced to move the belt. */
		break;
	}
}

void session_command_done(struct session *s, uint64_t now_us, int err,
			  uint8_t result)
{
	struct session_event *e;
	struct session_cmd cmd = s->flying;

	if (!s->in_flight)
		return;
	s->in_flight = false;
	e = push_event(s, SESSION_EV_RESULT, now_us);
	e->cmd = cmd;
	e->err = err;
	e->result = result;

	/* Start on a running belt answers Operation Failed (docs/ftms.md 1.7,
	 * 0x04): the belt moves either way. Any other failure pauses below
	 * with the clock still frozen. */
	if (cmd.kind == SESSION_CMD_START && s->await_start &&
	    belt_active(s->state) && (!err || result == 0x04))
		clock_run(s, now_us);

	if (!err) {
		if (cmd.kind == SESSION_CMD_SET_SPEED) {
			s->done_speed = cmd.arg;
			s->done_speed_at = now_us;
			s->mismatch_since = 0;
		} else if (cmd.kind == SESSION_CMD_REQUEST_CONTROL) {
			s->in_control = true;
		}
		return;
	}

	if (cmd.kind == SESSION_CMD_SET_SPEED)
		s->target_speed = NO_TARGET;
	else if (cmd.kind == SESSION_CMD_SET_INCLINE)
		s->target_incline = NO_TARGET;

	/* Start or resume on a running belt answers Operation Failed
	 * (docs/ftms.md 1.7, 0x04): harmless. Stop likewise. */
	if ((cmd.kind == SESSION_CMD_START || cmd.kind == SESSION_CMD_STOP ||
	     cmd.kind == SESSION_CMD_PAUSE) && result == 0x04)
		return;
	if (err == -ENOTCONN || err == -ECANCELED)
		return;

	e = push_event(s, SESSION_EV_ALARM, now_us);
	e->alarm = SESSION_ALARM_COMMAND_FAILED;
	e->active = true;
	e->cmd = cmd;
	e->err = err;
	e->result = result;
	if (cmd.kind == SESSION_CMD_START)
		pause_for(s, now_us, SESSION_PAUSE_COMMAND_FAILED);
	else if (err == -EPERM)
		pause_for(s, now_us, SESSION_PAUSE_CONTROL_LOST);
}

static void check_alarms(struct session *s, uint64_t now)
{
	struct session_event *e;

	if (!belt_active(s->state) || !s->link_up)
		return;
	if (!s->stale_raised &&
	    now >= s->last_data + s->cfg.stale_data_ms * USEC_PER_MSEC) {
		/* docs/design.md: stale data is an alarm, not a reason to guess. */
		s->stale_raised = true;
		e = push_event(s, SESSION_EV_ALARM, now);
		e->alarm = SESSION_ALARM_STALE_DATA;
		e->active = true;
		e->value = (int32_t) ((now - s->last_data) / USEC_PER_MSEC);
	}
	if (s->mismatch_since && !s->mismatch_raised &&
	    now >= s->mismatch_since + s->cfg.mismatch_ms * USEC_PER_MSEC) {
		s->mismatch_raised = true;
		e = push_event(s, SESSION_EV_ALARM, now);
		e->alarm = SESSION_ALARM_SPEED_MISMATCH;
		e->active = true;
		e->value = s->done_speed;
	}
}

void session_tick(struct session *s, uint64_t now_us)
{
	if (s->state == SESSION_COUNTDOWN && now_us >= s->countdown_end) {
		begin(s, now_us);
	}
	if (belt_active(s->state)) {
		uint32_t p = session_profile_ms(s, now_us);
		long idx;

		/* First: an increase not yet announced makes the current
		 * segment wait for its countdown. */
		announce(s, now_us, true);
		idx = plan_find(&s->plan, p);
		if (idx < 0 && p >= plan_end_ms(&s->plan))
			finish(s, now_us);
		else if (idx >= 0 && idx != s->cur)
			enter_segment(s, now_us, idx, true);
		if (belt_active(s->state))
			say_halfway(s, now_us);
	}
	check_alarms(s, now_us);
}

uint64_t session_next_deadline(const struct session *s)
{
	uint64_t d = UINT64_MAX;

	if (s->state == SESSION_COUNTDOWN)
		return s->countdown_end;
	if (!belt_active(s->state))
		return d;
	if (s->clock_running && s->cur >= 0 && (size_t) s->cur < s->plan.n) {
		const struct plan_segment *seg = &s->plan.seg[s->cur];
		uint32_t c = next_cue_ms(s);

		d = real_at(s, seg->start_ms + seg->duration_ms);
		if (c != UINT32_MAX)
			d = MIN(d, real_at(s, c));
	}
	if (s->link_up && !s->stale_raised)
		d = MIN(d, s->last_data + s->cfg.stale_data_ms * USEC_PER_MSEC);
	if (s->mismatch_since && !s->mismatch_raised)
		d = MIN(d, s->mismatch_since + s->cfg.mismatch_ms * USEC_PER_MSEC);
	return d;
}

bool session_next_change(const struct session *s, uint64_t *ret_at_us,
			 uint16_t *ret_speed)
{
	const struct plan_segment *next;

	if (!belt_active(s->state) || !s->clock_running || s->cur < 0 ||
	    (size_t) s->cur + 1 >= s->plan.n)
		return false;
	next = &s->plan.seg[s->cur + 1];
	*ret_at_us = real_at(s, next->start_ms);
	*ret_speed = seg_speed(s, next);
	return true;
}

/* ---- queries ---- */

enum session_state session_state(const struct session *s)
{
	return s->state;
}

enum session_pause_reason session_pause_reason(const struct session *s)
{
	return s->reason;
}

bool session_done(const struct session *s)
{
	return s->state == SESSION_FINISHED || s->state == SESSION_ABORTED;
}

const struct plan_segment *session_segment(const struct session *s)
{
	if (s->cur < 0 || (size_t) s->cur >= s->plan.n || session_done(s))
		return NULL;
	return &s->plan.seg[s->cur];
}

const struct plan *session_plan(const struct session *s)
{
	return &s->plan;
}

bool session_completed(const struct session *s)
{
	return s->state == SESSION_FINISHED && !s->cut_short;
}

unsigned session_presses(const struct session *s)
{
	return s->presses.count;
}

uint16_t session_target_speed(const struct session *s)
{
	return s->target_speed < 0 ? 0 : (uint16_t) s->target_speed;
}

const char *session_state_name(enum session_state state)
{
	switch (state) {
	case SESSION_IDLE:
		return "idle";
	case SESSION_COUNTDOWN:
		return "countdown";
	case SESSION_RUNNING:
		return "running";
	case SESSION_RECOVERY:
		return "recovery";
	case SESSION_PAUSED:
		return "paused";
	case SESSION_COOLDOWN:
		return "cooldown";
	case SESSION_FINISHED:
		return "finished";
	case SESSION_ABORTED:
		return "aborted";
	}
	return "unknown";
}

const char *session_pause_reason_name(enum session_pause_reason reason)
{
	switch (reason) {
	case SESSION_PAUSE_NONE:
		return "none";
	case SESSION_PAUSE_USER:
		return "user";
	case SESSION_PAUSE_CONSOLE_STOP:
		return "console-stop";
	case SESSION_PAUSE_CONSOLE_PAUSE:
		return "console-pause";
	case SESSION_PAUSE_SAFETY_KEY:
		return "safety-key";
	case SESSION_PAUSE_CONTROL_LOST:
		return "control-lost";
	case SESSION_PAUSE_LINK_DOWN:
		return "link-down";
	case SESSION_PAUSE_BELT_STOPPED:
		return "belt-stopped";
	case SESSION_PAUSE_COMMAND_FAILED:
		return "command-failed";
	case SESSION_PAUSE_RESTART:
		return "restarted";
	}
	return "unknown";
}

const char *session_cmd_name(enum session_cmd_kind kind)
{
	switch (kind) {
	case SESSION_CMD_REQUEST_CONTROL:
		return "request-control";
	case SESSION_CMD_START:
		return "start";
	case SESSION_CMD_STOP:
		return "stop";
	case SESSION_CMD_PAUSE:
		return "pause";
	case SESSION_CMD_SET_SPEED:
		return "set-speed";
	case SESSION_CMD_SET_INCLINE:
		return "set-incline";
	}
	return "unknown";
}

const char *session_alarm_name(enum session_alarm alarm)
{
	switch (alarm) {
	case SESSION_ALARM_STALE_DATA:
		return "stale-data";
	case SESSION_ALARM_SPEED_MISMATCH:
		return "speed-mismatch";
	case SESSION_ALARM_COMMAND_FAILED:
		return "command-failed";
	}
	return "unknown";
}

const char *session_refusal_name(enum session_refusal r)
{
	switch (r) {
	case SESSION_REFUSAL_NONE:
		return "none";
	case SESSION_REFUSAL_RANGE_INVALID:
		return "range-invalid";
	case SESSION_REFUSAL_INCREMENT:
		return "increment";
	case SESSION_REFUSAL_MIN_ABOVE_CAP:
		return "min-above-cap";
	case SESSION_REFUSAL_MIN_ABOVE_WALK:
		return "min-above-walk";
	case SESSION_REFUSAL_WALK_UNREACHABLE:
		return "walk-unreachable";
	}
	return "unknown";
}

int session_refusal_text(enum session_refusal r, int32_t value, int32_t limit,
			 char *buf, size_t len)
{
	char v[24], l[24];

	snprintf(v, sizeof(v), "%d.%02d km/h", value / 100, abs(value % 100));
	snprintf(l, sizeof(l), "%d.%02d km/h", limit / 100, abs(limit % 100));
	switch (r) {
	case SESSION_REFUSAL_NONE:
		break;
	case SESSION_REFUSAL_RANGE_INVALID:
		return snprintf(buf, len, "the treadmill reports a speed range from %s down to %s, which cannot be right",
				l, v);
	case SESSION_REFUSAL_INCREMENT:
		return snprintf(buf, len, "the treadmill's speed increment of %s is coarser than the %s paced accepts",
				v, l);
	case SESSION_REFUSAL_MIN_ABOVE_CAP:
		return snprintf(buf, len, "the treadmill's slowest speed, %s, is above the speed cap of %s",
				v, l);
	case SESSION_REFUSAL_MIN_ABOVE_WALK:
		return snprintf(buf, len, "the treadmill's slowest speed, %s, is above the walking pace of %s",
				v, l);
	case SESSION_REFUSAL_WALK_UNREACHABLE:
		return snprintf(buf, len, "the treadmill cannot run near the walking pace of %s (the nearest it allows is %s)",
				l, v);
	}
	return snprintf(buf, len, "the treadmill can be used");
}
