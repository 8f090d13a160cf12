# SPDX-License-Identifier: GPL-2.0-or-later
# sim: the simulated treadmill ("sim") and ATT peers on unix:PATH.
plugin_LTLIBRARIES += plugins/sim.la
# The simulator lives in this plugin; lib/ is the daemon's (it exports it).
plugins_sim_la_SOURCES = plugins/sim/sim-plugin.c
plugins_sim_la_CPPFLAGS = $(sim_cppflags)
plugins_sim_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_sim_la_LIBADD = sim/libpaced-sim.la
