/* 08-mini-docker/run.h — `mini-docker run`, the host side. */
#ifndef RUN_H
#define RUN_H

#include "options.h"

/* The exit status Docker would give for a container's wait status and the
 * errno of a failed exec (0 if exec succeeded). Pure. */
int docker_exit_code(int wait_status, int exec_errno);

/* Run a container; returns the exit status (see options_usage). */
int run_container(struct run_opts *o, int verbose);

/* Remove what runners killed with SIGKILL left behind: container dirs,
 * cgroups and names whose runner is gone. Called at every start. */
void reap_stale(const char *root);

/* The state root: /var/lib/mini-docker for root, a per-user dir otherwise. */
const char *state_root(int rootless, char *buf, size_t size);

#endif
