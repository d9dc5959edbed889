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

#include "common.h"
#include "digest.h"
#include "helper.h"
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

static void random_hex(char out[65])
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		die_errno("getrandom");
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
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

/* Put the layer in tar on top of parent (a ChainID, or NULL): DiffID,
 * ChainID, and the files under a fresh cache-id unless that ChainID is
 * already stored. Lock held. */
static int layer_add(const char *root, const char *parent, const char *tar, char diff[65],
		     char chain[65], char *why, size_t why_size)
{
	char dir[PATH_MAX], cache[65], layer[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX + 16], text[160];
	if (helper_diff_id(tar, diff, why, why_size) < 0)
		return -1;
	chain_id(parent, diff, chain);
	pathf(dir, sizeof(dir), "%s/image/overlay2/layerdb/sha256/%s", root, chain);
	if (access(dir, F_OK) == 0)
		return 0; /* shared: stored once */
	/* The cache-id is random, not derived from the content: the layer's
	 * files are found through layerdb, never by hashing a path. */
	random_hex(cache);
	pathf(layer, sizeof(layer), "%s/overlay2/%s", root, cache);
	pathf(p, sizeof(p), "%s/diff", layer);
	if (mkdir_p(p, 0755) < 0) {
		snprintf(why, why_size, "mkdir -p %s: %s", p, strerror(errno));
		return -1;
	}
	long long size = 0;
	if (helper_unpack(tar, p, &size, why, why_size) < 0)
		goto fail;
	/* layerdb entry: written under tmp/, then renamed into place whole */
	pathf(tmp, sizeof(tmp), "%s/image/overlay2/layerdb/tmp/%s", root, cache);
	if (mkdir(tmp, 0700) < 0) {
		snprintf(why, why_size, "mkdir %s: %s", tmp, strerror(errno));
		goto fail;
	}
	struct { const char *name, *value; } files[4] = { { "diff", NULL }, { "size", NULL },
							  { "cache-id", cache }, { "parent", NULL } };
	char dtext[80], stext[32], ptext[80];
	snprintf(dtext, sizeof(dtext), "sha256:%s", diff);
	snprintf(stext, sizeof(stext), "%lld", size);
	files[0].value = dtext;
	files[1].value = stext;
	if (parent) {
		snprintf(ptext, sizeof(ptext), "sha256:%s", parent);
		files[3].value = ptext;
	}
	for (int i = 0; i < 4; i++) {
		if (!files[i].value)
			continue;
		pathf(p, sizeof(p), "%s/%s", tmp, files[i].name);
		snprintf(text, sizeof(text), "%s", files[i].value);
		if (write_text(p, text) < 0) {
			snprintf(why, why_size, "could not write %s", p);
			goto fail;
		}
	}
	if (rename(tmp, dir) < 0) {
		snprintf(why, why_size, "rename %s: %s", tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	ovl_remove_tree(layer);
	ovl_remove_tree(tmp);
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
		get_strv(c, "Env", &img->env, &img->nenv);
		json_object *wd;
		if (json_object_object_get_ex(c, "WorkingDir", &wd) && json_object_get_string(wd))
			snprintf(img->workdir, sizeof(img->workdir), "%s", json_object_get_string(wd));
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
	free(img->cmd);
	free(img->env);
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

/* Copy stdin to a file (import -): DiffID needs two passes over the tar. */
static int spool_stdin(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return warn_errno("open %s", path);
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			close(fd);
			return warn_errno("write %s", path);
		}
	int err = errno;
	close(fd);
	errno = err;
	if (n < 0 && errno == EINTR && helper_stop) {
		fprintf(stderr, "mini-docker: import: interrupted\n");
		return -1;
	}
	return n < 0 ? warn_errno("read stdin") : 0;
}

int image_import(const char *root, const char *file, const char *ref)
{
	char repo[256], tag[130], why[PATH_MAX + 256], tmp[PATH_MAX], diff[65], chain[65], id[65];
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 1;
	}
	if (strcmp(file, "-") != 0 && access(file, R_OK) < 0) {
		fprintf(stderr, "mini-docker: import: cannot read '%s': %s\n", file, strerror(errno));
		return 1;
	}
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	tmp[0] = '\0';
	if (strcmp(file, "-") == 0) {
		char r[65];
		random_hex(r);
		pathf(tmp, sizeof(tmp), "%s/tmp/import-%.16s.tar", root, r);
		if (spool_stdin(tmp) < 0)
			goto out;
		file = tmp;
	}
	if (layer_add(root, NULL, file, diff, chain, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: import: %s\n", why);
		goto out;
	}
	char *cfg = import_config(diff, strcmp(file, tmp) == 0 ? "-" : file);
	int r = config_store(root, cfg, strlen(cfg), id);
	free(cfg);
	if (r < 0 || tag_image(root, ref, id, 0) < 0)
		goto out;
	printf("sha256:%s\n", id);
	rc = 0;
out:
	if (tmp[0])
		unlink(tmp);
	return store_unlock(lock, rc);
}

/* One image of an archive: its config's bytes and its layer files, bottom
 * first. Every layer goes through layer_add, and its DiffID must be the
 * one the config promises. */
static int add_image(const char *root, const char *config_path, char **layers, int nlayers,
		     char id[65], char *why, size_t why_size)
{
	size_t len;
	char *bytes = read_whole(config_path, 64 << 20, &len);
	if (!bytes) {
		snprintf(why, why_size, "read %s: %s", config_path, strerror(errno));
		return -1;
	}
	json_object *cfg = json_tokener_parse(bytes);
	char diffs[MAX_LAYERS][65], diff[65], chain[65], parent[65];
	int rc = -1, n = cfg ? config_diff_ids(cfg, diffs, why, why_size) : -1;
	if (!cfg)
		snprintf(why, why_size, "%s is not valid JSON", config_path);
	if (n < 0)
		goto out;
	if (n != nlayers) {
		snprintf(why, why_size, "the config lists %d layers, the manifest %d", n, nlayers);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (layer_add(root, i ? parent : NULL, layers[i], diff, chain, why, why_size) < 0)
			goto out;
		if (strcmp(diff, diffs[i]) != 0) {
			snprintf(why, why_size, "layer %d: its DiffID is sha256:%.12s but the config "
				 "says sha256:%.12s", i + 1, diff, diffs[i]);
			goto out;
		}
		memcpy(parent, chain, sizeof(parent));
	}
	rc = config_store(root, bytes, len, id);
out:
	json_object_put(cfg);
	free(bytes);
	return rc;
}

/* A path from an archive's JSON, joined to its directory: relative and
 * without "..", or the JSON could point anywhere on the host. */
static int archive_path(const char *dir, const char *rel, char *out, size_t size)
{
	if (!rel || rel[0] == '/' || path_has_dotdot(rel))
		return -1;
	return snprintf(out, size, "%s/%s", dir, rel) >= (int)size ? -1 : 0;
}

static int blob_path(const char *dir, const char *digest, char *out, size_t size)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !is_hex64(digest + 7))
		return -1;
	return snprintf(out, size, "%s/blobs/sha256/%s", dir, digest + 7) >= (int)size ? -1 : 0;
}

static void free_layers(char **layers, int n)
{
	for (int i = 0; i < n; i++)
		free(layers[i]);
}

/* docker save: manifest.json = [{"Config": "...", "RepoTags": [...], "Layers": [...]}] */
static int load_docker(const char *root, const char *dir, char *why, size_t why_size)
{
	char p[PATH_MAX + 16];
	pathf(p, sizeof(p), "%s/manifest.json", dir);
	json_object *m = read_json(p, why, why_size);
	if (!m || !json_object_is_type(m, json_type_array)) {
		if (m)
			snprintf(why, why_size, "manifest.json is not a JSON array");
		json_object_put(m);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(m); i++) {
		json_object *img = json_object_array_get_idx(m, i), *cfg, *ls, *tags;
		char cpath[PATH_MAX], id[65], *layers[MAX_LAYERS];
		int n = 0;
		rc = -1;
		if (!json_object_object_get_ex(img, "Config", &cfg) ||
		    archive_path(dir, json_object_get_string(cfg), cpath, sizeof(cpath)) < 0 ||
		    !json_object_object_get_ex(img, "Layers", &ls) || !json_object_is_type(ls, json_type_array) ||
		    json_object_array_length(ls) > MAX_LAYERS) {
			snprintf(why, why_size, "manifest.json entry %zu: Config or Layers missing or unsafe", i);
			break;
		}
		for (size_t j = 0; j < json_object_array_length(ls); j++) {
			char lp[PATH_MAX];
			if (archive_path(dir, json_object_get_string(json_object_array_get_idx(ls, j)),
					 lp, sizeof(lp)) < 0) {
				snprintf(why, why_size, "manifest.json: layer %zu has an unsafe path", j + 1);
				free_layers(layers, n);
				goto done;
			}
			layers[n++] = strdup(lp);
		}
		rc = add_image(root, cpath, layers, n, id, why, why_size);
		free_layers(layers, n);
		if (rc < 0)
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
done:
	json_object_put(m);
	return rc;
}

/* The bytes of a blob, checked against its digest: content addressing
 * means the name is the proof. */
static int blob_check(const char *path, const char *digest, char *why, size_t why_size)
{
	char got[65];
	if (file_sha256(path, got) < 0) {
		snprintf(why, why_size, "read %s: %s", path, strerror(errno));
		return -1;
	}
	if (strcmp(got, digest + 7) != 0) {
		snprintf(why, why_size, "blob %.19s has sha256:%.12s: corrupt", digest, got);
		return -1;
	}
	return 0;
}

/* OCI image layout: index.json -> manifest blob -> config + layer blobs. */
static int load_oci(const char *root, const char *dir, const char *input, char *why, size_t why_size)
{
	char p[PATH_MAX + 16];
	pathf(p, sizeof(p), "%s/index.json", dir);
	json_object *idx = read_json(p, why, why_size), *ms;
	if (!idx)
		return -1;
	int rc = -1;
	if (!json_object_object_get_ex(idx, "manifests", &ms) || !json_object_is_type(ms, json_type_array) ||
	    json_object_array_length(ms) == 0) {
		snprintf(why, why_size, "index.json lists no manifests");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i), *dg, *mt, *ann, *refname;
		const char *digest = json_object_object_get_ex(d, "digest", &dg) ? json_object_get_string(dg) : NULL;
		const char *type = json_object_object_get_ex(d, "mediaType", &mt) ? json_object_get_string(mt) : "";
		char mpath[PATH_MAX], cpath[PATH_MAX], *layers[MAX_LAYERS], id[65], name[512];
		int n = 0;
		if (strstr(type, "index")) {
			snprintf(why, why_size, "index.json entry %zu is itself an index (multi-platform); "
				 "copy one platform out first, e.g. with skopeo", i);
			goto out;
		}
		if (blob_path(dir, digest, mpath, sizeof(mpath)) < 0 || blob_check(mpath, digest, why, why_size) < 0) {
			if (!digest || !is_hex64(strip_sha(digest)))
				snprintf(why, why_size, "index.json entry %zu has no sha256 digest", i);
			goto out;
		}
		json_object *man = read_json(mpath, why, why_size), *cfg, *ls;
		if (!man)
			goto out;
		const char *cdigest = NULL;
		if (json_object_object_get_ex(man, "config", &cfg) &&
		    json_object_object_get_ex(cfg, "digest", &dg))
			cdigest = json_object_get_string(dg);
		if (blob_path(dir, cdigest, cpath, sizeof(cpath)) < 0 ||
		    !json_object_object_get_ex(man, "layers", &ls) || !json_object_is_type(ls, json_type_array) ||
		    json_object_array_length(ls) > MAX_LAYERS) {
			snprintf(why, why_size, "manifest %.19s: config or layers missing", digest);
			json_object_put(man);
			goto out;
		}
		int bad = blob_check(cpath, cdigest, why, why_size) < 0;
		for (size_t j = 0; !bad && j < json_object_array_length(ls); j++) {
			char lp[PATH_MAX];
			const char *ld = NULL;
			if (json_object_object_get_ex(json_object_array_get_idx(ls, j), "digest", &dg))
				ld = json_object_get_string(dg);
			bad = blob_path(dir, ld, lp, sizeof(lp)) < 0 || blob_check(lp, ld, why, why_size) < 0;
			if (!bad)
				layers[n++] = strdup(lp);
		}
		json_object_put(man);
		if (bad || add_image(root, cpath, layers, n, id, why, why_size) < 0) {
			free_layers(layers, n);
			goto out;
		}
		free_layers(layers, n);
		/* The layout's name for it: org.opencontainers.image.ref.name is
		 * usually just a tag ("latest"); the image name is then the
		 * layout directory's (or archive's) base name. */
		const char *ref = NULL;
		if (json_object_object_get_ex(d, "annotations", &ann) &&
		    json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &refname))
			ref = json_object_get_string(refname);
		if (ref && (strchr(ref, ':') || strchr(ref, '/'))) {
			snprintf(name, sizeof(name), "%s", ref);
		} else if (ref) {
			char base[PATH_MAX];
			snprintf(base, sizeof(base), "%s", input);
			char *b = basename(base), *dot = strstr(b, ".tar");
			if (dot)
				*dot = '\0';
			for (char *c = b; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			snprintf(name, sizeof(name), "%s:%s", b, ref);
		}
		if (!ref || tag_image(root, name, id, 1) < 0)
			printf("Loaded image ID: sha256:%s\n", id);
	}
	rc = 0;
out:
	json_object_put(idx);
	return rc;
}

int image_load(const char *root, const char *input)
{
	char why[PATH_MAX + 256], tmp[PATH_MAX], r[65], p[PATH_MAX + 32];
	struct stat st;
	if (stat(input, &st) < 0) {
		fprintf(stderr, "mini-docker: load: cannot read '%s': %s\n", input, strerror(errno));
		return 1;
	}
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	const char *dir = input;
	tmp[0] = '\0';
	if (!S_ISDIR(st.st_mode)) {
		random_hex(r);
		pathf(tmp, sizeof(tmp), "%s/tmp/load-%.16s", root, r);
		if (mkdir(tmp, 0700) < 0) {
			warn_errno("mkdir %s", tmp);
			goto out;
		}
		if (helper_extract(input, tmp, why, sizeof(why)) < 0) {
			fprintf(stderr, "mini-docker: load: %s\n", why);
			goto out;
		}
		dir = tmp;
	}
	pathf(p, sizeof(p), "%s/manifest.json", dir);
	int docker = access(p, F_OK) == 0;
	pathf(p, sizeof(p), "%s/index.json", dir);
	if (!docker && access(p, F_OK) < 0) {
		fprintf(stderr, "mini-docker: load: '%s' is neither a docker-save archive (no manifest.json) "
			"nor an OCI image layout (no index.json)\n", input);
		goto out;
	}
	if ((docker ? load_docker(root, dir, why, sizeof(why))
		    : load_oci(root, dir, input, why, sizeof(why))) < 0) {
		fprintf(stderr, "mini-docker: load: %s\n", why);
		goto out;
	}
	rc = 0;
out:
	if (tmp[0])
		ovl_remove_tree(tmp);
	return store_unlock(lock, rc);
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
	int lock = -1, rc = 1;
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
	random_hex(r);
	pathf(tar, sizeof(tar), "%s/tmp/commit-%.16s.tar", root, r);
	ctr_dir(root, c.id, upper, sizeof(upper));
	strcat(upper, "/upper");
	if (helper_pack(upper, tar, why, sizeof(why)) < 0 ||
	    layer_add(root, chains[n - 1], tar, diff, chain, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: commit: %s\n", why);
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
