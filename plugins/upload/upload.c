/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "upload" sink: sends each session's FIT file to intervals.icu from the event loop, kept until it is in. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include <paced/plugin.h>

#include "file.h"

/*
 * The intervals.icu API (forum.intervals.icu "API access to
 * Intervals.icu"): POST the file as multipart/form-data field "file" to
 * /api/v1/athlete/{id}/activities, HTTP Basic auth with the user
 * "API_KEY" and the key from the athlete's settings page as password;
 * athlete "0" is whoever owns the key.
 */
#define SERVICE		"intervals.icu"
#define SERVICE_URL	"https://intervals.icu/api/v1/athlete/%s/activities"
#define API_USER	"API_KEY"

#define KEY_MAX		128		/* intervals.icu keys are ~25 chars */
#define ATHLETE_MAX	32
#define FIT_MAX		(16u << 20)	/* a 3-hour session is ~150 KB */
#define REPLY_MAX	160		/* what a failure's log line quotes */
#define CONNECT_TIMEOUT_S	30
/* A stalled transfer is given up and retried: below 100 B/s for 60 s. */
#define LOW_SPEED_BPS	100
#define LOW_SPEED_S	60
#define RETRY_FIRST_S	60
#define RETRY_MAX_S	3600

/*
 * The queue is one marker file per session in STATE/uploads/, so it
 * survives a restart or a crash without a file that could be torn:
 * NAME.pending (the FIT file's path) from the export until the service
 * has answered 2xx, then NAME.done, written (synced) before NAME.pending
 * is removed. A session with NAME.done is never sent again. The only
 * window for a second upload is a crash between the server's 2xx and
 * NAME.done reaching the disk.
 */
#define PENDING		".pending"
#define DONE		".done"

struct upload;

/* A socket curl asked us to watch. */
struct sock {
	struct sock *next;
	struct upload *u;
	curl_socket_t fd;
	int id;				/* paced_add_fd(), 0 none */
	uint32_t events;		/* EPOLLIN | EPOLLOUT */
};

/* One session's FIT file, waiting or on its way. */
struct job {
	struct job *next;
	struct upload *u;
	char name[NAME_MAX - 8];	/* the FIT file's name less ".fit" */
	char path[PATH_MAX];		/* the FIT file */
	unsigned failures;
	uint64_t due_us;		/* the next try, loop clock */
	CURL *easy;			/* on its way, else NULL */
	curl_mime *mime;
	char reply[REPLY_MAX + 1];	/* the start of the answer */
	size_t reply_len;
	char error[CURL_ERROR_SIZE];
};

struct upload {
	struct paced_plugin *self;
	CURLM *multi;
	char url[1024];
	char key[KEY_MAX + 1];		/* never logged, never in a message */
	char agent[64];
	char dir[PATH_MAX];		/* STATE/uploads */
	int dirfd;
	uint64_t retry_first_us, retry_max_us;
	struct job *jobs;
	struct sock *socks;
	int wake;			/* the next due try, 0 none */
	int curl_timer;			/* curl's own timeout, 0 none */
	bool closing;
};

static struct upload the_upload;

static void schedule(struct upload *u);

/* ---- settings ---- */

#define cfg_err(u, cfg, key, fmt, ...)					\
	paced_log((u)->self, LOG_ERR, "%s:%u: " fmt,			\
		  paced_cfg_file(cfg), paced_cfg_line(cfg, key), ##__VA_ARGS__)

/*
 * The key file: root's or paced's, readable by no one else (the key lets
 * anyone upload and read the athlete's data). Nothing read from it ever
 * goes into a message.
 */
static int read_key(struct upload *u, const struct paced_cfg *cfg,
		    const char *path)
{
	char buf[KEY_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd;

	if (*path != '/') {
		cfg_err(u, cfg, "api_key_file", "api_key_file must be an absolute path");
		return -EINVAL;
	}
	fd = file_open_read(path);
	if (fd < 0) {
		cfg_err(u, cfg, "api_key_file", "api_key_file %s: %s", path,
			file_strerror(fd));
		return fd;
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & S_IRWXO)) {
		cfg_err(u, cfg, "api_key_file",
			"api_key_file %s can be read by others (mode %04o): the key is a password; chmod o= it",
			path, (unsigned) (st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		cfg_err(u, cfg, "api_key_file", "api_key_file %s: %s", path,
			strerror(errno));
		return -errno;
	}
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (n == 0 || n > KEY_MAX) {
		cfg_err(u, cfg, "api_key_file",
			"api_key_file %s must hold the API key, 1 to %d characters on one line",
			path, KEY_MAX);
		return -EINVAL;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] <= ' ' || buf[i] > '~') {
			cfg_err(u, cfg, "api_key_file",
				"api_key_file %s holds more than one word: it must hold the API key alone",
				path);
			return -EINVAL;
		}
	memcpy(u->key, buf, (size_t) n + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int get_seconds(struct upload *u, const struct paced_cfg *cfg,
		       const char *key, long long def, long long max,
		       uint64_t *ret_us)
{
	long long v = def;
	int r = paced_cfg_get_int(cfg, key, &v);

	if (r == -EINVAL || v < 1 || v > max) {
		cfg_err(u, cfg, key, "%s must be whole seconds, 1 to %lld", key,
			max);
		return -EINVAL;
	}
	*ret_us = (uint64_t) v * 1000000;
	return 0;
}

static int parse(struct upload *u, const struct paced_cfg *cfg)
{
	const char *service = SERVICE, *key_file = NULL, *athlete = "0";
	const char *url = NULL;
	int r;

	if (paced_cfg_get_str(cfg, "service", &service) == -EINVAL ||
	    strcmp(service, SERVICE)) {
		cfg_err(u, cfg, "service", "service must be \"%s\" (the one paced can upload to)",
			SERVICE);
		return -EINVAL;
	}
	if (paced_cfg_get_str(cfg, "api_key_file", &key_file) < 0) {
		cfg_err(u, cfg, "api_key_file",
			"upload needs api_key_file = \"/etc/paced/intervals.key\" (a file holding the API key from the %s settings page)",
			SERVICE);
		return -EINVAL;
	}
	r = paced_cfg_get_str(cfg, "athlete", &athlete);
	if (r == -EINVAL || !*athlete || strlen(athlete) > ATHLETE_MAX ||
	    strspn(athlete, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(athlete)) {
		cfg_err(u, cfg, "athlete",
			"athlete must be the athlete id (\"i12345\"), or \"0\" for the key's owner");
		return -EINVAL;
	}
	r = paced_cfg_get_str(cfg, "url", &url);
	if (r == -EINVAL || (r == 0 && ((strncmp(url, "https://", 8) &&
					 strncmp(url, "http://", 7)) ||
					strlen(url) >= sizeof(u->url) ||
					strpbrk(url, " \t\r\n")))) {
		cfg_err(u, cfg, "url", "url must be an http:// or https:// URL");
		return -EINVAL;
	}
	if (url)
		snprintf(u->url, sizeof(u->url), "%s", url);
	else
		snprintf(u->url, sizeof(u->url), SERVICE_URL, athlete);
	r = get_seconds(u, cfg, "retry_first", RETRY_FIRST_S, 86400,
			&u->retry_first_us);
	if (r == 0)
		r = get_seconds(u, cfg, "retry_max", RETRY_MAX_S, 7 * 86400,
				&u->retry_max_us);
	if (r == 0 && u->retry_max_us < u->retry_first_us) {
		cfg_err(u, cfg, "retry_max", "retry_max must not be below retry_first");
		r = -EINVAL;
	}
	return r < 0 ? r : read_key(u, cfg, key_file);
}

/* ---- the queue on disk ---- */

static int open_dir(struct upload *u)
{
	const char *state = paced_state_dir(u->self);

	if ((size_t) snprintf(u->dir, sizeof(u->dir), "%s/uploads", state) >=
	    sizeof(u->dir))
		return -ENAMETOOLONG;
	if (mkdir(state, 0750) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(u->dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	u->dirfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	return u->dirfd < 0 ? -errno : 0;
}

static bool has_marker(struct upload *u, const char *name, const char *suffix)
{
	char file[NAME_MAX + 1];

	snprintf(file, sizeof(file), "%s%s", name, suffix);
	return faccessat(u->dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* NAME.SUFFIX holding text, whole and synced, or not at all. */
static int write_marker(struct upload *u, const char *name,
			const char *suffix, const char *text)
{
	char path[PATH_MAX + NAME_MAX], tmp[PATH_MAX + NAME_MAX];
	size_t len = strlen(text);
	int fd, err = 0;

	if ((size_t) snprintf(path, sizeof(path), "%s/%s%s", u->dir, name,
			      suffix) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = file_replace_open(path, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	if (write(fd, text, len) != (ssize_t) len)
		err = errno ? -errno : -EIO;
	return file_replace_commit(fd, tmp, path, err);
}

static void remove_pending(struct upload *u, const char *name)
{
	char file[NAME_MAX + 1];

	snprintf(file, sizeof(file), "%s%s", name, PENDING);
	if (unlinkat(u->dirfd, file, 0) < 0 && errno != ENOENT)
		paced_log(u->self, LOG_WARNING, "cannot remove %s/%s: %s",
			  u->dir, file, strerror(errno));
	(void) fsync(u->dirfd);
}

/* The session's name from its FIT file: ".../exports/NAME.fit". */
static int job_name(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".fit"))
		n -= 4;
	if (!n || n >= len || *base == '.' ||
	    strspn(base, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-_.") < n)
		return -EINVAL;
	memcpy(buf, base, n);
	buf[n] = '\0';
	return 0;
}

static struct job *find_job(struct upload *u, const char *name)
{
	for (struct job *j = u->jobs; j; j = j->next)
		if (!strcmp(j->name, name))
			return j;
	return NULL;
}

/*
 * Queue path (a FIT file), due now. durable: write NAME.pending first (a
 * new export); false: it was read from NAME.pending (a restart).
 */
static void queue(struct upload *u, const char *path, bool durable)
{
	char name[sizeof(((struct job *) 0)->name)], line[PATH_MAX + 1];
	struct job *j;
	int r;

	if (*path != '/' || strlen(path) >= sizeof(j->path) ||
	    job_name(path, name, sizeof(name)) < 0) {
		paced_log(u->self, LOG_ERR, "not uploading %s: not a session's FIT file",
			  path);
		return;
	}
	if (has_marker(u, name, DONE)) {
		paced_log(u->self, LOG_NOTICE, "%s was uploaded to %s already; not again",
			  name, SERVICE);
		if (!durable)
			remove_pending(u, name);
		return;
	}
	if (find_job(u, name))
		return;
	if (durable) {
		snprintf(line, sizeof(line), "%s\n", path);
		r = write_marker(u, name, PENDING, line);
		if (r < 0)
			paced_log(u->self, LOG_WARNING,
				  "cannot keep %s%s in %s (%s): it is uploaded now, but not after a restart if this fails",
				  name, PENDING, u->dir, strerror(-r));
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	j->u = u;
	snprintf(j->name, sizeof(j->name), "%s", name);
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->due_us = paced_now_us(u->self);
	j->next = u->jobs;
	u->jobs = j;
}

/* What a restart left: every NAME.pending without its NAME.done. */
static void resume(struct upload *u)
{
	int fd = dup(u->dirfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		paced_log(u->self, LOG_ERR, "cannot read %s: %s", u->dir,
			  strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[PATH_MAX + 1];
		ssize_t len;
		int mfd;

		if (n <= strlen(PENDING) || e->d_name[0] == '.' ||
		    strcmp(e->d_name + n - strlen(PENDING), PENDING))
			continue;
		mfd = file_open_at(u->dirfd, e->d_name, O_RDONLY, 0);
		len = mfd < 0 ? -1 : read(mfd, path, sizeof(path) - 1);
		if (mfd >= 0)
			close(mfd);
		if (len <= 1 || path[len - 1] != '\n') {
			paced_log(u->self, LOG_ERR, "%s/%s is not a FIT file's path; ignored",
				  u->dir, e->d_name);
			continue;
		}
		path[len - 1] = '\0';
		queue(u, path, false);
	}
	closedir(d);
}

/* ---- one upload ---- */

static size_t on_reply(char *data, size_t size, size_t n, void *user_data)
{
	struct job *j = user_data;
	size_t len = size * n, room = REPLY_MAX - j->reply_len;

	memcpy(j->reply + j->reply_len, data, len < room ? len : room);
	j->reply_len += len < room ? len : room;
	j->reply[j->reply_len] = '\0';
	return len;
}

/* Whatever the service said, fit for a log line: one line, printable,
 * and the key masked should a server ever echo it. */
static void quote(const struct upload *u, const char *in, char *out,
		  size_t len)
{
	size_t o = 0, klen = strlen(u->key);

	while (*in && o + 1 < len) {
		if (klen && !strncmp(in, u->key, klen)) {
			o += (size_t) snprintf(out + o, len - o, "[key]");
			if (o >= len)
				o = len - 1;
			in += klen;
			continue;
		}
		out[o++] = (unsigned char) *in < ' ' || *in == 0x7f ? ' ' : *in;
		in++;
	}
	out[o] = '\0';
}

static void job_release(struct job *j)
{
	if (j->easy) {
		curl_multi_remove_handle(j->u->multi, j->easy);
		curl_easy_cleanup(j->easy);
		j->easy = NULL;
	}
	curl_mime_free(j->mime);
	j->mime = NULL;
}

static void job_drop(struct job *j)
{
	struct upload *u = j->u;

	for (struct job **p = &u->jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	job_release(j);
	free(j);
}

static void job_failed(struct job *j, const char *why)
{
	struct upload *u = j->u;
	unsigned shift = j->failures < 20 ? j->failures : 20;
	uint64_t delay = u->retry_first_us << shift;
	char text[2 * REPLY_MAX];

	job_release(j);
	if (delay > u->retry_max_us)
		delay = u->retry_max_us;
	j->failures++;
	j->due_us = paced_now_us(u->self) + delay;
	quote(u, why, text, sizeof(text));
	paced_log(u->self, LOG_WARNING,
		  "upload of %s to %s failed (%s); kept, next try in %llu s",
		  j->name, SERVICE, text,
		  (unsigned long long) (delay / 1000000));
}

static void job_done(struct job *j, long status)
{
	struct upload *u = j->u;
	char line[64];
	int r;

	snprintf(line, sizeof(line), "HTTP %ld\n", status);
	r = write_marker(u, j->name, DONE, line);
	if (r < 0)
		paced_log(u->self, LOG_ERR,
			  "uploaded %s, but cannot record it in %s (%s): forgetting it, so it is not sent again",
			  j->name, u->dir, strerror(-r));
	remove_pending(u, j->name);
	paced_log(u->self, LOG_NOTICE, "uploaded %s to %s (HTTP %ld)", j->name,
		  SERVICE, status);
	job_drop(j);
}

static void job_finished(struct job *j, CURLcode rc)
{
	long status = 0;
	char why[CURL_ERROR_SIZE + REPLY_MAX + 64];

	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OK && status >= 200 && status < 300) {
		job_done(j, status);
		return;
	}
	if (rc != CURLE_OK)
		snprintf(why, sizeof(why), "%s", j->error[0] ? j->error :
			 curl_easy_strerror(rc));
	else if (status == 401 || status == 403)
		snprintf(why, sizeof(why), "HTTP %ld: the API key was refused: %s",
			 status, j->reply);
	else
		snprintf(why, sizeof(why), "HTTP %ld: %s", status, j->reply);
	job_failed(j, why);
}

static void check_done(struct upload *u)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(u->multi, &left))) {
		struct job *j = NULL;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg goes with the handle: read it before job_finished(). */
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &j);
		if (j)
			job_finished(j, rc);
	}
	schedule(u);
}

/* The whole FIT file into memory: curl then never reads the disk. */
static int read_fit(const char *path, char **ret_buf, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = file_open_read(path), err = 0;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    (uint64_t) st.st_size > FIT_MAX) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t) st.st_size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t) st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t) st.st_size - got);

		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t) n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*ret_buf = buf;
	*ret_len = got;
	return 0;
}

static void job_start(struct job *j)
{
	struct upload *u = j->u;
	char file[NAME_MAX + 1], *fit = NULL;
	curl_mimepart *part;
	size_t len = 0;
	CURL *e;
	int r;

	r = read_fit(j->path, &fit, &len);
	if (r == -ENOENT) {
		paced_log(u->self, LOG_ERR, "%s is gone: its upload is given up",
			  j->path);
		remove_pending(u, j->name);
		job_drop(j);
		return;
	}
	if (r < 0) {
		job_failed(j, strerror(-r));
		return;
	}
	e = curl_easy_init();
	j->mime = e ? curl_mime_init(e) : NULL;
	part = j->mime ? curl_mime_addpart(j->mime) : NULL;
	snprintf(file, sizeof(file), "%s.fit", j->name);
	if (!part || curl_mime_name(part, "file") != CURLE_OK ||
	    curl_mime_data(part, fit, len) != CURLE_OK ||
	    curl_mime_filename(part, file) != CURLE_OK ||
	    curl_mime_type(part, "application/vnd.ant.fit") != CURLE_OK) {
		free(fit);
		curl_easy_cleanup(e);
		job_failed(j, "out of memory");
		return;
	}
	free(fit);	/* curl_mime_data() copied it */
	j->easy = e;
	j->reply_len = 0;
	j->reply[0] = '\0';
	j->error[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, u->url);
	curl_easy_setopt(e, CURLOPT_MIMEPOST, j->mime);
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, API_USER);
	curl_easy_setopt(e, CURLOPT_PASSWORD, u->key);
	curl_easy_setopt(e, CURLOPT_USERAGENT, u->agent);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->error);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *) j);
	/* No signals (the daemon's signalfd has them), no redirects (the
	 * key must not follow a POST elsewhere), HTTP(S) only, and a
	 * connection closed after each upload: nothing stays open or wakes
	 * the loop between sessions. */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
			 (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_S);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, (long) LOW_SPEED_BPS);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long) LOW_SPEED_S);
	if (curl_multi_add_handle(u->multi, e) != CURLM_OK) {
		job_failed(j, "curl_multi_add_handle failed");
		return;
	}
	paced_log(u->self, LOG_INFO, "uploading %s to %s", j->name, SERVICE);
}

/* ---- curl on the daemon's loop ---- */

static bool on_fd(int fd, uint32_t events, void *user_data)
{
	struct sock *s = user_data;
	struct upload *u = s->u;	/* s may be freed during the action */
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(u->multi, fd, flags, &running);
	check_done(u);
	/* curl removes the watch itself (CURL_POLL_REMOVE) when it is done
	 * with the socket; true keeps it until then. */
	return true;
}

static void sock_free(struct upload *u, struct sock *s)
{
	for (struct sock **p = &u->socks; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	if (s->id > 0)
		paced_remove(u->self, s->id);
	free(s);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *user_data,
		     void *socketp)
{
	struct upload *u = user_data;
	struct sock *s = socketp;
	uint32_t events = 0;

	(void) easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			curl_multi_assign(u->multi, fd, NULL);
			sock_free(u, s);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -1;
		s->u = u;
		s->fd = fd;
		s->next = u->socks;
		u->socks = s;
		curl_multi_assign(u->multi, fd, s);
	}
	if (s->id > 0 && s->events == events)
		return 0;
	/* One registration per interest set: re-register on a change. */
	if (s->id > 0)
		paced_remove(u->self, s->id);
	s->events = events;
	s->id = paced_add_fd(u->self, fd, events, on_fd, s, NULL);
	if (s->id < 0) {
		paced_log(u->self, LOG_ERR, "cannot watch a socket: %s",
			  strerror(-s->id));
		s->id = 0;
		return -1;
	}
	return 0;
}

static bool on_curl_timeout(void *user_data)
{
	struct upload *u = user_data;
	int running;

	u->curl_timer = 0;	/* ends when this returns false */
	curl_multi_socket_action(u->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(u);
	return false;
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *user_data)
{
	struct upload *u = user_data;
	int id;

	(void) multi;
	if (u->curl_timer > 0)
		paced_remove(u->self, u->curl_timer);
	u->curl_timer = 0;
	/* -1: no timer (nothing on its way), so no wakeup at all. */
	if (timeout_ms < 0 || u->closing)
		return 0;
	id = paced_add_timeout(u->self, (uint64_t) timeout_ms * 1000, false,
			       on_curl_timeout, u, NULL);
	if (id < 0)
		return -1;
	u->curl_timer = id;
	return 0;
}

static bool on_wake(void *user_data)
{
	struct upload *u = user_data;
	uint64_t now = paced_now_us(u->self);
	struct job *j, *next;

	u->wake = 0;
	for (j = u->jobs; j; j = next) {
		next = j->next;		/* job_start() may drop j */
		if (!j->easy && j->due_us <= now)
			job_start(j);
	}
	schedule(u);
	return false;
}

/* Arm one timer for the next job due, or none when none waits. */
static void schedule(struct upload *u)
{
	uint64_t now = paced_now_us(u->self), next = UINT64_MAX;
	int id;

	if (u->closing)
		return;
	for (struct job *j = u->jobs; j; j = j->next)
		if (!j->easy && j->due_us < next)
			next = j->due_us;
	if (u->wake > 0)
		paced_remove(u->self, u->wake);
	u->wake = 0;
	if (next == UINT64_MAX)
		return;
	id = paced_add_timeout(u->self, next > now ? next - now : 0, false,
			       on_wake, u, NULL);
	if (id > 0)
		u->wake = id;
	else
		paced_log(u->self, LOG_ERR, "cannot arm a timer: %s",
			  strerror(-id));
}

/* ---- the sink ---- */

static void upload_event(const struct paced_event *ev, void *user_data)
{
	struct upload *u = user_data;

	/* The FIT file of an automatic export (paced.conf export). */
	if (strcmp(ev->name, "export") || !ev->path || !ev->format ||
	    strcmp(ev->format, "fit"))
		return;
	queue(u, ev->path, true);
	schedule(u);
}

static const struct paced_sink_ops sink_ops = {
	.name = "upload",
	.event = upload_event,
};

static void upload_free(struct upload *u)
{
	u->closing = true;
	while (u->jobs)
		job_drop(u->jobs);
	if (u->multi)
		curl_multi_cleanup(u->multi);
	u->multi = NULL;
	while (u->socks)
		sock_free(u, u->socks);
	if (u->wake > 0)
		paced_remove(u->self, u->wake);
	if (u->curl_timer > 0)
		paced_remove(u->self, u->curl_timer);
	if (u->dirfd >= 0)
		close(u->dirfd);
	explicit_bzero(u->key, sizeof(u->key));
	curl_global_cleanup();
}

static int upload_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = {
		"service", "api_key_file", "athlete", "url", "retry_first",
		"retry_max", NULL
	};
	struct upload *u = &the_upload;
	int r;

	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	u->self = self;
	u->dirfd = -1;
	snprintf(u->agent, sizeof(u->agent), "paced/%s", PACKAGE_VERSION);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		paced_log(self, LOG_ERR, "cannot initialise libcurl");
		return -ENOMEM;
	}
	r = parse(u, cfg);
	if (r == 0 && (r = open_dir(u)) < 0)
		paced_log(self, LOG_ERR, "cannot open %s: %s", u->dir,
			  strerror(-r));
	if (r == 0 && !(u->multi = curl_multi_init()))
		r = -ENOMEM;
	if (r == 0) {
		curl_multi_setopt(u->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
		curl_multi_setopt(u->multi, CURLMOPT_SOCKETDATA, u);
		curl_multi_setopt(u->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
		curl_multi_setopt(u->multi, CURLMOPT_TIMERDATA, u);
		r = paced_sink_register(self, &sink_ops, u);
	}
	if (r < 0) {
		/* exit() is not called after a failed init. */
		upload_free(u);
		return r;
	}
	resume(u);
	paced_log(self, LOG_INFO, "FIT files of exported sessions go to %s%s",
		  u->url, u->jobs ? "; resuming uploads a restart interrupted" : "");
	/* From the loop, not from init: init does no network I/O. */
	schedule(u);
	return 0;
}

static void upload_exit(struct paced_plugin *self)
{
	(void) self;
	upload_free(&the_upload);
}

PACED_PLUGIN_DEFINE("upload", PACKAGE_VERSION, upload_init, upload_exit);
