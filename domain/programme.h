/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Programmes: ordered stage profiles and the pure rule that moves a runner between them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define PROGRAMME_MAX_STAGES 64
#define PROGRAMME_STAGE_ID_MAX 16
#define PROGRAMME_MAX_COUNT 16	/* bound on every count rule */

/* The numbers of DOMAIN.md 3.5 "Across sessions"; keys of the rules group. */
struct programme_rules {
	unsigned advance_after;		/* clean sessions at a stage to move on (2) */
	unsigned step_back_presses;	/* presses in one session that step back (2) */
	unsigned step_back_streak;	/* symptomatic sessions in a row that step back (2) */
	unsigned lock_regressions;	/* step-backs within the window that lock (3) */
	unsigned precheck_suspend;	/* positive pre-session checks within the window that suspend running (2) */
	uint32_t window_s;		/* the window: 14 days */
	uint16_t max_growth;		/* per mille: stage-to-stage jog time (1300) */
	size_t walk_stage;		/* index of the walk-only stage (0) */
};

void programme_rules_default(struct programme_rules *ret_rules);

struct programme_stage {
	char id[PROGRAMME_STAGE_ID_MAX];	/* "P2" */
	char *profile_path;	/* resolved against the programme's directory; owned */
	struct profile *profile;	/* loaded and validated; owned */
	unsigned line;		/* in the programme file */
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
 * (DOMAIN.md 3.4: never more than 30 %). Errors as for profile_load(); a
 * stage profile's own error keeps its own file:line.
 */
struct programme *programme_load(const char *path,
				 const struct profile_limits *limits,
				 struct profile_error *ret_err);
void programme_free(struct programme *prog);

/* Index of the stage with this id, or -1. */
long programme_find_stage(const struct programme *prog, const char *id);

enum session_entry {
	SESSION_RUN,		/* a session was run (possibly scaled back or cut short) */
	SESSION_PRECHECK,	/* the pre-session check reported symptoms */
	SESSION_CLEARED,	/* the runner says a clinician cleared her to resume */
};

/* One line of history, oldest first. */
struct session_summary {
	enum session_entry type;
	int64_t when_s;		/* wall clock, seconds since the epoch */
	size_t stage;		/* SESSION_RUN: index of the stage that ran */
	unsigned presses;	/* SESSION_RUN: counted symptom presses */
	bool completed;		/* SESSION_RUN: ran to its planned end */
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
};

struct programme_decision {
	size_t stage;		/* stage to run next */
	size_t programme_stage;	/* where the runner is on the ladder */
	enum programme_reason reason;
	bool locked;		/* running stages locked or suspended until cleared */
	bool refer;		/* show the pelvic-health physiotherapist advice */
	unsigned clean;		/* clean sessions so far at programme_stage */
	char message[400];	/* one or two human sentences */
};

/*
 * The progression rule (DOMAIN.md 3.5), pure: fold the history in order and
 * decide the next session. Every entry's stage must be a valid index.
 * Returns 0, or -EINVAL (bad stage index, NULL prog); ret untouched then.
 */
int programme_next(const struct programme *prog,
		   const struct session_summary *history, size_t n,
		   struct programme_decision *ret);

const char *programme_reason_name(enum programme_reason reason);
