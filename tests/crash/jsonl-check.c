/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks that every line of a JSON Lines file is one complete JSON object. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A strict RFC 8259 recogniser, no library: a session log that a crash
 * tore mid-line must fail here, whatever a lenient parser would accept.
 * Usage: jsonl-check FILE... ; prints "FILE: N lines" and exits 0, or
 * "FILE:LINE: why" and exits 1. A final line without its newline counts as
 * torn, since the log writes each line with its newline in one write().
 */

#define MAX_DEPTH 64

struct parser {
	const char *p;
	const char *end;
	const char *why;
};

static bool value(struct parser *ps, int depth);

static void ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\r'))
		ps->p++;
}

static bool lit(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		ps->why = "bad literal";
		return false;
	}
	ps->p += n;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool digits(struct parser *ps)
{
	if (ps->p >= ps->end || !is_digit(*ps->p)) {
		ps->why = "bad number";
		return false;
	}
	while (ps->p < ps->end && is_digit(*ps->p))
		ps->p++;
	return true;
}

static bool number(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (!digits(ps))
		return false;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digits(ps))
			return false;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digits(ps))
			return false;
	}
	return true;
}

static bool string(struct parser *ps)
{
	ps->p++;	/* the opening quote */
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char) *ps->p++;

		if (c == '"')
			return true;
		if (c < 0x20) {
			ps->why = "control character in string";
			return false;
		}
		if (c != '\\')
			continue;
		if (ps->p >= ps->end)
			break;
		c = (unsigned char) *ps->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++, ps->p++)
				if (ps->p >= ps->end ||
				    !strchr("0123456789abcdefABCDEF", *ps->p)) {
					ps->why = "bad \\u escape";
					return false;
				}
		} else if (!strchr("\"\\/bfnrt", c)) {
			ps->why = "bad escape";
			return false;
		}
	}
	ps->why = "unterminated string";
	return false;
}

static bool members(struct parser *ps, int depth, bool object)
{
	char close = object ? '}' : ']';

	ps->p++;	/* the opening brace or bracket */
	ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				ps->why = "expected a key";
				return false;
			}
			if (!string(ps))
				return false;
			ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				ps->why = "expected ':'";
				return false;
			}
			ps->p++;
		}
		if (!value(ps, depth + 1))
			return false;
		ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		ps->why = object ? "expected ',' or '}'" : "expected ',' or ']'";
		return false;
	}
}

static bool value(struct parser *ps, int depth)
{
	if (depth > MAX_DEPTH) {
		ps->why = "nested too deep";
		return false;
	}
	ws(ps);
	if (ps->p >= ps->end) {
		ps->why = "truncated";
		return false;
	}
	switch (*ps->p) {
	case '{':
		return members(ps, depth, true);
	case '[':
		return members(ps, depth, false);
	case '"':
		return string(ps);
	case 't':
		return lit(ps, "true");
	case 'f':
		return lit(ps, "false");
	case 'n':
		return lit(ps, "null");
	default:
		return number(ps);
	}
}

static bool check_line(const char *line, size_t len, const char **ret_why)
{
	struct parser ps = { .p = line, .end = line + len, .why = NULL };

	ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{') {
		*ret_why = "not an object";
		return false;
	}
	if (!value(&ps, 0)) {
		*ret_why = ps.why;
		return false;
	}
	ws(&ps);
	if (ps.p != ps.end) {
		*ret_why = "text after the object";
		return false;
	}
	return true;
}

static int check_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	int ret = 0;

	if (!f) {
		perror(path);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		const char *why = NULL;

		n++;
		if (line[len - 1] != '\n') {
			fprintf(stderr, "%s:%zu: torn line (no newline)\n",
				path, n);
			ret = 1;
			break;
		}
		if (!check_line(line, (size_t) len - 1, &why)) {
			fprintf(stderr, "%s:%zu: %s\n", path, n, why);
			ret = 1;
		}
	}
	free(line);
	fclose(f);
	if (!ret)
		printf("%s: %zu lines\n", path, n);
	return ret;
}

int main(int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: jsonl-check FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		ret |= check_file(argv[i]);
	return ret;
}
