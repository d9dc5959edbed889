/* tests/hardening/probe.c — breakout attempts, run inside a default
 * mini-docker container (bind-mounted in as a static binary). Each attempt
 * prints one line: "BLOCKED <what>: <how the kernel said no>" or
 * "ESCAPED <what>: <what happened>". Exit status: the number of escapes.
 * Usage: probe ATTEMPT [ARG]   (see the table at the bottom; the newer
 * attempts, on seccomp, keyrings and the runtime binary, are in
 * probe_confine.c) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "probe.h"

int escapes;

void blocked(const char *what, int err)
{
	printf("BLOCKED %s: %s\n", what, strerrorname_np(err) ? strerrorname_np(err) : strerror(err));
}

void escaped(const char *what, const char *detail)
{
	printf("ESCAPED %s: %s\n", what, detail);
	escapes++;
}

/* The classic chroot escape: chroot into a subdirectory while keeping a cwd
 * outside it, then walk up. After pivot_root + detaching the old root,
 * "up" ends at the container's own root. */
static void chroot_escape(void)
{
	mkdir("/tmp/jail", 0755);
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	if (chroot("/tmp/jail") < 0) {
		blocked("chroot escape", errno);
		return;
	}
	if (fchdir(fd) < 0) {
		blocked("chroot escape (fchdir)", errno);
		return;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	chroot(".");
	/* a file only the host's root has: this machine's kernel config dir
	 * or the host's /etc/os-release differ from busybox's /etc */
	struct stat st;
	if (stat("/etc/os-release", &st) == 0 || stat("/boot", &st) == 0 || stat("/home", &st) == 0)
		escaped("chroot escape", "reached a directory of the host's root");
	else
		printf("BLOCKED chroot escape: walking up ends at the container's root\n");
}

static void mount_anything(void)
{
	if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) == 0)
		escaped("mount", "mounted a tmpfs");
	else
		blocked("mount", errno);
	if (umount2("/proc", MNT_DETACH) == 0)
		escaped("umount /proc", "unmounted it (unmasks /proc/kcore...)");
	else
		blocked("umount /proc", errno);
}

/* CAP_MKNOD is in Docker's default set, so mknod itself works; opening the
 * device must not. dev is "MAJ:MIN" of the host's root disk. */
static void mknod_disk(const char *dev)
{
	unsigned maj, min;
	if (!dev || sscanf(dev, "%u:%u", &maj, &min) != 2) {
		printf("BLOCKED mknod disk: no device given\n");
		return;
	}
	const char *paths[] = { "/tmp/disk", "/dev/disk", "/dev/shm/disk", NULL };
	for (int i = 0; paths[i]; i++) {
		unlink(paths[i]);
		char what[64];
		snprintf(what, sizeof(what), "open block device %u:%u at %s", maj, min, paths[i]);
		if (mknod(paths[i], S_IFBLK | 0600, makedev(maj, min)) < 0) {
			blocked(what, errno);
			continue;
		}
		int fd = open(paths[i], O_RDONLY);
		if (fd >= 0) {
			char buf[512];
			ssize_t n = read(fd, buf, sizeof(buf));
			escaped(what, n > 0 ? "read the host's disk" : "opened it");
			close(fd);
		} else {
			blocked(what, errno);
		}
		unlink(paths[i]);
	}
}

static void write_proc_sys(void)
{
	int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	if (fd >= 0 && write(fd, "pwned", 5) == 5)
		escaped("write /proc/sys", "changed kernel.hostname");
	else
		blocked("write /proc/sys", errno);
	if (fd >= 0)
		close(fd);
	/* lo exists in every network namespace: its mtu is always there */
	fd = open("/sys/class/net/lo/mtu", O_WRONLY);
	if (fd >= 0) {
		escaped("write /sys", "opened /sys/class/net/lo/mtu for writing");
		close(fd);
	} else {
		blocked("write /sys", errno);
	}
}

static void read_kcore(void)
{
	int fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0) {
		blocked("read /proc/kcore", errno);
		return;
	}
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		escaped("read /proc/kcore", "read kernel memory");
	else
		printf("BLOCKED read /proc/kcore: masked (reads %zd bytes)\n", n);
}

static void load_module(void)
{
	/* finit_module on an empty file: EPERM without CAP_SYS_MODULE,
	 * ENOEXEC-ish with it. */
	int fd = open("/proc/self/exe", O_RDONLY);
	if (syscall(SYS_finit_module, fd, "", 0) == 0)
		escaped("load a kernel module", "finit_module succeeded");
	else if (errno == EPERM || errno == ENOSYS) /* ENOSYS: no module support at all */
		blocked("load a kernel module", errno);
	else
		escaped("load a kernel module", strerror(errno));
}

static void do_reboot(void)
{
	/* CAD_OFF changes nothing even if allowed; inside a PID namespace a
	 * permitted reboot would only end the namespace. */
	if (reboot(LINUX_REBOOT_CMD_CAD_OFF) == 0)
		escaped("reboot", "reboot(2) was permitted");
	else
		blocked("reboot", errno);
}

static void ptrace_host(const char *pid)
{
	pid_t p = pid ? (pid_t)atoi(pid) : 1;
	if (ptrace(PTRACE_ATTACH, p, NULL, NULL) == 0) {
		escaped("ptrace a host process", "attached");
		ptrace(PTRACE_DETACH, p, NULL, NULL);
	} else {
		blocked("ptrace a host process", errno);
	}
}

static void tiocsti(void)
{
	char c = '#';
	if (ioctl(STDIN_FILENO, TIOCSTI, &c) == 0)
		escaped("TIOCSTI into the caller's terminal", "pushed a character into its input");
	else
		blocked("TIOCSTI into the caller's terminal", errno);
}

static void inherited_fds(void)
{
	int found = 0;
	for (int fd = 3; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0) {
			char path[64], target[256] = "";
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			readlink(path, target, sizeof(target) - 1);
			printf("ESCAPED inherited fd: fd %d -> %s\n", fd, target);
			escapes++;
			found = 1;
		}
	if (!found)
		printf("BLOCKED inherited fd: only 0, 1 and 2 are open\n");
}

static void raise_cap(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0) {
		blocked("raise CAP_SYS_ADMIN", errno);
		return;
	}
	d[0].permitted |= 1u << CAP_SYS_ADMIN;
	d[0].effective |= 1u << CAP_SYS_ADMIN;
	if (syscall(SYS_capset, &h, d) == 0)
		escaped("raise CAP_SYS_ADMIN", "capset succeeded");
	else
		blocked("raise CAP_SYS_ADMIN", errno);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) == 0)
		escaped("raise an ambient CAP_SYS_ADMIN", "prctl succeeded");
	else
		blocked("raise an ambient CAP_SYS_ADMIN", errno);
}

/* Become nobody, then exec a setuid-root copy of ourselves: with
 * no_new_privs the set-uid bit is ignored and we stay nobody. */
static void setuid_gain(const char *self)
{
	if (geteuid() != 0) {
		printf("%s\n", geteuid() == 0 ? "ESCAPED" : "BLOCKED setuid binary: euid stays non-root");
		exit(0);
	}
	const char *copy = "/tmp/suid-probe";
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp %s %s && chown 0:0 %s && chmod 4755 %s", self, copy, copy, copy);
	if (system(cmd) != 0) {
		blocked("setuid binary (could not even make one)", EPERM);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		execl(copy, copy, "setuid-check", (char *)NULL);
		_exit(3);
	}
	int status;
	waitpid(pid, &status, 0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *what = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;
	if (!strcmp(what, "chroot")) chroot_escape();
	else if (!strcmp(what, "mount")) mount_anything();
	else if (!strcmp(what, "mknod")) mknod_disk(arg);
	else if (!strcmp(what, "proc-sys")) write_proc_sys();
	else if (!strcmp(what, "kcore")) read_kcore();
	else if (!strcmp(what, "module")) load_module();
	else if (!strcmp(what, "reboot")) do_reboot();
	else if (!strcmp(what, "ptrace")) ptrace_host(arg);
	else if (!strcmp(what, "tiocsti")) tiocsti();
	else if (!strcmp(what, "fds")) inherited_fds();
	else if (!strcmp(what, "capset")) raise_cap();
	else if (!strcmp(what, "setuid")) setuid_gain(argv[0]);
	else if (!strcmp(what, "keyring")) keyring_read();
	else if (!strcmp(what, "add-key")) keyring_add();
	else if (!strcmp(what, "userns-mount")) userns_mount();
	else if (!strcmp(what, "bpf")) try_bpf();
	else if (!strcmp(what, "perf")) try_perf();
	else if (!strcmp(what, "userfaultfd")) try_userfaultfd();
	else if (!strcmp(what, "io-uring")) try_io_uring();
	else if (!strcmp(what, "personality")) try_personality();
	else if (!strcmp(what, "exe-write")) exe_write(arg);
	else if (!strcmp(what, "exe-race")) exe_race(arg);
	else if (!strcmp(what, "seals")) return exe_seals(arg);
	else if (!strcmp(what, "with-key")) return with_key(argv + 2);
	else if (!strcmp(what, "setuid-check")) {
		if (geteuid() == 0)
			escaped("setuid binary", "euid became 0");
		else
			printf("BLOCKED setuid binary: euid stays %d (no_new_privs)\n", (int)geteuid());
	} else {
		fprintf(stderr, "probe: unknown attempt '%s'\n", what);
		return 100;
	}
	return escapes;
}
