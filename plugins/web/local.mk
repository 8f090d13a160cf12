# SPDX-License-Identifier: GPL-2.0-or-later
# web: the phone page and its HTTP API (libmicrohttpd, driven from the
# daemon's loop). The page's files are compiled in: assets.c is generated
# from www/ and nothing is read from disk to serve them.
if WITH_WEB
plugin_LTLIBRARIES += plugins/web.la
plugins_web_la_SOURCES = plugins/web/web.c plugins/web/auth.c \
	plugins/web/auth.h plugins/web/sha256.c plugins/web/sha256.h \
	plugins/web/assets.h lib/json.c lib/json-read.c lib/util.c lib/file.c
nodist_plugins_web_la_SOURCES = plugins/web/assets.c
plugins_web_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/web
plugins_web_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
plugins_web_la_LDFLAGS = $(AM_LDFLAGS) $(PLUGIN_LDFLAGS)
plugins_web_la_LIBADD = $(MHD_LIBS) -lm
CLEANFILES += plugins/web/assets.c
endif
web_www = $(srcdir)/plugins/web/www/index.html \
	$(srcdir)/plugins/web/www/app.css $(srcdir)/plugins/web/www/app.js
EXTRA_DIST += plugins/web/gen-assets.sh plugins/web/www/index.html \
	plugins/web/www/app.css plugins/web/www/app.js
plugins/web/assets.c: $(web_www) $(srcdir)/plugins/web/gen-assets.sh
	$(MKDIR_P) plugins/web
	$(SHELL) $(srcdir)/plugins/web/gen-assets.sh $(web_www) >$@.tmp
	mv $@.tmp $@
