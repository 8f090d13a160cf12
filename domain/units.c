/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Units and words: speeds, paces and durations as a person reads or hears them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "units.h"
#include "util.h"

/* 1 mile = 1609.344 m exactly (international yard and pound, 1959). */
#define MILE_MM 1609344ULL

const char *units_name(enum units u)
{
	switch (u) {
	case UNITS_METRIC:
		return "metric";
	case UNITS_IMPERIAL:
		return "imperial";
	}
	return NULL;
}

int units_from_name(const char *name, enum units *ret_units)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "metric"))
		*ret_units = UNITS_METRIC;
	else if (!strcmp(name, "imperial"))
		*ret_units = UNITS_IMPERIAL;
	else
		return -EINVAL;
	return 0;
}

const char *units_speed_unit(enum units u)
{
	return u == UNITS_IMPERIAL ? "mph" : "km/h";
}

uint32_t units_speed_tenths(enum units u, uint16_t speed)
{
	/* 0.01 km/h is 10 m/h, a tenth of a mile is 160.9344 m: tenths
	 * of a mile per hour are speed * 10 / 160.9344, to the nearest. */
	if (u == UNITS_IMPERIAL)
		return (uint32_t) (((uint64_t) speed * 100000ULL + MILE_MM / 2) /
				   MILE_MM);
	return (speed + 5U) / 10U;
}

int units_format_speed(enum units u, uint16_t speed, char *buf, size_t len)
{
	uint32_t t = units_speed_tenths(u, speed);

	return snprintf(buf, len, "%u.%u %s", t / 10, t % 10,
			units_speed_unit(u));
}

int units_format_pace(enum units u, uint16_t speed, char *buf, size_t len)
{
	uint64_t dist_mm = u == UNITS_IMPERIAL ? MILE_MM : 1000000ULL;
	uint64_t s;

	if (!speed)
		return snprintf(buf, len, "-");
	/* speed is 10 m/h = 10000 mm per 3600 s: seconds per unit distance,
	 * rounded to the nearest. */
	s = (dist_mm * 3600ULL + (uint64_t) speed * 5000ULL) /
	    ((uint64_t) speed * 10000ULL);
	return snprintf(buf, len, "%u:%02u /%s", (unsigned) (s / 60),
			(unsigned) (s % 60), u == UNITS_IMPERIAL ? "mi" : "km");
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

int units_format_duration_words(uint32_t ms, char *buf, size_t len)
{
	uint32_t s = (uint32_t) (((uint64_t) ms + 500) / 1000);
	unsigned h = s / 3600, m = s % 3600 / 60, sec = s % 60;

	if (h)
		return m ? snprintf(buf, len, "%u hour%s %u minute%s", h,
				    plural(h), m, plural(m)) :
			   snprintf(buf, len, "%u hour%s", h, plural(h));
	if (m)
		/* "1 minute 30", as a coach says it. */
		return sec ? snprintf(buf, len, "%u minute%s %u", m, plural(m),
				      sec) :
			     snprintf(buf, len, "%u minute%s", m, plural(m));
	return snprintf(buf, len, "%u second%s", sec, plural(sec));
}

int units_format_ordinal(unsigned n, char *buf, size_t len)
{
	static const char *const words[] = {
		"zeroth", "first", "second", "third", "fourth", "fifth",
		"sixth", "seventh", "eighth", "ninth", "tenth",
	};
	const char *suffix = "th";

	if (n < ARRAY_SIZE(words))
		return snprintf(buf, len, "%s", words[n]);
	if (n % 100 < 11 || n % 100 > 13) {
		if (n % 10 == 1)
			suffix = "st";
		else if (n % 10 == 2)
			suffix = "nd";
		else if (n % 10 == 3)
			suffix = "rd";
	}
	return snprintf(buf, len, "%u%s", n, suffix);
}
