# SPDX-License-Identifier: GPL-2.0-or-later
# tests/: one check suite per module (tests/test-MODULE.c), end-to-end
# shell tests, the robustness suites CI runs (faults, crash, valgrind), and
# tiny plugins for the loader's tests. Tests may see every layer.

test_cppflags = $(daemon_cppflags) -I$(top_srcdir)/sim \
	-I$(top_srcdir)/tests/common
test_ldadd = daemon/libpaced-daemon.la domain/libpaced-domain.la \
	sim/libpaced-sim.la lib/libpaced.la $(CHECK_LIBS) $(LIBCONFIG_LIBS)
# Tests that load in-tree driver plugins export lib/ as paced does.
test_export_ldflags = $(AM_LDFLAGS) -Wl,--export-dynamic \
	-Wl,--whole-archive,lib/.libs/libpaced.a,--no-whole-archive

# ---- lib ----
lib_tests = tests/test-mainloop tests/test-util tests/test-json-read \
	tests/test-file \
	tests/test-fit \
	tests/test-ftms \
	tests/test-att tests/test-ftms-client tests/test-sim \
	tests/test-paced-sim tests/test-ant
tests_test_mainloop_SOURCES = tests/test-mainloop.c
tests_test_mainloop_CPPFLAGS = $(test_cppflags)
tests_test_util_SOURCES = tests/test-util.c
tests_test_util_CPPFLAGS = $(test_cppflags)
tests_test_json_read_SOURCES = tests/test-json-read.c
tests_test_json_read_CPPFLAGS = $(test_cppflags)
tests_test_file_SOURCES = tests/test-file.c
tests_test_file_CPPFLAGS = $(test_cppflags)
tests_test_fit_SOURCES = tests/test-fit.c
tests_test_fit_CPPFLAGS = $(test_cppflags)
tests_test_ftms_SOURCES = tests/test-ftms.c
tests_test_ftms_CPPFLAGS = $(test_cppflags)
tests_test_att_SOURCES = tests/test-att.c
tests_test_att_CPPFLAGS = $(test_cppflags)
tests_test_ftms_client_SOURCES = tests/test-ftms-client.c
tests_test_ftms_client_CPPFLAGS = $(test_cppflags)
tests_test_sim_SOURCES = tests/test-sim.c
tests_test_sim_CPPFLAGS = $(test_cppflags)
tests_test_ant_SOURCES = tests/test-ant.c
tests_test_ant_CPPFLAGS = $(test_cppflags)
# Spawns tools/paced-sim and times a client on unix:PATH against it.
tests_test_paced_sim_SOURCES = tests/test-paced-sim.c
tests_test_paced_sim_CPPFLAGS = $(test_cppflags)
EXTRA_tests_test_paced_sim_DEPENDENCIES = tools/paced-sim
TESTS += tests/test-pacectl-ftms.sh
EXTRA_DIST += tests/test-pacectl-ftms.sh

# ---- domain ----
domain_tests = tests/test-profile tests/test-plan tests/test-scaleback \
	tests/test-programme tests/test-session tests/test-history \
	tests/test-advisory tests/test-ctl-proto tests/test-session-log \
	tests/test-export tests/test-units tests/test-cue tests/test-cues \
	tests/test-checkin tests/test-settings tests/test-report
tests_test_profile_SOURCES = tests/test-profile.c
tests_test_profile_CPPFLAGS = $(test_cppflags)
tests_test_plan_SOURCES = tests/test-plan.c \
	tests/common/gen-profile.c tests/common/gen-profile.h
tests_test_plan_CPPFLAGS = $(test_cppflags)
tests_test_scaleback_SOURCES = tests/test-scaleback.c \
	tests/common/gen-profile.c tests/common/gen-profile.h
tests_test_scaleback_CPPFLAGS = $(test_cppflags)
tests_test_programme_SOURCES = tests/test-programme.c
tests_test_programme_CPPFLAGS = $(test_cppflags)
tests_test_session_SOURCES = tests/test-session.c \
	tests/common/cue-check.c tests/common/cue-check.h
tests_test_session_CPPFLAGS = $(test_cppflags)
tests_test_history_SOURCES = tests/test-history.c
tests_test_history_CPPFLAGS = $(test_cppflags)
tests_test_advisory_SOURCES = tests/test-advisory.c
tests_test_advisory_CPPFLAGS = $(test_cppflags)
tests_test_ctl_proto_SOURCES = tests/test-ctl-proto.c
tests_test_ctl_proto_CPPFLAGS = $(test_cppflags)
tests_test_units_SOURCES = tests/test-units.c
tests_test_units_CPPFLAGS = $(test_cppflags)
tests_test_cue_SOURCES = tests/test-cue.c
tests_test_cue_CPPFLAGS = $(test_cppflags)
# The cue engine's safety rule over bundled and random profiles.
tests_test_cues_SOURCES = tests/test-cues.c \
	tests/common/cue-check.c tests/common/cue-check.h \
	tests/common/gen-profile.c tests/common/gen-profile.h
tests_test_cues_CPPFLAGS = $(test_cppflags)
tests_test_checkin_SOURCES = tests/test-checkin.c
tests_test_checkin_CPPFLAGS = $(test_cppflags)
tests_test_settings_SOURCES = tests/test-settings.c
tests_test_settings_CPPFLAGS = $(test_cppflags)
tests_test_report_SOURCES = tests/test-report.c
tests_test_report_CPPFLAGS = $(test_cppflags)
# A full disk needs root (a small tmpfs); the rest runs as anyone.
tests_test_session_log_SOURCES = tests/test-session-log.c
tests_test_session_log_CPPFLAGS = $(test_cppflags)
tests_test_export_SOURCES = tests/test-export.c
tests_test_export_CPPFLAGS = $(test_cppflags)

# ---- exports end to end ----
# A real sped-up session exported by pacectl: the TCX against the schema's
# structure and parsed back, the CSV (xmllint; 77 without it), and the
# FIT through Garmin's own FIT SDK (node; 77 without node or the SDK,
# which 'make export-deps' installs from npm at the version
# tests/export/package-lock.json pins).
TESTS += tests/export/test-export-e2e.sh tests/export/test-export-garmin.sh
# paced.conf's export: each finished session's files in STATE/exports/.
TESTS += tests/test-auto-export.sh
EXTRA_DIST += tests/test-auto-export.sh
# The upload plugin against a local stand-in for intervals.icu.
TESTS += tests/upload/test-upload.sh
EXTRA_DIST += tests/upload/test-upload.sh tests/upload/server.py
EXTRA_DIST += tests/export/test-export-e2e.sh \
	tests/export/test-export-garmin.sh tests/export/session.sh \
	tests/export/decode-fit.mjs tests/export/tcx-subset.xsd \
	tests/export/package.json tests/export/package-lock.json
export-deps:
	@command -v npm >/dev/null 2>&1 || { \
		echo "export-deps: npm is not installed (Debian: apt install nodejs npm)" >&2; \
		exit 1; }
	$(MKDIR_P) tests/export
	@if ! test tests/export/package.json -ef $(srcdir)/tests/export/package.json; then \
		cp $(srcdir)/tests/export/package.json \
		   $(srcdir)/tests/export/package-lock.json tests/export/; fi
	cd tests/export && npm ci --no-audit --no-fund
.PHONY: export-deps

# ---- daemon ----
daemon_tests = tests/test-runner tests/test-controller tests/test-config \
	tests/test-plugin tests/test-evdev tests/test-control \
	tests/test-cue-command tests/test-setup tests/test-plugin-trust \
	tests/test-exercise-session
tests_test_setup_SOURCES = tests/test-setup.c
tests_test_setup_CPPFLAGS = $(test_cppflags)
tests_test_runner_SOURCES = tests/test-runner.c
# Runs sessions on the sim plugin, which calls lib/ in the test binary.
tests_test_controller_SOURCES = tests/test-controller.c
tests_test_controller_CPPFLAGS = $(test_cppflags)
tests_test_controller_LDFLAGS = $(test_export_ldflags)
EXTRA_tests_test_controller_DEPENDENCIES = plugins/sim.la lib/libpaced.la
# Exercise sessions: the pure state machine, and the controller running
# them with a treadmill configured that it must never load.
tests_test_exercise_session_SOURCES = tests/test-exercise-session.c
tests_test_exercise_session_CPPFLAGS = $(test_cppflags)
tests_test_runner_CPPFLAGS = $(test_cppflags)
tests_test_config_SOURCES = tests/test-config.c
tests_test_config_CPPFLAGS = $(test_cppflags)
tests_test_control_SOURCES = tests/test-control.c tests/common/identity.h
tests_test_control_CPPFLAGS = $(test_cppflags)
tests_test_plugin_trust_SOURCES = tests/test-plugin-trust.c \
	tests/common/identity.h
tests_test_plugin_trust_CPPFLAGS = $(test_cppflags)
# These load real plugins, which resolve paced_* from the test binary.
tests_test_plugin_SOURCES = tests/test-plugin.c
tests_test_plugin_CPPFLAGS = $(test_cppflags)
tests_test_plugin_LDFLAGS = $(test_export_ldflags)
EXTRA_tests_test_plugin_DEPENDENCIES = tests/plugins/good.la \
	tests/plugins/bad-abi.la tests/plugins/short.la \
	tests/plugins/model-treadmill.la $(plugin_LTLIBRARIES) lib/libpaced.la
tests_test_evdev_SOURCES = tests/test-evdev.c plugins/evdev/evdev-core.c \
	plugins/evdev/evdev-core.h
tests_test_evdev_CPPFLAGS = $(test_cppflags) -I$(top_srcdir)/plugins/evdev
tests_test_evdev_LDFLAGS = $(AM_LDFLAGS) -Wl,--export-dynamic
EXTRA_tests_test_evdev_DEPENDENCIES = plugins/evdev.la \
	tests/plugins/evdev-test.la
tests_test_cue_command_SOURCES = tests/test-cue-command.c
tests_test_cue_command_CPPFLAGS = $(test_cppflags)
tests_test_cue_command_LDFLAGS = $(AM_LDFLAGS) -Wl,--export-dynamic
EXTRA_tests_test_cue_command_DEPENDENCIES = plugins/cue-command.la
TESTS += tests/test-run-e2e.sh tests/test-service.sh tests/test-unit.sh \
	tests/test-setup.sh tests/test-control-socket.sh tests/test-full-disk.sh \
	tests/test-cues-service.sh tests/test-fortnight.sh tests/test-report-pdf.sh \
	tests/test-exercise.sh tests/test-profiles-listing.sh
EXTRA_DIST += tests/lib.sh tests/test-run-e2e.sh tests/test-service.sh \
	tests/test-unit.sh tests/test-setup.sh tests/test-control-socket.sh \
	tests/test-full-disk.sh tests/test-cues-service.sh tests/test-fortnight.sh \
	tests/test-report-pdf.sh tests/test-exercise.sh \
	tests/test-profiles-listing.sh
# The mqtt plugin against a real mosquitto broker (skips without one).
TESTS += tests/test-mqtt.sh
EXTRA_DIST += tests/test-mqtt.sh

# Tiny plugins for the loader's and the service's tests: good, wrong ABI,
# short descriptor, a scanner reporting fixed fake advertisers (no radio
# here) and a sink writing its events to a file.
test_plugin_ldflags = $(AM_LDFLAGS) -module -avoid-version -shared \
	-rpath /nowhere -export-symbols-regex '^paced_plugin_desc$$'
check_LTLIBRARIES += tests/plugins/good.la tests/plugins/bad-abi.la \
	tests/plugins/short.la tests/plugins/test-scanner.la \
	tests/plugins/test-sink.la tests/plugins/test-requester.la
tests_plugins_good_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_GOOD
tests_plugins_good_la_LDFLAGS = $(test_plugin_ldflags)
tests_plugins_bad_abi_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_bad_abi_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_BAD_ABI
tests_plugins_bad_abi_la_LDFLAGS = $(test_plugin_ldflags)
tests_plugins_short_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_short_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_SHORT
tests_plugins_short_la_LDFLAGS = $(test_plugin_ldflags)
tests_plugins_test_scanner_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_test_scanner_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_SCANNER
tests_plugins_test_scanner_la_LDFLAGS = $(test_plugin_ldflags)
tests_plugins_test_sink_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_test_sink_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_SINK
tests_plugins_test_sink_la_LDFLAGS = $(test_plugin_ldflags)
tests_plugins_test_requester_la_SOURCES = tests/plugins/test-plugins.c
tests_plugins_test_requester_la_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_PLUGIN_REQUESTER
tests_plugins_test_requester_la_LDFLAGS = $(test_plugin_ldflags)

# A test aid preloaded into paced and pacectl by test-fortnight.sh: the
# wall clock starts at $PACED_TEST_DATE (tests/fake-date.c says why not
# libfaketime). Built without sanitizers: it is preloaded before them.
check_LTLIBRARIES += tests/fake-date.la
tests_fake_date_la_SOURCES = tests/fake-date.c
tests_fake_date_la_CFLAGS = $(WARN_CFLAGS)
tests_fake_date_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
tests_fake_date_la_LIBADD = -ldl
# A driver written against the installed ABI alone: nothing on its
# include path but include/ (no config.h, no lib/), nothing linked in.
check_LTLIBRARIES += tests/plugins/model-treadmill.la
tests_plugins_model_treadmill_la_SOURCES = tests/plugins/model-treadmill.c
tests_plugins_model_treadmill_la_CPPFLAGS = -I$(top_srcdir)/include
tests_plugins_model_treadmill_la_LDFLAGS = $(test_plugin_ldflags)
# evdev's own sources with one test hook exported (EVDEV_TEST_HOOKS):
# tests/test-evdev swaps EVIOCGNAME/EVIOCGRAB, which a FIFO cannot answer.
check_LTLIBRARIES += tests/plugins/evdev-test.la
tests_plugins_evdev_test_la_SOURCES = plugins/evdev/evdev.c \
	plugins/evdev/evdev-core.c plugins/evdev/evdev-core.h
tests_plugins_evdev_test_la_CPPFLAGS = $(AM_CPPFLAGS) -DEVDEV_TEST_HOOKS
tests_plugins_evdev_test_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath /nowhere \
	-export-symbols-regex '^(paced_plugin_desc|evdev_test_ops)$$'

# ---- plugins ----
plugin_tests =
if WITH_BLUETOOTH
# The L2CAP transport, without a radio.
plugin_tests += tests/test-l2cap
tests_test_l2cap_SOURCES = tests/test-l2cap.c
tests_test_l2cap_CPPFLAGS = $(test_cppflags) \
	-I$(top_srcdir)/plugins/ftms-ble $(BLUEZ_CFLAGS)
tests_test_l2cap_LDADD = plugins/ftms-ble/libftms-ble.la $(test_ldadd) \
	$(BLUEZ_LIBS)
plugin_tests += tests/test-ble-adv
tests_test_ble_adv_SOURCES = tests/test-ble-adv.c
tests_test_ble_adv_CPPFLAGS = $(ble_cppflags)
tests_test_ble_adv_LDADD = plugins/ftms-ble/libftms-ble.la $(test_ldadd) \
	$(BLUEZ_LIBS)
endif
if WITH_USB
# The driver's real code against a link-time fake of libusb (no stick).
plugin_tests += tests/test-usb-ant tests/test-usb-ant-hw \
	tests/test-usb-ant-runner
tests_test_usb_ant_SOURCES = tests/test-usb-ant.c tests/fakes/fake-libusb.c \
	tests/fakes/fake-libusb.h $(usb_ant_sources)
tests_test_usb_ant_CPPFLAGS = $(test_cppflags)
tests_test_usb_ant_CFLAGS = $(usb_ant_cflags) -I$(top_srcdir)/tests/fakes
# A real stick: skips (77) unless PACED_TEST_ANT_KEY is set and one is
# plugged in.
tests_test_usb_ant_hw_SOURCES = tests/test-usb-ant-hw.c
tests_test_usb_ant_hw_CPPFLAGS = $(test_cppflags)
tests_test_usb_ant_hw_CFLAGS = $(usb_ant_cflags)
tests_test_usb_ant_hw_LDADD = plugins/usb-ant/libusb-ant.la $(test_ldadd)
# An advisory session end to end: runner + session + usb-ant:sim.
tests_test_usb_ant_runner_SOURCES = tests/test-usb-ant-runner.c
tests_test_usb_ant_runner_CPPFLAGS = $(test_cppflags)
tests_test_usb_ant_runner_CFLAGS = $(usb_ant_cflags)
tests_test_usb_ant_runner_LDADD = plugins/usb-ant/libusb-ant.la $(test_ldadd)
# paced run --treadmill usb-ant:sim end to end (about 30 s).
TESTS += tests/test-run-usb-ant.sh
endif
EXTRA_DIST += tests/test-run-usb-ant.sh

# ---- every check suite ----
if HAVE_CHECK
check_suites = $(lib_tests) $(domain_tests) $(daemon_tests) $(plugin_tests)
check_PROGRAMS += $(check_suites)
TESTS += $(check_suites)
LDADD = $(test_ldadd)
AM_CFLAGS += $(CHECK_CFLAGS) $(LIBCONFIG_CFLAGS)
else
# Without libcheck the suite cannot run: say so and fail, never pass empty.
TESTS += tests/no-check.sh
endif
EXTRA_DIST += tests/no-check.sh

# ---- robustness: fault injection, crash safety, valgrind ----
# A strict JSON Lines checker (no deps) for the fault and crash suites.
check_PROGRAMS += tests/crash/jsonl-check
tests_crash_jsonl_check_SOURCES = tests/crash/jsonl-check.c
tests_crash_jsonl_check_LDADD =
EXTRA_DIST += tests/fault/faults.sh tests/crash/crash-consistency.sh \
	tests/crash/crash-restart.sh
robust_env = top_srcdir=$(abs_top_srcdir) top_builddir=$(abs_top_builddir)
robust_bins = daemon/paced tools/pacectl tools/paced-sim tests/crash/jsonl-check
# One case per fault against the simulator (about a minute): CI runs it.
check-faults: $(robust_bins)
	$(robust_env) $(SHELL) $(srcdir)/tests/fault/faults.sh $(FAULTS)
# SIGKILL at CRASH_RUNS (100) random moments of sessions (a few minutes).
# Then SIGKILL mid-jog and a restart: the belt to walking pace, paused.
check-crash: $(robust_bins)
	$(robust_env) $(SHELL) $(srcdir)/tests/crash/crash-consistency.sh
	$(robust_env) $(SHELL) $(srcdir)/tests/crash/crash-restart.sh
.PHONY: check-faults check-crash

# The whole 'make check' with every compiled test under valgrind memcheck:
# zero errors and zero definite leaks (tests/valgrind-wrapper.sh).
EXTRA_DIST += tests/valgrind-wrapper.sh tests/valgrind.supp
check-valgrind:
	@command -v valgrind >/dev/null || { echo "check-valgrind: valgrind not installed" >&2; exit 1; }
	$(MAKE) $(AM_MAKEFLAGS) check \
		LOG_COMPILER='$(SHELL) $(abs_top_srcdir)/tests/valgrind-wrapper.sh'
.PHONY: check-valgrind

# ---- the web plugin ----
# Pairing and tokens as a unit; the HTTP API end to end over a socket
# (curl; 77 without it or without the plugin).
if WITH_WEB
if HAVE_CHECK
check_PROGRAMS += tests/web/test-web-auth
TESTS += tests/web/test-web-auth
endif
endif
tests_web_test_web_auth_SOURCES = tests/web/test-web-auth.c \
	plugins/web/auth.c plugins/web/sha256.c
tests_web_test_web_auth_CPPFLAGS = $(test_cppflags) -I$(top_srcdir)/plugins/web
TESTS += tests/web/test-web-api.sh
EXTRA_DIST += tests/web/test-web-api.sh
# The page in a real browser: Debian's chromium driven by puppeteer-core,
# which 'make web-deps' installs from npm at the version
# tests/web/package-lock.json pins (into the build tree; puppeteer-core
# never downloads a browser). Screenshots land in tests/web/shots/.
EXTRA_DIST += tests/web/browser.mjs tests/web/test-web-browser.sh \
	tests/web/package.json tests/web/package-lock.json
web-deps:
	@command -v npm >/dev/null 2>&1 || { \
		echo "web-deps: npm is not installed (Debian: apt install nodejs npm)" >&2; \
		exit 1; }
	$(MKDIR_P) tests/web
	@if ! test tests/web/package.json -ef $(srcdir)/tests/web/package.json; then \
		cp $(srcdir)/tests/web/package.json \
		   $(srcdir)/tests/web/package-lock.json tests/web/; fi
	cd tests/web && npm ci --no-audit --no-fund
check-web: all
	top_srcdir=$(top_srcdir) top_builddir=$(top_builddir) \
		$(SHELL) $(srcdir)/tests/web/test-web-browser.sh
.PHONY: web-deps check-web
