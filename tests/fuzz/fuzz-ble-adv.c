/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: BLE advertising data and FTMS Service Data parsing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ble-adv.h"
#include "l2cap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ble_adv_info a;
	size_t half = size / 2;
	uint8_t flags;
	uint16_t type;
	char addr[32];
	uint8_t ba[6];
	bool random;
	int n;

	/* Two payloads (advertisement + scan response) merge into one. */
	ble_adv_info_init(&a);
	n = ble_adv_parse(data, half, &a);
	if (n < 0 || (size_t) n > half)
		abort();
	n = ble_adv_parse(data + half, size - half, &a);
	if (n < 0)
		abort();
	if (memchr(a.name, '\0', sizeof(a.name)) == NULL)
		abort();
	for (const char *p = a.name; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			abort();
	if (a.ftms_data && !ble_adv_is_ftms(&a))
		abort();
	/* Only the low byte carries type bits after the OR of docs/ftms.md 1.2. */
	if (ble_adv_parse_ftms_data(data, size, &flags, &type) == 0 &&
	    type > 0xff)
		abort();
	(void) ble_adv_machine_name(a.machine_type);

	/* Addresses from config are text: the same bytes as a string. */
	if (size < sizeof(addr)) {
		memcpy(addr, data, size);
		addr[size] = '\0';
		if (l2cap_parse_bdaddr(addr, ba, &random) == 0 &&
		    strlen(addr) < 17)
			abort();
	}
	return 0;
}
