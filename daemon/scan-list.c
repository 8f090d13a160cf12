/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Advertisers a scan reported: one entry per address, the newest report wins. */
#include <stdio.h>
#include <string.h>

#include "scan-list.h"

struct scan_seen *scan_list_add(struct scan_list *l,
				const struct paced_scan_result *res)
{
	struct scan_seen *d = NULL;

	for (size_t i = 0; i < l->n && !d; i++)
		if (!strcmp(l->seen[i].address, res->address))
			d = &l->seen[i];
	if (!d) {
		if (l->n == SCAN_LIST_MAX)
			return NULL;
		d = &l->seen[l->n++];
	}
	snprintf(d->address, sizeof(d->address), "%s", res->address);
	snprintf(d->name, sizeof(d->name), "%s", res->name ? res->name : "");
	snprintf(d->kind, sizeof(d->kind), "%s", res->kind ? res->kind : "-");
	d->rssi = res->rssi;
	d->ftms = res->ftms;
	d->treadmill = res->treadmill;
	d->service_data = res->service_data;
	d->available = res->available;
	d->machine_type = res->machine_type;
	return d;
}

void scan_seen_json(struct json *j, const struct scan_seen *d)
{
	json_object_begin(j);
	json_key(j, "address");
	json_string(j, d->address);
	json_key(j, "name");
	json_string(j, d->name);
	json_key(j, "rssi");
	if (d->rssi != 127)
		json_int(j, d->rssi);
	else
		json_null(j);
	json_key(j, "ftms");
	json_bool(j, d->ftms);
	json_key(j, "treadmill");
	json_bool(j, d->treadmill);
	json_key(j, "machine_type");
	if (d->service_data)
		json_uint(j, d->machine_type);
	else
		json_null(j);
	json_key(j, "available");
	if (d->service_data)
		json_bool(j, d->available);
	else
		json_null(j);
	json_key(j, "kind");
	json_string(j, d->kind);
	json_object_end(j);
}
