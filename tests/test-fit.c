/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The FIT encoder: CRC vectors, the file header, record layout byte by byte. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "util.h"

/* CRC-16/ARC check value (the CRC catalogue's "123456789" vector), and
 * two file headers from Garmin's FIT JavaScript SDK README (bytes 0-11
 * and the header CRC they carry in bytes 12-13). */
START_TEST(crc_vectors)
{
	static const uint8_t readme1[12] = {
		0x0e, 0x10, 0xd9, 0x07, 0x00, 0x00, 0x00, 0x00, '.', 'F', 'I', 'T'
	};
	static const uint8_t readme2[12] = {
		0x0e, 0x10, 0x43, 0x08, 0x78, 0x06, 0x09, 0x00, '.', 'F', 'I', 'T'
	};
	uint8_t buf[16];
	uint16_t crc;

	ck_assert_uint_eq(fit_crc(0, "123456789", 9), 0xbb3d);
	ck_assert_uint_eq(fit_crc(0, readme1, 12), 0x3391);
	ck_assert_uint_eq(fit_crc(0, readme2, 12), 0x8596);
	ck_assert_uint_eq(fit_crc(0, "", 0), 0);
	/* Continuing a CRC is the same as one pass. */
	crc = fit_crc(fit_crc(0, "1234", 4), "56789", 5);
	ck_assert_uint_eq(crc, 0xbb3d);
	/* Data followed by its own CRC (little-endian) checks to zero,
	 * which is how a decoder checks a whole file. */
	memcpy(buf, readme2, 12);
	put_le16(fit_crc(0, buf, 12), buf + 12);
	ck_assert_uint_eq(fit_crc(0, buf, 14), 0);
}
END_TEST

START_TEST(empty_file)
{
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len, len2;

	b = fit_finish(f, &len);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(len, FIT_HEADER_SIZE + 2);
	ck_assert_uint_eq(b[0], 14);
	ck_assert_uint_eq(b[1], 0x20);			/* protocol 2.0 */
	ck_assert_uint_eq(get_le16(b + 2), 21217);	/* profile 21.217 */
	ck_assert_uint_eq(get_le32(b + 4), 0);		/* no records */
	ck_assert(!memcmp(b + 8, ".FIT", 4));
	ck_assert_uint_eq(get_le16(b + 12), fit_crc(0, b, 12));
	ck_assert_uint_eq(get_le16(b + 14), fit_crc(0, b, 14));
	ck_assert_uint_eq(fit_crc(0, b, len), 0);
	/* Finishing twice gives the same file; nothing may follow. */
	ck_assert_ptr_eq(fit_finish(f, &len2), b);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(fit_write(f, 0, 0, NULL, 0), -EINVAL);
	fit_free(f);
}
END_TEST

/* file_id as a definition record then a data record, byte by byte. */
START_TEST(message_layout)
{
	static const uint8_t want[] = {
		/* definition, local 0: reserved, little-endian, global 0,
		 * 4 fields: (num, size, base type) */
		0x40, 0x00, 0x00, 0x00, 0x00, 0x04,
		0x00, 0x01, 0x00,	/* type: enum */
		0x01, 0x02, 0x84,	/* manufacturer: uint16 */
		0x04, 0x04, 0x86,	/* time_created: uint32 */
		0x08, 0x06, 0x07,	/* product_name: string[6] */
		/* data, local 0 */
		0x00, 0x04, 0xff, 0x00, 0x78, 0x56, 0x34, 0x12,
		'p', 'a', 'c', 'e', 'd', 0x00,
		/* the same layout again: data only */
		0x00, 0x04, 0xff, 0x00, 0x79, 0x56, 0x34, 0x12,
		'p', 'a', 'c', 'e', 'd', 0x00,
	};
	struct fit_field fl[] = {
		{ .num = 0, .type = FIT_ENUM, .v.u = 4 },
		{ .num = 1, .type = FIT_UINT16, .v.u = 255 },
		{ .num = 4, .type = FIT_UINT32, .v.u = 0x12345678 },
		{ .num = 8, .type = FIT_STRING, .size = 6, .v.s = "paced" },
	};
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len;

	ck_assert_int_eq(fit_write(f, 0, 0, fl, ARRAY_SIZE(fl)), 0);
	fl[2].v.u++;
	ck_assert_int_eq(fit_write(f, 0, 0, fl, ARRAY_SIZE(fl)), 0);
	b = fit_finish(f, &len);
	ck_assert_uint_eq(len, FIT_HEADER_SIZE + sizeof(want) + 2);
	ck_assert_uint_eq(get_le32(b + 4), sizeof(want));
	ck_assert_mem_eq(b + FIT_HEADER_SIZE, want, sizeof(want));
	ck_assert_uint_eq(fit_crc(0, b, len), 0);
	fit_free(f);
}
END_TEST

/* A changed layout on a local type is defined again; signed values are
 * two's complement; another local type keeps its own definition. */
START_TEST(redefinition)
{
	static const uint8_t want[] = {
		0x41, 0x00, 0x00, 0x14, 0x00, 0x01, 0x09, 0x02, 0x83,
		0x01, 0x9c, 0xff,			/* grade -1.00 % */
		0x41, 0x00, 0x00, 0x14, 0x00, 0x02, 0x09, 0x02, 0x83,
		0x03, 0x01, 0x02,
		0x01, 0xff, 0x7f, 0xff,			/* invalid, hr absent */
		0x42, 0x00, 0x00, 0x15, 0x00, 0x01, 0x00, 0x01, 0x00,
		0x02, 0x00,
		0x01, 0x64, 0x00, 0x96,			/* local 1 again */
	};
	struct fit_field rec[2] = {
		{ .num = 9, .type = FIT_SINT16, .v.i = -100 },
		{ .num = 3, .type = FIT_UINT8, .v.u = FIT_INVALID_UINT8 },
	};
	struct fit_field ev = { .num = 0, .type = FIT_ENUM, .v.u = 0 };
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len;

	ck_assert_int_eq(fit_write(f, 1, 20, rec, 1), 0);
	rec[0].v.i = FIT_INVALID_SINT16;
	ck_assert_int_eq(fit_write(f, 1, 20, rec, 2), 0);
	ck_assert_int_eq(fit_write(f, 2, 21, &ev, 1), 0);
	rec[0].v.i = 100;
	rec[1].v.u = 150;
	ck_assert_int_eq(fit_write(f, 1, 20, rec, 2), 0);
	b = fit_finish(f, &len);
	ck_assert_mem_eq(b + FIT_HEADER_SIZE, want, sizeof(want));
	fit_free(f);
}
END_TEST

/* Developer fields: the header's bit 5, their count and triples after
 * the native ones, and their bytes after the native values even when the
 * caller mixes them. */
START_TEST(developer_fields)
{
	static const uint8_t want[] = {
		0x63, 0x00, 0x00, 0x15, 0x00, 0x02,
		0x00, 0x01, 0x00, 0x03, 0x04, 0x86,
		0x01, 0x00, 0x04, 0x00,			/* one dev field: 0, 4 B, index 0 */
		0x03, 0x20, 0x02, 0x00, 0x00, 0x00, 'l', 'e', 'a', 0x00,
	};
	struct fit_field fl[] = {
		{ .num = 0, .type = FIT_ENUM, .v.u = 32 },
		{ .num = 0, .type = FIT_STRING, .size = 4, .dev = true,
		  .dev_index = 0, .v.s = "leak" },
		{ .num = 3, .type = FIT_UINT32, .v.u = 2 },
	};
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len;

	ck_assert_int_eq(fit_write(f, 3, 21, fl, ARRAY_SIZE(fl)), 0);
	b = fit_finish(f, &len);
	ck_assert_mem_eq(b + FIT_HEADER_SIZE, want, sizeof(want));
	fit_free(f);
}
END_TEST

/* A string too long for its field is cut on a character boundary and
 * still ends in NUL; a NULL string is empty. */
START_TEST(string_cut)
{
	struct fit_field fl = { .num = 3, .type = FIT_STRING, .size = 5,
				.v.s = "ab\xc3\xa9\xc3\xa9" };	/* abéé */
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len;

	ck_assert_int_eq(fit_write(f, 0, 206, &fl, 1), 0);
	fl.v.s = NULL;
	ck_assert_int_eq(fit_write(f, 0, 206, &fl, 1), 0);
	b = fit_finish(f, &len);
	/* 9 bytes of definition, then the header byte and 5 bytes. */
	ck_assert_mem_eq(b + FIT_HEADER_SIZE + 10, "ab\xc3\xa9\0", 5);
	ck_assert_mem_eq(b + FIT_HEADER_SIZE + 16, "\0\0\0\0\0", 5);
	fit_free(f);
}
END_TEST

START_TEST(bad_arguments)
{
	struct fit_field str = { .num = 1, .type = FIT_STRING, .v.s = "x" };
	struct fit_field odd = { .num = 1, .type = 0x42 };
	struct fit_field ok = { .num = 1, .type = FIT_UINT8 };
	struct fit *f = fit_new();
	size_t len;

	ck_assert_int_eq(fit_write(f, 16, 0, &ok, 1), -EINVAL);
	ck_assert_int_eq(fit_write(f, 0, 0, &str, 1), -EINVAL);
	ck_assert_int_eq(fit_write(f, 0, 0, &odd, 1), -EINVAL);
	ck_assert_int_eq(fit_write(f, 0, 0, &ok, 256), -EINVAL);
	/* Nothing was written by the refused calls. */
	(void) fit_finish(f, &len);
	ck_assert_uint_eq(len, FIT_HEADER_SIZE + 2);
	fit_free(f);
}
END_TEST

START_TEST(times)
{
	/* FIT epoch: 1989-12-31T00:00:00Z. */
	ck_assert_uint_eq(fit_time(631065600), 0);
	/* 2026-01-01T00:00:00Z = 1767225600 */
	ck_assert_uint_eq(fit_time(1767225600), 1767225600 - 631065600);
	ck_assert_uint_eq(fit_time(0), 0);
}
END_TEST

/* A big file grows the buffer and still checks. */
START_TEST(many_records)
{
	struct fit_field fl[2] = {
		{ .num = 253, .type = FIT_UINT32 },
		{ .num = 6, .type = FIT_UINT16 },
	};
	struct fit *f = fit_new();
	const uint8_t *b;
	size_t len;

	for (uint32_t i = 0; i < 20000; i++) {
		fl[0].v.u = 1000000000 + i;
		fl[1].v.u = i & 0xffff;
		ck_assert_int_eq(fit_write(f, 5, 20, fl, 2), 0);
	}
	b = fit_finish(f, &len);
	ck_assert_uint_eq(len, FIT_HEADER_SIZE + 12 + 20000 * 7 + 2);
	ck_assert_uint_eq(fit_crc(0, b, len), 0);
	fit_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fit");
	TCase *tc = tcase_create("fit");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, crc_vectors);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, message_layout);
	tcase_add_test(tc, redefinition);
	tcase_add_test(tc, developer_fields);
	tcase_add_test(tc, string_cut);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, times);
	tcase_add_test(tc, many_records);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
