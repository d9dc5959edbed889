/* 08-mini-docker/streams.c — a container's stdio, made by the runner
 * before the clone (see runner.h): its log, the pipes or the terminal its
 * output comes back through, and the pipe a failed exec's errno comes back
 * through. tty.c relays what comes back. */
#define _GNU_SOURCE
#include "runner.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "pidns.h"

/* The container's stdio, and the pipe that brings back a failed exec's
 * errno. The log `logs` reads: a detached container writes to it itself; a
 * kept foreground one writes to pipes, and the runner copies them to the
 * terminal and the log (with -t, the terminal's output). --rm keeps its
 * direct line: nothing would be left to read. */
int open_streams(struct runner *r)
{
	struct run_opts *o = r->o;
	struct container *c = &r->c;
	if (o->detach || !o->rm) {
		char log[PATH_MAX + 160];
		if (ctr_log_path(r->root, r->c.id, log, sizeof(log)) < 0)
			return warn_errno("the log of %.12s in %s", r->c.id, r->root);
		r->logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (r->logfd < 0)
			return warn_errno("open %s", log);
	}
	if (o->detach) {
		c->out_fd = r->logfd;
		r->logfd = -1;
	} else if (r->logfd >= 0 && !o->tty) {
		if (pipe2(r->out_pipe, O_CLOEXEC) < 0 || pipe2(r->errout_pipe, O_CLOEXEC) < 0)
			return warn_errno("pipe2");
		c->out_fd = r->out_pipe[1];
		c->err_fd = r->errout_pipe[1];
		r->out_pipe[1] = r->errout_pipe[1] = -1;
	}
	if (pipe2(r->err_pipe, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	c->exec_err_fd = r->err_pipe[1];
	if (o->tty) {
		r->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (r->master < 0 || grantpt(r->master) < 0 || unlockpt(r->master) < 0)
			return warn_errno("allocate a terminal");
		snprintf(c->tty_path, sizeof(c->tty_path), "%s", ptsname(r->master));
		c->tty_slave = open(c->tty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (c->tty_slave < 0)
			return warn_errno("open %s", c->tty_path);
	}
	/* A pidfd on ourselves, for the child: see PR_SET_PDEATHSIG in start. */
	r->runner_fd = pidfd_open_pid(getpid());
	if (r->runner_fd < 0)
		return warn_errno("pidfd_open(self)");
	return 0;
}
