/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who may use the web page: one-time pairing codes and device tokens, stored hashed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* A secret on the wire: 32 random bytes as 64 hex digits. */
#define AUTH_SECRET_HEX 64
#define AUTH_ID_LEN 8
#define AUTH_MAX_DEVICES 32
/* A pairing URL is good once, for this long (docs/design.md: nobody gets
 * in by being on the LAN). */
#define AUTH_PAIR_US (5 * 60 * 1000000ULL)
#define AUTH_FILE "web-tokens.json"

struct auth_device {
	char id[AUTH_ID_LEN + 1];	/* hex, for 'web revoke ID' */
	uint8_t hash[SHA256_LEN];	/* of the token; the token is not kept */
	int64_t created;		/* Unix time */
	char agent[64];			/* the browser that paired, for people */
};

struct auth {
	char *path;			/* STATE/web-tokens.json, owned */
	struct auth_device dev[AUTH_MAX_DEVICES];
	unsigned n_dev;
	uint8_t pair_hash[SHA256_LEN];	/* the pending pairing code's */
	uint64_t pair_until_us;		/* 0: none pending */
};

/*
 * Reads the device list from dir/web-tokens.json (missing: none). 0, or
 * a negative errno with a sentence in err ("FILE: ...").
 */
int auth_load(struct auth *a, const char *dir, char *err, size_t len);
void auth_clear(struct auth *a);
/* A new pairing code in code (AUTH_SECRET_HEX + 1), replacing any
 * pending one; valid until now_us + AUTH_PAIR_US. 0 or -errno. */
int auth_pair_new(struct auth *a, uint64_t now_us, char *code);
/*
 * Takes the pending code once: when it matches and has not expired, a
 * new device is added and saved and its token written to token
 * (AUTH_SECRET_HEX + 1). 0; -EACCES for a wrong, used or expired code;
 * -ENOSPC with AUTH_MAX_DEVICES paired; or the save's -errno.
 */
int auth_pair_take(struct auth *a, const char *code, uint64_t now_us,
		   int64_t now, const char *agent, char *token,
		   const struct auth_device **ret_dev);
/* The device whose token this is, or NULL. */
const struct auth_device *auth_check(const struct auth *a, const char *token);
/* Forget a device and save: 0, -ENOENT, or the save's -errno. */
int auth_revoke(struct auth *a, const char *id);
