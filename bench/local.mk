# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks print figures (bench/README.md); never part of make check.
EXTRA_PROGRAMS += bench/paced-bench
bench_paced_bench_SOURCES = bench/bench.c
bench_paced_bench_CPPFLAGS = $(test_cppflags)
bench_paced_bench_LDADD = daemon/libpaced-daemon.la domain/libpaced-domain.la \
	sim/libpaced-sim.la lib/libpaced.la $(LIBCONFIG_LIBS)
CLEANFILES += bench/paced-bench
# A simulated year of history (bench/README.md); built by make check too,
# for tests/test-report-pdf.sh.
check_PROGRAMS += bench/paced-gen-history
bench_paced_gen_history_SOURCES = bench/gen-history.c
bench_paced_gen_history_CPPFLAGS = $(domain_cppflags)
bench_paced_gen_history_LDADD = domain/libpaced-domain.la lib/libpaced.la \
	$(LIBCONFIG_LIBS)
bench: bench/paced-bench bench-footprint
	bench/paced-bench latency 1000
	BENCH_LOG_DIR=$${TMPDIR:-/var/tmp} bench/paced-bench latency 200
# pacectl report over 50, 150 and 450 simulated sessions: time and peak RSS.
EXTRA_DIST += bench/report.sh
bench-report: bench/paced-gen-history tools/pacectl
	$(SHELL) $(srcdir)/bench/report.sh
bench-drift: bench/paced-bench
	bench/paced-bench drift 10
# Footprint figures: start-up, RSS, wakeups, CPU.
EXTRA_DIST += bench/README.md bench/footprint.sh bench/proc.sh
bench-footprint: daemon/paced tools/pacectl
	$(robust_env) $(SHELL) $(srcdir)/bench/footprint.sh
.PHONY: bench bench-drift bench-footprint bench-report
# The web plugin: symptom POST latency with 20 streams, RSS, wakeups.
EXTRA_DIST += bench/web.sh
bench-web: daemon/paced tools/pacectl
	top_srcdir=$(top_srcdir) top_builddir=$(top_builddir) \
		$(SHELL) $(srcdir)/bench/web.sh
.PHONY: bench-web
# The mqtt plugin's RSS and idle wakeups, against a local mosquitto.
EXTRA_DIST += bench/mqtt.sh
bench-mqtt: daemon/paced tools/pacectl
	$(robust_env) $(SHELL) $(srcdir)/bench/mqtt.sh
.PHONY: bench-mqtt
