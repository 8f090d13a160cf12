/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which driver plugin takes a treadmill address: one rule for paced.conf, paced run and the service. */
#include <string.h>

#include "address.h"
#include "transport.h"

const char *plugin_driver_for_address(const char *address)
{
	enum transport_kind kind;

	if (!strncmp(address, "usb-ant", 7) &&
	    (address[7] == '\0' || address[7] == ':' || address[7] == '@'))
		return "usb-ant";
	/* A treadmill found by its advertised name (ftms-ble's scanner). */
	if (!strncmp(address, "name:", 5))
		return address[5] ? "ftms-ble" : NULL;
	if (transport_parse(address, &kind) < 0)
		return NULL;
	return kind == TRANSPORT_KIND_BLUETOOTH ? "ftms-ble" : "sim";
}
