/* 08-mini-docker/pack.c — layer_pack (layer.h): a container's upper dir as
 * a layer tar, for commit.
 *
 * The container may still be changing that directory while it is read (a
 * rootless one is never paused, and a paused one could have left a symlink
 * where a directory was). So nothing here resolves a path: stage 07's walk
 * goes from directory fds without following symlinks, a symlink's target is
 * read with readlinkat as data, and a file's bytes come from an fd opened
 * by ovl_open_entry on the very inode the walk saw. libarchive's own
 * directory reader (archive_read_disk) would open paths by name; it is not
 * used. */
#define _GNU_SOURCE
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "overlay.h"

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

/* The bytes of a regular file, at most the size its header announced: a
 * file that grows meanwhile must not overrun its tar entry. */
static int put_data(struct pack *p, int fd, const char *rel, la_int64_t size)
{
	char buf[1 << 16];
	ssize_t n;
	while (size > 0 && (n = read(fd, buf, size < (la_int64_t)sizeof(buf) ? (size_t)size : sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(p->why, p->why_size, "read %s/%s: %s", p->upper, rel, strerror(errno));
			return -1;
		}
		if (archive_write_data(p->w, buf, (size_t)n) < 0) {
			snprintf(p->why, p->why_size, "write '%s': %s", rel, archive_error_string(p->w));
			return -1;
		}
		size -= n;
	}
	return 0;
}

/* What each kind of entry needs before its header: a symlink's target
 * (read as data, never followed), a regular file's fd. */
static int prepare(struct pack *p, struct archive_entry *e, const char *rel, const struct stat *st,
		   int dirfd, const char *name, int *fd)
{
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			snprintf(p->why, p->why_size, "readlink %s/%s: %s", p->upper, rel, strerror(errno));
			return -1;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	}
	if (!S_ISREG(st->st_mode)) {
		archive_entry_set_size(e, 0);
		return 0;
	}
	if ((*fd = ovl_open_entry(dirfd, name, st)) < 0) {
		snprintf(p->why, p->why_size, "open %s/%s: %s", p->upper, rel,
			 errno == ESTALE ? "it changed while the layer was read" : strerror(errno));
		return -1;
	}
	return 0;
}

static int pack_one(const char *rel, enum ovl_kind kind, const struct stat *st, int dirfd,
		    const char *name, void *arg)
{
	struct pack *p = arg;
	char wh[PATH_MAX];
	if (kind == OVL_WHITEOUT) {
		if (whiteout_name(rel, wh, sizeof(wh)) < 0)
			return -1;
		return put_empty(p, wh, st);
	}
	if (S_ISSOCK(st->st_mode))
		return 0; /* tar has no sockets; Docker skips them too */
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, rel);
	/* No xattrs: upper dirs carry overlay's trusted.overlay.* ones,
	 * which must never travel into a layer (see drop_overlay_xattrs). */
	int fd = -1, rc = -1;
	if (prepare(p, e, rel, st, dirfd, name, &fd) < 0)
		goto out;
	if (archive_write_header(p->w, e) < ARCHIVE_WARN) {
		snprintf(p->why, p->why_size, "write '%s': %s", rel, archive_error_string(p->w));
		goto out;
	}
	if (fd >= 0 && put_data(p, fd, rel, archive_entry_size(e)) < 0)
		goto out;
	if (kind == OVL_OPAQUE_DIR) {
		snprintf(wh, sizeof(wh), "%s/.wh..wh..opq", rel);
		if (put_empty(p, wh, st) < 0)
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
	if (!p.w) {
		snprintf(why, why_size, "archive_write_new: out of memory");
		return -1;
	}
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
