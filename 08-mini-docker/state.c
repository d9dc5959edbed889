/* 08-mini-docker/state.c — see state.h. */
#define _GNU_SOURCE
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
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

/* The temporary file, made new: O_EXCL fails on anything already under
 * that name, a planted symlink above all, which O_CREAT alone would follow
 * and write through (to /etc/passwd, for root). A regular file of ours is
 * what a writer killed before its rename left: removed, and made again. */
static int create_tmp(int dfd, const char *tmp, const char *path, mode_t mode)
{
	for (int again = 0;; again = 1) {
		int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST || again) {
			if (fd < 0)
				warn_errno("create %s.tmp", path);
			return fd;
		}
		struct stat st;
		if (fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
			fprintf(stderr, "mini-docker: refusing to write %s.tmp: it is %s, not a file "
				"mini-docker left; expected nothing there (remove it)\n", path,
				S_ISLNK(st.st_mode) ? "a symbolic link" :
				!S_ISREG(st.st_mode) ? "not a regular file" : "someone else's file");
			errno = EEXIST;
			return -1;
		}
		if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
			return warn_errno("unlink %s.tmp", path);
	}
}

static int write_all(int fd, const char *data, size_t len, const char *path)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return warn_errno("write %s.tmp", path);
		off += (size_t)n;
	}
	return 0;
}

int write_atomic(const char *path, const char *data, size_t len, mode_t mode, int durable)
{
	/* Everything beneath the directory's fd, opened with no symlink on
	 * the way: neither the tmp file nor the rename can be sent elsewhere
	 * by a link in any component of path. */
	const char *name;
	char tmp[NAME_MAX + 8];
	int dfd = sd_open_parent(path, &name);
	if (dfd < 0)
		return warn_errno("open the directory of %s (a symbolic link on the way is refused)", path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp)) {
		close(dfd);
		errno = ENAMETOOLONG;
		return warn_errno("write %s", path);
	}
	int fd = create_tmp(dfd, tmp, path, mode);
	if (fd < 0) {
		close(dfd);
		return -1;
	}
	int r = write_all(fd, data, len, path);
	/* fsync before rename: otherwise a crash can leave the new name
	 * pointing at an empty file on some filesystems. It is the costly
	 * part (a disk flush), so callers skip it for files that need not
	 * survive a crash. */
	if (r == 0 && durable && fsync(fd) < 0)
		r = warn_errno("fsync %s.tmp", path);
	close(fd);
	/* rename(2) replaces a link at the final name, it never follows it */
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = warn_errno("rename %s.tmp to %s", path, name);
	if (r < 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return r;
}

/* ---- time and words -------------------------------------------------- */

const char *format_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	gmtime_r(&t, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, (long)ts->tv_nsec);
	return buf;
}

int parse_rfc3339(const char *s, struct timespec *ts)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	long ns = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = ns;
	return 0;
}

/* Docker's units.HumanDuration. */
const char *human_duration(long long s, char *buf, size_t size)
{
	long long m = s / 60, h = m / 60, d = h / 24;
	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s == 1)
		snprintf(buf, size, "1 second");
	else if (s < 60)
		snprintf(buf, size, "%lld seconds", s);
	else if (m == 1)
		snprintf(buf, size, "About a minute");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes", m);
	else if (h == 1)
		snprintf(buf, size, "About an hour");
	else if (h < 48)
		snprintf(buf, size, "%lld hours", h);
	else if (d < 14)
		snprintf(buf, size, "%lld days", d);
	else if (d < 60)
		snprintf(buf, size, "%lld weeks", d / 7);
	else if (d < 730)
		snprintf(buf, size, "%lld months", d / 30);
	else
		snprintf(buf, size, "%lld years", d / 365);
	return buf;
}

const char *format_status(const struct ctr *c, time_t now, char *buf, size_t size)
{
	char d[64];
	switch (c->status) {
	case CTR_RUNNING:
		snprintf(buf, size, "Up %s", human_duration(now - c->started.tv_sec, d, sizeof(d)));
		break;
	case CTR_EXITED:
		snprintf(buf, size, "Exited (%d) %s ago", c->exit_code,
			 human_duration(now - c->finished.tv_sec, d, sizeof(d)));
		break;
	default:
		snprintf(buf, size, "Created");
	}
	return buf;
}

/* ---- JSON -------------------------------------------------------------- */

static const char *const status_names[] = { "created", "running", "exited" };

static json_object *str_array(char *const *v, int n)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static void add_time(json_object *o, const char *key, const struct timespec *ts)
{
	char buf[48];
	if (ts->tv_sec == 0)
		json_object_object_add(o, key, json_object_new_string("0001-01-01T00:00:00Z"));
	else
		json_object_object_add(o, key, json_object_new_string(format_rfc3339(ts, buf, sizeof(buf))));
}

char *ctr_to_json(const struct ctr *c, int which)
{
	json_object *o = json_object_new_object();
	if (which == 1) {
		/* runtime: meaningless after a reboot, so it lives in /run */
		json_object_object_add(o, "Pid", json_object_new_int(c->pid));
		json_object_object_add(o, "PidStartTime", json_object_new_uint64(c->pid_start));
		json_object_object_add(o, "Runner", json_object_new_int(c->runner));
		json_object_object_add(o, "RunnerStartTime", json_object_new_uint64(c->runner_start));
		json_object_object_add(o, "Status", json_object_new_string(status_names[c->status]));
		add_time(o, "StartedAt", &c->started);
	} else {
		json_object_object_add(o, "Id", json_object_new_string(c->id));
		json_object_object_add(o, "Name", json_object_new_string(c->name));
		json_object_object_add(o, "Image", json_object_new_string(c->image));
		json_object_object_add(o, "ImageId", json_object_new_string(c->image_id));
		add_time(o, "Created", &c->created);
		json_object *st = json_object_new_object();
		json_object_object_add(st, "Status", json_object_new_string(status_names[c->status]));
		json_object_object_add(st, "ExitCode", json_object_new_int(c->exit_code));
		json_object_object_add(st, "OOMKilled", json_object_new_boolean(c->oom_killed));
		json_object_object_add(st, "Error", json_object_new_string(c->error));
		add_time(st, "StartedAt", &c->started);
		add_time(st, "FinishedAt", &c->finished);
		json_object_object_add(o, "State", st);
		json_object *cfg = json_object_new_object();
		json_object_object_add(cfg, "Hostname", json_object_new_string(c->hostname));
		json_object_object_add(cfg, "Cmd", str_array(c->argv, c->argc));
		json_object_object_add(cfg, "Env", str_array(c->env, c->nenv));
		json_object_object_add(cfg, "WorkingDir", json_object_new_string(c->workdir));
		json_object_object_add(cfg, "User", json_object_new_string(c->user));
		json_object_object_add(cfg, "Tty", json_object_new_boolean(c->tty));
		json_object_object_add(o, "Config", cfg);
		json_object *hc = json_object_new_object();
		json_object_object_add(hc, "AutoRemove", json_object_new_boolean(c->auto_remove));
		json_object_object_add(hc, "Detached", json_object_new_boolean(c->detached));
		json_object_object_add(hc, "Rootless", json_object_new_boolean(c->rootless));
		json_object_object_add(hc, "Init", json_object_new_boolean(c->init));
		json_object_object_add(hc, "Memory", json_object_new_int64(c->memory));
		json_object_object_add(hc, "CpuQuota", json_object_new_int64(c->cpu_quota));
		json_object_object_add(hc, "CpuPeriod", json_object_new_int64(c->cpu_period));
		json_object_object_add(hc, "PidsLimit", json_object_new_int64(c->pids));
		json_object_object_add(hc, "Seccomp", json_object_new_string(c->seccomp));
		json_object_object_add(o, "HostConfig", hc);
		json_object *mounts = json_object_new_array();
		for (int i = 0; i < c->nvol; i++) {
			json_object *m = json_object_new_object();
			json_object_object_add(m, "Source", json_object_new_string(c->vol[i].host));
			json_object_object_add(m, "Destination", json_object_new_string(c->vol[i].container));
			json_object_object_add(m, "RW", json_object_new_boolean(!c->vol[i].readonly));
			json_object_array_add(mounts, m);
		}
		json_object_object_add(o, "Mounts", mounts);
		json_object *gd = json_object_new_object();
		json_object_object_add(gd, "Lower", str_array(c->lower, c->nlower));
		json_object_object_add(o, "GraphDriver", gd);
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = strdup(s);
	json_object_put(o);
	if (!copy)
		die("out of memory");
	return copy;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long get_int(json_object *o, const char *key, long long dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	return json_object_get_int64(v);
}

static int copy_str(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int get_time(json_object *o, const char *key, struct timespec *ts)
{
	const char *s = get_str(o, key);
	ts->tv_sec = ts->tv_nsec = 0;
	if (!s)
		return -1;
	if (strncmp(s, "0001-", 5) == 0)
		return 0;
	return parse_rfc3339(s, ts);
}

/* A JSON array of strings into a malloc'd NULL-terminated vector. */
static int get_strv(json_object *o, const char *key, char ***out, int *n, int max)
{
	json_object *a;
	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return -1;
	size_t len = json_object_array_length(a);
	if ((int)len > max)
		return -1;
	char **v = calloc(len + 1, sizeof(char *));
	if (!v)
		die("out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string)) {
			*out = v;
			*n = (int)i;
			return -1;
		}
		v[i] = strdup(json_object_get_string(e));
	}
	*out = v;
	*n = (int)len;
	return 0;
}

int ctr_from_json(struct ctr *c, const char *persistent, const char *runtime,
		  char *why, size_t why_size)
{
	memset(c, 0, sizeof(*c));
	json_object *o = json_tokener_parse(persistent), *st, *cfg, *hc, *gd, *mounts;
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not a JSON object");
		json_object_put(o);
		return -1;
	}
	int ok = copy_str(c->id, sizeof(c->id), get_str(o, "Id")) == 0 &&
		 copy_str(c->name, sizeof(c->name), get_str(o, "Name")) == 0 &&
		 copy_str(c->image, sizeof(c->image), get_str(o, "Image")) == 0 &&
		 copy_str(c->image_id, sizeof(c->image_id), get_str(o, "ImageId")) == 0 &&
		 get_time(o, "Created", &c->created) == 0 &&
		 json_object_object_get_ex(o, "State", &st) &&
		 json_object_object_get_ex(o, "Config", &cfg) &&
		 json_object_object_get_ex(o, "HostConfig", &hc) &&
		 json_object_object_get_ex(o, "GraphDriver", &gd) &&
		 json_object_object_get_ex(o, "Mounts", &mounts);
	if (ok) {
		const char *s = get_str(st, "Status");
		c->status = CTR_EXITED;
		for (int i = 0; s && i < 3; i++)
			if (strcmp(s, status_names[i]) == 0)
				c->status = (enum ctr_status)i;
		c->exit_code = (int)get_int(st, "ExitCode", 0);
		c->oom_killed = (int)get_int(st, "OOMKilled", 0);
		copy_str(c->error, sizeof(c->error), get_str(st, "Error"));
		copy_str(c->user, sizeof(c->user), get_str(cfg, "User"));
		copy_str(c->seccomp, sizeof(c->seccomp), get_str(hc, "Seccomp"));
		get_time(st, "StartedAt", &c->started);
		get_time(st, "FinishedAt", &c->finished);
		ok = copy_str(c->hostname, sizeof(c->hostname), get_str(cfg, "Hostname")) == 0 &&
		     copy_str(c->workdir, sizeof(c->workdir), get_str(cfg, "WorkingDir")) == 0 &&
		     get_strv(cfg, "Cmd", &c->argv, &c->argc, 4096) == 0 &&
		     get_strv(cfg, "Env", &c->env, &c->nenv, 4096) == 0;
	}
	if (ok) {
		/* the lowers go into a fixed array */
		char **lv = NULL;
		int n = 0;
		ok = get_strv(gd, "Lower", &lv, &n, MAX_LAYERS) == 0;
		for (int i = 0; i < n; i++)
			c->lower[i] = lv[i];
		c->nlower = n;
		free(lv);
		c->tty = (int)get_int(cfg, "Tty", 0);
		c->auto_remove = (int)get_int(hc, "AutoRemove", 0);
		c->detached = (int)get_int(hc, "Detached", 0);
		c->rootless = (int)get_int(hc, "Rootless", 0);
		c->init = (int)get_int(hc, "Init", 0);
		c->memory = get_int(hc, "Memory", -1);
		c->cpu_quota = get_int(hc, "CpuQuota", -1);
		c->cpu_period = get_int(hc, "CpuPeriod", 100000);
		c->pids = get_int(hc, "PidsLimit", -1);
		size_t nm = json_object_array_length(mounts);
		for (size_t i = 0; ok && i < nm && i < MAX_VOLUMES; i++) {
			json_object *m = json_object_array_get_idx(mounts, i);
			const char *src = get_str(m, "Source"), *dst = get_str(m, "Destination");
			ok = src && dst;
			if (ok) {
				c->vol[i].host = strdup(src);
				c->vol[i].container = strdup(dst);
				c->vol[i].readonly = !get_int(m, "RW", 1);
				c->nvol++;
			}
		}
	}
	json_object_put(o);
	if (!ok) {
		ctr_free(c); /* whatever was read before the bad field */
		snprintf(why, why_size, "a field is missing or has the wrong type");
		return -1;
	}
	if (runtime) {
		json_object *r = json_tokener_parse(runtime);
		if (r && json_object_is_type(r, json_type_object)) {
			c->pid = (pid_t)get_int(r, "Pid", 0);
			c->pid_start = (unsigned long long)get_int(r, "PidStartTime", 0);
			c->runner = (pid_t)get_int(r, "Runner", 0);
			c->runner_start = (unsigned long long)get_int(r, "RunnerStartTime", 0);
			/* "running" lives only here: see ctr_save */
			const char *st = get_str(r, "Status");
			if (c->status == CTR_CREATED && st && strcmp(st, "running") == 0) {
				c->status = CTR_RUNNING;
				get_time(r, "StartedAt", &c->started);
			}
		}
		json_object_put(r);
	}
	return 0;
}

void ctr_free(struct ctr *c)
{
	for (int i = 0; c->argv && i < c->argc; i++)
		free(c->argv[i]);
	for (int i = 0; c->env && i < c->nenv; i++)
		free(c->env[i]);
	free(c->argv);
	free(c->env);
	for (int i = 0; i < c->nlower; i++)
		free(c->lower[i]);
	for (int i = 0; i < c->nvol; i++) {
		free((char *)c->vol[i].host);
		free((char *)c->vol[i].container);
	}
	memset(c, 0, sizeof(*c));
}

/* ---- files ------------------------------------------------------------ */

void ctr_dir(const char *root, const char *id, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s/containers/%s", root, id) >= (int)size)
		die("path too long: %s/containers/%s", root, id);
}

int ctr_load(const char *root, const char *run, const char *id, struct ctr *c)
{
	char p[PATH_MAX + 128], why[128];
	ctr_dir(root, id, p, sizeof(p));
	strcat(p, "/config.json");
	char *pers = sd_read(p, 1 << 24);
	if (!pers) {
		memset(c, 0, sizeof(*c));
		return -1;
	}
	snprintf(p, sizeof(p), "%s/%s.json", run, id);
	char *rt = sd_read(p, 1 << 20);
	int r = ctr_from_json(c, pers, rt, why, sizeof(why));
	if (r < 0)
		fprintf(stderr, "mini-docker: %s/containers/%s/config.json: %s\n", root, id, why);
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
		ctr_dir(root, c->id, p, sizeof(p));
		strcat(p, "/config.json");
		s = ctr_to_json(c, 0);
		r = write_atomic(p, s, strlen(s), 0600, !c->auto_remove);
		free(s);
		if (r < 0)
			return -1;
	}
	snprintf(p, sizeof(p), "%s/%s.json", run, c->id);
	if (c->status == CTR_EXITED) {
		if (sd_unlink(p) < 0 && errno != ENOENT)
			return warn_errno("unlink %s", p);
		return 0;
	}
	s = ctr_to_json(c, 1);
	r = write_atomic(p, s, strlen(s), 0600, 0);
	free(s);
	return r;
}

/* ROOT/containers for reading, no symlink followed on the way. */
static DIR *open_containers(const char *root)
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

/* ROOT/names/<name> -> id. 0 if it names a container. */
static int read_name(int rfd, const char *what, char *id)
{
	char target[128];
	if (!what[0] || strchr(what, '/') || !strcmp(what, ".") || !strcmp(what, ".."))
		return -1;
	int nfd = sd_open_at(rfd, "names");
	if (nfd < 0)
		return -1;
	ssize_t n = readlinkat(nfd, what, target, sizeof(target) - 1);
	close(nfd);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	if (!is_hex64(target))
		return -1;
	strcpy(id, target);
	return 0;
}

int ctr_resolve(const char *root, const char *what, char *id, char *why, size_t why_size)
{
	/* Every command that names a container comes here first: a state
	 * directory someone else could have planted is refused before any
	 * of its records is believed. */
	int rfd = sd_verify(root, why, why_size);
	if (rfd == -1)
		return -1;
	if (rfd >= 0) {
		int r = read_name(rfd, what, id);
		close(rfd);
		if (r == 0)
			return 0;
	}
	DIR *d = open_containers(root);
	int found = 0;
	size_t len = strlen(what);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!is_hex64(e->d_name) || len == 0 || strncmp(e->d_name, what, len) != 0)
				continue;
			if (found++ == 0)
				strcpy(id, e->d_name);
		}
		closedir(d);
	}
	if (found == 1)
		return 0;
	if (found == 0)
		snprintf(why, why_size, "no such container: %s", what);
	else
		snprintf(why, why_size, "'%s' matches %d containers; give more of the id", what, found);
	return -1;
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
	DIR *d = open_containers(root);
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
			v = realloc(v, (size_t)cap * sizeof(*v));
			if (!v)
				die("out of memory");
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

/* ---- liveness ---------------------------------------------------------- */

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	/* field 22; comm (field 2) may hold spaces and ')': start after the last ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		/* field 3, the state: a zombie has ended, whether or not its
		 * parent (often init, for a shim) has reaped it yet */
		if (++field == 3 && (tok[0] == 'Z' || tok[0] == 'X'))
			return 0;
		if (field == 22)
			return strtoull(tok, NULL, 10);
	}
	return 0;
}

int proc_is(pid_t pid, unsigned long long start)
{
	return pid > 0 && start != 0 && proc_start_time(pid) == start;
}

int ctr_running(const struct ctr *c)
{
	return c->status == CTR_RUNNING && proc_is(c->pid, c->pid_start);
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
	snprintf(p, sizeof(p), "%s/names/%s", root, c->name);
	int nfd = sd_open_parent(p, &name);
	ssize_t n = nfd < 0 ? -1 : readlinkat(nfd, name, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		if (strcmp(target, c->id) == 0 && unlinkat(nfd, name, 0) < 0)
			rc = warn_errno("unlink %s", p);
	}
	if (nfd >= 0)
		close(nfd);
	snprintf(p, sizeof(p), "%s/%s.json", run, c->id);
	if (sd_unlink(p) < 0 && errno != ENOENT)
		rc = warn_errno("unlink %s", p);
	/* The tree goes by path (nftw, which follows no link inside it):
	 * first make sure no component of that path is a link. */
	ctr_dir(root, c->id, p, sizeof(p));
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

void state_reconcile(const char *root, const char *run)
{
	DIR *d = open_containers(root);
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
		int no_cfg = fstatat(cfd, "config.json", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
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
