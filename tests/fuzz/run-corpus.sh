#!/bin/sh
# Replays each fuzz target's seed corpus (tests/fuzz/corpus/NAME for
# tests/fuzz/fuzz-NAME) through its standalone build. Part of 'make check'.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
if [ -z "${FUZZ_TARGETS:-}" ]; then
	echo "no fuzz targets built" >&2
	exit 77
fi
fail=0
for t in $FUZZ_TARGETS; do
	name=${t##*/fuzz-}
	corpus="$top_srcdir/tests/fuzz/corpus/$name"
	if [ ! -d "$corpus" ]; then
		echo "FAIL: $t has no corpus at $corpus" >&2
		fail=1
		continue
	fi
	"$top_builddir/$t" "$corpus" || { echo "FAIL: $t" >&2; fail=1; }
done
exit $fail
