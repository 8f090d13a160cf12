#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The preparation phase end to end, with no treadmill: 'paced run
# --programme' on a fresh history runs PREP1 to its end with its cues in
# order and records it; then the service, with a treadmill configured
# that it must not touch, runs it on 'pacectl start' with status, a
# symptom press, pause and resume, and cue-command says the instructions.
set -u
. "$top_srcdir/tests/lib.sh"
test_init exercise

prog="$top_srcdir/profiles/return-to-running.programme"

on_fail() {
	[ -f "$tmp/out" ] && tail -n 20 "$tmp/out"
	[ -f "$tmp/said" ] && tail -n 20 "$tmp/said"
	[ -f "$tmp/paced.out" ] && tail -n 20 "$tmp/paced.out"
}

# The cues of one session log, as "KIND TEXT" lines, in order.
cues() {
	sed -n 's/.*"event":"cue".*"kind":"\([a-z]*\)","text":"\([^"]*\)".*/\1 \2/p' "$1"
}

# ---- paced run: no --treadmill at all ----
"$paced" run --programme "$prog" --speedup 60 --state-dir "$tmp/run" \
	</dev/null >"$tmp/out" 2>&1 || fail "paced run exited $?"
grep -q "stage PREP1 (start)" "$tmp/out" || fail "paced run did not pick PREP1"
log=$(ls "$tmp"/run/sessions/*.jsonl) || fail "no session log"
[ "$(echo "$log" | wc -l)" -eq 1 ] || fail "more than one session log"
grep '"event":"open"' "$log" | grep -q '"stage":"PREP1".*"belt":false' ||
	fail "open line: $(head -n 1 "$log")"
# Nothing of a treadmill, anywhere in the log.
grep -Eq '"event":"(command|result|link|caps|sample|advice)"' "$log" &&
	fail "a treadmill line in an exercise session's log"
# 1 + 8 * 2 + 1 + 10 * 2 + 1 steps, each a segment of its kind and length.
[ "$(grep -c '"event":"segment"' "$log")" -eq 39 ] ||
	fail "segments: $(grep -c '"event":"segment"' "$log")"
grep '"event":"segment"' "$log" | sed -n 2p |
	grep -q '"phase":"hold".*"duration_s":5.0' || fail "the first hold"
grep '"event":"segment"' "$log" | sed -n 3p |
	grep -q '"phase":"rest".*"duration_s":10.0' || fail "the first rest"
# The cues, in order: the set-up, then each slow squeeze counted 3, 4, 5
# after its instruction (the "2" would be said over it), relax, ...
cues "$log" >"$tmp/cued"
head -n 7 "$tmp/cued" >"$tmp/first"
cat >"$tmp/want" <<'WANT'
instruction Lie on your back, knees bent, feet flat. Breathe in slowly, and out. Let your tummy relax. To squeeze: lift, as if stopping wind and a wee.
instruction Squeeze and lift. Hold
count 3
count 4
count 5
instruction And relax fully. Breathe.
instruction Squeeze and lift. Hold
WANT
cmp -s "$tmp/first" "$tmp/want" || fail "first cues: $(cat "$tmp/first")"
[ "$(grep -c '^count' "$tmp/cued")" -eq 24 ] ||
	fail "counts: $(grep -c '^count' "$tmp/cued")"
[ "$(grep -c '^instruction Squeeze$' "$tmp/cued")" -eq 10 ] ||
	fail "quick squeezes: $(grep -c '^instruction Squeeze$' "$tmp/cued")"
tail -n 2 "$tmp/cued" | head -n 1 | grep -q "^instruction That is all for now" ||
	fail "the cool-down: $(tail -n 2 "$tmp/cued")"
tail -n 1 "$tmp/cued" | grep -q "^finish That is the end of the session" ||
	fail "the finish: $(tail -n 1 "$tmp/cued")"
# Session time only grows through the log's lines.
sed -n 's/.*"session_s":\([0-9.]*\).*/\1/p' "$log" |
	awk '$1 + 0 < last { exit 1 } { last = $1 + 0 }' ||
	fail "cue lines out of order"
tail -n 1 "$log" | grep -q '"event":"end".*"outcome":"finished".*"completed":true' ||
	fail "end line: $(tail -n 1 "$log")"
grep -q '"type":"run".*"stage":"PREP1".*"presses":0,"completed":true,"outcome":"finished"' \
	"$tmp/run/history.jsonl" || fail "history: $(cat "$tmp/run/history.jsonl")"
echo "PASS: paced run runs PREP1 with no treadmill, its cues in order, and records it"

# A belt stage with no treadmill is a usage error, and nothing is run.
"$paced" run --profile "$demo" --state-dir "$tmp/none" </dev/null \
	>"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "a belt profile with no treadmill: exit $rc, want 2"
grep -q "none is given" "$tmp/out" || fail "$(cat "$tmp/out")"
[ ! -e "$tmp/none/history.jsonl" ] || fail "a refused session was recorded"
echo "PASS: a belt profile needs a treadmill"

# ---- the service, a treadmill configured, cue-command speaking ----
[ -f "$top_builddir/plugins/.libs/cue-command.so" ] ||
	{ echo "SKIP: cue-command.so not built"; exit 77; }
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
cat >"$tmp/say" <<SAY
#!/bin/sh
echo "START \$1" >>'$tmp/said'
SAY
chmod +x "$tmp/say"
mkdir -p "$tmp/state"
cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
programme = "$prog";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 60;
plugins = {
	cue-command = { command = "$tmp/say"; kinds = [ "instruction", "symptom", "finish" ]; };
};
CONF
"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
pids="$pid"
wait_until 200 "$pacectl" --socket "$tmp/ctl" status >/dev/null 2>&1 ||
	fail "the service never answered"
# The service's decision names the preparation stage it can now run.
"$pacectl" --socket "$tmp/ctl" checkin --service --json --leak no \
	--heaviness no --pain 0 --bleeding no </dev/null >"$tmp/next" ||
	fail "pacectl checkin --service: $(cat "$tmp/next")"
grep -q '"stage":"PREP1"' "$tmp/next" || fail "next: $(cat "$tmp/next")"
"$pacectl" --socket "$tmp/ctl" start >/dev/null || fail "pacectl start"
# Status while it runs: the step, what to do, time left, presses. A
# hold is 83 ms at this speed: the same answer is looked at.
hold_status() {
	"$pacectl" --socket "$tmp/ctl" status >"$tmp/status" 2>&1 &&
	grep -q '"kind":"hold"' "$tmp/status"
}
wait_until 400 hold_status || fail "never saw a hold in status"
grep -q '"state":"running"' "$tmp/status" &&
grep -q '"belt":false' "$tmp/status" &&
grep -q '"step":{"index":[0-9]*,"of":39,"kind":"hold"' "$tmp/status" &&
grep -q '"say":"Squeeze and lift. Hold"' "$tmp/status" &&
grep -q '"remaining_s":' "$tmp/status" &&
grep -q '"presses":0' "$tmp/status" || fail "status: $(cat "$tmp/status")"
# A press: stop and rest. Pause and resume around it.
"$pacectl" --socket "$tmp/ctl" symptom leak >"$tmp/press" || fail "press refused"
grep -q '"press":1' "$tmp/press" || fail "press: $(cat "$tmp/press")"
wait_grep "$tmp/said" "^START Stop and rest" "the rest was never said"
status_matches "$tmp/ctl" '"state":"recovery".*"inserted":true.*"presses":1' ||
	fail "status after the press: $("$pacectl" --socket "$tmp/ctl" status)"
"$pacectl" --socket "$tmp/ctl" pause >/dev/null || fail "pause"
status_matches "$tmp/ctl" '"state":"paused"' || fail "not paused"
"$pacectl" --socket "$tmp/ctl" resume >/dev/null || fail "resume"
wait_grep "$tmp/said" "^START That is the end of the session" \
	"the finish was never said" 400
wait_status "$tmp/ctl" '"state":"idle"'
kill $pid
wait $pid
pids=""
grep -q '"stage":"PREP1".*"presses":1,"completed":true' \
	"$tmp/state/history.jsonl" ||
	fail "service history: $(cat "$tmp/state/history.jsonl")"
# No driver was loaded for it: the sim plugin never came up.
grep -q "loaded the sim plugin" "$tmp/paced.out" &&
	fail "the treadmill's driver was loaded for an exercise session"
# What was said was cued, in the same order (a cue dropped while it
# waited behind a newer one is the only gap allowed); counts were not
# asked for.
log=$(ls "$tmp"/state/sessions/*.jsonl) || fail "no session log"
cues "$log" | sed -n 's/^\(instruction\|symptom\|finish\) //p' >"$tmp/cued"
sed -n 's/^START //p' "$tmp/said" >"$tmp/started"
awk 'NR == FNR { cued[++n] = $0; next }
     { while (k < n && cued[++k] != $0) ; if (cued[k] != $0) bad = 1 }
     END { exit bad }' "$tmp/cued" "$tmp/started" ||
	fail "said out of order: $(cat "$tmp/started")"
grep -qx "[0-9]*" "$tmp/started" && fail "a count was said though not asked for"
for s in "Lie on your back, knees bent" "Squeeze and lift. Hold" \
	 "Stop and rest." "That is the end of the session"; do
	grep -q "^$s" "$tmp/started" || fail "never said: $s"
done
echo "PASS: the service runs PREP1 on pacectl start, cue-command says it"
