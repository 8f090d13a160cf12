# SPDX-License-Identifier: GPL-2.0-or-later
# make check-deb: the Debian packages built from this tree, lintian, and in
# bookworm chroots the README's install and first run and an upgrade that
# keeps the person's data (tests/deb/check-deb.sh; root and Debian's
# mirror). Not part of 'make check'; CI runs it.
EXTRA_DIST += tests/deb/check-deb.sh tests/deb/build.sh tests/deb/chroot.sh \
	tests/deb/install-test.sh tests/deb/upgrade-test.sh \
	tests/deb/upgrade-inside.sh tests/deb/unit-exec.sh \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/README.source debian/paced.docs \
	debian/paced.install debian/paced-plugin-ble.install \
	debian/paced-plugin-usb-ant.install debian/paced-dev.install \
	debian/paced-plugin-web.install debian/paced-plugin-mqtt.install \
	debian/paced-plugin-upload.install \
	debian/paced.postinst debian/paced.postrm
check-deb:
	$(SHELL) $(srcdir)/tests/deb/check-deb.sh $(srcdir) $(abs_top_builddir)
.PHONY: check-deb
