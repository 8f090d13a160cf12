# SPDX-License-Identifier: GPL-2.0-or-later
# ftms-ble: FTMS treadmills over Bluetooth LE, and LE scanning. Only this
# plugin (and the test peripheral) link libbluetooth: paced itself maps it
# only when a Bluetooth treadmill is configured.
if WITH_BLUETOOTH
ble_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/ftms-ble $(BLUEZ_CFLAGS)
noinst_LTLIBRARIES += plugins/ftms-ble/libftms-ble.la
plugins_ftms_ble_libftms_ble_la_SOURCES = plugins/ftms-ble/ble-adv.c \
	plugins/ftms-ble/ble-adv.h plugins/ftms-ble/ble-scan.c \
	plugins/ftms-ble/ble-scan.h plugins/ftms-ble/l2cap.c \
	plugins/ftms-ble/l2cap.h
plugins_ftms_ble_libftms_ble_la_CPPFLAGS = $(ble_cppflags)
plugins_ftms_ble_libftms_ble_la_LIBADD = $(BLUEZ_LIBS)
plugin_LTLIBRARIES += plugins/ftms-ble.la
plugins_ftms_ble_la_SOURCES = plugins/ftms-ble/ftms-ble.c
plugins_ftms_ble_la_CPPFLAGS = $(ble_cppflags)
plugins_ftms_ble_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_ftms_ble_la_LIBADD = plugins/ftms-ble/libftms-ble.la $(BLUEZ_LIBS)
endif
