/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small FIT encoder: messages in, a whole .fit file (header, CRC) out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Garmin's Flexible and Interoperable Data Transfer format, as the FIT
 * SDK's protocol document describes it (docs/fit.md lists the sections
 * and Profile numbers used). Pure: messages are appended to a buffer the
 * encoder owns; fit_finish() writes the 14-byte header (data size, header
 * CRC) and the file CRC. Nothing here knows what a session is: callers
 * pass global message and field numbers from the FIT Profile.
 *
 * Every message is a data record of one "local message type" (0-15). The
 * encoder writes a definition record for a local type the first time it
 * is used and again whenever the caller's field layout for it changes, so
 * a caller only chooses local numbers and keeps layouts stable to keep the
 * file small. Values are written little-endian (architecture 0).
 */

/* FIT protocol, "Base Types": the number carried in a field definition. */
enum fit_base_type {
	FIT_ENUM = 0x00,
	FIT_SINT8 = 0x01,
	FIT_UINT8 = 0x02,
	FIT_STRING = 0x07,	/* NUL-terminated UTF-8, fixed size */
	FIT_UINT8Z = 0x0a,
	FIT_BYTE = 0x0d,	/* array of bytes, fixed size */
	FIT_SINT16 = 0x83,
	FIT_UINT16 = 0x84,
	FIT_SINT32 = 0x85,
	FIT_UINT32 = 0x86,
	FIT_UINT16Z = 0x8b,
	FIT_UINT32Z = 0x8c,
};

/* The base types' "invalid" values: a field present but not known. */
#define FIT_INVALID_ENUM	0xffU
#define FIT_INVALID_UINT8	0xffU
#define FIT_INVALID_UINT16	0xffffU
#define FIT_INVALID_UINT32	0xffffffffU
#define FIT_INVALID_SINT16	0x7fff

/* FIT date_time: seconds since 1989-12-31T00:00:00Z. */
#define FIT_EPOCH_UNIX		631065600LL

#define FIT_HEADER_SIZE		14
#define FIT_LOCAL_TYPES		16
#define FIT_MAX_FIELDS		255

struct fit_field {
	uint8_t num;		/* field definition number (Profile) */
	uint8_t type;		/* enum fit_base_type */
	uint8_t size;		/* FIT_STRING and FIT_BYTE: bytes on the
				 * wire; 0 for the other types */
	bool dev;		/* a developer field: num is its
				 * field_definition_number ... */
	uint8_t dev_index;	/* ... and this its developer_data_index */
	union {
		uint32_t u;	/* unsigned and enum types */
		int32_t i;	/* signed types */
		const char *s;	/* FIT_STRING (NULL: empty) */
		const uint8_t *b; /* FIT_BYTE: size bytes */
	} v;
};

struct fit;

struct fit *fit_new(void);
void fit_free(struct fit *f);

/*
 * Append one data message of global message number global as local type
 * local, with fields in this order (native and developer fields may be
 * mixed; developer fields go after the native ones on the wire, in their
 * order). A string longer than its size is cut on a UTF-8 character
 * boundary; it always ends in NUL. Returns 0, or -EINVAL for a local type
 * above 15, an unknown base type, a string or byte field without a size,
 * more than 255 fields, or a message after fit_finish().
 */
int fit_write(struct fit *f, uint8_t local, uint16_t global,
	      const struct fit_field *fields, size_t n);

/*
 * Finish the file: the header with the protocol version (2.0), profile
 * version, data size and header CRC, then the file CRC. Returns the whole
 * file (owned by f, valid until fit_free()) and its length; later calls
 * return the same. NULL (-EFBIG) if the data passed 4 GiB.
 */
const uint8_t *fit_finish(struct fit *f, size_t *ret_len);

/* The FIT CRC-16 (CRC-16/ARC: poly 0x8005 reflected, init 0) of data,
 * continued from crc (0 to start). */
uint16_t fit_crc(uint16_t crc, const void *data, size_t len);

/* Unix seconds to FIT date_time (0 before the FIT epoch). */
uint32_t fit_time(int64_t unix_s);
