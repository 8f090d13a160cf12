#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd-analyze verify on the generated paced.service, and its exposure
# score (systemd-analyze security) never above the one README.md records
# (skips without systemd-analyze).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
command -v systemd-analyze >/dev/null 2>&1 ||
	{ echo "SKIP: systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The exposure README.md's service section records: lower is better.
exposure_max=1.6

# Every @VARIABLE@ must have been substituted with a real path.
grep -n '@[A-Za-z_]*@' "$top_builddir/dist/paced.service" &&
	{ echo "FAIL: unsubstituted variables in paced.service"; exit 1; }
grep -q '^ExecStart=/.*/paced$' "$top_builddir/dist/paced.service" ||
	{ echo "FAIL: ExecStart is not an absolute path"; exit 1; }
# The unit names the installed binary; verify checks it is executable,
# so point it at the one just built.
sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/paced|\1$top_builddir/daemon/paced|" \
	"$top_builddir/dist/paced.service" >"$tmp/paced.service"
grep -q "^ExecStart=$top_builddir/daemon/paced" "$tmp/paced.service" ||
	{ echo "FAIL: no ExecStart in the unit"; exit 1; }
out=$(systemd-analyze verify --man=no "$tmp/paced.service" 2>&1)
rc=$?
# Without a running systemd (containers) verify cannot load units at all.
if [ $rc -ne 0 ] && echo "$out" | grep -qi "Failed to initialize manager\|System has not been booted\|No such file or directory.*bus"; then
	echo "SKIP: systemd-analyze cannot run here: $out"
	exit 77
fi
[ -z "$out" ] || { echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: systemd-analyze verify exited $rc"; exit 1; }
echo "PASS: systemd-analyze verify"

# --offline (systemd 250) scores the file itself, not a loaded unit.
out=$(systemd-analyze security --offline=yes --no-pager \
	"$tmp/paced.service" 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q "offline"; then
	echo "SKIP: this systemd-analyze cannot score a unit file (--offline, systemd >= 250)"
	exit 77
fi
score=$(echo "$out" | sed -n 's/.*Overall exposure level for paced.service: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "FAIL: no exposure score in:"; echo "$out"; exit 1; }
awk -v s="$score" -v m="$exposure_max" 'BEGIN { exit !(s <= m) }' || {
	echo "FAIL: unit_exposure_at_most_recorded: $score > $exposure_max:"
	echo "$out" | grep '✗'
	exit 1
}
echo "PASS: unit_exposure_at_most_recorded ($score <= $exposure_max)"
