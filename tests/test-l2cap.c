/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Bluetooth LE transport without a radio: addresses, adapters, backoff, errors. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "l2cap.h"
#include "mainloop.h"
#include "sim-transport.h"
#include "transport.h"

START_TEST(bdaddr_forms)
{
	uint8_t a[6] = { 0 };
	bool random = true;

	ck_assert_int_eq(l2cap_parse_bdaddr("00:AA:01:02:03:fe", a,
						&random), 0);
	/* kernel order: little endian, last printed byte first */
	ck_assert_uint_eq(a[0], 0xfe);
	ck_assert_uint_eq(a[1], 0x03);
	ck_assert_uint_eq(a[4], 0xaa);
	ck_assert_uint_eq(a[5], 0x00);
	ck_assert(!random);
	ck_assert_int_eq(l2cap_parse_bdaddr("C0:11:22:33:44:55/random", a,
						&random), 0);
	ck_assert(random);
	ck_assert_uint_eq(a[5], 0xc0);
	ck_assert_int_eq(l2cap_parse_bdaddr("C0:11:22:33:44:55/public", a,
						&random), 0);
	ck_assert(!random);
}
END_TEST

START_TEST(bdaddr_bad)
{
	static const char *const bad[] = {
		"", "00:11:22:33:44", "00:11:22:33:44:55:66", "0:11:22:33:44:55",
		"00-11-22-33-44-55", "00:11:22:33:44:5g", "00:11:22:33:44:55/",
		"00:11:22:33:44:55/Random", "00:11:22:33:44:55 ", "001122334455",
		"00:11:22:33:44:55/random/public",
	};
	uint8_t a[6] = { 1, 2, 3, 4, 5, 6 };
	bool random = true;
	struct loop *loop = loop_new(NULL);
	struct transport *t = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(l2cap_parse_bdaddr(bad[i], a, &random) ==
			      -EINVAL, "accepted '%s'", bad[i]);
		/* Refused before any socket is made. */
		ck_assert_int_eq(l2cap_transport_open(loop, bad[i], NULL, &t),
				 -EINVAL);
		ck_assert_ptr_null(t);
	}
	loop_free(loop);
	/* out-parameters untouched on failure */
	ck_assert_uint_eq(a[0], 1);
	ck_assert_uint_eq(a[5], 6);
	ck_assert(random);
	ck_assert_int_eq(l2cap_parse_bdaddr(NULL, a, &random), -EINVAL);
}
END_TEST

START_TEST(adapter_forms)
{
	uint8_t a[6] = { 0 };
	int idx = 42;

	ck_assert_int_eq(l2cap_parse_adapter("hci0", &idx, a), 0);
	ck_assert_int_eq(idx, 0);
	ck_assert_int_eq(l2cap_parse_adapter("hci12", &idx, a), 0);
	ck_assert_int_eq(idx, 12);
	ck_assert_int_eq(l2cap_parse_adapter("00:1A:7D:DA:71:13", &idx, a),
			 0);
	ck_assert_int_eq(idx, -1);
	ck_assert_uint_eq(a[0], 0x13);
	ck_assert_uint_eq(a[5], 0x00);
	idx = 7;
	ck_assert_int_eq(l2cap_parse_adapter("hci", &idx, a), -EINVAL);
	ck_assert_int_eq(l2cap_parse_adapter("hci-1", &idx, a), -EINVAL);
	ck_assert_int_eq(l2cap_parse_adapter("hci65536", &idx, a), -EINVAL);
	ck_assert_int_eq(l2cap_parse_adapter("hci1x", &idx, a), -EINVAL);
	ck_assert_int_eq(l2cap_parse_adapter("usb0", &idx, a), -EINVAL);
	ck_assert_int_eq(l2cap_parse_adapter("00:1A:7D:DA:71:13/random",
						 &idx, a), -EINVAL);
	ck_assert_int_eq(idx, 7);
}
END_TEST

/* Reconnect schedule: 0.5 s doubling to an 8 s cap, as run.c uses it. */
START_TEST(backoff_schedule)
{
	static const uint64_t want[] = {
		500000, 1000000, 2000000, 4000000, 8000000, 8000000, 8000000,
	};
	uint64_t b = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		b = transport_backoff_next(b, 500000, 8000000);
		ck_assert_uint_eq(b, want[i]);
	}
	/* a cap that is not a power-of-two multiple is still reached */
	ck_assert_uint_eq(transport_backoff_next(4000000, 500000, 6000000),
			  6000000);
	ck_assert_uint_eq(transport_backoff_next(0, 9000000, 6000000), 6000000);
	ck_assert_uint_eq(transport_backoff_next(UINT64_MAX / 2 + 1, 1,
						 UINT64_MAX), UINT64_MAX);
}
END_TEST

/*
 * Opening a Bluetooth address on this host: with no Bluetooth in the
 * kernel (CI), a clear -EAFNOSUPPORT; with an adapter name that does not
 * exist, -ENODEV. A host with a radio may get further: then only the
 * contract (connecting or an errno with a message) is checked.
 */
START_TEST(open_without_radio)
{
	struct loop *loop = loop_new(NULL);
	struct transport *t = NULL;
	int fd, r;

	fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET, 0 /* BTPROTO_L2CAP */);
	r = l2cap_transport_open(loop, "00:AA:01:00:00:00", NULL, &t);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		ck_assert_int_eq(r, -EAFNOSUPPORT);
		ck_assert_ptr_null(t);
		ck_assert_ptr_nonnull(strstr(l2cap_error_str(r),
					     "no Bluetooth"));
		ck_assert_int_eq(l2cap_transport_open(loop, "00:AA:01:00:00:00",
						      "hci9999", &t),
				 -EAFNOSUPPORT);
	} else {
		if (r == 0) {
			ck_assert_ptr_nonnull(t);
			transport_free(t);
			t = NULL;
		} else {
			ck_assert_ptr_nonnull(l2cap_error_str(r));
		}
		ck_assert_int_eq(l2cap_transport_open(loop, "00:AA:01:00:00:00",
						      "hci9999", &t), -ENODEV);
	}
	ck_assert_ptr_null(t);
	ck_assert_int_eq(l2cap_transport_open(loop, "00:AA:01:00:00:00/bogus",
					      "nonsense", &t), -EINVAL);
	if (fd >= 0)
		close(fd);
	loop_free(loop);
}
END_TEST

static void on_connected(struct transport *t, int err, void *user_data)
{
	int *called = user_data;

	*called = err == 0 ? 1 : err;
}

/* The wait helper reports a transport that is connected at once (sim)
 * from the loop, never from inside the call. */
START_TEST(wait_connected_now)
{
	struct loop *loop = loop_new(NULL);
	struct transport *t = NULL;
	int called = 0;

	ck_assert_int_eq(sim_transport_open(loop, NULL, &t), 0);
	ck_assert(!transport_connecting(t));
	ck_assert_int_eq(transport_finish_connect(t), 0);
	ck_assert_int_eq(transport_wait_connected(t, 1000000, on_connected,
						  &called), 0);
	ck_assert_int_eq(called, 0);
	ck_assert_int_ge(loop_iterate(loop, 100), 0);
	ck_assert_int_eq(called, 1);
	/* cancelled by free: no call after */
	called = 0;
	ck_assert_int_eq(transport_wait_connected(t, 1000000, on_connected,
						  &called), 0);
	transport_free(t);
	ck_assert_int_ge(loop_iterate(loop, 10), 0);
	ck_assert_int_eq(called, 0);
	loop_free(loop);
}
END_TEST

START_TEST(security_on_non_bluetooth)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_eq(l2cap_raise_security(sv[0], false),
			 -ENOPROTOOPT);
	/* qemu-user (make check-arm64) has no SOL_BLUETOOTH options: it
	 * answers ENOPROTOOPT before the kernel sees the fd. */
	if (!getenv("PACED_QEMU_USER"))
		ck_assert_int_eq(l2cap_raise_security(-1, true), -EBADF);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("transport-bt");
	TCase *tc = tcase_create("bt");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, bdaddr_forms);
	tcase_add_test(tc, bdaddr_bad);
	tcase_add_test(tc, adapter_forms);
	tcase_add_test(tc, backoff_schedule);
	tcase_add_test(tc, open_without_radio);
	tcase_add_test(tc, wait_connected_now);
	tcase_add_test(tc, security_on_non_bluetooth);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
