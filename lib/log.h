/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for programs (paced, pacectl, plugins); lib/ modules never log. */
#pragma once

#include <stdbool.h>
#include <syslog.h>

enum log_target {
	LOG_TARGET_STDERR,	/* "paced: message" on a terminal */
	LOG_TARGET_JOURNAL,	/* stderr with "<N>" priority prefixes */
	LOG_TARGET_SYSLOG,
};

/*
 * ident names the program in every line. debug is NULL, "all", or a
 * comma-separated list of module names ("ftms,att") whose log_debug()
 * lines are shown; other debug lines cost one strcmp and are dropped.
 * Safe to call again to change target or debug modules.
 */
void log_init(const char *ident, enum log_target target, const char *debug);
/* stderr-based target fitting the environment: JOURNAL when stderr is the
 * journal stream systemd gave us ($JOURNAL_STREAM), else STDERR. */
enum log_target log_target_auto(void);
void log_close(void);

bool log_debug_enabled(const char *module);

void log_printf(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends ": strerror(-err)". Returns err, for "return log_errno(r, ...)". */
int log_printf_errno(int priority, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)	log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_printf(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_printf(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_printf(LOG_INFO, __VA_ARGS__)
#define log_errno(err, ...) log_printf_errno(LOG_ERR, (err), __VA_ARGS__)
#define log_warn_errno(err, ...) log_printf_errno(LOG_WARNING, (err), __VA_ARGS__)

/* Debug lines carry their module name: "paced: ftms: ...". */
#define log_debug(module, fmt, ...)					\
	do {								\
		if (log_debug_enabled(module))				\
			log_printf(LOG_DEBUG, "%s: " fmt, (module),	\
				   ##__VA_ARGS__);			\
	} while (0)

/* Adapter for the lib/ modules' debug hooks: user_data is the module name. */
void log_debug_hook(const char *str, void *user_data);
