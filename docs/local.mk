# SPDX-License-Identifier: GPL-2.0-or-later
# docs/: the project's reference notes, cited by section from the code.
EXTRA_DIST += docs/ftms.md docs/ant.md docs/ble-vm.md docs/domain.md
