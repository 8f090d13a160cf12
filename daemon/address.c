/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses the daemon itself understands: name:NAME, found by a scan. */
#include <string.h>

#include "address.h"

#define NAME_PREFIX "name:"

const char *treadmill_address_name(const char *address)
{
	if (strncmp(address, NAME_PREFIX, strlen(NAME_PREFIX)))
		return NULL;
	return address + strlen(NAME_PREFIX);
}
