/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small FIT encoder: messages in, a whole .fit file (header, CRC) out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "util.h"

/*
 * FIT protocol (docs/fit.md 1): a 14-byte file header, then records, then
 * a CRC of everything before it. Protocol version 2.0 (0x20: major in the
 * high nibble) because developer fields need it; the profile version is
 * the FIT SDK release whose Profile the callers' numbers come from
 * (21.217, written major * 1000 + minor as the SDK does past 21.99).
 */
#define FIT_PROTOCOL_VERSION	0x20
#define FIT_PROFILE_VERSION	21217

/* Record header (docs/fit.md 1.2): bit 6 definition, bit 5 developer
 * data in a definition, bits 0-3 the local message type. */
#define HDR_DEFINITION		0x40
#define HDR_DEV_DATA		0x20

struct layout {
	bool used;
	uint16_t global;
	uint8_t n, ndev;
	uint8_t def[FIT_MAX_FIELDS][3];		/* num, size, base type */
	uint8_t dev[FIT_MAX_FIELDS][3];		/* num, size, dev index */
};

struct fit {
	uint8_t *buf;		/* header space, then the records */
	size_t len, cap;
	bool finished;
	struct layout local[FIT_LOCAL_TYPES];
	struct layout scratch;
};

/* CRC-16 of the FIT protocol, a nibble at a time with its 16-entry table
 * (docs/fit.md 1.3); the same as CRC-16/ARC, so catalogue vectors apply. */
static const uint16_t crc_table[16] = {
	0x0000, 0xcc01, 0xd801, 0x1400, 0xf001, 0x3c00, 0x2800, 0xe401,
	0xa001, 0x6c00, 0x7800, 0xb401, 0x5000, 0x9c01, 0x8801, 0x4400,
};

uint16_t fit_crc(uint16_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		uint16_t tmp = crc_table[crc & 0xf];

		crc = (uint16_t) (((crc >> 4) & 0x0fff) ^ tmp ^
				  crc_table[p[i] & 0xf]);
		tmp = crc_table[crc & 0xf];
		crc = (uint16_t) (((crc >> 4) & 0x0fff) ^ tmp ^
				  crc_table[(p[i] >> 4) & 0xf]);
	}
	return crc;
}

uint32_t fit_time(int64_t unix_s)
{
	if (unix_s < FIT_EPOCH_UNIX)
		return 0;
	if (unix_s - FIT_EPOCH_UNIX > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t) (unix_s - FIT_EPOCH_UNIX);
}

struct fit *fit_new(void)
{
	struct fit *f = paced_new0(struct fit, 1);

	f->cap = 4096;
	f->buf = paced_malloc(f->cap);
	f->len = FIT_HEADER_SIZE;	/* filled in by fit_finish() */
	memset(f->buf, 0, FIT_HEADER_SIZE);
	return f;
}

void fit_free(struct fit *f)
{
	if (!f)
		return;
	free(f->buf);
	free(f);
}

static uint8_t *grow(struct fit *f, size_t n)
{
	uint8_t *p;

	if (f->len + n > f->cap) {
		while (f->len + n > f->cap)
			f->cap *= 2;
		f->buf = paced_realloc(f->buf, f->cap);
	}
	p = f->buf + f->len;
	f->len += n;
	return p;
}

/* Bytes of one value of a base type; 0 for an unknown one. */
static uint8_t type_size(uint8_t type)
{
	switch (type) {
	case FIT_ENUM:
	case FIT_SINT8:
	case FIT_UINT8:
	case FIT_UINT8Z:
		return 1;
	case FIT_SINT16:
	case FIT_UINT16:
	case FIT_UINT16Z:
		return 2;
	case FIT_SINT32:
	case FIT_UINT32:
	case FIT_UINT32Z:
		return 4;
	case FIT_STRING:
	case FIT_BYTE:
		return 1;	/* per element: the field's size says how many */
	}
	return 0;
}

static int field_size(const struct fit_field *fl, uint8_t *ret)
{
	uint8_t s = type_size(fl->type);

	if (!s)
		return -EINVAL;
	if (fl->type == FIT_STRING || fl->type == FIT_BYTE) {
		if (!fl->size)
			return -EINVAL;
		s = fl->size;
	}
	*ret = s;
	return 0;
}

static void put_value(uint8_t *p, const struct fit_field *fl, uint8_t size)
{
	size_t n;

	switch (fl->type) {
	case FIT_STRING:
		/* Cut on a character boundary: never a partial UTF-8
		 * sequence, which a strict decoder would refuse. */
		n = fl->v.s ? strlen(fl->v.s) : 0;
		if (n > (size_t) size - 1) {
			n = (size_t) size - 1;
			while (n > 0 && ((uint8_t) fl->v.s[n] & 0xc0) == 0x80)
				n--;
		}
		memset(p, 0, size);
		if (n)
			memcpy(p, fl->v.s, n);
		return;
	case FIT_BYTE:
		memcpy(p, fl->v.b, size);
		return;
	case FIT_SINT16:
		put_le16((uint16_t) (int16_t) fl->v.i, p);
		return;
	case FIT_SINT32:
		put_le32((uint32_t) fl->v.i, p);
		return;
	case FIT_SINT8:
		p[0] = (uint8_t) (int8_t) fl->v.i;
		return;
	case FIT_UINT16:
	case FIT_UINT16Z:
		put_le16((uint16_t) fl->v.u, p);
		return;
	case FIT_UINT32:
	case FIT_UINT32Z:
		put_le32(fl->v.u, p);
		return;
	case FIT_ENUM:
	case FIT_UINT8:
	case FIT_UINT8Z:
		p[0] = (uint8_t) fl->v.u;
		return;
	}
}

static void write_definition(struct fit *f, uint8_t local,
			     const struct layout *l)
{
	size_t n = 6 + 3 * (size_t) l->n + (l->ndev ? 1 + 3 * (size_t) l->ndev : 0);
	uint8_t *p = grow(f, n);

	/* FIT protocol, "Definition Message": reserved, architecture (0:
	 * little-endian), global number, fields, then developer fields. */
	p[0] = HDR_DEFINITION | (l->ndev ? HDR_DEV_DATA : 0) | local;
	p[1] = 0;
	p[2] = 0;
	put_le16(l->global, p + 3);
	p[5] = l->n;
	p += 6;
	memcpy(p, l->def, 3 * (size_t) l->n);
	p += 3 * (size_t) l->n;
	if (l->ndev) {
		*p++ = l->ndev;
		memcpy(p, l->dev, 3 * (size_t) l->ndev);
	}
}

static bool same_layout(const struct layout *a, const struct layout *b)
{
	return a->used && a->global == b->global && a->n == b->n &&
	       a->ndev == b->ndev &&
	       !memcmp(a->def, b->def, 3 * (size_t) a->n) &&
	       !memcmp(a->dev, b->dev, 3 * (size_t) a->ndev);
}

int fit_write(struct fit *f, uint8_t local, uint16_t global,
	      const struct fit_field *fields, size_t n)
{
	struct layout *l = &f->scratch;
	size_t data = 0;
	uint8_t *p;

	if (f->finished || local >= FIT_LOCAL_TYPES || n > FIT_MAX_FIELDS)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->used = true;
	l->global = global;
	for (size_t i = 0; i < n; i++) {
		uint8_t size;
		uint8_t *d;

		if (field_size(&fields[i], &size) < 0)
			return -EINVAL;
		if (fields[i].dev) {
			d = l->dev[l->ndev++];
			d[0] = fields[i].num;
			d[1] = size;
			d[2] = fields[i].dev_index;
		} else {
			d = l->def[l->n++];
			d[0] = fields[i].num;
			d[1] = size;
			d[2] = fields[i].type;
		}
		data += size;
	}
	if (!same_layout(&f->local[local], l)) {
		write_definition(f, local, l);
		f->local[local] = *l;
	}

	p = grow(f, 1 + data);
	*p++ = local;
	/* Native fields first, then developer fields, each in call order. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			uint8_t size;

			if (fields[i].dev != (pass == 1))
				continue;
			(void) field_size(&fields[i], &size);
			put_value(p, &fields[i], size);
			p += size;
		}
	return 0;
}

const uint8_t *fit_finish(struct fit *f, size_t *ret_len)
{
	size_t data = f->len - FIT_HEADER_SIZE;
	uint8_t *h = f->buf;
	uint16_t crc;

	if (!f->finished) {
		if (data > UINT32_MAX)
			return NULL;
		/* FIT protocol, "File Header": size, protocol and profile
		 * versions, data size, ".FIT", CRC of bytes 0-11. */
		h[0] = FIT_HEADER_SIZE;
		h[1] = FIT_PROTOCOL_VERSION;
		put_le16(FIT_PROFILE_VERSION, h + 2);
		put_le32((uint32_t) data, h + 4);
		memcpy(h + 8, ".FIT", 4);
		put_le16(fit_crc(0, h, 12), h + 12);
		/* The file CRC covers the header too (header CRC included). */
		crc = fit_crc(0, f->buf, f->len);
		put_le16(crc, grow(f, 2));
		f->finished = true;
	}
	*ret_len = f->len;
	return f->buf;
}
