#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# In the chroot: the README's "Install on the box", then remove and purge.
# apt install ./paced_*.deb; paced setup as root for a user "runner"
# (SUDO_USER, as sudo sets it); the service started as its unit would
# (tests/deb/unit-exec.sh: systemd cannot run in a chroot); pacectl start
# as runner, with only the groups a login gives; the session runs to its
# end and is in the history.
set -u
fail() {
	echo "FAIL: $*" >&2
	for f in /tmp/paced.log /tmp/setup.out; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -n 25 "$f" >&2; }
	done
	exit 1
}
ok() { echo "ok: $*"; }
apt-get update -qq >/tmp/apt.log 2>&1 || fail "apt-get update"
cd /debs || exit 1
apt-get install -y -qq ./paced_*.deb >>/tmp/apt.log 2>&1 ||
	{ cat /tmp/apt.log; fail "apt install ./paced_*.deb"; }
cd /
ok "apt install ./paced_*.deb"

# The unit runs the service as its own user (User=paced, /run/paced in
# group paced), so pacectl works for a member of group paced with only
# the groups a login gives.
grep -q '^User=paced$' /lib/systemd/system/paced.service ||
	fail "paced.service does not run as user paced"
who=runner
as_runner() { setpriv --reuid=$who --regid=$who --init-groups "$@"; }

getent passwd paced | grep -q ':/var/lib/paced:' ||
	fail "no system user paced with home /var/lib/paced"
id -nG paced | grep -qw input || fail "paced is not in group input (buttons)"
[ -L /etc/systemd/system/multi-user.target.wants/paced.service ] ||
	fail "paced.service not enabled on install"
dpkg-query -W -f='${Conffiles}\n' paced | grep -q ' */etc/paced/paced.conf ' ||
	fail "/etc/paced/paced.conf is not a conffile"
[ -f /usr/lib/sysusers.d/paced.conf ] && [ -f /usr/lib/udev/rules.d/60-paced.rules ] ||
	fail "sysusers.d or udev file missing"
paced --check-config >/dev/null || fail "the installed paced.conf is refused"
ok "user and group paced, unit enabled, conffile, paced.conf checks"

useradd -m -s /bin/sh runner || fail "useradd runner"
SUDO_USER=runner paced setup --treadmill sim --walk 5.5 --jog 8 \
	--units metric --programme --no-button >/tmp/setup.out 2>&1 ||
	fail "paced setup (exit $?)"
grep -q 'systemd is not running here' /tmp/setup.out ||
	fail "setup did not say why the service was not started"
id -nG runner | grep -qw paced || fail "runner not added to group paced"
ls /etc/paced/paced.conf.bak-* >/dev/null 2>&1 || fail "no backup of paced.conf"
conf=/etc/paced/paced.conf
for want in 'address = "sim";' 'walk = 5.5;' 'jog = 8.0;' 'group = "paced";' \
    'programme = "/usr/share/paced/profiles/return-to-running.programme";' \
    '# Your paces and the speed cap, in km/h.'; do
	grep -qF "$want" $conf || fail "paced.conf lacks: $want"
done
ok "paced setup: paced.conf edited with its comments, backup, group"

# The person (this test) speeds the session clock up: the first session
# (PREP1, 4:40 with no treadmill) in 3 s. An edit of the conffile, as a
# person would make.
sed -i -e 's/^# speedup = 1;/speedup = 120;/' $conf
[ "$(grep -c '^speedup = 120;' $conf)" = 1 ] || fail "speedup edit"

pid=$(sh /t/unit-exec.sh /tmp/paced.log) || fail "starting the unit"
i=0
until as_runner pacectl status >/tmp/status 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "pacectl status as $who: $(cat /tmp/status)"
	kill -0 "$pid" 2>/dev/null || fail "paced exited"
	sleep 0.2
done
ok "service up as its unit says; pacectl status as $who"

as_runner pacectl start >/tmp/start 2>&1 || fail "pacectl start: $(cat /tmp/start)"
i=0
until [ -s /var/lib/paced/history.jsonl ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "no session in the history after 60 s"
	sleep 0.2
done
# A fresh history starts with the preparation phase: PREP1, no treadmill.
grep -q '"stage":"PREP1"' /var/lib/paced/history.jsonl ||
	fail "history: $(cat /var/lib/paced/history.jsonl)"
grep -q '"completed":true' /var/lib/paced/history.jsonl ||
	fail "history: $(cat /var/lib/paced/history.jsonl)"
ls /var/lib/paced/sessions/*.jsonl >/dev/null || fail "no session log"
user=$(sed -n 's/^User=//p' /lib/systemd/system/paced.service)
[ "$(stat -c %U /var/lib/paced/history.jsonl)" = "${user:-root}" ] ||
	fail "history owned by $(stat -c %U /var/lib/paced/history.jsonl)"
ok "pacectl start as $who: PREP1 ran to its end, in history and a session log"

# And a session on the (simulated) treadmill, by profile name: a 30-minute
# walk in 15 s, the belt at the walking pace setup wrote.
as_runner pacectl start walk-only >/tmp/start 2>&1 ||
	fail "pacectl start walk-only: $(cat /tmp/start)"
i=0
until [ "$(grep -c '"type":"run"' /var/lib/paced/history.jsonl)" -ge 2 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "walk-only not in the history after 60 s"
	sleep 0.2
done
tail -n 1 /var/lib/paced/history.jsonl | grep -q '"completed":true' ||
	fail "walk-only: $(tail -n 1 /var/lib/paced/history.jsonl)"
log=$(tail -n 1 /var/lib/paced/history.jsonl | sed -n 's/.*"log":"\([^"]*\)".*/\1/p')
grep -q '"set-speed","value":5.50' "$log" ||
	fail "walk-only: the simulated belt never got 5.50 km/h: $log"
ok "pacectl start walk-only as $who: the simulated treadmill walked at 5.5"
kill "$pid"
wait "$pid" 2>/dev/null

apt-get remove -y -qq paced >>/tmp/apt.log 2>&1 || fail "apt-get remove"
[ -s /var/lib/paced/history.jsonl ] && [ -f $conf ] ||
	fail "remove deleted the history or paced.conf"
apt-get purge -y -qq paced >>/tmp/apt.log 2>&1 || fail "apt-get purge"
[ ! -e /var/lib/paced ] && [ ! -e /etc/paced ] ||
	fail "purge left $(ls -d /var/lib/paced /etc/paced 2>/dev/null)"
ok "remove keeps the history and paced.conf; purge removes them"
