/* 08-mini-docker/runner.c — see run.h and runner.h: the host side of a
 * container's life, as six named steps (claim or reclaim, make_cgroup,
 * open_streams, clone_container, watch, finish) over one struct runner. */
#define _GNU_SOURCE
#include "run.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "caps.h"
#include "cgvalue.h"
#include "common.h"
#include "overlay.h"
#include "pidns.h"
#include "cgspawn.h"
#include "seccomp_cache.h"
#include "tty.h"
#include "userns.h"


/* ---- the run ------------------------------------------------------------- */

static volatile sig_atomic_t container_pid, stop_count;

static void on_stop(int sig)
{
	/* Like `docker run` (sig-proxy): pass the signal to the container's
	 * PID 1. A plain PID 1 ignores signals it has no handler for, so a
	 * second one ends it with SIGKILL: the runner never leaves a
	 * container behind it. */
	stop_count++;
	if (container_pid > 0)
		kill((pid_t)container_pid, stop_count > 1 || sig == SIGHUP ? SIGKILL : sig);
}

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int make_cgroup(struct runner *r)
{
	struct run_opts *o = r->o;
	if (cg_create(&r->cg, r->c.id, CG_CPU | CG_MEMORY | CG_PIDS) < 0)
		return -1;
	r->have_cg = 1;
	r->c.cgroup2 = r->cg.layout == CG_LAYOUT_V2;
	if ((o->memory != -1 && cg_set_memory_max(&r->cg, o->memory) < 0) ||
	    (o->cpu_quota != -1 && cg_set_cpu_max(&r->cg, o->cpu_quota, o->cpu_period) < 0) ||
	    (o->pids != -1 && cg_set_pids_max(&r->cg, o->pids) < 0))
		return -1;
	return 0;
}

/* The container's PID 1: the child of clone3, which never returns. */
noreturn static void child_side(struct runner *r)
{
	/* If the runner dies (even by SIGKILL), take the container down:
	 * PID 1 dying ends the whole PID namespace. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		warn_errno("prctl(PR_SET_PDEATHSIG)");
		_exit(125);
	}
	/* The death signal only covers a runner dying from now on; if it died
	 * between clone and prctl, its pidfd is already readable. */
	struct pollfd rp = { .fd = r->runner_fd, .events = POLLIN };
	if (poll(&rp, 1, 0) != 0)
		_exit(125);
	close(r->runner_fd);
	default_signals();
	restore_signals(&r->oldmask);
	/* the runner's ends: a container holding its own pipe's read end
	 * would never see EPIPE */
	close(r->err_pipe[0]);
	close_fd(&r->master);
	close_fd(&r->out_pipe[0]);
	close_fd(&r->errout_pipe[0]);
	close_fd(&r->logfd);
	container_init(&r->c);
}

/* clone3 into new namespaces: born in the cgroup (or attached before it
 * runs), or, rootless, in a user namespace whose maps we write first. */
static int clone_container(struct runner *r)
{
	uint64_t flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | net_clone_flags(&r->net);
	enum spawn_path how = SPAWN_ATTACH_FIRST;
	char why[256];
	if (r->o->rootless) {
		char hint[640]; /* Ubuntu 23.10+: the namespace comes without capabilities */
		if (getuid() != 0 && userns_restriction_hint(USERNS_APPARMOR_SYSCTL, hint, sizeof(hint)))
			fprintf(stderr, "mini-docker: warning: %s\n", hint);
		struct gate gate;
		if (gate_init(&gate) < 0)
			return warn_errno("pipe2");
		r->child = clone3_fork(flags | CLONE_NEWUSER, -1, &r->pidfd);
		if (r->child == 0) {
			gate_child_side(&gate);
			gate_wait(&gate);
		} else if (r->child > 0) {
			gate_parent_side(&gate);
			struct idmap u = { 0, getuid(), 1 }, g = { 0, getgid(), 1 };
			if (userns_write_maps(r->child, &u, &g) < 0) {
				close(gate.wr);
				kill(r->child, SIGKILL);
				wait_child(r->child);
				r->child = -1;
				return -1;
			}
			if (gate_open(&gate) < 0) { /* the child sees it closed, and exits */
				warn_errno("write to the gate of pid %d", (int)r->child);
				wait_child(r->child);
				r->child = -1;
				return -1;
			}
		}
	} else {
		r->child = spawn_in_cgroup(&r->cg, flags, &r->pidfd, &how, why, sizeof(why));
	}
	if (r->child < 0)
		return warn_errno("start the container");
	if (r->child == 0)
		child_side(r);
	container_pid = r->child;
	phase_mark(&r->c, "runner: clone3");
	if (r->c.verbose)
		fprintf(stderr, "=> init pid %d on the host, %s\n", (int)r->child,
			r->o->rootless ? "user namespace mapped" : (how == SPAWN_INTO_CGROUP ?
			"born in its cgroup (CLONE_INTO_CGROUP)" : "attached to its cgroup before it ran"));
	/* the child's ends */
	close_fd(&r->err_pipe[1]);
	close_fd(&r->c.tty_slave);
	close_fd(&r->c.out_fd);
	close_fd(&r->c.err_fd);
	return 0;
}

/* From the exec to the exit: record "running", answer run -d's caller,
 * relay the output, wait, and read the OOM counter. Docker's exit code. */
static int watch(struct runner *r)
{
	struct run_opts *o = r->o;
	/* The exec: the pipe closes (CLOEXEC) when it succeeds, or brings its
	 * errno; setup failures close it too, with the reason already on
	 * stderr. Only then is the container "running". */
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(r->err_pipe[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	if (n != sizeof(exec_errno))
		exec_errno = 0;
	r->rec.pid = r->child;
	r->rec.pid_start = proc_start_time(r->child);
	clock_gettime(CLOCK_REALTIME, &r->rec.started);
	if (!exec_errno && r->rec.pid_start) {
		r->rec.status = CTR_RUNNING;
		/* the container runs either way; ps will just not know it */
		if (record_save(r->root, r->run, &r->rec) < 0)
			fprintf(stderr, "mini-docker: container %.12s runs, but its record could not "
				"say so (see above)\n", r->c.id);
	}
	if (exec_errno)
		fprintf(stderr, "mini-docker: exec '%s': %s\n", o->argv[0], strerror(exec_errno));
	if (r->report_fd >= 0) {
		if (exec_errno) {
			detach_report(&r->report_fd, "!%d", exec_failure_code(exec_errno));
		} else {
			detach_report(&r->report_fd, "%s\n", r->c.id);
			detach_let_go(r->root, r->c.id);
		}
	}
	restore_signals(&r->oldmask);

	if (r->master >= 0) {
		proxy_tty(r->master, r->pidfd, o->interactive && !o->detach, r->logfd);
	} else if (r->out_pipe[0] >= 0) {
		/* a closed stdout must not kill the runner (the container would
		 * die with it, uncleaned); relay_output handles EPIPE instead */
		signal(SIGPIPE, SIG_IGN);
		relay_output(r->out_pipe[0], r->errout_pipe[0], r->logfd);
		r->out_pipe[0] = r->errout_pipe[0] = -1;
	}
	int status = wait_child(r->child);
	container_pid = 0;
	phase_mark(&r->c, "runner: container ran and exited");
	int rc = docker_exit_code(status, exec_errno);
	if (r->have_cg && o->memory != -1) {
		unsigned long long kills = 0;
		char lim[32];
		if (cg_memory_oom_kills(&r->cg, &kills) == 0 && kills > 0) {
			r->rec.oom_killed = 1;
			fprintf(stderr, "mini-docker: the container was killed by the OOM killer "
				"(memory limit %s)\n", format_size(o->memory, lim, sizeof(lim)));
		}
	}
	if (r->c.verbose) {
		char sbuf[64];
		fprintf(stderr, "=> container %s; exit status %d\n",
			describe_status(status, sbuf, sizeof(sbuf)), rc);
	}
	return rc;
}

/* The one cleanup, whatever exists: the container (if a failure left it
 * running), fds, the cgroup, and the records: kept as exited, as Docker
 * keeps them (`ps -a` shows it, `rm` removes it), or removed with --rm or
 * when it never started. */
static int finish(struct runner *r, int rc)
{
	sigset_t now; /* r->oldmask keeps the mask run() started with */
	block_stop_signals(&now);
	if (r->child > 0 && container_pid > 0) { /* failed half-way: take it down */
		kill(r->child, SIGKILL);
		wait_child(r->child);
	}
	container_pid = 0;
	net_release(&r->net);
	r->rec.ip_address[0] = '\0';
	if (r->report_fd >= 0)
		detach_report(&r->report_fd, "!%d", rc);
	int *fds[] = { &r->master, &r->c.tty_slave, &r->c.out_fd, &r->c.err_fd, &r->out_pipe[0],
		       &r->out_pipe[1], &r->errout_pipe[0], &r->errout_pipe[1], &r->logfd,
		       &r->err_pipe[0], &r->err_pipe[1], &r->pidfd, &r->runner_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close_fd(fds[i]);
	/* Without the lock the records are still put right: the next
	 * command's reconcile would find the same. */
	if (r->lock < 0 && (r->lock = state_lock(r->root)) < 0)
		fprintf(stderr, "mini-docker: cleaning up %.12s without the store lock\n", r->c.id);
	if (r->have_cg && cg_destroy(&r->cg) < 0)
		rc = 125;
	if (r->recorded && (r->child > 0 || r->saved) && !r->o->rm) {
		r->rec.status = CTR_EXITED;
		r->rec.exit_code = rc;
		clock_gettime(CLOCK_REALTIME, &r->rec.finished);
		if (ctr_save(r->root, r->run, &r->rec) < 0)
			fprintf(stderr, "mini-docker: container %.12s exited (%d), but its record could "
				"not say so (see above)\n", r->rec.id, rc);
		r->named = 0; /* the name stays taken until rm */
	} else if (r->recorded) {
		if (!r->rec.id[0])
			ovl_remove_tree(r->cdir);
		else if (r->have_cg)
			ctr_forget(r->root, r->run, &r->rec); /* its cgroup went above */
		else
			ctr_remove(r->root, r->run, &r->rec);
		r->named = 0;
	}
	if (r->named)
		unlink(r->namelink);
	state_unlock(r->lock);
	ctr_free(&r->rec);
	image_ref_free(&r->img);
	free(r->argv);
	r->argv = NULL;
	phase_mark(&r->c, "runner: cleanup");
	restore_signals(&r->oldmask);
	return rc;
}

static void runner_init(struct runner *r, struct run_opts *o, int verbose)
{
	static const struct runner zero;
	*r = zero;
	r->o = o;
	r->lock = r->report_fd = r->runner_fd = r->pidfd = r->master = r->logfd = -1;
	for (int i = 0; i < 2; i++)
		r->err_pipe[i] = r->out_pipe[i] = r->errout_pipe[i] = -1;
	r->child = -1;
	r->c.o = o;
	r->c.verbose = verbose;
	r->c.tty_slave = r->c.exec_err_fd = r->c.out_fd = r->c.err_fd = -1;
	net_init(&r->net, &r->c.net);
	r->net.verbose = verbose;
	const char *tenv = getenv("MINI_DOCKER_TIMINGS");
	r->c.timings = tenv && strcmp(tenv, "0") != 0;
	clock_gettime(CLOCK_MONOTONIC, &r->c.t0);
}

static int run_steps(struct runner *r)
{
	struct run_opts *o = r->o;
	char why[PATH_MAX + 256];
	if (!o->rootless && geteuid() != 0) {
		fprintf(stderr, "mini-docker: %s needs root (or --rootless)\n", r->saved ? "start" : "run");
		return 125;
	}
	/* The profile is compiled now, by the host side: a bad one costs
	 * nothing, and the container only has to load the result. */
	state_root(o->rootless, r->root, sizeof(r->root));
	run_root(o->rootless, r->run, sizeof(r->run));
	if (options_check_paths(o, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	if (strlen(r->root) > 512) {
		fprintf(stderr, "mini-docker: MINI_DOCKER_ROOT '%.40s...' is too long\n", r->root);
		return 125;
	}
	if (state_prepare(r->root, r->run) < 0)
		return 125;
	if (seccomp_load_profile(o->seccomp ? o->seccomp : "", caps_default_mask(), r->run,
				 &r->c.seccomp, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	/* From here on, with -d, everything happens in the shim. The caller
	 * prints the id (start: the name), as docker does. */
	if (o->detach) {
		char id[65];
		int rc = detach_fork(&r->report_fd, id);
		if (rc == 0)
			printf("%s\n", r->saved ? r->saved->name : id);
		if (rc >= 0)
			return rc;
		r->shim = 1;
	}

	/* Block the stop signals while we create things and record them; the
	 * handler then knows what exists. */
	block_stop_signals(&r->oldmask);
	catch_stop_signals(on_stop);
	if ((r->saved ? reclaim(r) : claim(r)) < 0)
		return finish(r, 125);
	if (r->c.verbose)
		fprintf(stderr, "=> container %.12s, state in %s\n", r->c.id, r->cdir);
	phase_mark(&r->c, "runner: options, state dir, name");
	if (!o->rootless) {
		if (make_cgroup(r) < 0)
			return finish(r, 125);
		if (r->c.verbose)
			fprintf(stderr, "=> cgroup %s (%s)\n", r->cg.name, cg_layout_name(r->cg.layout));
		phase_mark(&r->c, "runner: cgroup and limits");
	}
	if (net_prepare(&r->net, &r->c.net, o, r->root, r->run, r->cdir, r->c.id, r->c.hostname,
			r->rec.name) < 0)
		return finish(r, 125);
	if (r->c.net.addr)
		ip4_format(r->c.net.addr, r->rec.ip_address, sizeof(r->rec.ip_address));
	phase_mark(&r->c, "runner: network prepared");
	if (open_streams(r) < 0 || clone_container(r) < 0 || net_attach(&r->net, r->child) < 0)
		return finish(r, 125);
	phase_mark(&r->c, "runner: network attached");
	return finish(r, watch(r));
}

int run_container(struct run_opts *o, int verbose)
{
	struct runner r;
	runner_init(&r, o, verbose);
	int rc = run_steps(&r);
	free(r.c.seccomp.filter);
	return rc;
}

int start_container(const struct ctr *saved, int attach, int interactive, int verbose, int *shim)
{
	/* the options it was run with, as its record keeps them (the image's
	 * command, environment and working dir were merged in then) */
	struct run_opts o;
	opts_from_record(saved, &o);
	o.detach = !attach;
	o.interactive = interactive;
	struct runner r;
	runner_init(&r, &o, verbose);
	r.saved = saved;
	int rc = run_steps(&r);
	free(r.c.seccomp.filter);
	*shim = r.shim; /* its container is done: not back into `start`'s loop */
	return rc;
}
