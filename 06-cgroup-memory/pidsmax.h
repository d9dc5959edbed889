/* 06-cgroup-memory/pidsmax.h — note 001's pids experiment: pids.current and
 * pids.max count a whole subtree, a fork loop stops at the limit with
 * EAGAIN, and moving processes in is never refused, so pids.current can
 * end up above pids.max. */
#ifndef PIDSMAX_H
#define PIDSMAX_H

#include <signal.h>

#include "cgroup.h"

/* Below cg (made with CG_PIDS): child cgroups "a" and "b", pids.max = max on
 * cg, sleepers in both, a fork loop in a, then 3 outside processes moved
 * into b. Every process and both child directories are gone on return.
 * 0 when the kernel behaved as the notes say, 1 if not, -1 on an error or
 * when *stop is set. */
int pids_experiment(const struct cgroup *cg, long long max, volatile sig_atomic_t *stop);

#endif
