/* 05-cgroup-cpu/loops.c — see loops.h: busy loops started inside a
 * cgroup, and their CPU share sampled every second from the cgroup's own
 * accounting (cgstats.c), as the demo prints it. */
#define _GNU_SOURCE
#include "loops.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define BAR 20

volatile sig_atomic_t stop_signal;

void on_stop_signal(int sig)
{
	stop_signal = sig;
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bar(char *buf, double pct, double full)
{
	int n = (int)(pct / full * BAR + 0.5);
	if (n > BAR)
		n = BAR;
	for (int i = 0; i < BAR; i++)
		buf[i] = i < n ? '#' : '.';
	buf[BAR] = '\0';
}

/* Start n busy loops inside g's cgroup. Each child waits on a gate until the
 * parent has written its pid to cgroup.procs, so not one cycle is spent
 * outside the cgroup. (06 shows the v2 way: born inside with CLONE_INTO_CGROUP.) */
int start_loops(struct group *g, int n, int pin_cpu)
{
	for (int i = 0; i < n; i++) {
		struct gate gate;
		if (gate_init(&gate) < 0)
			return warn_errno("pipe2");
		pid_t pid = fork();
		if (pid < 0)
			return warn_errno("fork");
		if (pid == 0) {
			gate_child_side(&gate);
			/* If the demo is killed outright, take the loop with it.
			 * A child leaves by _exit: exit() would flush the copy of
			 * the --csv buffer it inherited, and the header twice. */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
				warn_errno("prctl(PR_SET_PDEATHSIG)");
				_exit(1);
			}
			gate_wait(&gate);
			if (pin_cpu >= 0) {
				cpu_set_t set;
				CPU_ZERO(&set);
				CPU_SET(pin_cpu, &set);
				if (sched_setaffinity(0, sizeof(set), &set) < 0) {
					warn_errno("sched_setaffinity(CPU %d)", pin_cpu);
					_exit(1);
				}
			}
			for (volatile unsigned long x = 0;; x++)
				;
		}
		gate_parent_side(&gate);
		g->pids[g->nloops++] = pid;
		if (cg_attach(&g->cg, pid) < 0)
			return -1;
		if (gate_open(&gate) < 0)
			return warn_errno("write to the gate of pid %d", (int)pid);
	}
	return 0;
}

void stop_loops(struct group *g)
{
	for (int i = 0; i < g->nloops; i++)
		kill(g->pids[i], SIGKILL);
	/* Reap each loop, even when a second Ctrl-C interrupts the wait:
	 * the cleanup that follows must not be skipped, so no die here. */
	for (int i = 0; i < g->nloops; i++)
		while (waitpid(g->pids[i], NULL, 0) < 0) {
			if (errno != EINTR) {
				warn_errno("waitpid %d", (int)g->pids[i]);
				break;
			}
		}
	g->nloops = 0;
}

static int sample_start(struct group *g)
{
	unsigned long long nr, thr;
	if (cg_cpu_usage(&g->cg, &g->last_usage) < 0 || cg_cpu_throttled(&g->cg, &nr, &thr) < 0)
		return -1;
	g->last_nr = nr;
	g->last_throttled = thr;
	g->share_sum = 0;
	g->samples = 0;
	return 0;
}

/* Run one phase: sleep a second at a time, print each group's share. */
int run_phase(struct group *gs, int ngroups, const char *phase, int seconds,
		     double full, double *t0, FILE *csv)
{
	for (int i = 0; i < ngroups; i++)
		if (sample_start(&gs[i]) < 0)
			return -1;
	double last = now_s();
	for (int s = 0; s < seconds && !stop_signal; s++) {
		/* sleep() returns early on a signal: Ctrl-C is handled at once */
		struct timespec ts = { 1, 0 };
		nanosleep(&ts, NULL);
		if (stop_signal)
			break;
		double t = now_s(), dt = t - last;
		last = t;
		for (int i = 0; i < ngroups; i++) {
			struct group *g = &gs[i];
			unsigned long long u, nr, thr;
			if (cg_cpu_usage(&g->cg, &u) < 0 || cg_cpu_throttled(&g->cg, &nr, &thr) < 0)
				return -1;
			double pct = (double)(u - g->last_usage) / (dt * 1e6) * 100.0;
			g->share_sum += pct;
			g->samples++;
			char b[BAR + 1];
			bar(b, pct, full);
			say("  t=%4.1fs %-8s [%s] %6.1f%%   nr_throttled %llu (+%llu)  throttled %.2fs",
			    t - *t0, ngroups > 1 ? strrchr(g->cg.name, '-') + 1 : "", b, pct,
			    nr, nr - g->last_nr, (double)thr / 1e6);
			if (csv)
				fprintf(csv, "%.2f,%s,%s,%.2f,%llu,%llu\n", t - *t0, phase,
					g->cg.name, pct, nr, thr);
			g->last_usage = u;
			g->last_nr = nr;
			g->last_throttled = thr;
		}
	}
	return 0;
}

double mean(const struct group *g)
{
	return g->samples ? g->share_sum / g->samples : 0;
}
