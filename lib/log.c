/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr, the journal's stderr stream, or syslog. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

/*
 * Process-wide by nature (there is one stderr and one syslog connection);
 * lib/ modules never call in here, so the pure code stays global-free.
 */
static const char *log_ident = "paced";
static enum log_target log_target = LOG_TARGET_STDERR;
static char log_debug_spec[256];

void log_init(const char *ident, enum log_target target, const char *debug)
{
	log_ident = ident;
	log_target = target;
	log_debug_spec[0] = '\0';
	if (debug)
		snprintf(log_debug_spec, sizeof(log_debug_spec), "%s", debug);
	if (target == LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

enum log_target log_target_auto(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long dev, ino;
	struct stat st;

	/* systemd.exec(5): JOURNAL_STREAM is "DEV:INODE" of the stream fd. */
	if (js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long) st.st_dev == dev &&
	    (unsigned long) st.st_ino == ino)
		return LOG_TARGET_JOURNAL;
	return LOG_TARGET_STDERR;
}

void log_close(void)
{
	if (log_target == LOG_TARGET_SYSLOG)
		closelog();
}

bool log_debug_enabled(const char *module)
{
	const char *p = log_debug_spec;
	size_t n = strlen(module);

	if (!*p)
		return false;
	while (*p) {
		size_t len = strcspn(p, ",");

		if ((len == 3 && !strncmp(p, "all", 3)) ||
		    (len == n && !strncmp(p, module, n)))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static void vlog(int priority, int err, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog(int priority, int err, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= 0 && err && (size_t) n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(-err));

	switch (log_target) {
	case LOG_TARGET_SYSLOG:
		syslog(priority, "%s", msg);
		break;
	case LOG_TARGET_JOURNAL:
		/* sd-daemon(3): "<N>" sets the priority of a stderr line. */
		fprintf(stderr, "<%d>%s\n", priority, msg);
		break;
	case LOG_TARGET_STDERR:
		fprintf(stderr, "%s: %s\n", log_ident, msg);
		break;
	}
}

void log_printf(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, 0, fmt, ap);
	va_end(ap);
}

int log_printf_errno(int priority, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, err < 0 ? err : -err, fmt, ap);
	va_end(ap);
	return err;
}

void log_debug_hook(const char *str, void *user_data)
{
	const char *module = user_data;

	log_debug(module, "%s", str);
}
