/* 08-mini-docker/exec.c — see exec.h.
 *
 * The order is the lesson:
 *   1. a pidfd on the container's PID 1 (checked against its start time),
 *      so every later step talks about that process and no other;
 *   2. a helper process does setns(CLONE_NEWPID): that changes only where
 *      its *children* are born, never the helper itself;
 *   3. it clones into the container's cgroup: that child is pid N inside;
 *   4. the child joins the other namespaces (mount last, as its root and
 *      cwd move with it), drops privileges as `run` did, and execs; the
 *      helper waits and ends the way the command ended. */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "common.h"
#include "container.h"
#include "enter.h"
#include "ns.h"
#include "options.h"
#include "pidns.h"
#include "run.h"
#include "seccomp_cache.h"
#include "cgspawn.h"
#include "state.h"
#include "tty.h"


struct exec_opts {
	int interactive, tty, nenv;
	const char *container, *workdir, *user, *env[MAX_ENV];
	char **argv;
};

static int parse(int argc, char **argv, struct exec_opts *o)
{
	static const struct option longopts[] = {
		{ "interactive", no_argument, NULL, 'i' }, { "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' }, { "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ 0 } };
	char why[512];
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:ite:w:u:", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->interactive = 1; break;
		case 't': o->tty = 1; break;
		case 'e':
			if (env_check(optarg, why, sizeof(why)) < 0) {
				fprintf(stderr, "mini-docker: exec: %s\n", why);
				return -1;
			}
			if (o->nenv == MAX_ENV) {
				fprintf(stderr, "mini-docker: exec: more than %d -e options\n", MAX_ENV);
				return -1;
			}
			o->env[o->nenv++] = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'w':
			if (optarg[0] != '/' || path_has_dotdot(optarg)) {
				fprintf(stderr, "mini-docker: exec: --workdir '%s' must be an absolute path "
					"without '..'\n", optarg);
				return -1;
			}
			o->workdir = optarg;
			break;
		default:
			fprintf(stderr, "mini-docker: exec: %s '%s'; usage: mini-docker exec [-i] [-t] "
				"[-e KEY=VALUE] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]\n",
				c == ':' ? "no value for" : "unknown option", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "mini-docker: usage: mini-docker exec [-i] [-t] [-e KEY=VALUE] [-w DIR] [-u USER] "
			"CONTAINER COMMAND [ARG...]\n");
		return -1;
	}
	o->container = argv[optind];
	o->argv = argv + optind + 1;
	return 0;
}

static int use_nsfiles(void)
{
	const char *e = getenv("MINI_DOCKER_EXEC_NSFILES");
	return e && strcmp(e, "0") != 0;
}

/* Open /proc/PID/ns/NAME now: once we join the mount namespace, /proc is
 * the container's, where PID means another process or none. */
static int nsfile(pid_t pid, const char *name)
{
	int fd = ns_open(pid, name);
	if (fd < 0) {
		char p[64];
		int err = errno;
		ns_path(pid, name, p, sizeof(p));
		errno = err;
		warn_errno("open %s", p);
	}
	return fd;
}

/* Every namespace the child joins, all opened first (stage 01's order:
 * user first, mount last); the user namespace only for a rootless
 * container, whose helper joins it. fds[i] for ns_kinds[i]. 0 or -1. */
static int open_nsfiles(const struct ctr *r, int *fds)
{
	for (int i = 0; i < NS_KINDS; i++)
		if ((i != NS_USER || r->rootless) && (fds[i] = nsfile(r->pid, ns_kinds[i].name)) < 0)
			return -1;
	return 0;
}

/* A terminal from the container's own devpts, so `tty` inside names a
 * /dev/pts/N that exists there. /proc/PID/root is the container's root;
 * RESOLVE_IN_ROOT keeps every symlink on the way inside it (a plain open
 * of "/proc/PID/root/dev/ptmx" would follow an absolute symlink planted
 * by the container on the host). -1 if that fails; the caller falls back
 * to a host terminal. */
static int container_ptmx(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
	int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	struct open_how how = { .flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd = (int)syscall(SYS_openat2, root, "dev/pts/ptmx", &how, sizeof(how));
	close(root);
	return fd;
}

static int open_terminal(pid_t pid, int *slave)
{
	int master = container_ptmx(pid);
	if (master < 0)
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0)
		return warn_errno("allocate a terminal");
	/* TIOCGPTPEER: the slave from the master itself, no path lookup */
	*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		warn_errno("ioctl(TIOCGPTPEER)");
		close(master);
		return -1;
	}
	return master;
}

noreturn static void fail(const char *what)
{
	fprintf(stderr, "mini-docker: exec: %s: %s\n", what, strerror(errno));
	_exit(125);
}

/* The child: everything after the clone. */
noreturn static void enter(const struct ctr *r, const struct exec_opts *o, int pidfd,
			   const int *fds, int slave, int err_fd, const struct sock_fprog *prog)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("prctl(PR_SET_PDEATHSIG)");
	default_signals();
	/* Until exec nobody in the container may ptrace us: we still hold
	 * fds to the host (the pidfd, /proc files, the cgroup). */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		fail("prctl(PR_SET_DUMPABLE)");
	/* (a rootless container's user namespace: the parent joined it) */
	int flags = CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWNS, failed;
	/* through the pidfd, one call joins them all, atomically, in the
	 * kernel's order; through the files, one at a time in ns_kinds' */
	if (ns_join_set(pidfd, fds, flags, &failed) < 0)
		fail(failed >= 0 ? ns_kinds[failed].name : "setns(pidfd)");
	/* Joining the mount namespace put us at its root. From here on it
	 * is the same way in as run's: every host fd closed before the
	 * working directory is looked up. */
	struct entry e = {
		.argv = o->argv, .hostname = r->hostname, .tty = o->tty,
		.env = r->env, .nenv = r->nenv, .extra_env = (char *const *)o->env, .nextra = o->nenv,
		.workdir = o->workdir ? o->workdir : r->workdir,
		.user = o->user ? o->user : r->user,
		.stdin_null = !o->interactive, .out_fd = -1, .err_fd = -1,
		.tty_fd = slave, .exec_err_fd = err_fd, .seccomp = prog,
	};
	enter_container(&e);
}

/* The middle process (nsenter's shape). setns(CLONE_NEWPID) never moves
 * the caller — a process keeps its pid for life — it only decides where
 * the caller's *children* are born. So this helper joins, forks the
 * command into the container's PID namespace and cgroup, and passes its
 * end on. The exec client itself never joins: a process whose children
 * would be born elsewhere cannot even start a thread (CLONE_THREAD across
 * PID namespaces is EINVAL), which libraries, and LeakSanitizer at exit,
 * try. */
noreturn static void helper(const struct ctr *r, const struct exec_opts *o, const struct cgroup *cg,
			    int pidfd, const int *fds, int slave, int err_fd, const struct sock_fprog *prog)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fail("prctl(PR_SET_PDEATHSIG)");
	/* Joining a PID namespace takes CAP_SYS_ADMIN both over it and in
	 * our own user namespace. A rootless user has neither on the host,
	 * so it first enters the container's user namespace, which it owns
	 * and where it holds every capability. */
	int failed;
	if (r->rootless && ns_join_set(pidfd, fds, CLONE_NEWUSER, &failed) < 0)
		fail("setns(CLONE_NEWUSER)");
	if (fds) {
		int pfd = nsfile(r->pid, "pid");
		if (pfd < 0 || setns(pfd, CLONE_NEWPID) < 0)
			fail("setns(/proc/PID/ns/pid)");
		close(pfd);
	} else if (setns(pidfd, CLONE_NEWPID) < 0) {
		fail("setns(pidfd, CLONE_NEWPID)");
	}
	/* 3. born into the container's cgroup too (stage 06's spawn) */
	enum spawn_path how;
	char why[256];
	int cpidfd = -1;
	pid_t pid = r->rootless ? clone3_fork(0, -1, &cpidfd)
				: spawn_in_cgroup(cg, 0, &cpidfd, &how, why, sizeof(why));
	if (pid < 0)
		fail("clone into the container");
	if (pid == 0)
		enter(r, o, pidfd, fds, slave, err_fd, prog);
	/* our copy of the exec pipe must go, or the client never sees EOF */
	close(err_fd);
	int status = wait_child(pid);
	if (WIFSIGNALED(status)) {
		/* die the same way, so the client reports 128+N */
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

/* The client, once the helper runs: an exec that failed (its errno comes
 * down the pipe; EOF means the exec happened), the terminal, the status. */
static int await_helper(const struct exec_opts *o, pid_t child, int child_pidfd, int err_fd, int master)
{
	int exec_errno = 0;
	ssize_t n;
	while ((n = read(err_fd, &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	if (n != sizeof(exec_errno))
		exec_errno = 0;
	if (exec_errno)
		fprintf(stderr, "mini-docker: exec '%s': %s\n", o->argv[0], strerror(exec_errno));
	if (master >= 0)
		proxy_tty(master, child_pidfd, o->interactive, -1);
	return docker_exit_code(wait_child(child), exec_errno);
}

/* The container's record, by name or id; run gets the run directory. */
static int load_target(const char *name, struct ctr *r, char *run, size_t run_size)
{
	char root[PATH_MAX], id[65], why[512];
	state_root(geteuid() != 0, root, sizeof(root));
	run_root(geteuid() != 0, run, run_size);
	int found = ctr_resolve(root, name, id, why, sizeof(why)) == 0;
	if (found && ctr_load(root, run, id, r) < 0) {
		/* resolved, then gone before we read it (an rm meanwhile) */
		snprintf(why, sizeof(why), "container %s could not be read (removed meanwhile?)", name);
		found = 0;
	}
	if (!found)
		fprintf(stderr, "mini-docker: exec: %s\n", why);
	return found ? 0 : -1;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts o;
	if (parse(argc, argv, &o) < 0)
		return 125;
	char run[PATH_MAX + 8], why[512];
	struct ctr r;
	if (load_target(o.container, &r, run, sizeof(run)) < 0)
		return 125;
	int rc = 125, pidfd = -1, master = -1, slave = -1, child_pidfd = -1;
	int err_pipe[2] = { -1, -1 }, fds[NS_KINDS] = { -1, -1, -1, -1, -1, -1 }, nsfiles = use_nsfiles();
	pid_t child = -1;
	struct cgroup cg;
	struct sock_fprog prog = { 0, NULL };
	if (!ctr_running(&r)) {
		fprintf(stderr, "mini-docker: exec: container %s is not running\n", o.container);
		goto out;
	}
	/* 1. the process, pinned: a pidfd, then the start time re-checked */
	pidfd = pidfd_open_pid(r.pid);
	if (pidfd < 0 || !proc_is(r.pid, r.pid_start)) {
		fprintf(stderr, "mini-docker: exec: container %s is not running\n", o.container);
		goto out;
	}
	if (!r.rootless && cg_lookup(&cg, r.id, CG_CPU | CG_MEMORY | CG_PIDS) < 0)
		goto out;
	/* the container's own profile, as run compiled it */
	if (seccomp_load_profile(r.seccomp, caps_default_mask(), run, &prog, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: exec: %s\n", why);
		goto out;
	}
	if (nsfiles && open_nsfiles(&r, fds) < 0)
		goto out;
	if (o.tty && (master = open_terminal(r.pid, &slave)) < 0)
		goto out;
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		warn_errno("pipe2");
		goto out;
	}
	/* 2. a helper joins the PID namespace and forks the command (3.) */
	child = clone3_fork(0, -1, &child_pidfd);
	if (child < 0) {
		warn_errno("clone3");
		goto out;
	}
	if (child == 0) {
		close(err_pipe[0]);
		if (master >= 0)
			close(master);
		helper(&r, &o, &cg, pidfd, nsfiles ? fds : NULL, slave, err_pipe[1], &prog);
	}
	close(err_pipe[1]);
	err_pipe[1] = -1;
	if (slave >= 0) {
		close(slave);
		slave = -1;
	}
	rc = await_helper(&o, child, child_pidfd, err_pipe[0], master);
out:
	for (int i = 0; i < NS_KINDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (slave >= 0)
		close(slave);
	if (master >= 0)
		close(master);
	if (child_pidfd >= 0)
		close(child_pidfd);
	if (pidfd >= 0)
		close(pidfd);
	free(prog.filter);
	ctr_free(&r);
	return rc;
}
