#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Puts Debian's kernel, busybox and btvirt where build-initramfs.sh wants
# them (docs/ble-vm.md step 1). Installs the host packages when missing and
# allowed; exits 77 (skip) with the reason when they cannot be had.
#   usage: fetch.sh CACHE_DIR      prints KVER on success
set -u
cache=$1
mkdir -p "$cache" || exit 1

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# The host packages the test uses, exactly.
pkgs="qemu-system-x86 busybox-static bluez-test-tools cpio kmod"
need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
# The guest has no shared libraries for busybox: it must be the static one.
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	need="$need busybox-static"
command -v btvirt >/dev/null 2>&1 || need="$need bluez-test-tools"
command -v cpio >/dev/null 2>&1 || need="$need cpio"
command -v depmod >/dev/null 2>&1 || need="$need kmod"
if [ -n "$need" ]; then
	command -v apt-get >/dev/null 2>&1 ||
		skip "missing$need and no apt-get to install them"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null ||
			skip "missing$need; install them (apt-get install $pkgs)"
		sudo="sudo -n"
	fi
	echo "ble-vm: installing$need" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need \
		>"$cache/apt-install.log" 2>&1 ||
		skip "apt-get install$need failed (see $cache/apt-install.log)"
fi

# The kernel: Debian's own, from the .deb, never installed on the host.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
       sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
[ -n "$kpkg" ] || kpkg=$(ls "$cache"/linux-image-*.deb 2>/dev/null |
			  sed 's|.*/\(linux-image-[^_]*\)_.*|\1|' | head -n 1)
[ -n "$kpkg" ] || skip "cannot tell which Debian kernel package to use"
kver=${kpkg#linux-image-}
if ! ls "$cache"/"$kpkg"_*.deb >/dev/null 2>&1; then
	(cd "$cache" && apt-get download "$kpkg" >"$cache/apt-download.log" 2>&1) ||
		skip "apt-get download $kpkg failed (see $cache/apt-download.log)"
fi
if [ ! -f "$cache/kernel/boot/vmlinuz-$kver" ]; then
	rm -rf "$cache/kernel"
	dpkg -x "$cache"/"$kpkg"_*.deb "$cache/kernel" ||
		skip "cannot unpack $kpkg"
fi
# docs/ble-vm.md: the .deb ships no modules.dep.
[ -f "$cache/kernel/lib/modules/$kver/modules.dep" ] ||
	depmod -b "$cache/kernel" "$kver" || exit 1
echo "$kver"
