/* 05-cgroup-cpu/cgroup.c — a cgroup of the project's own: which layout the
 * host has, where the cgroup's directories are, creating and removing them,
 * and reading, writing and joining them. Its limits are in cglimits.c, its
 * statistics in cgstats.c, the freezer in freezer.c. See cgroup.h. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cgvalue.h"
#include "common.h"
#include "mountinfo.h"

#define CG_ROOT "/sys/fs/cgroup"

enum cg_layout cg_layout_from_magic(long root_magic, long unified_magic)
{
	if (root_magic == CGROUP2_SUPER_MAGIC)
		return CG_LAYOUT_V2;
	/* Hybrid: v1 hierarchies on a tmpfs, plus cgroup2 at "unified"
	 * (systemd's default before v2 became the default). */
	if (unified_magic == CGROUP2_SUPER_MAGIC)
		return CG_LAYOUT_HYBRID;
	return CG_LAYOUT_V1;
}

const char *cg_layout_name(enum cg_layout layout)
{
	switch (layout) {
	case CG_LAYOUT_V2: return "cgroup v2";
	case CG_LAYOUT_HYBRID: return "hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)";
	default: return "cgroup v1";
	}
}

int cg_detect(enum cg_layout *layout)
{
	struct statfs root, unified;
	if (statfs(CG_ROOT, &root) < 0)
		return warn_errno("statfs %s", CG_ROOT);
	long umagic = statfs(CG_ROOT "/unified", &unified) == 0 ? (long)unified.f_type : 0;
	*layout = cg_layout_from_magic((long)root.f_type, umagic);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- creating ------------------------------------------------------------ */

static int mkdir_ok_if_exists(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return warn_errno("mkdir %s", path);
	return 0;
}

/* v2: a controller can be enabled for children only if the parent has it
 * in cgroup.controllers; enable it in each level's subtree_control from the
 * root down. A cgroup with enabled controllers may hold no processes itself
 * (the "no internal processes" rule), so tasks only ever go to leaves. */
static int v2_enable(const char *dir, const char *ctrl)
{
	char path[600], have[512], word[24];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_file(path, have, sizeof(have)) < 0)
		return warn_errno("read %s", path);
	/* cgroup.controllers is space-separated */
	for (char *p = have; *p; p++)
		if (*p == ' ')
			*p = ',';
	if (!mountinfo_has_option(have, ctrl)) {
		fprintf(stderr, "%s: %s lists no '%s' controller (it has: %s); "
			"on this host the controller is not available to cgroup v2\n",
			prog_name, path, ctrl, have[0] ? have : "none");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	snprintf(word, sizeof(word), "+%s", ctrl);
	if (write_file(path, word) < 0)
		return warn_errno("write \"%s\" to %s", word, path);
	return 0;
}

static const char *v2_ctrls[] = { "cpu", "memory", "pids" };

/* Fill cg->dirs with where CG_PARENT/leaf lives for the controllers, without
 * creating anything; v2root gets the cgroup2 mount point. Sets cg->ndirs to
 * the number of paths. One place decides the paths, for creating, for
 * looking up and for removing. */
static int cg_paths(struct cgroup *cg, const char *leaf, unsigned controllers,
		    char *v2root, size_t v2root_size)
{
	char mountinfo[64 * 1024], mnt[256];
	if (read_file("/proc/self/mountinfo", mountinfo, sizeof(mountinfo)) < 0)
		return warn_errno("read /proc/self/mountinfo");
	cg->ndirs = 0;
	if (cg->layout == CG_LAYOUT_V2) {
		if (cgroup_mount_of(mountinfo, NULL, v2root, v2root_size) < 0) {
			fprintf(stderr, "%s: no cgroup2 mount in /proc/self/mountinfo\n", prog_name);
			return -1;
		}
		cg->dirs[0].ctrl[0] = '\0';
		snprintf(cg->dirs[0].path, sizeof(cg->dirs[0].path), "%s/%s/%s", v2root, CG_PARENT, leaf);
		cg->ndirs = 1;
		return 0;
	}
	const char *wanted[4];
	int nw = 0;
	if (controllers & CG_CPU) {
		wanted[nw++] = "cpu";
		wanted[nw++] = "cpuacct";
	}
	if (controllers & CG_MEMORY)
		wanted[nw++] = "memory";
	if (controllers & CG_PIDS)
		wanted[nw++] = "pids";
	for (int i = 0; i < nw; i++) {
		if (cgroup_mount_of(mountinfo, wanted[i], mnt, sizeof(mnt)) < 0) {
			fprintf(stderr, "%s: no cgroup v1 hierarchy carries the '%s' controller "
				"(see /proc/self/mountinfo)\n", prog_name, wanted[i]);
			return -1;
		}
		/* cpu and cpuacct are often one hierarchy ("cpu,cpuacct"): then
		 * two entries share one directory (same_dir_before spots it). */
		struct cg_dir *d = &cg->dirs[cg->ndirs++];
		snprintf(d->ctrl, sizeof(d->ctrl), "%s", wanted[i]);
		snprintf(d->path, sizeof(d->path), "%s/%s/%s", mnt, CG_PARENT, leaf);
	}
	return 0;
}

static int same_dir_before(const struct cgroup *cg, int i);

static void parent_of(const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s", path);
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

static int create_v2(struct cgroup *cg, const char *leaf, unsigned controllers)
{
	char root[256], parent[512];
	if (cg_paths(cg, leaf, controllers, root, sizeof(root)) < 0)
		return -1;
	cg->ndirs = 0; /* counts what exists, for cg_destroy on failure */
	parent_of(cg->dirs[0].path, parent, sizeof(parent));
	for (int i = 0; i < 3; i++)
		if ((controllers & (1u << i)) && v2_enable(root, v2_ctrls[i]) < 0)
			return -1;
	if (mkdir_ok_if_exists(parent) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if ((controllers & (1u << i)) && v2_enable(parent, v2_ctrls[i]) < 0)
			goto fail;
	if (mkdir(cg->dirs[0].path, 0755) < 0) {
		warn_errno("mkdir %s%s", cg->dirs[0].path, errno == EEXIST ?
			   " (left by an earlier run? remove it with rmdir)" : "");
		goto fail;
	}
	cg->ndirs = 1;
	return 0;
fail:
	rmdir(parent); /* only succeeds if nobody else uses it */
	return -1;
}

static int create_v1(struct cgroup *cg, const char *leaf, unsigned controllers)
{
	char unused[8], parent[512];
	if (cg_paths(cg, leaf, controllers, unused, sizeof(unused)) < 0)
		return -1;
	int total = cg->ndirs;
	for (int i = 0; i < total; i++) {
		cg->ndirs = i; /* what exists so far, for cg_destroy on failure */
		if (same_dir_before(cg, i))
			continue;
		parent_of(cg->dirs[i].path, parent, sizeof(parent));
		if (mkdir_ok_if_exists(parent) < 0)
			return -1;
		if (mkdir(cg->dirs[i].path, 0755) < 0) {
			warn_errno("mkdir %s%s", cg->dirs[i].path, errno == EEXIST ?
				   " (left by an earlier run? remove it with rmdir)" : "");
			rmdir(parent);
			return -1;
		}
	}
	cg->ndirs = total;
	return 0;
}

int cg_lookup(struct cgroup *cg, const char *leaf, unsigned controllers)
{
	char root[256];
	memset(cg, 0, sizeof(*cg));
	if (cg_detect(&cg->layout) < 0)
		return -1;
	snprintf(cg->name, sizeof(cg->name), "%s/%s", CG_PARENT, leaf);
	return cg_paths(cg, leaf, controllers, root, sizeof(root));
}

int cg_create(struct cgroup *cg, const char *leaf, unsigned controllers)
{
	memset(cg, 0, sizeof(*cg));
	if (cg_detect(&cg->layout) < 0)
		return -1;
	snprintf(cg->name, sizeof(cg->name), "%s/%s", CG_PARENT, leaf);
	int ret = cg->layout == CG_LAYOUT_V2 ? create_v2(cg, leaf, controllers)
					     : create_v1(cg, leaf, controllers);
	if (ret < 0)
		cg_destroy(cg);
	return ret;
}

/* ---- removing ------------------------------------------------------------ */

static int same_dir_before(const struct cgroup *cg, int i)
{
	for (int j = 0; j < i; j++)
		if (strcmp(cg->dirs[j].path, cg->dirs[i].path) == 0)
			return 1;
	return 0;
}

/* SIGKILL every task listed in dir/cgroup.procs; returns how many were seen. */
static int kill_listed(const char *dir)
{
	char path[600], buf[16384];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	int n = 0;
	for (char *save, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		kill((pid_t)atoi(l), SIGKILL);
		n++;
	}
	return n;
}

static int remove_dir(const struct cgroup *cg, const char *dir)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	/* cgroup.kill (v2, Linux 5.14) kills the whole subtree atomically,
	 * even tasks forking right now; elsewhere kill what cgroup.procs
	 * lists until it stays empty. */
	if (cg->layout == CG_LAYOUT_V2 && access(path, F_OK) == 0)
		write_file(path, "1");
	/* rmdir fails with EBUSY while tasks, even dying ones, are inside. */
	for (int tries = 0; tries < 500; tries++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return warn_errno("rmdir %s", dir);
		kill_listed(dir);
		sleep_ms(10);
	}
	return warn("rmdir %s: still busy after 5 s", dir);
}

int cg_destroy(struct cgroup *cg)
{
	int ret = 0;
	/* A v1-frozen task does not even die of SIGKILL until thawed (a v2
	 * one does): thaw what a killed commit may have left paused. */
	if (cg->layout != CG_LAYOUT_V2 && cg->ndirs > 0 && cg_thaw(cg) < 0)
		ret = -1;
	for (int i = 0; i < cg->ndirs; i++) {
		if (same_dir_before(cg, i))
			continue;
		if (remove_dir(cg, cg->dirs[i].path) < 0)
			ret = -1;
		char parent[512];
		parent_of(cg->dirs[i].path, parent, sizeof(parent));
		/* Other containers may still use it: ENOTEMPTY is fine. */
		rmdir(parent);
	}
	cg->ndirs = 0;
	return ret;
}

/* ---- files ---------------------------------------------------------------- */

const char *cg_dir(const struct cgroup *cg, const char *ctrl)
{
	if (cg->layout == CG_LAYOUT_V2)
		return cg->ndirs ? cg->dirs[0].path : NULL;
	for (int i = 0; i < cg->ndirs; i++)
		if (strcmp(cg->dirs[i].ctrl, ctrl) == 0)
			return cg->dirs[i].path;
	return NULL;
}

int cg_path(const struct cgroup *cg, const char *ctrl, const char *file,
	    char *path, size_t size)
{
	const char *dir = cg_dir(cg, ctrl);
	if (!dir) {
		fprintf(stderr, "%s: cgroup %s has no '%s' hierarchy\n", prog_name, cg->name, ctrl);
		errno = ENOENT;
		return -1;
	}
	snprintf(path, size, "%s/%s", dir, file);
	return 0;
}

int cg_write(const struct cgroup *cg, const char *ctrl, const char *file, const char *value)
{
	char path[600];
	if (cg_path(cg, ctrl, file, path, sizeof(path)) < 0)
		return -1;
	if (write_file(path, value) < 0)
		return warn_errno("write \"%s\" to %s", value, path);
	return 0;
}

int cg_read(const struct cgroup *cg, const char *ctrl, const char *file, char *buf, size_t size)
{
	char path[600];
	if (cg_path(cg, ctrl, file, path, sizeof(path)) < 0)
		return -1;
	if (read_file(path, buf, size) < 0)
		return warn_errno("read %s", path);
	return 0;
}

int cg_attach(const struct cgroup *cg, pid_t pid)
{
	char pidtext[16];
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	for (int i = 0; i < cg->ndirs; i++) {
		if (same_dir_before(cg, i))
			continue;
		char path[600];
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dirs[i].path);
		if (write_file(path, pidtext) < 0)
			return warn_errno("write %s to %s", pidtext, path);
	}
	return 0;
}

int cg_open_fd(const struct cgroup *cg)
{
	if (cg->layout != CG_LAYOUT_V2 || cg->ndirs == 0) {
		errno = EINVAL;
		return -1;
	}
	/* O_PATH is enough: clone3 only needs to name the directory. */
	int fd = open(cg->dirs[0].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return warn_errno("open %s", cg->dirs[0].path);
	return fd;
}
