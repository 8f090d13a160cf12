# SPDX-License-Identifier: GPL-2.0-or-later
# cue-command: runs a command (espeak-ng) for each cue; libc only. It
# reads the event's "follows" with lib/'s strict JSON reader, built in
# (about 10 KB) rather than all of lib/ (500 KB).
plugin_LTLIBRARIES += plugins/cue-command.la
plugins_cue_command_la_SOURCES = plugins/cue-command/cue-command.c \
	lib/json-read.c lib/util.c
plugins_cue_command_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_cue_command_la_LIBADD = -lm
