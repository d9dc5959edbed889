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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"
#include "inroot.h"
#include "common.h"
#include "mounts.h"
#include "overlay.h"


/* Docker 28's lists. /proc/interrupts and powercap were added for side
 * channels: powercap's energy counters leak what the host computes
 * (PLATYPUS, CVE-2020-8694). */
const char *const proc_masked[] = {
	"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap", NULL
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

/* mount_setattr(2) with AT_RECURSIVE: the flags reach every mount of the
 * tree. The old way, mount(MS_BIND | MS_REMOUNT | MS_RDONLY), changes only
 * the top mount: a read-only volume whose host directory has a mount below
 * it would keep that submount writable. */
static int setattr_tree(int dirfd, const char *path, uint64_t attr)
{
	struct mount_attr a = { .attr_set = attr };
	return (int)syscall(SYS_mount_setattr, dirfd, path,
			    AT_RECURSIVE | (path[0] ? 0 : AT_EMPTY_PATH), &a, sizeof(a));
}

static void mkdirs(const char *path, mode_t mode)
{
	if (mkdir_p(path, mode) < 0)
		setup_fail("mkdir -p %s", path);
}

/* A detached copy of a host mount, made before pivot_root while the host
 * tree is still reachable, attached after it with move_mount(2) to a path
 * resolved inside the new root. Mounting after the pivot means a symlink in
 * the image can only point inside the container, never at the host. */
static int clone_tree(const char *path, uint64_t attr)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path,
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		setup_fail("open_tree %s", path);
	/* set on the detached copy, before anyone inside can see it */
	if (setattr_tree(fd, "", attr) < 0)
		setup_fail("mount_setattr %s", path);
	return fd;
}

/* The target is looked up inside the new root (inroot.h) and made if
 * missing: a directory, or an empty file for a file mount. */
static void attach_tree(int fd, const char *target, int is_dir)
{
	int t;
	if (is_dir) {
		if (mkdir_in_root(target, 0755) < 0)
			setup_fail("mkdir -p %s", target);
		t = open_in_root(target, O_PATH | O_DIRECTORY, 0);
	} else {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", target);
		*strrchr(parent, '/') = '\0';
		if (parent[0] && mkdir_in_root(parent, 0755) < 0)
			setup_fail("mkdir -p %s", parent);
		t = open_in_root(target, O_RDONLY | O_CREAT | O_NONBLOCK, 0644);
	}
	if (t < 0)
		setup_fail("mount target %s", target);
	if (syscall(SYS_move_mount, fd, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		setup_fail("move_mount to %s", target);
	close(t);
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
		setup_fail("mount tmpfs on /dev");
	for (int i = 0; dev_nodes[i]; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		attach_tree(h->dev[i], p, 0);
	}
	mkdirs("/dev/pts", 0755);
	/* newinstance: a devpts of our own, so the container sees only its own
	 * terminals, not the host's /dev/pts/N. */
	if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		setup_fail("mount devpts on /dev/pts");
	if (symlink("pts/ptmx", "/dev/ptmx") < 0)
		setup_fail("symlink /dev/ptmx");
	mkdirs("/dev/shm", 01777);
	if (mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
		setup_fail("mount tmpfs on /dev/shm");
	mkdirs("/dev/mqueue", 0755);
	const char *links[][2] = { { "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
				   { "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" } };
	for (int i = 0; i < 4; i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			setup_fail("symlink %s", links[i][1]);
	if (h->console >= 0)
		attach_tree(h->console, "/dev/console", 0);
}

static void mask_paths(void)
{
	for (int i = 0; proc_masked[i]; i++) {
		struct stat st;
		if (lstat(proc_masked[i], &st) < 0)
			continue; /* this kernel has no such file */
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", proc_masked[i], "tmpfs", MS_RDONLY, "size=0") < 0)
				setup_fail("mask %s", proc_masked[i]);
		} else if (mount("/dev/null", proc_masked[i], NULL, MS_BIND, NULL) < 0) {
			setup_fail("mask %s", proc_masked[i]);
		}
	}
	for (int i = 0; proc_readonly[i]; i++) {
		if (access(proc_readonly[i], F_OK) < 0)
			continue;
		if (mount(proc_readonly[i], proc_readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    setattr_tree(AT_FDCWD, proc_readonly[i], MOUNT_ATTR_RDONLY) < 0)
			setup_fail("make %s read-only", proc_readonly[i]);
	}
}

static void loopback_up(void)
{
	/* A new network namespace has only lo, and it starts down. */
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		setup_fail("socket");
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		setup_fail("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		setup_fail("SIOCSIFFLAGS lo up");
	close(s);
}

noreturn void container_init(const struct container *c)
{
	C = c;
	const struct run_opts *o = c->o;
	struct held h;
	memset(&h, 0, sizeof(h));

	/* 0. Only the fds this process needs: the runner's others (the cgroup
	 * directory CLONE_INTO_CGROUP used, ...) must not outlive the pivot,
	 * where an image symlink to /proc/self/fd/N would lead to them. */
	int keep[] = { c->out_fd, c->err_fd, c->exec_err_fd, c->tty_slave };
	close_fds_except(keep, 4);

	/* Until exec, nobody (not even a same-uid process) may ptrace us or
	 * open our /proc files: we hold fds to the host's tree. */
	prctl(PR_SET_DUMPABLE, 0);

	/* The cgroup namespace is made here, not at clone, so that its root
	 * is the container's own cgroup: /proc/self/cgroup then reads "/". */
	if (unshare(CLONE_NEWCGROUP) < 0)
		setup_fail("unshare(CLONE_NEWCGROUP)");
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		setup_fail("sethostname %s", c->hostname);

	/* 1. Before any mount: stop propagation both ways (stage 04). */
	if (mount_make_rprivate("/") < 0)
		setup_fail("make / private");
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
		setup_fail("overlay root");
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
			setup_fail("%s in the image is not a directory", p);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			setup_fail("mkdir %s", p);
	}
	snprintf(p, sizeof(p), "%s/proc", c->merged);
	if (mount_proc(p) < 0)
		setup_fail("mount proc");
	snprintf(p, sizeof(p), "%s/sys", c->merged);
	if (mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		/* without a network namespace of our own the kernel refuses a
		 * fresh sysfs; a read-only bind of the host's is the fallback,
		 * read-only all the way down (debugfs, tracefs, securityfs
		 * sit below /sys), or no container at all */
		if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    setattr_tree(AT_FDCWD, p, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
			setup_fail("mount sysfs on %s", p);
	}

	phase_mark(c, "child: proc, sysfs");
	/* Everything from the host that must appear inside: cloned now. */
	for (int i = 0; dev_nodes[i]; i++) {
		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		h.dev[i] = clone_tree(p, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	}
	for (int i = 0; i < o->nvol; i++)
		h.vol[i] = clone_tree(o->vol[i].host, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				      (o->vol[i].readonly ? MOUNT_ATTR_RDONLY : 0));
	h.console = -1;
	if (c->tty_slave >= 0) {
		/* By path, not by the fd: the fd's mount belongs to the runner's
		 * mount namespace, and only mounts of ours can be cloned. */
		h.console = clone_tree(c->tty_path, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	}

	/* 4. pivot_root(".", "."): the new root goes on top, the old root ends
	 * up mounted beneath it at the same place; detaching "." then drops the
	 * old root. pivot_root needs a mount point (the overlay is one) and no
	 * shared mounts around it (step 1). Unlike chroot it cannot be undone
	 * by a process that keeps a cwd outside. */
	if (chdir(c->merged) < 0)
		setup_fail("chdir %s", c->merged);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		setup_fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		setup_fail("detach the old root");
	if (chdir("/") < 0)
		setup_fail("chdir /");
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
		setup_fail("mount cgroup2 on /sys/fs/cgroup");
	mask_paths();
	for (int i = 0; i < o->nvol; i++) {
		const struct volume *v = &o->vol[i];
		struct stat src;
		if (fstat(h.vol[i], &src) < 0)
			setup_fail("fstat volume %s", v->host);
		attach_tree(h.vol[i], v->container, S_ISDIR(src.st_mode));
		note("volume %s -> %s%s", v->host, v->container, v->readonly ? " (ro)" : "");
	}

	phase_mark(c, "child: /dev, masks, volumes");
	loopback_up();

	/* 6. The rest is the way into a container that exec takes too. */
	phase_mark(c, "child: mounts done, lo up");
	note("exec %s%s", o->argv[0], o->init ? " (under --init)" : "");
	struct entry e = {
		.argv = o->argv, .hostname = c->hostname, .tty = o->tty,
		.env = (char *const *)o->env, .nenv = o->nenv,
		.workdir = o->workdir, .make_workdir = 1, .user = o->user,
		/* without -i, stdin is /dev/null, as with docker run */
		.stdin_null = !o->interactive || o->detach,
		/* -d: the log; a kept foreground container: the runner's pipes */
		.out_fd = c->tty_slave < 0 ? c->out_fd : -1, .err_fd = c->err_fd,
		.tty_fd = c->tty_slave, .exec_err_fd = c->exec_err_fd,
		.init = o->init, .seccomp = &c->seccomp,
	};
	enter_container(&e);
}
