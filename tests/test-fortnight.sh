#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Two weeks of check-ins and sessions on the simulator, on fake dates:
# the stage 'pacectl next' names and the stage 'paced run --programme'
# runs, day by day, through the preparation phase's advice, rest days, a
# press, a next-day answer, a red flag and a short night.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
shim="$top_builddir/tests/.libs/fake-date.so"
prog="$top_srcdir/profiles/return-to-running.programme"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-fortnight.XXXXXX")
state="$tmp/state"
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

[ -f "$shim" ] || { echo "SKIP: $shim not built"; exit 77; }
date -u -d "2025-03-03 07:00 UTC" +%s >/dev/null 2>&1 ||
	{ echo "SKIP: needs GNU date"; exit 77; }
# Calendar days in UTC whatever the machine's zone; sanitizer builds
# accept a preloaded library before their runtime.
TZ=UTC
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export TZ ASAN_OPTIONS

fail() {
	echo "FAIL: day $day: $*" >&2
	[ -f "$tmp/out" ] && tail -n 5 "$tmp/out" >&2
	exit 1
}

# on DAY HH:MM COMMAND...: run it with the wall clock at that time of the
# DAY-th day after Monday 3 March 2025.
on() {
	t=$(date -u -d "2025-03-03 $2 UTC + $1 days" +%s)
	shift 2
	PACED_TEST_DATE=$t LD_PRELOAD=$shim "$@"
}

checkin() {
	on "$day" 07:00 "$pacectl" checkin --state-dir "$state" \
		--programme "$prog" --json "$@" </dev/null >"$tmp/checkin" ||
		fail "pacectl checkin $*: $(cat "$tmp/checkin")"
}

# The value of the first such string key in one JSON line.
str() {
	grep -o "\"$1\":\"[^\"]*\"" "$2" | head -n 1 | cut -d'"' -f4
}

# next STAGE REASON: what pacectl says today's session is.
next() {
	on "$day" 07:05 "$pacectl" next --state-dir "$state" \
		--programme "$prog" --json >"$tmp/next" ||
		fail "pacectl next"
	[ "$(str stage "$tmp/next")" = "$1" ] &&
	[ "$(str reason "$tmp/next")" = "$2" ] ||
		fail "pacectl next: want $1 ($2): $(cat "$tmp/next")"
}

# session STAGE REASON [press]: paced run picks that stage, for that
# reason, and runs it to the end (with a leak press if asked). $take:
# more options (--stage ID).
take=""
session() {
	on "$day" 07:10 "$paced" run --treadmill sim --programme "$prog" \
		--speedup 1000 --state-dir "$state" --control "$tmp/ctl" \
		$take </dev/null >"$tmp/out" 2>&1 &
	pid=$!
	if [ "${3:-}" = press ]; then
		i=0
		until "$pacectl" -S "$tmp/ctl" status 2>/dev/null |
		      grep -q '"state":"running"'; do
			i=$((i + 1))
			[ $i -lt 500 ] || fail "never running"
			sleep 0.01
		done
		"$pacectl" -S "$tmp/ctl" symptom leak >/dev/null ||
			fail "press refused"
	fi
	wait $pid || fail "paced run exited $?"
	pid=""
	grep -q "stage $1 ($2)" "$tmp/out" ||
		fail "paced run: want stage $1 ($2): $(head -n 1 "$tmp/out")"
}

ok="--leak no --heaviness no --pain 0 --bleeding no"

# A script must answer the four symptom questions, in words pacectl
# knows; a next-day answer needs a session to be about. Nothing is
# written then.
day=0
expect_usage() {
	on 0 06:00 "$pacectl" checkin --state-dir "$state" --programme "$prog" \
		"$@" </dev/null >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "checkin $*: exit $rc, want 2"
	grep -qF -- "$want" "$tmp/out" || fail "checkin $*: $(cat "$tmp/out")"
}
want="missing answers: --heaviness --pain --bleeding"
expect_usage --leak no
want="--pain 11: pain is a whole number from 0 to 10"
expect_usage $ok --pain 11
want="--answers: 'leak=maybe': the answer is yes or no"
expect_usage --answers leak=maybe
want="no session is waiting for that answer"
expect_usage $ok --next-day yes
[ ! -e "$state/history.jsonl" ] || fail "a refused check-in was recorded"

# Monday: the programme starts with the preparation phase (no treadmill),
# P0 offered to who has done it. paced run runs the preparation session
# (on a copy of the history: it is not this fortnight's); she has done
# the preparation with her physiotherapist and takes the P0 offered.
day=0
checkin $ok --sleep enough --breastfeeding yes --energy normal
grep -q '"alternative":{"stage":"P0"' "$tmp/checkin" ||
	fail "no P0 alternative: $(cat "$tmp/checkin")"
next PREP1 start
cp -R "$state" "$tmp/prep"
state_main=$state
state=$tmp/prep
session PREP1 start
grep -q '"stage":"PREP1".*"completed":true' "$state/history.jsonl" ||
	fail "PREP1 not recorded: $(cat "$state/history.jsonl")"
state=$state_main
take="--stage P1"
on 0 07:10 "$paced" run --treadmill sim --programme "$prog" --state-dir \
	"$state" $take </dev/null >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "stage P1 is not offered today: PREP1 is, or P0" \
	"$tmp/out" || fail "--stage P1: exit $rc: $(cat "$tmp/out")"
take="--stage P0"
session P0 start
take=""
# Tuesday: the next-day question is answered; a second P0 moves on.
day=1
checkin $ok --next-day no
next P0 need-clean
session P0 need-clean
day=2
checkin $ok --next-day no
next P1 advance
session P1 advance
# Thursday: a rest day after Wednesday's run; a walk instead.
day=3
checkin $ok --next-day no
next P0 rest-day
[ "$(str running_due "$tmp/next")" = 2025-03-07 ] ||
	fail "running due: $(cat "$tmp/next")"
session P0 rest-day
# Friday: P1 again, with a leak press: it is to be repeated.
day=4
checkin $ok --next-day no
next P1 off-plan
session P1 off-plan press
day=5
checkin $ok --next-day no
next P0 rest-day
session P0 rest-day
day=6
checkin $ok --next-day no
next P1 off-plan
session P1 off-plan
# Monday: symptoms in the 24 hours after Sunday's run: that session
# counts as symptomatic, exactly as a press in it would.
day=7
checkin $ok --next-day yes
next P0 rest-day
[ "$(str progress "$tmp/next")" = repeat-symptom ] ||
	fail "next-day yes: $(cat "$tmp/next")"
session P0 rest-day
# Tuesday: heaviness since the last session: walk only, see a physio.
day=8
checkin --leak no --heaviness yes --pain 0 --bleeding no --next-day no
next P0 walk-red-flag
grep -q '"refer":true' "$tmp/next" || fail "no referral: $(cat "$tmp/next")"
session P0 walk-red-flag
day=9
checkin $ok --next-day no
next P1 off-plan
session P1 off-plan
day=10
checkin $ok --next-day no --sleep short
next P0 rest-day
# Friday: the second clean P1 moves on to P1b.
day=11
checkin $ok
next P1 need-clean
session P1 need-clean
day=12
checkin $ok --next-day no
next P0 rest-day
# Sunday: a short night: the stage before is recommended, P1b offered.
day=13
checkin $ok --sleep short
next P1 offer-previous
grep -q '"alternative":{"stage":"P1b"' "$tmp/next" ||
	fail "no P1b alternative: $(cat "$tmp/next")"
session P1 offer-previous
day=15
next P1b off-plan

# The history holds it all, and the report reads it.
[ "$(grep -c '"type":"run"' "$state/history.jsonl")" -eq 12 ] ||
	fail "history: $(grep -c '"type":"run"' "$state/history.jsonl") runs"
[ "$(grep -c '"type":"checkin"' "$state/history.jsonl")" -eq 14 ] ||
	fail "history: check-ins"
on 15 08:00 "$pacectl" report --state-dir "$state" --programme "$prog" \
	--format json -o "$tmp/report.json" || fail "pacectl report"
for rule in rest-day walk-red-flag repeat-symptom advance offer-previous; do
	grep -q "\"rule\":\"$rule\"" "$tmp/report.json" ||
		fail "report: no $rule rule"
done
grep -q '"kind":"leak","session_s":' "$tmp/report.json" ||
	fail "report: the press"
echo "PASS: a fortnight of check-ins and sessions"
