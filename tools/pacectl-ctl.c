/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl requests to a running paced over its control socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl-proto.h"
#include "pacectl.h"

#define REPLY_TIMEOUT_MS 5000

const char *pacectl_socket = RUNDIR "/control";

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}

/*
 * Print reply lines until one is complete (or, when streaming, until the
 * daemon hangs up). Returns 0 when the first reply said "ok": true.
 */
static int read_replies(int fd, bool stream)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[4096], line[65536];
	size_t len = 0;
	bool first = true;
	int ok = -EPROTO;

	for (;;) {
		ssize_t n;
		int r = poll(&pfd, 1, stream && !first ? -1 : REPLY_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return first ? -ECONNRESET : ok;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			len = 0;
			if (first) {
				/* The daemon writes "ok" first in every reply. */
				ok = !strncmp(line, "{\"ok\":true", 10) ? 0 : -EIO;
				first = false;
				if (ok < 0) {
					fprintf(stderr, "pacectl: %s\n", line);
					return ok;
				}
			}
			puts(line);
			fflush(stdout);
			if (!stream)
				return ok;
		}
	}
}

int cmd_ctl(int argc, char **argv)
{
	char req[CTL_LINE_MAX];
	struct ctl_request parsed;
	const char *error;
	size_t len = 0;
	int fd, r;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: pacectl [--socket PATH] %s%s\n", argv[0],
		       !strcmp(argv[0], "symptom") ? " [leak|pressure|pain|long-press]" :
		       !strcmp(argv[0], "start") ? " [PROFILE]" : "");
		return PACECTL_EXIT_OK;
	}
	for (int i = 0; i < argc; i++) {
		int n = snprintf(req + len, sizeof(req) - len, "%s%s",
				 i ? " " : "", argv[i]);

		if (n < 0 || (size_t) n >= sizeof(req) - len - 1) {
			fprintf(stderr, "pacectl: request too long\n");
			return PACECTL_EXIT_USAGE;
		}
		len += (size_t) n;
	}
	/* Check locally first: a usage error needs no daemon. */
	if (ctl_parse_request(req, len, &parsed, &error) < 0) {
		fprintf(stderr, "pacectl: %s: %s\n", argv[0], error);
		return PACECTL_EXIT_USAGE;
	}
	req[len++] = '\n';

	fd = ctl_connect(pacectl_socket);
	if (fd < 0) {
		fprintf(stderr, "pacectl: cannot reach paced at %s: %s\n",
			pacectl_socket, strerror(-fd));
		return PACECTL_EXIT_FAIL;
	}
	r = send_all(fd, req, len);
	if (r == 0)
		r = read_replies(fd, parsed.cmd == CTL_CMD_WATCH);
	close(fd);
	if (r == -ETIMEDOUT || r == -ECONNRESET || r == -EPIPE)
		fprintf(stderr, "pacectl: no reply from paced at %s: %s\n",
			pacectl_socket, strerror(-r));
	return r < 0 ? PACECTL_EXIT_FAIL : PACECTL_EXIT_OK;
}
