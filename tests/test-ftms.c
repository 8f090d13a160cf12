/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FTMS codec and JSON writer: byte vectors, round trips, real captures. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ftms.h"
#include "json.h"

/* Field sizes on the wire, FTMS v1.0 §4.9.1 (the step count excluded). */
static const unsigned int td_size[FTMS_TD_STEP_COUNT] = {
	2, 2, 3, 2, 2, 2, 2, 1, 1, 2, 2, 1, 1, 1, 2, 2, 2, 2,
};

static bool is_signed_field(unsigned int f)
{
	return f == FTMS_TD_INCLINATION || f == FTMS_TD_RAMP_ANGLE ||
	       f == FTMS_TD_FORCE_ON_BELT || f == FTMS_TD_POWER_OUTPUT;
}

static bool flagged(uint16_t flags, unsigned int f)
{
	if (f == FTMS_TD_INSTANTANEOUS_SPEED)
		return !(flags & FTMS_TD_FLAG_MORE_DATA);
	return flags & ftms_td_field_flag(f);
}

/*
 * Decode exactly len bytes from a heap copy of that size, so an over-read
 * is caught by ASan (the CI sanitizer build) instead of reading the rest
 * of a stack array.
 */
static int decode_exact(const uint8_t *buf, size_t len,
			enum ftms_wire_unit unit, struct ftms_treadmill_data *td)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	r = ftms_decode_treadmill_data(copy, len, unit, td);
	free(copy);
	return r;
}

static void td_set(struct ftms_treadmill_data *td, unsigned int f,
		   int64_t v)
{
	td->present |= FTMS_TD_BIT(f);
	switch (f) {
	case FTMS_TD_INSTANTANEOUS_SPEED:
		td->instantaneous_speed = (uint32_t) v; break;
	case FTMS_TD_AVERAGE_SPEED:
		td->average_speed = (uint32_t) v; break;
	case FTMS_TD_TOTAL_DISTANCE:
		td->total_distance = (uint32_t) v; break;
	case FTMS_TD_INCLINATION:
		td->inclination = (int16_t) v; break;
	case FTMS_TD_RAMP_ANGLE:
		td->ramp_angle = (int16_t) v; break;
	case FTMS_TD_POSITIVE_ELEVATION_GAIN:
		td->positive_elevation_gain = (uint16_t) v; break;
	case FTMS_TD_NEGATIVE_ELEVATION_GAIN:
		td->negative_elevation_gain = (uint16_t) v; break;
	case FTMS_TD_INSTANTANEOUS_PACE:
		td->instantaneous_pace = (uint8_t) v; break;
	case FTMS_TD_AVERAGE_PACE:
		td->average_pace = (uint8_t) v; break;
	case FTMS_TD_TOTAL_ENERGY:
		td->total_energy = (uint16_t) v; break;
	case FTMS_TD_ENERGY_PER_HOUR:
		td->energy_per_hour = (uint16_t) v; break;
	case FTMS_TD_ENERGY_PER_MINUTE:
		td->energy_per_minute = (uint8_t) v; break;
	case FTMS_TD_HEART_RATE:
		td->heart_rate = (uint8_t) v; break;
	case FTMS_TD_METABOLIC_EQUIVALENT:
		td->metabolic_equivalent = (uint8_t) v; break;
	case FTMS_TD_ELAPSED_TIME:
		td->elapsed_time = (uint16_t) v; break;
	case FTMS_TD_REMAINING_TIME:
		td->remaining_time = (uint16_t) v; break;
	case FTMS_TD_FORCE_ON_BELT:
		td->force_on_belt = (int16_t) v; break;
	case FTMS_TD_POWER_OUTPUT:
		td->power_output = (int16_t) v; break;
	case FTMS_TD_STEP_COUNT:
		td->step_count = (uint32_t) v; break;
	default:
		ck_abort_msg("bad field %u", f);
	}
}

/* A value for field f that fits its width and is not a sentinel. */
static int64_t pick_value(unsigned int f, uint32_t seed)
{
	uint32_t h = seed * 2654435761u + f * 40503u + 12345u;
	uint32_t mask = td_size[f] == 1 ? 0xff : td_size[f] == 2 ? 0xffff :
			0xffffff;
	uint32_t raw = (h ^ (h >> 13)) & mask;

	/* Steer clear of 0x7fff/0xffff/0xff, which mean "not available". */
	if (raw == 0x7fff || raw == 0xffff || (td_size[f] == 1 && raw == 0xff))
		raw -= 1;
	if (is_signed_field(f))
		return (int16_t) raw;
	return raw;
}

static void assert_td_equal(const struct ftms_treadmill_data *a,
			    const struct ftms_treadmill_data *b)
{
	ck_assert_uint_eq(a->present, b->present);
	ck_assert_uint_eq(a->missing, b->missing);
	ck_assert_uint_eq(a->not_available, b->not_available);
	for (unsigned int f = 0; f < FTMS_TD_FIELD_COUNT; f++)
		ck_assert_msg(ftms_td_field_value(a, f) ==
			      ftms_td_field_value(b, f),
			      "field %s: %lld != %lld", ftms_td_field_name(f),
			      (long long) ftms_td_field_value(a, f),
			      (long long) ftms_td_field_value(b, f));
}

/* ---------------------------------------------------------------- */

/* FTMS v1.0 Appendix: speed only, 10 km/h. */
START_TEST(td_speed_only)
{
	static const uint8_t v[] = { 0x00, 0x00, 0xe8, 0x03 };
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(v, sizeof(v), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.flags, 0);
	ck_assert_uint_eq(td.present,
			  FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED));
	ck_assert_uint_eq(td.instantaneous_speed, 1000);
	ck_assert_uint_eq(td.missing, 0);
	ck_assert_uint_eq(td.trailing, 0);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_NONE);
}
END_TEST

/* Every field alone (with and without instantaneous speed): flags,
 * length, offsets and values. */
START_TEST(td_each_field_alone)
{
	for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
		for (int with_speed = 0; with_speed < 2; with_speed++) {
			struct ftms_treadmill_data in, out;
			uint8_t buf[FTMS_TD_MAX_LEN];
			uint16_t want_flags;
			unsigned int want_len = 2;
			int n;

			memset(&in, 0, sizeof(in));
			td_set(&in, f, pick_value(f, f + 7));
			if (with_speed)
				td_set(&in, FTMS_TD_INSTANTANEOUS_SPEED, 627);
			want_flags = ftms_td_field_flag(f);
			if (!(in.present &
			      FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED)))
				want_flags |= FTMS_TD_FLAG_MORE_DATA;
			for (unsigned int g = 0; g < FTMS_TD_STEP_COUNT; g++)
				if (flagged(want_flags, g))
					want_len += td_size[g];

			n = ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
						       buf, sizeof(buf));
			ck_assert_int_eq(n, (int) want_len);
			ck_assert_uint_eq(get_le16(buf), want_flags);
			ck_assert_int_eq(decode_exact(buf, (size_t) n,
						      FTMS_WIRE_UNIT_KMH, &out),
					 0);
			ck_assert_uint_eq(out.flags, want_flags);
			ck_assert(out.present & FTMS_TD_BIT(f));
			ck_assert(ftms_td_field_value(&out, f) ==
				  ftms_td_field_value(&in, f));
			ck_assert_uint_eq(out.missing, 0);
			ck_assert_uint_eq(out.trailing, 0);
		}
	}
}
END_TEST

/* Property: all 2^13 combinations of the spec flag bits, encode ->
 * decode gives the same struct, and decode -> encode the same bytes. */
START_TEST(td_all_flag_combinations)
{
	for (uint32_t flags = 0; flags <= FTMS_TD_FLAGS_SPEC; flags++) {
		struct ftms_treadmill_data in, out;
		uint8_t buf[FTMS_TD_MAX_LEN], again[FTMS_TD_MAX_LEN];
		int want_len = 2;
		int n, m;

		memset(&in, 0, sizeof(in));
		for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
			if (!flagged((uint16_t) flags, f))
				continue;
			td_set(&in, f, pick_value(f, flags));
			want_len += (int) td_size[f];
		}
		n = ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH, buf,
					       sizeof(buf));
		ck_assert_int_eq(n, want_len);
		ck_assert_uint_eq(get_le16(buf), flags);
		ck_assert_int_eq(decode_exact(buf, (size_t) n,
					      FTMS_WIRE_UNIT_KMH, &out), 0);
		ck_assert_uint_eq(out.flags, flags);
		assert_td_equal(&in, &out);
		m = ftms_encode_treadmill_data(&out, FTMS_WIRE_UNIT_KMH, again,
					       sizeof(again));
		ck_assert_int_eq(m, n);
		ck_assert_mem_eq(buf, again, (size_t) n);
		/* One byte short of the record: -EMSGSIZE, nothing written. */
		memset(again, 0xa5, sizeof(again));
		ck_assert_int_eq(ftms_encode_treadmill_data(&in,
				FTMS_WIRE_UNIT_KMH, again, (size_t) n - 1),
				 -EMSGSIZE);
		ck_assert_uint_eq(again[0], 0xa5);
	}
}
END_TEST

/* Every "not available" sentinel of §4.9.1, plus the Life Fitness 0x7FFF
 * in an unsigned elevation field (docs/ftms.md 2). */
START_TEST(td_sentinels)
{
	static const uint8_t v[] = {
		0x98, 0x10,		/* flags: incl, elev, energy, force */
		0x64, 0x00,		/* speed 1.00 */
		0xff, 0x7f, 0xff, 0x7f,	/* inclination, ramp: N/A */
		0xff, 0x7f, 0xff, 0xff,	/* elevation +: 0x7FFF, -: 0xFFFF */
		0xff, 0xff, 0xff, 0xff, 0xff,	/* energy: all N/A */
		0xff, 0x7f, 0xff, 0x7f,	/* force, power: N/A */
	};
	struct ftms_treadmill_data td;
	uint8_t again[FTMS_TD_MAX_LEN];
	uint32_t want = FTMS_TD_BIT(FTMS_TD_INCLINATION) |
		FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE) |
		FTMS_TD_BIT(FTMS_TD_POSITIVE_ELEVATION_GAIN) |
		FTMS_TD_BIT(FTMS_TD_NEGATIVE_ELEVATION_GAIN) |
		FTMS_TD_BIT(FTMS_TD_TOTAL_ENERGY) |
		FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR) |
		FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE) |
		FTMS_TD_BIT(FTMS_TD_FORCE_ON_BELT) |
		FTMS_TD_BIT(FTMS_TD_POWER_OUTPUT);

	ck_assert_int_eq(decode_exact(v, sizeof(v), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.not_available, want);
	ck_assert_uint_eq(td.present, want |
			  FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED));
	ck_assert_uint_eq(td.instantaneous_speed, 100);
	/* Re-encoding keeps the very same sentinels. */
	ck_assert_int_eq(ftms_encode_treadmill_data(&td, FTMS_WIRE_UNIT_KMH,
				again, sizeof(again)), (int) sizeof(v));
	ck_assert_mem_eq(again, v, sizeof(v));

	/* 0x7FFE is a value, not a sentinel. */
	memcpy(again, v, sizeof(v));
	again[4] = 0xfe;
	ck_assert_int_eq(decode_exact(again, sizeof(v), FTMS_WIRE_UNIT_KMH,
				      &td), 0);
	ck_assert(!(td.not_available & FTMS_TD_BIT(FTMS_TD_INCLINATION)));
	ck_assert_int_eq(td.inclination, 0x7ffe);
}
END_TEST

/* Server side: a field flagged N/A, or the absent member of a group, is
 * written as its sentinel. */
START_TEST(td_encode_sentinels)
{
	struct ftms_treadmill_data in, out;
	uint8_t buf[FTMS_TD_MAX_LEN];
	int n;

	memset(&in, 0, sizeof(in));
	td_set(&in, FTMS_TD_INSTANTANEOUS_SPEED, 500);
	td_set(&in, FTMS_TD_INCLINATION, -15);		/* ramp absent */
	td_set(&in, FTMS_TD_TOTAL_ENERGY, 12);		/* per h/min absent */
	td_set(&in, FTMS_TD_POWER_OUTPUT, 0);
	in.not_available |= FTMS_TD_BIT(FTMS_TD_POWER_OUTPUT);
	n = ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH, buf,
				       sizeof(buf));
	ck_assert_int_eq(n, 2 + 2 + 4 + 5 + 4);
	ck_assert_int_eq(decode_exact(buf, (size_t) n, FTMS_WIRE_UNIT_KMH,
				      &out), 0);
	ck_assert_int_eq(out.inclination, -15);
	ck_assert(out.not_available & FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE));
	ck_assert_uint_eq(out.total_energy, 12);
	ck_assert(out.not_available & FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR));
	ck_assert(out.not_available & FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE));
	ck_assert(out.not_available & FTMS_TD_BIT(FTMS_TD_FORCE_ON_BELT));
	ck_assert(out.not_available & FTMS_TD_BIT(FTMS_TD_POWER_OUTPUT));
	ck_assert(!(out.not_available & FTMS_TD_BIT(FTMS_TD_INCLINATION)));

	/* Values that do not fit the wire are refused, not truncated. */
	memset(&in, 0, sizeof(in));
	td_set(&in, FTMS_TD_TOTAL_DISTANCE, 0x1000000);
	ck_assert_int_eq(ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
				buf, sizeof(buf)), -ERANGE);
	memset(&in, 0, sizeof(in));
	td_set(&in, FTMS_TD_INSTANTANEOUS_SPEED, 0x10000);
	ck_assert_int_eq(ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
				buf, sizeof(buf)), -ERANGE);
}
END_TEST

START_TEST(td_too_short)
{
	static const uint8_t v[] = { 0x00 };
	struct ftms_treadmill_data td;

	memset(&td, 0x5a, sizeof(td));
	ck_assert_int_eq(decode_exact(v, 0, FTMS_WIRE_UNIT_KMH, &td),
			 -EBADMSG);
	ck_assert_int_eq(decode_exact(v, 1, FTMS_WIRE_UNIT_KMH, &td),
			 -EBADMSG);
	/* ret_* untouched on failure */
	ck_assert_uint_eq(td.flags, 0x5a5a);
	ck_assert_int_eq(ftms_decode_treadmill_data(NULL, 4,
				FTMS_WIRE_UNIT_KMH, &td), -EBADMSG);
}
END_TEST

/* Greedy parsing: a full record (all 13 spec flags and a uint24 step
 * count) cut at every byte boundary. Every field that ends at or before
 * the cut is kept with its full-frame value; the rest are missing. */
START_TEST(td_truncated_every_boundary)
{
	struct ftms_treadmill_data full, cut;
	uint8_t buf[FTMS_TD_MAX_LEN];
	unsigned int end[FTMS_TD_FIELD_COUNT];
	unsigned int off = 2;
	int n;

	memset(&full, 0, sizeof(full));
	for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
		td_set(&full, f, pick_value(f, 99));
		off += td_size[f];
		end[f] = off;
	}
	td_set(&full, FTMS_TD_STEP_COUNT, 123456);
	full.step_width = FTMS_STEP_WIDTH_UINT24;
	end[FTMS_TD_STEP_COUNT] = off + 3;
	n = ftms_encode_treadmill_data(&full, FTMS_WIRE_UNIT_KMH, buf,
				       sizeof(buf));
	ck_assert_int_eq(n, FTMS_TD_MAX_LEN);
	ck_assert_int_eq(n, 34 + 3);	/* docs/ftms.md 1.4: 34 + step count */

	for (int len = 2; len <= n; len++) {
		ck_assert_int_eq(decode_exact(buf, (size_t) len,
					      FTMS_WIRE_UNIT_KMH, &cut), 0);
		ck_assert_uint_eq(cut.flags, get_le16(buf));
		for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
			uint32_t bit = FTMS_TD_BIT(f);

			if (end[f] <= (unsigned int) len) {
				ck_assert_msg(cut.present & bit,
					      "len %d: %s lost", len,
					      ftms_td_field_name(f));
				ck_assert(ftms_td_field_value(&cut, f) ==
					  ftms_td_field_value(&full, f));
			} else {
				ck_assert_msg(cut.missing & bit,
					      "len %d: %s not missing", len,
					      ftms_td_field_name(f));
				ck_assert(!(cut.present & bit));
			}
		}
		/* Bit 13 decided by what is left after the spec fields. */
		if (len == n) {
			ck_assert_int_eq(cut.step_width,
					 FTMS_STEP_WIDTH_UINT24);
			ck_assert_uint_eq(cut.step_count, 123456);
		} else if (len == n - 1) {
			ck_assert_int_eq(cut.step_width,
					 FTMS_STEP_WIDTH_UINT16);
			ck_assert_uint_eq(cut.step_count, 123456 & 0xffff);
		} else {
			ck_assert_int_eq(cut.step_width, FTMS_STEP_WIDTH_CUT);
			ck_assert(cut.missing &
				  FTMS_TD_BIT(FTMS_TD_STEP_COUNT));
		}
		ck_assert_uint_eq(cut.present & cut.missing, 0);
		ck_assert_uint_eq(cut.trailing, 0);
	}
}
END_TEST

/* Reserved bit 13: the vendor step count, decided by remaining length. */
START_TEST(td_vendor_step_count)
{
	/* speed 3.00 + steps; 1, 2, 3 and 4 bytes after the speed */
	static const uint8_t v[] = { 0x00, 0x20, 0x2c, 0x01,
				     0x64, 0x00, 0x01, 0x99 };
	struct ftms_treadmill_data td, in;
	uint8_t buf[FTMS_TD_MAX_LEN];

	ck_assert_int_eq(decode_exact(v, 5, FTMS_WIRE_UNIT_KMH, &td), 0);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_CUT);
	ck_assert(td.missing & FTMS_TD_BIT(FTMS_TD_STEP_COUNT));
	ck_assert_uint_eq(td.instantaneous_speed, 300);

	ck_assert_int_eq(decode_exact(v, 6, FTMS_WIRE_UNIT_KMH, &td), 0);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_UINT16);
	ck_assert_uint_eq(td.step_count, 100);
	ck_assert_uint_eq(td.missing, 0);

	ck_assert_int_eq(decode_exact(v, 7, FTMS_WIRE_UNIT_KMH, &td), 0);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_UINT24);
	ck_assert_uint_eq(td.step_count, 0x010064);
	ck_assert_uint_eq(td.trailing, 0);

	ck_assert_int_eq(decode_exact(v, 8, FTMS_WIRE_UNIT_KMH, &td), 0);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_UINT24);
	ck_assert_uint_eq(td.trailing, 1);

	/* Encoder: uint16 on request, uint24 by default. */
	memset(&in, 0, sizeof(in));
	td_set(&in, FTMS_TD_INSTANTANEOUS_SPEED, 300);
	td_set(&in, FTMS_TD_STEP_COUNT, 100);
	in.step_width = FTMS_STEP_WIDTH_UINT16;
	ck_assert_int_eq(ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
				buf, sizeof(buf)), 6);
	ck_assert_mem_eq(buf, v, 6);
	in.step_width = FTMS_STEP_WIDTH_NONE;
	ck_assert_int_eq(ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
				buf, sizeof(buf)), 7);
	ck_assert_uint_eq(buf[6], 0);
	in.step_count = 0x10000;
	in.step_width = FTMS_STEP_WIDTH_UINT16;
	ck_assert_int_eq(ftms_encode_treadmill_data(&in, FTMS_WIRE_UNIT_KMH,
				buf, sizeof(buf)), -ERANGE);
	ck_assert_str_eq(ftms_step_width_name(FTMS_STEP_WIDTH_UINT24),
			 "uint24");
}
END_TEST

/* Bits 14-15 are RFU: ignored, the rest still parsed. */
START_TEST(td_rfu_bits)
{
	static const uint8_t v[] = { 0x00, 0xc0, 0x10, 0x27, 0xaa };
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(v, sizeof(v), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.flags, 0xc000);
	ck_assert_uint_eq(td.instantaneous_speed, 10000);
	ck_assert_uint_eq(td.trailing, 1);
	ck_assert_uint_eq(td.missing, 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Real captures. */

struct capture {
	const char *source;
	uint8_t bytes[40];
	size_t len;
};

/*
 * Life Fitness treadmill, 24-26 byte frames with 0x7FFF in the negative
 * elevation gain (a uint16) and 0xFFFF/0xFF energy rates. Source:
 * TrackMyIndoorWorkout/TrackMyIndoorWorkout:test/life_fitness_treadmill_test.dart
 */
START_TEST(real_life_fitness)
{
	static const uint8_t a[] = {
		0x9e, 0x04, 0x73, 0x02, 0x33, 0x02, 0x25, 0x00, 0x00, 0x3c,
		0x00, 0xff, 0x7f, 0x00, 0x00, 0xff, 0x7f, 0x02, 0x00, 0xff,
		0xff, 0xff, 0x1f, 0x00,
	};
	static const uint8_t b[] = {
		0x9e, 0x05, 0x17, 0x05, 0x92, 0x02, 0xfb, 0x00, 0x00, 0x00,
		0x00, 0xff, 0x7f, 0x7c, 0x00, 0xff, 0x7f, 0x1b, 0x00, 0xff,
		0xff, 0xff, 0x69, 0x8a, 0x00,
	};
	static const uint8_t c[] = {
		0x9e, 0x0c, 0x50, 0x00, 0xbd, 0x02, 0x53, 0x01, 0x00, 0x00,
		0x00, 0xff, 0x7f, 0x7c, 0x00, 0xff, 0x7f, 0x23, 0x00, 0xff,
		0xff, 0xff, 0xad, 0x00, 0x3b, 0x00,
	};
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(a, sizeof(a), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 627);	/* 6.27 km/h */
	ck_assert_uint_eq(td.average_speed, 563);
	ck_assert_uint_eq(td.total_distance, 37);
	ck_assert_int_eq(td.inclination, 60);
	ck_assert(td.not_available & FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE));
	ck_assert_uint_eq(td.positive_elevation_gain, 0);
	ck_assert(td.not_available &
		  FTMS_TD_BIT(FTMS_TD_NEGATIVE_ELEVATION_GAIN));
	ck_assert_uint_eq(td.total_energy, 2);
	ck_assert(td.not_available & FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR));
	ck_assert(td.not_available & FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE));
	ck_assert_uint_eq(td.elapsed_time, 31);
	ck_assert_uint_eq(td.missing, 0);
	ck_assert_uint_eq(td.trailing, 0);

	ck_assert_int_eq(decode_exact(b, sizeof(b), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 1303);
	ck_assert_uint_eq(td.total_distance, 251);
	ck_assert_uint_eq(td.total_energy, 27);
	ck_assert_uint_eq(td.heart_rate, 105);
	ck_assert_uint_eq(td.elapsed_time, 138);

	ck_assert_int_eq(decode_exact(c, sizeof(c), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 80);
	ck_assert_uint_eq(td.total_distance, 339);
	ck_assert_uint_eq(td.total_energy, 35);
	ck_assert_uint_eq(td.elapsed_time, 173);
	ck_assert_uint_eq(td.remaining_time, 59);
	ck_assert(!(td.present & FTMS_TD_BIT(FTMS_TD_HEART_RATE)));
}
END_TEST

/*
 * Matrix treadmill: flags promise every field up to force/power but the
 * frame stops at 20 bytes (ATT_MTU 23). Source:
 * TrackMyIndoorWorkout/TrackMyIndoorWorkout:test/matrix_treadmill_test.dart
 */
START_TEST(real_matrix_20_bytes)
{
	static const uint8_t a[] = {
		0x9e, 0x1f, 0x51, 0x00, 0xb2, 0x00, 0x58, 0x00, 0x00, 0x00,
		0x00, 0xff, 0x7f, 0x00, 0x00, 0xff, 0xff, 0x0c, 0x00, 0x97,
	};
	static const uint8_t b[] = {
		0x9e, 0x1f, 0xc6, 0x03, 0x94, 0x02, 0x3e, 0x01, 0x00, 0x5a,
		0x00, 0xff, 0x7f, 0x32, 0x00, 0xff, 0xff, 0x25, 0x00, 0xf4,
	};
	static const uint8_t before_workout[] = {
		0x9e, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0xff, 0x7f, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00,
	};
	uint32_t cut = FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR) |
		FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE) |
		FTMS_TD_BIT(FTMS_TD_HEART_RATE) |
		FTMS_TD_BIT(FTMS_TD_METABOLIC_EQUIVALENT) |
		FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME) |
		FTMS_TD_BIT(FTMS_TD_REMAINING_TIME) |
		FTMS_TD_BIT(FTMS_TD_FORCE_ON_BELT) |
		FTMS_TD_BIT(FTMS_TD_POWER_OUTPUT);
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(a, sizeof(a), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.flags, 0x1f9e);
	ck_assert_uint_eq(td.instantaneous_speed, 81);
	ck_assert_uint_eq(td.average_speed, 178);
	ck_assert_uint_eq(td.total_distance, 88);
	ck_assert_int_eq(td.inclination, 0);
	ck_assert(td.not_available & FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE));
	ck_assert(td.not_available &
		  FTMS_TD_BIT(FTMS_TD_NEGATIVE_ELEVATION_GAIN));
	ck_assert_uint_eq(td.total_energy, 12);
	ck_assert_uint_eq(td.missing, cut);

	ck_assert_int_eq(decode_exact(b, sizeof(b), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 966);
	ck_assert_uint_eq(td.total_distance, 318);
	ck_assert_int_eq(td.inclination, 90);
	ck_assert_uint_eq(td.positive_elevation_gain, 50);
	ck_assert_uint_eq(td.total_energy, 37);
	ck_assert_uint_eq(td.missing, cut);

	ck_assert_int_eq(decode_exact(before_workout, sizeof(before_workout),
				      FTMS_WIRE_UNIT_KMH, &td), 0);
	ck_assert_uint_eq(td.instantaneous_speed, 0);
	ck_assert_uint_eq(td.missing, cut & ~FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME));
}
END_TEST

/*
 * CITYSPORTS-Linker walking pad, bit 13 set with a uint24 step count
 * (17 bytes). nRF Connect log, "60 s, 49 m, 3 kcal" session. Source:
 * hughesjs/FitnessMachine:protocol/CS-WP8/1_to_3_with_person_60s_49m_3cal.log
 */
START_TEST(real_citysports_steps)
{
	static const uint8_t a[] = {
		0x84, 0x24, 0x14, 0x00, 0x31, 0x00, 0x00, 0x03, 0x00, 0x00,
		0x00, 0x00, 0x46, 0x00, 0x64, 0x00, 0x00,
	};
	static const uint8_t b[] = {
		0x84, 0x24, 0x2c, 0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x09, 0x00, 0x06, 0x00, 0x00,
	};
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(a, sizeof(a), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 20);
	ck_assert_uint_eq(td.total_distance, 49);
	ck_assert_uint_eq(td.total_energy, 3);
	ck_assert_uint_eq(td.elapsed_time, 70);
	ck_assert_int_eq(td.step_width, FTMS_STEP_WIDTH_UINT24);
	ck_assert_uint_eq(td.step_count, 100);
	ck_assert_uint_eq(td.trailing, 0);
	ck_assert_uint_eq(td.missing, 0);

	ck_assert_int_eq(decode_exact(b, sizeof(b), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.instantaneous_speed, 300);
	ck_assert_uint_eq(td.total_distance, 6);
	ck_assert_uint_eq(td.elapsed_time, 9);
	ck_assert_uint_eq(td.step_count, 6);
}
END_TEST

/*
 * Horizon treadmill, 14 bytes (distance, energy, elapsed), all zero at
 * rest. Source: https://github.com/cagnulein/qdomyos-zwift/issues/175
 */
START_TEST(real_horizon)
{
	static const uint8_t a[] = {
		0x84, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	struct ftms_treadmill_data td;

	ck_assert_int_eq(decode_exact(a, sizeof(a), FTMS_WIRE_UNIT_KMH, &td),
			 0);
	ck_assert_uint_eq(td.present,
			  FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED) |
			  FTMS_TD_BIT(FTMS_TD_TOTAL_DISTANCE) |
			  FTMS_TD_BIT(FTMS_TD_TOTAL_ENERGY) |
			  FTMS_TD_BIT(FTMS_TD_ENERGY_PER_HOUR) |
			  FTMS_TD_BIT(FTMS_TD_ENERGY_PER_MINUTE) |
			  FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME));
	ck_assert_uint_eq(td.missing, 0);
	ck_assert_uint_eq(td.trailing, 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Record assembler, §4.19. */

/* A Matrix-sized record split the spec way: speed-less first part with
 * More Data = 1, then the rest with More Data = 0. */
START_TEST(asm_two_parts)
{
	static const uint8_t p1[] = {
		0x0f, 0x00,			/* more, avg, dist, incl */
		0xe8, 0x03,			/* avg 10.00 */
		0x10, 0x27, 0x00,		/* 10000 m */
		0x14, 0x00, 0xff, 0x7f,		/* 2.0 %, ramp N/A */
	};
	static const uint8_t p2[] = {
		0x00, 0x04,			/* speed, elapsed */
		0x71, 0x02,			/* 6.25 */
		0x58, 0x02,			/* 600 s */
	};
	struct ftms_assembler a;
	struct ftms_treadmill_data rec;

	ftms_assembler_init(&a, FTMS_WIRE_UNIT_KMH);
	ck_assert_ptr_null(ftms_assembler_pending(&a));
	ck_assert_int_eq(ftms_assembler_feed(&a, p1, sizeof(p1), &rec), 0);
	ck_assert_ptr_nonnull(ftms_assembler_pending(&a));
	ck_assert_int_eq(ftms_assembler_feed(&a, p2, sizeof(p2), &rec), 1);
	ck_assert_ptr_null(ftms_assembler_pending(&a));
	ck_assert_uint_eq(rec.flags & FTMS_TD_FLAG_MORE_DATA, 0);
	ck_assert_uint_eq(rec.flags, 0x040e);
	ck_assert_uint_eq(rec.instantaneous_speed, 625);
	ck_assert_uint_eq(rec.average_speed, 1000);
	ck_assert_uint_eq(rec.total_distance, 10000);
	ck_assert_int_eq(rec.inclination, 20);
	ck_assert(rec.not_available & FTMS_TD_BIT(FTMS_TD_RAMP_ANGLE));
	ck_assert_uint_eq(rec.elapsed_time, 600);
	ck_assert_uint_eq(rec.missing, 0);
	ck_assert_uint_eq(a.records, 1);
}
END_TEST

START_TEST(asm_three_parts_and_override)
{
	static const uint8_t p1[] = { 0x05, 0x00, 0x01, 0x00, 0x00 };
	/* part 2 repeats the distance (newer value wins) and cuts HR */
	static const uint8_t p2[] = { 0x05, 0x01, 0x02, 0x00, 0x00 };
	static const uint8_t p3[] = { 0x00, 0x01, 0x64, 0x00, 0x50 };
	struct ftms_assembler a;
	struct ftms_treadmill_data rec;

	ftms_assembler_init(&a, FTMS_WIRE_UNIT_KMH);
	ck_assert_int_eq(ftms_assembler_feed(&a, p1, sizeof(p1), &rec), 0);
	ck_assert_int_eq(ftms_assembler_feed(&a, p2, sizeof(p2), &rec), 0);
	ck_assert(ftms_assembler_pending(&a)->missing &
		  FTMS_TD_BIT(FTMS_TD_HEART_RATE));
	ck_assert_int_eq(ftms_assembler_feed(&a, p3, sizeof(p3), &rec), 1);
	ck_assert_uint_eq(rec.total_distance, 2);
	ck_assert_uint_eq(rec.heart_rate, 0x50);
	ck_assert_uint_eq(rec.instantaneous_speed, 100);
	/* HR came in the last part: no longer missing */
	ck_assert_uint_eq(rec.missing, 0);
}
END_TEST

START_TEST(asm_cap_reset_malformed)
{
	static const uint8_t more[] = { 0x01, 0x01, 0x48 };	/* HR only */
	static const uint8_t last[] = { 0x00, 0x00, 0x64, 0x00 };
	struct ftms_assembler a;
	struct ftms_treadmill_data rec;

	memset(&rec, 0x5a, sizeof(rec));
	ftms_assembler_init(&a, FTMS_WIRE_UNIT_KMH);
	for (int i = 0; i < FTMS_ASSEMBLER_MAX_PARTS; i++)
		ck_assert_int_eq(ftms_assembler_feed(&a, more, sizeof(more),
						     &rec), 0);
	/* One part too many: the whole record is dropped. */
	ck_assert_int_eq(ftms_assembler_feed(&a, last, sizeof(last), &rec),
			 -EMSGSIZE);
	ck_assert_uint_eq(a.overflows, 1);
	ck_assert_ptr_null(ftms_assembler_pending(&a));
	ck_assert_uint_eq(rec.flags, 0x5a5a);	/* untouched */
	/* and the assembler works again afterwards */
	ck_assert_int_eq(ftms_assembler_feed(&a, last, sizeof(last), &rec), 1);
	ck_assert_uint_eq(rec.present,
			  FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED));

	/* Link drop mid-record (§4.18): the half record is forgotten. */
	ck_assert_int_eq(ftms_assembler_feed(&a, more, sizeof(more), &rec), 0);
	ftms_assembler_reset(&a);
	ck_assert_uint_eq(a.discarded, 1);
	ck_assert_ptr_null(ftms_assembler_pending(&a));
	ck_assert_int_eq(ftms_assembler_feed(&a, last, sizeof(last), &rec), 1);
	ck_assert(!(rec.present & FTMS_TD_BIT(FTMS_TD_HEART_RATE)));
	ftms_assembler_reset(&a);
	ck_assert_uint_eq(a.discarded, 1);	/* nothing was pending */

	/* A malformed part is dropped; what was buffered survives. */
	ck_assert_int_eq(ftms_assembler_feed(&a, more, sizeof(more), &rec), 0);
	ck_assert_int_eq(ftms_assembler_feed(&a, more, 1, &rec), -EBADMSG);
	ck_assert_uint_eq(a.malformed, 1);
	ck_assert_int_eq(ftms_assembler_feed(&a, last, sizeof(last), &rec), 1);
	ck_assert_uint_eq(rec.heart_rate, 0x48);
	ck_assert_uint_eq(a.records, 3);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Wire unit override (docs/ftms.md 2: mph consoles), both directions. */

START_TEST(units_mph)
{
	static const uint8_t td_mph[] = { 0x00, 0x00, 0xf4, 0x01 }; /* 5 mph */
	struct ftms_treadmill_data td;
	struct ftms_speed_range sr;
	struct ftms_machine_status st;
	uint8_t buf[8];

	ck_assert_uint_eq(ftms_speed_from_wire(500, FTMS_WIRE_UNIT_MPH), 805);
	ck_assert_uint_eq(ftms_speed_from_wire(500, FTMS_WIRE_UNIT_KMH), 500);
	ck_assert_int_eq(ftms_speed_to_wire(805, FTMS_WIRE_UNIT_MPH), 500);
	ck_assert_int_eq(ftms_speed_to_wire(0x10000, FTMS_WIRE_UNIT_KMH),
			 -ERANGE);
	ck_assert_int_eq(ftms_speed_to_wire(0x10000, FTMS_WIRE_UNIT_MPH),
			 40722);
	/* Round trip loses at most one 0.01 km/h step. */
	for (uint32_t k = 0; k < 3000; k++) {
		int w = ftms_speed_to_wire(k, FTMS_WIRE_UNIT_MPH);
		uint32_t back;

		ck_assert_int_ge(w, 0);
		back = ftms_speed_from_wire((uint16_t) w, FTMS_WIRE_UNIT_MPH);
		ck_assert_int_le(abs((int) back - (int) k), 1);
	}

	ck_assert_int_eq(decode_exact(td_mph, sizeof(td_mph),
				      FTMS_WIRE_UNIT_MPH, &td), 0);
	ck_assert_uint_eq(td.instantaneous_speed, 805);
	ck_assert_int_eq(ftms_encode_treadmill_data(&td, FTMS_WIRE_UNIT_MPH,
				buf, sizeof(buf)), 4);
	ck_assert_mem_eq(buf, td_mph, 4);

	/* FITSHOW FS-BT-T4 range 0.60/3.80/0.10, really mph
	 * (justintout/treadmill:README.md). */
	{
		static const uint8_t r[] = { 0x3c, 0x00, 0x7c, 0x01,
					     0x0a, 0x00 };

		ck_assert_int_eq(ftms_decode_speed_range(r, sizeof(r),
					FTMS_WIRE_UNIT_MPH, &sr), 0);
		ck_assert_uint_eq(sr.min, 97);
		ck_assert_uint_eq(sr.max, 612);
		ck_assert_uint_eq(sr.increment, 16);
		ck_assert_int_eq(ftms_encode_speed_range(&sr,
					FTMS_WIRE_UNIT_MPH, buf, sizeof(buf)),
				 6);
		ck_assert_mem_eq(buf, r, 6);
	}

	/* Set Target Speed 8.05 km/h on an mph console is 5.00 mph. */
	ck_assert_int_eq(ftms_encode_set_target_speed(805, FTMS_WIRE_UNIT_MPH,
						      buf, sizeof(buf)), 3);
	ck_assert_uint_eq(buf[0], FTMS_OP_SET_TARGET_SPEED);
	ck_assert_uint_eq(get_le16(buf + 1), 500);

	/* Status "target speed changed" goes through the same place. */
	buf[0] = FTMS_STATUS_TARGET_SPEED_CHANGED;
	put_le16(500, buf + 1);
	ck_assert_int_eq(ftms_decode_machine_status(buf, 3,
				FTMS_WIRE_UNIT_MPH, &st), 0);
	ck_assert_uint_eq(st.param.speed, 805);
}
END_TEST

/* ---------------------------------------------------------------- */

START_TEST(feature)
{
	/* machine: avg speed, distance, incline, elapsed; target: speed,
	 * incline */
	static const uint8_t v[] = { 0x0d, 0x10, 0x00, 0x00,
				     0x03, 0x00, 0x00, 0x00, 0xee };
	struct ftms_feature f, g;
	uint8_t buf[8];

	memset(&g, 0x5a, sizeof(g));
	ck_assert_int_eq(ftms_decode_feature(v, 7, &g), -EBADMSG);
	ck_assert_uint_eq(g.machine, 0x5a5a5a5a);
	ck_assert_int_eq(ftms_decode_feature(v, 8, &f), 0);
	ck_assert_uint_eq(f.machine, FTMS_FEATURE_AVERAGE_SPEED |
			  FTMS_FEATURE_TOTAL_DISTANCE |
			  FTMS_FEATURE_INCLINATION |
			  FTMS_FEATURE_ELAPSED_TIME);
	ck_assert_uint_eq(f.target, FTMS_TARGET_SPEED |
			  FTMS_TARGET_INCLINATION);
	ck_assert_int_eq(ftms_decode_feature(v, 9, &g), 0);	/* extra ok */
	ck_assert_int_eq(ftms_encode_feature(&f, buf, 7), -EMSGSIZE);
	ck_assert_int_eq(ftms_encode_feature(&f, buf, 8), 8);
	ck_assert_mem_eq(buf, v, 8);
	ck_assert_str_eq(ftms_feature_name(0), "average_speed");
	ck_assert_str_eq(ftms_feature_name(16), "user_data_retention");
	ck_assert_ptr_null(ftms_feature_name(17));
	ck_assert_str_eq(ftms_target_feature_name(0), "speed_target");
	ck_assert_str_eq(ftms_target_feature_name(16), "targeted_cadence");
	ck_assert_ptr_null(ftms_target_feature_name(31));
}
END_TEST

START_TEST(ranges)
{
	/* 1.0 .. 16.0 km/h by 0.1; -3.0 .. 15.0 % by 0.5 */
	static const uint8_t s[] = { 0x64, 0x00, 0x40, 0x06, 0x0a, 0x00 };
	static const uint8_t i[] = { 0xe2, 0xff, 0x96, 0x00, 0x05, 0x00 };
	static const uint8_t bad[] = { 0x40, 0x06, 0x64, 0x00, 0x0a, 0x00 };
	struct ftms_speed_range sr;
	struct ftms_incline_range ir;
	uint8_t buf[6];

	ck_assert_int_eq(ftms_decode_speed_range(s, sizeof(s),
				FTMS_WIRE_UNIT_KMH, &sr), 0);
	ck_assert_uint_eq(sr.min, 100);
	ck_assert_uint_eq(sr.max, 1600);
	ck_assert_uint_eq(sr.increment, 10);
	ck_assert_int_eq(ftms_encode_speed_range(&sr, FTMS_WIRE_UNIT_KMH, buf,
						 sizeof(buf)), 6);
	ck_assert_mem_eq(buf, s, 6);
	ck_assert_int_eq(ftms_encode_speed_range(&sr, FTMS_WIRE_UNIT_KMH, buf,
						 5), -EMSGSIZE);
	ck_assert_int_eq(ftms_decode_speed_range(s, 5, FTMS_WIRE_UNIT_KMH,
						 &sr), -EBADMSG);
	ck_assert_int_eq(ftms_decode_speed_range(bad, sizeof(bad),
				FTMS_WIRE_UNIT_KMH, &sr), -EBADMSG);
	ck_assert_uint_eq(sr.max, 1600);	/* untouched */

	ck_assert_int_eq(ftms_decode_incline_range(i, sizeof(i), &ir), 0);
	ck_assert_int_eq(ir.min, -30);
	ck_assert_int_eq(ir.max, 150);
	ck_assert_uint_eq(ir.increment, 5);
	ck_assert_int_eq(ftms_encode_incline_range(&ir, buf, sizeof(buf)), 6);
	ck_assert_mem_eq(buf, i, 6);
	ck_assert_int_eq(ftms_encode_incline_range(&ir, buf, 5), -EMSGSIZE);
	ck_assert_int_eq(ftms_decode_incline_range(i, 5, &ir), -EBADMSG);
	ck_assert_int_eq(ftms_decode_incline_range(bad, sizeof(bad), &ir),
			 -EBADMSG);
}
END_TEST

START_TEST(training_status)
{
	static const uint8_t plain[] = { 0x00, 0x0d };
	static const uint8_t str[] = { 0x01, 0x0e, 'W', 'a', 'r', 'm' };
	static const char *const names[] = {
		"other", "idle", "warming_up", "low_intensity_interval",
		"high_intensity_interval", "recovery_interval", "isometric",
		"heart_rate_control", "fitness_test",
		"speed_outside_control_region_low",
		"speed_outside_control_region_high", "cool_down",
		"watt_control", "manual_mode", "pre_workout", "post_workout",
	};
	struct ftms_training_status ts;
	uint8_t buf[16];

	ck_assert_int_eq(ftms_decode_training_status(plain, 1, &ts), -EBADMSG);
	ck_assert_int_eq(ftms_decode_training_status(plain, 2, &ts), 0);
	ck_assert_uint_eq(ts.status, FTMS_TRAINING_MANUAL_MODE);
	ck_assert_ptr_null(ts.string);
	ck_assert_int_eq(ftms_encode_training_status(&ts, buf, sizeof(buf)),
			 2);
	ck_assert_mem_eq(buf, plain, 2);

	ck_assert_int_eq(ftms_decode_training_status(str, sizeof(str), &ts),
			 0);
	ck_assert_uint_eq(ts.status, FTMS_TRAINING_PRE_WORKOUT);
	ck_assert_uint_eq(ts.string_len, 4);
	ck_assert_mem_eq(ts.string, "Warm", 4);
	ck_assert_int_eq(ftms_encode_training_status(&ts, buf, 5), -EMSGSIZE);
	ck_assert_int_eq(ftms_encode_training_status(&ts, buf, sizeof(buf)),
			 6);
	ck_assert_mem_eq(buf, str, 6);

	for (unsigned int s = 0; s < ARRAY_SIZE(names); s++)
		ck_assert_str_eq(ftms_training_status_name((uint8_t) s),
				 names[s]);
	ck_assert_str_eq(ftms_training_status_name(0x10), "reserved");
	ck_assert_str_eq(ftms_training_status_name(0xff), "reserved");
}
END_TEST

/* ---------------------------------------------------------------- */
/* Control point. */

/* The client encoders, byte for byte (docs/ftms.md 1.7 and 1.9; App. 2 of the
 * spec: "02 e8 03" is 10 km/h). */
START_TEST(cp_client_encoders)
{
	uint8_t buf[4];
	struct {
		int (*enc)(uint8_t *, size_t);
		uint8_t bytes[2];
		int len;
	} simple[] = {
		{ ftms_encode_request_control, { 0x00 }, 1 },
		{ ftms_encode_reset, { 0x01 }, 1 },
		{ ftms_encode_start_or_resume, { 0x07 }, 1 },
		{ ftms_encode_stop, { 0x08, 0x01 }, 2 },
		{ ftms_encode_pause, { 0x08, 0x02 }, 2 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(simple); i++) {
		ck_assert_int_eq(simple[i].enc(buf, sizeof(buf)),
				 simple[i].len);
		ck_assert_mem_eq(buf, simple[i].bytes, (size_t) simple[i].len);
		ck_assert_int_eq(simple[i].enc(buf, (size_t) simple[i].len - 1),
				 -EMSGSIZE);
	}
	ck_assert_int_eq(ftms_encode_set_target_speed(1000, FTMS_WIRE_UNIT_KMH,
						      buf, sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "\x02\xe8\x03", 3);
	ck_assert_int_eq(ftms_encode_set_target_speed(1000, FTMS_WIRE_UNIT_KMH,
						      buf, 2), -EMSGSIZE);
	ck_assert_int_eq(ftms_encode_set_target_speed(70000,
				FTMS_WIRE_UNIT_KMH, buf, sizeof(buf)), -ERANGE);
	ck_assert_int_eq(ftms_encode_set_target_inclination(-25, buf,
							    sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "\x03\xe7\xff", 3);
	ck_assert_int_eq(ftms_encode_set_target_inclination(-25, buf, 2),
			 -EMSGSIZE);
}
END_TEST

/* Every op of docs/ftms.md 1.7: encode -> decode -> encode, byte-identical;
 * every wrong parameter length is "Invalid Parameter". */
START_TEST(cp_every_op_round_trip)
{
	for (unsigned int op = 0; op <= 0x14; op++) {
		struct ftms_control_request in, out;
		uint8_t buf[16], again[16];
		int plen = ftms_op_param_len((uint8_t) op);
		int n;

		ck_assert_int_ge(plen, 0);
		ck_assert_ptr_nonnull(ftms_op_name((uint8_t) op));
		memset(&in, 0, sizeof(in));
		in.op = (uint8_t) op;
		/* A distinct parameter: bytes 0x11, 0x12, ... on the wire. */
		buf[0] = (uint8_t) op;
		for (int i = 0; i < plen; i++)
			buf[1 + i] = (uint8_t) (0x11 + i);
		if (op == FTMS_OP_STOP_OR_PAUSE)
			buf[1] = FTMS_PAUSE;
		if (op == FTMS_OP_SPIN_DOWN_CONTROL)
			buf[1] = 0x01;
		ck_assert_int_eq(ftms_decode_control_request(buf,
				(size_t) plen + 1, FTMS_WIRE_UNIT_KMH, &out),
				 0);
		ck_assert_uint_eq(out.op, op);
		n = ftms_encode_control_request(&out, FTMS_WIRE_UNIT_KMH,
						again, sizeof(again));
		ck_assert_int_eq(n, plen + 1);
		ck_assert_mem_eq(again, buf, (size_t) n);
		ck_assert_int_eq(ftms_encode_control_request(&out,
				FTMS_WIRE_UNIT_KMH, again, (size_t) plen),
				 -EMSGSIZE);

		/* one byte short and one byte long */
		if (plen > 0)
			ck_assert_int_eq(ftms_decode_control_request(buf,
					(size_t) plen, FTMS_WIRE_UNIT_KMH,
					&out), -EINVAL);
		buf[plen + 1] = 0;
		ck_assert_int_eq(ftms_decode_control_request(buf,
				(size_t) plen + 2, FTMS_WIRE_UNIT_KMH, &out),
				 -EINVAL);
		(void) in;
	}
}
END_TEST

START_TEST(cp_request_params)
{
	static const uint8_t speed[] = { 0x02, 0xe8, 0x03 };
	static const uint8_t incl[] = { 0x03, 0xce, 0xff };
	static const uint8_t dist[] = { 0x0c, 0x40, 0x42, 0x0f };
	static const uint8_t zones5[] = { 0x10, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0 };
	static const uint8_t sim[] = { 0x11, 0x18, 0xfc, 0x2c, 0x01, 40, 51 };
	static const uint8_t bad_stop[] = { 0x08, 0x03 };
	static const uint8_t bad_spin[] = { 0x13, 0x00 };
	struct ftms_control_request r;

	ck_assert_int_eq(ftms_decode_control_request(speed, 3,
				FTMS_WIRE_UNIT_KMH, &r), 0);
	ck_assert_uint_eq(r.param.speed, 1000);
	ck_assert_int_eq(ftms_decode_control_request(incl, 3,
				FTMS_WIRE_UNIT_KMH, &r), 0);
	ck_assert_int_eq(r.param.inclination, -50);
	ck_assert_int_eq(ftms_decode_control_request(dist, 4,
				FTMS_WIRE_UNIT_KMH, &r), 0);
	ck_assert_uint_eq(r.param.distance, 1000000);
	ck_assert_int_eq(ftms_decode_control_request(zones5, sizeof(zones5),
				FTMS_WIRE_UNIT_KMH, &r), 0);
	ck_assert_uint_eq(r.param.zone_time[4], 5);
	ck_assert_int_eq(ftms_decode_control_request(sim, sizeof(sim),
				FTMS_WIRE_UNIT_KMH, &r), 0);
	ck_assert_int_eq(r.param.bike_sim.wind_speed, -1000);
	ck_assert_int_eq(r.param.bike_sim.grade, 300);
	ck_assert_uint_eq(r.param.bike_sim.crr, 40);
	ck_assert_uint_eq(r.param.bike_sim.cw, 51);

	memset(&r, 0x5a, sizeof(r));
	ck_assert_int_eq(ftms_decode_control_request(bad_stop, 2,
				FTMS_WIRE_UNIT_KMH, &r), -EINVAL);
	ck_assert_int_eq(ftms_decode_control_request(bad_spin, 2,
				FTMS_WIRE_UNIT_KMH, &r), -EINVAL);
	ck_assert_int_eq(ftms_decode_control_request(speed, 0,
				FTMS_WIRE_UNIT_KMH, &r), -EBADMSG);
	ck_assert_uint_eq(r.op, 0x5a);
	/* unknown ops, 0x80 included: "Op Code Not Supported" */
	for (unsigned int op = 0x15; op <= 0xff; op++) {
		uint8_t b = (uint8_t) op;

		ck_assert_int_eq(ftms_decode_control_request(&b, 1,
				FTMS_WIRE_UNIT_KMH, &r), -EOPNOTSUPP);
		ck_assert_int_eq(ftms_op_param_len(b), -EOPNOTSUPP);
	}
	ck_assert_uint_eq(ftms_result_from_error(-EOPNOTSUPP),
			  FTMS_RESULT_OP_CODE_NOT_SUPPORTED);
	ck_assert_uint_eq(ftms_result_from_error(-EINVAL),
			  FTMS_RESULT_INVALID_PARAMETER);
	ck_assert_uint_eq(ftms_result_from_error(-EPERM),
			  FTMS_RESULT_CONTROL_NOT_PERMITTED);
	ck_assert_uint_eq(ftms_result_from_error(-EALREADY),
			  FTMS_RESULT_OPERATION_FAILED);
	ck_assert_uint_eq(ftms_result_from_error(0), FTMS_RESULT_SUCCESS);

	/* the encoder refuses what the decoder would refuse */
	memset(&r, 0, sizeof(r));
	r.op = FTMS_OP_STOP_OR_PAUSE;
	r.param.stop_pause = 3;
	ck_assert_int_eq(ftms_encode_control_request(&r, FTMS_WIRE_UNIT_KMH,
				(uint8_t[4]) { 0 }, 4), -EINVAL);
	r.op = 0x15;
	ck_assert_int_eq(ftms_encode_control_request(&r, FTMS_WIRE_UNIT_KMH,
				(uint8_t[4]) { 0 }, 4), -EOPNOTSUPP);
	ck_assert_str_eq(ftms_op_name(FTMS_OP_SET_TARGET_SPEED),
			 "set_target_speed");
	ck_assert_ptr_null(ftms_op_name(0x15));
}
END_TEST

/* Every result code of §4.16.2 Table 4.24, for every op. */
START_TEST(cp_responses)
{
	static const char *const names[] = {
		"reserved", "success", "op_code_not_supported",
		"invalid_parameter", "operation_failed",
		"control_not_permitted", "reserved",
	};
	struct ftms_control_response r, back;
	uint8_t buf[32];

	for (unsigned int op = 0; op <= 0x14; op++) {
		for (unsigned int res = 0; res < ARRAY_SIZE(names); res++) {
			uint8_t v[3] = { 0x80, (uint8_t) op, (uint8_t) res };

			ck_assert_int_eq(ftms_decode_control_response(v, 3, &r),
					 0);
			ck_assert_uint_eq(r.request_op, op);
			ck_assert_uint_eq(r.result, res);
			ck_assert_uint_eq(r.param_len, 0);
			ck_assert_str_eq(ftms_result_name(r.result),
					 names[res]);
			ck_assert_int_eq(ftms_check_response(&r, (uint8_t) op),
					 0);
			ck_assert_int_eq(ftms_check_response(&r,
					(uint8_t) (op + 1)), -EPROTO);
			ck_assert_int_eq(ftms_encode_control_response(&r, buf,
					sizeof(buf)), 3);
			ck_assert_mem_eq(buf, v, 3);
		}
	}
	/* spin down success carries two uint16 speeds (§4.16.2.20) */
	{
		static const uint8_t v[] = { 0x80, 0x13, 0x01, 0xd0, 0x07,
					     0xb8, 0x0b };

		ck_assert_int_eq(ftms_decode_control_response(v, sizeof(v),
							      &r), 0);
		ck_assert_uint_eq(r.param_len, 4);
		ck_assert_uint_eq(get_le16(r.param), 2000);
		ck_assert_int_eq(ftms_encode_control_response(&r, buf, 6),
				 -EMSGSIZE);
		ck_assert_int_eq(ftms_encode_control_response(&r, buf,
					sizeof(buf)), (int) sizeof(v));
		ck_assert_mem_eq(buf, v, sizeof(v));
		ck_assert_int_eq(ftms_decode_control_response(buf, sizeof(v),
							      &back), 0);
		ck_assert_uint_eq(back.param_len, 4);
	}
	/* malformed: short, not 0x80, too long */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x80;
	ck_assert_int_eq(ftms_decode_control_response(buf, 2, &r), -EBADMSG);
	ck_assert_int_eq(ftms_decode_control_response(buf,
			3 + FTMS_RESPONSE_MAX_PARAM + 1, &r), -EBADMSG);
	ck_assert_int_eq(ftms_decode_control_response(buf,
			3 + FTMS_RESPONSE_MAX_PARAM, &r), 0);
	buf[0] = 0x02;
	ck_assert_int_eq(ftms_decode_control_response(buf, 3, &r), -EBADMSG);
}
END_TEST

/* Every Fitness Machine Status op of §4.17 with its parameter. */
START_TEST(machine_status_every_op)
{
	static const struct {
		uint8_t op;
		int plen;
		const char *name;
	} ops[] = {
		{ 0x01, 0, "reset" },
		{ 0x02, 1, "stopped_or_paused_by_user" },
		{ 0x03, 0, "stopped_by_safety_key" },
		{ 0x04, 0, "started_or_resumed_by_user" },
		{ 0x05, 2, "target_speed_changed" },
		{ 0x06, 2, "target_incline_changed" },
		{ 0x07, 1, "target_resistance_level_changed" },
		{ 0x08, 2, "target_power_changed" },
		{ 0x09, 1, "target_heart_rate_changed" },
		{ 0x0a, 2, "targeted_expended_energy_changed" },
		{ 0x0b, 2, "targeted_number_of_steps_changed" },
		{ 0x0c, 2, "targeted_number_of_strides_changed" },
		{ 0x0d, 3, "targeted_distance_changed" },
		{ 0x0e, 2, "targeted_training_time_changed" },
		{ 0x0f, 4, "targeted_time_in_two_heart_rate_zones_changed" },
		{ 0x10, 6, "targeted_time_in_three_heart_rate_zones_changed" },
		{ 0x11, 10, "targeted_time_in_five_heart_rate_zones_changed" },
		{ 0x12, 6, "indoor_bike_simulation_parameters_changed" },
		{ 0x13, 2, "wheel_circumference_changed" },
		{ 0x14, 1, "spin_down_status" },
		{ 0x15, 2, "targeted_cadence_changed" },
		{ 0xff, 0, "control_permission_lost" },
	};
	struct ftms_machine_status st;
	uint8_t buf[16], again[16];

	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		int n;

		ck_assert_int_eq(ftms_status_param_len(ops[i].op),
				 ops[i].plen);
		ck_assert_str_eq(ftms_status_op_name(ops[i].op), ops[i].name);
		buf[0] = ops[i].op;
		for (int b = 0; b < ops[i].plen; b++)
			buf[1 + b] = (uint8_t) (0x21 + b);
		if (ops[i].op == FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER)
			buf[1] = FTMS_STOP;
		ck_assert_int_eq(ftms_decode_machine_status(buf,
				(size_t) ops[i].plen + 1, FTMS_WIRE_UNIT_KMH,
				&st), 0);
		ck_assert_uint_eq(st.op, ops[i].op);
		n = ftms_encode_machine_status(&st, FTMS_WIRE_UNIT_KMH, again,
					       sizeof(again));
		ck_assert_int_eq(n, ops[i].plen + 1);
		ck_assert_mem_eq(again, buf, (size_t) n);
		ck_assert_int_eq(ftms_encode_machine_status(&st,
				FTMS_WIRE_UNIT_KMH, again, (size_t) n - 1),
				 -EMSGSIZE);
		if (ops[i].plen)
			ck_assert_int_eq(ftms_decode_machine_status(buf,
					(size_t) ops[i].plen,
					FTMS_WIRE_UNIT_KMH, &st), -EBADMSG);
	}
	/* parameter values */
	ck_assert_int_eq(ftms_decode_machine_status((const uint8_t *)
			"\x02\x02", 2, FTMS_WIRE_UNIT_KMH, &st), 0);
	ck_assert_uint_eq(st.param.stop_pause, FTMS_PAUSE);
	ck_assert_int_eq(ftms_decode_machine_status((const uint8_t *)
			"\x06\x9c\xff", 3, FTMS_WIRE_UNIT_KMH, &st), 0);
	ck_assert_int_eq(st.param.inclination, -100);
	ck_assert_int_eq(ftms_decode_machine_status((const uint8_t *)
			"\x0d\xa0\x86\x01", 4, FTMS_WIRE_UNIT_KMH, &st), 0);
	ck_assert_uint_eq(st.param.distance, 100000);
	/* extra bytes after a complete parameter are ignored */
	ck_assert_int_eq(ftms_decode_machine_status((const uint8_t *)
			"\x03\x00", 2, FTMS_WIRE_UNIT_KMH, &st), 0);
	ck_assert_uint_eq(st.op, FTMS_STATUS_STOPPED_BY_SAFETY_KEY);
	/* RFU ops and empty payloads */
	for (unsigned int op = 0x16; op < 0xff; op++) {
		uint8_t b = (uint8_t) op;

		ck_assert_int_eq(ftms_decode_machine_status(&b, 1,
				FTMS_WIRE_UNIT_KMH, &st), -EOPNOTSUPP);
		ck_assert_ptr_null(ftms_status_op_name(b));
	}
	ck_assert_int_eq(ftms_decode_machine_status((const uint8_t *) "\x00",
			1, FTMS_WIRE_UNIT_KMH, &st), -EOPNOTSUPP);
	ck_assert_int_eq(ftms_decode_machine_status(buf, 0,
			FTMS_WIRE_UNIT_KMH, &st), -EBADMSG);
	st.op = 0x00;
	ck_assert_int_eq(ftms_encode_machine_status(&st, FTMS_WIRE_UNIT_KMH,
			buf, sizeof(buf)), -EOPNOTSUPP);
}
END_TEST

/* ---------------------------------------------------------------- */
/* JSON writer. */

static const char *json_text(struct json *j)
{
	return json_buffer(j, NULL);
}

START_TEST(json_basic)
{
	struct json *j = json_new_buffer();

	json_object_begin(j);
	json_key(j, "a");
	json_int(j, -3);
	json_key(j, "b");
	json_array_begin(j);
	json_uint(j, 18446744073709551615ull);
	json_bool(j, true);
	json_null(j);
	json_object_begin(j);
	json_object_end(j);
	json_array_end(j);
	json_key(j, "c");
	json_fixed(j, 627, 2);
	json_key(j, "d");
	json_fixed(j, -5, 1);
	json_key(j, "e");
	json_fixed(j, 7, 0);
	json_key(j, "f");
	json_double(j, 2.5, 3);
	json_key(j, "g");
	json_fixed(j, 0, 2);
	json_key(j, "h");
	json_double(j, -0.001, 2);
	json_key(j, "i");
	json_double(j, NAN, 2);
	json_key(j, "k");
	json_fixed(j, INT64_MIN, 0);
	json_object_end(j);
	ck_assert_int_eq(json_error(j), 0);
	ck_assert_str_eq(json_text(j),
		"{\"a\":-3,\"b\":[18446744073709551615,true,null,{}],"
		"\"c\":6.27,\"d\":-0.5,\"e\":7,\"f\":2.500,\"g\":0.00,"
		"\"h\":0.00,\"i\":null,\"k\":-9223372036854775808}");
	json_buffer_reset(j);
	ck_assert_str_eq(json_text(j), "");
	json_string(j, "x");
	ck_assert_str_eq(json_text(j), "\"x\"");
	ck_assert_int_eq(json_free(j), 0);
}
END_TEST

START_TEST(json_escaping)
{
	struct json *j = json_new_buffer();

	json_array_begin(j);
	json_string(j, "q\"b\\n\n\t\x01\x7f");
	json_string(j, "caf\xc3\xa9 \xe2\x82\xac");	/* valid UTF-8 kept */
	json_string_len(j, "\xff\xc3(\xed\xa0\x80", 6);	/* invalid */
	json_string_len(j, "a\0b", 3);
	json_string(j, NULL);
	json_array_end(j);
	ck_assert_int_eq(json_error(j), 0);
	ck_assert_str_eq(json_text(j),
		"[\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\","
		"\"caf\xc3\xa9 \xe2\x82\xac\","
		"\"\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\","
		"\"a\\u0000b\",null]");
	(void) json_free(j);
}
END_TEST

START_TEST(json_misuse)
{
	struct json *j = json_new_buffer();

	/* value without key inside an object */
	json_object_begin(j);
	json_int(j, 1);
	ck_assert_int_eq(json_error(j), -EINVAL);
	(void) json_free(j);

	j = json_new_buffer();
	json_key(j, "k");		/* key outside object */
	ck_assert_int_eq(json_error(j), -EINVAL);
	(void) json_free(j);

	j = json_new_buffer();
	json_array_begin(j);
	json_object_end(j);		/* mismatched end */
	ck_assert_int_eq(json_error(j), -EINVAL);
	(void) json_free(j);

	j = json_new_buffer();
	json_object_begin(j);		/* unfinished */
	ck_assert_int_eq(json_free(j), -EINVAL);

	j = json_new_buffer();
	json_int(j, 1);
	json_int(j, 2);			/* two top-level values */
	ck_assert_int_eq(json_error(j), -EINVAL);
	(void) json_free(j);

	j = json_new_buffer();
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(j);
	ck_assert_int_eq(json_error(j), -EINVAL);
	(void) json_free(j);

	ck_assert_int_eq(json_free(NULL), 0);
}
END_TEST

START_TEST(json_file)
{
	FILE *f = tmpfile();
	struct json *j;
	char text[64];
	size_t n;

	ck_assert_ptr_nonnull(f);
	j = json_new_file(f);
	ck_assert_ptr_null(json_buffer(j, NULL));
	json_object_begin(j);
	json_key(j, "speed");
	json_fixed(j, 1000, 2);
	json_object_end(j);
	ck_assert_int_eq(json_free(j), 0);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	ck_assert_str_eq(text, "{\"speed\":10.00}");
	fclose(f);
}
END_TEST

static Suite *ftms_suite(void)
{
	Suite *s = suite_create("ftms");
	struct {
		const char *name;
		const TTest *tests[8];
	} cases[] = {
		{ "treadmill_data", { td_speed_only, td_each_field_alone,
				      td_sentinels, td_encode_sentinels,
				      td_too_short, td_rfu_bits } },
		{ "treadmill_data_combinations", { td_all_flag_combinations } },
		{ "truncated", { td_truncated_every_boundary,
				 td_vendor_step_count } },
		{ "real_captures", { real_life_fitness, real_matrix_20_bytes,
				     real_citysports_steps, real_horizon } },
		{ "assembler", { asm_two_parts, asm_three_parts_and_override,
				 asm_cap_reset_malformed } },
		{ "wire_unit", { units_mph } },
		{ "feature_ranges_training", { feature, ranges,
					       training_status } },
		{ "control_point", { cp_client_encoders,
				     cp_every_op_round_trip, cp_request_params,
				     cp_responses } },
		{ "machine_status", { machine_status_every_op } },
		{ "json", { json_basic, json_escaping, json_misuse,
			    json_file } },
	};

	for (unsigned int c = 0; c < ARRAY_SIZE(cases); c++) {
		TCase *tc = tcase_create(cases[c].name);

		tcase_set_timeout(tc, 30);
		for (unsigned int t = 0; t < ARRAY_SIZE(cases[c].tests) &&
		     cases[c].tests[t]; t++)
			tcase_add_test(tc, cases[c].tests[t]);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ftms_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
