/* SPDX-License-Identifier: GPL-2.0-or-later */
/* BLE advertisement parsing: FTMS Service Data quirks, names, bad lengths. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ble-adv.h"

/* What plugins/ftms-ble/ble-peripheral.c sends, and a real-world shape. */
static const uint8_t adv_sim[] = {
	0x02, 0x01, 0x06,
	0x03, 0x03, 0x26, 0x18,
	0x06, 0x16, 0x26, 0x18, 0x01, 0x01, 0x00,
	0x0a, 0x09, 'p', 'a', 'c', 'e', 'd', '-', 's', 'i', 'm',
};

START_TEST(spec_service_data)
{
	struct ble_adv_info a;
	bool certain = false;

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(adv_sim, sizeof(adv_sim), &a), 4);
	ck_assert(a.ftms_uuid);
	ck_assert(a.ftms_data);
	ck_assert_uint_eq(a.ftms_flags, BLE_FTMS_FLAG_AVAILABLE);
	ck_assert_uint_eq(a.machine_type, BLE_FTMS_TYPE_TREADMILL);
	ck_assert_str_eq(a.name, "paced-sim");
	ck_assert(a.name_complete);
	ck_assert(ble_adv_is_ftms(&a));
	ck_assert(ble_adv_is_treadmill(&a, &certain));
	ck_assert(certain);
	ck_assert_uint_eq(a.malformed, 0);
}
END_TEST

/* docs/ftms.md 1.2: type as one byte, or with its bytes swapped: OR them. */
START_TEST(type_quirks)
{
	static const uint8_t one_byte[] = { 0x01, 0x01 };
	static const uint8_t swapped[] = { 0x01, 0x00, 0x01 };
	static const uint8_t bike[] = { 0x01, 0x20, 0x00 };
	static const uint8_t bike_swapped[] = { 0x01, 0x00, 0x20 };
	static const uint8_t extra[] = { 0x01, 0x01, 0x00, 0xff };
	uint8_t flags = 0xaa;
	uint16_t type = 0xbbbb;

	ck_assert_int_eq(ble_adv_parse_ftms_data(one_byte, 2, &flags, &type), 0);
	ck_assert_uint_eq(type, BLE_FTMS_TYPE_TREADMILL);
	type = 0;
	ck_assert_int_eq(ble_adv_parse_ftms_data(swapped, 3, &flags, &type), 0);
	ck_assert_uint_eq(type, BLE_FTMS_TYPE_TREADMILL);
	ck_assert_int_eq(ble_adv_parse_ftms_data(bike, 3, &flags, &type), 0);
	ck_assert_uint_eq(type, BLE_FTMS_TYPE_INDOOR_BIKE);
	ck_assert_str_eq(ble_adv_machine_name(type), "indoor-bike");
	ck_assert_int_eq(ble_adv_parse_ftms_data(bike_swapped, 3, &flags,
						 &type), 0);
	ck_assert_uint_eq(type, BLE_FTMS_TYPE_INDOOR_BIKE);
	/* bytes past the 2-byte type are RFU, not ORed in */
	ck_assert_int_eq(ble_adv_parse_ftms_data(extra, 4, &flags, &type), 0);
	ck_assert_uint_eq(type, BLE_FTMS_TYPE_TREADMILL);
	/* too short: outputs untouched */
	flags = 0xaa;
	type = 0xbbbb;
	ck_assert_int_eq(ble_adv_parse_ftms_data(one_byte, 1, &flags, &type),
			 -EBADMSG);
	ck_assert_uint_eq(flags, 0xaa);
	ck_assert_uint_eq(type, 0xbbbb);
}
END_TEST

/* One-byte type inside a full advertisement, and a bike is no treadmill. */
START_TEST(adv_one_byte_and_bike)
{
	static const uint8_t tm1[] = { 0x05, 0x16, 0x26, 0x18, 0x01, 0x01 };
	static const uint8_t bike[] = { 0x06, 0x16, 0x26, 0x18, 0x01, 0x20,
					0x00 };
	struct ble_adv_info a;
	bool certain = false;

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(tm1, sizeof(tm1), &a), 1);
	ck_assert(ble_adv_is_treadmill(&a, &certain));
	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(bike, sizeof(bike), &a), 1);
	ck_assert(ble_adv_is_ftms(&a));
	ck_assert(!ble_adv_is_treadmill(&a, &certain));
	ck_assert(certain);
}
END_TEST

/* docs/ftms.md 1.2: many treadmills send no Service Data: UUID list only,
 * name in the scan response; the two payloads merge. */
START_TEST(uuid_only_and_scan_response)
{
	static const uint8_t adv[] = {
		0x02, 0x01, 0x06,
		0x05, 0x02, 0x0d, 0x18, 0x26, 0x18,	/* HR, FTMS */
	};
	static const uint8_t rsp[] = {
		0x06, 0x08, 'F', 'S', '-', 'A', 'B',	/* short name */
		0x02, 0x0a, 0xf8,			/* TX power -8 */
	};
	static const uint8_t rsp2[] = {
		0x09, 0x09, 'F', 'S', '-', 'A', 'B', 'C', 'D', 'E',
	};
	struct ble_adv_info a;
	bool certain = true;

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(adv, sizeof(adv), &a), 2);
	ck_assert(a.ftms_uuid);
	ck_assert(!a.ftms_data);
	ck_assert_str_eq(a.name, "");
	ck_assert_int_eq(ble_adv_parse(rsp, sizeof(rsp), &a), 2);
	ck_assert_str_eq(a.name, "FS-AB");
	ck_assert(!a.name_complete);
	ck_assert(a.has_tx_power);
	ck_assert_int_eq(a.tx_power, -8);
	ck_assert(ble_adv_is_treadmill(&a, &certain));
	ck_assert(!certain);
	ck_assert_int_eq(ble_adv_parse(rsp2, sizeof(rsp2), &a), 1);
	ck_assert_str_eq(a.name, "FS-ABCDE");
	/* a later short name does not replace the complete one */
	ck_assert_int_eq(ble_adv_parse(rsp, sizeof(rsp), &a), 2);
	ck_assert_str_eq(a.name, "FS-ABCDE");
}
END_TEST

START_TEST(uuid128_alias)
{
	static const uint8_t adv[] = {
		0x11, 0x07, 0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80,
		0x00, 0x10, 0x00, 0x00, 0x26, 0x18, 0x00, 0x00,
	};
	static const uint8_t other[] = {
		0x11, 0x07, 0xfb, 0x34, 0x9b, 0x5f, 0x80, 0x00, 0x00, 0x80,
		0x00, 0x10, 0x00, 0x00, 0x26, 0x18, 0x01, 0x00,
	};
	struct ble_adv_info a;

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(adv, sizeof(adv), &a), 1);
	ck_assert(a.ftms_uuid);
	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(other, sizeof(other), &a), 1);
	ck_assert(!a.ftms_uuid);
}
END_TEST

/* Peer bytes: overrunning lengths, short service data, odd UUID lists,
 * padding, control characters in names. Nothing read past the end. */
START_TEST(malformed)
{
	static const uint8_t overrun[] = { 0x02, 0x01, 0x06, 0x09, 0x09, 'x' };
	static const uint8_t short_sd[] = { 0x04, 0x16, 0x26, 0x18, 0x01 };
	static const uint8_t odd_list[] = { 0x04, 0x03, 0x26, 0x18, 0x26 };
	static const uint8_t padded[] = { 0x02, 0x01, 0x06, 0x00, 0x05, 0x16 };
	static const uint8_t ctrl[] = { 0x04, 0x09, 'a', 0x1b, 'b' };
	static const uint8_t bad_tx[] = { 0x03, 0x0a, 0x01, 0x02 };
	static const uint8_t lone_len[] = { 0x05 };
	struct ble_adv_info a;
	uint8_t *heap;

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(overrun, sizeof(overrun), &a), 1);
	ck_assert_uint_eq(a.malformed, 1);
	ck_assert_str_eq(a.name, "");

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(short_sd, sizeof(short_sd), &a), 1);
	ck_assert(!a.ftms_data);
	ck_assert_uint_eq(a.malformed, 1);

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(odd_list, sizeof(odd_list), &a), 1);
	ck_assert(a.ftms_uuid);

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(padded, sizeof(padded), &a), 1);
	ck_assert_uint_eq(a.malformed, 0);

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(ctrl, sizeof(ctrl), &a), 1);
	ck_assert_str_eq(a.name, "a?b");

	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(bad_tx, sizeof(bad_tx), &a), 1);
	ck_assert(!a.has_tx_power);
	ck_assert_uint_eq(a.malformed, 1);

	/* exact-size heap copy so ASan catches any over-read */
	heap = malloc(sizeof(lone_len));
	memcpy(heap, lone_len, sizeof(lone_len));
	ble_adv_info_init(&a);
	ck_assert_int_eq(ble_adv_parse(heap, sizeof(lone_len), &a), 0);
	ck_assert_uint_eq(a.malformed, 1);
	free(heap);

	ck_assert_int_eq(ble_adv_parse(NULL, 0, &a), -EINVAL);
	ck_assert_int_eq(ble_adv_parse(adv_sim, 0, &a), 0);
}
END_TEST

/* Every prefix of a valid payload parses without reading past it. */
START_TEST(truncations)
{
	for (size_t n = 0; n <= sizeof(adv_sim); n++) {
		uint8_t *heap = malloc(n ? n : 1);
		struct ble_adv_info a;

		memcpy(heap, adv_sim, n);
		ble_adv_info_init(&a);
		ck_assert_int_ge(ble_adv_parse(heap, n, &a), 0);
		if (n < sizeof(adv_sim))
			ck_assert(!a.name_complete || n == sizeof(adv_sim));
		free(heap);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ble-adv");
	TCase *tc = tcase_create("adv");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, spec_service_data);
	tcase_add_test(tc, type_quirks);
	tcase_add_test(tc, adv_one_byte_and_bike);
	tcase_add_test(tc, uuid_only_and_scan_response);
	tcase_add_test(tc, uuid128_alias);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, truncations);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
