/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for profile loading: every validation error, limits, bundled profiles. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "util.h"
#include "plan.h"
#include "exercise.h"
#include "profile.h"
#include "programme.h"
#include "scaleback.h"

/* The example profile of paced-profile(5), verbatim but for its
 * description and comments. */
static const char example[] =
	"name = \"P2 - 8 x (1 min jog / 90 s walk)\";\n"
	"description = \"Free text shown by pacectl profile show\";\n"
	"paces = { walk = 5.0; jog = 7.5; };\n"
	"warmup   = ( { walk = \"5:00\"; } );\n"
	"main     = ( { repeat = 8; segments = ( { jog = \"1:00\"; }, { walk = \"1:30\"; } ); } );\n"
	"cooldown = ( { walk = \"5:00\"; speed = 4.5; } );\n"
	"scaleback = {\n"
	"  recovery = \"2:00\";\n"
	"  debounce = 3;\n"
	"  steps = (\n"
	"    { jog_speed = 0.9; jog_time = 0.5; },\n"
	"    { no_jog = true; },\n"
	"    { end = true; }\n"
	"  );\n"
	"  kinds = { leak = 1; pressure = 2; pain = 3; };\n"
	"  long_press = \"end\";\n"
	"};\n";

START_TEST(test_example)
{
	struct profile_error err = { .line = 77 };
	struct profile *p = profile_load_string(example, "ex.cfg", NULL, &err);
	const struct profile_item *r;

	ck_assert_msg(p != NULL, "%s", err.text);
	/* success leaves ret_err alone */
	ck_assert_uint_eq(err.line, 77);
	ck_assert_str_eq(p->name, "P2 - 8 x (1 min jog / 90 s walk)");
	ck_assert_str_eq(p->description, "Free text shown by pacectl profile show");
	ck_assert_str_eq(p->path, "ex.cfg");
	ck_assert_uint_eq(p->paces[0].speed, 500);
	ck_assert_uint_eq(p->paces[1].speed, 750);
	ck_assert_uint_eq(p->section_n[PROFILE_WARMUP], 1);
	ck_assert_uint_eq(p->section[PROFILE_WARMUP][0].duration_ms, 300000);
	r = &p->section[PROFILE_MAIN][0];
	ck_assert_uint_eq(r->repeat, 8);
	ck_assert_uint_eq(r->n_items, 2);
	ck_assert_uint_eq(r->items[0].speed, 750);
	ck_assert_str_eq(r->items[0].pace_name, "jog");
	ck_assert_uint_eq(r->items[1].duration_ms, 90000);
	ck_assert_uint_eq(r->line, 5);
	ck_assert_uint_eq(p->section[PROFILE_COOLDOWN][0].speed, 450);
	ck_assert(p->own_policy);
	ck_assert_uint_eq(p->policy.recovery_ms, 120000);
	ck_assert_uint_eq(p->policy.debounce_ms, 3000);
	ck_assert_uint_eq(p->policy.n_steps, 3);
	ck_assert_uint_eq(p->policy.steps[0].jog_speed, 900);
	ck_assert_uint_eq(p->policy.steps[0].jog_time, 500);
	ck_assert(p->policy.steps[1].no_jog);
	ck_assert(p->policy.steps[2].end);
	ck_assert_uint_eq(p->policy.kind_min_step[SYMPTOM_PRESSURE], 2);
	ck_assert_int_eq(p->policy.long_press, SCALEBACK_LONG_PRESS_END);
	ck_assert_uint_eq(p->total_ms, 30 * 60000);
	ck_assert_uint_eq(p->jog_ms, 8 * 60000);
	profile_free(p);
}
END_TEST

START_TEST(test_defaults_from_limits)
{
	static const char text[] =
		"name = \"n\";\nmain = ( { jog = 60; }, { pace = \"walk\"; duration = \"1:00:00\"; incline = 2.5; } );\n";
	struct profile_limits lim;
	struct profile_error err;
	struct profile *p;

	profile_limits_default(&lim);
	lim.walk_speed = 420;
	lim.jog_speed = 610;
	lim.policy.recovery_ms = 90000;
	p = profile_load_string(text, "n", &lim, &err);
	ck_assert_msg(p != NULL, "%s", err.text);
	ck_assert_uint_eq(p->section[PROFILE_MAIN][0].speed, 610);
	ck_assert_uint_eq(p->section[PROFILE_MAIN][1].speed, 420);
	ck_assert_int_eq(p->section[PROFILE_MAIN][1].incline, 25);
	ck_assert_uint_eq(p->section[PROFILE_MAIN][1].duration_ms, 3600000);
	ck_assert(!p->own_policy);
	ck_assert_uint_eq(p->policy.recovery_ms, 90000);
	ck_assert_str_eq(profile_pace(p, "walk")->name, "walk");
	ck_assert_ptr_null(profile_pace(p, "brisk"));
	profile_free(p);
}
END_TEST

/* A policy that changes steps and keeps inherited kinds within them. */
START_TEST(test_partial_policy)
{
	static const char text[] =
		"name = \"n\";\nmain = ( { jog = 60; } );\n"
		"scaleback = { steps = ( { no_jog = true; } ); long_press = \"press\"; };\n";
	struct profile_error err;
	struct profile *p = profile_load_string(text, "n", NULL, &err);

	ck_assert_msg(p != NULL, "%s", err.text);
	ck_assert_uint_eq(p->policy.n_steps, 1);
	ck_assert_uint_eq(p->policy.kind_min_step[SYMPTOM_PAIN], 1);
	ck_assert_uint_eq(p->policy.recovery_ms, 120000);
	ck_assert_int_eq(p->policy.long_press, SCALEBACK_LONG_PRESS_PRESS);
	ck_assert_int_eq(scaleback_policy_validate(&p->policy), 0);
	profile_free(p);
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char *s;
		int r;
		uint32_t ms;
	} t[] = {
		{ "90", 0, 90000 }, { "1:30", 0, 90000 }, { "0:05", 0, 5000 },
		{ "1:00:00", 0, 3600000 }, { "4:00:00", 0, 14400000 },
		{ "240:00", 0, 14400000 }, { "0:00:01", 0, 1000 },
		{ "4:00:01", -ERANGE, 0 }, { "0", -ERANGE, 0 },
		{ "0:00", -ERANGE, 0 }, { "99999999", -ERANGE, 0 },
		{ "1:5", -EINVAL, 0 }, { "1:60", -EINVAL, 0 },
		{ "1:00:60", -EINVAL, 0 }, { "1:2:03", -EINVAL, 0 },
		{ "1:00:00:00", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ ":30", -EINVAL, 0 }, { "1:", -EINVAL, 0 },
		{ "-1:00", -EINVAL, 0 }, { "1:00 ", -EINVAL, 0 },
		{ "1.5", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		uint32_t ms = 4242;
		int r = profile_parse_duration(t[i].s, &ms);

		ck_assert_msg(r == t[i].r, "\"%s\": %d", t[i].s, r);
		ck_assert_uint_eq(ms, t[i].r ? 4242 : t[i].ms);
	}
	ck_assert_int_eq(profile_parse_duration(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(test_format_duration)
{
	char b[16];

	profile_format_duration(0, b, sizeof(b));
	ck_assert_str_eq(b, "0:00");
	profile_format_duration(90999, b, sizeof(b));
	ck_assert_str_eq(b, "1:30");
	profile_format_duration(3600000, b, sizeof(b));
	ck_assert_str_eq(b, "1:00:00");
	profile_format_duration(14400000 + 61000, b, sizeof(b));
	ck_assert_str_eq(b, "4:01:01");
}
END_TEST

#define X64 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X4096 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 \
	X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 \
	X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 \
	X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64 X64
#define X4097 X4096 "x"

/* Every validation error: its message and its line. */
static const struct bad {
	const char *id;
	const char *text;
	unsigned line;
	const char *message;
} bad[] = {
	{ "syntax",
	  "name = \"x\";\n"
	  "main = ( { jog = } );\n",
	  2, "syntax error" },
	{ "unknown_root_key",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "warmpu = ( { walk = 60; } );\n",
	  3, "unknown key 'warmpu' in profile (expected name, description, paces, warmup, main, cooldown, scaleback, belt)" },
	{ "missing_name",
	  "main = ( { jog = 60; } );\n",
	  0, "missing required key 'name'" },
	{ "name_type",
	  "name = 3;\n"
	  "main = ( { jog = 60; } );\n",
	  1, "name must be a string, not an integer" },
	{ "name_empty",
	  "name = \"\";\n"
	  "main = ( { jog = 60; } );\n",
	  1, "name must be one line of 1 to 120 characters" },
	{ "name_control",
	  "name = \"a\\x1b[2Jb\";\n"
	  "main = ( { jog = 60; } );\n",
	  1, "name must be one line of 1 to 120 characters" },
	{ "name_newline",
	  "name = \"a\\nb\";\n"
	  "main = ( { jog = 60; } );\n",
	  1, "name must be one line of 1 to 120 characters" },
	{ "description_control",
	  "name = \"x\";\n"
	  "description = \"ok\\nbut \\x07\";\n"
	  "main = ( { jog = 60; } );\n",
	  2, "description contains a control character" },
	{ "message_escaped",
	  "name = \"x\";\n"
	  "main = ( { jog = \"\\x1b[31m\"; } );\n",
	  2, "jog \"?[31m\" is not a duration (use \"m:ss\", \"h:mm:ss\" or whole seconds)" },
	{ "description_long",
	  "name = \"x\";\n"
	  "description = \"" X4097 "\";\n"
	  "main = ( { jog = 60; } );\n",
	  2, "description is longer than 4096 characters" },
	{ "name_long",
	  "name = \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\";\n"
	  "main = ( { jog = 60; } );\n",
	  1, "name must be one line of 1 to 120 characters" },
	{ "description_type",
	  "name = \"x\";\n"
	  "description = ( );\n"
	  "main = ( { jog = 60; } );\n",
	  2, "description must be a string, not a list ( )" },
	{ "missing_main",
	  "name = \"x\";\n",
	  0, "missing required key 'main' (the list of segments to run)" },
	{ "main_not_list",
	  "name = \"x\";\n"
	  "main = { jog = 60; };\n",
	  2, "'main' must be a list ( { ... }, ... ) of segments, not a group { }" },
	{ "main_empty",
	  "name = \"x\";\n"
	  "main = ( );\n",
	  2, "'main' is empty: give at least one segment" },
	{ "warmup_empty",
	  "name = \"x\";\n"
	  "warmup = ( );\n"
	  "main = ( { jog = 60; } );\n",
	  2, "'warmup' is empty: give at least one segment" },
	{ "entry_not_group",
	  "name = \"x\";\n"
	  "main = ( 5 );\n",
	  2, "each entry of 'main' must be a group { ... }, not an integer" },
	{ "empty_segment",
	  "name = \"x\";\n"
	  "main = (\n"
	  "  { }\n"
	  ");\n",
	  3, "empty segment: give walk = DURATION, jog = DURATION, or pace = \"NAME\" and duration = DURATION" },
	{ "segment_unknown_key",
	  "name = \"x\";\n"
	  "main = (\n"
	  " { jog = 60;\n"
	  "   sped = 7.0; } );\n",
	  4, "unknown key 'sped' in segment (expected walk, jog, pace, duration, speed, incline)" },
	{ "walk_and_jog",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; walk = 60; } );\n",
	  2, "a segment needs exactly one of walk, jog or pace" },
	{ "speed_only",
	  "name = \"x\";\n"
	  "main = ( { speed = 5.0; } );\n",
	  2, "a segment needs exactly one of walk, jog or pace" },
	{ "pace_no_duration",
	  "name = \"x\";\n"
	  "main = ( { pace = \"walk\"; } );\n",
	  2, "segment with pace \"walk\" has no duration" },
	{ "duration_no_pace",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; duration = 60; } );\n",
	  2, "'duration' goes with 'pace'; with jog the value is the duration" },
	{ "unknown_pace",
	  "name = \"x\";\n"
	  "main = ( { pace = \"sprint\"; duration = 60; } );\n",
	  2, "unknown pace \"sprint\" (known: walk, jog)" },
	{ "pace_type",
	  "name = \"x\";\n"
	  "main = ( { pace = 3; duration = 60; } );\n",
	  2, "pace must be a string, not an integer" },
	{ "duration_zero_string",
	  "name = \"x\";\n"
	  "main = ( { jog = \"0:00\"; } );\n",
	  2, "jog \"0:00\" is out of range (0:01 to 4:00:00)" },
	{ "duration_zero_int",
	  "name = \"x\";\n"
	  "main = ( { walk = 0; } );\n",
	  2, "walk 0 s is out of range (1 s to 4:00:00)" },
	{ "duration_negative",
	  "name = \"x\";\n"
	  "main = ( { walk = -30; } );\n",
	  2, "walk -30 s is out of range (1 s to 4:00:00)" },
	{ "duration_too_long",
	  "name = \"x\";\n"
	  "main = ( { walk = \"4:00:01\"; } );\n",
	  2, "walk \"4:00:01\" is out of range (0:01 to 4:00:00)" },
	{ "duration_too_long_int",
	  "name = \"x\";\n"
	  "main = ( { walk = 14401; } );\n",
	  2, "walk 14401 s is out of range (1 s to 4:00:00)" },
	{ "duration_malformed",
	  "name = \"x\";\n"
	  "main = ( { jog = \"1:5\"; } );\n",
	  2, "jog \"1:5\" is not a duration (use \"m:ss\", \"h:mm:ss\" or whole seconds)" },
	{ "duration_words",
	  "name = \"x\";\n"
	  "main = ( { jog = \"one minute\"; } );\n",
	  2, "jog \"one minute\" is not a duration (use \"m:ss\", \"h:mm:ss\" or whole seconds)" },
	{ "duration_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 1.5; } );\n",
	  2, "jog must be a duration (\"m:ss\", \"h:mm:ss\" or whole seconds), not a number" },
	{ "pace_duration_bad",
	  "name = \"x\";\n"
	  "main = ( { pace = \"walk\"; duration = \"61:00:00\"; } );\n",
	  2, "duration \"61:00:00\" is out of range (0:01 to 4:00:00)" },
	{ "speed_zero",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; speed = 0; } );\n",
	  2, "speed must be above 0 km/h" },
	{ "speed_negative",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; speed = -4.0; } );\n",
	  2, "speed must be above 0 km/h" },
	{ "speed_rounds_to_zero",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; speed = 0.001; } );\n",
	  2, "speed must be above 0 km/h" },
	{ "speed_type",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; speed = \"5\"; } );\n",
	  2, "speed must be a number, not a string" },
	{ "speed_above_cap",
	  "name = \"x\";\n"
	  "main = ( { jog = 60;\n"
	  " speed = 12.5; } );\n",
	  3, "speed 12.5 km/h is above the speed cap of 10.00 km/h" },
	{ "pace_above_cap",
	  "name = \"x\";\n"
	  "paces = {\n"
	  "  jog = 11.0;\n"
	  "};\n"
	  "main = ( { jog = 60; } );\n",
	  3, "pace 'jog' 11 km/h is above the speed cap of 10.00 km/h" },
	{ "pace_zero",
	  "name = \"x\";\n"
	  "paces = { brisk = 0.0; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "pace 'brisk' must be above 0 km/h" },
	{ "pace_type",
	  "name = \"x\";\n"
	  "paces = { walk = \"fast\"; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "pace 'walk' must be a number, not a string" },
	{ "paces_type",
	  "name = \"x\";\n"
	  "paces = 5;\n"
	  "main = ( { jog = 60; } );\n",
	  2, "'paces' must be a group like { walk = 5.0; jog = 7.5; }, not an integer" },
	{ "pace_name_long",
	  "name = \"x\";\n"
	  "paces = { averyveryverylongname = 5.0; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "pace name 'averyveryverylongname' is too long (at most 15 characters)" },
	{ "too_many_paces",
	  "name = \"x\";\n"
	  "paces = { a = 1.0; b = 1.0; c = 1.0; d = 1.0; e = 1.0; f = 1.0; g = 1.0; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "too many paces (at most 8)" },
	{ "jog_pace_not_faster",
	  "name = \"x\";\n"
	  "paces = { walk = 6.0; jog = 6.0; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "jog pace 6.00 km/h is not faster than the walk pace 6.00 km/h" },
	{ "walk_above_ceiling",
	  "name = \"x\";\n"
	  "paces = { walk = 8.0; };\n"
	  "main = ( { jog = 60; } );\n",
	  2, "walk pace 8.00 km/h is above the walking ceiling of 6.50 km/h (walk_max in paced.conf)" },
	{ "walk_segment_above_ceiling",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; },\n"
	  "  { walk = 60; speed = 6.6; } );\n",
	  3, "a walk at 6.60 km/h is above the walking ceiling of 6.50 km/h (walk_max in paced.conf): make it a jog or a named pace" },
	{ "duplicate_key",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "name = \"y\";\n",
	  3, "duplicate setting name" },
	{ "jog_segment_slower",
	  "name = \"x\";\n"
	  "main = ( { jog = 60;\n"
	  " speed = 4.0; } );\n",
	  3, "jog at 4.00 km/h is not faster than the walk pace 5.00 km/h" },
	{ "jog_pace_segment_slower",
	  "name = \"x\";\n"
	  "main = ( { pace = \"jog\"; duration = 60; speed = 5.0; } );\n",
	  2, "jog at 5.00 km/h is not faster than the walk pace 5.00 km/h" },
	{ "incline_high",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; incline = 15.5; } );\n",
	  2, "incline 15.5 % is out of range (-6 to 15 %)" },
	{ "incline_low",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; incline = -7; } );\n",
	  2, "incline -7 % is out of range (-6 to 15 %)" },
	{ "incline_type",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; incline = \"1\"; } );\n",
	  2, "incline must be a number, not a string" },
	{ "repeat_zero",
	  "name = \"x\";\n"
	  "main = ( { repeat = 0; segments = ( { jog = 60; } ); } );\n",
	  2, "repeat 0 is out of range (1 to 100)" },
	{ "repeat_large",
	  "name = \"x\";\n"
	  "main = ( { repeat = 101; segments = ( { jog = 60; } ); } );\n",
	  2, "repeat 101 is out of range (1 to 100)" },
	{ "repeat_type",
	  "name = \"x\";\n"
	  "main = ( { repeat = 2.0; segments = ( { jog = 60; } ); } );\n",
	  2, "repeat must be an integer, not a number" },
	{ "repeat_no_segments",
	  "name = \"x\";\n"
	  "main = ( { repeat = 2; } );\n",
	  2, "repeat group has no 'segments' list" },
	{ "segments_no_repeat",
	  "name = \"x\";\n"
	  "main = ( { segments = ( { jog = 60; } ); } );\n",
	  2, "'segments' without 'repeat' (write repeat = 1 for a plain group)" },
	{ "repeat_extra_key",
	  "name = \"x\";\n"
	  "main = ( { repeat = 2; segments = ( { jog = 60; } ); jog = 60; } );\n",
	  2, "unknown key 'jog' in repeat group (expected repeat, segments)" },
	{ "repeat_empty",
	  "name = \"x\";\n"
	  "main = ( { repeat = 2;\n"
	  " segments = ( ); } );\n",
	  3, "'segments' is empty: give at least one segment" },
	{ "repeat_bad_inner",
	  "name = \"x\";\n"
	  "main = ( { repeat = 2; segments = (\n"
	  " { jog = 0; } ); } );\n",
	  3, "jog 0 s is out of range (1 s to 4:00:00)" },
	{ "nesting_too_deep",
	  "name = \"x\";\n"
	  "main = ( { repeat = 1; segments = ( { repeat = 1; segments = ( { repeat = 1; segments = ( { repeat = 1; segments = (\n"
	  " { repeat = 1; segments = ( { jog = 60; } ); } ); } ); } ); } ); } );\n",
	  3, "repeat groups nested too deep (at most 4 levels)" },
	{ "too_many_segments",
	  "name = \"x\";\n"
	  "main = ( { repeat = 100; segments = ( { repeat = 50; segments = ( { jog = 1; } ); } ); } );\n",
	  2, "the profile expands to more than 4096 segments" },
	{ "too_long",
	  "name = \"x\";\n"
	  "warmup = ( { walk = 60; } );\n"
	  "main = ( { repeat = 100; segments = ( { walk = \"4:00\"; } ); } );\n",
	  3, "the profile is longer than 6:00:00 in total" },
	{ "include",
	  "name = \"x\";\n"
	  "  @include \"/etc/passwd\"\n"
	  "main = ( { jog = 60; } );\n",
	  2, "@include is not allowed in a profile" },
	{ "scaleback_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = 1;\n",
	  3, "'scaleback' must be a group { ... }, not an integer" },
	{ "scaleback_unknown",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { recover = \"2:00\"; };\n",
	  3, "unknown key 'recover' in scaleback (expected recovery, debounce, steps, kinds, long_press, end_cooldown)" },
	{ "recovery_short",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { recovery = 5; };\n",
	  3, "recovery must be between 0:10 and 30:00" },
	{ "recovery_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { recovery = true; };\n",
	  3, "recovery must be a duration (\"m:ss\", \"h:mm:ss\" or whole seconds), not true or false" },
	{ "debounce_range",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { debounce = 61; };\n",
	  3, "debounce 61 s is out of range (0 to 60 s)" },
	{ "end_cooldown_long",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { end_cooldown = \"31:00\"; };\n",
	  3, "end_cooldown must be at most 30:00" },
	{ "steps_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = { end = true; }; };\n",
	  3, "'steps' must be a list ( { ... }, ... ), not a group { }" },
	{ "steps_empty",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( ); };\n",
	  3, "'steps' must have 1 to 8 steps, not 0" },
	{ "step_empty",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { } ); };\n",
	  3, "empty scale-back step: give jog_speed, jog_time, no_jog or end" },
	{ "step_not_group",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( 1 ); };\n",
	  3, "each scale-back step must be a group { ... }, not an integer" },
	{ "step_unknown",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { jog_sped = 0.9; } ); };\n",
	  3, "unknown key 'jog_sped' in scale-back step (expected jog_speed, jog_time, no_jog, end)" },
	{ "step_factor_above_one",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = (\n"
	  " { jog_speed = 1.1; } ); };\n",
	  4, "jog_speed 1.1 is out of range: use a factor above 0 and at most 1 (a press never makes jogs harder)" },
	{ "step_factor_zero",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { jog_time = 0.0; } ); };\n",
	  3, "jog_time 0 is out of range: use a factor above 0 and at most 1 (a press never makes jogs harder)" },
	{ "step_factor_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { jog_time = \"half\"; } ); };\n",
	  3, "jog_time must be a number, not a string" },
	{ "step_bool_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { no_jog = 1; } ); };\n",
	  3, "no_jog must be true or false, not an integer" },
	{ "step_end_combined",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { end = true; no_jog = true; } ); };\n",
	  3, "'end' cannot be combined with other keys in a step" },
	{ "kinds_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { kinds = 1; };\n",
	  3, "'kinds' must be a group like { leak = 1; pain = 3; }, not an integer" },
	{ "kind_unknown",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { kinds = { cramp = 1; }; };\n",
	  3, "unknown symptom kind 'cramp' (expected any, leak, pressure, pain)" },
	{ "kind_range",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { steps = ( { no_jog = true; } ); kinds = { pain = 2; }; };\n",
	  3, "kind 'pain' step 2 is out of range (1 to 1)" },
	{ "kind_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { kinds = { pain = \"end\"; }; };\n",
	  3, "kind 'pain' must be a step number, not a string" },
	{ "long_press_bad",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { long_press = \"stop\"; };\n",
	  3, "long_press \"stop\" is not \"end\" or \"press\"" },
	{ "long_press_type",
	  "name = \"x\";\n"
	  "main = ( { jog = 60; } );\n"
	  "scaleback = { long_press = 2; };\n",
	  3, "long_press must be a string, not an integer" },
	/* profiles with no belt: holds and rests only */
	{ "no_belt_walk",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = 5; },\n { walk = 60; } );\n",
	  4, "'walk' needs a treadmill: this profile has belt = false (use hold or rest)" },
	{ "no_belt_speed",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = 5;\n speed = 5.0; } );\n",
	  4, "'speed' needs a treadmill: this profile has belt = false (use hold or rest)" },
	{ "no_belt_paces",
	  "name = \"x\";\nbelt = false;\n"
	  "paces = { walk = 5.0; };\nmain = ( { hold = 5; } );\n",
	  3, "'paces' is about the treadmill: a profile with belt = false has none" },
	{ "no_belt_scaleback",
	  "name = \"x\";\nbelt = false;\nmain = ( { hold = 5; } );\n"
	  "scaleback = { recovery = \"2:00\"; };\n",
	  4, "'scaleback' is about the treadmill: a profile with belt = false has none" },
	{ "no_belt_both",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = 5; rest = 5; } );\n",
	  3, "an exercise segment needs exactly one of hold or rest" },
	{ "no_belt_empty",
	  "name = \"x\";\nbelt = false;\nmain = ( { } );\n",
	  3, "empty segment: give hold = DURATION or rest = DURATION" },
	{ "no_belt_unknown",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = 5; shout = \"go\"; } );\n",
	  3, "unknown key 'shout' in exercise segment (expected hold, rest, say, count)" },
	{ "no_belt_say_long",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = 5; say = \"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x\"; } );\n",
	  3, "say must be one line of 1 to 160 characters" },
	{ "no_belt_say_empty",
	  "name = \"x\";\nbelt = false;\nmain = ( { rest = 5; say = \"\"; } );\n",
	  3, "say must be one line of 1 to 160 characters" },
	{ "no_belt_count_long",
	  "name = \"x\";\nbelt = false;\n"
	  "main = ( { hold = \"2:01\"; count = true; } );\n",
	  3, "count is for holds and rests of at most 2:00" },
	{ "no_belt_count_type",
	  "name = \"x\";\nbelt = false;\nmain = ( { hold = 5; count = 1; } );\n",
	  3, "count must be true or false, not an integer" },
	{ "no_belt_hold_zero",
	  "name = \"x\";\nbelt = false;\nmain = ( { hold = 0; } );\n",
	  3, "hold 0 s is out of range (1 s to 4:00:00)" },
	{ "belt_type",
	  "name = \"x\";\nbelt = \"no\";\nmain = ( { hold = 5; } );\n",
	  2, "belt must be true or false, not a string" },
	{ "hold_in_belt_profile",
	  "name = \"x\";\n"
	  "main = ( { walk = 60; say = \"go\"; } );\n",
	  2, "'say' is for exercise sessions: set belt = false at the top of the profile" },
	{ "hold_alone_in_belt_profile",
	  "name = \"x\";\nbelt = true;\n"
	  "main = ( { hold = 5; } );\n",
	  3, "'hold' is for exercise sessions: set belt = false at the top of the profile" },
};

START_TEST(test_error)
{
	const struct bad *b = &bad[_i];
	struct profile_error err;
	struct profile *p;
	char text[600];

	memset(&err, 0, sizeof(err));
	p = profile_load_string(b->text, "bad.cfg", NULL, &err);
	ck_assert_msg(p == NULL, "%s: loaded", b->id);
	ck_assert_msg(!strcmp(err.message, b->message),
		      "%s: message \"%s\", expected \"%s\"", b->id,
		      err.message, b->message);
	ck_assert_msg(err.line == b->line, "%s: line %u, expected %u", b->id,
		      err.line, b->line);
	if (b->line)
		snprintf(text, sizeof(text), "bad.cfg:%u: %s", b->line,
			 b->message);
	else
		snprintf(text, sizeof(text), "bad.cfg: %s", b->message);
	ck_assert_str_eq(err.text, text);
}
END_TEST

/* Inherited paces are checked against the cap too, and limits matter. */
START_TEST(test_cap_from_limits)
{
	static const char text[] = "name = \"n\";\nmain = (\n { jog = 60; } );\n";
	struct profile_limits lim;
	struct profile_error err;

	profile_limits_default(&lim);
	lim.speed_cap = 700;
	ck_assert_ptr_null(profile_load_string(text, "n.cfg", &lim, &err));
	ck_assert_uint_eq(err.line, 3);
	ck_assert_str_eq(err.message,
			 "the jog pace 7.50 km/h from paced.conf is above the speed cap of 7.00 km/h");
	/* a profile pace exactly at the cap loads */
	lim.speed_cap = 750;
	{
		struct profile *p = profile_load_string(text, "n.cfg", &lim,
							&err);

		ck_assert_ptr_nonnull(p);
		profile_free(p);
	}
	/* invalid limits are refused, not trusted */
	lim.walk_speed = 0;
	ck_assert_ptr_null(profile_load_string(text, "n.cfg", &lim, &err));
	ck_assert_str_eq(err.text, "n.cfg: invalid limits (paced.conf)");
	ck_assert_ptr_null(profile_load_string(NULL, NULL, NULL, &err));
	ck_assert_str_eq(err.text, "<string>: no text");
}
END_TEST

/*
 * Safety: a recovery walk is a walk. The walk pace has a ceiling
 * (paced.conf walk_max, default 6.5 km/h) that no profile lifts: neither
 * its walk pace, nor a segment it calls a walk; a jog pace at 10.0 next
 * to a walk at 9.9 used to load.
 */
START_TEST(safety_walk_pace_has_a_ceiling)
{
	static const char fast_walk[] =
		"name = \"w\";\npaces = { walk = 9.9; jog = 10.0; };\n"
		"main = ( { jog = 60; }, { walk = 60; } );\n";
	static const char at_ceiling[] =
		"name = \"w\";\npaces = { walk = 6.5; jog = 8.0; };\n"
		"main = ( { jog = 60; }, { walk = 60; speed = 6.5; } );\n";
	static const char inherited[] = "name = \"n\";\nmain = ( { jog = 60; } );\n";
	struct profile_limits lim;
	struct profile_error err;
	struct profile *p;

	profile_limits_default(&lim);
	ck_assert_uint_eq(lim.walk_max, 650);
	ck_assert_ptr_null(profile_load_string(fast_walk, "w.cfg", &lim, &err));
	ck_assert_str_eq(err.text, "w.cfg:2: walk pace 9.90 km/h is above the walking ceiling of 6.50 km/h (walk_max in paced.conf)");
	p = profile_load_string(at_ceiling, "w.cfg", &lim, &err);
	ck_assert_msg(p != NULL, "%s", err.text);
	profile_free(p);
	/* A lower ceiling from paced.conf binds the same way... */
	lim.walk_max = 600;
	ck_assert_ptr_null(profile_load_string(at_ceiling, "w.cfg", &lim, &err));
	ck_assert_uint_eq(err.line, 2);
	/* ...and a walk pace inherited from paced.conf too. */
	lim.walk_speed = 620;
	ck_assert_ptr_null(profile_load_string(inherited, "n.cfg", &lim, &err));
	ck_assert_str_eq(err.text, "n.cfg: the walk pace 6.20 km/h from paced.conf is above the walking ceiling of 6.00 km/h (walk_max)");
	/* A jog pace from paced.conf no faster than the profile's walk. */
	profile_limits_default(&lim);
	lim.jog_speed = 600;
	ck_assert_ptr_null(profile_load_string(
		"name = \"x\";\npaces = { walk = 6.0; };\nmain = ( { jog = 60; } );\n",
		"x.cfg", &lim, &err));
	ck_assert_str_eq(err.text, "x.cfg:2: jog pace 6.00 km/h is not faster than the walk pace 6.00 km/h");
}
END_TEST

static char *write_temp(const char *data, size_t len)
{
	char *path = strdup("/tmp/test-profile-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t) len);
	close(fd);
	return path;
}

START_TEST(test_load_file)
{
	static const char bad_text[] = "name = \"x\";\nmain = ( { jog = \"1:5\"; } );\n";
	struct profile_error err;
	struct profile *p;
	char *path, want[600];

	path = write_temp(example, strlen(example));
	p = profile_load(path, NULL, &err);
	ck_assert_msg(p != NULL, "%s", err.text);
	ck_assert_str_eq(p->path, path);
	profile_free(p);
	unlink(path);
	free(path);

	/* errors carry the path given */
	path = write_temp(bad_text, strlen(bad_text));
	ck_assert_ptr_null(profile_load(path, NULL, &err));
	snprintf(want, sizeof(want),
		 "%s:2: jog \"1:5\" is not a duration (use \"m:ss\", \"h:mm:ss\" or whole seconds)",
		 path);
	ck_assert_str_eq(err.text, want);
	unlink(path);
	free(path);

	/* a NUL byte would hide the rest of the file from libconfig */
	path = write_temp("name = \"x\";\0main = ( );", 23);
	ck_assert_ptr_null(profile_load(path, NULL, &err));
	ck_assert_str_eq(err.message, "file contains a NUL byte: not a text profile");
	ck_assert_uint_eq(err.line, 0);
	unlink(path);
	free(path);

	ck_assert_ptr_null(profile_load("/nonexistent/x.cfg", NULL, &err));
	ck_assert_str_eq(err.text,
			 "/nonexistent/x.cfg: cannot open: No such file or directory");
	ck_assert_uint_eq(err.line, 0);
	/* NULL ret_err is allowed */
	ck_assert_ptr_null(profile_load("/nonexistent/x.cfg", NULL, NULL));
}
END_TEST

START_TEST(test_load_big_file)
{
	size_t len = 300 * 1024;
	char *data = malloc(len);
	struct profile_error err;
	char *path;

	memset(data, '#', len);
	path = write_temp(data, len);
	ck_assert_ptr_null(profile_load(path, NULL, &err));
	ck_assert_str_eq(err.message, "file is larger than 262144 bytes");
	unlink(path);
	free(path);
	free(data);
}
END_TEST

/* ---- profiles with no belt ---- */

static const char exercise_text[] =
	"name = \"pf\";\n"
	"belt = false;\n"
	"warmup = ( { rest = 30; say = \"Lie down\"; } );\n"
	"main = ( { repeat = 2; segments = (\n"
	"  { hold = 5; say = \"Squeeze and lift, hold\"; count = true; },\n"
	"  { rest = 10; say = \"And relax fully\"; } ); },\n"
	"  { hold = \"0:01\"; } );\n"
	"cooldown = ( { rest = 20; } );\n";

START_TEST(test_exercise_profile_loads)
{
	struct profile_error err;
	struct profile *p = profile_load_string(exercise_text, "pf.cfg", NULL,
						&err);
	struct plan plan;

	ck_assert_msg(p != NULL, "%s", err.text);
	ck_assert(p->no_belt);
	ck_assert_uint_eq(p->total_ms, (30 + 2 * 15 + 1 + 20) * 1000);
	ck_assert_uint_eq(p->jog_ms, 0);
	ck_assert_uint_eq(p->section_n[PROFILE_MAIN], 2);
	ck_assert_uint_eq(p->section[PROFILE_MAIN][0].items[0].kind,
			  PROFILE_ITEM_HOLD);
	ck_assert(p->section[PROFILE_MAIN][0].items[0].count);
	ck_assert_str_eq(p->section[PROFILE_MAIN][0].items[1].say,
			 "And relax fully");
	/* nothing here for a belt: a treadmill plan is refused */
	ck_assert_int_lt(plan_expand(p, &plan), 0);
	profile_free(p);
}
END_TEST

START_TEST(test_exercise_timeline_and_cues)
{
	struct profile_error err;
	struct profile *p = profile_load_string(exercise_text, "pf.cfg", NULL,
						&err);
	struct exercise_plan ex;
	struct exercise_cue cues[16];
	unsigned holds;
	size_t n;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(exercise_expand(p, &ex), 0);
	ck_assert_uint_eq(ex.n, 7);
	ck_assert_uint_eq(exercise_end_ms(&ex), p->total_ms);
	ck_assert_uint_eq(exercise_hold_ms(&ex, &holds), 11000);
	ck_assert_uint_eq(holds, 3);
	ck_assert_uint_eq(ex.step[1].start_ms, 30000);
	ck_assert_int_eq(ex.step[1].phase, PLAN_PHASE_MAIN);
	ck_assert_int_eq(ex.step[6].phase, PLAN_PHASE_COOLDOWN);
	/* "Squeeze and lift, hold" 2, 3, 4, 5, then the rest's words on
	 * the sixth second */
	n = exercise_step_cues(&ex, 1, cues, ARRAY_SIZE(cues));
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(cues[0].text, "Squeeze and lift, hold");
	ck_assert_uint_eq(cues[0].at_ms, 30000);
	ck_assert_int_eq(cues[0].kind, EXERCISE_CUE_SAY);
	ck_assert_str_eq(cues[1].text, "2");
	ck_assert_uint_eq(cues[1].at_ms, 31000);
	ck_assert_str_eq(cues[4].text, "5");
	ck_assert_uint_eq(cues[4].at_ms, 34000);
	ck_assert_int_eq(cues[4].kind, EXERCISE_CUE_COUNT);
	n = exercise_step_cues(&ex, 2, cues, ARRAY_SIZE(cues));
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(cues[0].at_ms, 35000);
	/* silent and uncounted: no cue; a short array is never overrun */
	ck_assert_uint_eq(exercise_step_cues(&ex, 5, cues, 16), 0);
	ck_assert_uint_eq(exercise_step_cues(&ex, 1, cues, 2), 2);
	/* the end */
	n = exercise_step_cues(&ex, ex.n, cues, ARRAY_SIZE(cues));
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(cues[0].kind, EXERCISE_CUE_FINISH);
	ck_assert_uint_eq(cues[0].at_ms, p->total_ms);
	ck_assert_uint_eq(exercise_step_cues(&ex, ex.n + 1, cues, 16), 0);
	exercise_plan_clear(&ex);
	profile_free(p);
}
END_TEST

START_TEST(test_exercise_refuses_belt_profiles)
{
	struct profile *p = profile_load_string(
		"name = \"x\";\nmain = ( { walk = 60; } );\n", "x", NULL, NULL);
	struct exercise_plan ex = { .n = 99 };

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(exercise_expand(p, &ex), -EINVAL);
	ck_assert_uint_eq(ex.n, 99);
	profile_free(p);
}
END_TEST

static struct profile *bundled(const char *name);

/* The bundled preparation phase (docs/domain.md 3.6): conservative
 * holds (at most 10 s, the NHS and POGP upper bound), rests at least as
 * long as the slow holds in the first part, spoken counting, and the
 * physiotherapist named. */
START_TEST(test_bundled_preparation_phase)
{
	static const char *const names[] = { "rtr-prep-1.cfg", "rtr-prep-2.cfg" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct profile *p = bundled(names[i]);
		struct exercise_plan ex;
		unsigned holds, counted = 0;

		ck_assert(p->no_belt);
		ck_assert(strstr(p->description, "physiotherapist should check"));
		ck_assert(strstr(p->description, "NHS"));
		ck_assert(strstr(p->description, "POGP"));
		ck_assert_int_eq(exercise_expand(p, &ex), 0);
		ck_assert_uint_le(exercise_end_ms(&ex), 15 * 60000);
		ck_assert_uint_gt(exercise_hold_ms(&ex, &holds), 0);
		for (size_t k = 0; k < ex.n; k++) {
			const struct exercise_step *s = &ex.step[k];

			if (s->kind == PROFILE_ITEM_HOLD && s->count) {
				counted++;
				ck_assert_uint_le(s->duration_ms, 10000);
				/* the next step is a rest at least as long */
				if (i == 0)
					ck_assert_uint_ge(ex.step[k + 1].duration_ms,
							  s->duration_ms);
			}
		}
		ck_assert_uint_ge(counted, 8);
		exercise_plan_clear(&ex);
		profile_free(p);
	}
}
END_TEST

/* ---- bundled profiles ---- */

static const char *srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d && *d ? d : ".";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

START_TEST(test_bundled_all_load)
{
	char dir[4096];
	struct dirent **names;
	int n, profiles = 0, programmes = 0;

	snprintf(dir, sizeof(dir), "%s/profiles", srcdir());
	n = scandir(dir, &names, NULL, alphasort);
	ck_assert_msg(n > 0, "cannot read %s", dir);
	for (int i = 0; i < n; i++) {
		char path[4600];
		struct profile_error err;
		const char *name = names[i]->d_name;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (ends_with(name, ".cfg")) {
			struct profile *p = profile_load(path, NULL, &err);

			ck_assert_msg(p != NULL, "%s", err.text);
			/* each says what it is for, and that paced is not
			 * a medical device */
			ck_assert_msg(strlen(p->description) > 40, "%s", name);
			ck_assert_msg(strstr(p->description, "not a medical device"),
				      "%s: description lacks the disclaimer", name);
			if (strncmp(name, "demo", 4))
				ck_assert_msg(strstr(p->description,
						     "pelvic-health physiotherapist"),
					      "%s: no physiotherapist pointer", name);
			profile_free(p);
			profiles++;
		} else if (ends_with(name, ".programme")) {
			struct programme *prog = programme_load(path, NULL,
								&err);

			ck_assert_msg(prog != NULL, "%s", err.text);
			ck_assert(strstr(prog->description, "not a medical device"));
			programme_free(prog);
			programmes++;
		} else if (name[0] != '.') {
			ck_abort_msg("unexpected file in profiles/: %s", name);
		}
		free(names[i]);
	}
	free(names);
	ck_assert_int_ge(profiles, 3);
	ck_assert_int_ge(programmes, 1);
}
END_TEST

static struct profile *bundled(const char *name)
{
	char path[4096];
	struct profile_error err;
	struct profile *p;

	snprintf(path, sizeof(path), "%s/profiles/%s", srcdir(), name);
	p = profile_load(path, NULL, &err);
	ck_assert_msg(p != NULL, "%s", err.text);
	return p;
}

/* The quick-start demo: 6-8 minutes, 2+ jogs, warm-up and cool-down, so
 * --speedup 30 finishes well under a minute. */
START_TEST(test_bundled_demo)
{
	struct profile *p = bundled("demo.cfg");
	struct plan plan;
	unsigned jogs = 0;

	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_uint_ge(plan_end_ms(&plan), 6 * 60000);
	ck_assert_uint_le(plan_end_ms(&plan), 8 * 60000);
	ck_assert_uint_lt(plan_end_ms(&plan) / 30, 60000);
	for (size_t i = 0; i < plan.n; i++)
		jogs += plan.seg[i].jog_like;
	ck_assert_uint_ge(jogs, 2);
	ck_assert_uint_eq(plan.seg[0].phase, PLAN_PHASE_WARMUP);
	ck_assert_uint_eq(plan.seg[plan.n - 1].phase, PLAN_PHASE_COOLDOWN);
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

START_TEST(test_bundled_walk_only)
{
	struct profile *p = bundled("walk-only.cfg");

	ck_assert_uint_eq(p->jog_ms, 0);
	ck_assert_uint_ge(p->total_ms, 20 * 60000);
	profile_free(p);
}
END_TEST

/* P2 is C25K week 1: 5:00 walk, 8 x (1:00 jog, 1:30 walk), 5:00 walk. */
START_TEST(test_bundled_p2)
{
	struct profile *p = bundled("rtr-p2.cfg");
	struct plan plan;

	ck_assert_str_eq(p->name, "P2 - 8 x (1 min jog / 90 s walk)");
	ck_assert_int_eq(plan_expand(p, &plan), 0);
	ck_assert_uint_eq(plan.n, 18);
	ck_assert_uint_eq(plan.seg[0].duration_ms, 300000);
	for (int i = 0; i < 8; i++) {
		ck_assert(plan.seg[1 + 2 * i].jog_like);
		ck_assert_uint_eq(plan.seg[1 + 2 * i].duration_ms, 60000);
		ck_assert(!plan.seg[2 + 2 * i].jog_like);
		ck_assert_uint_eq(plan.seg[2 + 2 * i].duration_ms, 90000);
	}
	ck_assert_uint_eq(plan_end_ms(&plan), 30 * 60000);
	plan_clear(&plan);
	profile_free(p);
}
END_TEST

/* The bundled profiles use the user's paces, never fixed speeds: with a
 * slow walker's paces they still load and stay under a low cap. */
START_TEST(test_bundled_follow_user_paces)
{
	char dir[4096];
	struct dirent **names;
	struct profile_limits lim;
	int n;

	profile_limits_default(&lim);
	lim.walk_speed = 350;
	lim.jog_speed = 550;
	lim.speed_cap = 600;
	snprintf(dir, sizeof(dir), "%s/profiles", srcdir());
	n = scandir(dir, &names, NULL, alphasort);
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < n; i++) {
		char path[4600];
		struct profile_error err;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (ends_with(path, ".cfg")) {
			struct profile *p = profile_load(path, &lim, &err);

			ck_assert_msg(p != NULL, "%s", err.text);
			profile_free(p);
		}
		free(names[i]);
	}
	free(names);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("load");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_example);
	tcase_add_test(tc, test_defaults_from_limits);
	tcase_add_test(tc, test_partial_policy);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_format_duration);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_big_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_error, 0, ARRAY_SIZE(bad));
	tcase_add_test(tc, test_cap_from_limits);
	tcase_add_test(tc, safety_walk_pace_has_a_ceiling);
	suite_add_tcase(s, tc);

	tc = tcase_create("exercise");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_exercise_profile_loads);
	tcase_add_test(tc, test_exercise_timeline_and_cues);
	tcase_add_test(tc, test_exercise_refuses_belt_profiles);
	suite_add_tcase(s, tc);

	tc = tcase_create("bundled");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_bundled_all_load);
	tcase_add_test(tc, test_bundled_demo);
	tcase_add_test(tc, test_bundled_walk_only);
	tcase_add_test(tc, test_bundled_p2);
	tcase_add_test(tc, test_bundled_follow_user_paces);
	tcase_add_test(tc, test_bundled_preparation_phase);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
