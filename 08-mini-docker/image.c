/* 08-mini-docker/image.c — images: their configs (the image id is the
 * sha256 of the config's bytes), resolving a name to layers for `run`,
 * `images`, `rmi`, and deleting an image no tag or container needs. The
 * layers are layerstore.c's, the names ref.c's. JSON is json-c's. */
#define _GNU_SOURCE
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "digest.h"
#include "layerstore.h"

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

/* ---- configs -------------------------------------------------------------- */

json_object *config_read(const char *root, const char *hex, char *why, size_t why_size)
{
	char p[PATH_MAX];
	if (path_imagedb(root, hex, p, sizeof(p)) < 0) {
		snprintf(why, why_size, "imagedb under %s: %s", root, strerror(errno));
		return NULL;
	}
	return store_read_json(p, why, why_size);
}

/* Store config bytes under their sha256: that is the image id. */
int config_store(const char *root, const char *bytes, size_t len, char id[65])
{
	char p[PATH_MAX];
	if (sha256_hex(bytes, len, id) < 0)
		return -1;
	if (path_imagedb(root, id, p, sizeof(p)) < 0)
		return warn_errno("imagedb under %s", root);
	return write_atomic(p, bytes, len, 0600, 1);
}

void now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	format_rfc3339(&ts, buf, size);
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
		DIR *d = path_imagedb(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
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
		return -1;
	for (int i = 0; i < len; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));
		if (((*out)[*n] = strdup(s ? s : "")) == NULL)
			return -1;
		(*n)++;
	}
	return 0;
}

/* The config's "config": what `run` starts by default. 0 or -1 (memory). */
static int image_defaults(json_object *cfg, struct image_ref *img)
{
	json_object *c, *wd, *u;
	if (!json_object_object_get_ex(cfg, "config", &c) || !json_object_is_type(c, json_type_object))
		return 0;
	if (get_strv(c, "Cmd", &img->cmd, &img->ncmd) < 0 ||
	    get_strv(c, "Entrypoint", &img->entrypoint, &img->nentry) < 0 ||
	    get_strv(c, "Env", &img->env, &img->nenv) < 0)
		return -1;
	if (json_object_object_get_ex(c, "WorkingDir", &wd) && json_object_get_string(wd))
		snprintf(img->workdir, sizeof(img->workdir), "%s", json_object_get_string(wd));
	if (json_object_object_get_ex(c, "User", &u) && json_object_get_string(u))
		snprintf(img->user, sizeof(img->user), "%s", json_object_get_string(u));
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
	json_object *cfg = config_read(root, hex, why, why_size);
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
		if (path_diff(root, cache, p, sizeof(p)) < 0 || (img->lower[img->nlower] = strdup(p)) == NULL) {
			snprintf(why, why_size, "image %s: %s", name, strerror(errno));
			goto out;
		}
		img->nlower++;
	}
	if (image_defaults(cfg, img) < 0) {
		snprintf(why, why_size, "image %s: out of memory", name);
		goto out;
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

/* ---- who still needs an image --------------------------------------------- */

/* Is a container (running or not) made from image hex? 1 with its name,
 * 0, or -1 if the containers could not be listed (printed). */
static int image_user(const char *root, const char *hex, char *name, size_t size)
{
	char run[PATH_MAX];
	struct ctr *cs;
	run_root(geteuid() != 0, run, sizeof(run));
	int n = ctr_list(root, run, &cs), found = n < 0 ? -1 : 0;
	for (int i = 0; i < n; i++) {
		if (!found && strcmp(strip_sha(cs[i].image_id), hex) == 0) {
			snprintf(name, size, "%s", cs[i].name);
			found = 1;
		}
		ctr_free(&cs[i]);
	}
	free(cs);
	return found;
}

/* Delete image hex's config, then every layer no other image reaches.
 * 0, or -1 (printed). Lock held. */
static int image_delete(const char *root, const char *hex, int quiet)
{
	char p[PATH_MAX];
	if (path_imagedb(root, hex, p, sizeof(p)) < 0 || unlink(p) < 0)
		return warn_errno("unlink %s", p);
	if (!quiet)
		printf("Deleted: sha256:%s\n", hex);
	layers_collect(root, quiet);
	return 0;
}

/* Point ref at image hex. An image the tag named before is deleted if
 * nothing else names or uses it: a re-import or a commit under the same
 * name leaves no invisible image behind. Lock held. */
int image_tag(const char *root, const char *ref, const char *hex, int announce)
{
	char old[65], user[64];
	if (repos_tag(root, ref, hex, announce, old) < 0)
		return -1;
	if (old[0]) {
		json_object *o = repos_read(root);
		if (repos_count(o, old, NULL) == 0 && image_user(root, old, user, sizeof(user)) == 0) {
			char p[PATH_MAX];
			if (path_imagedb(root, old, p, sizeof(p)) == 0 && unlink(p) == 0)
				layers_collect(root, 1);
		}
		json_object_put(o);
	}
	return 0;
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
	DIR *d = path_imagedb(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name) || repos_count(o, e->d_name, NULL) > 0)
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

/* rmi NAME untags that name; rmi ID every tag of the image. The image
 * itself goes when no tag is left, and not while a container uses it;
 * then so does every layer no other image reaches. */
int image_rmi(const char *root, const char *ref)
{
	char hex[65], why[PATH_MAX + 256], repo[256], tag[130], key[400], user[64];
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	json_object *o = repos_read(root);
	if (find_image(root, ref, hex, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: rmi: %s\n", why);
		goto out;
	}
	int by_name = ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) == 0 &&
		      repos_get(o, repo, tag) != NULL;
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	const char *only = by_name ? key : NULL;
	int image_goes = repos_count(o, hex, only) == 0 || !by_name;
	int used = image_goes ? image_user(root, hex, user, sizeof(user)) : 0;
	if (used > 0)
		fprintf(stderr, "mini-docker: rmi: image %s is used by container %s; remove the "
			"container first\n", ref, user);
	if (used != 0)
		goto out;
	repos_untag(o, hex, only);
	if (repos_write(root, o) < 0 || (image_goes && image_delete(root, hex, 0) < 0))
		goto out;
	rc = 0;
out:
	json_object_put(o);
	return store_unlock(lock, rc);
}
