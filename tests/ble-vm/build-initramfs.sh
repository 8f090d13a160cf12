#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the guest's initramfs: busybox, the Bluetooth modules, btvirt and
# paced's programs with their libraries (docs/ble-vm.md step 2).
#   usage: build-initramfs.sh CACHE_DIR KVER BUILDDIR SRCDIR OUT.cpio.gz
set -eu
cache=$1 kver=$2 builddir=$3 srcdir=$4 out=$5
root=$(mktemp -d "${TMPDIR:-/tmp}/ble-vm-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
kmod="$cache/kernel/lib/modules/$kver"

mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/lib/modules" "$root/paced" "$root/run"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
# The kernel's request_module runs /sbin/modprobe.
ln -s ../bin/busybox "$root/sbin/modprobe"

# Modules in insmod order (docs/ble-vm.md "Module list").
mods="lib/crc16 crypto/ecc net/rfkill/rfkill crypto/sha512_generic crypto/ctr
crypto/drbg crypto/ecdh_generic crypto/cmac crypto/ecb crypto/af_alg
crypto/algif_hash crypto/algif_skcipher net/bluetooth/bluetooth
drivers/bluetooth/hci_vhci"
: >"$root/modules.list"
for m in $mods; do
	if [ -f "$kmod/kernel/$m.ko" ]; then
		mkdir -p "$root/lib/modules/$(dirname "$m")"
		cp "$kmod/kernel/$m.ko" "$root/lib/modules/$m.ko"
		echo "/lib/modules/$m.ko" >>"$root/modules.list"
	fi
	# Built into this kernel otherwise: nothing to load.
done

# Programs and every library they load.
progs="$builddir/daemon/paced $builddir/tools/pacectl
$builddir/tests/ble-vm/paced-ble-sim
$(command -v btvirt)"
command -v btmon >/dev/null 2>&1 && progs="$progs $(command -v btmon)"
# The Bluetooth driver is a plugin (guest-test.sh sets PACED_PLUGIN_PATH).
plugins="$builddir/plugins/.libs/ftms-ble.so"
mkdir -p "$root/paced/plugins"
for p in $progs $plugins; do
	case $p in
	*.so) cp "$p" "$root/paced/plugins/" ;;
	*) cp "$p" "$root/paced/" ;;
	esac
	ldd "$p" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
	while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done
cp "$srcdir/profiles/demo.cfg" "$root/paced/"
cp "$srcdir/tests/ble-vm/init" "$root/init"
cp "$srcdir/tests/ble-vm/guest-test.sh" "$root/paced/guest-test.sh"
chmod +x "$root/init" "$root/paced/guest-test.sh"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
