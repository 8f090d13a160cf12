#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the VM: paced-ble-sim advertises on hci0; from hci1, paced
# scans, runs a session with a symptom press, and rides out a link drop.
set -u
cd /tmp
SIM_ADDR=00:AA:01:00:00:00	# btvirt's fixed address for hci0
SPEEDUP=20
# The Bluetooth driver plugin, copied here by build-initramfs.sh.
export PACED_PLUGIN_PATH=/paced/plugins
pass() { echo "ble-vm: PASS: $*"; }
fail() {
	echo "ble-vm: FAIL: $*"
	for f in sim.out sim2.out sim3.out run.out svc.out; do
		[ -f $f ] && { echo "----- $f"; tail -n 40 $f; }
	done
	[ -f log.jsonl ] && { echo "----- log.jsonl (tail)"; tail -n 15 log.jsonl; }
	exit 1
}
ms() { cut -d' ' -f1 /proc/uptime | tr -d . ; }	# centiseconds

# Wait until a file has a line matching a pattern (at most $3 x 50 ms).
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
wait_status() {
	i=0
	while [ $i -lt 300 ]; do
		pacectl --socket /tmp/ctl status 2>/dev/null | grep -q "$1" &&
			return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

paced-ble-sim --up --adapter hci1 || fail "cannot power hci1 up"
paced-ble-sim --adapter hci0 --name paced-sim --speedup $SPEEDUP >sim.out 2>&1 &
simpid=$!
wait_for sim.out 'advertising' 100 || fail "simulator did not start"
cat sim.out

# --- 1: scan from hci1 lists the simulator as a treadmill ------------
scan="paced scan"
$scan --adapter hci1 --seconds 2 >scan.out 2>&1 || fail "scan: $(cat scan.out)"
echo "----- $scan --adapter hci1 --seconds 2"
cat scan.out
grep -q "^$SIM_ADDR  public .* treadmill .* paced-sim" scan.out ||
	fail "scan did not list the simulator as a treadmill"
$scan --adapter hci1 --json --seconds 1 >scan.json 2>&1
grep -q '"treadmill":true' scan.json || fail "scan --json: $(cat scan.json)"
t0=$(ms)
addr=$($scan --adapter hci1 --name paced-sim --seconds 5) ||
	fail "scan --name paced-sim found nothing"
t1=$(ms)
echo "ble-vm: scan --name paced-sim -> $addr in $(( (t1 - t0) * 10 )) ms"
[ "$addr" = "$SIM_ADDR/public" ] || fail "scan --name gave '$addr'"
pass "scan lists the simulator (address, type, RSSI, treadmill, name)"

# --- 2: a session on the treadmill found by name, with a symptom press --
t0=$(ms)
mkdir -p /tmp/state
paced run --treadmill name:paced-sim --adapter hci1 --profile /paced/demo.cfg \
	--speedup $SPEEDUP --control /tmp/ctl --log /tmp/log.jsonl \
	--state-dir /tmp/state >run.out 2>&1 &
runpid=$!
wait_for run.out "found 'paced-sim' at $addr" 300 ||
	fail "paced run --treadmill name:paced-sim did not find it"
wait_for run.out 'connected to' 300 || fail "paced run never connected"
t1=$(ms)
echo "ble-vm: paced run: name scan + LE connect + GATT bring-up in $(( (t1 - t0) * 10 )) ms"
wait_status '"pace":"jog"' || fail "never reached the first jog"
grep -q 'op=0x02 speed=' sim.out || fail "simulator saw no Set Target Speed"
pass "in control, belt at speed over BLE"
reply=$(pacectl --socket /tmp/ctl symptom leak) || fail "symptom: $reply"
echo "$reply" | grep -q '"state":"recovery"' || fail "no recovery: $reply"
wait_for log.jsonl '"command":"set-speed","value":5.00' 60 ||
	fail "no walk pace after the press"
wait_for sim.out 'speed=5.00' 60 || fail "simulator never got walk pace"
pass "symptom press: walk pace reached the treadmill"

# --- 3: link drop (simulator restarted) and reconnect ----------------
kill -9 $simpid
wait $simpid 2>/dev/null
echo "----- commands the simulator received"
grep 'command\|connected' sim.out
t0=$(ms)
paced-ble-sim --adapter hci0 --name paced-sim --speedup $SPEEDUP >sim2.out 2>&1 &
simpid=$!
wait_for run.out 'link to the treadmill lost' 200 || fail "drop not noticed"
t1=$(ms)
echo "ble-vm: link loss noticed after $(( (t1 - t0) * 10 )) ms"
wait_for run.out 'link back' 400 || fail "no reconnect"
t2=$(ms)
echo "ble-vm: reconnected $(( (t2 - t1) * 10 )) ms after the loss"
wait_for sim2.out 'connected from' 20 || fail "new simulator saw no client"
pass "reconnect after the link drop"
pacectl --socket /tmp/ctl stop >/dev/null 2>&1
i=0
while kill -0 $runpid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 $runpid 2>/dev/null && { kill $runpid; fail "paced run did not exit"; }
wait $runpid
rc=$?
echo "----- paced run output"
cat run.out
echo "----- second simulator"
cat sim2.out
grep -q '"event":"end"' log.jsonl || fail "session log has no end (exit $rc)"
kill $simpid 2>/dev/null
pass "session ended cleanly (paced run exit $rc)"

# --- 4: the service: pacectl scan, a treadmill by name, a press -------
paced-ble-sim --adapter hci0 --name paced-sim --speedup $SPEEDUP >sim3.out 2>&1 &
simpid=$!
wait_for sim3.out 'advertising' 100 || fail "third simulator did not start"
mkdir -p /tmp/svc-state
cat >/tmp/svc.conf <<CONF
treadmill = { address = "name:paced-sim"; adapter = "hci1"; };
profile_dir = "/paced"; profile = "demo";
state_dir = "/tmp/svc-state"; control = { socket = "/tmp/svc.ctl"; };
speedup = $SPEEDUP;
CONF
paced --debug=plugin -c /tmp/svc.conf >svc.out 2>&1 &
svcpid=$!
i=0
until pacectl --socket /tmp/svc.ctl status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the service never answered: $(cat svc.out)"
	sleep 0.05
done
pacectl --socket /tmp/svc.ctl scan --seconds 2 >svcscan.out 2>&1 ||
	fail "pacectl scan: $(cat svcscan.out) $(tail -n 5 svc.out)"
echo "----- pacectl scan --seconds 2 (through the service)"
cat svcscan.out
grep -q "^$SIM_ADDR  public .* treadmill .* paced-sim" svcscan.out ||
	fail "pacectl scan did not list the simulator"
pacectl --socket /tmp/svc.ctl start >/dev/null || fail "pacectl start: $(tail -n 5 svc.out)"
i=0
until pacectl --socket /tmp/svc.ctl status 2>/dev/null | grep -q '"pace":"jog"'; do
	i=$((i + 1))
	[ $i -lt 600 ] || fail "service session never reached a jog: $(tail -n 20 svc.out)"
	sleep 0.05
done
grep -q "treadmill 'paced-sim' found at $SIM_ADDR/public" svc.out ||
	fail "the service did not find the treadmill by name"
pacectl --socket /tmp/svc.ctl symptom >/dev/null || fail "symptom through the service"
wait_for sim3.out 'speed=5.00' 60 || fail "service: walk pace never reached the simulator"
pacectl --socket /tmp/svc.ctl stop >/dev/null 2>&1
kill -TERM $svcpid
i=0
while kill -0 $svcpid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 $svcpid 2>/dev/null && { kill -9 $svcpid; fail "the service did not exit"; }
wait $svcpid || fail "the service exited with $?: $(tail -n 10 svc.out)"
kill $simpid 2>/dev/null
pass "service: pacectl scan, treadmill by name over BLE, press reached it"

# --- 5: nobody there: a clear error within the connect timeout --------
t0=$(ms)
paced run --treadmill 00:AA:01:00:00:99 --adapter hci1 \
	--profile /paced/demo.cfg --state-dir /tmp/state >none.out 2>&1
rc=$?
t1=$(ms)
cat none.out
echo "ble-vm: absent treadmill: exit $rc after $(( (t1 - t0) * 10 )) ms"
[ $rc -eq 3 ] || fail "absent treadmill: exit $rc, want 3"
[ $(( (t1 - t0) * 10 )) -lt 15000 ] || fail "absent treadmill took too long"
pass "absent treadmill reported, no hang"
exit 0
