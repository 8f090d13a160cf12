#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# After a crash the belt is not left running (paced(8) "Safety rules",
# docs/design.md "Safety rules", crash recovery). The service is SIGKILLed mid-jog
# against an external paced-sim, whose belt jogs on as a real treadmill's
# would; restarted on the same state directory it must take the session
# over: the belt to walking pace (no start, nothing faster), the session
# paused ("restarted") until an explicit resume or end, and a press
# answered with walking pace. Then the same for 'paced run', and a second
# paced on the state directory refused.
set -u
. "$top_srcdir/tests/lib.sh"
test_init crash-restart
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
state="$tmp/state"
ctl="$tmp/ctl"
svc=""

on_fail() {
	tail -n 15 "$tmp/paced.out" 2>/dev/null
	tail -n 5 "$tmp/sim.out" 2>/dev/null
	for f in "$state"/sessions/*.jsonl; do
		[ -f "$f" ] && grep -v '"sample"' "$f" | tail -n 8
	done
}

# --- the treadmill: a paced-sim whose console is a FIFO -------------------
mkfifo "$tmp/console" || fail "mkfifo"
"$sim" --listen "$tmp/sim.sock" --speedup 30 <"$tmp/console" \
	>"$tmp/sim.out" 2>&1 &
pids="$pids $!"
exec 7>"$tmp/console"
wait_socket "$tmp/sim.sock" || fail "paced-sim did not listen"

sim_answered() { [ "$(grep -c '^belt ' "$tmp/sim.out")" -gt "$1" ]; }
# The belt's speed as the simulator reports it ("status" on its console).
belt() {
	# (wait_until uses n and i: not those names.)
	lines_before=$(grep -c '^belt ' "$tmp/sim.out")
	echo status >&7
	wait_until 40 sim_answered "$lines_before" ||
		fail "paced-sim did not answer status"
	grep '^belt ' "$tmp/sim.out" | tail -n 1 |
		sed 's/.*speed \([0-9]*\.[0-9]*\) km\/h.*/\1/'
}
belt_is() { [ "$(belt)" = "$1" ]; }
belt_at_least() { awk -v v="$(belt)" -v m="$1" 'BEGIN { exit !(v >= m) }'; }

mkdir -p "$state"
cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "unix:$tmp/sim.sock"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
state_dir = "$state";
control = { socket = "$ctl"; };
speedup = 30;
CONF

start_service() {
	"$paced" -c "$tmp/paced.conf" >>"$tmp/paced.out" 2>&1 &
	svc=$!
	pids="$pids $svc"
	wait_until 100 status_matches "$ctl" '"ok":true' ||
		fail "the service did not answer"
}

# The log of the session taken over: the newest without an end line of
# outcome "interrupted".
new_log() {
	for f in $(ls -t "$state"/sessions/*.jsonl); do
		grep -q '"outcome":"interrupted"' "$f" || { echo "$f"; return; }
	done
}

# --- the service, SIGKILLed mid-jog ---------------------------------------
# kill_mid_jog SOCKET PID WHO: once the belt jogs, SIGKILL PID; what the
# crash leaves is the belt jogging with nobody in control.
kill_mid_jog() {
	wait_status "$1" '"pace":"jog"' 300
	wait_until 100 belt_at_least 7.0 || fail "$3: the belt never jogged"
	kill -9 "$2"
	wait "$2" 2>/dev/null
	belt_at_least 7.0 ||
		fail "$3: the belt did not jog on after the kill: $(belt)"
}

start_service
"$pacectl" -S "$ctl" start demo >/dev/null || fail "pacectl start"
kill_mid_jog "$ctl" "$svc" "the service"

# --- safety_belt_slowed_after_crash_restart -------------------------------
start_service
wait_until 200 belt_is 5.00 ||
	fail "safety_belt_slowed_after_crash_restart: belt at $(belt) km/h"
grep -l '"outcome":"interrupted"' "$state"/sessions/*.jsonl | grep -q . ||
	fail "the interrupted log was not closed"

# --- safety_recovered_session_waits_paused --------------------------------
wait_status "$ctl" '"reason":"restarted"'
out=$("$pacectl" -S "$ctl" status)
echo "$out" | grep -q '"state":"paused"' ||
	fail "safety_recovered_session_waits_paused: $out"
echo "$out" | grep -q '"recovered_from":"[^"]*sessions/' ||
	fail "status does not name the session taken over: $out"
log=$(new_log)
[ -n "$log" ] || fail "no log for the session taken over"
sleep 1
belt_is 5.00 || fail "the belt left walking pace while paused: $(belt)"
status_matches "$ctl" '"reason":"restarted"' ||
	fail "safety_recovered_session_waits_paused: no longer paused"
# Nothing but walking pace went to the belt: no start, nothing faster.
cmds=$(grep '"event":"command"' "$log")
echo "$cmds" | grep -q '"command":"start"' &&
	fail "a start went out after the restart: $cmds"
echo "$cmds" | grep '"command":"set-speed"' | grep -v '"value":5.00' | grep -q . &&
	fail "a speed other than walking pace went out: $cmds"

# --- a press on the session taken over: walking pace ----------------------
out=$("$pacectl" -S "$ctl" symptom) || fail "symptom after restart: $out"
echo "$out" | grep -q '"press":1' || fail "press not counted: $out"
echo "$out" | grep -q '"target_speed_kmh":5.00' ||
	fail "press not answered with walking pace: $out"
belt_is 5.00 || fail "belt after the press: $(belt)"

# --- state_dir_locked_against_a_second_paced ------------------------------
out=$("$paced" run --treadmill "unix:$tmp/sim.sock" --profile "$demo" \
	--state-dir "$state" 2>&1) && fail "a second paced ran on the state directory"
echo "$out" | grep -q "state directory $state is in use by the service (pid $svc)" ||
	fail "state_dir_locked_against_a_second_paced: $out"
belt_is 5.00 || fail "the refused paced touched the belt: $(belt)"

# --- ending it: walking pace, then stop -----------------------------------
"$pacectl" -S "$ctl" end >/dev/null || fail "pacectl end"
wait_status "$ctl" '"state":"idle"'
wait_until 200 belt_is 0.00 || fail "the belt did not stop on end: $(belt)"
kill "$svc"
wait "$svc" 2>/dev/null

# --- the same for paced run -----------------------------------------------
run() {
	"$paced" run --treadmill "unix:$tmp/sim.sock" --profile "$demo" \
		--speedup 30 --state-dir "$state" --control "$tmp/run.ctl" \
		>>"$tmp/paced.out" 2>&1 &
	rpid=$!
	pids="$pids $rpid"
	wait_until 100 status_matches "$tmp/run.ctl" '"ok":true' ||
		fail "paced run did not answer"
}
run
kill_mid_jog "$tmp/run.ctl" "$rpid" "paced run"
run
wait_until 200 belt_is 5.00 ||
	fail "safety_belt_slowed_after_crash_restart (paced run): belt at $(belt)"
wait_status "$tmp/run.ctl" '"reason":"restarted"'
out=$("$pacectl" -S "$tmp/run.ctl" symptom) || fail "paced run: symptom: $out"
echo "$out" | grep -q '"target_speed_kmh":5.00' ||
	fail "paced run: press not answered with walking pace: $out"
"$pacectl" -S "$tmp/run.ctl" stop >/dev/null
wait "$rpid"
rc=$?
[ "$rc" -eq 4 ] || fail "paced run exited $rc after a stop, want 4"
belt_is 0.00 || wait_until 200 belt_is 0.00 || fail "paced run: belt not stopped"

echo "crash-restart: belt slowed to walking pace and session paused after SIGKILL, service and paced run"
echo "# PASS: 1"
