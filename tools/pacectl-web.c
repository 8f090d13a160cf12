/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pacectl web: pair a phone with the web page, list and revoke paired devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "json-read.h"
#include "pacectl.h"

#define WEB_TIMEOUT_MS 5000

static void web_usage(FILE *f)
{
	fprintf(f,
"Usage: pacectl [--socket PATH] web pair|devices|revoke ID [--json]\n"
"Manage who may use paced's web page (the web plugin must be loaded).\n"
"\n"
"  pair         print a one-time pairing link, valid 5 minutes (and its QR\n"
"               code on a terminal); open it on the phone to pair it\n"
"  devices      list paired devices\n"
"  revoke ID    unpair a device at once (its ID from 'devices')\n"
"  -j, --json   print paced's reply as is\n");
}

#ifdef HAVE_QRENCODE
/* Two modules a character (upper and lower half blocks), with the
 * quiet zone of 4 modules ISO/IEC 18004 asks for. */
static void print_qr(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int w, q = 4;

	if (!qr)
		return;
	w = qr->width;
	for (int y = -q; y < w + q; y += 2) {
		for (int x = -q; x < w + q; x++) {
			bool top = y >= 0 && y < w && x >= 0 && x < w &&
				   (qr->data[y * w + x] & 1);
			bool bot = y + 1 >= 0 && y + 1 < w && x >= 0 &&
				   x < w && (qr->data[(y + 1) * w + x] & 1);

			/* Dark modules print as spaces on a light block:
			 * terminals are mostly dark. */
			fputs(top ? (bot ? " " : "\u2584") :
				    (bot ? "\u2580" : "\u2588"), stdout);
		}
		putchar('\n');
	}
	QRcode_free(qr);
}
#endif

int cmd_web(int argc, char **argv)
{
	const struct json_value *list;
	struct json_value *v;
	char req[96], *reply = NULL;
	bool json = false, ok = false;
	const char *sub = NULL, *id = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			web_usage(stdout);
			return PACECTL_EXIT_OK;
		}
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
		else if (!sub)
			sub = argv[i];
		else if (!id)
			id = argv[i];
		else {
			web_usage(stderr);
			return PACECTL_EXIT_USAGE;
		}
	}
	if (!sub || (!strcmp(sub, "revoke") != !!id) ||
	    (strcmp(sub, "pair") && strcmp(sub, "devices") &&
	     strcmp(sub, "revoke")) ||
	    (id && (strlen(id) > 16 || strspn(id, "0123456789abcdef") != strlen(id)))) {
		web_usage(stderr);
		return PACECTL_EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "web %s%s%s", sub, id ? " " : "",
		 id ? id : "");
	r = pacectl_request(req, WEB_TIMEOUT_MS, &reply);
	if (r < 0)
		return PACECTL_EXIT_FAIL;
	v = json_parse(reply, strlen(reply), NULL);
	json_get_bool(v, "ok", &ok);
	if (json || !ok) {
		if (ok)
			puts(reply);
		else
			fprintf(stderr, "pacectl web: %s\n",
				json_get_string(v, "error") ?
				json_get_string(v, "error") : reply);
	} else if (!strcmp(sub, "pair")) {
		const char *url = json_get_string(v, "pair");

		printf("Open this on the phone within 5 minutes (it works once):\n\n  %s\n\n",
		       url ? url : "?");
#ifdef HAVE_QRENCODE
		if (url && isatty(STDOUT_FILENO))
			print_qr(url);
#endif
	} else if (!strcmp(sub, "devices")) {
		list = json_get(v, "devices");
		if (!json_len(list))
			puts("No device is paired (pacectl web pair).");
		for (size_t i = 0; i < json_len(list); i++) {
			const struct json_value *d = json_at(list, i);
			int64_t t = 0;
			time_t tt;
			char when[32] = "?";

			if (json_get_int(d, "created", &t)) {
				tt = (time_t) t;
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
					 localtime(&tt));
			}
			printf("%s  paired %s  %s\n",
			       json_get_string(d, "id") ? json_get_string(d, "id") : "?",
			       when,
			       json_get_string(d, "agent") ? json_get_string(d, "agent") : "");
		}
	} else {
		printf("Revoked %s.\n", id);
	}
	json_value_free(v);
	free(reply);
	return ok ? PACECTL_EXIT_OK : PACECTL_EXIT_FAIL;
}
