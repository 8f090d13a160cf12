/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session laid out second by second on its plan clock, for the exports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export-timeline.h"
#include "scaleback.h"
#include "util.h"

/* The integral of belt speed is kept in 0.01 km/h x ms; 3600 of those
 * are one centimetre. */
#define ACC_PER_CM	3600ULL

struct anchor {
	uint64_t integral_cm;		/* the integral when it was reported */
	int64_t d_cm;			/* the treadmill's counter then */
};

struct builder {
	const struct session_read *log;
	struct export_timeline *tl;
	size_t cap_sec, cap_laps, cap_marks, cap_anchors;
	uint64_t *lap_acc;		/* per lap: integral at start, end */

	bool started, paused, ended;
	uint32_t plan_ms;		/* plan clock of the last line */
	uint32_t next_tick;		/* the next second to lay out */
	uint64_t pause_total_ms;	/* activity clock - plan clock */
	uint64_t pause_mono_us;		/* when the running pause began */
	bool just_resumed;		/* the next segment line may repeat */
	uint32_t press_at_ms;		/* plan time of the last press ... */
	bool press_pending;		/* ... not yet followed by a segment */
	const struct session_line *pending_seg;	/* before the start */

	uint16_t belt, target;
	uint8_t src, hr;
	int16_t incline;
	uint64_t acc;			/* integral, 0.01 km/h x ms */
	uint32_t acc_ms;		/* plan time the integral reached */
	uint32_t presses;

	struct anchor *anchors;
	size_t n_anchors;
};

bool export_distance_agree(uint32_t a_cm, uint32_t b_cm)
{
	uint64_t hi = MAX(a_cm, b_cm), lo = MIN(a_cm, b_cm);

	return (hi - lo) * 100 <=
	       hi * EXPORT_DISTANCE_TOLERANCE_PCT +
	       EXPORT_DISTANCE_TOLERANCE_M * 100ULL * 100;
}

static bool running_state(const char *s)
{
	return !strcmp(s, "running") || !strcmp(s, "recovery") ||
	       !strcmp(s, "cooldown");
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	return paced_realloc(p, *cap * size);
}

/* UTC of a monotonic time, from the open line's pair of clocks. */
static int64_t utc_ms(const struct builder *b, const struct session_line *l)
{
	const struct session_line *open = &b->log->lines[0];

	if (!l->has_mono || !open->has_mono)
		return l->t_ms;
	return open->t_ms + ((int64_t) l->mono_us - (int64_t) open->mono_us) / 1000;
}

/* Real time since the pause began, on the plan clock's scale. Scaled
 * in microseconds before dividing: 1.4919 s at speed-up 60 is 89.5 s,
 * not the 89.46 s a truncation to milliseconds first would make of it
 * (the rounding to whole seconds then goes the other way). */
static uint64_t paused_ms(const struct builder *b, const struct session_line *l)
{
	uint64_t us, k = b->log->open.speedup;

	if (!l->has_mono || l->mono_us < b->pause_mono_us)
		return 0;
	us = l->mono_us - b->pause_mono_us;
	/* The activity clock is 32 bits of milliseconds (export-timeline.h). */
	if (us > (uint64_t) UINT32_MAX * 1000 / k)
		return UINT32_MAX;
	return us * k / 1000;
}

static uint32_t elapsed_ms(const struct builder *b,
			   const struct session_line *l)
{
	uint64_t e = b->plan_ms + b->pause_total_ms;

	if (b->paused)
		e += paused_ms(b, l);
	return (uint32_t) MIN(e, (uint64_t) UINT32_MAX);
}

static void integrate_to(struct builder *b, uint32_t ms)
{
	if (ms > b->acc_ms) {
		b->acc += (uint64_t) b->belt * (ms - b->acc_ms);
		b->acc_ms = ms;
	}
}

static void open_lap(struct builder *b, const struct session_line *seg,
		     uint32_t at_ms)
{
	struct export_timeline *tl = b->tl;
	struct export_lap *lap;

	/* A segment replaced at the moment it began lasted no time: it is
	 * not a lap (docs: export-timeline.h). */
	if (tl->n_laps && tl->laps[tl->n_laps - 1].start_plan_ms == at_ms &&
	    !tl->laps[tl->n_laps - 1].count)
		tl->n_laps--;
	tl->laps = grow(tl->laps, &b->cap_laps, tl->n_laps, sizeof(*tl->laps));
	b->lap_acc = paced_realloc(b->lap_acc, b->cap_laps * 2 * sizeof(uint64_t));
	lap = &tl->laps[tl->n_laps];
	memset(lap, 0, sizeof(*lap));
	lap->start_plan_ms = lap->end_plan_ms = at_ms;
	lap->start_elapsed_ms = lap->end_elapsed_ms =
		(uint32_t) MIN(at_ms + b->pause_total_ms, (uint64_t) UINT32_MAX);
	if (seg) {
		snprintf(lap->phase, sizeof(lap->phase), "%s", seg->u.segment.phase);
		snprintf(lap->pace, sizeof(lap->pace), "%s", seg->u.segment.pace);
		lap->speed = seg->u.segment.speed;
		lap->incline = seg->u.segment.incline;
		lap->jog = seg->u.segment.jog;
		lap->line = seg->line;
		lap->press = b->press_pending && b->press_at_ms == at_ms;
	}
	b->press_pending = false;
	b->lap_acc[2 * tl->n_laps] = b->lap_acc[2 * tl->n_laps + 1] = b->acc;
	tl->n_laps++;
}

static void close_lap(struct builder *b)
{
	struct export_timeline *tl = b->tl;
	struct export_lap *lap;

	if (!tl->n_laps)
		return;
	lap = &tl->laps[tl->n_laps - 1];
	lap->end_plan_ms = b->plan_ms;
	lap->end_elapsed_ms = (uint32_t) MIN(b->plan_ms + b->pause_total_ms,
					     (uint64_t) UINT32_MAX);
	b->lap_acc[2 * (tl->n_laps - 1) + 1] = b->acc;
}

static void tick(struct builder *b)
{
	struct export_timeline *tl = b->tl;
	struct export_second *s;
	struct export_lap *lap;

	if (!tl->n_laps)
		open_lap(b, NULL, b->next_tick * 1000);
	integrate_to(b, b->next_tick * 1000);
	tl->sec = grow(tl->sec, &b->cap_sec, tl->n_sec, sizeof(*tl->sec));
	s = &tl->sec[tl->n_sec];
	s->plan_s = b->next_tick;
	s->elapsed_s = (uint32_t) (b->next_tick + b->pause_total_ms / 1000);
	s->belt_speed = b->belt;
	s->target_speed = b->target;
	s->incline = b->incline;
	s->heart_rate = b->hr;
	s->speed_source = b->src;
	s->integral_cm = (uint32_t) MIN(b->acc / ACC_PER_CM, (uint64_t) UINT32_MAX);
	s->lap = (uint32_t) tl->n_laps - 1;
	s->presses = b->presses;
	lap = &tl->laps[tl->n_laps - 1];
	if (!lap->count)
		lap->first = (uint32_t) tl->n_sec;
	lap->count++;
	tl->n_sec++;
	b->next_tick++;
	b->just_resumed = false;
}

/* Move the plan clock to ms, laying out the seconds before it (or up to
 * and including it, for the end). */
static void advance(struct builder *b, uint32_t ms, bool inclusive)
{
	if (!b->started || b->ended || b->paused)
		return;
	if (ms < b->plan_ms)
		ms = b->plan_ms;	/* a late timer: the plan clock never
					 * goes back */
	while ((uint64_t) b->next_tick * 1000 < ms ||
	       (inclusive && (uint64_t) b->next_tick * 1000 == ms))
		tick(b);
	integrate_to(b, ms);
	b->plan_ms = ms;
}

static void add_mark(struct builder *b, enum export_mark_kind kind,
		     const struct session_line *l, const char *what)
{
	struct export_timeline *tl = b->tl;
	struct export_mark *m;

	tl->marks = grow(tl->marks, &b->cap_marks, tl->n_marks,
			 sizeof(*tl->marks));
	m = &tl->marks[tl->n_marks++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->line = l->line;
	m->plan_ms = b->plan_ms;
	m->elapsed_ms = elapsed_ms(b, l);
	snprintf(m->what, sizeof(m->what), "%s", what);
}

static void start(struct builder *b, const struct session_line *l)
{
	b->started = true;
	b->plan_ms = b->acc_ms = l->session_ms;
	b->next_tick = (l->session_ms + 999) / 1000;
	b->tl->start_unix_ms = utc_ms(b, l) - l->session_ms;
	if (b->pending_seg)
		open_lap(b, b->pending_seg, l->session_ms);
}

static void finish(struct builder *b, uint32_t ms)
{
	if (b->ended)
		return;
	advance(b, ms, true);
	close_lap(b);
	b->ended = true;
}

static void on_state(struct builder *b, const struct session_line *l)
{
	const char *s = l->u.state.state;

	if (running_state(s)) {
		if (!b->started) {
			start(b, l);
		} else if (b->paused) {
			/* Docs: export-timeline.h, pauses last their real
			 * time times the speed-up, in whole seconds. */
			uint64_t ms = (paused_ms(b, l) + 500) / 1000 * 1000;

			b->pause_total_ms += MAX(ms, 1000);
			b->paused = false;
			b->just_resumed = true;
			add_mark(b, EXPORT_MARK_RESUME, l, "");
		}
	} else if (!strcmp(s, "paused")) {
		if (b->started && !b->paused && !b->ended) {
			add_mark(b, EXPORT_MARK_PAUSE, l, l->u.state.reason);
			b->paused = true;
			b->pause_mono_us = l->has_mono ? l->mono_us : 0;
			b->hr = 0;
		}
	} else if (!strcmp(s, "finished") || !strcmp(s, "aborted")) {
		if (b->started)
			finish(b, l->session_ms);
	}
}

static bool same_segment(const struct export_lap *lap,
			 const struct session_line_segment *sg)
{
	return !strcmp(lap->phase, sg->phase) && !strcmp(lap->pace, sg->pace) &&
	       lap->speed == sg->speed && lap->incline == sg->incline;
}

static void on_segment(struct builder *b, const struct session_line *l)
{
	struct export_timeline *tl = b->tl;

	if (!b->started) {
		b->pending_seg = l;
		return;
	}
	if (b->ended)
		return;
	b->target = l->u.segment.speed;
	/* On resuming, the runner announces the interrupted segment again:
	 * the same lap goes on. */
	if (b->just_resumed && tl->n_laps &&
	    same_segment(&tl->laps[tl->n_laps - 1], &l->u.segment)) {
		b->just_resumed = false;
		return;
	}
	close_lap(b);
	open_lap(b, l, b->plan_ms);
}

static void on_command(struct builder *b, const struct session_line *l)
{
	const struct session_line_command *c = &l->u.command;
	bool speed = !strcmp(c->command, "set-speed") && c->has_value;

	if (l->kind != SESSION_LINE_RESULT) {
		/* What paced asked for (or advised): the target. */
		if (speed)
			b->target = (uint16_t) c->value;
		return;
	}
	/* What the treadmill acknowledged: the belt. */
	if (!c->ok)
		return;
	if (speed) {
		b->belt = (uint16_t) c->value;
		b->src = EXPORT_SPEED_COMMAND;
	} else if (!strcmp(c->command, "set-incline") && c->has_value) {
		b->incline = (int16_t) c->value;
	} else if (!strcmp(c->command, "pause") ||
		   !strcmp(c->command, "stop")) {
		b->belt = 0;
		b->src = EXPORT_SPEED_COMMAND;
	}
}

static void on_sample(struct builder *b, const struct session_line *l)
{
	const struct session_line_sample *sm = &l->u.sample;

	if (sm->has_distance) {
		struct anchor *a;

		b->anchors = grow(b->anchors, &b->cap_anchors, b->n_anchors,
				  sizeof(*b->anchors));
		a = &b->anchors[b->n_anchors++];
		a->integral_cm = b->started ? b->acc / ACC_PER_CM : 0;
		a->d_cm = (int64_t) sm->distance_m * 100;
	}
	if (!b->started)
		return;
	if (sm->has_speed) {
		b->belt = sm->speed;
		b->src = EXPORT_SPEED_SAMPLE;
	}
	if (sm->has_incline)
		b->incline = sm->incline;
	b->hr = b->paused ? 0 : sm->has_hr ? sm->heart_rate : 0;
}

static void on_press(struct builder *b, const struct session_line *l)
{
	const struct session_line_press *p = &l->u.press;
	struct export_timeline *tl = b->tl;

	if (!b->started || b->ended)
		return;
	if (l->kind == SESSION_LINE_SYMPTOM) {
		add_mark(b, EXPORT_MARK_PRESS, l, p->kind);
		tl->marks[tl->n_marks - 1].press = p->press;
		if (p->press) {
			b->presses = MAX(b->presses, p->press);
			b->press_pending = true;
			b->press_at_ms = b->plan_ms;
		}
		return;
	}
	/* A scale-back follows its press: say what it did there. */
	for (size_t i = tl->n_marks; i-- > 0;) {
		struct export_mark *m = &tl->marks[i];
		struct scaleback_step st = {
			.jog_speed = p->jog_speed, .jog_time = p->jog_time,
			.no_jog = p->no_jog, .end = p->end,
		};

		if (m->kind == EXPORT_MARK_PRESS && m->press == p->press) {
			scaleback_step_describe(&st, m->effect,
						sizeof(m->effect));
			break;
		}
	}
}

static void apply(struct builder *b, const struct session_line *l)
{
	struct export_timeline *tl = b->tl;

	switch (l->kind) {
	case SESSION_LINE_STATE:
		on_state(b, l);
		break;
	case SESSION_LINE_SEGMENT:
		on_segment(b, l);
		break;
	case SESSION_LINE_COMMAND:
	case SESSION_LINE_RESULT:
	case SESSION_LINE_ADVICE:
		if (b->started && !b->ended)
			on_command(b, l);
		break;
	case SESSION_LINE_SAMPLE:
		if (!b->ended)
			on_sample(b, l);
		break;
	case SESSION_LINE_SYMPTOM:
	case SESSION_LINE_SCALEBACK:
		on_press(b, l);
		break;
	case SESSION_LINE_END:
		snprintf(tl->outcome, sizeof(tl->outcome), "%s",
			 l->u.end.outcome);
		tl->completed = l->u.end.completed;
		b->presses = MAX(b->presses, l->u.end.presses);
		if (b->started)
			finish(b, l->session_ms);
		break;
	case SESSION_LINE_OPEN:
	case SESSION_LINE_ALARM:
	case SESSION_LINE_CUE:
	case SESSION_LINE_LINK:
		break;
	}
}

/* ---- distance: the treadmill's counter along the integral ---- */

/* Points (integral, distance) in cm, increasing in both, starting at the
 * origin: the counter relative to the session's start, restarts joined. */
static size_t anchor_points(const struct builder *b, struct anchor *pt)
{
	int64_t base;
	size_t n = 0;

	pt[n++] = (struct anchor) { 0, 0 };
	if (!b->n_anchors)
		return n;
	/* A counter clearly past what the belt can have done (beyond the
	 * tolerance) counted from before the session: start from there. */
	base = 0;
	if (b->anchors[0].d_cm > (int64_t) b->anchors[0].integral_cm &&
	    !export_distance_agree((uint32_t) MIN(b->anchors[0].d_cm, (int64_t) UINT32_MAX),
				   (uint32_t) b->anchors[0].integral_cm))
		base = b->anchors[0].d_cm - (int64_t) b->anchors[0].integral_cm;
	for (size_t i = 0; i < b->n_anchors; i++) {
		const struct anchor *a = &b->anchors[i];
		struct anchor *prev = &pt[n - 1];
		int64_t d = a->d_cm - base;

		if (i > 0 && a->d_cm < b->anchors[i - 1].d_cm) {
			/* The counter restarted: go on along the integral. */
			d = prev->d_cm + (int64_t) (a->integral_cm -
						    prev->integral_cm);
			base = a->d_cm - d;
		}
		d = MAX(d, prev->d_cm);
		if (a->integral_cm == prev->integral_cm)
			prev->d_cm = d;		/* during a pause: the later */
		else
			pt[n++] = (struct anchor) { a->integral_cm, d };
	}
	return n;
}

/* The distance at integral i along the points (from index *hint on). */
static uint32_t distance_at(const struct anchor *pt, size_t n, uint64_t i,
			    size_t *hint)
{
	size_t j = *hint;
	int64_t d;

	while (j + 1 < n && pt[j + 1].integral_cm <= i)
		j++;
	*hint = j;
	if (j + 1 < n) {
		uint64_t span = pt[j + 1].integral_cm - pt[j].integral_cm;

		d = pt[j].d_cm + (int64_t) ((pt[j + 1].d_cm - pt[j].d_cm) *
					    (double) (i - pt[j].integral_cm) /
					    (double) span);
	} else {
		d = pt[j].d_cm + (int64_t) (i - pt[j].integral_cm);
	}
	return (uint32_t) MIN(MAX(d, (int64_t) 0), (int64_t) UINT32_MAX);
}

static void lay_distance(struct builder *b)
{
	struct export_timeline *tl = b->tl;
	struct anchor *pt = paced_new0(struct anchor, b->n_anchors + 1);
	size_t n = anchor_points(b, pt), hint = 0;
	uint64_t end = b->acc / ACC_PER_CM;

	tl->treadmill_distance = b->n_anchors > 0;
	for (size_t i = 0; i < tl->n_sec; i++)
		tl->sec[i].distance_cm = distance_at(pt, n,
						     tl->sec[i].integral_cm, &hint);
	for (size_t i = 0; i < tl->n_laps; i++) {
		struct export_lap *lap = &tl->laps[i];
		uint32_t d0, d1;
		uint32_t ms = lap->end_plan_ms - lap->start_plan_ms;

		hint = 0;
		d0 = distance_at(pt, n, b->lap_acc[2 * i] / ACC_PER_CM, &hint);
		d1 = distance_at(pt, n, b->lap_acc[2 * i + 1] / ACC_PER_CM,
				 &hint);
		lap->distance_cm = d1 - d0;
		if (ms)
			lap->avg_speed = (uint16_t) MIN((uint64_t) lap->distance_cm *
							ACC_PER_CM / ms, 0xffffU);
	}
	hint = 0;
	tl->integral_cm = (uint32_t) MIN(end, (uint64_t) UINT32_MAX);
	tl->distance_cm = distance_at(pt, n, end, &hint);
	tl->distance_agree = export_distance_agree(tl->distance_cm,
						   tl->integral_cm);
	free(pt);
}

static void summarise(struct export_timeline *tl)
{
	unsigned hr_n = 0;
	uint64_t hr_sum = 0;

	for (size_t i = 0; i < tl->n_laps; i++) {
		struct export_lap *lap = &tl->laps[i];
		unsigned n = 0;
		uint64_t sum = 0;

		for (uint32_t k = lap->first; k < lap->first + lap->count; k++) {
			const struct export_second *s = &tl->sec[k];

			lap->max_speed = MAX(lap->max_speed, s->belt_speed);
			if (!s->heart_rate)
				continue;
			lap->max_hr = MAX(lap->max_hr, s->heart_rate);
			sum += s->heart_rate;
			n++;
		}
		if (n)
			lap->avg_hr = (uint8_t) ((sum + n / 2) / n);
		tl->max_speed = MAX(tl->max_speed, lap->max_speed);
		tl->max_hr = MAX(tl->max_hr, lap->max_hr);
		hr_sum += sum;
		hr_n += n;
	}
	if (hr_n)
		tl->avg_hr = (uint8_t) ((hr_sum + hr_n / 2) / hr_n);
	if (tl->plan_ms)
		tl->avg_speed = (uint16_t) MIN((uint64_t) tl->distance_cm *
					       ACC_PER_CM / tl->plan_ms, 0xffffU);
}

static int by_plan_time(const void *a, const void *b)
{
	const struct session_line *x = *(const struct session_line * const *) a;
	const struct session_line *y = *(const struct session_line * const *) b;

	if (x->session_ms != y->session_ms)
		return x->session_ms < y->session_ms ? -1 : 1;
	/* Same plan time: file order. */
	return x->line < y->line ? -1 : x->line > y->line;
}

int export_timeline_build(const struct session_read *log,
			  struct export_timeline **ret_tl,
			  struct session_read_error *ret_err)
{
	struct export_timeline *tl = paced_new0(struct export_timeline, 1);
	struct builder b = { .log = log, .tl = tl };
	const struct session_line **order;

	tl->open = &log->open;
	snprintf(tl->outcome, sizeof(tl->outcome), "unfinished");
	/* The plan clock is the axis: a segment the timer computed a little
	 * late may be logged after a sample taken just after it. */
	order = paced_new0(const struct session_line *, log->n);
	for (size_t i = 0; i < log->n; i++)
		order[i] = &log->lines[i];
	qsort(order, log->n, sizeof(*order), by_plan_time);
	for (size_t i = 0; i < log->n; i++) {
		/* The second a pause begins belongs to the stretch before
		 * it; anything else at a second comes before its record. */
		bool pause = order[i]->kind == SESSION_LINE_STATE &&
			     !strcmp(order[i]->u.state.state, "paused");

		advance(&b, order[i]->session_ms, pause);
		apply(&b, order[i]);
	}
	free(order);
	if (!b.started) {
		if (ret_err) {
			ret_err->line = 0;
			snprintf(ret_err->text, sizeof(ret_err->text),
				 "%s: the belt never started: nothing to export",
				 log->name);
		}
		free(b.lap_acc);
		free(b.anchors);
		export_timeline_free(tl);
		return -EBADMSG;
	}
	finish(&b, b.plan_ms);
	if (!tl->n_laps) {
		/* Paused at once and never resumed: one empty lap, so every
		 * format has the lap it must have. */
		open_lap(&b, NULL, b.plan_ms);
		close_lap(&b);
	}
	tl->plan_ms = b.plan_ms;
	tl->elapsed_ms = (uint32_t) MIN(b.plan_ms + b.pause_total_ms,
					(uint64_t) UINT32_MAX);
	tl->presses = b.presses;
	lay_distance(&b);
	summarise(tl);
	free(b.lap_acc);
	free(b.anchors);
	*ret_tl = tl;
	return 0;
}

void export_timeline_free(struct export_timeline *tl)
{
	if (!tl)
		return;
	free(tl->sec);
	free(tl->laps);
	free(tl->marks);
	free(tl);
}
