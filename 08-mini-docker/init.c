/* 08-mini-docker/init.c — the container's first process, from clone to
 * exec: container_init is the lesson's sequence, one named step a line
 * (rootfs.c builds the filesystem, enter.c is the way in that exec
 * shares). */
#define _GNU_SOURCE
#include "container.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "enter.h"
#include "mounts.h"
#include "rootfs.h"

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

static void note(const struct container *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const struct container *c, const char *fmt, ...)
{
	if (!c->verbose)
		return;
	/* One write a line: the runner narrates on the same stderr at the
	 * same time, and three writes would let its line land mid-way. */
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "=> %s\n", line);
}

/* The cgroup namespace is made here, not at clone, so that its root is the
 * container's own cgroup: /proc/self/cgroup then reads "/". */
static void own_cgroup_and_hostname(const struct container *c)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		setup_fail("unshare(CLONE_NEWCGROUP)");
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		setup_fail("sethostname %s", c->hostname);
}

/* The way in, as exec takes it too. */
noreturn static void enter(const struct container *c)
{
	const struct run_opts *o = c->o;
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

noreturn void container_init(const struct container *c)
{
	struct held h;
	/* 0. Only the fds this process needs: the runner's others (the cgroup
	 * directory CLONE_INTO_CGROUP used, ...) must not outlive the pivot,
	 * where an image symlink to /proc/self/fd/N would lead to them. Until
	 * exec, nobody (not even a same-uid process) may ptrace us or open our
	 * /proc files: we hold fds to the host's tree. */
	int keep[] = { c->out_fd, c->err_fd, c->exec_err_fd, c->tty_slave, c->net.gate_fd, c->net.join_fd };
	close_fds_except(keep, 6);
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		setup_fail("prctl(PR_SET_DUMPABLE)");
	/* 1. container:NAME's network namespace, joined before sysfs shows
	 * ours; a cgroup namespace rooted at our cgroup, our hostname (01). */
	net_join(&c->net);
	own_cgroup_and_hostname(c);
	/* 2. Before any mount: stop propagation both ways (04). */
	if (mount_make_rprivate("/") < 0)
		setup_fail("make / private");
	note(c, "mounts private, hostname %s", c->hostname);
	phase_mark(c, "child: cgroupns, hostname, private");
	/* 3. The overlay root (07). */
	rootfs_overlay(c);
	note(c, "overlay root on %s", c->merged);
	phase_mark(c, "child: overlay root");
	/* 4. proc and sysfs, before the pivot. */
	rootfs_proc_sys(c->merged);
	phase_mark(c, "child: proc, sysfs");
	/* 5. Copies of the host trees it needs, while the host is reachable. */
	rootfs_hold(c, &h);
	/* 6. pivot_root, the old root detached. */
	rootfs_pivot(c->merged);
	note(c, "pivot_root done, old root detached");
	phase_mark(c, "child: open_tree, pivot_root, detach");
	/* 7. Inside the new root: /dev, the cgroup2 view, masks, volumes. */
	rootfs_dev(&h);
	rootfs_cgroup2(c->cgroup2);
	rootfs_masks();
	rootfs_volumes(c->o, &h, c->verbose);
	phase_mark(c, "child: /dev, masks, volumes");
	/* 8. lo up; on the bridge, once the runner has moved eth0 in, its
	 * address and the default route (NETWORK.md). */
	net_inside(&c->net);
	phase_mark(c, "child: mounts done, network up");
	/* 9. The way in: fds, session, workdir, user, keyring, privileges,
	 * seccomp, exec (enter.c). */
	note(c, "exec %s%s", c->o->argv[0], c->o->init ? " (under --init)" : "");
	enter(c);
}
