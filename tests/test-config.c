/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced.conf parsing: defaults, every key, and every error with its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "auto-export.h"
#include "conf.h"

START_TEST(test_defaults)
{
	struct paced_config_error err;
	struct paced_config *c = paced_config_load_string("", "t.conf", &err);

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->treadmill, "sim");
	ck_assert_str_eq(c->control_socket, RUNDIR "/control");
	ck_assert_str_eq(c->state_dir, STATEDIR);
	ck_assert_str_eq(c->plugin_dir, PLUGINDIR);
	ck_assert_uint_eq(c->n_plugins, 0);
	ck_assert_uint_eq(c->speedup, 1);
	ck_assert_uint_eq(c->export_formats, 0);
	ck_assert_uint_eq(c->limits.walk_max, 650);
	ck_assert_int_eq(c->units, UNITS_METRIC);
	ck_assert_uint_eq(c->cues.lead_ms, 10000);
	ck_assert(!c->cues.ticks);
	ck_assert_uint_eq(c->cues.form_every, 2);
	ck_assert_str_eq(c->cues.templates[CUE_TPL_CHANGE],
			 "{gait} now: {speed}, {duration}");
	paced_config_free(c);
}
END_TEST

/* Units and the cues group: every key, a household's own words. */
START_TEST(test_cues)
{
	static const char text[] =
		"units = \"imperial\";\n"
		"cues = {\n"
		"  lead = 15;\n"
		"  ticks = true;\n"
		"  form = 3;\n"
		"  tips = [ \"Relax your shoulders.\", \"Soft knees.\" ];\n"
		"  templates = {\n"
		"    change = \"{gait}: {speed} for {duration}\";\n"
		"    symptom = \"on marche. {change}\";\n"
		"    tick = \"{count}!\";\n"
		"  };\n"
		"};\n";
	struct paced_config_error err;
	struct paced_config *c = paced_config_load_string(text, "t.conf", &err);
	struct cue cue = { .kind = CUE_CHANGE, .speed = 750, .jog = true,
			   .duration_ms = 60000 };
	char buf[CUE_TEXT_MAX];

	ck_assert_msg(c != NULL, "%s", err.text);
	ck_assert_int_eq(c->units, UNITS_IMPERIAL);
	ck_assert_uint_eq(c->cues.lead_ms, 15000);
	ck_assert(c->cues.ticks);
	ck_assert_uint_eq(c->cues.form_every, 3);
	ck_assert_uint_eq(c->cues.n_tips, 2);
	ck_assert_str_eq(c->cues.tips[1], "Soft knees.");
	/* Templates not given keep their defaults. */
	ck_assert_str_eq(c->cues.templates[CUE_TPL_COUNTDOWN],
			 "{gait} in {in}: {speed}");
	cue_render(&c->cues, c->units, &cue, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "jog: 4.7 mph for 1 minute");
	paced_config_free(c);
	c = paced_config_load_string("cues = { form = false; };", "t.conf", &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->cues.form_every, 0);
	paced_config_free(c);
	c = paced_config_load_string("cues = { form = true; };", "t.conf", &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->cues.form_every, 2);
	paced_config_free(c);
}
END_TEST

START_TEST(test_full)
{
	static const char text[] =
		"treadmill = { address = \"unix:/tmp/tm\"; adapter = \"hci1\"; };\n"
		"user = { walk = 4.5; jog = 7; speed_cap = 8.5; walk_max = 6; };\n"
		"profile = \"demo\";\n"
		"programme = \"/p/rtr.programme\";\n"
		"profile_dir = \"/p\";\n"
		"state_dir = \"/var/lib/x\";\n"
		"control = { socket = \"/run/x/ctl\"; group = \"paced\"; };\n"
		"plugin_dir = \"/usr/lib/x\";\n"
		"speedup = 60;\n"
		"plugins = { sim = { speedup = 60; }; evdev = { }; };\n"
		"export = { formats = [ \"csv\", \"fit\" ]; };\n";
	struct paced_config_error err;
	struct paced_config *c = paced_config_load_string(text, "t.conf", &err);

	ck_assert_msg(c != NULL, "%s", err.text);
	ck_assert_str_eq(c->treadmill, "unix:/tmp/tm");
	ck_assert_str_eq(c->adapter, "hci1");
	ck_assert_uint_eq(c->limits.walk_speed, 450);
	ck_assert_uint_eq(c->limits.jog_speed, 700);
	ck_assert_uint_eq(c->limits.speed_cap, 850);
	ck_assert_uint_eq(c->limits.walk_max, 600);
	ck_assert_str_eq(c->profile, "demo");
	ck_assert_str_eq(c->programme, "/p/rtr.programme");
	ck_assert_str_eq(c->profile_dir, "/p");
	ck_assert_str_eq(c->state_dir, "/var/lib/x");
	ck_assert_str_eq(c->control_socket, "/run/x/ctl");
	ck_assert_str_eq(c->control_group, "paced");
	ck_assert_str_eq(c->plugin_dir, "/usr/lib/x");
	ck_assert_uint_eq(c->speedup, 60);
	ck_assert_uint_eq(c->n_plugins, 2);
	ck_assert_str_eq(c->plugins[0].name, "sim");
	ck_assert_uint_eq(c->plugins[0].line, 10);
	ck_assert_str_eq(c->plugins[1].name, "evdev");
	ck_assert_ptr_nonnull(c->plugins[1].group);
	ck_assert_uint_eq(c->export_formats, AUTO_EXPORT_BIT(EXPORT_FIT) |
			  AUTO_EXPORT_BIT(EXPORT_CSV));
	paced_config_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{ "x = 1;\n", "t.conf:1: unknown key 'x' in the top level" },
	{ "\n\ntreadmill = 3;\n", "t.conf:3: 'treadmill' must be a group { ... }, not an integer" },
	/* Which addresses a driver takes is for the driver plugins to say
	 * (paced --check-config: tests/test-service.sh); the daemon's own
	 * name:NAME form is checked here. */
	{ "treadmill = { address = \"name:\"; };\n", "t.conf:1: address 'name:' is not a treadmill address (name:NAME needs a NAME)" },
	{ "treadmill = {\n address = \"\"; };\n", "t.conf:2: address '' is not a treadmill address (name:NAME needs a NAME)" },
	{ "scaleback = 1;\n", "t.conf:1: 'scaleback' must be a group { ... }, not an integer" },
	{ "scaleback = {\n recovery = \"0:05\"; };\n", "t.conf:2: recovery must be between 0:10 and 30:00" },
	{ "scaleback = { colour = 1; };\n", "t.conf:1: unknown key 'colour' in scaleback (expected recovery, debounce, steps, kinds, long_press, end_cooldown)" },
	{ "scaleback = {\n steps = ( { jog_speed = 1.5; } ); };\n", "t.conf:2: jog_speed 1.5 is out of range: use a factor above 0 and at most 1 (a press never makes jogs harder)" },
	{ "scaleback = { kinds = {\n pain = 9; }; };\n", "t.conf:2: kind 'pain' step 9 is out of range (1 to 3)" },
	{ "treadmill = { adress = \"sim\"; };\n", "t.conf:1: unknown key 'adress' in treadmill" },
	{ "treadmill = { address = 5; };\n", "t.conf:1: address must be a string, not an integer" },
	{ "user = {\n speed_cap = 30.0; };\n", "t.conf:2: speed_cap must be between 1 and 25 km/h" },
	{ "user = { walk = \"5\"; };\n", "t.conf:1: walk must be a speed in km/h, not a string" },
	{ "user = { jog = 9.0;\n speed_cap = 8.0; };\n", "t.conf:1: jog 9.0 km/h is above speed_cap 8.0 km/h" },
	{ "user = {\n walk = 7.0; jog = 6.5; };\n", "t.conf:2: walk 7.0 km/h must be slower than jog 6.5 km/h" },
	{ "user = { spead_cap = 8.0; };\n", "t.conf:1: unknown key 'spead_cap' in user" },
	{ "user = {\n walk = 6.6; };\n", "t.conf:2: walk 6.6 km/h is above walk_max 6.5 km/h (the walking ceiling)" },
	{ "user = { walk = 5.5;\n walk_max = 5.0; };\n", "t.conf:1: walk 5.5 km/h is above walk_max 5.0 km/h (the walking ceiling)" },
	{ "user = {\n walk_max = 9.0; };\n", "t.conf:2: walk_max must be between 2 and 8 km/h" },
	{ "state_dir = \"relative\";\n", "t.conf:1: state_dir must be an absolute path" },
	{ "profile_dir = \"/a\x01\" \"b\";\n", "t.conf:1: profile_dir contains a control character" },
	{ "control = { socket = \"/run/paced/a-very-long-socket-path-that-does-not-fit-into-sun-path-of-a-unix-socket-address-at-all-not-even-close\"; };\n",
	  "t.conf:1: socket is too long (at most 107 bytes)" },
	{ "control = { mode = 666; };\n", "t.conf:1: unknown key 'mode' in control" },
	{ "plugins = {\n sim = 1; };\n", "t.conf:2: plugin 'sim' must be a group { ... } (its settings), not an integer" },
	{ "speedup = 0;\n", "t.conf:1: speedup must be 1 to 1000" },
	{ "speedup = 2.5;\n", "t.conf:1: speedup must be an integer, not a number" },
	{ "user = { walk = 4.0 \n", "t.conf:2: syntax error" },
	{ "\nunits = \"si\";\n", "t.conf:2: units must be \"metric\" or \"imperial\", not \"si\"" },
	{ "units = 1;\n", "t.conf:1: units must be a string, not an integer" },
	{ "cues = 1;\n", "t.conf:1: 'cues' must be a group { ... }, not an integer" },
	{ "cues = {\n lead = 3; };\n", "t.conf:2: lead must be whole seconds, 5 to 60" },
	{ "cues = { lead = 10.5; };\n", "t.conf:1: lead must be whole seconds, 5 to 60" },
	{ "cues = {\n ticks = 1; };\n", "t.conf:2: ticks must be true or false, not an integer" },
	{ "cues = { form = 0; };\n", "t.conf:1: form must be true, false or a number of jogs from 1 to 20 (a tip every Nth jog)" },
	{ "cues = { tips = [ ]; };\n", "t.conf:1: tips must hold 1 to 16 tips" },
	{ "cues = { tips = \"Land softly.\"; };\n", "t.conf:1: tips must be a list of strings: [ \"Land softly.\", ... ]" },
	{ "cues = { tips = ( \"a\",\n 2 ); };\n", "t.conf:2: tip 2 must be a string of 1 to 95 bytes" },
	{ "cues = { leed = 10; };\n", "t.conf:1: unknown key 'leed' in cues" },
	{ "cues = { templates = {\n chnage = \"x\"; }; };\n", "t.conf:2: unknown cue 'chnage' in cues.templates (expected countdown, tick, change, halfway, last, cooldown, finish, finish_advisory, symptom, symptom_advisory, form, alarm, complied)" },
	{ "cues = { templates = {\n\n change = \"{gait} now: {sped}\"; }; };\n", "t.conf:3: cues.templates.change: unknown placeholder {sped} (a change cue knows {speed} {gait} {duration} {left} {next} {jog} {jogs})" },
	{ "cues = { templates = {\n countdown = \"{gait} in {in}, {tip}\"; }; };\n", "t.conf:2: cues.templates.countdown: {tip} means nothing in a countdown cue (it knows {speed} {gait} {in} {duration})" },
	{ "cues = { templates = {\n halfway = 1; }; };\n", "t.conf:2: halfway must be a string, not an integer" },
	{ "cues = { templates = 1; };\n", "t.conf:1: 'templates' must be a group { change = \"...\"; }, not an integer" },
	{ "profile = \"a\";\nprofile = \"b\";\n", "t.conf:2: duplicate setting name" },
	{ "export = [ \"fit\" ];\n", "t.conf:1: 'export' must be a group { ... }, not an array" },
	{ "\nexport = { };\n", "t.conf:2: export needs formats = [ \"fit\", \"tcx\", \"csv\" ] (one or more)" },
	{ "export = { formats = [ ];\n };\n", "t.conf:1: formats must be a list of one or more of \"fit\", \"tcx\" and \"csv\"" },
	{ "export = { formats = \"fit\"; };\n", "t.conf:1: formats must be a list of one or more of \"fit\", \"tcx\" and \"csv\"" },
	{ "export = { formats = (\n \"fit\",\n \"gpx\" ); };\n", "t.conf:3: unknown export format \"gpx\" (expected fit, tcx or csv)" },
	{ "export = { formats = ( \"fit\",\n 3 ); };\n", "t.conf:2: unknown export format \"an integer\" (expected fit, tcx or csv)" },
	{ "export = { formats = [ \"fit\", \"tcx\",\n \"fit\" ]; };\n", "t.conf:2: export format \"fit\" is listed twice" },
	{ "export = { formats = [ \"fit\" ];\n dir = \"/x\"; };\n", "t.conf:2: unknown key 'dir' in export" },
};

START_TEST(test_errors)
{
	struct paced_config_error err;
	struct paced_config *c = paced_config_load_string(bad[_i].text, "t.conf", &err);

	ck_assert_ptr_null(c);
	ck_assert_str_eq(err.text, bad[_i].error);
}
END_TEST

START_TEST(test_addresses)
{
	static const char *const ok[] = {
		"sim", "unix:/run/tm", "AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE:FF/random",
		"usb-ant", "usb-ant:sim", "name:Horizon T101",
	};
	struct paced_config_error err;
	char text[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct paced_config *c;

		snprintf(text, sizeof(text), "treadmill = { address = \"%s\"; };\n",
			 ok[i]);
		c = paced_config_load_string(text, "t.conf", &err);
		ck_assert_msg(c != NULL, "%s: %s", ok[i], err.text);
		ck_assert_str_eq(c->treadmill, ok[i]);
		paced_config_free(c);
	}
}
END_TEST

/*
 * The default scale-back policy: paced.conf's scaleback group refines the
 * built-in one; a profile without a scaleback group of its own runs with
 * it, a profile with one keeps the keys it sets.
 */
START_TEST(test_default_policy)
{
	static const char text[] =
		"scaleback = {\n"
		"  recovery = \"3:00\";\n"
		"  kinds = { leak = 2; };\n"
		"  long_press = \"press\";\n"
		"};\n";
	static const char plain[] =
		"name = \"p\"; main = ( { jog = \"1:00\"; } );\n";
	static const char own[] =
		"name = \"p\"; main = ( { jog = \"1:00\"; } );\n"
		"scaleback = { recovery = \"1:00\"; };\n";
	struct scaleback_policy builtin;
	struct paced_config_error err;
	struct profile_error perr;
	struct paced_config *c = paced_config_load_string(text, "t.conf", &err);
	struct profile *p;

	ck_assert_msg(c != NULL, "%s", err.text);
	scaleback_policy_default(&builtin);
	ck_assert_uint_eq(c->limits.policy.recovery_ms, 180000);
	ck_assert_uint_eq(c->limits.policy.kind_min_step[SYMPTOM_LEAK], 2);
	ck_assert_int_eq(c->limits.policy.long_press, SCALEBACK_LONG_PRESS_PRESS);
	/* Keys not given keep the built-in values. */
	ck_assert_uint_eq(c->limits.policy.n_steps, builtin.n_steps);
	ck_assert_uint_eq(c->limits.policy.debounce_ms, builtin.debounce_ms);
	ck_assert_uint_eq(c->limits.policy.kind_min_step[SYMPTOM_PAIN],
			  builtin.kind_min_step[SYMPTOM_PAIN]);

	p = profile_load_string(plain, "plain.cfg", &c->limits, &perr);
	ck_assert_msg(p != NULL, "%s", perr.text);
	ck_assert(!p->own_policy);
	ck_assert_uint_eq(p->policy.recovery_ms, 180000);
	ck_assert_uint_eq(p->policy.kind_min_step[SYMPTOM_LEAK], 2);
	profile_free(p);

	p = profile_load_string(own, "own.cfg", &c->limits, &perr);
	ck_assert_msg(p != NULL, "%s", perr.text);
	ck_assert(p->own_policy);
	ck_assert_uint_eq(p->policy.recovery_ms, 60000);
	profile_free(p);
	paced_config_free(c);

	/* Without a scaleback group: the built-in policy. */
	c = paced_config_load_string("", "t.conf", &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->limits.policy.recovery_ms, builtin.recovery_ms);
	ck_assert_uint_eq(c->limits.policy.kind_min_step[SYMPTOM_LEAK],
			  builtin.kind_min_step[SYMPTOM_LEAK]);
	paced_config_free(c);
}
END_TEST

START_TEST(test_file)
{
	char path[] = "/tmp/test-config-XXXXXX";
	struct paced_config_error err;
	struct paced_config *c;
	FILE *f;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("# comment\nuser = { walk = 5.0; jog = 8.0;\n speed_cap = 9.0; };\nbogus = 1;\n", f);
	fclose(f);
	c = paced_config_load(path, &err);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(err.line, 4);
	ck_assert(strstr(err.text, ":4: unknown key 'bogus'"));
	ck_assert(!strncmp(err.text, path, strlen(path)));
	unlink(path);
	c = paced_config_load(path, &err);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err.text + strlen(path), ": cannot read the file");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("paced.conf");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_cues);
	tcase_add_loop_test(tc, test_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_default_policy);
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
