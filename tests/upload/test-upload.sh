#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The upload plugin end to end, against tests/upload/server.py on
# 127.0.0.1, never the real service: the service runs a short sped-up
# session with export = fit, and the plugin POSTs the FIT file with the
# API key as HTTP Basic auth; a 500 is retried with a growing delay; an
# upload a restart interrupted is sent once after it, and never again; a
# key file others can read is refused; and the key is in no log line.
# Skipped (77) where the plugin was not built (--without-upload) or
# python3 is missing.
set -u
. "$top_srcdir/tests/lib.sh"
test_init upload

[ -f "$top_builddir/plugins/.libs/upload.so" ] ||
	{ echo "SKIP: upload.so not built (configured --without-upload, or no libcurl)"; exit 77; }
command -v python3 >/dev/null 2>&1 ||
	{ echo "SKIP: python3 is not installed (the test's HTTP server)"; exit 77; }
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
server="$top_srcdir/tests/upload/server.py"
key="k3y-S3CRET-f00dfeed42"
auth="Basic $(printf 'API_KEY:%s' "$key" | base64)"
case_dir=""

on_fail() {
	[ -n "$case_dir" ] || return
	[ -f "$case_dir/requests" ] && cat "$case_dir/requests"
	ls -l "$case_dir/state/uploads" 2>/dev/null
	[ -f "$case_dir/paced.out" ] && tail -n 30 "$case_dir/paced.out"
}

# One minute and a half of plan: 1.5 s at speed-up 60.
cat >"$tmp/short.cfg" <<'PROFILE'
name = "Short";
warmup = ( { walk = "0:30"; } );
main = ( { jog = "0:30"; } );
cooldown = ( { walk = "0:30"; } );
PROFILE
printf '%s\n' "$key" >"$tmp/intervals.key"
chmod 600 "$tmp/intervals.key"

# start_server DIR [ARGS...]: the stand-in service, its port in $port.
start_server() {
	d=$1
	shift
	rm -f "$d/port"
	python3 "$server" --port-file "$d/port" --log "$d/requests" \
		${port:+--port $port} "$@" 2>>"$d/server.err" &
	server_pid=$!
	pids="$pids $server_pid"
	wait_until 100 test -s "$d/port" || fail "the test server never listened"
	port=$(cat "$d/port")
}

stop_server() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null
}

# start_paced DIR: the service on DIR/paced.conf, output appended to
# DIR/paced.out (every run's, for the key check).
start_paced() {
	cat >"$1/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile = "$tmp/short.cfg";
state_dir = "$1/state";
control = { socket = "$1/ctl"; };
speedup = 60;
export = { formats = [ "fit" ]; };
plugins = {
	upload = {
		service = "intervals.icu";
		api_key_file = "$tmp/intervals.key";
		athlete = "0";
		url = "http://127.0.0.1:$port/api/v1/athlete/0/activities";
		retry_first = 1;
		retry_max = 4;
	};
};
CONF
	"$paced" -d -c "$1/paced.conf" >>"$1/paced.out" 2>&1 &
	paced_pid=$!
	pids="$pids $paced_pid"
	wait_until 200 "$pacectl" --socket "$1/ctl" status >/dev/null 2>&1 ||
		fail "the service never answered"
}

# The service stops cleanly: a sanitizer's or valgrind's report would
# show as another exit status.
stop_paced() {
	kill "$paced_pid"
	wait "$paced_pid" || fail "paced exited with status $? on SIGTERM"
}

# session DIR: one session, until its FIT file is exported; $name is
# the session's name, $fit its file.
session() {
	"$pacectl" --socket "$1/ctl" start >/dev/null || fail "pacectl start"
	wait_until 400 sh -c "ls '$1'/state/exports/*.fit >/dev/null 2>&1" ||
		fail "the session was never exported"
	fit=$(ls "$1"/state/exports/*.fit)
	name=${fit##*/}
	name=${name%.fit}
}

requests() {	# DIR: how many requests the server had
	if [ -f "$1/requests" ]; then wc -l <"$1/requests"; else echo 0; fi
}

# check_request DIR N: request N was the right POST of $fit.
check_request() {
	python3 - "$1/requests" "$2" "$auth" "$fit" "$name" <<'PY' || fail "request $2 was not right"
import hashlib, json, sys
log, n, auth, fit, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
r = [json.loads(l) for l in open(log)][n - 1]
want = hashlib.sha256(open(fit, "rb").read()).hexdigest()
ok = True
def check(what, good):
    global ok
    if not good:
        print("request %d: %s: %r" % (n, what, r), file=sys.stderr)
        ok = False
check("path", r["path"] == "/api/v1/athlete/0/activities")
check("Basic auth with API_KEY", r["auth"] == auth)
check("multipart", r["parts"] is not None and len(r["parts"]) == 1)
if r["parts"]:
    p = r["parts"][0]
    check("the field file", p["name"] == "file")
    check("the file name", p["filename"] == name + ".fit")
    check("the FIT file's bytes", p["sha256"] == want)
sys.exit(0 if ok else 1)
PY
}

# ---- upload_sends_the_fit_with_basic_auth ----
case_dir="$tmp/ok"
mkdir -p "$case_dir"
port=""
start_server "$case_dir"
start_paced "$case_dir"
session "$case_dir"
wait_until 200 test -f "$case_dir/state/uploads/$name.done" ||
	fail "the upload was never recorded as done"
[ "$(requests "$case_dir")" -eq 1 ] || fail "not exactly one request"
check_request "$case_dir" 1
[ -e "$case_dir/state/uploads/$name.pending" ] && fail "still pending once done"
grep -q "uploaded $name to intervals.icu (HTTP 201)" "$case_dir/paced.out" ||
	fail "the upload was not logged"
stop_paced
stop_server
echo "PASS: upload_sends_the_fit_with_basic_auth"

# ---- upload_retried_with_backoff_after_500 ----
# Two 500s (their body quotes the key, as a careless server might), then
# 201: three requests, 1 s then 2 s apart (retry_first = 1, doubling).
case_dir="$tmp/retry"
mkdir -p "$case_dir"
port=""
start_server "$case_dir" --fail 2 --fail-body "bad key $key, try later"
start_paced "$case_dir"
session "$case_dir"
wait_until 100 test -f "$case_dir/state/uploads/$name.pending" ||
	fail "a failed upload is not kept"
wait_until 200 test -f "$case_dir/state/uploads/$name.done" ||
	fail "the upload never succeeded after the 500s"
[ "$(requests "$case_dir")" -eq 3 ] ||
	fail "$(requests "$case_dir") requests, not 3 (two 500s, one 201)"
for n in 1 2 3; do
	check_request "$case_dir" $n
done
python3 - "$case_dir/requests" <<'PY' || fail "the retries did not back off"
import json, sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
gaps = [b - a for a, b in zip(t, t[1:])]
print("gaps between tries: %s s" % ", ".join("%.2f" % g for g in gaps))
sys.exit(0 if 0.9 <= gaps[0] < 1.9 and 1.9 <= gaps[1] < 3.5 else 1)
PY
[ "$(grep -c "upload of $name to intervals.icu failed (HTTP 500: bad key \[key\], try later); kept, next try in" \
	"$case_dir/paced.out")" -eq 2 ] || fail "the two failures were not logged, key masked"
stop_paced
stop_server
echo "PASS: upload_retried_with_backoff_after_500"

# ---- upload_once_across_restarts ----
# The service cannot be reached when the session ends (nothing listens on
# its port): the upload is pending and tried again; paced is restarted
# with the service back, and sends it once; restarted again, it does not
# send it again.
case_dir="$tmp/restart"
mkdir -p "$case_dir"
port=""
start_server "$case_dir"	# for a port of our own, then gone
stop_server
start_paced "$case_dir"
session "$case_dir"
wait_grep "$case_dir/paced.out" "upload of $name to intervals.icu failed (.*); kept, next try in 2 s" \
	"an unreachable service was not retried" 200
stop_paced
[ -f "$case_dir/state/uploads/$name.pending" ] ||
	fail "the pending upload did not outlive the service"
[ "$(requests "$case_dir")" -eq 0 ] || fail "requests with the server down"
start_server "$case_dir"	# the same port, answering now
start_paced "$case_dir"
wait_until 200 test -f "$case_dir/state/uploads/$name.done" ||
	fail "the pending upload was not resumed after the restart"
[ "$(requests "$case_dir")" -eq 1 ] || fail "not uploaded exactly once"
check_request "$case_dir" 1
stop_paced
start_paced "$case_dir"
sleep 2	# retry_first is 1 s: time enough for a wrong second try
stop_paced
[ "$(requests "$case_dir")" -eq 1 ] || fail "uploaded again after another restart"
grep -q "uploaded $name to intervals.icu" "$case_dir/paced.out" ||
	fail "the resumed upload was not logged"
stop_server
echo "PASS: upload_once_across_restarts"

# ---- upload_key_file_readable_by_others_refused ----
case_dir="$tmp/mode"
mkdir -p "$case_dir"
chmod 644 "$tmp/intervals.key"
port=1
start_paced "$case_dir"
stop_paced
chmod 600 "$tmp/intervals.key"
grep -q "paced.conf:[0-9]*: api_key_file $tmp/intervals.key can be read by others (mode 0644)" \
	"$case_dir/paced.out" || fail "a key file others can read was not refused"
grep -q "plugin upload not loaded" "$case_dir/paced.out" ||
	fail "the plugin was loaded with a key others can read"
echo "PASS: upload_key_file_readable_by_others_refused"

# ---- upload_key_never_logged ----
# Every line paced wrote in every case above, at debug level.
case_dir=""
for d in ok retry restart mode; do
	[ -s "$tmp/$d/paced.out" ] || fail "no output from the $d case"
	if grep -F -- "$key" "$tmp/$d/paced.out"; then
		fail "the API key is in the $d case's log"
	fi
done
echo "PASS: upload_key_never_logged"
