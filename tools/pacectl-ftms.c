/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'pacectl ftms decode KIND HEX...': print an FTMS payload as JSON. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ftms.h"
#include "json.h"
#include "pacectl.h"
#include "util.h"

/*
 * JSON keys for Treadmill Data, with the unit in the name and the number
 * of decimals the wire resolution gives (FTMS v1.0 §4.9.1). Documented in
 * pacectl(1); scripts depend on these names, so never rename one.
 */
static const struct {
	const char *key;
	unsigned int decimals;
} td_keys[FTMS_TD_FIELD_COUNT] = {
	[FTMS_TD_INSTANTANEOUS_SPEED] = { "instantaneous_speed_kmh", 2 },
	[FTMS_TD_AVERAGE_SPEED] = { "average_speed_kmh", 2 },
	[FTMS_TD_TOTAL_DISTANCE] = { "total_distance_m", 0 },
	[FTMS_TD_INCLINATION] = { "inclination_pct", 1 },
	[FTMS_TD_RAMP_ANGLE] = { "ramp_angle_deg", 1 },
	[FTMS_TD_POSITIVE_ELEVATION_GAIN] = { "positive_elevation_gain_m", 1 },
	[FTMS_TD_NEGATIVE_ELEVATION_GAIN] = { "negative_elevation_gain_m", 1 },
	[FTMS_TD_INSTANTANEOUS_PACE] = { "instantaneous_pace", 1 },
	[FTMS_TD_AVERAGE_PACE] = { "average_pace", 1 },
	[FTMS_TD_TOTAL_ENERGY] = { "total_energy_kcal", 0 },
	[FTMS_TD_ENERGY_PER_HOUR] = { "energy_per_hour_kcal", 0 },
	[FTMS_TD_ENERGY_PER_MINUTE] = { "energy_per_minute_kcal", 0 },
	[FTMS_TD_HEART_RATE] = { "heart_rate_bpm", 0 },
	[FTMS_TD_METABOLIC_EQUIVALENT] = { "metabolic_equivalent", 1 },
	[FTMS_TD_ELAPSED_TIME] = { "elapsed_time_s", 0 },
	[FTMS_TD_REMAINING_TIME] = { "remaining_time_s", 0 },
	[FTMS_TD_FORCE_ON_BELT] = { "force_on_belt_n", 0 },
	[FTMS_TD_POWER_OUTPUT] = { "power_output_w", 0 },
	[FTMS_TD_STEP_COUNT] = { "step_count", 0 },
};

static const char *const kinds[] = {
	"treadmill-data", "feature", "speed-range", "incline-range",
	"training-status", "status", "control-response", "control-request",
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: pacectl ftms decode [--mph] KIND HEX [HEX...]\n"
"Decode a Fitness Machine Service payload and print it as one JSON object.\n"
"\n"
"KIND is one of:\n"
"  treadmill-data    Treadmill Data (0x2ACD); several HEX are the parts of\n"
"                    one split record, merged in order\n"
"  feature           Fitness Machine Feature (0x2ACC)\n"
"  speed-range       Supported Speed Range (0x2AD4)\n"
"  incline-range     Supported Inclination Range (0x2AD5)\n"
"  training-status   Training Status (0x2AD3)\n"
"  status            Fitness Machine Status (0x2ADA)\n"
"  control-response  Control Point response indication (80 OP RESULT ...)\n"
"  control-request   Control Point write (OP PARAMETER...)\n"
"\n"
"HEX is the payload, with or without spaces or colons: \"0400e803\".\n"
"\n"
"Options:\n"
"  --mph       speeds on the wire are 0.01 mph (a console quirk); print km/h\n"
"  -h, --help  show this help and exit\n"
"\n"
"See pacectl(1) for the JSON keys.\n");
}

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("pacectl: ftms decode: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void print_treadmill_data(struct json *j,
				 const struct ftms_treadmill_data *td)
{
	json_object_begin(j);
	json_key(j, "flags");
	json_uint(j, td->flags);
	json_key(j, "more_data");
	json_bool(j, td->flags & FTMS_TD_FLAG_MORE_DATA);
	for (unsigned int f = 0; f < FTMS_TD_FIELD_COUNT; f++) {
		if (!(td->present & FTMS_TD_BIT(f)))
			continue;
		json_key(j, td_keys[f].key);
		if (td->not_available & FTMS_TD_BIT(f))
			json_null(j);
		else
			json_fixed(j, ftms_td_field_value(td, f),
				   td_keys[f].decimals);
	}
	/* Reserved bit 13: say how the step count was read (docs/ftms.md 1.10). */
	if (td->step_width != FTMS_STEP_WIDTH_NONE) {
		json_key(j, "step_count_width");
		json_string(j, ftms_step_width_name(td->step_width));
	}
	if (td->trailing) {
		json_key(j, "trailing_bytes");
		json_uint(j, td->trailing);
	}
	json_key(j, "missing");
	json_array_begin(j);
	for (unsigned int f = 0; f < FTMS_TD_FIELD_COUNT; f++)
		if (td->missing & FTMS_TD_BIT(f))
			json_string(j, td_keys[f].key);
	json_array_end(j);
	json_object_end(j);
}

static void print_bits(struct json *j, uint32_t bits,
		       const char *(*name)(unsigned int bit))
{
	json_array_begin(j);
	for (unsigned int b = 0; b < 32; b++) {
		char rfu[16];

		if (!(bits & (1u << b)))
			continue;
		if (name(b)) {
			json_string(j, name(b));
		} else {
			snprintf(rfu, sizeof(rfu), "reserved_%u", b);
			json_string(j, rfu);
		}
	}
	json_array_end(j);
}

static void print_hex(struct json *j, const uint8_t *p, size_t n)
{
	char s[2 * FTMS_RESPONSE_MAX_PARAM + 1];

	n = MIN(n, (size_t) FTMS_RESPONSE_MAX_PARAM);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	json_string_len(j, s, 2 * n);
}

static const char *stop_pause_name(uint8_t v)
{
	switch (v) {
	case FTMS_STOP:
		return "stop";
	case FTMS_PAUSE:
		return "pause";
	default:
		return "reserved";
	}
}

static const char *spin_down_status_name(uint8_t v)
{
	/* FTMS v1.0 §4.17.2.20, Table 4.27 */
	switch (v) {
	case 0x01:
		return "spin_down_requested";
	case 0x02:
		return "success";
	case 0x03:
		return "error";
	case 0x04:
		return "stop_pedaling";
	default:
		return "reserved";
	}
}

/*
 * Parameter keys of a control op or the status op that carries the same
 * value; 'op' is the control point op whose parameter layout applies.
 */
static void print_param(struct json *j, uint8_t op,
			const union ftms_param *p, bool is_status)
{
	unsigned int zones = 0;

	switch (op) {
	case FTMS_OP_SET_TARGET_SPEED:
		json_key(j, "target_speed_kmh");
		json_fixed(j, p->speed, 2);
		break;
	case FTMS_OP_SET_TARGET_INCLINATION:
		json_key(j, "target_inclination_pct");
		json_fixed(j, p->inclination, 1);
		break;
	case FTMS_OP_SET_TARGET_RESISTANCE_LEVEL:
		json_key(j, "target_resistance_level");
		json_fixed(j, p->resistance, 1);
		break;
	case FTMS_OP_SET_TARGET_POWER:
		json_key(j, "target_power_w");
		json_int(j, p->power);
		break;
	case FTMS_OP_SET_TARGET_HEART_RATE:
		json_key(j, "target_heart_rate_bpm");
		json_uint(j, p->heart_rate);
		break;
	case FTMS_OP_STOP_OR_PAUSE:
		json_key(j, "control_information");
		json_uint(j, p->stop_pause);
		json_key(j, "action");
		json_string(j, stop_pause_name(p->stop_pause));
		break;
	case FTMS_OP_SET_TARGETED_EXPENDED_ENERGY:
		json_key(j, "targeted_expended_energy_kcal");
		json_uint(j, p->energy);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS:
		json_key(j, "targeted_number_of_steps");
		json_uint(j, p->steps);
		break;
	case FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES:
		json_key(j, "targeted_number_of_strides");
		json_uint(j, p->strides);
		break;
	case FTMS_OP_SET_TARGETED_DISTANCE:
		json_key(j, "targeted_distance_m");
		json_uint(j, p->distance);
		break;
	case FTMS_OP_SET_TARGETED_TRAINING_TIME:
		json_key(j, "targeted_training_time_s");
		json_uint(j, p->time);
		break;
	case FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES:
		zones = 2;
		break;
	case FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES:
		zones = 3;
		break;
	case FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES:
		zones = 5;
		break;
	case FTMS_OP_SET_INDOOR_BIKE_SIMULATION:
		json_key(j, "wind_speed_mps");
		json_fixed(j, p->bike_sim.wind_speed, 3);
		json_key(j, "grade_pct");
		json_fixed(j, p->bike_sim.grade, 2);
		json_key(j, "rolling_resistance_coefficient");
		json_fixed(j, p->bike_sim.crr, 4);
		json_key(j, "wind_resistance_coefficient_kg_per_m");
		json_fixed(j, p->bike_sim.cw, 2);
		break;
	case FTMS_OP_SET_WHEEL_CIRCUMFERENCE:
		json_key(j, "wheel_circumference_mm");
		json_fixed(j, p->wheel_circumference, 1);
		break;
	case FTMS_OP_SPIN_DOWN_CONTROL:
		if (is_status) {
			json_key(j, "spin_down_status");
			json_uint(j, p->spin_down);
			json_key(j, "spin_down_status_name");
			json_string(j, spin_down_status_name(p->spin_down));
		} else {
			json_key(j, "spin_down_control");
			json_uint(j, p->spin_down);
			json_key(j, "action");
			json_string(j, p->spin_down == 1 ? "start" : "ignore");
		}
		break;
	case FTMS_OP_SET_TARGETED_CADENCE:
		/* 0.5 /min resolution: value * 5 with one decimal. */
		json_key(j, "targeted_cadence_per_min");
		json_fixed(j, (int64_t) p->cadence * 5, 1);
		break;
	default:
		break;
	}
	if (zones) {
		json_key(j, "targeted_time_in_zones_s");
		json_array_begin(j);
		for (unsigned int i = 0; i < zones; i++)
			json_uint(j, p->zone_time[i]);
		json_array_end(j);
	}
}

/* Status op -> the control op whose parameter it carries. */
static int status_param_op(uint8_t status)
{
	switch (status) {
	case FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER:
		return FTMS_OP_STOP_OR_PAUSE;
	case FTMS_STATUS_TARGET_SPEED_CHANGED:
		return FTMS_OP_SET_TARGET_SPEED;
	case FTMS_STATUS_TARGET_INCLINE_CHANGED:
		return FTMS_OP_SET_TARGET_INCLINATION;
	case FTMS_STATUS_TARGET_RESISTANCE_LEVEL_CHANGED:
		return FTMS_OP_SET_TARGET_RESISTANCE_LEVEL;
	case FTMS_STATUS_TARGET_POWER_CHANGED:
		return FTMS_OP_SET_TARGET_POWER;
	case FTMS_STATUS_TARGET_HEART_RATE_CHANGED:
		return FTMS_OP_SET_TARGET_HEART_RATE;
	case FTMS_STATUS_TARGETED_EXPENDED_ENERGY_CHANGED:
		return FTMS_OP_SET_TARGETED_EXPENDED_ENERGY;
	case FTMS_STATUS_TARGETED_NUMBER_OF_STEPS_CHANGED:
		return FTMS_OP_SET_TARGETED_NUMBER_OF_STEPS;
	case FTMS_STATUS_TARGETED_NUMBER_OF_STRIDES_CHANGED:
		return FTMS_OP_SET_TARGETED_NUMBER_OF_STRIDES;
	case FTMS_STATUS_TARGETED_DISTANCE_CHANGED:
		return FTMS_OP_SET_TARGETED_DISTANCE;
	case FTMS_STATUS_TARGETED_TRAINING_TIME_CHANGED:
		return FTMS_OP_SET_TARGETED_TRAINING_TIME;
	case FTMS_STATUS_TARGETED_TIME_IN_TWO_HR_ZONES_CHANGED:
		return FTMS_OP_SET_TARGETED_TIME_IN_TWO_HR_ZONES;
	case FTMS_STATUS_TARGETED_TIME_IN_THREE_HR_ZONES_CHANGED:
		return FTMS_OP_SET_TARGETED_TIME_IN_THREE_HR_ZONES;
	case FTMS_STATUS_TARGETED_TIME_IN_FIVE_HR_ZONES_CHANGED:
		return FTMS_OP_SET_TARGETED_TIME_IN_FIVE_HR_ZONES;
	case FTMS_STATUS_INDOOR_BIKE_SIMULATION_CHANGED:
		return FTMS_OP_SET_INDOOR_BIKE_SIMULATION;
	case FTMS_STATUS_WHEEL_CIRCUMFERENCE_CHANGED:
		return FTMS_OP_SET_WHEEL_CIRCUMFERENCE;
	case FTMS_STATUS_SPIN_DOWN_STATUS:
		return FTMS_OP_SPIN_DOWN_CONTROL;
	case FTMS_STATUS_TARGETED_CADENCE_CHANGED:
		return FTMS_OP_SET_TARGETED_CADENCE;
	default:
		return -1;
	}
}

static int decode_treadmill(struct json *j, enum ftms_wire_unit unit,
			    uint8_t parts[][FTMS_MAX_VALUE_LEN],
			    const int *lens, int nparts)
{
	struct ftms_assembler a;
	struct ftms_treadmill_data rec;
	const struct ftms_treadmill_data *pending;

	ftms_assembler_init(&a, unit);
	for (int i = 0; i < nparts; i++) {
		int r = ftms_assembler_feed(&a, parts[i], (size_t) lens[i],
					    &rec);

		if (r == -EBADMSG) {
			err("treadmill-data: part %d is %d byte(s), shorter "
			    "than its 2-byte flags field", i + 1, lens[i]);
			return PACECTL_EXIT_FAIL;
		}
		if (r == -EMSGSIZE) {
			err("treadmill-data: more than %d parts with More "
			    "Data set in one record", FTMS_ASSEMBLER_MAX_PARTS);
			return PACECTL_EXIT_FAIL;
		}
		if (r < 0) {
			err("treadmill-data: part %d: %s", i + 1,
			    strerror(-r));
			return PACECTL_EXIT_FAIL;
		}
		if (r == 1 && i + 1 < nparts) {
			err("treadmill-data: part %d has More Data = 0 (flag "
			    "bit 0 clear) and completes the record, but %d "
			    "more part(s) follow", i + 1, nparts - i - 1);
			return PACECTL_EXIT_FAIL;
		}
		if (r == 1) {
			print_treadmill_data(j, &rec);
			return PACECTL_EXIT_OK;
		}
	}
	/* The last part still says More Data: show what we have. */
	pending = ftms_assembler_pending(&a);
	if (pending)
		print_treadmill_data(j, pending);
	return PACECTL_EXIT_OK;
}

static int decode_one(struct json *j, const char *kind,
		      enum ftms_wire_unit unit, const uint8_t *b, size_t n)
{
	int r;

	if (!strcmp(kind, "feature")) {
		struct ftms_feature f;

		r = ftms_decode_feature(b, n, &f);
		if (r < 0) {
			err("feature: %zu byte(s), need %d (two uint32)", n,
			    FTMS_FEATURE_LEN);
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "fitness_machine_features_raw");
		json_uint(j, f.machine);
		json_key(j, "target_setting_features_raw");
		json_uint(j, f.target);
		json_key(j, "fitness_machine_features");
		print_bits(j, f.machine, ftms_feature_name);
		json_key(j, "target_setting_features");
		print_bits(j, f.target, ftms_target_feature_name);
		json_object_end(j);
	} else if (!strcmp(kind, "speed-range")) {
		struct ftms_speed_range s;

		r = ftms_decode_speed_range(b, n, unit, &s);
		if (r < 0) {
			if (n < FTMS_SPEED_RANGE_LEN)
				err("speed-range: %zu byte(s), need %d", n,
				    FTMS_SPEED_RANGE_LEN);
			else
				err("speed-range: minimum above maximum");
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "minimum_speed_kmh");
		json_fixed(j, s.min, 2);
		json_key(j, "maximum_speed_kmh");
		json_fixed(j, s.max, 2);
		json_key(j, "minimum_increment_kmh");
		json_fixed(j, s.increment, 2);
		json_object_end(j);
	} else if (!strcmp(kind, "incline-range")) {
		struct ftms_incline_range s;

		r = ftms_decode_incline_range(b, n, &s);
		if (r < 0) {
			if (n < FTMS_INCLINE_RANGE_LEN)
				err("incline-range: %zu byte(s), need %d", n,
				    FTMS_INCLINE_RANGE_LEN);
			else
				err("incline-range: minimum above maximum");
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "minimum_inclination_pct");
		json_fixed(j, s.min, 1);
		json_key(j, "maximum_inclination_pct");
		json_fixed(j, s.max, 1);
		json_key(j, "minimum_increment_pct");
		json_fixed(j, s.increment, 1);
		json_object_end(j);
	} else if (!strcmp(kind, "training-status")) {
		struct ftms_training_status t;

		r = ftms_decode_training_status(b, n, &t);
		if (r < 0) {
			err("training-status: %zu byte(s), need at least 2 "
			    "(flags, status)", n);
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "flags");
		json_uint(j, t.flags);
		json_key(j, "training_status");
		json_uint(j, t.status);
		json_key(j, "training_status_name");
		json_string(j, ftms_training_status_name(t.status));
		json_key(j, "extended_string");
		json_bool(j, t.flags & FTMS_TRAINING_FLAG_EXTENDED_STRING);
		if (t.flags & FTMS_TRAINING_FLAG_STRING) {
			json_key(j, "training_status_string");
			/* Flag set with nothing after it: an empty string. */
			json_string_len(j, t.string ?
					(const char *) t.string : "",
					t.string_len);
		}
		json_object_end(j);
	} else if (!strcmp(kind, "status")) {
		struct ftms_machine_status s;

		r = ftms_decode_machine_status(b, n, unit, &s);
		if (r == -EOPNOTSUPP) {
			err("status: op code 0x%02x is reserved (RFU) in FTMS "
			    "1.0", b[0]);
			return PACECTL_EXIT_FAIL;
		}
		if (r < 0) {
			if (!n)
				err("status: empty payload");
			else
				err("status: op code 0x%02x (%s) needs %d "
				    "parameter byte(s), got %zu", b[0],
				    ftms_status_op_name(b[0]),
				    ftms_status_param_len(b[0]), n - 1);
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "op_code");
		json_uint(j, s.op);
		json_key(j, "name");
		json_string(j, ftms_status_op_name(s.op));
		if (status_param_op(s.op) >= 0)
			print_param(j, (uint8_t) status_param_op(s.op),
				    &s.param, true);
		json_object_end(j);
	} else if (!strcmp(kind, "control-response")) {
		struct ftms_control_response c;

		r = ftms_decode_control_response(b, n, &c);
		if (r < 0) {
			if (n < 3)
				err("control-response: %zu byte(s), need at "
				    "least 3 (80 OP RESULT)", n);
			else if (b[0] != FTMS_OP_RESPONSE_CODE)
				err("control-response: first byte is 0x%02x, "
				    "a response starts with 0x80", b[0]);
			else
				err("control-response: %zu parameter bytes, "
				    "at most %d", n - 3,
				    FTMS_RESPONSE_MAX_PARAM);
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "request_op_code");
		json_uint(j, c.request_op);
		json_key(j, "request_op_name");
		json_string(j, ftms_op_name(c.request_op));
		json_key(j, "result_code");
		json_uint(j, c.result);
		json_key(j, "result");
		json_string(j, ftms_result_name(c.result));
		if (c.param_len) {
			json_key(j, "response_parameter");
			print_hex(j, c.param, c.param_len);
		}
		json_object_end(j);
	} else if (!strcmp(kind, "control-request")) {
		struct ftms_control_request c;

		r = ftms_decode_control_request(b, n, unit, &c);
		if (r == -EOPNOTSUPP) {
			err("control-request: op code 0x%02x is not defined "
			    "in FTMS 1.0", b[0]);
			return PACECTL_EXIT_FAIL;
		}
		if (r < 0) {
			if (!n)
				err("control-request: empty payload");
			else if ((size_t) ftms_op_param_len(b[0]) != n - 1)
				err("control-request: op code 0x%02x (%s) "
				    "takes %d parameter byte(s), got %zu",
				    b[0], ftms_op_name(b[0]),
				    ftms_op_param_len(b[0]), n - 1);
			else
				err("control-request: op code 0x%02x (%s): "
				    "invalid parameter value 0x%02x", b[0],
				    ftms_op_name(b[0]), b[1]);
			return PACECTL_EXIT_FAIL;
		}
		json_object_begin(j);
		json_key(j, "op_code");
		json_uint(j, c.op);
		json_key(j, "name");
		json_string(j, ftms_op_name(c.op));
		print_param(j, c.op, &c.param, false);
		json_object_end(j);
	}
	return PACECTL_EXIT_OK;
}

static int cmd_decode(int argc, char **argv)
{
	static uint8_t parts[FTMS_ASSEMBLER_MAX_PARTS + 1][FTMS_MAX_VALUE_LEN];
	int lens[FTMS_ASSEMBLER_MAX_PARTS + 1];
	enum ftms_wire_unit unit = FTMS_WIRE_UNIT_KMH;
	const char *kind = NULL;
	struct json *j;
	int nparts, ret, i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PACECTL_EXIT_OK;
		}
		if (!strcmp(argv[i], "--mph")) {
			unit = FTMS_WIRE_UNIT_MPH;
			continue;
		}
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		err("unknown option '%s'", argv[i]);
		usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	if (argc - i < 2) {
		err("need KIND and HEX");
		usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		if (!strcmp(argv[i], kinds[k]))
			kind = kinds[k];
	if (!kind) {
		err("unknown KIND '%s' (try pacectl ftms decode --help)",
		    argv[i]);
		return PACECTL_EXIT_USAGE;
	}
	i++;
	nparts = argc - i;
	if (nparts > 1 && strcmp(kind, "treadmill-data")) {
		err("%s takes one HEX argument, got %d", kind, nparts);
		return PACECTL_EXIT_USAGE;
	}
	if (nparts > FTMS_ASSEMBLER_MAX_PARTS + 1) {
		err("at most %d parts in one record", FTMS_ASSEMBLER_MAX_PARTS);
		return PACECTL_EXIT_FAIL;
	}
	for (int p = 0; p < nparts; p++) {
		lens[p] = hex_decode(argv[i + p], parts[p], FTMS_MAX_VALUE_LEN);
		if (lens[p] == -EMSGSIZE) {
			err("'%s': longer than %d bytes, the largest FTMS value",
			    argv[i + p], FTMS_MAX_VALUE_LEN);
			return PACECTL_EXIT_FAIL;
		}
		if (lens[p] < 0) {
			err("'%s' is not hex (two digits a byte, optional "
			    "spaces or colons between bytes)", argv[i + p]);
			return PACECTL_EXIT_FAIL;
		}
	}

	j = json_new_buffer();
	if (!strcmp(kind, "treadmill-data"))
		ret = decode_treadmill(j, unit, parts, lens, nparts);
	else
		ret = decode_one(j, kind, unit, parts[0], (size_t) lens[0]);
	if (ret == PACECTL_EXIT_OK) {
		size_t len;
		const char *text = json_buffer(j, &len);

		if (json_error(j) < 0) {
			err("internal error writing JSON");
			ret = PACECTL_EXIT_FAIL;
		} else if (printf("%s\n", text) < 0 || fflush(stdout)) {
			err("cannot write output: %s", strerror(errno));
			ret = PACECTL_EXIT_FAIL;
		}
	}
	(void) json_free(j);
	return ret;
}

int cmd_ftms(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return PACECTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "decode"))
		return cmd_decode(argc - 1, argv + 1);
	fprintf(stderr, "pacectl: ftms: unknown sub-command '%s' (only "
		"'decode')\n", argv[1]);
	return PACECTL_EXIT_USAGE;
}
