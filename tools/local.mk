# SPDX-License-Identifier: GPL-2.0-or-later
# tools/: pacectl (the client, and the offline tools for profiles, history
# and FTMS bytes) and paced-sim (a simulated treadmill on a socket). They
# use lib/ and domain/, never the daemon's private headers.

bin_PROGRAMS += tools/pacectl
tools_pacectl_SOURCES = tools/pacectl.c tools/pacectl.h tools/pacectl-ctl.c \
	tools/pacectl-history.c tools/pacectl-service.c \
	tools/pacectl-ftms.c tools/pacectl-profile.c tools/pacectl-export.c \
	tools/pacectl-checkin.c tools/pacectl-report.c tools/pacectl-web.c
tools_pacectl_CPPFLAGS = $(domain_cppflags)
tools_pacectl_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS) $(QRENCODE_CFLAGS)
tools_pacectl_LDADD = domain/libpaced-domain.la lib/libpaced.la $(LIBCONFIG_LIBS) \
	$(QRENCODE_LIBS)

bin_PROGRAMS += tools/paced-sim
tools_paced_sim_SOURCES = tools/paced-sim.c
tools_paced_sim_CPPFLAGS = $(sim_cppflags)
tools_paced_sim_LDADD = sim/libpaced-sim.la lib/libpaced.la
