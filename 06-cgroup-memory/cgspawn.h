/* 06-cgroup-memory/cgspawn.h — start a child that is inside a cgroup from its
 * very first instruction: clone3(CLONE_INTO_CGROUP) on cgroup v2, or, where
 * that cannot work, a child held on a gate until its pid is in cgroup.procs.
 * Reused by 08 to start every container's init. */
#ifndef CGSPAWN_H
#define CGSPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"

enum spawn_path {
	SPAWN_INTO_CGROUP,   /* clone3 with CLONE_INTO_CGROUP: born inside */
	SPAWN_ATTACH_FIRST,  /* clone, parent attaches, then releases the child */
};

/* Like fork(): 0 in the child, its pid in the parent, -1 on error (printed).
 * flags are extra clone flags (CLONE_NEWPID, ...). *how tells which path
 * ran and why[] says why in one line. pidfd may be NULL. */
pid_t spawn_in_cgroup(const struct cgroup *cg, uint64_t flags, int *pidfd,
		      enum spawn_path *how, char *why, size_t why_size);

/* Should this clone3 errno make us fall back to attach-first? ENOSYS, E2BIG,
 * EINVAL and EPERM mean "this kernel or sandbox can't do it"; EBADF, EBUSY,
 * ENODEV and the rest are real errors in our cgroup. Pure. */
int spawn_should_fall_back(int err);

#endif
