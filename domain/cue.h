/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cues: what the person on the belt is told, and the words for it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scaleback.h"
#include "units.h"

/*
 * One cue engine serves every session: the session state machine
 * (session.c) decides *when* something is said and hands out a typed
 * struct cue; cue_render() turns it into words from templates a user may
 * change in paced.conf. The advisory checker (advisory.c) adds the two
 * kinds only it can judge, alarm and complied. Rendering is pure, and a
 * symptom press's walk command is on the wire before any cue of it is
 * rendered (the shells send commands before they drain events).
 */
enum cue_kind {
	CUE_COUNTDOWN,		/* a speed increase ahead: in_s (or a 3-2-1 tick) */
	CUE_CHANGE,		/* a segment begins */
	CUE_HALFWAY,		/* half the session as planned is done: once */
	CUE_LAST,		/* the last jog begins */
	CUE_COOLDOWN,		/* the cool-down begins */
	CUE_FINISH,		/* the session is over: once */
	CUE_SYMPTOM,		/* a press was taken: what happened, what changes */
	CUE_FORM,		/* a running-form tip as a jog begins */
	CUE_ALARM,		/* advisory: still too fast after the grace */
	CUE_COMPLIED,		/* advisory: she slowed down after an alarm */
};
#define CUE_KIND_COUNT (CUE_COMPLIED + 1)

enum cue_outcome {
	CUE_OUTCOME_COMPLETED,	/* the plan ran to its end */
	CUE_OUTCOME_CUT_SHORT,	/* a press's end step cut it short */
	CUE_OUTCOME_STOPPED,	/* a stop request ended it */
};

/*
 * A cue as the engine hands it out. Times are plan (profile) time, so a
 * sped-up session says what the real one would. Fields a kind does not
 * use are 0.
 */
struct cue {
	enum cue_kind kind;
	bool follows;		/* completes the cue just before it, at the
				 * same instant: say it after that one, do
				 * not cut that one short */
	bool advisory;		/* the person sets the speed herself (ANT+) */
	bool tick;		/* COUNTDOWN: one of the 3-2-1 before it */
	bool jog;		/* the speed named is a jog (above the walk) */
	uint16_t speed;		/* 0.01 km/h: the speed named, 0 none */
	uint16_t reported;	/* ALARM, COMPLIED: the treadmill's speed */
	uint32_t in_s;		/* COUNTDOWN: plan seconds to the increase */
	uint32_t duration_ms;	/* COUNTDOWN, CHANGE: the segment (its rest);
				 * LAST: the jog; COOLDOWN: to the end;
				 * SYMPTOM: the recovery walk */
	uint32_t left_ms;	/* to the end of the session as now planned */
	uint16_t next_speed;	/* CHANGE: the segment after, 0 the end */
	bool next_jog;		/* CHANGE: that one is a jog */
	unsigned jog_number;	/* jogs begun so far (a jog's own cues: its
				 * number), 1-based */
	unsigned jogs;		/* jogs in the session as now planned */
	unsigned press;		/* SYMPTOM: the press number; FINISH: the
				 * presses counted in the session */
	struct scaleback_step step;	/* SYMPTOM: what changes from here */
	unsigned form;		/* FORM: 1, 2, ...: which tip, in rotation */
	enum cue_outcome outcome;	/* FINISH */
};

/* Templates: one per kind, three kinds with a second for advisory
 * sessions (the person must act herself) and one for 3-2-1 ticks. */
enum cue_template {
	CUE_TPL_COUNTDOWN,
	CUE_TPL_TICK,
	CUE_TPL_CHANGE,
	CUE_TPL_HALFWAY,
	CUE_TPL_LAST,
	CUE_TPL_COOLDOWN,
	CUE_TPL_FINISH,
	CUE_TPL_FINISH_ADVISORY,
	CUE_TPL_SYMPTOM,
	CUE_TPL_SYMPTOM_ADVISORY,
	CUE_TPL_FORM,
	CUE_TPL_ALARM,
	CUE_TPL_COMPLIED,
};
#define CUE_TPL_COUNT (CUE_TPL_COMPLIED + 1)

#define CUE_TEMPLATE_MAX 160	/* bytes, NUL included */
#define CUE_TIPS_MAX 16
#define CUE_TIP_MAX 96		/* bytes, NUL included */
/* A rendered cue is cut at this many bytes (NUL included). */
#define CUE_TEXT_MAX 512

#define CUE_LEAD_DEFAULT_MS 10000
#define CUE_LEAD_MIN_MS 5000	/* less is no warning to get ready by */
#define CUE_LEAD_MAX_MS 60000
#define CUE_FORM_DEFAULT 2	/* a tip every other jog */
#define CUE_TICKS 3		/* 3, 2, 1 */

/* paced.conf's "cues" group (paced.conf(5)); a flat value, copyable. */
struct cue_config {
	uint32_t lead_ms;	/* plan ms from a countdown to its increase */
	bool ticks;		/* 3, 2, 1 in the last seconds before it */
	unsigned form_every;	/* a form tip every Nth jog (1st, N+1th...);
				 * 0 never */
	char templates[CUE_TPL_COUNT][CUE_TEMPLATE_MAX];
	char tips[CUE_TIPS_MAX][CUE_TIP_MAX];
	unsigned n_tips;	/* >= 1 */
};

/* Built-in: lead 10 s, no ticks, a tip every other jog, short spoken
 * English, the four tips of the pelvic-health advice. */
void cue_config_default(struct cue_config *ret_cfg);

/* "countdown", "change", ... "complied"; NULL out of range. */
const char *cue_kind_name(enum cue_kind kind);
/* Inverse of cue_kind_name(); -EINVAL for an unknown name. */
int cue_kind_from_name(const char *name, enum cue_kind *ret_kind);
/* The paced.conf key of a template: "countdown", "tick", ...,
 * "symptom_advisory"; NULL out of range. */
const char *cue_template_name(enum cue_template tpl);
int cue_template_from_name(const char *name, enum cue_template *ret_tpl);

/*
 * 0 when text is a usable template for tpl; -EINVAL with a sentence in
 * why (snprintf semantics) otherwise: an unknown placeholder, one that
 * means nothing for that kind, an unclosed '{', a control character.
 * "{{" and "}}" stand for a literal brace.
 */
int cue_template_check(enum cue_template tpl, const char *text, char *why,
		       size_t len);

/*
 * What the caller knows and the session does not, for the finish cue.
 * Facts only: the words built from them never claim more than they say
 * (no streak without clean_streak, no stage without next_stage).
 */
struct cue_context {
	const char *stage;	/* the programme stage run ("P4"), NULL none */
	const char *next_stage;	/* the stage the programme advises next,
				 * NULL when there is no programme */
	unsigned clean_streak;	/* clean sessions in a row at this stage,
				 * this one included; 0 unknown */
};

struct history_entry;
struct programme;

/*
 * The finish cue's facts for a session of stage `stage` (an index) of
 * prog, ending at now_s (wall clock), from the history read before it
 * ended (history_load(); entries of other programmes are skipped) and
 * the finish cue itself (presses, outcome): this session is added last,
 * programme_decide() places her on the ladder, and clean_streak counts this stage's clean sessions in a
 * row ending with this one (0 when this one is not clean). The strings
 * point into prog. Returns 0, or -EINVAL (bad stage: *ret_ctx then says
 * nothing). Pure but for telling whether a history line's programme path
 * names prog's file (progression_same_programme()).
 */
int cue_finish_context(const struct programme *prog, size_t stage,
		       int64_t now_s, const struct history_entry *e, size_t n,
		       const struct cue *finish, struct cue_context *ret_ctx);

/*
 * Words for cue from cfg's templates, speeds in units. ctx may be NULL.
 * Placeholders (which a template may use depends on its kind; see
 * paced.conf(5)): {speed} {gait} {in} {count} {duration} {left} {next}
 * {jog} {jogs} {press} {change} {tip} {result} {reported}. A placeholder
 * with nothing to say expands to nothing, and separators (" ,:;") it
 * leaves dangling at the end are dropped. snprintf semantics; the text is
 * cut at CUE_TEXT_MAX bytes.
 */
int cue_render(const struct cue_config *cfg, enum units units,
	       const struct cue *cue, const struct cue_context *ctx,
	       char *buf, size_t len);
