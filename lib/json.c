/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny streaming JSON writer to a FILE * or a growing memory buffer. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "json.h"

enum json_frame {
	JSON_FRAME_OBJECT,
	JSON_FRAME_ARRAY,
};

struct json {
	FILE *f;			/* borrowed; NULL for a buffer writer */
	char *buf;			/* buffer writer: owned text */
	size_t len;
	size_t size;
	int error;			/* sticky, 0 or -errno */
	bool done;			/* the top-level value is complete */
	bool key_pending;		/* a key was written, value due */
	unsigned int depth;
	enum json_frame frame[JSON_MAX_DEPTH];
	unsigned int count[JSON_MAX_DEPTH];	/* items written per level */
};

struct json *json_new_file(FILE *f)
{
	struct json *j = paced_new0(struct json, 1);

	j->f = f;
	return j;
}

struct json *json_new_buffer(void)
{
	struct json *j = paced_new0(struct json, 1);

	j->size = 64;
	j->buf = paced_malloc(j->size);
	j->buf[0] = '\0';
	return j;
}

int json_error(const struct json *j)
{
	if (j->error)
		return j->error;
	return j->done ? 0 : -EINVAL;
}

int json_free(struct json *j)
{
	int r;

	if (!j)
		return 0;
	r = json_error(j);
	free(j->buf);
	free(j);
	return r;
}

const char *json_buffer(const struct json *j, size_t *ret_len)
{
	if (!j->buf)
		return NULL;
	if (ret_len)
		*ret_len = j->len;
	return j->buf;
}

void json_buffer_reset(struct json *j)
{
	j->len = 0;
	if (j->buf)
		j->buf[0] = '\0';
	j->error = 0;
	j->done = false;
	j->key_pending = false;
	j->depth = 0;
}

static void emit(struct json *j, const char *s, size_t n)
{
	if (j->error)
		return;
	if (j->f) {
		if (n && fwrite(s, 1, n, j->f) != n)
			j->error = -EIO;
		return;
	}
	if (j->len + n + 1 > j->size) {
		while (j->len + n + 1 > j->size)
			j->size *= 2;
		j->buf = paced_realloc(j->buf, j->size);
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void emits(struct json *j, const char *s)
{
	emit(j, s, strlen(s));
}

/* Called before every value: checks the grammar and writes a comma. */
static bool value_begin(struct json *j)
{
	if (j->error)
		return false;
	if (j->done) {
		j->error = -EINVAL;
		return false;
	}
	if (j->depth == 0)
		return true;
	if (j->frame[j->depth - 1] == JSON_FRAME_OBJECT) {
		if (!j->key_pending) {
			j->error = -EINVAL;
			return false;
		}
		j->key_pending = false;
		return true;
	}
	if (j->count[j->depth - 1]++)
		emit(j, ",", 1);
	return true;
}

static void value_end(struct json *j)
{
	if (j->depth == 0 && !j->error)
		j->done = true;
}

static void open_frame(struct json *j, enum json_frame fr, const char *s)
{
	if (!value_begin(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		j->error = -EINVAL;
		return;
	}
	j->frame[j->depth] = fr;
	j->count[j->depth] = 0;
	j->depth++;
	emits(j, s);
}

static void close_frame(struct json *j, enum json_frame fr, const char *s)
{
	if (j->error)
		return;
	if (!j->depth || j->frame[j->depth - 1] != fr || j->key_pending) {
		j->error = -EINVAL;
		return;
	}
	j->depth--;
	emits(j, s);
	value_end(j);
}

void json_object_begin(struct json *j)
{
	open_frame(j, JSON_FRAME_OBJECT, "{");
}

void json_object_end(struct json *j)
{
	close_frame(j, JSON_FRAME_OBJECT, "}");
}

void json_array_begin(struct json *j)
{
	open_frame(j, JSON_FRAME_ARRAY, "[");
}

void json_array_end(struct json *j)
{
	close_frame(j, JSON_FRAME_ARRAY, "]");
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid
 * (RFC 3629 §4: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static void write_string(struct json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t i = 0;

	emit(j, "\"", 1);
	while (i < len) {
		unsigned char c = p[i];
		char esc[8];
		size_t n;

		switch (c) {
		case '"':
			emit(j, "\\\"", 2);
			i++;
			continue;
		case '\\':
			emit(j, "\\\\", 2);
			i++;
			continue;
		case '\n':
			emit(j, "\\n", 2);
			i++;
			continue;
		case '\r':
			emit(j, "\\r", 2);
			i++;
			continue;
		case '\t':
			emit(j, "\\t", 2);
			i++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			emit(j, esc, 6);
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (!n) {
			emit(j, "\\ufffd", 6);
			i++;
			continue;
		}
		emit(j, s + i, n);
		i += n;
	}
	emit(j, "\"", 1);
}

void json_key(struct json *j, const char *key)
{
	if (j->error)
		return;
	if (!j->depth || j->frame[j->depth - 1] != JSON_FRAME_OBJECT ||
	    j->key_pending || !key) {
		j->error = -EINVAL;
		return;
	}
	if (j->count[j->depth - 1]++)
		emit(j, ",", 1);
	write_string(j, key, strlen(key));
	emit(j, ":", 1);
	j->key_pending = true;
}

void json_string_len(struct json *j, const char *s, size_t len)
{
	if (!s) {
		json_null(j);
		return;
	}
	if (!value_begin(j))
		return;
	write_string(j, s, len);
	value_end(j);
}

void json_string(struct json *j, const char *s)
{
	json_string_len(j, s, s ? strlen(s) : 0);
}

static void write_raw_value(struct json *j, const char *text)
{
	if (!value_begin(j))
		return;
	emits(j, text);
	value_end(j);
}

void json_int(struct json *j, int64_t v)
{
	char t[32];

	snprintf(t, sizeof(t), "%" PRId64, v);
	write_raw_value(j, t);
}

void json_uint(struct json *j, uint64_t v)
{
	char t[32];

	snprintf(t, sizeof(t), "%" PRIu64, v);
	write_raw_value(j, t);
}

void json_fixed(struct json *j, int64_t v, unsigned int decimals)
{
	char t[48];
	uint64_t mag, scale = 1;
	unsigned int i;

	/* Integer arithmetic: 627 with 2 decimals is exactly "6.27", with
	 * no binary floating point rounding on the way. */
	if (decimals > 18) {
		j->error = j->error ? j->error : -EINVAL;
		return;
	}
	for (i = 0; i < decimals; i++)
		scale *= 10;
	mag = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
	if (decimals)
		snprintf(t, sizeof(t), "%s%" PRIu64 ".%0*" PRIu64,
			 v < 0 ? "-" : "", mag / scale, (int) decimals,
			 mag % scale);
	else
		snprintf(t, sizeof(t), "%s%" PRIu64, v < 0 ? "-" : "", mag);
	write_raw_value(j, t);
}

void json_double(struct json *j, double v, unsigned int decimals)
{
	char t[64];
	int n;

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	n = snprintf(t, sizeof(t), "%.*f", (int) MIN(decimals, 17u), v);
	if (n < 0 || (size_t) n >= sizeof(t)) {
		/* Too large for a sensible fixed notation. */
		snprintf(t, sizeof(t), "%.17g", v);
	}
	/* "-0.00" is valid JSON but surprising: print it as zero. */
	if (t[0] == '-' && strspn(t + 1, "0.") == strlen(t + 1))
		memmove(t, t + 1, strlen(t));
	write_raw_value(j, t);
}

void json_bool(struct json *j, bool v)
{
	write_raw_value(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
	write_raw_value(j, "null");
}
