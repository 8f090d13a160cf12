/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: loads .so plugins, checks their ABI, tracks what they register. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libconfig.h>

#include "log.h"
#include "plugin.h"
#include "util.h"

/* The fields every ABI-1 plugin must have: up to and including exit. */
#define DESC_MIN_SIZE (offsetof(struct paced_plugin_desc, exit) + \
		       sizeof(((struct paced_plugin_desc *) 0)->exit))
#define MAX_REGS 64

struct paced_cfg {
	const config_setting_t *group;	/* NULL: empty group */
	const char *file;
};

enum reg_kind {
	REG_DRIVER,
	REG_SCANNER,
	REG_SINK,
};

/* What a plugin offers: a driver, a scanner or a sink. */
struct plugin_reg {
	struct paced_plugin *owner;
	enum reg_kind kind;
	const char *name;
	union {
		const struct paced_driver_ops *driver;
		const struct paced_scanner_ops *scanner;
		const struct paced_sink_ops *sink;
	} ops;
	void *user_data;
	struct plugin_reg *next;
};

struct paced_plugin {
	struct plugin_host *host;
	void *dl;			/* NULL for a failed load */
	const struct paced_plugin_desc *desc;
	char name[64];
	int regs[MAX_REGS];		/* loop ids it registered, 0 = free */
	bool in_init;
	struct paced_plugin *next;	/* load order, newest first */
};

struct plugin_host {
	struct loop *loop;
	plugin_action_func_t action;
	void *user_data;
	struct paced_plugin *plugins;
	struct plugin_reg *regs;	/* newest first */
	unsigned count;
	bool quiet;
};

struct plugin_host *plugin_host_new(struct loop *loop,
				    plugin_action_func_t action,
				    void *user_data)
{
	struct plugin_host *h = paced_new0(struct plugin_host, 1);

	h->loop = loop;
	h->action = action;
	h->user_data = user_data;
	return h;
}

/* Drop everything still tagged to p: its watches, timers, drivers,
 * scanners and sinks. */
static void drop_registrations(struct paced_plugin *p)
{
	struct plugin_reg **dp = &p->host->regs;

	for (unsigned i = 0; i < MAX_REGS; i++) {
		if (p->regs[i] > 0)
			(void) loop_remove(p->host->loop, p->regs[i]);
		p->regs[i] = 0;
	}
	while (*dp) {
		struct plugin_reg *d = *dp;

		if (d->owner == p) {
			*dp = d->next;
			free(d);
		} else {
			dp = &d->next;
		}
	}
}

static void unload(struct paced_plugin *p)
{
	if (p->desc && p->desc->exit)
		p->desc->exit(p);
	drop_registrations(p);
	if (p->dl)
		dlclose(p->dl);
	free(p);
}

void plugin_host_free(struct plugin_host *host)
{
	if (!host)
		return;
	/* The list is newest first: that is reverse load order. */
	while (host->plugins) {
		struct paced_plugin *p = host->plugins;

		host->plugins = p->next;
		unload(p);
	}
	free(host);
}

void plugin_host_set_quiet(struct plugin_host *host, bool quiet)
{
	host->quiet = quiet;
}

unsigned plugin_host_count(const struct plugin_host *host)
{
	return host->count;
}

int plugin_host_load_path(struct plugin_host *host, const char *path,
			  const char *name, const void *group,
			  const char *file)
{
	struct paced_cfg cfg = { .group = group, .file = file };
	const struct paced_plugin_desc *desc;
	struct paced_plugin *p;
	void *dl;
	int r;

	for (p = host->plugins; p; p = p->next)
		if (!strcmp(p->name, name)) {
			log_err("plugin %s: already loaded", name);
			return -EEXIST;
		}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		log_err("plugin %s: cannot load %s: %s", name, path, dlerror());
		return -ELIBBAD;
	}
	desc = dlsym(dl, "paced_plugin_desc");
	if (!desc) {
		log_err("plugin %s: %s has no paced_plugin_desc, skipping",
			name, path);
		dlclose(dl);
		return -ELIBBAD;
	}
	/* abi first: with another major, even size may mean something else. */
	if (desc->abi != PACED_PLUGIN_ABI) {
		log_err("plugin %s: %s was built for plugin ABI %u, this paced has ABI %u; skipping it (rebuild the plugin)",
			name, path, desc->abi, PACED_PLUGIN_ABI);
		dlclose(dl);
		return -EPROTO;
	}
	if (desc->size < DESC_MIN_SIZE) {
		log_err("plugin %s: %s has a descriptor of %u bytes, ABI %u needs at least %zu; skipping it",
			name, path, desc->size, PACED_PLUGIN_ABI,
			(size_t) DESC_MIN_SIZE);
		dlclose(dl);
		return -EPROTO;
	}
	if (!desc->name || strcmp(desc->name, name) || !desc->init) {
		log_err("plugin %s: %s calls itself '%s', skipping", name, path,
			desc->name ? desc->name : "(null)");
		dlclose(dl);
		return -ELIBBAD;
	}
	p = paced_new0(struct paced_plugin, 1);
	p->host = host;
	p->dl = dl;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->in_init = true;
	r = desc->init(p, &cfg);
	p->in_init = false;
	if (r < 0) {
		log_errno(r, "plugin %s: init failed", name);
		/* exit() is for initialized plugins only. */
		drop_registrations(p);
		dlclose(dl);
		free(p);
		return r;
	}
	p->desc = desc;
	p->next = host->plugins;
	host->plugins = p;
	host->count++;
	if (host->quiet)
		log_debug("plugin", "%s %s loaded from %s", name,
			  desc->version ? desc->version : "", path);
	else
		log_info("plugin %s %s loaded from %s", name,
			 desc->version ? desc->version : "", path);
	return 0;
}

static bool find_in(const char *dir, size_t dirlen, const char *name,
		    char *buf, size_t len)
{
	int n = snprintf(buf, len, "%.*s/%s.so", (int) dirlen, dir, name);

	return n > 0 && (size_t) n < len && access(buf, R_OK) == 0;
}

/*
 * Running uninstalled: a paced whose executable still lives in the tree
 * it was built in (PACED_BUILDDIR, its top build directory) looks for
 * plugins there first, so ./daemon/paced works without installing and
 * without $PACED_PLUGIN_PATH. An installed paced never looks there.
 */
static bool find_in_build_tree(const char *name, char *buf, size_t len)
{
#ifdef PACED_BUILDDIR
	char exe[PATH_MAX], top[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t tl;

	if (n <= 0 || !realpath(PACED_BUILDDIR, top))
		return false;
	exe[n] = '\0';
	tl = strlen(top);
	if (strncmp(exe, top, tl) || exe[tl] != '/')
		return false;
	if (snprintf(dir, sizeof(dir), "%s/plugins/.libs", top) >=
	    (int) sizeof(dir))
		return false;
	return find_in(dir, strlen(dir), name, buf, len);
#else
	return false;
#endif
}

int plugin_find(const char *dir, const char *name, char *buf, size_t len)
{
	const char *env = getenv("PACED_PLUGIN_PATH");
	bool found = false;

	if (!*name || strchr(name, '/') || strchr(name, '.'))
		return -EINVAL;
	/* Uninstalled runs and tests point here at the build tree. */
	while (env && *env && !found) {
		const char *end = strchrnul(env, ':');

		found = find_in(env, (size_t) (end - env), name, buf, len);
		env = *end ? end + 1 : NULL;
	}
	if (!found)
		found = find_in_build_tree(name, buf, len);
	if (!found)
		found = find_in(dir, strlen(dir), name, buf, len);
	return found ? 0 : -ENOENT;
}

int plugin_host_load(struct plugin_host *host, const char *dir,
		     const char *name, const void *group, const char *file)
{
	char path[PATH_MAX];
	int err = plugin_find(dir, name, path, sizeof(path));

	if (err == -EINVAL) {
		log_err("plugin '%s': not a plugin name", name);
		return err;
	}
	if (err < 0) {
		log_err("plugin %s: no %s.so in %s%s", name, name, dir,
			getenv("PACED_PLUGIN_PATH") ? " nor in $PACED_PLUGIN_PATH" : "");
		return err;
	}
	return plugin_host_load_path(host, path, name, group, file);
}

/* ---- drivers, scanners, sinks ---- */

static struct plugin_reg *find_reg(struct plugin_host *host,
				   enum reg_kind kind, const char *address)
{
	for (struct plugin_reg *d = host->regs; d; d = d->next) {
		if (d->kind != kind)
			continue;
		if (kind != REG_DRIVER ||
		    d->ops.driver->match(address, d->user_data))
			return d;
	}
	return NULL;
}

struct plugin_driver *plugin_host_find_driver(struct plugin_host *host,
					      const char *address)
{
	return (struct plugin_driver *) find_reg(host, REG_DRIVER, address);
}

const char *plugin_driver_name(const struct plugin_driver *d)
{
	return ((const struct plugin_reg *) d)->name;
}

int plugin_driver_open(struct plugin_driver *d, const char *address,
		       const char *adapter, struct treadmill **ret_tm)
{
	struct plugin_reg *reg = (struct plugin_reg *) d;
	struct paced_treadmill *tm = NULL;
	int r = reg->ops.driver->open(address, adapter, &tm, reg->user_data);

	if (r < 0)
		return r;
	if (!tm)
		return -EIO;
	*ret_tm = (struct treadmill *) tm;
	return 0;
}

struct plugin_scanner *plugin_host_find_scanner(struct plugin_host *host)
{
	return (struct plugin_scanner *) find_reg(host, REG_SCANNER, NULL);
}

int plugin_scanner_start(struct plugin_scanner *sc, const char *adapter,
			 uint64_t duration_us, paced_scan_result_func_t result,
			 paced_scan_done_func_t done, void *cb_data)
{
	struct plugin_reg *reg = (struct plugin_reg *) sc;

	return reg->ops.scanner->start(adapter, duration_us, result, done,
				       cb_data, reg->user_data);
}

void plugin_scanner_cancel(struct plugin_scanner *sc)
{
	struct plugin_reg *reg = (struct plugin_reg *) sc;

	if (reg->ops.scanner->cancel)
		reg->ops.scanner->cancel(reg->user_data);
}

const char *plugin_scanner_strerror(struct plugin_scanner *sc, int err)
{
	struct plugin_reg *reg = (struct plugin_reg *) sc;
	const char *text = NULL;

	if (reg->ops.scanner->strerror)
		text = reg->ops.scanner->strerror(err, reg->user_data);
	return text ? text : strerror(err < 0 ? -err : err);
}

void plugin_host_emit_runner(struct plugin_host *host, const char *json,
			     const struct plugin_cue *cue)
{
	/* The runner writes every event as {"event":"NAME",...}
	 * (daemon/runner.c): its own output, not peer input. */
	static const char prefix[] = "{\"event\":\"";
	struct paced_event ev = { .json = json };
	char name[32];
	size_t n;

	if (strncmp(json, prefix, sizeof(prefix) - 1))
		return;
	json += sizeof(prefix) - 1;
	n = strcspn(json, "\"");
	if (n >= sizeof(name))
		return;
	memcpy(name, json, n);
	name[n] = '\0';
	ev.name = name;
	if (cue && !strcmp(name, "cue")) {
		ev.cue_kind = cue->kind;
		ev.text = cue->text;
		ev.speed = cue->speed;
	}
	plugin_host_emit(host, &ev);
}

void plugin_host_emit(struct plugin_host *host, const struct paced_event *ev)
{
	/* Sinks may not unregister from inside event (init only), so the
	 * list is stable during the walk. */
	for (struct plugin_reg *d = host->regs; d; d = d->next)
		if (d->kind == REG_SINK)
			d->ops.sink->event(ev, d->user_data);
}

unsigned plugin_host_sink_count(const struct plugin_host *host)
{
	unsigned n = 0;

	for (const struct plugin_reg *d = host->regs; d; d = d->next)
		n += d->kind == REG_SINK;
	return n;
}

/* ---- the exported host interface (daemon/paced.ver) ---- */

#define PACED_EXPORT __attribute__((visibility("default")))

static int add_kind(struct paced_plugin *self, enum reg_kind kind,
		    const char *name, const void *ops, void *user_data)
{
	struct plugin_reg *d;

	if (!self->in_init)
		return -EPERM;
	for (d = self->host->regs; d; d = d->next)
		if (d->kind == kind && !strcmp(d->name, name))
			return -EEXIST;
	d = paced_new0(struct plugin_reg, 1);
	d->owner = self;
	d->kind = kind;
	d->name = name;
	d->ops.driver = ops;
	d->user_data = user_data;
	d->next = self->host->regs;
	self->host->regs = d;
	return 0;
}

PACED_EXPORT int paced_driver_register(struct paced_plugin *self,
				       const struct paced_driver_ops *ops,
				       void *user_data)
{
	if (!ops || !ops->name || !ops->open || !ops->match)
		return -EINVAL;
	return add_kind(self, REG_DRIVER, ops->name, ops, user_data);
}

PACED_EXPORT int paced_scanner_register(struct paced_plugin *self,
					const struct paced_scanner_ops *ops,
					void *user_data)
{
	if (!ops || !ops->name || !ops->start)
		return -EINVAL;
	return add_kind(self, REG_SCANNER, ops->name, ops, user_data);
}

PACED_EXPORT int paced_sink_register(struct paced_plugin *self,
				     const struct paced_sink_ops *ops,
				     void *user_data)
{
	if (!ops || !ops->name || !ops->event)
		return -EINVAL;
	return add_kind(self, REG_SINK, ops->name, ops, user_data);
}

PACED_EXPORT struct paced_loop *paced_plugin_loop(struct paced_plugin *self)
{
	return (struct paced_loop *) self->host->loop;
}

PACED_EXPORT void paced_log(struct paced_plugin *self, int priority,
			    const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (priority < LOG_EMERG || priority > LOG_DEBUG)
		priority = LOG_ERR;
	if (priority == LOG_DEBUG) {
		log_debug(self->name, "%s", buf);
		return;
	}
	log_printf(priority, "plugin %s: %s", self->name, buf);
}

static int add_reg(struct paced_plugin *self, int id)
{
	if (id < 0)
		return id;
	for (unsigned i = 0; i < MAX_REGS; i++) {
		/* Reuse slots whose registration the loop has since dropped
		 * (a one-shot timer that fired, a watch that returned false):
		 * ids are never reused by the loop, so a stale id is harmless. */
		if (self->regs[i] <= 0) {
			self->regs[i] = id;
			return id;
		}
	}
	/* Full: forget the oldest id; loop_remove() on it later is a no-op
	 * if it already ended. */
	memmove(self->regs, self->regs + 1, sizeof(self->regs[0]) * (MAX_REGS - 1));
	self->regs[MAX_REGS - 1] = id;
	return id;
}

PACED_EXPORT int paced_add_fd(struct paced_plugin *self, int fd,
			      uint32_t events, paced_fd_func_t func,
			      void *user_data)
{
	return add_reg(self, loop_add_fd(self->host->loop, fd, events, func,
					 user_data, NULL));
}

PACED_EXPORT int paced_add_timeout(struct paced_plugin *self,
				   uint64_t delay_us, bool periodic,
				   paced_timer_func_t func, void *user_data)
{
	return add_reg(self, loop_add_timeout(self->host->loop, delay_us,
					      periodic, func, user_data, NULL));
}

PACED_EXPORT bool paced_remove(struct paced_plugin *self, int id)
{
	for (unsigned i = 0; i < MAX_REGS; i++)
		if (self->regs[i] == id) {
			self->regs[i] = 0;
			return loop_remove(self->host->loop, id);
		}
	return false;
}

PACED_EXPORT uint64_t paced_now_us(struct paced_plugin *self)
{
	return loop_now(self->host->loop);
}

PACED_EXPORT int paced_input_action(struct paced_plugin *self,
				    const char *source,
				    enum paced_action action, int arg)
{
	if (!self->host->action)
		return -ENOTSUP;
	return self->host->action(self->name, source ? source : "?", action,
				  arg, self->host->user_data);
}

/* ---- config views ---- */

static const config_setting_t *member(const struct paced_cfg *cfg,
				      const char *key)
{
	if (!cfg || !cfg->group || !key)
		return NULL;
	return config_setting_get_member(cfg->group, key);
}

PACED_EXPORT int paced_cfg_get_int(const struct paced_cfg *cfg,
				   const char *key, long long *ret_value)
{
	const config_setting_t *s = member(cfg, key);

	if (!s)
		return -ENOENT;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		*ret_value = config_setting_get_int(s);
		return 0;
	case CONFIG_TYPE_INT64:
		*ret_value = config_setting_get_int64(s);
		return 0;
	default:
		return -EINVAL;
	}
}

PACED_EXPORT int paced_cfg_get_str(const struct paced_cfg *cfg,
				   const char *key, const char **ret_value)
{
	const config_setting_t *s = member(cfg, key);

	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return -EINVAL;
	*ret_value = config_setting_get_string(s);
	return 0;
}

PACED_EXPORT int paced_cfg_get_bool(const struct paced_cfg *cfg,
				    const char *key, bool *ret_value)
{
	const config_setting_t *s = member(cfg, key);

	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return -EINVAL;
	*ret_value = config_setting_get_bool(s);
	return 0;
}

PACED_EXPORT int paced_cfg_get_float(const struct paced_cfg *cfg,
				     const char *key, double *ret_value)
{
	const config_setting_t *s = member(cfg, key);

	if (!s)
		return -ENOENT;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_FLOAT:
		*ret_value = config_setting_get_float(s);
		return 0;
	case CONFIG_TYPE_INT:
		*ret_value = config_setting_get_int(s);
		return 0;
	default:
		return -EINVAL;
	}
}

PACED_EXPORT int paced_cfg_get_str_elem(const struct paced_cfg *cfg,
					const char *key, unsigned i,
					const char **ret_value)
{
	const config_setting_t *s = member(cfg, key), *e;

	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY)
		return -EINVAL;
	e = config_setting_get_elem(s, i);
	if (!e)
		return -ENOENT;
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return -EINVAL;
	*ret_value = config_setting_get_string(e);
	return 0;
}

PACED_EXPORT int paced_cfg_get_member(const struct paced_cfg *cfg,
				      const char *group, unsigned i,
				      const char **ret_name,
				      const char **ret_value)
{
	const config_setting_t *s = member(cfg, group), *e;

	if (!s)
		return -ENOENT;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return -EINVAL;
	e = config_setting_get_elem(s, i);
	if (!e)
		return -ENOENT;
	if (config_setting_type(e) != CONFIG_TYPE_STRING)
		return -EINVAL;
	*ret_name = config_setting_name(e);
	*ret_value = config_setting_get_string(e);
	return 0;
}

PACED_EXPORT int paced_cfg_check_keys(struct paced_plugin *self,
				      const struct paced_cfg *cfg,
				      const char *const *known)
{
	char list[256];
	size_t n = 0;

	if (!cfg || !cfg->group)
		return 0;
	for (int i = 0; i < config_setting_length(cfg->group); i++) {
		const config_setting_t *m =
			config_setting_get_elem(cfg->group, (unsigned) i);
		const char *name = config_setting_name(m);
		const char *const *k;

		for (k = known; name && *k && strcmp(*k, name); k++)
			;
		if (!name || *k)
			continue;
		list[0] = '\0';
		for (k = known; *k && n < sizeof(list); k++)
			n += (size_t) snprintf(list + n, sizeof(list) - n,
					       "%s%s", k == known ? "" : ", ",
					       *k);
		log_err("%s:%u: unknown key '%s' for plugin %s (known: %s)",
			paced_cfg_file(cfg), config_setting_source_line(m),
			name, self->name, known[0] ? list : "none");
		return -EINVAL;
	}
	return 0;
}

PACED_EXPORT const char *paced_cfg_file(const struct paced_cfg *cfg)
{
	return cfg && cfg->file ? cfg->file : "paced.conf";
}

PACED_EXPORT unsigned paced_cfg_line(const struct paced_cfg *cfg,
				     const char *key)
{
	const config_setting_t *s = member(cfg, key);

	if (s)
		return config_setting_source_line(s);
	return cfg && cfg->group ? config_setting_source_line(cfg->group) : 0;
}
