/* 01-uts/ns.h — a namespace's identity: the inode behind /proc/PID/ns/NAME.
 * Two processes share a namespace exactly when these inodes (and devices) match.
 * Reused by every later stage that shows or joins a namespace. */
#ifndef NS_H
#define NS_H

#include <stddef.h>
#include <sys/types.h>

/* Parse a namespace link target like "uts:[4026532361]" into its type ("uts")
 * and inode. Returns 0, or -1 if the text is not of that shape. Pure. */
int ns_link_parse(const char *link, char *type, size_t type_size,
		  unsigned long long *ino);

/* readlink("/proc/PID/ns/NAME") into buf (pid 0 means self). 0 or -1/errno. */
int ns_link_read(pid_t pid, const char *name, char *buf, size_t size);

/* setns(2) into the NAME namespace of PID (nstype is CLONE_NEW*). 0 or -1/errno. */
int ns_join(pid_t pid, const char *name, int nstype);

/* The namespaces a process joins to enter another's (all but pid, which
 * only its children can enter), in the order joining one at a time must
 * take: user first, since it grants the rights over the rest; mount last,
 * since it moves the root and cwd, and after it /proc may be another's. */
enum { NS_USER, NS_CGROUP, NS_IPC, NS_UTS, NS_NET, NS_MNT, NS_KINDS };
struct ns_kind {
	int nstype;               /* CLONE_NEW* */
	const char *name;         /* in /proc/PID/ns */
};
extern const struct ns_kind ns_kinds[NS_KINDS];

/* "/proc/PID/ns/NAME" (pid 0: self) into path. */
void ns_path(pid_t pid, const char *name, char *path, size_t size);
/* Open /proc/PID/ns/NAME (O_CLOEXEC): the fd pins the namespace. fd or -1/errno. */
int ns_open(pid_t pid, const char *name);

/* Join the namespaces in mask (CLONE_NEW* bits) of one process. With fds
 * (fds[i] for ns_kinds[i], -1 for one not open), one setns per namespace in
 * ns_kinds' order; without, one setns(pidfd, mask), Linux 5.8+: the kernel
 * joins all or none, in a safe order of its own. 0, or -1 with errno and
 * *failed set to the ns_kinds index that failed (-1 for the pidfd call). */
int ns_join_set(int pidfd, const int *fds, int mask, int *failed);

/* ioctl_ns(2) on an fd of /proc/PID/ns/NAME. ns_get_userns: the user
 * namespace that owns it (NS_GET_USERNS); ns_get_parent: the parent of a
 * user or pid namespace (NS_GET_PARENT). Both return a new fd, already
 * close-on-exec (the kernel opens it so), or -1/errno: EPERM when the answer is
 * outside the caller's user namespace, EINVAL for a type without parents.
 * ns_get_type: CLONE_NEW* (NS_GET_NSTYPE, 4.11). ns_get_owner_uid: the
 * euid that created a user namespace, in the caller's namespace
 * (NS_GET_OWNER_UID, 4.11). */
int ns_get_userns(int fd);
int ns_get_parent(int fd);
int ns_get_type(int fd);
int ns_get_owner_uid(int userns_fd, uid_t *uid);
/* The /proc/PID/ns name of a CLONE_NEW* value ("uts", "pid", ...), or NULL. Pure. */
const char *ns_type_name(int nstype);
/* readlink("/proc/self/fd/FD"): "user:[4026531837]" for a namespace fd. 0 or -1/errno. */
int ns_fd_link(int fd, char *buf, size_t size);

#endif
