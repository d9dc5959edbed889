/* Unit tests: overlay option building and escaping, whiteout recognition
 * (07-overlayfs/overlay.c), removing trees deeper than PATH_MAX
 * (07-overlayfs/rmtree.c), kernel version checks (common/common.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "overlay.h"

static void escapes_specials(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(ovl_escape("/plain/path", out, sizeof(out)), 0);
	assert_string_equal(out, "/plain/path");
	assert_int_equal(ovl_escape("/a,b:c\\d", out, sizeof(out)), 0);
	assert_string_equal(out, "/a\\,b\\:c\\\\d");
	assert_int_equal(ovl_escape("/a,b", out, 5), -1); /* no room for the escape */
}

static void builds_options(void **state)
{
	(void)state;
	char out[256], why[128];
	const char *lowers[] = { "/l1", "/l2" };
	assert_int_equal(ovl_options(lowers, 2, "/u", "/w", 0, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "lowerdir=/l1:/l2,upperdir=/u,workdir=/w");
	assert_int_equal(ovl_options(lowers, 2, "/u", "/w", 1, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "lowerdir=/l1:/l2,upperdir=/u,workdir=/w,userxattr");
	assert_int_equal(ovl_options(lowers, 1, NULL, NULL, 0, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "lowerdir=/l1");
	const char *odd[] = { "/img:v1", "/my,layer" };
	assert_int_equal(ovl_options(odd, 2, "/u", "/w", 0, out, sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "lowerdir=/img\\:v1:/my\\,layer,upperdir=/u,workdir=/w");
}

static void rejects_bad_options(void **state)
{
	(void)state;
	char out[256], why[128];
	const char *rel[] = { "lower1" };
	assert_int_equal(ovl_options(rel, 1, "/u", "/w", 0, out, sizeof(out), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "'lower1' is relative"));
	const char *ok[] = { "/l" };
	assert_int_equal(ovl_options(ok, 1, "upper", "/w", 0, out, sizeof(out), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "upperdir 'upper'"));
	assert_int_equal(ovl_options(ok, 1, "/u", NULL, 0, out, sizeof(out), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "workdir"));
	assert_int_equal(ovl_options(ok, 0, "/u", "/w", 0, out, sizeof(out), why, sizeof(why)), -1);
	assert_int_equal(ovl_options(ok, 1, "/u", "/w", 0, out, 12, why, sizeof(why)), -1);
}

static void whiteouts(void **state)
{
	(void)state;
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFCHR;
	st.st_rdev = makedev(0, 0);
	assert_true(ovl_is_whiteout(&st));
	st.st_rdev = makedev(1, 3); /* /dev/null is no whiteout */
	assert_false(ovl_is_whiteout(&st));
	st.st_mode = S_IFREG;
	st.st_rdev = makedev(0, 0);
	assert_false(ovl_is_whiteout(&st));
	assert_string_equal(ovl_kind_name(OVL_OPAQUE_DIR), "opaque dir");
}

static void kernel_versions(void **state)
{
	(void)state;
	assert_true(kernel_at_least("6.1.0-56-amd64", 5, 11));
	assert_true(kernel_at_least("5.11.0", 5, 11));
	assert_false(kernel_at_least("5.10.209", 5, 11));
	assert_false(kernel_at_least("4.19.0", 5, 11));
	assert_true(kernel_at_least("6.18.44-fc-v657", 6, 18));
	assert_false(kernel_at_least("garbage", 5, 11));
}

/* What a container can leave in its upper dir: 3000 levels (about 6000
 * bytes of path, past PATH_MAX), files at every level, a symlink to
 * outside that must not be followed, a mode-000 directory. */
static void removes_deep_trees(void **state)
{
	(void)state;
	char top[] = "/tmp/test_rmtree.XXXXXX", outside[] = "/tmp/test_rmtree_out.XXXXXX", p[64];
	assert_non_null(mkdtemp(top));
	assert_non_null(mkdtemp(outside));
	snprintf(p, sizeof(p), "%s/keep", outside);
	int k = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(k >= 0);
	close(k);
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int i = 0; i < 3000; i++) {
		int f = openat(fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		assert_true(f >= 0);
		close(f);
		if (i % 500 == 0)
			assert_int_equal(symlinkat(outside, fd, "link"), 0);
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	assert_int_equal(mkdirat(fd, "locked", 0), 0);
	close(fd);
	assert_int_equal(ovl_remove_tree(top), 0);
	assert_int_equal(access(top, F_OK), -1);
	assert_int_equal(access(p, F_OK), 0); /* nothing deleted through the link */
	unlink(p);
	rmdir(outside);
	assert_int_equal(ovl_remove_tree("/tmp/test_rmtree.gone"), 0); /* already gone: fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_specials),
		cmocka_unit_test(builds_options),
		cmocka_unit_test(rejects_bad_options),
		cmocka_unit_test(whiteouts),
		cmocka_unit_test(kernel_versions),
		cmocka_unit_test(removes_deep_trees),
	};
	return cmocka_run_group_tests_name("overlay", tests, NULL, NULL);
}
