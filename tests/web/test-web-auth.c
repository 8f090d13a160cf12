/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The web plugin's pairing and tokens (plugins/web/auth.c) and its SHA-256. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "sha256.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/paced-test-web.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void hex(const uint8_t *b, char *out)
{
	for (int i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* FIPS 180-4 examples (NIST CSRC, SHA256.pdf) and the two-block edge. */
START_TEST(sha256_matches_fips_examples)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t d[SHA256_LEN];
	char h[2 * SHA256_LEN + 1], a[1001];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256(v[i].in, strlen(v[i].in), d);
		hex(d, h);
		ck_assert_str_eq(h, v[i].out);
	}
	memset(a, 'a', 1000);
	a[1000] = '\0';
	sha256(a, 1000, d);
	hex(d, h);
	ck_assert_str_eq(h, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}
END_TEST

START_TEST(web_pairing_link_one_time_five_minutes)
{
	struct auth a;
	const struct auth_device *d;
	char err[256], code[AUTH_SECRET_HEX + 1], token[AUTH_SECRET_HEX + 1];
	char old[sizeof(code)];

	ck_assert_int_eq(auth_load(&a, dir, err, sizeof(err)), 0);
	/* Nothing pending: no code works. */
	ck_assert_int_eq(auth_pair_take(&a, "", 0, 0, "x", token, &d), -EACCES);
	/* Expired: refused, and then gone even for the right time. */
	ck_assert_int_eq(auth_pair_new(&a, 1000, code), 0);
	ck_assert_int_eq(auth_pair_take(&a, code, 1000 + AUTH_PAIR_US, 0, "x",
					token, &d), -EACCES);
	ck_assert_int_eq(auth_pair_take(&a, code, 1001, 0, "x", token, &d),
			 -EACCES);
	/* A newer code replaces an older one. */
	ck_assert_int_eq(auth_pair_new(&a, 1000, code), 0);
	memcpy(old, code, sizeof(code));
	ck_assert_int_eq(auth_pair_new(&a, 2000, code), 0);
	ck_assert_int_eq(auth_pair_take(&a, old, 2001, 0, "x", token, &d),
			 -EACCES);
	/* In time: once. */
	ck_assert_int_eq(auth_pair_new(&a, 3000, code), 0);
	ck_assert_int_eq(auth_pair_take(&a, code, 3000 + AUTH_PAIR_US - 1,
					1700000000, "Phone\x01", token, &d), 0);
	ck_assert_str_eq(d->agent, "Phone?");
	ck_assert_int_eq(auth_pair_take(&a, code, 3001, 0, "x", token, &d),
			 -EACCES);
	ck_assert_ptr_eq(auth_check(&a, token), &a.dev[0]);
	auth_clear(&a);
}
END_TEST

START_TEST(web_tokens_stored_hashed_0600)
{
	struct auth a, b;
	const struct auth_device *d;
	char err[256], code[AUTH_SECRET_HEX + 1], token[AUTH_SECRET_HEX + 1];
	char path[128], text[4096], other[AUTH_SECRET_HEX + 1];
	struct stat st;
	FILE *f;
	size_t n;

	ck_assert_int_eq(auth_load(&a, dir, err, sizeof(err)), 0);
	ck_assert_int_eq(auth_pair_new(&a, 0, code), 0);
	ck_assert_int_eq(auth_pair_take(&a, code, 1, 5, "p", token, &d), 0);
	ck_assert_int_eq(auth_pair_new(&a, 0, code), 0);
	ck_assert_int_eq(auth_pair_take(&a, code, 1, 6, "q", other, &d), 0);
	snprintf(path, sizeof(path), "%s/" AUTH_FILE, dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_null(strstr(text, token));
	ck_assert_ptr_null(strstr(text, other));
	/* Read back: both tokens still work, a revoked one no more. */
	ck_assert_int_eq(auth_load(&b, dir, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.n_dev, 2);
	ck_assert_ptr_nonnull(auth_check(&b, token));
	ck_assert_int_eq(auth_revoke(&b, auth_check(&b, token)->id), 0);
	ck_assert_ptr_null(auth_check(&b, token));
	ck_assert_ptr_nonnull(auth_check(&b, other));
	ck_assert_int_eq(auth_revoke(&b, "00000000"), -ENOENT);
	auth_clear(&b);
	ck_assert_int_eq(auth_load(&b, dir, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.n_dev, 1);
	ck_assert_ptr_null(auth_check(&b, token));
	ck_assert_ptr_null(auth_check(&b, "not-a-token"));
	auth_clear(&b);
	auth_clear(&a);
}
END_TEST

START_TEST(web_bad_token_file_is_an_error_with_its_name)
{
	struct auth a;
	char err[256], path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/" AUTH_FILE, dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"devices\":[{\"id\":\"zz\"}]}", f);
	fclose(f);
	ck_assert_int_eq(auth_load(&a, dir, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "device 1"));
	auth_clear(&a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("web-auth");
	TCase *tc = tcase_create("auth");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, sha256_matches_fips_examples);
	tcase_add_test(tc, web_pairing_link_one_time_five_minutes);
	tcase_add_test(tc, web_tokens_stored_hashed_0600);
	tcase_add_test(tc, web_bad_token_file_is_an_error_with_its_name);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
