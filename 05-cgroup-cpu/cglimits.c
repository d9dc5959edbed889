/* 05-cgroup-cpu/cglimits.c — the limits of a cgroup, each written to the
 * file(s) the layout keeps it in: cpu.max or cpu.cfs_quota_us and
 * cpu.cfs_period_us; cpu.weight or cpu.shares; memory.max or
 * memory.limit_in_bytes, with swap closed; pids.max. See cgroup.h. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <stdio.h>
#include <unistd.h>

#include "cgvalue.h"

int cg_set_cpu_max(const struct cgroup *cg, long long quota, long long period)
{
	char buf[64];
	if (cg->layout == CG_LAYOUT_V2)
		return cg_write(cg, "cpu", "cpu.max", format_cpu_max(quota, period, buf, sizeof(buf)));
	/* v1 keeps the two numbers in two files; -1 means no quota. */
	snprintf(buf, sizeof(buf), "%lld", period);
	if (cg_write(cg, "cpu", "cpu.cfs_period_us", buf) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%lld", quota == CG_MAX ? -1 : quota);
	return cg_write(cg, "cpu", "cpu.cfs_quota_us", buf);
}

int cg_set_cpu_share(const struct cgroup *cg, unsigned weight_v2, unsigned shares_v1)
{
	char buf[32];
	if (cg->layout == CG_LAYOUT_V2) {
		snprintf(buf, sizeof(buf), "%u", weight_v2);
		return cg_write(cg, "cpu", "cpu.weight", buf);
	}
	snprintf(buf, sizeof(buf), "%u", shares_v1);
	return cg_write(cg, "cpu", "cpu.shares", buf);
}

int cg_set_memory_max(const struct cgroup *cg, long long bytes)
{
	char buf[32], path[320];
	if (bytes == CG_MAX)
		snprintf(buf, sizeof(buf), cg->layout == CG_LAYOUT_V2 ? "max" : "-1");
	else
		snprintf(buf, sizeof(buf), "%lld", bytes);
	if (cg->layout == CG_LAYOUT_V2) {
		if (cg_write(cg, "memory", "memory.max", buf) < 0)
			return -1;
		/* Without this the kernel swaps instead of killing, where swap exists. */
		cg_path(cg, "memory", "memory.swap.max", path, sizeof(path));
		if (access(path, F_OK) == 0 && cg_write(cg, "memory", "memory.swap.max", "0") < 0)
			return -1;
		return 0;
	}
	if (cg_write(cg, "memory", "memory.limit_in_bytes", buf) < 0)
		return -1;
	/* memsw = memory + swap; equal to the limit means no swap. It exists
	 * only with swap accounting, and must never be below limit_in_bytes. */
	cg_path(cg, "memory", "memory.memsw.limit_in_bytes", path, sizeof(path));
	if (access(path, F_OK) == 0 && cg_write(cg, "memory", "memory.memsw.limit_in_bytes", buf) < 0)
		return -1;
	return 0;
}

int cg_set_pids_max(const struct cgroup *cg, long long max)
{
	char buf[32];
	if (max == CG_MAX)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%lld", max);
	return cg_write(cg, "pids", "pids.max", buf);
}
