# SPDX-License-Identifier: GPL-2.0-or-later
# make check-arm64: the whole test suite built for arm64 (Raspberry Pi)
# and run under qemu-user, in $(ARM64_BUILDDIR) (tests/arm64/cross-check.sh).
ARM64_BUILDDIR = $(abs_top_builddir)/build-arm64
EXTRA_DIST += tests/arm64/cross-check.sh tests/arm64/qemu-run.sh
check-arm64:
	$(SHELL) $(srcdir)/tests/arm64/cross-check.sh $(srcdir) \
		$(ARM64_BUILDDIR)
.PHONY: check-arm64
