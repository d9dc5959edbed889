/* Unit tests: cgroup values (05-cgroup-cpu/cgvalue.c), layout detection
 * (05-cgroup-cpu/cgroup.c) and the clone3 fallback rule (06 cgspawn.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <cmocka.h>

#include "cgroup.h"
#include "cgvalue.h"
#include "cgtour.h"
#include "cgspawn.h"

static void sizes(void **state)
{
	(void)state;
	char why[200], buf[32];
	long long b;
	assert_int_equal(parse_size("100m", &b, why, sizeof(why)), 0);
	assert_true(b == 100LL << 20);
	assert_int_equal(parse_size("1G", &b, why, sizeof(why)), 0);
	assert_true(b == 1LL << 30);
	assert_int_equal(parse_size("512k", &b, why, sizeof(why)), 0);
	assert_true(b == 512LL << 10);
	assert_int_equal(parse_size("64MB", &b, why, sizeof(why)), 0);
	assert_true(b == 64LL << 20);
	assert_int_equal(parse_size("4096", &b, why, sizeof(why)), 0);
	assert_true(b == 4096);
	assert_int_equal(parse_size("max", &b, why, sizeof(why)), 0);
	assert_true(b == CG_MAX);
	const char *bad[] = { "", "m", "-1m", "12x", "1.5g", "100 m", "0", "99999999999t" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse_size(bad[i], &b, why, sizeof(why)), -1);
		char quoted[64];
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_non_null(strstr(why, quoted));
	}
	assert_string_equal(format_size(100LL << 20, buf, sizeof(buf)), "100M");
	assert_string_equal(format_size(3LL << 29, buf, sizeof(buf)), "1.5G");
	assert_string_equal(format_size(4000, buf, sizeof(buf)), "3.9K");
	assert_string_equal(format_size(12, buf, sizeof(buf)), "12B");
	assert_string_equal(format_size(CG_MAX, buf, sizeof(buf)), "max");
}

static void cpu_max(void **state)
{
	(void)state;
	char why[256], buf[32];
	long long q, p;
	assert_int_equal(parse_cpu_max("50000 100000", &q, &p, why, sizeof(why)), 0);
	assert_true(q == 50000 && p == 100000);
	assert_int_equal(parse_cpu_max("max 100000", &q, &p, why, sizeof(why)), 0);
	assert_true(q == CG_MAX && p == 100000);
	assert_int_equal(parse_cpu_max("max", &q, &p, why, sizeof(why)), 0);
	assert_true(q == CG_MAX && p == 100000);
	assert_int_equal(parse_cpu_max("200000 100000", &q, &p, why, sizeof(why)), 0);
	const char *bad[] = { "50000 5", "5 100000", "abc", "1 2 3", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse_cpu_max(bad[i], &q, &p, why, sizeof(why)), -1);
		char quoted[64];
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		if (!strstr(why, quoted))
			fail_msg("cpu.max %s: the reason '%s' does not name the value", quoted, why);
	}
	assert_string_equal(format_cpu_max(50000, 100000, buf, sizeof(buf)), "50000 100000");
	assert_string_equal(format_cpu_max(CG_MAX, 100000, buf, sizeof(buf)), "max 100000");
}

static void cpus(void **state)
{
	(void)state;
	char why[256];
	long long q;
	assert_int_equal(parse_cpus("0.5", 100000, &q, why, sizeof(why)), 0);
	assert_true(q == 50000);
	assert_int_equal(parse_cpus("1.5", 100000, &q, why, sizeof(why)), 0);
	assert_true(q == 150000);
	assert_int_equal(parse_cpus("2", 100000, &q, why, sizeof(why)), 0);
	assert_true(q == 200000);
	assert_int_equal(parse_cpus(".25", 100000, &q, why, sizeof(why)), 0);
	assert_true(q == 25000);
	assert_int_equal(parse_cpus("0.01", 100000, &q, why, sizeof(why)), 0);
	assert_true(q == 1000);
	const char *bad[] = { "", "0", "0.001", "abc", "1.2.3", "-1", "0.1234", "2000", "1e3", "." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse_cpus(bad[i], 100000, &q, why, sizeof(why)), -1);
		char quoted[64];
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		if (!strstr(why, quoted))
			fail_msg("--cpus %s: the reason '%s' does not name the value", quoted, why);
	}
}

static void proc_cgroup_lines(void **state)
{
	(void)state;
	char v1[] = "4:memory:/process_api/2c51e33273dffdfb86de8f63dbc01e1d";
	char v2[] = "0::/mini-docker/abc\n";
	char bad[] = "memory:/x";
	struct cg_line l;
	assert_int_equal(parse_cgroup_line(v1, &l), 0);
	assert_int_equal(l.id, 4);
	assert_string_equal(l.controllers, "memory");
	assert_string_equal(l.path, "/process_api/2c51e33273dffdfb86de8f63dbc01e1d");
	assert_int_equal(parse_cgroup_line(v2, &l), 0);
	assert_int_equal(l.id, 0);
	assert_string_equal(l.controllers, "");
	assert_string_equal(l.path, "/mini-docker/abc");
	assert_int_equal(parse_cgroup_line(bad, &l), -1);

	const char *text = "9:name=systemd:/\n2:cpu,cpuacct:/a\n4:memory:/m\n0::/u\n";
	char path[64];
	assert_int_equal(cgroup_path_of(text, "cpuacct", path, sizeof(path)), 0);
	assert_string_equal(path, "/a");
	assert_int_equal(cgroup_path_of(text, "memory", path, sizeof(path)), 0);
	assert_string_equal(path, "/m");
	assert_int_equal(cgroup_path_of(text, "", path, sizeof(path)), 0);
	assert_string_equal(path, "/u");
	assert_int_equal(cgroup_path_of(text, "pids", path, sizeof(path)), -1);
	assert_int_equal(cgroup_path_of("0::/\n", "", path, sizeof(path)), 0);
	assert_string_equal(path, "/");
}

/* Fake mountinfo of the three layouts a classroom meets. */
static const char *hybrid =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char *v1_combined =
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"33 31 0:30 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
static const char *v2 =
	"30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static void finds_hierarchies(void **state)
{
	(void)state;
	char mnt[128];
	assert_int_equal(cgroup_mount_of(hybrid, "memory", mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/memory");
	assert_int_equal(cgroup_mount_of(hybrid, "cpuacct", mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/cpuacct");
	assert_int_equal(cgroup_mount_of(hybrid, NULL, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/unified");
	assert_int_equal(cgroup_mount_of(hybrid, "pids", mnt, sizeof(mnt)), -1);
	assert_int_equal(cgroup_mount_of(v1_combined, "cpuacct", mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(cgroup_mount_of(v1_combined, "cpu", mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup/cpu,cpuacct");
	assert_int_equal(cgroup_mount_of(v1_combined, NULL, mnt, sizeof(mnt)), -1);
	assert_int_equal(cgroup_mount_of(v2, NULL, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/cgroup");
	assert_int_equal(cgroup_mount_of(v2, "memory", mnt, sizeof(mnt)), -1);
}

static void layout_from_statfs(void **state)
{
	(void)state;
	assert_int_equal(cg_layout_from_magic(CGROUP2_SUPER_MAGIC, 0), CG_LAYOUT_V2);
	assert_int_equal(cg_layout_from_magic(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC), CG_LAYOUT_HYBRID);
	assert_int_equal(cg_layout_from_magic(TMPFS_MAGIC, 0), CG_LAYOUT_V1);
	assert_int_equal(cg_layout_from_magic(TMPFS_MAGIC, TMPFS_MAGIC), CG_LAYOUT_V1);
}

static void keyed_files(void **state)
{
	(void)state;
	const char *stat = "usage_usec 123456\nuser_usec 1\nnr_throttled 7\nthrottled_usec 4500\n";
	const char *oom = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
	unsigned long long v;
	assert_int_equal(keyed_value(stat, "usage_usec", &v), 0);
	assert_true(v == 123456);
	assert_int_equal(keyed_value(stat, "throttled_usec", &v), 0);
	assert_true(v == 4500);
	assert_int_equal(keyed_value(oom, "oom_kill", &v), 0); /* not oom_kill_disable */
	assert_true(v == 1);
	assert_int_equal(keyed_value(stat, "usage", &v), -1);
}

static void fallback_rule(void **state)
{
	(void)state;
	assert_true(spawn_should_fall_back(ENOSYS));
	assert_true(spawn_should_fall_back(E2BIG));
	assert_true(spawn_should_fall_back(EINVAL));
	assert_true(spawn_should_fall_back(EPERM));
	assert_false(spawn_should_fall_back(EBADF));
	assert_false(spawn_should_fall_back(EBUSY));
	assert_false(spawn_should_fall_back(ENODEV));
	assert_false(spawn_should_fall_back(ENOMEM));
}

/* /proc/cgroups rows and /proc/PID/stat times, as 05 --controllers and
 * --move-in read them. */
static void proc_text(void **state)
{
	(void)state;
	struct subsys_row r;
	assert_int_equal(proc_cgroups_parse_line("#subsys_name\thierarchy\tnum_cgroups\tenabled", &r), -1);
	assert_int_equal(proc_cgroups_parse_line("memory\t4\t212\t1", &r), 0);
	assert_string_equal(r.name, "memory");
	assert_int_equal(r.hierarchy, 4);
	assert_int_equal(r.num_cgroups, 212);
	assert_int_equal(r.enabled, 1);
	assert_int_equal(proc_cgroups_parse_line("cpu 0 101 1", &r), 0); /* notes' spacing, v2 */
	assert_int_equal(r.hierarchy, 0);
	assert_int_equal(proc_cgroups_parse_line("cpu 1 2", &r), -1);
	assert_int_equal(proc_cgroups_parse_line("cpu 1 2 1 x", &r), -1);
	char st;
	unsigned long long ticks;
	/* A command name with spaces and ')' in it: fields count from the last ')'. */
	const char *stat = "1116447 (a) b) R 1 1116447 1 34816 1 4194304 100 0 0 0 13149 2 0 0 25 5 1 0";
	assert_int_equal(proc_stat_times(stat, &st, &ticks), 0);
	assert_int_equal(st, 'R');
	assert_int_equal(ticks, 13151);
	assert_int_equal(proc_stat_times("1 (sh) R 1 2", &st, &ticks), -1);
	assert_int_equal(proc_stat_times("no parens here", &st, &ticks), -1);
}

/* v1 freezer: done only when no task the container lists is outside the
 * frozen leaf (the same count with other pids is not done). */
static void freezer_leaf_holds_all(void **state)
{
	(void)state;
	assert_true(cg_procs_within("", ""));
	assert_true(cg_procs_within("12\n345", "345\n12\n7"));
	assert_true(cg_procs_within("12\n", "12"));
	assert_false(cg_procs_within("12\n346", "345\n12"));
	assert_false(cg_procs_within("1", "12\n"));   /* a prefix is not the pid */
	assert_false(cg_procs_within("12", "112"));
	assert_false(cg_procs_within("12\n13", "12\n14")); /* same count, another task */
	assert_false(cg_procs_within("5", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_text),
		cmocka_unit_test(sizes),
		cmocka_unit_test(cpu_max),
		cmocka_unit_test(cpus),
		cmocka_unit_test(proc_cgroup_lines),
		cmocka_unit_test(finds_hierarchies),
		cmocka_unit_test(layout_from_statfs),
		cmocka_unit_test(keyed_files),
		cmocka_unit_test(fallback_rule),
		cmocka_unit_test(freezer_leaf_holds_all),
	};
	return cmocka_run_group_tests_name("cgvalue", tests, NULL, NULL);
}
