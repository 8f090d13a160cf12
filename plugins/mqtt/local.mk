# SPDX-License-Identifier: GPL-2.0-or-later
# mqtt: the session on an MQTT broker for Home Assistant (libmosquitto,
# driven from paced's loop). lib/'s JSON writer and strict reader are
# built in, as in cue-command.
if WITH_MQTT
plugin_LTLIBRARIES += plugins/mqtt.la
plugins_mqtt_la_SOURCES = plugins/mqtt/mqtt.c lib/json.c lib/json-read.c \
	lib/util.c
plugins_mqtt_la_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS)
plugins_mqtt_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_mqtt_la_LIBADD = $(MOSQUITTO_LIBS) -lm
endif
