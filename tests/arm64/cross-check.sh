#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-arm64: cross-build paced for arm64 (the Raspberry Pi) with
# Debian's aarch64-linux-gnu gcc and the arm64 -dev packages through
# multiarch, then run the whole 'make check' under qemu-user. arm64 is
# little-endian like x86-64 but stricter about alignment, and its char is
# unsigned: the codecs' mistakes of that kind show here first.
#
# The tests exec arm64 programs (paced, pacectl, paced-sim) from shell
# scripts and from each other, so qemu must be the kernel's handler for
# arm64 ELF files (binfmt_misc). The host's table is left alone: the tests
# run in a user namespace with a binfmt_misc of their own (Linux 6.7 and
# later). Where that is impossible, the compiled check suites still run,
# each under qemu-aarch64 by hand, and the tests that exec arm64 programs
# are skipped, saying why.
#
#   usage: cross-check.sh SRCDIR BUILDDIR [make check arguments...]
set -u
srcdir=$(cd "$1" && pwd) || exit 1
build=$2
shift 2
host=aarch64-linux-gnu

skip() {
	echo "SKIP: check-arm64: $*" >&2
	exit 77
}

# What the cross build and the emulator need, installed when missing.
pkgs="gcc-$host qemu-user libconfig-dev:arm64 libbluetooth-dev:arm64
libusb-1.0-0-dev:arm64 check:arm64 libcurl4-gnutls-dev:arm64
libmosquitto-dev:arm64 libmicrohttpd-dev:arm64 libqrencode-dev:arm64"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	command -v apt-get >/dev/null 2>&1 ||
		skip "missing$missing and no apt-get to install them"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		sudo -n true 2>/dev/null ||
			skip "missing$missing; install them as root"
		sudo="sudo -n"
	fi
	echo "check-arm64: installing$missing"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$sudo dpkg --add-architecture arm64 || exit 1
	fi
	$sudo apt-get update -qq || exit 1
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing ||
		exit 1
fi

mkdir -p "$build" && cd "$build" || exit 1
if [ ! -f Makefile ]; then
	[ -x "$srcdir/configure" ] || (cd "$srcdir" && ./autogen.sh) || exit 1
	"$srcdir/configure" -q --host=$host --enable-werror \
		PKG_CONFIG=$host-pkg-config || exit 1
fi
make -j2 || exit 1
file daemon/.libs/paced daemon/paced 2>/dev/null | grep -q 'ARM aarch64' ||
	{ echo "check-arm64: daemon/paced is not an arm64 program" >&2; exit 1; }

# The dynamic loader and the arm64 libraries are the host's multiarch ones
# (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu).
export PACED_QEMU_USER=1
qemu=$(command -v qemu-aarch64) || skip "no qemu-aarch64"
magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
if unshare --user --map-root-user --mount sh -c \
	'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc' 2>/dev/null; then
	echo "check-arm64: make check under qemu-aarch64 (binfmt_misc of a user namespace)"
	exec unshare --user --map-root-user --mount sh -c '
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc &&
		printf "%s" ":qemu-aarch64:M::$1:$2:$3:" \
			>/proc/sys/fs/binfmt_misc/register || exit 1
		shift 3
		exec make -j2 check "$@"' sh "$magic" "$mask" "$qemu" "$@"
fi
echo "check-arm64: no binfmt_misc of our own: each check suite under qemu-aarch64 by hand"
exec make -j2 check "$@" \
	LOG_COMPILER="$srcdir/tests/arm64/qemu-run.sh"
