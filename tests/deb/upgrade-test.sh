#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Upgrades keep the person's data: the package of an older commit
# (OLD_REF; default the first commit with debian/control, built with its
# own packaging and version VERSION~old so the new one is an upgrade) is
# installed in a bookworm chroot and used (a session, an edited
# paced.conf, a device-token file), then the package built from this tree
# is installed over it; upgrade-inside.sh checks what survived.
#   usage: upgrade-test.sh SRCDIR WORK   (WORK/new: the new debs; exit 77
#          when SRCDIR is not a git checkout)
set -u
srcdir=$1 work=$2
export DEB_CACHE=$work/cache DEB_TESTS=$srcdir/tests/deb
. "$srcdir/tests/deb/chroot.sh"
. "$srcdir/tests/deb/build.sh"

git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "SKIP: upgrade: $srcdir is not a git checkout"; exit 77; }
old=${OLD_REF:-$(git -C "$srcdir" log --diff-filter=A --format=%H -- debian/control | tail -n 1)}
[ -n "$old" ] || { echo "SKIP: upgrade: no commit with debian/control"; exit 77; }
echo "upgrade: old package from $(git -C "$srcdir" log -1 --format='%h %s' "$old")"

rm -rf "$work/old-git" && mkdir -p "$work/old-git" || exit 1
git -C "$srcdir" archive "$old" | tar -x -C "$work/old-git" || exit 1
v=$(dpkg-parsechangelog -l "$work/old-git/debian/changelog" -S Version) || exit 1
build "$work/old-git" "$work/old" "$v~old" || exit 1
rm -rf "$work/old-git"

root=$work/root-upgrade
new_root "$root" "$work/old" || exit 77
mkdir -p "$root/debs-new" && cp "$work"/new/*.deb "$root/debs-new/" || exit 1
in_root "$root" bash /t/upgrade-inside.sh || exit 1
rm -rf "$root"
