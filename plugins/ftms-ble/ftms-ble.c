/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "ftms-ble" plugin: FTMS treadmills over Bluetooth LE, and LE scanning. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <paced/plugin.h>

#include "ble-scan.h"
#include "ftms-client.h"
#include "l2cap.h"
#include "transport.h"
#include "util.h"

/* How often a running scan looks for new or changed advertisers. */
#define SCAN_POLL_US (100 * USEC_PER_MSEC)

struct ble_plugin {
	struct paced_plugin *self;
	uint16_t mtu;			/* offered in Exchange MTU, 0 default */

	/* The one scan that may run at a time. */
	struct ble_scan *scan;
	int end_timer, poll_timer;
	paced_scan_result_func_t result;
	paced_scan_done_func_t done;
	void *cb_data;
	/* Each advertiser's report count when last passed on: one with
	 * more reports may have learnt its name from a scan response. */
	uint32_t reported[BLE_SCAN_MAX_DEVICES];
};

static struct ble_plugin plugin_state;

static struct loop *plugin_loop(struct ble_plugin *bp)
{
	return (struct loop *) paced_plugin_loop(bp->self);
}

/* ---- driver ---- */

static bool ble_match(const char *address)
{
	uint8_t addr[6];
	bool random;

	return l2cap_parse_bdaddr(address, addr, &random) == 0;
}

static const struct paced_driver_info ble_info = {
	.usage = "XX:XX:XX:XX:XX:XX[/public|/random] (Bluetooth LE)",
	.match = ble_match,
	.caps = PACED_DRIVER_CONTROL,
};

/*
 * A fresh L2CAP LE socket on the ATT fixed channel for every open (first
 * time and after each drop). The connect is non-blocking: the FTMS client
 * waits for it inside treadmill_connect(), under the daemon's connect
 * deadline, so no caller ever blocks on the radio.
 */
static int ble_open(const struct paced_open *req,
		    struct paced_treadmill **ret_tm, void *user_data)
{
	struct ble_plugin *bp = user_data;
	struct ftms_client_opts copts = {
		.mtu = bp->mtu, .raise_security = l2cap_raise_security,
	};
	const char *adapter = req->adapter;
	struct ftms_client *client;
	struct transport *t;
	int r, fd;

	r = l2cap_transport_open(plugin_loop(bp), req->address, adapter, &t);
	if (r < 0) {
		paced_log(bp->self, LOG_WARNING, "%s%s%s: %s", req->address,
			  adapter && *adapter ? " via " : "",
			  adapter ? adapter : "", l2cap_error_str(r));
		return r;
	}
	copts.connecting = transport_connecting(t);
	fd = transport_steal_fd(t);
	/* The socket is the client's now; the transport only held a spare
	 * reference for its own connect wait, which nobody uses here. */
	transport_free(t);
	if (fd < 0)
		return fd;
	client = ftms_client_new(plugin_loop(bp), fd, &copts);
	if (!client)
		return -ENOMEM;
	*ret_tm = (struct paced_treadmill *) ftms_client_get_treadmill(client);
	return 0;
}

static const struct paced_driver_ops ble_driver = {
	.name = "ftms-ble",
	.open = ble_open,
};

/* ---- scanner ---- */

static void scan_stop(struct ble_plugin *bp)
{
	if (bp->end_timer > 0)
		paced_remove(bp->self, bp->end_timer);
	if (bp->poll_timer > 0)
		paced_remove(bp->self, bp->poll_timer);
	bp->end_timer = bp->poll_timer = 0;
	ble_scan_free(bp->scan);
	bp->scan = NULL;
}

static const char *kind(const struct ble_scan_device *d)
{
	bool certain;

	if (!ble_adv_is_ftms(&d->adv))
		return "-";
	if (d->adv.ftms_data)
		return ble_adv_machine_name(d->adv.machine_type);
	return ble_adv_is_treadmill(&d->adv, &certain) ? "ftms" : "-";
}

static void report(struct ble_plugin *bp, const struct ble_scan_device *d)
{
	char address[32];
	struct paced_scan_result res = {
		.address = address,
		.name = d->adv.name,
		.rssi = d->has_rssi ? d->rssi : 127,
		.ftms = ble_adv_is_ftms(&d->adv),
		.treadmill = ble_adv_is_treadmill(&d->adv, NULL),
		.service_data = d->adv.ftms_data,
		.available = d->adv.ftms_data &&
			     (d->adv.ftms_flags & BLE_FTMS_FLAG_AVAILABLE),
		.machine_type = d->adv.ftms_data ? d->adv.machine_type : 0,
		.kind = kind(d),
	};

	/* With its type suffix, as a treadmill address takes it. */
	snprintf(address, sizeof(address), "%s/%s", d->address,
		 d->random ? "random" : "public");
	bp->result(&res, bp->cb_data);
}

/* Pass on advertisers that are new or have reported since. */
static void scan_poll(struct ble_plugin *bp)
{
	size_t n = MIN(ble_scan_count(bp->scan), ARRAY_SIZE(bp->reported));

	for (size_t i = 0; i < n && bp->scan; i++) {
		const struct ble_scan_device *d = ble_scan_get(bp->scan, i);

		if (d->reports == bp->reported[i])
			continue;
		bp->reported[i] = d->reports;
		report(bp, d);
	}
}

static bool on_scan_poll(void *user_data)
{
	struct ble_plugin *bp = user_data;

	scan_poll(bp);
	/* A result callback may have cancelled the scan. */
	if (!bp->scan) {
		bp->poll_timer = 0;
		return false;
	}
	return true;
}

static bool on_scan_end(void *user_data)
{
	struct ble_plugin *bp = user_data;
	paced_scan_done_func_t done = bp->done;
	void *cb_data = bp->cb_data;

	bp->end_timer = 0;
	scan_poll(bp);
	if (!bp->scan)
		return false;
	scan_stop(bp);
	done(0, cb_data);
	return false;
}

static int ble_scan_start(const char *adapter, uint64_t duration_us,
			  paced_scan_result_func_t result,
			  paced_scan_done_func_t done, void *cb_data,
			  void *user_data)
{
	struct ble_plugin *bp = user_data;
	uint8_t unused[6];
	int dev_id = -1, err;

	if (!result || !done || !duration_us)
		return -EINVAL;
	if (bp->scan)
		return -EBUSY;
	/* Scanning goes through an HCI socket, which takes the index. */
	if (adapter && *adapter &&
	    (l2cap_parse_adapter(adapter, &dev_id, unused) < 0 ||
	     dev_id < 0))
		return -EINVAL;
	bp->scan = ble_scan_new(plugin_loop(bp), dev_id, &err);
	if (!bp->scan)
		return err;
	memset(bp->reported, 0, sizeof(bp->reported));
	bp->result = result;
	bp->done = done;
	bp->cb_data = cb_data;
	bp->poll_timer = paced_add_timeout(bp->self, SCAN_POLL_US, true,
					   on_scan_poll, bp, NULL);
	bp->end_timer = paced_add_timeout(bp->self, duration_us, false,
					  on_scan_end, bp, NULL);
	if (bp->poll_timer < 0 || bp->end_timer < 0) {
		err = bp->poll_timer < 0 ? bp->poll_timer : bp->end_timer;
		scan_stop(bp);
		return err;
	}
	return 0;
}

static void ble_scan_cancel(void *user_data)
{
	scan_stop(user_data);
}

static const char *ble_scan_strerror(int err, void *user_data)
{
	if (err == -EINVAL)
		return "the scanning adapter must be given as hciN";
	return ble_scan_error_str(err);
}

static const struct paced_scanner_ops ble_scanner = {
	.name = "ftms-ble",
	.start = ble_scan_start,
	.cancel = ble_scan_cancel,
	.strerror = ble_scan_strerror,
};

/* ---- plugin ---- */

static int ble_init(struct paced_plugin *self, const struct paced_cfg *cfg)
{
	static const char *const keys[] = { "mtu", NULL };
	struct ble_plugin *bp = &plugin_state;
	long long v;
	int r;

	memset(bp, 0, sizeof(*bp));
	bp->self = self;
	if (paced_cfg_check_keys(self, cfg, keys) < 0)
		return -EINVAL;
	/* mtu: for consoles that mishandle a large ATT_MTU (docs/ftms.md 1.4). */
	if (paced_cfg_get_int(cfg, "mtu", &v) == 0) {
		if (v < 23 || v > 517) {
			paced_log(self, LOG_ERR, "%s:%u: mtu must be 23 to 517",
				  paced_cfg_file(cfg),
				  paced_cfg_line(cfg, "mtu"));
			return -EINVAL;
		}
		bp->mtu = (uint16_t) v;
	}
	r = paced_driver_register(self, &ble_driver, bp);
	if (r == 0)
		r = paced_scanner_register(self, &ble_scanner, bp);
	return r;
}

static void ble_exit(struct paced_plugin *self)
{
	scan_stop(&plugin_state);
}

PACED_PLUGIN_DEFINE("ftms-ble", PACKAGE_VERSION, ble_init, ble_exit,
		    .flags = PACED_PLUGIN_SCANNER, .driver = &ble_info);
