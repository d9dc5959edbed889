/* 08-mini-docker/run.c — see run.h. */
#define _GNU_SOURCE
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include "overlay.h"
#include "pidns.h"
#include "spawn.h"
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

const char *state_root(int rootless, char *buf, size_t size)
{
	const char *env = getenv("MINI_DOCKER_ROOT");
	if (env && env[0] == '/')
		snprintf(buf, size, "%s", env);
	else if (!rootless || geteuid() == 0)
		snprintf(buf, size, "/var/lib/mini-docker");
	else
		snprintf(buf, size, "/tmp/mini-docker-%d", (int)geteuid());
	return buf;
}

/* a/b into buf; paths here derive from a state root of bounded length, so
 * an overflow is a bug worth stopping for, not truncating. */
static void join(char *buf, size_t size, const char *a, const char *b)
{
	if (snprintf(buf, size, "%s/%s", a, b) >= (int)size)
		die("path too long: %s/%s", a, b);
}

/* "pid starttime" of a process, to tell it from a later one with the same
 * pid. starttime is field 22 of /proc/PID/stat. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	char *p = strrchr(buf, ')'); /* comm may contain spaces */
	if (!p)
		return 0;
	unsigned long long v = 0;
	int field = 2;
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " "))
		if (++field == 22) {
			v = strtoull(tok, NULL, 10);
			break;
		}
	return v;
}

static int runner_alive(const char *cdir)
{
	char path[PATH_MAX + 16], buf[64];
	join(path, sizeof(path), cdir, "runner");
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	int pid;
	unsigned long long st;
	if (sscanf(buf, "%d %llu", &pid, &st) != 2)
		return 0;
	return st != 0 && start_time(pid) == st;
}

void reap_stale(const char *root)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/containers", root);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char cdir[PATH_MAX * 2], rpath[PATH_MAX * 2 + 16];
		snprintf(cdir, sizeof(cdir), "%s/%s", dir, e->d_name);
		if (runner_alive(cdir))
			continue;
		/* A dot dir is still being made: leave it unless its runner is
		 * known dead, or it is a minute old without a runner file. */
		if (e->d_name[0] == '.') {
			struct stat st;
			snprintf(rpath, sizeof(rpath), "%s/runner", cdir);
			if (access(rpath, F_OK) < 0 &&
			    (stat(cdir, &st) < 0 || time(NULL) - st.st_mtime < 60))
				continue;
		}
		char name[128] = "", path[PATH_MAX * 2 + 16], link[PATH_MAX * 2];
		join(path, sizeof(path), cdir, "name");
		read_file(path, name, sizeof(name));
		struct cgroup cg;
		if (geteuid() == 0 && cg_lookup(&cg, e->d_name + (e->d_name[0] == '.'),
						CG_CPU | CG_MEMORY | CG_PIDS) == 0)
			cg_destroy(&cg);
		if (name[0]) {
			/* only if the name still points at this container */
			char target[128];
			snprintf(link, sizeof(link), "%s/names/%s", root, name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				if (strcmp(target, e->d_name + (e->d_name[0] == '.')) == 0)
					unlink(link);
			}
		}
		ovl_remove_tree(cdir);
		fprintf(stderr, "mini-docker: removed container %.12s left by a runner that was killed\n",
			e->d_name + (e->d_name[0] == '.'));
	}
	closedir(d);
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

static struct termios saved_tty;
static int tty_raw;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = 0;
}

static void copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Shuttle bytes between our terminal and the container's until it exits. */
static void proxy_tty(int master, int pidfd, int interactive)
{
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		struct termios raw = saved_tty;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		tty_raw = 1;
		copy_winsize(master);
	}
	char buf[4096];
	int in_open = interactive;
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & POLLIN) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			if (fds[1].revents & POLLIN)
				break;
		}
		if (fds[2].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				in_open = 0;
			else if (write(master, buf, (size_t)n) < 0)
				in_open = 0;
		}
		if ((fds[1].revents & POLLIN) && !(fds[0].revents & POLLIN))
			break;
	}
	restore_tty();
}

static void random_id(char *id)
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		die_errno("getrandom");
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", b[i]);
}

int run_container(struct run_opts *o, int verbose)
{
	char root[PATH_MAX], why[PATH_MAX + 256];
	struct container c;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.verbose = verbose;
	c.tty_slave = -1;
	c.exec_err_fd = -1;
	const char *tenv = getenv("MINI_DOCKER_TIMINGS");
	c.timings = tenv && strcmp(tenv, "0") != 0;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	int rc = 125, created_dir = 0, have_cg = 0, named = 0, master = -1, pidfd = -1;
	int runner_fd = -1;
	int err_pipe[2] = { -1, -1 };
	struct cgroup cg;
	pid_t child = -1;
	char cdir[PATH_MAX + 128], namelink[PATH_MAX + 256];

	if (!o->rootless && geteuid() != 0) {
		fprintf(stderr, "mini-docker: run needs root (or --rootless)\n");
		return 125;
	}
	if (options_check_paths(o, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	state_root(o->rootless, root, sizeof(root));
	if (strlen(root) > 512) {
		fprintf(stderr, "mini-docker: MINI_DOCKER_ROOT '%.40s...' is too long\n", root);
		return 125;
	}
	if (mkdir_p(root, 0711) < 0) {
		warn_errno("mkdir -p %s", root);
		return 125;
	}
	snprintf(cdir, sizeof(cdir), "%s/containers", root);
	mkdir(cdir, 0711);
	snprintf(cdir, sizeof(cdir), "%s/names", root);
	mkdir(cdir, 0711);
	reap_stale(root);

	random_id(c.id);
	snprintf(c.hostname, sizeof(c.hostname), "%s", o->hostname ? o->hostname : c.id);
	if (!o->hostname)
		c.hostname[12] = '\0';
	const char *name = o->name ? o->name : c.hostname;
	if (!o->name)
		name = strndupa(c.id, 12);

	/* Block the stop signals while we create things and record them; the
	 * handler then knows what exists. */
	sigset_t oldmask;
	block_stop_signals(&oldmask);
	catch_stop_signals(on_stop);

	/* Made under a dot name, filled, then renamed: another runner's
	 * reap_stale skips dot names, so it never sees a dir without its
	 * runner file and takes it for stale. */
	char final[PATH_MAX + 128];
	snprintf(final, sizeof(final), "%s/containers/%s", root, c.id);
	snprintf(cdir, sizeof(cdir), "%s/containers/.%s", root, c.id);
	if (mkdir(cdir, 0700) < 0) {
		warn_errno("mkdir %s", cdir);
		goto out;
	}
	created_dir = 1;
	char path[PATH_MAX + 256], text[64];
	join(path, sizeof(path), cdir, "runner");
	snprintf(text, sizeof(text), "%d %llu\n", (int)getpid(), start_time(getpid()));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) {
		warn_errno("write %s", path);
		goto out;
	}
	close(fd);
	join(path, sizeof(path), cdir, "name");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, name, strlen(name)) < 0) {
		warn_errno("write %s", path);
		goto out;
	}
	close(fd);
	/* symlink(2) is atomic: of two runs with one name, exactly one wins. */
	snprintf(namelink, sizeof(namelink), "%s/names/%s", root, name);
	if (symlink(c.id, namelink) < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "mini-docker: the name '%s' is already in use by a running "
				"container\n", name);
		else
			warn_errno("symlink %s", namelink);
		goto out;
	}
	named = 1;
	if (rename(cdir, final) < 0) {
		warn_errno("rename %s", cdir);
		goto out;
	}
	memcpy(cdir, final, sizeof(final));
	join(c.upper, sizeof(c.upper), cdir, "upper");
	join(c.work, sizeof(c.work), cdir, "work");
	join(c.merged, sizeof(c.merged), cdir, "merged");
	if (mkdir(c.upper, 0755) < 0 || mkdir(c.work, 0700) < 0 || mkdir(c.merged, 0755) < 0) {
		warn_errno("mkdir in %s", cdir);
		goto out;
	}
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
		restore_signals(&oldmask);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(err_pipe[0]);
		if (master >= 0)
			close(master);
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
	restore_signals(&oldmask);

	if (master >= 0)
		proxy_tty(master, pidfd, o->interactive);
	int status = wait_child(child);
	container_pid = 0;
	phase_mark(&c, "runner: container ran and exited");
	int exec_errno = 0;
	if (read(err_pipe[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	rc = docker_exit_code(status, exec_errno);
	if (exec_errno)
		fprintf(stderr, "mini-docker: exec '%s': %s\n", o->argv[0], strerror(exec_errno));
	if (have_cg && o->memory != -1) {
		unsigned long long kills = 0;
		char lim[32];
		if (cg_memory_oom_kills(&cg, &kills) == 0 && kills > 0)
			fprintf(stderr, "mini-docker: the container was killed by the OOM killer "
				"(memory limit %s)\n", format_size(o->memory, lim, sizeof(lim)));
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
	if (master >= 0)
		close(master);
	if (c.tty_slave >= 0)
		close(c.tty_slave);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	if (pidfd >= 0)
		close(pidfd);
	if (runner_fd >= 0)
		close(runner_fd);
	if (have_cg && cg_destroy(&cg) < 0)
		rc = 125;
	if (named)
		unlink(namelink);
	if (created_dir)
		ovl_remove_tree(cdir);
	phase_mark(&c, "runner: cleanup");
	restore_signals(&oldmask);
	return rc;
}
