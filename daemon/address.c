/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which driver plugin takes a treadmill address: one rule for paced.conf, paced run and the service. */
#include <string.h>

#include "address.h"
#include "transport.h"

#define NAME_PREFIX "name:"

const char *treadmill_address_name(const char *address)
{
	if (strncmp(address, NAME_PREFIX, strlen(NAME_PREFIX)))
		return NULL;
	return address + strlen(NAME_PREFIX);
}

const char *plugin_driver_for_address(const char *address)
{
	const char *name = treadmill_address_name(address);
	enum transport_kind kind;

	if (!strncmp(address, "usb-ant", 7) &&
	    (address[7] == '\0' || address[7] == ':' || address[7] == '@'))
		return "usb-ant";
	/* A treadmill found by its advertised name (ftms-ble's scanner). */
	if (name)
		return *name ? "ftms-ble" : NULL;
	if (transport_parse(address, &kind) < 0)
		return NULL;
	return kind == TRANSPORT_KIND_BLUETOOTH ? "ftms-ble" : "sim";
}
