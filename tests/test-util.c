/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Little-endian helpers and hex parsing. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

START_TEST(le_round_trip)
{
	uint8_t b[4];

	put_le16(0xbeef, b);
	ck_assert_uint_eq(b[0], 0xef);
	ck_assert_uint_eq(b[1], 0xbe);
	ck_assert_uint_eq(get_le16(b), 0xbeef);
	put_le24(0x123456, b);
	ck_assert_uint_eq(b[0], 0x56);
	ck_assert_uint_eq(b[2], 0x12);
	ck_assert_uint_eq(get_le24(b), 0x123456);
	put_le32(0xdeadbeef, b);
	ck_assert_uint_eq(b[3], 0xde);
	ck_assert_uint_eq(get_le32(b), 0xdeadbeef);
}
END_TEST

START_TEST(hex_forms)
{
	uint8_t b[4];

	ck_assert_int_eq(hex_decode("02e803", b, sizeof(b)), 3);
	ck_assert_uint_eq(b[1], 0xe8);
	ck_assert_int_eq(hex_decode("02 E8 03", b, sizeof(b)), 3);
	ck_assert_uint_eq(b[2], 0x03);
	ck_assert_int_eq(hex_decode("02:e8:03", b, sizeof(b)), 3);
	ck_assert_int_eq(hex_decode("0x02e8", b, sizeof(b)), 2);
	ck_assert_int_eq(hex_decode("", b, sizeof(b)), 0);
	ck_assert_int_eq(hex_decode("0", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(hex_decode("0 2", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(hex_decode("zz", b, sizeof(b)), -EINVAL);
	ck_assert_int_eq(hex_decode("0102030405", b, sizeof(b)), -EMSGSIZE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, le_round_trip);
	tcase_add_test(tc, hex_forms);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
