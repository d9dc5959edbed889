/* tests/hardening/probe_confine.c — the attempts seccomp, the session
 * keyring and the sealed runtime binary stop. Same output shape as
 * probe.c: "BLOCKED what: errno" or "ESCAPED what: detail". */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define KEY_NAME "mini-docker-probe-key"

/* Host side: a session keyring of our own with one key in it, then CMD,
 * which inherits the keyring. It dies with us: nothing is left. */
int with_key(char **cmd)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "mini-docker-probe") < 0 ||
	    syscall(SYS_add_key, "user", KEY_NAME, "secret", 6, KEY_SPEC_SESSION_KEYRING) < 0) {
		perror("probe with-key: keyctl/add_key");
		return 100;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void keyring_read(void)
{
	long id = syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, "user", KEY_NAME, 0);
	if (id >= 0)
		escaped("read the caller's session keyring", "found " KEY_NAME);
	else
		blocked("read the caller's session keyring", errno);
}

void keyring_add(void)
{
	if (syscall(SYS_add_key, "user", "probe", "x", 1, KEY_SPEC_SESSION_KEYRING) >= 0)
		escaped("add_key", "added a key to a kernel keyring");
	else
		blocked("add_key", errno);
}

/* A new user namespace would hand back the capabilities the container
 * was denied, inside it: mount, then whatever a filesystem bug allows. */
void userns_mount(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
			blocked("unshare(CLONE_NEWUSER) then mount", errno);
			_exit(0);
		}
		if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0)
			escaped("unshare(CLONE_NEWUSER) then mount", "mounted a tmpfs");
		else
			blocked("unshare(CLONE_NEWUSER) then mount", errno);
		_exit(escapes);
	}
	int status;
	waitpid(pid, &status, 0);
	escapes += WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		escaped("clone(CLONE_NEWUSER)", "made a user namespace");
	} else {
		blocked("clone(CLONE_NEWUSER)", errno);
	}
	/* clone3's flags are in memory BPF cannot read: ENOSYS, so libc
	 * falls back to clone, whose flags it can */
	struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	r = syscall(SYS_clone3, &args, sizeof(args));
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		escaped("clone3(CLONE_NEWUSER)", "made a user namespace");
	} else {
		blocked("clone3(CLONE_NEWUSER)", errno);
	}
}

void try_bpf(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 4;
	a.max_entries = 1;
	long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof(a));
	if (fd >= 0)
		escaped("bpf", "created a BPF map");
	else
		blocked("bpf", errno);
}

void try_perf(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.exclude_kernel = 1;
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd >= 0)
		escaped("perf_event_open", "opened a perf event");
	else
		blocked("perf_event_open", errno);
}

void try_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd >= 0)
		escaped("userfaultfd", "got a userfaultfd");
	else
		blocked("userfaultfd", errno);
}

void try_io_uring(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	long fd = syscall(SYS_io_uring_setup, 1, &p);
	if (fd >= 0)
		escaped("io_uring_setup", "got an io_uring");
	else
		blocked("io_uring_setup", errno);
}

void try_personality(void)
{
	/* READ_IMPLIES_EXEC makes every readable mapping executable */
	if (syscall(SYS_personality, READ_IMPLIES_EXEC) >= 0 &&
	    (personality(0xffffffff) & READ_IMPLIES_EXEC)) {
		escaped("personality(READ_IMPLIES_EXEC)", "set it");
		personality(PER_LINUX);
	} else {
		blocked("personality(READ_IMPLIES_EXEC)", errno ? errno : EPERM);
	}
}

/* Write one byte at the end of the file behind path (a /proc/PID/exe, or
 * an fd of ours that points at one): the runc CVE-2019-5736 write. */
static int try_write(const char *path, const char *what)
{
	/* ETXTBSY while any process still runs the file: the attacker waits
	 * for the runtime's host side to exit too */
	int fd = -1;
	for (int t = 0; t < 500; t++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0 || errno != ETXTBSY)
			break;
		usleep(10000);
	}
	if (fd < 0) {
		blocked(what, errno);
		return 0;
	}
	int ok = write(fd, "X", 1) == 1;
	int err = errno;
	close(fd);
	if (ok)
		escaped(what, "wrote into the runtime's binary");
	else
		blocked(what, err);
	return ok;
}

void exe_write(const char *path)
{
	try_write(path ? path : "/proc/1/exe", "write the runtime binary through /proc/PID/exe");
}

/* Watch /proc for a process whose exe is mini-docker's (the kernel ran it
 * for a "#!/proc/self/exe" script), keep an O_PATH fd to that exe, and
 * once the process is gone (no more ETXTBSY) open the fd for writing. */
void exe_race(const char *seconds)
{
	int held[16], nheld = 0;
	pid_t pids[16];
	time_t end = time(NULL) + (seconds ? atoi(seconds) : 10);
	while (time(NULL) < end && nheld < 16) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) && nheld < 16) {
			char p[64], target[256] = "";
			pid_t pid = atoi(e->d_name);
			if (pid <= 1 || pid == getpid())
				continue;
			snprintf(p, sizeof(p), "/proc/%d/exe", pid);
			if (readlink(p, target, sizeof(target) - 1) < 0 || !strstr(target, "mini-docker"))
				continue;
			int fd = open(p, O_PATH | O_CLOEXEC);
			if (fd >= 0) {
				printf("CAUGHT pid %d running %s\n", pid, target);
				pids[nheld] = pid;
				held[nheld++] = fd;
			}
		}
		if (d)
			closedir(d);
		if (nheld > 0)
			break;
	}
	if (nheld == 0) {
		printf("MISSED no mini-docker process seen\n");
		return;
	}
	for (int i = 0; i < nheld; i++) {
		for (int t = 0; t < 200 && kill(pids[i], 0) == 0; t++)
			usleep(10000);
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", held[i]);
		try_write(p, "write the runtime binary after it exited");
	}
}

/* Host side: is the file behind path (a container process's
 * /proc/PID/exe) a memfd sealed against writes? Exit 0 if so. */
int exe_seals(const char *path)
{
	int fd = open(path ? path : "/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
	int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	if (seals >= 0 && (seals & want) == want) {
		printf("SEALED %s: seals 0x%x\n", path, seals);
		return 0;
	}
	printf("NOT SEALED %s: %s\n", path, fd < 0 ? strerror(errno) : seals < 0 ? "not a memfd" : "seals missing");
	return 1;
}
