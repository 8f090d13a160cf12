#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The service end to end: paced with the sim and evdev plugins on a
# temporary paced.conf, sessions driven through pacectl and a scripted
# evdev button (input_event records written to the evdev plugin's test FIFO).
set -u
. "$top_srcdir/tests/lib.sh"
test_init svc
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "${wpid:-}" ] && kill $wpid 2>/dev/null; rm -rf "$tmp"' EXIT

on_fail() {
	[ -f "$tmp/paced.out" ] && tail -n 20 "$tmp/paced.out"
	for f in "$tmp"/state/sessions/*.jsonl; do
		[ -f "$f" ] && grep -v '"sample"' "$f" | tail -n 15
	done
}

# struct input_event is 24 bytes on 64-bit Linux (16 on 32-bit) and the
# fields are little-endian on the machines we write bytes for here.
[ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] ||
	{ echo "SKIP: big-endian host, the byte writer below is little-endian"; exit 77; }
tv_bytes=16
[ "$(getconf LONG_BIT)" = 32 ] && tv_bytes=8

le16() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8 & 255)))"; }
ev() {	# TYPE CODE VALUE
	head -c $tv_bytes /dev/zero
	le16 "$1"; le16 "$2"; le16 "$3"; le16 0
}
key() {	# CODE VALUE: a key record and its SYN_REPORT
	{ ev 1 "$1" "$2"; ev 0 0 0; } >"$tmp/button"
}
KEY_ENTER=28 KEY_S=31

mkfifo "$tmp/button" || fail "mkfifo"
mkdir -p "$tmp/state"
cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 30;
plugins = {
	sim = { speedup = 30; };
	evdev = {
		fifo = "$tmp/button";
		keys = { KEY_ENTER = "symptom"; KEY_S = "start"; };
	};
};
CONF

# --- config checks ----------------------------------------------------
out=$("$paced" -n -c "$tmp/paced.conf") || fail "paced -n: $out"
printf 'user = {\n  jog = 12.0; speed_cap = 9.0; };\n' >"$tmp/bad.conf"
out=$("$paced" --check-config -c "$tmp/bad.conf" 2>&1) && fail "bad config accepted"
echo "$out" | grep -q "bad.conf:2: jog 12.0 km/h is above speed_cap 9.0 km/h" ||
	fail "no file:line error: $out"
# An address no driver plugin takes: the plugins say which forms they take.
for a in nope usb-antenna C4:3A:91:0B:22; do
	printf 'treadmill = {\n  address = "%s"; };\n' "$a" >"$tmp/addr.conf"
	out=$(PACED_PLUGIN_PATH="$top_builddir/plugins/.libs" \
	      "$paced" -n -c "$tmp/addr.conf" 2>&1) && fail "address $a accepted"
	echo "$out" | grep -q "addr.conf:2: address '$a' is not a treadmill address (the installed drivers take: .*sim | unix:PATH" ||
		fail "address $a: no file:line error naming the forms: $out"
done

# --- start the service -------------------------------------------------
service_ready() {	# until the control socket answers; $1 names the service
	wait_until 200 status_matches "$tmp/ctl" . ||
		fail "$1 never answered on $tmp/ctl"
}
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
service_ready "the service"
grep -q "plugin sim .* loaded" "$tmp/paced.out" || fail "sim plugin not loaded"
grep -q "plugin evdev .* loaded" "$tmp/paced.out" || fail "evdev plugin not loaded"

# A second daemon on the same socket refuses, and leaves the first alone.
out=$("$paced" -d -c "$tmp/paced.conf" 2>&1) && fail "second paced started"
echo "$out" | grep -q "another paced is already running on $tmp/ctl" ||
	fail "second paced: unclear message: $out"
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"idle"' ||
	fail "first paced lost its socket"

# No scanner plugin loaded: scan says which one it needs.
out=$("$pacectl" -S "$tmp/ctl" scan --seconds 1 2>&1) && fail "scan without a scanner"
echo "$out" | grep -q "no Bluetooth driver loaded (plugin ftms-ble)" ||
	fail "scan without a scanner: $out"

session_log() { ls -t "$tmp"/state/sessions/*.jsonl | head -n 1; }

# --- 1: a whole session through pacectl ----------------------------------
# No session, but the treadmill is reachable: walking pace anyway.
out=$("$pacectl" -S "$tmp/ctl" symptom) || fail "symptom with no session: $out"
echo "$out" | grep -q "no session running: walking pace goes to the treadmill" ||
	fail "symptom with no session: $out"
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
out=$("$pacectl" -S "$tmp/ctl" start demo 2>&1) && fail "second start accepted"
echo "$out" | grep -q "already running" || fail "second start: $out"
"$pacectl" -S "$tmp/ctl" watch >"$tmp/watch" 2>&1 &
wpid=$!
wait_status "$tmp/ctl" '"pace":"jog"' 300
reply=$("$pacectl" -S "$tmp/ctl" symptom leak) || fail "symptom: $reply"
echo "$reply" | grep -q '"press":1' || fail "press not counted: $reply"
echo "$reply" | grep -q '"state":"recovery"' || fail "no recovery: $reply"
"$pacectl" -S "$tmp/ctl" status | grep -q '"presses":1' || fail "status"
"$pacectl" -S "$tmp/ctl" stop >/dev/null || fail "pacectl stop"
wait_status "$tmp/ctl" '"state":"idle"' 300
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
wpid=""
log=$(session_log)
walk=$(awk '/"event":"symptom"/ { s = 1; next }
	    s && /"event":"command"/ { print; exit }' "$log")
echo "$walk" | grep -q '"command":"set-speed","value":5.00' ||
	fail "first command after the press was not walk pace: $walk"
grep -q '"event":"symptom".*"kind":"leak","press":1' "$log" || fail "no press in log"
grep -q '"event":"end".*"outcome":"aborted"' "$log" || fail "no end line"
grep -q '"command":"stop"' "$log" || fail "treadmill never told to stop"
grep -q '"event":"symptom"' "$tmp/watch" || fail "watch saw no press"
grep -q '"event":"session-end"' "$tmp/watch" || fail "watch saw no end"
grep -v '^{.*}$' "$log" && fail "torn log line"
grep -q '"outcome":"aborted"' "$tmp/state/history.jsonl" || fail "no history"
echo "PASS: session through pacectl (start, watch, symptom, status, stop)"

# --- 2: a session through a button -----------------------------------------
key $KEY_S 1; key $KEY_S 0
wait_status "$tmp/ctl" '"pace":"jog"' 300
key $KEY_ENTER 1
wait_status "$tmp/ctl" '"presses":1' 300
key $KEY_ENTER 0
# Hold past 2 s: the long press ends the session through its cool-down.
key $KEY_ENTER 1
sleep 2.3
key $KEY_ENTER 0
wait_status "$tmp/ctl" '"state":"idle"' 300
log=$(session_log)
walk=$(awk '/"event":"symptom"/ { s = 1; next }
	    s && /"event":"command"/ { print; exit }' "$log")
echo "$walk" | grep -q '"command":"set-speed","value":5.00' ||
	fail "button press did not bring walk pace: $walk"
grep -q '"event":"symptom".*"kind":"any","press":1' "$log" ||
	fail "button press not logged"
grep -q '"event":"symptom".*"kind":"long-press"' "$log" ||
	fail "long press not logged"
grep -q '"event":"end"' "$log" || fail "no end line"
grep -q '"command":"stop"' "$log" || fail "treadmill never told to stop"
echo "PASS: session through an evdev button (start, press, long press)"

# --- 3: start's other forms ------------------------------------------------
out=$("$pacectl" -S "$tmp/ctl" start --programme 2>&1) && fail "no programme, yet started"
echo "$out" | grep -q "no programme in paced.conf" || fail "start --programme: $out"
out=$("$pacectl" -S "$tmp/ctl" start ../../etc/passwd 2>&1) && fail "path escape accepted"
"$pacectl" -S "$tmp/ctl" start "$top_srcdir/profiles/walk-only.cfg" >/dev/null ||
	fail "start by absolute path"
wait_status "$tmp/ctl" '"state":"running"' 300
"$pacectl" -S "$tmp/ctl" stop >/dev/null || fail "pacectl stop"
wait_status "$tmp/ctl" '"state":"idle"' 300
grep -q '"event":"open".*walk-only.cfg' "$(session_log)" || fail "walk-only not run"
echo "PASS: start by path; bad starts refused"

# --- 4: SIGTERM mid-session: walk pace, stop, record, exit 0 --------------
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
wait_status "$tmp/ctl" '"pace":"jog"' 300
kill -TERM $pid
wait $pid
rc=$?
pid=""
[ $rc -eq 0 ] || fail "paced exited $rc on SIGTERM mid-session"
log=$(session_log)
awk '/"event":"end"/ { s = 1 } s && /"command":"stop"/ { f = 1 } END { exit !f }' \
	"$log" || fail "no stop command after the end on SIGTERM"
[ "$(tail -n 1 "$tmp/state/history.jsonl" | grep -c "$log")" = 1 ] ||
	fail "SIGTERM session not in the history"
[ -e "$tmp/ctl" ] && fail "control socket left behind"
echo "PASS: SIGTERM mid-session stops the belt and exits 0"
# --- 5: scan, profiles, sinks, SIGHUP and a treadmill found by name -------
if [ ! -f "$top_builddir/plugins/.libs/usb-ant.so" ]; then
	echo "SKIP: scan, profiles, sinks, SIGHUP: they run on the usb-ant plugin (configured --without-usb)"
	exit 0
fi
# A second service: the usb-ant driver (advisory sessions, the simulated
# stick), the cue-command sink speaking through a script, and two test
# plugins: a scanner reporting fixed fake advertisers (no radio here) and
# a sink writing each event it gets to a file. The sim driver is not
# listed: naming a treadmill it drives must load it.
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs:$top_builddir/tests/plugins/.libs"
mkdir -p "$tmp/profiles"
cp "$top_srcdir/profiles/demo.cfg" "$tmp/profiles/"
printf 'name = "Broken";\nmain = (\n  { jog = "1:00"; speed = 30.0; }\n);\n' \
	>"$tmp/profiles/broken.cfg"
bconf() {	# TREADMILL JOG [EXTRA]
	cat >"$tmp/b.conf" <<CONF
treadmill = { address = "$1"; };
user = { walk = 5.0; jog = $2; speed_cap = 9.0; };
profile_dir = "$tmp/profiles";
profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 40;
plugins = {
	usb-ant = { network_key = "00 11 22 33 44 55 66 77"; };
	test-scanner = { duration_ms = 1500; };
	test-sink = { file = "$tmp/sink"; };
	cue-command = {
		command = "/bin/sh";
		args = [ "-c", "echo \"\$1\" >>'$tmp/said'", "say" ];
		kinds = [ "symptom" ];
	};
};
${3:-}
CONF
}
bconf usb-ant:sim 7.5
"$paced" -d -c "$tmp/b.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
service_ready "the second service"

out=$("$pacectl" -S "$tmp/ctl" profiles --json) || fail "profiles: $out"
echo "$out" | grep -q '{"file":"demo.cfg","valid":true,"name":"Demo - 3 short jogs in 7 minutes","total_s":420' ||
	fail "profiles: demo.cfg not listed as valid: $out"
echo "$out" | grep -q '{"file":"broken.cfg","valid":false,"error":"[^"]*/broken.cfg:3: ' ||
	fail "profiles: broken.cfg without its file:line error: $out"
out=$("$pacectl" -S "$tmp/ctl" profiles) || fail "profiles (table)"
echo "$out" | grep -q '^\* demo.cfg .* 7:00  ok$' || fail "profiles table: $out"
echo "PASS: pacectl profiles lists the profile directory, errors with file:line"

out=$("$pacectl" -S "$tmp/ctl" scan --seconds 1 --json) || fail "scan: $out"
# The machine seen twice counts once, with its newest name and RSSI.
[ "$(echo "$out" | grep -o 'AA:BB:CC:DD:EE:01' | wc -l)" = 1 ] ||
	fail "scan: an address listed twice: $out"
echo "$out" | grep -q '"address":"AA:BB:CC:DD:EE:01/public","name":"Horizon T101","rssi":-58,"ftms":true,"treadmill":true,"machine_type":1' ||
	fail "scan: newest information not kept: $out"
out=$("$pacectl" -S "$tmp/ctl" scan --seconds 1 2>/dev/null) || fail "scan (table)"
echo "$out" | grep -q '^AA:BB:CC:DD:EE:01  public   -58  treadmill      Horizon T101$' ||
	fail "scan table: $out"
echo "$out" | grep -q '11:22:33:44:55:66' && fail "scan table lists a non-FTMS phone"
"$pacectl" -S "$tmp/ctl" scan --seconds 61 2>/dev/null
[ $? = 2 ] || fail "scan --seconds 61 not a usage error"
# A client gone before its late reply: the service goes on, scans again.
timeout 0.3 "$pacectl" -S "$tmp/ctl" scan --seconds 1 >/dev/null 2>&1
sleep 1.2
"$pacectl" -S "$tmp/ctl" scan --seconds 1 --json | grep -q '"Sim T1"' ||
	fail "no scan after a client left mid-scan"
echo "PASS: pacectl scan through the service (late reply, client gone)"

# An advisory session: every event to the sinks, the cue's parts with it.
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start on usb-ant:sim"
wait_status "$tmp/ctl" '"pace":"jog"' 300
out=$("$pacectl" -S "$tmp/ctl" scan --seconds 1 2>&1) && fail "scan during a session"
echo "$out" | grep -q "a session is running" || fail "scan during a session: $out"
"$pacectl" -S "$tmp/ctl" symptom leak >/dev/null || fail "symptom on usb-ant:sim"
wait_grep "$tmp/said" "slow to a walk now: 5.0 km/h" \
	"cue-command never spoke the walk cue"
grep -q "$(printf 'cue\tsymptom\tslow to a walk now: 5.0 km/h. Jogs are half as long from here\t500')" "$tmp/sink" ||
	fail "the sink got no symptom cue with its kind, text and speed"
grep -q "$(printf '^symptom\t-\t-\t0\t-\t-\t-$')" "$tmp/sink" || fail "the sink got no symptom event"
grep -q "$(printf '^session-start\t')" "$tmp/sink" || fail "the sink got no session-start"
grep -q "jog now" "$tmp/said" && fail "cue-command spoke a kind it was not given"

# SIGHUP with a bad file: the old configuration stays, the error has its line.
cp "$tmp/b.conf" "$tmp/b.good"
printf 'user = {\n  jog = 30; };\n' >>"$tmp/b.conf"
kill -HUP $pid
wait_grep "$tmp/paced.out" "SIGHUP: $tmp/b.conf:[0-9]*: " \
	"bad config on SIGHUP: no file:line error"
grep -q "keeping the configuration in use" "$tmp/paced.out" || fail "SIGHUP: bad file not kept out"
# A good one mid-session: the next session gets it, not this one.
bconf "name:Sim T1" 6.0
kill -HUP $pid
wait_grep "$tmp/paced.out" "SIGHUP: $tmp/b.conf applied from the next session on" \
	"SIGHUP mid-session not applied to the next session"
out=$("$pacectl" -S "$tmp/ctl" status) || fail "status after SIGHUP"
echo "$out" | grep -q '"next":{"treadmill":"name:Sim T1","adapter":"","walk_kmh":5.00,"jog_kmh":6.00' ||
	fail "status does not show the reloaded settings: $out"
echo "$out" | grep -q '"state":"\(recovery\|running\)"' ||
	fail "the running session was disturbed: $out"
"$pacectl" -S "$tmp/ctl" stop >/dev/null || fail "stop"
wait_status "$tmp/ctl" '"state":"idle"' 300
grep -q '"event":"command"' "$(session_log)" && fail "a command went to the ANT+ treadmill"
echo "PASS: sinks get every event and the cue's parts (cue-command spoke)"

# The next session: the treadmill found by name, its driver loaded on
# demand, the new jog pace.
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start by name"
wait_status "$tmp/ctl" '"pace":"jog"' 300
grep -q "treadmill 'Sim T1' found at sim" "$tmp/paced.out" || fail "not found by name"
grep -q "treadmill 'sim': loaded the sim plugin it needs" "$tmp/paced.out" ||
	fail "the sim driver was not loaded on demand"
"$pacectl" -S "$tmp/ctl" stop >/dev/null || fail "stop"
wait_status "$tmp/ctl" '"state":"idle"' 300
log=$(session_log)
grep -q '"event":"open".*"treadmill":"sim"' "$log" || fail "session not on the found address"
grep -q '"command":"set-speed","value":6.00' "$log" || fail "jog pace from SIGHUP not used"
echo "PASS: SIGHUP applies to the next session; a treadmill found by name"

bconf "name:Nobody" 6.0 'plugin_dir = "/nowhere";'
kill -HUP $pid
i=0
until grep -q "SIGHUP: $tmp/b.conf applied" "$tmp/paced.out" &&
	grep -q "restart paced to apply the new plugin list or directory" "$tmp/paced.out"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "SIGHUP: a new plugin_dir not reported as needing a restart"
	sleep 0.05
done
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start by an unknown name"
wait_grep "$tmp/paced.out" "treadmill 'Nobody' not seen in 10 s" \
	"no error for a treadmill never seen"
wait_status "$tmp/ctl" '"state":"idle"' 300
kill -TERM $pid
wait $pid || fail "second service did not exit cleanly"
pid=""
echo "PASS: a treadmill never seen ends the start with a clear error"

# --- 6: an unlisted driver is mapped only when a session needs it -------
cat >"$tmp/c.conf" <<CONF
treadmill = { address = "sim"; };
profile_dir = "$tmp/profiles"; profile = "demo";
state_dir = "$tmp/state"; control = { socket = "$tmp/ctl"; };
speedup = 40;
CONF
"$paced" -d -c "$tmp/c.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
service_ready "the third service"
grep -q "plugin sim .* is loaded when a session needs it" "$tmp/paced.out" ||
	fail "the third service did not say where its driver is"
grep -q '/sim\.so$' "/proc/$pid/maps" &&
	fail "an idle service mapped a driver plugin no session needed yet"
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start with the driver unloaded"
wait_status "$tmp/ctl" '"pace":"jog"' 300
grep -q '/sim\.so$' "/proc/$pid/maps" || fail "the sim driver was not loaded for the session"
kill -TERM $pid
wait $pid || fail "third service did not exit cleanly"
pid=""
echo "PASS: a driver plugin is loaded when the first session needs it"

# --- 6b: the check-in through the service, for a user who is not root ----
cat >"$tmp/k.conf" <<CONF
treadmill = { address = "sim"; };
profile_dir = "$top_srcdir/profiles";
programme = "$top_srcdir/profiles/return-to-running.programme";
state_dir = "$tmp/kstate"; control = { socket = "$tmp/ctl"; };
CONF
mkdir "$tmp/kstate"
"$paced" -d -c "$tmp/k.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
service_ready "the check-in service"
out=$("$pacectl" -S "$tmp/ctl" checkin --service --leak no --heaviness no \
	--pain 0 --bleeding no --json </dev/null) || fail "checkin --service: $out"
echo "$out" | grep -q '"ok":true,"checkin":"leak=no,heaviness=no,pain=0,bleeding=no"' ||
	fail "the service did not take the check-in: $out"
# The whole ladder comes with it, for a front end that draws it.
echo "$out" | grep -q '"ladder":\[{"stage":"PREP1",.*"belt":false},{"stage":"PREP2",.*{"stage":"P0",.*"belt":true}' ||
	fail "no ladder in the decision: $out"
grep -q '"type":"checkin","leak":"no","heaviness":"no","pain":0,"bleeding":"no"' \
	"$tmp/kstate/history.jsonl" || fail "the check-in is not in the service's history"
# A red flag: walk only today, and the physiotherapist advice.
out=$("$pacectl" -S "$tmp/ctl" checkin --service --answers \
	leak=no,heaviness=yes,pain=0,bleeding=no --json </dev/null) ||
	fail "checkin --service (heaviness): $out"
echo "$out" | grep -q '"reason":"walk-red-flag"' && echo "$out" | grep -q '"refer":true' ||
	fail "heaviness at the check-in did not make today walk only: $out"
# Refused, nothing recorded: a bad answer, a next-day answer nobody waits for.
lines=$(wc -l <"$tmp/kstate/history.jsonl")
out=$("$pacectl" -S "$tmp/ctl" checkin --service --answers leak=maybe </dev/null 2>&1) &&
	fail "a bad answer was accepted: $out"
echo "$out" | grep -q "leak" || fail "bad answer, unclear error: $out"
out=$("$pacectl" -S "$tmp/ctl" checkin --service --answers \
	leak=no,heaviness=no,pain=0,bleeding=no --next-day yes </dev/null 2>&1) &&
	fail "a next-day answer with no session was accepted: $out"
echo "$out" | grep -q "no session is waiting" || fail "next-day refusal: $out"
[ "$(wc -l <"$tmp/kstate/history.jsonl")" = "$lines" ] ||
	fail "a refused check-in was recorded"
kill -TERM $pid
wait $pid || fail "the check-in service did not exit cleanly"
pid=""
echo "PASS: checkin_through_the_service_decides_with_its_history"

# --- 7: a driver built out of tree, through the service -----------------
cat >"$tmp/m.conf" <<CONF
treadmill = { address = "model:belt2"; };
profile_dir = "$tmp/profiles"; profile = "demo";
state_dir = "$tmp/state"; control = { socket = "$tmp/ctl"; };
speedup = 40;
plugins = { model-treadmill = { min_speed = 0.8; }; };
CONF
PACED_PLUGIN_PATH="$top_builddir/tests/plugins/.libs:$PACED_PLUGIN_PATH" \
	"$paced" -n -c "$tmp/m.conf" >/dev/null || fail "model:belt2 refused by --check-config"
PACED_PLUGIN_PATH="$top_builddir/tests/plugins/.libs:$PACED_PLUGIN_PATH" \
	"$paced" -d -c "$tmp/m.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
service_ready "the fourth service"
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start on model:belt2"
wait_status "$tmp/ctl" '"pace":"jog"' 300
reply=$("$pacectl" -S "$tmp/ctl" symptom pain) || fail "symptom on model:belt2: $reply"
echo "$reply" | grep -q '"press":1' || fail "model: press not counted: $reply"
log=$(session_log)
grep -q '"event":"open".*"treadmill":"model:belt2"' "$log" ||
	fail "the session did not run on model:belt2"
awk '/"event":"symptom"/ { s = 1; next } s && /"event":"command"/ { print; exit }' \
	"$log" | grep -q '"set-speed","value":5.00' ||
	fail "model: no walk pace after the press"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
kill -TERM $pid
wait $pid || fail "fourth service did not exit cleanly"
pid=""
echo "PASS: a driver built out of tree runs a session through the service"

# --- 8: an ANT+ stick finds its treadmill again by itself ----------------
# The simulated treadmill goes quiet for 20 s of its time, 25 s in: the
# stick searches and finds it again. The service must wait for that, not
# close and reopen the stick (which would restart the search).
if [ -f "$top_builddir/plugins/.libs/usb-ant.so" ]; then
	cat >"$tmp/a.conf" <<CONF
treadmill = { address = "usb-ant:sim"; };
profile_dir = "$tmp/profiles"; profile = "demo";
state_dir = "$tmp/state"; control = { socket = "$tmp/ctl"; };
speedup = 20;
plugins = { usb-ant = { network_key = "00 11 22 33 44 55 66 77";
			quirks = [ "drop=25+20" ]; }; };
CONF
	"$paced" -d -c "$tmp/a.conf" >"$tmp/paced.out" 2>&1 &
	pid=$!
	service_ready "the ANT+ service"
	"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start on usb-ant:sim"
	wait_grep "$(session_log)" '"event":"link","up":false' \
		"the simulated ANT+ treadmill never went quiet" 300
	# Up at bring-up, then up again after the drop, in the same log.
	ups() { [ "$(grep -c '"event":"link","up":true' "$(session_log)")" -ge 2 ]; }
	wait_until 400 ups || fail "the stick did not find the treadmill again"
	grep -q "link lost; reconnecting\|reconnect" "$tmp/paced.out" &&
		fail "the service reopened a stick that re-searches by itself"
	"$pacectl" -S "$tmp/ctl" stop >/dev/null
	wait_status "$tmp/ctl" '"state":"idle"' 300
	kill -TERM $pid
	wait $pid || fail "ANT+ service did not exit cleanly"
	pid=""
	echo "PASS: the service leaves an ANT+ re-search to the stick"
fi
exit 0
