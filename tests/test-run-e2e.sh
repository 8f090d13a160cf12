#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 'paced run' end to end against the simulator (in-process 'sim' and
# 'unix:' with paced-sim), driven through pacectl over the control socket.
set -u
. "$top_srcdir/tests/lib.sh"
test_init e2e
profile="$demo"

on_fail() {
	[ -f "$tmp/log.jsonl" ] && tail -n 20 "$tmp/log.jsonl"
}

# The value of a numeric key in one JSON line.
num() {
	sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"
}

# --- 1: a press mid-jog through the control socket ------------------
"$paced" run --state-dir "$tmp/run-state" --treadmill sim --profile "$profile" --speedup 30 \
	--control "$tmp/ctl" --log "$tmp/log.jsonl" >"$tmp/out" 2>&1 &
pid=$!
pids="$pids $pid"
wait_status "$tmp/ctl" '"pace":"jog"'
reply=$("$pacectl" --socket "$tmp/ctl" symptom leak) ||
	fail "pacectl symptom failed: $reply"
echo "$reply" | grep -q '"press":1' || fail "press not counted: $reply"
echo "$reply" | grep -q '"state":"recovery"' || fail "no recovery: $reply"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "paced run exited $rc after a scaled-back session"

# The first command after the press is walk pace, within 5 ms.
press_us=$(grep '"event":"symptom"' "$tmp/log.jsonl" | head -n 1 | num mono_us)
walk=$(awk '/"event":"symptom"/ { s = 1; next }
	    s && /"event":"command"/ { print; exit }' "$tmp/log.jsonl")
echo "$walk" | grep -q '"command":"set-speed","value":5.00' ||
	fail "first command after the press was not walk pace: $walk"
walk_us=$(echo "$walk" | num mono_us)
# Both stamps are when things happened (the press arriving, the command
# handed to the socket), not when their log lines were written.
[ $((walk_us - press_us)) -ge 0 ] && [ $((walk_us - press_us)) -lt 5000 ] ||
	fail "walk pace took $((walk_us - press_us)) us"
# Later jogs are scaled: the built-in step 1 halves them (45 s -> 22.5 s).
after=$(awk '/"event":"scaleback"/ { s = 1 } s && /"event":"segment"/ && /"jog":true/' \
	"$tmp/log.jsonl")
[ -n "$after" ] || fail "no jog after the press"
echo "$after" | grep -q '"duration_s":45.0' && fail "jogs not halved: $after"
grep -q '"event":"end".*"outcome":"finished"' "$tmp/log.jsonl" ||
	fail "no finished end line"
# Every line of the log is a complete JSON object.
grep -v '^{.*}$' "$tmp/log.jsonl" && fail "torn log line"
echo "PASS: press mid-jog ($((walk_us - press_us)) us to walk pace)"

# --- 2: SIGTERM mid-session: walk pace, stop, exit 4 -----------------
rm -f "$tmp/log.jsonl"
"$paced" run --state-dir "$tmp/run-state" --treadmill sim --profile "$profile" --speedup 30 \
	--control "$tmp/ctl" --log "$tmp/log.jsonl" >"$tmp/out" 2>&1 &
pid=$!
wait_status "$tmp/ctl" '"pace":"jog"'
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 4 ] || fail "SIGTERM: exit $rc, want 4"
tail -n 6 "$tmp/log.jsonl" | grep '"event":"command"' | tail -n 2 >"$tmp/last"
head -n 1 "$tmp/last" | grep -q '"set-speed","value":5.00' ||
	fail "SIGTERM: no walk pace before the stop"
tail -n 1 "$tmp/last" | grep -q '"command":"stop"' ||
	fail "SIGTERM: no stop"
grep -q '"event":"end".*"outcome":"aborted"' "$tmp/log.jsonl" ||
	fail "SIGTERM: no end line"
echo "PASS: SIGTERM walks, stops and exits 4"

# --- 3: unix: against paced-sim, console stop, then resume ------------
rm -f "$tmp/log.jsonl"
"$sim" --listen "$tmp/sim.sock" --speedup 30 >"$tmp/sim.out" 2>&1 &
simpid=$!
pids="$pids $simpid"
wait_socket "$tmp/sim.sock"
"$paced" run --state-dir "$tmp/run-state" --treadmill "unix:$tmp/sim.sock" --profile "$profile" \
	--speedup 30 --control "$tmp/ctl" --log "$tmp/log.jsonl" \
	>"$tmp/out" 2>&1 &
pid=$!
pids="$pids $pid"
wait_status "$tmp/ctl" '"pace":"jog"'
"$pacectl" --socket "$tmp/ctl" symptom >/dev/null || fail "unix: symptom"
"$pacectl" --socket "$tmp/ctl" stop >/dev/null || fail "unix: stop"
wait $pid
rc=$?
[ $rc -eq 4 ] || fail "unix: stop: exit $rc, want 4"
grep -q '"command":"set-speed","value":5.00' "$tmp/log.jsonl" ||
	fail "unix: no walk pace"
kill $simpid 2>/dev/null
echo "PASS: unix: transport with paced-sim"

# --- 4: a programme over sessions: history, next, pre-session check -----
prog="$top_srcdir/profiles/return-to-running.programme"
state="$tmp/state"
runprog() {
	answer=$1
	shift
	printf '%s' "$answer" | "$paced" run --treadmill sim --programme "$prog" \
		--precheck --speedup 1000 --state-dir "$state" "$@" \
		>"$tmp/out" 2>&1
}
# A fresh history starts with the preparation phase, run with no
# treadmill (tests/test-exercise.sh runs it in full).
state="$tmp/prep"
runprog n || fail "preparation session: exit $?"
grep -q 'stage PREP1 (start)' "$tmp/out" ||
	fail "first stage: $(grep stage "$tmp/out")"
grep -q '"stage":"PREP1".*"completed":true' "$state/history.jsonl" ||
	fail "the preparation session is not in the history"
# Done already: she takes the P0 offered.
state="$tmp/state"
runprog n --stage P0 || fail "programme session 1: exit $?"
grep -q 'stage P0 (start)' "$tmp/out" || fail "first stage: $(grep stage "$tmp/out")"
runprog n || fail "programme session 2"
grep -q 'stage P0 (need-clean)' "$tmp/out" ||
	fail "second stage: $(grep stage "$tmp/out")"
"$pacectl" next --programme "$prog" --state-dir "$state" >"$tmp/next" ||
	fail "pacectl next"
grep -q '^Next: P1 ' "$tmp/next" || fail "two clean P0 sessions: $(cat "$tmp/next")"
# Symptoms reported before the session: walk only today.
runprog y || fail "programme session 3"
grep -q 'stage P0 (walk-precheck)' "$tmp/out" ||
	fail "precheck: $(grep stage "$tmp/out")"
"$pacectl" history --state-dir "$state" >"$tmp/hist" || fail "pacectl history"
[ "$(grep -c '  run  ' "$tmp/hist")" -eq 3 ] || fail "history: $(cat "$tmp/hist")"
grep -q 'precheck' "$tmp/hist" || fail "history lacks the precheck"
echo "PASS: programme progression, history and next"

# --- 5: errors the person sees ---------------------------------------
printf 'name = "bad";\nmain = ( { jog = "0:00"; } );\n' >"$tmp/bad.cfg"
"$paced" run --state-dir "$tmp/run-state" --treadmill sim --profile "$tmp/bad.cfg" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bad profile: exit $rc, want 2"
grep -q "bad.cfg:2:" "$tmp/err" || fail "bad profile: no file:line: $(cat "$tmp/err")"
"$paced" run --state-dir "$tmp/run-state" --treadmill "unix:$tmp/nobody.sock" --profile "$profile" \
	--log "$tmp/x.jsonl" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] || fail "unreachable: exit $rc, want 3"
grep -q "no ATT server socket at that path" "$tmp/err" ||
	fail "unreachable: unclear message: $(cat "$tmp/err")"
[ -e "$tmp/x.jsonl" ] && fail "unreachable: a session log for a session that never started"
"$paced" run --state-dir "$tmp/run-state" --treadmill "bogus" --profile "$profile" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bad address: exit $rc, want 2"
grep -q "bogus: not a treadmill address" "$tmp/err" ||
	fail "bad address: unclear message: $(cat "$tmp/err")"
"$pacectl" --socket "$tmp/none" status 2>/dev/null && fail "status without daemon"
echo "PASS: errors"

# --- 6: a driver built out of tree, on an address scheme of its own -----
# tests/plugins/model-treadmill.c knows only <paced/plugin.h>; nothing in
# paced names "model:". Its settings come from paced.conf as any driver's.
printf 'plugins = { model-treadmill = { min_speed = 0.8; }; };\n' \
	>"$tmp/model.conf"
rm -f "$tmp/log.jsonl"
PACED_PLUGIN_PATH="$top_builddir/tests/plugins/.libs" \
"$paced" run --state-dir "$tmp/run-state" --config "$tmp/model.conf" --treadmill model:belt1 \
	--profile "$profile" --speedup 100 --control "$tmp/ctl" \
	--log "$tmp/log.jsonl" >"$tmp/out" 2>&1 &
pid=$!
pids="$pids $pid"
wait_status "$tmp/ctl" '"pace":"jog"'
"$pacectl" --socket "$tmp/ctl" symptom >/dev/null || fail "model: symptom"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "model: paced run exited $rc: $(tail -n 5 "$tmp/out")"
grep -q '"event":"open".*"treadmill":"model:belt1"' "$tmp/log.jsonl" ||
	fail "model: the session did not run on model:belt1"
grep -q '"event":"caps".*"speed_min_kmh":0.80' "$tmp/log.jsonl" ||
	fail "model: its settings did not reach it"
walk=$(awk '/"event":"symptom"/ { s = 1; next }
	    s && /"event":"command"/ { print; exit }' "$tmp/log.jsonl")
echo "$walk" | grep -q '"command":"set-speed","value":5.00' ||
	fail "model: first command after the press was not walk pace: $walk"
grep -q '"event":"end".*"outcome":"finished"' "$tmp/log.jsonl" ||
	fail "model: no finished end line"
# An address no driver takes names every installed driver's forms.
PACED_PLUGIN_PATH="$top_builddir/tests/plugins/.libs" \
"$paced" run --state-dir "$tmp/run-state" --treadmill "nothing:1" --profile "$profile" 2>"$tmp/err"
[ $? -eq 2 ] || fail "unknown scheme: exit status not 2"
grep -q "model:NAME" "$tmp/err" ||
	fail "unknown scheme: the forms do not name model:NAME: $(cat "$tmp/err")"
echo "PASS: a driver built out of tree runs a session (model:belt1)"
exit 0
