/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link-time fake of the libusb-1.0 calls the usb-ant port makes, scripted. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libusb.h>

#include "fake-libusb.h"

/* libusb.h leaves these opaque; the fake gives them a body. */
struct libusb_context {
	int efd;
};
struct libusb_device {
	uint16_t vendor, product;
	uint8_t bus, port;
};
struct libusb_device_handle {
	struct libusb_device *dev;
};

#define MAX_PACKETS	64

static struct {
	struct libusb_context ctx;
	bool ctx_live;
	struct libusb_device dev;
	bool plugged;
	struct libusb_device_handle handle;
	bool open;
	bool hotplug_supported;
	int open_error;
	libusb_pollfd_added_cb added;
	libusb_pollfd_removed_cb removed;
	void *notify_data;
	libusb_hotplug_callback_fn hotplug_cb;
	void *hotplug_data;
	bool arrived_pending, left_pending;
	struct libusb_transfer *in;	/* submitted IN transfer */
	struct libusb_transfer *out;	/* submitted OUT transfer */
	bool cancel_in, cancel_out;
	bool gone_in, gone_out;		/* end with NO_DEVICE */
	uint8_t packets[MAX_PACKETS][64];
	size_t packet_len[MAX_PACKETS];
	size_t n_packets;
	uint8_t out_log[4096];
	size_t out_len;
	struct fake_usb_stats st;
} F;

static void poke(void)
{
	uint64_t one = 1;

	if (F.ctx_live)
		(void) !write(F.ctx.efd, &one, sizeof(one));
}

void fake_usb_reset(void)
{
	memset(&F, 0, sizeof(F));
	F.hotplug_supported = true;
	F.st.kernel_driver_active = true;
}

void fake_usb_set_hotplug(bool supported)
{
	F.hotplug_supported = supported;
}

void fake_usb_set_open_error(int libusb_err)
{
	F.open_error = libusb_err;
}

void fake_usb_plug(uint16_t vendor, uint16_t product, uint8_t bus,
		   uint8_t port)
{
	F.dev.vendor = vendor;
	F.dev.product = product;
	F.dev.bus = bus;
	F.dev.port = port;
	F.plugged = true;
	/* The kernel's usb-serial-simple binds a fresh stick again. */
	F.st.kernel_driver_active = true;
	if (F.hotplug_cb) {
		F.arrived_pending = true;
		poke();
	}
}

void fake_usb_unplug(void)
{
	F.plugged = false;
	F.n_packets = 0;
	if (F.in)
		F.gone_in = true;
	if (F.out)
		F.gone_out = true;
	if (F.hotplug_cb)
		F.left_pending = true;
	poke();
}

void fake_usb_in(const uint8_t *data, size_t len)
{
	if (F.n_packets >= MAX_PACKETS || len > 64)
		abort();
	memcpy(F.packets[F.n_packets], data, len);
	F.packet_len[F.n_packets++] = len;
	poke();
}

size_t fake_usb_take_out(uint8_t *buf, size_t cap)
{
	size_t n = F.out_len < cap ? F.out_len : cap;

	memcpy(buf, F.out_log, n);
	memmove(F.out_log, F.out_log + n, F.out_len - n);
	F.out_len -= n;
	return n;
}

void fake_usb_get_stats(struct fake_usb_stats *ret)
{
	*ret = F.st;
	ret->in_flight_in = F.in != NULL;
	ret->in_flight_out = F.out != NULL;
}

/* ---- the libusb API, as much as port-libusb.c uses ---- */

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	F.ctx.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (F.ctx.efd < 0)
		return LIBUSB_ERROR_OTHER;
	F.ctx_live = true;
	F.st.inits++;
	*ctx = &F.ctx;
	return 0;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	close(ctx->efd);
	F.ctx_live = false;
	F.st.exits++;
}

int LIBUSB_CALL libusb_has_capability(uint32_t capability)
{
	return capability == LIBUSB_CAP_HAS_HOTPLUG && F.hotplug_supported;
}

const struct libusb_pollfd ** LIBUSB_CALL libusb_get_pollfds(
	libusb_context *ctx)
{
	const struct libusb_pollfd **v = calloc(2, sizeof(*v));
	struct libusb_pollfd *p = calloc(1, sizeof(*p));

	p->fd = ctx->efd;
	p->events = POLLIN;
	v[0] = p;
	F.st.pollfds_given++;
	return v;
}

void LIBUSB_CALL libusb_free_pollfds(const struct libusb_pollfd **pollfds)
{
	if (!pollfds)
		return;
	free((void *) pollfds[0]);
	free(pollfds);
}

void LIBUSB_CALL libusb_set_pollfd_notifiers(libusb_context *ctx,
	libusb_pollfd_added_cb added_cb, libusb_pollfd_removed_cb removed_cb,
	void *user_data)
{
	F.added = added_cb;
	F.removed = removed_cb;
	F.notify_data = user_data;
}

int LIBUSB_CALL libusb_get_next_timeout(libusb_context *ctx,
					struct timeval *tv)
{
	return 0;	/* like Linux libusb with timerfd: nothing to time */
}

int LIBUSB_CALL libusb_hotplug_register_callback(libusb_context *ctx,
	int events, int flags, int vendor_id, int product_id, int dev_class,
	libusb_hotplug_callback_fn cb_fn, void *user_data,
	libusb_hotplug_callback_handle *callback_handle)
{
	if (!F.hotplug_supported)
		return LIBUSB_ERROR_NOT_SUPPORTED;
	F.hotplug_cb = cb_fn;
	F.hotplug_data = user_data;
	F.st.hotplug_registered++;
	*callback_handle = 1;
	return LIBUSB_SUCCESS;
}

void LIBUSB_CALL libusb_hotplug_deregister_callback(libusb_context *ctx,
	libusb_hotplug_callback_handle callback_handle)
{
	F.hotplug_cb = NULL;
	F.st.hotplug_registered--;
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx,
					   libusb_device ***list)
{
	libusb_device **v = calloc(2, sizeof(*v));

	if (F.plugged)
		v[0] = &F.dev;
	*list = v;
	return F.plugged ? 1 : 0;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list,
					 int unref_devices)
{
	free(list);
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev,
	struct libusb_device_descriptor *desc)
{
	memset(desc, 0, sizeof(*desc));
	desc->idVendor = dev->vendor;
	desc->idProduct = dev->product;
	desc->bNumConfigurations = 1;
	return 0;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	return dev->bus;
}

uint8_t LIBUSB_CALL libusb_get_port_number(libusb_device *dev)
{
	return dev->port;
}

/* An ANTUSB2's interface 0 (openant base/driver.py looks up the same):
 * bulk OUT 0x01, bulk IN 0x81. */
static const struct libusb_endpoint_descriptor eps[2] = {
	{ .bLength = 7, .bDescriptorType = LIBUSB_DT_ENDPOINT,
	  .bEndpointAddress = 0x81, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK,
	  .wMaxPacketSize = 64 },
	{ .bLength = 7, .bDescriptorType = LIBUSB_DT_ENDPOINT,
	  .bEndpointAddress = 0x01, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK,
	  .wMaxPacketSize = 64 },
};
static const struct libusb_interface_descriptor alt = {
	.bLength = 9, .bDescriptorType = LIBUSB_DT_INTERFACE,
	.bInterfaceNumber = 0, .bNumEndpoints = 2, .endpoint = eps,
};
static const struct libusb_interface iface = {
	.altsetting = &alt, .num_altsetting = 1,
};
static const struct libusb_config_descriptor config = {
	.bLength = 9, .bDescriptorType = LIBUSB_DT_CONFIG,
	.bNumInterfaces = 1, .interface = &iface,
};

int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev,
	struct libusb_config_descriptor **config_out)
{
	*config_out = (struct libusb_config_descriptor *) &config;
	return 0;
}

void LIBUSB_CALL libusb_free_config_descriptor(
	struct libusb_config_descriptor *cfg)
{
}

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	if (F.open_error) {
		int r = F.open_error;

		F.open_error = 0;
		return r;
	}
	if (!F.plugged || F.open)
		return LIBUSB_ERROR_NO_DEVICE;
	F.open = true;
	F.handle.dev = dev;
	F.st.opens++;
	*h = &F.handle;
	return 0;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *h)
{
	F.open = false;
	F.st.closes++;
}

libusb_device * LIBUSB_CALL libusb_get_device(libusb_device_handle *h)
{
	return h->dev;
}

int LIBUSB_CALL libusb_kernel_driver_active(libusb_device_handle *h,
					    int interface_number)
{
	if (!F.plugged)
		return LIBUSB_ERROR_NO_DEVICE;
	return F.st.kernel_driver_active ? 1 : 0;
}

int LIBUSB_CALL libusb_detach_kernel_driver(libusb_device_handle *h,
					    int interface_number)
{
	if (!F.st.kernel_driver_active)
		return LIBUSB_ERROR_NOT_FOUND;
	F.st.kernel_driver_active = false;
	F.st.detaches++;
	return 0;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *h,
				       int interface_number)
{
	/* The real call fails while usb-serial-simple holds it. */
	if (F.st.kernel_driver_active)
		return LIBUSB_ERROR_BUSY;
	F.st.claims++;
	return 0;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *h,
					 int interface_number)
{
	F.st.releases++;
	return F.plugged ? 0 : LIBUSB_ERROR_NO_DEVICE;
}

struct libusb_transfer * LIBUSB_CALL libusb_alloc_transfer(int iso_packets)
{
	return calloc(1, sizeof(struct libusb_transfer));
}

void LIBUSB_CALL libusb_free_transfer(struct libusb_transfer *t)
{
	if (t == F.in || t == F.out)
		abort();	/* freeing a transfer libusb still owns */
	free(t);
}

int LIBUSB_CALL libusb_submit_transfer(struct libusb_transfer *t)
{
	if (!F.plugged || !F.open)
		return LIBUSB_ERROR_NO_DEVICE;
	if (t->type != LIBUSB_TRANSFER_TYPE_BULK)
		abort();
	F.st.submits++;
	if (t->endpoint & LIBUSB_ENDPOINT_IN) {
		if (F.in)
			return LIBUSB_ERROR_BUSY;
		F.in = t;
		if (F.n_packets)
			poke();
		return 0;
	}
	if (F.out)
		return LIBUSB_ERROR_BUSY;
	if (F.out_len + (size_t) t->length > sizeof(F.out_log))
		abort();
	memcpy(F.out_log + F.out_len, t->buffer, (size_t) t->length);
	F.out_len += (size_t) t->length;
	F.out = t;
	poke();
	return 0;
}

int LIBUSB_CALL libusb_cancel_transfer(struct libusb_transfer *t)
{
	F.st.cancels++;
	if (t == F.in)
		F.cancel_in = true;
	else if (t == F.out)
		F.cancel_out = true;
	else
		return LIBUSB_ERROR_NOT_FOUND;
	poke();
	return 0;
}

static void finish(struct libusb_transfer **slot, enum libusb_transfer_status st,
		   int actual)
{
	struct libusb_transfer *t = *slot;

	*slot = NULL;
	t->status = st;
	t->actual_length = actual;
	t->callback(t);
}

int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context *ctx,
	struct timeval *tv, int *completed)
{
	uint64_t v;

	(void) !read(ctx->efd, &v, sizeof(v));
	if (F.arrived_pending && F.hotplug_cb) {
		F.arrived_pending = false;
		F.hotplug_cb(ctx, &F.dev, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED,
			     F.hotplug_data);
	}
	if (F.out && (F.cancel_out || F.gone_out)) {
		bool gone = F.gone_out;

		F.cancel_out = F.gone_out = false;
		finish(&F.out, gone ? LIBUSB_TRANSFER_NO_DEVICE :
		       LIBUSB_TRANSFER_CANCELLED, 0);
	} else if (F.out) {
		finish(&F.out, LIBUSB_TRANSFER_COMPLETED, F.out->length);
	}
	if (F.in && (F.cancel_in || F.gone_in)) {
		bool gone = F.gone_in;

		F.cancel_in = F.gone_in = false;
		finish(&F.in, gone ? LIBUSB_TRANSFER_NO_DEVICE :
		       LIBUSB_TRANSFER_CANCELLED, 0);
	} else if (F.in && F.n_packets) {
		struct libusb_transfer *t = F.in;
		size_t n = F.packet_len[0];

		if ((size_t) t->length < n)
			abort();
		memcpy(t->buffer, F.packets[0], n);
		F.n_packets--;
		memmove(F.packets, F.packets + 1,
			F.n_packets * sizeof(F.packets[0]));
		memmove(F.packet_len, F.packet_len + 1,
			F.n_packets * sizeof(F.packet_len[0]));
		finish(&F.in, LIBUSB_TRANSFER_COMPLETED, (int) n);
	}
	F.cancel_in = F.cancel_out = false;
	if (F.left_pending && F.hotplug_cb) {
		F.left_pending = false;
		F.hotplug_cb(ctx, &F.dev, LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
			     F.hotplug_data);
	}
	/* More to deliver: stay readable, one packet per round, as each
	 * bulk read completes on its own. */
	if (F.n_packets || F.out || F.arrived_pending)
		poke();
	if (completed)
		*completed = 1;
	return 0;
}
