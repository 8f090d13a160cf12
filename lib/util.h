/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by everything: little-endian access, allocation. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define USEC_PER_SEC  1000000ULL
#define USEC_PER_MSEC 1000ULL

/*
 * OOM policy: allocation failure aborts (as ell's l_new does). A daemon on a
 * small box that cannot allocate a few hundred bytes cannot run a session
 * safely anyway, and this leaves no unchecked malloc and no dead error path.
 */
void *paced_malloc(size_t size);
void *paced_malloc0(size_t size);
void *paced_realloc(void *ptr, size_t size);
char *paced_strdup(const char *s);
#define paced_new0(type, count) \
	((type *) paced_malloc0(sizeof(type) * (count)))

/* Fields of protocol PDUs are read and written through these, never by
 * casting a struct over a buffer: no alignment or endianness assumptions. */
static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t) (b[0] | (b[1] << 8));
}

static inline uint32_t get_le24(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t) b[0] | ((uint32_t) b[1] << 8) | ((uint32_t) b[2] << 16);
}

static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t) b[0] | ((uint32_t) b[1] << 8) |
	       ((uint32_t) b[2] << 16) | ((uint32_t) b[3] << 24);
}

static inline void put_le16(uint16_t v, void *p)
{
	uint8_t *b = p;

	b[0] = v & 0xff;
	b[1] = v >> 8;
}

static inline void put_le24(uint32_t v, void *p)
{
	uint8_t *b = p;

	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
}

static inline void put_le32(uint32_t v, void *p)
{
	uint8_t *b = p;

	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
	b[3] = v >> 24;
}

/*
 * Parse a hex string ("02e803", "02 e8 03", "02:e8:03") into buf. Returns the
 * number of bytes, -EINVAL on a bad digit or odd digit count, -EMSGSIZE when
 * it does not fit in len.
 */
int hex_decode(const char *s, uint8_t *buf, size_t len);
