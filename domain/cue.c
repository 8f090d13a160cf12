/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cues: what the person on the belt is told, and the words for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cue.h"
#include "history.h"
#include "programme.h"
#include "progression.h"
#include "util.h"

enum placeholder {
	PH_SPEED,
	PH_GAIT,
	PH_IN,
	PH_COUNT,
	PH_DURATION,
	PH_LEFT,
	PH_NEXT,
	PH_JOG,
	PH_JOGS,
	PH_PRESS,
	PH_CHANGE,
	PH_TIP,
	PH_RESULT,
	PH_REPORTED,
	PH_COUNT_ALL,
};

static const char *const ph_names[PH_COUNT_ALL] = {
	[PH_SPEED] = "speed", [PH_GAIT] = "gait", [PH_IN] = "in",
	[PH_COUNT] = "count", [PH_DURATION] = "duration", [PH_LEFT] = "left",
	[PH_NEXT] = "next", [PH_JOG] = "jog", [PH_JOGS] = "jogs",
	[PH_PRESS] = "press", [PH_CHANGE] = "change", [PH_TIP] = "tip",
	[PH_RESULT] = "result", [PH_REPORTED] = "reported",
};

#define B(p) (1u << (p))

/* Each template: its paced.conf key, its default, what it may name. */
static const struct {
	const char *name;
	const char *text;
	unsigned allowed;
} tpl_info[CUE_TPL_COUNT] = {
	[CUE_TPL_COUNTDOWN] = { "countdown", "{gait} in {in}: {speed}",
		B(PH_SPEED) | B(PH_GAIT) | B(PH_IN) | B(PH_DURATION) },
	[CUE_TPL_TICK] = { "tick", "{count}",
		B(PH_COUNT) | B(PH_SPEED) | B(PH_GAIT) },
	[CUE_TPL_CHANGE] = { "change", "{gait} now: {speed}, {duration}",
		B(PH_SPEED) | B(PH_GAIT) | B(PH_DURATION) | B(PH_LEFT) |
		B(PH_NEXT) | B(PH_JOG) | B(PH_JOGS) },
	[CUE_TPL_HALFWAY] = { "halfway", "halfway: {left} to go",
		B(PH_LEFT) | B(PH_JOG) | B(PH_JOGS) },
	[CUE_TPL_LAST] = { "last", "last jog: {duration}",
		B(PH_SPEED) | B(PH_DURATION) | B(PH_LEFT) | B(PH_JOG) |
		B(PH_JOGS) },
	[CUE_TPL_COOLDOWN] = { "cooldown", "cool-down: {duration} of easy walking",
		B(PH_SPEED) | B(PH_DURATION) },
	[CUE_TPL_FINISH] = { "finish", "{result}: {next}",
		B(PH_RESULT) | B(PH_NEXT) | B(PH_PRESS) },
	[CUE_TPL_FINISH_ADVISORY] = { "finish_advisory",
		"stop the belt now. {result}: {next}",
		B(PH_RESULT) | B(PH_NEXT) | B(PH_PRESS) },
	[CUE_TPL_SYMPTOM] = { "symptom", "walking now. {change}",
		B(PH_SPEED) | B(PH_CHANGE) | B(PH_PRESS) | B(PH_DURATION) },
	[CUE_TPL_SYMPTOM_ADVISORY] = { "symptom_advisory",
		"slow to a walk now: {speed}. {change}",
		B(PH_SPEED) | B(PH_CHANGE) | B(PH_PRESS) | B(PH_DURATION) },
	[CUE_TPL_FORM] = { "form", "{tip}",
		B(PH_TIP) | B(PH_JOG) | B(PH_JOGS) },
	[CUE_TPL_ALARM] = { "alarm",
		"slow down now: {speed} (the treadmill says {reported})",
		B(PH_SPEED) | B(PH_REPORTED) },
	[CUE_TPL_COMPLIED] = { "complied", "thank you: {reported}",
		B(PH_SPEED) | B(PH_REPORTED) },
};

/*
 * The form tips: one short line each, from the physiotherapists' advice
 * on impact and load that the programme is built on (docs/domain.md 3.1:
 * load and impact management; the pelvic floor takes each landing).
 */
static const char *const default_tips[] = {
	"Land softly.",
	"Short, quick steps.",
	"Stand tall.",
	"Breathe out on the effort.",
};

void cue_config_default(struct cue_config *ret_cfg)
{
	struct cue_config c;

	memset(&c, 0, sizeof(c));
	c.lead_ms = CUE_LEAD_DEFAULT_MS;
	c.ticks = false;
	c.form_every = CUE_FORM_DEFAULT;
	for (size_t i = 0; i < CUE_TPL_COUNT; i++)
		snprintf(c.templates[i], sizeof(c.templates[i]), "%s",
			 tpl_info[i].text);
	for (size_t i = 0; i < ARRAY_SIZE(default_tips); i++)
		snprintf(c.tips[i], sizeof(c.tips[i]), "%s", default_tips[i]);
	c.n_tips = ARRAY_SIZE(default_tips);
	*ret_cfg = c;
}

const char *cue_kind_name(enum cue_kind kind)
{
	switch (kind) {
	case CUE_COUNTDOWN:
		return "countdown";
	case CUE_CHANGE:
		return "change";
	case CUE_HALFWAY:
		return "halfway";
	case CUE_LAST:
		return "last";
	case CUE_COOLDOWN:
		return "cooldown";
	case CUE_FINISH:
		return "finish";
	case CUE_SYMPTOM:
		return "symptom";
	case CUE_FORM:
		return "form";
	case CUE_ALARM:
		return "alarm";
	case CUE_COMPLIED:
		return "complied";
	}
	return NULL;
}

int cue_kind_from_name(const char *name, enum cue_kind *ret_kind)
{
	for (int k = 0; name && k < CUE_KIND_COUNT; k++)
		if (!strcmp(cue_kind_name((enum cue_kind) k), name)) {
			*ret_kind = (enum cue_kind) k;
			return 0;
		}
	return -EINVAL;
}

const char *cue_template_name(enum cue_template tpl)
{
	if ((unsigned) tpl >= CUE_TPL_COUNT)
		return NULL;
	return tpl_info[tpl].name;
}

int cue_template_from_name(const char *name, enum cue_template *ret_tpl)
{
	for (int t = 0; name && t < CUE_TPL_COUNT; t++)
		if (!strcmp(tpl_info[t].name, name)) {
			*ret_tpl = (enum cue_template) t;
			return 0;
		}
	return -EINVAL;
}

/* The placeholder named by s[0..n), or -1. */
static int ph_find(const char *s, size_t n)
{
	for (int p = 0; p < PH_COUNT_ALL; p++)
		if (strlen(ph_names[p]) == n && !strncmp(ph_names[p], s, n))
			return p;
	return -1;
}

static void ph_list(unsigned allowed, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int p = 0; p < PH_COUNT_ALL; p++)
		if (allowed & B(p))
			n += (size_t) snprintf(buf + MIN(n, len - 1),
					       len - MIN(n, len - 1), "%s{%s}",
					       n ? " " : "", ph_names[p]);
}

int cue_template_check(enum cue_template tpl, const char *text, char *why,
		       size_t len)
{
	char list[160];

	if ((unsigned) tpl >= CUE_TPL_COUNT || !text) {
		snprintf(why, len, "no such template");
		return -EINVAL;
	}
	for (const char *c = text; *c; c++) {
		const char *end;
		int p;

		if ((unsigned char) *c < 0x20 || *c == 0x7f) {
			snprintf(why, len, "contains a control character");
			return -EINVAL;
		}
		if (*c == '}' && c[1] == '}') {
			c++;
			continue;
		}
		if (*c != '{')
			continue;
		if (c[1] == '{') {
			c++;
			continue;
		}
		end = strchr(c, '}');
		if (!end) {
			snprintf(why, len, "'{' without its '}' (write {{ for a brace)");
			return -EINVAL;
		}
		p = ph_find(c + 1, (size_t) (end - c - 1));
		ph_list(tpl_info[tpl].allowed, list, sizeof(list));
		if (p < 0) {
			snprintf(why, len, "unknown placeholder {%.*s} (a %s cue knows %s)",
				 (int) MIN(end - c - 1, 40), c + 1,
				 tpl_info[tpl].name, list);
			return -EINVAL;
		}
		if (!(tpl_info[tpl].allowed & B(p))) {
			snprintf(why, len, "{%s} means nothing in a %s cue (it knows %s)",
				 ph_names[p], tpl_info[tpl].name, list);
			return -EINVAL;
		}
		c = end;
	}
	return 0;
}

/* ---- the finish cue's facts ---- */

static bool clean(const struct session_summary *s)
{
	return s->type == SESSION_RUN && !s->presses && s->completed &&
	       s->next_day != CHECKIN_YES;
}

static bool quiet_checkin(const struct session_summary *s)
{
	const struct checkin *c = &s->checkin;

	return s->type == SESSION_CHECKIN && c->leak != CHECKIN_YES &&
	       c->heaviness != CHECKIN_YES && c->bleeding != CHECKIN_YES &&
	       c->pain <= 0;
}

int cue_finish_context(const struct programme *prog, size_t stage,
		       int64_t now_s, const struct history_entry *e, size_t n,
		       const struct cue *finish, struct cue_context *ret_ctx)
{
	struct progression_history h = { 0 };
	struct programme_input in = { .now_s = now_s };
	struct programme_decision d;
	struct history_entry self;
	int r;

	memset(ret_ctx, 0, sizeof(*ret_ctx));
	if (!prog || stage >= prog->n_stages)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		progression_history_add(&h, prog, &e[i]);
	history_entry_init(&self, SESSION_RUN, now_s);
	snprintf(self.programme, sizeof(self.programme), "%s", prog->path);
	snprintf(self.stage, sizeof(self.stage), "%s",
		 prog->stages[stage].id);
	self.presses = finish->press;
	self.completed = finish->outcome == CUE_OUTCOME_COMPLETED;
	progression_history_add(&h, prog, &self);
	r = programme_decide(prog, h.v, h.n, &in, &d, NULL, NULL);
	if (r == 0) {
		ret_ctx->stage = prog->stages[stage].id;
		/* Where she stands on the ladder, not today's verdict: right
		 * after a run, today is a rest day by the rules. */
		ret_ctx->next_stage = prog->stages[d.programme_stage].id;
		/* In a row: a symptom before a session (a pre-check, or a
		 * check-in reporting one) or a session at another stage
		 * ends the run; a check-in without symptoms does not. */
		for (size_t i = h.n; i-- > 0;) {
			if (quiet_checkin(&h.v[i]))
				continue;
			if (!clean(&h.v[i]) || h.v[i].stage != stage)
				break;
			ret_ctx->clean_streak++;
		}
	}
	progression_history_clear(&h);
	return r;
}

/* ---- rendering ---- */

/* A bounded writer: keeps what fits, always terminated. */
struct out {
	char buf[CUE_TEXT_MAX];
	size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
	size_t room = sizeof(o->buf) - 1 - o->n;

	n = MIN(n, room);
	memcpy(o->buf + o->n, s, n);
	o->n += n;
	o->buf[o->n] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static const char *gait(bool jog)
{
	return jog ? "jog" : "walk";
}

/* What a press changes for the rest of the session, from its step. */
static const char *change_words(const struct cue *c)
{
	const struct scaleback_step *st = &c->step;
	bool jogs_left = c->jogs > c->jog_number;

	if (st->end)
		return "Cooling down now, then the session ends";
	if (st->no_jog)
		return jogs_left ? "No more jogging this session" :
				   "Easy walking from here";
	if (!jogs_left)
		return "Easy walking from here";
	if (st->jog_time < SCALEBACK_PERMILLE && st->jog_speed < SCALEBACK_PERMILLE)
		return "Jogs are shorter and slower from here";
	if (st->jog_time * 2 == SCALEBACK_PERMILLE)
		return "Jogs are half as long from here";
	if (st->jog_time < SCALEBACK_PERMILLE)
		return "Jogs are shorter from here";
	if (st->jog_speed < SCALEBACK_PERMILLE)
		return "Jogs are slower from here";
	return "The plan goes on after this walk";
}

/* The finish cue's verdict, from facts only. */
static void result_words(const struct cue *c, const struct cue_context *ctx,
			 char *buf, size_t len)
{
	char ord[24];

	switch (c->outcome) {
	case CUE_OUTCOME_STOPPED:
		snprintf(buf, len, "session stopped");
		return;
	case CUE_OUTCOME_CUT_SHORT:
		snprintf(buf, len, "session over early, and you listened to your body");
		return;
	case CUE_OUTCOME_COMPLETED:
		break;
	}
	if (c->press) {
		snprintf(buf, len, "session complete, and you listened to your body");
	} else if (ctx && ctx->clean_streak >= 2) {
		units_format_ordinal(ctx->clean_streak, ord, sizeof(ord));
		snprintf(buf, len, "%s clean session in a row", ord);
	} else {
		snprintf(buf, len, "session complete, no symptoms");
	}
}

static void next_words(const struct cue *c, const struct cue_context *ctx,
		       enum units u, char *buf, size_t len)
{
	char sp[32];

	buf[0] = '\0';
	if (c->kind == CUE_CHANGE) {
		if (!c->next_speed) {
			snprintf(buf, len, "the end");
			return;
		}
		units_format_speed(u, c->next_speed, sp, sizeof(sp));
		snprintf(buf, len, "%s at %s", gait(c->next_jog), sp);
		return;
	}
	if (!ctx || !ctx->next_stage || !*ctx->next_stage)
		return;
	if (ctx->stage && !strcmp(ctx->stage, ctx->next_stage))
		snprintf(buf, len, "next time is stage %s again",
			 ctx->next_stage);
	else
		snprintf(buf, len, "next time is stage %s", ctx->next_stage);
}

static void expand(struct out *o, int p, const struct cue_config *cfg,
		   enum units u, const struct cue *c,
		   const struct cue_context *ctx)
{
	char v[CUE_TIP_MAX + 32];

	v[0] = '\0';
	switch ((enum placeholder) p) {
	case PH_SPEED:
		if (c->speed)
			units_format_speed(u, c->speed, v, sizeof(v));
		break;
	case PH_GAIT:
		snprintf(v, sizeof(v), "%s", gait(c->jog));
		break;
	case PH_IN:
		units_format_duration_words(c->in_s * 1000, v, sizeof(v));
		break;
	case PH_COUNT:
		snprintf(v, sizeof(v), "%u", c->in_s);
		break;
	case PH_DURATION:
		if (c->duration_ms)
			units_format_duration_words(c->duration_ms, v, sizeof(v));
		break;
	case PH_LEFT:
		units_format_duration_words(c->left_ms, v, sizeof(v));
		break;
	case PH_NEXT:
		next_words(c, ctx, u, v, sizeof(v));
		break;
	case PH_JOG:
		snprintf(v, sizeof(v), "%u", c->jog_number);
		break;
	case PH_JOGS:
		snprintf(v, sizeof(v), "%u", c->jogs);
		break;
	case PH_PRESS:
		snprintf(v, sizeof(v), "%u", c->press);
		break;
	case PH_CHANGE:
		snprintf(v, sizeof(v), "%s", change_words(c));
		break;
	case PH_TIP:
		if (cfg->n_tips && c->form)
			snprintf(v, sizeof(v), "%s",
				 cfg->tips[(c->form - 1) % cfg->n_tips]);
		break;
	case PH_RESULT:
		result_words(c, ctx, v, sizeof(v));
		break;
	case PH_REPORTED:
		units_format_speed(u, c->reported, v, sizeof(v));
		break;
	case PH_COUNT_ALL:
		break;
	}
	put_str(o, v);
}

static enum cue_template template_for(const struct cue *c)
{
	switch (c->kind) {
	case CUE_COUNTDOWN:
		return c->tick ? CUE_TPL_TICK : CUE_TPL_COUNTDOWN;
	case CUE_CHANGE:
		return CUE_TPL_CHANGE;
	case CUE_HALFWAY:
		return CUE_TPL_HALFWAY;
	case CUE_LAST:
		return CUE_TPL_LAST;
	case CUE_COOLDOWN:
		return CUE_TPL_COOLDOWN;
	case CUE_FINISH:
		return c->advisory ? CUE_TPL_FINISH_ADVISORY : CUE_TPL_FINISH;
	case CUE_SYMPTOM:
		return c->advisory ? CUE_TPL_SYMPTOM_ADVISORY : CUE_TPL_SYMPTOM;
	case CUE_FORM:
		return CUE_TPL_FORM;
	case CUE_ALARM:
		return CUE_TPL_ALARM;
	case CUE_COMPLIED:
		break;
	}
	return CUE_TPL_COMPLIED;
}

int cue_render(const struct cue_config *cfg, enum units units,
	       const struct cue *cue, const struct cue_context *ctx,
	       char *buf, size_t len)
{
	enum cue_template t = template_for(cue);
	const char *c = cfg->templates[t];
	struct out o = { .n = 0 };

	o.buf[0] = '\0';
	while (*c) {
		const char *end;
		int p;

		if ((c[0] == '{' && c[1] == '{') || (c[0] == '}' && c[1] == '}')) {
			put(&o, c, 1);
			c += 2;
			continue;
		}
		end = c[0] == '{' ? strchr(c, '}') : NULL;
		p = end ? ph_find(c + 1, (size_t) (end - c - 1)) : -1;
		/* paced.conf checked the template; anything else is text. */
		if (p < 0 || !(tpl_info[t].allowed & B(p))) {
			put(&o, c, 1);
			c++;
			continue;
		}
		expand(&o, p, cfg, units, cue, ctx);
		c = end + 1;
	}
	/* "{result}: {next}" with no next must not end in ": ". */
	while (o.n && strchr(" ,:;", o.buf[o.n - 1]))
		o.buf[--o.n] = '\0';
	return snprintf(buf, len, "%s", o.buf);
}
