/* 05-cgroup-cpu/cgroup.h — make, limit, watch and remove a cgroup of the
 * project's own, on pure cgroup v2, hybrid (v1 controllers + cgroup2 at
 * /sys/fs/cgroup/unified) and v1-only hosts. Reused by 06 and 08.
 * Every cgroup lives under a parent named "mini-docker"; nothing else on the
 * host is touched except enabling controllers in cgroup.subtree_control on v2. */
#ifndef CGROUP_H
#define CGROUP_H

#include <stddef.h>
#include <sys/types.h>

enum cg_layout { CG_LAYOUT_V2, CG_LAYOUT_HYBRID, CG_LAYOUT_V1 };
#define CG_PARENT "mini-docker"

/* The layout from statfs(2) f_type of /sys/fs/cgroup and of
 * /sys/fs/cgroup/unified (0 if that does not exist). Pure. */
enum cg_layout cg_layout_from_magic(long root_magic, long unified_magic);
const char *cg_layout_name(enum cg_layout layout);
/* statfs the real /sys/fs/cgroup. 0, or -1 after printing why. */
int cg_detect(enum cg_layout *layout);

/* What a cgroup is made for. On v1, CG_CPU means the cpu and the cpuacct
 * hierarchies (mounted together or apart). */
enum { CG_CPU = 1, CG_MEMORY = 2, CG_PIDS = 4 };

struct cgroup {
	enum cg_layout layout;
	char name[128];                 /* "mini-docker/05-cpu-1234" */
	int ndirs;
	struct cg_dir {
		char ctrl[16];          /* v1 controller; "" on v2 */
		char path[512];
	} dirs[4];
	char frozen_home[512];          /* v1 freezer: where cg_thaw puts the tasks back */
};

/* mkdir CG_PARENT/leaf in every hierarchy the controllers need (v2: one,
 * after enabling them top-down). 0, or -1 after printing why; on failure
 * nothing is left behind. */
int cg_create(struct cgroup *cg, const char *leaf, unsigned controllers);
/* Fill cg for an existing CG_PARENT/leaf without creating anything (to
 * remove what a killed process left). 0, or -1 after printing why. */
int cg_lookup(struct cgroup *cg, const char *leaf, unsigned controllers);
/* Kill what is left inside, rmdir (retrying while the kernel still
 * counts dying tasks), then rmdir CG_PARENT if it is empty. Safe to call
 * twice and on a half-made cgroup. 0, or -1 after printing why. */
int cg_destroy(struct cgroup *cg);

/* The directory of the hierarchy carrying ctrl ("cpu", "cpuacct",
 * "memory", "pids"; any on v2), or NULL. */
const char *cg_dir(const struct cgroup *cg, const char *ctrl);
/* dir/file for the hierarchy carrying ctrl. 0, or -1 after printing why
 * (no such hierarchy; errno ENOENT). */
int cg_path(const struct cgroup *cg, const char *ctrl, const char *file,
	    char *path, size_t size);
/* Write or read one file, e.g. cg_write(cg, "cpu", "cpu.max", "50000 100000").
 * Errors name the path. */
int cg_write(const struct cgroup *cg, const char *ctrl, const char *file, const char *value);
int cg_read(const struct cgroup *cg, const char *ctrl, const char *file, char *buf, size_t size);
/* Move pid into the cgroup in every hierarchy (cgroup.procs). */
int cg_attach(const struct cgroup *cg, pid_t pid);
/* v2 only: an O_PATH directory fd for clone3's CLONE_INTO_CGROUP. */
int cg_open_fd(const struct cgroup *cg);

/* Pause every task in the cgroup and wait (up to timeout_ms) until the
 * kernel reports them all stopped; cg_thaw lets them go on. On v2 this is
 * the cgroup's own cgroup.freeze (cgroup.events says "frozen 1"). On v1 and
 * hybrid the freezer is a hierarchy of its own that cg_create does not
 * join: cg_freeze moves the tasks into CG_PARENT/leaf there, writes FROZEN
 * to freezer.state and waits until it reads FROZEN; cg_thaw moves them back
 * where they were and removes that directory. cg_destroy thaws a cgroup a
 * killed caller left frozen (frozen tasks cannot die). freezer.c. Each 0,
 * or -1 after printing why; a failed cg_freeze has thawed again. */
int cg_freeze(struct cgroup *cg, int timeout_ms);
int cg_thaw(struct cgroup *cg);
/* v1: the freezer leaf's path for cg (whether or not it exists); NULL on
 * v2 or without a freezer hierarchy. */
const char *cg_freezer_dir(const struct cgroup *cg, char *buf, size_t size);
/* Is every pid of list (cgroup.procs text, one a line) also in of? v1's
 * freezer uses it to know no task was left outside the frozen leaf. Pure. */
int cg_procs_within(const char *list, const char *of);

/* Limits, written to the right files for the layout. CG_MAX lifts them.
 * cglimits.c. */
int cg_set_cpu_max(const struct cgroup *cg, long long quota_us, long long period_us);
int cg_set_cpu_share(const struct cgroup *cg, unsigned weight_v2, unsigned shares_v1);
int cg_set_memory_max(const struct cgroup *cg, long long bytes);
int cg_set_pids_max(const struct cgroup *cg, long long max);

/* Statistics. CPU time in microseconds (v2 cpu.stat usage_usec, v1
 * cpuacct.usage); memory in bytes; peak is memory.peak or
 * memory.max_usage_in_bytes; oom kills from memory.events or
 * memory.oom_control. Each returns 0 or -1. cgstats.c. */
int cg_cpu_usage(const struct cgroup *cg, unsigned long long *usec);
int cg_cpu_throttled(const struct cgroup *cg, unsigned long long *nr, unsigned long long *usec);
int cg_memory_current(const struct cgroup *cg, unsigned long long *bytes);
int cg_memory_peak(const struct cgroup *cg, unsigned long long *bytes);
int cg_memory_oom_kills(const struct cgroup *cg, unsigned long long *count);
/* Name of the file behind a statistic, for narration: "cpu.stat usage_usec". */
const char *cg_file_name(const struct cgroup *cg, const char *what);

#endif
