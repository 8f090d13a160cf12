#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The control socket end to end: its path is never taken from a file or
# another paced (anyone), and group access with real users and groups,
# created here and removed after (root only; skipped otherwise), as
# paced --check-config and pacectl see them.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"

paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-ctl.XXXXXX")
pid="" run1=""
users="" groups=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$run1" ] && kill "$run1" 2>/dev/null && wait "$run1" 2>/dev/null
	for u in $users; do userdel "$u" 2>/dev/null; done
	for g in $groups; do groupdel "$g" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$tmp/paced.out" ] && tail -n 20 "$tmp/paced.out" >&2
	exit 1
}
export PACED_PLUGIN_PATH="$top_builddir/plugins/.libs"
answers() {	# SOCKET WHAT: until a paced answers on SOCKET (at most 10 s)
	i=0
	until "$pacectl" -S "$1" status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$2 never answered on $1"
		sleep 0.05
	done
}

# --- the path: only a stale socket is ever replaced (anyone) -----------
echo "precious" >"$tmp/file"
out=$("$paced" run -t sim -p "$top_srcdir/profiles/demo.cfg" -s 100 \
	--state-dir "$tmp/state" --control "$tmp/file" </dev/null 2>&1) &&
	fail "paced run took a regular file as its socket"
[ "$(cat "$tmp/file")" = precious ] || fail "--control deleted a file: $out"

# "" would be an abstract socket, which no file permission guards.
"$paced" run -t sim -p "$top_srcdir/profiles/demo.cfg" -s 100 \
	--state-dir "$tmp/state" --control "" </dev/null >/dev/null 2>&1 &&
	fail "paced run opened a control socket on an empty path"

# A second 'paced run' on the first one's socket: refused, and the
# first one's socket still there when the second has gone.
"$paced" run -t sim -p "$top_srcdir/profiles/walk-only.cfg" -s 1 \
	--state-dir "$tmp/state" --control "$tmp/run.ctl" </dev/null \
	>"$tmp/run1.out" 2>&1 &
run1=$!
answers "$tmp/run.ctl" "the first paced run"
# (Its own state directory: one paced per state directory is a rule of
# its own, tests/crash/crash-restart.sh.)
out=$("$paced" run -t sim -p "$top_srcdir/profiles/demo.cfg" -s 100 \
	--state-dir "$tmp/state2" --control "$tmp/run.ctl" </dev/null 2>&1) &&
	fail "a second paced run took the first one's socket"
echo "$out" | grep -q "run.ctl" ||
	fail "the second paced run was not refused for the socket: $out"
"$pacectl" -S "$tmp/run.ctl" status >/dev/null ||
	fail "the second paced run removed the first one's socket: $out"
kill -INT "$run1"
wait "$run1"
run1=""
[ -e "$tmp/run.ctl" ] && fail "paced run left its socket behind"
echo "PASS: control_path_never_replaced (a file, a live socket, \"\")"

# --- group access with real users and groups (root) --------------------
# Root with every uid mapped: not root of a user namespace that maps only
# itself, as make check-arm64 runs in (tests/common/identity.h).
if [ "$(id -u)" -ne 0 ] ||
	[ "$(awk 'NR == 1 { print $1, $2, $3 }' /proc/self/uid_map)" != "0 0 4294967295" ]; then
	echo "SKIP: the group-access cases create users and groups: root of the whole machine only"
	exit 77
fi
for tool in useradd userdel groupadd groupdel setpriv; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "SKIP: $tool not installed"; exit 77; }
done

# Short names: the test's pid keeps parallel runs apart.
grp="pct$$" other="pco$$" member="pcm$$" outsider="pcx$$"
groupadd "$grp" || fail "groupadd $grp"
groups="$grp"
groupadd "$other" || fail "groupadd $other"
groups="$groups $other"
# In $grp only as a supplementary group, as usermod -aG makes it.
useradd -M -N -s /bin/sh -G "$grp" "$member" || fail "useradd $member"
users="$member"
useradd -M -N -s /bin/sh "$outsider" || fail "useradd $outsider"
users="$users $outsider"
as() {	# USER COMMAND...: run as USER with USER's groups
	u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}

chmod 0711 "$tmp"
mkdir "$tmp/run" "$tmp/mine"
chown "$member" "$tmp/mine"
conf() {	# FILE SOCKET GROUP
	cat >"$1" <<CONF
treadmill = { address = "sim"; };
profile_dir = "$top_srcdir/profiles";
profile = "demo";
state_dir = "$tmp/state";
control = { socket = "$2"; group = "$3"; };
speedup = 30;
plugins = { sim = { speedup = 30; }; };
CONF
	chmod 0644 "$1"
}

# --check-config catches what start-up would refuse.
check_fails() {	# WHAT PATTERN [as USER] -- paced -n on $tmp/c.conf
	what=$1 pattern=$2
	shift 2
	out=$("$@" "$paced" -n -c "$tmp/c.conf" 2>&1) &&
		fail "--check-config passed: $what"
	echo "$out" | grep -q "$pattern" || fail "--check-config, $what: $out"
}
conf "$tmp/c.conf" "$tmp/run/ctl" "nosuch$$"
check_fails "missing group" "control group 'nosuch$$' does not exist"
conf "$tmp/c.conf" "$tmp/nodir/ctl" "$grp"
check_fails "missing directory" "its directory $tmp/nodir does not exist"
conf "$tmp/c.conf" "$tmp/run/ctl" ""
check_fails "directory not writable" "uid $(id -u "$outsider") cannot create files in $tmp/run" as "$outsider"
conf "$tmp/c.conf" "$tmp/mine/ctl" "$other"
check_fails "a group it cannot give the socket to" "uid $(id -u "$member") cannot give the socket to it" as "$member"
conf "$tmp/c.conf" "$tmp/file" "$grp"
check_fails "a file in the way" "exists and is not a socket"
# A member may give its socket to the group; root may give it to any.
conf "$tmp/c.conf" "$tmp/mine/ctl" "$grp"
as "$member" "$paced" -n -c "$tmp/c.conf" >/dev/null ||
	fail "--check-config refused a member's own group"
conf "$tmp/paced.conf" "$tmp/run/ctl" "$grp"
"$paced" -n -c "$tmp/paced.conf" >/dev/null || fail "--check-config as root"
echo "PASS: check_config_catches_what_startup_refuses"

"$paced" -d -c "$tmp/paced.conf" >"$tmp/paced.out" 2>&1 &
pid=$!
answers "$tmp/run/ctl" "the service"
[ "$(stat -c %G:%a "$tmp/run/ctl")" = "$grp:660" ] ||
	fail "socket is $(stat -c %G:%a "$tmp/run/ctl"), not $grp:660"

out=$(as "$member" "$pacectl" -S "$tmp/run/ctl" status 2>&1) ||
	fail "a member through a supplementary group was refused: $out"
echo "PASS: supplementary_group_member_accepted"

# The socket's mode keeps an outsider out first (pacectl says whose
# group it is); behind a careless chmod, paced refuses with its reason.
out=$(as "$outsider" "$pacectl" -S "$tmp/run/ctl" status 2>&1) &&
	fail "an outsider was let in"
echo "$out" | grep -q "only members of group '$grp' may" ||
	fail "outsider, socket 0660: $out"
chmod 0666 "$tmp/run/ctl"
out=$(as "$outsider" "$pacectl" -S "$tmp/run/ctl" status 2>&1) &&
	fail "an outsider was let in past a chmod"
echo "$out" | grep -q "permission denied: uid $(id -u "$outsider") is not in group $grp" ||
	fail "outsider refused without the reason: $out"
echo "$out" | grep -q "reset" && fail "outsider saw a reset: $out"
echo "PASS: outsider_refused_with_reason"

# --- start PROFILE: the profile directory, unless root ------------------
# paced reads the profile with its own rights: a client that is not root
# names one in profile_dir, never a path elsewhere (nor a link out).
cp "$top_srcdir/profiles/demo.cfg" "$tmp/outside.cfg"
chmod 0644 "$tmp/outside.cfg"
out=$(as "$member" "$pacectl" -S "$tmp/run/ctl" start "$tmp/outside.cfg" 2>&1) &&
	fail "start_outside_profile_dir_needs_root: a member started $tmp/outside.cfg"
echo "$out" | grep -q "only root may start a profile from elsewhere" ||
	fail "start_outside_profile_dir_needs_root: refused without the reason: $out"
"$pacectl" -S "$tmp/run/ctl" status | grep -q '"state":"idle"' ||
	fail "start_outside_profile_dir_needs_root: a session started anyway"
# The profile directory by its absolute path is the profile directory.
out=$(as "$member" "$pacectl" -S "$tmp/run/ctl" start "$top_srcdir/profiles/demo.cfg" 2>&1) ||
	fail "a member could not start a profile of the profile directory: $out"
"$pacectl" -S "$tmp/run/ctl" stop >/dev/null || fail "stop"
wait_idle() {
	i=0
	until "$pacectl" -S "$tmp/run/ctl" status | grep -q '"state":"idle"'; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the session never ended"
		sleep 0.05
	done
}
wait_idle
# Root may.
out=$("$pacectl" -S "$tmp/run/ctl" start "$tmp/outside.cfg" 2>&1) ||
	fail "root could not start $tmp/outside.cfg: $out"
"$pacectl" -S "$tmp/run/ctl" stop >/dev/null || fail "stop"
wait_idle
echo "PASS: start_outside_profile_dir_needs_root"
