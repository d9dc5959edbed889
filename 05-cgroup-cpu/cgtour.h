/* 05-cgroup-cpu/cgtour.h — two of the notes' cgroup experiments done by hand:
 * which controllers each layout offers and what files a new cgroup gets
 * (--controllers), and a busy loop that is already running moved into a
 * limited cgroup by writing its pid to cgroup.procs, watched like top
 * (--move-in). Linked into 05's demo only. */
#ifndef CGTOUR_H
#define CGTOUR_H

#include <signal.h>
#include <stddef.h>

#include "cgroup.h"

/* One data line of /proc/cgroups: "cpu\t1\t3\t1". 0, or -1 for the header
 * or a malformed line. Pure. */
struct subsys_row {
	char name[32];
	int hierarchy, num_cgroups, enabled;
};
int proc_cgroups_parse_line(const char *line, struct subsys_row *row);

/* From the text of /proc/PID/stat: the state letter and utime+stime in
 * clock ticks. The command name is in parentheses and may itself hold
 * spaces and ')', so fields are counted from the last ')'. 0 or -1. Pure. */
int proc_stat_times(const char *text, char *state, unsigned long long *ticks);

/* --controllers, before any cgroup of ours exists: /proc/cgroups, the
 * cgroup mounts in mountinfo with the controllers each carries, and the
 * cgroup2 root's cgroup.controllers. 0, or -1 after printing why. */
int show_hierarchies(enum cg_layout layout);
/* --controllers, once cg exists: the files the kernel made in each of its
 * directories. 0 or -1. */
int show_new_files(const struct cgroup *cg);

/* --move-in: cpu.max quota/period on the empty cg; a busy loop started
 * outside, watched for `seconds` with a top-like line per second (%CPU from
 * /proc/PID/stat); its pid written to cg's cgroup.procs; watched again.
 * Stops early when *stop is set; the loop is killed and reaped on every
 * path. 0, or -1. */
int move_in_experiment(const struct cgroup *cg, long long quota, long long period,
		       int seconds, volatile sig_atomic_t *stop);

#endif
