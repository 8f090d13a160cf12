/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GATT client procedures (Core v5.3 Vol 3 Part G §4) over an ATT bearer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "att.h"

/*
 * Each procedure is a small state machine of ATT requests. It reports
 * once through its callback, never from inside the call that started it.
 * On failure err is a negative errno and ecode the ATT error code when an
 * Error Response caused it (see att.h); a malformed response from the
 * peer fails the procedure with -EBADMSG, a handle sequence that goes
 * backwards (which would loop forever) with -EPROTO. When the bearer is
 * unreferenced, running procedures report -ECANCELED.
 *
 * The arrays passed to callbacks are valid only during the callback.
 */

/* Peer-controlled counts are capped: more than this is -EMSGSIZE. */
#define GATT_MAX_SERVICES	64
#define GATT_MAX_CHARS		128
#define GATT_MAX_DESCS		128

struct gatt_service {
	uint16_t start;			/* declaration handle */
	uint16_t end;			/* last handle of the group */
	struct att_uuid uuid;
};

struct gatt_char {
	uint16_t decl_handle;
	uint16_t value_handle;
	uint16_t end_handle;		/* last handle of its descriptors */
	uint8_t props;			/* GATT_PROP_* */
	struct att_uuid uuid;
};

struct gatt_desc {
	uint16_t handle;
	struct att_uuid uuid;
};

typedef void (*gatt_mtu_func_t)(int err, uint8_t ecode, uint16_t mtu,
				void *user_data);
typedef void (*gatt_services_func_t)(int err, uint8_t ecode,
				     const struct gatt_service *svcs,
				     size_t count, void *user_data);
typedef void (*gatt_chars_func_t)(int err, uint8_t ecode,
				  const struct gatt_char *chars, size_t count,
				  void *user_data);
typedef void (*gatt_descs_func_t)(int err, uint8_t ecode,
				  const struct gatt_desc *descs, size_t count,
				  void *user_data);
typedef void (*gatt_read_func_t)(int err, uint8_t ecode, const uint8_t *value,
				 size_t len, void *user_data);
typedef void (*gatt_write_func_t)(int err, uint8_t ecode, void *user_data);

/*
 * §4.3.1 Exchange MTU: offers client_mtu (23..ATT_MAX_MTU), sets the
 * bearer's MTU to min(client_mtu, server's) and reports it. A server Rx
 * MTU below 23 fails with -ERANGE (the MTU stays 23). Returns 0 or a
 * negative errno (callback not called).
 */
int gatt_exchange_mtu(struct att *att, uint16_t client_mtu,
		      gatt_mtu_func_t func, void *user_data);

/*
 * §4.4.1 Discover All Primary Services (Read By Group Type) when uuid is
 * NULL, §4.4.2 Discover Primary Service by Service UUID (Find By Type
 * Value) otherwise. No service at all is success with count 0.
 */
int gatt_discover_primary(struct att *att, const struct att_uuid *uuid,
			  gatt_services_func_t func, void *user_data);

/* §4.6.1 Discover All Characteristics of a Service (Read By Type 0x2803),
 * 16- and 128-bit UUIDs; end_handle filled in from the next declaration. */
int gatt_discover_chars(struct att *att, uint16_t start, uint16_t end,
			gatt_chars_func_t func, void *user_data);

/* §4.7.1 Discover All Characteristic Descriptors (Find Information). */
int gatt_discover_descs(struct att *att, uint16_t start, uint16_t end,
			gatt_descs_func_t func, void *user_data);

/*
 * §4.8.1 Read Characteristic Value; when the value fills the PDU
 * (ATT_MTU - 1 bytes) it continues with Read Blob (§4.8.3) until a short
 * part, Attribute Not Long or ATT_MAX_VALUE_LEN bytes.
 */
int gatt_read(struct att *att, uint16_t handle, gatt_read_func_t func,
	      void *user_data);

/* §4.9.3 Write Characteristic Value (Write Request); len <= MTU - 3. */
int gatt_write(struct att *att, uint16_t handle, const void *value,
	       size_t len, gatt_write_func_t func, void *user_data);
/* §4.9.1 Write Without Response (Write Command); no acknowledgement. */
int gatt_write_cmd(struct att *att, uint16_t handle, const void *value,
		   size_t len);
/* §4.12.3 + §3.3.3.3: write GATT_CCCD_NOTIFY / _INDICATE bits. */
int gatt_write_cccd(struct att *att, uint16_t cccd_handle, uint16_t bits,
		    gatt_write_func_t func, void *user_data);

/* Lookups in discovery results; NULL when absent. */
const struct gatt_char *gatt_find_char(const struct gatt_char *chars,
				       size_t count,
				       const struct att_uuid *uuid);
const struct gatt_desc *gatt_find_desc(const struct gatt_desc *descs,
				       size_t count, uint16_t start,
				       uint16_t end,
				       const struct att_uuid *uuid);
