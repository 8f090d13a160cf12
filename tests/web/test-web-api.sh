#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The web plugin's HTTP API over a real socket, against the service on the
# simulator: pairing, who may do what, the safety asymmetry (a symptom
# acts at once, a start needs a deliberate confirmation), limits, and a
# stream client that never reads. One case a rule, named after it.
set -u
. "$top_srcdir/tests/lib.sh"
test_init web
command -v curl >/dev/null 2>&1 ||
	{ echo "SKIP: curl is not installed (Debian: curl)"; exit 77; }
command -v bash >/dev/null 2>&1 ||
	{ echo "SKIP: bash is not installed (its /dev/tcp plays raw clients)"; exit 77; }
[ -f "$top_builddir/plugins/.libs/web.so" ] ||
	{ echo "SKIP: the web plugin is not built (configured --without-web)"; exit 77; }

on_fail() {
	tail -n 20 "$tmp/paced.out"
}

case_name=""
begin() { case_name=$1; }
ok() { echo "PASS: $case_name"; }
check() {	# CONDITION-STATUS MESSAGE
	[ "$1" -eq 0 ] || fail "$case_name: $2"
}

mkdir -p "$tmp/state"
cat >"$tmp/paced.conf" <<CONF
treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
programme = "$top_srcdir/profiles/return-to-running.programme";
state_dir = "$tmp/state";
control = { socket = "$tmp/ctl"; };
speedup = 30;
plugins = { sim = {}; web = { listen = "127.0.0.1:0"; }; };
CONF
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pids="$pids $!"
wait_grep "$tmp/paced.out" "plugin web: listening on" "web never listened"
port=$(sed -n 's,.*listening on http://127.0.0.1:\([0-9]*\)/.*,\1,p' "$tmp/paced.out")
base="http://127.0.0.1:$port"
own="Origin: $base"
wait_until 200 status_matches "$tmp/ctl" . || fail "the service never answered"

# curl_code FILE ARGS...: the HTTP status, the body in FILE.
code() {
	out=$1
	shift
	curl -s -m 10 -o "$out" -w '%{http_code}' "$@"
}
post() {	# JAR PATH [BODY] [ORIGIN]: the status, body in $tmp/body
	code "$tmp/body" -b "$1" -H "${4:-$own}" \
		-H 'Content-Type: application/json' \
		-d "${3:-}" -X POST "$base/api/$2"
}
get() {		# JAR PATH
	code "$tmp/body" -b "$1" "$base/api/$2"
}
pair() {	# JAR: pair a new device into the cookie jar
	"$pacectl" -S "$tmp/ctl" web pair --json >"$tmp/pair.json" ||
		fail "pacectl web pair"
	link=$(sed -n 's/.*"pair":"\([^"]*\)".*/\1/p' "$tmp/pair.json")
	[ -n "$link" ] || fail "no pairing link: $(cat "$tmp/pair.json")"
	c=$(code "$tmp/page" -c "$1" "$link")
	[ "$c" = 200 ] || fail "pairing link refused ($c)"
}
session_log() { ls -t "$tmp"/state/sessions/*.jsonl | head -n 1; }

begin web_api_needs_pairing
c=$(get /dev/null status); check $? "curl"
[ "$c" = 401 ] || fail "$case_name: /api/status without a token: $c"
grep -q '"ok":false' "$tmp/body" || fail "$case_name: error not JSON"
c=$(code "$tmp/page" "$base/")
[ "$c" = 401 ] && grep -q "pacectl web pair" "$tmp/page" ||
	fail "$case_name: the page without a token is not the pairing help ($c)"
c=$(code /dev/null -b "paced_token=$(printf '%064d' 0)" "$base/api/status")
[ "$c" = 401 ] || fail "$case_name: a made-up token: $c"
ok

begin web_pairing_link_is_single_use
pair "$tmp/a"
c=$(get "$tmp/a" status)
[ "$c" = 200 ] && grep -q '"state":"idle"' "$tmp/body" ||
	fail "$case_name: paired device gets no status ($c)"
grep -q 'HttpOnly; SameSite=Strict' "$tmp/a" 2>/dev/null ||
	grep -q '#HttpOnly_' "$tmp/a" || fail "$case_name: cookie not HttpOnly"
c=$(code "$tmp/page" -c "$tmp/x" "$link")
[ "$c" = 403 ] || fail "$case_name: pairing link worked twice ($c)"
c=$(code "$tmp/page" "$base/pair?code=../../etc/passwd")
[ "$c" = 403 ] || fail "$case_name: a made-up code: $c"
ok

begin web_tokens_stored_hashed_0600
f="$tmp/state/web-tokens.json"
[ "$(stat -c %a "$f")" = 600 ] || fail "$case_name: mode $(stat -c %a "$f")"
token=$(awk '$6 == "paced_token" { print $7 }' "$tmp/a")
[ ${#token} = 64 ] || fail "$case_name: no token in the jar"
grep -q "$token" "$f" && fail "$case_name: the token is stored in clear"
"$pacectl" -S "$tmp/ctl" web devices | grep -q "curl/" ||
	fail "$case_name: pacectl web devices does not list it"
ok

begin web_headers_forbid_foreign_use
curl -s -D "$tmp/hdr" -o /dev/null -b "$tmp/a" -H "Origin: http://evil.example" \
	"$base/api/status"
grep -qi "^Content-Security-Policy: default-src 'self'" "$tmp/hdr" ||
	fail "$case_name: no CSP"
grep -qi "^Access-Control" "$tmp/hdr" && fail "$case_name: a CORS header"
c=$(code /dev/null -b "$tmp/a" "$base/../../../etc/passwd" --path-as-is)
[ "$c" = 404 ] || fail "$case_name: a path outside the table: $c"
ok

begin web_post_from_foreign_origin_refused
for o in "Origin: http://evil.example" "Origin: null" "X-None: 1"; do
	c=$(post "$tmp/a" stop "" "$o")
	[ "$c" = 403 ] || fail "$case_name: POST with '$o': $c"
done
c=$(code /dev/null -H "$own" -X POST "$base/api/stop")
[ "$c" = 401 ] || fail "$case_name: POST without a token: $c"
ok

begin web_checkin_goes_to_the_service
c=$(post "$tmp/a" checkin '{"answers":"leak=no,heaviness=no,pain=0,bleeding=no"}')
[ "$c" = 200 ] && grep -q '"checkin":"leak=no,heaviness=no,pain=0,bleeding=no"' "$tmp/body" ||
	fail "$case_name: $c $(cat "$tmp/body")"
grep -q '"type":"checkin","leak":"no"' "$tmp/state/history.jsonl" ||
	fail "$case_name: not in the history"
c=$(post "$tmp/a" checkin '{"answers":"leak=maybe"}')
[ "$c" = 409 ] && grep -q 'leak' "$tmp/body" ||
	fail "$case_name: a wrong word: $c $(cat "$tmp/body")"
c=$(post "$tmp/a" checkin '{"answers":"leak=no\nstop"}')
[ "$c" = 400 ] || fail "$case_name: a second line smuggled in: $c"
ok

begin web_start_needs_deliberate_confirm
c=$(post "$tmp/a" start '{"profile":"demo"}')
[ "$c" = 202 ] || fail "$case_name: first POST /api/start: $c $(cat "$tmp/body")"
confirm=$(sed -n 's/.*"confirm":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"idle"' ||
	fail "$case_name: the first POST started the belt"
pair "$tmp/b"
c=$(post "$tmp/b" start '{"profile":"demo"}')
[ "$c" = 409 ] || fail "$case_name: a second device while one confirms: $c"
c=$(post "$tmp/b" start "{\"confirm\":\"$confirm\"}")
[ "$c" = 403 ] || fail "$case_name: another device's confirmation: $c"
c=$(post "$tmp/a" start '{"confirm":"00000000000000000000000000000000"}')
[ "$c" = 403 ] || fail "$case_name: a wrong confirmation: $c"
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"idle"' ||
	fail "$case_name: a refused confirmation started the belt"
c=$(post "$tmp/a" start "{\"confirm\":\"$confirm\"}")
[ "$c" = 200 ] || fail "$case_name: the right confirmation: $c $(cat "$tmp/body")"
c=$(post "$tmp/a" start "{\"confirm\":\"$confirm\"}")
[ "$c" = 403 ] || fail "$case_name: a confirmation used twice: $c"
wait_status "$tmp/ctl" '"state":"running"'
ok

begin web_events_stream_carries_watch_events
curl -s -N -m 30 -b "$tmp/a" "$base/api/events" >"$tmp/sse" 2>/dev/null &
sse=$!
pids="$pids $sse"
wait_grep "$tmp/sse" '^retry:' "$case_name: no stream"
ok

begin web_slow_stream_client_does_not_delay_symptom
# Clients that ask for the stream and never read a byte of it.
for i in 1 2 3; do
	bash -c "exec 5<>/dev/tcp/127.0.0.1/$port &&
		 printf 'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nCookie: paced_token=$token\r\n\r\n' >&5 &&
		 sleep 60" &
	pids="$pids $!"
done
wait_status "$tmp/ctl" '"pace":"jog"' 300
t0=$(date +%s%N)
c=$(post "$tmp/a" symptom '{"kind":"leak"}')
t1=$(date +%s%N)
[ "$c" = 200 ] && grep -q '"press":1' "$tmp/body" ||
	fail "$case_name: symptom: $c $(cat "$tmp/body")"
ms=$(((t1 - t0) / 1000000))
[ $ms -lt 1000 ] || fail "$case_name: the press took $ms ms"
ok

begin web_symptom_walk_pace_first
log=$(session_log)
walk=$(awk '/"event":"symptom"/ { s = 1; next }
	    s && /"event":"command"/ { print; exit }' "$log")
echo "$walk" | grep -q '"command":"set-speed","value":5.00' ||
	fail "$case_name: first command after the press: $walk"
grep -q '"event":"symptom".*"kind":"leak"' "$log" ||
	fail "$case_name: the press is not in the log"
wait_grep "$tmp/sse" '^data: {.*"symptom"' "$case_name: the stream missed the press"
ok

begin web_oversize_request_refused
big=$(head -c 4096 /dev/zero | tr '\0' x)
c=$(post "$tmp/a" symptom "{\"kind\":\"$big\"}")
[ "$c" = 413 ] || fail "$case_name: a 4 KiB body: $c"
c=$(code /dev/null -b "$tmp/a" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' y)" \
	"$base/api/status")
case $c in 4*) ;; *) fail "$case_name: 20 KB of headers: $c" ;; esac
c=$(get "$tmp/a" status)
[ "$c" = 200 ] || fail "$case_name: the service stopped answering: $c"
ok

begin web_resume_needs_deliberate_confirm
c=$(post "$tmp/a" pause)
[ "$c" = 200 ] || fail "$case_name: pause: $c $(cat "$tmp/body")"
wait_status "$tmp/ctl" '"state":"paused"'
c=$(post "$tmp/a" resume)
[ "$c" = 202 ] || fail "$case_name: first POST /api/resume: $c"
"$pacectl" -S "$tmp/ctl" status | grep -q '"state":"paused"' ||
	fail "$case_name: the first POST resumed the belt"
confirm=$(sed -n 's/.*"confirm":"\([0-9a-f]*\)".*/\1/p' "$tmp/body")
c=$(post "$tmp/a" resume "{\"confirm\":\"$confirm\"}")
[ "$c" = 200 ] || fail "$case_name: the confirmed resume: $c $(cat "$tmp/body")"
ok

begin web_hundred_clients_connect_and_drop
# All 100 open at once, past the connection limit (64), some halfway
# through a request; then all gone. The page must get in again. Past the
# limit the service closes a connection at once: writes to it may fail.
bash -c "trap '' PIPE
	fds=''
	for i in \$(seq 100); do
		exec {fd}<>/dev/tcp/127.0.0.1/$port || exit 1
		fds=\"\$fds \$fd\"
		case \$((i % 3)) in
		0) printf 'GET /api/status HTTP/1.1\r\n' >&\$fd ;;
		1) printf 'POST /api/symptom HTTP/1.1\r\nContent-Length: 500\r\n\r\n{' >&\$fd ;;
		esac 2>/dev/null
	done
	sleep 0.5
	for fd in \$fds; do exec {fd}>&-; done" || fail "$case_name: could not connect 100 times"
c=$(get "$tmp/a" status)
[ "$c" = 200 ] || fail "$case_name: no answer after the drops: $c"
kill -0 $(echo $pids | cut -d' ' -f1) || fail "$case_name: paced died"
ok

begin web_chart_waits_while_a_session_runs
# Reading a log in the loop must not hold up a press: not while a session
# runs (the chart case below reads one once it has ended).
c=$(get "$tmp/a" "history/1/speed")
[ "$c" = 409 ] && grep -q "no session is running" "$tmp/body" ||
	fail "$case_name: $c $(cat "$tmp/body")"
ok

begin web_stop_acts_at_once
c=$(post "$tmp/a" stop)
[ "$c" = 200 ] || fail "$case_name: stop: $c"
wait_status "$tmp/ctl" '"state":"idle"' 300
ok

begin web_history_chart_reads_only_session_logs
c=$(get "$tmp/a" history)
when=$(sed -n 's/.*"when_s":\([0-9]*\),"type":"run".*/\1/p' "$tmp/body" | head -n 1)
[ -n "$when" ] || fail "$case_name: no session in the history: $(cat "$tmp/body")"
c=$(get "$tmp/a" "history/$when/speed")
[ "$c" = 200 ] && grep -q '"samples":\[\[[0-9.]*,[0-9.]*\]' "$tmp/body" &&
	grep -q '"presses":\[[0-9.]' "$tmp/body" ||
	fail "$case_name: $c $(head -c 300 "$tmp/body")"
for p in "history/1/speed" "history/-$when/speed" "history/$when" "history/x/speed"; do
	c=$(get "$tmp/a" "$p")
	[ "$c" = 404 ] || fail "$case_name: $p: $c"
done
ok

begin web_revoked_device_refused
# A device's ID is the start of its token's SHA-256 (what is stored).
id=$(printf %s "$token" | sha256sum | cut -c1-8)
"$pacectl" -S "$tmp/ctl" web revoke "$id" >/dev/null || fail "$case_name: revoke"
[ "$(get "$tmp/a" status)" = 401 ] || fail "$case_name: revoked device still in"
[ "$(get "$tmp/b" status)" = 200 ] || fail "$case_name: the other device lost access"
wait_until 100 sh -c "! kill -0 $sse 2>/dev/null" ||
	fail "$case_name: the revoked device's stream goes on"
out=$("$pacectl" -S "$tmp/ctl" web revoke "$id" 2>&1) && fail "$case_name: revoked twice"
echo "$out" | grep -q "no such device" || fail "$case_name: $out"
ok

exit 0
