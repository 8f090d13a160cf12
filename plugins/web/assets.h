/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The page's files, compiled in (assets.c is generated from www/ by gen-assets.sh). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct web_asset {
	const char *path;		/* "/", "/app.js" */
	const char *type;		/* Content-Type */
	const unsigned char *data;
	size_t len;
	bool page;			/* for paired devices only */
};

/*
 * The asset served at exactly url, or NULL. Lookup in a fixed table:
 * no part of a URL ever reaches the file system.
 */
const struct web_asset *web_asset_find(const char *url);
