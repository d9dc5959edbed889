/* Unit tests: `mini-docker run` options (08-mini-docker/options.c), Docker's
 * default capability mask (caps.c) and exit codes (exitcode.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "common.h"
#include "caps.h"
#include "options.h"
#include "exitcode.h"

static int parse(char **argv, struct run_opts *o, char *why)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return options_parse(argc, argv, o, why, 512);
}

static void full_command_line(void **state)
{
	(void)state;
	struct run_opts o;
	char why[512];
	char *argv[] = { "run", "-it", "--rm", "--name", "web-1", "--hostname", "box", "-m", "64m",
			 "--cpus", "0.5", "--pids-limit", "10", "-e", "A=1", "-e", "B_2=x=y",
			 "-w", "/srv", "-v", "/tmp:/data:ro", "--init", "busybox:1.36", "sh", "-c", "echo -n hi", NULL };
	assert_int_equal(parse(argv, &o, why), 0);
	assert_true(o.interactive && o.tty && o.rm && o.init && !o.rootless && !o.detach);
	assert_string_equal(o.image, "busybox:1.36");
	assert_string_equal(o.name, "web-1");
	assert_string_equal(o.hostname, "box");
	assert_true(o.memory == 64LL << 20);
	assert_true(o.cpu_quota == 50000 && o.cpu_period == 100000);
	assert_true(o.pids == 10);
	assert_int_equal(o.nenv, 2);
	assert_string_equal(o.env[1], "B_2=x=y");
	assert_string_equal(o.workdir, "/srv");
	assert_int_equal(o.nvol, 1);
	assert_string_equal(o.vol[0].host, "/tmp");
	assert_string_equal(o.vol[0].container, "/data");
	assert_true(o.vol[0].readonly);
	/* the command's own flags stay the command's */
	assert_string_equal(o.argv[0], "sh");
	assert_string_equal(o.argv[1], "-c");
	assert_string_equal(o.argv[2], "echo -n hi");
	assert_null(o.argv[3]);
}

static void defaults(void **state)
{
	(void)state;
	struct run_opts o;
	char why[512];
	char *argv[] = { "run", "busybox", NULL };
	assert_int_equal(parse(argv, &o, why), 0);
	assert_true(o.memory == -1 && o.cpu_quota == -1 && o.pids == -1);
	assert_string_equal(o.image, "busybox");
	assert_null(o.argv[0]); /* the image's own command will run */
	assert_null(o.name);
	assert_false(o.interactive || o.tty || o.init || o.detach);
}

/* --rootfs DIR stands for IMAGE: every positional is then the command */
static void rootfs_and_detach(void **state)
{
	(void)state;
	struct run_opts o;
	char why[512];
	char *argv[] = { "run", "-d", "--rootfs", "/srv/rootfs", "sleep", "9", NULL };
	assert_int_equal(parse(argv, &o, why), 0);
	assert_true(o.detach);
	assert_string_equal(o.image, "/srv/rootfs");
	assert_string_equal(o.argv[0], "sleep");
	char *rel[] = { "run", "--rootfs", "srv", "true", NULL };
	assert_int_equal(parse(rel, &o, why), -1);
	assert_non_null(strstr(why, "'srv'"));
}

/* Each bad invocation: -1, and the reason names the offending value. */
static void bad_input(void **state)
{
	(void)state;
	static const struct { const char *args[6]; const char *named; } cases[] = {
		{ { "-m", "12x", "true" }, "'12x'" },
		{ { "-m", "1k", "true" }, "'1k'" },
		{ { "--cpus", "abc", "true" }, "'abc'" },
		{ { "--cpus", "0", "true" }, "'0'" },
		{ { "--pids-limit", "0", "true" }, "'0'" },
		{ { "--pids-limit", "ten", "true" }, "'ten'" },
		{ { "--name", "-bad", "true" }, "'-bad'" },
		{ { "--name", "a b", "true" }, "'a b'" },
		{ { "--hostname", "has space", "true" }, "'has space'" },
		{ { "-e", "1A=x", "true" }, "'1A=x'" },
		{ { "-e", "NOEQUALS", "true" }, "'NOEQUALS'" },
		{ { "-v", "rel:/data", "true" }, "'rel:/data'" },
		{ { "-v", "/tmp:data", "true" }, "'/tmp:data'" },
		{ { "-v", "/tmp/../etc:/data", "true" }, "'..'" },
		{ { "-v", "/tmp:/data/../../x", "true" }, "'..'" },
		{ { "-v", "/tmp:/data:rx", "true" }, "'/tmp:/data:rx'" },
		{ { "-v", "/tmp", "true" }, "'/tmp'" },
		{ { "-v", "/tmp:/", "true" }, "'/tmp:/'" },
		{ { "-w", "relative", "true" }, "'relative'" },
		{ { "-w", "/a/../b", "true" }, "'/a/../b'" },
		{ { "--bogus", "true" }, "'--bogus'" },
		{ { "-x", "true" }, "'-x'" },
		{ { "--rootless", "-m", "64m", "true" }, "--rootless" },
		{ { NULL }, "no image" },
		{ { "" }, "image name is empty" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[8] = { "run" };
		int n = 1;
		for (int j = 0; cases[i].args[j]; j++)
			argv[n++] = (char *)cases[i].args[j];
		argv[n] = NULL;
		struct run_opts o;
		char why[512] = "";
		int r = parse(argv, &o, why);
		if (r != -1 || !strstr(why, cases[i].named))
			fail_msg("case %zu: r=%d why='%s', wanted it to name %s", i, r, why, cases[i].named);
		assert_null(strchr(why, '\n')); /* one line */
	}
}

static void dotdot(void **state)
{
	(void)state;
	assert_true(path_has_dotdot("/a/../b"));
	assert_true(path_has_dotdot(".."));
	assert_true(path_has_dotdot("/a/.."));
	assert_false(path_has_dotdot("/a/..b/c"));
	assert_false(path_has_dotdot("/a/b.."));
	assert_false(path_has_dotdot("/"));
}

static void capability_set(void **state)
{
	(void)state;
	assert_int_equal(caps_default_count, 14);
	/* what `grep CapEff /proc/self/status` shows in a default Docker container */
	assert_true(caps_default_mask() == 0xa80425fbULL);
}

static void exit_codes(void **state)
{
	(void)state;
	assert_int_equal(docker_exit_code(7 << 8, 0), 7);              /* exit 7 */
	assert_int_equal(docker_exit_code(SIGKILL, 0), 137);           /* killed: 128+9 */
	assert_int_equal(docker_exit_code(SIGTERM, 0), 143);
	assert_int_equal(docker_exit_code(127 << 8, ENOENT), 127);     /* not found */
	assert_int_equal(docker_exit_code(126 << 8, EACCES), 126);     /* not executable */
	assert_int_equal(docker_exit_code(126 << 8, ENOEXEC), 126);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_command_line),
		cmocka_unit_test(defaults),
		cmocka_unit_test(rootfs_and_detach),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(dotdot),
		cmocka_unit_test(capability_set),
		cmocka_unit_test(exit_codes),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
