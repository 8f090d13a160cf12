/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Treadmill addresses ("sim", "unix:PATH", Bluetooth LE) to an ATT socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Kernel ABI headers only (struct sockaddr_l2, BT_SECURITY, HCIGETDEVINFO):
 * nothing here calls into libbluetooth, so lib/ stays libc-only.
 */
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>

#include "sim/sim.h"
#include "transport.h"
#include "util.h"

#define UNIX_PREFIX "unix:"

/* Core spec v5.3 Vol 3 Part A §2.1: the LE fixed channel for ATT. */
#define ATT_CID 4

struct transport {
	enum transport_kind kind;
	struct loop *loop;		/* borrowed */
	char *address;
	int fd;
	int sim_fd;			/* the simulator's end, sim only */
	struct sim *sim;
	char *adapter;			/* Bluetooth: "hciN"/address or NULL */
	bool connecting;		/* Bluetooth connect in progress */
	/*
	 * A dup of the connecting socket, ours even after the fd has been
	 * stolen: the client may own (and epoll) the fd while we wait, and
	 * one epoll set cannot hold the same fd twice.
	 */
	int conn_fd;
	/* transport_wait_connected() */
	transport_connect_func_t wait_func;
	void *wait_data;
	int wait_fd_id;
	int wait_timer_id;
	int wait_idle_id;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/*
 * XX:XX:XX:XX:XX:XX into kernel order (bdaddr_t is little endian: the
 * last printed byte first). Returns the rest of the string, or NULL.
 */
static const char *parse_hex_addr(const char *s, uint8_t addr[6])
{
	for (int i = 0; i < 6; i++) {
		if (!is_hex(s[0]) || !is_hex(s[1]))
			return NULL;
		addr[5 - i] = (uint8_t) (hex_val(s[0]) << 4 | hex_val(s[1]));
		s += 2;
		if (i < 5 && *s++ != ':')
			return NULL;
	}
	return s;
}

int transport_parse_bdaddr(const char *address, uint8_t ret_addr[6],
			   bool *ret_random)
{
	uint8_t addr[6];
	const char *rest;
	bool random;

	if (!address || !ret_addr || !ret_random)
		return -EINVAL;
	rest = parse_hex_addr(address, addr);
	if (!rest)
		return -EINVAL;
	if (*rest == '\0' || !strcmp(rest, "/public"))
		random = false;
	else if (!strcmp(rest, "/random"))
		random = true;
	else
		return -EINVAL;
	memcpy(ret_addr, addr, 6);
	*ret_random = random;
	return 0;
}

int transport_parse_adapter(const char *adapter, int *ret_index,
			    uint8_t ret_addr[6])
{
	uint8_t addr[6];
	const char *rest;

	if (!adapter || !ret_index || !ret_addr)
		return -EINVAL;
	if (!strncmp(adapter, "hci", 3)) {
		const char *p = adapter + 3;
		long idx = 0;

		if (!*p)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			idx = idx * 10 + (*p - '0');
			/* HCI device ids are 16 bits (struct hci_dev_req) */
			if (idx > 0xffff)
				return -EINVAL;
		}
		*ret_index = (int) idx;
		return 0;
	}
	rest = parse_hex_addr(adapter, addr);
	if (!rest || *rest)
		return -EINVAL;
	*ret_index = -1;
	memcpy(ret_addr, addr, 6);
	return 0;
}

static bool is_bdaddr(const char *s)
{
	uint8_t addr[6];
	bool random;

	return transport_parse_bdaddr(s, addr, &random) == 0;
}

int transport_parse(const char *address, enum transport_kind *ret_kind)
{
	struct sockaddr_un sun;
	enum transport_kind kind;

	if (!address)
		return -EINVAL;
	if (!strcmp(address, "sim")) {
		kind = TRANSPORT_KIND_SIM;
	} else if (!strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX))) {
		const char *path = address + strlen(UNIX_PREFIX);

		if (!*path)
			return -EINVAL;
		if (strlen(path) >= sizeof(sun.sun_path))
			return -ENAMETOOLONG;
		kind = TRANSPORT_KIND_UNIX;
	} else if (is_bdaddr(address)) {
		kind = TRANSPORT_KIND_BLUETOOTH;
	} else {
		return -EINVAL;
	}
	*ret_kind = kind;
	return 0;
}

const char *transport_error_str(int err)
{
	switch (err) {
	case -EINVAL:
		return "unknown treadmill address (expected 'sim', "
		       "'unix:PATH' or a Bluetooth address XX:XX:XX:XX:XX:XX)";
	case -ENAMETOOLONG:
		return "unix socket path too long";
	case -EOPNOTSUPP:
		return "not supported by this transport";
	case -EAFNOSUPPORT:
		return "this kernel has no Bluetooth support (AF_BLUETOOTH)";
	case -ENODEV:
		return "no such Bluetooth adapter";
	case -ENETDOWN:
		return "the Bluetooth adapter is down (hciconfig hciN up, "
		       "or power it on in bluetoothctl)";
	case -EHOSTUNREACH:
		return "no Bluetooth adapter can reach that address "
		       "(is one powered on?)";
	case -ETIMEDOUT:
		return "the treadmill did not answer the connection "
		       "(out of range, off, or connected to something else)";
	case -EACCES:
	case -EPERM:
		return "permission denied (needs CAP_NET_RAW and "
		       "CAP_NET_ADMIN, or root)";
	case -ENOENT:
		return "no ATT server socket at that path";
	case -ECONNREFUSED:
		return "nobody is listening on that socket";
	case -EAGAIN:
		return "the ATT server's backlog is full, try again";
	case -EPROTOTYPE:
		return "that socket is not SOCK_SEQPACKET";
	case -ENOMEM:
		return "invalid simulator configuration";
	default:
		return strerror(-err);
	}
}

static int open_sim(struct transport *t, struct loop *loop,
		    const struct sim_config *sim_cfg)
{
	struct sim_config def;
	int sv[2], r;

	if (!sim_cfg) {
		sim_config_init(&def);
		sim_cfg = &def;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		return -errno;
	t->fd = sv[0];
	t->sim_fd = sv[1];
	t->sim = sim_new(loop, sim_cfg);
	if (!t->sim)
		return -ENOMEM;
	/* The simulator end stays ours, so transport_free() closes it
	 * after the simulator is gone. */
	r = sim_attach(t->sim, t->sim_fd, false);
	return r;
}

static int open_unix(struct transport *t, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	/*
	 * Non-blocking: an AF_UNIX connect completes at once or fails with
	 * EAGAIN (backlog full); it never returns EINPROGRESS (unix(7)).
	 */
	if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0)
		return -errno;
	return 0;
}

/* The adapter's address for a "hciN" name: HCIGETDEVINFO needs no
 * capability, unlike a raw HCI socket bound to the device. */
static int adapter_addr(int index, bdaddr_t *ret_addr)
{
	struct hci_dev_info di = { .dev_id = (uint16_t) index };
	int fd, r = 0;

	fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, HCIGETDEVINFO, (void *) &di) < 0)
		r = -errno;
	(void) close(fd);
	if (r < 0)
		return r;
	if (!(di.flags & (1u << HCI_UP)))
		return -ENETDOWN;
	memcpy(ret_addr, &di.bdaddr, sizeof(*ret_addr));
	return 0;
}

static int open_bt(struct transport *t)
{
	struct sockaddr_l2 src = { .l2_family = AF_BLUETOOTH };
	struct sockaddr_l2 dst = { .l2_family = AF_BLUETOOTH };
	uint8_t addr[6];
	bool random;
	int fd, r;

	r = transport_parse_bdaddr(t->address, addr, &random);
	if (r < 0)
		return r;
	memcpy(&dst.l2_bdaddr, addr, 6);
	dst.l2_cid = htobs(ATT_CID);
	dst.l2_bdaddr_type = random ? BDADDR_LE_RANDOM : BDADDR_LE_PUBLIC;

	/* Our own side is always an LE address on the ATT CID, bound to
	 * the chosen adapter (BDADDR_ANY lets the kernel route). */
	src.l2_cid = htobs(ATT_CID);
	src.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	if (t->adapter && *t->adapter) {
		int index;

		r = transport_parse_adapter(t->adapter, &index, addr);
		if (r < 0)
			return -ENODEV;
		if (index >= 0) {
			r = adapter_addr(index, &src.l2_bdaddr);
			if (r == -ENODEV || r == -EINVAL)
				return -ENODEV;
			if (r < 0)
				return r;
		} else {
			memcpy(&src.l2_bdaddr, addr, 6);
		}
	}

	fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    BTPROTO_L2CAP);
	if (fd < 0)
		return -errno;
	t->fd = fd;
	if (bind(fd, (struct sockaddr *) &src, sizeof(src)) < 0)
		return errno == EADDRNOTAVAIL ? -ENODEV : -errno;
	/*
	 * Non-blocking (STYLE.md: nothing blocks): the kernel scans for the
	 * advertising peer and sends LE Create Connection; EINPROGRESS is the
	 * normal answer and the fd turns writable when it is done. The kernel
	 * gives up by itself after its LE connection timeout (about 20 s);
	 * transport_wait_connected() applies the caller's shorter one.
	 */
	if (connect(fd, (struct sockaddr *) &dst, sizeof(dst)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN)
			return -errno;
		t->conn_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (t->conn_fd < 0)
			return -errno;
		t->connecting = true;
	}
	return 0;
}

int transport_open(struct loop *loop, const char *address,
		   const struct sim_config *sim_cfg,
		   struct transport **ret_transport)
{
	struct transport_opts opts = { .sim_cfg = sim_cfg };

	return transport_open_opts(loop, address, &opts, ret_transport);
}

int transport_open_opts(struct loop *loop, const char *address,
			const struct transport_opts *opts,
			struct transport **ret_transport)
{
	const struct sim_config *sim_cfg = opts ? opts->sim_cfg : NULL;
	enum transport_kind kind;
	struct transport *t;
	int r;

	if (!loop || !ret_transport)
		return -EINVAL;
	r = transport_parse(address, &kind);
	if (r < 0)
		return r;

	t = paced_new0(struct transport, 1);
	t->kind = kind;
	t->loop = loop;
	t->fd = -1;
	t->sim_fd = -1;
	t->conn_fd = -1;
	t->address = paced_strdup(address);
	if (opts && opts->adapter && *opts->adapter)
		t->adapter = paced_strdup(opts->adapter);
	switch (kind) {
	case TRANSPORT_KIND_SIM:
		r = open_sim(t, loop, sim_cfg);
		break;
	case TRANSPORT_KIND_UNIX:
		r = open_unix(t, address + strlen(UNIX_PREFIX));
		break;
	case TRANSPORT_KIND_BLUETOOTH:
		r = open_bt(t);
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (r < 0) {
		transport_free(t);
		return r;
	}
	*ret_transport = t;
	return 0;
}

static void end_connect(struct transport *t)
{
	if (t->conn_fd >= 0)
		(void) close(t->conn_fd);
	t->conn_fd = -1;
	t->connecting = false;
}

static void wait_cancel(struct transport *t)
{
	if (t->wait_fd_id > 0)
		loop_remove(t->loop, t->wait_fd_id);
	if (t->wait_timer_id > 0)
		loop_remove(t->loop, t->wait_timer_id);
	if (t->wait_idle_id > 0)
		loop_remove(t->loop, t->wait_idle_id);
	t->wait_fd_id = 0;
	t->wait_timer_id = 0;
	t->wait_idle_id = 0;
	t->wait_func = NULL;
}

int transport_reopen(struct transport *t)
{
	int sv[2], r;

	wait_cancel(t);
	end_connect(t);
	if (t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	switch (t->kind) {
	case TRANSPORT_KIND_SIM:
		sim_detach(t->sim);
		if (t->sim_fd >= 0)
			(void) close(t->sim_fd);
		t->sim_fd = -1;
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0, sv) < 0)
			return -errno;
		t->fd = sv[0];
		t->sim_fd = sv[1];
		r = sim_attach(t->sim, t->sim_fd, false);
		break;
	case TRANSPORT_KIND_UNIX:
		r = open_unix(t, t->address + strlen(UNIX_PREFIX));
		break;
	case TRANSPORT_KIND_BLUETOOTH:
		r = open_bt(t);
		break;
	default:
		r = -EOPNOTSUPP;
		break;
	}
	if (r < 0 && t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	if (r < 0)
		end_connect(t);
	return r;
}

bool transport_connecting(const struct transport *t)
{
	return t->connecting;
}

int transport_finish_connect(struct transport *t)
{
	struct sockaddr_l2 peer;
	int err = 0;
	socklen_t len = sizeof(err);

	if (!t->connecting)
		return 0;
	if (getsockopt(t->conn_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		/* Writable with no error yet not connected should not happen
		 * for L2CAP; check rather than send into ENOTCONN. */
		len = sizeof(peer);
		if (getpeername(t->conn_fd, (struct sockaddr *) &peer,
				&len) < 0)
			return errno == ENOTCONN ? -EINPROGRESS : -errno;
		end_connect(t);
		return 0;
	}
	/* Failed: close our copies; a thief closes its own. */
	end_connect(t);
	if (t->fd >= 0) {
		(void) close(t->fd);
		t->fd = -1;
	}
	return -err;
}

static void wait_done(struct transport *t, int err)
{
	transport_connect_func_t func = t->wait_func;
	void *data = t->wait_data;

	wait_cancel(t);
	if (func)
		func(t, err, data);
}

static bool on_wait_fd(int fd, uint32_t events, void *user_data)
{
	struct transport *t = user_data;
	int r;

	/*
	 * Unregister while the fd is still open: finishing may close it, and
	 * a later epoll DEL by number could hit whatever reuses it. Returning
	 * true below keeps the loop from removing the dead watch twice.
	 */
	loop_remove(t->loop, t->wait_fd_id);
	t->wait_fd_id = 0;
	r = transport_finish_connect(t);
	if (r == -EINPROGRESS) {
		r = loop_add_fd(t->loop, t->conn_fd, EPOLLOUT, on_wait_fd, t,
				NULL);
		if (r > 0) {
			t->wait_fd_id = r;
			return true;
		}
	}
	wait_done(t, r);
	return true;
}

static bool on_wait_timeout(void *user_data)
{
	struct transport *t = user_data;

	t->wait_timer_id = 0;
	if (t->connecting) {
		/*
		 * shutdown() reaches the socket however many fds share it:
		 * the kernel cancels its LE Create Connection, so a late
		 * link does not linger, and a thief of the fd sees it fail.
		 */
		if (t->wait_fd_id > 0)
			loop_remove(t->loop, t->wait_fd_id);
		t->wait_fd_id = 0;
		(void) shutdown(t->conn_fd, SHUT_RDWR);
		end_connect(t);
		if (t->fd >= 0) {
			(void) close(t->fd);
			t->fd = -1;
		}
	}
	wait_done(t, -ETIMEDOUT);
	return false;
}

static bool on_wait_idle(void *user_data)
{
	struct transport *t = user_data;

	t->wait_idle_id = 0;
	wait_done(t, 0);
	return false;
}

int transport_wait_connected(struct transport *t, uint64_t timeout_us,
			     transport_connect_func_t func, void *user_data)
{
	int id;

	wait_cancel(t);
	t->wait_func = func;
	t->wait_data = user_data;
	if (!t->connecting) {
		id = loop_add_idle(t->loop, on_wait_idle, t, NULL);
		if (id < 0) {
			t->wait_func = NULL;
			return id;
		}
		t->wait_idle_id = id;
		return 0;
	}
	id = loop_add_fd(t->loop, t->conn_fd, EPOLLOUT, on_wait_fd, t, NULL);
	if (id < 0) {
		t->wait_func = NULL;
		return id;
	}
	t->wait_fd_id = id;
	if (timeout_us) {
		id = loop_add_timeout(t->loop, timeout_us, false,
				      on_wait_timeout, t, NULL);
		if (id < 0) {
			wait_cancel(t);
			return id;
		}
		t->wait_timer_id = id;
	}
	return 0;
}

int transport_fd_raise_security(int fd, bool high)
{
	struct bt_security sec = {
		.level = high ? BT_SECURITY_HIGH : BT_SECURITY_MEDIUM,
	};

	if (setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, sizeof(sec)) < 0)
		return errno == ENOTSOCK || errno == EOPNOTSUPP ||
		       errno == ENOPROTOOPT ? -ENOPROTOOPT : -errno;
	return 0;
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	wait_cancel(t);
	end_connect(t);
	free(t->adapter);
	sim_free(t->sim);
	if (t->sim_fd >= 0)
		(void) close(t->sim_fd);
	if (t->fd >= 0)
		(void) close(t->fd);
	free(t->address);
	free(t);
}

int transport_fd(const struct transport *t)
{
	return t->fd;
}

int transport_steal_fd(struct transport *t)
{
	int fd = t->fd;

	if (fd < 0)
		return -EBADF;
	t->fd = -1;
	return fd;
}

enum transport_kind transport_get_kind(const struct transport *t)
{
	return t->kind;
}

struct sim *transport_sim(const struct transport *t)
{
	return t->sim;
}

const char *transport_address(const struct transport *t)
{
	return t->address;
}

uint64_t transport_backoff_next(uint64_t prev_us, uint64_t first_us,
				uint64_t max_us)
{
	if (!prev_us)
		return first_us < max_us ? first_us : max_us;
	/* No overflow: prev_us <= max_us / 2 before doubling. */
	return prev_us > max_us / 2 ? max_us : prev_us * 2;
}
