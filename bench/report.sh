#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pacectl report over a simulated history of 50, 150 and 450 sessions of
# 45 minutes (bench/gen-history.c: a log line every 5 s of session time):
# wall time and peak RSS of each format. Prints "name value unit" lines.
set -eu
: "${top_srcdir:=$(dirname "$0")/..}"
gen=bench/paced-gen-history
pacectl=tools/pacectl
prog="$top_srcdir/profiles/return-to-running.programme"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-bench-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

[ -x /usr/bin/time ] || { echo "bench-report: needs /usr/bin/time (Debian: time)" >&2; exit 1; }
for n in 50 150 450; do
	"$gen" "$tmp/$n" "$n" 1 "$prog" >/dev/null
	lines=$(cat "$tmp/$n"/sessions/*.jsonl | wc -l)
	bytes=$(du -sk "$tmp/$n" | cut -f1)
	echo "history_${n}_log_lines $lines lines"
	echo "history_${n}_size $bytes KiB"
	for f in html csv json; do
		# Warm the page cache first: the figure is paced's work, not
		# the disk's.
		"$pacectl" report --state-dir "$tmp/$n" --programme "$prog" \
			--format $f -o "$tmp/out" 2>/dev/null
		/usr/bin/time -f "%e %M" -o "$tmp/time" "$pacectl" report \
			--state-dir "$tmp/$n" --programme "$prog" --format $f \
			-o "$tmp/out"
		read -r secs rss <"$tmp/time"
		echo "report_${n}_${f}_time $secs s"
		echo "report_${n}_${f}_max_rss $rss KiB"
		echo "report_${n}_${f}_size $(($(wc -c <"$tmp/out") / 1024)) KiB"
	done
done
