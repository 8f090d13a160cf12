#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 'pacectl ftms decode' end to end: real captures in, exact JSON out.
set -u
: "${top_builddir:?}"
pacectl="$top_builddir/tools/pacectl"
fail=0
errf=$(mktemp) || exit 99
trap 'rm -f "$errf"' EXIT

# expect NAME WANT_RC WANT_STDOUT ARGS...
expect() {
	name=$1 want_rc=$2 want=$3
	shift 3
	out=$("$pacectl" ftms decode "$@" 2>"$errf")
	rc=$?
	err=$(cat "$errf")
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc (stderr: $err)"
		fail=1
	elif [ "$want_rc" = 0 ] && [ "$out" != "$want" ]; then
		echo "FAIL $name:"
		echo "  got:  $out"
		echo "  want: $want"
		fail=1
	elif [ "$want_rc" != 0 ] && [ -z "$err" ]; then
		echo "FAIL $name: exit $rc but no message on stderr"
		fail=1
	else
		echo "ok $name"
	fi
}

# Life Fitness treadmill, TrackMyIndoorWorkout/TrackMyIndoorWorkout:
# test/life_fitness_treadmill_test.dart (0x7FFF in a uint16, 0xFFFF rates).
expect life-fitness 0 '{"flags":1182,"more_data":false,"instantaneous_speed_kmh":6.27,"average_speed_kmh":5.63,"total_distance_m":37,"inclination_pct":6.0,"ramp_angle_deg":null,"positive_elevation_gain_m":0.0,"negative_elevation_gain_m":null,"total_energy_kcal":2,"energy_per_hour_kcal":null,"energy_per_minute_kcal":null,"elapsed_time_s":31,"missing":[]}' \
	treadmill-data "9e 04 73 02 33 02 25 00 00 3c 00 ff 7f 00 00 ff 7f 02 00 ff ff ff 1f 00"

# Matrix treadmill cut at 20 bytes, TrackMyIndoorWorkout:
# test/matrix_treadmill_test.dart.
expect matrix-20-bytes 0 '{"flags":8094,"more_data":false,"instantaneous_speed_kmh":0.81,"average_speed_kmh":1.78,"total_distance_m":88,"inclination_pct":0.0,"ramp_angle_deg":null,"positive_elevation_gain_m":0.0,"negative_elevation_gain_m":null,"total_energy_kcal":12,"missing":["energy_per_hour_kcal","energy_per_minute_kcal","heart_rate_bpm","metabolic_equivalent","elapsed_time_s","remaining_time_s","force_on_belt_n","power_output_w"]}' \
	treadmill-data 9e:1f:51:00:b2:00:58:00:00:00:00:ff:7f:00:00:ff:ff:0c:00:97

# CITYSPORTS walking pad, bit 13 step count, hughesjs/FitnessMachine:
# protocol/CS-WP8/1_to_3_with_person_60s_49m_3cal.log
expect citysports-steps 0 '{"flags":9348,"more_data":false,"instantaneous_speed_kmh":0.20,"total_distance_m":49,"total_energy_kcal":3,"energy_per_hour_kcal":0,"energy_per_minute_kcal":0,"elapsed_time_s":70,"step_count":100,"step_count_width":"uint24","missing":[]}' \
	treadmill-data 8424140031000003000000004600640000

# A record split in two (More Data), merged in order.
expect split-record 0 '{"flags":1038,"more_data":false,"instantaneous_speed_kmh":6.25,"average_speed_kmh":10.00,"total_distance_m":10000,"inclination_pct":2.0,"ramp_angle_deg":null,"elapsed_time_s":600,"missing":[]}' \
	treadmill-data "0f00 e803 102700 1400 ff7f" "0004 7102 5802"

expect mph 0 '{"flags":0,"more_data":false,"instantaneous_speed_kmh":8.05,"missing":[]}' \
	--mph treadmill-data 0000f401
expect feature 0 '{"fitness_machine_features_raw":4109,"target_setting_features_raw":3,"fitness_machine_features":["average_speed","total_distance","inclination","elapsed_time"],"target_setting_features":["speed_target","inclination_target"]}' \
	feature 0d10000003000000
expect speed-range 0 '{"minimum_speed_kmh":1.00,"maximum_speed_kmh":16.00,"minimum_increment_kmh":0.10}' \
	speed-range 640040060a00
expect incline-range 0 '{"minimum_inclination_pct":-3.0,"maximum_inclination_pct":15.0,"minimum_increment_pct":0.5}' \
	incline-range e2ff96000500
expect training-status 0 '{"flags":1,"training_status":14,"training_status_name":"pre_workout","extended_string":false,"training_status_string":"Warm"}' \
	training-status 010e5761726d
expect status-safety-key 0 '{"op_code":3,"name":"stopped_by_safety_key"}' status 03
expect status-speed 0 '{"op_code":5,"name":"target_speed_changed","target_speed_kmh":10.00}' status 05e803
expect status-pause 0 '{"op_code":2,"name":"stopped_or_paused_by_user","control_information":2,"action":"pause"}' status 0202
expect control-response 0 '{"request_op_code":2,"request_op_name":"set_target_speed","result_code":1,"result":"success"}' \
	control-response 800201
expect control-request 0 '{"op_code":3,"name":"set_target_inclination","target_inclination_pct":-5.0}' \
	control-request 03ceff

# Errors: bad input exits 1, bad usage 2, always with a message.
expect bad-hex 1 '' treadmill-data 0g00
expect odd-hex 1 '' treadmill-data 000
expect too-short 1 '' treadmill-data 00
expect short-range 1 '' speed-range 6400
expect not-a-response 1 '' control-response 020201
expect rfu-status 1 '' status 16
expect early-last-part 1 '' treadmill-data 00006400 00006400
expect bad-kind 2 '' treadmill 0000
expect no-hex 2 '' feature
expect two-hex 2 '' feature 00 00
expect bad-option 2 '' --kph treadmill-data 0000

if ! "$pacectl" ftms decode --help | grep -q 'treadmill-data'; then
	echo "FAIL --help"
	fail=1
fi
exit $fail
