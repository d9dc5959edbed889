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

#include "cgroup.h"
#include "cgvalue.h"
#include "common.h"
#include "container.h"
#include "image.h"
#include "overlay.h"
#include "pidns.h"
#include "cgspawn.h"
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

static void random_id(char *id)
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		die_errno("getrandom");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", b[i]);
}

/* run -d: fork. The caller's process waits until the new one (the shim,
 * which watches the container from now on) reports "started, here is the
 * id" or "failed with this status", and returns that; the shim returns -1
 * and carries on with report_fd to send its word on. */
static int detach(int *report_fd)
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
			fputs(buf, stdout);
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
static int apply_image(struct run_opts *o, const struct image_ref *img, char *why, size_t why_size)
{
	if (!o->argv[0]) {
		if (img->ncmd == 0) {
			snprintf(why, why_size, "no command given and image '%s' has no default command; "
				 "usage: mini-docker run [OPTIONS] IMAGE COMMAND [ARG...]", o->image);
			return -1;
		}
		o->argv = img->cmd;
	}
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

int run_container(struct run_opts *o, int verbose)
{
	char root[PATH_MAX], run[PATH_MAX + 8], why[PATH_MAX + 256];
	struct container c;
	struct image_ref img;
	struct ctr rec;
	memset(&c, 0, sizeof(c));
	memset(&img, 0, sizeof(img));
	memset(&rec, 0, sizeof(rec));
	c.o = o;
	c.verbose = verbose;
	c.tty_slave = -1;
	c.exec_err_fd = -1;
	c.out_fd = -1;
	c.err_fd = -1;
	const char *tenv = getenv("MINI_DOCKER_TIMINGS");
	c.timings = tenv && strcmp(tenv, "0") != 0;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	int rc = 125, recorded = 0, named = 0, have_cg = 0, master = -1, pidfd = -1;
	int runner_fd = -1, lock = -1, report_fd = -1;
	int err_pipe[2] = { -1, -1 }, out_pipe[2] = { -1, -1 }, errout_pipe[2] = { -1, -1 };
	int logfd = -1;
	struct cgroup cg;
	pid_t child = -1;
	char cdir[PATH_MAX - 256], namelink[PATH_MAX + 256];

	if (!o->rootless && geteuid() != 0) {
		fprintf(stderr, "mini-docker: run needs root (or --rootless)\n");
		return 125;
	}
	if (options_check_paths(o, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	state_root(o->rootless, root, sizeof(root));
	run_root(o->rootless, run, sizeof(run));
	if (strlen(root) > 512) {
		fprintf(stderr, "mini-docker: MINI_DOCKER_ROOT '%.40s...' is too long\n", root);
		return 125;
	}
	if (state_prepare(root, run) < 0)
		return 125;
	/* From here on, with -d, everything happens in the shim. */
	if (o->detach) {
		int r = detach(&report_fd);
		if (r >= 0)
			return r;
	}

	/* Block the stop signals while we create things and record them; the
	 * handler then knows what exists. */
	sigset_t oldmask;
	block_stop_signals(&oldmask);
	catch_stop_signals(on_stop);

	/* Under the lock: tidy up after killed runners, resolve the image (an
	 * rmi cannot delete its layers under us), claim the name, write the
	 * record. A `run` killed in here leaves a dir without config.json,
	 * which the next state_reconcile removes. */
	if ((lock = state_lock(root)) < 0)
		goto out;
	state_reconcile(root, run);
	if (image_resolve(root, o->image, &img, why, sizeof(why)) < 0 ||
	    apply_image(o, &img, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		goto out;
	}
	c.lowers = (const char *const *)img.lower;
	c.nlowers = (size_t)img.nlower;
	random_id(c.id);
	snprintf(c.hostname, sizeof(c.hostname), "%s", o->hostname ? o->hostname : c.id);
	if (!o->hostname)
		c.hostname[12] = '\0';
	const char *name = o->name ? o->name : c.hostname;
	if (!o->name)
		name = strndupa(c.id, 12);
	/* symlink(2) is atomic: of two runs with one name, exactly one wins. */
	snprintf(namelink, sizeof(namelink), "%s/names/%s", root, name);
	if (symlink(c.id, namelink) < 0) {
		char other[128] = "";
		ssize_t n = readlink(namelink, other, sizeof(other) - 1);
		if (errno == EEXIST || n > 0)
			fprintf(stderr, "mini-docker: the name '%s' is already in use by container %.12s; "
				"remove it with 'mini-docker rm %s' or choose another\n", name,
				n > 0 ? other : "?", name);
		else
			warn_errno("symlink %s", namelink);
		goto out;
	}
	named = 1;
	ctr_dir(root, c.id, cdir, sizeof(cdir));
	if (mkdir(cdir, 0700) < 0) {
		warn_errno("mkdir %s", cdir);
		goto out;
	}
	recorded = 1;
	snprintf(c.upper, sizeof(c.upper), "%s/upper", cdir);
	snprintf(c.work, sizeof(c.work), "%s/work", cdir);
	snprintf(c.merged, sizeof(c.merged), "%s/merged", cdir);
	if (mkdir(c.upper, 0755) < 0 || mkdir(c.work, 0700) < 0 || mkdir(c.merged, 0755) < 0) {
		warn_errno("mkdir in %s", cdir);
		goto out;
	}
	record_init(&rec, o, &img, &c, name);
	if (ctr_save(root, run, &rec) < 0)
		goto out;
	state_unlock(lock);
	lock = -1;
	if (verbose)
		fprintf(stderr, "=> container %.12s, state in %s\n", c.id, cdir);
	phase_mark(&c, "runner: options, state dir, name");

	if (!o->rootless) {
		if (cg_create(&cg, c.id, CG_CPU | CG_MEMORY | CG_PIDS) < 0)
			goto out;
		have_cg = 1;
		c.cgroup2 = cg.layout == CG_LAYOUT_V2;
		if ((o->memory != -1 && cg_set_memory_max(&cg, o->memory) < 0) ||
		    (o->cpu_quota != -1 && cg_set_cpu_max(&cg, o->cpu_quota, o->cpu_period) < 0) ||
		    (o->pids != -1 && cg_set_pids_max(&cg, o->pids) < 0))
			goto out;
		if (verbose)
			fprintf(stderr, "=> cgroup %s (%s)\n", cg.name, cg_layout_name(cg.layout));
		phase_mark(&c, "runner: cgroup and limits");
	}

	/* The log `logs` reads. A detached container writes to it itself; a
	 * kept foreground one writes to pipes, and the runner copies them to
	 * the terminal and the log (with -t, the terminal's output). --rm
	 * keeps its direct line: nothing would be left to read. */
	if (o->detach || !o->rm) {
		char log[PATH_MAX + 160];
		snprintf(log, sizeof(log), "%s/container.log", cdir);
		logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (logfd < 0) {
			warn_errno("open %s", log);
			goto out;
		}
	}
	if (o->detach) {
		c.out_fd = logfd;
		logfd = -1;
	} else if (logfd >= 0 && !o->tty) {
		if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(errout_pipe, O_CLOEXEC) < 0) {
			warn_errno("pipe2");
			goto out;
		}
		c.out_fd = out_pipe[1];
		c.err_fd = errout_pipe[1];
		out_pipe[1] = errout_pipe[1] = -1;
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		warn_errno("pipe2");
		goto out;
	}
	c.exec_err_fd = err_pipe[1];
	if (o->tty) {
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
			warn_errno("allocate a terminal");
			goto out;
		}
		snprintf(c.tty_path, sizeof(c.tty_path), "%s", ptsname(master));
		c.tty_slave = open(c.tty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (c.tty_slave < 0) {
			warn_errno("open %s", ptsname(master));
			goto out;
		}
	}

	/* A pidfd on ourselves, for the child: see PR_SET_PDEATHSIG below. */
	runner_fd = pidfd_open_pid(getpid());
	if (runner_fd < 0) {
		warn_errno("pidfd_open(self)");
		goto out;
	}
	uint64_t flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET;
	enum spawn_path how = SPAWN_ATTACH_FIRST;
	if (o->rootless) {
		struct gate gate;
		gate_init(&gate);
		child = clone3_fork(flags | CLONE_NEWUSER, -1, &pidfd);
		if (child == 0) {
			gate_child_side(&gate);
			gate_wait(&gate);
		} else if (child > 0) {
			gate_parent_side(&gate);
			struct idmap u = { 0, getuid(), 1 }, g = { 0, getgid(), 1 };
			if (userns_write_maps(child, &u, &g) < 0) {
				close(gate.wr);
				kill(child, SIGKILL);
				goto out;
			}
			gate_open(&gate);
		}
	} else {
		child = spawn_in_cgroup(&cg, flags, &pidfd, &how, why, sizeof(why));
	}
	if (child < 0) {
		warn_errno("start the container");
		goto out;
	}
	if (child == 0) {
		/* If the runner dies (even by SIGKILL), take the container down:
		 * PID 1 dying ends the whole PID namespace. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The death signal only covers a runner dying from now on; if it
		 * died between clone and prctl, its pidfd is already readable. */
		struct pollfd rp = { .fd = runner_fd, .events = POLLIN };
		if (poll(&rp, 1, 0) != 0)
			_exit(125);
		close(runner_fd);
		default_signals();
		restore_signals(&oldmask);
		close(err_pipe[0]);
		if (master >= 0)
			close(master);
		/* the runner's ends: a container holding its own pipe's read end
		 * would never see EPIPE */
		if (out_pipe[0] >= 0) {
			close(out_pipe[0]);
			close(errout_pipe[0]);
		}
		if (logfd >= 0)
			close(logfd);
		container_init(&c);
	}
	container_pid = child;
	phase_mark(&c, "runner: clone3");
	if (verbose)
		fprintf(stderr, "=> init pid %d on the host, %s\n", (int)child,
			o->rootless ? "user namespace mapped" : (how == SPAWN_INTO_CGROUP ?
			"born in its cgroup (CLONE_INTO_CGROUP)" : "attached to its cgroup before it ran"));
	close(err_pipe[1]);
	err_pipe[1] = -1;
	if (c.tty_slave >= 0) {
		close(c.tty_slave);
		c.tty_slave = -1;
	}
	if (c.out_fd >= 0) {
		close(c.out_fd);
		c.out_fd = -1;
	}
	if (c.err_fd >= 0) {
		close(c.err_fd);
		c.err_fd = -1;
	}

	/* The exec: the pipe closes (CLOEXEC) when it succeeds, or brings its
	 * errno; setup failures close it too, with the reason already on
	 * stderr. Only then is the container "running". */
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(err_pipe[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	if (n != sizeof(exec_errno))
		exec_errno = 0;
	rec.pid = child;
	rec.pid_start = proc_start_time(child);
	clock_gettime(CLOCK_REALTIME, &rec.started);
	if (!exec_errno && rec.pid_start) {
		rec.status = CTR_RUNNING;
		record_save(root, run, &rec);
	}
	if (exec_errno)
		fprintf(stderr, "mini-docker: exec '%s': %s\n", o->argv[0], strerror(exec_errno));
	if (report_fd >= 0) {
		if (exec_errno) {
			report(&report_fd, "!%d", exec_errno == ENOENT ? 127 : 126);
		} else {
			report(&report_fd, "%s\n", c.id);
			let_go(cdir);
		}
	}
	restore_signals(&oldmask);

	if (master >= 0) {
		proxy_tty(master, pidfd, o->interactive && !o->detach, logfd);
	} else if (out_pipe[0] >= 0) {
		/* a closed stdout must not kill the runner (the container would
		 * die with it, uncleaned); relay_output handles EPIPE instead */
		signal(SIGPIPE, SIG_IGN);
		relay_output(out_pipe[0], errout_pipe[0], logfd);
		out_pipe[0] = errout_pipe[0] = -1;
	}
	int status = wait_child(child);
	container_pid = 0;
	phase_mark(&c, "runner: container ran and exited");
	rc = docker_exit_code(status, exec_errno);
	if (have_cg && o->memory != -1) {
		unsigned long long kills = 0;
		char lim[32];
		if (cg_memory_oom_kills(&cg, &kills) == 0 && kills > 0) {
			rec.oom_killed = 1;
			fprintf(stderr, "mini-docker: the container was killed by the OOM killer "
				"(memory limit %s)\n", format_size(o->memory, lim, sizeof(lim)));
		}
	}
	if (verbose) {
		char sbuf[64];
		fprintf(stderr, "=> container %s; exit status %d\n",
			describe_status(status, sbuf, sizeof(sbuf)), rc);
	}

out:
	block_stop_signals(&oldmask);
	if (child > 0 && container_pid > 0) { /* failed half-way: take it down */
		kill(child, SIGKILL);
		wait_child(child);
	}
	container_pid = 0;
	if (report_fd >= 0)
		report(&report_fd, "!%d", rc);
	if (master >= 0)
		close(master);
	if (c.tty_slave >= 0)
		close(c.tty_slave);
	if (c.out_fd >= 0)
		close(c.out_fd);
	if (c.err_fd >= 0)
		close(c.err_fd);
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (errout_pipe[i] >= 0)
			close(errout_pipe[i]);
	}
	if (logfd >= 0)
		close(logfd);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (pidfd >= 0)
		close(pidfd);
	if (runner_fd >= 0)
		close(runner_fd);
	if (lock < 0)
		lock = state_lock(root);
	if (have_cg && cg_destroy(&cg) < 0)
		rc = 125;
	if (recorded && child > 0 && !o->rm) {
		/* kept, as Docker keeps it: `ps -a` shows it, `rm` removes it */
		rec.status = CTR_EXITED;
		rec.exit_code = rc;
		clock_gettime(CLOCK_REALTIME, &rec.finished);
		ctr_save(root, run, &rec);
		named = 0; /* the name stays taken until rm */
	} else if (recorded) {
		if (!rec.id[0])
			ovl_remove_tree(cdir);
		else if (have_cg)
			ctr_forget(root, run, &rec); /* its cgroup went above */
		else
			ctr_remove(root, run, &rec);
		named = 0;
	}
	if (named)
		unlink(namelink);
	state_unlock(lock);
	ctr_free(&rec);
	image_ref_free(&img);
	phase_mark(&c, "runner: cleanup");
	restore_signals(&oldmask);
	return rc;
}
