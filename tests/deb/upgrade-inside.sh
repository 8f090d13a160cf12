#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In the chroot (tests/deb/upgrade-test.sh): install the old package from
# /debs and use it, then upgrade to the one in /debs-new and check that
# the history, the session logs, a device-token file and the edited
# paced.conf are all there, unchanged, and that the new service carries
# the history on.
set -u
fail() {
	echo "FAIL: upgrade: $*" >&2
	[ -f /tmp/paced.log ] && tail -n 25 /tmp/paced.log >&2
	exit 1
}
ok() { echo "ok: upgrade: $*"; }
conf=/etc/paced/paced.conf
state=/var/lib/paced

# One session through the service as its unit says, to its end.
session() {	# N: the history has N lines after it
	local pid i=0

	pid=$(sh /t/unit-exec.sh /tmp/paced.log) || fail "starting the unit"
	until pacectl status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "the service did not come up"
		sleep 0.2
	done
	pacectl start walk-only >/tmp/start 2>&1 || fail "pacectl start: $(cat /tmp/start)"
	i=0
	until [ "$(wc -l 2>/dev/null <$state/history.jsonl || echo 0)" -ge "$1" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "session $1 not in the history after 60 s"
		sleep 0.2
	done
	kill "$pid"
	wait "$pid" 2>/dev/null
}

apt-get update -qq >/tmp/apt.log 2>&1 || fail "apt-get update"
apt-get install -y -qq /debs/paced_*.deb >>/tmp/apt.log 2>&1 ||
	{ cat /tmp/apt.log; fail "install the old package"; }
old=$(dpkg-query -W -f='${Version}' paced)

# The person's edits (as 'paced setup' or sudoedit would make them) and
# a fast clock for the test: a 30-minute walk in 15 s.
sed -i -e 's/^\twalk = 5.0;/\twalk = 5.5;   # my walking pace/' \
	-e 's/^# speedup = 1;/speedup = 120;/' $conf
grep -q 'my walking pace' $conf || fail "editing paced.conf"
session 1
# The web plugin's device tokens, when it is there, live here too.
printf '{"id":"phone","hash":"x"}\n' >$state/web-tokens.json
chmod 0600 $state/web-tokens.json
(cd $state && find . -type f | sort | xargs sha256sum) >/tmp/before
sha256sum $conf >/tmp/conf-before
ok "old $old: a session, an edited paced.conf, a token file"

# The edited conffile is kept (what 'N' at dpkg's question does; apt with
# --force-confold answers it so for unattended upgrades).
apt-get install -y -qq -o Dpkg::Options::=--force-confdef \
	-o Dpkg::Options::=--force-confold /debs-new/paced_*.deb \
	>>/tmp/apt.log 2>&1 || { cat /tmp/apt.log; fail "upgrade"; }
new=$(dpkg-query -W -f='${Version}' paced)
dpkg --compare-versions "$new" gt "$old" || fail "$new is not newer than $old"
sha256sum -c --quiet /tmp/conf-before || fail "paced.conf changed"
(cd $state && sha256sum -c --quiet /tmp/before) || fail "state changed"
getent passwd paced >/dev/null || fail "no paced user after the upgrade"
ok "$old -> $new: paced.conf and every file in $state unchanged"

# The new service takes the old history on: one more session, appended.
head -n 1 $state/history.jsonl >/tmp/first
session 2
head -n 1 $state/history.jsonl | cmp -s - /tmp/first ||
	fail "the first history line changed"
[ "$(ls $state/sessions/*.jsonl | wc -l)" -ge 2 ] || fail "session logs"
[ -f $state/web-tokens.json ] || fail "token file gone"
ok "the new service appends to the old history"
