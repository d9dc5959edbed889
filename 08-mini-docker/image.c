/* 08-mini-docker/image.c — see image.h. JSON is json-c's; tar and sha256
 * come through layer.c. */
#define _GNU_SOURCE
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "digest.h"
#include "helper.h"
#include "member.h"
#include "overlay.h"

/* ---- names --------------------------------------------------------------- */

int ref_parse(const char *ref, char *repo, size_t repo_size, char *tag, size_t tag_size,
	      char *why, size_t why_size)
{
	/* Docker Hub's long form names the same image: docker.io/library/x */
	if (strncmp(ref, "docker.io/library/", 18) == 0)
		ref += 18;
	else if (strncmp(ref, "docker.io/", 10) == 0)
		ref += 10;
	/* the tag's ':' is the one after the last '/' ("host:5000/a:b") */
	const char *slash = strrchr(ref, '/');
	const char *colon = strchr(slash ? slash : ref, ':');
	size_t rlen = colon ? (size_t)(colon - ref) : strlen(ref);
	const char *t = colon ? colon + 1 : "latest";
	int ok = rlen >= 1 && rlen < repo_size && rlen <= 255 && strlen(t) >= 1 &&
		 strlen(t) <= 128 && strlen(t) < tag_size;
	for (size_t i = 0; ok && i < rlen; i++) {
		char c = ref[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		/* separators only between alphanumerics */
		int sep = (c == '.' || c == '_' || c == '-' || c == '/') && i > 0 && i + 1 < rlen &&
			  ref[i + 1] != '/' && ref[i - 1] != '/';
		ok = alnum || sep;
	}
	for (const char *p = t; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		     ((*p == '.' || *p == '-') && p != t) || *p == '_';
	if (!ok) {
		snprintf(why, why_size, "'%s' is not a valid image name; use NAME[:TAG], NAME of "
			 "lowercase letters, digits and . _ - /, TAG of letters, digits and . _ -", ref);
		return -1;
	}
	memcpy(repo, ref, rlen);
	repo[rlen] = '\0';
	snprintf(tag, tag_size, "%s", t);
	return 0;
}

const char *human_size(long long bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)bytes;
	int u = 0;
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, "%.3g%s", v, units[u]);
	return buf;
}

/* ---- the store's files ---------------------------------------------------- */

static void pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)size)
		die("path too long: %s", buf);
}

static json_object *read_json(const char *path, char *why, size_t why_size)
{
	char *s = read_whole(path, 64 << 20, NULL);
	if (!s) {
		snprintf(why, why_size, "read %s: %s", path, strerror(errno ? errno : EIO));
		return NULL;
	}
	json_object *o = json_tokener_parse(s);
	free(s);
	if (!o)
		snprintf(why, why_size, "%s is not valid JSON", path);
	return o;
}

static int write_text(const char *path, const char *s)
{
	return write_atomic(path, s, strlen(s), 0644, 1);
}

static int prepare_store(const char *root)
{
	const char *sub[] = { "image/overlay2/imagedb/content/sha256", "image/overlay2/layerdb/sha256",
			      "image/overlay2/layerdb/tmp", "overlay2", "tmp", NULL };
	char p[PATH_MAX];
	for (int i = 0; sub[i]; i++) {
		pathf(p, sizeof(p), "%s/%s", root, sub[i]);
		if (mkdir_p(p, 0700) < 0)
			return warn_errno("mkdir -p %s", p);
	}
	return 0;
}

/* Empty a directory, keeping it. */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX];
	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			pathf(p, sizeof(p), "%s/%s", dir, e->d_name);
			ovl_remove_tree(p); /* a file or a whole tree */
		}
	if (d)
		closedir(d);
}

static int layer_read(const char *root, const char *chain, const char *file, char *buf, size_t size);

/* Remove every overlay2 dir that no layerdb entry names as its cache-id:
 * the files of a layer whose entry went (rmi), or of one a killed command
 * had half made. Lock held. */
static void sweep_overlay2(const char *root)
{
	char p[PATH_MAX], named[512][65];
	int n = 0;
	pathf(p, sizeof(p), "%s/image/overlay2/layerdb/sha256", root);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL && n < 512)
		if (is_hex64(e->d_name) && layer_read(root, e->d_name, "cache-id", named[n], 65) == 0)
			n++;
	if (d)
		closedir(d);
	if (n == 512)
		return; /* too many to track here: keep everything */
	pathf(p, sizeof(p), "%s/overlay2", root);
	d = opendir(p);
	while (d && (e = readdir(d)) != NULL) {
		int keep = e->d_name[0] == '.';
		for (int i = 0; i < n && !keep; i++)
			keep = strcmp(named[i], e->d_name) == 0;
		if (!keep) {
			pathf(p, sizeof(p), "%s/overlay2/%s", root, e->d_name);
			ovl_remove_tree(p);
		}
	}
	if (d)
		closedir(d);
}

/* What a killed import, load or commit left (SIGKILL, a power cut): every
 * change holds the lock and cleans up on its error path, so with the lock
 * held anything in the two tmp dirs, and any overlay2 dir that no layerdb
 * entry names, is such a leftover. Lock held. */
static void store_recover(const char *root)
{
	char p[PATH_MAX];
	pathf(p, sizeof(p), "%s/tmp", root);
	empty_dir(p);
	pathf(p, sizeof(p), "%s/image/overlay2/layerdb/tmp", root);
	empty_dir(p);
	sweep_overlay2(root);
}

static void on_stop(int sig)
{
	helper_stop = sig;
}

/* The store's directories, then the lock every change to it holds, then
 * the leftovers of a change that was killed. A stop signal from here on
 * makes the change fail and undo itself (helper.h). */
static int store_lock(const char *root)
{
	if (mkdir_p(root, 0711) < 0)
		return warn_errno("mkdir -p %s", root);
	if (prepare_store(root) < 0)
		return -1;
	int lock = state_lock(root);
	if (lock < 0)
		return -1;
	store_recover(root);
	catch_stop_signals(on_stop);
	return lock;
}

/* A change that failed because it was stopped exits as killed by that
 * signal (130 for Ctrl-C), like the shell reports it. */
static int store_unlock(int lock, int rc)
{
	state_unlock(lock);
	return rc != 0 && helper_stop ? 128 + helper_stop : rc;
}

static const char *strip_sha(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 ? s + 7 : s;
}

/* ---- repositories.json ---------------------------------------------------- */

static json_object *repos_read(const char *root)
{
	char p[PATH_MAX], why[PATH_MAX + 64];
	pathf(p, sizeof(p), "%s/image/overlay2/repositories.json", root);
	json_object *o = NULL, *r;
	if (access(p, F_OK) == 0)
		o = read_json(p, why, sizeof(why));
	if (!o)
		o = json_object_new_object();
	if (!json_object_object_get_ex(o, "Repositories", &r))
		json_object_object_add(o, "Repositories", json_object_new_object());
	return o;
}

static int repos_write(const char *root, json_object *o)
{
	char p[PATH_MAX];
	pathf(p, sizeof(p), "%s/image/overlay2/repositories.json", root);
	return write_text(p, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* "sha256:<id>" for repo:tag, or NULL */
static const char *repos_get(json_object *o, const char *repo, const char *tag)
{
	json_object *all, *r, *id;
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	if (json_object_object_get_ex(o, "Repositories", &all) &&
	    json_object_object_get_ex(all, repo, &r) && json_object_object_get_ex(r, key, &id))
		return json_object_get_string(id);
	return NULL;
}

static void repos_set(json_object *o, const char *repo, const char *tag, const char *id)
{
	json_object *all, *r;
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	json_object_object_get_ex(o, "Repositories", &all);
	if (!json_object_object_get_ex(all, repo, &r)) {
		r = json_object_new_object();
		json_object_object_add(all, repo, r);
	}
	json_object_object_add(r, key, json_object_new_string(id));
}

/* ---- layers --------------------------------------------------------------- */

/* The layerdb entry of a layer just unpacked into cache: written under
 * tmp/, then renamed into place whole. Lock held. */
static int layer_record(const char *root, const char *parent, const char *diff, const char *chain,
			const char *cache, long long size, char *why, size_t why_size)
{
	char dir[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX + 16];
	pathf(dir, sizeof(dir), "%s/image/overlay2/layerdb/sha256/%s", root, chain);
	pathf(tmp, sizeof(tmp), "%s/image/overlay2/layerdb/tmp/%s", root, cache);
	if (mkdir(tmp, 0700) < 0) {
		snprintf(why, why_size, "mkdir %s: %s", tmp, strerror(errno));
		return -1;
	}
	char dtext[80], stext[32], ptext[80];
	snprintf(dtext, sizeof(dtext), "sha256:%s", diff);
	snprintf(stext, sizeof(stext), "%lld", size);
	snprintf(ptext, sizeof(ptext), "sha256:%s", parent ? parent : "");
	const struct { const char *name, *value; } files[4] = {
		{ "diff", dtext }, { "size", stext }, { "cache-id", cache }, { "parent", parent ? ptext : NULL } };
	for (int i = 0; i < 4; i++) {
		if (!files[i].value)
			continue;
		pathf(p, sizeof(p), "%s/%s", tmp, files[i].name);
		if (write_text(p, files[i].value) < 0) {
			snprintf(why, why_size, "could not write %s", p);
			goto fail;
		}
	}
	if (rename(tmp, dir) == 0)
		return 0;
	snprintf(why, why_size, "rename %s: %s", tmp, strerror(errno));
fail:
	ovl_remove_tree(tmp);
	return -1;
}

/* Put the layer read from fd on top of parent (a ChainID, or NULL): unpack
 * it under a fresh cache-id, with its DiffID (and blob digest) computed by
 * the helper in the same pass, so the digests checked are those of the
 * bytes unpacked. want_blob and want_diff (or NULL) are what the archive
 * promised. A ChainID already stored keeps its files (stored once) and the
 * new copy goes. Lock held. */
static int layer_add(const char *root, const char *parent, int fd, const char *want_blob,
		     const char *want_diff, char diff[65], char chain[65], char *why, size_t why_size)
{
	char cache[65], layer[PATH_MAX], p[PATH_MAX + 16], blob[65];
	/* The cache-id is random, not derived from the content: the layer's
	 * files are found through layerdb, never by hashing a path. */
	if (random_hex64(cache) < 0) {
		snprintf(why, why_size, "getrandom: %s", strerror(errno));
		return -1;
	}
	pathf(layer, sizeof(layer), "%s/overlay2/%s", root, cache);
	pathf(p, sizeof(p), "%s/diff", layer);
	if (mkdir_p(p, 0755) < 0) {
		snprintf(why, why_size, "mkdir -p %s: %s", p, strerror(errno));
		return -1;
	}
	long long size = 0;
	if (helper_unpack(fd, p, want_blob, blob, diff, &size, why, why_size) < 0)
		goto fail;
	if (want_blob && strcmp(blob, want_blob) != 0) {
		snprintf(why, why_size, "blob sha256:%.12s has sha256:%.12s: corrupt", want_blob, blob);
		goto fail;
	}
	if (want_diff && strcmp(diff, want_diff) != 0) {
		snprintf(why, why_size, "its DiffID is sha256:%.12s but the config says sha256:%.12s",
			 diff, want_diff);
		goto fail;
	}
	chain_id(parent, diff, chain);
	pathf(p, sizeof(p), "%s/image/overlay2/layerdb/sha256/%s", root, chain);
	if (access(p, F_OK) == 0) {
		ovl_remove_tree(layer); /* shared: stored once */
		return 0;
	}
	if (layer_record(root, parent, diff, chain, cache, size, why, why_size) == 0)
		return 0;
fail:
	ovl_remove_tree(layer);
	return -1;
}

static int layer_read(const char *root, const char *chain, const char *file, char *buf, size_t size)
{
	char p[PATH_MAX];
	pathf(p, sizeof(p), "%s/image/overlay2/layerdb/sha256/%s/%s", root, chain, file);
	return read_file(p, buf, size) < 0 ? -1 : 0;
}

/* The image config's rootfs.diff_ids as hex, checked. Count or -1. */
static int config_diff_ids(json_object *cfg, char ids[][65], char *why, size_t why_size)
{
	json_object *rootfs, *a;
	if (!json_object_object_get_ex(cfg, "rootfs", &rootfs) ||
	    !json_object_object_get_ex(rootfs, "diff_ids", &a) || !json_object_is_type(a, json_type_array)) {
		snprintf(why, why_size, "the image config has no rootfs.diff_ids");
		return -1;
	}
	int n = (int)json_object_array_length(a);
	if (n < 1 || n > MAX_LAYERS) {
		snprintf(why, why_size, "the image has %d layers; 1 to %d are supported", n, MAX_LAYERS);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));
		if (!s || strncmp(s, "sha256:", 7) != 0 || !is_hex64(s + 7)) {
			snprintf(why, why_size, "diff_ids[%d] is not sha256:<64 hex digits>", i);
			return -1;
		}
		memcpy(ids[i], s + 7, 65);
	}
	return n;
}

/* ChainIDs of every layer of a config, bottom first. Count or -1. */
static int config_chains(json_object *cfg, char chains[][65], char *why, size_t why_size)
{
	char diffs[MAX_LAYERS][65];
	int n = config_diff_ids(cfg, diffs, why, why_size);
	for (int i = 0; i < n; i++)
		chain_id(i ? chains[i - 1] : NULL, diffs[i], chains[i]);
	return n;
}

static json_object *config_read(const char *root, const char *hex, char *why, size_t why_size)
{
	char p[PATH_MAX];
	pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256/%s", root, hex);
	return read_json(p, why, why_size);
}

/* Store config bytes under their sha256: that is the image id. */
static int config_store(const char *root, const char *bytes, size_t len, char id[65])
{
	char p[PATH_MAX];
	sha256_hex(bytes, len, id);
	pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256/%s", root, id);
	return write_atomic(p, bytes, len, 0600, 1);
}

/* ---- resolve ------------------------------------------------------------ */

/* NAME[:TAG], sha256:<hex>, or a hex prefix -> image id hex. */
static int find_image(const char *root, const char *name, char hex[65], char *why, size_t why_size)
{
	char repo[256], tag[130], p[PATH_MAX];
	const char *h = strip_sha(name);
	size_t hl = strlen(h);
	int hexlike = hl >= 4 && hl <= 64 && strspn(h, "0123456789abcdef") == hl;
	json_object *repos = repos_read(root);
	const char *id = NULL;
	if (ref_parse(name, repo, sizeof(repo), tag, sizeof(tag), why, why_size) == 0)
		id = repos_get(repos, repo, tag);
	if (id && is_hex64(strip_sha(id))) {
		strcpy(hex, strip_sha(id));
		json_object_put(repos);
		return 0;
	}
	json_object_put(repos);
	int found = 0;
	if (hexlike) {
		pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256", root);
		DIR *d = opendir(p);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			if (is_hex64(e->d_name) && strncmp(e->d_name, h, hl) == 0 && found++ == 0)
				strcpy(hex, e->d_name);
		if (d)
			closedir(d);
	}
	if (found == 1)
		return 0;
	if (found > 1)
		snprintf(why, why_size, "'%s' matches %d images; give more of the id", name, found);
	else
		snprintf(why, why_size, "no such image: %s (see 'mini-docker images'; add one with "
			 "'mini-docker import' or 'mini-docker load', or give an absolute directory)", name);
	return -1;
}

static int get_strv(json_object *o, const char *key, char ***out, int *n)
{
	json_object *a;
	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return 0;
	int len = (int)json_object_array_length(a);
	*out = calloc((size_t)len + 1, sizeof(char *));
	if (!*out)
		die("out of memory");
	for (int i = 0; i < len; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));
		(*out)[(*n)++] = strdup(s ? s : "");
	}
	return 0;
}

int image_resolve(const char *root, const char *name, struct image_ref *img, char *why, size_t why_size)
{
	memset(img, 0, sizeof(*img));
	if (name[0] == '/') {
		struct stat st;
		if (stat(name, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(why, why_size, "image directory '%s' does not exist or is not a directory", name);
			return -1;
		}
		img->lower[img->nlower++] = strdup(name);
		return 0;
	}
	char hex[65], chains[MAX_LAYERS][65];
	if (find_image(root, name, hex, why, why_size) < 0)
		return -1;
	json_object *cfg = config_read(root, hex, why, why_size), *c;
	if (!cfg)
		return -1;
	int n = config_chains(cfg, chains, why, why_size), rc = -1;
	if (n < 0)
		goto out;
	snprintf(img->id, sizeof(img->id), "sha256:%s", hex);
	for (int i = n - 1; i >= 0; i--) {
		char cache[128], p[PATH_MAX];
		if (layer_read(root, chains[i], "cache-id", cache, sizeof(cache)) < 0 || !is_hex64(cache)) {
			snprintf(why, why_size, "image %s: layer sha256:%.12s is missing from the store",
				 name, chains[i]);
			goto out;
		}
		pathf(p, sizeof(p), "%s/overlay2/%s/diff", root, cache);
		img->lower[img->nlower++] = strdup(p);
	}
	if (json_object_object_get_ex(cfg, "config", &c) && json_object_is_type(c, json_type_object)) {
		get_strv(c, "Cmd", &img->cmd, &img->ncmd);
		get_strv(c, "Entrypoint", &img->entrypoint, &img->nentry);
		get_strv(c, "Env", &img->env, &img->nenv);
		json_object *wd, *u;
		if (json_object_object_get_ex(c, "WorkingDir", &wd) && json_object_get_string(wd))
			snprintf(img->workdir, sizeof(img->workdir), "%s", json_object_get_string(wd));
		if (json_object_object_get_ex(c, "User", &u) && json_object_get_string(u))
			snprintf(img->user, sizeof(img->user), "%s", json_object_get_string(u));
	}
	rc = 0;
out:
	json_object_put(cfg);
	if (rc < 0)
		image_ref_free(img);
	return rc;
}

void image_ref_free(struct image_ref *img)
{
	for (int i = 0; i < img->nlower; i++)
		free(img->lower[i]);
	for (int i = 0; i < img->ncmd; i++)
		free(img->cmd[i]);
	for (int i = 0; i < img->nenv; i++)
		free(img->env[i]);
	for (int i = 0; i < img->nentry; i++)
		free(img->entrypoint[i]);
	free(img->cmd);
	free(img->env);
	free(img->entrypoint);
	memset(img, 0, sizeof(*img));
}

/* ---- adding images -------------------------------------------------------- */

static void now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	format_rfc3339(&ts, buf, size);
}

static const char *go_arch(void)
{
	struct utsname u;
	uname(&u);
	if (strcmp(u.machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	return "unknown";
}

static void collect_layers(const char *root, int quiet);

/* Does any tag still name image hex? */
static int image_tagged(json_object *repos, const char *hex)
{
	json_object *all;
	json_object_object_get_ex(repos, "Repositories", &all);
	json_object_object_foreach(all, rname, tags) {
		(void)rname;
		json_object_object_foreach(tags, key, idv) {
			(void)key;
			if (strcmp(strip_sha(json_object_get_string(idv)), hex) == 0)
				return 1;
		}
	}
	return 0;
}

/* The name of a container (running or not) made from image hex, or NULL. */
static const char *image_user(const char *root, const char *hex, char *name, size_t size)
{
	char run[PATH_MAX];
	struct ctr *cs;
	run_root(geteuid() != 0, run, sizeof(run));
	int n = ctr_list(root, run, &cs);
	const char *found = NULL;
	for (int i = 0; i < n; i++) {
		if (!found && strcmp(strip_sha(cs[i].image_id), hex) == 0) {
			snprintf(name, size, "%s", cs[i].name);
			found = name;
		}
		ctr_free(&cs[i]);
	}
	free(cs);
	return found;
}

/* Point repo:tag at image hex. An image the tag named before is deleted
 * if nothing else names or uses it: a re-import or a commit under the same
 * name leaves no invisible image behind. Lock held. */
static int tag_image(const char *root, const char *ref, const char *hex, int announce)
{
	char repo[256], tag[130], why[512], id[80], old[65] = "", user[64];
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	json_object *o = repos_read(root);
	const char *prev = repos_get(o, repo, tag);
	if (prev && is_hex64(strip_sha(prev)) && strcmp(strip_sha(prev), hex) != 0)
		memcpy(old, strip_sha(prev), sizeof(old));
	snprintf(id, sizeof(id), "sha256:%s", hex);
	repos_set(o, repo, tag, id);
	if (announce)
		printf("Loaded image: %s:%s\n", repo, tag);
	int r = repos_write(root, o);
	if (r == 0 && old[0] && !image_tagged(o, old) && !image_user(root, old, user, sizeof(user))) {
		char p[PATH_MAX];
		pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256/%s", root, old);
		if (unlink(p) == 0)
			collect_layers(root, 1);
	}
	json_object_put(o);
	return r;
}

/* A config for a one-layer image made from a flat rootfs tar. */
static char *import_config(const char *diff, const char *source)
{
	char created[48], did[80], by[PATH_MAX + 32];
	now_rfc3339(created, sizeof(created));
	snprintf(did, sizeof(did), "sha256:%s", diff);
	snprintf(by, sizeof(by), "mini-docker import %s", source);
	json_object *o = json_object_new_object(), *c = json_object_new_object(),
		    *r = json_object_new_object(), *ids = json_object_new_array(),
		    *env = json_object_new_array(), *h = json_object_new_array(), *h0 = json_object_new_object();
	json_object_object_add(o, "architecture", json_object_new_string(go_arch()));
	json_object_object_add(o, "os", json_object_new_string("linux"));
	json_object_object_add(o, "created", json_object_new_string(created));
	json_object_array_add(env, json_object_new_string(
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	json_object_object_add(c, "Env", env);
	json_object_object_add(o, "config", c);
	json_object_array_add(ids, json_object_new_string(did));
	json_object_object_add(r, "type", json_object_new_string("layers"));
	json_object_object_add(r, "diff_ids", ids);
	json_object_object_add(o, "rootfs", r);
	json_object_object_add(h0, "created", json_object_new_string(created));
	json_object_object_add(h0, "created_by", json_object_new_string(by));
	json_object_array_add(h, h0);
	json_object_object_add(o, "history", h);
	char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/* import FILE or import - (stdin): the helper reads it once, in the pass
 * that unpacks it, so even stdin needs no copy first. A failed import or
 * load exits 125, the code Docker's CLI uses for "the command failed". */
int image_import(const char *root, const char *file, const char *ref)
{
	char repo[256], tag[130], why[PATH_MAX + 256], diff[65], chain[65], id[65];
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	int stdin_ = strcmp(file, "-") == 0;
	int fd = stdin_ ? STDIN_FILENO : file_open_regular(file, why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "mini-docker: import: %s%s\n", why,
			strstr(why, "not a regular file") ? " (for a stream: import - NAME < FILE)" : "");
		return 125;
	}
	int lock = store_lock(root), rc = 125;
	if (lock < 0)
		goto out;
	if (layer_add(root, NULL, fd, NULL, NULL, diff, chain, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: import: %s: %s\n", file, why);
		goto out;
	}
	char *cfg = import_config(diff, file);
	int r = config_store(root, cfg, strlen(cfg), id);
	free(cfg);
	if (r < 0 || tag_image(root, ref, id, 0) < 0)
		goto out;
	printf("sha256:%s\n", id);
	rc = 0;
out:
	if (!stdin_)
		close(fd);
	return lock < 0 ? rc : store_unlock(lock, rc);
}

/* One image of an archive: its config's bytes (already read, and checked
 * against their digest where the archive names one) and its layer members,
 * bottom first, each with the blob digest the archive names (OCI) or NULL.
 * Every layer's DiffID must be the one the config promises. */
static int add_image(const char *root, int dirfd, const char *bytes, size_t len, char **layers,
		     char **blobs, int nlayers, char id[65], char *why, size_t why_size)
{
	json_object *cfg = json_tokener_parse(bytes);
	char diffs[MAX_LAYERS][65], diff[65], chain[65], parent[65], reason[PATH_MAX + 128];
	int rc = -1, n = cfg ? config_diff_ids(cfg, diffs, why, why_size) : -1;
	if (!cfg)
		snprintf(why, why_size, "the image config is not valid JSON");
	if (n < 0)
		goto out;
	if (n != nlayers) {
		snprintf(why, why_size, "the config lists %d layers, the manifest %d", n, nlayers);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int fd = member_open(dirfd, layers[i], reason, sizeof(reason));
		if (fd < 0) {
			snprintf(why, why_size, "layer %d: %s", i + 1, reason);
			goto out;
		}
		int r = layer_add(root, i ? parent : NULL, fd, blobs ? blobs[i] : NULL, diffs[i], diff,
				  chain, reason, sizeof(reason));
		close(fd);
		if (r < 0) {
			snprintf(why, why_size, "layer %d (%s): %s", i + 1, layers[i], reason);
			goto out;
		}
		memcpy(parent, chain, sizeof(parent));
	}
	rc = config_store(root, bytes, len, id);
out:
	json_object_put(cfg);
	return rc;
}

/* A path from an archive's JSON: relative and without "..". member_open
 * resolves it inside the archive anyway; this gives the clearer message. */
static int archive_path(const char *rel)
{
	return rel && rel[0] != '/' && !path_has_dotdot(rel) && strlen(rel) < PATH_MAX ? 0 : -1;
}

static int blob_path(const char *digest, char *out, size_t size)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !is_hex64(digest + 7))
		return -1;
	return snprintf(out, size, "blobs/sha256/%s", digest + 7) >= (int)size ? -1 : 0;
}

static void free_layers(char **layers, int n)
{
	for (int i = 0; i < n; i++)
		free(layers[i]);
}

/* A JSON member of the archive, read once through member_read. */
static json_object *member_json(int dirfd, const char *rel, char *why, size_t why_size)
{
	char *s = member_read(dirfd, rel, 64 << 20, NULL, why, why_size);
	if (!s)
		return NULL;
	json_object *o = json_tokener_parse(s);
	free(s);
	if (!o)
		snprintf(why, why_size, "%s is not valid JSON", rel);
	return o;
}

/* docker save: manifest.json = [{"Config": "...", "RepoTags": [...], "Layers": [...]}] */
static int load_docker_one(const char *root, int dirfd, json_object *img, size_t i,
			   char id[65], char *why, size_t why_size)
{
	json_object *cfg, *ls;
	const char *cpath = json_object_object_get_ex(img, "Config", &cfg) ? json_object_get_string(cfg) : NULL;
	if (archive_path(cpath) < 0 || !json_object_object_get_ex(img, "Layers", &ls) ||
	    !json_object_is_type(ls, json_type_array) || json_object_array_length(ls) > MAX_LAYERS) {
		snprintf(why, why_size, "manifest.json entry %zu: Config or Layers missing or unsafe", i);
		return -1;
	}
	char *layers[MAX_LAYERS];
	int n = 0, rc = -1;
	for (size_t j = 0; j < json_object_array_length(ls); j++) {
		const char *l = json_object_get_string(json_object_array_get_idx(ls, j));
		if (archive_path(l) < 0) {
			snprintf(why, why_size, "manifest.json: layer %zu has an unsafe path", j + 1);
			goto out;
		}
		layers[n++] = strdup(l);
	}
	size_t len;
	char *bytes = member_read(dirfd, cpath, 64 << 20, &len, why, why_size);
	if (bytes)
		rc = add_image(root, dirfd, bytes, len, layers, NULL, n, id, why, why_size);
	free(bytes);
out:
	free_layers(layers, n);
	return rc;
}

static int load_docker(const char *root, int dirfd, char *why, size_t why_size)
{
	json_object *m = member_json(dirfd, "manifest.json", why, why_size), *tags;
	if (!m || !json_object_is_type(m, json_type_array)) {
		if (m)
			snprintf(why, why_size, "manifest.json is not a JSON array");
		json_object_put(m);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(m); i++) {
		json_object *img = json_object_array_get_idx(m, i);
		char id[65];
		if ((rc = load_docker_one(root, dirfd, img, i, id, why, why_size)) < 0)
			break;
		int tagged = 0;
		if (json_object_object_get_ex(img, "RepoTags", &tags) && json_object_is_type(tags, json_type_array))
			for (size_t j = 0; rc == 0 && j < json_object_array_length(tags); j++) {
				const char *t = json_object_get_string(json_object_array_get_idx(tags, j));
				rc = tag_image(root, t, id, 1);
				tagged++;
			}
		if (!tagged)
			printf("Loaded image ID: sha256:%s\n", id);
	}
	json_object_put(m);
	return rc;
}

/* A blob's bytes, read once and checked against its digest: content
 * addressing means the name is the proof, and the bytes checked are the
 * bytes then used. NULL with a reason. */
static char *blob_read(int dirfd, const char *digest, size_t *len, char *why, size_t why_size)
{
	char rel[128], got[65];
	if (blob_path(digest, rel, sizeof(rel)) < 0) {
		snprintf(why, why_size, "'%s' is not a sha256 digest", digest ? digest : "(none)");
		return NULL;
	}
	char *bytes = member_read(dirfd, rel, 64 << 20, len, why, why_size);
	if (!bytes)
		return NULL;
	sha256_hex(bytes, *len, got);
	if (strcmp(got, digest + 7) != 0) {
		snprintf(why, why_size, "blob %.19s has sha256:%.12s: corrupt", digest, got);
		free(bytes);
		return NULL;
	}
	return bytes;
}
/* The layout's name for an image: org.opencontainers.image.ref.name is
 * usually just a tag ("latest"); the image name is then the layout
 * directory's (or archive's) base name. 0, or -1 if it names none. */
static int oci_name(json_object *d, const char *input, char *name, size_t size)
{
	json_object *ann, *refname;
	const char *ref = NULL;
	if (json_object_object_get_ex(d, "annotations", &ann) &&
	    json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &refname))
		ref = json_object_get_string(refname);
	if (!ref)
		return -1;
	if (strchr(ref, ':') || strchr(ref, '/')) {
		snprintf(name, size, "%s", ref);
		return 0;
	}
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s", input);
	char *b = basename(base), *dot = strstr(b, ".tar");
	if (dot)
		*dot = '\0';
	for (char *c = b; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	snprintf(name, size, "%s:%s", b, ref);
	return 0;
}

/* One manifest of an OCI layout: its blob, its config blob, its layer blobs
 * (each checked in the pass that unpacks it). */
static int load_oci_one(const char *root, int dirfd, const char *digest, char id[65],
			char *why, size_t why_size)
{
	size_t len;
	char *mbytes = blob_read(dirfd, digest, &len, why, why_size), *cbytes = NULL;
	json_object *man = mbytes ? json_tokener_parse(mbytes) : NULL, *cfg, *ls, *dg;
	char *layers[MAX_LAYERS], *blobs[MAX_LAYERS];
	int n = 0, rc = -1;
	free(mbytes);
	if (!man) {
		if (mbytes)
			snprintf(why, why_size, "manifest %.19s is not valid JSON", digest);
		return -1;
	}
	const char *cdigest = NULL;
	if (json_object_object_get_ex(man, "config", &cfg) && json_object_object_get_ex(cfg, "digest", &dg))
		cdigest = json_object_get_string(dg);
	if (!cdigest || !json_object_object_get_ex(man, "layers", &ls) ||
	    !json_object_is_type(ls, json_type_array) || json_object_array_length(ls) > MAX_LAYERS) {
		snprintf(why, why_size, "manifest %.19s: config or layers missing", digest);
		goto out;
	}
	for (size_t j = 0; j < json_object_array_length(ls); j++) {
		char rel[128];
		const char *ld = NULL;
		if (json_object_object_get_ex(json_object_array_get_idx(ls, j), "digest", &dg))
			ld = json_object_get_string(dg);
		if (blob_path(ld, rel, sizeof(rel)) < 0) {
			snprintf(why, why_size, "manifest %.19s: layer %zu has no sha256 digest", digest, j + 1);
			goto out;
		}
		layers[n] = strdup(rel);
		blobs[n++] = strdup(ld + 7);
	}
	if ((cbytes = blob_read(dirfd, cdigest, &len, why, why_size)) != NULL)
		rc = add_image(root, dirfd, cbytes, len, layers, blobs, n, id, why, why_size);
out:
	free(cbytes);
	free_layers(layers, n);
	free_layers(blobs, n);
	json_object_put(man);
	return rc;
}

/* OCI image layout: index.json -> manifest blob -> config + layer blobs. */
static int load_oci(const char *root, int dirfd, const char *input, char *why, size_t why_size)
{
	json_object *idx = member_json(dirfd, "index.json", why, why_size), *ms;
	if (!idx)
		return -1;
	int rc = -1;
	if (!json_object_object_get_ex(idx, "manifests", &ms) || !json_object_is_type(ms, json_type_array) ||
	    json_object_array_length(ms) == 0) {
		snprintf(why, why_size, "index.json lists no manifests");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i), *dg, *mt;
		const char *digest = json_object_object_get_ex(d, "digest", &dg) ? json_object_get_string(dg) : NULL;
		const char *type = json_object_object_get_ex(d, "mediaType", &mt) ? json_object_get_string(mt) : "";
		char id[65], name[512];
		if (strstr(type, "index")) {
			snprintf(why, why_size, "index.json entry %zu is itself an index (multi-platform); "
				 "copy one platform out first, e.g. with skopeo", i);
			goto out;
		}
		if (load_oci_one(root, dirfd, digest, id, why, why_size) < 0)
			goto out;
		if (oci_name(d, input, name, sizeof(name)) < 0 || tag_image(root, name, id, 1) < 0)
			printf("Loaded image ID: sha256:%s\n", id);
	}
	rc = 0;
out:
	json_object_put(idx);
	return rc;
}

/* A tar of an archive is unpacked first (with the helper's path safety)
 * into ROOT/tmp; a directory is read where it is. Either way every member
 * is then opened beneath that directory's fd (member.h). */
static int load_dir(const char *root, const char *input, char *tmp, size_t tmp_size, char *why,
		    size_t why_size)
{
	struct stat st;
	if (stat(input, &st) == 0 && S_ISDIR(st.st_mode))
		return open(input, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = file_open_regular(input, why, why_size);
	if (fd < 0)
		return -1;
	char r[65];
	if (random_hex64(r) < 0) {
		close(fd);
		return warn_errno("getrandom");
	}
	pathf(tmp, tmp_size, "%s/tmp/load-%.16s", root, r);
	int ok = mkdir(tmp, 0700) == 0;
	if (!ok)
		snprintf(why, why_size, "mkdir %s: %s", tmp, strerror(errno));
	else if (helper_extract(fd, tmp, why, why_size) < 0)
		ok = 0;
	close(fd);
	return ok ? open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
}

int image_load(const char *root, const char *input)
{
	char why[PATH_MAX + 512], tmp[PATH_MAX];
	struct stat st;
	if (stat(input, &st) < 0) {
		fprintf(stderr, "mini-docker: load: cannot read '%s': %s\n", input, strerror(errno));
		return 125;
	}
	int lock = store_lock(root), rc = 125;
	if (lock < 0)
		return rc;
	tmp[0] = '\0';
	why[0] = '\0';
	int dirfd = load_dir(root, input, tmp, sizeof(tmp), why, sizeof(why));
	if (dirfd < 0) {
		fprintf(stderr, "mini-docker: load: %s\n", why[0] ? why : strerror(errno));
		goto out;
	}
	/* which kind, by name only: the member itself is opened safely below */
	int docker = faccessat(dirfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
		     (errno != ENOENT && errno != ENOTDIR);
	if (!docker && faccessat(dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		fprintf(stderr, "mini-docker: load: '%s' is neither a docker-save archive (no manifest.json) "
			"nor an OCI image layout (no index.json)\n", input);
		goto out;
	}
	if ((docker ? load_docker(root, dirfd, why, sizeof(why))
		    : load_oci(root, dirfd, input, why, sizeof(why))) < 0) {
		fprintf(stderr, "mini-docker: load: %s\n", why);
		goto out;
	}
	rc = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	if (tmp[0])
		ovl_remove_tree(tmp);
	return store_unlock(lock, rc);
}

/* Pause a running container for its commit, as `docker commit` does by
 * default: a container still writing while its upper dir is read gives a
 * layer that never existed at any one moment, and one that swaps a
 * directory for a symlink meanwhile tries to lead the walk out (pack.c
 * refuses to follow anyway). A rootless container has no cgroup of its
 * own to freeze: it is committed running, and only pack.c's fd walk
 * protects that. Sets *paused. 0 or -1 (printed). */
static int pause_container(const struct ctr *c, struct cgroup *cg, int *paused)
{
	*paused = 0;
	if (c->rootless || !ctr_running(c))
		return 0;
	if (cg_lookup(cg, c->id, CG_CPU | CG_MEMORY | CG_PIDS) < 0 || cg_freeze(cg, 10000) < 0) {
		fprintf(stderr, "mini-docker: commit: could not pause container %s\n", c->name);
		return -1;
	}
	*paused = 1;
	return 0;
}

int image_commit(const char *root, const char *run, const char *container, const char *ref)
{
	char why[PATH_MAX + 256], id[65], repo[256], tag[130], tar[PATH_MAX], upper[PATH_MAX + 160];
	char chains[MAX_LAYERS][65], diff[65], chain[65], r[65];
	struct ctr c;
	memset(&c, 0, sizeof(c));
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 1;
	}
	if (ctr_resolve(root, container, id, why, sizeof(why)) < 0 || ctr_load(root, run, id, &c) < 0) {
		fprintf(stderr, "mini-docker: commit: %s\n", why);
		return 1;
	}
	json_object *cfg = NULL;
	struct cgroup cg;
	int lock = -1, rc = 1, paused = 0, tarfd = -1;
	tar[0] = '\0';
	if (!c.image_id[0]) {
		fprintf(stderr, "mini-docker: commit: container %s runs a directory (%s), not an image; "
			"import the directory first: tar -C DIR -c . | mini-docker import - NAME\n",
			c.name, c.image);
		goto out;
	}
	if ((lock = store_lock(root)) < 0)
		goto out;
	cfg = config_read(root, strip_sha(c.image_id), why, sizeof(why));
	int n = cfg ? config_chains(cfg, chains, why, sizeof(why)) : -1;
	if (n < 0) {
		fprintf(stderr, "mini-docker: commit: image %s: %s\n", c.image, why);
		goto out;
	}
	if (n == MAX_LAYERS) {
		fprintf(stderr, "mini-docker: commit: image %s already has %d layers, the most "
			"this store supports\n", c.image, MAX_LAYERS);
		goto out;
	}
	/* The container's upper dir, as a layer tar: what it added and changed,
	 * and what it deleted (whiteouts) as .wh. files. */
	if (random_hex64(r) < 0) {
		warn_errno("getrandom");
		goto out;
	}
	pathf(tar, sizeof(tar), "%s/tmp/commit-%.16s.tar", root, r);
	ctr_dir(root, c.id, upper, sizeof(upper));
	strcat(upper, "/upper");
	if (pause_container(&c, &cg, &paused) < 0)
		goto out;
	int packed = helper_pack(upper, tar, why, sizeof(why));
	/* the tar is all we read from the container: let it go on now */
	if (paused && cg_thaw(&cg) == 0)
		paused = 0;
	if (packed < 0 || (tarfd = open(tar, O_RDONLY | O_CLOEXEC)) < 0 ||
	    layer_add(root, chains[n - 1], tarfd, NULL, NULL, diff, chain, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: commit: %s\n", packed < 0 || tarfd >= 0 ? why : strerror(errno));
		goto out;
	}
	/* The new config: the parent's, one more diff_id and history line,
	 * and the container's command as the default. */
	char created[48], did[80];
	now_rfc3339(created, sizeof(created));
	snprintf(did, sizeof(did), "sha256:%s", diff);
	json_object *rootfs, *ids, *hist, *cc, *h = json_object_new_object();
	json_object_object_get_ex(cfg, "rootfs", &rootfs);
	json_object_object_get_ex(rootfs, "diff_ids", &ids);
	json_object_array_add(ids, json_object_new_string(did));
	json_object_object_add(cfg, "created", json_object_new_string(created));
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string("mini-docker commit"));
	if (!json_object_object_get_ex(cfg, "history", &hist) || !json_object_is_type(hist, json_type_array)) {
		hist = json_object_new_array();
		json_object_object_add(cfg, "history", hist);
	}
	json_object_array_add(hist, h);
	if (!json_object_object_get_ex(cfg, "config", &cc) || !json_object_is_type(cc, json_type_object)) {
		cc = json_object_new_object();
		json_object_object_add(cfg, "config", cc);
	}
	json_object *cmd = json_object_new_array();
	for (int i = 0; i < c.argc; i++)
		json_object_array_add(cmd, json_object_new_string(c.argv[i]));
	json_object_object_add(cc, "Cmd", cmd);
	const char *bytes = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	char newid[65];
	if (config_store(root, bytes, strlen(bytes), newid) < 0 || tag_image(root, ref, newid, 0) < 0)
		goto out;
	printf("sha256:%s\n", newid);
	rc = 0;
out:
	if (paused && cg_thaw(&cg) < 0)
		fprintf(stderr, "mini-docker: commit: container %s may still be paused: see %s\n",
			c.name, cg.name);
	if (tarfd >= 0)
		close(tarfd);
	if (tar[0])
		unlink(tar);
	json_object_put(cfg);
	ctr_free(&c);
	return store_unlock(lock, rc);
}

static long long image_size(const char *root, json_object *cfg)
{
	char chains[MAX_LAYERS][65], why[256], buf[32];
	long long total = 0;
	int n = config_chains(cfg, chains, why, sizeof(why));
	for (int i = 0; i < n; i++)
		if (layer_read(root, chains[i], "size", buf, sizeof(buf)) == 0)
			total += atoll(buf);
	return total;
}

int image_list(const char *root)
{
	json_object *o = repos_read(root), *all;
	json_object_object_get_ex(o, "Repositories", &all);
	printf("%-24s %-12s %-14s %-24s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	time_t now = time(NULL);
	json_object_object_foreach(all, repo, tags) {
		json_object_object_foreach(tags, key, idv) {
			const char *hex = strip_sha(json_object_get_string(idv));
			char why[512], ago[64], size[32], when[80] = "N/A";
			json_object *cfg = config_read(root, hex, why, sizeof(why)), *cr;
			long long bytes = 0;
			if (cfg) {
				struct timespec ts;
				if (json_object_object_get_ex(cfg, "created", &cr) &&
				    parse_rfc3339(json_object_get_string(cr), &ts) == 0)
					snprintf(when, sizeof(when), "%s ago",
						 human_duration(now - ts.tv_sec, ago, sizeof(ago)));
				bytes = image_size(root, cfg);
				json_object_put(cfg);
			}
			printf("%-24s %-12s %-14.12s %-24s %s\n", repo, key + strlen(repo) + 1, hex, when,
			       human_size(bytes, size, sizeof(size)));
		}
	}
	/* images no tag names (a container still uses them): as Docker, <none> */
	char p[PATH_MAX];
	pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256", root);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name) || image_tagged(o, e->d_name))
			continue;
		char why[512], size[32];
		json_object *cfg = config_read(root, e->d_name, why, sizeof(why));
		printf("%-24s %-12s %-14.12s %-24s %s\n", "<none>", "<none>", e->d_name, "",
		       human_size(cfg ? image_size(root, cfg) : 0, size, sizeof(size)));
		json_object_put(cfg);
	}
	if (d)
		closedir(d);
	json_object_put(o);
	return 0;
}

/* Delete every layer no stored image reaches any more: its layerdb entry,
 * then (sweep_overlay2) its files. Lock held. */
static void collect_layers(const char *root, int quiet)
{
	char p[PATH_MAX], keep[256][65];
	int nkeep = 0;
	pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256", root);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name))
			continue;
		char why[256], chains[MAX_LAYERS][65];
		json_object *cfg = config_read(root, e->d_name, why, sizeof(why));
		int n = cfg ? config_chains(cfg, chains, why, sizeof(why)) : -1;
		for (int i = 0; i < n && nkeep < 256; i++)
			memcpy(keep[nkeep++], chains[i], 65);
		json_object_put(cfg);
	}
	if (d)
		closedir(d);
	if (nkeep == 256)
		return; /* too many to track here: keep everything */
	pathf(p, sizeof(p), "%s/image/overlay2/layerdb/sha256", root);
	d = opendir(p);
	while (d && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name))
			continue;
		int used = 0;
		for (int i = 0; i < nkeep && !used; i++)
			used = strcmp(keep[i], e->d_name) == 0;
		if (used)
			continue;
		char dir[PATH_MAX];
		pathf(dir, sizeof(dir), "%s/image/overlay2/layerdb/sha256/%s", root, e->d_name);
		if (ovl_remove_tree(dir) == 0 && !quiet)
			printf("Deleted: sha256:%s\n", e->d_name);
	}
	if (d)
		closedir(d);
	sweep_overlay2(root);
}

int image_rmi(const char *root, const char *ref)
{
	char hex[65], why[PATH_MAX + 256], repo[256], tag[130];
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	json_object *o = repos_read(root), *all;
	if (find_image(root, ref, hex, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: rmi: %s\n", why);
		goto out;
	}
	/* by name: untag that one; by id: every tag of it */
	int by_name = ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) == 0 &&
		      repos_get(o, repo, tag) != NULL;
	json_object_object_get_ex(o, "Repositories", &all);
	int others = 0;
	json_object_object_foreach(all, rname, tags) {
		json_object_object_foreach(tags, key, idv) {
			(void)key;
			if (strcmp(strip_sha(json_object_get_string(idv)), hex) == 0 &&
			    !(by_name && strcmp(rname, repo) == 0 && strcmp(key + strlen(rname) + 1, tag) == 0))
				others++;
		}
	}
	char user[64];
	if ((!by_name || others == 0) && image_user(root, hex, user, sizeof(user))) {
		/* the image itself would go: not while a container uses it */
		fprintf(stderr, "mini-docker: rmi: image %s is used by container %s; remove the "
			"container first\n", ref, user);
		goto out;
	}
	json_object_object_foreach(all, rname2, tags2) {
		json_object *del = json_object_new_array();
		json_object_object_foreach(tags2, key2, idv2) {
			if (strcmp(strip_sha(json_object_get_string(idv2)), hex) == 0 &&
			    (!by_name || (strcmp(rname2, repo) == 0 && strcmp(key2 + strlen(rname2) + 1, tag) == 0)))
				json_object_array_add(del, json_object_new_string(key2));
		}
		for (size_t i = 0; i < json_object_array_length(del); i++) {
			const char *k = json_object_get_string(json_object_array_get_idx(del, i));
			printf("Untagged: %s\n", k);
			json_object_object_del(tags2, k);
		}
		json_object_put(del);
	}
	/* drop repositories left without tags */
	json_object *empty = json_object_new_array();
	json_object_object_foreach(all, rname3, tags3)
		if (json_object_object_length(tags3) == 0)
			json_object_array_add(empty, json_object_new_string(rname3));
	for (size_t i = 0; i < json_object_array_length(empty); i++)
		json_object_object_del(all, json_object_get_string(json_object_array_get_idx(empty, i)));
	json_object_put(empty);
	if (repos_write(root, o) < 0)
		goto out;
	if (!by_name || others == 0) {
		char p[PATH_MAX];
		pathf(p, sizeof(p), "%s/image/overlay2/imagedb/content/sha256/%s", root, hex);
		if (unlink(p) < 0) {
			warn_errno("unlink %s", p);
			goto out;
		}
		printf("Deleted: sha256:%s\n", hex);
		collect_layers(root, 0);
	}
	rc = 0;
out:
	json_object_put(o);
	return store_unlock(lock, rc);
}
