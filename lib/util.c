/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Allocation that aborts on OOM, and hex parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void oom(size_t size)
{
	fprintf(stderr, "paced: out of memory allocating %zu bytes\n", size);
	abort();
}

void *paced_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *paced_malloc0(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *paced_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

char *paced_strdup(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = paced_malloc(n);
	memcpy(p, s, n);
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, uint8_t *buf, size_t len)
{
	size_t n = 0;
	int hi = -1;

	/* Accept an optional 0x prefix, the usual way people paste bytes. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == ':' || *s == '-' || *s == '\t') {
			/* A separator may not split the two digits of a byte. */
			if (hi >= 0)
				return -EINVAL;
			continue;
		}
		v = hexval(*s);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= len)
			return -EMSGSIZE;
		buf[n++] = (uint8_t) (hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	return (int) n;
}
