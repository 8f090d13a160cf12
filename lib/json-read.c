/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A strict, bounded JSON reader: one text in, a tree of values out. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-read.h"
#include "util.h"

/*
 * The tree is an array of nodes in document order plus one arena for
 * decoded strings, both sized from the text before parsing starts: every
 * value takes at least one byte of text, so there are at most len + 1
 * nodes, and a decoded string is never longer than its quoted form. No
 * allocation happens while parsing, and none can grow without bound.
 * A container's first child follows it; each child's "next" skips its own
 * subtree to the next sibling.
 */
struct json_value {
	enum json_type type;
	uint32_t count;			/* array elements / object members */
	uint32_t next;			/* nodes to the next sibling, 0 none */
	const char *key;		/* object members: the key */
	const char *str;		/* strings: the decoded text */
	double num;
	bool is_int;			/* number written as an integer ... */
	int64_t i;			/* ... that fits: its value */
};

struct parser {
	const char *p, *end, *start;
	struct json_value *nodes;
	size_t n, max;
	char *arena;
	size_t arena_len;
	struct json_read_error *err;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (ps->failed)
		return;
	ps->failed = true;
	if (ps->err) {
		ps->err->offset = (size_t) (ps->p - ps->start);
		snprintf(ps->err->text, sizeof(ps->err->text), "%s", what);
	}
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		fail(ps, "invalid literal");
		return false;
	}
	ps->p += n;
	return true;
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char) (0xc0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char) (0xe0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char) (0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char) (0xf0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char) (0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The length of the valid UTF-8 sequence at s (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if ((size_t) (end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A quoted string at ps->p into the arena; returns it, or NULL. */
static const char *string(struct parser *ps)
{
	char *out = ps->arena + ps->arena_len, *o = out;

	ps->p++;		/* the opening quote */
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char) *ps->p;

		if (c < 0x20) {
			fail(ps, "control character in a string");
			return NULL;
		}
		if (c != '\\') {
			size_t n = utf8_len((const unsigned char *) ps->p,
					    (const unsigned char *) ps->end);

			if (!n) {
				fail(ps, "invalid UTF-8 in a string");
				return NULL;
			}
			memcpy(o, ps->p, n);
			o += n;
			ps->p += n;
			continue;
		}
		if (ps->end - ps->p < 2) {
			fail(ps, "unterminated escape");
			return NULL;
		}
		switch (ps->p[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int hi, lo;
			uint32_t cp;

			if (ps->end - ps->p < 6 || (hi = hex4(ps->p + 2)) < 0) {
				fail(ps, "bad \\u escape");
				return NULL;
			}
			cp = (uint32_t) hi;
			if (hi >= 0xdc00 && hi <= 0xdfff) {
				fail(ps, "lone low surrogate");
				return NULL;
			}
			if (hi >= 0xd800 && hi <= 0xdbff) {
				/* RFC 8259 §7: a pair, written as two escapes. */
				if (ps->end - ps->p < 12 || ps->p[6] != '\\' ||
				    ps->p[7] != 'u' ||
				    (lo = hex4(ps->p + 8)) < 0xdc00 ||
				    lo > 0xdfff) {
					fail(ps, "lone high surrogate");
					return NULL;
				}
				cp = 0x10000 + (((uint32_t) hi - 0xd800) << 10) +
				     ((uint32_t) lo - 0xdc00);
				ps->p += 6;
			}
			if (cp == 0) {
				/* Strings are C strings here: refuse what
				 * would silently cut them short. */
				fail(ps, "\\u0000 in a string");
				return NULL;
			}
			o += put_utf8(o, cp);
			ps->p += 4;
			break;
		}
		default:
			fail(ps, "bad escape");
			return NULL;
		}
		ps->p += 2;
	}
	if (ps->p >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	ps->p++;		/* the closing quote */
	*o++ = '\0';
	ps->arena_len += (size_t) (o - out);
	return out;
}

static bool digits(struct parser *ps)
{
	const char *s = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return ps->p > s;
}

/* RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct parser *ps, struct json_value *v)
{
	const char *s = ps->p;
	char buf[64];
	size_t n;

	v->is_int = true;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		goto bad;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		v->is_int = false;
		if (!digits(ps))
			goto bad;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		v->is_int = false;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			goto bad;
	}
	n = (size_t) (ps->p - s);
	if (n >= sizeof(buf)) {
		fail(ps, "number too long");
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	v->num = strtod(buf, NULL);
	if (!isfinite(v->num)) {
		fail(ps, "number out of range");
		return false;
	}
	if (v->is_int) {
		char *end;

		errno = 0;
		v->i = strtoll(buf, &end, 10);
		v->is_int = errno == 0 && *end == '\0';
	}
	return true;
bad:
	fail(ps, "invalid number");
	return false;
}

static size_t value(struct parser *ps, unsigned depth);

static bool key_seen(const struct parser *ps, size_t obj, const char *key)
{
	const struct json_value *c = &ps->nodes[obj + 1];

	for (uint32_t i = 0; i < ps->nodes[obj].count; i++, c += c->next)
		if (!strcmp(c->key, key))
			return true;
	return false;
}

/* An array or an object at ps->p; its children follow it in nodes. */
static bool container(struct parser *ps, size_t self, unsigned depth)
{
	bool object = ps->nodes[self].type == JSON_OBJECT;
	char close = object ? '}' : ']';
	size_t prev = 0;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		const char *key = NULL;
		size_t child;

		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a key");
				return false;
			}
			key = string(ps);
			if (!key)
				return false;
			if (key_seen(ps, self, key)) {
				fail(ps, "duplicate key");
				return false;
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, "expected ':'");
				return false;
			}
			ps->p++;
		}
		child = value(ps, depth + 1);
		if (!child)
			return false;
		ps->nodes[child].key = key;
		if (prev)
			ps->nodes[prev].next = (uint32_t) (child - prev);
		prev = child;
		ps->nodes[self].count++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		return false;
	}
}

/* Parses one value; returns its node index (> 0), or 0 on failure. */
static size_t value(struct parser *ps, unsigned depth)
{
	struct json_value *v;
	size_t self;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "expected a value");
		return 0;
	}
	if (depth > JSON_READ_MAX_DEPTH) {
		fail(ps, "nested too deeply");
		return 0;
	}
	/* Cannot happen (every value takes a byte of text), but a bound
	 * that holds by argument alone is one refactoring from a bug. */
	if (ps->n >= ps->max) {
		fail(ps, "too many values");
		return 0;
	}
	/* Node 0 is a placeholder, so that index 0 can mean "none". */
	self = ps->n++;
	v = &ps->nodes[self];
	memset(v, 0, sizeof(*v));
	switch (*ps->p) {
	case '{':
		v->type = JSON_OBJECT;
		return container(ps, self, depth) ? self : 0;
	case '[':
		v->type = JSON_ARRAY;
		return container(ps, self, depth) ? self : 0;
	case '"':
		v->type = JSON_STRING;
		v->str = string(ps);
		return v->str ? self : 0;
	case 't':
		v->type = JSON_TRUE;
		return literal(ps, "true") ? self : 0;
	case 'f':
		v->type = JSON_FALSE;
		return literal(ps, "false") ? self : 0;
	case 'n':
		v->type = JSON_NULL;
		return literal(ps, "null") ? self : 0;
	default:
		v->type = JSON_NUMBER;
		return number(ps, v) ? self : 0;
	}
}

/*
 * The root and its arena live in one block: [nodes][strings]. The caller
 * gets &nodes[1]; json_value_free() steps back to the block.
 */
struct json_value *json_parse(const char *text, size_t len,
			      struct json_read_error *ret_err)
{
	struct parser ps = { .p = text, .start = text, .err = ret_err };
	size_t max_nodes, arena;
	void *block;

	if (!text || len > SIZE_MAX / 4 - 2) {
		if (ret_err) {
			ret_err->offset = 0;
			snprintf(ret_err->text, sizeof(ret_err->text),
				 "no text");
		}
		return NULL;
	}
	max_nodes = len + 2;
	/* Each string's decoded form plus its NUL fits in its quoted form. */
	arena = len + 1;
	block = paced_malloc(max_nodes * sizeof(struct json_value) + arena);
	/* malloc's memory is aligned for any type: the nodes come first,
	 * the strings' bytes after them. */
	ps.nodes = block;
	ps.max = max_nodes;
	ps.end = text + len;	/* text is not NULL here */
	ps.arena = (char *) block + max_nodes * sizeof(struct json_value);
	ps.n = 1;
	memset(&ps.nodes[0], 0, sizeof(ps.nodes[0]));
	if (!value(&ps, 0))
		goto bad;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "text after the value");
		goto bad;
	}
	return &ps.nodes[1];
bad:
	free(block);
	return NULL;
}

void json_value_free(struct json_value *root)
{
	if (root)
		free(root - 1);
}

enum json_type json_value_type(const struct json_value *v)
{
	return v ? v->type : JSON_NULL;
}

size_t json_len(const struct json_value *v)
{
	if (!v || (v->type != JSON_ARRAY && v->type != JSON_OBJECT))
		return 0;
	return v->count;
}

const struct json_value *json_first(const struct json_value *v)
{
	return json_len(v) ? v + 1 : NULL;
}

const struct json_value *json_next(const struct json_value *c)
{
	return c && c->next ? c + c->next : NULL;
}

static const struct json_value *child(const struct json_value *v, size_t i)
{
	const struct json_value *c = json_first(v);

	if (i >= json_len(v))
		return NULL;
	while (i--)
		c = json_next(c);
	return c;
}

const struct json_value *json_at(const struct json_value *v, size_t i)
{
	return child(v, i);
}

const char *json_key_at(const struct json_value *v, size_t i)
{
	if (json_value_type(v) != JSON_OBJECT)
		return NULL;
	v = child(v, i);
	return v ? v->key : NULL;
}

const char *json_member_key(const struct json_value *member)
{
	return member ? member->key : NULL;
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
	size_t n = json_len(v);

	if (json_value_type(v) != JSON_OBJECT || !key)
		return NULL;
	for (const struct json_value *c = json_first(v); c && n--;
	     c = json_next(c))
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

const char *json_value_string(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->str : NULL;
}

bool json_value_number(const struct json_value *v, double *ret)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	*ret = v->num;
	return true;
}

bool json_value_int(const struct json_value *v, int64_t *ret)
{
	if (!v || v->type != JSON_NUMBER || !v->is_int)
		return false;
	*ret = v->i;
	return true;
}

bool json_value_bool(const struct json_value *v, bool *ret)
{
	if (!v || (v->type != JSON_TRUE && v->type != JSON_FALSE))
		return false;
	*ret = v->type == JSON_TRUE;
	return true;
}

bool json_value_is_null(const struct json_value *v)
{
	return v && v->type == JSON_NULL;
}

const char *json_get_string(const struct json_value *obj, const char *key)
{
	return json_value_string(json_get(obj, key));
}

bool json_get_number(const struct json_value *obj, const char *key,
		     double *ret)
{
	return json_value_number(json_get(obj, key), ret);
}

bool json_get_int(const struct json_value *obj, const char *key,
		  int64_t *ret)
{
	return json_value_int(json_get(obj, key), ret);
}

bool json_get_bool(const struct json_value *obj, const char *key, bool *ret)
{
	return json_value_bool(json_get(obj, key), ret);
}

bool json_get_string_buf(const struct json_value *obj, const char *key,
			 char *buf, size_t len)
{
	const char *s = json_get_string(obj, key);
	size_t n;

	if (!s || !len)
		return false;
	n = strlen(s);
	if (n >= len) {
		/* Cut on a character boundary, never inside a sequence. */
		n = len - 1;
		while (n && ((unsigned char) s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}
