#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A real sped-up session with two presses and a pause, exported by
# 'pacectl export' to TCX and CSV: the TCX validates (xmllint --schema)
# and parses back to the same laps as the CSV and the log; the CSV is
# RFC 4180; a bad log gives FILE:LINE and leaves no file behind.
# Needs xmllint (Debian: libxml2-utils); skipped (77) without it.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

here="$top_srcdir/tests/export"
pacectl="$top_builddir/tools/pacectl"
if ! command -v xmllint >/dev/null 2>&1; then
	echo "SKIP: xmllint is not installed (Debian: apt install libxml2-utils)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-export.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

session_dir=$tmp
. "$here/session.sh"

# ---- TCX: the schema's structure ----
xmllint --noout --schema "$here/tcx-subset.xsd" "$tmp/s.tcx" 2>"$tmp/xmllint" ||
	fail "the TCX does not validate against tcx-subset.xsd: $(cat "$tmp/xmllint")"
if [ -n "${PACED_TCX_XSD:-}" ]; then
	xmllint --noout --schema "$PACED_TCX_XSD" "$tmp/s.tcx" 2>"$tmp/xmllint" ||
		fail "the TCX does not validate against $PACED_TCX_XSD: $(cat "$tmp/xmllint")"
	echo "validated against $PACED_TCX_XSD too"
fi
# The check is not empty: a lap without its required Calories, or with
# elements out of order, is refused.
sed '0,/<Calories>0<\/Calories>/s///' "$tmp/s.tcx" >"$tmp/broken.tcx"
xmllint --noout --schema "$here/tcx-subset.xsd" "$tmp/broken.tcx" \
	2>/dev/null && fail "a lap without Calories validated"
sed 's|<Intensity>Active</Intensity>|<Intensity>Walking</Intensity>|' \
	"$tmp/s.tcx" >"$tmp/broken.tcx"
xmllint --noout --schema "$here/tcx-subset.xsd" "$tmp/broken.tcx" \
	2>/dev/null && fail "an Intensity outside the enumeration validated"

# ---- TCX parsed back: laps against the CSV and the log ----
xp() {
	xmllint --xpath "$1" "$tmp/s.tcx"
}
lap='(//*[local-name()="Lap"])'
laps=$(xp "count($lap)")
points=$(xp 'count(//*[local-name()="Trackpoint"])')
tracks=$(xp 'count(//*[local-name()="Track"])')
# Segments in the log, less the one announced again on resuming and one
# replaced the moment it began (a press as a jog ends): no time, no lap.
segments=$(awk '
	/"event":"state"/ && /"state":"paused"/ { paused = 1 }
	/"event":"state"/ && /"state":"(running|recovery|cooldown)"/ {
		if (paused) resumed = 1; paused = 0 }
	/"event":"segment"/ {
		key = $0; sub(/.*"phase":/, "", key); sub(/,"incline_pct".*/, "", key)
		at = $0; sub(/.*"session_s":/, "", at); sub(/,.*/, "", at)
		if (!(resumed && key == last) && at != last_at) n++
		resumed = 0; last = key; last_at = at
	}
	END { print n }' "$tmp/s.jsonl")
[ "$laps" = "$segments" ] || fail "TCX has $laps laps for $segments segments"
csv_laps=$(awk -F, 'NR > 1 { l = $4 } END { print l }' "$tmp/s.csv")
[ "$laps" = "$csv_laps" ] || fail "TCX has $laps laps, the CSV $csv_laps"
rows=$(awk 'END { print NR - 1 }' "$tmp/s.csv")
[ "$points" = "$rows" ] || fail "$points trackpoints for $rows CSV rows"
# One track a lap, and one more for each pause inside a lap (the CSV's
# activity clock jumps there).
splits=$(awk -F, 'NR > 2 && $4 == lap && $3 > el + 1 { n++ }
	NR > 1 { lap = $4; el = $3 } END { print n + 0 }' "$tmp/s.csv")
[ "$splits" -ge 1 ] || fail "the pause did not fall inside a lap"
# A lap shorter than a second (a press 0.3 s into a segment, when the
# machine is slow) has no record and so no track.
seconds=$(awk -F, 'NR > 1 && !($4 in seen) { seen[$4]; n++ } END { print n + 0 }' "$tmp/s.csv")
[ "$tracks" = $((seconds + splits)) ] ||
	fail "$tracks tracks for $seconds laps with records and $splits pause(s) inside one"
i=1
sum_t=0
sum_d=0
while [ $i -le "$laps" ]; do
	t=$(xp "string($lap[$i]/*[local-name()='TotalTimeSeconds'])")
	d=$(xp "string($lap[$i]/*[local-name()='DistanceMeters'])")
	n=$(awk -F, -v l=$i 'NR > 1 && $4 == l { n++ } END { print n + 0 }' "$tmp/s.csv")
	# A lap of T seconds has T records, one more or less at its ends.
	awk -v t="$t" -v n="$n" 'BEGIN { d = t - n; exit !(d <= 1 && d >= -1) }' ||
		fail "lap $i: $t s in the TCX, $n rows in the CSV"
	sum_t=$(awk -v a="$sum_t" -v b="$t" 'BEGIN { print a + b }')
	sum_d=$(awk -v a="$sum_d" -v b="$d" 'BEGIN { print a + b }')
	i=$((i + 1))
done
# The plan time the session ended at, from its log: the CSV's rows are
# whole seconds, and a late last tick ends a session at 420.1 s.
end_s=$(sed -n 's/.*"event":"end".*"session_s":\([0-9.]*\).*/\1/p' "$tmp/s.jsonl")
end=$(awk -F, 'END { print $2 }' "$tmp/s.csv")
# The laps' distance runs to that end; the last row's stops at its second.
dist=$(awk -F, -v e="$end_s" 'END { printf "%.2f", $12 + (e - $2) * $8 / 3.6 }' "$tmp/s.csv")
awk -v a="$sum_t" -v b="$end_s" 'BEGIN { d = a - b; exit !(d < 0.01 && d > -0.01) }' ||
	fail "TCX laps last $sum_t s, the plan $end_s s"
awk -v a="$sum_d" -v b="$dist" 'BEGIN { d = a - b; exit !(d < 0.05 && d > -0.05) }' ||
	fail "TCX laps cover $sum_d m, the CSV $dist m to $end_s s"
echo "TCX: $laps laps = $segments segments, $sum_t s, $sum_d m, $points points"

# ---- CSV: RFC 4180, one row a second of plan time ----
head -n 1 "$tmp/s.csv" | grep -q '^time,session_s,elapsed_s,lap,phase,pace,target_kmh,belt_kmh,speed_source,incline_pct,heart_rate_bpm,distance_m,presses,events.$' ||
	fail "CSV header: $(head -n 1 "$tmp/s.csv")"
[ "$(grep -c "$(printf '\r')\$" "$tmp/s.csv")" = $((rows + 1)) ] ||
	fail "not every CSV line ends in CRLF"
[ $((rows - 1)) = "$end" ] || fail "$rows rows for $end s of plan"
awk -F, 'END { exit !($13 == 2) }' "$tmp/s.csv" || fail "presses column does not end at 2"
grep -q 'symptom press 1 (leak): ' "$tmp/s.csv" || fail "no first press in the CSV"
grep -q 'symptom press 2 (pressure): ' "$tmp/s.csv" || fail "no second press in the CSV"
grep -q 'pause (user)' "$tmp/s.csv" || fail "no pause in the CSV"

# ---- pacectl export: names, standard output, errors ----
id=$(basename "$(ls "$tmp"/state/sessions/*.jsonl | tail -n 1)" .jsonl)
(cd "$tmp" && "$pacectl" export "$id" --state-dir "$tmp/state" --format csv -q) ||
	fail "export by session id"
cmp -s "$tmp/$id.csv" "$tmp/s.csv" || fail "$id.csv differs from the first export"
"$pacectl" export "$tmp/s.jsonl" --format fit -o - >"$tmp/stdout.fit" 2>/dev/null ||
	fail "export to standard output"
cmp -s "$tmp/stdout.fit" "$tmp/s.fit" || fail "-o - differs from the file"
"$pacectl" export "$tmp/s.jsonl" --format gpx >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown format is not a usage error"
# A log corrupted in the middle: FILE:LINE on stderr, exit 1, no output
# file, no temporary file left.
awk 'NR == 12 { print substr($0, 1, 20); next } { print }' "$tmp/s.jsonl" >"$tmp/bad.jsonl"
mkdir "$tmp/out"
"$pacectl" export "$tmp/bad.jsonl" --format fit -o "$tmp/out/bad.fit" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a bad log exported"
grep -q "bad.jsonl:12: not JSON" "$tmp/err" || fail "no FILE:LINE: $(cat "$tmp/err")"
[ -z "$(ls -A "$tmp/out")" ] || fail "a bad export left $(ls -A "$tmp/out")"
echo "PASS: TCX validates and parses back to $laps laps; CSV and pacectl export behave"
