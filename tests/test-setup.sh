#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# paced setup on a paced.conf of its own (--config, --no-start): flags,
# answers on stdin, refusals. The treadmill scan, the button press, the
# group and the service are the chroot test's (make check-deb).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
paced="$top_builddir/daemon/paced"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-setup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/out" ] && cat "$tmp/out" >&2; exit 1; }

fresh() {
	rm -f "$tmp"/paced.conf*
	sed 's|^# profile_dir = .*|profile_dir = "'"$top_srcdir"'/profiles";|' \
		"$top_srcdir/dist/paced.conf" >"$tmp/paced.conf"
	cp "$tmp/paced.conf" "$tmp/orig"
}
setup() { "$paced" setup --config "$tmp/paced.conf" --no-start --no-button "$@" >"$tmp/out" 2>&1; }

# Every question answered by a flag.
fresh
setup --treadmill "name:FS-1A2B3C" --units metric --walk 5.5 --jog 8 \
	--programme </dev/null || fail "scripted setup (exit $?)"
c="$tmp/paced.conf"
grep -q '^	address = "name:FS-1A2B3C";$' "$c" || fail "address"
grep -q '^	walk = 5.5;$' "$c" && grep -q '^	jog = 8.0;$' "$c" || fail "paces"
grep -q "^programme = \"$top_srcdir/profiles/return-to-running.programme\";$" "$c" ||
	fail "programme not on its example's line"
[ "$(grep -c '^#' "$c")" -ge "$(($(grep -c '^#' "$tmp/orig") - 1))" ] ||
	fail "comments lost"
ls "$c".bak-* >/dev/null 2>&1 && cmp -s "$c".bak-* "$tmp/orig" ||
	fail "no backup of the old file"
"$paced" --check-config -c "$c" >/dev/null || fail "the result is refused"
grep -q 'systemctl enable --now paced' "$tmp/out" || fail "--no-start says nothing"
echo "PASS: scripted: values in place, comments and a backup kept, checked"

# Run again with the same answers: nothing to change, no second backup.
setup --treadmill "name:FS-1A2B3C" --units metric --walk 5.5 --jog 8 \
	--programme </dev/null || fail "second run"
grep -q 'unchanged' "$tmp/out" && [ "$(ls "$c".bak-* | wc -l)" = 1 ] ||
	fail "an unchanged file was rewritten"
echo "PASS: a second identical run changes nothing"

# Answers on stdin; a wrong one is asked again.
fresh
printf 'imperial\n3.1\n99\n5\nn\n' | setup --treadmill sim ||
	fail "answers on stdin (exit $?)"
grep -q 'jogging pace 99 mph: must be' "$tmp/out" || fail "99 mph not refused"
grep -q '^	walk = 4.99;$' "$c" && grep -q '^	jog = 8.05;$' "$c" ||
	fail "mph not converted to km/h"
grep -q '^# programme' "$c" || fail "--no-programme answer"
echo "PASS: answers on stdin, mph converted, a pace above the cap asked again"

# Refusals: never silent, nothing written.
fresh
printf 'metric\n' | setup --treadmill sim; r=$?
[ $r = 2 ] && grep -q 'no answer for walking (end of input): pass --walk' "$tmp/out" ||
	fail "end of input: exit $r"
setup --treadmill sim --walk 5 --jog 11 --units metric --programme; r=$?
[ $r = 2 ] && grep -q 'speed_cap is 10.0' "$tmp/out" || fail "jog above cap: exit $r"
setup --treadmill nowhere --yes; r=$?
[ $r = 2 ] && grep -q "not a treadmill address" "$tmp/out" || fail "bad address: exit $r"
setup --button pedal:KEY_NOPE --yes; r=$?
[ $r = 2 ] && grep -q "KEY_ENTER" "$tmp/out" || fail "bad key: exit $r"
cmp -s "$c" "$tmp/orig" && ! ls "$c".bak-* >/dev/null 2>&1 ||
	fail "a refused setup changed the file"
printf 'bogus = 1;\n' >>"$c"
cp "$c" "$tmp/orig"
setup --yes; r=$?
[ $r = 1 ] && grep -q "would be refused, so it was not written" "$tmp/out" &&
	grep -q "unknown key 'bogus'" "$tmp/out" && cmp -s "$c" "$tmp/orig" ||
	fail "a file paced would refuse was written: exit $r"
echo "PASS: refusals say why and write nothing"

# A button given as a flag, and --yes keeping the rest.
fresh
"$paced" setup --config "$c" --no-start --yes \
	--button "AB Shutter3:KEY_VOLUMEUP" >"$tmp/out" 2>&1 || fail "--button"
grep -q 'devices = \[ "AB Shutter3" \];' "$c" &&
	grep -q 'KEY_VOLUMEUP = "symptom";' "$c" || fail "button not mapped"
grep -q '^	address = "sim";$' "$c" || fail "--yes changed the treadmill"
"$paced" --check-config -c "$c" >/dev/null || fail "button config refused"
echo "PASS: --button maps the key under plugins.evdev; --yes keeps the rest"
