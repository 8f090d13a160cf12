# SPDX-License-Identifier: GPL-2.0-or-later
# usb-ant: ANT+ treadmills through a USB stick (advisory sessions).
if WITH_USB
# The driver (libusb + the simulated stick), a convenience library the
# plugin and its tests link.
usb_ant_sources = plugins/usb-ant/usb-ant.c plugins/usb-ant/usb-ant.h \
	plugins/usb-ant/ant-port.h plugins/usb-ant/port-libusb.c \
	plugins/usb-ant/sim-stick.c plugins/usb-ant/sim-stick.h
usb_ant_cflags = $(AM_CFLAGS) $(LIBUSB_CFLAGS) -I$(top_srcdir)/plugins/usb-ant
noinst_LTLIBRARIES += plugins/usb-ant/libusb-ant.la
plugins_usb_ant_libusb_ant_la_SOURCES = $(usb_ant_sources)
plugins_usb_ant_libusb_ant_la_CFLAGS = $(usb_ant_cflags)
plugins_usb_ant_libusb_ant_la_CPPFLAGS = $(sim_cppflags)
plugins_usb_ant_libusb_ant_la_LIBADD = $(LIBUSB_LIBS)
plugin_LTLIBRARIES += plugins/usb-ant.la
plugins_usb_ant_la_SOURCES = plugins/usb-ant/usb-ant-plugin.c
plugins_usb_ant_la_CFLAGS = $(usb_ant_cflags)
plugins_usb_ant_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
# The simulated stick's belt is sim/'s belt model.
plugins_usb_ant_la_LIBADD = plugins/usb-ant/libusb-ant.la \
	sim/libbelt.la $(LIBUSB_LIBS)
endif
