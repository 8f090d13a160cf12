/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Plugins load only from files and directories nobody but root or paced can write. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "identity.h"
#include "plugin-trust.h"

static char dir[64];
static char why[512];

static const char *at(const char *name)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void make_dir(const char *name, mode_t mode)
{
	ck_assert_int_eq(mkdir(at(name), 0700), 0);
	ck_assert_int_eq(chmod(at(name), mode), 0);
}

static void make_file(const char *name, mode_t mode)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\177ELF", 4), 4);
	close(fd);
	ck_assert_int_eq(chmod(at(name), mode), 0);
}

/* /tmp (sticky, writable by all: allowed above a plugin's directory),
 * then our own 0755 directory, plugins/ 0755 and a good plugin. */
static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/paced-test-trust.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	make_dir("plugins", 0755);
	make_file("plugins/good.so", 0644);
	why[0] = '\0';
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void refused(const char *path, int err, const char *what)
{
	ck_assert_int_eq(plugin_trust_check(path, why, sizeof(why)), err);
	ck_assert_msg(strstr(why, what), "why: \"%s\", wanted \"%s\"", why,
		      what);
}

START_TEST(plugin_trusted_when_only_root_or_paced_can_write)
{
	char cwd[256];

	ck_assert_int_eq(plugin_trust_check(at("plugins/good.so"), why,
					    sizeof(why)), 0);
	/* A sticky directory writable by all above the plugin's own. */
	make_dir("sticky", 01777);
	make_dir("sticky/plugins", 0755);
	make_file("sticky/plugins/x.so", 0755);
	ck_assert_int_eq(plugin_trust_check(at("sticky/plugins/x.so"), why,
					    sizeof(why)), 0);
	/* Relative, with . and .. on the way. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(plugin_trust_check("./sticky/../plugins/good.so",
					    why, sizeof(why)), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	/* Through a link kept in a trusted directory. */
	ck_assert_int_eq(symlink("good.so", at("plugins/link.so")), 0);
	ck_assert_int_eq(plugin_trust_check(at("plugins/link.so"), why,
					    sizeof(why)), 0);
}
END_TEST

START_TEST(plugin_refused_when_others_can_write_it)
{
	make_file("plugins/group.so", 0664);
	refused(at("plugins/group.so"), -EPERM, "group.so is writable by its group (mode 0664");
	make_file("plugins/world.so", 0646);
	refused(at("plugins/world.so"), -EPERM, "world.so is writable by others (mode 0646");
}
END_TEST

START_TEST(plugin_refused_from_a_directory_others_can_write)
{
	/* The world-writable plugin directory of the review. */
	ck_assert_int_eq(chmod(at("plugins"), 0777), 0);
	refused(at("plugins/good.so"), -EPERM, "/plugins is writable by others (mode 0777");
	/* Sticky does not help the plugin's own directory: a stranger
	 * could still add a plugin to it. */
	ck_assert_int_eq(chmod(at("plugins"), 01777), 0);
	refused(at("plugins/good.so"), -EPERM, "/plugins is writable by others (mode 1777");
	ck_assert_int_eq(chmod(at("plugins"), 0775), 0);
	refused(at("plugins/good.so"), -EPERM, "/plugins is writable by its group");
	/* Nor any directory above it without the sticky bit: the plugin
	 * directory itself could be renamed away and replaced. */
	ck_assert_int_eq(chmod(at("plugins"), 0755), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	refused(at("plugins/good.so"), -EPERM, "is writable by others (mode 0777");
	ck_assert_int_eq(chmod(dir, 0755), 0);
}
END_TEST

START_TEST(plugin_refused_through_a_link_to_a_writable_place)
{
	/* plugins/evil.so -> ../open/x.so, open/ writable by all. */
	make_dir("open", 0777);
	make_file("open/x.so", 0644);
	ck_assert_int_eq(symlink("../open/x.so", at("plugins/evil.so")), 0);
	refused(at("plugins/evil.so"), -EPERM, "/open is writable by others");
	/* And a link (absolute) to a trusted file is fine. */
	ck_assert_int_eq(symlink(at("plugins/good.so"), at("plugins/abs.so")), 0);
	ck_assert_int_eq(plugin_trust_check(at("plugins/abs.so"), why,
					    sizeof(why)), 0);
}
END_TEST

START_TEST(plugin_refused_when_not_a_file)
{
	ck_assert_int_eq(mkfifo(at("plugins/fifo.so"), 0644), 0);
	refused(at("plugins/fifo.so"), -EBADFD, "fifo.so");
	refused(at("plugins/missing.so"), -ENOENT, "missing.so: No such file");
	ck_assert_int_eq(symlink("loop.so", at("plugins/loop.so")), 0);
	refused(at("plugins/loop.so"), -ELOOP, "loop.so");
	refused(at("plugins"), -EISDIR, "plugins");
	refused("", -EINVAL, "no plugin path");
}
END_TEST

/* Root only: files owned by someone else. */
START_TEST(plugin_refused_when_owned_by_another_user)
{
	ck_assert_int_eq(chown(at("plugins/good.so"), 54321, 54321), 0);
	refused(at("plugins/good.so"), -EPERM, "good.so is owned by neither root nor paced's user (mode 0644, owner uid 54321)");
	ck_assert_int_eq(chown(at("plugins/good.so"), 0, 0), 0);
	ck_assert_int_eq(chown(at("plugins"), 54321, 54321), 0);
	refused(at("plugins/good.so"), -EPERM, "/plugins is owned by neither root nor paced's user");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin-trust");
	TCase *tc = tcase_create("trust");
	bool root = test_may_take_other_ids();
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, plugin_trusted_when_only_root_or_paced_can_write);
	tcase_add_test(tc, plugin_refused_when_others_can_write_it);
	tcase_add_test(tc, plugin_refused_from_a_directory_others_can_write);
	tcase_add_test(tc, plugin_refused_through_a_link_to_a_writable_place);
	tcase_add_test(tc, plugin_refused_when_not_a_file);
	if (root)
		tcase_add_test(tc, plugin_refused_when_owned_by_another_user);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	if (!root) {
		printf("SKIP: plugin_refused_when_owned_by_another_user needs root of the whole machine (chown)\n");
		return 77;
	}
	return EXIT_SUCCESS;
}
