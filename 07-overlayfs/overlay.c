/* 07-overlayfs/overlay.c — see overlay.h. */
#define _GNU_SOURCE
#include "overlay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"

int ovl_escape(const char *path, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = path; *p; p++) {
		int special = *p == ',' || *p == ':' || *p == '\\';
		if (n + 1 + (size_t)special >= size)
			return -1;
		if (special)
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n] = '\0';
	return 0;
}

static int append(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n >= size)
		return -1;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 0;
}

static int append_path(char *out, size_t size, size_t *len, const char *key,
		       const char *path, char *why, size_t why_size)
{
	char esc[PATH_MAX * 2];
	/* overlayfs resolves its paths at mount time from the mounter's cwd
	 * in some versions and not others; the notes saw relative paths fail. */
	if (path[0] != '/') {
		snprintf(why, why_size, "%s '%s' is relative; overlayfs needs absolute paths",
			 key, path);
		return -1;
	}
	if (ovl_escape(path, esc, sizeof(esc)) < 0 || append(out, size, len, esc) < 0) {
		snprintf(why, why_size, "%s '%s' is too long for the mount options", key, path);
		return -1;
	}
	return 0;
}

int ovl_options(const char *const *lowers, size_t nlowers, const char *upper,
		const char *work, int userxattr, char *out, size_t size,
		char *why, size_t why_size)
{
	size_t len = 0;
	out[0] = '\0';
	if (nlowers == 0) {
		snprintf(why, why_size, "overlay needs at least one lower directory");
		return -1;
	}
	if (append(out, size, &len, "lowerdir=") < 0)
		goto too_long;
	for (size_t i = 0; i < nlowers; i++) {
		if (i > 0 && append(out, size, &len, ":") < 0)
			goto too_long;
		if (append_path(out, size, &len, "lowerdir", lowers[i], why, why_size) < 0)
			return -1;
	}
	if (upper) {
		if (!work) {
			snprintf(why, why_size, "an upperdir needs a workdir");
			return -1;
		}
		if (append(out, size, &len, ",upperdir=") < 0 ||
		    append_path(out, size, &len, "upperdir", upper, why, why_size) < 0 ||
		    append(out, size, &len, ",workdir=") < 0 ||
		    append_path(out, size, &len, "workdir", work, why, why_size) < 0)
			return -1;
	}
	/* userxattr: keep overlay's own xattrs (opaque, redirect) in the
	 * user.overlay.* namespace, which an unprivileged mounter may write;
	 * trusted.* needs CAP_SYS_ADMIN in the initial user namespace. */
	if (userxattr && append(out, size, &len, ",userxattr") < 0)
		goto too_long;
	return 0;
too_long:
	snprintf(why, why_size, "overlay options longer than %zu bytes (too many layers?)", size);
	return -1;
}

int ovl_mount(const char *const *lowers, size_t nlowers, const char *upper,
	      const char *work, const char *merged, int userxattr, unsigned long flags)
{
	char opts[16384], why[PATH_MAX + 128];
	if (ovl_options(lowers, nlowers, upper, work, userxattr, opts, sizeof(opts),
			why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, why);
		errno = EINVAL;
		return -1;
	}
	if (upper) {
		struct stat su, sw;
		if (stat(upper, &su) < 0)
			return warn_errno("stat upperdir %s", upper);
		if (stat(work, &sw) < 0)
			return warn_errno("stat workdir %s", work);
		/* Copy-up builds the new file in workdir, then rename(2)s it
		 * into upperdir: that only works within one filesystem. */
		if (su.st_dev != sw.st_dev) {
			fprintf(stderr, "%s: upperdir %s and workdir %s are on different "
				"filesystems; overlayfs needs them on the same one\n",
				prog_name, upper, work);
			errno = EXDEV;
			return -1;
		}
	}
	if (mount("overlay", merged, "overlay", flags, opts) == 0)
		return 0;
	int err = errno;
	const char *hint = "";
	switch (err) {
	case ELOOP:
		hint = " (the lower, upper and work directories overlap: one is inside another)";
		break;
	case EINVAL:
		hint = " (check that every directory exists, workdir is empty and on the "
		       "same filesystem as upperdir, and the upper filesystem supports the "
		       "needed xattrs; the kernel log, dmesg, names the reason)";
		break;
	case ENODEV:
		hint = " (this kernel has no overlay filesystem: modprobe overlay)";
		break;
	case EPERM:
		hint = " (mounting needs CAP_SYS_ADMIN: root, or a user + mount namespace "
		       "with userxattr on Linux 5.11 or later)";
		break;
	case ENOENT:
		hint = " (a lower, upper or work directory does not exist)";
		break;
	}
	fprintf(stderr, "%s: mount -t overlay overlay -o %s %s: %s%s\n", prog_name, opts,
		merged, strerror(err), hint);
	errno = err;
	return -1;
}

int ovl_umount(const char *merged)
{
	if (umount2(merged, 0) < 0)
		return warn_errno("umount %s", merged);
	return 0;
}

const char *ovl_kind_name(enum ovl_kind kind)
{
	switch (kind) {
	case OVL_FILE: return "file";
	case OVL_DIR: return "dir";
	case OVL_OPAQUE_DIR: return "opaque dir";
	case OVL_WHITEOUT: return "whiteout";
	}
	return "?";
}

int ovl_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 && minor(st->st_rdev) == 0;
}

static int is_opaque(int fd)
{
	char v[4];
	const char *names[] = { "trusted.overlay.opaque", "user.overlay.opaque" };
	for (int i = 0; i < 2; i++) {
		ssize_t n = fgetxattr(fd, names[i], v, sizeof(v));
		if (n == 1 && v[0] == 'y')
			return 1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory dirfd, sorted (stable output for tests and
 * stable tars for commit). Count, or -1 with errno. */
static int list_names(int dirfd, char ***out)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int err = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				err = ENOMEM;
				break;
			}
			names = grown;
		}
		if (!(names[n] = strdup(e->d_name))) {
			err = ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (err) {
		while (n > 0)
			free(names[--n]);
		free(names);
		errno = err;
		return -1;
	}
	if (n > 1) /* an empty dir may have names == NULL: qsort must not see it */
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return (int)n;
}

static int walk(int dirfd, const char *root, const char *rel, ovl_visit_fn fn, void *arg);

/* One entry of the directory dirfd. A directory is opened (O_NOFOLLOW: a
 * container that swaps it for a symlink to /etc while we walk gets ELOOP,
 * not a tour of the host's /etc) and its fd's stat is the one reported;
 * anything else is reported from fstatat without following. */
static int visit(int dirfd, const char *root, const char *rel, const char *name,
		 ovl_visit_fn fn, void *arg)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return warn_errno("lstat %s/%s", root, rel);
	if (!S_ISDIR(st.st_mode))
		return fn(rel, ovl_is_whiteout(&st) ? OVL_WHITEOUT : OVL_FILE, &st, dirfd, name, arg);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return warn_errno("open %s/%s (changed while it was read?)", root, rel);
	int ret = fstat(fd, &st) < 0 ? warn_errno("fstat %s/%s", root, rel) : 0;
	if (ret == 0)
		ret = fn(rel, is_opaque(fd) ? OVL_OPAQUE_DIR : OVL_DIR, &st, dirfd, name, arg);
	if (ret == 0)
		ret = walk(fd, root, rel, fn, arg);
	close(fd);
	return ret;
}

static int walk(int dirfd, const char *root, const char *rel, ovl_visit_fn fn, void *arg)
{
	char **names = NULL;
	int n = list_names(dirfd, &names);
	if (n < 0)
		return warn_errno("read directory %s/%s", root, rel);
	/* On the heap: a walk goes as deep as the tree (a container can nest
	 * 2000 dirs within PATH_MAX), and 4 KiB of stack per level would
	 * overflow the default 8 MiB before the path grew too long. */
	char *childrel = n > 0 ? malloc(PATH_MAX) : NULL;
	int ret = n > 0 && !childrel ? warn_errno("read directory %s/%s", root, rel) : 0;
	for (int i = 0; i < n && ret == 0; i++) {
		if (snprintf(childrel, PATH_MAX, "%s%s%s", rel, rel[0] ? "/" : "",
			     names[i]) >= PATH_MAX) {
			errno = ENAMETOOLONG;
			ret = warn_errno("%s/%s/%s", root, rel, names[i]);
			break;
		}
		ret = visit(dirfd, root, childrel, names[i], fn, arg);
	}
	free(childrel);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int ovl_walk_upper(const char *upper, ovl_visit_fn fn, void *arg)
{
	/* Every step below goes from a directory's fd, never by a path
	 * from the root again: see visit(). */
	int fd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return warn_errno("open %s", upper);
	int ret = walk(fd, upper, "", fn, arg);
	close(fd);
	return ret;
}

int ovl_open_entry(int dirfd, const char *name, const struct stat *st)
{
	/* O_PATH opens nothing: a device node swapped in after the walk's
	 * stat is not opened (a disk would be read, a tape rewound). Only if
	 * the fd is the very regular file the walk saw is it reopened for
	 * reading, through /proc/self/fd, which names that inode and no
	 * path. */
	int p = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (p < 0)
		return -1;
	struct stat now;
	if (fstat(p, &now) < 0 || !S_ISREG(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(p);
		errno = ESTALE;
		return -1;
	}
	char self[32];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
	int fd = open(self, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int err = errno;
	close(p);
	errno = err;
	return fd;
}
