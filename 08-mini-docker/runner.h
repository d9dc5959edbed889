/* 08-mini-docker/runner.h — the host side of `run` and `start`, shared by
 * its four files: runner.c (the sequence: claim, cgroup, streams, clone,
 * watch, finish), claim.c (image, name, record, under the store lock),
 * streams.c (the container's stdio) and detach.c (run -d's shim answering
 * its caller). Internal to them. */
#ifndef RUNNER_H
#define RUNNER_H

#include <limits.h>
#include <signal.h>
#include <sys/types.h>

#include "cgroup.h"
#include "container.h"
#include "image.h"
#include "options.h"
#include "state.h"

/* Everything one run makes, in one place, so that finish() can undo
 * whatever of it exists, however far the run got. */
struct runner {
	struct run_opts *o;
	const struct ctr *saved; /* start: the stopped container's record */
	char root[PATH_MAX], run[PATH_MAX + 8];
	char cdir[PATH_MAX - 256], namelink[PATH_MAX + 256];
	struct container c;
	struct image_ref img;
	char **argv;             /* the command as composed by apply_image */
	struct ctr rec;
	struct cgroup cg;
	struct netstate net;     /* network.h: what the network step made */
	int named, recorded, have_cg, shim;
	int lock, report_fd, runner_fd, pidfd, master, logfd;
	int err_pipe[2], out_pipe[2], errout_pipe[2];
	pid_t child;
	sigset_t oldmask;
};

/* claim.c. claim: a new container (image resolved, name taken, record
 * written); reclaim: start's stopped one made "created" again by this
 * runner. 0 or -1 (printed); finish() undoes whatever exists. */
int claim(struct runner *r);
int reclaim(struct runner *r);
/* Save r under the store lock. 0, or -1 (printed). */
int record_save(const char *root, const char *run, const struct ctr *r);

/* detach.c: run -d. detach_fork: the caller waits for the shim's word and
 * returns the status (0 with the id, or a failure); the shim returns -1 and
 * carries on, with *report_fd to answer through. */
int detach_fork(int *report_fd, char id[65]);
void detach_report(int *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void detach_let_go(const char *root, const char *id);

void close_fd(int *fd);

/* streams.c: the container's log, output pipes or terminal, the exec-errno
 * pipe, and a pidfd on the runner for the child; each in r, for finish()
 * to close. 0 or -1 (printed). */
int open_streams(struct runner *r);

/* claim.c: the options a container was run with, as its record keeps them
 * (the image's command, environment and working dir merged in then), for
 * `start`. The strings stay the record's; o->detach and o->interactive are
 * the caller's to set. */
void opts_from_record(const struct ctr *saved, struct run_opts *o);

#endif
