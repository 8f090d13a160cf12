/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tiny plugins for tests/test-plugin: a good one, a wrong ABI, a short descriptor. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <paced/plugin.h>

#ifdef TEST_PLUGIN_GOOD
static bool never(void *user_data)
{
	return false;
}

static bool match(const char *address, void *user_data)
{
	return !strcmp(address, "test:good");
}

static int open_tm(const char *address, const char *adapter,
		   struct paced_treadmill **ret_tm, void *user_data)
{
	return -ENODEV;
}

static const struct paced_driver_ops ops = {
	.name = "good", .match = match, .open = open_tm,
};

static int good_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	long long v = 0;
	const char *mode = "";
	int r;

	(void) paced_cfg_get_str(cfg, "mode", &mode);
	if (!strcmp(mode, "fail"))
		return -EINVAL;
	r = paced_cfg_get_int(cfg, "answer", &v);
	if (r == 0 && v != 42)
		return -ERANGE;
	/* A timer far away: the host must drop it when we are unloaded. */
	if (paced_add_timeout(self, 3600000000ULL, false, never, NULL) < 0)
		return -EIO;
	paced_log(self, 6, "good plugin up");
	return paced_driver_register(self, &ops, NULL);
}

PACED_PLUGIN_DEFINE("good", "1", good_init, NULL);
#endif

#ifdef TEST_PLUGIN_BAD_ABI
static int bad_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	return 0;
}

__attribute__((visibility("default")))
const struct paced_plugin_desc paced_plugin_desc = {
	.abi = PACED_PLUGIN_ABI + 1,
	.size = sizeof(struct paced_plugin_desc),
	.name = "bad-abi", .version = "1", .init = bad_init,
};
#endif

#ifdef TEST_PLUGIN_SHORT
static int short_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	return 0;
}

/* A descriptor claiming fewer bytes than ABI 1 defines. */
__attribute__((visibility("default")))
const struct paced_plugin_desc paced_plugin_desc = {
	.abi = PACED_PLUGIN_ABI,
	.size = offsetof(struct paced_plugin_desc, init),
	.name = "short", .version = "1", .init = short_init,
};
#endif
