/* 08-mini-docker/state.h — what mini-docker remembers about a container
 * between commands, and how two commands at once keep it consistent.
 *
 * Persistent:  ROOT/containers/<id>/config.json   (ROOT: /var/lib/mini-docker)
 *              ROOT/names/<name> -> <id>           (a symlink: atomic, unique)
 * Runtime:     RUN/<id>.json  pids that mean nothing after a reboot
 *                                                  (RUN: /run/mini-docker)
 * Every change happens under an exclusive flock(2) on ROOT/lock, and every
 * file is written to a temporary name and renamed over the old one, so a
 * reader sees the old or the new file, never half of one. Nothing is
 * opened by a path that could hold a symlink: see statedir.h. */
#ifndef STATE_H
#define STATE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "options.h"

#define MAX_LAYERS 64

enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_EXITED };

struct ctr {
	char id[65];
	char name[64];
	char image[256];          /* as the user named it */
	char image_id[80];        /* "sha256:..." of a stored image, "" for a directory */
	char hostname[65];
	struct timespec created, started, finished;
	enum ctr_status status;
	int exit_code, oom_killed;
	char error[256];
	/* runtime: the container's PID 1 and the mini-docker process that
	 * watches it, each with its start time (pids are reused) */
	pid_t pid, runner;
	unsigned long long pid_start, runner_start;
	/* what it was started with */
	int tty, rootless, auto_remove, detached, init;
	long long memory, cpu_quota, cpu_period, pids;
	char workdir[PATH_MAX];
	char user[64];                 /* -u UID[:GID], or "" for root */
	char seccomp[PATH_MAX];        /* the profile: a path, "unconfined", or "" for the default */
	int argc, nenv, nvol, nlower;
	char **argv, **env;            /* owned (strdup) */
	struct volume vol[MAX_VOLUMES]; /* host/container owned */
	char *lower[MAX_LAYERS];       /* owned; lower[0] is the top layer */
};

/* The directories: ROOT is /var/lib/mini-docker for root, /tmp/mini-docker-UID
 * for a rootless user, or MINI_DOCKER_ROOT. RUN is /run/mini-docker for root,
 * $XDG_RUNTIME_DIR/mini-docker for a rootless user whose XDG_RUNTIME_DIR is
 * usable (theirs, 0700), else ROOT/run; ROOT/run too when MINI_DOCKER_ROOT
 * is set (so tests with their own root never touch the real one). */
const char *state_root(int rootless, char *buf, size_t size);
const char *run_root(int rootless, char *buf, size_t size);
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

/* Write data to path atomically: path.tmp (created new, beneath an fd of
 * its directory; a symlink anywhere on the way, or in place of path.tmp,
 * is refused), fsync (if durable), rename. 0 or -1 (printed). */
int write_atomic(const char *path, const char *data, size_t len, mode_t mode, int durable);

/* JSON <-> struct. ctr_to_json returns a malloc'd string (persistent part
 * when which is 0, runtime part when 1); ctr_from_json fills c (freeing
 * with ctr_free). Pure. 0, or -1 with a reason. */
char *ctr_to_json(const struct ctr *c, int which);
int ctr_from_json(struct ctr *c, const char *persistent, const char *runtime,
		  char *why, size_t why_size);
void ctr_free(struct ctr *c);

/* Load/save one container of ROOT/RUN. Save needs the lock. */
int ctr_load(const char *root, const char *run, const char *id, struct ctr *c);
int ctr_save(const char *root, const char *run, const struct ctr *c);
/* ROOT/containers/<id> into buf. */
void ctr_dir(const char *root, const char *id, char *buf, size_t size);

/* NAME, full ID or unique ID prefix -> full id. 0, or -1 with a reason
 * ("no such container: X", "X matches 2 containers", or why ROOT itself is
 * refused, as in state_check). */
int ctr_resolve(const char *root, const char *what, char *id, char *why, size_t why_size);
/* Every container id, newest first, in a malloc'd array. Count or -1. */
int ctr_list(const char *root, const char *run, struct ctr **out);

/* Is the process still the one we recorded? (pid, start time) */
unsigned long long proc_start_time(pid_t pid);
int proc_is(pid_t pid, unsigned long long start);
int ctr_running(const struct ctr *c);

/* Bring records in line with reality, under the lock: a container whose
 * runner was killed is marked exited (and its cgroup removed), an --rm one
 * is removed, and a directory a killed `run` left before writing its
 * config is deleted. Quiet unless it fixes something. */
void state_reconcile(const char *root, const char *run);
/* Remove a container's cgroup, directory, name and runtime file. Lock held. */
int ctr_remove(const char *root, const char *run, const struct ctr *c);
/* The same without the cgroup, for a runner that has removed it. */
int ctr_forget(const char *root, const char *run, const struct ctr *c);

/* Docker's wording. Pure. */
const char *human_duration(long long seconds, char *buf, size_t size);   /* "3 seconds" */
const char *format_status(const struct ctr *c, time_t now, char *buf, size_t size);
const char *format_rfc3339(const struct timespec *ts, char *buf, size_t size);
int parse_rfc3339(const char *s, struct timespec *ts);

#endif
