/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ATT protocol constants and UUID helpers shared by the client and the server. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Core spec v5.3 Vol 3 Part F §3.2.8: the LE default ATT_MTU is 23. The
 * largest attribute value is 512 bytes (§3.2.9); a Read Blob/Notification
 * header adds up to 5, so 517 covers every PDU we will ever need (BlueZ
 * uses the same bound). Peers that offer more are clamped to this.
 */
#define ATT_DEFAULT_LE_MTU	23
#define ATT_MAX_MTU		517
#define ATT_MAX_VALUE_LEN	512

/* §3.3.2: a transaction not completed within 30 s has failed. */
#define ATT_TIMEOUT_US		(30ULL * 1000000ULL)

/* §3.4.8 Table 3.37: attribute opcodes. */
#define ATT_OP_ERROR_RSP		0x01
#define ATT_OP_MTU_REQ			0x02
#define ATT_OP_MTU_RSP			0x03
#define ATT_OP_FIND_INFO_REQ		0x04
#define ATT_OP_FIND_INFO_RSP		0x05
#define ATT_OP_FIND_BY_TYPE_REQ		0x06
#define ATT_OP_FIND_BY_TYPE_RSP		0x07
#define ATT_OP_READ_BY_TYPE_REQ		0x08
#define ATT_OP_READ_BY_TYPE_RSP		0x09
#define ATT_OP_READ_REQ			0x0a
#define ATT_OP_READ_RSP			0x0b
#define ATT_OP_READ_BLOB_REQ		0x0c
#define ATT_OP_READ_BLOB_RSP		0x0d
#define ATT_OP_READ_MULT_REQ		0x0e
#define ATT_OP_READ_MULT_RSP		0x0f
#define ATT_OP_READ_BY_GRP_TYPE_REQ	0x10
#define ATT_OP_READ_BY_GRP_TYPE_RSP	0x11
#define ATT_OP_WRITE_REQ		0x12
#define ATT_OP_WRITE_RSP		0x13
#define ATT_OP_PREP_WRITE_REQ		0x16
#define ATT_OP_PREP_WRITE_RSP		0x17
#define ATT_OP_EXEC_WRITE_REQ		0x18
#define ATT_OP_EXEC_WRITE_RSP		0x19
#define ATT_OP_HANDLE_NFY		0x1b
#define ATT_OP_HANDLE_IND		0x1d
#define ATT_OP_HANDLE_CONF		0x1e
#define ATT_OP_READ_MULT_VAR_REQ	0x20
#define ATT_OP_READ_MULT_VAR_RSP	0x21
#define ATT_OP_MULT_HANDLE_NFY		0x23
#define ATT_OP_WRITE_CMD		0x52
#define ATT_OP_SIGNED_WRITE_CMD		0xd2

/* §3.3.1: bit 6 of the opcode is the Command flag, bit 7 Authentication. */
#define ATT_OP_CMD_FLAG			0x40
#define ATT_OP_SIGNED_FLAG		0x80

/* §3.4.1.1 Table 3.4: error codes carried by ATT_ERROR_RSP. */
#define ATT_ECODE_INVALID_HANDLE	0x01
#define ATT_ECODE_READ_NOT_PERMITTED	0x02
#define ATT_ECODE_WRITE_NOT_PERMITTED	0x03
#define ATT_ECODE_INVALID_PDU		0x04
#define ATT_ECODE_AUTHENTICATION	0x05
#define ATT_ECODE_REQ_NOT_SUPPORTED	0x06
#define ATT_ECODE_INVALID_OFFSET	0x07
#define ATT_ECODE_AUTHORIZATION		0x08
#define ATT_ECODE_PREP_QUEUE_FULL	0x09
#define ATT_ECODE_ATTR_NOT_FOUND	0x0a
#define ATT_ECODE_ATTR_NOT_LONG		0x0b
#define ATT_ECODE_ENC_KEY_SIZE		0x0c
#define ATT_ECODE_INVALID_VALUE_LEN	0x0d
#define ATT_ECODE_UNLIKELY		0x0e
#define ATT_ECODE_INSUFF_ENCRYPTION	0x0f
#define ATT_ECODE_UNSUPP_GRP_TYPE	0x10
#define ATT_ECODE_INSUFF_RESOURCES	0x11
#define ATT_ECODE_DB_OUT_OF_SYNC	0x12
#define ATT_ECODE_VALUE_NOT_ALLOWED	0x13
/* 0x80-0x9f: application errors, defined by the higher layer. */
#define ATT_ECODE_APP_FIRST		0x80
#define ATT_ECODE_APP_LAST		0x9f
/* Core Specification Supplement Part B §1.2: common profile errors. */
#define ATT_ECODE_WRITE_REJECTED	0xfc
#define ATT_ECODE_CCCD_IMPROPER		0xfd
#define ATT_ECODE_PROC_IN_PROGRESS	0xfe
#define ATT_ECODE_OUT_OF_RANGE		0xff

/* Assigned numbers: GATT declarations and descriptors (Vol 3 Part G §3). */
#define GATT_UUID_PRIM_SVC		0x2800
#define GATT_UUID_SECOND_SVC		0x2801
#define GATT_UUID_INCLUDE		0x2802
#define GATT_UUID_CHARAC		0x2803
#define GATT_UUID_CHARAC_EXT_PROPS	0x2900
#define GATT_UUID_CHARAC_USER_DESC	0x2901
#define GATT_UUID_CCCD			0x2902

/* Vol 3 Part G §3.3.1.1: characteristic properties. */
#define GATT_PROP_BROADCAST		0x01
#define GATT_PROP_READ			0x02
#define GATT_PROP_WRITE_NO_RSP		0x04
#define GATT_PROP_WRITE			0x08
#define GATT_PROP_NOTIFY		0x10
#define GATT_PROP_INDICATE		0x20
#define GATT_PROP_SIGNED_WRITE		0x40
#define GATT_PROP_EXT_PROPS		0x80

/* Vol 3 Part G §3.3.3.3: Client Characteristic Configuration bits. */
#define GATT_CCCD_NOTIFY		0x0001
#define GATT_CCCD_INDICATE		0x0002

/*
 * A UUID of any width, held as 128 bits in wire (little-endian) order.
 * 16- and 32-bit UUIDs live inside the Bluetooth Base UUID
 * 00000000-0000-1000-8000-00805F9B34FB (Vol 3 Part B §2.5.1), so one
 * representation compares correctly whatever width the peer sent.
 */
struct att_uuid {
	uint8_t le[16];		/* least significant byte first, as on the wire */
};

/* The Base UUID in wire order; bytes 12..15 carry a 16/32-bit value. */
#define ATT_BASE_UUID_LE { 0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80, \
			   0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }

static inline struct att_uuid att_uuid16(uint16_t v)
{
	struct att_uuid u = { ATT_BASE_UUID_LE };

	u.le[12] = v & 0xff;
	u.le[13] = v >> 8;
	return u;
}

static inline struct att_uuid att_uuid32(uint32_t v)
{
	struct att_uuid u = { ATT_BASE_UUID_LE };

	u.le[12] = v & 0xff;
	u.le[13] = (v >> 8) & 0xff;
	u.le[14] = (v >> 16) & 0xff;
	u.le[15] = v >> 24;
	return u;
}

/*
 * From a wire field of len 2, 4 or 16 bytes (little endian). Returns false
 * for any other length and leaves *ret_uuid untouched.
 */
static inline bool att_uuid_from_le(const void *buf, size_t len,
				    struct att_uuid *ret_uuid)
{
	const uint8_t *b = buf;

	switch (len) {
	case 2:
		*ret_uuid = att_uuid16((uint16_t) (b[0] | (b[1] << 8)));
		return true;
	case 4:
		*ret_uuid = att_uuid32((uint32_t) b[0] | ((uint32_t) b[1] << 8) |
				       ((uint32_t) b[2] << 16) |
				       ((uint32_t) b[3] << 24));
		return true;
	case 16:
		memcpy(ret_uuid->le, b, 16);
		return true;
	default:
		return false;
	}
}

static inline bool att_uuid_eq(const struct att_uuid *a,
			       const struct att_uuid *b)
{
	return memcmp(a->le, b->le, 16) == 0;
}

/* True when u lies in the Base UUID with a 16-bit value (upper bytes 0). */
static inline bool att_uuid_is16(const struct att_uuid *u)
{
	static const uint8_t base[12] = { 0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00,
					  0x00, 0x80, 0x00, 0x10, 0x00, 0x00 };

	return memcmp(u->le, base, 12) == 0 && u->le[14] == 0 &&
	       u->le[15] == 0;
}

/* The 16-bit value; only meaningful when att_uuid_is16(). */
static inline uint16_t att_uuid_get16(const struct att_uuid *u)
{
	return (uint16_t) (u->le[12] | (u->le[13] << 8));
}

/*
 * Write u in its shortest wire form (2 bytes when it is a 16-bit UUID,
 * else 16; Vol 3 Part F §3.2.1 allows only those two in ATT PDUs). Returns
 * the bytes written, or 0 when len is too small.
 */
static inline size_t att_uuid_put(const struct att_uuid *u, void *buf,
				  size_t len)
{
	uint8_t *b = buf;

	if (att_uuid_is16(u)) {
		if (len < 2)
			return 0;
		b[0] = u->le[12];
		b[1] = u->le[13];
		return 2;
	}
	if (len < 16)
		return 0;
	memcpy(b, u->le, 16);
	return 16;
}

/* "0x2acd" for 16-bit UUIDs, else "0000xxxx-0000-1000-8000-00805f9b34fb". */
#define ATT_UUID_STR_LEN 37
void att_uuid_to_str(const struct att_uuid *u, char buf[ATT_UUID_STR_LEN]);
/* Parses "2acd", "0x2acd" or the 36-character form; false on error. */
bool att_uuid_from_str(const char *s, struct att_uuid *ret_uuid);

/* Spec names of opcodes and error codes ("Attribute Not Found"); never NULL. */
const char *att_opcode_name(uint8_t opcode);
const char *att_ecode_name(uint8_t ecode);

/*
 * Requests, commands, and the response a request expects (Vol 3 Part F
 * §3.4.8). att_rsp_for_req() returns 0 for opcodes that are not requests.
 */
static inline bool att_op_is_cmd(uint8_t opcode)
{
	return (opcode & ATT_OP_CMD_FLAG) != 0;
}

static inline uint8_t att_rsp_for_req(uint8_t opcode)
{
	switch (opcode) {
	case ATT_OP_MTU_REQ:
	case ATT_OP_FIND_INFO_REQ:
	case ATT_OP_FIND_BY_TYPE_REQ:
	case ATT_OP_READ_BY_TYPE_REQ:
	case ATT_OP_READ_REQ:
	case ATT_OP_READ_BLOB_REQ:
	case ATT_OP_READ_MULT_REQ:
	case ATT_OP_READ_BY_GRP_TYPE_REQ:
	case ATT_OP_WRITE_REQ:
	case ATT_OP_PREP_WRITE_REQ:
	case ATT_OP_EXEC_WRITE_REQ:
	case ATT_OP_READ_MULT_VAR_REQ:
		return opcode + 1;
	default:
		return 0;
	}
}
