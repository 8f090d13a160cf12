/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure parsing of BLE advertising data for FTMS treadmills (docs/ftms.md 1.2). */
#include <errno.h>
#include <string.h>

#include "ble-adv.h"

/* Assigned Numbers §2.3: AD types used here. */
#define AD_UUID16_SOME		0x02
#define AD_UUID16_ALL		0x03
#define AD_UUID128_SOME		0x06
#define AD_UUID128_ALL		0x07
#define AD_NAME_SHORT		0x08
#define AD_NAME_COMPLETE	0x09
#define AD_TX_POWER		0x0a
#define AD_SERVICE_DATA16	0x16

/* The Bluetooth Base UUID, in over-the-air (little endian) order, with
 * the 16-bit alias at bytes 12-13. */
static const uint8_t base_uuid[16] = {
	0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

void ble_adv_info_init(struct ble_adv_info *ret_info)
{
	memset(ret_info, 0, sizeof(*ret_info));
}

int ble_adv_parse_ftms_data(const uint8_t *data, size_t len,
			    uint8_t *ret_flags, uint16_t *ret_type)
{
	uint16_t type = 0;

	if (!data || len < 2)
		return -EBADMSG;
	/* docs/ftms.md 1.2: OR every type byte (one byte, or two in either
	 * order); bytes past the 2-byte type are RFU and ignored. */
	for (size_t i = 1; i < len && i < 3; i++)
		type |= data[i];
	*ret_flags = data[0];
	*ret_type = type;
	return 0;
}

static bool uuid16_list_has(const uint8_t *p, size_t len, uint16_t uuid)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		if ((uint16_t) (p[i] | p[i + 1] << 8) == uuid)
			return true;
	return false;
}

static bool uuid128_list_has(const uint8_t *p, size_t len, uint16_t uuid)
{
	for (size_t i = 0; i + 15 < len; i += 16) {
		if (memcmp(p + i, base_uuid, 12) || p[i + 14] || p[i + 15])
			continue;
		if ((uint16_t) (p[i + 12] | p[i + 13] << 8) == uuid)
			return true;
	}
	return false;
}

static void set_name(struct ble_adv_info *info, const uint8_t *p, size_t len,
		     bool complete)
{
	/* A short name never overwrites a complete one from the other
	 * payload. */
	if (!complete && info->name_complete && info->name[0])
		return;
	if (len > BLE_ADV_NAME_MAX)
		len = BLE_ADV_NAME_MAX;
	memcpy(info->name, p, len);
	info->name[len] = '\0';
	/* Peer bytes end up on a terminal: keep printable ASCII and UTF-8
	 * lead/continuation bytes, replace control characters. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) info->name[i];

		if (c == '\0') {
			info->name[i] = '\0';
			break;
		}
		if (c < 0x20 || c == 0x7f)
			info->name[i] = '?';
	}
	info->name_complete = complete;
}

int ble_adv_parse(const uint8_t *data, size_t len, struct ble_adv_info *info)
{
	size_t off = 0;
	int used = 0;

	if (!data || !info)
		return -EINVAL;
	while (off < len) {
		uint8_t flen = data[off];
		const uint8_t *v;
		size_t vlen;

		if (flen == 0)
			break;
		if (flen > len - off - 1) {
			info->malformed++;
			break;
		}
		v = data + off + 2;
		vlen = flen - 1u;
		switch (data[off + 1]) {
		case AD_UUID16_SOME:
		case AD_UUID16_ALL:
			if (uuid16_list_has(v, vlen, BLE_FTMS_UUID16))
				info->ftms_uuid = true;
			break;
		case AD_UUID128_SOME:
		case AD_UUID128_ALL:
			if (uuid128_list_has(v, vlen, BLE_FTMS_UUID16))
				info->ftms_uuid = true;
			break;
		case AD_NAME_SHORT:
		case AD_NAME_COMPLETE:
			set_name(info, v, vlen,
				 data[off + 1] == AD_NAME_COMPLETE);
			break;
		case AD_TX_POWER:
			if (vlen != 1) {
				info->malformed++;
				break;
			}
			info->has_tx_power = true;
			info->tx_power = (int8_t) v[0];
			break;
		case AD_SERVICE_DATA16:
			if (vlen < 2 || (uint16_t) (v[0] | v[1] << 8) !=
					BLE_FTMS_UUID16)
				break;
			if (ble_adv_parse_ftms_data(v + 2, vlen - 2,
						    &info->ftms_flags,
						    &info->machine_type) < 0) {
				info->malformed++;
				break;
			}
			info->ftms_data = true;
			break;
		default:
			break;
		}
		used++;
		off += flen + 1u;
	}
	return used;
}

bool ble_adv_is_ftms(const struct ble_adv_info *info)
{
	return info->ftms_uuid || info->ftms_data;
}

bool ble_adv_is_treadmill(const struct ble_adv_info *info, bool *ret_certain)
{
	if (info->ftms_data) {
		bool yes = info->machine_type & BLE_FTMS_TYPE_TREADMILL;

		if (ret_certain)
			*ret_certain = true;
		return yes;
	}
	if (ret_certain)
		*ret_certain = false;
	return info->ftms_uuid;
}

const char *ble_adv_machine_name(uint16_t machine_type)
{
	static const char *const names[] = {
		"treadmill", "cross-trainer", "step-climber",
		"stair-climber", "rower", "indoor-bike",
	};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (machine_type & (1u << i))
			return names[i];
	return "unknown";
}
