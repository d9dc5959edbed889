/* 08-mini-docker/enter.c — see enter.h. The order is the lesson:
 *   1. fds: only stdio (and the exec-error pipe) survive, before any path
 *      is looked up: /proc/self/fd/N is a door to whatever N is;
 *   2. a session of our own, the terminal as its controlling tty;
 *   3. the working directory, resolved inside the root;
 *   4. the user's ids and the environment;
 *   5. a keyring of our own;
 *   6. privileges: bounding set, ids, capabilities, no_new_privs;
 *   7. seccomp, the last thing before exec. */
#define _GNU_SOURCE
#include "enter.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "common.h"
#include "exitcode.h"
#include "inroot.h"
#include "seccomp_profile.h"
#include "user.h"

#include <sys/capability.h>

noreturn void setup_fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "mini-docker: container setup: ");
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	va_end(ap);
	_exit(125);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void close_fds_except(const int *keep, size_t n)
{
	int k[8], lo = 3;
	if (n > 8)
		n = 8;
	memcpy(k, keep, n * sizeof(int));
	qsort(k, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (k[i] < lo)
			continue;
		if (k[i] > lo && syscall(SYS_close_range, lo, k[i] - 1, 0) < 0)
			setup_fail("close_range");
		lo = k[i] + 1;
	}
	if (syscall(SYS_close_range, lo, ~0U, 0) < 0)
		setup_fail("close_range");
}

/* 1 and 2. stdout/stderr to where the caller said, a new session (so
 * TIOCSTI on an inherited terminal cannot type into the caller's shell),
 * the terminal on 0-2, then nothing else but the exec-error pipe. */
static void stdio_and_session(const struct entry *e)
{
	if (e->out_fd >= 0) {
		int err = e->err_fd >= 0 ? e->err_fd : e->out_fd;
		if (dup2(e->out_fd, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			setup_fail("stdout and stderr");
	}
	if (setsid() < 0)
		setup_fail("setsid");
	if (e->tty_fd >= 0) {
		if (ioctl(e->tty_fd, TIOCSCTTY, 0) < 0)
			setup_fail("TIOCSCTTY");
		for (int fd = 0; fd < 3; fd++)
			if (dup2(e->tty_fd, fd) < 0)
				setup_fail("dup2 terminal");
	}
	close_fds_except(&e->exec_err_fd, 1);
}

static void stdin_null(void)
{
	struct stat st;
	int fd = open_in_root("/dev/null", O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0 || fstat(fd, &st) < 0)
		setup_fail("open /dev/null");
	/* the container owns its /dev: it could have put a FIFO there */
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		errno = 0;
		setup_fail("the container's /dev/null is not the null device");
	}
	if (dup2(fd, STDIN_FILENO) < 0)
		setup_fail("stdin from /dev/null");
	close(fd);
}

/* 3. The working directory: never by chdir(path), which would follow a
 * symlink the container planted wherever it leads. Resolved inside the
 * root, then checked: getcwd fails (ENOENT, "(unreachable)") for a cwd
 * outside our root. */
static void enter_workdir(const struct entry *e)
{
	const char *wd = e->workdir && e->workdir[0] ? e->workdir : "/";
	int fd = open_in_root(wd, O_PATH | O_DIRECTORY, 0);
	if (fd < 0 && errno == ENOENT && e->make_workdir) {
		if (mkdir_in_root(wd, 0755) < 0)
			setup_fail("mkdir -p %s", wd);
		fd = open_in_root(wd, O_PATH | O_DIRECTORY, 0);
	}
	if (fd < 0 && errno == ELOOP && (errno = 0) == 0)
		setup_fail("working directory %s: it goes through a magic link such as "
			   "/proc/self/fd/N, which could lead out of the container", wd);
	if (fd < 0)
		setup_fail("working directory %s", wd);
	if (fchdir(fd) < 0)
		setup_fail("fchdir %s", wd);
	close(fd);
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		setup_fail("working directory %s is outside the container", wd);
}

/* 4. The environment, fresh, as Docker gives one: nothing of the caller's. */
static void set_env(const struct entry *e, const struct user_ids *u)
{
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOSTNAME", e->hostname, 1);
	setenv("HOME", u->home[0] ? u->home : "/", 1);
	if (e->tty)
		setenv("TERM", "xterm", 1);
	for (int i = 0; i < e->nenv; i++)
		if (putenv(e->env[i]) != 0)
			setup_fail("putenv %s", e->env[i]);
	for (int i = 0; i < e->nextra; i++)
		if (putenv(e->extra_env[i]) != 0)
			setup_fail("putenv %s", e->extra_env[i]);
}

/* 6. The bounding set first (dropping needs CAP_SETPCAP), then the ids
 * (setuid needs CAP_SETUID), then the capabilities a root user keeps: a
 * uid change away from 0 has already cleared them for anyone else. */
static void drop_privileges(const struct user_ids *u)
{
	if (caps_drop_bounding() < 0)
		setup_fail("capability bounding set");
	/* A --rootless user namespace has setgroups "deny" (stage 02): the
	 * supplementary groups cannot change there, and none are asked for. */
	char deny[16] = "";
	if (setgroups((size_t)u->ngroups, u->groups) < 0 &&
	    !(errno == EPERM && u->ngroups == 0 && read_file("/proc/self/setgroups", deny, sizeof(deny)) > 0 &&
	      strcmp(deny, "deny") == 0))
		setup_fail("setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		setup_fail("setgid %u (is it mapped in the container's user namespace?)", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		setup_fail("setuid %u (is it mapped in the container's user namespace?)", u->uid);
	if (u->uid == 0 && caps_set_default() < 0) {
		errno = 0;
		setup_fail("capabilities");
	}
	if (u->uid != 0) {
		cap_t none = cap_init();
		if (!none || cap_set_proc(none) < 0 || (cap_reset_ambient() < 0 && errno != EINVAL))
			setup_fail("clear capabilities");
		cap_free(none);
	}
	/* No exec from here on can gain privileges: setuid bits and file
	 * capabilities are ignored. seccomp without CAP_SYS_ADMIN needs it. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		setup_fail("prctl(PR_SET_NO_NEW_PRIVS)");
}

noreturn static void exec_command(const struct entry *e)
{
	execvp(e->argv[0], e->argv);
	int err = errno;
	/* The parent reads this to tell 127 (not found) from 126 (not
	 * executable) and to name the error; the pipe closes on a good exec. */
	if (write(e->exec_err_fd, &err, sizeof(err)) < 0)
		_exit(125);
	_exit(exec_failure_code(err));
}

/* --init: PID 1 stays our code. It starts the command as pid 2, passes on
 * the signals a plain PID 1 would ignore, reaps every orphan, and leaves
 * with the command's status. It runs confined like the command. */
static volatile sig_atomic_t child_pid;
static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

noreturn static void run_init(const struct entry *e)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	pid_t pid = fork();
	if (pid < 0)
		setup_fail("fork for --init");
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		if (e->tty_fd >= 0) {
			/* the command gets the terminal's foreground */
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(0, getpid());
			signal(SIGTTOU, SIG_DFL);
		}
		exec_command(e);
	}
	child_pid = pid;
	/* an init that holds the pipe would keep `run -d` waiting for ever */
	close(e->exec_err_fd);
	for (;;) {
		int status;
		pid_t got = wait(&status);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			_exit(125);
		if (got == pid)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		/* anything else is an adopted orphan: reaped, nothing more */
	}
}

noreturn void enter_container(const struct entry *e)
{
	stdio_and_session(e);                                     /* 1, 2 */
	if (e->stdin_null && e->tty_fd < 0)
		stdin_null();
	enter_workdir(e);                                         /* 3 */
	struct user_ids u;
	char why[512], *passwd = NULL, *group = NULL;
	if (e->user && e->user[0]) {                              /* 4 */
		passwd = read_in_root("/etc/passwd");
		group = read_in_root("/etc/group");
	}
	if (user_resolve(e->user ? e->user : "", passwd, group, &u, why, sizeof(why)) < 0) {
		errno = 0;
		setup_fail("%s", why);
	}
	free(passwd);
	free(group);
	set_env(e, &u);
	/* 5. The session keyring is inherited across fork and exec; the
	 * keyrings are not namespaced, so the container would see the
	 * caller's keys (login tokens, ...). A new, empty one replaces it. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS)
		setup_fail("keyctl(KEYCTL_JOIN_SESSION_KEYRING)");
	drop_privileges(&u);                                      /* 6 */
	if (seccomp_install(e->seccomp) < 0)                      /* 7 */
		setup_fail("seccomp(SECCOMP_SET_MODE_FILTER)");
	if (e->init)
		run_init(e);
	exec_command(e);
}
