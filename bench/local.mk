# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmarks print figures (bench/README.md); never part of make check.
EXTRA_PROGRAMS += bench/paced-bench
bench_paced_bench_SOURCES = bench/bench.c
bench_paced_bench_CPPFLAGS = $(test_cppflags)
bench_paced_bench_LDADD = daemon/libpaced-daemon.la domain/libpaced-domain.la \
	sim/libpaced-sim.la lib/libpaced.la $(LIBCONFIG_LIBS)
CLEANFILES += bench/paced-bench
bench: bench/paced-bench bench-footprint
	bench/paced-bench latency 1000
	BENCH_LOG_DIR=$${TMPDIR:-/var/tmp} bench/paced-bench latency 200
bench-drift: bench/paced-bench
	bench/paced-bench drift 10
# Footprint figures: start-up, RSS, wakeups, CPU.
EXTRA_DIST += bench/README.md bench/footprint.sh
bench-footprint: daemon/paced tools/pacectl
	$(robust_env) $(SHELL) $(srcdir)/bench/footprint.sh
.PHONY: bench bench-drift bench-footprint
