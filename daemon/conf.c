/* SPDX-License-Identifier: GPL-2.0-or-later */
/* paced.conf: the service's configuration, parsed with libconfig into typed structs (named conf.c: "config.h" is autoconf's). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf.h"
#include "address.h"
#include "auto-export.h"
#include "settings.h"
#include "util.h"

struct ctx {
	const char *file;
	struct paced_config_error *err;
	bool failed;
};

static void fail_line(struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_line(struct ctx *c, unsigned line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	/* The first error is the one worth reading. */
	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->err->line = line;
	if (line)
		snprintf(c->err->text, sizeof(c->err->text), "%s:%u: %s",
			 c->file, line, msg);
	else
		snprintf(c->err->text, sizeof(c->err->text), "%s: %s",
			 c->file, msg);
}

#define fail(c, s, ...) fail_line((c), config_setting_source_line(s), __VA_ARGS__)

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "nothing";
	}
}

/* Every key of a group must be known: a typo must not silently keep a
 * default (a misspelt speed_cap would leave the built-in cap). */
static bool check_keys(struct ctx *c, const config_setting_t *g,
		       const char *where, const char *const *known)
{
	unsigned n = (unsigned) config_setting_length(g);

	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		bool ok = false;

		for (const char *const *k = known; *k; k++)
			ok = ok || !strcmp(*k, name);
		if (!ok) {
			fail(c, m, "unknown key '%s' in %s", name, where);
			return false;
		}
	}
	return true;
}

static const config_setting_t *get_group(struct ctx *c,
					 const config_setting_t *parent,
					 const char *key)
{
	const config_setting_t *g = config_setting_get_member(parent, key);

	if (g && config_setting_type(g) != CONFIG_TYPE_GROUP) {
		fail(c, g, "'%s' must be a group { ... }, not %s", key,
		     type_name(config_setting_type(g)));
		return NULL;
	}
	return g;
}

/* A string into buf; absent keys leave buf alone. */
static bool get_str(struct ctx *c, const config_setting_t *parent,
		    const char *key, char *buf, size_t len, bool path)
{
	const config_setting_t *s = config_setting_get_member(parent, key);
	const char *v;

	if (!s)
		return true;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(c, s, "%s must be a string, not %s", key,
		     type_name(config_setting_type(s)));
		return false;
	}
	v = config_setting_get_string(s);
	if (strlen(v) >= len) {
		fail(c, s, "%s is too long (at most %zu bytes)", key, len - 1);
		return false;
	}
	for (const char *p = v; *p; p++)
		if ((unsigned char) *p < 0x20 || *p == 0x7f) {
			fail(c, s, "%s contains a control character", key);
			return false;
		}
	if (path && *v && *v != '/') {
		fail(c, s, "%s must be an absolute path", key);
		return false;
	}
	memcpy(buf, v, strlen(v) + 1);
	return true;
}

static void parse_treadmill(struct ctx *c, struct paced_config *pc,
			    const config_setting_t *root)
{
	static const char *const keys[] = { "address", "adapter", NULL };
	const config_setting_t *g = get_group(c, root, "treadmill");
	const config_setting_t *a;

	if (!g || !check_keys(c, g, "treadmill", keys))
		return;
	if (!get_str(c, g, "address", pc->treadmill, sizeof(pc->treadmill),
		     false) ||
	    !get_str(c, g, "adapter", pc->adapter, sizeof(pc->adapter), false))
		return;
	a = config_setting_get_member(g, "address");
	if (!a)
		return;
	pc->treadmill_line = (unsigned) config_setting_source_line(a);
	/*
	 * Whether a driver takes the address is for the driver plugins to
	 * say (service_check_config()); only the daemon's own form, and
	 * nonsense no driver could take, are refused here.
	 */
	if (!pc->treadmill[0] || (treadmill_address_name(pc->treadmill) &&
				  !*treadmill_address_name(pc->treadmill)))
		fail(c, a, "address '%s' is not a treadmill address (name:NAME needs a NAME)",
		     pc->treadmill);
}

/*
 * The user's paces and cap and the default scale-back policy (the
 * "scaleback" group a profile uses; a profile with its own keeps its
 * own, being the more specific: paced.conf(5)). domain/settings.c reads
 * them, so pacectl reads them exactly as paced does.
 */
static void parse_limits(struct ctx *c, struct paced_config *pc,
			 const config_setting_t *root)
{
	struct profile_error perr;

	if (settings_parse_limits(root, c->file, &pc->limits, &perr) < 0) {
		/* Already "file:line: message". */
		if (c->failed)
			return;
		c->failed = true;
		c->err->line = perr.line;
		snprintf(c->err->text, sizeof(c->err->text), "%s", perr.text);
	}
}

/*
 * The "cues" group (paced.conf(5)): the countdown's lead, the 3-2-1, the
 * form tips and the words. A template is checked against its kind here,
 * so a placeholder its cue never has is a file:line error at start-up,
 * not a gap in a sentence mid-session.
 */
static void parse_cue_templates(struct ctx *c, struct cue_config *cc,
				const config_setting_t *g)
{
	unsigned n = (unsigned) config_setting_length(g);

	for (unsigned i = 0; i < n && !c->failed; i++) {
		const config_setting_t *m = config_setting_get_elem(g, i);
		const char *name = config_setting_name(m);
		enum cue_template t;
		char why[256];

		if (cue_template_from_name(name, &t) < 0) {
			char list[256] = "";

			for (int k = 0; k < CUE_TPL_COUNT; k++)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 k ? ", " : "",
					 cue_template_name((enum cue_template) k));
			fail(c, m, "unknown cue '%s' in cues.templates (expected %s)",
			     name, list);
			return;
		}
		if (!get_str(c, g, name, cc->templates[t],
			     sizeof(cc->templates[t]), false))
			return;
		if (cue_template_check(t, cc->templates[t], why,
				       sizeof(why)) < 0)
			fail(c, m, "cues.templates.%s: %s", name, why);
	}
}

static void parse_cue_tips(struct ctx *c, struct cue_config *cc,
			   const config_setting_t *s)
{
	unsigned n = (unsigned) config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY) {
		fail(c, s, "tips must be a list of strings: [ \"Land softly.\", ... ]");
		return;
	}
	if (!n || n > CUE_TIPS_MAX) {
		fail(c, s, "tips must hold 1 to %d tips", CUE_TIPS_MAX);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (!v || !*v || strlen(v) >= CUE_TIP_MAX) {
			fail(c, e, "tip %u must be a string of 1 to %d bytes",
			     i + 1, CUE_TIP_MAX - 1);
			return;
		}
		for (const char *p = v; *p; p++)
			if ((unsigned char) *p < 0x20 || *p == 0x7f) {
				fail(c, e, "tip %u contains a control character",
				     i + 1);
				return;
			}
		snprintf(cc->tips[i], sizeof(cc->tips[i]), "%s", v);
	}
	cc->n_tips = n;
}

static void parse_cues(struct ctx *c, struct paced_config *pc,
		       const config_setting_t *root)
{
	static const char *const keys[] = {
		"lead", "ticks", "form", "tips", "templates", NULL
	};
	const config_setting_t *g = get_group(c, root, "cues"), *s;
	struct cue_config *cc = &pc->cues;

	if (!g || !check_keys(c, g, "cues", keys))
		return;
	if ((s = config_setting_get_member(g, "lead"))) {
		int v = config_setting_get_int(s);

		if (config_setting_type(s) != CONFIG_TYPE_INT ||
		    v < (int) (CUE_LEAD_MIN_MS / 1000) ||
		    v > (int) (CUE_LEAD_MAX_MS / 1000)) {
			fail(c, s, "lead must be whole seconds, %u to %u",
			     CUE_LEAD_MIN_MS / 1000, CUE_LEAD_MAX_MS / 1000);
			return;
		}
		cc->lead_ms = (uint32_t) v * 1000;
	}
	if ((s = config_setting_get_member(g, "ticks"))) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			fail(c, s, "ticks must be true or false, not %s",
			     type_name(config_setting_type(s)));
			return;
		}
		cc->ticks = config_setting_get_bool(s);
	}
	if ((s = config_setting_get_member(g, "form"))) {
		if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
			cc->form_every = config_setting_get_bool(s) ?
					 CUE_FORM_DEFAULT : 0;
		} else if (config_setting_type(s) == CONFIG_TYPE_INT &&
			   config_setting_get_int(s) >= 1 &&
			   config_setting_get_int(s) <= 20) {
			cc->form_every = (unsigned) config_setting_get_int(s);
		} else {
			fail(c, s, "form must be true, false or a number of jogs from 1 to 20 (a tip every Nth jog)");
			return;
		}
	}
	if ((s = config_setting_get_member(g, "tips")))
		parse_cue_tips(c, cc, s);
	if (c->failed)
		return;
	if ((s = config_setting_get_member(g, "templates"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			fail(c, s, "'templates' must be a group { change = \"...\"; }, not %s",
			     type_name(config_setting_type(s)));
			return;
		}
		parse_cue_templates(c, cc, s);
	}
}

static void parse_control(struct ctx *c, struct paced_config *pc,
			  const config_setting_t *root)
{
	static const char *const keys[] = { "socket", "group", NULL };
	const config_setting_t *g = get_group(c, root, "control");

	if (!g || !check_keys(c, g, "control", keys))
		return;
	if (!get_str(c, g, "socket", pc->control_socket,
		     sizeof(pc->control_socket), true))
		return;
	(void) get_str(c, g, "group", pc->control_group,
		       sizeof(pc->control_group), false);
}

/*
 * "export = { formats = [ "fit", "tcx" ]; };": the files every finished
 * session gets in STATE/exports/ (paced.conf(5) EXPORT).
 */
static void parse_export(struct ctx *c, struct paced_config *pc,
			 const config_setting_t *root)
{
	static const char *const keys[] = { "formats", NULL };
	const config_setting_t *g = get_group(c, root, "export"), *s;
	unsigned n;

	if (!g || !check_keys(c, g, "export", keys))
		return;
	s = config_setting_get_member(g, "formats");
	if (!s) {
		fail(c, g, "export needs formats = [ \"fit\", \"tcx\", \"csv\" ] (one or more)");
		return;
	}
	n = (unsigned) config_setting_length(s);
	if ((config_setting_type(s) != CONFIG_TYPE_LIST &&
	     config_setting_type(s) != CONFIG_TYPE_ARRAY) || !n) {
		fail(c, s, "formats must be a list of one or more of \"fit\", \"tcx\" and \"csv\"");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		enum export_format f;

		if (!v || export_format_from_name(v, &f) < 0) {
			fail(c, e, "unknown export format \"%s\" (expected fit, tcx or csv)",
			     v ? v : type_name(config_setting_type(e)));
			return;
		}
		if (pc->export_formats & AUTO_EXPORT_BIT(f)) {
			fail(c, e, "export format \"%s\" is listed twice", v);
			return;
		}
		pc->export_formats |= AUTO_EXPORT_BIT(f);
	}
}

static void parse_plugins(struct ctx *c, struct paced_config *pc,
			  const config_setting_t *root)
{
	const config_setting_t *g = get_group(c, root, "plugins");
	unsigned n;

	if (!g)
		return;
	n = (unsigned) config_setting_length(g);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *p = config_setting_get_elem(g, i);
		struct config_plugin *cp;

		if (config_setting_type(p) != CONFIG_TYPE_GROUP) {
			fail(c, p, "plugin '%s' must be a group { ... } (its settings), not %s",
			     config_setting_name(p),
			     type_name(config_setting_type(p)));
			return;
		}
		if (pc->n_plugins == CONFIG_MAX_PLUGINS) {
			fail(c, p, "more than %d plugins", CONFIG_MAX_PLUGINS);
			return;
		}
		if (strlen(config_setting_name(p)) >= sizeof(cp->name)) {
			fail(c, p, "plugin name too long");
			return;
		}
		cp = &pc->plugins[pc->n_plugins++];
		snprintf(cp->name, sizeof(cp->name), "%s",
			 config_setting_name(p));
		cp->line = config_setting_source_line(p);
		cp->group = p;
	}
}

static void parse_root(struct ctx *c, struct paced_config *pc,
		       const config_setting_t *root)
{
	static const char *const keys[] = {
		"treadmill", "user", "profile", "programme", "profile_dir",
		"state_dir", "control", "plugin_dir", "plugins", "speedup",
		"scaleback", "units", "cues", "export", NULL
	};
	const config_setting_t *s;
	char units[16] = "";

	if (!check_keys(c, root, "the top level", keys))
		return;
	parse_treadmill(c, pc, root);
	parse_limits(c, pc, root);
	if (c->failed ||
	    !get_str(c, root, "profile", pc->profile, sizeof(pc->profile),
		     false) ||
	    !get_str(c, root, "programme", pc->programme,
		     sizeof(pc->programme), false) ||
	    !get_str(c, root, "profile_dir", pc->profile_dir,
		     sizeof(pc->profile_dir), true) ||
	    !get_str(c, root, "state_dir", pc->state_dir,
		     sizeof(pc->state_dir), true) ||
	    !get_str(c, root, "plugin_dir", pc->plugin_dir,
		     sizeof(pc->plugin_dir), true))
		return;
	parse_control(c, pc, root);
	parse_plugins(c, pc, root);
	parse_cues(c, pc, root);
	if (!c->failed)
		parse_export(c, pc, root);
	if (!c->failed && (s = config_setting_get_member(root, "units")) &&
	    get_str(c, root, "units", units, sizeof(units), false) &&
	    units_from_name(units, &pc->units) < 0)
		fail(c, s, "units must be \"metric\" or \"imperial\", not \"%s\"",
		     units);
	if ((s = config_setting_get_member(root, "speedup"))) {
		if (config_setting_type(s) != CONFIG_TYPE_INT) {
			fail(c, s, "speedup must be an integer, not %s",
			     type_name(config_setting_type(s)));
		} else if (config_setting_get_int(s) < 1 ||
			   config_setting_get_int(s) > 1000) {
			fail(c, s, "speedup must be 1 to 1000");
		} else {
			pc->speedup = (uint32_t) config_setting_get_int(s);
		}
	}
}

static void set_defaults(struct paced_config *pc, const char *name)
{
	snprintf(pc->file, sizeof(pc->file), "%s", name);
	snprintf(pc->treadmill, sizeof(pc->treadmill), "sim");
	profile_limits_default(&pc->limits);
	snprintf(pc->profile_dir, sizeof(pc->profile_dir), "%s", PROFILEDIR);
	snprintf(pc->state_dir, sizeof(pc->state_dir), "%s", STATEDIR);
	snprintf(pc->control_socket, sizeof(pc->control_socket), "%s",
		 RUNDIR "/control");
	snprintf(pc->plugin_dir, sizeof(pc->plugin_dir), "%s", PLUGINDIR);
	pc->speedup = 1;
	pc->units = UNITS_METRIC;
	cue_config_default(&pc->cues);
}

static struct paced_config *finish(config_t *cfg, int read_ok,
				   const char *name, struct paced_config_error *ret_err)
{
	struct paced_config *pc = paced_new0(struct paced_config, 1);
	struct paced_config_error err = { 0 };
	struct ctx c = { .file = name, .err = &err };

	set_defaults(pc, name);
	if (!read_ok) {
		/* libconfig: no line means the file could not be read. */
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
			fail_line(&c, 0, "cannot read the file");
		else
			fail_line(&c, (unsigned) config_error_line(cfg), "%s",
				  config_error_text(cfg));
	} else {
		parse_root(&c, pc, config_root_setting(cfg));
	}
	if (c.failed) {
		config_destroy(cfg);
		free(cfg);
		free(pc);
		*ret_err = err;
		return NULL;
	}
	pc->cfg = cfg;
	return pc;
}

struct paced_config *paced_config_load(const char *path,
				       struct paced_config_error *ret_err)
{
	config_t *cfg = paced_new0(config_t, 1);
	int ok;

	config_init(cfg);
	ok = config_read_file(cfg, path);
	return finish(cfg, ok, path, ret_err);
}

struct paced_config *paced_config_load_string(const char *text,
					      const char *name,
					      struct paced_config_error *ret_err)
{
	config_t *cfg = paced_new0(config_t, 1);
	int ok;

	config_init(cfg);
	ok = config_read_string(cfg, text);
	return finish(cfg, ok, name, ret_err);
}

void paced_config_free(struct paced_config *pc)
{
	if (!pc)
		return;
	if (pc->cfg) {
		config_destroy(pc->cfg);
		free(pc->cfg);
	}
	free(pc);
}
