#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates docs/report-example.html and docs/report-example.png: four
# weeks of check-ins and real simulator sessions (paced run --treadmill
# sim), presses through the control socket, on fake dates (the test aid
# tests/fake-date.c), reported by pacectl report. From the top of the
# tree, after a build in build/:  sh docs/report-example.sh [BUILDDIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
paced="$build/daemon/paced"
pacectl="$build/tools/pacectl"
shim="$build/tests/.libs/fake-date.so"
prog="$top/profiles/return-to-running.programme"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-report-example.XXXXXX")
state="$tmp/state"
trap 'rm -rf "$tmp"' EXIT
[ -f "$shim" ] || make -C "$build" tests/fake-date.la >/dev/null
export TZ=UTC

on() {
	t=$(date -u -d "2025-03-03 $2 UTC + $1 days" +%s)
	shift 2
	PACED_TEST_DATE=$t LD_PRELOAD=$shim "$@"
}

checkin() {
	d=$1
	shift
	on "$d" 07:00 "$pacectl" checkin --state-dir "$state" \
		--programme "$prog" "$@" </dev/null >/dev/null
}

take=""
# session DAY [KIND...]: today's stage on the simulator, one press of
# each KIND in the first jogs (at 100x, slow enough to catch a jog).
session() {
	d=$1
	shift
	speedup=1000
	[ $# -gt 0 ] && speedup=100
	on "$d" 07:10 "$paced" run --treadmill sim --programme "$prog" \
		--speedup $speedup --state-dir "$state" --control "$tmp/ctl" \
		$take </dev/null >"$tmp/out" 2>&1 &
	pid=$!
	for kind in "$@"; do
		until "$pacectl" -S "$tmp/ctl" status 2>/dev/null |
		      grep -q '"pace":"jog"'; do
			sleep 0.05
		done
		"$pacectl" -S "$tmp/ctl" symptom "$kind" >/dev/null
		sleep 2
	done
	wait $pid || true
	head -n 1 "$tmp/out"
}

ok="--leak no --heaviness no --pain 0 --bleeding no"
checkin 0 $ok --sleep enough --breastfeeding yes --energy normal
# She did the preparation phase with her physiotherapist: she takes the
# P0 the programme offers instead of PREP1.
take="--stage P0"
session 0
take=""
checkin 2 $ok --next-day no --sleep enough --breastfeeding yes
session 2
checkin 4 $ok --next-day no --sleep enough --breastfeeding yes
session 4
checkin 6 $ok --next-day no --sleep short --breastfeeding yes --energy low
session 6
checkin 8 $ok --next-day no --breastfeeding yes
session 8 leak
checkin 10 $ok --next-day no --breastfeeding yes
session 10
checkin 11 $ok --next-day yes --breastfeeding yes
session 11
checkin 13 --leak no --heaviness yes --pain 2 --bleeding no --breastfeeding yes
session 13
checkin 15 $ok --breastfeeding yes --energy normal
session 15
checkin 17 $ok --next-day no --breastfeeding no --sleep enough
session 17
checkin 19 $ok --next-day no --breastfeeding no
session 19 leak pressure
checkin 21 $ok --next-day no --breastfeeding no
session 21
checkin 23 $ok --next-day no --breastfeeding no
session 23
checkin 25 $ok --next-day no --breastfeeding no
session 25
checkin 27 $ok --next-day no --breastfeeding no --sleep short
session 27

on 28 08:00 "$pacectl" report --state-dir "$state" --programme "$prog" \
	-o "$tmp/report.html"
# Paths in the example are the build machine's: keep the file names.
sed -e "s|$top/profiles/||g" "$tmp/report.html" >"$top/docs/report-example.html"
chromium --headless --no-sandbox --disable-gpu --no-first-run \
	--disable-background-networking --disable-component-update \
	--disable-sync --no-pdf-header-footer --user-data-dir="$tmp/profile" \
	--print-to-pdf="$tmp/report.pdf" "file://$top/docs/report-example.html" \
	>/dev/null 2>&1
pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$tmp/report.pdf" \
	"$top/docs/report-example"
echo "docs/report-example.html and docs/report-example.png written"
