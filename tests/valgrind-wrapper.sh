#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# LOG_COMPILER for 'make check-valgrind': runs each compiled test under
# valgrind memcheck (any error or definite leak fails the test); shell tests
# run as they are, since they drive installed-style binaries end to end.
set -u
case $1 in
*.sh)
	exec "${SHELL:-/bin/sh}" "$@"
	;;
esac
# One process, so valgrind sees every test body; slower, so more time.
export CK_FORK=no CK_TIMEOUT_MULTIPLIER=20
supp="${top_srcdir:-.}/tests/valgrind.supp"
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-fds=no --suppressions="$supp" "$@"
