#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a real sped-up session on the simulated treadmill with two symptom
# presses and a pause, driven through pacectl, and exports it three ways.
# Sourced by the export tests with session_dir=DIR set; leaves in DIR the
# state directory state/, the log s.jsonl, and s.fit, s.tcx, s.csv).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

out=${session_dir:?}
paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
mkdir -p "$out/state"

session_fail() {
	echo "FAIL: $*" >&2
	for f in "$out"/state/sessions/*.jsonl; do
		[ -f "$f" ] && tail -n 20 "$f" >&2
	done
	[ -f "$out/paced.out" ] && tail -n 20 "$out/paced.out" >&2
	exit 1
}

# Wait until 'pacectl status' matches an extended regex (at most ~10 s).
session_wait() {
	i=0
	while [ $i -lt 200 ]; do
		"$pacectl" --socket "$out/ctl" status 2>/dev/null | grep -Eq "$1" &&
			return 0
		sleep 0.05
		i=$((i + 1))
	done
	session_fail "status never matched $1"
}

session_ctl() {
	"$pacectl" --socket "$out/ctl" "$@" >/dev/null ||
		session_fail "pacectl $* failed"
}

# demo.cfg: 7 minutes of plan, 7 s at speed-up 60. Press in the first
# jog, pause and resume in the recovery walk it starts, press again once
# running. No --log: the log goes to the state directory, as the
# service's do, so 'pacectl export latest' finds it.
"$paced" run --treadmill sim --profile "$top_srcdir/profiles/demo.cfg" \
	--speedup 60 --control "$out/ctl" --state-dir "$out/state" \
	>"$out/paced.out" 2>&1 &
session_pid=$!
session_wait '"pace":"jog"'
session_ctl symptom leak
session_wait '"state":"recovery"'
sleep 0.3
session_ctl pause
session_wait '"state":"paused"'
sleep 0.5
session_ctl resume
# Running again; on a slow machine the recovery walk may have reached the
# cool-down, where a press still counts.
session_wait '"state":"(running|cooldown)"'
session_ctl symptom pressure
wait $session_pid
rc=$?
[ $rc -eq 0 ] || session_fail "paced run exited $rc"

for fmt in fit tcx csv; do
	"$pacectl" export latest --state-dir "$out/state" --format $fmt \
		-o "$out/s.$fmt" 2>"$out/export-$fmt.err" ||
		session_fail "pacectl export $fmt: $(cat "$out/export-$fmt.err")"
done
cp "$(ls "$out"/state/sessions/*.jsonl | tail -n 1)" "$out/s.jsonl"
