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

#endif
