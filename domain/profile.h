/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Interval profiles: libconfig files loaded into validated plain structs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "scaleback.h"

/*
 * Built-in limits, used when paced.conf says nothing (docs/design.md: a
 * conservative global cap). Speeds in 0.01 km/h.
 */
#define PROFILE_DEFAULT_SPEED_CAP 1000	/* 10.0 km/h */
#define PROFILE_DEFAULT_WALK 500	/* 5.0 km/h */
#define PROFILE_DEFAULT_JOG 750		/* 7.5 km/h */
/* Walking has a ceiling no profile lifts: a recovery walk is a walk. */
#define PROFILE_DEFAULT_WALK_MAX 650	/* 6.5 km/h */

/* Validation bounds. */
#define PROFILE_MAX_DURATION_MS (4U * 3600U * 1000U)	/* one segment: 4 h */
#define PROFILE_MAX_TOTAL_MS PLAN_MAX_TOTAL_MS		/* whole profile: 6 h */
#define PROFILE_MIN_INCLINE (-60)	/* 0.1 %: -6 % */
#define PROFILE_MAX_INCLINE 150		/* 0.1 %: +15 % */
#define PROFILE_MAX_REPEAT 100
#define PROFILE_MAX_DEPTH 4		/* nested repeat groups */
#define PROFILE_MAX_PACES 8

/*
 * What the loader needs from paced.conf. paced.conf is parsed elsewhere;
 * profile_limits_default() fills the built-in values.
 */
struct profile_limits {
	uint16_t speed_cap;	/* 0.01 km/h: any speed above it is refused */
	uint16_t walk_speed;	/* 0.01 km/h: the user's walk pace */
	uint16_t jog_speed;	/* 0.01 km/h: the user's jog pace */
	uint16_t walk_max;	/* 0.01 km/h: no walk pace or walk segment
				 * above it */
	struct scaleback_policy policy;	/* used when the profile has none */
};

void profile_limits_default(struct profile_limits *ret_limits);

/* "file:line: message"; line is 0 for errors about the whole file. */
struct profile_error {
	unsigned line;
	char message[256];	/* without the file:line: prefix */
	char text[512];		/* "file:line: message" or "file: message" */
};

struct profile_pace {
	char name[PLAN_PACE_NAME_MAX];
	uint16_t speed;		/* 0.01 km/h */
};

/*
 * A profile with belt = false is an exercise session with no treadmill
 * (the programme's preparation phase): its segments are holds and rests,
 * each with what to say at its start and whether to count its seconds
 * aloud. domain/exercise.h expands them to a timeline and a cue script.
 */
#define PROFILE_MAX_SAY 160	/* bytes of one spoken instruction */

enum profile_item_kind {
	PROFILE_ITEM_BELT,	/* walk, jog or pace: a treadmill segment */
	PROFILE_ITEM_HOLD,	/* no belt: an effort, e.g. a squeeze held */
	PROFILE_ITEM_REST,	/* no belt: relax */
};

/* A segment, or a repeat group of items. */
struct profile_item {
	unsigned line;		/* source line, for messages */
	unsigned repeat;	/* 0: a segment; >= 1: a repeat group */
	/* segment */
	enum profile_item_kind kind;
	uint32_t duration_ms;
	uint16_t speed;		/* 0.01 km/h, resolved (pace or explicit); 0 without a belt */
	int16_t incline;	/* 0.1 % */
	char pace_name[PLAN_PACE_NAME_MAX];
	char *say;		/* no belt: spoken at the start, or NULL; owned */
	bool count;		/* no belt: count the seconds aloud */
	/* repeat group */
	struct profile_item *items;	/* owned */
	size_t n_items;
};

enum profile_section {
	PROFILE_WARMUP,
	PROFILE_MAIN,
	PROFILE_COOLDOWN,
	PROFILE_SECTION_COUNT,
};

/*
 * A loaded profile. Everything in it has been validated; callers treat it
 * as read-only and release it with profile_free().
 */
struct profile {
	char *path;		/* as given to profile_load() */
	char *name;		/* "name" key (required) */
	char *description;	/* "description" key, "" when absent */
	struct profile_pace paces[PROFILE_MAX_PACES];	/* [0] walk, [1] jog */
	size_t n_paces;
	struct profile_item *section[PROFILE_SECTION_COUNT];	/* owned */
	size_t section_n[PROFILE_SECTION_COUNT];
	struct scaleback_policy policy;	/* the profile's, else limits' */
	bool own_policy;	/* true when the profile had a scaleback group */
	uint32_t total_ms;	/* expanded length */
	uint32_t jog_ms;	/* expanded jog-like time */
	bool no_belt;		/* belt = false: holds and rests, no treadmill;
				 * paces and policy unused, jog_ms 0 */
};

/*
 * Load and validate a profile file. On any error returns NULL, fills
 * ret_err (if not NULL) with the first problem found, and nothing is
 * allocated. limits NULL means profile_limits_default().
 */
struct profile *profile_load(const char *path,
			     const struct profile_limits *limits,
			     struct profile_error *ret_err);

/* The same from text in memory (fuzzing, tests). name is used as the file
 * name in messages. */
struct profile *profile_load_string(const char *text, const char *name,
				    const struct profile_limits *limits,
				    struct profile_error *ret_err);

void profile_free(struct profile *profile);

/*
 * A "scaleback" group as a profile writes it (paced-profile(5)), for
 * paced.conf's default policy: group is a libconfig config_setting_t,
 * file names it in messages. The keys given refine base. Returns 0 and
 * *ret_policy, or -EINVAL with the first "file:line: message" in
 * *ret_err (if not NULL); *ret_policy is untouched on failure.
 */
struct config_setting_t;
int profile_parse_policy(const struct config_setting_t *group,
			 const char *file, const struct scaleback_policy *base,
			 struct scaleback_policy *ret_policy,
			 struct profile_error *ret_err);

/* Speed of a named pace, or NULL. */
const struct profile_pace *profile_pace(const struct profile *profile,
					const char *name);

/* Parse "m:ss", "h:mm:ss" or "SECONDS" into ms. -EINVAL if malformed,
 * -ERANGE if zero or above PROFILE_MAX_DURATION_MS. */
int profile_parse_duration(const char *s, uint32_t *ret_ms);

/* Format ms as "m:ss" or "h:mm:ss" (rounded down to the second). */
void profile_format_duration(uint32_t ms, char *buf, size_t len);
