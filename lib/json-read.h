/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A strict, bounded JSON reader: one text in, a tree of values out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The other half of lib/json.h. Everything paced reads that a program
 * wrote as JSON goes through here: its own session logs and history, the
 * control socket's replies (pacectl), request bodies from a browser or a
 * broker. None of that is trusted, so the reader is strict (RFC 8259):
 * no trailing commas, no comments, no leading zeros, no control
 * characters or invalid UTF-8 in strings, no lone surrogates, no
 * duplicate keys, nothing after the value but whitespace. Nesting is
 * bounded (JSON_READ_MAX_DEPTH) and the whole tree is one allocation
 * proportional to the text, so a hostile text costs at most a few times
 * its own length.
 *
 * Usage:
 *	struct json_read_error err;
 *	struct json_value *v = json_parse(line, len, &err);
 *	const char *ev = json_get_string(v, "event");
 *	int64_t press;
 *	if (json_get_int(v, "press", &press)) ...
 *	json_value_free(v);
 *
 * Values are owned by the tree returned by json_parse() and valid until
 * json_value_free() of that root. Every accessor accepts NULL and a value
 * of the wrong type, and then reports "absent": a caller checks what it
 * needs once, not every step.
 */
#define JSON_READ_MAX_DEPTH	32

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value;

struct json_read_error {
	size_t offset;		/* byte offset of the problem in the text */
	char text[96];		/* "expected ',' or '}'" ... */
};

/*
 * Parse exactly one JSON value from text[0..len) (no NUL needed).
 * Returns the root, or NULL with *ret_err filled (ret_err may be NULL).
 */
struct json_value *json_parse(const char *text, size_t len,
			      struct json_read_error *ret_err);
/* Frees a root from json_parse(); NULL ok. */
void json_value_free(struct json_value *root);

/* NULL gives JSON_NULL. */
enum json_type json_value_type(const struct json_value *v);

/* Objects: the member's value, or NULL (missing, or v not an object). */
const struct json_value *json_get(const struct json_value *v, const char *key);
/* Arrays and objects: the number of elements or members, else 0. */
size_t json_len(const struct json_value *v);
/* Arrays: element i; objects: the value of member i; else NULL. */
const struct json_value *json_at(const struct json_value *v, size_t i);
/* Objects: the key of member i, else NULL. */
const char *json_key_at(const struct json_value *v, size_t i);
/*
 * Walking an array's elements or an object's members in order, in linear
 * time: for (c = json_first(v); c; c = json_next(c)). json_member_key(c)
 * is the key of an object's member c, NULL for an array element.
 */
const struct json_value *json_first(const struct json_value *v);
const struct json_value *json_next(const struct json_value *c);
const char *json_member_key(const struct json_value *member);

/*
 * Scalars. Strings are NUL-terminated UTF-8 (a "\u0000" in the text is
 * refused by the parser, so strlen() is the length). json_value_number()
 * reads any number; json_value_int() only one written without fraction
 * or exponent that fits in int64_t.
 */
const char *json_value_string(const struct json_value *v);	/* or NULL */
bool json_value_number(const struct json_value *v, double *ret);
bool json_value_int(const struct json_value *v, int64_t *ret);
bool json_value_bool(const struct json_value *v, bool *ret);
bool json_value_is_null(const struct json_value *v);

/* Members of an object in one step: json_get() then the scalar reader.
 * Out-parameters are untouched when false is returned. */
const char *json_get_string(const struct json_value *obj, const char *key);
bool json_get_number(const struct json_value *obj, const char *key,
		     double *ret);
bool json_get_int(const struct json_value *obj, const char *key,
		  int64_t *ret);
bool json_get_bool(const struct json_value *obj, const char *key, bool *ret);
/* Copies a string member into buf (truncating at len - 1 on a character
 * boundary); false when missing or not a string (buf untouched). */
bool json_get_string_buf(const struct json_value *obj, const char *key,
			 char *buf, size_t len);
