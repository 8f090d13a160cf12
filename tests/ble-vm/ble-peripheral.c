/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A simulated treadmill as a real BLE peripheral: FTMS adverts + ATT on CID 4. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>

#include "util.h"
#include "ble-adv.h"
#include "ble-peripheral.h"

#define HCI_TIMEOUT_MS 1000
#define ATT_CID 4
/* How often to re-arm advertising while nobody is connected. */
#define READVERTISE_US 500000

struct ble_peripheral {
	struct loop *loop;
	struct sim *sim;		/* borrowed */
	int dd;				/* raw HCI socket */
	int lfd;			/* L2CAP listener */
	int listen_id;
	int timer_id;
	char address[18];
	char name[30];
	ble_peripheral_func_t func;
	void *user_data;
};

static int send_cmd(int dd, uint16_t ocf, void *cp, int clen)
{
	uint8_t status = 0xff;
	struct hci_request rq = {
		.ogf = OGF_LE_CTL, .ocf = ocf, .cparam = cp, .clen = clen,
		.rparam = &status, .rlen = 1,
	};

	if (hci_send_req(dd, &rq, HCI_TIMEOUT_MS) < 0)
		return -errno;
	/* 0x0c Command Disallowed: already advertising, or connected. */
	return status ? -EBUSY : 0;
}

static int set_adv_data(struct ble_peripheral *p)
{
	le_set_advertising_data_cp cp;
	uint8_t *d = cp.data;
	size_t n = 0, nlen = strlen(p->name);

	memset(&cp, 0, sizeof(cp));
	d[n++] = 2; d[n++] = 0x01; d[n++] = 0x06;	/* LE only, general */
	d[n++] = 3; d[n++] = 0x03;			/* all 16-bit UUIDs */
	d[n++] = BLE_FTMS_UUID16 & 0xff; d[n++] = BLE_FTMS_UUID16 >> 8;
	/* FTMS v1.0 §3: Service Data 0x1826: flags, machine type (LE) */
	d[n++] = 6; d[n++] = 0x16;
	d[n++] = BLE_FTMS_UUID16 & 0xff; d[n++] = BLE_FTMS_UUID16 >> 8;
	d[n++] = BLE_FTMS_FLAG_AVAILABLE;
	d[n++] = BLE_FTMS_TYPE_TREADMILL & 0xff;
	d[n++] = BLE_FTMS_TYPE_TREADMILL >> 8;
	if (nlen > sizeof(cp.data) - n - 2)
		nlen = sizeof(cp.data) - n - 2;
	d[n++] = (uint8_t) (nlen + 1); d[n++] = 0x09;	/* complete name */
	memcpy(d + n, p->name, nlen);
	n += nlen;
	cp.length = (uint8_t) n;
	return send_cmd(p->dd, OCF_LE_SET_ADVERTISING_DATA, &cp, sizeof(cp));
}

static int advertise(struct ble_peripheral *p)
{
	le_set_advertising_parameters_cp pc;
	uint8_t on = 1;
	int r;

	memset(&pc, 0, sizeof(pc));
	pc.min_interval = htobs(0x00a0);	/* 100 ms */
	pc.max_interval = htobs(0x00a0);
	pc.advtype = 0x00;			/* ADV_IND: connectable */
	pc.own_bdaddr_type = LE_PUBLIC_ADDRESS;
	pc.chan_map = 0x07;
	r = send_cmd(p->dd, OCF_LE_SET_ADVERTISING_PARAMETERS, &pc,
		     sizeof(pc));
	if (r < 0 && r != -EBUSY)
		return r;
	r = set_adv_data(p);
	if (r < 0 && r != -EBUSY)
		return r;
	r = send_cmd(p->dd, OCF_LE_SET_ADVERTISE_ENABLE, &on, 1);
	return r == -EBUSY ? 0 : r;
}

static bool on_timer(void *user_data)
{
	struct ble_peripheral *p = user_data;

	/* The controller stops ADV_IND when a link comes up (Core v5.3
	 * Vol 6 Part B §4.4.2); start it again once nobody is attached. */
	if (!sim_is_attached(p->sim))
		(void) advertise(p);
	return true;
}

static void on_disconnect(struct sim *sim, int err, void *user_data)
{
	struct ble_peripheral *p = user_data;

	if (p->func)
		p->func(p, false, NULL, p->user_data);
	(void) advertise(p);
}

static bool on_listen(int fd, uint32_t events, void *user_data)
{
	struct ble_peripheral *p = user_data;
	struct sockaddr_l2 peer;
	socklen_t len = sizeof(peer);
	char addr[18];
	int c;

	c = accept4(fd, (struct sockaddr *) &peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return true;
	if (sim_is_attached(p->sim) || sim_attach(p->sim, c, true) < 0) {
		(void) close(c);
		return true;
	}
	ba2str(&peer.l2_bdaddr, addr);
	if (p->func)
		p->func(p, true, addr, p->user_data);
	return true;
}

int ble_adapter_up(int dev_id)
{
	int ctl = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
	int r = 0;

	if (ctl < 0)
		return -errno;
	/* docs/ble-vm.md pitfall 4: without bluetoothd nobody powers it on. */
	if (ioctl(ctl, HCIDEVUP, dev_id) < 0 && errno != EALREADY)
		r = -errno;
	(void) close(ctl);
	return r;
}

struct ble_peripheral *ble_peripheral_new(struct loop *loop, int dev_id,
					  const char *name, struct sim *sim,
					  int *ret_err)
{
	struct sockaddr_l2 src = { .l2_family = AF_BLUETOOTH };
	struct ble_peripheral *p;
	bdaddr_t ba;
	int r;

	p = paced_new0(struct ble_peripheral, 1);
	p->loop = loop;
	p->sim = sim;
	p->dd = -1;
	p->lfd = -1;
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "paced-sim");
	r = ble_adapter_up(dev_id);
	if (r < 0)
		goto fail;
	p->dd = hci_open_dev(dev_id);
	if (p->dd < 0 || hci_read_bd_addr(p->dd, &ba, HCI_TIMEOUT_MS) < 0) {
		r = -errno;
		goto fail;
	}
	ba2str(&ba, p->address);

	p->lfd = socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_NONBLOCK |
			SOCK_CLOEXEC, BTPROTO_L2CAP);
	if (p->lfd < 0) {
		r = -errno;
		goto fail;
	}
	bacpy(&src.l2_bdaddr, &ba);
	src.l2_cid = htobs(ATT_CID);
	src.l2_bdaddr_type = BDADDR_LE_PUBLIC;
	if (bind(p->lfd, (struct sockaddr *) &src, sizeof(src)) < 0 ||
	    listen(p->lfd, 1) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add_fd(loop, p->lfd, EPOLLIN, on_listen, p, NULL);
	if (r < 0)
		goto fail;
	p->listen_id = r;
	sim_set_disconnect_cb(sim, on_disconnect, p);
	r = advertise(p);
	if (r < 0)
		goto fail;
	r = loop_add_timeout(loop, READVERTISE_US, true, on_timer, p, NULL);
	if (r < 0)
		goto fail;
	p->timer_id = r;
	return p;
fail:
	ble_peripheral_free(p);
	*ret_err = r == -EACCES ? -EPERM : r;
	return NULL;
}

void ble_peripheral_free(struct ble_peripheral *p)
{
	if (!p)
		return;
	if (p->timer_id > 0)
		loop_remove(p->loop, p->timer_id);
	if (p->listen_id > 0)
		loop_remove(p->loop, p->listen_id);
	if (p->dd >= 0) {
		uint8_t off = 0;

		(void) send_cmd(p->dd, OCF_LE_SET_ADVERTISE_ENABLE, &off, 1);
		(void) hci_close_dev(p->dd);
	}
	if (p->lfd >= 0)
		(void) close(p->lfd);
	if (p->sim)
		sim_set_disconnect_cb(p->sim, NULL, NULL);
	free(p);
}

const char *ble_peripheral_address(const struct ble_peripheral *p)
{
	return p->address;
}

void ble_peripheral_set_link_cb(struct ble_peripheral *p,
				ble_peripheral_func_t func, void *user_data)
{
	p->func = func;
	p->user_data = user_data;
}
