/* 08-mini-docker/layergc.c — the layer store's collectors (see
 * layerstore.h): the layers no stored image reaches any more (rmi, a tag
 * moved), and the overlay2 directories no layerdb entry names (what rmi or
 * a killed change left). Each keeps a set of every id in use, however
 * many, and deletes nothing if that set cannot be complete. */
#define _GNU_SOURCE
#include "layerstore.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "overlay.h"

/* A set of 64-hex-digit ids that grows as it needs: the collectors must
 * know every id that is kept, however many, or they would delete a kept
 * layer. Sorted once, then searched. */
struct idset {
	char (*id)[65];
	size_t n, cap;
};

static int idset_add(struct idset *s, const char *id)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		char (*id2)[65] = realloc(s->id, cap * sizeof(*id2));
		if (!id2)
			return -1;
		s->id = id2;
		s->cap = cap;
	}
	memcpy(s->id[s->n++], id, 65);
	return 0;
}

static int idcmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void idset_sort(struct idset *s)
{
	if (s->n)
		qsort(s->id, s->n, sizeof(s->id[0]), idcmp);
}

static int idset_has(const struct idset *s, const char *id)
{
	return s->n && bsearch(id, s->id, s->n, sizeof(s->id[0]), idcmp) != NULL;
}

/* Remove every overlay2 dir that no layerdb entry names as its cache-id:
 * the files of a layer whose entry went (rmi), or of one a killed command
 * had half made. If the entries cannot all be read, nothing is removed. */
void layers_sweep_files(const char *root)
{
	char p[PATH_MAX], cache[65];
	struct idset named = { 0 };
	int ok = path_layerdb(root, NULL, p, sizeof(p)) == 0;
	DIR *d = ok ? opendir(p) : NULL;
	struct dirent *e;
	ok = d != NULL;
	/* an entry whose cache-id cannot be read names files we cannot
	 * tell apart: then nothing is removed (as the collector below) */
	while (ok && (e = readdir(d)) != NULL)
		if (is_hex64(e->d_name))
			ok = layer_read(root, e->d_name, "cache-id", cache, sizeof(cache)) == 0 &&
			     idset_add(&named, cache) == 0;
	if (d)
		closedir(d);
	idset_sort(&named);
	d = ok && path_overlay2(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && !idset_has(&named, e->d_name) &&
		    path_overlay2(root, e->d_name, p, sizeof(p)) == 0)
			ovl_remove_tree(p);
	if (d)
		closedir(d);
	free(named.id);
}

/* The ChainIDs of every layer of every stored image. 0, or -1 if one
 * could not be added (then nothing may be collected). */
static int reached_layers(const char *root, struct idset *keep)
{
	char p[PATH_MAX], why[PATH_MAX + 64], chains[MAX_LAYERS][65];
	DIR *d = path_imagedb(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
	struct dirent *e;
	int rc = d ? 0 : -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name) || path_imagedb(root, e->d_name, p, sizeof(p)) < 0)
			continue;
		json_object *cfg = store_read_json(p, why, sizeof(why));
		int n = cfg ? config_chains(cfg, chains, why, sizeof(why)) : -1;
		/* unreadable, or its layers cannot be named: keep them all (a
		 * container may run on them) */
		if (n < 0)
			rc = -1;
		for (int i = 0; i < n && rc == 0; i++)
			rc = idset_add(keep, chains[i]);
		json_object_put(cfg);
	}
	if (d)
		closedir(d);
	return rc;
}

/* Delete every layer no stored image reaches any more: its layerdb entry,
 * then (layers_sweep_files) its files. -1 (nothing deleted) if the layers
 * in use cannot all be named. Lock held. */
static int collect(const char *root, int quiet)
{
	char p[PATH_MAX];
	struct idset keep = { 0 };
	if (reached_layers(root, &keep) < 0) {
		free(keep.id);
		return -1;
	}
	idset_sort(&keep);
	DIR *d = path_layerdb(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (!is_hex64(e->d_name) || idset_has(&keep, e->d_name) ||
		    path_layerdb(root, e->d_name, p, sizeof(p)) < 0)
			continue;
		if (ovl_remove_tree(p) == 0 && !quiet)
			printf("Deleted: sha256:%s\n", e->d_name);
	}
	if (d)
		closedir(d);
	free(keep.id);
	layers_sweep_files(root);
	return 0;
}

void layers_collect(const char *root, int quiet)
{
	if (collect(root, quiet) < 0)
		fprintf(stderr, "mini-docker: could not list the layers in use; none deleted\n");
}

void layers_collect_leftovers(const char *root)
{
	if (collect(root, 1) < 0)
		layers_sweep_files(root);
}
