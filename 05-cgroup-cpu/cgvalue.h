/* 05-cgroup-cpu/cgvalue.h — the values cgroup files hold, parsed and
 * formatted without touching the kernel: sizes, cpu.max, CPU counts,
 * /proc/PID/cgroup lines, and where each controller is mounted.
 * Used by 05, 06 and 08; every function here is pure and unit-tested. */
#ifndef CGVALUE_H
#define CGVALUE_H

#include <stddef.h>

#define CG_MAX (-1LL) /* "max": no limit */

/* "100m", "1G", "512k", "4096", "max" -> bytes (CG_MAX for "max").
 * Units are powers of 1024, upper or lower case, with an optional b/B.
 * Returns 0, or -1 with a one-line reason naming the value. */
int parse_size(const char *s, long long *bytes, char *why, size_t why_size);
/* bytes -> "100M", "1.5G", "4096B", "max". */
const char *format_size(long long bytes, char *buf, size_t size);

/* "50000 100000", "max 100000" or "max" -> quota (CG_MAX) and period in
 * microseconds (default 100000). The period must be 1000..1000000 us. */
int parse_cpu_max(const char *s, long long *quota, long long *period,
		  char *why, size_t why_size);
/* -> "50000 100000" or "max 100000", the text cpu.max takes. */
const char *format_cpu_max(long long quota, long long period, char *buf, size_t size);

/* "--cpus 0.5" -> quota for the given period: 0.5 * 100000 = 50000.
 * Accepts 0.01 .. 1024 with up to 3 decimals, like docker --cpus. */
int parse_cpus(const char *s, long long period, long long *quota,
	       char *why, size_t why_size);

/* One line of /proc/PID/cgroup: "4:memory:/a/b" (v1) or "0::/a/b" (v2).
 * Fields point into line, which is edited in place. */
struct cg_line {
	int id;
	char *controllers; /* "cpu,cpuacct", "name=systemd" or "" for v2 */
	char *path;
};
int parse_cgroup_line(char *line, struct cg_line *out);
/* In the text of /proc/PID/cgroup, the path for controller ("" = the v2
 * line). Copies it to path; 0, or -1 if absent. */
int cgroup_path_of(const char *text, const char *controller, char *path, size_t size);

/* In the text of /proc/self/mountinfo, the mount point of the v1 hierarchy
 * that carries controller, or of cgroup2 when controller is NULL. 0 or -1. */
int cgroup_mount_of(const char *mountinfo, const char *controller, char *mnt, size_t size);

/* The value of "key N" in a flat keyed file (cpu.stat, memory.events,
 * memory.oom_control). 0, or -1 if the key is missing. */
int keyed_value(const char *text, const char *key, unsigned long long *value);

#endif
