/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LE scan for FTMS machines through a raw HCI socket, on the event loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>

#include "util.h"
#include "ble-scan.h"

#define HCI_TIMEOUT_MS 1000

struct ble_scan {
	struct loop *loop;
	int dd;				/* raw HCI socket bound to dev_id */
	int watch;
	bool enabled;
	char adapter[16];
	struct ble_scan_device dev[BLE_SCAN_MAX_DEVICES];
	size_t n_dev;
	uint32_t dropped;		/* advertisers past the table */
	uint32_t malformed;		/* reports we could not parse */
};

const char *ble_scan_error_str(int err)
{
	switch (err) {
	case -EAFNOSUPPORT:
		return "this kernel has no Bluetooth support (AF_BLUETOOTH)";
	case -ENODEV:
		return "no such Bluetooth adapter, or none is up";
	case -EPERM:
	case -EACCES:
		return "permission denied: scanning needs CAP_NET_RAW and "
		       "CAP_NET_ADMIN (run as root, or setcap/AmbientCapabilities)";
	case -EBUSY:
		return "the adapter refused to scan (is bluetoothd discovering? "
		       "stop it with 'bluetoothctl scan off')";
	case -ENETDOWN:
		return "the Bluetooth adapter is down (hciconfig hciN up)";
	default:
		return strerror(-err);
	}
}

static struct ble_scan_device *lookup(struct ble_scan *s, const char *addr,
				      bool random)
{
	struct ble_scan_device *d;

	for (size_t i = 0; i < s->n_dev; i++)
		if (!strcmp(s->dev[i].address, addr) &&
		    s->dev[i].random == random)
			return &s->dev[i];
	if (s->n_dev == BLE_SCAN_MAX_DEVICES) {
		s->dropped++;
		return NULL;
	}
	d = &s->dev[s->n_dev++];
	memset(d, 0, sizeof(*d));
	snprintf(d->address, sizeof(d->address), "%s", addr);
	d->random = random;
	ble_adv_info_init(&d->adv);
	return d;
}

/* Core v5.3 Vol 4 Part E §7.7.65.2: LE Advertising Report. Every count
 * and length is the peer's (via the controller): check before use. */
static void handle_reports(struct ble_scan *s, const uint8_t *p, size_t len)
{
	uint8_t n;

	if (len < 1) {
		s->malformed++;
		return;
	}
	n = p[0];
	p++;
	len--;
	for (uint8_t i = 0; i < n; i++) {
		struct ble_scan_device *d;
		char addr[18];
		uint8_t dlen;

		/* evt_type, addr_type, addr[6], data_len, data, rssi */
		if (len < 9) {
			s->malformed++;
			return;
		}
		dlen = p[8];
		if (len < 9u + dlen + 1u) {
			s->malformed++;
			return;
		}
		snprintf(addr, sizeof(addr),
			 "%02X:%02X:%02X:%02X:%02X:%02X",
			 p[7], p[6], p[5], p[4], p[3], p[2]);
		d = lookup(s, addr, p[1] != LE_PUBLIC_ADDRESS);
		if (d) {
			uint32_t before = d->adv.malformed;

			(void) ble_adv_parse(p + 9, dlen, &d->adv);
			s->malformed += d->adv.malformed - before;
			/* Core v5.3 Vol 4 Part E §7.7.65.2: 127 means
			 * "RSSI not available" (btvirt always says so). */
			d->has_rssi = p[9 + dlen] != 127;
			if (d->has_rssi)
				d->rssi = (int8_t) p[9 + dlen];
			d->reports++;
		}
		p += 10u + dlen;
		len -= 10u + dlen;
	}
}

static bool on_hci(int fd, uint32_t events, void *user_data)
{
	struct ble_scan *s = user_data;
	uint8_t buf[HCI_MAX_EVENT_SIZE + 1 + HCI_EVENT_HDR_SIZE];
	ssize_t n;

	if (events & (EPOLLERR | EPOLLHUP)) {
		s->watch = 0;
		return false;
	}
	/* Drain: reports come in bursts at scan interval. */
	for (;;) {
		const hci_event_hdr *hdr;

		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ||
			       errno == EINTR;
		/* packet type, event header, LE meta subevent */
		if (n < 1 + HCI_EVENT_HDR_SIZE + 1 || buf[0] != HCI_EVENT_PKT) {
			s->malformed++;
			continue;
		}
		hdr = (const hci_event_hdr *) (buf + 1);
		if (hdr->evt != EVT_LE_META_EVENT ||
		    hdr->plen > n - 1 - HCI_EVENT_HDR_SIZE || hdr->plen < 1)
			continue;
		if (buf[1 + HCI_EVENT_HDR_SIZE] == EVT_LE_ADVERTISING_REPORT)
			handle_reports(s, buf + 2 + HCI_EVENT_HDR_SIZE,
				       hdr->plen - 1u);
	}
}

static int hci_err(int err)
{
	/* libbluetooth returns -1/errno; a controller status other than
	 * success shows up as EIO (Command Disallowed when busy). */
	if (err == EIO)
		return -EBUSY;
	return -err;
}

struct ble_scan *ble_scan_new(struct loop *loop, int dev_id, int *ret_err)
{
	struct hci_filter flt;
	struct ble_scan *s;
	int r, fd;

	fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	if (fd < 0) {
		*ret_err = -errno;
		return NULL;
	}
	(void) close(fd);
	if (dev_id < 0)
		dev_id = hci_get_route(NULL);
	if (dev_id < 0) {
		*ret_err = -ENODEV;
		return NULL;
	}

	s = paced_new0(struct ble_scan, 1);
	s->loop = loop;
	snprintf(s->adapter, sizeof(s->adapter), "hci%d", dev_id);
	s->dd = hci_open_dev(dev_id);
	if (s->dd < 0) {
		r = errno == ENODEV || errno == EINVAL ? -ENODEV : -errno;
		goto fail;
	}
	/* Stop a scan an earlier run left on; "disallowed" is fine. */
	(void) hci_le_set_scan_enable(s->dd, 0x00, 0x00, HCI_TIMEOUT_MS);
	/* Active scan so the scan response (often the name) comes too;
	 * 10 ms interval and window: we listen all the time, briefly. */
	if (hci_le_set_scan_parameters(s->dd, 0x01, htobs(0x0010),
				       htobs(0x0010), LE_PUBLIC_ADDRESS,
				       0x00, HCI_TIMEOUT_MS) < 0) {
		r = hci_err(errno);
		goto fail;
	}
	hci_filter_clear(&flt);
	hci_filter_set_ptype(HCI_EVENT_PKT, &flt);
	hci_filter_set_event(EVT_LE_META_EVENT, &flt);
	if (setsockopt(s->dd, SOL_HCI, HCI_FILTER, &flt, sizeof(flt)) < 0) {
		r = -errno;
		goto fail;
	}
	/* No duplicate filtering: RSSI keeps updating, and a scan response
	 * is not lost to a controller that filters it with the advert. */
	if (hci_le_set_scan_enable(s->dd, 0x01, 0x00, HCI_TIMEOUT_MS) < 0) {
		r = hci_err(errno);
		goto fail;
	}
	s->enabled = true;
	r = loop_add_fd(loop, s->dd, EPOLLIN, on_hci, s, NULL);
	if (r < 0)
		goto fail;
	s->watch = r;
	return s;
fail:
	ble_scan_free(s);
	*ret_err = r == -EACCES ? -EPERM : r;
	return NULL;
}

void ble_scan_free(struct ble_scan *s)
{
	if (!s)
		return;
	if (s->watch > 0)
		loop_remove(s->loop, s->watch);
	if (s->dd >= 0 && s->enabled) {
		struct hci_filter flt;

		/* The disable's Command Complete must not be filtered out. */
		hci_filter_clear(&flt);
		(void) setsockopt(s->dd, SOL_HCI, HCI_FILTER, &flt,
				  sizeof(flt));
		(void) hci_le_set_scan_enable(s->dd, 0x00, 0x00,
					      HCI_TIMEOUT_MS);
	}
	if (s->dd >= 0)
		(void) hci_close_dev(s->dd);
	free(s);
}

size_t ble_scan_count(const struct ble_scan *s)
{
	return s->n_dev;
}

const struct ble_scan_device *ble_scan_get(const struct ble_scan *s, size_t i)
{
	return i < s->n_dev ? &s->dev[i] : NULL;
}

const struct ble_scan_device *ble_scan_find(const struct ble_scan *s,
					    const char *name)
{
	for (size_t i = 0; i < s->n_dev; i++) {
		const struct ble_scan_device *d = &s->dev[i];

		if (!ble_adv_is_treadmill(&d->adv, NULL))
			continue;
		if (!name || !strcmp(d->adv.name, name))
			return d;
	}
	return NULL;
}

uint32_t ble_scan_malformed(const struct ble_scan *s)
{
	return s->malformed;
}

const char *ble_scan_adapter(const struct ble_scan *s)
{
	return s->adapter;
}
