/* Unit tests: what a container's process sheds on the way in —
 * -u/--user resolution (user.c), seccomp profiles in Docker's JSON format
 * compiled with libseccomp (seccomp_profile.c), checked by loading the
 * program in a child and calling the syscalls. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "caps.h"
#include "options.h"
#include "seccomp_profile.h"
#include "user.h"

static const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			    "app:x:1000:1000:App:/home/app:/bin/sh\n"
			    "broken:x:12a:1:bad:/:/bin/sh\n";
static const char *group = "root:x:0:\nwheel:x:10:app,daemon\nstaff:x:50:app\napp:x:1000:\n";

static void user_names_and_numbers(void **state)
{
	(void)state;
	struct user_ids u;
	char why[256];
	assert_int_equal(user_resolve("", passwd, group, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 0 && u.gid == 0 && strcmp(u.home, "/root") == 0);
	assert_int_equal(user_resolve("app", passwd, group, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 1000 && u.gid == 1000 && strcmp(u.home, "/home/app") == 0);
	assert_int_equal(u.ngroups, 2); /* wheel and staff list it */
	assert_true(u.groups[0] == 10 && u.groups[1] == 50);
	/* a number the image does not list: that uid, group 0, HOME / (Docker) */
	assert_int_equal(user_resolve("4242", passwd, group, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 4242 && u.gid == 0 && strcmp(u.home, "/") == 0);
	/* a listed number takes its passwd entry */
	assert_int_equal(user_resolve("1", passwd, group, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 1 && u.gid == 1 && strcmp(u.home, "/usr/sbin") == 0);
	assert_int_equal(user_resolve("app:staff", passwd, group, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 1000 && u.gid == 50);
	assert_int_equal(user_resolve("1000:7", NULL, NULL, &u, why, sizeof(why)), 0);
	assert_true(u.uid == 1000 && u.gid == 7 && u.ngroups == 0);
}

static void user_bad_values_are_named(void **state)
{
	(void)state;
	struct user_ids u;
	char why[256];
	const char *bad[][2] = { { "nobody", "'nobody'" }, { "app:nogroup", "'nogroup'" },
				 { ":5", "':5'" }, { "broken", "'broken'" },
				 { "4294967295", "'4294967295'" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(user_resolve(bad[i][0], passwd, group, &u, why, sizeof(why)), -1);
		if (!strstr(why, bad[i][1]))
			fail_msg("'%s': why '%s' does not name %s", bad[i][0], why, bad[i][1]);
	}
	/* no /etc/passwd at all: names cannot resolve, numbers can */
	assert_int_equal(user_resolve("app", NULL, NULL, &u, why, sizeof(why)), -1);
	assert_int_equal(user_resolve("7", NULL, NULL, &u, why, sizeof(why)), 0);
}

static void security_opt_values(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(seccomp_opt_check("unconfined", why, sizeof(why)), 0);
	assert_int_equal(seccomp_opt_check("/etc/p.json", why, sizeof(why)), 0);
	assert_int_equal(seccomp_opt_check("p.json", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "'p.json'"));
	assert_int_equal(seccomp_opt_check("", why, sizeof(why)), -1);
}

static char *profile(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test_confine.%d.json", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* In a child: install prog, call syscall nr with arg a0, report errno
 * (0: it succeeded) through the exit status. */
static int errno_under(const struct sock_fprog *prog, long nr, long a0)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog) < 0)
			_exit(255);
		_exit(syscall(nr, a0, 0, 0, 0, 0) < 0 ? errno : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 254;
}

static void profile_rules_apply(void **state)
{
	(void)state;
	struct sock_fprog prog;
	char why[512];
	/* getppid answers ENOTTY; a rule that needs CAP_SYS_ADMIN is skipped
	 * for the default capabilities; one that excludes it applies */
	const char *path = profile(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":25},"
		"{\"names\":[\"getpgid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":7,"
		" \"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"getsid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,"
		" \"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
		"{\"names\":[\"no_such_syscall\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":33,"
		" \"args\":[{\"index\":0,\"value\":63,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	assert_int_equal(seccomp_compile(path, caps_default_mask(), &prog, why, sizeof(why)), 0);
	assert_true(prog.len > 0);
	assert_int_equal(errno_under(&prog, SYS_getppid, 0), 25);
	assert_int_equal(errno_under(&prog, SYS_getpgid, 0), 0);
	assert_int_equal(errno_under(&prog, SYS_getsid, 0), 9);
	assert_int_equal(errno_under(&prog, SYS_umask, 63), 33);
	assert_int_equal(errno_under(&prog, SYS_umask, 18), 0);
	free(prog.filter);
	unlink(path);
}

static void bad_profiles_are_named(void **state)
{
	(void)state;
	struct sock_fprog prog;
	char why[512];
	const char *bad[][2] = {
		{ "[1,2]", "not a JSON object" },
		{ "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\"}]}", "names" },
		{ "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
		  "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}", "index" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *path = profile(bad[i][0]);
		assert_int_equal(seccomp_compile(path, caps_default_mask(), &prog, why, sizeof(why)), -1);
		if (!strstr(why, bad[i][1]) || !strstr(why, path))
			fail_msg("profile %s: why '%s' names neither '%s' nor the file", bad[i][0], why, bad[i][1]);
		unlink(path);
	}
	assert_int_equal(seccomp_compile("/no/such.json", caps_default_mask(), &prog, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/no/such.json"));
	assert_int_equal(seccomp_compile("unconfined", caps_default_mask(), &prog, why, sizeof(why)), 0);
	assert_int_equal(prog.len, 0);
}

/* The default: containers-common's file with Docker's rules on top. */
static void default_profile_is_dockers(void **state)
{
	(void)state;
	struct sock_fprog prog;
	char why[512];
	if (access(SECCOMP_DEFAULT_PROFILE, R_OK) < 0)
		fail_msg("%s is missing: run 'make deps'", SECCOMP_DEFAULT_PROFILE);
	assert_int_equal(seccomp_compile("", caps_default_mask(), &prog, why, sizeof(why)), 0);
	assert_int_equal(errno_under(&prog, SYS_getpid, 0), 0);
	assert_int_equal(errno_under(&prog, SYS_keyctl, 0), EPERM);    /* Docker's rule */
	assert_int_equal(errno_under(&prog, SYS_unshare, 0), EPERM);   /* Docker's rule */
	assert_int_equal(errno_under(&prog, SYS_clone3, 0), ENOSYS);   /* libc falls back */
	assert_int_equal(errno_under(&prog, SYS_io_uring_setup, 0), EPERM); /* not listed */
	free(prog.filter);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_names_and_numbers),
		cmocka_unit_test(user_bad_values_are_named),
		cmocka_unit_test(security_opt_values),
		cmocka_unit_test(profile_rules_apply),
		cmocka_unit_test(bad_profiles_are_named),
		cmocka_unit_test(default_profile_is_dockers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
