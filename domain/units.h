/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Units and words: speeds, paces and durations as a person reads or hears them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Everything a person reads or hears (the terminal, cues, pacectl status)
 * goes through here; the wire (FTMS), the session log and the history stay
 * in 0.01 km/h whatever the setting, so a log means the same on every box.
 * Pure; every formatter has snprintf() semantics (returns the length it
 * wanted, buf always terminated when len > 0).
 */
enum units {
	UNITS_METRIC,		/* km/h, min/km */
	UNITS_IMPERIAL,		/* mph, min/mile */
};

/* "metric", "imperial"; NULL out of range. */
const char *units_name(enum units u);
/* Inverse of units_name(); -EINVAL for anything else. */
int units_from_name(const char *name, enum units *ret_units);

/* "km/h" or "mph". */
const char *units_speed_unit(enum units u);
/* A speed (0.01 km/h) in tenths of the unit, rounded to the nearest:
 * 750 -> 75 (7.5 km/h) or 47 (4.7 mph). */
uint32_t units_speed_tenths(enum units u, uint16_t speed);
/* "7.5 km/h" or "4.7 mph". */
int units_format_speed(enum units u, uint16_t speed, char *buf, size_t len);
/* Pace: time per km or per mile, "8:00 /km" or "12:52 /mi"; "-" for 0. */
int units_format_pace(enum units u, uint16_t speed, char *buf, size_t len);

/*
 * A duration for speech, rounded to the second: "1 second", "45 seconds",
 * "1 minute", "1 minute 30", "2 minutes 5", "1 hour", "1 hour 5 minutes"
 * (seconds are dropped from an hour or more). Units do not apply.
 */
int units_format_duration_words(uint32_t ms, char *buf, size_t len);
/* "first", "second", ... "tenth", then "11th", "21st", "22nd", "23rd". */
int units_format_ordinal(unsigned n, char *buf, size_t len);
