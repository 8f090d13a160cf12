#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Inside the test chroot, where systemd cannot run: start paced.service
# the way systemd would, from the installed unit's own lines: User= and
# Group= (root when unset, as in systemd), SupplementaryGroups=,
# RuntimeDirectory= and its mode, StateDirectory= (created, and handed to
# the user when owned by another, as systemd does), UMask=, ExecStartPre=
# then ExecStart= in the background, its stderr in LOG. NOTIFY_SOCKET
# names a socket nobody listens on, so paced logs to stderr as under
# systemd (its READY=1 goes nowhere; the control socket tells instead).
#   usage: unit-exec.sh LOG    prints the daemon's pid
set -eu
unit=/lib/systemd/system/paced.service
log=$1
key() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }

user=$(key User)
group=$(key Group)
: "${user:=root}"
: "${group:=$(id -gn "$user")}"
supp=$(key SupplementaryGroups | tr ' ' ',')
echo "unit-exec: as $user:$group${supp:+ (+$supp)}, from $unit" >&2

for d in $(key RuntimeDirectory); do
	mkdir -p "/run/$d"
	chown "$user:$group" "/run/$d"
	chmod "$(key RuntimeDirectoryMode | grep . || echo 0755)" "/run/$d"
done
for d in $(key StateDirectory); do
	mkdir -p "/var/lib/$d"
	[ "$(stat -c %U "/var/lib/$d")" = "$user" ] ||
		chown -R "$user:$group" "/var/lib/$d"
done
umask "$(key UMask | grep . || echo 0022)"

# setpriv takes either the user's own groups (--init-groups) or a list
# (--groups): with SupplementaryGroups=, the list is both.
if [ -n "$supp" ]; then
	groups="--groups=$(id -G "$user" | tr ' ' ','),$supp"
else
	groups=--init-groups
fi
as_unit() {
	exec setpriv --reuid="$user" --regid="$group" "$groups" "$@"
}
export NOTIFY_SOCKET=/run/unit-exec-nobody-listens
pre=$(key ExecStartPre)
if [ -n "$pre" ]; then
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	(as_unit ${pre#-}) >>"$log" 2>&1 || { echo "unit-exec: ExecStartPre failed" >&2; exit 1; }
fi
# Nothing of ours may hold the caller's $(...) pipe open.
# shellcheck disable=SC2046,SC2086
(exec >>"$log" 2>&1 </dev/null; as_unit $(key ExecStart)) &
echo $!
