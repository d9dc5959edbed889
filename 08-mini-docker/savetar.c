/* 08-mini-docker/savetar.c — the helper's side of `save` (layer.h): each
 * layer's tar is kept, gzipped, as it was hashed when it came in, and
 * `save` writes an archive from a staged directory whose layer.tar members
 * are those kept bytes, so every DiffID (and so the image ID) is the same
 * on the other side. */
#define _GNU_SOURCE
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

struct archive *kept_tar_open(const char *path, int *fd, char *why, size_t why_size)
{
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	if (!w || !e)
		die("archive_write_new: out of memory");
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	/* "raw": no archive format around the bytes, only the gzip filter */
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "layer.tar");
	int ok = *fd >= 0 && archive_write_add_filter_gzip(w) == ARCHIVE_OK &&
		 archive_write_set_format_raw(w) == ARCHIVE_OK && archive_write_open_fd(w, *fd) == ARCHIVE_OK &&
		 archive_write_header(w, e) == ARCHIVE_OK;
	archive_entry_free(e);
	if (ok)
		return w;
	snprintf(why, why_size, "%s: %s", path, *fd < 0 ? strerror(errno) : archive_error_string(w));
	archive_write_free(w);
	if (*fd >= 0)
		close(*fd);
	return NULL;
}

int kept_tar_close(struct archive *w, int fd, char *why, size_t why_size)
{
	int rc = archive_write_close(w) == ARCHIVE_OK ? 0 : -1;
	if (rc < 0 && why)
		snprintf(why, why_size, "keeping the layer tar: %s", archive_error_string(w));
	archive_write_free(w);
	if (fsync(fd) < 0 || close(fd) < 0)
		rc = -1;
	return rc;
}

/* A kept tar, gunzipped: open it for reading. */
static struct archive *kept_read(const char *path)
{
	struct archive *r = archive_read_new();
	struct archive_entry *e;
	if (!r)
		die("archive_read_new: out of memory");
	archive_read_support_filter_gzip(r);
	archive_read_support_format_raw(r);
	if (archive_read_open_filename(r, path, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(r, &e) != ARCHIVE_OK) {
		archive_read_free(r);
		return NULL;
	}
	return r;
}

/* Its uncompressed size (a tar header needs it first): one pass to count. */
static long long kept_size(const char *path)
{
	struct archive *r = kept_read(path);
	const void *buf;
	size_t len;
	la_int64_t off;
	long long n = 0;
	int rc;
	if (!r)
		return -1;
	while ((rc = archive_read_data_block(r, &buf, &len, &off)) == ARCHIVE_OK)
		n += (long long)len;
	archive_read_free(r);
	return rc == ARCHIVE_EOF ? n : -1;
}

/* The member's bytes: a staged file's, or a kept tar's gunzipped. */
static int copy_member(struct archive *w, const char *path, int kept)
{
	char buf[1 << 16];
	if (kept) {
		struct archive *r = kept_read(path);
		const void *b;
		size_t len;
		la_int64_t off;
		int rc;
		if (!r)
			return -1;
		while ((rc = archive_read_data_block(r, &b, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data(w, b, len) < 0)
				break;
		archive_read_free(r);
		return rc == ARCHIVE_EOF ? 0 : -1;
	}
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(w, buf, (size_t)n) < 0)
			break;
	close(fd);
	return n == 0 ? 0 : -1;
}

/* dir (rel below stage) and everything in it, in name order, as Go's
 * filepath.Walk hands Docker's archiver the files. */
static int add_tree(struct archive *w, const char *stage, const char *rel, char *why, size_t why_size)
{
	char dir[2 * PATH_MAX + 2];
	struct dirent **names;
	snprintf(dir, sizeof(dir), "%s%s%s", stage, rel[0] ? "/" : "", rel);
	int n = scandir(dir, &names, NULL, alphasort), rc = n < 0 ? -1 : 0;
	if (n < 0)
		snprintf(why, why_size, "scandir %s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		char path[2 * PATH_MAX + 2], name[PATH_MAX], target[PATH_MAX];
		struct stat st;
		const char *d = names[i]->d_name;
		if (rc < 0 || !strcmp(d, ".") || !strcmp(d, ".."))
			goto next;
		if (snprintf(name, sizeof(name), "%s%s%s", rel, rel[0] ? "/" : "", d) >= (int)sizeof(name) ||
		    snprintf(path, sizeof(path), "%s/%s", stage, name) >= (int)sizeof(path) || lstat(path, &st) < 0) {
			rc = -1;
			goto next;
		}
		int kept = S_ISLNK(st.st_mode);
		ssize_t tl = kept ? readlink(path, target, sizeof(target) - 1) : 0;
		if (tl >= 0)
			target[tl] = '\0';
		long long size = kept ? kept_size(target) : (long long)st.st_size;
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, S_ISDIR(st.st_mode) ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(e, S_ISDIR(st.st_mode) ? 0755 : 0644);
		archive_entry_set_size(e, S_ISDIR(st.st_mode) ? 0 : size);
		archive_entry_set_mtime(e, 0, 0);
		rc = tl < 0 || size < 0 || archive_write_header(w, e) != ARCHIVE_OK ? -1
		   : S_ISDIR(st.st_mode) ? add_tree(w, stage, name, why, why_size)
		   : copy_member(w, kept ? target : path, kept);
		archive_entry_free(e);
		if (rc < 0 && !why[0])
			snprintf(why, why_size, "%s: %s", name, archive_error_string(w) ? archive_error_string(w)
				 : strerror(errno ? errno : EIO));
next:
		free(names[i]);
	}
	free(names);
	return rc;
}

int save_write(const char *stage, int out_fd, char *why, size_t why_size)
{
	struct archive *w = archive_write_new();
	if (!w)
		die("archive_write_new: out of memory");
	why[0] = '\0';
	archive_write_set_format_pax_restricted(w);
	/* no padding of the last block beyond the tar's own end */
	archive_write_set_bytes_in_last_block(w, 1);
	int rc = archive_write_open_fd(w, out_fd) == ARCHIVE_OK ? add_tree(w, stage, "", why, why_size) : -1;
	if (archive_write_close(w) != ARCHIVE_OK)
		rc = -1;
	if (rc < 0 && !why[0])
		snprintf(why, why_size, "%s", archive_error_string(w) ? archive_error_string(w) : "write failed");
	archive_write_free(w);
	return rc;
}
