# SPDX-License-Identifier: GPL-2.0-or-later
# sim/: the simulated treadmill: an ATT server with an FTMS database and a
# belt model, and the "sim" transport that puts it on one end of a
# socketpair. The sim plugin, paced-sim and the tests link it; the daemon
# never does (docs/design.md rule 2: the simulator speaks real bytes).
sim_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/sim
noinst_LTLIBRARIES += sim/libpaced-sim.la sim/libbelt.la
sim_libpaced_sim_la_SOURCES = sim/att-server.c sim/att-server.h \
	sim/sim.c sim/sim.h sim/sim-transport.c sim/sim-transport.h
sim_libpaced_sim_la_CPPFLAGS = $(sim_cppflags)
sim_libpaced_sim_la_LIBADD = sim/libbelt.la
# The belt model alone: the simulated ANT+ stick has one too.
sim_libbelt_la_SOURCES = sim/belt.c sim/belt.h
sim_libbelt_la_CPPFLAGS = $(sim_cppflags)
