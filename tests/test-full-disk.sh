#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A full state filesystem, end to end, through the service: a session
# whose log cannot be written is refused before the belt moves; a session
# that runs when the disk fills keeps the belt safe and its presses
# logged (the log's reserved room), says the truth about logging, and its
# history line, which could not be written, is written once there is
# room, before the programme picks the next stage. Needs root (a small
# tmpfs in a private mount namespace); skips otherwise.
set -u
. "$top_srcdir/tests/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
	echo "SKIP: a full disk needs root and unshare(1) for a small tmpfs"
	exit 77
fi
if [ -z "${PACED_IN_NS:-}" ]; then
	PACED_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi

test_init disk
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; umount "$tmp/state" 2>/dev/null; rm -rf "$tmp"' EXIT
on_fail() {
	tail -n 15 "$tmp/paced.out"
}

mkdir -p "$tmp/state"
mount -t tmpfs -o size=4m tmpfs "$tmp/state" ||
	{ echo "SKIP: cannot mount a tmpfs here"; exit 77; }
fill() {	# the state filesystem, to the last block
	dd if=/dev/zero of="$tmp/state/fill" bs=64k >/dev/null 2>&1
	sync
}
room() {
	rm -f "$tmp/state/fill"
}

cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
profile_dir = "$top_srcdir/profiles"; profile = "demo";
state_dir = "$tmp/state"; control = { socket = "$tmp/ctl"; };
speedup = 40;
CONF
PACED_PLUGIN_PATH="$top_builddir/plugins/.libs" \
	"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
wait_until 200 status_matches "$tmp/ctl" . || fail "the service never answered"

# --- no room for a log: no session, and nothing moved -----------------
fill
out=$("$pacectl" -S "$tmp/ctl" start 2>&1) &&
	fail "a session started without room for its log: $out"
echo "$out" | grep -q "cannot create the session log" ||
	fail "the refusal does not say why: $out"
grep -q '"state":"idle"' <<EOF || fail "not idle after the refusal"
$("$pacectl" -S "$tmp/ctl" status)
EOF
grep -q 'No space left on device' "$tmp/paced.out" ||
	fail "the journal does not say the disk is full"
echo "PASS: session_refused_when_its_log_cannot_be_written"

# --- the disk fills during a session -----------------------------------
room
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start with room"
wait_status "$tmp/ctl" '"pace":"jog"' 300
fill
reply=$("$pacectl" -S "$tmp/ctl" symptom leak) || fail "press on a full disk: $reply"
echo "$reply" | grep -q '"press":1' || fail "press not counted: $reply"
# The press reply says how the log stands: here the reserved room took it.
echo "$reply" | grep -q '"log":{"path":"[^"]*","ok":true' ||
	fail "the press reply does not say the log is written: $reply"
log=$(ls "$tmp"/state/sessions/*.jsonl)
grep -q '"event":"symptom".*"press":1' "$log" || fail "the press is not in the log"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
# The history line found no room: kept, and said so.
wait_grep "$tmp/paced.out" "cannot record the session .*kept, and written when it can be" \
	"the history line was not kept"
[ -s "$tmp/state/history.jsonl" ] && grep -q '"presses":1' "$tmp/state/history.jsonl" &&
	fail "a history line appeared on a full disk"
echo "PASS: belt_safe_and_press_logged_when_the_disk_fills"

# --- room again: the history line goes in before the next session -------
room
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start after making room"
grep -q '"presses":1' "$tmp/state/history.jsonl" ||
	fail "the kept history line was not written before the next session"
grep -q "recorded in .*history.jsonl at last" "$tmp/paced.out" ||
	fail "the journal does not say the line was written"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
kill -TERM $pid
wait $pid || fail "the service did not exit cleanly"
pid=""
echo "PASS: history_line_kept_until_there_is_room"
exit 0
