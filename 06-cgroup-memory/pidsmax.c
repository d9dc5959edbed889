/* 06-cgroup-memory/pidsmax.c — pids.max is checked where a task is born
 * (fork, clone: the kernel charges every ancestor up to the root and fails
 * with EAGAIN where one is full), never where a task is moved: writing a pid
 * to cgroup.procs is always allowed. So the notes' "can pids.current exceed
 * pids.max?" is answered yes, by a migration.
 * Reproduces: notes 001 "pids". See cgroup-v2.rst "PID", and the v1
 * Documentation/admin-guide/cgroup-v1/pids.rst. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgvalue.h"
#include "common.h"
#include "pidsmax.h"

#define MAX_PROCS 16
#define MAX_FORKS 64 /* the fork loop's own stop, should the limit not hold */

struct lab {
	char top[512], sub[2][560];
	pid_t procs[MAX_PROCS];
	int nprocs;
};

/* The fork loop: fork until the kernel refuses, report how many and why,
 * then keep the children (each asleep) until killed. */
static void fork_loop(int report)
{
	int made = 0, err = 0;
	while (made < MAX_FORKS) {
		pid_t pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		made++;
	}
	int msg[2] = { made, err };
	if (write(report, msg, sizeof(msg)) != sizeof(msg))
		_exit(3);
	for (;;)
		pause();
}

/* A process that sleeps, or runs the fork loop when report >= 0; in dir's
 * cgroup.procs before it does anything, when dir is not NULL. */
static pid_t start(struct lab *l, const char *dir, int report)
{
	struct gate gate;
	gate_init(&gate);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return warn_errno("fork");
	if (pid == 0) {
		gate_child_side(&gate);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			_exit(3);
		gate_wait(&gate);
		if (report >= 0)
			fork_loop(report);
		for (;;)
			pause();
	}
	gate_parent_side(&gate);
	l->procs[l->nprocs++] = pid;
	if (dir) {
		char path[600], val[16];
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		snprintf(val, sizeof(val), "%d", (int)pid);
		if (write_file(path, val) < 0)
			return warn_errno("write %s \"%s\"", path, val);
	}
	gate_open(&gate);
	return pid;
}

static long long current(const char *dir)
{
	char path[600], buf[32];
	snprintf(path, sizeof(path), "%s/pids.current", dir);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return atoll(buf);
}

static unsigned long long events(const char *dir)
{
	char path[600], text[128];
	unsigned long long n = 0;
	snprintf(path, sizeof(path), "%s/pids.events", dir);
	if (read_file(path, text, sizeof(text)) >= 0)
		keyed_value(text, "max", &n);
	return n;
}

/* One line of pids.current: both children and their parent. */
static long long show_current(const struct lab *l, const char *name)
{
	long long top = current(l->top);
	say("   pids.current   a %lld   b %lld   %s %lld", current(l->sub[0]), current(l->sub[1]),
	    strrchr(name, '/') + 1, top);
	return top;
}

/* Kill, reap, rmdir: everything the lab made. The fork loop's children
 * die with it (PR_SET_PDEATHSIG) and are reaped by init, so rmdir is
 * retried while the kernel still counts them. */
static void teardown(struct lab *l)
{
	for (int i = 0; i < l->nprocs; i++)
		kill(l->procs[i], SIGKILL);
	for (int i = 0; i < l->nprocs; i++)
		while (waitpid(l->procs[i], NULL, 0) < 0 && errno == EINTR)
			;
	for (int i = 0; i < 2 && l->sub[i][0]; i++) {
		int tries = 0;
		while (rmdir(l->sub[i]) < 0 && errno == EBUSY && tries++ < 100) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (access(l->sub[i], F_OK) == 0)
			warn_errno("rmdir %s", l->sub[i]);
	}
}

static int make_children(struct lab *l, const struct cgroup *cg, long long max)
{
	snprintf(l->top, sizeof(l->top), "%s", cg_dir(cg, "pids"));
	if (cg->layout == CG_LAYOUT_V2) {
		/* v2: a child cgroup gets pids files only if its parent hands
		 * the controller down. */
		step("echo +pids > %s/cgroup.subtree_control", cg->name);
		if (cg_write(cg, "pids", "cgroup.subtree_control", "+pids") < 0)
			return -1;
		done();
	}
	step("mkdir %s/a %s/b; pids.max %lld on %s", cg->name, cg->name, max, cg->name);
	for (int i = 0; i < 2; i++) {
		snprintf(l->sub[i], sizeof(l->sub[i]), "%s/%c", l->top, 'a' + i);
		if (mkdir(l->sub[i], 0755) < 0)
			return warn_errno("mkdir %s", l->sub[i]);
	}
	if (cg_set_pids_max(cg, max) < 0)
		return -1;
	done();
	return 0;
}

static int run(struct lab *l, const struct cgroup *cg, long long max, volatile sig_atomic_t *stop)
{
	if (make_children(l, cg, max) < 0)
		return -1;
	step("2 sleeping processes into a, 1 into b");
	for (int i = 0; i < 3; i++)
		if (start(l, l->sub[i / 2], -1) < 0)
			return -1;
	done();
	show_current(l, cg->name);
	say("=> the parent's count is its whole subtree, and so is its limit");

	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	step("in a: a fork loop (fork() until the kernel refuses)");
	int msg[2] = { 0, 0 };
	pid_t loop = start(l, l->sub[0], report[1]);
	close(report[1]);
	ssize_t n = loop < 0 ? -1 : read(report[0], msg, sizeof(msg));
	close(report[0]);
	if (n != sizeof(msg) || *stop)
		return -1;
	say("forks made %d, then fork: %s (%s)", msg[0], msg[1] ? strerrorname_np(msg[1]) : "none",
	    msg[1] ? strerror(msg[1]) : "no error");
	long long top = show_current(l, cg->name);
	say("   %lld of pids.max %lld; refused forks (pids.events \"max\"): a %llu, %s %llu",
	    top, max, events(l->sub[0]), strrchr(cg->name, '/') + 1, events(l->top));
	/* Where the refusal is counted changed in 2024: v2 kernels that have
	 * pids.events.local count it where the limit was hit, and upwards;
	 * older ones, and v1, in the cgroup of the process that forked. */
	char local[600];
	snprintf(local, sizeof(local), "%s/pids.events.local", l->sub[0]);
	say("   (%s)", access(local, F_OK) == 0 ? "counted where the limit is, and above: "
	    "this kernel has pids.events.local for a's own" : "counted in the forking cgroup: "
	    "this kernel has no pids.events.local");
	int capped = msg[1] == EAGAIN && top == max;

	step("3 processes started outside, then echo PID > b/cgroup.procs for each");
	for (int i = 0; i < 3; i++) {
		pid_t pid = start(l, NULL, -1);
		char val[16];
		snprintf(val, sizeof(val), "%d", (int)pid);
		if (pid < 0 || cg_write(cg, "pids", "b/cgroup.procs", val) < 0)
			return -1;
	}
	done();
	top = show_current(l, cg->name);
	say("   %lld %s pids.max %lld: moving a process in is never refused; only fork and clone "
	    "check the limit", top, top > max ? ">" : "<=", max);
	int over = top > max;
	say("=> result: %s", capped && over ? "the fork loop was capped with EAGAIN, and a "
	    "migration took pids.current above pids.max" : "not what the notes describe");
	return capped && over ? 0 : 1;
}

int pids_experiment(const struct cgroup *cg, long long max, volatile sig_atomic_t *stop)
{
	struct lab l = { 0 };
	int rc = run(&l, cg, max, stop);
	teardown(&l);
	return rc;
}
