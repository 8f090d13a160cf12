#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The web plugin's figures (bench/README.md): a symptom POST until the
# service has put walking pace on the simulator's wire, with 20 event
# stream clients connected (paced_request() acts before it replies, so the
# POST's round trip bounds it), and what the plugin costs idle: RSS and
# wakeups with and without it. Run from the build directory:
#	make bench-web [BENCH_PRESSES=200]
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib.sh"
test_init bench-web
presses=${BENCH_PRESSES:-200}
secs=${BENCH_IDLE_S:-20}
command -v curl >/dev/null 2>&1 || { echo "bench-web: needs curl" >&2; exit 1; }

. "$top_srcdir/bench/proc.sh"

conf() {	# NAME PLUGINS
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$(cd "$top_srcdir" && pwd)/profiles";
profile = "rtr-p13";
state_dir = "$tmp/$1";
control = { socket = "$tmp/$1/ctl"; };
plugins = { $2 };
CONF
}
start() {	# NAME
	PACED_PLUGIN_PATH="$top_builddir/plugins/.libs" \
		"$paced" -d -c "$tmp/$1/paced.conf" >"$tmp/$1/out" 2>&1 &
	pid=$!
	pids="$pids $pid"
	wait_until 200 status_matches "$tmp/$1/ctl" . || fail "$1 never started"
}
idle() {	# NAME: RSS and wakeups after settling
	sleep 2
	a=$(switches $pid)
	sleep "$secs"
	b=$(switches $pid)
	echo "$1: rss $(field VmRSS $pid) KiB (anonymous $(field RssAnon $pid) KiB), idle wakeups $(awk -v a=$a -v b=$b -v s=$secs 'BEGIN { printf "%.2f", (b - a) / s }') per s"
}

conf plain 'sim = {};'
start plain
idle "without web"
kill $pid; wait $pid 2>/dev/null

conf web 'sim = {}; web = { listen = "127.0.0.1:0"; };'
start web
idle "with web, no client"
port=$(sed -n 's,.*listening on http://127.0.0.1:\([0-9]*\)/.*,\1,p' "$tmp/web/out")
base="http://127.0.0.1:$port"
"$pacectl" -S "$tmp/web/ctl" web pair --json >"$tmp/pair" || fail "pair"
curl -s -o /dev/null -c "$tmp/jar" "$(sed -n 's/.*"pair":"\([^"]*\)".*/\1/p' "$tmp/pair")"
for i in $(seq 20); do
	curl -s -N -b "$tmp/jar" "$base/api/events" >/dev/null &
	pids="$pids $!"
done
sleep 1
echo "with web, 20 streams: rss $(field VmRSS $pid) KiB (anonymous $(field RssAnon $pid) KiB)"

# Presses, each in a fresh session's warm-up (a press ends nothing
# there; a session that ends after presses is started again).
: >"$tmp/times"
pressed=0
while [ $pressed -lt "$presses" ]; do
	if ! "$pacectl" -S "$tmp/web/ctl" status | grep -q '"phase":"running"'; then
		wait_status "$tmp/web/ctl" '"phase":"idle"' 600
		"$pacectl" -S "$tmp/web/ctl" start >/dev/null || fail "start"
		wait_status "$tmp/web/ctl" '"state":"running"'
	fi
	out=$(curl -s -b "$tmp/jar" -H "Origin: $base" -X POST \
		-w ' %{http_code} %{time_total}' "$base/api/symptom")
	case $out in *'"ok":true'*' 200 '*) echo "${out##* }" >>"$tmp/times"; pressed=$((pressed + 1)) ;; esac
	sleep 0.05
done
echo "with web, 20 streams, after $presses presses: rss $(field VmRSS $pid) KiB (anonymous $(field RssAnon $pid) KiB)"
[ "$(wc -l <"$tmp/times")" -eq "$presses" ] || fail "$(wc -l <"$tmp/times") of $presses presses timed"
sort -n "$tmp/times" | awk '{ t[NR] = $1 * 1000 } END {
	printf "symptom POST to walking pace, %d presses, 20 streams: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		NR, t[int(NR * 0.50 + 0.5)], t[int(NR * 0.99 + 0.5)], t[NR] }'
