#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check-ble-vm: paced against the real Linux Bluetooth stack, in qemu
# with Debian's kernel and two btvirt LE controllers (tests/ble-vm/README).
#   usage: run-vm.sh BUILDDIR SRCDIR
set -u
builddir=$1 srcdir=$2
cache=${BLE_VM_CACHE:-/var/tmp/paced-ble-vm}
here="$srcdir/tests/ble-vm"
start=$(date +%s)

kver=$(sh "$here/fetch.sh" "$cache")
rc=$?
[ $rc -eq 0 ] || exit $rc
img="$builddir/tests/ble-vm/initramfs.cpio.gz"
mkdir -p "$builddir/tests/ble-vm"
sh "$here/build-initramfs.sh" "$cache" "$kver" "$builddir" "$srcdir" "$img" ||
	{ echo "FAIL: cannot build the initramfs"; exit 1; }
echo "ble-vm: kernel $kver, initramfs $(du -k "$img" | cut -f1) KiB, setup $(( $(date +%s) - start )) s"

log="$builddir/tests/ble-vm/console.log"
# TCG only: KVM is unusable on the CI hosts (docs/ble-vm.md); 128 MiB is the
# least that unpacks the initramfs. qemu exits 0 whatever the guest did,
# so the verdict is the guest's BLE_TEST_EXIT marker.
boot=$(date +%s)
timeout 240 qemu-system-x86_64 -accel tcg -cpu max -m 192 -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio -display none \
	-net none -kernel "$cache/kernel/boot/vmlinuz-$kver" -initrd "$img" \
	-append "console=ttyS0 panic=-1 loglevel=3" </dev/null 2>&1 |
	tee "$log"
qrc=$?
echo "ble-vm: qemu ran $(( $(date +%s) - boot )) s; total $(( $(date +%s) - start )) s"
if ! grep -q 'BLE_TEST_EXIT=' "$log"; then
	if grep -q 'Could not access KVM\|failed to initialize' "$log"; then
		echo "SKIP: qemu cannot run here"
		exit 77
	fi
	echo "FAIL: the guest never finished (qemu status $qrc, timeout 240 s)"
	exit 1
fi
grc=$(sed -n 's/.*BLE_TEST_EXIT=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ "$grc" = 0 ]; then
	echo "PASS: check-ble-vm"
	exit 0
fi
echo "FAIL: check-ble-vm (guest exit $grc; console in $log)"
exit 1
