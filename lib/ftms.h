/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fitness Machine Service (FTMS 1.0) codec for treadmills: pure, no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Everything here is a pure function of its arguments: no I/O, no logging,
 * no globals, no allocation. Decoders take (buf, len, ..., ret) and return 0
 * or a negative errno, never read past len and leave *ret untouched on
 * failure. Encoders return the number of bytes written or -EMSGSIZE when
 * the buffer is too small (nothing is written then).
 *
 * Section numbers are FTMS v1.0 (FTMS_v1.0.pdf) unless noted; "docs/ftms.md"
 * is the project's protocol and real-treadmill quirk notes.
 */

/* docs/ftms.md 1.1: 16-bit UUIDs on the Bluetooth base UUID. */
#define FTMS_UUID_SERVICE			0x1826
#define FTMS_UUID_FEATURE			0x2ACC
#define FTMS_UUID_TREADMILL_DATA		0x2ACD
#define FTMS_UUID_CROSS_TRAINER_DATA		0x2ACE
#define FTMS_UUID_TRAINING_STATUS		0x2AD3
#define FTMS_UUID_SUPPORTED_SPEED_RANGE		0x2AD4
#define FTMS_UUID_SUPPORTED_INCLINATION_RANGE	0x2AD5
#define FTMS_UUID_CONTROL_POINT			0x2AD9
#define FTMS_UUID_MACHINE_STATUS		0x2ADA

/* Largest value of one FTMS characteristic: an ATT attribute (512 bytes). */
#define FTMS_MAX_VALUE_LEN			512

/* ------------------------------------------------------------------ */
/* Wire unit override (docs/ftms.md 2: some consoles put mph on the wire). */

enum ftms_wire_unit {
	FTMS_WIRE_UNIT_KMH = 0,	/* as the spec says: 0.01 km/h */
	FTMS_WIRE_UNIT_MPH,	/* quirk: 0.01 mph in every speed field */
};

/*
 * The one place speeds cross the wire. Decoded speeds, the supported speed
 * range, status "target speed changed" and Set Target Speed all go through
 * these two. Values in the structs below are always 0.01 km/h.
 * ftms_speed_to_wire() returns -ERANGE if the wire value would not fit in
 * uint16, else the wire value (>= 0).
 */
uint32_t ftms_speed_from_wire(uint16_t wire, enum ftms_wire_unit unit);
int ftms_speed_to_wire(uint32_t kmh_100, enum ftms_wire_unit unit);

/* ------------------------------------------------------------------ */
/* Treadmill Data (0x2ACD), FTMS v1.0 §4.9, docs/ftms.md 1.4. */

/* Flags field bits. Bit 0 is inverted: 1 = More Data, speed absent. */
#define FTMS_TD_FLAG_MORE_DATA			(1u << 0)
#define FTMS_TD_FLAG_AVERAGE_SPEED		(1u << 1)
#define FTMS_TD_FLAG_TOTAL_DISTANCE		(1u << 2)
#define FTMS_TD_FLAG_INCLINATION		(1u << 3)	/* + ramp angle */
#define FTMS_TD_FLAG_ELEVATION_GAIN		(1u << 4)	/* + and - */
#define FTMS_TD_FLAG_INSTANTANEOUS_PACE		(1u << 5)
#define FTMS_TD_FLAG_AVERAGE_PACE		(1u << 6)
#define FTMS_TD_FLAG_EXPENDED_ENERGY		(1u << 7)	/* 3 fields */
#define FTMS_TD_FLAG_HEART_RATE			(1u << 8)
#define FTMS_TD_FLAG_METABOLIC_EQUIVALENT	(1u << 9)
#define FTMS_TD_FLAG_ELAPSED_TIME		(1u << 10)
#define FTMS_TD_FLAG_REMAINING_TIME		(1u << 11)
#define FTMS_TD_FLAG_FORCE_AND_POWER		(1u << 12)	/* 2 fields */
/* RFU in FTMS 1.0; KingSmith/Urevo/CitySports put a step count there. */
#define FTMS_TD_FLAG_VENDOR_STEP_COUNT		(1u << 13)
/* Bits 0..12: every field FTMS 1.0 defines. */
#define FTMS_TD_FLAGS_SPEC			0x1fffu

/* One entry per field, in wire order. */
enum ftms_td_field {
	FTMS_TD_INSTANTANEOUS_SPEED = 0,
	FTMS_TD_AVERAGE_SPEED,
	FTMS_TD_TOTAL_DISTANCE,
	FTMS_TD_INCLINATION,
	FTMS_TD_RAMP_ANGLE,
	FTMS_TD_POSITIVE_ELEVATION_GAIN,
	FTMS_TD_NEGATIVE_ELEVATION_GAIN,
	FTMS_TD_INSTANTANEOUS_PACE,
	FTMS_TD_AVERAGE_PACE,
	FTMS_TD_TOTAL_ENERGY,
	FTMS_TD_ENERGY_PER_HOUR,
	FTMS_TD_ENERGY_PER_MINUTE,
	FTMS_TD_HEART_RATE,
	FTMS_TD_METABOLIC_EQUIVALENT,
	FTMS_TD_ELAPSED_TIME,
	FTMS_TD_REMAINING_TIME,
	FTMS_TD_FORCE_ON_BELT,
	FTMS_TD_POWER_OUTPUT,
	FTMS_TD_STEP_COUNT,		/* vendor, flag bit 13 */
	FTMS_TD_FIELD_COUNT,
};

#define FTMS_TD_BIT(field)	(1u << (field))

/* How the vendor step count in reserved bit 13 was read (docs/ftms.md 1.10). */
enum ftms_step_width {
	FTMS_STEP_WIDTH_NONE = 0,	/* bit 13 clear */
	FTMS_STEP_WIDTH_UINT24,		/* >= 3 bytes left: pyftms/CITYSPORTS */
	FTMS_STEP_WIDTH_UINT16,		/* exactly 2 bytes left: Z1 doc */
	FTMS_STEP_WIDTH_CUT,		/* bit 13 set, < 2 bytes left: missing */
};

/* Longest Treadmill Data value: flags + every field + uint24 step count. */
#define FTMS_TD_MAX_LEN		37

/*
 * A decoded Treadmill Data value (one notification, or a record merged by
 * the assembler). A field's value is meaningful only if its FTMS_TD_BIT is
 * in 'present'. Values keep the wire resolution, except speeds, which are
 * always 0.01 km/h after the wire unit conversion. A present field whose
 * value is the spec's "not available" sentinel also has its bit in
 * 'not_available' and keeps the raw sentinel as its value.
 */
struct ftms_treadmill_data {
	uint16_t flags;			/* as on the wire (merged: OR of parts) */
	uint32_t present;		/* FTMS_TD_BIT(): field read completely */
	uint32_t missing;		/* flagged, but the frame was cut */
	uint32_t not_available;		/* present, value is the N/A sentinel */
	enum ftms_step_width step_width;
	uint16_t trailing;		/* bytes after the last field, ignored */

	uint32_t instantaneous_speed;	/* 0.01 km/h */
	uint32_t average_speed;		/* 0.01 km/h */
	uint32_t total_distance;	/* m (uint24) */
	int16_t inclination;		/* 0.1 %, N/A 0x7FFF */
	int16_t ramp_angle;		/* 0.1 degree, N/A 0x7FFF */
	uint16_t positive_elevation_gain; /* 0.1 m, N/A 0x7FFF/0xFFFF (quirk) */
	uint16_t negative_elevation_gain; /* 0.1 m, N/A 0x7FFF/0xFFFF (quirk) */
	uint8_t instantaneous_pace;	/* 0.1 km/min (uint8, FTMS 1.0 XML) */
	uint8_t average_pace;		/* 0.1 km/min */
	uint16_t total_energy;		/* kcal, N/A 0xFFFF */
	uint16_t energy_per_hour;	/* kcal/h, N/A 0xFFFF */
	uint8_t energy_per_minute;	/* kcal/min, N/A 0xFF */
	uint8_t heart_rate;		/* bpm */
	uint8_t metabolic_equivalent;	/* 0.1 MET */
	uint16_t elapsed_time;		/* s since training session start */
	uint16_t remaining_time;	/* s */
	int16_t force_on_belt;		/* N, N/A 0x7FFF */
	int16_t power_output;		/* W, N/A 0x7FFF */
	uint32_t step_count;		/* steps (vendor bit 13) */
};

/*
 * Decode one Treadmill Data notification greedily: every field that fits
 * completely is kept; flagged fields cut off by the end of the frame are
 * set in 'missing' (the frame is still a success). Bit 13: a vendor step
 * count is read as uint24 when >= 3 bytes remain after the spec fields,
 * uint16 when exactly 2 remain; td->step_width says which.
 * Returns 0, or -EBADMSG when the frame is shorter than its flags.
 */
int ftms_decode_treadmill_data(const uint8_t *buf, size_t len,
			       enum ftms_wire_unit unit,
			       struct ftms_treadmill_data *ret_td);

/*
 * Encode (server side, e.g. the simulator). Flags are derived from
 * 'present': bit 0 is set (More Data) when instantaneous speed is absent;
 * a group flag is set when any field of the group is present, and the
 * absent member is written as its N/A sentinel (0 for elevation gain). A
 * field in 'not_available' is written as its sentinel. The step count is
 * emitted (bit 13) when present, as uint16 if step_width is
 * FTMS_STEP_WIDTH_UINT16, else uint24. 'flags', 'missing' and 'trailing'
 * are ignored. Returns bytes written, -EMSGSIZE, or -ERANGE for a speed
 * that does not fit the wire.
 */
int ftms_encode_treadmill_data(const struct ftms_treadmill_data *td,
			       enum ftms_wire_unit unit,
			       uint8_t *buf, size_t len);

/* Spec-style snake_case name of a field ("instantaneous_speed"), NULL if
 * out of range. */
const char *ftms_td_field_name(enum ftms_td_field field);
/* The field's value widened to int64 (sign kept); 0 if not present. */
int64_t ftms_td_field_value(const struct ftms_treadmill_data *td,
			    enum ftms_td_field field);
/* The field's flag bit (FTMS_TD_FLAG_*; 0 for instantaneous speed, whose
 * presence is bit 0 == 0). */
uint16_t ftms_td_field_flag(enum ftms_td_field field);
const char *ftms_step_width_name(enum ftms_step_width w);

/*
 * Record assembler, FTMS v1.0 §4.19 and Appendix 1: a Data Record may be
 * split over notifications, each with More Data = 1 except the last.
 * Caller-allocated; no allocation. Parts are merged field by field (a later
 * part's field replaces an earlier one); the part with More Data = 0
 * completes the record. At most FTMS_ASSEMBLER_MAX_PARTS parts are held:
 * every field group in its own notification plus the final one fits.
 */
#define FTMS_ASSEMBLER_MAX_PARTS	14

struct ftms_assembler {
	enum ftms_wire_unit unit;
	unsigned int parts;		/* parts held for the current record */
	struct ftms_treadmill_data rec;	/* merge so far (valid if parts) */
	/* counters for diagnostics, never reset by ftms_assembler_reset() */
	uint32_t records;		/* completed records */
	uint32_t malformed;		/* parts dropped as malformed */
	uint32_t overflows;		/* records dropped at the part cap */
	uint32_t discarded;		/* half records dropped by reset */
};

void ftms_assembler_init(struct ftms_assembler *a, enum ftms_wire_unit unit);
/* Link drop (§4.18): forget a half-received record; counts it. */
void ftms_assembler_reset(struct ftms_assembler *a);
/*
 * Feed one notification. Returns 1 and fills *ret_record when it completed
 * a record, 0 when the part was buffered (More Data = 1), -EBADMSG when the
 * part is malformed (dropped and counted; what was buffered is kept), or
 * -EMSGSIZE when the record exceeded the part cap (everything buffered and
 * this part are dropped and counted).
 */
int ftms_assembler_feed(struct ftms_assembler *a, const uint8_t *buf,
			size_t len, struct ftms_treadmill_data *ret_record);
/* The half-built record, or NULL when nothing is buffered. */
const struct ftms_treadmill_data *
ftms_assembler_pending(const struct ftms_assembler *a);

/* ------------------------------------------------------------------ */
/* Fitness Machine Feature (0x2ACC), §4.3, docs/ftms.md 1.3. */

#define FTMS_FEATURE_AVERAGE_SPEED		(1u << 0)
#define FTMS_FEATURE_CADENCE			(1u << 1)
#define FTMS_FEATURE_TOTAL_DISTANCE		(1u << 2)
#define FTMS_FEATURE_INCLINATION		(1u << 3)
#define FTMS_FEATURE_ELEVATION_GAIN		(1u << 4)
#define FTMS_FEATURE_PACE			(1u << 5)
#define FTMS_FEATURE_STEP_COUNT			(1u << 6)
#define FTMS_FEATURE_RESISTANCE_LEVEL		(1u << 7)
#define FTMS_FEATURE_STRIDE_COUNT		(1u << 8)
#define FTMS_FEATURE_EXPENDED_ENERGY		(1u << 9)
#define FTMS_FEATURE_HEART_RATE_MEASUREMENT	(1u << 10)
#define FTMS_FEATURE_METABOLIC_EQUIVALENT	(1u << 11)
#define FTMS_FEATURE_ELAPSED_TIME		(1u << 12)
#define FTMS_FEATURE_REMAINING_TIME		(1u << 13)
#define FTMS_FEATURE_POWER_MEASUREMENT		(1u << 14)
#define FTMS_FEATURE_FORCE_ON_BELT_AND_POWER	(1u << 15)
#define FTMS_FEATURE_USER_DATA_RETENTION	(1u << 16)

#define FTMS_TARGET_SPEED			(1u << 0)
#define FTMS_TARGET_INCLINATION			(1u << 1)
#define FTMS_TARGET_RESISTANCE			(1u << 2)
#define FTMS_TARGET_POWER			(1u << 3)
#define FTMS_TARGET_HEART_RATE			(1u << 4)
#define FTMS_TARGET_EXPENDED_ENERGY		(1u << 5)
#define FTMS_TARGET_STEP_NUMBER			(1u << 6)
#define FTMS_TARGET_STRIDE_NUMBER		(1u << 7)
#define FTMS_TARGET_DISTANCE			(1u << 8)
#define FTMS_TARGET_TRAINING_TIME		(1u << 9)
#define FTMS_TARGET_TIME_2_HR_ZONES		(1u << 10)
#define FTMS_TARGET_TIME_3_HR_ZONES		(1u << 11)
#define FTMS_TARGET_TIME_5_HR_ZONES		(1u << 12)
#define FTMS_TARGET_INDOOR_BIKE_SIMULATION	(1u << 13)
#define FTMS_TARGET_WHEEL_CIRCUMFERENCE		(1u << 14)
#define FTMS_TARGET_SPIN_DOWN_CONTROL		(1u << 15)
#define FTMS_TARGET_CADENCE			(1u << 16)

#define FTMS_FEATURE_LEN	8

struct ftms_feature {
	uint32_t machine;	/* FTMS_FEATURE_* (Fitness Machine Features) */
	uint32_t target;	/* FTMS_TARGET_* (Target Setting Features) */
};

/* -EBADMSG if shorter than 8 bytes; longer values are accepted and the
 * extra bytes ignored (RFU extension). */
int ftms_decode_feature(const uint8_t *buf, size_t len,
			struct ftms_feature *ret_feature);
int ftms_encode_feature(const struct ftms_feature *f, uint8_t *buf,
			size_t len);
/* snake_case names of bits, NULL for RFU bits or bit >= 32. */
const char *ftms_feature_name(unsigned int bit);
const char *ftms_target_feature_name(unsigned int bit);

/* ------------------------------------------------------------------ */
/* Supported Speed (0x2AD4, §4.12) and Inclination (0x2AD5, §4.13) Range. */

#define FTMS_SPEED_RANGE_LEN	6
#define FTMS_INCLINE_RANGE_LEN	6

struct ftms_speed_range {
	uint32_t min;		/* 0.01 km/h */
	uint32_t max;		/* 0.01 km/h */
	uint32_t increment;	/* 0.01 km/h; 0 = none given, never divide */
};

struct ftms_incline_range {
	int16_t min;		/* 0.1 % */
	int16_t max;		/* 0.1 % */
	uint16_t increment;	/* 0.1 %; 0 = none given, never divide */
};

/* -EBADMSG if shorter than 6 bytes or min > max. */
int ftms_decode_speed_range(const uint8_t *buf, size_t len,
			    enum ftms_wire_unit unit,
			    struct ftms_speed_range *ret_range);
int ftms_encode_speed_range(const struct ftms_speed_range *r,
			    enum ftms_wire_unit unit, uint8_t *buf, size_t len);
int ftms_decode_incline_range(const uint8_t *buf, size_t len,
			      struct ftms_incline_range *ret_range);
int ftms_encode_incline_range(const struct ftms_incline_range *r,
			      uint8_t *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Training Status (0x2AD3), §4.10, docs/ftms.md 1.5. */

#define FTMS_TRAINING_FLAG_STRING		(1u << 0)
#define FTMS_TRAINING_FLAG_EXTENDED_STRING	(1u << 1)

enum ftms_training_status_value {
	FTMS_TRAINING_OTHER = 0x00,
	FTMS_TRAINING_IDLE = 0x01,
	FTMS_TRAINING_WARMING_UP = 0x02,
	FTMS_TRAINING_LOW_INTENSITY_INTERVAL = 0x03,
	FTMS_TRAINING_HIGH_INTENSITY_INTERVAL = 0x04,
	FTMS_TRAINING_RECOVERY_INTERVAL = 0x05,
	FTMS_TRAINING_ISOMETRIC = 0x06,
	FTMS_TRAINING_HEART_RATE_CONTROL = 0x07,
	FTMS_TRAINING_FITNESS_TEST = 0x08,
	FTMS_TRAINING_SPEED_OUTSIDE_CONTROL_REGION_LOW = 0x09,
	FTMS_TRAINING_SPEED_OUTSIDE_CONTROL_REGION_HIGH = 0x0A,
	FTMS_TRAINING_COOL_DOWN = 0x0B,
	FTMS_TRAINING_WATT_CONTROL = 0x0C,
	FTMS_TRAINING_MANUAL_MODE = 0x0D,
	FTMS_TRAINING_PRE_WORKOUT = 0x0E,
	FTMS_TRAINING_POST_WORKOUT = 0x0F,
};

struct ftms_training_status {
	uint8_t flags;			/* FTMS_TRAINING_FLAG_* */
	uint8_t status;			/* enum ftms_training_status_value */
	/* Borrowed from the decoded buffer (not NUL-terminated, not
	 * validated as UTF-8); NULL/0 when the string flag is clear. */
	const uint8_t *string;
	size_t string_len;
};

/* -EBADMSG if shorter than 2 bytes. Bytes after the status when the string
 * flag is clear are ignored. */
int ftms_decode_training_status(const uint8_t *buf, size_t len,
				struct ftms_training_status *ret_ts);
/* Writes the string when string_len > 0 (and sets the flag bit). */
int ftms_encode_training_status(const struct ftms_training_status *ts,
				uint8_t *buf, size_t len);
/* "idle", "manual_mode", ...; "reserved" for RFU values. */
const char *ftms_training_status_name(uint8_t status);

/* ------------------------------------------------------------------ */
/* Control point op codes (§4.16.1, docs/ftms.md 1.7) and their parameters. */

#define FTMS_OP_REQUEST_CONTROL				0x00
#define FTMS_OP_RESET					0x01
#define FTMS_OP_SET_TARGET_SPEED			0x02
#define FTMS_OP_SET_TARGET_INCLINATION			0x03
#define FTMS_OP_SET_TARGET_RESISTANCE_LEVEL		0x04
#define FTMS_OP_SET_TARGET_POWER			0x05
#define FTMS_OP_SET_TARGET_HEART_RATE			0x06
#define FTMS_OP_START_OR_RESUME				0x07
#define FTMS_OP_STOP_OR_PAUSE				0x08
#define FTMS_OP_SET_TARGETED_EXPENDED_ENERGY		0x09
#define FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS		0x0A
#define FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES		0x0B
#define FTMS_OP_SET_TARGETED_DISTANCE			0x0C
#define FTMS_OP_SET_TARGETED_TRAINING_TIME		0x0D
#define FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES	0x0E
#define FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES	0x0F
#define FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES	0x10
#define FTMS_OP_SET_INDOOR_BIKE_SIMULATION		0x11
#define FTMS_OP_SET_WHEEL_CIRCUMFERENCE			0x12
#define FTMS_OP_SPIN_DOWN_CONTROL			0x13
#define FTMS_OP_SET_TARGETED_CADENCE			0x14
#define FTMS_OP_RESPONSE_CODE				0x80

/* Stop or Pause parameter (op 0x08) and status 0x02 parameter. */
#define FTMS_STOP					0x01
#define FTMS_PAUSE					0x02

/* Result codes in the response indication (§4.16.2, Table 4.24). */
#define FTMS_RESULT_SUCCESS				0x01
#define FTMS_RESULT_OP_CODE_NOT_SUPPORTED		0x02
#define FTMS_RESULT_INVALID_PARAMETER			0x03
#define FTMS_RESULT_OPERATION_FAILED			0x04
#define FTMS_RESULT_CONTROL_NOT_PERMITTED		0x05

/* Indoor Bike Simulation parameters (op 0x11). */
struct ftms_bike_sim {
	int16_t wind_speed;	/* 0.001 m/s */
	int16_t grade;		/* 0.01 % */
	uint8_t crr;		/* 0.0001 */
	uint8_t cw;		/* 0.01 kg/m */
};

/*
 * The parameter of a control point op, or of the matching Machine Status
 * op (which carries the same value). Which member is valid depends on the
 * op; see ftms_op_param_len().
 */
union ftms_param {
	uint32_t speed;			/* 0.01 km/h (after wire unit) */
	int16_t inclination;		/* 0.1 % */
	uint8_t resistance;		/* 0.1 (uint8 per FTMS 1.0) */
	int16_t power;			/* W */
	uint8_t heart_rate;		/* bpm */
	uint8_t stop_pause;		/* FTMS_STOP or FTMS_PAUSE */
	uint16_t energy;		/* kcal */
	uint16_t steps;
	uint16_t strides;
	uint32_t distance;		/* m (uint24) */
	uint16_t time;			/* s */
	uint16_t zone_time[5];		/* s per HR zone: 2, 3 or 5 used */
	struct ftms_bike_sim bike_sim;
	uint16_t wheel_circumference;	/* 0.1 mm */
	uint8_t spin_down;		/* op: 1 start, 2 ignore; status: 1..4 */
	uint16_t cadence;		/* 0.5 /min */
};

struct ftms_control_request {
	uint8_t op;			/* FTMS_OP_* */
	union ftms_param param;
};

/* Parameter length of a request op; -EOPNOTSUPP for unknown ops. */
int ftms_op_param_len(uint8_t op);
/* "request_control", "set_target_speed", ...; NULL for unknown ops. */
const char *ftms_op_name(uint8_t op);

/* Client side: the requests a treadmill client sends. */
int ftms_encode_request_control(uint8_t *buf, size_t len);
int ftms_encode_reset(uint8_t *buf, size_t len);
/* -ERANGE if the speed does not fit the wire in 'unit'. */
int ftms_encode_set_target_speed(uint32_t speed, enum ftms_wire_unit unit,
				 uint8_t *buf, size_t len);
int ftms_encode_set_target_inclination(int16_t inclination, uint8_t *buf,
				       size_t len);
int ftms_encode_start_or_resume(uint8_t *buf, size_t len);
int ftms_encode_stop(uint8_t *buf, size_t len);
int ftms_encode_pause(uint8_t *buf, size_t len);
/* Any op (the ones above are shorthands): -EOPNOTSUPP for unknown ops,
 * -EINVAL for a bad Stop or Pause parameter, -ERANGE for an unencodable
 * speed. */
int ftms_encode_control_request(const struct ftms_control_request *req,
				enum ftms_wire_unit unit,
				uint8_t *buf, size_t len);

/*
 * Server side: decode a control point write. Returns 0; -EBADMSG for an
 * empty write; -EOPNOTSUPP for an unknown op (answer "Op Code Not
 * Supported"); -EINVAL for a wrong parameter length or value (answer
 * "Invalid Parameter"). ftms_result_from_error() maps these.
 */
int ftms_decode_control_request(const uint8_t *buf, size_t len,
				enum ftms_wire_unit unit,
				struct ftms_control_request *ret_req);
/* FTMS_RESULT_* for an error from ftms_decode_control_request(). */
uint8_t ftms_result_from_error(int err);

/* ------------------------------------------------------------------ */
/* Control point response indication: 80 <op> <result> [params], §4.16.2. */

#define FTMS_RESPONSE_MAX_PARAM	17

struct ftms_control_response {
	uint8_t request_op;
	uint8_t result;			/* FTMS_RESULT_* (others RFU) */
	uint8_t param_len;
	uint8_t param[FTMS_RESPONSE_MAX_PARAM];	/* e.g. spin down speeds */
};

/* -EBADMSG if shorter than 3 bytes, not 0x80 first, or params too long. */
int ftms_decode_control_response(const uint8_t *buf, size_t len,
				 struct ftms_control_response *ret_resp);
int ftms_encode_control_response(const struct ftms_control_response *resp,
				 uint8_t *buf, size_t len);
/* -EPROTO if the response answers another op than 'expected_op'. */
int ftms_check_response(const struct ftms_control_response *resp,
			uint8_t expected_op);
/* "success", "op_code_not_supported", ...; "reserved" for RFU codes. */
const char *ftms_result_name(uint8_t result);

/* ------------------------------------------------------------------ */
/* Fitness Machine Status (0x2ADA), §4.17, docs/ftms.md 1.8. */

#define FTMS_STATUS_RESET					0x01
#define FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER			0x02
#define FTMS_STATUS_STOPPED_BY_SAFETY_KEY			0x03
#define FTMS_STATUS_STARTED_OR_RESUMED_BY_USER			0x04
#define FTMS_STATUS_TARGET_SPEED_CHANGED			0x05
#define FTMS_STATUS_TARGET_INCLINE_CHANGED			0x06
#define FTMS_STATUS_TARGET_RESISTANCE_LEVEL_CHANGED		0x07
#define FTMS_STATUS_TARGET_POWER_CHANGED			0x08
#define FTMS_STATUS_TARGET_HEART_RATE_CHANGED			0x09
#define FTMS_STATUS_TARGETED_EXPENDED_ENERGY_CHANGED		0x0A
#define FTMS_STATUS_TARGETED_NUMBER_OF_STEPS_CHANGED		0x0B
#define FTMS_STATUS_TARGETED_NUMBER_OF_STRIDES_CHANGED		0x0C
#define FTMS_STATUS_TARGETED_DISTANCE_CHANGED			0x0D
#define FTMS_STATUS_TARGETED_TRAINING_TIME_CHANGED		0x0E
#define FTMS_STATUS_TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED	0x0F
#define FTMS_STATUS_TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED	0x10
#define FTMS_STATUS_TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED	0x11
#define FTMS_STATUS_INDOOR_BIKE_SIMULATION_CHANGED		0x12
#define FTMS_STATUS_WHEEL_CIRCUMFERENCE_CHANGED			0x13
#define FTMS_STATUS_SPIN_DOWN_STATUS				0x14
#define FTMS_STATUS_TARGETED_CADENCE_CHANGED			0x15
#define FTMS_STATUS_CONTROL_PERMISSION_LOST			0xFF

struct ftms_machine_status {
	uint8_t op;			/* FTMS_STATUS_* */
	union ftms_param param;		/* as the matching control op */
};

/* Parameter length of a status op; -EOPNOTSUPP for RFU ops. */
int ftms_status_param_len(uint8_t op);
/*
 * -EBADMSG if empty or the parameter is shorter than the op needs;
 * -EOPNOTSUPP for an RFU op (callers ignore it). Extra bytes are ignored.
 * Stop/pause values other than 1/2 are kept as sent.
 */
int ftms_decode_machine_status(const uint8_t *buf, size_t len,
			       enum ftms_wire_unit unit,
			       struct ftms_machine_status *ret_status);
int ftms_encode_machine_status(const struct ftms_machine_status *st,
			       enum ftms_wire_unit unit,
			       uint8_t *buf, size_t len);
/* "stopped_by_safety_key", ...; NULL for RFU ops. */
const char *ftms_status_op_name(uint8_t op);
