/* 05-cgroup-cpu/cgtour.c — the notes' cgroup walk-through, by hand: what
 * lssubsys -a and /proc/cgroups show, what mkdir in a cgroup filesystem
 * creates, and the blog's order for the CPU limit: the loop runs first, at
 * ~100% in top, and only then is its pid echoed into cgroup.procs.
 * Reproduces: notes 000 "cgroups" (lssubsys -a, ls my-hierarchy, top 99.7%
 * -> 49.8%) and notes 001 "cat /proc/cgroups". See cgroups(7), proc(5)
 * (/proc/cgroups, /proc/PID/stat). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgtour.h"
#include "cgvalue.h"
#include "common.h"
#include "mountinfo.h"

int proc_cgroups_parse_line(const char *line, struct subsys_row *row)
{
	char extra;
	if (line[0] == '#')
		return -1;
	if (sscanf(line, "%31s %d %d %d %c", row->name, &row->hierarchy, &row->num_cgroups,
		   &row->enabled, &extra) != 4)
		return -1;
	return 0;
}

int proc_stat_times(const char *text, char *state, unsigned long long *ticks)
{
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ')
		return -1;
	/* After ") ": 3 state, 4 ppid ... 14 utime, 15 stime (proc(5)). */
	char st;
	unsigned long long ut, stime;
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &st, &ut, &stime) != 3)
		return -1;
	*state = st;
	*ticks = ut + stime;
	return 0;
}

static int show_proc_cgroups(void)
{
	char text[4096];
	if (read_file("/proc/cgroups", text, sizeof(text)) < 0)
		return warn_errno("read /proc/cgroups");
	say("=> /proc/cgroups, the kernel's list of controllers (what `lssubsys -a` prints);");
	say("   hierarchy 0 means no v1 hierarchy carries it: it is on cgroup2, or unused");
	say("   %-12s %9s %12s %8s", "subsys_name", "hierarchy", "num_cgroups", "enabled");
	for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct subsys_row r;
		if (proc_cgroups_parse_line(line, &r) == 0)
			say("   %-12s %9d %12d %8d", r.name, r.hierarchy, r.num_cgroups, r.enabled);
	}
	return 0;
}

int show_hierarchies(enum cg_layout layout)
{
	if (show_proc_cgroups() < 0)
		return -1;
	static char text[64 * 1024];
	if (read_file("/proc/self/mountinfo", text, sizeof(text)) < 0)
		return warn_errno("read /proc/self/mountinfo");
	say("=> cgroup filesystems in /proc/self/mountinfo:");
	char v2root[512] = "";
	for (char *save, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mount_entry e;
		if (mountinfo_parse_line(line, &e) < 0)
			continue;
		if (strcmp(e.fstype, "cgroup2") == 0) {
			say("   %-28s cgroup2  (one tree for every controller it was given)", e.mountpoint);
			if (!v2root[0])
				snprintf(v2root, sizeof(v2root), "%s", e.mountpoint);
		} else if (strcmp(e.fstype, "cgroup") == 0) {
			/* v1: the controllers are mount options of the hierarchy */
			say("   %-28s cgroup   options %s", e.mountpoint, e.super_options);
		}
	}
	if (v2root[0]) {
		char path[600], ctrls[512];
		snprintf(path, sizeof(path), "%s/cgroup.controllers", v2root);
		if (read_file(path, ctrls, sizeof(ctrls)) < 0)
			return warn_errno("read %s", path);
		say("=> %s: \"%s\"", path, ctrls);
		if (layout == CG_LAYOUT_HYBRID)
			say("   (hybrid: a controller is on a v1 hierarchy or on cgroup2, never both)");
	}
	return 0;
}

static int list_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return warn_errno("scandir %s", dir);
	int files = 0;
	char line[96] = "";
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (name[0] != '.') {
			files++;
			if (strlen(line) + strlen(name) + 2 > 76) {
				say("     %s", line);
				line[0] = '\0';
			}
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
				 line[0] ? "  " : "", name);
		}
		free(names[i]);
	}
	free(names);
	if (line[0])
		say("     %s", line);
	return files;
}

int show_new_files(const struct cgroup *cg)
{
	for (int i = 0; i < cg->ndirs; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(cg->dirs[i].path, cg->dirs[j].path) == 0;
		if (seen)
			continue;
		say("=> the kernel filled %s with:", cg->dirs[i].path);
		int n = list_dir(cg->dirs[i].path);
		if (n < 0)
			return -1;
		say("   %d files, none written by us: mkdir is the whole API", n);
	}
	return 0;
}

struct watch {
	pid_t pid;
	long hz;
	char user[32];
	unsigned long long last_ticks;
	struct timespec last;
	double sum;
	int samples;
};

static double since(struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double d = (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
	*t = now;
	return d;
}

/* Where pid is, as /proc/PID/cgroup says, in the hierarchy carrying cpu. */
static void cpu_cgroup_of(pid_t pid, char *buf, size_t size)
{
	char path[64], text[2048];
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, text, sizeof(text)) < 0 ||
	    (cgroup_path_of(text, "cpu", buf, size) < 0 && cgroup_path_of(text, "", buf, size) < 0))
		snprintf(buf, size, "?");
}

static int read_ticks(struct watch *w, char *state, unsigned long long *ticks)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)w->pid);
	if (read_file(path, text, sizeof(text)) < 0)
		return warn_errno("read %s", path);
	if (proc_stat_times(text, state, ticks) < 0) {
		fprintf(stderr, "%s: %s: cannot parse \"%s\"\n", prog_name, path, text);
		return -1;
	}
	return 0;
}

/* One top-like line a second, for `seconds` seconds. */
static int watch_phase(struct watch *w, int seconds, volatile sig_atomic_t *stop)
{
	w->sum = 0;
	w->samples = 0;
	say("       PID USER     S   %%CPU     TIME+ COMMAND    /proc/PID/cgroup (cpu)");
	for (int s = 0; s < seconds && !*stop; s++) {
		struct timespec ts = { 1, 0 };
		nanosleep(&ts, NULL); /* returns early on Ctrl-C */
		if (*stop)
			break;
		char state, cg[256];
		unsigned long long ticks;
		if (read_ticks(w, &state, &ticks) < 0)
			return -1;
		double pct = (double)(ticks - w->last_ticks) / (double)w->hz / since(&w->last) * 100.0;
		w->last_ticks = ticks;
		w->sum += pct;
		w->samples++;
		unsigned long long cs = ticks * 100 / (unsigned long long)w->hz;
		cpu_cgroup_of(w->pid, cg, sizeof(cg));
		say("   %7d %-8s %c %6.1f %3llu:%02llu.%02llu busy-loop  %s", (int)w->pid, w->user,
		    state, pct, cs / 6000, cs / 100 % 60, cs % 100, cg);
	}
	return *stop ? -1 : 0;
}

static pid_t start_busy_loop(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* Killed with the demo even by SIGKILL; named for the COMMAND column. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || prctl(PR_SET_NAME, "busy-loop") < 0)
			_exit(1);
		for (volatile unsigned long x = 0;; x++)
			;
	}
	return pid;
}

int move_in_experiment(const struct cgroup *cg, long long quota, long long period,
		       int seconds, volatile sig_atomic_t *stop)
{
	char cur[64];
	format_cpu_max(quota, period, cur, sizeof(cur));
	step("%s \"%s\" on the empty cgroup", cg_file_name(cg, "cpu.max"), cur);
	if (cg_set_cpu_max(cg, quota, period) < 0)
		return -1;
	done();
	double target = quota == CG_MAX ? 100.0 : 100.0 * (double)quota / (double)period;
	struct watch w = { .hz = sysconf(_SC_CLK_TCK) };
	struct passwd *pw = getpwuid(geteuid());
	snprintf(w.user, sizeof(w.user), "%s", pw ? pw->pw_name : "?");
	step("starting a busy loop (`while :; do :; done &`) OUTSIDE the cgroup");
	w.pid = start_busy_loop();
	if (w.pid < 0)
		return warn_errno("fork");
	say("pid %d", (int)w.pid);
	int rc = -1;
	char state;
	if (read_ticks(&w, &state, &w.last_ticks) < 0)
		goto out;
	since(&w.last);
	say("=> %d s as top shows it: %%CPU from utime+stime in /proc/%d/stat, %ld ticks a second",
	    seconds, (int)w.pid, w.hz);
	if (watch_phase(&w, seconds, stop) < 0)
		goto out;
	double before = w.sum / w.samples;
	step("echo %d >> %s/cgroup.procs", (int)w.pid, cg_dir(cg, "cpu"));
	if (cg_attach(cg, w.pid) < 0)
		goto out;
	done();
	say("=> the same loop, same pid, now under the limit: %d s", seconds);
	if (watch_phase(&w, seconds, stop) < 0)
		goto out;
	say("=> %%CPU of pid %d: %.1f%% before the move, %.1f%% after (target %.1f%%)",
	    (int)w.pid, before, w.sum / w.samples, target > 100 ? 100 : target);
	rc = 0;
out:
	kill(w.pid, SIGKILL);
	while (waitpid(w.pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}
