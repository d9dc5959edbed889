/* 05-cgroup-cpu/loops.h — the demo's busy loops (`while :; do :; done`
 * in C), started inside a cgroup, and the CPU share each group gets,
 * measured every second from the cgroup's own accounting (cpu.stat
 * usage_usec, v1 cpuacct.usage) rather than from top. Used by demo.c. */
#ifndef LOOPS_H
#define LOOPS_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"

#define MAX_LOOPS 16

/* One cgroup, its loops, and the samples taken of it. */
struct group {
	struct cgroup cg;
	pid_t pids[MAX_LOOPS];
	int nloops;
	unsigned long long last_usage, last_nr, last_throttled;
	double share_sum;
	int samples;
};

/* The stop signal (Ctrl-C, SIGTERM, SIGHUP) that ended a phase early, or
 * 0; on_stop_signal is the handler that sets it. */
extern volatile sig_atomic_t stop_signal;
void on_stop_signal(int sig);

double now_s(void);
/* Start n busy loops inside g's cgroup, each pinned to CPU pin_cpu unless
 * it is -1. Each child waits on a gate until the parent has written its
 * pid to cgroup.procs, so not one cycle is spent outside the cgroup (06
 * shows the v2 way: born inside with CLONE_INTO_CGROUP). 0 or -1 (printed). */
int start_loops(struct group *g, int n, int pin_cpu);
/* Kill and reap every loop of g, even when a second Ctrl-C interrupts. */
void stop_loops(struct group *g);
/* One phase: every second, each group's share of a CPU (full is 100% per
 * loop) as a bar, with its throttling counters, and a CSV row if csv is
 * not NULL. Ends early on a stop signal. 0 or -1 (printed). */
int run_phase(struct group *gs, int ngroups, const char *phase, int seconds,
	      double full, double *t0, FILE *csv);
/* The mean share over the last phase's samples. */
double mean(const struct group *g);

#endif
