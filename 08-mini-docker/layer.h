/* 08-mini-docker/layer.h — an image layer as a tar file and as a directory.
 *
 * In a layer tar, a deleted file is an empty file named .wh.NAME, and a
 * directory whose lower contents are hidden holds .wh..wh..opq (the "AUFS"
 * convention Docker and OCI use). In an overlay upper dir the same facts are
 * a 0:0 character device and the trusted.overlay.opaque xattr (stage 07).
 * Unpacking converts the first into the second; packing (commit) goes back.
 *
 * Only the mini-docker-layer helper (layer_main.c) links this and
 * libarchive; mini-docker asks it through helper.h. */
#ifndef LAYER_H
#define LAYER_H

#include <stddef.h>

enum wh_kind {
	WH_NONE,   /* an ordinary entry */
	WH_FILE,   /* dir/.wh.NAME: NAME was deleted; target = dir/NAME */
	WH_OPAQUE, /* dir/.wh..wh..opq: dir hides the lowers; target = dir ("" for the top) */
	WH_META,   /* another .wh..wh.* entry (AUFS bookkeeping): skipped */
};
/* Classify a tar entry's path (a leading "./" is ignored) and give the
 * path it acts on. Pure. */
enum wh_kind whiteout_parse(const char *path, char *target, size_t size);
/* "a/b" -> "a/.wh.b" (the tar name for a deleted a/b). 0 or -1. Pure. */
int whiteout_name(const char *relpath, char *out, size_t size);

/* The two names of a layer read in one pass (digest.h): blob = sha256 of
 * the bytes as read (compressed or not), diff = DiffID, of the tar after
 * decompression. Equal for a plain tar. */
struct layer_digests {
	char blob[65], diff[65];
};

/* Unpack the layer tar read from fd (gzip, bzip2, xz or zstd compressed, or
 * not) into dir (empty, existing), turning whiteout files into overlay
 * whiteouts and opaque markers into the opaque xattr, and compute both of
 * its digests from the same bytes: the layer is read exactly once, so what
 * is unpacked is what was hashed. Refuses absolute paths, ".." and writing
 * through symlinks; drops overlay's own trusted.overlay.* xattrs should a
 * tar carry them. Adds the byte size of the regular files to *size. keep
 * (or NULL): a new file that gets the tar as read, gzipped, for `save`.
 * 0 or -1 with a reason. */
int layer_unpack(int fd, const char *dir, const char *keep, struct layer_digests *d, long long *size,
		 char *why, size_t why_size);

/* Pack an overlay upper dir as a layer tar (whiteouts back to .wh. files,
 * opaque dirs get a .wh..wh..opq), never following a symlink in it
 * (pack.c). 0 or -1 with a reason. */
int layer_pack(const char *upper, const char *tar_path, char *why, size_t why_size);

/* Unpack any tar read from fd (a docker-save archive, an OCI layout) into
 * dir, with the same path safety and no whiteout handling. 0 or -1 with a
 * reason. */
int tar_extract(int fd, const char *dir, char *why, size_t why_size);

/* savetar.c: a new file that takes a layer's tar, gzipped (archive_write_data
 * to it, then kept_tar_close); NULL with a reason. Closing writes the gzip
 * trailer and syncs: 0, or -1 (with a reason in why, if not NULL). */
struct archive;
struct archive *kept_tar_open(const char *path, int *fd, char *why, size_t why_size);
int kept_tar_close(struct archive *w, int fd, char *why, size_t why_size);
/* Write the directory stage as a tar to out_fd: its directories and files
 * in name order, and each symlink NAME as a member NAME holding the
 * gunzipped bytes of the kept tar it points to. 0 or -1 with a reason. */
int save_write(const char *stage, int out_fd, char *why, size_t why_size);

#endif
