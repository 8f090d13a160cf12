/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cue engine's rules, checked over a session's whole event stream. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue-check.h"

static bool is_cue(const struct session_event *e, enum cue_kind kind)
{
	return e->kind == SESSION_EV_CUE && e->cue.kind == kind;
}

/* A command, or in an advisory session the advice that stands for it. */
static bool is_cmd(const struct session_event *e, enum session_cmd_kind kind)
{
	return (e->kind == SESSION_EV_COMMAND || e->kind == SESSION_EV_ADVICE) &&
	       e->cmd.kind == kind;
}

/* CUE_DUMP=1 in the environment: the events up to a failure, on stderr. */
static void dump(const struct session_event *ev, size_t n)
{
	if (!getenv("CUE_DUMP"))
		return;
	for (size_t k = 0; k < n; k++) {
		const struct session_event *e = &ev[k];

		fprintf(stderr, "%4zu %12llu us %8u ms %-9s", k,
			(unsigned long long) e->real_us, e->profile_ms,
			session_state_name(e->state));
		if (e->kind == SESSION_EV_CUE)
			fprintf(stderr, " cue %s speed %u in %u%s\n",
				cue_kind_name(e->cue.kind), e->cue.speed,
				e->cue.in_s, e->cue.tick ? " tick" : "");
		else if (e->kind == SESSION_EV_COMMAND ||
			 e->kind == SESSION_EV_ADVICE)
			fprintf(stderr, " %s %s %d\n",
				e->kind == SESSION_EV_ADVICE ? "advice" : "command",
				session_cmd_name(e->cmd.kind), e->cmd.arg);
		else if (e->kind == SESSION_EV_SEGMENT)
			fprintf(stderr, " segment %u+%u at %u%s\n",
				e->seg.start_ms, e->seg.duration_ms,
				e->seg.speed, e->seg.jog_like ? " jog" : "");
		else
			fprintf(stderr, " event %d\n", e->kind);
	}
}

/* since: real time the previous speed command went out. Its event comes
 * after the cues of its instant (commands are handed out after the input
 * that queued them), which were said with the belt at that speed. */
static void check_increase(const struct session_event *ev, size_t i,
			   uint64_t since, uint32_t lead_ms)
{
	const struct session_event *c = &ev[i];
	long found = -1;

	for (size_t k = 0; k < i; k++)
		if (is_cue(&ev[k], CUE_COUNTDOWN) && !ev[k].cue.tick &&
		    ev[k].real_us >= since && ev[k].cue.speed == c->cmd.arg)
			found = (long) k;
	if (found < 0 || ev[found].profile_ms + lead_ms > c->profile_ms)
		dump(ev, i + 1);
	ck_assert_msg(found >= 0,
		      "increase to %d at %u ms (event %zu) without a countdown",
		      c->cmd.arg, c->profile_ms, i);
	ck_assert_msg(ev[found].profile_ms + lead_ms <= c->profile_ms,
		      "increase to %d at %u ms: countdown only at %u ms",
		      c->cmd.arg, c->profile_ms, ev[found].profile_ms);
}

static void check_segment(const struct session_event *ev, size_t n, size_t i)
{
	bool told = false;

	for (size_t k = i + 1; k < n && ev[k].real_us == ev[i].real_us &&
			       ev[k].kind != SESSION_EV_SEGMENT; k++)
		told = told || is_cue(&ev[k], CUE_CHANGE);
	for (size_t k = i; k-- > 0 && ev[k].real_us == ev[i].real_us; )
		told = told || is_cue(&ev[k], CUE_SYMPTOM);
	ck_assert_msg(told, "segment %zu at %u ms entered without its cue",
		      ev[i].seg_index, ev[i].profile_ms);
}

void cue_check_events(const struct session_event *ev, size_t n, uint16_t walk,
		      uint32_t lead_ms, struct cue_check *ret)
{
	struct cue_check r;
	int32_t prev = 0;
	bool after_start = false, ended = false;
	uint64_t since = 0;
	long finish = -1, last_cue = -1;
	unsigned tick = 0;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		const struct session_event *e = &ev[i];

		if (is_cmd(e, SESSION_CMD_START)) {
			prev = 0;
			after_start = true;
			r.started = true;
		} else if (is_cmd(e, SESSION_CMD_SET_SPEED)) {
			if (e->cmd.arg > prev &&
			    !(after_start && prev == 0 && e->cmd.arg <= walk)) {
				check_increase(ev, i, since, lead_ms);
				r.increases++;
			}
			prev = e->cmd.arg;
			after_start = false;
			since = e->real_us;
		} else if (e->kind == SESSION_EV_SEGMENT) {
			r.segments++;
			check_segment(ev, n, i);
		} else if (e->kind == SESSION_EV_END) {
			ended = true;
		}
		if (e->kind != SESSION_EV_CUE)
			continue;
		last_cue = (long) i;
		switch (e->cue.kind) {
		case CUE_COUNTDOWN:
			r.countdowns++;
			if (e->cue.tick) {
				ck_assert_uint_ge(e->cue.in_s, 1);
				ck_assert_uint_le(e->cue.in_s, CUE_TICKS);
				ck_assert_msg(!tick || e->cue.in_s < tick,
					      "tick %u after %u", e->cue.in_s,
					      tick);
				tick = e->cue.in_s;
			} else if (e->state != SESSION_COUNTDOWN) {
				ck_assert_uint_ge(e->cue.in_s * 1000, lead_ms);
				tick = 0;
			}
			break;
		case CUE_CHANGE:
			r.changes++;
			tick = 0;
			break;
		case CUE_SYMPTOM:
			r.symptoms++;
			tick = 0;
			break;
		case CUE_HALFWAY:
			r.halfways++;
			break;
		case CUE_FINISH:
			r.finishes++;
			finish = (long) i;
			break;
		case CUE_FORM:
			r.forms++;
			break;
		case CUE_LAST:
			r.lasts++;
			break;
		case CUE_COOLDOWN:
		case CUE_ALARM:
		case CUE_COMPLIED:
			break;
		}
	}
	ck_assert_uint_le(r.halfways, 1);
	ck_assert_uint_le(r.lasts, 1);
	ck_assert_uint_eq(r.finishes, r.started && ended ? 1 : 0);
	if (finish >= 0)
		ck_assert_int_eq(finish, last_cue);
	*ret = r;
}
