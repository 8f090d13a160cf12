/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Programmes: ordered stage profiles and the pure rule that moves a runner between them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checkin.h"
#include "profile.h"

#define PROGRAMME_MAX_STAGES 64
#define PROGRAMME_STAGE_ID_MAX 16
/* A stage's profile path, resolved: short enough that the profile's own
 * "file:line: message" still says what is wrong (struct profile_error). */
#define PROGRAMME_PROFILE_PATH_MAX 256
#define PROGRAMME_MAX_COUNT 16	/* bound on every count rule */

/*
 * What a rule does with a check-in answer (the rules group's choices,
 * paced-profile(5)).
 */
enum programme_choice {
	PROGRAMME_CHOICE_NONE,		/* "none": the answer changes nothing */
	PROGRAMME_CHOICE_REPEAT,	/* "repeat": no progress, repeat the stage */
	PROGRAMME_CHOICE_WALK_ONLY,	/* "walk-only": walk only today */
	PROGRAMME_CHOICE_OFFER_PREVIOUS,/* "offer-previous": recommend the stage
					 * before, offer today's as the alternative */
	PROGRAMME_CHOICE_PREVIOUS,	/* "previous": the stage before, no offer */
};

/*
 * The programme's rules: the keys of its rules group, each default traced
 * in programme_rules_default() to docs/domain.md.
 */
struct programme_rules {
	unsigned advance_after;		/* clean sessions at a stage to move on (2) */
	unsigned step_back_presses;	/* presses in one session that step back (2) */
	unsigned step_back_streak;	/* symptomatic sessions in a row that step back (2) */
	unsigned lock_regressions;	/* step-backs within the window that lock (3) */
	unsigned precheck_suspend;	/* walk-only check-ins within the window that suspend running (2) */
	uint32_t window_s;		/* the window: 14 days */
	uint16_t max_growth;		/* per mille: stage-to-stage jog time (1300) */
	size_t walk_stage;		/* index of the walk-only stage (0) */
	unsigned rest_days;		/* calendar days without running between two running sessions (1) */
	unsigned pain_walk_only;	/* check-in pain (0-10) at or above this: walk only (3) */
	enum programme_choice leak;	/* leakage at check-in: repeat or walk-only (repeat) */
	enum programme_choice short_sleep;	/* offer-previous, previous or none (offer-previous) */
	enum programme_choice low_energy;	/* the same (offer-previous) */
	uint32_t checkin_valid_s;	/* a check-in counts for today this long (12 h) */
};

void programme_rules_default(struct programme_rules *ret_rules);
const char *programme_choice_name(enum programme_choice choice);

struct programme_stage {
	char id[PROGRAMME_STAGE_ID_MAX];	/* "P2" */
	char *profile_path;	/* resolved against the programme's directory; owned */
	struct profile *profile;	/* loaded and validated; owned */
	unsigned line;		/* in the programme file */
	uint32_t min_days;	/* no moving on before this many days at it (0) */
};

struct programme {
	char *path;
	char *name;
	char *description;
	struct programme_stage *stages;	/* owned */
	size_t n_stages;
	struct programme_rules rules;
};

/*
 * Load a programme file and every stage profile it names (relative paths
 * are taken from the programme file's directory). Refuses a programme whose
 * jog time grows by more than rules.max_growth from one stage to the next
 * (docs/domain.md 3.4: never more than 30 %). Errors as for profile_load(); a
 * stage profile's own error keeps its own file:line.
 */
struct programme *programme_load(const char *path,
				 const struct profile_limits *limits,
				 struct profile_error *ret_err);
void programme_free(struct programme *prog);

/* Index of the stage with this id, or -1. */
long programme_find_stage(const struct programme *prog, const char *id);
/* The stage is a treadmill session (not a no-belt exercise session). */
bool programme_stage_has_belt(const struct programme *prog, size_t stage);
/* The stage has jogging in it: a running session for the rest-day rule. */
bool programme_stage_runs(const struct programme *prog, size_t stage);

enum session_entry {
	SESSION_RUN,		/* a session was run (possibly scaled back or cut short) */
	SESSION_PRECHECK,	/* the one-button check reported symptoms */
	SESSION_CLEARED,	/* the runner says a clinician cleared her to resume */
	SESSION_CHECKIN,	/* the pre-session check-in's answers */
	SESSION_NEXT_DAY,	/* symptoms in the 24 h after a run (history only:
				 * summaries carry it on the run) */
};

/* One line of history, oldest first. */
struct session_summary {
	enum session_entry type;
	int64_t when_s;		/* wall clock, seconds since the epoch */
	size_t stage;		/* SESSION_RUN: index of the stage that ran */
	unsigned presses;	/* SESSION_RUN: counted symptom presses */
	bool completed;		/* SESSION_RUN: ran to its planned end */
	enum checkin_yesno next_day;	/* SESSION_RUN: symptoms in the 24 h
					 * after it (a yes counts as a press) */
	struct checkin checkin;	/* SESSION_CHECKIN */
};

enum programme_reason {
	PROGRAMME_START,		/* no history */
	PROGRAMME_ADVANCE,		/* enough clean sessions: next stage */
	PROGRAMME_NEED_CLEAN,		/* clean, but not enough yet: stay */
	PROGRAMME_REPEAT_SYMPTOM,	/* one press: repeat the stage */
	PROGRAMME_REPEAT_INCOMPLETE,	/* stopped early without symptoms: repeat */
	PROGRAMME_STEP_BACK_PRESSES,	/* presses in one session: back one stage */
	PROGRAMME_STEP_BACK_STREAK,	/* symptoms in sessions in a row: back one */
	PROGRAMME_WALK_PRECHECK,	/* symptoms before the session: walk only today */
	PROGRAMME_SUSPENDED,		/* repeated pre-session symptoms: running suspended */
	PROGRAMME_LOCKED,		/* repeated step-backs: locked at the walk stage */
	PROGRAMME_OFF_PLAN,		/* the last session was another stage: carry on */
	PROGRAMME_FINISHED,		/* last stage done cleanly: keep running it */
	PROGRAMME_RESUMED,		/* cleared: running stages again */
	PROGRAMME_NEED_TIME,		/* clean, but the stage's min_days are not over */
	PROGRAMME_LEFT_PREP,		/* a treadmill stage run after a no-belt one */
	PROGRAMME_REPEAT_CHECKIN,	/* leakage or mild pain since the last session */
	PROGRAMME_WALK_RED_FLAG,	/* bleeding, heaviness or pain: walk only, see a physio */
	PROGRAMME_REST_DAY,		/* inside the rest period: walk only, running refused */
	PROGRAMME_OFFER_PREVIOUS,	/* short sleep or low energy: the stage before is offered */
	PROGRAMME_PREVIOUS,		/* short sleep or low energy: the stage before */
};

/*
 * What the decision is for: the time (never read by the pure code) and
 * what the caller can run.
 */
struct programme_input {
	int64_t now_s;		/* wall clock, seconds since the epoch */
	int32_t utc_offset_s;	/* local time minus UTC at now_s: rest days
				 * are local calendar days */
	bool belt_only;		/* the caller can run treadmill sessions only:
				 * a no-belt stage gives the next treadmill one */
	/* A check-in not (yet) in the history, taken as made at now_s;
	 * NULL when the history holds today's. */
	const struct checkin *checkin;
};

struct programme_decision {
	size_t stage;		/* recommended for today */
	size_t programme_stage;	/* where the runner is on the ladder */
	bool has_alternative;	/* an offer: she may choose alternative instead */
	size_t alternative;
	enum programme_reason reason;	/* the rule that decided today */
	enum programme_reason progress;	/* what the history did to programme_stage */
	bool locked;		/* running stages locked or suspended until cleared */
	bool refer;		/* show the pelvic-health physiotherapist advice */
	bool walk_only;		/* today walks (red flag, lock, rest day) */
	unsigned clean;		/* clean sessions so far at programme_stage */
	int64_t due_s;		/* the next running session is allowed from
				 * then (local midnight); 0: no running yet */
	bool checked_in;	/* a check-in counted for today */
	bool next_day_pending;	/* the last run's next-day question is open */
	int64_t next_day_about_s;	/* its when_s */
	char message[640];	/* a few human sentences */
};

/*
 * Every rule the history triggered, in order, for reports: advances,
 * repeats, step-backs, walk-only days (red flags, one-button checks,
 * rest days), suspensions and locks. from and to are stages.
 */
struct programme_event {
	int64_t when_s;
	enum programme_reason reason;
	size_t from, to;
};
typedef void (*programme_event_func_t)(const struct programme_event *ev,
				       void *user_data);

/*
 * The progression rules (docs/domain.md 3.2-3.6), pure: fold the history
 * in order, then apply today's check-in, rest days and what the caller
 * can run. Every run's stage must be a valid index. event (NULL ok) sees
 * each rule the history triggered. Returns 0, or -EINVAL (bad stage
 * index, NULL prog or input); ret untouched then.
 */
int programme_decide(const struct programme *prog,
		     const struct session_summary *history, size_t n,
		     const struct programme_input *in,
		     struct programme_decision *ret,
		     programme_event_func_t event, void *user_data);

const char *programme_reason_name(enum programme_reason reason);
