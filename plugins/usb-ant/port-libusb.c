/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ANT port over libusb-1.0: async bulk transfers on the paced event loop. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "util.h"
#include "ant-port.h"
#include "usb-ant.h"

/*
 * No threads and no blocking calls: libusb's own fds join the loop
 * through libusb_get_pollfds() and the pollfd notifiers; on readiness we
 * run libusb_handle_events_timeout_completed() with a zero timeout, and
 * libusb's next internal timeout becomes a loop timer. Transfers are
 * asynchronous: one bulk IN always pending, one bulk OUT at a time.
 * Every libusb call of the driver is in this file (docs/ant.md 1.5), so a
 * link-time fake of those calls (tests/fakes/fake-libusb.c) runs the
 * code below unchanged in 'make check'.
 */

/* A full-speed bulk packet; a read may hold several ANT frames. */
#define IN_SIZE		64
#define OUT_MAX		512
/* Without hotplug support, look for a stick this often. */
#define RESCAN_US	(2 * USEC_PER_SEC)

struct fdw {
	int fd;
	int id;
	struct fdw *next;
};

struct port {
	struct loop *loop;
	struct ant_port_cbs cbs;
	struct usb_ant_config cfg;
	libusb_context *ctx;
	struct fdw *fds;
	int timeout_id;			/* libusb's next timeout */
	int rescan_id;			/* no hotplug: periodic open attempts */
	int idle_id;			/* deferred open / close */
	libusb_hotplug_callback_handle hotplug;
	bool have_hotplug;
	bool started;
	libusb_device_handle *handle;
	bool claimed;
	bool present;			/* present(true) sent */
	bool closing;			/* waiting for transfers to finish */
	bool want_open;			/* a stick may have arrived */
	bool looked;			/* the first search has run */
	int gone_err;
	uint8_t ep_in, ep_out;
	struct libusb_transfer *in;
	struct libusb_transfer *out;
	bool in_busy, out_busy;
	uint8_t in_buf[IN_SIZE];
	uint8_t out_buf[OUT_MAX];
	uint8_t queue[OUT_MAX];		/* bytes waiting for the OUT slot */
	size_t queue_len;
};

static int usb_err(int r)
{
	switch (r) {
	case LIBUSB_ERROR_IO:
		return -EIO;
	case LIBUSB_ERROR_INVALID_PARAM:
		return -EINVAL;
	case LIBUSB_ERROR_ACCESS:
		return -EACCES;
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
		return -ENODEV;
	case LIBUSB_ERROR_BUSY:
		return -EBUSY;
	case LIBUSB_ERROR_TIMEOUT:
		return -ETIMEDOUT;
	case LIBUSB_ERROR_NO_MEM:
		return -ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static void schedule(struct port *p);
static void update_timeout(struct port *p);

static bool on_usb_fd(int fd, uint32_t events, void *user_data)
{
	struct port *p = user_data;
	struct timeval zero = { 0, 0 };

	(void) libusb_handle_events_timeout_completed(p->ctx, &zero, NULL);
	update_timeout(p);
	return true;
}

static bool on_usb_timeout(void *user_data)
{
	struct port *p = user_data;
	struct timeval zero = { 0, 0 };

	p->timeout_id = 0;
	(void) libusb_handle_events_timeout_completed(p->ctx, &zero, NULL);
	update_timeout(p);
	return false;
}

/* libusb may need to run at a time of its own (transfer timeouts on
 * platforms without timerfd): follow libusb_get_next_timeout(). */
static void update_timeout(struct port *p)
{
	struct timeval tv;
	uint64_t us;
	int r, id;

	if (p->timeout_id > 0)
		loop_remove(p->loop, p->timeout_id);
	p->timeout_id = 0;
	r = libusb_get_next_timeout(p->ctx, &tv);
	if (r <= 0)
		return;
	us = (uint64_t) tv.tv_sec * USEC_PER_SEC + (uint64_t) tv.tv_usec;
	id = loop_add_timeout(p->loop, us, false, on_usb_timeout, p, NULL);
	p->timeout_id = id > 0 ? id : 0;
}

static uint32_t poll_to_epoll(short events)
{
	uint32_t e = 0;

	if (events & POLLIN)
		e |= EPOLLIN;
	if (events & POLLOUT)
		e |= EPOLLOUT;
	return e;
}

static void add_fd(int fd, short events, void *user_data)
{
	struct port *p = user_data;
	struct fdw *w;
	int id = loop_add_fd(p->loop, fd, poll_to_epoll(events), on_usb_fd,
			     p, NULL);

	if (id < 0)
		return;
	w = paced_new0(struct fdw, 1);
	w->fd = fd;
	w->id = id;
	w->next = p->fds;
	p->fds = w;
}

static void remove_fd(int fd, void *user_data)
{
	struct port *p = user_data;
	struct fdw **pp;

	for (pp = &p->fds; *pp; pp = &(*pp)->next) {
		struct fdw *w = *pp;

		if (w->fd != fd)
			continue;
		loop_remove(p->loop, w->id);
		*pp = w->next;
		free(w);
		return;
	}
}

static bool wanted(const struct port *p, libusb_device *dev)
{
	struct libusb_device_descriptor d;

	if (libusb_get_device_descriptor(dev, &d) < 0)
		return false;
	if (p->cfg.bus >= 0) {
		return libusb_get_bus_number(dev) == p->cfg.bus &&
		       libusb_get_port_number(dev) == p->cfg.port;
	}
	if (d.idVendor != (p->cfg.vendor ? p->cfg.vendor : USB_ANT_VENDOR))
		return false;
	if (p->cfg.product)
		return d.idProduct == p->cfg.product;
	return d.idProduct == USB_ANT_PRODUCT_USB2 ||
	       d.idProduct == USB_ANT_PRODUCT_USBM;
}

/* openant (docs/ant.md 1.1): the first bulk OUT and IN endpoints of
 * interface 0. */
static int find_endpoints(struct port *p, libusb_device *dev)
{
	struct libusb_config_descriptor *cd;
	const struct libusb_interface_descriptor *alt;
	uint8_t i;
	int r;

	r = libusb_get_active_config_descriptor(dev, &cd);
	if (r < 0)
		return usb_err(r);
	p->ep_in = p->ep_out = 0;
	if (cd->bNumInterfaces < 1 || cd->interface[0].num_altsetting < 1) {
		libusb_free_config_descriptor(cd);
		return -ENODEV;
	}
	alt = &cd->interface[0].altsetting[0];
	for (i = 0; i < alt->bNumEndpoints; i++) {
		const struct libusb_endpoint_descriptor *ep = &alt->endpoint[i];

		if ((ep->bmAttributes & 0x03) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !p->ep_in)
			p->ep_in = ep->bEndpointAddress;
		else if (!(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
			 !p->ep_out)
			p->ep_out = ep->bEndpointAddress;
	}
	libusb_free_config_descriptor(cd);
	return p->ep_in && p->ep_out ? 0 : -ENODEV;
}

static void kick_out(struct port *p);
static void begin_close(struct port *p, int err);

static void in_done(struct libusb_transfer *t)
{
	struct port *p = t->user_data;

	p->in_busy = false;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (p->closing)
			break;
		if (t->actual_length > 0 && p->cbs.input)
			p->cbs.input(p->in_buf, (size_t) t->actual_length,
				     p->cbs.user_data);
		if (p->closing || !p->handle)
			break;
		if (libusb_submit_transfer(t) == 0) {
			p->in_busy = true;
			return;
		}
		begin_close(p, -EIO);
		return;
	case LIBUSB_TRANSFER_TIMED_OUT:
		if (!p->closing && libusb_submit_transfer(t) == 0) {
			p->in_busy = true;
			return;
		}
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		begin_close(p, -ENODEV);
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_ERROR:
	case LIBUSB_TRANSFER_STALL:
	case LIBUSB_TRANSFER_OVERFLOW:
		begin_close(p, -EIO);
		return;
	}
	if (p->closing)
		schedule(p);
}

static void out_done(struct libusb_transfer *t)
{
	struct port *p = t->user_data;

	p->out_busy = false;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (!p->closing)
			kick_out(p);
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		begin_close(p, -ENODEV);
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		break;
	case LIBUSB_TRANSFER_TIMED_OUT:
	case LIBUSB_TRANSFER_ERROR:
	case LIBUSB_TRANSFER_STALL:
	case LIBUSB_TRANSFER_OVERFLOW:
		begin_close(p, -EIO);
		return;
	}
	if (p->closing)
		schedule(p);
}

static void kick_out(struct port *p)
{
	if (p->out_busy || !p->queue_len || !p->handle || p->closing)
		return;
	memcpy(p->out_buf, p->queue, p->queue_len);
	libusb_fill_bulk_transfer(p->out, p->handle, p->ep_out, p->out_buf,
				  (int) p->queue_len, out_done, p, 1000);
	if (libusb_submit_transfer(p->out) < 0) {
		begin_close(p, -EIO);
		return;
	}
	p->out_busy = true;
	p->queue_len = 0;
}

/* The stick went away or failed: cancel what is in flight, close once
 * both transfers are back (never free a transfer libusb still owns). */
static void begin_close(struct port *p, int err)
{
	if (!p->handle || p->closing)
		return;
	p->closing = true;
	p->gone_err = err;
	p->queue_len = 0;
	if (p->in_busy)
		(void) libusb_cancel_transfer(p->in);
	if (p->out_busy)
		(void) libusb_cancel_transfer(p->out);
	schedule(p);
}

static void finish_close(struct port *p)
{
	bool was_present = p->present;

	if (p->claimed)
		(void) libusb_release_interface(p->handle, 0);
	p->claimed = false;
	libusb_close(p->handle);
	p->handle = NULL;
	p->closing = false;
	p->present = false;
	if (was_present && p->cbs.present)
		p->cbs.present(false, p->gone_err, p->cbs.user_data);
}

static int open_stick(struct port *p)
{
	libusb_device **list;
	libusb_device *dev = NULL;
	ssize_t n, i;
	int r;

	n = libusb_get_device_list(p->ctx, &list);
	if (n < 0)
		return usb_err((int) n);
	for (i = 0; i < n && !dev; i++)
		if (wanted(p, list[i]))
			dev = list[i];
	if (!dev) {
		libusb_free_device_list(list, 1);
		return -ENODEV;
	}
	r = libusb_open(dev, &p->handle);
	if (r < 0) {
		libusb_free_device_list(list, 1);
		p->handle = NULL;
		return usb_err(r);
	}
	r = find_endpoints(p, dev);
	libusb_free_device_list(list, 1);
	if (r < 0)
		goto fail;
	/* docs/ant.md 1.1: the kernel binds 0fcf:1008/1009 to usb-serial-simple
	 * (/dev/ttyUSBn); take the interface from it. */
	if (libusb_kernel_driver_active(p->handle, 0) == 1) {
		r = libusb_detach_kernel_driver(p->handle, 0);
		if (r < 0 && r != LIBUSB_ERROR_NOT_FOUND) {
			r = usb_err(r);
			goto fail;
		}
	}
	r = libusb_claim_interface(p->handle, 0);
	if (r < 0) {
		r = usb_err(r);
		goto fail;
	}
	p->claimed = true;
	libusb_fill_bulk_transfer(p->in, p->handle, p->ep_in, p->in_buf,
				  sizeof(p->in_buf), in_done, p, 0);
	r = libusb_submit_transfer(p->in);
	if (r < 0) {
		r = usb_err(r);
		goto fail;
	}
	p->in_busy = true;
	p->present = true;
	return 0;
fail:
	if (p->claimed)
		(void) libusb_release_interface(p->handle, 0);
	p->claimed = false;
	libusb_close(p->handle);
	p->handle = NULL;
	return r;
}

static bool on_idle(void *user_data)
{
	struct port *p = user_data;

	p->idle_id = 0;
	if (p->closing) {
		if (p->in_busy || p->out_busy)
			return false;	/* a completion reschedules us */
		finish_close(p);
	}
	if (p->want_open && !p->handle) {
		int r = open_stick(p);

		p->want_open = false;
		/* The first failure is reported (no stick, no permission):
		 * a person starting a session wants to know now. Later
		 * misses are just a stick not plugged in yet. */
		if (p->cbs.present && (r == 0 || !p->looked))
			p->cbs.present(r == 0, r, p->cbs.user_data);
		p->looked = true;
	}
	update_timeout(p);
	return false;
}

/* Hotplug and transfer callbacks only note what happened; the work runs
 * from an idle callback, outside libusb's event handling (docs/design.md). */
static void schedule(struct port *p)
{
	int id;

	if (p->idle_id)
		return;
	id = loop_add_idle(p->loop, on_idle, p, NULL);
	p->idle_id = id > 0 ? id : 0;
}

static int on_hotplug(libusb_context *ctx, libusb_device *dev,
		      libusb_hotplug_event event, void *user_data)
{
	struct port *p = user_data;

	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
		/* Noted even while a handle is open or closing (a quick
		 * re-plug): the open runs once the old handle is gone. */
		if (wanted(p, dev)) {
			p->want_open = true;
			schedule(p);
		}
	} else if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT) {
		/* The pending IN transfer reports NO_DEVICE as well; this
		 * covers a stick that leaves between two transfers. */
		if (p->handle && libusb_get_device(p->handle) == dev)
			begin_close(p, -ENODEV);
	}
	return 0;
}

static bool on_rescan(void *user_data)
{
	struct port *p = user_data;

	if (!p->handle) {
		p->want_open = true;
		schedule(p);
	}
	return true;
}

static int port_start(void *impl)
{
	struct port *p = impl;
	int r;

	if (p->started)
		return 0;
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		r = libusb_hotplug_register_callback(p->ctx,
				LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
				LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
				LIBUSB_HOTPLUG_NO_FLAGS,
				p->cfg.bus >= 0 ? LIBUSB_HOTPLUG_MATCH_ANY :
				(p->cfg.vendor ? p->cfg.vendor : USB_ANT_VENDOR),
				LIBUSB_HOTPLUG_MATCH_ANY,
				LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, p,
				&p->hotplug);
		p->have_hotplug = r == LIBUSB_SUCCESS;
	}
	if (!p->have_hotplug) {
		r = loop_add_timeout(p->loop, RESCAN_US, true, on_rescan, p,
				     NULL);
		p->rescan_id = r > 0 ? r : 0;
	}
	p->started = true;
	/* Present or not, the first look happens from the loop. */
	p->want_open = true;
	schedule(p);
	return 0;
}

static int port_write(void *impl, const uint8_t *buf, size_t len)
{
	struct port *p = impl;

	if (!p->handle || p->closing)
		return -ENODEV;
	if (len > sizeof(p->queue) - p->queue_len)
		return -ENOBUFS;
	memcpy(p->queue + p->queue_len, buf, len);
	p->queue_len += len;
	kick_out(p);
	return 0;
}

static void port_free(void *impl)
{
	struct port *p = impl;
	struct timeval tv = { 0, 100000 };
	int rounds;

	if (!p)
		return;
	if (p->idle_id > 0)
		loop_remove(p->loop, p->idle_id);
	p->idle_id = 0;
	if (p->rescan_id > 0)
		loop_remove(p->loop, p->rescan_id);
	if (p->timeout_id > 0)
		loop_remove(p->loop, p->timeout_id);
	p->cbs.present = NULL;
	p->cbs.input = NULL;
	if (p->ctx && p->have_hotplug)
		libusb_hotplug_deregister_callback(p->ctx, p->hotplug);
	if (p->handle) {
		begin_close(p, -ECANCELED);
		/* Teardown only: wait (bounded) for the cancelled transfers
		 * to come back before freeing them. */
		for (rounds = 0; rounds < 20 && (p->in_busy || p->out_busy);
		     rounds++)
			(void) libusb_handle_events_timeout_completed(p->ctx,
								     &tv, NULL);
		if (!p->in_busy && !p->out_busy)
			finish_close(p);
	}
	if (!p->in_busy && p->in)
		libusb_free_transfer(p->in);
	if (!p->out_busy && p->out)
		libusb_free_transfer(p->out);
	if (p->ctx) {
		libusb_set_pollfd_notifiers(p->ctx, NULL, NULL, NULL);
		while (p->fds)
			remove_fd(p->fds->fd, p);
		libusb_exit(p->ctx);
	}
	free(p);
}

void *ant_port_libusb_new(struct loop *loop, const struct usb_ant_config *cfg,
			  const struct ant_port_cbs *cbs)
{
	struct port *p = paced_new0(struct port, 1);
	const struct libusb_pollfd **pfds;
	int i;

	p->loop = loop;
	p->cbs = *cbs;
	p->cfg = *cfg;
	if (libusb_init(&p->ctx) < 0) {
		p->ctx = NULL;
		goto fail;
	}
	p->in = libusb_alloc_transfer(0);
	p->out = libusb_alloc_transfer(0);
	if (!p->in || !p->out)
		goto fail;
	libusb_set_pollfd_notifiers(p->ctx, add_fd, remove_fd, p);
	pfds = libusb_get_pollfds(p->ctx);
	if (!pfds)
		goto fail;
	for (i = 0; pfds[i]; i++)
		add_fd(pfds[i]->fd, pfds[i]->events, p);
	libusb_free_pollfds(pfds);
	return p;
fail:
	port_free(p);
	return NULL;
}

const struct ant_port_ops ant_port_libusb_ops = {
	.name = "libusb",
	.start = port_start,
	.write = port_write,
	.free = port_free,
};
