#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash consistency: SIGKILL 'paced run' at random moments of sessions.
# Every session log must parse line by line (tests/crash/jsonl-check) and
# hold every symptom press that pacectl saw acknowledged before the kill.
# CRASH_RUNS (default 100) kills that land in a live session (a session
# that scale-back ended before its kill does not count; at most 3x as many
# sessions are run); CRASH_SEED repeats a run.
set -u
. "$top_srcdir/tests/lib.sh"
KILL_SIGNAL=9
test_init crash
check="$top_builddir/tests/crash/jsonl-check"
profile="$demo"
runs=${CRASH_RUNS:-100}
seed=${CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

echo "crash-consistency: $runs kills, seed $seed (CRASH_SEED=$seed to repeat)"
# The random plan: per run, a delay before each of up to 3 presses and
# before the kill, in ms: at most 3.6 s, inside demo.cfg's 4.2 s at
# --speedup 100, so every kill lands in a live session.
awk -v n="$((runs * 3))" -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < n; i++)
	printf "%d %d %d %d %d\n", int(rand() * 4), int(rand() * 1200),
		int(rand() * 600), int(rand() * 600), int(rand() * 1200) }' \
	>"$tmp/plan"

ms() {
	sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"
}

fail=0 run=0 acked_total=0 killed_mid=0
kinds="leak heaviness pain any"
while read -r npress d0 d1 d2 dk; do
	[ "$killed_mid" -ge "$runs" ] && break
	run=$((run + 1))
	log="$tmp/log-$run.jsonl"
	ctl="$tmp/ctl"
	rm -f "$ctl"
	"$paced" run --state-dir "$tmp/run-state" --treadmill sim --profile "$profile" --speedup 100 \
		--control "$ctl" --log "$log" >"$tmp/out" 2>&1 &
	pid=$!
	: >"$tmp/acks"
	i=0
	while [ ! -S "$ctl" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
	p=0
	for d in $d0 $d1 $d2; do
		[ $p -ge "$npress" ] && break
		p=$((p + 1))
		ms "$d"
		kind=$(echo $kinds | cut -d' ' -f$(((run + p) % 4 + 1)))
		# Only a reply that says ok counts as acknowledged.
		"$pacectl" --socket "$ctl" symptom "$kind" 2>/dev/null |
			grep '"ok":true' >>"$tmp/acks"
	done
	ms "$dk"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=""
	if [ ! -f "$log" ]; then
		continue	# killed before the log was opened: nothing to lose
	fi
	# Mid-session: the log has no end line (scale-back can end early).
	grep -q '"event":"end"' "$log" || killed_mid=$((killed_mid + 1))
	if ! "$check" "$log" >/dev/null 2>"$tmp/err"; then
		echo "FAIL: run $run: $(cat "$tmp/err")" >&2
		fail=$((fail + 1))
		continue
	fi
	acks=$(wc -l <"$tmp/acks")
	acked_total=$((acked_total + acks))
	logged=$(grep -c '"event":"symptom"' "$log")
	if [ "$logged" -lt "$acks" ]; then
		echo "FAIL: run $run: $acks presses acknowledged, $logged logged" >&2
		fail=$((fail + 1))
		continue
	fi
	# A counted press (press > 0) is in the log under its own number.
	for n in $(sed -n 's/.*"press":\([1-9][0-9]*\).*/\1/p' "$tmp/acks"); do
		grep '"event":"symptom"' "$log" | grep -q "\"press\":$n," || {
			echo "FAIL: run $run: acknowledged press $n not in log" >&2
			fail=$((fail + 1))
		}
	done
done <"$tmp/plan"

echo "crash-consistency: $run sessions, $killed_mid killed mid-session, $acked_total acknowledged presses, $fail failures"
[ "$killed_mid" -ge "$runs" ] || {
	echo "FAIL: only $killed_mid of $runs kills landed mid-session" >&2
	fail=1
}
# Summary lines in automake's form (one test), which .ci/run adds up.
if [ $fail -eq 0 ]; then echo "# PASS: 1"; else echo "# FAIL: 1"; fi
[ $fail -eq 0 ]
