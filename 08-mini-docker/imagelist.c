/* 08-mini-docker/imagelist.c — `images [-q] [--no-trunc]`: every tag, and
 * every image no tag names, newest first, in Docker's columns (table.h). */
#define _GNU_SOURCE
#include "image.h"

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "layerstore.h"
#include "table.h"

/* One line of `images`. */
struct listed {
	char repo[256], tag[130], hex[65];
	time_t created; /* 0: unknown */
	long long size;
};

static int newest_first(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	return x->created < y->created ? 1 : x->created > y->created ? -1 : strcmp(x->repo, y->repo);
}

static int list_add(const char *root, struct listed **v, int *n, const char *repo, const char *tag,
		    const char *hex)
{
	struct listed *nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	if (!nv)
		return -1;
	*v = nv;
	struct listed *l = &nv[(*n)++];
	char why[512];
	snprintf(l->repo, sizeof(l->repo), "%s", repo);
	snprintf(l->tag, sizeof(l->tag), "%s", tag);
	snprintf(l->hex, sizeof(l->hex), "%s", hex);
	l->created = 0;
	l->size = 0;
	json_object *cfg = config_read(root, hex, why, sizeof(why)), *cr;
	struct timespec ts;
	if (cfg && json_object_object_get_ex(cfg, "created", &cr) &&
	    parse_rfc3339(json_object_get_string(cr), &ts) == 0)
		l->created = ts.tv_sec;
	if (cfg)
		l->size = image_size(root, cfg);
	json_object_put(cfg);
	return 0;
}

/* Every tag, then every image no tag names (a container still uses it:
 * <none>, as Docker shows one), newest first. */
static int list_collect(const char *root, struct listed **v)
{
	json_object *o = repos_read(root), *all;
	int n = 0;
	*v = NULL;
	json_object_object_get_ex(o, "Repositories", &all);
	json_object_object_foreach(all, repo, tags) {
		json_object_object_foreach(tags, key, idv)
			list_add(root, v, &n, repo, key + strlen(repo) + 1, strip_sha(json_object_get_string(idv)));
	}
	char p[PATH_MAX];
	DIR *d = path_imagedb(root, NULL, p, sizeof(p)) == 0 ? opendir(p) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (is_hex64(e->d_name) && repos_count(o, e->d_name, NULL) == 0)
			list_add(root, v, &n, "<none>", "<none>", e->d_name);
	if (d)
		closedir(d);
	json_object_put(o);
	if (n)
		qsort(*v, (size_t)n, sizeof(**v), newest_first);
	return n;
}

int image_list(const char *root, int quiet, int no_trunc)
{
	struct listed *v;
	int n = list_collect(root, &v);
	struct table t = { .ncols = quiet ? 1 : 5 };
	const char *head[] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
	if (!quiet)
		table_add(&t, head);
	time_t now = time(NULL);
	for (int i = 0; i < n; i++) {
		char id[80], ago[64], when[80] = "N/A", size[32];
		snprintf(id, sizeof(id), no_trunc ? "sha256:%s" : "%.12s", v[i].hex);
		if (v[i].created)
			snprintf(when, sizeof(when), "%s ago", human_duration(now - v[i].created, ago, sizeof(ago)));
		const char *row[] = { v[i].repo, v[i].tag, id, when, human_size(v[i].size, size, sizeof(size)) };
		table_add(&t, quiet ? row + 2 : row);
	}
	table_print(&t, stdout);
	free(v);
	return 0;
}
