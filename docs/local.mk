# SPDX-License-Identifier: GPL-2.0-or-later
# docs/: the project's reference notes, cited by section from the code.
EXTRA_DIST += docs/README.md docs/design.md docs/safety.md docs/style.md \
	docs/ftms.md docs/ant.md docs/domain.md docs/ble-vm.md docs/fit.md
