/* 08-mini-docker/member.c — see member.h. */
#define _GNU_SOURCE
#include "member.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFIFO: return "a FIFO";
	case S_IFCHR: return "a character device";
	case S_IFBLK: return "a block device";
	case S_IFDIR: return "a directory";
	case S_IFSOCK: return "a socket";
	case S_IFLNK: return "a symlink";
	default: return "not a regular file";
	}
}

/* fstat the fd just opened: only a regular file is read. A FIFO or a
 * device opened with O_NONBLOCK has not blocked yet, and is closed here
 * without a single read. */
static int require_regular(int fd, const char *name, char *why, size_t why_size)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		snprintf(why, why_size, "fstat %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "%s is %s, not a regular file: refused", name,
			 file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	return fd;
}

int member_open(int dirfd, const char *rel, char *why, size_t why_size)
{
	/* RESOLVE_IN_ROOT: the archive dir is the root for every step, so
	 * "..", an absolute path or a symlink to /dev/zero or /etc/shadow
	 * resolves inside it (to ARCHIVE/dev/zero: no such member) instead of
	 * on the host. Symlinks that stay inside are allowed, because an
	 * older `docker save` links a repeated layer.tar to its first copy.
	 * RESOLVE_NO_MAGICLINKS: no /proc/PID/fd-style jumps out.
	 * O_NONBLOCK: opening a FIFO does not wait for a writer, so
	 * require_regular gets to refuse it. */
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd < 0) {
		snprintf(why, why_size, "open %s in the archive: %s%s", rel, strerror(errno),
			 errno == ENOENT ? " (a symlink out of the archive leads nowhere)"
			 : errno == ENOSYS ? " (openat2 needs Linux 5.6)" : "");
		return -1;
	}
	return require_regular(fd, rel, why, why_size);
}

int file_open_regular(const char *path, char *why, size_t why_size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_size, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	return require_regular(fd, path, why, why_size);
}

char *member_read(int dirfd, const char *rel, size_t max, size_t *len, char *why, size_t why_size)
{
	int fd = member_open(dirfd, rel, why, why_size);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int ok = 0;
	while (buf) {
		if (n + 1 >= cap) {
			char *grown = cap > max ? NULL : realloc(buf, cap * 2);
			if (!grown) {
				snprintf(why, why_size, "%s: larger than %zu bytes", rel, max);
				break;
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			snprintf(why, why_size, "read %s: %s", rel, strerror(errno));
		if (r <= 0) {
			ok = r == 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	/* the buffer doubles past max before the check above stops it: a
	 * member up to twice max would pass, and the store, which reads it
	 * back with read_whole's exact max (a config at run, at rmi), could
	 * then no longer read what it took */
	if (ok && n > max) {
		snprintf(why, why_size, "%s: larger than %zu bytes", rel, max);
		ok = 0;
	}
	if (!buf)
		snprintf(why, why_size, "%s: out of memory", rel);
	if (!ok) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
