/* 08-mini-docker/container.c — see container.h. The order of the steps is
 * the lesson: each one says why it comes where it does. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "common.h"
#include "mounts.h"
#include "overlay.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const char *const proc_masked[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", NULL
};
const char *const proc_readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
};

static const struct container *C;

static double ms_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void phase_mark(const struct container *c, const char *phase)
{
	static struct timespec last;
	if (!c->timings)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (last.tv_sec == 0)
		last = c->t0;
	fprintf(stderr, "timing: %-34s +%8.3f ms  (%8.3f ms since start)\n", phase,
		ms_since(&last, &now), ms_since(&c->t0, &now));
	last = now;
}

static void note(const char *fmt, ...)
{
	if (!C->verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("=> ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

noreturn static void fail(const char *fmt, ...)
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

/* A bind mount keeps the "locked" flags of its source (nosuid, nodev, noexec
 * ...); a read-only remount must repeat them or, in a user namespace, the
 * kernel refuses it with EPERM. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

static int remount(const char *path, unsigned long add)
{
	return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | add | locked_flags(path), NULL);
}

static int remount_ro(const char *path)
{
	return remount(path, MS_RDONLY);
}

static void mkdirs(const char *path, mode_t mode)
{
	if (mkdir_p(path, mode) < 0)
		fail("mkdir -p %s", path);
}

/* A detached copy of a host mount, made before pivot_root while the host
 * tree is still reachable, attached after it with move_mount(2) to a path
 * resolved inside the new root. Mounting after the pivot means a symlink in
 * the image can only point inside the container, never at the host. */
static int clone_tree(const char *path)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path,
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		fail("open_tree %s", path);
	return fd;
}

static void attach_tree(int fd, const char *target)
{
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		fail("move_mount to %s", target);
	close(fd);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fail("create %s", path);
	close(fd);
}

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };

struct held {
	int dev[8];
	int vol[MAX_VOLUMES];
	int console;
};

static void setup_dev(struct held *h)
{
	/* A tmpfs /dev holding only what a container needs, not the host's
	 * disks: each node is a bind of the host's (mknod would need
	 * CAP_MKNOD in the initial namespace under --rootless). */
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME,
		  "mode=755,size=65536k") < 0)
		fail("mount tmpfs on /dev");
	for (int i = 0; dev_nodes[i]; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		touch(p);
		attach_tree(h->dev[i], p);
	}
	mkdirs("/dev/pts", 0755);
	/* newinstance: a devpts of our own, so the container sees only its own
	 * terminals, not the host's /dev/pts/N. */
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		fail("mount devpts on /dev/pts");
	if (symlink("pts/ptmx", "/dev/ptmx") < 0)
		fail("symlink /dev/ptmx");
	mkdirs("/dev/shm", 01777);
	if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
		fail("mount tmpfs on /dev/shm");
	mkdirs("/dev/mqueue", 0755);
	const char *links[][2] = { { "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
				   { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" } };
	for (int i = 0; i < 4; i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			fail("symlink %s", links[i][1]);
	if (h->console >= 0) {
		touch("/dev/console");
		attach_tree(h->console, "/dev/console");
	}
}

static void mask_proc(void)
{
	for (int i = 0; proc_masked[i]; i++) {
		struct stat st;
		if (lstat(proc_masked[i], &st) < 0)
			continue; /* this kernel has no such file */
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", proc_masked[i], "tmpfs", MS_RDONLY, "size=0") < 0)
				fail("mask %s", proc_masked[i]);
		} else if (mount("/dev/null", proc_masked[i], NULL, MS_BIND, NULL) < 0) {
			fail("mask %s", proc_masked[i]);
		}
	}
	for (int i = 0; proc_readonly[i]; i++) {
		if (access(proc_readonly[i], F_OK) < 0)
			continue;
		if (mount(proc_readonly[i], proc_readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    remount_ro(proc_readonly[i]) < 0)
			fail("make %s read-only", proc_readonly[i]);
	}
}

static void loopback_up(void)
{
	/* A new network namespace has only lo, and it starts down. */
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		fail("socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		fail("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		fail("SIOCSIFFLAGS lo up");
	close(s);
}

/* A fresh environment, as Docker gives one: nothing of the runner's. */
void container_env(const char *hostname, int tty, char *const *env, int nenv)
{
	clearenv();
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOSTNAME", hostname, 1);
	setenv("HOME", "/root", 1);
	if (tty)
		setenv("TERM", "xterm", 1);
	for (int i = 0; i < nenv; i++)
		if (putenv(env[i]) != 0)
			fail("putenv %s", env[i]);
}

noreturn static void exec_command(void)
{
	char **argv = C->o->argv;
	execvp(argv[0], argv);
	int err = errno;
	/* The parent reads this to tell 127 (not found) from 126 (not
	 * executable) and to name the error; the pipe closes on a good exec. */
	if (write(C->exec_err_fd, &err, sizeof(err)) < 0)
		_exit(125);
	_exit(err == ENOENT ? 127 : 126);
}

/* --init: PID 1 stays our code. It starts the command as pid 2, passes on
 * the signals a plain PID 1 would ignore, reaps every orphan, and leaves with
 * the command's status. */
static volatile sig_atomic_t child_pid;
static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

noreturn static void run_init(void)
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
		fail("fork for --init");
	if (pid == 0) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		if (C->o->tty) {
			/* the command gets the terminal's foreground */
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(0, getpid());
			signal(SIGTTOU, SIG_DFL);
		}
		exec_command();
	}
	child_pid = pid;
	close(C->exec_err_fd);
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

noreturn void container_init(const struct container *c)
{
	C = c;
	const struct run_opts *o = c->o;
	struct held h;
	memset(&h, 0, sizeof(h));

	/* Until exec, nobody (not even a same-uid process) may ptrace us or
	 * open our /proc files: we hold fds to the host's tree. */
	prctl(PR_SET_DUMPABLE, 0);

	/* The cgroup namespace is made here, not at clone, so that its root
	 * is the container's own cgroup: /proc/self/cgroup then reads "/". */
	if (unshare(CLONE_NEWCGROUP) < 0)
		fail("unshare(CLONE_NEWCGROUP)");
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		fail("sethostname %s", c->hostname);

	/* 1. Before any mount: stop propagation both ways (stage 04). */
	if (mount_make_rprivate("/") < 0)
		fail("make / private");
	note("mounts private, hostname %s", c->hostname);
	phase_mark(c, "child: cgroupns, hostname, private");

	/* 2. The root filesystem: the image read-only below, our upper on top
	 * (stage 07). It is mounted in the container's mount namespace only,
	 * so it disappears with the container, whatever kills it. */
	/* nodev: CAP_MKNOD is in Docker's default set, so a container can
	 * make a node for the host's disk; on a nodev mount it cannot open it.
	 * Every writable mount below is nodev too; the few devices a container
	 * needs are bind mounts of the host's nodes, whose own mounts allow
	 * them. (Docker gets the same effect from the devices cgroup.) */
	if (ovl_mount(c->lowers, c->nlowers, c->upper, c->work, c->merged, o->rootless, MS_NODEV) < 0)
		fail("overlay root");
	note("overlay root on %s", c->merged);
	phase_mark(c, "child: overlay root");

	/* 3. proc and sysfs before the pivot: in a user namespace the kernel
	 * allows a new proc mount only while a full proc is visible in this
	 * mount namespace (the host's, until we detach it). We are PID 1 of
	 * the new PID namespace, so this proc shows the container's pids. */
	char p[PATH_MAX + 16];
	const char *sub[] = { "proc", "sys", "dev", NULL };
	for (int i = 0; sub[i]; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", c->merged, sub[i]);
		if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			fail("%s in the image is not a directory", p);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fail("mkdir %s", p);
	}
	snprintf(p, sizeof(p), "%s/proc", c->merged);
	if (mount_proc(p) < 0)
		fail("mount proc");
	snprintf(p, sizeof(p), "%s/sys", c->merged);
	if (mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		/* without a network namespace of our own the kernel refuses a
		 * fresh sysfs; a read-only bind of the host's is the fallback */
		if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0 || remount_ro(p) < 0)
			fail("mount sysfs on %s", p);
	}

	phase_mark(c, "child: proc, sysfs");
	/* Everything from the host that must appear inside: cloned now. */
	for (int i = 0; dev_nodes[i]; i++) {
		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		h.dev[i] = clone_tree(p);
	}
	for (int i = 0; i < o->nvol; i++)
		h.vol[i] = clone_tree(o->vol[i].host);
	h.console = -1;
	if (c->tty_slave >= 0) {
		/* By path, not by the fd: the fd's mount belongs to the runner's
		 * mount namespace, and only mounts of ours can be cloned. */
		h.console = clone_tree(c->tty_path);
	}

	/* 4. pivot_root(".", "."): the new root goes on top, the old root ends
	 * up mounted beneath it at the same place; detaching "." then drops the
	 * old root. pivot_root needs a mount point (the overlay is one) and no
	 * shared mounts around it (step 1). Unlike chroot it cannot be undone
	 * by a process that keeps a cwd outside. */
	if (chdir(c->merged) < 0)
		fail("chdir %s", c->merged);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		fail("detach the old root");
	if (chdir("/") < 0)
		fail("chdir /");
	note("pivot_root done, old root detached");
	phase_mark(c, "child: open_tree, pivot_root, detach");

	/* 5. /dev, masked /proc, volumes: resolved inside the new root. */
	setup_dev(&h);
	/* On cgroup v2 the container sees its own cgroup as the root of a
	 * read-only cgroup2 mount: the cgroup namespace made above decides
	 * what "/" is. (On v1 hosts Docker mounts one tmpfs of hierarchies;
	 * this runner leaves /sys/fs/cgroup empty there.) */
	if (c->cgroup2 && mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
				MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail("mount cgroup2 on /sys/fs/cgroup");
	mask_proc();
	for (int i = 0; i < o->nvol; i++) {
		const struct volume *v = &o->vol[i];
		struct stat src;
		if (fstat(h.vol[i], &src) < 0)
			fail("fstat volume %s", v->host);
		if (S_ISDIR(src.st_mode)) {
			mkdirs(v->container, 0755);
		} else {
			char parent[PATH_MAX];
			snprintf(parent, sizeof(parent), "%s", v->container);
			*strrchr(parent, '/') = '\0';
			if (parent[0])
				mkdirs(parent, 0755);
			touch(v->container);
		}
		attach_tree(h.vol[i], v->container);
		if (remount(v->container, MS_NODEV | (v->readonly ? MS_RDONLY : 0)) < 0)
			fail("remount volume %s nodev%s", v->container, v->readonly ? ",ro" : "");
		note("volume %s -> %s%s", v->host, v->container, v->readonly ? " (ro)" : "");
	}

	phase_mark(c, "child: /dev, masks, volumes");
	loopback_up();

	/* 6. The working directory, checked to be inside the new root. */
	const char *wd = o->workdir ? o->workdir : "/";
	mkdirs(wd, 0755);
	if (chdir(wd) < 0)
		fail("chdir %s", wd);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		fail("the working directory is outside the container");
	container_env(c->hostname, o->tty, (char *const *)o->env, o->nenv);

	/* Without -i the container's stdin is /dev/null, as with docker run;
	 * with -d its stdout and stderr go to the log, in the foreground to
	 * the runner's pipes (which copies them to us and to the log). Late
	 * on purpose: a setup failure above still reaches the user's terminal. */
	if (c->out_fd >= 0 && c->tty_slave < 0) {
		int err = c->err_fd >= 0 ? c->err_fd : c->out_fd;
		if (dup2(c->out_fd, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
			fail("stdout and stderr to the log");
		close(c->out_fd);
		if (c->err_fd >= 0)
			close(c->err_fd);
	}
	if ((!o->interactive || o->detach) && c->tty_slave < 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0)
			fail("stdin from /dev/null");
		close(null);
	}

	/* 7. A session of our own. Without it the container would share the
	 * runner's session and controlling terminal, and TIOCSTI on an
	 * inherited stdin could type commands into the caller's shell. With
	 * -t the new terminal becomes the session's controlling tty. */
	if (setsid() < 0)
		fail("setsid");
	if (c->tty_slave >= 0) {
		if (ioctl(c->tty_slave, TIOCSCTTY, 0) < 0)
			fail("TIOCSCTTY");
		for (int fd = 0; fd < 3; fd++)
			if (dup2(c->tty_slave, fd) < 0)
				fail("dup2 terminal");
		if (c->tty_slave > 2)
			close(c->tty_slave);
	}

	/* 8. Privileges, last, since the steps above needed them: no fd but
	 * 0-2 survives exec, no exec can gain privileges (setuid bits, file
	 * caps), and only Docker's default capabilities remain. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3; fd < 1024; fd++)
			if (fd != c->exec_err_fd)
				close(fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("prctl(PR_SET_NO_NEW_PRIVS)");
	if (caps_apply_default() < 0)
		fail("capabilities");
	note("exec %s%s", o->argv[0], o->init ? " (under --init)" : "");
	phase_mark(c, "child: lo, env, fds, no_new_privs, caps");

	if (o->init)
		run_init();
	exec_command();
}
