# SPDX-License-Identifier: GPL-2.0-or-later
# What the shell tests share: the programs under test, a temporary
# directory that goes away with every process the test started, and
# bounded waits. Source it after set -u:
#	. "$top_srcdir/tests/lib.sh"
#	test_init NAME
# A test may define on_fail() to print what helps when it fails (the tail
# of a log); fail() calls it before exiting.

: "${top_srcdir:?}" "${top_builddir:?}"

paced="$top_builddir/daemon/paced"
pacectl="$top_builddir/tools/pacectl"
sim="$top_builddir/tools/paced-sim"
demo="$top_srcdir/profiles/demo.cfg"
pids=""

# A temporary directory $tmp; on exit every pid in $pids is killed (with
# KILL_SIGNAL, default TERM) and the directory removed.
test_init() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/paced-$1.XXXXXX")
	trap 'for p in $pids; do kill -${KILL_SIGNAL:-TERM} $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
}

fail() {
	echo "FAIL: $*" >&2
	if command -v on_fail >/dev/null 2>&1; then
		on_fail >&2
	fi
	exit 1
}

# wait_until TRIES COMMAND...: run COMMAND every 50 ms until it succeeds,
# at most TRIES times; the status of the last run.
wait_until() {
	n=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt "$n" ] || return 1
		sleep 0.05
	done
}

status_matches() {	# SOCKET PATTERN
	"$pacectl" --socket "$1" status 2>/dev/null | grep -q "$2"
}

# wait_status SOCKET PATTERN [TRIES]: until 'pacectl status' on SOCKET
# matches PATTERN (default 200 tries, 10 s).
wait_status() {
	wait_until "${3:-200}" status_matches "$1" "$2" ||
		fail "status never matched $2"
}

# wait_grep FILE PATTERN MESSAGE [TRIES]: until FILE has a line matching
# PATTERN (default 100 tries, 5 s); else fail with MESSAGE.
wait_grep() {
	wait_until "${4:-100}" grep -q "$2" "$1" 2>/dev/null || fail "$3"
}

# wait_socket PATH [TRIES]: until a socket exists at PATH.
wait_socket() {
	wait_until "${2:-100}" test -S "$1"
}
