#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-web: the page in a real browser (tests/web/browser.mjs), with
# Debian's chromium and puppeteer-core from npm ('make web-deps'). Skips
# (77) saying why when either is missing; .ci/run installs both.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] ||
	{ echo "SKIP: no $chromium (Debian: apt install chromium)"; exit 77; }
command -v node >/dev/null 2>&1 ||
	{ echo "SKIP: node is not installed (Debian: apt install nodejs npm)"; exit 77; }
[ -d "$top_builddir/tests/web/node_modules/puppeteer-core" ] ||
	{ echo "SKIP: puppeteer-core is not installed (make web-deps)"; exit 77; }
[ -f "$top_builddir/plugins/.libs/web.so" ] ||
	{ echo "SKIP: the web plugin is not built (configured --without-web)"; exit 77; }
# Node resolves the import from the script's own directory: run a copy
# beside node_modules in the build tree.
cp "$top_srcdir/tests/web/browser.mjs" "$top_builddir/tests/web/browser.mjs" 2>/dev/null || :
PACED="$top_builddir/daemon/paced" PACECTL="$top_builddir/tools/pacectl" \
PLUGINS="$top_builddir/plugins/.libs" TOP_SRCDIR="$(cd "$top_srcdir" && pwd)" \
SHOTS="${SHOTS:-$top_builddir/tests/web/shots}" CHROMIUM="$chromium" \
	exec node "$top_builddir/tests/web/browser.mjs"
