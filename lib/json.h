/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny streaming JSON writer to a FILE * or a growing memory buffer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Usage: j = json_new_file(stdout); json_object_begin(j); json_key(j, "a");
 * json_int(j, 1); json_object_end(j); r = json_free(j);
 *
 * Commas and nesting are handled by the writer. Output is compact (no
 * whitespace, no trailing newline), one value per writer, so one writer
 * gives one line of a line-based protocol. Errors are sticky: after a
 * misuse (a key outside an object, a value where a key is due, unbalanced
 * ends, nesting deeper than JSON_MAX_DEPTH) or a write error, nothing more
 * is written and json_error() / json_free() report it. Strings are escaped
 * per RFC 8259 §7; bytes that are not valid UTF-8 become U+FFFD.
 */
#define JSON_MAX_DEPTH	32

struct json;

/* Borrows f: the writer never closes it. */
struct json *json_new_file(FILE *f);
/* Writes to a buffer owned by the writer, see json_buffer(). */
struct json *json_new_buffer(void);
/* Frees the writer; returns json_error() of its last state (NULL ok). */
int json_free(struct json *j);

/* 0, -EINVAL (misuse or unfinished value), or -EIO (write error). Also
 * -EINVAL while the top-level value is still open. */
int json_error(const struct json *j);
/* The buffer writer's NUL-terminated text (owned by j, valid until the
 * next call on j); NULL for a file writer. */
const char *json_buffer(const struct json *j, size_t *ret_len);
/* Forget the buffer's text and start a new top-level value. */
void json_buffer_reset(struct json *j);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* Inside an object, before each value. */
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);
void json_string_len(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
/* A fixed-point value: json_fixed(j, 627, 2) writes 6.27, (-5, 1) -0.5. */
void json_fixed(struct json *j, int64_t v, unsigned int decimals);
/* A double with that many decimals; NaN and infinities become null. */
void json_double(struct json *j, double v, unsigned int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
