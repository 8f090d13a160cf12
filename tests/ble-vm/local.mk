# SPDX-License-Identifier: GPL-2.0-or-later
# The real Linux Bluetooth stack in qemu (tests/ble-vm/README); not part of
# 'make check': it needs Debian packages (tests/ble-vm/fetch.sh). CI runs
# make check-ble-vm.
EXTRA_DIST += tests/ble-vm/README tests/ble-vm/fetch.sh \
	tests/ble-vm/build-initramfs.sh tests/ble-vm/run-vm.sh \
	tests/ble-vm/init tests/ble-vm/guest-test.sh
if WITH_BLUETOOTH
# The simulated treadmill as an LE peripheral, on the guest's second
# controller.
noinst_PROGRAMS += tests/ble-vm/paced-ble-sim
tests_ble_vm_paced_ble_sim_SOURCES = tests/ble-vm/ble-sim.c \
	tests/ble-vm/ble-peripheral.c tests/ble-vm/ble-peripheral.h
tests_ble_vm_paced_ble_sim_CPPFLAGS = $(ble_cppflags) $(sim_cppflags)
tests_ble_vm_paced_ble_sim_LDADD = plugins/ftms-ble/libftms-ble.la \
	sim/libpaced-sim.la lib/libpaced.la $(BLUEZ_LIBS)
check-ble-vm: daemon/paced tools/pacectl plugins/ftms-ble.la \
		tests/ble-vm/paced-ble-sim
	$(SHELL) $(srcdir)/tests/ble-vm/run-vm.sh "$(abs_top_builddir)" \
		"$(abs_top_srcdir)"
else
check-ble-vm:
	@echo "check-ble-vm: SKIP: configured --without-bluetooth"
endif
.PHONY: check-ble-vm
