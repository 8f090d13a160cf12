# SPDX-License-Identifier: GPL-2.0-or-later
# lib/: the mechanisms every part builds on, libc only. Never logs except
# through a debug hook, never reads configuration, no globals.

noinst_LTLIBRARIES += lib/libpaced.la
lib_libpaced_la_SOURCES = \
	lib/util.c lib/util.h lib/clock.c lib/clock.h lib/input-keys.h \
	lib/file.c lib/file.h \
	lib/mainloop.c lib/mainloop.h lib/log.c lib/log.h \
	lib/json.c lib/json.h lib/json-read.c lib/json-read.h \
	lib/fit.c lib/fit.h \
	lib/ctl-proto.c lib/ctl-proto.h \
	lib/version.c lib/version.h \
	lib/ftms.c lib/ftms.h \
	lib/att-types.h lib/att.c lib/att.h \
	lib/gatt-client.c lib/gatt-client.h \
	lib/treadmill.c lib/treadmill.h \
	lib/ftms-client.c lib/ftms-client.h \
	lib/transport.c lib/transport.h \
	lib/ant.c lib/ant.h
lib_libpaced_la_LIBADD = -lm
# Default visibility: paced exports lib/ to its in-tree plugins, and the
# version script (daemon/paced.ver), not the compiler, decides what leaves
# the executable.
lib_libpaced_la_CFLAGS = $(AM_CFLAGS) -fvisibility=default
