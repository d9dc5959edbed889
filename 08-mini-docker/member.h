/* 08-mini-docker/member.h — open the files of an image archive (a
 * docker-save directory, an OCI layout) as hostile input.
 *
 * The archive is someone else's: its manifest.json may be a FIFO (a read
 * that never ends), its layer a symlink to /dev/zero (one that never
 * ends either) or to a host file, a member a device node. Every member is
 * opened here once, beneath the archive's directory, checked to be a
 * regular file by fstat on the fd, and that fd is what gets read — by us
 * for the JSON, by the helper for a layer — so nothing can be swapped
 * between a check and a use. */
#ifndef MEMBER_H
#define MEMBER_H

#include <stddef.h>

/* Open rel beneath the directory dirfd (see member.c for how) for reading,
 * and require a regular file. fd, or -1 with a one-line reason naming rel. */
int member_open(int dirfd, const char *rel, char *why, size_t why_size);
/* The same for a file the user named (import FILE, load -i FILE.tar):
 * their own path, so it may go through symlinks, but it must still be a
 * regular file. fd or -1 with a reason. */
int file_open_regular(const char *path, char *why, size_t why_size);
/* All of member rel (at most max bytes), NUL-terminated, malloc'd; *len
 * gets its length. NULL with a reason. */
char *member_read(int dirfd, const char *rel, size_t max, size_t *len, char *why, size_t why_size);

#endif
