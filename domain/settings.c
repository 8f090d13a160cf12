/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keys of paced.conf that pacectl needs too: paces, cap, programme, directories. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libconfig.h>

#include "settings.h"

static int fail(struct profile_error *err, const char *file, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct profile_error *err, const char *file, unsigned line,
		const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	memset(err, 0, sizeof(*err));
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err->text, sizeof(err->text), "%s:%u: %s", file, line,
			 err->message);
	else
		snprintf(err->text, sizeof(err->text), "%s: %s", file,
			 err->message);
	return -EINVAL;
}

#define LINE(s) ((unsigned) config_setting_source_line(s))

/* km/h as a number into 0.01 km/h, within lo..hi km/h; absent: as is. */
static int get_kmh(const config_setting_t *g, const char *key, double lo,
		   double hi, const char *file, uint16_t *ret,
		   struct profile_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	double v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double) config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		return fail(err, file, LINE(s), "%s must be a speed in km/h, not %s",
			    key, config_setting_type(s) == CONFIG_TYPE_STRING ?
			    "a string" : "a group, list or boolean");
	}
	/* !(v >= lo) also catches NaN. */
	if (!(v >= lo) || v > hi)
		return fail(err, file, LINE(s), "%s must be between %g and %g km/h",
			    key, lo, hi);
	*ret = (uint16_t) (v * 100 + 0.5);
	return 0;
}

static int parse_user(const config_setting_t *root, const char *file,
		      struct profile_limits *l, struct profile_error *err)
{
	static const char *const keys[] = {
		"walk", "jog", "speed_cap", "walk_max", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "user");
	const config_setting_t *m;
	uint16_t walk_max;
	int r;

	if (!g)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(err, file, LINE(g), "'user' must be a group { ... }");
	/* A typo must not silently keep a default (a misspelt speed_cap
	 * would leave the built-in cap). */
	for (int i = 0; i < config_setting_length(g); i++) {
		const char *name;
		bool ok = false;

		m = config_setting_get_elem(g, (unsigned) i);
		name = config_setting_name(m);
		for (const char *const *k = keys; *k; k++)
			ok = ok || !strcmp(*k, name);
		if (!ok)
			return fail(err, file, LINE(m), "unknown key '%s' in user",
				    name);
	}
	if ((r = get_kmh(g, "speed_cap", 1.0, 25.0, file, &l->speed_cap, err)) < 0 ||
	    (r = get_kmh(g, "walk", 1.0, 10.0, file, &l->walk_speed, err)) < 0 ||
	    (r = get_kmh(g, "jog", 1.0, 25.0, file, &l->jog_speed, err)) < 0 ||
	    (r = get_kmh(g, "walk_max", 2.0, 8.0, file, &l->walk_max, err)) < 0)
		return r;
	/* Safety first: a pace above the cap is a contradiction, refused. */
	if (l->jog_speed > l->speed_cap) {
		m = config_setting_get_member(g, "jog");
		return fail(err, file, LINE(m ? m : g),
			    "jog %.1f km/h is above speed_cap %.1f km/h",
			    l->jog_speed / 100.0, l->speed_cap / 100.0);
	}
	if (l->walk_speed >= l->jog_speed) {
		m = config_setting_get_member(g, "walk");
		return fail(err, file, LINE(m ? m : g),
			    "walk %.1f km/h must be slower than jog %.1f km/h",
			    l->walk_speed / 100.0, l->jog_speed / 100.0);
	}
	/* A recovery walk is a walk: the ceiling binds the walk pace too. */
	walk_max = l->walk_max ? l->walk_max : PROFILE_DEFAULT_WALK_MAX;
	if (l->walk_speed > walk_max) {
		m = config_setting_get_member(g, "walk");
		return fail(err, file, LINE(m ? m : g),
			    "walk %.1f km/h is above walk_max %.1f km/h (the walking ceiling)",
			    l->walk_speed / 100.0, walk_max / 100.0);
	}
	return 0;
}

int settings_parse_limits(const struct config_setting_t *root,
			  const char *file, struct profile_limits *limits,
			  struct profile_error *ret_err)
{
	const config_setting_t *g;
	int r;

	r = parse_user(root, file, limits, ret_err);
	if (r < 0)
		return r;
	/* The default scale-back policy, in the "scaleback" group a profile
	 * uses (paced-profile(5)). */
	g = config_setting_get_member(root, "scaleback");
	if (g)
		return profile_parse_policy(g, file, &limits->policy,
					    &limits->policy, ret_err);
	return 0;
}

/* A string key into buf, if present. */
static int get_text(const config_setting_t *root, const char *key,
		    const char *file, char *buf, size_t len,
		    struct profile_error *err)
{
	const config_setting_t *s = config_setting_get_member(root, key);
	const char *v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(err, file, LINE(s), "%s must be a string", key);
	v = config_setting_get_string(s);
	if (strlen(v) >= len)
		return fail(err, file, LINE(s), "%s is too long (at most %zu bytes)",
			    key, len - 1);
	for (const char *p = v; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			return fail(err, file, LINE(s), "%s contains a control character",
				    key);
	memcpy(buf, v, strlen(v) + 1);
	return 0;
}

int settings_load(const char *path, struct paced_settings *ret,
		  struct profile_error *ret_err)
{
	struct paced_settings s;
	const config_setting_t *root;
	config_t cfg;
	int r;

	memset(&s, 0, sizeof(s));
	snprintf(s.file, sizeof(s.file), "%s", path);
	profile_limits_default(&s.limits);
	snprintf(s.profile_dir, sizeof(s.profile_dir), "%s", PROFILEDIR);
	snprintf(s.state_dir, sizeof(s.state_dir), "%s", STATEDIR);
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		r = config_error_type(&cfg) == CONFIG_ERR_FILE_IO ?
		    fail(ret_err, path, 0, "cannot read the file") :
		    fail(ret_err, path, (unsigned) config_error_line(&cfg),
			 "%s", config_error_text(&cfg));
		config_destroy(&cfg);
		return r;
	}
	root = config_root_setting(&cfg);
	r = settings_parse_limits(root, path, &s.limits, ret_err);
	if (r == 0)
		r = get_text(root, "programme", path, s.programme,
			     sizeof(s.programme), ret_err);
	if (r == 0)
		r = get_text(root, "profile_dir", path, s.profile_dir,
			     sizeof(s.profile_dir), ret_err);
	if (r == 0)
		r = get_text(root, "state_dir", path, s.state_dir,
			     sizeof(s.state_dir), ret_err);
	config_destroy(&cfg);
	if (r == 0)
		*ret = s;
	return r;
}
