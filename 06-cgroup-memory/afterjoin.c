/* 06-cgroup-memory/afterjoin.c — note 001's experiment: limit 50M, a process
 * that already holds 100M joins, then takes 10M per step; the fifth step is
 * its last. Pages are charged to the cgroup the process was in when it first
 * touched them, and stay there: joining moves the process, not its memory
 * (v1's memory.move_charge_at_immigrate could move it; it is off by default,
 * and v2 has no such switch). See cgroup-v2.rst "Memory Ownership". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "afterjoin.h"
#include "cgvalue.h"
#include "common.h"

/* Touch n fresh bytes and keep them (stress --vm-keep). 0 or -1. */
static int touch(long long n)
{
	char *p = mmap(NULL, (size_t)n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memset(p, 0x5a, (size_t)n);
	return 0;
}

/* The child: `before` bytes, a report, then one `step` per byte read on go,
 * a report after each. Killed by the parent or the OOM killer. */
static void child_side(int go, int report, long long before, long long chunk)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || touch(before) < 0)
		_exit(3);
	long long total = before;
	char c;
	while (write(report, &total, sizeof(total)) == sizeof(total) && read(go, &c, 1) == 1) {
		if (touch(chunk) < 0)
			_exit(3);
		total += chunk;
	}
	_exit(0);
}

/* "VmRSS: 102640 kB" of pid, as bytes; 0 if it cannot be read. */
static long long rss_of(pid_t pid)
{
	char path[64], text[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, text, sizeof(text)) < 0)
		return 0;
	const char *p = strstr(text, "VmRSS:");
	long long kb = 0;
	if (p)
		sscanf(p + 6, "%lld", &kb);
	return kb * 1024;
}

static void show(const struct cgroup *cg, pid_t pid, const char *when)
{
	unsigned long long cur = 0;
	char a[32], b[32];
	cg_memory_current(cg, &cur);
	say("   %-22s %s %9s   child's VmRSS %9s", when, cg_file_name(cg, "memory.current"),
	    format_size((long long)cur, a, sizeof(a)), format_size(rss_of(pid), b, sizeof(b)));
}

/* The steps after joining, until the child dies or touches 2 * limit.
 * Returns the number of the step it died on, 0 if it did not, -1 on stop. */
static int step_until_killed(const struct cgroup *cg, pid_t child, int go, int report,
			     long long limit, long long chunk, volatile sig_atomic_t *stop)
{
	char s[32];
	for (int n = 1; n * chunk <= 2 * limit; n++) {
		struct timespec ts = { 0, 300 * 1000 * 1000 }; /* a key press, roughly */
		nanosleep(&ts, NULL);
		if (*stop)
			return -1;
		step("step %d: the child touches %s more", n, format_size(chunk, s, sizeof(s)));
		long long total;
		if (write(go, "s", 1) != 1 || read(report, &total, sizeof(total)) != sizeof(total)) {
			if (*stop) /* the read was interrupted, not ended */
				return -1;
			say("no answer: the child is gone");
			return n;
		}
		done();
		show(cg, child, "");
	}
	return 0;
}

int after_join_experiment(const struct cgroup *cg, long long limit, long long before,
			  long long step_bytes, volatile sig_atomic_t *stop)
{
	int go[2], report[2];
	char b[32], s[32], l[32];
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	step("starting the child OUTSIDE the cgroup; it touches %s there",
	     format_size(before, b, sizeof(b)));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		return warn_errno("fork");
	if (child == 0) {
		close(go[1]);
		close(report[0]);
		child_side(go[0], report[1], before, step_bytes);
	}
	close(go[0]);
	close(report[1]);
	int rc = -1;
	long long total;
	if (read(report[0], &total, sizeof(total)) != sizeof(total)) {
		warn_errno("the child died before it touched %s", b);
		goto out;
	}
	say("pid %d", (int)child);
	show(cg, child, "before joining:");
	step("echo %d > %s/cgroup.procs", (int)child, cg_dir(cg, "memory"));
	if (cg_attach(cg, child) < 0)
		goto out;
	done();
	show(cg, child, "right after joining:");
	say("=> the %s it holds stayed charged where it was touched; now %s per step, limit %s",
	    b, format_size(step_bytes, s, sizeof(s)), format_size(limit, l, sizeof(l)));
	int died_on = step_until_killed(cg, child, go[1], report[0], limit, step_bytes, stop);
	if (died_on < 0)
		goto out;
	close(go[1]);
	go[1] = -1;
	if (died_on == 0)
		kill(child, SIGKILL);
	int status = wait_child(child);
	child = 0;
	char st[64];
	unsigned long long kills = 0;
	cg_memory_oom_kills(cg, &kills);
	say("=> child %s on step %d; %s: %llu", describe_status(status, st, sizeof(st)), died_on,
	    cg_file_name(cg, "oom_kill"), kills);
	int ok = died_on > 0 && kills >= 1 && (died_on - 1) * step_bytes < limit;
	say("=> result: %s", ok ? "killed once what it touched AFTER joining passed the limit; "
	    "the memory from before never counted" : "not the expected OOM kill");
	rc = ok ? 0 : 1;
out:
	if (go[1] >= 0)
		close(go[1]);
	close(report[0]);
	if (child > 0) {
		kill(child, SIGKILL);
		wait_child(child);
	}
	return rc;
}
