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
int image_find(const char *root, const char *name, char hex[65], char *why, size_t why_size)
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
	if (image_find(root, name, hex, why, why_size) < 0)
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

/* A container (running or not) made from image hex: its id, and whether
 * it runs. 1 if there is one, 0 if none, -1 if the containers could not
 * be listed (then the image counts as used: nothing is deleted). */
static int image_user(const char *root, const char *hex, char id[65], int *running)
{
	char run[PATH_MAX];
	struct ctr *cs;
	run_root(geteuid() != 0, run, sizeof(run));
	int n = ctr_list(root, run, &cs), found = n < 0 ? -1 : 0;
	for (int i = 0; i < n; i++) {
		if (!found && strcmp(strip_sha(cs[i].image_id), hex) == 0) {
			snprintf(id, 65, "%s", cs[i].id);
			*running = ctr_running(&cs[i]);
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
	char old[65], user[65];
	int running;
	if (repos_tag(root, ref, hex, announce, old) < 0)
		return -1;
	if (old[0]) {
		json_object *o = repos_read(root);
		if (repos_count(o, old, NULL) == 0 && image_user(root, old, user, &running) == 0) {
			char p[PATH_MAX];
			if (path_imagedb(root, old, p, sizeof(p)) == 0 && unlink(p) == 0)
				layers_collect(root, 1);
		}
		json_object_put(o);
	}
	return 0;
}


long long image_size(const char *root, json_object *cfg)
{
	char chains[MAX_LAYERS][65], why[256], buf[32];
	long long total = 0;
	int n = config_chains(cfg, chains, why, sizeof(why));
	for (int i = 0; i < n; i++)
		if (layer_read(root, chains[i], "size", buf, sizeof(buf)) == 0)
			total += atoll(buf);
	return total;
}

/* `tag SOURCE TARGET`: one more name for an image (a tag that named
 * another image moves; that image goes if nothing else needs it). */
int image_tag_cmd(const char *root, const char *source, const char *target)
{
	char hex[65], why[PATH_MAX + 256], repo[256], tag[130];
	if (ref_parse(target, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: tag: %s\n", why);
		return 1;
	}
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	if (image_find(root, source, hex, why, sizeof(why)) < 0)
		fprintf(stderr, "mini-docker: tag: %s\n", why);
	else if (image_tag(root, target, hex, 0) == 0)
		rc = 0;
	return store_unlock(root, lock, rc);
}

/* Whether rmi may go on, with Docker's words when it may not: a tag that
 * is an image's last name, while a container uses the image; an id that
 * several tags name (unless forced); an id a container uses. */
static int rmi_conflict(const char *root, const char *ref, const char *hex, int by_name, int tags_left,
			int force)
{
	char user[65];
	int running = 0;
	if (!by_name && tags_left > 1 && !force) {
		fprintf(stderr, "mini-docker: rmi: conflict: unable to delete %.12s (must be forced) - image "
			"is referenced in multiple repositories\n", hex);
		return -1;
	}
	if (by_name && tags_left > 0)
		return 0; /* only a name goes: the image stays */
	int used = image_user(root, hex, user, &running);
	if (used <= 0) /* -1: the containers could not be listed (printed) */
		return used;
	if (by_name)
		fprintf(stderr, "mini-docker: rmi: conflict: unable to remove repository reference \"%s\" "
			"(must force) - container %.12s is using its referenced image %.12s\n", ref, user, hex);
	else
		fprintf(stderr, "mini-docker: rmi: conflict: unable to delete %.12s (%s) - image is being used "
			"by %s container %.12s\n", hex, running ? "cannot be forced" : "must be forced",
			running ? "running" : "stopped", user);
	return -1;
}

/* rmi NAME untags that name, and deletes the image only if it was its last
 * name; rmi ID deletes the image and so all its tags, as Docker does.
 * Then every layer no other image reaches goes too. Exit status 1 for a
 * refusal, as Docker's. */
int image_rmi(const char *root, const char *ref, int force)
{
	char hex[65], why[PATH_MAX + 256], repo[256], tag[130], key[400];
	int lock = store_lock(root), rc = 1;
	if (lock < 0)
		return 1;
	json_object *o = repos_read(root);
	if (image_find(root, ref, hex, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: rmi: %s\n", why);
		goto out;
	}
	int by_name = ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) == 0 &&
		      repos_get(o, repo, tag) != NULL;
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	const char *only = by_name ? key : NULL;
	int left = repos_count(o, hex, only);
	if (rmi_conflict(root, ref, hex, by_name, left, force) < 0)
		goto out;
	repos_untag(o, hex, only);
	if (repos_write(root, o) < 0 || ((!by_name || left == 0) && image_delete(root, hex, 0) < 0))
		goto out;
	rc = 0;
out:
	json_object_put(o);
	return store_unlock(root, lock, rc);
}
