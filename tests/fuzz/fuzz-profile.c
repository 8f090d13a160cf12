/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: profile text through the loader, the plan and scale-back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "plan.h"
#include "profile.h"
#include "scaleback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_error err;
	struct profile *p;
	struct plan plan, next;
	char *text;

	if (size > 64 * 1024)
		return 0;
	/* libconfig reads a C string: a NUL ends the text early, which is
	 * what profile_load() refuses for files. */
	text = paced_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	p = profile_load_string(text, "fuzz", NULL, &err);
	free(text);
	if (!p)
		return 0;
	/* A profile that loads must expand and survive every press. */
	if (plan_expand(p, &plan) < 0 || plan_validate(&plan) < 0)
		abort();
	for (unsigned press = 1; press <= 4; press++) {
		uint32_t t = plan_start_ms(&plan) +
			     (plan_end_ms(&plan) - plan_start_ms(&plan)) / 3;

		if (scaleback_apply(&plan, t, press, SYMPTOM_ANY, &p->policy,
				    &next) < 0)
			abort();
		if (plan_validate(&next) < 0 || !next.n ||
		    plan_jog_ms(&next) > plan_jog_ms(&plan))
			abort();
		plan_clear(&plan);
		plan = next;
	}
	plan_clear(&plan);
	profile_free(p);
	return 0;
}
