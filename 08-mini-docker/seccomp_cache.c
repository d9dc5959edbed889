/* 08-mini-docker/seccomp_cache.c — see seccomp_cache.h.
 * A cache file: its key on the first line, then the BPF instructions. The
 * key is compared whole, so two keys can never share a file by accident. */
#define _GNU_SOURCE
#include "seccomp_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"
#include "seccomp_profile.h"

#define MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel takes no longer program */

static int make_key(const char *path, uint64_t caps, char *key, size_t size)
{
	struct stat st;
	struct utsname u;
	if (stat(path, &st) < 0 || uname(&u) < 0)
		return -1;
	snprintf(key, size, "mini-docker seccomp v1 %s|%lx:%lx|%lld|%lld.%09ld|%llx|%s|%s %s", path,
		 (unsigned long)st.st_dev, (unsigned long)st.st_ino, (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)caps, u.release,
		 __DATE__, __TIME__);
	return 0;
}

/* The cached program for key, or -1. Only a regular file of ours, never
 * through a symlink, is believed. */
static int cache_read(int dir, const char *name, const char *key, struct sock_fprog *prog)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	size_t len = 0;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    !(st.st_mode & 022))
		buf = read_whole_fd(fd, strlen(key) + 1 + MAX_INSNS * sizeof(struct sock_filter), &len);
	close(fd);
	size_t klen = strlen(key);
	size_t n = len > klen + 1 ? len - klen - 1 : 0;
	if (!buf || len <= klen + 1 || memcmp(buf, key, klen) != 0 || buf[klen] != '\n' ||
	    n % sizeof(struct sock_filter) != 0) {
		free(buf);
		return -1;
	}
	prog->filter = malloc(n);
	if (!prog->filter) {
		free(buf);
		return -1;
	}
	memcpy(prog->filter, buf + klen + 1, n);
	prog->len = (unsigned short)(n / sizeof(struct sock_filter));
	free(buf);
	return 0;
}

/* Best effort: a cache that cannot be written only costs the next run. */
static void cache_write(int dir, const char *name, const char *key, const struct sock_fprog *prog)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	size_t n = prog->len * sizeof(struct sock_filter);
	int ok = dprintf(fd, "%s\n", key) > 0 && write(fd, prog->filter, n) == (ssize_t)n;
	close(fd);
	if (!ok || renameat(dir, tmp, dir, name) < 0)
		unlinkat(dir, tmp, 0);
}

/* RUN/cache, made 0700 if missing; never through a symlink. */
static int open_cache_dir(const char *run)
{
	int parent = open(run, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (parent < 0)
		return -1;
	if (mkdirat(parent, "cache", 0700) < 0 && errno != EEXIST) {
		close(parent);
		return -1;
	}
	int dir = openat(parent, "cache", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(parent);
	return dir;
}

int seccomp_load_profile(const char *value, uint64_t caps, const char *cache_dir,
			 struct sock_fprog *prog, char *why, size_t why_size)
{
	char key[PATH_MAX + 256], name[64];
	const char *path = value[0] ? value : SECCOMP_DEFAULT_PROFILE;
	prog->len = 0;
	prog->filter = NULL;
	if (strcmp(value, "unconfined") == 0)
		return 0;
	/* Only the default profile, the one nearly every container uses, is
	 * kept: one file per capability set, replaced when its key changes,
	 * so the cache cannot grow with every profile anyone tries. */
	int dir = cache_dir && !value[0] ? open_cache_dir(cache_dir) : -1;
	if (dir < 0 || make_key(path, caps, key, sizeof(key)) < 0) {
		if (dir >= 0)
			close(dir);
		return seccomp_compile(value, caps, prog, why, why_size);
	}
	snprintf(name, sizeof(name), "seccomp-default-%llx.bpf", (unsigned long long)caps);
	int rc = 0;
	if (cache_read(dir, name, key, prog) < 0) {
		rc = seccomp_compile(value, caps, prog, why, why_size);
		if (rc == 0)
			cache_write(dir, name, key, prog);
	}
	close(dir);
	return rc;
}
