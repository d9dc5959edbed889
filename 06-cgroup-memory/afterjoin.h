/* 06-cgroup-memory/afterjoin.h — note 001's memory experiment to its end:
 * memory a process holds before it joins a cgroup is not charged there;
 * only what it touches afterwards counts, until the OOM killer stops it. */
#ifndef AFTERJOIN_H
#define AFTERJOIN_H

#include <signal.h>

#include "cgroup.h"

/* The child touches `before` bytes outside cg, joins it (the parent writes
 * its pid to cgroup.procs), then touches `step` more bytes at a time until
 * it is killed or has touched 2 * limit. cg already has its memory limit.
 * 0 when the OOM killer stopped it with less than the limit charged after
 * joining, 1 otherwise, -1 on an error or when *stop is set. */
int after_join_experiment(const struct cgroup *cg, long long limit, long long before,
			  long long step_bytes, volatile sig_atomic_t *stop);

#endif
