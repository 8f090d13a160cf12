#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# symptom_never_waits_behind_profiles: 'profiles' over a directory of
# thousands of profiles, the first 60 of them large, takes its time; a
# symptom press sent meanwhile is answered within a bound, before the
# listing (docs/design.md: a press gets walking pace before anything
# else, whatever other clients ask).
set -u
. "$top_srcdir/tests/lib.sh"
test_init profiles
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
svc=""
BOUND_MS=150

on_fail() {
	tail -n 10 "$tmp/paced.out" 2>/dev/null
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# 3000 small profiles and, first in the listing's order, 60 large ones
# (4000 segments each, as large as a plan may be). Written by the shell itself: no process each.
mkdir "$tmp/profiles" "$tmp/state"
small=$(cat "$demo")
i=0
while [ $i -lt 3000 ]; do
	printf '%s\n' "$small" >"$tmp/profiles/p$i.cfg"
	i=$((i + 1))
done
seg=$(awk 'BEGIN { for (i = 0; i < 4000; i++)
	printf "%s{ walk = \"0:05\"; incline = %d.5; }", i ? ",\n" : "", i % 10 }')
large=$(printf 'name = "Large";\nmain = (\n%s\n);\n' "$seg")
i=0
while [ $i -lt 60 ]; do
	printf '%s\n' "$large" >"$tmp/profiles/a$i.cfg"
	i=$((i + 1))
done

cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$tmp/profiles";
profile = "p1";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 10;
CONF
"$paced" -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
svc=$!
pids="$pids $svc"
wait_until 200 status_matches "$tmp/ctl" '"ok":true' || fail "no service"

# How long the listing takes here, alone.
t0=$(now_ms)
"$pacectl" -S "$tmp/ctl" profiles >"$tmp/list" || fail "profiles"
list_ms=$(($(now_ms) - t0))
grep -q "more profiles than paced lists at once" "$tmp/list" ||
	fail "3060 profiles, not truncated: $(tail -n 3 "$tmp/list")"
grep -q "^  a0.cfg" "$tmp/list" || fail "a0.cfg not listed"
[ "$(grep -c '^  a[0-9]*\.cfg' "$tmp/list")" -eq 60 ] ||
	fail "not the 60 first: $(head -n 3 "$tmp/list")"
grep -q "p1.cfg" "$tmp/list" && fail "listed past the first 60"
[ "$list_ms" -ge $((BOUND_MS * 2)) ] || {
	echo "SKIP: the listing took only $list_ms ms here: nothing for a press to overtake"
	exit 77
}

# A session, and a press while a listing runs.
"$pacectl" -S "$tmp/ctl" start >/dev/null || fail "start"
wait_status "$tmp/ctl" '"state":"running"'
"$pacectl" -S "$tmp/ctl" profiles >"$tmp/list2" &
lpid=$!
sleep 0.05
t0=$(now_ms)
out=$("$pacectl" -S "$tmp/ctl" symptom) || fail "symptom: $out"
press_ms=$(($(now_ms) - t0))
listed=$(wc -c <"$tmp/list2")
wait $lpid || fail "the listing failed"
echo "$out" | grep -q '"press":1' || fail "press not counted: $out"
[ "$listed" -eq 0 ] ||
	fail "symptom_never_waits_behind_profiles: the listing ($list_ms ms) was answered before the press"
[ "$press_ms" -le "$BOUND_MS" ] ||
	fail "symptom_never_waits_behind_profiles: press answered in $press_ms ms during a $list_ms ms listing (bound $BOUND_MS ms)"
grep -q "more profiles than paced lists at once" "$tmp/list2" ||
	fail "second listing incomplete"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
echo "PASS: symptom_never_waits_behind_profiles (press $press_ms ms during a $list_ms ms listing)"
