# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/deb/*.sh: a Debian bookworm chroot for the package's
# tests, from debootstrap (minbase: what "a fresh Debian" has before the
# package pulls in its dependencies), made once and kept as a tarball in
# $DEB_CACHE; each test unpacks its own copy.

: "${DEB_CACHE:?}"
DEB_MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
DEB_SUITE=${DEB_SUITE:-bookworm}

base_tar() {
	local tar="$DEB_CACHE/$DEB_SUITE-minbase.tar" tmp="$DEB_CACHE/base.tmp"

	if [ ! -f "$tar" ]; then
		echo "deb: debootstrap $DEB_SUITE (minbase) from $DEB_MIRROR" >&2
		rm -rf "$tmp"
		debootstrap --variant=minbase "$DEB_SUITE" "$tmp" "$DEB_MIRROR" \
			>"$DEB_CACHE/debootstrap.log" 2>&1 || {
			tail -n 20 "$DEB_CACHE/debootstrap.log" >&2
			return 1
		}
		tar -C "$tmp" -cf "$tar.part" . && mv "$tar.part" "$tar" &&
			rm -rf "$tmp" || return 1
	fi
	echo "$tar"
}

# A fresh chroot in DIR with the debs in /debs and tests/deb in /t.
new_root() {
	local root=$1 debs=$2 tar

	tar=$(base_tar) || return 1
	rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$tar" ||
		return 1
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
	mkdir -p "$root/debs" "$root/t" &&
		cp "$debs"/*.deb "$root/debs/" &&
		cp "$DEB_TESTS"/*.sh "$root/t/"
}

# Run a command in the chroot, in its own mount and PID namespaces: its
# /proc is its own, and every process it starts (the daemon) ends with it.
in_root() {
	local root=$1

	shift
	unshare --mount --pid --fork --mount-proc="$root/proc" \
		chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
