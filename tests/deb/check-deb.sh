#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-deb: build the Debian packages from this tree's 'make
# distdir' with dpkg-buildpackage, run lintian on them (an error or a
# warning fails), list each package's contents, then in bookworm chroots:
# the README's install and first run (install-test.sh), and an upgrade
# from the first packaged commit that keeps the person's data
# (upgrade-test.sh). Needs root (debootstrap, chroot) and Debian's mirror.
# Ends with automake-style "# PASS: n" / "# FAIL: n" lines.
#   usage: check-deb.sh SRCDIR BUILDDIR      (BUILDDIR: configured tree)
set -u
srcdir=$(cd "$1" && pwd) || exit 1
builddir=$(cd "$2" && pwd) || exit 1
work=$builddir/deb
export DEB_CACHE=$work/cache DEB_TESTS=$srcdir/tests/deb
pass=0 fail=0 skip=0

result() {	# NAME STATUS
	case $2 in
	0) pass=$((pass + 1)); echo "PASS: deb $1" ;;
	77) skip=$((skip + 1)); echo "SKIP: deb $1" ;;
	*) fail=$((fail + 1)); echo "FAIL: deb $1" ;;
	esac
}
summary() {
	echo "# PASS: $pass"
	echo "# SKIP: $skip"
	echo "# FAIL: $fail"
	[ $fail -eq 0 ]
	exit
}
skip_all() {
	echo "SKIP: check-deb: $*" >&2
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root (debootstrap and chroot)"
command -v apt-get >/dev/null 2>&1 || skip_all "not a Debian system"
tools="dpkg-dev debhelper lintian debootstrap git"
missing=""
for p in $tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "check-deb: installing$missing"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq $missing >/dev/null || exit 1
fi
mkdir -p "$DEB_CACHE" || exit 1
. "$srcdir/tests/deb/chroot.sh"
. "$srcdir/tests/deb/build.sh"

# ---- the packages of this tree
rm -rf "$work/new" && mkdir -p "$work" || exit 1
make -s -C "$builddir" distdir distdir="$work/dist" >/dev/null || exit 1
t0=$(date +%s)
build "$work/dist" "$work/new"
r=$?	# before any $(...) on the next line resets it
result "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s)" $r
rm -rf "$work/dist"
ls "$work"/new/*.deb >/dev/null 2>&1 || summary

# ---- lintian: no error, no warning (info and pedantic tags shown)
lintian --pedantic -I --tag-display-limit 0 "$work"/new/*.changes \
	>"$work/lintian.txt" 2>&1
cat "$work/lintian.txt"
! grep -E '^[EW]: ' "$work/lintian.txt" >/dev/null
result "lintian: no errors or warnings" $?

# ---- what is in which package
for deb in "$work"/new/*.deb; do
	case $deb in *-dbgsym_*) continue ;; esac
	echo "--- $(basename "$deb")"
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print "  " $6 ($7 ? " " $7 " " $8 : "")}'
done
contents_ok=0
want() {	# PACKAGE PATTERN
	dpkg-deb -c "$work"/new/"$1"_*.deb | grep -E "$2" >/dev/null ||
		{ echo "$1 lacks $2"; contents_ok=1; }
}
want paced '\./usr/sbin/paced$'
want paced '\./usr/bin/pacectl$'
want paced '/paced/plugins/sim\.so$'
want paced '/paced/plugins/evdev\.so$'
want paced '\./usr/lib/sysusers\.d/paced\.conf$'
want paced '\./lib/systemd/system/paced\.service$'
want paced '/profiles/return-to-running\.programme$'
want paced-plugin-ble '/paced/plugins/ftms-ble\.so$'
want paced-plugin-usb-ant '/paced/plugins/usb-ant\.so$'
want paced-plugin-upload '/paced/plugins/upload\.so$'
want paced-plugin-web '/paced/plugins/web\.so$'
want paced-plugin-mqtt '/paced/plugins/mqtt\.so$'
want paced-dev '\./usr/include/paced/plugin\.h$'
want paced-dev 'pkgconfig/paced-plugin\.pc$'
result "package contents" $contents_ok

# ---- the README's install and first run, in a chroot
t0=$(date +%s)
if new_root "$work/root-install" "$work/new"; then
	in_root "$work/root-install" sh /t/install-test.sh
	r=$?
else
	r=77
	echo "check-deb: no bookworm chroot (debootstrap failed above)"
fi
result "install: apt install, paced setup, pacectl start as the user ($(($(date +%s) - t0)) s)" $r
[ $r -eq 0 ] && rm -rf "$work/root-install"

# ---- upgrade from the first packaged commit
t0=$(date +%s)
bash "$srcdir/tests/deb/upgrade-test.sh" "$srcdir" "$work"
r=$?
result "upgrade keeps history, session logs, tokens, paced.conf ($(($(date +%s) - t0)) s)" $r
summary
