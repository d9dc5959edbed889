/* 04-mount-proc/mounts.h — the two mounts every container needs first.
 * Reused by 08's container setup. */
#ifndef MOUNTS_H
#define MOUNTS_H

/* mount --make-rprivate PATH: stop mount events crossing to or from the
 * host. Must come before any other mount in a new mount namespace. */
int mount_make_rprivate(const char *path);

/* Mount a fresh proc (this PID namespace's view) on target, with
 * nosuid, noexec, nodev. Returns 0 or -1, printing the failing call. */
int mount_proc(const char *target);

#endif
