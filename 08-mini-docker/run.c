/* 08-mini-docker/run.c — see run.h. */
#define _GNU_SOURCE
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "cgvalue.h"
#include "common.h"
#include "container.h"
#include "image.h"
#include "overlay.h"
#include "pidns.h"
#include "cgspawn.h"
#include "seccomp_cache.h"
#include "state.h"
#include "tty.h"
#include "userns.h"

int docker_exit_code(int status, int exec_errno)
{
	if (exec_errno)
		return exec_errno == ENOENT ? 127 : 126;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

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

/* run -d: fork. The caller's process waits until the new one (the shim,
 * which watches the container from now on) reports "started, here is the
 * id" (0, id filled) or "failed with this status", and returns that; the
 * shim returns -1 and carries on with report_fd to send its word on. */
static int detach(int *report_fd, char id[65])
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		warn_errno("pipe2");
		return 125;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		warn_errno("fork");
		return 125;
	}
	if (pid > 0) {
		close(p[1]);
		char buf[80];
		size_t got = 0;
		ssize_t n;
		while (got < sizeof(buf) - 1 &&
		       ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				got += (size_t)n;
		close(p[0]);
		buf[got] = '\0';
		if (got == 65 && buf[64] == '\n') {
			memcpy(id, buf, 64);
			id[64] = '\0';
			return 0;
		}
		return buf[0] == '!' ? atoi(buf + 1) : 125;
	}
	close(p[0]);
	/* A session of its own: Ctrl-C in the caller's terminal, or closing
	 * it, no longer reaches the shim (and so the container). */
	if (setsid() < 0)
		warn_errno("setsid");
	signal(SIGPIPE, SIG_IGN);
	*report_fd = p[1];
	return -1;
}

static void report(int *fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int *fd, const char *fmt, ...)
{
	if (*fd < 0)
		return;
	char buf[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(*fd, buf, strlen(buf)) < 0) {
		/* the caller is gone: the container runs on regardless */
	}
	close(*fd);
	*fd = -1;
}

/* The shim, once the caller has its answer: let go of the caller's
 * terminal (or of the pipe a $(...) waits on for EOF). stdout becomes the
 * log, where proxy_tty copies a -t container's output. */
static void let_go(const char *cdir)
{
	char log[PATH_MAX + 160];
	snprintf(log, sizeof(log), "%s/container.log", cdir);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int logfd = open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (null >= 0 && logfd >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (null >= 0)
		close(null);
	if (logfd >= 0)
		close(logfd);
}

/* The command, environment and working directory: the image's defaults,
 * overridden by the user's. 0 or -1 with a reason. */
static int apply_image(struct run_opts *o, const struct image_ref *img, char ***argv,
		       char *why, size_t why_size)
{
	/* Docker's rule: the entrypoint, then the command given to run or,
	 * without one, the image's Cmd. --entrypoint replaces the image's
	 * entrypoint and drops its Cmd ("" leaves no entrypoint at all). */
	char *const *entry = img->entrypoint;
	int nentry = img->nentry, nuser = 0;
	char *given[1] = { (char *)o->entrypoint };
	if (o->entrypoint) {
		entry = given;
		nentry = o->entrypoint[0] ? 1 : 0;
	}
	while (o->argv[nuser])
		nuser++;
	char *const *rest = nuser ? o->argv : (o->entrypoint ? NULL : img->cmd);
	int nrest = nuser ? nuser : (o->entrypoint ? 0 : img->ncmd);
	if (nentry + nrest == 0) {
		snprintf(why, why_size, "no command given and image '%s' has no default command; "
			 "usage: mini-docker run [OPTIONS] IMAGE COMMAND [ARG...]", o->image);
		return -1;
	}
	*argv = calloc((size_t)(nentry + nrest + 1), sizeof(char *));
	if (!*argv)
		die("out of memory");
	for (int i = 0; i < nentry; i++)
		(*argv)[i] = entry[i];
	for (int i = 0; i < nrest; i++)
		(*argv)[nentry + i] = rest[i];
	o->argv = *argv;
	if (!o->user && img->user[0])
		o->user = img->user;
	if (img->nenv + o->nenv > MAX_ENV) {
		snprintf(why, why_size, "image and -e give more than %d variables", MAX_ENV);
		return -1;
	}
	memmove(o->env + img->nenv, o->env, (size_t)o->nenv * sizeof(o->env[0]));
	for (int i = 0; i < img->nenv; i++) {
		if (env_check(img->env[i], why, why_size) < 0) {
			snprintf(why, why_size, "image '%s' has a bad Env entry '%.60s'", o->image, img->env[i]);
			return -1;
		}
		o->env[i] = img->env[i];
	}
	o->nenv += img->nenv;
	if (!o->workdir && img->workdir[0]) {
		if (img->workdir[0] != '/' || path_has_dotdot(img->workdir)) {
			snprintf(why, why_size, "image '%s' has a bad WorkingDir '%.60s'", o->image, img->workdir);
			return -1;
		}
		o->workdir = img->workdir;
	}
	return 0;
}

static char **strv_dup(char *const *v, int n)
{
	char **out = calloc((size_t)n + 1, sizeof(char *));
	if (!out)
		die("out of memory");
	for (int i = 0; i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

/* The record `ps`, `inspect`, `exec` and `rm` will read. */
static void record_init(struct ctr *r, const struct run_opts *o, const struct image_ref *img,
			const struct container *c, const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", c->id);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->image, sizeof(r->image), "%s", o->image);
	snprintf(r->image_id, sizeof(r->image_id), "%s", img->id);
	snprintf(r->hostname, sizeof(r->hostname), "%s", c->hostname);
	snprintf(r->workdir, sizeof(r->workdir), "%s", o->workdir ? o->workdir : "/");
	snprintf(r->user, sizeof(r->user), "%s", o->user ? o->user : "");
	snprintf(r->seccomp, sizeof(r->seccomp), "%s", o->seccomp ? o->seccomp : "");
	clock_gettime(CLOCK_REALTIME, &r->created);
	r->status = CTR_CREATED;
	r->runner = getpid();
	r->runner_start = proc_start_time(r->runner);
	r->tty = o->tty;
	r->rootless = o->rootless;
	r->auto_remove = o->rm;
	r->detached = o->detach;
	r->init = o->init;
	r->memory = o->memory;
	r->cpu_quota = o->cpu_quota;
	r->cpu_period = o->cpu_period;
	r->pids = o->pids;
	for (r->argc = 0; o->argv[r->argc]; r->argc++)
		;
	r->argv = strv_dup(o->argv, r->argc);
	r->nenv = o->nenv;
	r->env = strv_dup((char *const *)o->env, o->nenv);
	for (int i = 0; i < o->nvol; i++) {
		r->vol[i].host = strdup(o->vol[i].host);
		r->vol[i].container = strdup(o->vol[i].container);
		r->vol[i].readonly = o->vol[i].readonly;
	}
	r->nvol = o->nvol;
	for (int i = 0; i < img->nlower; i++)
		r->lower[i] = strdup(img->lower[i]);
	r->nlower = img->nlower;
}

/* Save the record under the lock. */
static void record_save(const char *root, const char *run, const struct ctr *r)
{
	int lock = state_lock(root);
	ctr_save(root, run, r);
	state_unlock(lock);
}

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
	int named, recorded, have_cg, shim;
	int lock, report_fd, runner_fd, pidfd, master, logfd;
	int err_pipe[2], out_pipe[2], errout_pipe[2];
	pid_t child;
	sigset_t oldmask;
};

/* ROOT/containers/<id> and the overlay dirs in it. */
static void set_paths(struct runner *r)
{
	ctr_dir(r->root, r->c.id, r->cdir, sizeof(r->cdir));
	snprintf(r->c.upper, sizeof(r->c.upper), "%s/upper", r->cdir);
	snprintf(r->c.work, sizeof(r->c.work), "%s/work", r->cdir);
	snprintf(r->c.merged, sizeof(r->c.merged), "%s/merged", r->cdir);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Under the lock: tidy up after killed runners, resolve the image (an rmi
 * cannot delete its layers under us), claim the name, write the record. A
 * `run` killed in here leaves a dir without config.json, which the next
 * state_reconcile removes. */
static int claim(struct runner *r)
{
	struct run_opts *o = r->o;
	struct container *c = &r->c;
	char why[PATH_MAX + 256];
	if ((r->lock = state_lock(r->root)) < 0)
		return -1;
	state_reconcile(r->root, r->run);
	if (image_resolve(r->root, o->image, &r->img, why, sizeof(why)) < 0 ||
	    apply_image(o, &r->img, &r->argv, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	c->lowers = (const char *const *)r->img.lower;
	c->nlowers = (size_t)r->img.nlower;
	if (random_hex64(c->id) < 0)
		return warn_errno("getrandom");
	snprintf(c->hostname, sizeof(c->hostname), "%s", o->hostname ? o->hostname : c->id);
	if (!o->hostname)
		c->hostname[12] = '\0';
	/* --name (checked: at most 63 characters), or the short id */
	char name[sizeof(r->rec.name)];
	snprintf(name, sizeof(name), "%.*s", o->name ? 63 : 12, o->name ? o->name : c->id);
	/* symlink(2) is atomic: of two runs with one name, exactly one wins. */
	snprintf(r->namelink, sizeof(r->namelink), "%s/names/%s", r->root, name);
	if (symlink(c->id, r->namelink) < 0) {
		char other[128] = "";
		ssize_t n = readlink(r->namelink, other, sizeof(other) - 1);
		if (errno == EEXIST || n > 0)
			fprintf(stderr, "mini-docker: the name '%s' is already in use by container %.12s; "
				"remove it with 'mini-docker rm %s' or choose another\n", name,
				n > 0 ? other : "?", name);
		else
			warn_errno("symlink %s", r->namelink);
		return -1;
	}
	r->named = 1;
	set_paths(r);
	if (mkdir(r->cdir, 0700) < 0)
		return warn_errno("mkdir %s", r->cdir);
	r->recorded = 1;
	if (mkdir(c->upper, 0755) < 0 || mkdir(c->work, 0700) < 0 || mkdir(c->merged, 0755) < 0)
		return warn_errno("mkdir in %s", r->cdir);
	record_init(&r->rec, o, &r->img, c, name);
	if (ctr_save(r->root, r->run, &r->rec) < 0)
		return -1;
	state_unlock(r->lock);
	r->lock = -1;
	return 0;
}

/* start: the same container again. Its id, name, upper dir and log are
 * kept; under the lock its record (loaded again: another command may have
 * started or removed it meanwhile) becomes "created" by this runner. */
static int reclaim(struct runner *r)
{
	struct container *c = &r->c;
	if ((r->lock = state_lock(r->root)) < 0)
		return -1;
	state_reconcile(r->root, r->run);
	if (ctr_load(r->root, r->run, r->saved->id, &r->rec) < 0) {
		fprintf(stderr, "mini-docker: start: container %s was removed meanwhile\n", r->saved->name);
		return -1;
	}
	if (r->rec.status != CTR_EXITED) {
		fprintf(stderr, "mini-docker: start: container %s was started meanwhile\n", r->rec.name);
		return -1;
	}
	snprintf(c->id, sizeof(c->id), "%s", r->rec.id);
	snprintf(c->hostname, sizeof(c->hostname), "%s", r->rec.hostname);
	c->lowers = (const char *const *)r->rec.lower;
	c->nlowers = (size_t)r->rec.nlower;
	set_paths(r);
	r->rec.status = CTR_CREATED;
	r->rec.exit_code = r->rec.oom_killed = 0;
	r->rec.pid = 0;
	r->rec.pid_start = 0;
	r->rec.runner = getpid();
	r->rec.runner_start = proc_start_time(r->rec.runner);
	r->rec.detached = r->o->detach;
	memset(&r->rec.finished, 0, sizeof(r->rec.finished));
	r->recorded = 1;
	if (ctr_save(r->root, r->run, &r->rec) < 0)
		return -1;
	state_unlock(r->lock);
	r->lock = -1;
	return 0;
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

/* The container's stdio, and the pipe that brings back a failed exec's
 * errno. The log `logs` reads: a detached container writes to it itself; a
 * kept foreground one writes to pipes, and the runner copies them to the
 * terminal and the log (with -t, the terminal's output). --rm keeps its
 * direct line: nothing would be left to read. */
static int open_streams(struct runner *r)
{
	struct run_opts *o = r->o;
	struct container *c = &r->c;
	if (o->detach || !o->rm) {
		char log[PATH_MAX + 160];
		snprintf(log, sizeof(log), "%s/container.log", r->cdir);
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

/* The container's PID 1: the child of clone3, which never returns. */
noreturn static void child_side(struct runner *r)
{
	/* If the runner dies (even by SIGKILL), take the container down:
	 * PID 1 dying ends the whole PID namespace. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
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
static int start(struct runner *r)
{
	uint64_t flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;
	enum spawn_path how = SPAWN_ATTACH_FIRST;
	char why[256];
	if (r->o->rootless) {
		struct gate gate;
		gate_init(&gate);
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
			gate_open(&gate);
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
		record_save(r->root, r->run, &r->rec);
	}
	if (exec_errno)
		fprintf(stderr, "mini-docker: exec '%s': %s\n", o->argv[0], strerror(exec_errno));
	if (r->report_fd >= 0) {
		if (exec_errno) {
			report(&r->report_fd, "!%d", exec_errno == ENOENT ? 127 : 126);
		} else {
			report(&r->report_fd, "%s\n", r->c.id);
			let_go(r->cdir);
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
	if (r->report_fd >= 0)
		report(&r->report_fd, "!%d", rc);
	int *fds[] = { &r->master, &r->c.tty_slave, &r->c.out_fd, &r->c.err_fd, &r->out_pipe[0],
		       &r->out_pipe[1], &r->errout_pipe[0], &r->errout_pipe[1], &r->logfd,
		       &r->err_pipe[0], &r->err_pipe[1], &r->pidfd, &r->runner_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close_fd(fds[i]);
	if (r->lock < 0)
		r->lock = state_lock(r->root);
	if (r->have_cg && cg_destroy(&r->cg) < 0)
		rc = 125;
	if (r->recorded && (r->child > 0 || r->saved) && !r->o->rm) {
		r->rec.status = CTR_EXITED;
		r->rec.exit_code = rc;
		clock_gettime(CLOCK_REALTIME, &r->rec.finished);
		ctr_save(r->root, r->run, &r->rec);
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
	const char *tenv = getenv("MINI_DOCKER_TIMINGS");
	r->c.timings = tenv && strcmp(tenv, "0") != 0;
	clock_gettime(CLOCK_MONOTONIC, &r->c.t0);
}

static int run(struct runner *r)
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
		int rc = detach(&r->report_fd, id);
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
	if (open_streams(r) < 0 || start(r) < 0)
		return finish(r, 125);
	return finish(r, watch(r));
}

int run_container(struct run_opts *o, int verbose)
{
	struct runner r;
	runner_init(&r, o, verbose);
	int rc = run(&r);
	free(r.c.seccomp.filter);
	return rc;
}

int start_container(const struct ctr *saved, int attach, int interactive, int verbose)
{
	/* the options it was run with, as its record keeps them (the image's
	 * command, environment and working dir were merged in then) */
	struct run_opts o;
	memset(&o, 0, sizeof(o));
	o.detach = !attach;
	o.interactive = interactive;
	o.tty = saved->tty;
	o.rootless = saved->rootless;
	o.init = saved->init;
	o.name = saved->name;
	o.hostname = saved->hostname;
	o.workdir = saved->workdir;
	o.user = saved->user;
	o.seccomp = saved->seccomp;
	o.image = saved->image;
	o.memory = saved->memory;
	o.cpu_quota = saved->cpu_quota;
	o.cpu_period = saved->cpu_period;
	o.pids = saved->pids;
	for (int i = 0; i < saved->nenv && i < MAX_ENV; i++)
		o.env[o.nenv++] = saved->env[i];
	for (int i = 0; i < saved->nvol; i++)
		o.vol[o.nvol++] = saved->vol[i];
	o.argv = saved->argv;
	struct runner r;
	runner_init(&r, &o, verbose);
	r.saved = saved;
	int rc = run(&r);
	free(r.c.seccomp.filter);
	if (r.shim)
		exit(rc); /* its container is done: not back into `start`'s loop */
	return rc;
}
