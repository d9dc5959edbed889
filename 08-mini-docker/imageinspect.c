/* 08-mini-docker/imageinspect.c — an image as `docker image inspect` and
 * `docker history` show it, made from what the store keeps: the config
 * (imagedb), the layers' sizes and cache-ids (layerdb), the tags
 * (repositories.json). Checked against Docker 20.10 by
 * tests/integration/08-docker-compat.sh. */
#define _GNU_SOURCE
#include "image.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "jsonget.h"
#include "layerstore.h"
#include "lifecycle.h"
#include "table.h"

/* ---- inspect ------------------------------------------------------------------- */

static json_object *str_or(json_object *o, const char *key, const char *dflt)
{
	json_object *v;
	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get(v);
	return json_object_new_string(dflt);
}

/* The config's "config" with the fields people read always present: a
 * list Docker has none of is null, as in Docker's output. */
static json_object *run_config(json_object *cfg)
{
	json_object *c, *out = json_object_new_object(), *v;
	if (!json_object_object_get_ex(cfg, "config", &c) || !json_object_is_type(c, json_type_object))
		c = NULL;
	static const char *const strs[] = { "Hostname", "Domainname", "User" };
	for (size_t i = 0; i < 3; i++)
		json_object_object_add(out, strs[i], str_or(c, strs[i], ""));
	static const char *const lists[] = { "Env", "Cmd" };
	for (size_t i = 0; i < 2; i++)
		json_object_object_add(out, lists[i], json_object_get(json_key_array(c, lists[i])));
	json_object_object_add(out, "Image", str_or(c, "Image", ""));
	json_object_object_add(out, "Volumes", c && json_object_object_get_ex(c, "Volumes", &v) ? json_object_get(v) : NULL);
	json_object_object_add(out, "WorkingDir", str_or(c, "WorkingDir", ""));
	json_object_object_add(out, "Entrypoint", json_object_get(json_key_array(c, "Entrypoint")));
	json_object_object_add(out, "OnBuild", NULL);
	json_object_object_add(out, "Labels", c && json_object_object_get_ex(c, "Labels", &v) ? json_object_get(v) : NULL);
	return out;
}

/* GraphDriver as Docker reports an image: the top layer's directory gives
 * UpperDir, WorkDir and MergedDir; LowerDir is every layer below, top
 * first, joined with ':' as the lowerdir= mount option is (Docker prints
 * the diff paths here too: its l/ short links appear only in the mount
 * options). A one-layer image has no LowerDir. */
static json_object *graph_driver(const char *root, json_object *cfg, char *why, size_t why_size)
{
	char chains[MAX_LAYERS][65], cache[128], p[PATH_MAX], top[PATH_MAX];
	int n = config_chains(cfg, chains, why, why_size);
	if (n < 0)
		return NULL;
	char *lower = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&lower, &len);
	if (!f) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	for (int i = n - 1; i >= 0; i--) {
		if (layer_read(root, chains[i], "cache-id", cache, sizeof(cache)) < 0 || !is_hex64(cache) ||
		    path_overlay2(root, cache, p, sizeof(p)) < 0) {
			snprintf(why, why_size, "layer sha256:%.12s is missing from the store", chains[i]);
			fclose(f);
			free(lower);
			return NULL;
		}
		if (i == n - 1)
			memcpy(top, p, sizeof(top));
		else
			fprintf(f, "%s%s/diff", i == n - 2 ? "" : ":", p);
	}
	fclose(f);
	json_object *data = json_object_new_object(), *gd = json_object_new_object();
	if (n > 1)
		json_object_object_add(data, "LowerDir", json_object_new_string(lower ? lower : ""));
	static const char *const dirs[][2] = { { "MergedDir", "merged" }, { "UpperDir", "diff" }, { "WorkDir", "work" } };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", top, dirs[i][1]);
		json_object_object_add(data, dirs[i][0], json_object_new_string(p));
	}
	free(lower);
	json_object_object_add(gd, "Data", data);
	json_object_object_add(gd, "Name", json_object_new_string("overlay2"));
	return gd;
}

/* The tags naming image hex, as "repo:tag" strings. */
static json_object *repo_tags(const char *root, const char *hex)
{
	json_object *o = repos_read(root), *all, *tags = json_object_new_array();
	json_object_object_get_ex(o, "Repositories", &all);
	json_object_object_foreach(all, repo, byrepo) {
		(void)repo;
		json_object_object_foreach(byrepo, key, idv)
			if (strcmp(strip_sha(json_object_get_string(idv)), hex) == 0)
				json_object_array_add(tags, json_object_new_string(key));
	}
	json_object_put(o);
	return tags;
}

json_object *image_inspect(const char *root, const char *hex, char *why, size_t why_size)
{
	json_object *cfg = config_read(root, hex, why, why_size), *rootfs, *ids;
	if (!cfg)
		return NULL;
	json_object *gd = graph_driver(root, cfg, why, why_size);
	if (!gd) {
		json_object_put(cfg);
		return NULL;
	}
	char id[80];
	snprintf(id, sizeof(id), "sha256:%s", hex);
	long long size = image_size(root, cfg);
	json_object *o = json_object_new_object(), *fs = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(id));
	json_object_object_add(o, "RepoTags", repo_tags(root, hex));
	json_object_object_add(o, "RepoDigests", json_object_new_array());
	json_object_object_add(o, "Parent", json_object_new_string(""));
	json_object_object_add(o, "Comment", str_or(cfg, "comment", ""));
	json_object_object_add(o, "Created", str_or(cfg, "created", ""));
	json_object_object_add(o, "Container", str_or(cfg, "container", ""));
	json_object_object_add(o, "DockerVersion", str_or(cfg, "docker_version", ""));
	json_object_object_add(o, "Author", str_or(cfg, "author", ""));
	json_object_object_add(o, "Config", run_config(cfg));
	json_object_object_add(o, "Architecture", str_or(cfg, "architecture", ""));
	json_object_object_add(o, "Os", str_or(cfg, "os", ""));
	json_object_object_add(o, "Size", json_object_new_int64(size));
	json_object_object_add(o, "VirtualSize", json_object_new_int64(size));
	json_object_object_add(o, "GraphDriver", gd);
	json_object_object_get_ex(cfg, "rootfs", &rootfs);
	json_object_object_add(fs, "Type", str_or(rootfs, "type", "layers"));
	ids = json_key_array(rootfs, "diff_ids");
	json_object_object_add(fs, "Layers", ids ? json_object_get(ids) : json_object_new_array());
	json_object_object_add(o, "RootFS", fs);
	json_object_put(cfg);
	return o;
}

/* ---- history ------------------------------------------------------------------- */

struct history_opts {
	int human, no_trunc, quiet;
};

/* One row per history entry, newest first. An entry that made a layer
 * (no "empty_layer") gets the next DiffID's size, bottom up. Only the top
 * row is an image of its own: the rows below have no image id, and
 * Docker prints <missing> there for any image it did not build itself. */
static void history_rows(const char *root, const char *hex, json_object *cfg, const struct history_opts *o,
			 struct table *t)
{
	char chains[MAX_LAYERS][65], why[256];
	int nchains = config_chains(cfg, chains, why, sizeof(why));
	json_object *h = json_key_array(cfg, "history");
	int n = h ? (int)json_object_array_length(h) : 0, layer = 0;
	long long *sizes = calloc((size_t)n + 1, sizeof(long long));
	for (int i = 0; sizes && i < n; i++) {
		json_object *e = json_object_array_get_idx(h, (size_t)i), *empty;
		char buf[32];
		int is_empty = json_object_object_get_ex(e, "empty_layer", &empty) && json_object_get_boolean(empty);
		if (!is_empty && layer < nchains && layer_read(root, chains[layer++], "size", buf, sizeof(buf)) == 0)
			sizes[i] = atoll(buf);
	}
	time_t now = time(NULL);
	for (int i = n - 1; i >= 0; i--) {
		json_object *e = json_object_array_get_idx(h, (size_t)i), *v;
		char img[80] = "<missing>", created[64] = "", by[4096] = "", size[32], ago[48];
		if (i == n - 1)
			snprintf(img, sizeof(img), o->no_trunc ? "sha256:%s" : "%.12s", hex);
		if (o->quiet) {
			const char *cell[] = { img };
			table_add(t, cell);
			continue;
		}
		struct timespec ts;
		if (json_object_object_get_ex(e, "created", &v) && parse_rfc3339(json_object_get_string(v), &ts) == 0) {
			struct tm tm;
			if (o->human)
				snprintf(created, sizeof(created), "%s ago", human_duration(now - ts.tv_sec, ago, sizeof(ago)));
			else if (gmtime_r(&ts.tv_sec, &tm))
				strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		/* an image's text is someone else's: escaped, as ps escapes a
		 * container's command, so no ESC in it reaches the terminal */
		const char *cb = json_object_get_string(json_object_object_get_ex(e, "created_by", &v) ? v : NULL);
		char shown[4096];
		snprintf(shown, sizeof(shown), "%s", cb ? cb : "");
		for (char *c = shown; *c; c++)
			if (*c == '\t' || *c == '\n')
				*c = ' ';
		escape_text(shown, 0, by, sizeof(by));
		if (!o->no_trunc)
			format_command((char *[]){ strcpy(shown, by) }, 1, 45, by, sizeof(by));
		if (o->human)
			human_size(sizes ? sizes[i] : 0, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "%lld", sizes ? sizes[i] : 0);
		json_object *cm;
		const char *comment = json_object_object_get_ex(e, "comment", &cm) ? json_object_get_string(cm) : NULL;
		char note[1024];
		escape_text(comment ? comment : "", 0, note, sizeof(note));
		const char *cell[] = { img, created, by, size, note };
		table_add(t, cell);
	}
	free(sizes);
}

int image_history(const char *root, int argc, char **argv)
{
	struct history_opts o = { 1, 0, 0 };
	static const struct option longopts[] = {
		{ "human", optional_argument, NULL, 'H' }, { "no-trunc", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' }, { 0 } };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+H::q", longopts, NULL)) != -1) {
		if (c == 'H' && (!optarg || !strcmp(optarg, "true") || !strcmp(optarg, "=true")))
			o.human = 1;
		else if (c == 'H' && (!strcmp(optarg, "false") || !strcmp(optarg, "=false")))
			o.human = 0;
		else if (c == 'T' || c == 'q')
			*(c == 'T' ? &o.no_trunc : &o.quiet) = 1;
		else {
			fprintf(stderr, "mini-docker: history: unknown option '%s'; use -H=false, --no-trunc "
				"or -q\n", argv[optind - 1]);
			return 125;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "mini-docker: usage: mini-docker history [-H=false] [--no-trunc] [-q] IMAGE\n");
		return 125;
	}
	char hex[65], why[PATH_MAX + 256];
	json_object *cfg;
	if (image_find(root, argv[optind], hex, why, sizeof(why)) < 0 ||
	    (cfg = config_read(root, hex, why, sizeof(why))) == NULL) {
		fprintf(stderr, "mini-docker: history: %s\n", why);
		return 1;
	}
	struct table t = { .ncols = o.quiet ? 1 : 5 };
	if (!o.quiet) {
		const char *head[] = { "IMAGE", o.human ? "CREATED" : "CREATED AT", "CREATED BY", "SIZE", "COMMENT" };
		table_add(&t, head);
	}
	history_rows(root, hex, cfg, &o, &t);
	table_print(&t, stdout);
	json_object_put(cfg);
	return 0;
}
