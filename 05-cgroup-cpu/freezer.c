/* 05-cgroup-cpu/freezer.c — cg_freeze, cg_thaw (see cgroup.h): pause a
 * cgroup's tasks, as `docker pause` and `docker commit` do, so that what is
 * read from the container (its upper dir) holds still meanwhile.
 * See Documentation/admin-guide/cgroup-v2.rst ("cgroup.freeze") and
 * cgroup-v1/freezer-subsystem.rst. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgvalue.h"
#include "common.h"

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000000L };
	nanosleep(&ts, NULL); /* a signal only shortens the wait */
}

static int cg_write_path(const char *dir, const char *file, const char *value)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (write_file(path, value) < 0)
		return warn_errno("write \"%s\" to %s", value, path);
	return 0;
}

/* v1: the freezer hierarchy's mount point and the leaf for cg in it. */
static int freezer_paths(const struct cgroup *cg, char mnt[256], char leaf[400])
{
	char mountinfo[64 * 1024];
	if (cg->layout == CG_LAYOUT_V2 || read_file("/proc/self/mountinfo", mountinfo, sizeof(mountinfo)) < 0 ||
	    cgroup_mount_of(mountinfo, "freezer", mnt, 256) < 0)
		return -1;
	snprintf(leaf, 400, "%s/%s", mnt, cg->name);
	return 0;
}

const char *cg_freezer_dir(const struct cgroup *cg, char *buf, size_t size)
{
	char mnt[256], leaf[400];
	if (freezer_paths(cg, mnt, leaf) < 0)
		return NULL;
	snprintf(buf, size, "%s", leaf);
	return buf;
}

/* Move every task listed in from/cgroup.procs into to. A task that exited
 * meanwhile (ESRCH) is fine. How many were moved, or -1 (printed). */
static int move_tasks(const char *from, const char *to)
{
	char path[600], list[16384];
	snprintf(path, sizeof(path), "%s/cgroup.procs", from);
	if (read_file(path, list, sizeof(list)) < 0)
		return warn_errno("read %s", path);
	snprintf(path, sizeof(path), "%s/cgroup.procs", to);
	int n = 0;
	for (char *save, *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (write_file(path, l) < 0 && errno != ESRCH)
			return warn_errno("write %s to %s", l, path);
		n++;
	}
	return n;
}

/* v1: the freezer cgroup pid is in now, as a directory (its "home"). */
static int freezer_home(const char *mnt, pid_t pid, char *home, size_t size)
{
	char path[64], text[4096], *line, *save;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, text, sizeof(text)) < 0)
		return warn_errno("read %s", path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, ":freezer:");
		if (p) {
			if (snprintf(home, size, "%s%s", mnt, strcmp(p + 9, "/") == 0 ? "" : p + 9) >= (int)size)
				break;
			return 0;
		}
	}
	fprintf(stderr, "%s: %s names no freezer cgroup (or too long a one)\n", prog_name, path);
	return -1;
}

static int state_is(const char *dir, const char *file, const char *key, const char *want)
{
	char path[600], buf[512];
	unsigned long long v;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return warn_errno("read %s", path);
	if (key)
		return keyed_value(buf, key, &v) == 0 && v == strtoull(want, NULL, 10);
	return strcmp(buf, want) == 0;
}

static int wait_state(const char *dir, const char *file, const char *key, const char *want,
		      long deadline)
{
	int r;
	while ((r = state_is(dir, file, key, want)) == 0 && now_ms() < deadline)
		nap();
	if (r == 0)
		fprintf(stderr, "%s: %s/%s did not reach '%s%s%s' in time\n", prog_name, dir, file,
			key ? key : "", key ? " " : "", want);
	return r == 1 ? 0 : -1;
}

int cg_procs_within(const char *list, const char *of)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, "\n");
		int found = 0;
		for (const char *q = of; *q && !found;) {
			size_t qlen = strcspn(q, "\n");
			found = qlen == len && strncmp(p, q, len) == 0;
			q += qlen + (q[qlen] == '\n');
		}
		if (len > 0 && !found)
			return 0;
		p += len + (p[len] == '\n');
	}
	return 1;
}

/* Is every task the container's cgroup lists in the freezer leaf? 1, 0,
 * or -1 (printed). */
static int all_in_leaf(const char *procs, const char *leaf)
{
	char path[600], list[16384], in[16384];
	if (read_file(procs, list, sizeof(list)) < 0)
		return warn_errno("read %s", procs);
	snprintf(path, sizeof(path), "%s/cgroup.procs", leaf);
	if (read_file(path, in, sizeof(in)) < 0)
		return warn_errno("read %s", path);
	return cg_procs_within(list, in);
}

/* v1: move the container's tasks (as its cpu, memory... cgroup lists
 * them) into the freezer leaf and freeze it, until the kernel says
 * FROZEN. A task forked meanwhile by one not yet moved lands outside the
 * leaf, so repeat until none is left outside: once all are frozen, none
 * can fork. Bounded by the deadline. */
static int freeze_v1(struct cgroup *cg, long deadline)
{
	char leaf[400], mnt[256], parent[300], procs[600], list[32];
	if (freezer_paths(cg, mnt, leaf) < 0) {
		fprintf(stderr, "%s: no cgroup v1 freezer hierarchy is mounted "
			"(see /proc/self/mountinfo)\n", prog_name);
		return -1;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->dirs[0].path);
	if (read_file(procs, list, sizeof(list)) < 0)
		return warn_errno("read %s", procs);
	if (!list[0])
		return 0; /* nothing runs: nothing to pause */
	if (freezer_home(mnt, (pid_t)atoi(list), cg->frozen_home, sizeof(cg->frozen_home)) < 0)
		return -1;
	if (strcmp(cg->frozen_home, leaf) == 0) /* left frozen by a killed caller */
		snprintf(cg->frozen_home, sizeof(cg->frozen_home), "%s", mnt);
	snprintf(parent, sizeof(parent), "%s/%s", mnt, CG_PARENT);
	if ((mkdir(parent, 0755) < 0 && errno != EEXIST) || (mkdir(leaf, 0755) < 0 && errno != EEXIST))
		return warn_errno("mkdir %s", leaf);
	for (;;) {
		/* FROZEN read back is the kernel's word that every task in the
		 * leaf is frozen; FREEZING means some are not yet */
		if (move_tasks(cg->dirs[0].path, leaf) < 0 ||
		    cg_write_path(leaf, "freezer.state", "FROZEN") < 0 ||
		    wait_state(leaf, "freezer.state", NULL, "FROZEN", deadline) < 0)
			return -1;
		int all = all_in_leaf(procs, leaf);
		if (all != 0)
			return all < 0 ? -1 : 0;
		if (now_ms() >= deadline)
			break;
	}
	fprintf(stderr, "%s: tasks keep appearing outside %s (a fork loop?)\n", prog_name, leaf);
	return -1;
}

int cg_freeze(struct cgroup *cg, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int r;
	if (cg->layout == CG_LAYOUT_V2)
		r = cg_write(cg, "", "cgroup.freeze", "1") < 0 ? -1
			: wait_state(cg->dirs[0].path, "cgroup.events", "frozen", "1", deadline);
	else
		r = freeze_v1(cg, deadline);
	if (r < 0)
		cg_thaw(cg);
	return r;
}

/* v1: moved out of a frozen cgroup into a thawed one, a task is thawed
 * on the way (the freezer's attach), and frozen tasks cannot fork, so the
 * leaf empties in one pass; THAWED is written for a task that joined late. */
static int thaw_v1(struct cgroup *cg)
{
	char leaf[400], mnt[256], parent[300];
	struct stat st;
	if (freezer_paths(cg, mnt, leaf) < 0 || stat(leaf, &st) < 0)
		return 0; /* never frozen */
	const char *home = cg->frozen_home[0] ? cg->frozen_home : mnt;
	int ret = 0;
	if (move_tasks(leaf, home) < 0 || cg_write_path(leaf, "freezer.state", "THAWED") < 0)
		ret = -1;
	for (int tries = 0; tries < 500; tries++) {
		if (rmdir(leaf) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY || move_tasks(leaf, home) < 0) {
			ret = warn_errno("rmdir %s", leaf);
			break;
		}
		nap();
	}
	snprintf(parent, sizeof(parent), "%s/%s", mnt, CG_PARENT);
	rmdir(parent); /* other containers may use it */
	return ret;
}

int cg_thaw(struct cgroup *cg)
{
	if (cg->layout != CG_LAYOUT_V2)
		return thaw_v1(cg);
	char path[600];
	snprintf(path, sizeof(path), "%s/cgroup.freeze", cg->dirs[0].path);
	if (cg->ndirs == 0 || access(path, F_OK) < 0)
		return 0; /* the cgroup is gone, and its tasks with it */
	return cg_write(cg, "", "cgroup.freeze", "0");
}
