/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pairing codes and device tokens: only their SHA-256 ever reaches memory or disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "auth.h"
#include "file.h"
#include "json.h"
#include "json-read.h"
#include "util.h"

#define AUTH_FILE_MAX (64 * 1024)

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int random_hex(size_t bytes, char *out)
{
	uint8_t b[32];

	if (bytes > sizeof(b) ||
	    getrandom(b, bytes, 0) != (ssize_t) bytes)
		return -EIO;
	hex(b, bytes, out);
	return 0;
}

/* Compares in time independent of where they differ. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static void hash_secret(const char *s, uint8_t out[SHA256_LEN])
{
	sha256(s, strlen(s), out);
}

static bool is_secret(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == AUTH_SECRET_HEX && !s[n];
}

static int load_device(struct auth_device *d, const struct json_value *v)
{
	const char *id = json_get_string(v, "id");
	const char *h = json_get_string(v, "hash");
	const char *agent = json_get_string(v, "agent");
	int64_t created = 0;

	if (!id || strlen(id) != AUTH_ID_LEN ||
	    strspn(id, "0123456789abcdef") != AUTH_ID_LEN || !h ||
	    strlen(h) != 2 * SHA256_LEN ||
	    hex_decode(h, d->hash, SHA256_LEN) < 0 ||
	    !json_get_int(v, "created", &created))
		return -EINVAL;
	memcpy(d->id, id, sizeof(d->id));
	d->created = created;
	snprintf(d->agent, sizeof(d->agent), "%s", agent ? agent : "");
	return 0;
}

int auth_load(struct auth *a, const char *dir, char *err, size_t len)
{
	struct json_value *root;
	const struct json_value *list;
	char *buf;
	ssize_t n;
	int fd, r = 0;

	memset(a, 0, sizeof(*a));
	if (asprintf(&a->path, "%s/%s", dir, AUTH_FILE) < 0)
		abort();	/* docs/style.md: abort on OOM */
	fd = file_open_at(AT_FDCWD, a->path, O_RDONLY, 0);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, len, "%s: %s", a->path, file_strerror(-fd));
		return fd;
	}
	buf = paced_malloc(AUTH_FILE_MAX + 1);
	n = read(fd, buf, AUTH_FILE_MAX + 1);
	close(fd);
	if (n < 0 || n > AUTH_FILE_MAX) {
		snprintf(err, len, "%s: %s", a->path,
			 n < 0 ? strerror(errno) : "too large");
		free(buf);
		return n < 0 ? -errno : -EFBIG;
	}
	root = json_parse(buf, (size_t) n, NULL);
	free(buf);
	list = json_get(root, "devices");
	if (!list || json_value_type(list) != JSON_ARRAY) {
		snprintf(err, len, "%s: not a device list ({\"devices\":[...]})",
			 a->path);
		r = -EINVAL;
	}
	for (size_t i = 0; !r && i < json_len(list); i++) {
		if (a->n_dev == AUTH_MAX_DEVICES ||
		    load_device(&a->dev[a->n_dev], json_at(list, i)) < 0) {
			snprintf(err, len, "%s: device %zu is not {\"id\",\"hash\",\"created\"}",
				 a->path, i + 1);
			r = -EINVAL;
			break;
		}
		a->n_dev++;
	}
	json_value_free(root);
	if (r)
		a->n_dev = 0;
	return r;
}

void auth_clear(struct auth *a)
{
	free(a->path);
	memset(a, 0, sizeof(*a));
}

/* Whole or not at all, 0600: the hashes are not secrets, but nobody
 * else has a reason to read who paired when. */
static int save(const struct auth *a)
{
	char tmp[4096], h[2 * SHA256_LEN + 1];
	struct json *j = json_new_buffer();
	const char *out;
	size_t len;
	int fd, r = 0;

	json_object_begin(j);
	json_key(j, "devices");
	json_array_begin(j);
	for (unsigned i = 0; i < a->n_dev; i++) {
		hex(a->dev[i].hash, SHA256_LEN, h);
		json_object_begin(j);
		json_key(j, "id");
		json_string(j, a->dev[i].id);
		json_key(j, "hash");
		json_string(j, h);
		json_key(j, "created");
		json_int(j, a->dev[i].created);
		json_key(j, "agent");
		json_string(j, a->dev[i].agent);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	out = json_buffer(j, &len);
	fd = file_replace_open(a->path, tmp, sizeof(tmp));
	if (fd < 0) {
		json_free(j);
		return fd;
	}
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	for (size_t done = 0; !r && done < len;) {
		ssize_t w = write(fd, out + done, len - done);

		if (w < 0 && errno != EINTR)
			r = -errno;
		else if (w > 0)
			done += (size_t) w;
	}
	if (!r && write(fd, "\n", 1) != 1)
		r = -EIO;
	json_free(j);
	return file_replace_commit(fd, tmp, a->path, r);
}

int auth_pair_new(struct auth *a, uint64_t now_us, char *code)
{
	int r = random_hex(32, code);

	if (r < 0)
		return r;
	hash_secret(code, a->pair_hash);
	a->pair_until_us = now_us + AUTH_PAIR_US;
	return 0;
}

int auth_pair_take(struct auth *a, const char *code, uint64_t now_us,
		   int64_t now, const char *agent, char *token,
		   const struct auth_device **ret_dev)
{
	struct auth_device *d;
	uint8_t h[SHA256_LEN];
	uint64_t until = a->pair_until_us;
	int r;

	if (!until || !is_secret(code))
		return -EACCES;
	hash_secret(code, h);
	if (!same(h, a->pair_hash, SHA256_LEN))
		return -EACCES;
	/* Single use, even when it turns out to be too late. */
	a->pair_until_us = 0;
	if (now_us >= until)
		return -EACCES;
	if (a->n_dev == AUTH_MAX_DEVICES)
		return -ENOSPC;
	d = &a->dev[a->n_dev];
	memset(d, 0, sizeof(*d));
	r = random_hex(32, token);
	if (r < 0)
		return r;
	hash_secret(token, d->hash);
	hex(d->hash, AUTH_ID_LEN / 2, d->id);
	d->created = now;
	/* Printable ASCII only: it is shown on a terminal. */
	for (size_t i = 0; agent && agent[i] && i < sizeof(d->agent) - 1; i++)
		d->agent[i] = agent[i] >= 0x20 && agent[i] < 0x7f ?
			      agent[i] : '?';
	a->n_dev++;
	r = save(a);
	if (r < 0) {
		a->n_dev--;
		return r;
	}
	*ret_dev = d;
	return 0;
}

const struct auth_device *auth_check(const struct auth *a, const char *token)
{
	uint8_t h[SHA256_LEN];

	if (!token || !is_secret(token))
		return NULL;
	hash_secret(token, h);
	for (unsigned i = 0; i < a->n_dev; i++)
		if (same(h, a->dev[i].hash, SHA256_LEN))
			return &a->dev[i];
	return NULL;
}

int auth_revoke(struct auth *a, const char *id)
{
	struct auth_device gone;
	int r;

	for (unsigned i = 0; i < a->n_dev; i++) {
		if (strcmp(a->dev[i].id, id))
			continue;
		gone = a->dev[i];
		memmove(&a->dev[i], &a->dev[i + 1],
			(a->n_dev - i - 1) * sizeof(a->dev[0]));
		a->n_dev--;
		r = save(a);
		if (r < 0) {
			/* Still paired, as the file says. */
			memmove(&a->dev[i + 1], &a->dev[i],
				(a->n_dev - i) * sizeof(a->dev[0]));
			a->dev[i] = gone;
			a->n_dev++;
		}
		return r;
	}
	return -ENOENT;
}
