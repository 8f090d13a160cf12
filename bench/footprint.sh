#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Footprint of paced: start-up time, resident memory, wakeups and CPU, idle
# and in a session. Prints "name value unit" lines (bench/README.md).
# BENCH_SECONDS (default 30) is the length of each measured window.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
secs=${BENCH_SECONDS:-30}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-bench.XXXXXX")
pid=""
simpid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$simpid" ] && kill $simpid 2>/dev/null; rm -rf "$tmp"' EXIT
hz=$(getconf CLK_TCK)

. "$top_srcdir/bench/proc.sh"
cpu_ticks() {	# utime + stime (fields 14, 15 of /proc/PID/stat)
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
now_ns() {
	date +%s%N
}
# Measure over $secs: wakeups per second, CPU seconds, peak RSS.
window() {
	w0=$(switches "$1")
	c0=$(cpu_ticks "$1")
	sleep "$secs"
	w1=$(switches "$1")
	c1=$(cpu_ticks "$1")
	awk -v a="$w0" -v b="$w1" -v s="$secs" -v n="$2" \
		'BEGIN { printf "%s_wakeups %.2f per_s\n", n, (b - a) / s }'
	awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$hz" -v n="$2" \
		'BEGIN { printf "%s_cpu %.2f s_per_hour\n", n, (b - a) / hz * 3600 / s }'
	echo "${2}_rss $(field VmRSS "$1") KiB"
	echo "${2}_rss_peak $(field VmHWM "$1") KiB"
	# RSS counts every shared library page (libc alone is ~1.4 MiB);
	# what the process itself costs is its anonymous memory, and its
	# fair share of the shared pages is PSS.
	echo "${2}_rss_anon $(field RssAnon "$1") KiB"
	[ -r "/proc/$1/smaps_rollup" ] && echo "${2}_pss $(sed -n \
		's/^Pss:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/smaps_rollup") KiB"
}

# --- idle: the service with its control socket, no session ------------
mkdir -p "$tmp/state"
cat >"$tmp/paced.conf" <<EOF
state_dir = "$tmp/state";
control = { socket = "$tmp/svc.sock"; };
EOF
t0=$(now_ns)
"$paced" -c "$tmp/paced.conf" >"$tmp/svc.out" 2>&1 &
pid=$!
wait_ready "$tmp/svc.sock"
t1=$(now_ns)
echo "startup_service $(( (t1 - t0) / 1000 )) us"
sleep 1
window $pid idle
kill $pid
wait $pid 2>/dev/null
pid=""

# --- a session in real time (speedup 1) with the in-process simulator:
# the figures include the simulated treadmill's own work (an upper bound
# for the daemon); Treadmill Data at 1 Hz as most treadmills send it.
t0=$(now_ns)
"$paced" run --treadmill sim --profile "$top_srcdir/profiles/demo.cfg" \
	--control "$tmp/run.sock" --log "$tmp/log.jsonl" >"$tmp/run.out" 2>&1 &
pid=$!
wait_ready "$tmp/run.sock"
t1=$(now_ns)
echo "startup_run $(( (t1 - t0) / 1000 )) us"
sleep 4	# past the countdown: the belt is running
window $pid session
kill $pid
wait $pid 2>/dev/null
pid=""

# --- the service in a session, the simulator in its own process
# (paced-sim over unix:, as a treadmill is on a real box): the daemon
# process alone, with the sim driver plugin it loads for the session.
"$top_builddir/tools/paced-sim" --listen "$tmp/sim.sock" >"$tmp/sim.out" 2>&1 &
simpid=$!
i=0
until [ -S "$tmp/sim.sock" ]; do
	i=$((i + 1))
	[ $i -gt 1000 ] && { echo "paced-sim never listened" >&2; exit 1; }
	sleep 0.002
done
cat >"$tmp/svc.conf" <<EOF
treadmill = { address = "unix:$tmp/sim.sock"; };
profile_dir = "$top_srcdir/profiles"; profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$tmp/svc2.sock"; };
EOF
"$paced" -c "$tmp/svc.conf" >"$tmp/svc2.out" 2>&1 &
pid=$!
wait_ready "$tmp/svc2.sock"
"$pacectl" --socket "$tmp/svc2.sock" start >/dev/null
sleep 4	# past the countdown: the belt is running
window $pid service_session
kill $pid
wait $pid 2>/dev/null
pid=""
