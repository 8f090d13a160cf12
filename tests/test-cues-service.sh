#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Cues end to end: the service runs the demo profile on the simulated
# treadmill with a symptom press, in imperial units, and cue-command says
# every cue through a script that writes what it is given. The spoken
# sentences come in the order of the session log's cue lines, the words are
# in mph while the log stays in km/h, cues of one instant are said in turn,
# and a newer cue still cuts an older one short.
set -u
. "$top_srcdir/tests/lib.sh"
test_init cues

on_fail() {
	[ -f "$tmp/said" ] && cat "$tmp/said"
	[ -f "$tmp/paced.out" ] && tail -n 20 "$tmp/paced.out"
}

[ -f "$top_builddir/plugins/.libs/cue-command.so" ] ||
	{ echo "SKIP: cue-command.so not built"; exit 77; }
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"

# The speaker: START and END around each sentence; a countdown takes 5 s
# to say, long enough for the change 10 s of plan (0.5 s) later to cut it.
cat >"$tmp/say" <<SAY
#!/bin/sh
echo "START \$1" >>'$tmp/said'
case "\$1" in
*"in 10 seconds"*) sleep 5;;
*) sleep 0.02;;
esac
echo "END \$1" >>'$tmp/said'
SAY
chmod +x "$tmp/say"

mkdir -p "$tmp/state"
cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
units = "imperial";
cues = { form = true; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 20;
plugins = {
	sim = { speedup = 20; };
	cue-command = { command = "$tmp/say"; };
};
CONF

"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
pids="$pid"
wait_until 200 "$pacectl" --socket "$tmp/ctl" status >/dev/null 2>&1 ||
	fail "the service never answered"

"$pacectl" --socket "$tmp/ctl" start >/dev/null || fail "pacectl start"
# The press in the first jog, once its form tip has been said.
wait_grep "$tmp/said" "^END Land softly." \
	"never reached the first jog's form tip" 300
status_matches "$tmp/ctl" '"pace":"jog"' ||
	fail "the first jog went by before the press"
"$pacectl" --socket "$tmp/ctl" symptom leak >/dev/null ||
	fail "pacectl symptom"
# What pacectl shows is in the person's units too; the wire stays km/h.
# (Readable lines only on a terminal: script(1) gives it one.)
if command -v script >/dev/null 2>&1; then
	out=$(script -qec "\"$pacectl\" --socket \"$tmp/ctl\" status" /dev/null |
		tr -d '\r')
	echo "$out" | grep -Eq '^target [0-9.]+ mph, belt ([0-9.]+ mph|-), presses 1$' ||
		fail "pacectl status is not in mph: $out"
fi
wait_grep "$tmp/said" "^END session complete" "the finish was never said" 600
kill $pid
wait $pid
pids=""

log=$(ls "$tmp"/state/sessions/*.jsonl) || fail "no session log"
# What was said, in order, and what the log says was cued, in order.
sed -n 's/^START //p' "$tmp/said" >"$tmp/started"
sed -n 's/.*"event":"cue".*"text":"\([^"]*\)".*/\1/p' "$log" >"$tmp/cued"
[ -s "$tmp/cued" ] || fail "no cue lines in $log"
# Every sentence said was cued, in the same order (a cue dropped while
# it waited behind a newer one is the only gap allowed).
awk 'NR == FNR { cued[++n] = $0; next }
     { while (k < n && cued[++k] != $0) ; if (cued[k] != $0) bad = 1 }
     END { exit bad }' "$tmp/cued" "$tmp/started" ||
	fail "said out of order: $(cat "$tmp/started")"
for s in "walk in 3 seconds: 3.1 mph" "walk now: 3.1 mph, 1 minute 30" \
	 "jog in 10 seconds: 4.7 mph" \
	 "Land softly." "walking now. Jogs are half as long from here" \
	 "session complete, and you listened to your body"; do
	grep -qxF "$s" "$tmp/started" || fail "never said: $s"
done
# The first jog is 45 s; a late tick on a loaded machine starts it late and
# it still ends on time (docs/safety.md), so it may say a little less.
grep -Eqx "jog now: 4\.7 mph, 4[0-5] seconds" "$tmp/started" ||
	fail "never said: jog now: 4.7 mph, 45 seconds"
# A person hears mph; the log keeps km/h.
grep -q "km/h" "$tmp/started" && fail "km/h spoken with units imperial"
grep '"event":"cue"' "$log" | grep '"kind":"countdown"' |
	grep -q '"speed_kmh":7.50' || fail "the log's countdown is not in km/h"
echo "PASS: a whole session said in order, in mph, with the press's cue"

# The first jog's countdown was cut short by its change; the change and
# the form tip of that instant were said in turn, neither cut.
awk '/^START jog in 10 seconds/ && !seen { seen = 1; open = 1; next }
     open && /^END jog in 10 seconds/ { exit 1 }
     open && /^START jog now/ { exit 0 }' "$tmp/said" ||
	fail "the countdown was not cut short by the newer cue"
awk '/^END jog now: 4.7 mph, 4[0-5] seconds/ && !e { e = NR }
     /^START Land softly./ && !s { s = NR }
     END { exit !(e && s && e < s) }' "$tmp/said" ||
	fail "the form tip did not wait for the change it completes"
grep -q "^END Land softly." "$tmp/said" || fail "the form tip was cut short"
echo "PASS: a newer cue cuts an older one short; one instant's cues wait in turn"
