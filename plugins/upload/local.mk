# SPDX-License-Identifier: GPL-2.0-or-later
# upload: sends each session's exported FIT file to intervals.icu with
# libcurl's multi interface on the daemon's loop (--without-upload leaves
# it out). lib/file.c is built in: the plugin needs nothing else of lib/.
if WITH_UPLOAD
plugin_LTLIBRARIES += plugins/upload.la
plugins_upload_la_SOURCES = plugins/upload/upload.c lib/file.c
plugins_upload_la_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS)
plugins_upload_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_upload_la_LIBADD = $(LIBCURL_LIBS)
endif
