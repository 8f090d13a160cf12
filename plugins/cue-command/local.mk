# SPDX-License-Identifier: GPL-2.0-or-later
# cue-command: runs a command (espeak-ng) for each cue; libc only.
plugin_LTLIBRARIES += plugins/cue-command.la
plugins_cue_command_la_SOURCES = plugins/cue-command/cue-command.c
plugins_cue_command_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
