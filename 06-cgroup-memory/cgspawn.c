/* 06-cgroup-memory/cgspawn.c — see cgspawn.h. */
#define _GNU_SOURCE
#include "cgspawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int spawn_should_fall_back(int err)
{
	switch (err) {
	case ENOSYS: /* no clone3 at all (before Linux 5.3, or seccomp says so) */
	case E2BIG:  /* clone3 without the cgroup field (5.3 - 5.6) */
	case EINVAL: /* flag unknown to this kernel */
	case EPERM:  /* a sandbox or LSM forbids it */
		return 1;
	default:
		return 0;
	}
}

static pid_t attach_first(const struct cgroup *cg, uint64_t flags, int *pidfd)
{
	struct gate gate;
	if (gate_init(&gate) < 0)
		return warn_errno("pipe2");
	pid_t pid = clone3_fork(flags, -1, pidfd);
	if (pid < 0) {
		int err = errno;
		close(gate.rd);
		close(gate.wr);
		errno = err;
		return warn_errno("clone3");
	}
	if (pid == 0) {
		gate_child_side(&gate);
		gate_wait(&gate); /* exits if the parent gave up */
		return 0;
	}
	gate_parent_side(&gate);
	/* The child is stopped on the gate: not one page or cycle of its own
	 * work has run yet, so nothing escapes the cgroup's accounting. */
	if (cg_attach(cg, pid) < 0) {
		close(gate.wr);
		kill(pid, SIGKILL);
		wait_child(pid);
		return -1;
	}
	if (gate_open(&gate) < 0) { /* the child sees the pipe closed, and exits */
		warn_errno("write to the gate of pid %d", (int)pid);
		wait_child(pid);
		return -1;
	}
	return pid;
}

pid_t spawn_in_cgroup(const struct cgroup *cg, uint64_t flags, int *pidfd,
		      enum spawn_path *how, char *why, size_t why_size)
{
	if (cg->layout != CG_LAYOUT_V2) {
		snprintf(why, why_size, "%s: the controllers live in v1 hierarchies, and "
			 "CLONE_INTO_CGROUP only takes a cgroup2 directory",
			 cg->layout == CG_LAYOUT_HYBRID ? "hybrid host" : "v1 host");
		*how = SPAWN_ATTACH_FIRST;
		return attach_first(cg, flags, pidfd);
	}
	int fd = cg_open_fd(cg);
	if (fd < 0)
		return -1;
	pid_t pid = clone3_fork(flags, fd, pidfd);
	int err = errno;
	if (pid == 0)
		return 0;
	close(fd);
	if (pid > 0) {
		snprintf(why, why_size, "cgroup v2: clone3(CLONE_INTO_CGROUP) places the child "
			 "before it runs");
		*how = SPAWN_INTO_CGROUP;
		return pid;
	}
	if (!spawn_should_fall_back(err)) {
		errno = err;
		return warn_errno("clone3(CLONE_INTO_CGROUP, %s)", cg_dir(cg, "memory"));
	}
	snprintf(why, why_size, "clone3(CLONE_INTO_CGROUP) failed with %s (%s): "
		 "this kernel or sandbox can't do it", strerrorname_np(err), strerror(err));
	*how = SPAWN_ATTACH_FIRST;
	return attach_first(cg, flags, pidfd);
}
