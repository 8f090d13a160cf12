/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: paced.conf text through the configuration loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct paced_config_error err;
	struct paced_config *c;
	char *text;

	if (size > 64 * 1024)
		return 0;
	text = paced_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	c = paced_config_load_string(text, "fuzz.conf", &err);
	free(text);
	/* Every refusal names where: "file:line: message" or "file: ...". */
	if (!c && strncmp(err.text, "fuzz.conf:", 10))
		abort();
	paced_config_free(c);
	return 0;
}
