# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz targets: one for every parser that takes outside input. Each also
# links into a plain driver that replays its seed corpus under make check
# (tests/fuzz/run-corpus.sh, gcc or clang); make fuzz-smoke builds them
# with libFuzzer, ASan and UBSan and runs each for FUZZ_SECONDS (30).

FUZZ_STANDALONE = tests/fuzz/standalone.c
fuzz_ldadd = domain/libpaced-domain.la sim/libpaced-sim.la lib/libpaced.la \
	$(LIBCONFIG_LIBS)

fuzz_targets += tests/fuzz/fuzz-json
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz-json.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_json_LDADD = lib/libpaced.la
tests_fuzz_fuzz_json_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-treadmill-data
tests_fuzz_fuzz_ftms_treadmill_data_SOURCES = tests/fuzz/fuzz-ftms-treadmill-data.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_treadmill_data_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_treadmill_data_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-feature
tests_fuzz_fuzz_ftms_feature_SOURCES = tests/fuzz/fuzz-ftms-feature.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_feature_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_feature_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-speed-range
tests_fuzz_fuzz_ftms_speed_range_SOURCES = tests/fuzz/fuzz-ftms-speed-range.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_speed_range_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_speed_range_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-incline-range
tests_fuzz_fuzz_ftms_incline_range_SOURCES = tests/fuzz/fuzz-ftms-incline-range.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_incline_range_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_incline_range_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-training-status
tests_fuzz_fuzz_ftms_training_status_SOURCES = tests/fuzz/fuzz-ftms-training-status.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_training_status_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_training_status_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-status
tests_fuzz_fuzz_ftms_status_SOURCES = tests/fuzz/fuzz-ftms-status.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_status_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_status_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-control-response
tests_fuzz_fuzz_ftms_control_response_SOURCES = tests/fuzz/fuzz-ftms-control-response.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_control_response_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_control_response_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ftms-control-request
tests_fuzz_fuzz_ftms_control_request_SOURCES = tests/fuzz/fuzz-ftms-control-request.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ftms_control_request_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ftms_control_request_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-att
tests_fuzz_fuzz_att_SOURCES = tests/fuzz/fuzz-att.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_att_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_att_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-att-server
tests_fuzz_fuzz_att_server_SOURCES = tests/fuzz/fuzz-att-server.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_att_server_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_att_server_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-profile
tests_fuzz_fuzz_profile_SOURCES = tests/fuzz/fuzz-profile.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_profile_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_profile_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-programme
tests_fuzz_fuzz_programme_SOURCES = tests/fuzz/fuzz-programme.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_programme_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_programme_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ctl
tests_fuzz_fuzz_ctl_SOURCES = tests/fuzz/fuzz-ctl.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ctl_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ctl_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-conf
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz-conf.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_conf_LDADD = daemon/libpaced-daemon.la $(fuzz_ldadd)
tests_fuzz_fuzz_conf_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-ant
tests_fuzz_fuzz_ant_SOURCES = tests/fuzz/fuzz-ant.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ant_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_ant_CPPFLAGS = $(test_cppflags)
fuzz_targets += tests/fuzz/fuzz-export
tests_fuzz_fuzz_export_SOURCES = tests/fuzz/fuzz-export.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_export_LDADD = $(fuzz_ldadd)
tests_fuzz_fuzz_export_CPPFLAGS = $(test_cppflags)
if WITH_BLUETOOTH
fuzz_targets += tests/fuzz/fuzz-ble-adv
tests_fuzz_fuzz_ble_adv_SOURCES = tests/fuzz/fuzz-ble-adv.c $(FUZZ_STANDALONE)
tests_fuzz_fuzz_ble_adv_CPPFLAGS = $(ble_cppflags)
tests_fuzz_fuzz_ble_adv_LDADD = plugins/ftms-ble/libftms-ble.la $(fuzz_ldadd) $(BLUEZ_LIBS)
endif

fuzz_corpora += \
	tests/fuzz/corpus/json/log-line tests/fuzz/corpus/json/reply \
	tests/fuzz/corpus/json/nested tests/fuzz/corpus/json/dup-key \
	tests/fuzz/corpus/ftms-treadmill-data/spec-speed-only \
	tests/fuzz/corpus/ftms-treadmill-data/life-fitness \
	tests/fuzz/corpus/ftms-treadmill-data/matrix-20-bytes \
	tests/fuzz/corpus/ftms-treadmill-data/citysports-steps \
	tests/fuzz/corpus/ftms-treadmill-data/horizon \
	tests/fuzz/corpus/ftms-treadmill-data/split-part1 \
	tests/fuzz/corpus/ftms-treadmill-data/all-fields \
	tests/fuzz/corpus/ftms-treadmill-data/more-data-multi \
	tests/fuzz/corpus/ftms-treadmill-data/sentinels \
	tests/fuzz/corpus/ftms-treadmill-data/too-short \
	tests/fuzz/corpus/ftms-feature/treadmill \
	tests/fuzz/corpus/ftms-feature/all \
	tests/fuzz/corpus/ftms-feature/short \
	tests/fuzz/corpus/ftms-speed-range/kmh \
	tests/fuzz/corpus/ftms-speed-range/fitshow-mph \
	tests/fuzz/corpus/ftms-speed-range/inverted \
	tests/fuzz/corpus/ftms-incline-range/neg \
	tests/fuzz/corpus/ftms-incline-range/short \
	tests/fuzz/corpus/ftms-training-status/manual \
	tests/fuzz/corpus/ftms-training-status/string \
	tests/fuzz/corpus/ftms-training-status/bad-utf8 \
	tests/fuzz/corpus/ftms-status/safety-key \
	tests/fuzz/corpus/ftms-status/stop \
	tests/fuzz/corpus/ftms-status/speed \
	tests/fuzz/corpus/ftms-status/incline \
	tests/fuzz/corpus/ftms-status/five-zones \
	tests/fuzz/corpus/ftms-status/lost \
	tests/fuzz/corpus/ftms-status/rfu \
	tests/fuzz/corpus/ftms-status/short \
	tests/fuzz/corpus/ftms-control-response/success \
	tests/fuzz/corpus/ftms-control-response/spin-down \
	tests/fuzz/corpus/ftms-control-response/not-permitted \
	tests/fuzz/corpus/ftms-control-response/bad \
	tests/fuzz/corpus/ftms-control-request/request-control \
	tests/fuzz/corpus/ftms-control-request/speed \
	tests/fuzz/corpus/ftms-control-request/incline \
	tests/fuzz/corpus/ftms-control-request/stop \
	tests/fuzz/corpus/ftms-control-request/pause \
	tests/fuzz/corpus/ftms-control-request/bad-stop \
	tests/fuzz/corpus/ftms-control-request/bike-sim \
	tests/fuzz/corpus/ftms-control-request/unknown \
	tests/fuzz/corpus/ftms-control-request/wrong-len \
	tests/fuzz/corpus/att/before-mtu \
	tests/fuzz/corpus/att/discovery \
	tests/fuzz/corpus/att/idle \
	tests/fuzz/corpus/att/outstanding \
	tests/fuzz/corpus/att/cp-indications \
	tests/fuzz/corpus/att-server/alt-handles \
	tests/fuzz/corpus/att-server/control-point \
	tests/fuzz/corpus/att-server/discovery \
	tests/fuzz/corpus/att-server/malformed \
	tests/fuzz/corpus/att-server/oversize \
	tests/fuzz/corpus/att-server/quirks-all \
	tests/fuzz/corpus/profile/p2.cfg \
	tests/fuzz/corpus/profile/scaleback.cfg \
	tests/fuzz/corpus/profile/nested.cfg \
	tests/fuzz/corpus/profile/bad-syntax.cfg \
	tests/fuzz/corpus/profile/bad-types.cfg \
	tests/fuzz/corpus/ctl/requests \
	tests/fuzz/corpus/ctl/bad \
	tests/fuzz/corpus/ctl/service \
	tests/fuzz/corpus/ctl/overlong \
	tests/fuzz/corpus/conf/example.conf \
	tests/fuzz/corpus/conf/small.conf \
	tests/fuzz/corpus/conf/bad.conf \
	tests/fuzz/corpus/ble-adv/sim \
	tests/fuzz/corpus/ble-adv/one-byte-type \
	tests/fuzz/corpus/ble-adv/uuid-only \
	tests/fuzz/corpus/ble-adv/overrun \
	tests/fuzz/corpus/ble-adv/address \
	tests/fuzz/corpus/ant/bring-up \
	tests/fuzz/corpus/ant/pages \
	tests/fuzz/corpus/ant/garbage \
	tests/fuzz/corpus/ant/false-sync \
	tests/fuzz/corpus/programme/bundled.programme \
	tests/fuzz/corpus/programme/small.programme \
	tests/fuzz/corpus/programme/bad-growth.programme \
	tests/fuzz/corpus/programme/bad-stage.programme \
	tests/fuzz/corpus/programme/bad-rules.programme \
	tests/fuzz/corpus/programme/bad-syntax.programme \
	tests/fuzz/corpus/programme/include.programme \
	tests/fuzz/corpus/programme/long-profile-path.programme \
	tests/fuzz/corpus/export/session.jsonl \
	tests/fuzz/corpus/export/truncated.jsonl \
	tests/fuzz/corpus/export/torn-interrupted.jsonl \
	tests/fuzz/corpus/export/corrupted.jsonl \
	tests/fuzz/corpus/export/old-samples.jsonl \
	tests/fuzz/corpus/export/counters.jsonl \
	tests/fuzz/corpus/export/paused-end.jsonl

check_PROGRAMS += $(fuzz_targets)
TESTS += tests/fuzz/run-corpus.sh
EXTRA_DIST += tests/fuzz/run-corpus.sh tests/fuzz/standalone.c \
	$(fuzz_corpora)

# libFuzzer + ASan + UBSan builds of every fuzz target over a copy of its
# corpus; skips (77) without clang's libFuzzer.
EXTRA_DIST += tests/fuzz/fuzz-smoke.sh tests/fuzz/lsan.supp
CLEANFILES += -r fuzz-smoke
fuzz-smoke:
	$(robust_env) FUZZ_TARGETS='$(fuzz_targets)' \
	FUZZ_SOURCES='$(lib_libpaced_la_SOURCES) $(sim_libpaced_sim_la_SOURCES) $(sim_libbelt_la_SOURCES) $(domain_libpaced_domain_la_SOURCES) $(plugins_ftms_ble_libftms_ble_la_SOURCES) daemon/conf.c daemon/address.c' \
	FUZZ_CPPFLAGS='$(DEFS) $(test_cppflags) $(CPPFLAGS) $(LIBCONFIG_CFLAGS) -I$(top_srcdir)/plugins/ftms-ble $(BLUEZ_CFLAGS)' \
	FUZZ_LIBS='$(BLUEZ_LIBS) $(LIBCONFIG_LIBS) -lm' \
	$(SHELL) $(srcdir)/tests/fuzz/fuzz-smoke.sh; rc=$$?; \
	test $$rc -eq 77 || exit $$rc
.PHONY: fuzz-smoke
