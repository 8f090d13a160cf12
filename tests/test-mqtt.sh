#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The mqtt plugin against Debian's mosquitto broker, on a free loopback
# port with its own configuration, and the service on the simulator:
# Home Assistant discovery, retained state, commands that may only slow
# or stop the belt, a broker outage mid-session, and a broker that stops
# reading.
set -u
. "$top_srcdir/tests/lib.sh"

for t in mosquitto mosquitto_sub mosquitto_pub python3; do
	command -v $t >/dev/null 2>&1 ||
		{ echo "SKIP: $t not installed (Debian: mosquitto mosquitto-clients python3)"; exit 77; }
done
[ -f "$top_builddir/plugins/.libs/mqtt.so" ] ||
	{ echo "SKIP: the mqtt plugin is not built (configured --without-mqtt)"; exit 77; }
# mosquitto is not always on root's PATH (/usr/sbin).
PATH="$PATH:/usr/sbin"

test_init mqtt
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
paced_pid="" broker_pid=""

on_fail() {
	[ -f "$tmp/paced.out" ] && tail -n 25 "$tmp/paced.out"
	[ -f "$tmp/broker.log" ] && tail -n 5 "$tmp/broker.log"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port=$(free_port)
# As root, mosquitto would switch to the user mosquitto, which a user
# namespace (make check-arm64) may not map: it stays who we are.
me=$(id -un)
cat >"$tmp/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
user $me
CONF

start_broker() {
	mosquitto -c "$tmp/mosquitto.conf" >>"$tmp/broker.log" 2>&1 &
	broker_pid=$!
	pids="$pids $broker_pid"
	wait_until 100 mosquitto_sub -p "$port" -t probe -W 1 -C 1 -E 2>/dev/null ||
		fail "mosquitto did not start on port $port"
}

# One retained message on TOPIC, or nothing within a second.
retained() {
	mosquitto_sub -p "$port" -t "$1" -C 1 -W 1 2>/dev/null
}

session_has() {	# PATTERN: the retained paced/session matches
	retained paced/session | grep -q "$1"
}

send() {
	mosquitto_pub -p "$port" -t paced/command -m "$1" || fail "mosquitto_pub $1"
}

conf() {	# PORT [EXTRA MQTT SETTINGS]
	cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 30;
plugins = {
	mqtt = {
		host = "127.0.0.1"; port = $1; keepalive = ${KEEPALIVE:-5};
		${2:-}
	};
};
CONF
}

start_paced() {
	"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
	paced_pid=$!
	pids="$pids $paced_pid"
	wait_until 200 status_matches "$tmp/ctl" . || fail "paced never answered"
}

stop_paced() {
	kill -TERM $paced_pid
	wait $paced_pid || fail "paced did not exit cleanly"
	paced_pid=""
}

session_log() { ls -t "$tmp"/state/sessions/*.jsonl | head -n 1; }

# The first command after the last press is walking pace.
walk_after_press() {
	awk '/"event":"symptom"/ { s = 1; c = ""; next }
	     s && /"event":"command"/ && !c { c = $0 } END { print c }' \
		"$(session_log)" | grep -q '"command":"set-speed","value":5.00'
}

mkdir -p "$tmp/state"
start_broker
# A retained command waits on the broker: it would act at every connect.
mosquitto_pub -p "$port" -t paced/command -r -m stop || fail "retained pub"

# --- mqtt_refuses_names_and_open_password_files ----------------------
conf "$port" 'host = "homeassistant.local";'
sed -i 's/host = "127.0.0.1"; //' "$tmp/paced.conf"
start_paced
wait_grep "$tmp/paced.out" "paced.conf:[0-9]*: host homeassistant.local: give the broker's IP address" \
	"a host name was not refused with file:line"
stop_paced
printf 'secret\n' >"$tmp/mqtt.secret"
chmod 644 "$tmp/mqtt.secret"
conf "$port" "username = \"paced\"; password_file = \"$tmp/mqtt.secret\";"
start_paced
wait_grep "$tmp/paced.out" "paced.conf:[0-9]*: password_file $tmp/mqtt.secret is readable by others (mode 0644)" \
	"a password file readable by others was not refused"
grep -q "plugin mqtt: connected" "$tmp/paced.out" && fail "connected with a refused password file"
stop_paced
echo "PASS: mqtt_refuses_names_and_open_password_files"

# --- mqtt_discovery_follows_home_assistant_layout --------------------
conf "$port"
start_paced
wait_grep "$tmp/paced.out" "plugin mqtt: connected to 127.0.0.1:$port" "never connected"
mosquitto_sub -p "$port" -v -t 'homeassistant/#' -W 2 >"$tmp/discovery" 2>/dev/null
# Home Assistant's MQTT discovery (home-assistant.io, integrations/mqtt,
# "Discovery messages"; sensor.mqtt and button.mqtt for the keys): topic
# <discovery_prefix>/<component>/[<node_id>/]<object_id>/config with ids
# of [a-zA-Z0-9_-], a JSON dictionary payload with the component's
# required keys, unique_id and device identifiers to group the entities.
python3 - "$tmp/discovery" <<'PY' || fail "discovery does not follow Home Assistant's layout"
import json, re, sys
common = {"name", "unique_id", "availability_topic", "payload_available",
          "payload_not_available", "icon", "device", "object_id",
          "enabled_by_default", "entity_category", "qos", "availability",
          "availability_mode", "json_attributes_topic", "device_class"}
allowed = {
    "sensor": common | {"state_topic", "value_template", "unit_of_measurement",
                        "state_class", "expire_after", "force_update"},
    "button": common | {"command_topic", "payload_press", "retain"},
}
required = {"sensor": {"state_topic"}, "button": {"command_topic"}}
device_keys = {"identifiers", "connections", "name", "manufacturer", "model",
               "sw_version", "hw_version", "suggested_area", "via_device",
               "configuration_url"}
want = {
    "sensor": {"state", "stage", "segment", "time_left", "belt_speed",
               "presses_today", "next_session_due"},
    "button": {"symptom", "symptom_leak", "symptom_heaviness", "symptom_pain",
               "pause", "end", "stop"},
}
presses = {"symptom", "symptom:leak", "symptom:pressure", "symptom:pain",
           "pause", "end", "stop"}
topic_re = re.compile(r"^homeassistant/(sensor|button)/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)/config$")
seen = {"sensor": set(), "button": set()}
devices, uids = set(), set()
for line in open(sys.argv[1]):
    topic, payload = line.rstrip("\n").split(" ", 1)
    m = topic_re.match(topic)
    assert m, "bad discovery topic " + topic
    comp, node, obj = m.groups()
    cfg = json.loads(payload)
    assert isinstance(cfg, dict), topic
    extra = set(cfg) - allowed[comp]
    assert not extra, "%s: keys Home Assistant does not document: %s" % (topic, extra)
    assert required[comp] <= set(cfg), "%s: missing %s" % (topic, required[comp] - set(cfg))
    assert set(cfg["device"]) <= device_keys, topic
    assert cfg["device"]["identifiers"], topic
    devices.add(json.dumps(cfg["device"], sort_keys=True))
    assert cfg["unique_id"] not in uids, "unique_id twice: " + cfg["unique_id"]
    uids.add(cfg["unique_id"])
    assert cfg["availability_topic"] == "paced/availability", topic
    if comp == "sensor":
        assert cfg["state_topic"] in ("paced/state", "paced/session"), topic
        assert cfg["value_template"].startswith("{{ value_json."), topic
    else:
        assert cfg["command_topic"] == "paced/command", topic
        assert cfg["payload_press"] in presses, topic
    seen[comp].add(obj)
assert seen == want, "entities %s, want %s" % (seen, want)
assert len(devices) == 1, "more than one device: %s" % devices
PY
[ "$(retained paced/availability)" = online ] || fail "availability not retained online"
grep -q 'command "stop" ignored: retained' "$tmp/paced.out" ||
	fail "a retained command was not refused"
mosquitto_pub -p "$port" -t paced/command -r -n || fail "clear retained"
retained paced/state | grep -q '"state":"idle"' || fail "no retained idle state"
retained paced/session | grep -q '"presses_today":0' || fail "no retained session object"
echo "PASS: mqtt_discovery_follows_home_assistant_layout (and retained state)"

# --- mqtt_never_starts_the_belt -----------------------------------------
for c in start resume "start demo" "speed 12.0" "speed:12" banana ""; do
	send "$c"
done
sleep 1
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"idle"' || fail "a command started a session"
ls "$tmp"/state/sessions/*.jsonl >/dev/null 2>&1 && fail "a command opened a session"
grep -q 'command "start" ignored: MQTT may slow or stop the belt, never start or speed it' \
	"$tmp/paced.out" || fail "start not refused in the log"
# Paused, resume stays refused.
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
wait_status "$tmp/ctl" '"state":"running"' 300
send pause
wait_status "$tmp/ctl" '"state":"paused"' 100
starts=$(grep -c '"command":"start"' "$(session_log)")
send resume
wait_grep "$tmp/paced.out" 'command "resume" ignored: MQTT may slow or stop the belt' \
	"resume not refused in the log"
sleep 0.5
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"paused"' || fail "resume from MQTT resumed the belt"
[ "$(grep -c '"command":"start"' "$(session_log)")" = "$starts" ] ||
	fail "the belt was started again"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
echo "PASS: mqtt_never_starts_the_belt (start, resume, speed, junk, retained)"

# --- mqtt_symptom_walk_pace_first ----------------------------------------
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
wait_status "$tmp/ctl" '"pace":"jog"' 300
send symptom:leak
wait_status "$tmp/ctl" '"presses":1' 100
walk_after_press || fail "the MQTT symptom's first command was not walk pace"
grep -q '"event":"symptom".*"kind":"leak","press":1' "$(session_log)" ||
	fail "symptom:leak not logged as a leak press"
wait_until 100 session_has '"presses":1' ||
	fail "the press never reached paced/session"
echo "PASS: mqtt_symptom_walk_pace_first"

# --- mqtt_broker_outage_never_touches_a_session ---------------------------
kill -KILL $broker_pid
wait $broker_pid 2>/dev/null
wait_grep "$tmp/paced.out" "broker 127.0.0.1:$port gone" "the plugin never noticed the broker gone"
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"\(recovery\|running\)".*"presses":1' ||
	fail "the broker going away touched the session"
# A press in a jog, through the control socket (the button's path).
wait_status "$tmp/ctl" '"pace":"jog"' 300
reply=$("$pacectl" -S "$tmp/ctl" symptom pain) || fail "symptom during the outage: $reply"
echo "$reply" | grep -q '"press":2' || fail "press during the outage not counted: $reply"
walk_after_press || fail "press during the outage: no walk pace first"
echo "$reply" | grep -q '"state":"cooldown"' ||
	fail "the second press did not bring the cool-down: $reply"
# The restarted broker has no persistence: what it holds, paced sent again.
start_broker
wait_until 400 sh -c "[ \$(grep -c 'plugin mqtt: connected to' '$tmp/paced.out') -ge 2 ]" ||
	fail "no reconnect after the broker came back"
wait_until 100 session_has '"presses_today":2' ||
	fail "state not republished after the outage"
[ "$(retained paced/availability)" = online ] || fail "availability not republished"
retained homeassistant/button/+/symptom/config | grep -q '"payload_press":"symptom"' ||
	fail "discovery not republished"
wait_status "$tmp/ctl" '"state":"idle"' 300
grep -q '"event":"end".*"outcome":"' "$(session_log)" || fail "the session has no end"
stop_paced
echo "PASS: mqtt_broker_outage_never_touches_a_session (and republished)"

# --- mqtt_stalled_broker_never_delays_a_symptom ---------------------------
# A broker that accepts, answers CONNECT, then never reads again, with a
# tiny receive buffer: paced's output backs up at once.
fport=$(free_port)
python3 - "$fport" >"$tmp/fake.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
conns = []
while True:
    c, _ = s.accept()
    c.recv(256)                     # CONNECT (it fits)
    c.sendall(b"\x20\x02\x00\x00")  # CONNACK: accepted
    conns.append(c)                 # ... and never read again
    print("accepted", flush=True)
PY
pids="$pids $!"
wait_until 100 sh -c "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $fport)).close()' 2>/dev/null" ||
	fail "fake broker did not start"
KEEPALIVE=3600 conf "$fport"
start_paced
wait_grep "$tmp/paced.out" "plugin mqtt: connected to 127.0.0.1:$fport" "never connected to the fake broker"
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
wait_status "$tmp/ctl" '"pace":"jog"' 300
wait_grep "$tmp/paced.out" "broker not taking data" "the fake broker's socket never filled" 600
start_ns=$(date +%s%N)
reply=$("$pacectl" -S "$tmp/ctl" symptom) || fail "symptom with a stalled broker: $reply"
ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "$reply" | grep -q '"press":1' || fail "press not counted: $reply"
walk_after_press || fail "stalled broker: no walk pace first"
[ $ms -lt 500 ] || fail "symptom press took $ms ms with a stalled broker"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
stop_paced
echo "PASS: mqtt_stalled_broker_never_delays_a_symptom ($ms ms)"

# --- mqtt_tls_checks_the_broker -----------------------------------------
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: mqtt_tls_checks_the_broker: openssl not installed"
	exit 0
fi
# A CA and a server certificate for 127.0.0.1.
t="$tmp/tls"
mkdir -p "$t"
mkcert() {	# NAME CN [SIGNER]: NAME.pem and NAME.key
	if [ $# -eq 2 ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
			-keyout "$t/$1.key" -out "$t/$1.pem" 2>/dev/null
	else
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
			-keyout "$t/$1.key" -out "$t/$1.csr" 2>/dev/null &&
		printf 'subjectAltName=IP:%s\n' "$2" >"$t/$1.ext" &&
		openssl x509 -req -in "$t/$1.csr" -CA "$t/$3.pem" -CAkey "$t/$3.key" \
			-CAcreateserial -days 2 -extfile "$t/$1.ext" \
			-out "$t/$1.pem" 2>/dev/null
	fi || fail "openssl: cannot make $1"
}
mkcert ca "paced test CA"
mkcert other "someone else's CA"
mkcert server 127.0.0.1 ca
tport=$(free_port)
cat >"$tmp/mosquitto.conf" <<CONF
listener $tport 127.0.0.1
allow_anonymous true
persistence false
user $me
cafile $t/ca.pem
certfile $t/server.pem
keyfile $t/server.key
CONF
start_tls_broker() {
	mosquitto -c "$tmp/mosquitto.conf" >>"$tmp/broker.log" 2>&1 &
	pids="$pids $!"
	wait_until 100 mosquitto_sub -h 127.0.0.1 -p "$tport" --cafile "$t/ca.pem" -t probe -W 1 -C 1 -E 2>/dev/null ||
		fail "mosquitto did not start with TLS on port $tport"
}
start_tls_broker
conf "$tport" "tls = { ca_file = \"$t/other.pem\"; };"
start_paced
wait_grep "$tmp/paced.out" "cannot connect to broker 127.0.0.1:$tport" \
	"a broker with a certificate of another CA: no error"
grep -q "plugin mqtt: connected" "$tmp/paced.out" && fail "connected to a broker it could not check"
stop_paced
conf "$tport" "tls = { ca_file = \"$t/ca.pem\"; };"
start_paced
wait_grep "$tmp/paced.out" "plugin mqtt: connected to 127.0.0.1:$tport" "no TLS connection"
mosquitto_sub -h 127.0.0.1 -p "$tport" --cafile "$t/ca.pem" -t paced/state -C 1 -W 2 | grep -q '"state":"idle"' ||
	fail "no retained state over TLS"
send_tls() { mosquitto_pub -h 127.0.0.1 -p "$tport" --cafile "$t/ca.pem" -t paced/command -m "$1"; }
"$pacectl" -S "$tmp/ctl" start demo >/dev/null || fail "pacectl start"
wait_status "$tmp/ctl" '"pace":"jog"' 300
send_tls symptom || fail "mosquitto_pub over TLS"
wait_status "$tmp/ctl" '"presses":1' 100
walk_after_press || fail "TLS symptom: no walk pace first"
"$pacectl" -S "$tmp/ctl" stop >/dev/null
wait_status "$tmp/ctl" '"state":"idle"' 300
stop_paced
echo "PASS: mqtt_tls_checks_the_broker"
exit 0
