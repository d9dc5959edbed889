/* 07-overlayfs/lab.h — the demo's lab: one mkdtemp directory holding
 * lower1, lower2, upper, work and merged; the seed files of the lowers;
 * reading and writing files in it by relative path; checksums that show the
 * lowers never change; and its removal, mounted or not. */
#ifndef LAB_H
#define LAB_H

#include <limits.h>
#include <sys/types.h>

#define LABPATH (2 * PATH_MAX)

extern char lab[PATH_MAX];      /* the lab's absolute path; "" once removed or kept */
extern int mounted;             /* is overlay mounted on lab/merged? */

/* The files the lowers start with, lower-relative paths like "lower1/shared.txt". */
#define NSEED 7
struct seed_file { const char *path, *text; };
extern const struct seed_file seed[];

/* mkdtemp PARENT/mini-docker-07-XXXXXX, its five directories, the seed files.
 * Records this process as the one that removes it. Dies on error. */
void make_lab(const char *parent);
/* lab/rel into buf. */
void path_in_lab(char *buf, size_t size, const char *rel);
/* Write text to lab/rel, opened with O_WRONLY|O_CREAT|flags. Dies on error. */
void put(const char *rel, const char *text, int flags);
/* lab/rel's contents on one line (newlines as '|'), or "(ENOENT)" ... */
const char *get(const char *rel, char *buf, size_t size);
/* Does lab/rel exist (lstat, so a whiteout counts)? */
int exists(const char *rel);
/* sha256 of each seed file, first 16 hex digits. Dies on error. */
void checksums(char sums[][17]);
/* Unmount merged if mounted, then remove the lab. Only in the process that
 * made it (a child's atexit must not). Safe to call twice. */
void lab_cleanup(void);

#endif
