# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/deb/*.sh: build the Debian packages of a source tree.

# build SRC OUT [VERSION]: dpkg-buildpackage in a copy of SRC, the debs in
# OUT. Build dependencies come from debian/control. nocheck: CI runs the
# test suite in its own stages.
build() {
	local src=$1 out=$2 version=${3:-} need

	rm -rf "$out" && mkdir -p "$out/src" && cp -a "$src" "$out/src/paced" ||
		return 1
	cd "$out/src/paced" || return 1
	if [ -n "$version" ]; then
		sed -i "1s/([^)]*)/($version)/" debian/changelog || return 1
	fi
	need=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	       sed 's/([^)]*)//g; s/<[^>]*>//g; s/|[^ ]*//g')
	if [ -n "$need" ]; then
		echo "check-deb: installing build dependencies: $need"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need \
			>/dev/null || return 1
	fi
	DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b \
		>"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; return 1; }
	mv ../*.deb ../*.changes ../*.buildinfo "$out/" && cd / &&
		rm -rf "$out/src"
}

