#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Automatic export (paced.conf export): a finished session leaves its
# files in STATE/exports/, the same bytes pacectl export writes, and
# watchers see an "export" event for each; an export that fails is logged
# and reported, and the session, its log and its history stay as they are.
set -u
. "$top_srcdir/tests/lib.sh"
test_init auto-export

on_fail() {
	[ -f "$tmp/out" ] && tail -n 20 "$tmp/out"
}

# run NAME: the demo profile (7 minutes of plan, 7 s at speed-up 60)
# under paced run with $tmp/paced.conf, state in $tmp/NAME; its exit
# status in $rc, its output in $tmp/out.
run() {
	"$paced" run --config "$tmp/paced.conf" --treadmill sim \
		--profile "$demo" --speedup 60 --state-dir "$tmp/$1" \
		>"$tmp/out" 2>&1
	rc=$?
	log=$(ls "$tmp/$1"/sessions/*.jsonl 2>/dev/null) ||
		fail "$1: no session log"
	base=${log##*/}
	base=${base%.jsonl}
}

cat >"$tmp/paced.conf" <<CONF
export = { formats = [ "fit", "tcx", "csv" ]; };
CONF

# ---- auto_export_writes_every_format_of_a_finished_session ----
run ok
[ "$rc" -eq 0 ] || fail "paced run exited $rc"
for f in fit tcx csv; do
	out="$tmp/ok/exports/$base.$f"
	[ -s "$out" ] || fail "no $f file $out"
	grep -qF "{\"event\":\"export\",\"format\":\"$f\",\"path\":\"$out\",\"log\":\"$log\"}" \
		"$tmp/out" || fail "no export event for $out"
	"$pacectl" export "$log" --format $f -o "$tmp/by-hand.$f" >/dev/null ||
		fail "pacectl export --format $f"
	cmp -s "$out" "$tmp/by-hand.$f" ||
		fail "the automatic $f differs from pacectl export's"
done
# Nothing half-written is left beside them.
[ "$(ls -A "$tmp/ok/exports" | wc -l)" -eq 3 ] ||
	fail "more than the three files in exports/: $(ls -A "$tmp/ok/exports")"
echo "PASS: auto_export_writes_every_format_of_a_finished_session"

# ---- auto_export_failure_never_touches_the_session ----
# exports/ cannot be made: a file is in its place.
mkdir -p "$tmp/bad"
echo "not a directory" >"$tmp/bad/exports"
cat >"$tmp/paced.conf" <<CONF
export = { formats = [ "fit", "csv" ]; };
CONF
run bad
[ "$rc" -eq 0 ] || fail "a failed export changed paced run's exit status to $rc"
grep -q "automatic fit export of $log failed: .*exports: Not a directory; the session and its history are kept" \
	"$tmp/out" || fail "the failed export was not logged"
grep -q "\"event\":\"export\",\"format\":\"csv\",\"log\":\"$log\",\"error\":" \
	"$tmp/out" || fail "no export event with the error"
[ "$(cat "$tmp/bad/exports")" = "not a directory" ] ||
	fail "the file in the way was changed"
# The history has the session, and the log is whole: it has the
# session's end, ends with a whole line, and exports by hand.
grep -qF "\"log\":\"$log\"" "$tmp/bad/history.jsonl" ||
	fail "the session is missing from the history"
[ "$(wc -l <"$tmp/bad/history.jsonl")" -eq 1 ] ||
	fail "the history has other than one line"
[ "$(grep -c '"event":"end".*"outcome":"finished"' "$log")" -eq 1 ] ||
	fail "the session log does not have its end once"
[ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ] ||
	fail "the session log ends in a torn line"
"$pacectl" export "$log" --format fit -o "$tmp/after.fit" >/dev/null ||
	fail "the log no longer exports"
cmp -s "$tmp/after.fit" "$tmp/by-hand.fit" && fail "two sessions gave one file"
echo "PASS: auto_export_failure_never_touches_the_session"

# ---- no export setting: no exports/ ----
: >"$tmp/paced.conf"
run none
[ -e "$tmp/none/exports" ] && fail "exports/ made without an export setting"
grep -q '"event":"export"' "$tmp/out" && fail "an export event without export"
echo "PASS: auto_export_only_when_asked"
