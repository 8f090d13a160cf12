# SPDX-License-Identifier: GPL-2.0-or-later
# sim: the simulated treadmill ("sim") and ATT peers on unix:PATH.
plugin_LTLIBRARIES += plugins/sim.la
plugins_sim_la_SOURCES = plugins/sim/sim-plugin.c
plugins_sim_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_sim_la_LIBADD = lib/libpaced.la
