/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure parsing of BLE advertising data for FTMS treadmills (docs/ftms.md 1.2). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Core spec v5.3 Vol 3 Part C §11: legacy AD payloads are at most 31 bytes,
 * so a name is at most 29; extended ones allow more, capped here. */
#define BLE_ADV_NAME_MAX 248

/* FTMS v1.0 §3 / Assigned Numbers: service UUID and machine type bits. */
#define BLE_FTMS_UUID16			0x1826
#define BLE_FTMS_FLAG_AVAILABLE		0x01
#define BLE_FTMS_TYPE_TREADMILL		0x0001
#define BLE_FTMS_TYPE_CROSS_TRAINER	0x0002
#define BLE_FTMS_TYPE_STEP_CLIMBER	0x0004
#define BLE_FTMS_TYPE_STAIR_CLIMBER	0x0008
#define BLE_FTMS_TYPE_ROWER		0x0010
#define BLE_FTMS_TYPE_INDOOR_BIKE	0x0020

struct ble_adv_info {
	char name[BLE_ADV_NAME_MAX + 1];	/* NUL-terminated, "" if none */
	bool name_complete;		/* AD 0x09 rather than 0x08 */
	bool ftms_uuid;			/* 0x1826 in a service UUID list */
	bool ftms_data;			/* Service Data for 0x1826 seen */
	uint8_t ftms_flags;		/* its Flags byte */
	uint16_t machine_type;		/* its type, quirks folded (below) */
	bool has_tx_power;
	int8_t tx_power;		/* dBm */
	uint32_t malformed;		/* AD structures dropped as malformed */
};

/* Empties info (no name, nothing FTMS). */
void ble_adv_info_init(struct ble_adv_info *ret_info);

/*
 * Parses one advertising or scan response payload (a sequence of
 * length-type-value AD structures) and merges what it finds into *info,
 * so an advertisement and its scan response add up. A zero length byte
 * ends the payload (padding, Core v5.3 Vol 3 Part C §11). A structure
 * that runs past the end, or an FTMS Service Data shorter than its
 * 2 bytes of flags and type, is dropped and counted in info->malformed;
 * what came before it is kept. Returns the number of AD structures
 * used, or -EINVAL for NULL arguments. Never reads past data[len - 1].
 */
int ble_adv_parse(const uint8_t *data, size_t len, struct ble_adv_info *info);

/*
 * The FTMS Service Data payload after the UUID: flags (1 byte) then the
 * machine type. docs/ftms.md 1.2: real machines send the type as one byte or
 * with its two bytes swapped, so, as pyftms does, the type bytes are ORed
 * together (every defined type bit lives in the low byte). Returns 0,
 * or -EBADMSG when len < 2 (outputs untouched).
 */
int ble_adv_parse_ftms_data(const uint8_t *data, size_t len,
			    uint8_t *ret_flags, uint16_t *ret_type);

/* Advertises FTMS at all (UUID listed or Service Data present). */
bool ble_adv_is_ftms(const struct ble_adv_info *info);
/*
 * A treadmill: its Service Data has the treadmill bit; or, with no
 * Service Data (many real treadmills send none, docs/ftms.md 1.2), 0x1826 is
 * in its service list and it may be one. ret_certain says which.
 */
bool ble_adv_is_treadmill(const struct ble_adv_info *info, bool *ret_certain);
/* "treadmill", "cross-trainer", ... for the lowest type bit set;
 * "unknown" for none. Never NULL. */
const char *ble_adv_machine_name(uint16_t machine_type);
