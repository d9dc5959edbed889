/* Unit tests: id map formatting, parsing and checks (02-user/userns.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "userns.h"

static void formats_one_line(void **state)
{
	(void)state;
	char buf[64];
	struct idmap m = { 0, 1000, 1 };
	assert_int_equal(idmap_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0 1000 1\n");
	assert_int_equal(idmap_format(&m, buf, 4), -1);
}

static void parses_kernel_text(void **state)
{
	(void)state;
	struct idmap m[4];
	/* The kernel right-aligns the columns. */
	const char *text = "         0       1000          1\n         1     100000      65536\n";
	assert_int_equal(idmap_parse(text, m, 4), 2);
	assert_int_equal(m[0].inside, 0);
	assert_int_equal(m[0].outside, 1000);
	assert_int_equal(m[1].outside, 100000);
	assert_int_equal(m[1].count, 65536);
	assert_int_equal(idmap_parse("0 4294967295 1", m, 4), 1);
	assert_int_equal(idmap_parse("", m, 4), 0);
	assert_int_equal(idmap_parse("0 1000", m, 4), -1);
	assert_int_equal(idmap_parse("0 x 1", m, 4), -1);
	assert_int_equal(idmap_parse("0 1 1\n1 2 1\n", m, 1), -1);
}

static void checks_ranges(void **state)
{
	(void)state;
	char why[128];
	struct idmap ok = { 0, 1000, 1 }, zero = { 0, 1000, 0 }, big = { 0, 4294967295UL, 2 };
	assert_int_equal(idmap_check(&ok, why, sizeof(why)), 0);
	assert_int_equal(idmap_check(&zero, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "at least 1"));
	assert_int_equal(idmap_check(&big, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "largest id"));
}

static void translates_ids(void **state)
{
	(void)state;
	struct idmap m[2] = { { 0, 1000, 1 }, { 1, 100000, 65536 } };
	unsigned long in;
	assert_int_equal(idmap_to_inside(m, 2, 1000, &in), 0);
	assert_int_equal(in, 0);
	assert_int_equal(idmap_to_inside(m, 2, 100005, &in), 0);
	assert_int_equal(in, 6);
	assert_int_equal(idmap_to_inside(m, 2, 0, &in), -1);       /* host root: unmapped */
	assert_int_equal(idmap_to_inside(m, 2, 165536, &in), -1);  /* one past the range */
}

/* The AppArmor sysctl of Ubuntu 23.10+, read from a fake file. */
static void apparmor_restriction(void **state)
{
	(void)state;
	assert_int_equal(userns_restrict_parse("1"), 1);
	assert_int_equal(userns_restrict_parse("0"), 0);
	assert_int_equal(userns_restrict_parse("2"), -1);
	assert_int_equal(userns_restrict_parse(""), -1);
	char path[] = "/tmp/test_userns.XXXXXX", hint[640];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "1\n", 2), 2);
	close(fd);
	assert_int_equal(userns_restricted(path), 1);
	assert_int_equal(userns_restriction_hint(path, hint, sizeof(hint)), 1);
	assert_non_null(strstr(hint, "kernel.apparmor_restrict_unprivileged_userns = 1"));
	assert_non_null(strstr(hint, path));
	assert_non_null(strstr(hint, "EPERM"));
	assert_non_null(strstr(hint, "sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0"));
	assert_non_null(strstr(hint, "userns,"));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "0\n", 2), 2);
	close(fd);
	assert_int_equal(userns_restricted(path), 0);
	assert_int_equal(userns_restriction_hint(path, hint, sizeof(hint)), 0);
	assert_string_equal(hint, "");
	unlink(path);
	/* Kernels without AppArmor's switch: no file, no restriction. */
	assert_int_equal(userns_restricted(path), 0);
	assert_int_equal(userns_restriction_hint(path, hint, sizeof(hint)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apparmor_restriction),
		cmocka_unit_test(formats_one_line),
		cmocka_unit_test(parses_kernel_text),
		cmocka_unit_test(checks_ranges),
		cmocka_unit_test(translates_ids),
	};
	return cmocka_run_group_tests_name("userns", tests, NULL, NULL);
}
