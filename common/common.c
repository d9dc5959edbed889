/* common/common.c — see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <sys/utsname.h>
#include <sys/random.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

const char *prog_name = "demo";

static void vreport(const char *fmt, va_list ap, int err)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog_name);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	exit(1);
}

void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, err);
	va_end(ap);
	exit(1);
}

int warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, err);
	va_end(ap);
	errno = err;
	return -1;
}

int warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	errno = err;
	return -1;
}

void step(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("=> ", stdout);
	vprintf(fmt, ap);
	fputs(" ... ", stdout);
	va_end(ap);
	fflush(stdout);
}

void done(void)
{
	puts("done");
	fflush(stdout);
}

void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (ssize_t)len;
}

int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(s);
	ssize_t n = write(fd, s, len);
	int err = errno;
	if (close(fd) < 0 && n >= 0) {
		/* cgroupfs can report a rejected value only at close on some kernels */
		return -1;
	}
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int gate_init(struct gate *g)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	g->rd = fds[0];
	g->wr = fds[1];
	return 0;
}

void gate_child_side(struct gate *g)
{
	close(g->wr);
	g->wr = -1;
}

void gate_parent_side(struct gate *g)
{
	close(g->rd);
	g->rd = -1;
}

void gate_wait(struct gate *g)
{
	char c;
	ssize_t n;
	do
		n = read(g->rd, &c, 1);
	while (n < 0 && errno == EINTR);
	/* n == 0 means the parent closed the pipe without opening the gate:
	 * it failed, so the child must not go on with a half-done setup. */
	if (n != 1)
		_exit(1);
	close(g->rd);
	g->rd = -1;
}

int gate_open(struct gate *g)
{
	int rc = write(g->wr, "x", 1) == 1 ? 0 : -1;
	int err = errno;
	close(g->wr);
	g->wr = -1;
	errno = err;
	return rc;
}

pid_t clone3_fork(uint64_t flags, int cgroup_fd, int *pidfd)
{
	/* Buffered output would be copied into the child and printed twice. */
	fflush(NULL);

	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	if (pidfd) {
		args.flags |= CLONE_PIDFD;
		args.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	/* glibc has no clone3() wrapper for fork-like use, so call the syscall.
	 * With no stack given the child runs on a copy of the parent's stack,
	 * exactly as after fork(). Pitfall: glibc's cached thread id is not
	 * updated in the child, so the child must not call raise() or abort();
	 * kill(getpid(), sig) is the safe form. */
	long ret = syscall(SYS_clone3, &args, sizeof(args));
	return (pid_t)ret;
}

int wait_child(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return warn_errno("waitpid %d", (int)pid);
	}
	return status;
}

const char *describe_status(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, size, "status 0x%x", status);
	return buf;
}

int kernel_at_least(const char *release, int major, int minor)
{
	int ma = 0, mi = 0;
	if (sscanf(release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void catch_stop_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void block_stop_signals(sigset_t *old)
{
	sigset_t set;
	stop_set(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

void restore_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

void default_signals(void)
{
	/* SIGKILL and SIGSTOP refuse the change (EINVAL), being at their
	 * default already; so do 32 and 33, which glibc keeps for itself
	 * (thread cancellation, setxid) and will not let a program touch. */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

char *read_whole_fd(int fd, size_t max, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int err = 0;
	if (fstat(fd, &st) < 0) {
		err = errno;
	} else if ((size_t)st.st_size > max) {
		err = EFBIG;
	} else if (!(buf = malloc((size_t)st.st_size + 1))) {
		err = ENOMEM;
	} else {
		ssize_t n = read(fd, buf, (size_t)st.st_size);
		if (n != st.st_size) {
			err = n < 0 ? errno : EIO;
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	errno = err;
	return buf;
}

char *read_whole(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = read_whole_fd(fd, max, len);
	int err = errno;
	close(fd);
	errno = err;
	return buf;
}

int path_has_dotdot(const char *path)
{
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p = end;
	}
	return 0;
}

int is_hex64(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}

int random_hex64(char out[65])
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

const char *go_arch(void)
{
	static struct utsname u;
	if (uname(&u) < 0)
		return "unknown";
	if (!strcmp(u.machine, "x86_64")) return "amd64";
	if (!strcmp(u.machine, "aarch64")) return "arm64";
	if (!strncmp(u.machine, "armv", 4)) return "arm";
	if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386")) return "386";
	return u.machine;
}
