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
#include "network.h"
#include "common.h"
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
}/* A name whose container directory does not exist: `run` takes the name
 * (an atomic symlink) before it makes the directory, both under the lock we
 * hold now, so a runner killed between the two left it. Its name is free
 * again. */
static void sweep_names(const char *root)
{
	int rfd = sd_open(root);
	int pfd = rfd >= 0 ? sd_open_at(rfd, "names") : -1;
	int cfd = rfd >= 0 ? sd_open_at(rfd, "containers") : -1;
	/* sd_open_at gives an O_PATH fd, which cannot be read: reopen it */
	int nfd = pfd >= 0 ? openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *d = nfd >= 0 ? fdopendir(nfd) : NULL;
	struct dirent *e;
	struct stat st;
	while (d && cfd >= 0 && (e = readdir(d)) != NULL) {
		char id[80];
		ssize_t n = readlinkat(dirfd(d), e->d_name, id, sizeof(id) - 1);
		if (n <= 0)
			continue; /* ".", "..", or not a link of ours */
		id[n] = '\0';
		if (is_hex64(id) && fstatat(cfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
		    unlinkat(dirfd(d), e->d_name, 0) < 0)
			warn_errno("unlink names/%s", e->d_name);
	}
	if (d)
		closedir(d);
	else if (nfd >= 0)
		close(nfd);
	if (pfd >= 0)
		close(pfd);
	if (cfd >= 0)
		close(cfd);
	if (rfd >= 0)
		close(rfd);
}

void state_reconcile(const char *root, const char *run)
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
		if (ctr_dir(root, e->d_name, dir, sizeof(dir)) < 0) {
			warn_errno("the directory of %.12s in %s", e->d_name, root);
			continue;
		}
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
	sweep_names(root);
	net_reconcile(run); /* addresses, veths, ports of killed runners */
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
