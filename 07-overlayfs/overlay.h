/* 07-overlayfs/overlay.h — mount an overlay from image layers, and read back
 * what a container changed (its upper dir). Reused by 08 for every
 * container's root filesystem and by its commit/diff. */
#ifndef OVERLAY_H
#define OVERLAY_H

#include <stddef.h>
#include <sys/stat.h>

/* Escape the characters overlayfs treats specially in its option string:
 * ',' (option separator), ':' (lowerdir separator) and '\' itself. Pure. */
int ovl_escape(const char *path, char *out, size_t size);

/* "lowerdir=L1:L2,upperdir=U,workdir=W[,userxattr]": lowers[0] is the top
 * layer (it wins). Every path must be absolute. 0, or -1 with a reason. Pure. */
int ovl_options(const char *const *lowers, size_t nlowers, const char *upper,
		const char *work, int userxattr, char *out, size_t size,
		char *why, size_t why_size);

/* Mount it on merged with mount(2) flags (MS_NODEV, ...), after checking
 * that upper and work share a filesystem. Errors are printed in plain words
 * (ELOOP: overlapping directories, ...). 0 or -1. */
int ovl_mount(const char *const *lowers, size_t nlowers, const char *upper,
	      const char *work, const char *merged, int userxattr, unsigned long flags);
int ovl_umount(const char *merged);

/* Remove a directory holding upper/ and work/ dirs (a lab, a container's
 * state): opens overlay's mode-000 work/work first, and never crosses into a
 * mount, so nothing is deleted through a still-mounted merged/. Errors are
 * printed; returns 0 if dir is gone. */
int ovl_remove_tree(const char *dir);

/* What an entry of an upper dir means for the merged view. */
enum ovl_kind {
	OVL_FILE,       /* added or changed (copied up) */
	OVL_DIR,        /* a directory, merged with the lowers' */
	OVL_OPAQUE_DIR, /* a directory that hides the lowers' contents */
	OVL_WHITEOUT,   /* a deleted lower entry: char device 0:0 */
};
const char *ovl_kind_name(enum ovl_kind kind);
/* A whiteout is a character device with device number 0:0. Pure. */
int ovl_is_whiteout(const struct stat *st);

/* Call fn for every entry below upper (paths relative to it, parents before
 * children), classified. Opaque dirs are found by the trusted.overlay.opaque
 * or user.overlay.opaque xattr. The walk goes from directory fds and never
 * follows a symlink, so a container changing its upper dir meanwhile cannot
 * lead it out; fn gets the entry's parent dirfd and name to read it the
 * same way (readlinkat, ovl_open_entry). 0, or -1 on a read error (printed),
 * or fn's non-zero return. */
typedef int (*ovl_visit_fn)(const char *relpath, enum ovl_kind kind, const struct stat *st,
			    int dirfd, const char *name, void *arg);
int ovl_walk_upper(const char *upper, ovl_visit_fn fn, void *arg);
/* Open for reading the regular file name in dirfd that the walk reported
 * as st, never following a symlink and never opening anything else (a
 * FIFO, a device) put there since. fd, or -1 with errno (ESTALE: it is no
 * longer that file). */
int ovl_open_entry(int dirfd, const char *name, const struct stat *st);

#endif
