/* 08-mini-docker/reconcile.h — records against reality. A record says
 * "running" with a pid; the process may have died since, its pid been
 * given to a stranger, or its runner killed by SIGKILL or a reboot. A pid
 * is never believed alone: with its start time (field 22 of
 * /proc/PID/stat, stage 03's proc_start_time) it names one process. */
#ifndef RECONCILE_H
#define RECONCILE_H

#include <sys/types.h>

#include "pidns.h"
#include "record.h"
#include "store.h"

/* Is the process still the one we recorded? (pid, start time) */
int proc_is(pid_t pid, unsigned long long start);
int ctr_running(const struct ctr *c);
/* Is anyone still looking after this container (its runner alive)? */
int ctr_active(const struct ctr *c);

/* Bring records in line with reality, under the lock: a container whose
 * runner was killed is marked exited (and its cgroup removed), an --rm one
 * is removed, and a directory a killed `run` left before writing its
 * config is deleted. Quiet unless it fixes something. */
void state_reconcile(const char *root, const char *run);
/* The same for a command that only looks, when it may write ROOT: the
 * lock taken and released around it. */
void store_reconcile(const struct store *s);

#endif
