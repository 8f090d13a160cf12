#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 'paced run' on the simulated ANT stick in advisory mode: a press gives
# a walk cue, and a person who does not slow down raises the alarm.
set -u
. "$top_srcdir/tests/lib.sh"
test_init ant
profile="$demo"

on_fail() {
	[ -f "$tmp/log.jsonl" ] && tail -n 20 "$tmp/log.jsonl"
}

# A dummy key: the simulated stick accepts any; the real one is licensed.
printf 'plugins = { usb-ant = { network_key = "00 11 22 33 44 55 66 77"; }; };\n' \
	>"$tmp/paced.conf"

# Without a key: refused, with the reason.
printf '\n' >"$tmp/nokey.conf"
"$paced" run --state-dir "$tmp/run-state" --config "$tmp/nokey.conf" --treadmill usb-ant:sim \
	--profile "$profile" >"$tmp/out" 2>&1 && fail "ran without a key"
grep -q "thisisant.com" "$tmp/out" || fail "no hint where to get a key"

# A quirk the simulated stick does not know, and a misspelt key in the
# plugin's group: usage errors that say what is wrong, and where.
"$paced" run --state-dir "$tmp/run-state" --config "$tmp/paced.conf" --treadmill usb-ant:sim \
	--sim-quirk bogus --profile "$profile" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "unknown quirk: exit status not 2"
grep -q "unknown simulated-stick quirk 'bogus'" "$tmp/out" ||
	fail "unknown quirk: $(cat "$tmp/out")"
printf 'plugins = {\n  usb-ant = {\n    network_kye = "00 11 22 33 44 55 66 77";\n  };\n};\n' \
	>"$tmp/typo.conf"
"$paced" run --state-dir "$tmp/run-state" --config "$tmp/typo.conf" --treadmill usb-ant:sim \
	--profile "$profile" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "misspelt key: exit status not 2"
grep -q "typo.conf:3: unknown key 'network_kye' for plugin usb-ant" "$tmp/out" ||
	fail "misspelt key: $(cat "$tmp/out")"

# run_case SECONDS [OPTION]...: press mid-jog, wait, stop.
run_case() {
	wait_s=$1
	shift
	rm -f "$tmp/log.jsonl" "$tmp/ctl"
	"$paced" run --state-dir "$tmp/run-state" --config "$tmp/paced.conf" --treadmill usb-ant:sim \
		--profile "$profile" "$@" \
		--control "$tmp/ctl" --log "$tmp/log.jsonl" >"$tmp/out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_status "$tmp/ctl" '"pace":"jog"' 500
	sleep 1
	"$pacectl" --socket "$tmp/ctl" symptom leak >/dev/null ||
		fail "pacectl symptom failed"
	sleep "$wait_s"
	"$pacectl" --socket "$tmp/ctl" stop >/dev/null 2>&1
	wait $pid
}

# 1: she follows the cue: walk cue after the press, no alarm (her grace
# to slow down is 10 s of real time, whatever the speedup).
run_case 12 --speedup 20
grep '"event":"cue"' "$tmp/log.jsonl" | grep -q 'slow to a walk now: 5.0 km/h' ||
	fail "no walk cue after the press"
grep -q 'person did not slow down' "$tmp/log.jsonl" &&
	fail "alarm although she slowed down"
grep -q '"event":"command"' "$tmp/log.jsonl" &&
	fail "a command was sent to an ANT+ treadmill"
echo "PASS: advisory session, cue followed"

# 2: she does not slow down: the alarm, once the grace is over. A slower
# clock keeps the 2-minute recovery walk (15 s) longer than the grace.
run_case 12 --speedup 8 --sim-quirk stubborn
grep -q 'person did not slow down' "$tmp/log.jsonl" ||
	fail "no alarm for a person who did not slow down"
echo "PASS: advisory session, person did not slow down"
exit 0
