#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 'make fuzz-smoke': every fuzz target built with clang's libFuzzer, ASan and
# UBSan, run for FUZZ_SECONDS (default 30) over a copy of its seed corpus.
# The Makefile passes FUZZ_TARGETS, FUZZ_SOURCES (the library sources),
# FUZZ_CPPFLAGS and FUZZ_LIBS. Prints "fuzz-NAME execs N cov N" per target.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${FUZZ_TARGETS:?}"
cc=${FUZZ_CC:-clang}
secs=${FUZZ_SECONDS:-30}
out="$top_builddir/fuzz-smoke"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$out/obj" "$out/corpus"

# libFuzzer ships with clang (libclang-rt); without it there is nothing to
# run, which is a skip, not a pass.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer $san "$out/probe.c" -o "$out/probe" \
		>/dev/null 2>&1; then
	echo "fuzz-smoke: SKIP: $cc cannot link -fsanitize=fuzzer (install clang)"
	exit 77
fi

eval "set -- $FUZZ_CPPFLAGS"
cflags="-I$top_builddir -g -O1 -fno-omit-frame-pointer $san"
objs=""
for src in $FUZZ_SOURCES; do
	case $src in *.c) ;; *) continue ;; esac
	o="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$o" ] || [ "$top_srcdir/$src" -nt "$o" ]; then
		"$cc" $cflags -fsanitize=fuzzer-no-link "$@" \
			-c "$top_srcdir/$src" -o "$o" || exit 1
	fi
	objs="$objs $o"
done
# An archive: each target pulls in only the objects it needs.
rm -f "$out/libfuzzdeps.a"
ar rcs "$out/libfuzzdeps.a" $objs || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$top_srcdir/tests/fuzz/lsan.supp:print_suppressions=0"
fail=0 npass=0 nfail=0
for t in $FUZZ_TARGETS; do
	name=${t##*/fuzz-}
	bin="$out/fuzz-$name"
	"$cc" $cflags -fsanitize=fuzzer "$@" "$top_srcdir/$t.c" "$out/libfuzzdeps.a" \
		$FUZZ_LIBS -o "$bin" || { fail=1; nfail=$((nfail + 1)); continue; }
	rm -rf "$out/corpus/$name"
	cp -r "$top_srcdir/tests/fuzz/corpus/$name" "$out/corpus/$name"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$out/crash-$name-" \
		"$out/corpus/$name" >"$out/$name.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
	cov=$(grep -E '^#[0-9]+' "$out/$name.log" | tail -n 1 |
		sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	if [ $rc -ne 0 ]; then
		echo "FAIL: fuzz-$name (exit $rc), see $out/$name.log:"
		grep -E 'ERROR|SUMMARY|runtime error' "$out/$name.log" | head -n 5
		fail=1
		nfail=$((nfail + 1))
	else
		npass=$((npass + 1))
	fi
	echo "fuzz-$name execs ${execs:-0} cov ${cov:-0} seconds $secs"
done
# Summary lines in automake's form, which .ci/run adds up.
echo "# PASS: $npass"
echo "# FAIL: $nfail"
exit $fail
