/* Unit tests: mountinfo lines (04-mount-proc/mountinfo.c) and NSpid (03-pid-ipc/pidns.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "mountinfo.h"
#include "pidns.h"

static void parses_proc5_example(void **state)
{
	(void)state;
	char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue";
	struct mount_entry e;
	char buf[64];
	assert_int_equal(mountinfo_parse_line(line, &e), 0);
	assert_int_equal(e.id, 36);
	assert_int_equal(e.parent, 35);
	assert_int_equal(e.major, 98);
	assert_int_equal(e.minor, 0);
	assert_string_equal(e.root, "/mnt1");
	assert_string_equal(e.mountpoint, "/mnt2");
	assert_string_equal(e.options, "rw,noatime");
	assert_string_equal(e.optional, "master:1");
	assert_string_equal(e.fstype, "ext3");
	assert_string_equal(e.source, "/dev/root");
	assert_string_equal(e.super_options, "rw,errors=continue");
	assert_string_equal(mountinfo_propagation(&e, buf, sizeof(buf)), "master:1");
}

static void several_or_no_optional_fields(void **state)
{
	(void)state;
	char two[] = "27 1 254:0 / / rw,relatime shared:1 master:7 - ext4 /dev/vda rw";
	char none[] = "22 27 0:21 / /proc rw,relatime - proc proc rw";
	struct mount_entry e;
	char buf[64];
	assert_int_equal(mountinfo_parse_line(two, &e), 0);
	assert_string_equal(e.optional, "shared:1 master:7");
	assert_string_equal(mountinfo_propagation(&e, buf, sizeof(buf)), "shared:1,master:7");
	assert_string_equal(e.fstype, "ext4");
	assert_int_equal(mountinfo_parse_line(none, &e), 0);
	assert_string_equal(e.optional, "");
	assert_string_equal(mountinfo_propagation(&e, buf, sizeof(buf)), "private");
	assert_string_equal(e.fstype, "proc");
}

static void decodes_escapes(void **state)
{
	(void)state;
	char line[] = "50 27 0:40 / /tmp/my\\040dir rw - tmpfs a\\134b rw";
	struct mount_entry e;
	assert_int_equal(mountinfo_parse_line(line, &e), 0);
	assert_string_equal(e.mountpoint, "/tmp/my dir");
	assert_string_equal(e.source, "a\\b");
}

static void rejects_garbage(void **state)
{
	(void)state;
	char a[] = "not a mountinfo line";
	char b[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw";
	char c[] = "36 35 980 / / rw - ext3 /dev/root rw";
	char d[] = "";
	struct mount_entry e;
	assert_int_equal(mountinfo_parse_line(a, &e), -1);
	assert_int_equal(mountinfo_parse_line(b, &e), -1);
	assert_int_equal(mountinfo_parse_line(c, &e), -1);
	assert_int_equal(mountinfo_parse_line(d, &e), -1);
}

static void option_lookup(void **state)
{
	(void)state;
	assert_true(mountinfo_has_option("rw,nosuid,nodev,noexec,relatime", "noexec"));
	assert_true(mountinfo_has_option("rw", "rw"));
	assert_false(mountinfo_has_option("rw,nosuidx", "nosuid"));
	assert_false(mountinfo_has_option("", "rw"));
}

static void nspid_lines(void **state)
{
	(void)state;
	pid_t p[4];
	const char *status = "Name:\tsh\nPid:\t5001\nNSpid:\t5001\t1\nNSpgid:\t5001\t1\n";
	assert_int_equal(status_nspid_parse(status, p, 4), 2);
	assert_int_equal(p[0], 5001);
	assert_int_equal(p[1], 1);
	assert_int_equal(status_nspid_parse("Name:\tsh\nNSpid:\t42\n", p, 4), 1);
	assert_int_equal(status_nspid_parse("Name:\tsh\n", p, 4), 0);
	assert_int_equal(status_nspid_parse("NSpid:\t1\t2\t3\n", p, 2), -1);
	assert_int_equal(status_nspid_parse("NSpid:\tx\n", p, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_proc5_example),
		cmocka_unit_test(several_or_no_optional_fields),
		cmocka_unit_test(decodes_escapes),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(option_lookup),
		cmocka_unit_test(nspid_lines),
	};
	return cmocka_run_group_tests_name("mountinfo", tests, NULL, NULL);
}
