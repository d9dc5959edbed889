/* 07-overlayfs/rmtree.c — remove a directory tree that someone else filled.
 *
 * An upper dir is written by the container: it can be deeper than
 * PATH_MAX (mkdir a/a/a/... 3000 times), and a remover that builds paths
 * (nftw, rm -r of old) gives up there and leaves it on the host. This one
 * never builds a path: it walks with directory fds, one level at a time,
 * going back up through "..", so depth costs memory for one inode number
 * per level and never more than two open fds. It never crosses into
 * another filesystem (a merged/ still mounted) and never follows a link. */
#define _GNU_SOURCE
#include "overlay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/* One pass over the directory at fd: files and empty directories go; the
 * first directory that is not empty is returned in sub (to go into).
 * 1: a sub to enter, 0: fd is now empty, -1: an error (reported). */
static int empty_pass(int fd, char sub[256])
{
	int lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = lfd < 0 ? NULL : fdopendir(lfd);
	if (!d) {
		if (lfd >= 0)
			close(lfd);
		return warn_errno("remove a tree: list a directory");
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = errno == ENOENT ? 0 : warn_errno("remove a tree: stat %s", e->d_name);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT)
				rc = warn_errno("remove a tree: unlink %s", e->d_name);
		} else if (unlinkat(fd, e->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			if (errno != ENOTEMPTY && errno != EEXIST)
				rc = warn_errno("remove a tree: rmdir %s", e->d_name);
			else
				rc = 1, snprintf(sub, 256, "%s", e->d_name);
		}
	}
	if (rc == 0 && errno)
		rc = warn_errno("remove a tree: read a directory");
	closedir(d);
	return rc;
}

/* Open name under fd as a directory of the same filesystem, no link. */
static int enter(int fd, const char *name, dev_t dev, ino_t *ino)
{
	int c = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (c < 0 || fstat(c, &st) < 0) {
		if (c >= 0)
			close(c);
		return warn_errno("remove a tree: open %s", name);
	}
	if (st.st_dev != dev) { /* a mount point: what is mounted is not ours */
		close(c);
		errno = EXDEV;
		return warn_errno("remove a tree: %s is a mount point; not going in", name);
	}
	*ino = st.st_ino;
	return c;
}

int ovl_remove_tree(const char *dir)
{
	char ww[PATH_MAX], sub[256];
	/* overlay keeps its scratch dir work/work at mode 000, and may leave
	 * a spare whiteout in it: open it up so it can be emptied. */
	if (snprintf(ww, sizeof(ww), "%s/work/work", dir) < (int)sizeof(ww))
		chmod(ww, 0700);
	struct stat top;
	if (lstat(dir, &top) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(top.st_mode))
		return unlink(dir) < 0 && errno != ENOENT ? -1 : 0;
	size_t depth = 0, cap = 64;
	ino_t *path = malloc(cap * sizeof(*path)); /* the inode of each level */
	int fd = enter(AT_FDCWD, dir, top.st_dev, &top.st_ino), rc = 0;
	if (!path || fd < 0) {
		free(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	path[0] = top.st_ino;
	while (rc == 0) {
		int r = empty_pass(fd, sub);
		if (r < 0)
			break;
		int next = -1;
		ino_t ino;
		if (r == 1) { /* down into a directory that is not empty */
			if (depth + 1 == cap && !(path = reallocarray(path, cap *= 2, sizeof(*path)))) {
				rc = -1;
				break;
			}
			next = enter(fd, sub, top.st_dev, &ino);
			if (next >= 0)
				path[++depth] = ino;
		} else if (depth > 0) { /* this level is empty: up, where it goes */
			struct stat up;
			next = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			/* ".." must be the directory we came down from */
			if (next >= 0 && (fstat(next, &up) < 0 || up.st_ino != path[depth - 1] ||
					  up.st_dev != top.st_dev)) {
				close(next);
				next = -1;
				errno = ESTALE;
				warn_errno("remove a tree under %s: a directory moved while it was removed", dir);
			}
			depth--;
		} else {
			break; /* the top is empty */
		}
		close(fd);
		fd = next;
		if (fd < 0)
			rc = -1;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
