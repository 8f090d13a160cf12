#!/bin/sh
# Stands in for the test suite when configure found no libcheck: a missing
# test framework must fail 'make check' loudly, never let it pass empty.
echo "error: libcheck (Debian package 'check') was not found at configure time;" >&2
echo "error: install it and re-run ./configure, then 'make check'." >&2
exit 99
