/* 05-cgroup-cpu/cgstats.c — what a cgroup has used: CPU time and
 * throttling, memory now and at its peak, OOM kills; and the name of the
 * file each figure comes from on this layout, for narration. See cgroup.h. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgvalue.h"
#include "common.h"

static int read_keyed(const struct cgroup *cg, const char *ctrl, const char *file,
		      const char *key, unsigned long long *v)
{
	char buf[4096];
	if (cg_read(cg, ctrl, file, buf, sizeof(buf)) < 0)
		return -1;
	if (keyed_value(buf, key, v) < 0) {
		fprintf(stderr, "%s: no '%s' in %s/%s\n", prog_name, key, cg_dir(cg, ctrl), file);
		return -1;
	}
	return 0;
}

static int read_number(const struct cgroup *cg, const char *ctrl, const char *file,
		       unsigned long long *v)
{
	char buf[64];
	if (cg_read(cg, ctrl, file, buf, sizeof(buf)) < 0)
		return -1;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

int cg_cpu_usage(const struct cgroup *cg, unsigned long long *usec)
{
	if (cg->layout == CG_LAYOUT_V2)
		return read_keyed(cg, "cpu", "cpu.stat", "usage_usec", usec);
	unsigned long long ns;
	if (read_number(cg, "cpuacct", "cpuacct.usage", &ns) < 0)
		return -1;
	*usec = ns / 1000;
	return 0;
}

int cg_cpu_throttled(const struct cgroup *cg, unsigned long long *nr, unsigned long long *usec)
{
	if (read_keyed(cg, "cpu", "cpu.stat", "nr_throttled", nr) < 0)
		return -1;
	if (cg->layout == CG_LAYOUT_V2)
		return read_keyed(cg, "cpu", "cpu.stat", "throttled_usec", usec);
	unsigned long long ns;
	if (read_keyed(cg, "cpu", "cpu.stat", "throttled_time", &ns) < 0)
		return -1;
	*usec = ns / 1000;
	return 0;
}

int cg_memory_current(const struct cgroup *cg, unsigned long long *bytes)
{
	return read_number(cg, "memory", cg->layout == CG_LAYOUT_V2 ? "memory.current"
				  : "memory.usage_in_bytes", bytes);
}

int cg_memory_peak(const struct cgroup *cg, unsigned long long *bytes)
{
	return read_number(cg, "memory", cg->layout == CG_LAYOUT_V2 ? "memory.peak"
				  : "memory.max_usage_in_bytes", bytes);
}

int cg_memory_oom_kills(const struct cgroup *cg, unsigned long long *count)
{
	return read_keyed(cg, "memory", cg->layout == CG_LAYOUT_V2 ? "memory.events"
			  : "memory.oom_control", "oom_kill", count);
}

const char *cg_file_name(const struct cgroup *cg, const char *what)
{
	int v2 = cg->layout == CG_LAYOUT_V2;
	if (strcmp(what, "cpu.usage") == 0)
		return v2 ? "cpu.stat usage_usec" : "cpuacct.usage";
	if (strcmp(what, "cpu.max") == 0)
		return v2 ? "cpu.max" : "cpu.cfs_quota_us/cpu.cfs_period_us";
	if (strcmp(what, "cpu.weight") == 0)
		return v2 ? "cpu.weight" : "cpu.shares";
	if (strcmp(what, "memory.max") == 0)
		return v2 ? "memory.max" : "memory.limit_in_bytes";
	if (strcmp(what, "memory.current") == 0)
		return v2 ? "memory.current" : "memory.usage_in_bytes";
	if (strcmp(what, "memory.peak") == 0)
		return v2 ? "memory.peak" : "memory.max_usage_in_bytes";
	if (strcmp(what, "oom_kill") == 0)
		return v2 ? "memory.events oom_kill" : "memory.oom_control oom_kill";
	return what;
}
