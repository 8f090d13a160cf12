/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (FIPS 180-4), enough to store device tokens hashed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

/* The digest of len bytes at data into out. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
