#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real sped-up session with two presses and a pause, exported to FIT
# and decoded by Garmin's own FIT SDK (@garmin/fitsdk, run with node):
# no decode errors, laps = segments, totals, the press events in place.
# The SDK is installed by 'make export-deps' (npm ci; .ci/run does it);
# without node or the SDK the test is skipped (77).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

here="$top_srcdir/tests/export"
# Skipped where the decoder is missing, unless told it must run (CI).
skip() {
	if [ -n "${PACED_REQUIRE_FITSDK:-}" ]; then
		echo "FAIL: $* (PACED_REQUIRE_FITSDK is set)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
if ! command -v node >/dev/null 2>&1; then
	skip "node is not installed (Debian: apt install nodejs npm)"
fi
modules=""
for d in "$top_builddir/tests/export/node_modules" "$here/node_modules"; do
	[ -f "$d/@garmin/fitsdk/package.json" ] && { modules=$d; break; }
done
[ -n "$modules" ] ||
	skip "@garmin/fitsdk is not installed (make export-deps, or npm ci in tests/export)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
session_dir=$tmp
. "$here/session.sh"

FITSDK="$modules/@garmin/fitsdk/src/index.js" \
	node "$here/decode-fit.mjs" "$tmp/s.fit" "$tmp/s.jsonl" ||
	{ echo "FAIL: Garmin's decoder disagrees (above)"; exit 1; }
echo "PASS: Garmin's FIT SDK decodes the export ($(wc -c <"$tmp/s.fit") bytes)"
