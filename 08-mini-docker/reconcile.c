/* 08-mini-docker/reconcile.c — see reconcile.h. */
#define _GNU_SOURCE
#include "reconcile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "overlay.h"
#include "pidns.h"
#include "statedir.h"

int proc_is(pid_t pid, unsigned long long start)
{
	return pid > 0 && start != 0 && proc_start_time(pid) == start;
}

int ctr_active(const struct ctr *c)
{
	return c->status != CTR_EXITED && proc_is(c->runner, c->runner_start);
}

int ctr_running(const struct ctr *c)
{
	return c->status == CTR_RUNNING && proc_is(c->pid, c->pid_start);
}void state_reconcile(const char *root, const char *run)
{
	DIR *d = containers_open(root);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		struct ctr c;
		struct stat st;
		char dir[PATH_MAX + 128];
		ctr_dir(root, e->d_name, dir, sizeof(dir));
		int cfd = sd_open_at(dirfd(d), e->d_name);
		if (cfd < 0)
			continue; /* not a directory (a link?): not one of ours */
		int no_cfg = fstatat(cfd, CTR_CONFIG, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
		close(cfd);
		if (no_cfg) {
			/* `run` writes config.json under the lock that we hold now:
			 * a directory without one is what a killed `run` left. */
			ovl_remove_tree(dir);
			continue;
		}
		if (ctr_load(root, run, e->d_name, &c) < 0)
			continue;
		if (c.status != CTR_EXITED && !proc_is(c.runner, c.runner_start)) {
			/* Its runner is gone (SIGKILL, a reboot); the container died
			 * with it (PR_SET_PDEATHSIG), so only the records are left. */
			if (c.auto_remove) {
				ctr_remove(root, run, &c);
				fprintf(stderr, "mini-docker: removed container %.12s left by a runner "
					"that was killed\n", c.id);
			} else {
				struct cgroup cg;
				if (!c.rootless && geteuid() == 0 &&
				    cg_lookup(&cg, c.id, CG_CPU | CG_MEMORY | CG_PIDS) == 0)
					cg_destroy(&cg);
				c.status = CTR_EXITED;
				c.exit_code = 137;
				snprintf(c.error, sizeof(c.error), "its mini-docker runner was killed");
				clock_gettime(CLOCK_REALTIME, &c.finished);
				ctr_save(root, run, &c);
			}
		}
		ctr_free(&c);
	}
	closedir(d);
}

void store_reconcile(const struct store *s)
{
	if (access(s->root, W_OK) < 0)
		return;
	int lock = state_lock(s->root);
	if (lock >= 0) {
		state_reconcile(s->root, s->run);
		state_unlock(lock);
	}
}
