/* 08-mini-docker/layer.c — see layer.h. Tar reading and writing is
 * libarchive's (it also undoes gzip, xz, zstd); sha256 is digest.c's. */
#define _GNU_SOURCE
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"
#include "digest.h"
#include "overlay.h"

enum wh_kind whiteout_parse(const char *path, char *target, size_t size)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	if (strncmp(base, ".wh.", 4) != 0)
		return WH_NONE;
	if (strcmp(base, ".wh..wh..opq") == 0) {
		if (dirlen >= size)
			return WH_META;
		memcpy(target, path, dirlen);
		target[dirlen] = '\0';
		return WH_OPAQUE;
	}
	if (strncmp(base, ".wh..wh.", 8) == 0 || base[4] == '\0')
		return WH_META;
	if (snprintf(target, size, "%.*s%s%s", (int)dirlen, path, slash ? "/" : "", base + 4) >= (int)size)
		return WH_META;
	return WH_FILE;
}

int whiteout_name(const char *relpath, char *out, size_t size)
{
	const char *slash = strrchr(relpath, '/');
	int n = slash ? snprintf(out, size, "%.*s/.wh.%s", (int)(slash - relpath), relpath, slash + 1)
		      : snprintf(out, size, ".wh.%s", relpath);
	return n < 0 || n >= (int)size ? -1 : 0;
}

/* ---- reading ----------------------------------------------------------- */

static struct archive *open_tar(const char *path, int raw, char *why, size_t why_size)
{
	struct archive *a = archive_read_new();
	if (!a)
		die("archive_read_new: out of memory");
	archive_read_support_filter_all(a);
	if (raw)
		archive_read_support_format_raw(a);
	else
		archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int raw_next(void *arg, const void **buf, size_t *len)
{
	la_int64_t off;
	int r = archive_read_data_block(arg, buf, len, &off);
	if (r == ARCHIVE_EOF)
		*len = 0;
	return r == ARCHIVE_OK || r == ARCHIVE_EOF ? 0 : -1;
}

int layer_diff_id(const char *tar_path, char out[65], char *why, size_t why_size)
{
	/* The "raw" format hands back the stream after the compression
	 * filters: the bytes of the tar itself, which is what DiffID hashes
	 * (a registry's digest is of the compressed blob instead). */
	struct archive *a = open_tar(tar_path, 1, why, why_size);
	if (!a)
		return -1;
	struct archive_entry *e;
	int rc = -1;
	if (archive_read_next_header(a, &e) != ARCHIVE_OK || sha256_stream(raw_next, a, out) < 0) {
		snprintf(why, why_size, "%s: %s", tar_path, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

/* Open dir relpath below the directory rootfd, making missing components,
 * never following a symlink: a layer could hold "etc -> /etc" and then
 * "etc/.wh.passwd", and a plain mknod("etc/passwd") would act on the
 * host. An fd, or -1 with errno set. */
static int open_dir_below(int rootfd, const char *relpath)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", relpath) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	for (char *save = NULL, *c = strtok_r(buf, "/", &save); fd >= 0 && c;
	     c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			close(fd);
			return -1;
		}
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;
	while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, len, off) < ARCHIVE_OK)
			return -1;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* overlay reads its own xattrs (redirect, metacopy, origin) from a lower
 * layer; a tar that carried them could point overlay at files outside the
 * layer. Keep every other xattr. */
static void drop_overlay_xattrs(struct archive_entry *e)
{
	if (archive_entry_xattr_count(e) == 0)
		return;
	struct { char *name; void *value; size_t size; } keep[64];
	int n = 0;
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK && n < 64) {
		if (strncmp(name, "trusted.overlay.", 16) == 0 || strncmp(name, "user.overlay.", 13) == 0)
			continue;
		keep[n].name = strdup(name);
		keep[n].value = malloc(size ? size : 1);
		memcpy(keep[n].value, value, size);
		keep[n].size = size;
		n++;
	}
	archive_entry_xattr_clear(e);
	for (int i = 0; i < n; i++) {
		archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
}

/* The one extraction loop: whiteouts converted or not. */
static int extract(const char *tar_path, const char *dir, int whiteouts, long long *size,
		   char *why, size_t why_size)
{
	int rc = -1, cwd = -1, dirfd = -1;
	struct archive *w = NULL, *a = open_tar(tar_path, 0, why, why_size);
	if (!a)
		return -1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || cwd < 0 || fchdir(dirfd) < 0) {
		snprintf(why, why_size, "open %s: %s", dir, strerror(errno));
		goto out;
	}
	w = archive_write_disk_new();
	/* SECURE_*: refuse "/etc/x", "../x" and any path through a symlink
	 * (the layer's own "lib -> /usr/lib" included); libarchive checks
	 * each component as it goes, which a path prefix test cannot. */
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
				       ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR |
				       ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	archive_write_disk_set_standard_lookup(w);
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		char target[PATH_MAX];
		enum wh_kind kind = whiteouts ? whiteout_parse(path, target, sizeof(target)) : WH_NONE;
		if (kind != WH_NONE && path_has_dotdot(path)) {
			snprintf(why, why_size, "%s: entry '%s' has '..' in it", tar_path, path);
			goto out;
		}
		if (kind == WH_META)
			continue;
		if (kind == WH_OPAQUE) {
			int fd = open_dir_below(dirfd, target);
			const char *attr = "trusted.overlay.opaque";
			if (fd < 0 || fsetxattr(fd, attr, "y", 1, 0) < 0) {
				snprintf(why, why_size, "opaque dir '%s': %s", target, strerror(errno));
				if (fd >= 0)
					close(fd);
				goto out;
			}
			close(fd);
			continue;
		}
		if (kind == WH_FILE) {
			char *slash = strrchr(target, '/');
			const char *name = slash ? slash + 1 : target;
			if (slash)
				*slash = '\0';
			int fd = open_dir_below(dirfd, slash ? target : ".");
			/* overlay's whiteout: a character device 0:0 (stage 07) */
			if (fd >= 0)
				unlinkat(fd, name, 0);
			if (fd < 0 || mknodat(fd, name, S_IFCHR, makedev(0, 0)) < 0) {
				snprintf(why, why_size, "whiteout for '%s': %s", path, strerror(errno));
				if (fd >= 0)
					close(fd);
				goto out;
			}
			close(fd);
			continue;
		}
		drop_overlay_xattrs(e);
		if (archive_write_header(w, e) < ARCHIVE_WARN) {
			snprintf(why, why_size, "%s: entry '%s': %s", tar_path, path, archive_error_string(w));
			goto out;
		}
		if (archive_entry_size(e) > 0 && copy_data(a, w) < 0) {
			snprintf(why, why_size, "%s: entry '%s': %s", tar_path, path, archive_error_string(w));
			goto out;
		}
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			snprintf(why, why_size, "%s: entry '%s': %s", tar_path, path, archive_error_string(w));
			goto out;
		}
		if (size && archive_entry_filetype(e) == AE_IFREG)
			*size += archive_entry_size(e);
	}
	if (r != ARCHIVE_EOF) {
		snprintf(why, why_size, "%s: %s", tar_path, archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	if (w) {
		archive_write_close(w);
		archive_write_free(w);
	}
	archive_read_free(a);
	if (cwd >= 0) {
		if (fchdir(cwd) < 0)
			warn_errno("fchdir back");
		close(cwd);
	}
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

int layer_unpack(const char *tar_path, const char *dir, long long *size, char *why, size_t why_size)
{
	return extract(tar_path, dir, 1, size, why, why_size);
}

int tar_extract(const char *tar_path, const char *dir, char *why, size_t why_size)
{
	return extract(tar_path, dir, 0, NULL, why, why_size);
}

/* ---- writing ----------------------------------------------------------- */

struct pack {
	struct archive *w;
	const char *upper;
	char *why;
	size_t why_size;
};

static int put_empty(struct pack *p, const char *name, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, 0);
	int r = archive_write_header(p->w, e);
	archive_entry_free(e);
	if (r < ARCHIVE_WARN) {
		snprintf(p->why, p->why_size, "write '%s': %s", name, archive_error_string(p->w));
		return -1;
	}
	return 0;
}

static int pack_one(const char *rel, enum ovl_kind kind, const struct stat *st, void *arg)
{
	struct pack *p = arg;
	char name[PATH_MAX], path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", p->upper, rel);
	if (kind == OVL_WHITEOUT) {
		if (whiteout_name(rel, name, sizeof(name)) < 0)
			return -1;
		return put_empty(p, name, st);
	}
	if (S_ISSOCK(st->st_mode))
		return 0; /* tar has no sockets; Docker skips them too */
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, rel);
	/* No xattrs: upper dirs carry overlay's trusted.overlay.* ones,
	 * which must never travel into a layer (see drop_overlay_xattrs). */
	int fd = -1, rc = -1;
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			snprintf(p->why, p->why_size, "readlink %s: %s", path, strerror(errno));
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (!S_ISREG(st->st_mode))
		archive_entry_set_size(e, 0);
	else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(p->why, p->why_size, "open %s: %s", path, strerror(errno));
		goto out;
	}
	if (archive_write_header(p->w, e) < ARCHIVE_WARN) {
		snprintf(p->why, p->why_size, "write '%s': %s", rel, archive_error_string(p->w));
		goto out;
	}
	if (fd >= 0) {
		char buf[1 << 16];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (archive_write_data(p->w, buf, (size_t)n) < 0) {
				snprintf(p->why, p->why_size, "write '%s': %s", rel, archive_error_string(p->w));
				goto out;
			}
		if (n < 0) {
			snprintf(p->why, p->why_size, "read %s: %s", path, strerror(errno));
			goto out;
		}
	}
	if (kind == OVL_OPAQUE_DIR) {
		snprintf(name, sizeof(name), "%s/.wh..wh..opq", rel);
		if (put_empty(p, name, st) < 0)
			goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return rc;
}

int layer_pack(const char *upper, const char *tar_path, char *why, size_t why_size)
{
	struct pack p = { archive_write_new(), upper, why, why_size };
	why[0] = '\0';
	/* pax: long names, big files and exact times, read by every tool */
	archive_write_set_format_pax_restricted(p.w);
	int rc = -1;
	if (archive_write_open_filename(p.w, tar_path) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s: %s", tar_path, archive_error_string(p.w));
		goto out;
	}
	if (ovl_walk_upper(upper, pack_one, &p) != 0) {
		if (!why[0])
			snprintf(why, why_size, "could not read %s", upper);
		goto out;
	}
	if (archive_write_close(p.w) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s: %s", tar_path, archive_error_string(p.w));
		goto out;
	}
	rc = 0;
out:
	archive_write_free(p.w);
	return rc;
}
