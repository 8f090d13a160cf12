/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Random valid profiles for property tests: deterministic, seeded per test. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gen-profile.h"

uint32_t gen_rnd(struct gen *g, uint32_t n)
{
	g->state ^= g->state << 13;
	g->state ^= g->state >> 17;
	g->state ^= g->state << 5;
	return n ? g->state % n : 0;
}

void gen_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + l, len - l, fmt, ap);
	va_end(ap);
}

static void gen_items(struct gen *g, char *buf, size_t len, unsigned depth)
{
	unsigned n = 1 + gen_rnd(g, 3);

	gen_append(buf, len, "(");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = gen_rnd(g, depth < 2 ? 6 : 5);

		gen_append(buf, len, "%s", i ? ", " : " ");
		if (k == 5) {
			gen_append(buf, len, "{ repeat = %u; segments = ",
			       1 + gen_rnd(g, 4));
			gen_items(g, buf, len, depth + 1);
			gen_append(buf, len, "; }");
		} else if (k < 2) {
			gen_append(buf, len, "{ jog = %u;%s }", 5 + gen_rnd(g, 300),
			       gen_rnd(g, 3) ? "" : " incline = 2.5;");
		} else if (k == 2) {
			/* A walk is a walk: within the 6.5 km/h ceiling. */
			gen_append(buf, len, "{ walk = %u; speed = %u.%u; }",
			       5 + gen_rnd(g, 300), 3 + gen_rnd(g, 3),
			       gen_rnd(g, 10));
		} else if (k == 3) {
			gen_append(buf, len, "{ pace = \"brisk\"; duration = %u; }",
			       5 + gen_rnd(g, 200));
		} else {
			gen_append(buf, len, "{ walk = \"%u:%02u\"; incline = -%u; }",
			       gen_rnd(g, 3), 1 + gen_rnd(g, 59), gen_rnd(g, 5));
		}
	}
	gen_append(buf, len, " )");
}

void gen_profile_text(struct gen *g, char *buf, size_t len)
{
	buf[0] = '\0';
	gen_append(buf, len,
	       "name = \"random\";\npaces = { walk = 4.%u; jog = %u.%u; brisk = 5.%u; };\n",
	       gen_rnd(g, 10), 6 + gen_rnd(g, 4), gen_rnd(g, 10),
	       gen_rnd(g, 10));
	gen_append(buf, len, "warmup = ");
	gen_items(g, buf, len, 1);
	gen_append(buf, len, ";\nmain = ");
	gen_items(g, buf, len, 0);
	gen_append(buf, len, ";\ncooldown = ( { walk = %u; } );\n",
	       30 + gen_rnd(g, 300));
	gen_append(buf, len,
	       "scaleback = { recovery = %u; steps = ( { jog_speed = 0.%u; jog_time = 0.%u; }, { no_jog = true; }, { end = true; } ); };\n",
	       10 + gen_rnd(g, 200), 5 + gen_rnd(g, 5), 1 + gen_rnd(g, 9));
}

struct profile *gen_profile(struct gen *g, const struct profile_limits *lim)
{
	static char buf[GEN_PROFILE_MAX];
	struct profile_error err;
	struct profile *p;

	gen_profile_text(g, buf, sizeof(buf));
	p = profile_load_string(buf, "random", lim, &err);
	if (!p)
		ck_abort_msg("generated profile failed: %s\n%s", err.text, buf);
	return p;
}
