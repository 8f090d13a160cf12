#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What the mqtt plugin costs the idle service: RSS with and without it,
# and wakeups while connected to a broker with nothing happening (the
# keepalive only). Prints "name value unit" lines (bench/README.md).
# BENCH_SECONDS (default 120) is the window; MQTT_KEEPALIVE (default 60).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
secs=${BENCH_SECONDS:-120}
keepalive=${MQTT_KEEPALIVE:-60}
PATH="$PATH:/usr/sbin"
command -v mosquitto >/dev/null 2>&1 || { echo "mosquitto not installed" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-bench-mqtt.XXXXXX")
pid="" bpid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$bpid" ] && kill $bpid 2>/dev/null; rm -rf "$tmp"' EXIT
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"

. "$top_srcdir/bench/proc.sh"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nuser %s\n' \
	"$port" "$(id -un)" >"$tmp/mosquitto.conf"
mosquitto -c "$tmp/mosquitto.conf" >/dev/null 2>&1 &
bpid=$!
mkdir -p "$tmp/state"

run() {	# NAME PLUGINS: start the idle service, measure, stop
	cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
profile_dir = "$top_srcdir/profiles"; profile = "demo";
state_dir = "$tmp/state"; control = { socket = "$tmp/ctl"; };
plugins = { $2 };
CONF
	"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
	pid=$!
	wait_ready "$tmp/ctl"
	sleep 2	# connected, discovery and state published
	w0=$(switches $pid)
	sleep "$secs"
	w1=$(switches $pid)
	echo "$1_rss $(field VmRSS $pid) KiB"
	echo "$1_rss_anon $(field RssAnon $pid) KiB"
	awk -v a="$w0" -v b="$w1" -v s="$secs" -v n="$1" \
		'BEGIN { printf "%s_wakeups %.3f per_s (%d in %d s)\n", n, (b - a) / s, b - a, s }'
	kill $pid
	wait $pid
	pid=""
}
run idle_without_mqtt ""
run idle_with_mqtt "mqtt = { host = \"127.0.0.1\"; port = $port; keepalive = $keepalive; };"
