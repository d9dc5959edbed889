/* 08-mini-docker/save.c — `save [-o FILE] IMAGE...`: images out of the
 * store as the archive `docker save` (20.10) writes and `docker load`
 * reads:
 *
 *   <layer dir>/VERSION, json, layer.tar   one dir per layer: its tar as it was
 *                                          hashed (so the same DiffID)
 *   <image id>.json                        the config, byte for byte (so the same id)
 *   manifest.json                          [{"Config", "RepoTags", "Layers"}]
 *   repositories                           {"name": {"tag": "<top layer dir>"}}
 *
 * Docker names a layer dir by a "v1 id" hashed from a legacy JSON; we use
 * the layer's ChainID, which is as unique. docker load reads the names
 * from manifest.json and never recomputes them. The files are staged in
 * ROOT/tmp, under the store lock, and written as one tar by the helper. */
#define _GNU_SOURCE
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "helper.h"
#include "layerstore.h"
#include "overlay.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int stage_write(const char *stage, const char *name, const char *s, size_t len)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof(p), "%s/%s", stage, name) >= (int)sizeof(p))
		return -1;
	return write_atomic(p, s, len, 0644, 0);
}

/* One layer's dir: VERSION, a minimal v1 json, and layer.tar as a link to
 * the kept tar (the helper writes its gunzipped bytes). 0, or -1. */
static int stage_layer(const char *root, const char *stage, const char *chain, const char *parent,
		       char *why, size_t why_size)
{
	char dir[PATH_MAX + 80], cache[128], kept[PATH_MAX], p[PATH_MAX + 96];
	snprintf(dir, sizeof(dir), "%s/%.64s", stage, chain);
	if (access(dir, F_OK) == 0)
		return 0; /* shared with an image saved before in this archive */
	if (layer_read(root, chain, "cache-id", cache, sizeof(cache)) < 0 || !is_hex64(cache) ||
	    path_kept_tar(root, cache, kept, sizeof(kept)) < 0 || access(kept, F_OK) < 0) {
		snprintf(why, why_size, "layer sha256:%.12s has no kept tar (it was stored before mini-docker "
			 "kept them): load or import the image again, then save it", chain);
		return -1;
	}
	json_object *v1 = json_object_new_object();
	json_object_object_add(v1, "id", json_object_new_string(chain));
	if (parent)
		json_object_object_add(v1, "parent", json_object_new_string(parent));
	json_object_object_add(v1, "created", json_object_new_string("1970-01-01T00:00:00Z"));
	json_object_object_add(v1, "os", json_object_new_string("linux"));
	const char *j = json_object_to_json_string_ext(v1, JSON_FLAGS);
	char rel[80], relj[80];
	snprintf(rel, sizeof(rel), "%.64s/VERSION", chain);
	snprintf(relj, sizeof(relj), "%.64s/json", chain);
	int rc = mkdir(dir, 0755) == 0 && stage_write(stage, rel, "1.0", 3) == 0 &&
		 stage_write(stage, relj, j, strlen(j)) == 0 &&
		 snprintf(p, sizeof(p), "%s/layer.tar", dir) < (int)sizeof(p) && symlink(kept, p) == 0 ? 0 : -1;
	json_object_put(v1);
	if (rc < 0)
		snprintf(why, why_size, "staging layer %.12s in %s: %s", chain, stage, strerror(errno));
	return rc;
}

/* One image: its layers, its config, and its manifest.json entry; a name
 * it was asked by goes into RepoTags and repositories. 0, or -1. */
static int stage_image(const char *root, const char *stage, const char *name, json_object *manifest,
		       json_object *repos, char *why, size_t why_size)
{
	char hex[65], chains[MAX_LAYERS][65], p[PATH_MAX], cname[80], rel[80], repo[256], tag[130];
	if (image_find(root, name, hex, why, why_size) < 0)
		return -1;
	if (path_imagedb(root, hex, p, sizeof(p)) < 0)
		return -1;
	size_t len;
	char *bytes = read_whole(p, 64 << 20, &len);
	json_object *cfg = bytes ? json_tokener_parse(bytes) : NULL, *entry = json_object_new_object();
	json_object *layers = json_object_new_array(), *tags = NULL;
	int n = cfg ? config_chains(cfg, chains, why, why_size) : -1, rc = -1;
	if (!bytes || !cfg) {
		snprintf(why, why_size, "image %s: its config %s cannot be read", name, p);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (stage_layer(root, stage, chains[i], i ? chains[i - 1] : NULL, why, why_size) < 0)
			goto out;
		snprintf(rel, sizeof(rel), "%.64s/layer.tar", chains[i]);
		json_object_array_add(layers, json_object_new_string(rel));
	}
	snprintf(cname, sizeof(cname), "%s.json", hex);
	if (n < 0 || stage_write(stage, cname, bytes, len) < 0) {
		if (n >= 0)
			snprintf(why, why_size, "staging %s: %s", cname, strerror(errno));
		goto out;
	}
	/* asked by a name (not by id): the archive names the image so too */
	json_object *names = repos_read(root);
	const char *by = ref_parse(name, repo, sizeof(repo), tag, sizeof(tag), why, why_size) == 0
			 ? repos_get(names, repo, tag) : NULL;
	int named = by && strcmp(strip_sha(by), hex) == 0;
	json_object_put(names);
	if (named) {
		char key[400];
		json_object *r;
		snprintf(key, sizeof(key), "%s:%s", repo, tag);
		tags = json_object_new_array();
		json_object_array_add(tags, json_object_new_string(key));
		if (!json_object_object_get_ex(repos, repo, &r)) {
			r = json_object_new_object();
			json_object_object_add(repos, repo, r);
		}
		json_object_object_add(r, tag, json_object_new_string(chains[n - 1]));
	}
	json_object_object_add(entry, "Config", json_object_new_string(cname));
	json_object_object_add(entry, "RepoTags", tags);
	json_object_object_add(entry, "Layers", json_object_get(layers));
	json_object_array_add(manifest, json_object_get(entry));
	rc = 0;
out:
	json_object_put(entry);
	json_object_put(layers);
	json_object_put(cfg);
	free(bytes);
	return rc;
}

/* Where the archive goes: FILE (written under a temporary name beside it
 * and renamed when complete, so a failed save leaves no half archive), or
 * stdout, which must not be a terminal. fd, or -1 (printed). */
static int open_output(const char *file, char *tmp, size_t size)
{
	tmp[0] = '\0';
	if (!file) {
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "mini-docker: save: cowardly refusing to save to a terminal. Use the "
				"-o flag or redirect\n");
			return -1;
		}
		return STDOUT_FILENO;
	}
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", file);
	if (snprintf(tmp, size, "%s/.%s.XXXXXX", dirname(copy), basename((char *)file)) >= (int)size) {
		tmp[0] = '\0';
		fprintf(stderr, "mini-docker: save: -o '%s': path too long\n", file);
		return -1;
	}
	/* mkostemp makes it 0600, and it stays so: an image holds whatever its
	 * layers hold (keys, /etc/shadow), and Docker's CLI also writes -o
	 * through a private temporary file that it renames into place */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mini-docker: save: -o '%s': %s\n", file, strerror(errno));
		if (fd >= 0)
			unlink(tmp), close(fd);
		tmp[0] = '\0';
		return -1;
	}
	return fd;
}

/* Stage every image, then have the helper write the tar. 0, or -1. */
static int save_to(const char *root, char **names, int n, int out, char *why, size_t why_size)
{
	char stage[PATH_MAX], r[65], dir[48];
	if (random_hex64(r) < 0) {
		snprintf(why, why_size, "getrandom: %s", strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "save-%.16s", r);
	if (path_tmp(root, dir, stage, sizeof(stage)) < 0 || mkdir(stage, 0700) < 0) {
		snprintf(why, why_size, "mkdir %s: %s", stage, strerror(errno));
		return -1;
	}
	json_object *manifest = json_object_new_array(), *repos = json_object_new_object();
	int rc = 0;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = stage_image(root, stage, names[i], manifest, repos, why, why_size);
	if (rc == 0) {
		const char *m = json_object_to_json_string_ext(manifest, JSON_FLAGS);
		const char *rp = json_object_to_json_string_ext(repos, JSON_FLAGS);
		if (stage_write(stage, "manifest.json", m, strlen(m)) < 0 ||
		    (json_object_object_length(repos) > 0 && stage_write(stage, "repositories", rp, strlen(rp)) < 0)) {
			snprintf(why, why_size, "staging manifest.json in %s: %s", stage, strerror(errno));
			rc = -1;
		}
	}
	if (rc == 0)
		rc = helper_save(stage, out, why, why_size);
	json_object_put(manifest);
	json_object_put(repos);
	ovl_remove_tree(stage);
	return rc;
}

int image_save(const char *root, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'F' }, { 0 } };
	const char *file = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:", longopts, NULL)) != -1) {
		if (c == 'o') {
			file = optarg;
		} else if (!(c == 'F' && strcmp(optarg, "docker") == 0)) {
			fprintf(stderr, "mini-docker: save: %s '%s'; use -o FILE (the format is docker-save's)\n",
				c == 'F' ? "unsupported --format" : "unknown option", c == 'F' ? optarg : argv[optind - 1]);
			return 125;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker save [-o FILE] IMAGE...\n");
		return 125;
	}
	char tmp[PATH_MAX], why[PATH_MAX + 256];
	int out = open_output(file, tmp, sizeof(tmp));
	if (out < 0)
		return 1;
	/* the store lock: no rmi may take a layer away while it is copied */
	int lock = store_lock(root), rc = 1;
	if (lock >= 0 && save_to(root, argv + optind, argc - optind, out, why, sizeof(why)) < 0)
		fprintf(stderr, "mini-docker: save: %s\n", why);
	else if (lock >= 0 && (!file || (fsync(out) == 0 && rename(tmp, file) == 0)))
		rc = 0;
	else if (lock >= 0)
		fprintf(stderr, "mini-docker: save: -o '%s': %s\n", file, strerror(errno));
	if (file) {
		close(out);
		if (rc != 0)
			unlink(tmp);
	}
	return lock < 0 ? rc : store_unlock(root, lock, rc);
}
