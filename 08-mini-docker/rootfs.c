/* 08-mini-docker/rootfs.c — see rootfs.h. Each step says why it comes
 * where it does; init.c runs them in the lesson's order. */
#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "enter.h"
#include "inroot.h"
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

void rootfs_overlay(const struct container *c)
{
	/* The image read-only below, our upper on top (stage 07), mounted in
	 * the container's mount namespace only, so it disappears with the
	 * container, whatever kills it. nodev: CAP_MKNOD is in Docker's
	 * default set, so a container can make a node for the host's disk; on
	 * a nodev mount it cannot open it. Every writable mount is nodev too;
	 * the few devices a container needs are bind mounts of the host's
	 * nodes, whose own mounts allow them. (Docker gets the same effect from
	 * the devices cgroup.) */
	if (ovl_mount(c->lowers, c->nlowers, c->upper, c->work, c->merged, c->o->rootless, MS_NODEV) < 0)
		setup_fail("overlay root");
}

/* proc and sysfs before the pivot: in a user namespace the kernel allows a
 * new proc mount only while a full proc is visible in this mount namespace
 * (the host's, until we detach it). We are PID 1 of the new PID namespace,
 * so this proc shows the container's pids. */
void rootfs_proc_sys(const char *merged)
{
	char p[PATH_MAX + 16];
	const char *sub[] = { "proc", "sys", "dev", NULL };
	for (int i = 0; sub[i]; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", merged, sub[i]);
		if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode))
			setup_fail("%s in the image is not a directory", p);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			setup_fail("mkdir %s", p);
	}
	snprintf(p, sizeof(p), "%s/proc", merged);
	if (mount_proc(p) < 0)
		setup_fail("mount proc");
	snprintf(p, sizeof(p), "%s/sys", merged);
	if (mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return;
	/* without a network namespace of our own the kernel refuses a fresh
	 * sysfs; a read-only bind of the host's is the fallback, read-only all
	 * the way down (debugfs, tracefs, securityfs sit below /sys), or no
	 * container at all */
	if (mount("/sys", p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    setattr_tree(AT_FDCWD, p, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC) < 0)
		setup_fail("mount sysfs on %s", p);
}

/* Everything from the host that must appear inside: cloned now. */
void rootfs_hold(const struct container *c, struct held *h)
{
	const struct run_opts *o = c->o;
	char p[64];
	for (int i = 0; dev_nodes[i]; i++) {
		snprintf(p, sizeof(p), "/dev/%s", dev_nodes[i]);
		h->dev[i] = clone_tree(p, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	}
	for (int i = 0; i < o->nvol; i++)
		h->vol[i] = clone_tree(o->vol[i].host, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				       (o->vol[i].readonly ? MOUNT_ATTR_RDONLY : 0));
	h->console = -1;
	/* By path, not by the fd: the fd's mount belongs to the runner's mount
	 * namespace, and only mounts of ours can be cloned. */
	if (c->tty_slave >= 0)
		h->console = clone_tree(c->tty_path, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
}

/* pivot_root(".", "."): the new root goes on top, the old root ends up
 * mounted beneath it at the same place; detaching "." then drops the old
 * root. pivot_root needs a mount point (the overlay is one) and no shared
 * mounts around it (made private first). Unlike chroot it cannot be undone
 * by a process that keeps a cwd outside. */
void rootfs_pivot(const char *merged)
{
	if (chdir(merged) < 0)
		setup_fail("chdir %s", merged);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		setup_fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		setup_fail("detach the old root");
	if (chdir("/") < 0)
		setup_fail("chdir /");
}

/* On cgroup v2 the container sees its own cgroup as the root of a
 * read-only cgroup2 mount: the cgroup namespace decides what "/" is. (On
 * v1 hosts Docker mounts one tmpfs of hierarchies; this runner leaves
 * /sys/fs/cgroup empty there.) */
void rootfs_cgroup2(int cgroup2)
{
	if (cgroup2 && mount("cgroup2", "/sys/fs/cgroup", "cgroup2",
			     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		setup_fail("mount cgroup2 on /sys/fs/cgroup");
}

/* Volumes attached after the pivot, each target resolved inside the root. */
void rootfs_volumes(const struct run_opts *o, struct held *h, int verbose)
{
	for (int i = 0; i < o->nvol; i++) {
		const struct volume *v = &o->vol[i];
		struct stat src;
		if (fstat(h->vol[i], &src) < 0)
			setup_fail("fstat volume %s", v->host);
		attach_tree(h->vol[i], v->container, S_ISDIR(src.st_mode));
		if (verbose)
			fprintf(stderr, "=> volume %s -> %s%s\n", v->host, v->container,
				v->readonly ? " (ro)" : "");
	}
}

void rootfs_dev(struct held *h)
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

void rootfs_masks(void)
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
