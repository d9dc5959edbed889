/* 08-mini-docker/layerstore.c — the layer store: see layerstore.h. Every
 * change holds the store's lock, cleans up on its own error path, and a
 * change that was killed is cleaned up by the next one (store_recover). */
#define _GNU_SOURCE
#include "layerstore.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "statedir.h"
#include "digest.h"
#include "helper.h"
#include "overlay.h"

/* ---- where things live ---------------------------------------------------- */

static int store_path(char *buf, size_t size, const char *root, const char *dir, const char *name)
{
	int n = name ? snprintf(buf, size, "%s/%s/%s", root, dir, name)
		     : snprintf(buf, size, "%s/%s", root, dir);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int path_repositories(const char *root, char *buf, size_t size)
{
	return store_path(buf, size, root, "image/overlay2", "repositories.json");
}

int path_imagedb(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, root, "image/overlay2/imagedb/content/sha256", name);
}

int path_layerdb(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, root, "image/overlay2/layerdb/sha256", name);
}

int path_layerdb_tmp(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, root, "image/overlay2/layerdb/tmp", name);
}

int path_overlay2(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, root, "overlay2", name);
}

/* overlay2/<cache>/<file> */
static int cache_path(const char *root, const char *cache, const char *file, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/overlay2/%s/%s", root, cache, file);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int path_diff(const char *root, const char *cache, char *buf, size_t size)
{
	return cache_path(root, cache, "diff", buf, size);
}

int path_kept_tar(const char *root, const char *cache, char *buf, size_t size)
{
	return cache_path(root, cache, "layer.tar.gz", buf, size);
}

int path_tmp(const char *root, const char *name, char *buf, size_t size)
{
	return store_path(buf, size, root, "tmp", name);
}

json_object *store_read_json(const char *path, char *why, size_t why_size)
{
	char *s = read_whole(path, 64 << 20, NULL);
	if (!s) {
		snprintf(why, why_size, "read %s: %s", path, strerror(errno ? errno : EIO));
		return NULL;
	}
	return json_take(s, path, why, why_size);
}

json_object *json_take(char *s, const char *name, char *why, size_t why_size)
{
	json_object *o = json_tokener_parse(s);
	free(s);
	if (!o)
		snprintf(why, why_size, "%s is not valid JSON", name);
	return o;
}

int store_write_text(const char *path, const char *s)
{
	return write_atomic(path, s, strlen(s), 0644, 1);
}

/* ---- the lock, and what a killed change left ------------------------------ */

static int prepare_store(const char *root)
{
	int (*const dirs[])(const char *, const char *, char *, size_t) = {
		path_imagedb, path_layerdb, path_layerdb_tmp, path_overlay2, path_tmp };
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (dirs[i](root, NULL, p, sizeof(p)) < 0 || mkdir_p(p, 0700) < 0)
			return warn_errno("mkdir -p %s", p);
	return 0;
}

/* Empty a directory, keeping it. */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX];
	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) < (int)sizeof(p))
			ovl_remove_tree(p); /* a file or a whole tree */
	if (d)
		closedir(d);
}

/* What a failed or killed import, load or commit left (an error, SIGKILL,
 * a power cut): every change holds the lock, and an image's layers and its
 * config are stored under one hold of it, so with the lock held anything
 * in the two tmp dirs, any layer no image reaches, and any overlay2 dir
 * that no layerdb entry names, is such a leftover. Lock held. */
static void store_recover(const char *root)
{
	char p[PATH_MAX];
	if (path_tmp(root, NULL, p, sizeof(p)) == 0)
		empty_dir(p);
	if (path_layerdb_tmp(root, NULL, p, sizeof(p)) == 0)
		empty_dir(p);
	layers_collect_leftovers(root);
}

static void on_stop(int sig)
{
	helper_stop = sig;
}

/* The store's directories, then the lock every change to it holds, then
 * the leftovers of a change that was killed. A stop signal from here on
 * makes the change fail and undo itself (helper.h). */
int store_lock(const char *root)
{
	/* The root first, one component at a time and never through a link
	 * (a rootless store's path is predictable: another user could plant a
	 * symlink there); its subdirectories only once it is checked ours. */
	char why[2 * PATH_MAX + 256];
	int dfd = sd_make(root, 0711, why, sizeof(why));
	if (dfd < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	close(dfd);
	int lock = state_lock(root);
	if (lock < 0)
		return -1;
	if (prepare_store(root) < 0) {
		state_unlock(lock);
		return -1;
	}
	store_recover(root);
	catch_stop_signals(on_stop);
	return lock;
}

/* A change that failed (a load refused at its third layer, Ctrl-C) takes
 * what it had stored with it before it lets go of the lock. One that failed
 * because it was stopped exits as killed by that signal (130 for Ctrl-C),
 * like the shell reports it. */
int store_unlock(const char *root, int lock, int rc)
{
	if (lock >= 0 && rc != 0)
		layers_collect_leftovers(root);
	state_unlock(lock);
	return rc != 0 && helper_stop ? 128 + helper_stop : rc;
}

/* ---- layers --------------------------------------------------------------- */

/* The layerdb entry of a layer just unpacked into cache: written under
 * tmp/, then renamed into place whole. Lock held. */
static int layer_record(const char *root, const char *parent, const char *diff, const char *chain,
			const char *cache, long long size, char *why, size_t why_size)
{
	char dir[PATH_MAX], tmp[PATH_MAX], p[PATH_MAX + 16];
	if (path_layerdb(root, chain, dir, sizeof(dir)) < 0 || path_layerdb_tmp(root, cache, tmp, sizeof(tmp)) < 0) {
		snprintf(why, why_size, "layerdb entry %.12s: %s", chain, strerror(errno));
		return -1;
	}
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
		snprintf(p, sizeof(p), "%s/%s", tmp, files[i].name); /* tmp < PATH_MAX: fits */
		if (store_write_text(p, files[i].value) < 0) {
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
int layer_add(const char *root, const char *parent, int fd, const char *want_blob,
		     const char *want_diff, char diff[65], char chain[65], char *why, size_t why_size)
{
	char cache[65], layer[PATH_MAX], p[PATH_MAX + 16], blob[65];
	/* The cache-id is random, not derived from the content: the layer's
	 * files are found through layerdb, never by hashing a path. */
	if (random_hex64(cache) < 0) {
		snprintf(why, why_size, "getrandom: %s", strerror(errno));
		return -1;
	}
	if (path_overlay2(root, cache, layer, sizeof(layer)) < 0 || path_diff(root, cache, p, sizeof(p)) < 0) {
		snprintf(why, why_size, "overlay2 under %s: %s", root, strerror(errno));
		return -1;
	}
	if (mkdir_p(p, 0755) < 0) {
		snprintf(why, why_size, "mkdir -p %s: %s", p, strerror(errno));
		return -1;
	}
	long long size = 0;
	char kept[PATH_MAX + 16];
	if (path_kept_tar(root, cache, kept, sizeof(kept)) < 0 ||
	    helper_unpack(fd, p, kept, want_blob, blob, diff, &size, why, why_size) < 0)
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
	if (chain_id(parent, diff, chain) < 0) {
		snprintf(why, why_size, "its ChainID could not be computed (see above)");
		goto fail;
	}
	if (path_layerdb(root, chain, p, sizeof(p)) == 0 && access(p, F_OK) == 0) {
		/* shared: stored once; a layer stored before tars were kept
		 * gets this copy's tar, so it can be saved from now on */
		char other[128], there[PATH_MAX + 16];
		if (layer_read(root, chain, "cache-id", other, sizeof(other)) == 0 && is_hex64(other) &&
		    path_kept_tar(root, other, there, sizeof(there)) == 0 && access(there, F_OK) < 0)
			rename(kept, there);
		ovl_remove_tree(layer);
		return 0;
	}
	if (layer_record(root, parent, diff, chain, cache, size, why, why_size) == 0)
		return 0;
fail:
	ovl_remove_tree(layer);
	return -1;
}
int layer_read(const char *root, const char *chain, const char *file, char *buf, size_t size)
{
	char p[PATH_MAX], entry[PATH_MAX];
	if (path_layerdb(root, chain, entry, sizeof(entry)) < 0 ||
	    snprintf(p, sizeof(p), "%s/%s", entry, file) >= (int)sizeof(p))
		return -1;
	return read_file(p, buf, size) < 0 ? -1 : 0;
}

/* The image config's rootfs.diff_ids as hex, checked. Count or -1. */
int config_diff_ids(json_object *cfg, char ids[][65], char *why, size_t why_size)
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
int config_chains(json_object *cfg, char chains[][65], char *why, size_t why_size)
{
	char diffs[MAX_LAYERS][65];
	int n = config_diff_ids(cfg, diffs, why, why_size);
	for (int i = 0; i < n; i++)
		if (chain_id(i ? chains[i - 1] : NULL, diffs[i], chains[i]) < 0) {
			snprintf(why, why_size, "the ChainIDs could not be computed (see above)");
			return -1;
		}
	return n;
}
