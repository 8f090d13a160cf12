/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files others can name: regular files only, never a blocking open (lib/file.h, profiles, programmes). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "file.h"
#include "profile.h"
#include "programme.h"

static char dir[64];
static int dfd = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/paced-test-file.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
}

static void teardown(void)
{
	char cmd[128];

	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *at(const char *name)
{
	static char path[2][128];
	static int i;

	i = !i;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char profile_text[] =
	"name = \"short\";\n"
	"warmup = ( { walk = \"1:00\"; } );\n"
	"main = ( { walk = \"1:00\"; } );\n"
	"cooldown = ( { walk = \"1:00\"; } );\n";

static char *slurp(const char *name)
{
	static char buf[64];
	FILE *f = fopen(at(name), "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Output files (pacectl report -o, exports): whole or not at all, and
 * never a rename over something that is not a regular file. */
START_TEST(replace_is_whole_or_nothing_and_only_of_a_regular_file)
{
	char tmp[256], link_to[128];
	struct stat st;
	int fd;

	write_file("out", "old");
	fd = file_replace_open(at("out"), tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "new", 3), 3);
	/* not there until committed */
	ck_assert_str_eq(slurp("out"), "old");
	ck_assert_int_eq(file_replace_commit(fd, tmp, at("out"), 0), 0);
	ck_assert_str_eq(slurp("out"), "new");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* a writer's failure leaves the old file and no temporary one */
	fd = file_replace_open(at("out"), tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "half", 4), 4);
	ck_assert_int_eq(file_replace_commit(fd, tmp, at("out"), -EIO), -EIO);
	ck_assert_str_eq(slurp("out"), "new");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* a new file, in a directory that exists */
	fd = file_replace_open(at("fresh"), tmp, sizeof(tmp));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(file_replace_commit(fd, tmp, at("fresh"), 0), 0);
	ck_assert_int_eq(stat(at("fresh"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* refused: a FIFO, a directory, a link (even to a regular file) */
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	ck_assert_int_eq(file_replace_open(at("fifo"), tmp, sizeof(tmp)),
			 -EBADFD);
	ck_assert_int_eq(mkdir(at("d"), 0700), 0);
	ck_assert_int_eq(file_replace_open(at("d"), tmp, sizeof(tmp)),
			 -EISDIR);
	snprintf(link_to, sizeof(link_to), "%s", at("out"));
	ck_assert_int_eq(symlink(link_to, at("link")), 0);
	ck_assert_int_eq(file_replace_open(at("link"), tmp, sizeof(tmp)),
			 -ELOOP);
	ck_assert_int_eq(lstat(at("link"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(file_replace_open("/nonexistent/out", tmp, sizeof(tmp)),
			 -ENOENT);
}
END_TEST

START_TEST(state_file_never_a_link_fifo_or_dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, s;

	write_file("real", "x");
	ck_assert_int_eq(symlink(at("real"), at("link")), 0);
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	ck_assert_int_eq(mkdir(at("dir"), 0700), 0);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", at("sock"));
	ck_assert_int_eq(bind(s, (struct sockaddr *) &sun, sizeof(sun)), 0);

	ck_assert_int_eq(file_open_at(dfd, "link", O_WRONLY | O_APPEND, 0),
			 -ELOOP);
	ck_assert_int_eq(file_open_at(dfd, "link", O_WRONLY | O_CREAT, 0600),
			 -ELOOP);
	/* No reader (open(2) would say ENXIO), and with O_RDONLY no
	 * writer (it would block): both are "not a regular file". */
	ck_assert_int_eq(file_open_at(dfd, "fifo", O_WRONLY, 0), -EBADFD);
	ck_assert_int_eq(file_open_at(dfd, "fifo", O_RDONLY, 0), -EBADFD);
	ck_assert_int_eq(file_open_at(dfd, "dir", O_RDONLY, 0), -EISDIR);
	ck_assert_int_eq(file_open_at(dfd, "sock", O_RDONLY, 0), -EBADFD);
	ck_assert_int_eq(file_open_at(dfd, "/dev/null", O_WRONLY, 0), -EBADFD);
	fd = file_open_at(dfd, "real", O_WRONLY | O_APPEND, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	close(s);
	ck_assert_str_eq(file_strerror(-EBADFD),
			 "is not a regular file (a FIFO, socket or device)");
}
END_TEST

START_TEST(user_file_followed_never_a_fifo)
{
	char buf[8];
	int fd;

	write_file("real", "hello");
	ck_assert_int_eq(symlink(at("real"), at("link")), 0);
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	ck_assert_int_eq(symlink(at("fifo"), at("link-to-fifo")), 0);

	/* A link to a regular file is read through. */
	fd = file_open_read(at("link"));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
	close(fd);
	ck_assert_int_eq(file_open_read(at("fifo")), -EBADFD);
	ck_assert_int_eq(file_open_read(at("link-to-fifo")), -EBADFD);
	ck_assert_int_eq(file_open_read("/dev/zero"), -EBADFD);
	ck_assert_int_eq(file_open_read(dir), -EISDIR);
	ck_assert_int_eq(file_open_read(at("missing")), -ENOENT);
}
END_TEST

/* 'pacectl start /path/to/fifo' would block the service in open(2): the
 * test's own timeout is what catches a regression here. */
START_TEST(profile_open_never_blocks)
{
	struct profile_error err;
	struct profile *p;

	ck_assert_int_eq(mkfifo(at("fifo.cfg"), 0600), 0);
	ck_assert_ptr_null(profile_load(at("fifo.cfg"), NULL, &err));
	ck_assert_str_eq(err.message, "cannot open: is not a regular file (a FIFO, socket or device)");
	ck_assert_ptr_null(profile_load("/dev/zero", NULL, &err));
	ck_assert_ptr_null(profile_load(dir, NULL, &err));
	ck_assert_str_eq(err.message, "cannot open: is a directory");

	/* A link in the profile directory to a profile kept elsewhere. */
	write_file("short.cfg", profile_text);
	ck_assert_int_eq(symlink(at("short.cfg"), at("linked.cfg")), 0);
	p = profile_load(at("linked.cfg"), NULL, &err);
	ck_assert_msg(p, "%s", err.text);
	profile_free(p);
}
END_TEST

START_TEST(programme_open_never_blocks)
{
	struct profile_error err;

	ck_assert_int_eq(mkfifo(at("fifo.programme"), 0600), 0);
	ck_assert_ptr_null(programme_load(at("fifo.programme"), NULL, &err));
	ck_assert_str_eq(err.message, "cannot open: is not a regular file (a FIFO, socket or device)");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("open");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, state_file_never_a_link_fifo_or_dir);
	tcase_add_test(tc, replace_is_whole_or_nothing_and_only_of_a_regular_file);
	tcase_add_test(tc, user_file_followed_never_a_fifo);
	tcase_add_test(tc, profile_open_never_blocks);
	tcase_add_test(tc, programme_open_never_blocks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
