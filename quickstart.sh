#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's quick start: install what is missing, build, then either run
# a simulated session ("demo") or the whole test suite ("test").
set -eu

usage() {
	echo "usage: $0 demo|test" >&2
	echo "  demo  build and run a sped-up session against the simulated treadmill" >&2
	echo "  test  build and run the whole test suite (make check)" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case "$1" in demo|test) ;; -h|--help) usage ;; *) usage ;; esac

cd "$(dirname "$0")"
top=$(pwd)

# Debian/Raspberry Pi OS packages the build and the tests need.
PACKAGES="build-essential autoconf automake libtool pkg-config libconfig-dev
libbluetooth-dev libusb-1.0-0-dev check libxml2-utils"
# The upload plugin (libcurl), and its test's stand-in HTTP server.
PACKAGES="$PACKAGES libcurl4-gnutls-dev python3"
# The web plugin (libmicrohttpd), pacectl web pair's QR code, its API test.
PACKAGES="$PACKAGES libmicrohttpd-dev libqrencode-dev curl"
# The mqtt plugin, and the broker and clients its test runs against.
PACKAGES="$PACKAGES libmosquitto-dev mosquitto mosquitto-clients"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	     grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "$0: please install:$missing" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "Installing build dependencies:$missing"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
fi

# The export test decodes FIT files with Garmin's FIT SDK, from npm at the
# version tests/export/package-lock.json pins: node and npm for "test"
# (only if missing: a NodeSource node already brings its own npm). Without
# them, or offline, that one test is skipped and says why.
if [ "$1" = test ]; then
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		if command -v apt-get >/dev/null 2>&1; then
			sudo=""
			[ "$(id -u)" -eq 0 ] || sudo="sudo"
			echo "Installing test dependencies: nodejs npm"
			$sudo apt-get update -qq
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
				nodejs npm || echo "$0: nodejs/npm not installed" >&2
		fi
	fi
	if command -v npm >/dev/null 2>&1 &&
	   [ ! -f tests/export/node_modules/@garmin/fitsdk/package.json ]; then
		(cd tests/export && npm ci --no-audit --no-fund) ||
			echo "$0: Garmin's FIT SDK not installed; its test will be skipped" >&2
	fi
fi

# Out-of-tree build in build/, so sanitizer and distcheck builds can sit
# beside it.
[ -x configure ] || ./autogen.sh
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-werror
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"

case "$1" in
demo)
	exec ./daemon/paced run --treadmill sim \
		--profile "$top/profiles/demo.cfg" --speedup 30 \
		--state-dir "$top/build/demo-state"
	;;
test)
	exec make -j"$jobs" check
	;;
esac
