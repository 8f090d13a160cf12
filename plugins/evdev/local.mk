# SPDX-License-Identifier: GPL-2.0-or-later
# evdev: buttons (USB pedals, clickers, BLE remotes, GPIO keys); libc only.
plugin_LTLIBRARIES += plugins/evdev.la
plugins_evdev_la_SOURCES = plugins/evdev/evdev.c plugins/evdev/evdev-core.c \
	plugins/evdev/evdev-core.h
plugins_evdev_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
