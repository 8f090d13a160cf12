/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fitness Machine Service (FTMS 1.0) codec for treadmills: pure, no I/O. */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "ftms.h"

/* ------------------------------------------------------------------ */
/* Wire unit: the only place mph and km/h meet (docs/ftms.md 2, "mph on the
 * wire": Bowflex T9, JFTM T202, FITSHOW ranges). 1 mph = 1.609344 km/h
 * exactly; both directions round to nearest. */

#define KMH_PER_MPH_E6	1609344ull

uint32_t ftms_speed_from_wire(uint16_t wire, enum ftms_wire_unit unit)
{
	switch (unit) {
	case FTMS_WIRE_UNIT_MPH:
		return (uint32_t) ((wire * KMH_PER_MPH_E6 + 500000) / 1000000);
	case FTMS_WIRE_UNIT_KMH:
		break;
	}
	return wire;
}

int ftms_speed_to_wire(uint32_t kmh_100, enum ftms_wire_unit unit)
{
	uint64_t wire = kmh_100;

	switch (unit) {
	case FTMS_WIRE_UNIT_MPH:
		wire = (kmh_100 * 1000000ull + KMH_PER_MPH_E6 / 2) /
		       KMH_PER_MPH_E6;
		break;
	case FTMS_WIRE_UNIT_KMH:
		break;
	}
	if (wire > UINT16_MAX)
		return -ERANGE;
	return (int) wire;
}

/* ------------------------------------------------------------------ */
/* Treadmill Data, FTMS v1.0 §4.9.1 (Table 4.11), docs/ftms.md 1.4. */

struct td_desc {
	const char *name;
	uint16_t flag;		/* 0: instantaneous speed (bit 0 == 0) */
	uint8_t size;		/* bytes on the wire; 0 for the step count */
	bool is_signed;
	bool has_sentinel;
	uint32_t sentinel;	/* raw wire value meaning "not available" */
};

/* Wire order is enum order, which is flag bit order (§4.9.1). */
static const struct td_desc td_fields[FTMS_TD_FIELD_COUNT] = {
	[FTMS_TD_INSTANTANEOUS_SPEED] = { "instantaneous_speed", 0, 2 },
	[FTMS_TD_AVERAGE_SPEED] = { "average_speed",
		FTMS_TD_FLAG_AVERAGE_SPEED, 2 },
	[FTMS_TD_TOTAL_DISTANCE] = { "total_distance",
		FTMS_TD_FLAG_TOTAL_DISTANCE, 3 },
	/* §4.9.1.5/6: 0x7FFF = data not available */
	[FTMS_TD_INCLINATION] = { "inclination",
		FTMS_TD_FLAG_INCLINATION, 2, true, true, 0x7fff },
	[FTMS_TD_RAMP_ANGLE] = { "ramp_angle_setting",
		FTMS_TD_FLAG_INCLINATION, 2, true, true, 0x7fff },
	/*
	 * The spec defines no sentinel for elevation gain, but Life Fitness
	 * sends 0x7FFF in this uint16 for "N/A" (docs/ftms.md 2); 0xFFFF is
	 * accepted as well (see td_is_sentinel()).
	 */
	[FTMS_TD_POSITIVE_ELEVATION_GAIN] = { "positive_elevation_gain",
		FTMS_TD_FLAG_ELEVATION_GAIN, 2, false, true, 0x7fff },
	[FTMS_TD_NEGATIVE_ELEVATION_GAIN] = { "negative_elevation_gain",
		FTMS_TD_FLAG_ELEVATION_GAIN, 2, false, true, 0x7fff },
	/* docs/ftms.md 1.4: uint8 in the FTMS 1.0 XML, QZ, pyftms and TMIW. */
	[FTMS_TD_INSTANTANEOUS_PACE] = { "instantaneous_pace",
		FTMS_TD_FLAG_INSTANTANEOUS_PACE, 1 },
	[FTMS_TD_AVERAGE_PACE] = { "average_pace",
		FTMS_TD_FLAG_AVERAGE_PACE, 1 },
	/* §4.9.1.12-14; the PDF's "0xFF (257)" for energy/min is a typo. */
	[FTMS_TD_TOTAL_ENERGY] = { "total_energy",
		FTMS_TD_FLAG_EXPENDED_ENERGY, 2, false, true, 0xffff },
	[FTMS_TD_ENERGY_PER_HOUR] = { "energy_per_hour",
		FTMS_TD_FLAG_EXPENDED_ENERGY, 2, false, true, 0xffff },
	[FTMS_TD_ENERGY_PER_MINUTE] = { "energy_per_minute",
		FTMS_TD_FLAG_EXPENDED_ENERGY, 1, false, true, 0xff },
	[FTMS_TD_HEART_RATE] = { "heart_rate", FTMS_TD_FLAG_HEART_RATE, 1 },
	[FTMS_TD_METABOLIC_EQUIVALENT] = { "metabolic_equivalent",
		FTMS_TD_FLAG_METABOLIC_EQUIVALENT, 1 },
	[FTMS_TD_ELAPSED_TIME] = { "elapsed_time",
		FTMS_TD_FLAG_ELAPSED_TIME, 2 },
	[FTMS_TD_REMAINING_TIME] = { "remaining_time",
		FTMS_TD_FLAG_REMAINING_TIME, 2 },
	/* §4.9.1.20/21: 0x7FFF = data not available */
	[FTMS_TD_FORCE_ON_BELT] = { "force_on_belt",
		FTMS_TD_FLAG_FORCE_AND_POWER, 2, true, true, 0x7fff },
	[FTMS_TD_POWER_OUTPUT] = { "power_output",
		FTMS_TD_FLAG_FORCE_AND_POWER, 2, true, true, 0x7fff },
	[FTMS_TD_STEP_COUNT] = { "step_count",
		FTMS_TD_FLAG_VENDOR_STEP_COUNT, 0 },
};

static bool td_is_sentinel(enum ftms_td_field f, uint32_t raw)
{
	if (!td_fields[f].has_sentinel)
		return false;
	if (f == FTMS_TD_POSITIVE_ELEVATION_GAIN ||
	    f == FTMS_TD_NEGATIVE_ELEVATION_GAIN)
		return raw == 0x7fff || raw == 0xffff;
	return raw == td_fields[f].sentinel;
}

static bool td_flagged(uint16_t flags, enum ftms_td_field f)
{
	/* §4.9.1.1: bit 0 is "More Data"; speed is present when it is 0. */
	if (f == FTMS_TD_INSTANTANEOUS_SPEED)
		return !(flags & FTMS_TD_FLAG_MORE_DATA);
	return flags & td_fields[f].flag;
}

/* Store a raw wire value (speeds already converted by the caller). */
static void td_store(struct ftms_treadmill_data *td, enum ftms_td_field f,
		     uint32_t v)
{
	switch (f) {
	case FTMS_TD_INSTANTANEOUS_SPEED:
		td->instantaneous_speed = v;
		break;
	case FTMS_TD_AVERAGE_SPEED:
		td->average_speed = v;
		break;
	case FTMS_TD_TOTAL_DISTANCE:
		td->total_distance = v;
		break;
	case FTMS_TD_INCLINATION:
		td->inclination = (int16_t) v;
		break;
	case FTMS_TD_RAMP_ANGLE:
		td->ramp_angle = (int16_t) v;
		break;
	case FTMS_TD_POSITIVE_ELEVATION_GAIN:
		td->positive_elevation_gain = (uint16_t) v;
		break;
	case FTMS_TD_NEGATIVE_ELEVATION_GAIN:
		td->negative_elevation_gain = (uint16_t) v;
		break;
	case FTMS_TD_INSTANTANEOUS_PACE:
		td->instantaneous_pace = (uint8_t) v;
		break;
	case FTMS_TD_AVERAGE_PACE:
		td->average_pace = (uint8_t) v;
		break;
	case FTMS_TD_TOTAL_ENERGY:
		td->total_energy = (uint16_t) v;
		break;
	case FTMS_TD_ENERGY_PER_HOUR:
		td->energy_per_hour = (uint16_t) v;
		break;
	case FTMS_TD_ENERGY_PER_MINUTE:
		td->energy_per_minute = (uint8_t) v;
		break;
	case FTMS_TD_HEART_RATE:
		td->heart_rate = (uint8_t) v;
		break;
	case FTMS_TD_METABOLIC_EQUIVALENT:
		td->metabolic_equivalent = (uint8_t) v;
		break;
	case FTMS_TD_ELAPSED_TIME:
		td->elapsed_time = (uint16_t) v;
		break;
	case FTMS_TD_REMAINING_TIME:
		td->remaining_time = (uint16_t) v;
		break;
	case FTMS_TD_FORCE_ON_BELT:
		td->force_on_belt = (int16_t) v;
		break;
	case FTMS_TD_POWER_OUTPUT:
		td->power_output = (int16_t) v;
		break;
	case FTMS_TD_STEP_COUNT:
		td->step_count = v;
		break;
	case FTMS_TD_FIELD_COUNT:
		break;
	}
}

int64_t ftms_td_field_value(const struct ftms_treadmill_data *td,
			    enum ftms_td_field f)
{
	if (f >= FTMS_TD_FIELD_COUNT || !(td->present & FTMS_TD_BIT(f)))
		return 0;

	switch (f) {
	case FTMS_TD_INSTANTANEOUS_SPEED:
		return td->instantaneous_speed;
	case FTMS_TD_AVERAGE_SPEED:
		return td->average_speed;
	case FTMS_TD_TOTAL_DISTANCE:
		return td->total_distance;
	case FTMS_TD_INCLINATION:
		return td->inclination;
	case FTMS_TD_RAMP_ANGLE:
		return td->ramp_angle;
	case FTMS_TD_POSITIVE_ELEVATION_GAIN:
		return td->positive_elevation_gain;
	case FTMS_TD_NEGATIVE_ELEVATION_GAIN:
		return td->negative_elevation_gain;
	case FTMS_TD_INSTANTANEOUS_PACE:
		return td->instantaneous_pace;
	case FTMS_TD_AVERAGE_PACE:
		return td->average_pace;
	case FTMS_TD_TOTAL_ENERGY:
		return td->total_energy;
	case FTMS_TD_ENERGY_PER_HOUR:
		return td->energy_per_hour;
	case FTMS_TD_ENERGY_PER_MINUTE:
		return td->energy_per_minute;
	case FTMS_TD_HEART_RATE:
		return td->heart_rate;
	case FTMS_TD_METABOLIC_EQUIVALENT:
		return td->metabolic_equivalent;
	case FTMS_TD_ELAPSED_TIME:
		return td->elapsed_time;
	case FTMS_TD_REMAINING_TIME:
		return td->remaining_time;
	case FTMS_TD_FORCE_ON_BELT:
		return td->force_on_belt;
	case FTMS_TD_POWER_OUTPUT:
		return td->power_output;
	case FTMS_TD_STEP_COUNT:
		return td->step_count;
	case FTMS_TD_FIELD_COUNT:
		break;
	}
	return 0;
}

const char *ftms_td_field_name(enum ftms_td_field f)
{
	if (f >= FTMS_TD_FIELD_COUNT)
		return NULL;
	return td_fields[f].name;
}

uint16_t ftms_td_field_flag(enum ftms_td_field f)
{
	if (f >= FTMS_TD_FIELD_COUNT)
		return 0;
	return td_fields[f].flag;
}

const char *ftms_step_width_name(enum ftms_step_width w)
{
	switch (w) {
	case FTMS_STEP_WIDTH_NONE:
		return "none";
	case FTMS_STEP_WIDTH_UINT24:
		return "uint24";
	case FTMS_STEP_WIDTH_UINT16:
		return "uint16";
	case FTMS_STEP_WIDTH_CUT:
		return "cut";
	}
	return "unknown";
}

static uint32_t get_le(const uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1:
		return p[0];
	case 2:
		return get_le16(p);
	case 3:
		return get_le24(p);
	default:
		return get_le32(p);
	}
}

static void put_le(uint32_t v, uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1:
		p[0] = (uint8_t) v;
		break;
	case 2:
		put_le16((uint16_t) v, p);
		break;
	case 3:
		put_le24(v, p);
		break;
	default:
		put_le32(v, p);
		break;
	}
}

int ftms_decode_treadmill_data(const uint8_t *buf, size_t len,
			       enum ftms_wire_unit unit,
			       struct ftms_treadmill_data *ret_td)
{
	struct ftms_treadmill_data td;
	size_t off = 2;
	size_t left;

	if (!buf || len < 2)
		return -EBADMSG;

	memset(&td, 0, sizeof(td));
	td.flags = get_le16(buf);

	/*
	 * Greedy (docs/ftms.md 1.10, "Truncated frames"): Matrix consoles set
	 * every flag and cut the frame at 20 bytes. Keep each field that
	 * fits; once one is cut, every later flagged field is cut too,
	 * since fields have no offsets of their own.
	 */
	for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
		const struct td_desc *d = &td_fields[f];
		uint32_t raw;

		if (!td_flagged(td.flags, f))
			continue;
		if (len - off < d->size) {
			td.missing |= FTMS_TD_BIT(f);
			off = len;
			continue;
		}
		raw = get_le(buf + off, d->size);
		off += d->size;
		td.present |= FTMS_TD_BIT(f);
		if (td_is_sentinel(f, raw))
			td.not_available |= FTMS_TD_BIT(f);
		if (f == FTMS_TD_INSTANTANEOUS_SPEED ||
		    f == FTMS_TD_AVERAGE_SPEED)
			raw = ftms_speed_from_wire((uint16_t) raw, unit);
		td_store(&td, f, raw);
	}

	left = len - off;
	if (td.flags & FTMS_TD_FLAG_VENDOR_STEP_COUNT) {
		/*
		 * RFU bit 13 (docs/ftms.md 1.4/1.10): pyftms and the CITYSPORTS
		 * layout read a uint24 step count, one KingSmith Z1 document
		 * a uint16. Only the remaining length can tell them apart.
		 */
		if (left >= 3) {
			td.step_count = get_le24(buf + off);
			td.step_width = FTMS_STEP_WIDTH_UINT24;
			off += 3;
		} else if (left == 2) {
			td.step_count = get_le16(buf + off);
			td.step_width = FTMS_STEP_WIDTH_UINT16;
			off += 2;
		} else {
			/* A cut field's bytes are not trailing data. */
			td.step_width = FTMS_STEP_WIDTH_CUT;
			off = len;
		}
		if (td.step_width == FTMS_STEP_WIDTH_CUT)
			td.missing |= FTMS_TD_BIT(FTMS_TD_STEP_COUNT);
		else
			td.present |= FTMS_TD_BIT(FTMS_TD_STEP_COUNT);
	}
	/* Extra bytes after the last field are tolerated (TMIW #320). */
	td.trailing = (uint16_t) MIN(len - off, UINT16_MAX);

	*ret_td = td;
	return 0;
}

/* The raw wire value to encode for field f (speeds converted by caller). */
static uint32_t td_wire_value(const struct ftms_treadmill_data *td,
			      enum ftms_td_field f)
{
	const struct td_desc *d = &td_fields[f];
	uint32_t bit = FTMS_TD_BIT(f);
	uint32_t mask = d->size >= 4 ? UINT32_MAX : (1u << (8 * d->size)) - 1;

	if (!(td->present & bit) || (td->not_available & bit)) {
		/*
		 * The absent member of a present group, or a field marked
		 * N/A: the sentinel where one exists. A recognised sentinel
		 * value is kept so decode -> encode gives the same bytes.
		 */
		if ((td->present & bit) &&
		    td_is_sentinel(f, (uint32_t) ftms_td_field_value(td, f) &
				   mask))
			return (uint32_t) ftms_td_field_value(td, f) & mask;
		return d->has_sentinel ? d->sentinel : 0;
	}
	return (uint32_t) ftms_td_field_value(td, f) & mask;
}

int ftms_encode_treadmill_data(const struct ftms_treadmill_data *td,
			       enum ftms_wire_unit unit,
			       uint8_t *buf, size_t len)
{
	uint8_t out[FTMS_TD_MAX_LEN];
	uint16_t flags = 0;
	size_t off = 2;

	/* Refuse what the wire cannot carry rather than truncate it. */
	if ((td->present & FTMS_TD_BIT(FTMS_TD_TOTAL_DISTANCE)) &&
	    !(td->not_available & FTMS_TD_BIT(FTMS_TD_TOTAL_DISTANCE)) &&
	    td->total_distance > 0xffffff)
		return -ERANGE;
	if (!(td->present & FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED)))
		flags |= FTMS_TD_FLAG_MORE_DATA;
	for (unsigned int f = FTMS_TD_AVERAGE_SPEED; f < FTMS_TD_FIELD_COUNT;
	     f++)
		if (td->present & FTMS_TD_BIT(f))
			flags |= td_fields[f].flag;

	for (unsigned int f = 0; f < FTMS_TD_STEP_COUNT; f++) {
		const struct td_desc *d = &td_fields[f];
		uint32_t v;

		if (!td_flagged(flags, f))
			continue;
		if (f == FTMS_TD_INSTANTANEOUS_SPEED ||
		    f == FTMS_TD_AVERAGE_SPEED) {
			/* Flagged only when present; no sentinel. */
			int w = ftms_speed_to_wire(
				(uint32_t) ftms_td_field_value(td, f), unit);

			if (w < 0)
				return w;
			v = (uint32_t) w;
		} else {
			v = td_wire_value(td, f);
		}
		put_le(v, out + off, d->size);
		off += d->size;
	}

	if (flags & FTMS_TD_FLAG_VENDOR_STEP_COUNT) {
		if (td->step_width == FTMS_STEP_WIDTH_UINT16) {
			if (td->step_count > UINT16_MAX)
				return -ERANGE;
			put_le16((uint16_t) td->step_count, out + off);
			off += 2;
		} else {
			if (td->step_count > 0xffffff)
				return -ERANGE;
			put_le24(td->step_count, out + off);
			off += 3;
		}
	}

	put_le16(flags, out);
	if (len < off)
		return -EMSGSIZE;
	memcpy(buf, out, off);
	return (int) off;
}

/* ------------------------------------------------------------------ */
/* Record assembler, FTMS v1.0 §4.19 and Appendix 1. */

void ftms_assembler_init(struct ftms_assembler *a, enum ftms_wire_unit unit)
{
	memset(a, 0, sizeof(*a));
	a->unit = unit;
}

void ftms_assembler_reset(struct ftms_assembler *a)
{
	/* §4.18: after a link loss the rest of a record never comes. */
	if (a->parts)
		a->discarded++;
	a->parts = 0;
	memset(&a->rec, 0, sizeof(a->rec));
}

static void merge(struct ftms_treadmill_data *acc,
		  const struct ftms_treadmill_data *part)
{
	for (unsigned int f = 0; f < FTMS_TD_FIELD_COUNT; f++) {
		uint32_t bit = FTMS_TD_BIT(f);

		if (part->present & bit) {
			td_store(acc, f, (uint32_t) ftms_td_field_value(part,
									f));
			acc->present |= bit;
			acc->missing &= ~bit;
			acc->not_available &= ~bit;
			acc->not_available |= part->not_available & bit;
		} else if ((part->missing & bit) && !(acc->present & bit)) {
			acc->missing |= bit;
		}
	}
	if (part->step_width != FTMS_STEP_WIDTH_NONE &&
	    (part->present & FTMS_TD_BIT(FTMS_TD_STEP_COUNT) ||
	     acc->step_width == FTMS_STEP_WIDTH_NONE))
		acc->step_width = part->step_width;
	acc->flags |= part->flags;
	acc->trailing = (uint16_t) MIN((unsigned int) acc->trailing +
				       part->trailing, UINT16_MAX);
}

int ftms_assembler_feed(struct ftms_assembler *a, const uint8_t *buf,
			size_t len, struct ftms_treadmill_data *ret_record)
{
	struct ftms_treadmill_data part;
	int r;

	r = ftms_decode_treadmill_data(buf, len, a->unit, &part);
	if (r < 0) {
		a->malformed++;
		return r;
	}

	/* Every peer-controlled count has a cap: a machine that never
	 * clears More Data must not grow the record forever. */
	if (a->parts >= FTMS_ASSEMBLER_MAX_PARTS) {
		a->overflows++;
		a->parts = 0;
		memset(&a->rec, 0, sizeof(a->rec));
		return -EMSGSIZE;
	}

	merge(&a->rec, &part);
	a->parts++;
	if (part.flags & FTMS_TD_FLAG_MORE_DATA)
		return 0;

	/* The last part carries More Data = 0: so does the record. */
	a->rec.flags &= (uint16_t) ~FTMS_TD_FLAG_MORE_DATA;
	*ret_record = a->rec;
	a->records++;
	a->parts = 0;
	memset(&a->rec, 0, sizeof(a->rec));
	return 1;
}

const struct ftms_treadmill_data *
ftms_assembler_pending(const struct ftms_assembler *a)
{
	return a->parts ? &a->rec : NULL;
}

/* ------------------------------------------------------------------ */
/* Fitness Machine Feature, §4.3.1 (Tables 4.3 and 4.4). */

static const char *const machine_feature_names[] = {
	"average_speed", "cadence", "total_distance", "inclination",
	"elevation_gain", "pace", "step_count", "resistance_level",
	"stride_count", "expended_energy", "heart_rate_measurement",
	"metabolic_equivalent", "elapsed_time", "remaining_time",
	"power_measurement", "force_on_belt_and_power_output",
	"user_data_retention",
};

static const char *const target_feature_names[] = {
	"speed_target", "inclination_target", "resistance_target",
	"power_target", "heart_rate_target", "targeted_expended_energy",
	"targeted_step_number", "targeted_stride_number",
	"targeted_distance", "targeted_training_time",
	"targeted_time_in_two_heart_rate_zones",
	"targeted_time_in_three_heart_rate_zones",
	"targeted_time_in_five_heart_rate_zones",
	"indoor_bike_simulation", "wheel_circumference",
	"spin_down_control", "targeted_cadence",
};

const char *ftms_feature_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(machine_feature_names) ?
	       machine_feature_names[bit] : NULL;
}

const char *ftms_target_feature_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(target_feature_names) ?
	       target_feature_names[bit] : NULL;
}

int ftms_decode_feature(const uint8_t *buf, size_t len,
			struct ftms_feature *ret_feature)
{
	if (!buf || len < FTMS_FEATURE_LEN)
		return -EBADMSG;
	ret_feature->machine = get_le32(buf);
	ret_feature->target = get_le32(buf + 4);
	return 0;
}

int ftms_encode_feature(const struct ftms_feature *f, uint8_t *buf,
			size_t len)
{
	if (len < FTMS_FEATURE_LEN)
		return -EMSGSIZE;
	put_le32(f->machine, buf);
	put_le32(f->target, buf + 4);
	return FTMS_FEATURE_LEN;
}

/* ------------------------------------------------------------------ */
/* Supported ranges, §4.12 and §4.13. */

int ftms_decode_speed_range(const uint8_t *buf, size_t len,
			    enum ftms_wire_unit unit,
			    struct ftms_speed_range *ret_range)
{
	struct ftms_speed_range r;

	if (!buf || len < FTMS_SPEED_RANGE_LEN)
		return -EBADMSG;
	/* FITSHOW FS-BT-T4 reports this range in mph (docs/ftms.md 1.6). */
	r.min = ftms_speed_from_wire(get_le16(buf), unit);
	r.max = ftms_speed_from_wire(get_le16(buf + 2), unit);
	r.increment = ftms_speed_from_wire(get_le16(buf + 4), unit);
	/* Commands are clamped to this range: an inverted one is garbage. */
	if (r.min > r.max)
		return -EBADMSG;
	*ret_range = r;
	return 0;
}

int ftms_encode_speed_range(const struct ftms_speed_range *r,
			    enum ftms_wire_unit unit, uint8_t *buf, size_t len)
{
	int min = ftms_speed_to_wire(r->min, unit);
	int max = ftms_speed_to_wire(r->max, unit);
	int inc = ftms_speed_to_wire(r->increment, unit);

	if (min < 0 || max < 0 || inc < 0)
		return -ERANGE;
	if (len < FTMS_SPEED_RANGE_LEN)
		return -EMSGSIZE;
	put_le16((uint16_t) min, buf);
	put_le16((uint16_t) max, buf + 2);
	put_le16((uint16_t) inc, buf + 4);
	return FTMS_SPEED_RANGE_LEN;
}

int ftms_decode_incline_range(const uint8_t *buf, size_t len,
			      struct ftms_incline_range *ret_range)
{
	struct ftms_incline_range r;

	if (!buf || len < FTMS_INCLINE_RANGE_LEN)
		return -EBADMSG;
	/* §4.13.1: min and max sint16, increment uint16 (pyftms reads it
	 * signed; the same for every real value). */
	r.min = (int16_t) get_le16(buf);
	r.max = (int16_t) get_le16(buf + 2);
	r.increment = get_le16(buf + 4);
	if (r.min > r.max)
		return -EBADMSG;
	*ret_range = r;
	return 0;
}

int ftms_encode_incline_range(const struct ftms_incline_range *r,
			      uint8_t *buf, size_t len)
{
	if (len < FTMS_INCLINE_RANGE_LEN)
		return -EMSGSIZE;
	put_le16((uint16_t) r->min, buf);
	put_le16((uint16_t) r->max, buf + 2);
	put_le16(r->increment, buf + 4);
	return FTMS_INCLINE_RANGE_LEN;
}

/* ------------------------------------------------------------------ */
/* Training Status, §4.10 (Tables 4.14, 4.15). */

static const char *const training_status_names[] = {
	"other", "idle", "warming_up", "low_intensity_interval",
	"high_intensity_interval", "recovery_interval", "isometric",
	"heart_rate_control", "fitness_test",
	"speed_outside_control_region_low",
	"speed_outside_control_region_high", "cool_down", "watt_control",
	"manual_mode", "pre_workout", "post_workout",
};

const char *ftms_training_status_name(uint8_t status)
{
	if (status < ARRAY_SIZE(training_status_names))
		return training_status_names[status];
	return "reserved";
}

int ftms_decode_training_status(const uint8_t *buf, size_t len,
				struct ftms_training_status *ret_ts)
{
	struct ftms_training_status ts;

	if (!buf || len < 2)
		return -EBADMSG;
	memset(&ts, 0, sizeof(ts));
	ts.flags = buf[0];
	ts.status = buf[1];
	/* §4.10.1.1: the string follows only if flag bit 0 is set. With
	 * bit 1 the rest is read with Read Long; we get what came. */
	if ((ts.flags & FTMS_TRAINING_FLAG_STRING) && len > 2) {
		ts.string = buf + 2;
		ts.string_len = len - 2;
	}
	*ret_ts = ts;
	return 0;
}

int ftms_encode_training_status(const struct ftms_training_status *ts,
				uint8_t *buf, size_t len)
{
	size_t slen = ts->string ? ts->string_len : 0;
	uint8_t flags = ts->flags;

	if (slen > FTMS_MAX_VALUE_LEN - 2)
		return -EMSGSIZE;
	if (len < 2 + slen)
		return -EMSGSIZE;
	if (slen)
		flags |= FTMS_TRAINING_FLAG_STRING;
	buf[0] = flags;
	buf[1] = ts->status;
	if (slen)
		memcpy(buf + 2, ts->string, slen);
	return (int) (2 + slen);
}

/* ------------------------------------------------------------------ */
/* Control point, §4.16 (Table 4.15/4.16), and Machine Status, §4.17. */

struct op_desc {
	const char *name;
	int8_t param_len;	/* -1: not a request op */
};

static const struct op_desc ops[] = {
	[FTMS_OP_REQUEST_CONTROL] = { "request_control", 0 },
	[FTMS_OP_RESET] = { "reset", 0 },
	[FTMS_OP_SET_TARGET_SPEED] = { "set_target_speed", 2 },
	[FTMS_OP_SET_TARGET_INCLINATION] = { "set_target_inclination", 2 },
	[FTMS_OP_SET_TARGET_RESISTANCE_LEVEL] =
		{ "set_target_resistance_level", 1 },
	[FTMS_OP_SET_TARGET_POWER] = { "set_target_power", 2 },
	[FTMS_OP_SET_TARGET_HEART_RATE] = { "set_target_heart_rate", 1 },
	[FTMS_OP_START_OR_RESUME] = { "start_or_resume", 0 },
	[FTMS_OP_STOP_OR_PAUSE] = { "stop_or_pause", 1 },
	[FTMS_OP_SET_TARGETED_EXPENDED_ENERGY] =
		{ "set_targeted_expended_energy", 2 },
	[FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS] =
		{ "set_targeted_number_of_steps", 2 },
	[FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES] =
		{ "set_targeted_number_of_strides", 2 },
	[FTMS_OP_SET_TARGETED_DISTANCE] = { "set_targeted_distance", 3 },
	[FTMS_OP_SET_TARGETED_TRAINING_TIME] =
		{ "set_targeted_training_time", 2 },
	[FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES] =
		{ "set_targeted_time_in_two_heart_rate_zones", 4 },
	[FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES] =
		{ "set_targeted_time_in_three_heart_rate_zones", 6 },
	[FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES] =
		{ "set_targeted_time_in_five_heart_rate_zones", 10 },
	[FTMS_OP_SET_INDOOR_BIKE_SIMULATION] =
		{ "set_indoor_bike_simulation_parameters", 6 },
	[FTMS_OP_SET_WHEEL_CIRCUMFERENCE] = { "set_wheel_circumference", 2 },
	[FTMS_OP_SPIN_DOWN_CONTROL] = { "spin_down_control", 1 },
	[FTMS_OP_SET_TARGETED_CADENCE] = { "set_targeted_cadence", 2 },
};

int ftms_op_param_len(uint8_t op)
{
	if (op >= ARRAY_SIZE(ops))
		return -EOPNOTSUPP;
	return ops[op].param_len;
}

const char *ftms_op_name(uint8_t op)
{
	if (op == FTMS_OP_RESPONSE_CODE)
		return "response_code";
	if (op >= ARRAY_SIZE(ops))
		return NULL;
	return ops[op].name;
}

static unsigned int zone_count(uint8_t op)
{
	switch (op) {
	case FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES:
		return 2;
	case FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES:
		return 3;
	case FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES:
		return 5;
	default:
		return 0;
	}
}

/* Read the parameter of request op 'op' (len already checked). */
static void read_param(uint8_t op, const uint8_t *p, enum ftms_wire_unit unit,
		       union ftms_param *param)
{
	memset(param, 0, sizeof(*param));
	switch (op) {
	case FTMS_OP_SET_TARGET_SPEED:
		param->speed = ftms_speed_from_wire(get_le16(p), unit);
		break;
	case FTMS_OP_SET_TARGET_INCLINATION:
		param->inclination = (int16_t) get_le16(p);
		break;
	case FTMS_OP_SET_TARGET_RESISTANCE_LEVEL:
		param->resistance = p[0];
		break;
	case FTMS_OP_SET_TARGET_POWER:
		param->power = (int16_t) get_le16(p);
		break;
	case FTMS_OP_SET_TARGET_HEART_RATE:
		param->heart_rate = p[0];
		break;
	case FTMS_OP_STOP_OR_PAUSE:
		param->stop_pause = p[0];
		break;
	case FTMS_OP_SET_TARGETED_EXPENDED_ENERGY:
		param->energy = get_le16(p);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS:
		param->steps = get_le16(p);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES:
		param->strides = get_le16(p);
		break;
	case FTMS_OP_SET_TARGETED_DISTANCE:
		param->distance = get_le24(p);
		break;
	case FTMS_OP_SET_TARGETED_TRAINING_TIME:
		param->time = get_le16(p);
		break;
	case FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES:
	case FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES:
	case FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES:
		for (unsigned int i = 0; i < zone_count(op); i++)
			param->zone_time[i] = get_le16(p + 2 * i);
		break;
	case FTMS_OP_SET_INDOOR_BIKE_SIMULATION:
		param->bike_sim.wind_speed = (int16_t) get_le16(p);
		param->bike_sim.grade = (int16_t) get_le16(p + 2);
		param->bike_sim.crr = p[4];
		param->bike_sim.cw = p[5];
		break;
	case FTMS_OP_SET_WHEEL_CIRCUMFERENCE:
		param->wheel_circumference = get_le16(p);
		break;
	case FTMS_OP_SPIN_DOWN_CONTROL:
		param->spin_down = p[0];
		break;
	case FTMS_OP_SET_TARGETED_CADENCE:
		param->cadence = get_le16(p);
		break;
	default:
		break;
	}
}

/* Write the parameter of request op 'op'; the caller sized p. */
static int write_param(uint8_t op, const union ftms_param *param,
		       enum ftms_wire_unit unit, uint8_t *p)
{
	int w;

	switch (op) {
	case FTMS_OP_SET_TARGET_SPEED:
		w = ftms_speed_to_wire(param->speed, unit);
		if (w < 0)
			return w;
		put_le16((uint16_t) w, p);
		break;
	case FTMS_OP_SET_TARGET_INCLINATION:
		put_le16((uint16_t) param->inclination, p);
		break;
	case FTMS_OP_SET_TARGET_RESISTANCE_LEVEL:
		p[0] = param->resistance;
		break;
	case FTMS_OP_SET_TARGET_POWER:
		put_le16((uint16_t) param->power, p);
		break;
	case FTMS_OP_SET_TARGET_HEART_RATE:
		p[0] = param->heart_rate;
		break;
	case FTMS_OP_STOP_OR_PAUSE:
		p[0] = param->stop_pause;
		break;
	case FTMS_OP_SET_TARGETED_EXPENDED_ENERGY:
		put_le16(param->energy, p);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS:
		put_le16(param->steps, p);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES:
		put_le16(param->strides, p);
		break;
	case FTMS_OP_SET_TARGETED_DISTANCE:
		if (param->distance > 0xffffff)
			return -ERANGE;
		put_le24(param->distance, p);
		break;
	case FTMS_OP_SET_TARGETED_TRAINING_TIME:
		put_le16(param->time, p);
		break;
	case FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES:
	case FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES:
	case FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES:
		for (unsigned int i = 0; i < zone_count(op); i++)
			put_le16(param->zone_time[i], p + 2 * i);
		break;
	case FTMS_OP_SET_INDOOR_BIKE_SIMULATION:
		put_le16((uint16_t) param->bike_sim.wind_speed, p);
		put_le16((uint16_t) param->bike_sim.grade, p + 2);
		p[4] = param->bike_sim.crr;
		p[5] = param->bike_sim.cw;
		break;
	case FTMS_OP_SET_WHEEL_CIRCUMFERENCE:
		put_le16(param->wheel_circumference, p);
		break;
	case FTMS_OP_SPIN_DOWN_CONTROL:
		p[0] = param->spin_down;
		break;
	case FTMS_OP_SET_TARGETED_CADENCE:
		put_le16(param->cadence, p);
		break;
	default:
		break;
	}
	return 0;
}

int ftms_encode_control_request(const struct ftms_control_request *req,
				enum ftms_wire_unit unit,
				uint8_t *buf, size_t len)
{
	uint8_t out[1 + 10];
	int plen = ftms_op_param_len(req->op);
	int r;

	if (plen < 0)
		return plen;
	if (req->op == FTMS_OP_STOP_OR_PAUSE &&
	    req->param.stop_pause != FTMS_STOP &&
	    req->param.stop_pause != FTMS_PAUSE)
		return -EINVAL;
	out[0] = req->op;
	r = write_param(req->op, &req->param, unit, out + 1);
	if (r < 0)
		return r;
	if (len < (size_t) plen + 1)
		return -EMSGSIZE;
	memcpy(buf, out, (size_t) plen + 1);
	return plen + 1;
}

static int encode_simple(uint8_t op, uint8_t *buf, size_t len)
{
	struct ftms_control_request req = { .op = op };

	return ftms_encode_control_request(&req, FTMS_WIRE_UNIT_KMH, buf, len);
}

int ftms_encode_request_control(uint8_t *buf, size_t len)
{
	return encode_simple(FTMS_OP_REQUEST_CONTROL, buf, len);
}

int ftms_encode_reset(uint8_t *buf, size_t len)
{
	return encode_simple(FTMS_OP_RESET, buf, len);
}

int ftms_encode_start_or_resume(uint8_t *buf, size_t len)
{
	return encode_simple(FTMS_OP_START_OR_RESUME, buf, len);
}

int ftms_encode_set_target_speed(uint32_t speed, enum ftms_wire_unit unit,
				 uint8_t *buf, size_t len)
{
	struct ftms_control_request req = { .op = FTMS_OP_SET_TARGET_SPEED };

	req.param.speed = speed;
	return ftms_encode_control_request(&req, unit, buf, len);
}

int ftms_encode_set_target_inclination(int16_t inclination, uint8_t *buf,
				       size_t len)
{
	struct ftms_control_request req = {
		.op = FTMS_OP_SET_TARGET_INCLINATION
	};

	req.param.inclination = inclination;
	return ftms_encode_control_request(&req, FTMS_WIRE_UNIT_KMH, buf, len);
}

static int encode_stop_pause(uint8_t what, uint8_t *buf, size_t len)
{
	struct ftms_control_request req = { .op = FTMS_OP_STOP_OR_PAUSE };

	req.param.stop_pause = what;
	return ftms_encode_control_request(&req, FTMS_WIRE_UNIT_KMH, buf, len);
}

int ftms_encode_stop(uint8_t *buf, size_t len)
{
	return encode_stop_pause(FTMS_STOP, buf, len);
}

int ftms_encode_pause(uint8_t *buf, size_t len)
{
	return encode_stop_pause(FTMS_PAUSE, buf, len);
}

int ftms_decode_control_request(const uint8_t *buf, size_t len,
				enum ftms_wire_unit unit,
				struct ftms_control_request *ret_req)
{
	struct ftms_control_request req;
	int plen;

	if (!buf || len < 1)
		return -EBADMSG;
	plen = ftms_op_param_len(buf[0]);
	/* §4.16.2.22: an op the server does not know is answered with
	 * "Op Code Not Supported", not dropped. */
	if (plen < 0)
		return -EOPNOTSUPP;
	/* §4.16.2: a parameter of the wrong size is "Invalid Parameter". */
	if (len - 1 != (size_t) plen)
		return -EINVAL;
	req.op = buf[0];
	read_param(req.op, buf + 1, unit, &req.param);
	if (req.op == FTMS_OP_STOP_OR_PAUSE &&
	    req.param.stop_pause != FTMS_STOP &&
	    req.param.stop_pause != FTMS_PAUSE)
		return -EINVAL;
	/* §4.16.2.20: 0x01 start, 0x02 ignore; the rest is RFU. */
	if (req.op == FTMS_OP_SPIN_DOWN_CONTROL &&
	    req.param.spin_down != 0x01 && req.param.spin_down != 0x02)
		return -EINVAL;
	*ret_req = req;
	return 0;
}

uint8_t ftms_result_from_error(int err)
{
	switch (err) {
	case 0:
		return FTMS_RESULT_SUCCESS;
	case -EOPNOTSUPP:
		return FTMS_RESULT_OP_CODE_NOT_SUPPORTED;
	case -EINVAL:
	case -EBADMSG:
	case -ERANGE:
		return FTMS_RESULT_INVALID_PARAMETER;
	case -EPERM:
	case -EACCES:
		return FTMS_RESULT_CONTROL_NOT_PERMITTED;
	default:
		return FTMS_RESULT_OPERATION_FAILED;
	}
}

/* Control point response indication, §4.16.2 (Table 4.24). */

static const char *const result_names[] = {
	[FTMS_RESULT_SUCCESS] = "success",
	[FTMS_RESULT_OP_CODE_NOT_SUPPORTED] = "op_code_not_supported",
	[FTMS_RESULT_INVALID_PARAMETER] = "invalid_parameter",
	[FTMS_RESULT_OPERATION_FAILED] = "operation_failed",
	[FTMS_RESULT_CONTROL_NOT_PERMITTED] = "control_not_permitted",
};

const char *ftms_result_name(uint8_t result)
{
	if (result < ARRAY_SIZE(result_names) && result_names[result])
		return result_names[result];
	return "reserved";
}

int ftms_decode_control_response(const uint8_t *buf, size_t len,
				 struct ftms_control_response *ret_resp)
{
	struct ftms_control_response resp;

	if (!buf || len < 3 || buf[0] != FTMS_OP_RESPONSE_CODE)
		return -EBADMSG;
	if (len - 3 > FTMS_RESPONSE_MAX_PARAM)
		return -EBADMSG;
	memset(&resp, 0, sizeof(resp));
	resp.request_op = buf[1];
	resp.result = buf[2];
	resp.param_len = (uint8_t) (len - 3);
	memcpy(resp.param, buf + 3, resp.param_len);
	*ret_resp = resp;
	return 0;
}

int ftms_encode_control_response(const struct ftms_control_response *resp,
				 uint8_t *buf, size_t len)
{
	if (resp->param_len > FTMS_RESPONSE_MAX_PARAM)
		return -EINVAL;
	if (len < 3u + resp->param_len)
		return -EMSGSIZE;
	buf[0] = FTMS_OP_RESPONSE_CODE;
	buf[1] = resp->request_op;
	buf[2] = resp->result;
	memcpy(buf + 3, resp->param, resp->param_len);
	return 3 + resp->param_len;
}

int ftms_check_response(const struct ftms_control_response *resp,
			uint8_t expected_op)
{
	return resp->request_op == expected_op ? 0 : -EPROTO;
}

/* Fitness Machine Status, §4.17 (Table 4.26). */

struct status_desc {
	const char *name;
	int16_t param_op;	/* request op with the same parameter; -1 none */
};

static const struct status_desc statuses[] = {
	[FTMS_STATUS_RESET] = { "reset", -1 },
	/* §4.17.2.2: 0x01 stop, 0x02 pause, as op 0x08's parameter */
	[FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER] =
		{ "stopped_or_paused_by_user", FTMS_OP_STOP_OR_PAUSE },
	[FTMS_STATUS_STOPPED_BY_SAFETY_KEY] = { "stopped_by_safety_key", -1 },
	[FTMS_STATUS_STARTED_OR_RESUMED_BY_USER] =
		{ "started_or_resumed_by_user", -1 },
	[FTMS_STATUS_TARGET_SPEED_CHANGED] =
		{ "target_speed_changed", FTMS_OP_SET_TARGET_SPEED },
	[FTMS_STATUS_TARGET_INCLINE_CHANGED] =
		{ "target_incline_changed", FTMS_OP_SET_TARGET_INCLINATION },
	[FTMS_STATUS_TARGET_RESISTANCE_LEVEL_CHANGED] =
		{ "target_resistance_level_changed",
		  FTMS_OP_SET_TARGET_RESISTANCE_LEVEL },
	[FTMS_STATUS_TARGET_POWER_CHANGED] =
		{ "target_power_changed", FTMS_OP_SET_TARGET_POWER },
	[FTMS_STATUS_TARGET_HEART_RATE_CHANGED] =
		{ "target_heart_rate_changed", FTMS_OP_SET_TARGET_HEART_RATE },
	[FTMS_STATUS_TARGETED_EXPENDED_ENERGY_CHANGED] =
		{ "targeted_expended_energy_changed",
		  FTMS_OP_SET_TARGETED_EXPENDED_ENERGY },
	[FTMS_STATUS_TARGETED_NUMBER_OF_STEPS_CHANGED] =
		{ "targeted_number_of_steps_changed",
		  FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS },
	[FTMS_STATUS_TARGETED_NUMBER_OF_STRIDES_CHANGED] =
		{ "targeted_number_of_strides_changed",
		  FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES },
	[FTMS_STATUS_TARGETED_DISTANCE_CHANGED] =
		{ "targeted_distance_changed", FTMS_OP_SET_TARGETED_DISTANCE },
	[FTMS_STATUS_TARGETED_TRAINING_TIME_CHANGED] =
		{ "targeted_training_time_changed",
		  FTMS_OP_SET_TARGETED_TRAINING_TIME },
	[FTMS_STATUS_TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED] =
		{ "targeted_time_in_two_heart_rate_zones_changed",
		  FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES },
	[FTMS_STATUS_TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED] =
		{ "targeted_time_in_three_heart_rate_zones_changed",
		  FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES },
	[FTMS_STATUS_TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED] =
		{ "targeted_time_in_five_heart_rate_zones_changed",
		  FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES },
	/* §4.17.2.18: carries the new wind/grade/crr/cw, as op 0x11. */
	[FTMS_STATUS_INDOOR_BIKE_SIMULATION_CHANGED] =
		{ "indoor_bike_simulation_parameters_changed",
		  FTMS_OP_SET_INDOOR_BIKE_SIMULATION },
	[FTMS_STATUS_WHEEL_CIRCUMFERENCE_CHANGED] =
		{ "wheel_circumference_changed",
		  FTMS_OP_SET_WHEEL_CIRCUMFERENCE },
	/* §4.17.2.20: uint8 status (1 requested, 2 success, 3 error,
	 * 4 stop pedalling), same width as the spin down op. */
	[FTMS_STATUS_SPIN_DOWN_STATUS] =
		{ "spin_down_status", FTMS_OP_SPIN_DOWN_CONTROL },
	[FTMS_STATUS_TARGETED_CADENCE_CHANGED] =
		{ "targeted_cadence_changed", FTMS_OP_SET_TARGETED_CADENCE },
};

static const struct status_desc *status_lookup(uint8_t op)
{
	static const struct status_desc lost = {
		"control_permission_lost", -1
	};

	if (op == FTMS_STATUS_CONTROL_PERMISSION_LOST)
		return &lost;
	if (op < ARRAY_SIZE(statuses) && statuses[op].name)
		return &statuses[op];
	return NULL;
}

const char *ftms_status_op_name(uint8_t op)
{
	const struct status_desc *d = status_lookup(op);

	return d ? d->name : NULL;
}

int ftms_status_param_len(uint8_t op)
{
	const struct status_desc *d = status_lookup(op);

	if (!d)
		return -EOPNOTSUPP;
	if (d->param_op < 0)
		return 0;
	return ops[d->param_op].param_len;
}

int ftms_decode_machine_status(const uint8_t *buf, size_t len,
			       enum ftms_wire_unit unit,
			       struct ftms_machine_status *ret_status)
{
	const struct status_desc *d;
	struct ftms_machine_status st;
	int plen;

	if (!buf || len < 1)
		return -EBADMSG;
	d = status_lookup(buf[0]);
	if (!d)
		return -EOPNOTSUPP;
	plen = ftms_status_param_len(buf[0]);
	if (len - 1 < (size_t) plen)
		return -EBADMSG;
	memset(&st, 0, sizeof(st));
	st.op = buf[0];
	if (d->param_op >= 0)
		read_param((uint8_t) d->param_op, buf + 1, unit, &st.param);
	*ret_status = st;
	return 0;
}

int ftms_encode_machine_status(const struct ftms_machine_status *st,
			       enum ftms_wire_unit unit,
			       uint8_t *buf, size_t len)
{
	const struct status_desc *d = status_lookup(st->op);
	uint8_t out[1 + 10];
	int plen;
	int r;

	if (!d)
		return -EOPNOTSUPP;
	plen = ftms_status_param_len(st->op);
	out[0] = st->op;
	if (d->param_op >= 0) {
		r = write_param((uint8_t) d->param_op, &st->param, unit,
				out + 1);
		if (r < 0)
			return r;
	}
	if (len < (size_t) plen + 1)
		return -EMSGSIZE;
	memcpy(buf, out, (size_t) plen + 1);
	return plen + 1;
}
