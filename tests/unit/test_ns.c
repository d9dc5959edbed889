/* Unit tests: namespace link parsing (01-uts/ns.c) and hostname rules (01-uts/uts.c). */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ns.h"
#include "nslimit.h"
#include "uts.h"

static void parses_the_notes_links(void **state)
{
	(void)state;
	char type[32];
	unsigned long long ino;
	assert_int_equal(ns_link_parse("uts:[4026532361]", type, sizeof(type), &ino), 0);
	assert_string_equal(type, "uts");
	assert_true(ino == 4026532361ULL);
	assert_int_equal(ns_link_parse("pid_for_children:[4026531836]", type, sizeof(type), &ino), 0);
	assert_string_equal(type, "pid_for_children");
	assert_true(ino == 4026531836ULL);
}

static void rejects_malformed_links(void **state)
{
	(void)state;
	char type[8];
	unsigned long long ino;
	assert_int_equal(ns_link_parse("uts:4026532361", type, sizeof(type), &ino), -1);
	assert_int_equal(ns_link_parse(":[1]", type, sizeof(type), &ino), -1);
	assert_int_equal(ns_link_parse("uts:[]", type, sizeof(type), &ino), -1);
	assert_int_equal(ns_link_parse("uts:[12x]", type, sizeof(type), &ino), -1);
	assert_int_equal(ns_link_parse("uts:[12]extra", type, sizeof(type), &ino), -1);
	/* type longer than the buffer */
	assert_int_equal(ns_link_parse("pid_for_children:[1]", type, sizeof(type), &ino), -1);
}

static void hostname_limits(void **state)
{
	(void)state;
	char why[200], name[80];
	assert_int_equal(hostname_check("container", why, sizeof(why)), 0);
	memset(name, 'a', 64);
	name[64] = '\0';
	assert_int_equal(hostname_check(name, why, sizeof(why)), 0);
	name[64] = 'a';
	name[65] = '\0';
	assert_int_equal(hostname_check(name, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "65 bytes"));
	assert_non_null(strstr(why, "at most 64"));
	assert_int_equal(hostname_check("", why, sizeof(why)), -1);
	assert_int_equal(hostname_check("has space", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "'has space'"));
	assert_int_equal(hostname_check("-lead", why, sizeof(why)), -1);
	assert_int_equal(hostname_check("web-1.lab", why, sizeof(why)), 0);
}

/* /proc/sys/user has one limit per namespace type; ioctl_ns's NS_GET_NSTYPE
 * answers with the CLONE_NEW* value, which names the /proc/PID/ns link. */
static void limit_files_and_type_names(void **state)
{
	(void)state;
	assert_string_equal(ns_limit_file(CLONE_NEWUTS), "/proc/sys/user/max_uts_namespaces");
	assert_string_equal(ns_limit_file(CLONE_NEWUSER), "/proc/sys/user/max_user_namespaces");
	assert_string_equal(ns_limit_file(CLONE_NEWNS), "/proc/sys/user/max_mnt_namespaces");
	assert_string_equal(ns_limit_file(CLONE_NEWCGROUP), "/proc/sys/user/max_cgroup_namespaces");
	assert_null(ns_limit_file(CLONE_NEWUTS | CLONE_NEWPID));
	assert_null(ns_limit_file(0));
	assert_string_equal(ns_type_name(CLONE_NEWUTS), "uts");
	assert_string_equal(ns_type_name(CLONE_NEWNS), "mnt");
	assert_string_equal(ns_type_name(CLONE_NEWPID), "pid");
	assert_string_equal(ns_type_name(CLONE_NEWTIME), "time");
	assert_null(ns_type_name(CLONE_NEWUTS | CLONE_NEWNET));
	assert_null(ns_type_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limit_files_and_type_names),
		cmocka_unit_test(parses_the_notes_links),
		cmocka_unit_test(rejects_malformed_links),
		cmocka_unit_test(hostname_limits),
	};
	return cmocka_run_group_tests_name("ns", tests, NULL, NULL);
}
