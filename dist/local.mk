# SPDX-License-Identifier: GPL-2.0-or-later
# dist/: the systemd unit, udev rules, the example paced.conf and the
# manual pages.

systemdsystemunit_DATA = dist/paced.service
udevrulesdir = $(prefix)/lib/udev/rules.d
dist_udevrules_DATA = dist/60-paced.rules
dist_pkgconf_DATA = dist/paced.conf
# The service's user and group, for systemd-sysusers(8) (the Debian
# package's postinst runs it; after 'make install': systemd-sysusers
# paced.conf). sysusers.d(5) wants it named after the package.
sysusersdir = $(prefix)/lib/sysusers.d
EXTRA_DIST += dist/paced.sysusers
install-data-local: install-sysusers-local
install-sysusers-local:
	$(MKDIR_P) "$(DESTDIR)$(sysusersdir)"
	$(INSTALL_DATA) $(srcdir)/dist/paced.sysusers \
		"$(DESTDIR)$(sysusersdir)/paced.conf"
uninstall-local: uninstall-sysusers-local
uninstall-sysusers-local:
	rm -f "$(DESTDIR)$(sysusersdir)/paced.conf"
.PHONY: install-sysusers-local uninstall-sysusers-local
# cue-command's chime (tone_args in paced.conf(5)), made by gen-chime.py.
dist_pkgdata_DATA = dist/chime.wav
EXTRA_DIST += dist/gen-chime.py
EXTRA_DIST += dist/paced.service.in
CLEANFILES += dist/paced.service
dist/paced.service: dist/paced.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && $(man_subst) \
		$(srcdir)/dist/paced.service.in > $@
check_DATA = dist/paced.service

man_MANS += dist/paced.8 dist/pacectl.1 dist/paced-profile.5 \
	dist/paced.conf.5 dist/paced-web.7
dist_man_MANS += dist/paced-sim.1
man_in = dist/paced.8.in dist/pacectl.1.in dist/paced-profile.5.in \
	dist/paced.conf.5.in dist/paced-web.7.in
EXTRA_DIST += $(man_in)
CLEANFILES += dist/paced.8 dist/pacectl.1 dist/paced-profile.5 \
	dist/paced.conf.5 dist/paced-web.7
man_gen = $(AM_V_GEN)$(MKDIR_P) dist && $(man_subst)
dist/paced.8: dist/paced.8.in Makefile
	$(man_gen) $(srcdir)/dist/paced.8.in > $@
dist/pacectl.1: dist/pacectl.1.in Makefile
	$(man_gen) $(srcdir)/dist/pacectl.1.in > $@
dist/paced-profile.5: dist/paced-profile.5.in Makefile
	$(man_gen) $(srcdir)/dist/paced-profile.5.in > $@
dist/paced.conf.5: dist/paced.conf.5.in Makefile
	$(man_gen) $(srcdir)/dist/paced.conf.5.in > $@
dist/paced-web.7: dist/paced-web.7.in Makefile
	$(man_gen) $(srcdir)/dist/paced-web.7.in > $@

# 'make install DESTDIR=D && make installcheck DESTDIR=D': every file
# where paced(8), paced.conf(5) and the unit say it is.
installcheck-local:
	@for la in $(plugin_LTLIBRARIES); do \
		so=$${la##*/}; plugins="$$plugins $(plugindir)/$${so%.la}.so"; \
	done; \
	for f in $(sbindir)/paced $(bindir)/pacectl $$plugins \
	    $(pkgconfdir)/paced.conf $(pkgdatadir)/chime.wav \
	    $(systemdsystemunitdir)/paced.service \
	    $(udevrulesdir)/60-paced.rules $(sysusersdir)/paced.conf \
	    $(pacedincludedir)/plugin.h \
	    $(pkgconfigdir)/paced-plugin.pc $(man5dir)/paced.conf.5 \
	    $(man8dir)/paced.8 $(man1dir)/pacectl.1 \
	    $(man5dir)/paced-profile.5 $(profiledir)/demo.cfg; do \
		test -f "$(DESTDIR)$$f" || { echo "missing: $(DESTDIR)$$f"; exit 1; }; \
	done; \
	! grep -n '@[A-Za-z_]*@' "$(DESTDIR)$(pkgconfigdir)/paced-plugin.pc" \
		"$(DESTDIR)$(systemdsystemunitdir)/paced.service" || \
		{ echo "unsubstituted @VARIABLES@ above"; exit 1; }; \
	grep -q '^ExecStart=$(sbindir)/paced$$' \
		"$(DESTDIR)$(systemdsystemunitdir)/paced.service" || \
		{ echo "paced.service does not start $(sbindir)/paced"; exit 1; }; \
	echo "installcheck: all files in place"

# Bundled profiles and the return-to-running programme: installed, and
# every one loaded by tests/test-profile.
dist_profile_DATA = profiles/return-to-running.programme \
	profiles/demo.cfg profiles/walk-only.cfg \
	profiles/rtr-p0.cfg profiles/rtr-p1.cfg profiles/rtr-p1b.cfg \
	profiles/rtr-p1c.cfg profiles/rtr-p1d.cfg profiles/rtr-p1e.cfg \
	profiles/rtr-p1f.cfg profiles/rtr-p2.cfg profiles/rtr-p3.cfg \
	profiles/rtr-p4.cfg profiles/rtr-p4b.cfg profiles/rtr-p4c.cfg \
	profiles/rtr-p5.cfg profiles/rtr-p6.cfg profiles/rtr-p7.cfg \
	profiles/rtr-p8.cfg profiles/rtr-p9.cfg profiles/rtr-p10.cfg \
	profiles/rtr-p11.cfg profiles/rtr-p12.cfg profiles/rtr-p13.cfg \
	profiles/rtr-prep-1.cfg profiles/rtr-prep-2.cfg
