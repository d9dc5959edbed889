/* 01-uts/nslimit.h — the per-user-namespace limits in /proc/sys/user: with
 * max_uts_namespaces (or max_user_namespaces) at 0, creating one more fails
 * with ENOSPC. Linked into 01's demo (--ns-limit). */
#ifndef NSLIMIT_H
#define NSLIMIT_H

#include <signal.h>

/* "/proc/sys/user/max_uts_namespaces" for CLONE_NEWUTS, and so on for
 * every namespace type that has a limit; NULL for any other value. Pure. */
const char *ns_limit_file(int nstype);

/* --ns-limit: set the UTS, then the user namespace limit to 0, show that
 * clone3 fails with ENOSPC, hold for hold_s seconds (0: none), restore.
 * The saved values are written back by a guardian process that outlives
 * the demo: on success, error, Ctrl-C and even SIGKILL. 0 when both clones
 * failed with ENOSPC and the values read back as before, 1 otherwise, -1 on
 * an error. Needs root. */
int ns_limit_experiment(int hold_s, volatile sig_atomic_t *stop);

#endif
