/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pre-session check-in: its answers, their words, and its one-line form. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the person says before a session (docs/domain.md 3.6):
 * since her last session, any leakage, heaviness or dragging, pain (0 to
 * 10) or bleeding; last night's sleep; whether she is breastfeeding; her
 * energy today; and, when her last session has not been asked about yet,
 * whether she had symptoms in the 24 hours after it. Every answer may be
 * missing (a zeroed struct is "nothing answered"); the programme's rules
 * (programme.c) decide what the answers mean. Pure: no I/O.
 *
 * The one-line form, for the control socket's 'checkin' request and for
 * scripts: comma-separated KEY=VALUE pairs, no spaces, keys in any order,
 * each at most once, at most CHECKIN_ARG_MAX bytes:
 *
 *   leak=no,heaviness=no,pain=0,bleeding=no,sleep=enough,
 *   breastfeeding=yes,energy=normal,next-day=no
 *
 * (one line; the longest possible is under 100 bytes). Keys are the
 * pacectl checkin flags without their dashes.
 */
#define CHECKIN_ARG_MAX 120	/* fits lib/ctl-proto.h CTL_ARG_MAX */
#define CHECKIN_PAIN_MAX 10

enum checkin_yesno {
	CHECKIN_UNANSWERED = 0,
	CHECKIN_NO,
	CHECKIN_YES,
};

enum checkin_sleep {
	CHECKIN_SLEEP_UNANSWERED = 0,
	CHECKIN_SLEEP_ENOUGH,
	CHECKIN_SLEEP_SHORT,		/* "not enough" */
};

enum checkin_energy {
	CHECKIN_ENERGY_UNANSWERED = 0,
	CHECKIN_ENERGY_LOW,
	CHECKIN_ENERGY_NORMAL,
	CHECKIN_ENERGY_GOOD,
};

struct checkin {
	enum checkin_yesno leak;		/* since the last session */
	enum checkin_yesno heaviness;		/* heaviness or dragging */
	int8_t pain;				/* 0-10; -1 unanswered */
	enum checkin_yesno bleeding;		/* not a period */
	enum checkin_sleep sleep;		/* last night */
	enum checkin_yesno breastfeeding;
	enum checkin_energy energy;		/* today */
	enum checkin_yesno next_day;		/* the 24 h after the last session */
};

/* Every answer missing (pain -1). */
void checkin_init(struct checkin *ret);
/* Nothing answered at all. */
bool checkin_empty(const struct checkin *c);

/* The questions, in the order a terminal asks them. */
enum checkin_key {
	CHECKIN_KEY_LEAK,
	CHECKIN_KEY_HEAVINESS,
	CHECKIN_KEY_PAIN,
	CHECKIN_KEY_BLEEDING,
	CHECKIN_KEY_SLEEP,
	CHECKIN_KEY_BREASTFEEDING,
	CHECKIN_KEY_ENERGY,
	CHECKIN_KEY_NEXT_DAY,
	CHECKIN_KEY_COUNT,
};

/* "leak", "heaviness", ... "next-day"; the key's words: "yes|no",
 * "0-10", "enough|short", "low|normal|good". */
const char *checkin_key_name(enum checkin_key key);
const char *checkin_key_values(enum checkin_key key);
/* -EINVAL for an unknown name. */
int checkin_key_from_name(const char *name, size_t len,
			  enum checkin_key *ret_key);
bool checkin_answered(const struct checkin *c, enum checkin_key key);

/*
 * Set one answer from its word ("yes", "7", "short" ...; len bytes of
 * value). Returns 0, or -EINVAL with a static reason in *ret_error.
 */
int checkin_set(struct checkin *c, enum checkin_key key, const char *value,
		size_t len, const char **ret_error);
/* The answer's word ("yes", "7", ...), or NULL when unanswered; buf holds
 * numbers. */
const char *checkin_get(const struct checkin *c, enum checkin_key key,
			char *buf, size_t len);

/*
 * The one-line form. checkin_parse_arg() fills *ret only on success (and
 * starts from checkin_init(): missing keys stay unanswered); on failure
 * it returns -EINVAL and writes why, naming the pair, to err.
 * checkin_format_arg() writes the answered keys in the canonical order and
 * returns the length (at most CHECKIN_ARG_MAX), as snprintf does.
 */
int checkin_parse_arg(const char *arg, struct checkin *ret, char *err,
		      size_t err_len);
int checkin_format_arg(const struct checkin *c, char *buf, size_t len);

const char *checkin_yesno_name(enum checkin_yesno v);	/* NULL if unanswered */
const char *checkin_sleep_name(enum checkin_sleep v);
const char *checkin_energy_name(enum checkin_energy v);
