/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pre-session check-in: its answers, their words, and its one-line form. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checkin.h"
#include "util.h"

void checkin_init(struct checkin *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->pain = -1;
}

bool checkin_empty(const struct checkin *c)
{
	for (int k = 0; k < CHECKIN_KEY_COUNT; k++)
		if (checkin_answered(c, (enum checkin_key) k))
			return false;
	return true;
}

static const char *const key_names[CHECKIN_KEY_COUNT] = {
	[CHECKIN_KEY_LEAK] = "leak",
	[CHECKIN_KEY_HEAVINESS] = "heaviness",
	[CHECKIN_KEY_PAIN] = "pain",
	[CHECKIN_KEY_BLEEDING] = "bleeding",
	[CHECKIN_KEY_SLEEP] = "sleep",
	[CHECKIN_KEY_BREASTFEEDING] = "breastfeeding",
	[CHECKIN_KEY_ENERGY] = "energy",
	[CHECKIN_KEY_NEXT_DAY] = "next-day",
};

const char *checkin_key_name(enum checkin_key key)
{
	return (unsigned) key < CHECKIN_KEY_COUNT ? key_names[key] : "?";
}

int checkin_key_from_name(const char *name, size_t len,
			  enum checkin_key *ret_key)
{
	for (int k = 0; k < CHECKIN_KEY_COUNT; k++)
		if (strlen(key_names[k]) == len &&
		    !memcmp(key_names[k], name, len)) {
			*ret_key = (enum checkin_key) k;
			return 0;
		}
	return -EINVAL;
}

/* Each answer's words, indexed by its enum value (0, unanswered, has
 * none); pain is a number and has none either. */
static const char *const yesno_words[] = { NULL, "no", "yes", NULL };
static const char *const sleep_words[] = { NULL, "enough", "short", NULL };
static const char *const energy_words[] = {
	NULL, "low", "normal", "good", NULL };

static const char *const *words(enum checkin_key key)
{
	switch (key) {
	case CHECKIN_KEY_SLEEP:
		return sleep_words;
	case CHECKIN_KEY_ENERGY:
		return energy_words;
	case CHECKIN_KEY_PAIN:
	case CHECKIN_KEY_COUNT:
		return NULL;
	case CHECKIN_KEY_LEAK:
	case CHECKIN_KEY_HEAVINESS:
	case CHECKIN_KEY_BLEEDING:
	case CHECKIN_KEY_BREASTFEEDING:
	case CHECKIN_KEY_NEXT_DAY:
		break;
	}
	return yesno_words;
}

const char *checkin_key_values(enum checkin_key key)
{
	const char *const *table = words(key);

	return !table ? "0-10" : table == sleep_words ? "enough|short" :
	       table == energy_words ? "low|normal|good" : "yes|no";
}

/* An answer as its number: the enum value, or pain (-1 unanswered). */
static int get_value(const struct checkin *c, enum checkin_key key)
{
	switch (key) {
	case CHECKIN_KEY_LEAK:
		return (int) c->leak;
	case CHECKIN_KEY_HEAVINESS:
		return (int) c->heaviness;
	case CHECKIN_KEY_PAIN:
		return c->pain;
	case CHECKIN_KEY_BLEEDING:
		return (int) c->bleeding;
	case CHECKIN_KEY_SLEEP:
		return (int) c->sleep;
	case CHECKIN_KEY_BREASTFEEDING:
		return (int) c->breastfeeding;
	case CHECKIN_KEY_ENERGY:
		return (int) c->energy;
	case CHECKIN_KEY_NEXT_DAY:
		return (int) c->next_day;
	case CHECKIN_KEY_COUNT:
		break;
	}
	return 0;
}

static void set_value(struct checkin *c, enum checkin_key key, int v)
{
	switch (key) {
	case CHECKIN_KEY_LEAK:
		c->leak = (enum checkin_yesno) v;
		break;
	case CHECKIN_KEY_HEAVINESS:
		c->heaviness = (enum checkin_yesno) v;
		break;
	case CHECKIN_KEY_PAIN:
		c->pain = (int8_t) v;
		break;
	case CHECKIN_KEY_BLEEDING:
		c->bleeding = (enum checkin_yesno) v;
		break;
	case CHECKIN_KEY_SLEEP:
		c->sleep = (enum checkin_sleep) v;
		break;
	case CHECKIN_KEY_BREASTFEEDING:
		c->breastfeeding = (enum checkin_yesno) v;
		break;
	case CHECKIN_KEY_ENERGY:
		c->energy = (enum checkin_energy) v;
		break;
	case CHECKIN_KEY_NEXT_DAY:
		c->next_day = (enum checkin_yesno) v;
		break;
	case CHECKIN_KEY_COUNT:
		break;
	}
}

bool checkin_answered(const struct checkin *c, enum checkin_key key)
{
	char buf[4];

	return checkin_get(c, key, buf, sizeof(buf)) != NULL;
}

/* The word of value v in a table, or NULL (unanswered, out of range). */
static const char *word_of(const char *const *table, int v)
{
	for (int i = 1; table[i]; i++)
		if (i == v)
			return table[i];
	return NULL;
}

const char *checkin_yesno_name(enum checkin_yesno v)
{
	return word_of(yesno_words, (int) v);
}

const char *checkin_sleep_name(enum checkin_sleep v)
{
	return word_of(sleep_words, (int) v);
}

const char *checkin_energy_name(enum checkin_energy v)
{
	return word_of(energy_words, (int) v);
}

int checkin_set(struct checkin *c, enum checkin_key key, const char *value,
		size_t len, const char **ret_error)
{
	const char *const *table = words(key);

	if (!table) {
		/* 0 to 10, digits only: "07" and "+3" are refused. */
		if (len == 1 && value[0] >= '0' && value[0] <= '9') {
			set_value(c, key, value[0] - '0');
			return 0;
		}
		if (len == 2 && !memcmp(value, "10", 2)) {
			set_value(c, key, 10);
			return 0;
		}
		*ret_error = "pain is a whole number from 0 to 10";
		return -EINVAL;
	}
	for (int i = 1; table[i]; i++)
		if (strlen(table[i]) == len && !memcmp(value, table[i], len)) {
			set_value(c, key, i);
			return 0;
		}
	*ret_error = table == sleep_words ? "sleep is enough or short" :
		     table == energy_words ? "energy is low, normal or good" :
		     "the answer is yes or no";
	return -EINVAL;
}

const char *checkin_get(const struct checkin *c, enum checkin_key key,
			char *buf, size_t len)
{
	const char *const *table = words(key);
	int v = get_value(c, key);

	if (table)
		return word_of(table, v);
	if (v < 0 || v > CHECKIN_PAIN_MAX)
		return NULL;
	snprintf(buf, len, "%d", v);
	return buf;
}

int checkin_parse_arg(const char *arg, struct checkin *ret, char *err,
		      size_t err_len)
{
	struct checkin c;
	bool seen[CHECKIN_KEY_COUNT] = { false };
	const char *p = arg;
	size_t total = arg ? strlen(arg) : 0;

	checkin_init(&c);
	if (!total) {
		snprintf(err, err_len, "no answers (give KEY=VALUE pairs separated by commas)");
		return -EINVAL;
	}
	if (total > CHECKIN_ARG_MAX) {
		snprintf(err, err_len, "longer than %d bytes", CHECKIN_ARG_MAX);
		return -EINVAL;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t n = end ? (size_t) (end - p) : strlen(p);
		const char *why;
		enum checkin_key key;

		eq = memchr(p, '=', n);
		if (!eq) {
			snprintf(err, err_len, "'%.*s' is not KEY=VALUE", (int) n, p);
			return -EINVAL;
		}
		if (checkin_key_from_name(p, (size_t) (eq - p), &key) < 0) {
			snprintf(err, err_len, "unknown question '%.*s' (leak, heaviness, pain, bleeding, sleep, breastfeeding, energy, next-day)",
				 (int) (eq - p), p);
			return -EINVAL;
		}
		if (seen[key]) {
			snprintf(err, err_len, "'%s' is answered twice",
				 key_names[key]);
			return -EINVAL;
		}
		seen[key] = true;
		if (checkin_set(&c, key, eq + 1, n - (size_t) (eq + 1 - p),
				&why) < 0) {
			snprintf(err, err_len, "'%.*s': %s", (int) n, p, why);
			return -EINVAL;
		}
		if (!end)
			break;
		p = end + 1;
		if (!*p) {
			snprintf(err, err_len, "a comma ends the line");
			return -EINVAL;
		}
	}
	*ret = c;
	return 0;
}

int checkin_format_arg(const struct checkin *c, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (int k = 0; k < CHECKIN_KEY_COUNT; k++) {
		char num[4];
		const char *v = checkin_get(c, (enum checkin_key) k, num,
					    sizeof(num));
		int w;

		if (!v)
			continue;
		w = snprintf(buf + MIN(n, len), len - MIN(n, len), "%s%s=%s",
			     n ? "," : "", key_names[k], v);
		n += (size_t) w;
	}
	return (int) n;
}
