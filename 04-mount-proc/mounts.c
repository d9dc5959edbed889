/* 04-mount-proc/mounts.c — see mounts.h. */
#define _GNU_SOURCE
#include "mounts.h"

#include <errno.h>
#include <sys/mount.h>

#include "common.h"

int mount_make_rprivate(const char *path)
{
	/* On systemd hosts "/" is a *shared* mount (mount --make-rshared at
	 * boot), and a new mount namespace starts as a copy in the same peer
	 * groups. Without this call the /proc mounted below would propagate
	 * back to the host and hide the host's own /proc: the pitfall of the
	 * blog's Go code and of mydocker. MS_REC covers every submount. */
	if (mount(NULL, path, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return warn_errno("mount --make-rprivate %s", path);
	return 0;
}

int mount_proc(const char *target)
{
	/* A proc mount shows the PID namespace of the process that mounts it,
	 * so this must run inside the new PID namespace. The flags keep set-id
	 * programs, executables and device nodes out of /proc, as runc does. */
	if (mount("proc", target, "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL) < 0)
		return warn_errno("mount proc on %s", target);
	return 0;
}
