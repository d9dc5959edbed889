/* 01-uts/ns.c — see ns.h. */
#define _GNU_SOURCE
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <unistd.h>

int ns_link_parse(const char *link, char *type, size_t type_size,
		  unsigned long long *ino)
{
	const char *open = strstr(link, ":[");
	if (!open || open == link)
		return -1;
	size_t tlen = (size_t)(open - link);
	if (tlen >= type_size)
		return -1;
	const char *digits = open + 2;
	if (*digits < '0' || *digits > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(digits, &end, 10);
	if (errno || strcmp(end, "]") != 0)
		return -1;
	memcpy(type, link, tlen);
	type[tlen] = '\0';
	*ino = v;
	return 0;
}

void ns_path(pid_t pid, const char *name, char *path, size_t size)
{
	if (pid == 0)
		snprintf(path, size, "/proc/self/ns/%s", name);
	else
		snprintf(path, size, "/proc/%d/ns/%s", (int)pid, name);
}

const struct ns_kind ns_kinds[NS_KINDS] = {
	[NS_USER] = { CLONE_NEWUSER, "user" }, [NS_CGROUP] = { CLONE_NEWCGROUP, "cgroup" },
	[NS_IPC] = { CLONE_NEWIPC, "ipc" },    [NS_UTS] = { CLONE_NEWUTS, "uts" },
	[NS_NET] = { CLONE_NEWNET, "net" },    [NS_MNT] = { CLONE_NEWNS, "mnt" },
};

int ns_open(pid_t pid, const char *name)
{
	char path[64];
	ns_path(pid, name, path, sizeof(path));
	return open(path, O_RDONLY | O_CLOEXEC);
}

int ns_join_set(int pidfd, const int *fds, int mask, int *failed)
{
	*failed = -1;
	if (!fds)
		/* one call joins them all, atomically, in the kernel's order */
		return setns(pidfd, mask);
	for (int i = 0; i < NS_KINDS; i++) {
		if (fds[i] < 0 || !(ns_kinds[i].nstype & mask))
			continue;
		if (setns(fds[i], ns_kinds[i].nstype) < 0) {
			*failed = i;
			return -1;
		}
	}
	return 0;
}

int ns_link_read(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ns_path(pid, name, path, sizeof(path));
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int ns_join(pid_t pid, const char *name, int nstype)
{
	/* setns() takes an fd: opening the /proc file is what pins the
	 * namespace, so it stays alive even if PID exits meanwhile. */
	int fd = ns_open(pid, name);
	if (fd < 0)
		return -1;
	int ret = setns(fd, nstype);
	int err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* ioctl_ns(2). Each answer is a new fd on nsfs, as if /proc/PID/ns/NAME had
 * been opened; the kernel answers EPERM when the namespace asked for lies
 * outside the caller's own user namespace (the initial one has no parent). */
int ns_get_userns(int fd)
{
	return ioctl(fd, NS_GET_USERNS);
}

int ns_get_parent(int fd)
{
	return ioctl(fd, NS_GET_PARENT);
}

int ns_get_type(int fd)
{
	return ioctl(fd, NS_GET_NSTYPE);
}

int ns_get_owner_uid(int userns_fd, uid_t *uid)
{
	return ioctl(userns_fd, NS_GET_OWNER_UID, uid);
}

const char *ns_type_name(int nstype)
{
	static const struct ns_kind more[] = {
		{ CLONE_NEWPID, "pid" }, { CLONE_NEWTIME, "time" },
	};
	for (int i = 0; i < NS_KINDS; i++)
		if (ns_kinds[i].nstype == nstype)
			return ns_kinds[i].name;
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		if (more[i].nstype == nstype)
			return more[i].name;
	return NULL;
}

int ns_fd_link(int fd, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}
