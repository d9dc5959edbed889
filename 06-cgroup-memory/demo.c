/* 06-cgroup-memory/demo.c — a child placed in a memory.max 100M cgroup from
 * its first instruction touches memory up to 2048M and is OOM-killed at the
 * limit; --late-attach shows the notes' pitfall: a worker forked before its
 * parent joined the cgroup escapes the limit, and memory charged before
 * joining is not counted; --after-join takes note 001's experiment to its
 * OOM (afterjoin.c); --pids counts and caps processes (pidsmax.c).
 * Reproduces: notes 000 "memory.max 100m, stress --vm-bytes 2048m, UseCgroupFD"
 * and notes 001 "memory" (limit_in_bytes, charged only after joining).
 * See clone3(2) CLONE_INTO_CGROUP, cgroup-v2.rst "memory". Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgvalue.h"
#include "common.h"
#include "cgspawn.h"
#include "afterjoin.h"
#include "pidsmax.h"

#define STEP (8LL << 20)
#define BAR 20

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 06-cgroup-memory/demo [--limit SIZE] [--touch SIZE]\n"
		"                             [--late-attach | --after-join | --pids]\n"
		"Put a child in a cgroup with a memory limit from its first instruction, let\n"
		"it touch memory until the kernel's OOM killer stops it. Needs root.\n"
		"  --limit SIZE    memory.max (v1 memory.limit_in_bytes), default 100M\n"
		"  --touch SIZE    how much the child touches, default 2048M (stress --vm-bytes)\n"
		"  --late-attach   the pitfall: attach the child's pid after it started and\n"
		"                  forked a worker; the worker escapes the limit\n"
		"  --after-join    note 001: the child holds 100M, joins a 50M cgroup, then takes\n"
		"                  10M a step; only what it takes after joining counts: OOM at step 5\n"
		"  --pids          pids.max 10 over a subtree: a fork loop capped with EAGAIN,\n"
		"                  then a migration that takes pids.current above pids.max\n"
		"  --help          this text\n"
		"SIZE is bytes or a number with k, m, g (like 100m).\n");
}

/* Touch `total` bytes in STEP chunks, reporting the running total on fd.
 * Kept mapped, like stress --vm-keep. */
static void toucher(long long total, int fd)
{
	for (long long done_bytes = 0; done_bytes < total;) {
		long long n = total - done_bytes < STEP ? total - done_bytes : STEP;
		char *p = mmap(NULL, (size_t)n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die_errno("mmap");
		memset(p, 0x5a, (size_t)n);
		done_bytes += n;
		if (write(fd, &done_bytes, sizeof(done_bytes)) != sizeof(done_bytes))
			_exit(3);
		usleep(20000); /* slow enough for the parent to watch it grow */
	}
}

/* If the demo is killed outright, take this child with it. Children leave
 * by _exit, never through the parent's exit path. */
static void die_with_parent(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		warn_errno("prctl(PR_SET_PDEATHSIG)");
		_exit(3);
	}
}

static void bar_line(const struct cgroup *cg, long long touched, long long limit)
{
	unsigned long long cur = 0;
	cg_memory_current(cg, &cur);
	char b[BAR + 1], t[32], c[32], l[32];
	int n = (int)((double)cur / (double)limit * BAR + 0.5);
	for (int i = 0; i < BAR; i++)
		b[i] = i < n ? '#' : '.';
	b[BAR] = '\0';
	say("   touched %7s   %s [%s] %7s / %s", format_size(touched, t, sizeof(t)),
	    cg_file_name(cg, "memory.current"), b, format_size((long long)cur, c, sizeof(c)),
	    format_size(limit, l, sizeof(l)));
}

static void show_memory_line(pid_t pid, const char *who)
{
	char path[64], text[2048], cgpath[512];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, text, sizeof(text)) < 0)
		return;
	if (cgroup_path_of(text, "memory", cgpath, sizeof(cgpath)) < 0 &&
	    cgroup_path_of(text, "", cgpath, sizeof(cgpath)) < 0)
		snprintf(cgpath, sizeof(cgpath), "?");
	say("   %s (pid %d) /proc/%d/cgroup memory path: %s", who, (int)pid, (int)pid, cgpath);
}

/* The default experiment: the child is inside before it runs. */
static int oom_experiment(const struct cgroup *cg, long long limit, long long touch)
{
	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	enum spawn_path how;
	char why[256], t[32];
	step("starting the child inside the cgroup");
	pid_t child = spawn_in_cgroup(cg, 0, NULL, &how, why, sizeof(why));
	if (child < 0)
		return -1;
	if (child == 0) {
		close(report[0]);
		die_with_parent();
		toucher(touch, report[1]);
		_exit(0);
	}
	close(report[1]);
	say("pid %d", (int)child);
	say("   path: %s", how == SPAWN_INTO_CGROUP ? "CLONE_INTO_CGROUP" : "attach before it runs (fallback)");
	say("   why:  %s", why);
	show_memory_line(child, "child");
	say("=> the child touches memory in %s steps up to %s (like stress --vm-bytes %s --vm-keep)",
	    format_size(STEP, t, sizeof(t)), format_size(touch, why, sizeof(why)), why);

	long long touched = 0, got;
	int lines = 0;
	while (!stop_signal && read(report[0], &got, sizeof(got)) == sizeof(got)) {
		touched = got;
		if (lines++ % 2 == 0)
			bar_line(cg, touched, limit);
	}
	close(report[0]);
	if (stop_signal) {
		kill(child, SIGKILL);
		wait_child(child);
		return -1;
	}
	int status = wait_child(child);
	char sbuf[64], p[32], l[32];
	unsigned long long kills = 0, peak = 0;
	cg_memory_oom_kills(cg, &kills);
	cg_memory_peak(cg, &peak);
	int killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	say("=> child %s after touching %s", describe_status(status, sbuf, sizeof(sbuf)),
	    format_size(touched, t, sizeof(t)));
	say("=> %s: %llu; %s: %s (limit %s; in bytes %llu <= %lld)", cg_file_name(cg, "oom_kill"),
	    kills, cg_file_name(cg, "memory.peak"), format_size((long long)peak, p, sizeof(p)),
	    format_size(limit, l, sizeof(l)), peak, limit);
	int ok = killed && kills >= 1 && (long long)peak <= limit;
	say("=> result: %s", ok ? "the OOM killer stopped the child at the limit"
		: "NOT killed at the limit (unexpected)");
	return ok ? 0 : 1;
}

/* The late-attach child: charges `before` bytes where it starts, forks the
 * worker stress would, reports the worker's pid on ready, and waits. The
 * worker touches `touch` bytes once the parent writes to go. */
static noreturn void late_child(int ready[2], int go[2], int report[2],
				long long before, long long touch)
{
	die_with_parent();
	close(ready[0]);
	close(go[1]);
	close(report[0]);
	int sink[2];
	if (pipe2(sink, O_CLOEXEC) < 0)
		_exit(3);
	toucher(before, sink[1]); /* charged to the cgroup we are in now */
	pid_t worker = fork();
	if (worker < 0)
		_exit(3);
	if (worker == 0) {
		die_with_parent();
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(0);
		toucher(touch, report[1]);
		for (;;)
			pause();
	}
	if (write(ready[1], &worker, sizeof(worker)) != sizeof(worker))
		_exit(3);
	for (;;)
		pause();
}

/* The pitfall: start first, attach later, as `cmd.Start()` then writing the
 * pid would. stress forks its worker at once; the worker is not moved. */
static int late_attach_experiment(const struct cgroup *cg, long long limit, long long touch)
{
	long long before = 48LL << 20;
	char t[32], l[32];
	int ready[2], go[2], report[2];
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	step("starting the child OUTSIDE the cgroup");
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		return warn_errno("fork");
	if (child == 0)
		late_child(ready, go, report, before, touch);
	close(ready[1]);
	close(go[0]);
	close(report[1]);
	say("pid %d", (int)child);
	pid_t worker = 0;
	int rc = 1;
	if (read(ready[0], &worker, sizeof(worker)) != sizeof(worker)) {
		warn_errno("the child did not start its worker");
		goto out;
	}
	say("=> child touched %s before joining, then forked worker pid %d (stress does the same)",
	    format_size(before, t, sizeof(t)), (int)worker);
	step("writing only the child's pid %d to cgroup.procs (late)", (int)child);
	if (cg_attach(cg, child) < 0)
		goto out;
	done();
	unsigned long long cur = 0;
	cg_memory_current(cg, &cur);
	say("=> %s right after the attach: %s, although the child holds %s: pages are "
	    "charged where they were touched, and stay there", cg_file_name(cg, "memory.current"),
	    format_size((long long)cur, t, sizeof(t)), format_size(before, l, sizeof(l)));
	show_memory_line(child, "child ");
	show_memory_line(worker, "worker");

	say("=> the worker now touches %s, %s beyond the limit", format_size(touch, t, sizeof(t)),
	    touch > limit ? "well" : "not");
	if (write(go[1], "g", 1) != 1)
		goto out;
	long long got = 0, touched = 0;
	while (!stop_signal && touched < touch && read(report[0], &got, sizeof(got)) == sizeof(got))
		touched = got;
	if (stop_signal)
		goto out;
	cg_memory_current(cg, &cur);
	int alive = kill(worker, 0) == 0;
	char lim[32];
	say("=> worker touched %s and is %s; the cgroup's %s is %s (limit %s)",
	    format_size(touched, t, sizeof(t)), alive ? "still running" : "gone",
	    cg_file_name(cg, "memory.current"), format_size((long long)cur, l, sizeof(l)),
	    format_size(limit, lim, sizeof(lim)));
	rc = alive && touched >= touch && (long long)cur < limit ? 0 : 1;
	say("=> result: %s", rc == 0 ? "the worker ESCAPED the limit: attach before the child runs "
	    "(the default mode) or use CLONE_INTO_CGROUP" : "the worker did not escape (unexpected)");
out:
	close(ready[0]);
	close(go[1]);
	close(report[0]);
	if (worker > 0)
		kill(worker, SIGKILL);
	kill(child, SIGKILL);
	wait_child(child);
	return rc;
}

/* The sizes and the mode from the command line; dies on a bad one. */
enum mode { OOM, LATE, AFTER_JOIN, PIDS };

static void parse_args(int argc, char **argv, long long *limit, long long *touch, enum mode *mode)
{
	int touch_given = 0, limit_given = 0;
	char why[256];
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "touch", required_argument, NULL, 't' },
		{ "late-attach", no_argument, NULL, 'a' },
		{ "after-join", no_argument, NULL, 'j' },
		{ "pids", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_size(optarg, limit, why, sizeof(why)) < 0)
				die("--limit: %s", why);
			if (*limit == CG_MAX)
				die("--limit max: the experiment needs a limit; give a size like 100m");
			if (*limit < (8LL << 20))
				die("--limit '%s': give at least 8m, or the child dies before it starts", optarg);
			limit_given = 1;
			break;
		case 't':
			if (parse_size(optarg, touch, why, sizeof(why)) < 0 || *touch == CG_MAX)
				die("--touch: %s", *touch == CG_MAX ? "give a size like 2048m, not max" : why);
			if (*touch > (64LL << 30))
				die("--touch '%s': give at most 64g", optarg);
			touch_given = 1;
			break;
		case 'a': case 'j': case 'p':
			if (*mode != OOM)
				die("--late-attach, --after-join and --pids are separate experiments; give one");
			*mode = c == 'a' ? LATE : c == 'j' ? AFTER_JOIN : PIDS;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	/* The escaping worker really allocates on the host: keep it modest. */
	if (*mode == LATE && !touch_given)
		*touch = 3 * *limit;
	if ((*mode == AFTER_JOIN || *mode == PIDS) && touch_given)
		die("--touch is for the default experiment and --late-attach");
	if (*mode == PIDS && limit_given)
		die("--pids sets pids.max, not a memory limit: drop --limit");
	if (*mode == AFTER_JOIN && !limit_given)
		*limit = 50LL << 20; /* note 001's numbers: 50M, 100M before, 10M steps */
}

int main(int argc, char **argv)
{
	prog_name = "06-cgroup-memory";
	long long limit = 100LL << 20, touch = 2048LL << 20;
	enum mode mode = OOM;
	parse_args(argc, argv, &limit, &touch, &mode);
	if (geteuid() != 0)
		die("creating a cgroup needs root: run with sudo");

	catch_stop_signals(on_signal);

	struct cgroup cg;
	char leaf[64], l[32];
	int rc = 1;
	snprintf(leaf, sizeof(leaf), "06-%s-%d", mode == PIDS ? "pids" : "mem", (int)getpid());
	enum cg_layout layout;
	if (cg_detect(&layout) < 0)
		return 1;
	say("=> cgroup layout: %s", cg_layout_name(layout));
	step("creating cgroup %s/%s", CG_PARENT, leaf);
	if (cg_create(&cg, leaf, mode == PIDS ? CG_PIDS : CG_MEMORY) < 0)
		return 1;
	done();
	say("   %s", cg.dirs[0].path);
	if (mode == PIDS) {
		rc = pids_experiment(&cg, 10, &stop_signal) != 0;
		goto cleanup;
	}
	step("%s = %s, no swap (%s)", cg_file_name(&cg, "memory.max"), format_size(limit, l, sizeof(l)),
	     layout == CG_LAYOUT_V2 ? "memory.swap.max 0" : "memory.memsw.limit_in_bytes, if present");
	if (cg_set_memory_max(&cg, limit) < 0)
		goto cleanup;
	done();

	if (mode == AFTER_JOIN)
		rc = after_join_experiment(&cg, limit, 100LL << 20, 10LL << 20, &stop_signal) != 0;
	else
		rc = mode == LATE ? late_attach_experiment(&cg, limit, touch) : oom_experiment(&cg, limit, touch);

cleanup:
	if (stop_signal)
		say("\n=> caught SIG%s: cleaning up", sigabbrev_np(stop_signal));
	step("removing cgroup %s", cg.name);
	if (cg_destroy(&cg) < 0)
		rc = 1;
	else
		done();
	return stop_signal ? 128 + stop_signal : rc;
}
