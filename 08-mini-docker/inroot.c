/* 08-mini-docker/inroot.c — see inroot.h. */
#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int open_in_root(const char *path, int flags, mode_t mode)
{
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC,
				.mode = (flags & O_CREAT) ? mode : 0,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	int err = errno;
	close(root);
	errno = err;
	return fd;
}

/* Each component made relative to its parent, which was itself opened
 * inside the root: a symlink on the way is followed only inside it. */
int mkdir_in_root(const char *path, mode_t mode)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		char *slash = strrchr(buf, '/');
		*slash = '\0';
		int parent = open_in_root(buf[0] ? buf : "/", O_PATH | O_DIRECTORY, 0);
		*slash = '/';
		int rc = parent < 0 ? -1 : mkdirat(parent, slash + 1, mode);
		int err = errno;
		if (parent >= 0)
			close(parent);
		if (rc < 0 && err != EEXIST) {
			errno = err;
			return -1;
		}
		*p = saved;
		if (!saved)
			return 0;
	}
}

char *read_in_root(const char *path)
{
	struct stat st;
	int fd = open_in_root(path, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	char *text = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		text = read_whole_fd(fd, 4 << 20, NULL);
	close(fd);
	return text;
}
