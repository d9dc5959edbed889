/* 08-mini-docker/store.c — see store.h. */
#define _GNU_SOURCE
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "overlay.h"
#include "statedir.h"

/* ---- where things are ---------------------------------------------------- */

const char *state_root(int rootless, char *buf, size_t size)
{
	const char *env = getenv("MINI_DOCKER_ROOT");
	if (env && env[0] == '/')
		snprintf(buf, size, "%s", env);
	else if (!rootless || geteuid() == 0)
		snprintf(buf, size, "/var/lib/mini-docker");
	else
		snprintf(buf, size, "/tmp/mini-docker-%d", (int)geteuid());
	return buf;
}

const char *run_root(int rootless, char *buf, size_t size)
{
	const char *env = getenv("MINI_DOCKER_ROOT"), *xdg = getenv("XDG_RUNTIME_DIR");
	char root[PATH_MAX];
	/* A rootless user's pids go where their session keeps runtime files
	 * (tmpfs, emptied at logout), as for rootless Docker; without a
	 * usable one, next to their records. */
	if (env && env[0] == '/')
		snprintf(buf, size, "%s/run", state_root(rootless, root, sizeof(root)));
	else if (rootless && geteuid() != 0 && sd_runtime_dir_usable(xdg))
		snprintf(buf, size, "%s/mini-docker", xdg);
	else if (rootless && geteuid() != 0)
		snprintf(buf, size, "%s/run", state_root(rootless, root, sizeof(root)));
	else
		snprintf(buf, size, "/run/mini-docker");
	return buf;
}

/* Every path of the store is made here, so each spelling exists once.
 * 0, or -1 with errno ENAMETOOLONG (the caller names the path). */
static int store_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int ctr_dir(const char *root, const char *id, char *buf, size_t size)
{
	return store_path(buf, size, "%s/containers/%s", root, id);
}

int ctr_config_path(const char *root, const char *id, char *buf, size_t size)
{
	return store_path(buf, size, "%s/containers/%s/" CTR_CONFIG, root, id);
}

int ctr_log_path(const char *root, const char *id, char *buf, size_t size)
{
	return store_path(buf, size, "%s/containers/%s/container.log", root, id);
}

int ctr_runtime_path(const char *run, const char *id, char *buf, size_t size)
{
	return store_path(buf, size, "%s/%s.json", run, id);
}

int ctr_name_path(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, "%s/names/%s", root, name);
}

int ctr_overlay_path(const char *root, const char *id, const char *which, char *buf, size_t size)
{
	return store_path(buf, size, "%s/containers/%s/%s", root, id, which);
}

int state_prepare(const char *root, const char *run)
{
	char p[PATH_MAX + 32], why[2 * PATH_MAX + 256];
	const char *sub[] = { "", "/containers", "/names", NULL };
	for (int i = 0; sub[i]; i++) {
		snprintf(p, sizeof(p), "%s%s", root, sub[i]);
		int fd = sd_make(p, 0711, why, sizeof(why));
		if (fd < 0) {
			fprintf(stderr, "mini-docker: %s\n", why);
			return -1;
		}
		close(fd);
	}
	/* root's stays searchable as it always was; a rootless user's
	 * runtime dir is theirs alone */
	int fd = sd_make(run, geteuid() == 0 ? 0711 : 0700, why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	close(fd);
	return 0;
}

int state_check(const char *root, const char *run)
{
	const char *dirs[] = { root, run };
	char why[2 * PATH_MAX + 256];
	for (int i = 0; i < 2; i++) {
		int fd = sd_verify(dirs[i], why, sizeof(why));
		if (fd == -1) {
			fprintf(stderr, "mini-docker: %s\n", why);
			return -1;
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int state_lock(const char *root)
{
	char why[2 * PATH_MAX + 256];
	int dfd = sd_verify(root, why, sizeof(why));
	if (dfd < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	int fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return warn_errno("open %s/lock", root);
	/* flock, not fcntl locks: it belongs to the open file, so a forked
	 * child does not silently share or drop it, and the kernel releases
	 * it when the holder dies, even by SIGKILL: no stale lock files. */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			warn_errno("flock %s/lock", root);
			close(fd);
			return -1;
		}
	}
	return fd;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- records ------------------------------------------------------------ */

int ctr_load(const char *root, const char *run, const char *id, struct ctr *c)
{
	char p[PATH_MAX + 128], why[128];
	char rp[PATH_MAX + 128];
	memset(c, 0, sizeof(*c));
	if (ctr_config_path(root, id, p, sizeof(p)) < 0 || ctr_runtime_path(run, id, rp, sizeof(rp)) < 0)
		return warn_errno("the record of %.12s in %s", id, root);
	char *pers = sd_read(p, 1 << 24);
	if (!pers)
		return -1;
	char *rt = sd_read(rp, 1 << 20);
	int r = ctr_from_json(c, pers, rt, why, sizeof(why));
	if (r < 0)
		fprintf(stderr, "mini-docker: %s: %s\n", p, why);
	free(pers);
	free(rt);
	return r;
}

int ctr_save(const char *root, const char *run, const struct ctr *c)
{
	char p[PATH_MAX + 128];
	char *s;
	int r;
	/* "running" and its pids go only to RUN (a tmpfs): they are void after
	 * a reboot anyway, and it spares a disk flush on every start. The
	 * record on disk says "created" until the container has exited. An
	 * --rm container's record is never flushed: after a crash it would be
	 * removed anyway. */
	if (c->status != CTR_RUNNING) {
		if (ctr_config_path(root, c->id, p, sizeof(p)) < 0)
			return warn_errno("the record of %.12s in %s", c->id, root);
		if (!(s = ctr_to_json(c, 0)))
			return warn_errno("record of %.12s", c->id);
		r = write_atomic(p, s, strlen(s), 0600, !c->auto_remove);
		free(s);
		if (r < 0)
			return -1;
	}
	if (ctr_runtime_path(run, c->id, p, sizeof(p)) < 0)
		return warn_errno("the runtime record of %.12s in %s", c->id, run);
	if (c->status == CTR_EXITED) {
		if (sd_unlink(p) < 0 && errno != ENOENT)
			return warn_errno("unlink %s", p);
		return 0;
	}
	if (!(s = ctr_to_json(c, 1)))
		return warn_errno("record of %.12s", c->id);
	r = write_atomic(p, s, strlen(s), 0600, 0);
	free(s);
	return r;
}

DIR *containers_open(const char *root)
{
	int rfd = sd_open(root);
	if (rfd < 0)
		return NULL;
	int fd = openat(rfd, "containers", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(rfd);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static int newest_first(const void *a, const void *b)
{
	const struct ctr *x = a, *y = b;
	if (x->created.tv_sec != y->created.tv_sec)
		return x->created.tv_sec < y->created.tv_sec ? 1 : -1;
	return x->created.tv_nsec < y->created.tv_nsec ? 1 : -1;
}

int ctr_list(const char *root, const char *run, struct ctr **out)
{
	*out = NULL;
	DIR *d = containers_open(root);
	if (!d)
		return 0;
	int n = 0, cap = 0;
	struct ctr *v = NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct ctr *v2 = realloc(v, (size_t)cap * sizeof(*v));
			if (!v2) {
				warn_errno("list the containers");
				for (int i = 0; i < n; i++)
					ctr_free(&v[i]);
				free(v);
				closedir(d);
				return -1;
			}
			v = v2;
		}
		if (ctr_load(root, run, e->d_name, &v[n]) == 0)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof(*v), newest_first);
	*out = v;
	return n;
}

int ctr_remove(const char *root, const char *run, const struct ctr *c)
{
	int rc = 0;
	if (!c->rootless && geteuid() == 0) {
		struct cgroup cg;
		if (cg_lookup(&cg, c->id, CG_CPU | CG_MEMORY | CG_PIDS) == 0 && cg_destroy(&cg) < 0)
			rc = -1;
	}
	return ctr_forget(root, run, c) < 0 ? -1 : rc;
}

int ctr_forget(const char *root, const char *run, const struct ctr *c)
{
	char p[PATH_MAX + 128], target[128];
	const char *name;
	int rc = 0;
	/* the name, only if it still points at this container */
	int nfd = -1;
	if (ctr_name_path(root, c->name, p, sizeof(p)) < 0)
		rc = warn_errno("the name %s in %s", c->name, root);
	else
		nfd = sd_open_parent(p, &name);
	ssize_t n = nfd < 0 ? -1 : readlinkat(nfd, name, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (strcmp(target, c->id) == 0 && unlinkat(nfd, name, 0) < 0)
			rc = warn_errno("unlink %s", p);
	}
	if (nfd >= 0)
		close(nfd);
	if (ctr_runtime_path(run, c->id, p, sizeof(p)) < 0)
		rc = warn_errno("the runtime record of %.12s in %s", c->id, run);
	else if (sd_unlink(p) < 0 && errno != ENOENT)
		rc = warn_errno("unlink %s", p);
	/* The tree goes by path (nftw, which follows no link inside it):
	 * first make sure no component of that path is a link. */
	if (ctr_dir(root, c->id, p, sizeof(p)) < 0)
		return warn_errno("the directory of %.12s in %s", c->id, root);
	int cfd = sd_open(p);
	if (cfd >= 0) {
		close(cfd);
		if (ovl_remove_tree(p) < 0)
			rc = -1;
	} else if (errno != ENOENT) {
		rc = warn_errno("open %s (a symbolic link on the way is refused)", p);
	}
	return rc;
}
