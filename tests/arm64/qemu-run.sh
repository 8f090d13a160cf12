#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# LOG_COMPILER for check-arm64 without binfmt_misc: a compiled test under
# qemu-aarch64; a test that execs arm64 programs cannot run this way.
set -u
case $1 in
*.sh|*/test-paced-sim)
	echo "SKIP: $1 execs arm64 programs, which this host runs only"
	echo "through binfmt_misc (none here: needs Linux 6.7 user namespaces)"
	exit 77
	;;
esac
exec qemu-aarch64 "$@"
