/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin host: finds and loads .so plugins, checks their ABI, tracks what they register. */
#include "config.h"

#include <dirent.h>
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

#include "call.h"
#include "log.h"
#include "plugin.h"
#include "plugin-trust.h"
#include "util.h"

#define PACED_EXPORT __attribute__((visibility("default")))

/* The fields every ABI-2 plugin must have: up to and including exit;
 * flags and driver are read only when "size" covers them. */
#define DESC_MIN_SIZE (offsetof(struct paced_plugin_desc, exit) + \
		       sizeof(((struct paced_plugin_desc *) 0)->exit))
#define DESC_HAS(desc, field) \
	((desc)->size >= offsetof(struct paced_plugin_desc, field) + \
			 sizeof((desc)->field))

struct paced_cfg {
	const config_setting_t *group;	/* NULL: empty group */
	const char *file;
	const char *const *extra;	/* "key=value" from the command line */
};

enum reg_kind {
	REG_DRIVER,
	REG_SCANNER,
	REG_SINK,
	REG_COMMAND,
};

/* What a plugin offers: a driver, a scanner, a sink, a command. */
struct plugin_reg {
	struct paced_plugin *owner;
	enum reg_kind kind;
	const char *name;
	union {
		const struct paced_driver_ops *driver;
		const struct paced_scanner_ops *scanner;
		const struct paced_sink_ops *sink;
		paced_command_func_t command;
	} ops;
	void *user_data;
	struct plugin_reg *next;
};

/* A watch or timer a plugin registered, so unloading can drop it. */
struct loop_reg {
	struct paced_plugin *owner;
	int id;
	paced_fd_func_t fd_func;
	paced_timer_func_t timer_func;
	paced_destroy_func_t destroy;
	void *user_data;
	struct loop_reg *next;
};

struct paced_plugin {
	struct plugin_host *host;
	void *dl;
	const struct paced_plugin_desc *desc;
	char name[64];
	struct loop_reg *loop_regs;
	struct call_list calls;		/* paced_request()s not answered yet */
	bool in_init;
	struct paced_plugin *next;	/* load order, newest first */
};

struct plugin_host {
	struct loop *loop;
	struct plugin_host_ops ops;
	void *user_data;
	struct paced_plugin *plugins;
	struct plugin_reg *regs;	/* newest first */
	unsigned count;
	bool quiet;
	struct json *ev_json;		/* scratch for sink events */
};

struct plugin_host *plugin_host_new(struct loop *loop,
				    const struct plugin_host_ops *ops,
				    void *user_data)
{
	struct plugin_host *h = paced_new0(struct plugin_host, 1);

	h->loop = loop;
	if (ops)
		h->ops = *ops;
	h->user_data = user_data;
	h->ev_json = json_new_buffer();
	return h;
}

/* Drop everything still tagged to p: its watches, timers, drivers,
 * scanners, sinks and commands. */
static void drop_registrations(struct paced_plugin *p)
{
	struct plugin_reg **dp = &p->host->regs;

	/* loop_remove() runs the destroy callback, which unlinks it. */
	while (p->loop_regs)
		(void) loop_remove(p->host->loop, p->loop_regs->id);
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
	call_list_forget(&p->calls);
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
	json_free(host->ev_json);
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

bool plugin_host_loaded(const struct plugin_host *host, const char *name)
{
	for (const struct paced_plugin *p = host->plugins; p; p = p->next)
		if (!strcmp(p->name, name))
			return true;
	return false;
}

/*
 * dlopen() path and check its descriptor: the ABI first (with another
 * major, even "size" may mean something else), then the size, then the
 * name. Returns the handle and *ret_desc, or NULL (logged when loud).
 */
static void *open_desc(const char *path, const char *name, bool loud,
		       const struct paced_plugin_desc **ret_desc, int *ret_err)
{
	const struct paced_plugin_desc *desc;
	char why[256];
	void *dl;

	/* Whoever could write the file, or a directory on the way to it,
	 * could run code as paced. */
	*ret_err = plugin_trust_check(path, why, sizeof(why));
	if (*ret_err < 0) {
		if (loud)
			log_err("plugin %s: not loading %s: %s",
				name ? name : path, path, why);
		return NULL;
	}
	*ret_err = -ELIBBAD;
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		if (loud)
			log_err("plugin %s: cannot load %s: %s", name, path,
				dlerror());
		return NULL;
	}
	desc = dlsym(dl, "paced_plugin_desc");
	if (!desc) {
		if (loud)
			log_err("plugin %s: %s has no paced_plugin_desc, skipping",
				name, path);
		goto fail;
	}
	if (desc->abi != PACED_PLUGIN_ABI) {
		if (loud)
			log_err("plugin %s: %s was built for plugin ABI %u, this paced has ABI %u; skipping it (rebuild the plugin)",
				name, path, desc->abi, PACED_PLUGIN_ABI);
		*ret_err = -EPROTO;
		goto fail;
	}
	if (desc->size < DESC_MIN_SIZE) {
		if (loud)
			log_err("plugin %s: %s has a descriptor of %u bytes, ABI %u needs at least %zu; skipping it",
				name, path, desc->size, PACED_PLUGIN_ABI,
				(size_t) DESC_MIN_SIZE);
		*ret_err = -EPROTO;
		goto fail;
	}
	if (!desc->name || (name && strcmp(desc->name, name)) || !desc->init) {
		if (loud)
			log_err("plugin %s: %s calls itself '%s', skipping", name,
				path, desc->name ? desc->name : "(null)");
		goto fail;
	}
	*ret_desc = desc;
	*ret_err = 0;
	return dl;
fail:
	dlclose(dl);
	return NULL;
}

int plugin_host_load_path(struct plugin_host *host, const char *path,
			  const char *name,
			  const struct plugin_settings *settings)
{
	struct paced_cfg cfg = { 0 };
	const struct paced_plugin_desc *desc;
	struct paced_plugin *p;
	void *dl;
	int r;

	if (plugin_host_loaded(host, name)) {
		log_err("plugin %s: already loaded", name);
		return -EEXIST;
	}
	dl = open_desc(path, name, true, &desc, &r);
	if (!dl)
		return r;
	if (settings) {
		cfg.group = settings->group;
		cfg.file = settings->file;
		cfg.extra = settings->extra;
	}
	p = paced_new0(struct paced_plugin, 1);
	p->host = host;
	p->dl = dl;
	p->desc = desc;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->in_init = true;
	r = desc->init(p, &cfg);
	p->in_init = false;
	if (r < 0) {
		log_errno(r, "plugin %s: init failed", name);
		/* exit() is for initialized plugins only. */
		p->desc = NULL;
		drop_registrations(p);
		dlclose(dl);
		free(p);
		return r;
	}
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

/* ---- where plugins are ---- */

/*
 * The directories plugins are looked for in, in order: $PACED_PLUGIN_PATH
 * (colon separated; uninstalled runs and tests), the build tree when this
 * paced runs uninstalled, then dir. Calls func for each until it returns
 * true; returns whether one did.
 */
static bool each_dir(const char *dir,
		     bool (*func)(const char *dir, size_t len, void *data),
		     void *data)
{
	const char *env = getenv("PACED_PLUGIN_PATH");

	while (env && *env) {
		const char *end = strchrnul(env, ':');

		if (end > env && func(env, (size_t) (end - env), data))
			return true;
		env = *end ? end + 1 : NULL;
	}
#ifdef PACED_BUILDDIR
	{
		/*
		 * Running uninstalled: a paced whose executable still lives in
		 * the tree it was built in (PACED_BUILDDIR) looks for plugins
		 * there, so ./daemon/paced works without installing and
		 * without $PACED_PLUGIN_PATH. An installed paced never does.
		 */
		char exe[PATH_MAX], top[PATH_MAX], tree[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		size_t tl;

		if (n > 0 && realpath(PACED_BUILDDIR, top)) {
			exe[n] = '\0';
			tl = strlen(top);
			if (!strncmp(exe, top, tl) && exe[tl] == '/' &&
			    snprintf(tree, sizeof(tree), "%s/plugins/.libs",
				     top) < (int) sizeof(tree) &&
			    func(tree, strlen(tree), data))
				return true;
		}
	}
#endif
	return func(dir, strlen(dir), data);
}

struct find {
	const char *name;
	char *buf;
	size_t len;
};

static bool find_in(const char *dir, size_t dirlen, void *data)
{
	struct find *f = data;
	int n = snprintf(f->buf, f->len, "%.*s/%s.so", (int) dirlen, dir,
			 f->name);

	return n > 0 && (size_t) n < f->len && access(f->buf, R_OK) == 0;
}

int plugin_find(const char *dir, const char *name, char *buf, size_t len)
{
	struct find f = { .name = name, .buf = buf, .len = len };

	if (!*name || strchr(name, '/') || strchr(name, '.'))
		return -EINVAL;
	return each_dir(dir, find_in, &f) ? 0 : -ENOENT;
}

int plugin_host_load(struct plugin_host *host, const char *dir,
		     const char *name, const struct plugin_settings *settings)
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
	return plugin_host_load_path(host, path, name, settings);
}

/* ---- drivers, before they are loaded ---- */

struct probe {
	const char *address;	/* match it, or NULL: collect usage */
	uint32_t flags;		/* or find a plugin with these flags */
	char *buf;
	size_t len;
	size_t used;
	bool found;
	const struct plugin_host *host;
};

/* The driver_info of desc, when it has one. */
static const struct paced_driver_info *driver_info(
	const struct paced_plugin_desc *desc)
{
	if (!desc || !DESC_HAS(desc, driver))
		return NULL;
	return desc->driver && desc->driver->match ? desc->driver : NULL;
}

static bool probe_dir(const char *dir, size_t dirlen, void *data)
{
	struct probe *pr = data;
	char path[PATH_MAX], name[64];
	struct dirent *e;
	DIR *d;

	if (snprintf(path, sizeof(path), "%.*s", (int) dirlen, dir) >=
	    (int) sizeof(path))
		return false;
	d = opendir(path);
	if (!d)
		return false;
	while (!pr->found && (e = readdir(d))) {
		const struct paced_plugin_desc *desc;
		const struct paced_driver_info *info;
		size_t n = strlen(e->d_name);
		void *dl;
		int err;

		if (n <= 3 || n - 3 >= sizeof(name) ||
		    strcmp(e->d_name + n - 3, ".so"))
			continue;
		memcpy(name, e->d_name, n - 3);
		name[n - 3] = '\0';
		if (snprintf(path, sizeof(path), "%.*s/%s", (int) dirlen, dir,
			     e->d_name) >= (int) sizeof(path))
			continue;
		/* A plugin already loaded answers from its loaded copy. */
		if (plugin_host_loaded(pr->host, name))
			continue;
		dl = open_desc(path, NULL, false, &desc, &err);
		if (!dl)
			continue;
		info = driver_info(desc);
		if (pr->flags && DESC_HAS(desc, flags) &&
		    (desc->flags & pr->flags) == pr->flags) {
			snprintf(pr->buf, pr->len, "%s", desc->name);
			pr->found = true;
		} else if (info && pr->address && info->match(pr->address)) {
			snprintf(pr->buf, pr->len, "%s", desc->name);
			pr->found = true;
		} else if (info && !pr->address && !pr->flags && info->usage &&
			   !strstr(pr->buf, info->usage)) {
			int k = snprintf(pr->buf + pr->used, pr->len - pr->used,
					 "%s%s", pr->used ? "; " : "",
					 info->usage);

			if (k > 0 && (size_t) k < pr->len - pr->used)
				pr->used += (size_t) k;
		}
		dlclose(dl);
	}
	closedir(d);
	return pr->found;
}

int plugin_driver_for_address(struct plugin_host *host, const char *dir,
			      const char *address, char *buf, size_t len)
{
	struct probe pr = {
		.address = address, .buf = buf, .len = len, .host = host,
	};

	for (struct paced_plugin *p = host->plugins; p; p = p->next) {
		const struct paced_driver_info *info = driver_info(p->desc);

		if (info && info->match(address)) {
			snprintf(buf, len, "%s", p->name);
			return 0;
		}
	}
	return each_dir(dir, probe_dir, &pr) ? 0 : -ENOENT;
}

int plugin_scanner_plugin(struct plugin_host *host, const char *dir,
			  char *buf, size_t len)
{
	struct probe pr = {
		.flags = PACED_PLUGIN_SCANNER, .buf = buf, .len = len,
		.host = host,
	};

	return each_dir(dir, probe_dir, &pr) ? 0 : -ENOENT;
}

void plugin_driver_usage(struct plugin_host *host, const char *dir,
			 char *buf, size_t len)
{
	struct probe pr = { .buf = buf, .len = len, .host = host };

	buf[0] = '\0';
	for (struct paced_plugin *p = host->plugins; p; p = p->next) {
		const struct paced_driver_info *info = driver_info(p->desc);
		int k;

		if (!info || !info->usage)
			continue;
		k = snprintf(buf + pr.used, len - pr.used, "%s%s",
			     pr.used ? "; " : "", info->usage);
		if (k > 0 && (size_t) k < len - pr.used)
			pr.used += (size_t) k;
	}
	(void) each_dir(dir, probe_dir, &pr);
}

/* ---- drivers, scanners, sinks, commands ---- */

static struct plugin_reg *find_reg(struct plugin_host *host,
				   enum reg_kind kind, const char *address)
{
	for (struct plugin_reg *d = host->regs; d; d = d->next) {
		const struct paced_driver_info *info;

		if (d->kind != kind)
			continue;
		if (kind != REG_DRIVER)
			return d;
		info = driver_info(d->owner->desc);
		if (info && info->match(address))
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

uint32_t plugin_driver_caps(const struct plugin_driver *d)
{
	const struct plugin_reg *reg = (const struct plugin_reg *) d;
	const struct paced_driver_info *info = driver_info(reg->owner->desc);

	return info ? info->caps : 0;
}

int plugin_driver_open(struct plugin_driver *d, const struct paced_open *req,
		       struct treadmill **ret_tm)
{
	struct plugin_reg *reg = (struct plugin_reg *) d;
	struct paced_treadmill *tm = NULL;
	int r = reg->ops.driver->open(req, &tm, reg->user_data);

	if (r < 0)
		return r;
	if (!tm)
		return -EIO;
	/* Every handle is lib's struct treadmill: in-tree drivers build one
	 * directly, others through paced_treadmill_new(). */
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

void plugin_host_emit(struct plugin_host *host, const struct event *ev)
{
	struct paced_event pev = { .name = event_name(ev) };

	if (!plugin_host_sink_count(host))
		return;
	json_buffer_reset(host->ev_json);
	event_json(host->ev_json, ev);
	pev.json = json_buffer(host->ev_json, NULL);
	if (ev->kind == EVENT_CUE) {
		pev.cue_kind = ev->cue.kind;
		pev.text = ev->cue.text;
		pev.speed = ev->cue.speed;
	} else if (ev->kind == EVENT_SESSION_START ||
		   ev->kind == EVENT_SESSION_END) {
		pev.log = ev->service.log;
	} else if (ev->kind == EVENT_EXPORT) {
		pev.log = ev->export.log;
		pev.path = ev->export.path;
		pev.format = ev->export.format;
	}
	/* Sinks may not unregister from inside event (init only), so the
	 * list is stable during the walk. */
	for (struct plugin_reg *d = host->regs; d; d = d->next)
		if (d->kind == REG_SINK)
			d->ops.sink->event(&pev, d->user_data);
}

unsigned plugin_host_sink_count(const struct plugin_host *host)
{
	unsigned n = 0;

	for (const struct plugin_reg *d = host->regs; d; d = d->next)
		n += d->kind == REG_SINK;
	return n;
}

bool plugin_host_command(struct plugin_host *host, const char *word,
			 struct paced_call *call, const char *arg)
{
	for (struct plugin_reg *d = host->regs; d; d = d->next)
		if (d->kind == REG_COMMAND && !strcmp(d->name, word)) {
			d->ops.command(call, arg, d->user_data);
			return true;
		}
	return false;
}

/* ---- the exported host interface (daemon/paced.ver) ---- */

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
	/* The descriptor says what it takes: a driver without it could
	 * never be chosen. */
	if (!ops || !ops->name || !ops->open || !driver_info(self->desc))
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

PACED_EXPORT int paced_command_register(struct paced_plugin *self,
					const char *word,
					paced_command_func_t func,
					void *user_data)
{
	struct ctl_request req;
	const char *error;

	if (!word || !*word || !func || strchr(word, ' ') ||
	    strlen(word) >= 32)
		return -EINVAL;
	/* The daemon's own commands are not for a plugin to take over. */
	if (ctl_parse_request(word, strlen(word), &req, &error) == 0 ||
	    strcmp(error, "unknown command"))
		return -EEXIST;
	if (!self->in_init)
		return -EPERM;
	return add_kind(self, REG_COMMAND, word, (const void *) func,
			user_data);
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

static void loop_reg_destroy(void *user_data)
{
	struct loop_reg *w = user_data;
	struct loop_reg **pp;

	for (pp = &w->owner->loop_regs; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (w->destroy)
		w->destroy(w->user_data);
	free(w);
}

static bool loop_reg_fd(int fd, uint32_t events, void *user_data)
{
	struct loop_reg *w = user_data;

	return w->fd_func(fd, events, w->user_data);
}

static bool loop_reg_timer(void *user_data)
{
	struct loop_reg *w = user_data;

	return w->timer_func(w->user_data);
}

static struct loop_reg *loop_reg_new(struct paced_plugin *self,
				     void *user_data,
				     paced_destroy_func_t destroy)
{
	struct loop_reg *w = paced_new0(struct loop_reg, 1);

	w->owner = self;
	w->user_data = user_data;
	w->destroy = destroy;
	return w;
}

/* id > 0: track it; an error: nothing was registered (no destroy). */
static int loop_reg_done(struct loop_reg *w, int id)
{
	if (id < 0) {
		free(w);
		return id;
	}
	w->id = id;
	w->next = w->owner->loop_regs;
	w->owner->loop_regs = w;
	return id;
}

PACED_EXPORT int paced_add_fd(struct paced_plugin *self, int fd,
			      uint32_t events, paced_fd_func_t func,
			      void *user_data, paced_destroy_func_t destroy)
{
	struct loop_reg *w;

	if (!func)
		return -EINVAL;
	w = loop_reg_new(self, user_data, destroy);
	w->fd_func = func;
	return loop_reg_done(w, loop_add_fd(self->host->loop, fd, events,
					    loop_reg_fd, w, loop_reg_destroy));
}

PACED_EXPORT int paced_add_timeout(struct paced_plugin *self,
				   uint64_t delay_us, bool periodic,
				   paced_timer_func_t func, void *user_data,
				   paced_destroy_func_t destroy)
{
	struct loop_reg *w;

	if (!func)
		return -EINVAL;
	w = loop_reg_new(self, user_data, destroy);
	w->timer_func = func;
	return loop_reg_done(w, loop_add_timeout(self->host->loop, delay_us,
						 periodic, loop_reg_timer, w,
						 loop_reg_destroy));
}

PACED_EXPORT bool paced_remove(struct paced_plugin *self, int id)
{
	/* Only the plugin's own ids: never another plugin's or the
	 * daemon's registration. */
	for (struct loop_reg *w = self->loop_regs; w; w = w->next)
		if (w->id == id)
			return loop_remove(self->host->loop, id);
	return false;
}

PACED_EXPORT uint64_t paced_now_us(struct paced_plugin *self)
{
	return loop_now(self->host->loop);
}

PACED_EXPORT const char *paced_state_dir(struct paced_plugin *self)
{
	const char *dir = NULL;

	if (self->host->ops.state_dir)
		dir = self->host->ops.state_dir(self->host->user_data);
	return dir ? dir : STATEDIR;
}

static struct plugin_origin origin_of(const struct paced_plugin *self,
				      const char *source)
{
	bool starts = DESC_HAS(self->desc, flags) &&
		      (self->desc->flags & PACED_PLUGIN_STARTS);

	return (struct plugin_origin) {
		.plugin = self->name, .source = source ? source : self->name,
		.may_start = starts,
	};
}

PACED_EXPORT int paced_input_action(struct paced_plugin *self,
				    const char *source,
				    enum paced_action action, int arg)
{
	struct plugin_origin from = origin_of(self, source);

	if (!self->host->ops.action)
		return -ENOTSUP;
	return self->host->ops.action(&from, action, arg,
				      self->host->user_data);
}

PACED_EXPORT int paced_request(struct paced_plugin *self, const char *line,
			       paced_reply_func_t reply, void *user_data)
{
	struct plugin_origin from = origin_of(self, NULL);
	struct paced_call *call;

	if (!line || self->in_init)
		return -EINVAL;
	if (!self->host->ops.request)
		return -ENOTSUP;
	call = call_new_plugin(self->host->loop, &self->calls, self->name,
			       from.may_start, reply, user_data);
	self->host->ops.request(&from, call, line, self->host->user_data);
	return 0;
}

/* ---- treadmills of out-of-tree drivers ---- */

/*
 * lib's treadmill handle over a driver that knows only the public ABI:
 * lib hands each command its own completion callback, the ABI's driver
 * completes by op (paced_treadmill_done()), so the callbacks wait here in
 * order. The daemon sends one command at a time; a few slots leave room
 * for a connect racing a stop at teardown.
 */
#define ABI_PENDING_MAX 8

struct abi_treadmill {
	struct treadmill *tm;
	struct loop *loop;
	const struct paced_treadmill_ops *ops;
	void *impl;
	struct {
		enum treadmill_op op;
		treadmill_done_func_t done;
		void *user_data;
	} pending[ABI_PENDING_MAX];
	size_t n_pending;
	bool in_control;
};

static int abi_command(void *impl, enum treadmill_op op, int32_t arg,
		       treadmill_done_func_t done, void *user_data)
{
	struct abi_treadmill *at = impl;
	int r;

	if (at->n_pending == ABI_PENDING_MAX)
		return -EBUSY;
	/* enum paced_op and enum treadmill_op list the same commands in
	 * the same order (checked below). */
	r = at->ops->command(at->impl, (enum paced_op) op, arg);
	if (r < 0)
		return r;
	at->pending[at->n_pending].op = op;
	at->pending[at->n_pending].done = done;
	at->pending[at->n_pending].user_data = user_data;
	at->n_pending++;
	return 0;
}

_Static_assert((int) PACED_OP_CONNECT == (int) TREADMILL_OP_CONNECT &&
	       (int) PACED_OP_SET_INCLINE == (int) TREADMILL_OP_SET_INCLINE &&
	       (int) PACED_OP_START == (int) TREADMILL_OP_START,
	       "the ABI's ops and lib's are the same list");
_Static_assert(PACED_DATA_SPEED == TREADMILL_DATA_SPEED &&
	       PACED_DATA_DISTANCE == TREADMILL_DATA_DISTANCE &&
	       PACED_DATA_INCLINE == TREADMILL_DATA_INCLINE &&
	       PACED_DATA_ELAPSED == TREADMILL_DATA_ELAPSED &&
	       PACED_DATA_HEART_RATE == TREADMILL_DATA_HEART_RATE &&
	       PACED_DATA_ENERGY == TREADMILL_DATA_ENERGY &&
	       PACED_DATA_STEPS == TREADMILL_DATA_STEPS,
	       "the ABI's data bits and lib's are the same");

static bool abi_in_control(void *impl)
{
	return ((struct abi_treadmill *) impl)->in_control;
}

static void abi_destroy(void *impl)
{
	struct abi_treadmill *at = impl;

	/* Whatever is still pending is cancelled, as lib promises. */
	while (at->n_pending) {
		at->n_pending--;
		at->pending[at->n_pending].done(at->tm,
			at->pending[at->n_pending].op, -ECANCELED, 0,
			at->pending[at->n_pending].user_data);
	}
	if (at->ops->close)
		at->ops->close(at->impl);
	free(at);
}

static const struct treadmill_driver_ops abi_ops = {
	.name = "plugin",
	.command = abi_command,
	.in_control = abi_in_control,
	.destroy = abi_destroy,
};

static struct abi_treadmill *abi_of(struct paced_treadmill *tm)
{
	return treadmill_get_impl((struct treadmill *) tm, &abi_ops);
}

PACED_EXPORT struct paced_treadmill *paced_treadmill_new(
	struct paced_plugin *self, const struct paced_treadmill_ops *ops,
	void *impl)
{
	struct abi_treadmill *at;

	if (!self || !ops || !ops->command)
		return NULL;
	at = paced_new0(struct abi_treadmill, 1);
	at->ops = ops;
	at->impl = impl;
	at->loop = self->host->loop;
	at->tm = treadmill_new(&abi_ops, at);
	return (struct paced_treadmill *) at->tm;
}

PACED_EXPORT void paced_treadmill_done(struct paced_treadmill *tm,
				       enum paced_op op, int err,
				       uint8_t result)
{
	struct abi_treadmill *at = abi_of(tm);
	treadmill_done_func_t done;
	void *user_data;
	size_t i;

	if (!at)
		return;
	/* The oldest command of that op: a driver completes in order. */
	for (i = 0; i < at->n_pending; i++)
		if ((int) at->pending[i].op == (int) op)
			break;
	if (i == at->n_pending)
		return;
	done = at->pending[i].done;
	user_data = at->pending[i].user_data;
	memmove(&at->pending[i], &at->pending[i + 1],
		(at->n_pending - i - 1) * sizeof(at->pending[0]));
	at->n_pending--;
	if (!err && (op == PACED_OP_CONNECT || op == PACED_OP_REQUEST_CONTROL))
		at->in_control = true;
	done(at->tm, (enum treadmill_op) op, err, result, user_data);
}

PACED_EXPORT void paced_treadmill_link(struct paced_treadmill *tm, bool up,
				       int err)
{
	struct abi_treadmill *at = abi_of(tm);

	if (!at)
		return;
	if (!up)
		at->in_control = false;
	treadmill_emit_link(at->tm, up, err);
}

PACED_EXPORT void paced_treadmill_caps(struct paced_treadmill *tm,
				       const struct paced_caps *caps)
{
	struct abi_treadmill *at = abi_of(tm);
	struct treadmill_caps c = { 0 };

	if (!at || !caps)
		return;
	c.can_control = caps->can_control;
	c.has_speed_range = caps->has_speed_range;
	c.has_incline_range = caps->has_incline_range;
	c.speed_target = caps->can_control;
	c.incline_target = caps->can_control && caps->has_incline_range;
	c.speed_min = caps->speed_min;
	c.speed_max = caps->speed_max;
	c.speed_inc = caps->speed_inc;
	c.incline_min = caps->incline_min;
	c.incline_max = caps->incline_max;
	c.incline_inc = caps->incline_inc;
	treadmill_emit_caps(at->tm, &c);
}

PACED_EXPORT void paced_treadmill_data(struct paced_treadmill *tm,
				       const struct paced_data *data)
{
	struct abi_treadmill *at = abi_of(tm);
	struct treadmill_data d = { 0 };

	if (!at || !data)
		return;
	d.present = data->present & (TREADMILL_DATA_SPEED |
				     TREADMILL_DATA_DISTANCE |
				     TREADMILL_DATA_INCLINE |
				     TREADMILL_DATA_ELAPSED |
				     TREADMILL_DATA_HEART_RATE |
				     TREADMILL_DATA_ENERGY |
				     TREADMILL_DATA_STEPS);
	d.speed = data->speed;
	d.distance = data->distance;
	d.incline = data->incline;
	d.elapsed = data->elapsed;
	d.heart_rate = data->heart_rate;
	d.energy = data->energy;
	d.steps = data->steps;
	d.time_us = loop_now(at->loop);
	treadmill_emit_data(at->tm, &d);
}

PACED_EXPORT void paced_treadmill_status(struct paced_treadmill *tm,
					 enum paced_status_kind kind,
					 int32_t value)
{
	static const enum treadmill_status_kind kinds[] = {
		[PACED_STATUS_RESET] = TREADMILL_STATUS_RESET,
		[PACED_STATUS_STOPPED_BY_USER] = TREADMILL_STATUS_STOPPED_BY_USER,
		[PACED_STATUS_PAUSED_BY_USER] = TREADMILL_STATUS_PAUSED_BY_USER,
		[PACED_STATUS_SAFETY_KEY] = TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY,
		[PACED_STATUS_STARTED_BY_USER] = TREADMILL_STATUS_STARTED_BY_USER,
		[PACED_STATUS_SPEED_CHANGED] = TREADMILL_STATUS_TARGET_SPEED_CHANGED,
		[PACED_STATUS_INCLINE_CHANGED] = TREADMILL_STATUS_TARGET_INCLINE_CHANGED,
		[PACED_STATUS_CONTROL_LOST] = TREADMILL_STATUS_CONTROL_LOST,
		[PACED_STATUS_CONTROL_GAINED] = TREADMILL_STATUS_CONTROL_GAINED,
	};
	struct abi_treadmill *at = abi_of(tm);
	struct treadmill_status st = { .value = value };

	if (!at || (unsigned) kind >= ARRAY_SIZE(kinds))
		return;
	st.kind = kinds[kind];
	if (kind == PACED_STATUS_RESET || kind == PACED_STATUS_CONTROL_LOST)
		at->in_control = false;
	else if (kind == PACED_STATUS_CONTROL_GAINED)
		at->in_control = true;
	treadmill_emit_status(at->tm, &st);
}

/* ---- config views ---- */

static const config_setting_t *member(const struct paced_cfg *cfg,
				      const char *key)
{
	if (!cfg || !cfg->group || !key)
		return NULL;
	return config_setting_get_member(cfg->group, key);
}

/*
 * The command-line value of key ("key=value"), the last one given; NULL
 * when none. n counts them, for list keys.
 */
static const char *extra(const struct paced_cfg *cfg, const char *key,
			 unsigned i, unsigned *ret_count)
{
	const char *found = NULL;
	size_t kl = strlen(key);
	unsigned n = 0;

	for (const char *const *e = cfg ? cfg->extra : NULL; e && *e; e++) {
		if (strncmp(*e, key, kl) || (*e)[kl] != '=')
			continue;
		if (n == i || i == UINT_MAX)
			found = *e + kl + 1;
		n++;
	}
	if (ret_count)
		*ret_count = n;
	return found;
}

PACED_EXPORT int paced_cfg_get_int(const struct paced_cfg *cfg,
				   const char *key, long long *ret_value)
{
	const char *e = extra(cfg, key, UINT_MAX, NULL);
	const config_setting_t *s = member(cfg, key);

	if (e) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(e, &end, 10);
		if (errno || end == e || *end)
			return -EINVAL;
		*ret_value = v;
		return 0;
	}
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
	const char *e = extra(cfg, key, UINT_MAX, NULL);
	const config_setting_t *s = member(cfg, key);

	if (e) {
		*ret_value = e;
		return 0;
	}
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
	const char *e = extra(cfg, key, UINT_MAX, NULL);
	const config_setting_t *s = member(cfg, key);

	if (e) {
		if (strcmp(e, "true") && strcmp(e, "false"))
			return -EINVAL;
		*ret_value = !strcmp(e, "true");
		return 0;
	}
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
	const char *e = extra(cfg, key, UINT_MAX, NULL);
	const config_setting_t *s = member(cfg, key);

	if (e) {
		char *end;
		double v;

		errno = 0;
		v = strtod(e, &end);
		if (errno || end == e || *end || v != v)
			return -EINVAL;
		*ret_value = v;
		return 0;
	}
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

/* Lists: the file's elements first, then the command line's. */
PACED_EXPORT int paced_cfg_get_str_elem(const struct paced_cfg *cfg,
					const char *key, unsigned i,
					const char **ret_value)
{
	const config_setting_t *s = member(cfg, key), *e;
	unsigned from_file = 0, n_extra;

	if (s) {
		if (config_setting_type(s) != CONFIG_TYPE_LIST &&
		    config_setting_type(s) != CONFIG_TYPE_ARRAY)
			return -EINVAL;
		from_file = (unsigned) config_setting_length(s);
		if (i < from_file) {
			e = config_setting_get_elem(s, i);
			if (!e || config_setting_type(e) != CONFIG_TYPE_STRING)
				return -EINVAL;
			*ret_value = config_setting_get_string(e);
			return 0;
		}
	}
	(void) extra(cfg, key, 0, &n_extra);
	if (i - from_file >= n_extra)
		return -ENOENT;
	*ret_value = extra(cfg, key, i - from_file, NULL);
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

static void known_list(const char *const *known, char *list, size_t len)
{
	size_t n = 0;

	list[0] = '\0';
	for (const char *const *k = known; *k && n < len; k++)
		n += (size_t) snprintf(list + n, len - n, "%s%s",
				       k == known ? "" : ", ", *k);
}

static bool is_known(const char *const *known, const char *name, size_t len)
{
	for (const char *const *k = known; *k; k++)
		if (strlen(*k) == len && !strncmp(*k, name, len))
			return true;
	return false;
}

PACED_EXPORT int paced_cfg_check_keys(struct paced_plugin *self,
				      const struct paced_cfg *cfg,
				      const char *const *known)
{
	char list[256];

	for (const char *const *e = cfg ? cfg->extra : NULL; e && *e; e++) {
		size_t kl = strcspn(*e, "=");

		if (is_known(known, *e, kl))
			continue;
		known_list(known, list, sizeof(list));
		log_err("unknown setting '%.*s' for plugin %s (known: %s)",
			(int) kl, *e, self->name, known[0] ? list : "none");
		return -EINVAL;
	}
	if (!cfg || !cfg->group)
		return 0;
	for (int i = 0; i < config_setting_length(cfg->group); i++) {
		const config_setting_t *m =
			config_setting_get_elem(cfg->group, (unsigned) i);
		const char *name = config_setting_name(m);

		if (!name || is_known(known, name, strlen(name)))
			continue;
		known_list(known, list, sizeof(list));
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
	const config_setting_t *s;

	if (key && extra(cfg, key, UINT_MAX, NULL) && !member(cfg, key))
		return 0;
	s = member(cfg, key);
	if (s)
		return config_setting_source_line(s);
	return cfg && cfg->group ? config_setting_source_line(cfg->group) : 0;
}
