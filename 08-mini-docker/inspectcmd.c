/* 08-mini-docker/inspectcmd.c — `inspect [-f FORMAT] [--type container|image]
 * NAME...` and `image inspect`: a container's record, or else an image
 * (imageinspect.c), as JSON, the order Docker looks in; -f runs a Go
 * template on each (template.h), as Docker's CLI does on the JSON. */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "common.h"
#include "image.h"
#include "jsonget.h"
#include "state.h"
#include "template.h"

/* A container's record, with what the record cannot know by itself: the
 * live pid, the paths of its overlay, log and cgroups. NULL (printed) on
 * failure. */
static json_object *ctr_inspect(const struct store *x, const struct ctr *r)
{
	char upper[PATH_MAX + 240], work[PATH_MAX + 240], merged[PATH_MAX + 240], log[PATH_MAX + 240];
	if (ctr_overlay_path(x->root, r->id, "upper", upper, sizeof(upper)) < 0 ||
	    ctr_overlay_path(x->root, r->id, "work", work, sizeof(work)) < 0 ||
	    ctr_overlay_path(x->root, r->id, "merged", merged, sizeof(merged)) < 0 ||
	    ctr_log_path(x->root, r->id, log, sizeof(log)) < 0) {
		warn_errno("inspect: the paths of %.12s in %s", r->id, x->root);
		return NULL;
	}
	char *s = ctr_to_json(r, 0);
	json_object *o = s ? json_tokener_parse(s) : NULL, *st, *gd, *lower = NULL;
	free(s);
	if (!o) {
		warn("inspect %s: its record does not parse back", r->name);
		return NULL;
	}
	json_object_object_get_ex(o, "State", &st);
	int running = ctr_running(r);
	json_object_object_add(st, "Running", json_object_new_boolean(running));
	json_object_object_add(st, "Pid", json_object_new_int(running ? r->pid : 0));
	json_object *ns = json_object_new_object(); /* Docker's NetworkSettings */
	json_object_object_add(ns, "IPAddress", json_object_new_string(running ? r->ip_address : ""));
	json_object_object_add(o, "NetworkSettings", ns);
	/* GraphDriver as Docker prints it: LowerDir one string, the lower
	 * layers top first joined with ':' (the record keeps them as a list) */
	if (json_object_object_get_ex(o, "GraphDriver", &gd))
		lower = json_key_array(gd, "Lower");
	json_object *data = json_object_new_object();
	char *joined = NULL;
	size_t jlen;
	FILE *f = lower ? open_memstream(&joined, &jlen) : NULL;
	for (size_t i = 0; f && i < json_object_array_length(lower); i++)
		fprintf(f, "%s%s", i ? ":" : "", json_elem_str(lower, i));
	if (f)
		fclose(f);
	if (joined)
		json_object_object_add(data, "LowerDir", json_object_new_string(joined));
	free(joined);
	/* The overlay is mounted in the container's mount namespace only;
	 * from the host its merged view is /proc/PID/root. */
	if (running)
		snprintf(merged, sizeof(merged), "/proc/%d/root", (int)r->pid);
	json_object_object_add(data, "MergedDir", json_object_new_string(merged));
	json_object_object_add(data, "UpperDir", json_object_new_string(upper));
	json_object_object_add(data, "WorkDir", json_object_new_string(work));
	gd = json_object_new_object();
	json_object_object_add(gd, "Data", data);
	json_object_object_add(gd, "Name", json_object_new_string("overlay2"));
	json_object_object_add(o, "GraphDriver", gd);
	json_object_object_add(o, "LogPath", json_object_new_string(r->detached ? log : ""));
	if (!r->rootless) {
		struct cgroup cg;
		if (cg_lookup(&cg, r->id, CG_CPU | CG_MEMORY | CG_PIDS) == 0) {
			json_object *paths = json_object_new_array();
			for (int d = 0; d < cg.ndirs; d++)
				json_object_array_add(paths, json_object_new_string(cg.dirs[d].path));
			json_object_object_add(o, "CgroupPaths", paths);
		}
	}
	return o;
}

enum kind { ANY, CONTAINER, IMAGE };

/* NAME as a container, else as an image (kind narrows it). NULL if it is
 * neither: then *missing is set, or it was found and failed (printed). */
static json_object *lookup(const struct store *x, const char *name, enum kind kind, int *missing)
{
	char id[65], why[PATH_MAX + 256];
	struct ctr r;
	*missing = 0;
	if (kind != IMAGE && ctr_resolve(x->root, name, id, why, sizeof(why)) == 0) {
		if (ctr_load(x->root, x->run, id, &r) < 0)
			return NULL;
		json_object *o = ctr_inspect(x, &r);
		ctr_free(&r);
		return o;
	}
	if (kind != CONTAINER && image_find(x->root, name, id, why, sizeof(why)) == 0) {
		json_object *o = image_inspect(x->root, id, why, sizeof(why));
		if (!o)
			fprintf(stderr, "mini-docker: inspect: image %s: %s\n", name, why);
		return o;
	}
	*missing = 1;
	return NULL;
}

/* Each object through the template, one line each. 0, or 1 if one failed. */
static int print_formatted(json_object *all, const char *format)
{
	for (size_t i = 0; i < json_object_array_length(all); i++) {
		char why[512];
		char *s = template_render(format, json_object_array_get_idx(all, i), why, sizeof(why));
		if (!s) {
			fprintf(stderr, "mini-docker: inspect: template parsing error: %s\n", why);
			return 1;
		}
		printf("%s\n", s);
		free(s);
	}
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "type", required_argument, NULL, 't' }, { 0 } };
	const char *format = NULL;
	enum kind kind = ANY;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:", longopts, NULL)) != -1) {
		if (c == 'f') {
			format = optarg;
		} else if (c == 't' && (!strcmp(optarg, "container") || !strcmp(optarg, "image"))) {
			kind = optarg[0] == 'c' ? CONTAINER : IMAGE;
		} else {
			fprintf(stderr, "mini-docker: inspect: %s '%s'; use -f FORMAT or --type container|image\n",
				c == 't' ? "unknown --type" : "bad option", c == 't' ? optarg : argv[optind - 1]);
			return 125;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker inspect [-f FORMAT] [--type container|image] NAME...\n");
		return 125;
	}
	char why[512];
	/* a template that does not parse is refused before any lookup (Docker: 64) */
	if (format && template_check(format, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: inspect: template parsing error: %s\n", why);
		return 64;
	}
	struct store x;
	if (store_open(&x) < 0)
		return 125;
	store_reconcile(&x);
	json_object *out = json_object_new_array();
	int rc = 0, missing;
	for (int i = optind; i < argc; i++) {
		json_object *o = lookup(&x, argv[i], kind, &missing);
		if (o)
			json_object_array_add(out, o);
		else
			rc = 1;
		if (missing)
			fprintf(stderr, "mini-docker: inspect: No such %s: %s\n",
				kind == IMAGE ? "image" : kind == CONTAINER ? "container" : "object", argv[i]);
	}
	if (format)
		rc |= print_formatted(out, format);
	else
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	return rc;
}
