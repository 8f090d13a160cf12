# SPDX-License-Identifier: GPL-2.0-or-later
# daemon/: paced itself. It links libc and libconfig only; every treadmill
# driver, button and front end is a plugin it loads.

# Everything but main(), so the tests link the same objects.
noinst_LTLIBRARIES += daemon/libpaced-daemon.la
daemon_libpaced_daemon_la_SOURCES = daemon/notify.c daemon/notify.h \
	daemon/controller.c daemon/controller.h daemon/event.c daemon/event.h \
	daemon/auto-export.c daemon/auto-export.h \
	daemon/call.c daemon/call.h \
	daemon/foreground.c daemon/foreground.h \
	daemon/service.c daemon/service.h \
	daemon/runner.c daemon/runner.h daemon/link.c daemon/link.h \
	daemon/exercise-runner.c daemon/exercise-runner.h \
	daemon/control.c daemon/control.h daemon/conf.c daemon/conf.h \
	daemon/plugin.c daemon/plugin.h daemon/plugin-trust.c \
	daemon/plugin-trust.h daemon/address.c daemon/address.h \
	daemon/scan.c daemon/scan.h daemon/scan-list.c daemon/scan-list.h \
	daemon/setup.c daemon/setup.h daemon/conf-edit.c daemon/conf-edit.h
# Uninstalled, paced finds its plugins in this build tree (plugin.c).
daemon_libpaced_daemon_la_CPPFLAGS = $(daemon_cppflags) \
	-DPACED_BUILDDIR=\"$(abs_top_builddir)\"
daemon_libpaced_daemon_la_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS)

sbin_PROGRAMS += daemon/paced
daemon_paced_SOURCES = daemon/main.c
daemon_paced_CPPFLAGS = $(daemon_cppflags)
daemon_paced_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS)
# Plugins resolve the host interface (paced_*, daemon/plugin.c) and, for
# in-tree drivers, lib/ from the executable: all of lib/ goes in, even
# what the daemon itself does not call, and daemon/paced.ver exports it.
daemon_export_ldflags = -Wl,--export-dynamic \
	-Wl,--version-script=$(srcdir)/daemon/paced.ver \
	-Wl,--whole-archive,lib/.libs/libpaced.a,--no-whole-archive
daemon_paced_LDFLAGS = $(AM_LDFLAGS) $(daemon_export_ldflags)
daemon_ldadd = daemon/libpaced-daemon.la domain/libpaced-domain.la \
	$(LIBCONFIG_LIBS)
daemon_paced_LDADD = $(daemon_ldadd)
EXTRA_daemon_paced_DEPENDENCIES = daemon/paced.ver lib/libpaced.la
EXTRA_DIST += daemon/paced.ver

# The plugin ABI, installed for plugins built out of tree.
pacedincludedir = $(includedir)/paced
pacedinclude_HEADERS = include/paced/plugin.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = dist/paced-plugin.pc
EXTRA_DIST += dist/paced-plugin.pc.in
CLEANFILES += dist/paced-plugin.pc
dist/paced-plugin.pc: dist/paced-plugin.pc.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && $(man_subst) \
		$(srcdir)/dist/paced-plugin.pc.in > $@
