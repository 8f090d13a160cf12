#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The report as a physiotherapist gets it: pacectl report's HTML printed
# to PDF by headless Chromium, on Letter and on A4, and read back with
# pdftotext: every section, the press, the red flag, nothing cut off.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

pacectl="$top_builddir/tools/pacectl"
gen="$top_builddir/bench/paced-gen-history"
shim="$top_builddir/tests/.libs/fake-date.so"
prog="$top_srcdir/profiles/return-to-running.programme"

for tool in chromium pdftotext pdfinfo; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "SKIP: $tool not installed (Debian: chromium, poppler-utils)"; exit 77; }
done
[ -f "$shim" ] || { echo "SKIP: $shim not built"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-report-pdf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
TZ=UTC
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export TZ ASAN_OPTIONS

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Two months of sessions from 1 January 2024 (seed 3: four sessions with
# presses and a red flag at a check-in), reported on 1 March.
"$gen" "$tmp/state" 24 3 "$prog" >/dev/null || fail "paced-gen-history"
PACED_TEST_DATE=$(date -u -d "2024-03-01 08:00 UTC" +%s) LD_PRELOAD=$shim \
	"$pacectl" report --state-dir "$tmp/state" --programme "$prog" \
	-o "$tmp/report.html" || fail "pacectl report"
# The same page forced onto A4 (Chromium prints on Letter by default).
sed 's|</style>|@page{size:A4}</style>|' "$tmp/report.html" >"$tmp/a4.html"

for page in letter a4; do
	html="$tmp/report.html"
	[ $page = a4 ] && html="$tmp/a4.html"
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--no-pdf-header-footer --user-data-dir="$tmp/profile" \
		--print-to-pdf="$tmp/$page.pdf" "file://$html" \
		>"$tmp/chromium.log" 2>&1 ||
		fail "chromium: $(tail -n 3 "$tmp/chromium.log")"
	pdfinfo "$tmp/$page.pdf" >"$tmp/info" || fail "$page: not a PDF"
	case $page in
	letter) grep -q 'Page size: .*(letter)' "$tmp/info" ;;
	a4) grep -q 'Page size: .*(A4)' "$tmp/info" ;;
	esac || fail "$page: $(grep 'Page size' "$tmp/info")"
	pages=$(sed -n 's/^Pages: *//p' "$tmp/info")
	[ "$pages" -ge 2 ] && [ "$pages" -le 6 ] ||
		fail "$page: $pages pages"
	pdftotext -layout "$tmp/$page.pdf" "$tmp/$page.txt" ||
		fail "$page: pdftotext"
	# Phrases may wrap: look for them in the text as one line.
	tr -s ' \n' '  ' <"$tmp/$page.txt" >"$tmp/flat.txt"
	for want in "Return-to-running report" \
		    "Return to running after childbirth" \
		    "Current stage:" "Today:" "Stage over time" \
		    "Sessions per week" "Jog time per session" \
		    "Symptom presses" "Check-ins" \
		    "Step-backs, walk-only days and locks" \
		    "pelvic-health physiotherapist" "not a medical device" \
		    "01 Jan" "moved on: enough clean sessions" \
		    "red flag at check-in" "outcome" "energy"; do
		grep -q "$want" "$tmp/flat.txt" ||
			fail "$page: no \"$want\" in the PDF's text"
	done
	# A press row: date, stage, kind, minute, segment, belt speed.
	grep -Eq '(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{2} (Jan|Feb) +P[0-9a-z]+ +(leak|heaviness) +[0-9]+:[0-9]{2} +main #[0-9]+, (jog|walk) +[0-9]\.[0-9]{2}' \
		"$tmp/$page.txt" || fail "$page: no press row"
	# Axis labels the SVG charts drew, as text.
	grep -q "[0-9]0 min" "$tmp/$page.txt" || fail "$page: no press chart axis"
done
echo "PASS: the report prints on Letter and A4 ($pages pages)"
