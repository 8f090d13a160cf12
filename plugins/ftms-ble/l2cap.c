/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bluetooth LE treadmills: addresses, adapters, and the ATT socket (L2CAP, CID 4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Kernel ABI headers only (struct sockaddr_l2, BT_SECURITY, HCIGETDEVINFO):
 * nothing here calls into libbluetooth.
 */
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>

#include "l2cap.h"
#include "util.h"

/* Core spec v5.3 Vol 3 Part A §2.1: the LE fixed channel for ATT. */
#define ATT_CID 4

struct l2cap_link {
	struct sockaddr_l2 dst;
	char *adapter;		/* "hciN"/address or NULL */
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

int l2cap_parse_bdaddr(const char *address, uint8_t ret_addr[6],
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

int l2cap_parse_adapter(const char *adapter, int *ret_index,
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

const char *l2cap_error_str(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a Bluetooth address (XX:XX:XX:XX:XX:XX, "
		       "optionally /public or /random)";
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
	default:
		return strerror(-err);
	}
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

static int l2cap_open(void *impl, int *ret_fd, bool *ret_connecting)
{
	struct l2cap_link *ll = impl;
	struct sockaddr_l2 src = { .l2_family = AF_BLUETOOTH };
	uint8_t addr[6];
	int fd, r;

	/* Our own side is always an LE address on the ATT CID, bound to
	 * the chosen adapter (BDADDR_ANY lets the kernel route). */
	src.l2_cid = htobs(ATT_CID);
	src.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	if (ll->adapter) {
		int index;

		r = l2cap_parse_adapter(ll->adapter, &index, addr);
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
	if (bind(fd, (struct sockaddr *) &src, sizeof(src)) < 0) {
		r = errno == EADDRNOTAVAIL ? -ENODEV : -errno;
		(void) close(fd);
		return r;
	}
	/*
	 * Non-blocking (docs/style.md: nothing blocks): the kernel scans for
	 * the advertising peer and sends LE Create Connection; EINPROGRESS is
	 * the normal answer and the fd turns writable when it is done. The
	 * kernel gives up by itself after its LE connection timeout (about
	 * 20 s); the caller's deadline is shorter.
	 */
	if (connect(fd, (struct sockaddr *) &ll->dst, sizeof(ll->dst)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			r = -errno;
			(void) close(fd);
			return r;
		}
		*ret_connecting = true;
	}
	*ret_fd = fd;
	return 0;
}

static void l2cap_free(void *impl)
{
	struct l2cap_link *ll = impl;

	free(ll->adapter);
	free(ll);
}

static const struct transport_ops l2cap_ops = {
	.name = "bluetooth",
	.open = l2cap_open,
	.free = l2cap_free,
};

int l2cap_transport_open(struct loop *loop, const char *address,
			 const char *adapter, struct transport **ret_transport)
{
	struct l2cap_link *ll;
	uint8_t addr[6];
	bool random;
	int r;

	r = l2cap_parse_bdaddr(address, addr, &random);
	if (r < 0)
		return r;
	ll = paced_new0(struct l2cap_link, 1);
	ll->dst.l2_family = AF_BLUETOOTH;
	memcpy(&ll->dst.l2_bdaddr, addr, 6);
	ll->dst.l2_cid = htobs(ATT_CID);
	ll->dst.l2_bdaddr_type = random ? BDADDR_LE_RANDOM : BDADDR_LE_PUBLIC;
	if (adapter && *adapter)
		ll->adapter = paced_strdup(adapter);
	return transport_new(loop, address, &l2cap_ops, ll, ret_transport);
}

int l2cap_raise_security(int fd, bool high)
{
	struct bt_security sec = {
		.level = high ? BT_SECURITY_HIGH : BT_SECURITY_MEDIUM,
	};

	if (setsockopt(fd, SOL_BLUETOOTH, BT_SECURITY, &sec, sizeof(sec)) < 0)
		return errno == ENOTSOCK || errno == EOPNOTSUPP ||
		       errno == ENOPROTOOPT ? -ENOPROTOOPT : -errno;
	return 0;
}
