/* 08-mini-docker/inroot.h — paths inside the container's root, for code
 * that runs after pivot_root or setns. The container owns every directory
 * and symlink there, so a plain open("/data") could be steered: an image
 * symlink /data -> /proc/self/fd/5 leads to whatever fd 5 is (the cgroup
 * directory, a host volume). openat2(RESOLVE_IN_ROOT) resolves ".." and
 * absolute symlinks against "/" and, with RESOLVE_NO_MAGICLINKS, refuses
 * the /proc links that jump anywhere. */
#ifndef INROOT_H
#define INROOT_H

#include <sys/types.h>

/* open(2) of path, resolved inside "/". fd or -1 (errno; ELOOP for a
 * magic link). O_CLOEXEC is added; mode is used with O_CREAT. */
int open_in_root(const char *path, int flags, mode_t mode);
/* mkdir -p inside "/". 0 or -1 (errno). */
int mkdir_in_root(const char *path, mode_t mode);
/* A whole regular file (at most 4 MiB) inside "/", or NULL (a FIFO or a
 * device is refused: O_NONBLOCK, then fstat). */
char *read_in_root(const char *path);

#endif
