/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edit a libconfig file's text in place, keeping its comments and layout. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-edit.h"
#include "util.h"

#define PATH_MAX_LEN 256
#define NONE ((size_t) -1)

struct conf_text {
	char *s;
	size_t len;
};

/* A setting found in the text: offsets into it. */
struct node {
	char path[PATH_MAX_LEN];
	size_t name_start;
	size_t value_start, value_end;	/* the value's text */
	size_t end;			/* after its ';' or ',', if any */
	bool group;
	size_t body_start, body_end;	/* a group: after '{', at '}' */
};

struct scan {
	const char *s;
	size_t len;
	struct node *nodes;
	size_t n, cap;
};

struct conf_text *conf_text_new(const char *text)
{
	struct conf_text *t = paced_new0(struct conf_text, 1);

	t->s = paced_strdup(text);
	t->len = strlen(text);
	return t;
}

void conf_text_free(struct conf_text *t)
{
	if (!t)
		return;
	free(t->s);
	free(t);
}

const char *conf_text_get(const struct conf_text *t)
{
	return t->s;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*' ||
	       (!first && ((c >= '0' && c <= '9') || c == '_' || c == '-'));
}

static size_t to_eol(const struct scan *sc, size_t pos)
{
	while (pos < sc->len && sc->s[pos] != '\n')
		pos++;
	return pos;
}

/* libconfig's comments are #, // and C style; @include lines pass too. */
static int skip_blank(const struct scan *sc, size_t *pos)
{
	size_t p = *pos;

	for (;;) {
		const char *s = sc->s + p;

		if (p < sc->len && (*s == ' ' || *s == '\t' || *s == '\n' ||
				    *s == '\r' || *s == '\f')) {
			p++;
		} else if (p < sc->len && (*s == '#' || *s == '@' ||
			   (*s == '/' && p + 1 < sc->len && s[1] == '/'))) {
			p = to_eol(sc, p);
		} else if (p + 1 < sc->len && *s == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			if (!e)
				return -EBADMSG;
			p = (size_t) (e - sc->s) + 2;
		} else {
			break;
		}
	}
	*pos = p;
	return 0;
}

static int skip_string(const struct scan *sc, size_t *pos)
{
	size_t p = *pos + 1;

	while (p < sc->len && sc->s[p] != '"') {
		if (sc->s[p] == '\\')
			p++;
		p++;
	}
	if (p >= sc->len)
		return -EBADMSG;
	*pos = p + 1;
	return 0;
}

/* A list ( ... ) or an array [ ... ], whatever it holds. */
static int skip_brackets(const struct scan *sc, size_t *pos)
{
	size_t p = *pos;
	int depth = 0;

	do {
		char c;

		if (skip_blank(sc, &p) < 0 || p >= sc->len)
			return -EBADMSG;
		c = sc->s[p];
		if (c == '"') {
			if (skip_string(sc, &p) < 0)
				return -EBADMSG;
			continue;
		}
		if (c == '(' || c == '[' || c == '{')
			depth++;
		else if (c == ')' || c == ']' || c == '}')
			depth--;
		p++;
	} while (depth > 0);
	*pos = p;
	return 0;
}

static int parse_members(struct scan *sc, size_t *pos, char closer,
			 const char *prefix);

static int parse_value(struct scan *sc, size_t *pos, struct node *n)
{
	size_t p = *pos;
	char c = p < sc->len ? sc->s[p] : '\0';

	if (c == '{') {
		n->group = true;
		n->body_start = ++p;
		if (parse_members(sc, &p, '}', n->path) < 0)
			return -EBADMSG;
		n->body_end = p++;
	} else if (c == '(' || c == '[') {
		if (skip_brackets(sc, &p) < 0)
			return -EBADMSG;
	} else if (c == '"') {
		/* Adjacent literals are one string: "a" "b". */
		for (;;) {
			size_t q;

			if (skip_string(sc, &p) < 0)
				return -EBADMSG;
			q = p;
			if (skip_blank(sc, &q) < 0 || q >= sc->len ||
			    sc->s[q] != '"')
				break;
			p = q;
		}
	} else {
		while (p < sc->len && !strchr(" \t\r\n;,})]#/", sc->s[p]))
			p++;
		if (p == *pos)
			return -EBADMSG;
	}
	n->value_end = p;
	*pos = p;
	return 0;
}

static int parse_members(struct scan *sc, size_t *pos, char closer,
			 const char *prefix)
{
	size_t p = *pos;

	for (;;) {
		struct node n = { 0 };
		size_t name, q;

		if (skip_blank(sc, &p) < 0)
			return -EBADMSG;
		if (p >= sc->len) {
			if (closer)
				return -EBADMSG;
			break;
		}
		if (sc->s[p] == closer)
			break;
		name = p;
		if (!name_char(sc->s[p], true))
			return -EBADMSG;
		while (p < sc->len && name_char(sc->s[p], false))
			p++;
		if (snprintf(n.path, sizeof(n.path), "%s%s%.*s", prefix,
			     *prefix ? "." : "", (int) (p - name),
			     sc->s + name) >= (int) sizeof(n.path))
			return -EBADMSG;
		n.name_start = name;
		if (skip_blank(sc, &p) < 0 || p >= sc->len ||
		    (sc->s[p] != '=' && sc->s[p] != ':'))
			return -EBADMSG;
		p++;
		if (skip_blank(sc, &p) < 0)
			return -EBADMSG;
		n.value_start = p;
		if (parse_value(sc, &p, &n) < 0)
			return -EBADMSG;
		/* The terminator is optional in libconfig. */
		q = p;
		while (q < sc->len && (sc->s[q] == ' ' || sc->s[q] == '\t'))
			q++;
		if (q < sc->len && (sc->s[q] == ';' || sc->s[q] == ','))
			p = q + 1;
		n.end = p;
		if (sc->n == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 32;
			sc->nodes = paced_realloc(sc->nodes,
						  sc->cap * sizeof(*sc->nodes));
		}
		sc->nodes[sc->n++] = n;
	}
	*pos = p;
	return 0;
}

static int scan_text(const struct conf_text *t, struct scan *sc)
{
	size_t pos = 0;

	memset(sc, 0, sizeof(*sc));
	sc->s = t->s;
	sc->len = t->len;
	if (parse_members(sc, &pos, '\0', "") < 0) {
		free(sc->nodes);
		sc->nodes = NULL;
		return -EBADMSG;
	}
	return 0;
}

static const struct node *find(const struct scan *sc, const char *path)
{
	for (size_t i = 0; i < sc->n; i++)
		if (!strcmp(sc->nodes[i].path, path))
			return &sc->nodes[i];
	return NULL;
}

static size_t line_start(const char *s, size_t pos)
{
	while (pos > 0 && s[pos - 1] != '\n')
		pos--;
	return pos;
}

static size_t indent_end(const char *s, size_t pos)
{
	while (s[pos] == ' ' || s[pos] == '\t')
		pos++;
	return pos;
}

/* Replace len bytes at pos by with. */
static void splice(struct conf_text *t, size_t pos, size_t len,
		   const char *with)
{
	size_t wlen = strlen(with);
	char *s = paced_malloc(t->len - len + wlen + 1);

	memcpy(s, t->s, pos);
	memcpy(s + pos, with, wlen);
	memcpy(s + pos + wlen, t->s + pos + len, t->len - pos - len + 1);
	free(t->s);
	t->s = s;
	t->len = t->len - len + wlen;
}

static void splicef(struct conf_text *t, size_t pos, size_t len,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void splicef(struct conf_text *t, size_t pos, size_t len,
		    const char *fmt, ...)
{
	va_list ap;
	char *with;

	va_start(ap, fmt);
	if (vasprintf(&with, fmt, ap) < 0)
		abort();	/* util.h: OOM aborts */
	va_end(ap);
	splice(t, pos, len, with);
	free(with);
}

/* Is pos inside a group nested in the one whose body is [start, end)? */
static bool in_child(const struct scan *sc, size_t start, size_t end,
		     size_t pos)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct node *n = &sc->nodes[i];

		if (n->group && n->body_start > start && n->body_end < end &&
		    pos >= n->value_start && pos <= n->body_end)
			return true;
	}
	return false;
}

/*
 * A one-line commented-out example of name directly in the group whose
 * body is [start, end): "<indent># name = ...;". Returns the offset of
 * its '#', or NONE.
 */
static size_t find_example(const struct scan *sc, size_t start, size_t end,
			   const char *name)
{
	size_t nlen = strlen(name);

	for (size_t p = line_start(sc->s, start); p < end;) {
		size_t eol = to_eol(sc, p), hash = indent_end(sc->s, p), q;

		if (hash >= start && hash < eol && sc->s[hash] == '#' &&
		    !in_child(sc, start, end, hash)) {
			q = indent_end(sc->s, hash + 1);
			if (!strncmp(sc->s + q, name, nlen) &&
			    !name_char(sc->s[q + nlen], false)) {
				size_t e = eol;

				q = indent_end(sc->s, q + nlen);
				while (e > q && strchr(" \t\r", sc->s[e - 1]))
					e--;
				if ((sc->s[q] == '=' || sc->s[q] == ':') &&
				    e > q && sc->s[e - 1] == ';')
					return hash;
			}
		}
		p = eol + 1;
	}
	return NONE;
}

/* name = value (value NULL: a new, empty group) at the end of parent. */
static void insert_member(struct conf_text *t, const struct node *parent,
			  const char *name, const char *value)
{
	size_t close, ls, ind;
	char indent[64];

	if (!parent) {
		/* The top level: a new line at the end of the file. */
		const char *nl = t->len && t->s[t->len - 1] != '\n' ? "\n" : "";

		if (value)
			splicef(t, t->len, 0, "%s%s = %s;\n", nl, name, value);
		else
			splicef(t, t->len, 0, "%s%s = {\n};\n", nl, name);
		return;
	}
	close = parent->body_end;
	ls = line_start(t->s, close);
	ind = indent_end(t->s, ls);
	if (ind != close) {
		/* "{ a = 1; }": the group is on one line; so goes the member. */
		const char *sp = t->s[close - 1] == ' ' ? "" : " ";

		if (value)
			splicef(t, close, 0, "%s%s = %s; ", sp, name, value);
		else
			splicef(t, close, 0, "%s%s = { }; ", sp, name);
		return;
	}
	/* One level deeper than the closing brace, in its own style. */
	snprintf(indent, sizeof(indent), "%.*s%s", (int) MIN(ind - ls, 48),
		 t->s + ls, ind > ls && t->s[ls] == ' ' ? "    " : "\t");
	if (value)
		splicef(t, ls, 0, "%s%s = %s;\n", indent, name, value);
	else
		splicef(t, ls, 0, "%s%s = {\n%s};\n", indent, name, indent);
}

static int split_path(const char *path, char *parent, const char **ret_name)
{
	const char *dot = strrchr(path, '.');
	size_t plen = dot ? (size_t) (dot - path) : 0;
	const char *name = dot ? dot + 1 : path;

	if (strlen(path) >= PATH_MAX_LEN || !*name || !name_char(*name, true))
		return -EINVAL;
	for (const char *c = name; *c; c++)
		if (!name_char(*c, c == name))
			return -EINVAL;
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	*ret_name = name;
	return 0;
}

static int set_or_group(struct conf_text *t, const char *path,
			const char *value)
{
	char parent_path[PATH_MAX_LEN];
	const struct node *n, *parent = NULL;
	struct scan sc;
	const char *name;
	size_t hash;
	int r;

	r = split_path(path, parent_path, &name);
	if (r < 0)
		return r;
	if (scan_text(t, &sc) < 0)
		return -EBADMSG;
	n = find(&sc, path);
	if (n) {
		if (value)
			splice(t, n->value_start, n->value_end - n->value_start,
			       value);
		else if (!n->group)
			r = -EINVAL;	/* wanted a group, found a value */
		goto out;
	}
	if (*parent_path) {
		parent = find(&sc, parent_path);
		if (!parent) {
			/* Make the group, then come back for the member. */
			free(sc.nodes);
			r = set_or_group(t, parent_path, NULL);
			return r < 0 ? r : set_or_group(t, path, value);
		}
		if (!parent->group) {
			r = -EINVAL;
			goto out;
		}
	}
	hash = value && !strchr(value, '\n') ?
	       find_example(&sc, parent ? parent->body_start : 0,
			    parent ? parent->body_end : t->len, name) : NONE;
	if (hash != NONE)
		splicef(t, hash, to_eol(&sc, hash) - hash, "%s = %s;", name,
			value);
	else
		insert_member(t, parent, name, value);
out:
	free(sc.nodes);
	return r;
}

int conf_text_set(struct conf_text *t, const char *path, const char *value)
{
	return set_or_group(t, path, value);
}

int conf_text_unset(struct conf_text *t, const char *path)
{
	char parent_path[PATH_MAX_LEN];
	const struct node *n;
	const char *name;
	struct scan sc;
	size_t ls, e, eol;
	int r;

	r = split_path(path, parent_path, &name);
	if (r < 0)
		return r;
	if (scan_text(t, &sc) < 0)
		return -EBADMSG;
	n = find(&sc, path);
	if (!n)
		goto out;
	ls = line_start(t->s, n->name_start);
	e = indent_end(t->s, n->end);
	eol = to_eol(&sc, n->end);
	if (indent_end(t->s, ls) == n->name_start &&
	    (e == eol || t->s[e] == '#' || t->s[e] == '\r')) {
		/* Its lines are its own: comment each out, last first. */
		size_t p = line_start(t->s, n->end > ls ? n->end - 1 : ls);

		for (;;) {
			splice(t, indent_end(t->s, p), 0, "# ");
			if (p == ls)
				break;
			p = line_start(t->s, p - 1);
		}
	} else {
		splice(t, n->name_start, e - n->name_start, "");
	}
out:
	free(sc.nodes);
	return 0;
}

int conf_quote(const char *value, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *c = value;; c++) {
		char esc = *c == '"' || *c == '\\';

		if (*c && ((unsigned char) *c < 0x20 || *c == 0x7f))
			return -EINVAL;
		/* Room for this character, its escape, the quote and NUL. */
		if (o + 4 + esc > len)
			return -ENOSPC;
		if (o == 0)
			buf[o++] = '"';
		if (!*c)
			break;
		if (esc)
			buf[o++] = '\\';
		buf[o++] = *c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}
