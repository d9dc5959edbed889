/* 08-mini-docker/store.h — where the records live, and how two commands at
 * once keep them consistent.
 *
 * Persistent:  ROOT/containers/<id>/config.json   (ROOT: /var/lib/mini-docker)
 *              ROOT/names/<name> -> <id>           (a symlink: atomic, unique)
 * Runtime:     RUN/<id>.json  pids that mean nothing after a reboot
 *                                                  (RUN: /run/mini-docker)
 * Every change happens under an exclusive flock(2) on ROOT/lock, and every
 * file is written to a temporary name and renamed over the old one
 * (write_atomic), so a reader sees the old or the new file, never half of
 * one. Nothing is opened by a path that could hold a symlink: see
 * statedir.h. What a record says is record.h's. */
#ifndef STORE_H
#define STORE_H

#include <dirent.h>
#include <limits.h>
#include <stddef.h>

#include "record.h"
#include "statedir.h"

/* The directories: ROOT is /var/lib/mini-docker for root, /tmp/mini-docker-UID
 * for a rootless user, or MINI_DOCKER_ROOT. RUN is /run/mini-docker for root,
 * $XDG_RUNTIME_DIR/mini-docker for a rootless user whose XDG_RUNTIME_DIR is
 * usable (theirs, 0700), else ROOT/run; ROOT/run too when MINI_DOCKER_ROOT
 * is set (so tests with their own root never touch the real one). */
const char *state_root(int rootless, char *buf, size_t size);
const char *run_root(int rootless, char *buf, size_t size);

/* One function per place in the store; no other code spells these paths.
 * 0, or -1 with errno ENAMETOOLONG if the path is longer than buf (a ROOT
 * near PATH_MAX): the caller says which path. */
#define CTR_CONFIG "config.json"  /* in ROOT/containers/<id>: its absence marks a half-made one */
int ctr_dir(const char *root, const char *id, char *buf, size_t size);         /* ROOT/containers/<id> */
int ctr_config_path(const char *root, const char *id, char *buf, size_t size); /* .../<id>/config.json */
int ctr_log_path(const char *root, const char *id, char *buf, size_t size);    /* .../<id>/container.log */
int ctr_runtime_path(const char *run, const char *id, char *buf, size_t size); /* RUN/<id>.json */
int ctr_name_path(const char *root, const char *name, char *buf, size_t size); /* ROOT/names/<name> */
/* .../<id>/upper, work, merged: the container's overlay dirs (which is one
 * of those three words) */
int ctr_overlay_path(const char *root, const char *id, const char *which, char *buf, size_t size);

/* Make ROOT, ROOT/containers, ROOT/names and RUN, following no symlink;
 * each, and each directory made on the way, must be the caller's and
 * writable by nobody else. 0 or -1 (one line printed). */
int state_prepare(const char *root, const char *run);
/* The same checks for commands that only read: ROOT and RUN, where they
 * exist, pass them. 0 or -1 (one line printed). */
int state_check(const char *root, const char *run);

/* flock(2) on ROOT/lock (ROOT checked as in state_check): blocks until no
 * other mini-docker holds it. The fd is O_CLOEXEC, so a container never
 * inherits the lock. fd or -1. */
int state_lock(const char *root);
void state_unlock(int fd);

/* Load/save one container of ROOT/RUN. Save needs the lock. */
int ctr_load(const char *root, const char *run, const char *id, struct ctr *c);
int ctr_save(const char *root, const char *run, const struct ctr *c);

/* lookup.c. NAME, full ID or unique ID prefix -> full id. 0, or -1 with a reason
 * ("no such container: X", "X matches 2 containers", or why ROOT itself is
 * refused, as in state_check). */
int ctr_resolve(const char *root, const char *what, char *id, char *why, size_t why_size);
/* ROOT/containers for reading, no symlink followed on the way; NULL if
 * it cannot be opened. */
DIR *containers_open(const char *root);
/* Every container id, newest first, in a malloc'd array. Count or -1. */
int ctr_list(const char *root, const char *run, struct ctr **out);

/* Remove a container's cgroup, directory, name and runtime file. Lock held. */
int ctr_remove(const char *root, const char *run, const struct ctr *c);
/* The same without the cgroup, for a runner that has removed it. */
int ctr_forget(const char *root, const char *run, const struct ctr *c);

/* The store as a command that names containers sees it. */
struct store {
	char root[PATH_MAX], run[PATH_MAX + 8];
};
/* The caller's ROOT and RUN, refused (one line printed; the command exits
 * 125) if someone else could have planted or changed them. 0 or -1. */
int store_open(struct store *s);
/* Find and load a container by name or id. 0, or -1 after saying why. */
int store_find(const struct store *s, const char *what, struct ctr *c);

#endif
