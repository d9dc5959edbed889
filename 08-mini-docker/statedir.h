/* 08-mini-docker/statedir.h — find, create and verify the state
 * directories; open beneath them without following symlinks.
 *
 * Why it matters: a rootless user's state sits at a name anyone can guess
 * (/tmp/mini-docker-UID), and /tmp lets every user create any name that is
 * still free. Another user can create it first, as a directory of their own
 * (then they can read and swap our records) or as a symbolic link to a file
 * we may write (then our next write lands there). A write by path follows a
 * link in any component, so nothing here goes by path: each directory is
 * opened one component at a time with O_NOFOLLOW, must belong to the caller
 * and be writable by nobody else, and files are made beneath its fd.
 * Root's state (/var/lib/mini-docker, /run/mini-docker) goes the same way. */
#ifndef STATEDIR_H
#define STATEDIR_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Is st acceptable as a state directory of uid: a directory, owned by
 * uid, not writable by its group or others? Pure. 0, or -1 with a
 * one-line reason that names path and says what is expected. */
int sd_check_stat(const struct stat *st, uid_t uid, const char *path, char *why, size_t size);

/* mkdir -p path (absolute), one component at a time, never following a
 * symlink. Every component it has to create (mode), and path itself even
 * if it existed, must pass sd_check_stat for the caller. An O_PATH fd of
 * path, or -1 with why. */
int sd_make(const char *path, mode_t mode, char *why, size_t size);
/* The same checks without creating: the fd of path; -1 with why if it is
 * refused; -2 (errno ENOENT, why set) if some component does not exist. */
int sd_verify(const char *path, char *why, size_t size);

/* Open the directory path, or the one holding its last component (*name
 * then points at that component inside path), with no symlink followed on
 * the way. An O_PATH fd, or -1 with errno (ENOTDIR or ELOOP: a link). */
int sd_open(const char *path);
int sd_open_parent(const char *path, const char **name);
/* The subdirectory name of dfd, not followed if it is a link: O_PATH fd
 * or -1 with errno. */
int sd_open_at(int dfd, const char *name);

/* read_whole (common.h) without following a symlink anywhere on path:
 * malloc'd and NUL-terminated, or NULL with errno. */
char *sd_read(const char *path, size_t max);
/* unlink(path) without following a symlink on the way. 0 or -1 (errno). */
int sd_unlink(const char *path);

/* Write data to path atomically: path.tmp (created new, beneath an fd of
 * its directory; a symlink anywhere on the way, or in place of path.tmp,
 * is refused), fsync (if durable), rename. 0 or -1 (printed). */
int write_atomic(const char *path, const char *data, size_t len, mode_t mode, int durable);

/* XDG_RUNTIME_DIR is only for its owner: usable if it is an absolute
 * path to a real directory of the caller's with mode 0700, as the XDG
 * Base Directory spec requires. 1 or 0. */
int sd_runtime_dir_usable(const char *dir);

#endif
