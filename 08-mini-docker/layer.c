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

/* ---- reading: one pass --------------------------------------------------- */

/* A layer is read once, from one fd, and both of its names are computed on
 * the way: the blob digest from the bytes as read (compressed, as a
 * registry names them) and the DiffID from the bytes after libarchive's
 * decompression (the tar itself). Two archive objects are chained for that:
 * `raw` only decompresses (the "raw" format hands back the filtered
 * stream), and `tar` reads entries from what `raw` hands out. Hashing one
 * read and unpacking another would let a file swapped in between be
 * unpacked under the first one's name. */
struct feed {
	int fd;
	struct archive *raw, *tar;
	struct archive *keep; /* the tar, gzipped, for `save` (or NULL) */
	int keep_fd;
	struct sha256 *blob, *diff;
	char buf[1 << 16];
};

static la_ssize_t fd_read(struct archive *a, void *arg, const void **buf)
{
	struct feed *f = arg;
	ssize_t n;
	do
		n = read(f->fd, f->buf, sizeof(f->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	sha256_add(f->blob, f->buf, (size_t)n);
	*buf = f->buf;
	return n;
}

static la_ssize_t raw_read(struct archive *a, void *arg, const void **buf)
{
	struct feed *f = arg;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(f->raw, buf, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(a, archive_errno(f->raw), "%s", archive_error_string(f->raw));
		return -1;
	}
	sha256_add(f->diff, *buf, len);
	if (f->keep && len > 0 && archive_write_data(f->keep, *buf, len) < 0) {
		archive_set_error(a, EIO, "keeping the layer tar: %s", archive_error_string(f->keep));
		return -1;
	}
	return (la_ssize_t)len;
}

static int feed_open(struct feed *f, int fd, char *why, size_t why_size)
{
	struct archive_entry *e;
	f->fd = fd;
	f->blob = sha256_new();
	f->diff = sha256_new();
	f->raw = archive_read_new();
	f->tar = archive_read_new();
	if (!f->blob || !f->diff) {
		snprintf(why, why_size, "no sha256 (see above)");
		return -1;
	}
	if (!f->raw || !f->tar) {
		snprintf(why, why_size, "archive_read_new: out of memory");
		return -1;
	}
	/* Only decompressors that run in this process: filter_all would also
	 * take lrzip, lzop and grzip by running those programs on the input. */
	archive_read_support_filter_gzip(f->raw);
	archive_read_support_filter_bzip2(f->raw);
	archive_read_support_filter_xz(f->raw);
	archive_read_support_filter_zstd(f->raw);
	archive_read_support_format_raw(f->raw);
	if (archive_read_open(f->raw, f, NULL, fd_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(f->raw, &e) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s", archive_error_string(f->raw));
		return -1;
	}
	archive_read_support_format_tar(f->tar);
	if (archive_read_open(f->tar, f, NULL, raw_read, NULL) != ARCHIVE_OK) {
		snprintf(why, why_size, "%s", archive_error_string(f->tar));
		return -1;
	}
	return 0;
}

/* Both digests cover every byte: what follows the tar's end marker (the
 * padding of its last record) and the compressed file's tail are read too.
 * After a failure the rest of the file still goes through the blob digest,
 * so that a corrupt blob can be named as such (layer_main.c). */
static int feed_close(struct feed *f, int ok, struct layer_digests *d, char *why, size_t why_size)
{
	const void *buf;
	la_ssize_t n = 0;
	if (!f->raw || !f->tar || !f->blob || !f->diff) { /* feed_open failed: why says why */
		archive_read_free(f->tar);
		archive_read_free(f->raw);
		char hex[65];
		if (f->blob)
			sha256_end(f->blob, hex);
		if (f->diff)
			sha256_end(f->diff, hex);
		return -1;
	}
	if (ok) {
		while ((n = raw_read(f->tar, f, &buf)) > 0)
			;
		if (n < 0)
			snprintf(why, why_size, "%s", archive_error_string(f->tar));
	}
	while (n == 0 && (n = fd_read(f->raw, f, &buf)) > 0)
		;
	if (ok && n < 0 && !why[0])
		snprintf(why, why_size, "%s", archive_error_string(f->raw));
	char blob[65], diff[65];
	int hashed = sha256_end(f->blob, blob) == 0;
	hashed = sha256_end(f->diff, diff) == 0 && hashed;
	if (!hashed) {
		if (!why[0])
			snprintf(why, why_size, "no sha256 (see above)");
		ok = 0;
	} else if (d) {
		memcpy(d->blob, blob, sizeof(blob));
		memcpy(d->diff, diff, sizeof(diff));
	}
	archive_read_free(f->tar);
	archive_read_free(f->raw);
	int kept = f->keep ? kept_tar_close(f->keep, f->keep_fd, ok && !why[0] ? why : NULL, why_size) : 0;
	return ok && n == 0 && kept == 0 ? 0 : -1;
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

/* A whiteout entry becomes what overlayfs reads, made below dirfd with
 * our own calls (libarchive knows nothing of whiteouts). */
static int apply_whiteout(int dirfd, enum wh_kind kind, char *target, const char *path,
			  char *why, size_t why_size)
{
	if (kind == WH_OPAQUE) {
		int fd = open_dir_below(dirfd, target);
		if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0) {
			snprintf(why, why_size, "opaque dir '%s': %s", target, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
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
		return -1;
	}
	close(fd);
	return 0;
}

/* NULL when out of memory. */
static struct archive *disk_writer(void)
{
	struct archive *w = archive_write_disk_new();
	if (!w)
		return NULL;
	/* SECURE_*: refuse "/etc/x", "../x" and any path through a symlink
	 * (the layer's own "lib -> /usr/lib" included); libarchive checks
	 * each component as it goes, which a path prefix test cannot. */
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
				       ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR |
				       ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	archive_write_disk_set_standard_lookup(w);
	return w;
}

/* Every entry of a, written below the current directory (dirfd). */
static int extract_entries(struct archive *a, int dirfd, int whiteouts, long long *size,
			   char *why, size_t why_size)
{
	struct archive *w = disk_writer();
	struct archive_entry *e;
	int r, rc = -1;
	if (!w) {
		snprintf(why, why_size, "archive_write_disk_new: out of memory");
		return -1;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		char target[PATH_MAX];
		enum wh_kind kind = whiteouts ? whiteout_parse(path, target, sizeof(target)) : WH_NONE;
		if (kind != WH_NONE && path_has_dotdot(path)) {
			snprintf(why, why_size, "entry '%s' has '..' in it", path);
			goto out;
		}
		if (kind == WH_META)
			continue;
		if (kind != WH_NONE) {
			if (apply_whiteout(dirfd, kind, target, path, why, why_size) < 0)
				goto out;
			continue;
		}
		drop_overlay_xattrs(e);
		if (archive_write_header(w, e) < ARCHIVE_WARN ||
		    (archive_entry_size(e) > 0 && copy_data(a, w) < 0) ||
		    archive_write_finish_entry(w) < ARCHIVE_WARN) {
			const char *err = archive_error_string(w);
			snprintf(why, why_size, "entry '%s': %s", path,
				 err ? err : archive_error_string(a));
			goto out;
		}
		/* Docker's layer size: what its files take as lstat sizes them,
		 * a symlink counting its target's length, a hard link once */
		if (size && archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e))
			*size += archive_entry_size(e);
		else if (size && archive_entry_filetype(e) == AE_IFLNK && archive_entry_symlink(e))
			*size += (long long)strlen(archive_entry_symlink(e));
	}
	if (r != ARCHIVE_EOF) {
		snprintf(why, why_size, "%s", archive_error_string(a));
		goto out;
	}
	rc = 0;
out:
	archive_write_close(w);
	archive_write_free(w);
	return rc;
}

/* The one extraction: the tar on fd into dir, whiteouts converted or not.
 * libarchive's disk writer works on paths relative to the current
 * directory, so this runs with dir as the cwd (the helper is a process of
 * its own for this too). */
static int extract(int fd, const char *dir, const char *keep, int whiteouts, struct layer_digests *d,
		   long long *size, char *why, size_t why_size)
{
	struct feed f;
	int ok = 0, cwd = -1, dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	why[0] = '\0';
	if (dirfd < 0 || (cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fchdir(dirfd) < 0) {
		snprintf(why, why_size, "open %s: %s", dir, strerror(errno));
		if (dirfd >= 0)
			close(dirfd);
		if (cwd >= 0)
			close(cwd);
		return -1;
	}
	memset(&f, 0, sizeof(f));
	int rc = -1;
	/* the tar exactly as hashed is kept for `save` (savetar.c) */
	if (keep && (f.keep = kept_tar_open(keep, &f.keep_fd, why, why_size)) == NULL)
		goto out;
	if (feed_open(&f, fd, why, why_size) == 0)
		ok = extract_entries(f.tar, dirfd, whiteouts, size, why, why_size) == 0;
	rc = feed_close(&f, ok, d, why + strlen(why), why_size - strlen(why));
out:
	if (fchdir(cwd) < 0)
		warn_errno("fchdir back");
	close(cwd);
	close(dirfd);
	return rc;
}

int layer_unpack(int fd, const char *dir, const char *keep, struct layer_digests *d, long long *size,
		 char *why, size_t why_size)
{
	return extract(fd, dir, keep, 1, d, size, why, why_size);
}

int tar_extract(int fd, const char *dir, char *why, size_t why_size)
{
	return extract(fd, dir, NULL, 0, NULL, NULL, why, why_size);
}
