/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edit a libconfig file's text in place, keeping its comments and layout. */
#pragma once

#include <stddef.h>

/*
 * paced setup changes a few settings of a paced.conf that a person may
 * have annotated: it edits the text rather than writing the parsed tree
 * back, which libconfig would do without a single comment.
 *
 * A path names a setting through its groups: "treadmill.address",
 * "plugins.evdev.keys.KEY_ENTER". Values are libconfig text: "5.5",
 * "\"sim\"", "[ \"/dev/input/event3\" ]". The text is parsed again after
 * each change, so it must be well formed where the edits go (callers
 * check the result with paced_config_load_string()).
 */

struct conf_text;

/* A copy of text to edit. */
struct conf_text *conf_text_new(const char *text);
void conf_text_free(struct conf_text *t);
/* The text as it is now; valid until the next change. */
const char *conf_text_get(const struct conf_text *t);

/*
 * Give the setting at path the value value. A setting that is there has
 * its value replaced and keeps the rest of its line; one that is not
 * takes the place of a one-line commented-out example in its group
 * ("# programme = ...;"), else goes on a new line at the end of its
 * group, which is created (with the groups above it) when missing.
 * Returns 0, -EINVAL for a malformed path, or -EBADMSG when the text
 * cannot be followed (an unbalanced bracket, a setting without a value),
 * in which case nothing changes.
 */
int conf_text_set(struct conf_text *t, const char *path, const char *value);

/*
 * Comment the setting at path out ("# " before each of its lines) when
 * it has its lines to itself, else cut it out. 0 also when it is absent;
 * -EINVAL, -EBADMSG as conf_text_set().
 */
int conf_text_unset(struct conf_text *t, const char *path);

/*
 * value as a libconfig string literal into buf: quotes around, '"' and
 * '\' escaped. Returns 0, -EINVAL for a control character, -ENOSPC when
 * buf is too small.
 */
int conf_quote(const char *value, char *buf, size_t len);
