/* 08-mini-docker/statedir.c — see statedir.h. */
#define _GNU_SOURCE
#include "statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int sd_check_stat(const struct stat *st, uid_t uid, const char *path, char *why, size_t size)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(why, size, "state directory %s is not a directory; expected a directory of uid %u",
			 path, (unsigned)uid);
		return -1;
	}
	/* Whoever owns it can rename our records away and put their own in
	 * their place, or a symlink where we are about to write. */
	if (st->st_uid != uid) {
		snprintf(why, size, "state directory %s belongs to uid %u, not to you (uid %u): refusing "
			 "it; remove it, or set MINI_DOCKER_ROOT to a directory of your own",
			 path, (unsigned)st->st_uid, (unsigned)uid);
		return -1;
	}
	/* Group or other write is the same power, without owning it. (The
	 * sticky bit would stop renames, not new names planted in it.) */
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, size, "state directory %s is writable by its group or others (mode %04o): "
			 "refusing it; expected a directory only uid %u can write (chmod go-w %s)",
			 path, (unsigned)(st->st_mode & 07777), (unsigned)uid, path);
		return -1;
	}
	return 0;
}

int sd_open_at(int dfd, const char *name)
{
	/* O_PATH: a directory we may only search (mode 0711) opens too.
	 * With O_NOFOLLOW a link is not followed: O_PATH would open the link
	 * itself, and O_DIRECTORY then refuses it with ENOTDIR. */
	return openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Why a component of path (its first len bytes, name beneath dfd) could
 * not be opened, in words. */
static void say_why(int dfd, const char *name, const char *path, int len, int err,
		    char *why, size_t size)
{
	struct stat st;
	if ((err == ENOTDIR || err == ELOOP) && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			snprintf(why, size, "state directory %.*s is a symbolic link: refusing to follow "
				 "it; expected a real directory (remove the link)", len, path);
		else
			snprintf(why, size, "state directory %.*s is not a directory", len, path);
	} else if (err == ENOENT) {
		snprintf(why, size, "state directory %.*s does not exist", len, path);
	} else {
		snprintf(why, size, "open %.*s: %s", len, path, strerror(err));
	}
}

enum { WALK_CREATE = 1, WALK_CHECK = 2 };

/* Open path one component at a time with O_NOFOLLOW, as openat2's
 * RESOLVE_NO_SYMLINKS would, but able to create what is missing on the
 * way. WALK_CREATE: a missing component is made with mode and then
 * checked (even if mkdirat said EEXIST: someone else may have made it
 * first). WALK_CHECK: path itself is checked too. fd, -1, or -2 when a
 * component does not exist; why says which. */
static int walk(const char *path, mode_t mode, int flags, char *why, size_t size)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(why, size, "state path %.40s... is too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, size, "open %s: %s", path[0] == '/' ? "/" : ".", strerror(errno));
		return -1;
	}
	char *save = NULL, *name = strtok_r(buf, "/", &save);
	while (name) {
		char *next = strtok_r(NULL, "/", &save);
		int len = (int)(name - buf + (ptrdiff_t)strlen(name)), made = 0;
		int sub = sd_open_at(fd, name);
		if (sub < 0 && errno == ENOENT && (flags & WALK_CREATE)) {
			if (mkdirat(fd, name, mode) < 0 && errno != EEXIST) {
				snprintf(why, size, "mkdir %.*s: %s", len, path, strerror(errno));
				close(fd);
				return -1;
			}
			made = 1;
			sub = sd_open_at(fd, name);
		}
		if (sub < 0) {
			int err = errno;
			say_why(fd, name, path, len, err, why, size);
			close(fd);
			errno = err;
			return err == ENOENT ? -2 : -1;
		}
		close(fd);
		fd = sub;
		struct stat st;
		if (made || (!next && (flags & WALK_CHECK))) {
			char here[PATH_MAX];
			snprintf(here, sizeof(here), "%.*s", len, path);
			if (fstat(fd, &st) < 0) {
				snprintf(why, size, "fstat %s: %s", here, strerror(errno));
				close(fd);
				return -1;
			}
			if (sd_check_stat(&st, geteuid(), here, why, size) < 0) {
				close(fd);
				errno = EPERM;
				return -1;
			}
		}
		name = next;
	}
	return fd;
}

int sd_make(const char *path, mode_t mode, char *why, size_t size)
{
	return walk(path, mode, WALK_CREATE | WALK_CHECK, why, size);
}

int sd_verify(const char *path, char *why, size_t size)
{
	return walk(path, 0, WALK_CHECK, why, size);
}

int sd_open(const char *path)
{
	char why[16];
	int fd = walk(path, 0, 0, why, sizeof(why));
	return fd < 0 ? -1 : fd;
}

int sd_open_parent(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	*name = slash ? slash + 1 : path;
	if (!slash)
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (slash - path >= (ptrdiff_t)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return sd_open(dir);
}

/* The whole of an open file, as read_whole does. */
static char *read_fd(int fd, size_t max)
{
	struct stat st;
	char *buf = NULL;
	int err = 0;
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if ((size_t)st.st_size > max)
		err = EFBIG;
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		err = ENOMEM;
	size_t off = 0;
	while (buf && !err && off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? errno : EIO;
		else
			off += (size_t)n;
	}
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[off] = '\0';
	return buf;
}

char *sd_read(const char *path, size_t max)
{
	const char *name;
	int dfd = sd_open_parent(path, &name);
	if (dfd < 0)
		return NULL;
	/* O_NONBLOCK: a FIFO planted under the name would block open(2) for
	 * good; read_fd then refuses anything but a regular file. */
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int err = errno;
	close(dfd);
	if (fd < 0) {
		errno = err;
		return NULL;
	}
	char *buf = read_fd(fd, max);
	err = errno;
	close(fd);
	errno = err;
	return buf;
}

int sd_unlink(const char *path)
{
	const char *name;
	int dfd = sd_open_parent(path, &name);
	if (dfd < 0)
		return -1;
	int r = unlinkat(dfd, name, 0), err = errno;
	close(dfd);
	errno = err;
	return r;
}

int sd_runtime_dir_usable(const char *dir)
{
	char why[PATH_MAX + 256];
	if (!dir || dir[0] != '/')
		return 0;
	int fd = walk(dir, 0, WALK_CHECK, why, sizeof(why));
	if (fd < 0)
		return 0;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && (st.st_mode & 077) == 0;
	close(fd);
	return ok;
}

/* ---- writing a file whole, or not at all ------------------------------- */

/* The temporary file, made new: O_EXCL fails on anything already under
 * that name, a planted symlink above all, which O_CREAT alone would follow
 * and write through (to /etc/passwd, for root). A regular file of ours is
 * what a writer killed before its rename left: removed, and made again. */
static int create_tmp(int dfd, const char *tmp, const char *path, mode_t mode)
{
	for (int again = 0;; again = 1) {
		int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST || again) {
			if (fd < 0)
				warn_errno("create %s.tmp", path);
			return fd;
		}
		struct stat st;
		if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			fprintf(stderr, "mini-docker: refusing to write %s.tmp: it is %s, not a file "
				"mini-docker left; expected nothing there (remove it)\n", path,
				S_ISLNK(st.st_mode) ? "a symbolic link" :
				!S_ISREG(st.st_mode) ? "not a regular file" : "someone else's file");
			errno = EEXIST;
			return -1;
		}
		if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
			return warn_errno("unlink %s.tmp", path);
	}
}

static int write_all(int fd, const char *data, size_t len, const char *path)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return warn_errno("write %s.tmp", path);
		off += (size_t)n;
	}
	return 0;
}

int write_atomic(const char *path, const char *data, size_t len, mode_t mode, int durable)
{
	/* Everything beneath the directory's fd, opened with no symlink on
	 * the way: neither the tmp file nor the rename can be sent elsewhere
	 * by a link in any component of path. */
	const char *name;
	char tmp[NAME_MAX + 8];
	int dfd = sd_open_parent(path, &name);
	if (dfd < 0)
		return warn_errno("open the directory of %s (a symbolic link on the way is refused)", path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp)) {
		close(dfd);
		errno = ENAMETOOLONG;
		return warn_errno("write %s", path);
	}
	int fd = create_tmp(dfd, tmp, path, mode);
	if (fd < 0) {
		close(dfd);
		return -1;
	}
	int r = write_all(fd, data, len, path);
	/* fsync before rename: otherwise a crash can leave the new name
	 * pointing at an empty file on some filesystems. It is the costly
	 * part (a disk flush), so callers skip it for files that need not
	 * survive a crash. */
	if (r == 0 && durable && fsync(fd) < 0)
		r = warn_errno("fsync %s.tmp", path);
	close(fd);
	/* rename(2) replaces a link at the final name, it never follows it */
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = warn_errno("rename %s.tmp to %s", path, name);
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return r;
}
