# SPDX-License-Identifier: GPL-2.0-or-later
# plugins/: one .so a plugin, each exporting only its descriptor. Plugins
# that need a library are optional at configure time.

# In-tree plugins call lib/ in the daemon, which exports it
# (daemon/paced.ver): one copy of lib/ per process, so objects can pass
# between the daemon and a driver.
PLUGIN_LDFLAGS = -module -avoid-version -shared \
	-export-symbols-regex '^paced_plugin_desc$$'
# Plugins are dlopen()ed by name: their libtool .la files are not needed.
install-data-hook: install-plugins-hook
install-plugins-hook:
	for la in $(plugin_LTLIBRARIES); do \
		rm -f "$(DESTDIR)$(plugindir)/$${la##*/}"; done
# ... so libtool's uninstall cannot find the .so through them.
uninstall-hook: uninstall-plugins-hook
uninstall-plugins-hook:
	for la in $(plugin_LTLIBRARIES); do \
		so=$${la##*/}; rm -f "$(DESTDIR)$(plugindir)/$${so%.la}.so"; \
	done
.PHONY: install-plugins-hook uninstall-plugins-hook

include plugins/sim/local.mk
include plugins/ftms-ble/local.mk
include plugins/usb-ant/local.mk
include plugins/evdev/local.mk
include plugins/cue-command/local.mk
include plugins/upload/local.mk
include plugins/web/local.mk
include plugins/mqtt/local.mk
