/* 08-mini-docker/commit.c — `commit`: a container's upper dir as one more
 * layer on its image. The container is paused while its upper dir is read
 * (05-cgroup-cpu/freezer.c), and the walk goes through directory fds
 * (pack.c), so what is committed is one moment of the container, and only
 * what is inside it. */
#define _GNU_SOURCE
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "change.h"
#include "common.h"
#include "helper.h"
#include "layerstore.h"
#include "lifecycle.h"

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

/* The container's upper dir, as a layer tar (what it added and changed,
 * and what it deleted, as .wh. files), put on top of parent. diff gets its
 * DiffID. 0, or -1 (printed). Lock held. */
static int commit_layer(const char *root, const struct ctr *c, const char *parent, char diff[65])
{
	char why[PATH_MAX + 256], tar[PATH_MAX], upper[PATH_MAX + 160], name[48], r[65], chain[65];
	struct cgroup cg;
	int paused = 0, tarfd = -1, rc = -1;
	if (random_hex64(r) < 0)
		return warn_errno("getrandom");
	snprintf(name, sizeof(name), "commit-%.16s.tar", r);
	if (path_tmp(root, name, tar, sizeof(tar)) < 0)
		return warn_errno("commit: %s under %s", name, root);
	if (ctr_overlay_path(root, c->id, "upper", upper, sizeof(upper)) < 0)
		return warn_errno("commit: the upper dir of %.12s in %s", c->id, root);
	if (pause_container(c, &cg, &paused) < 0)
		return -1;
	int packed = helper_pack(upper, tar, why, sizeof(why));
	/* the tar is all we read from the container: let it go on now */
	if (paused && cg_thaw(&cg) == 0)
		paused = 0;
	if (packed < 0 || (tarfd = open(tar, O_RDONLY | O_CLOEXEC)) < 0 ||
	    layer_add(root, parent, tarfd, NULL, NULL, diff, chain, why, sizeof(why)) < 0)
		fprintf(stderr, "mini-docker: commit: %s\n", packed < 0 || tarfd >= 0 ? why : strerror(errno));
	else
		rc = 0;
	if (paused && cg_thaw(&cg) < 0)
		fprintf(stderr, "mini-docker: commit: container %s may still be paused: see %s\n",
			c->name, cg.name);
	if (tarfd >= 0)
		close(tarfd);
	unlink(tar);
	return rc;
}

/* What commit was asked: -m, -c (each applied in order), the container,
 * the new name. */
struct commit_opts {
	const char *message, *container, *ref;
	const char *changes[16];
	int nchanges;
};

/* The new config: the parent's, with the container's command as the
 * default, the -c changes, one more diff_id, and a history entry as
 * Docker's commit writes one (created_by is the container's command,
 * comment the -m message). 0, or -1 with a reason. */
static int commit_config(json_object *cfg, const char *diff, const struct ctr *c,
			 const struct commit_opts *o, char *why, size_t why_size)
{
	char created[48], did[80], by[4096];
	now_rfc3339(created, sizeof(created));
	snprintf(did, sizeof(did), "sha256:%s", diff);
	json_object *rootfs, *ids, *hist, *cc, *h = json_object_new_object();
	if (!json_object_object_get_ex(cfg, "config", &cc) || !json_object_is_type(cc, json_type_object)) {
		cc = json_object_new_object();
		json_object_object_add(cfg, "config", cc);
	}
	json_object *cmd = json_object_new_array();
	for (int i = 0; i < c->argc; i++)
		json_object_array_add(cmd, json_object_new_string(c->argv[i]));
	json_object_object_add(cc, "Cmd", cmd);
	for (int i = 0; i < o->nchanges; i++)
		if (change_apply(cc, o->changes[i], why, why_size) < 0) {
			json_object_put(h);
			return -1;
		}
	json_object_object_get_ex(cfg, "rootfs", &rootfs);
	json_object_object_get_ex(rootfs, "diff_ids", &ids);
	json_object_array_add(ids, json_object_new_string(did));
	json_object_object_add(cfg, "created", json_object_new_string(created));
	json_object_object_add(cfg, "container", json_object_new_string(c->id));
	if (o->message)
		json_object_object_add(cfg, "comment", json_object_new_string(o->message));
	else
		json_object_object_del(cfg, "comment");
	format_command(c->argv, c->argc, sizeof(by), by, sizeof(by));
	json_object_object_add(h, "created", json_object_new_string(created));
	json_object_object_add(h, "created_by", json_object_new_string(by));
	if (o->message)
		json_object_object_add(h, "comment", json_object_new_string(o->message));
	if (!json_object_object_get_ex(cfg, "history", &hist) || !json_object_is_type(hist, json_type_array)) {
		hist = json_object_new_array();
		json_object_object_add(cfg, "history", hist);
	}
	json_object_array_add(hist, h);
	return 0;
}

/* commit [-m MSG] [-c CHANGE]... CONTAINER NAME[:TAG]: every value is
 * checked before the container is paused. 0, or -1 (printed). */
static int commit_args(int argc, char **argv, struct commit_opts *o)
{
	static const struct option longopts[] = {
		{ "message", required_argument, NULL, 'm' }, { "change", required_argument, NULL, 'c' },
		{ "pause", required_argument, NULL, 'p' }, { 0 } };
	char why[512];
	int c;
	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+m:c:p:", longopts, NULL)) != -1) {
		json_object *probe = json_object_new_object();
		int bad = c == 'c' && (o->nchanges == 16 || change_apply(probe, optarg, why, sizeof(why)) < 0);
		json_object_put(probe);
		if (c == 'm') {
			o->message = optarg;
		} else if (c == 'c' && !bad) {
			o->changes[o->nchanges++] = optarg;
		} else if (c == 'p' && !strcmp(optarg, "true")) {
			/* the default: the container is always paused (see pause_container) */
		} else {
			fprintf(stderr, "mini-docker: commit: %s\n", c == 'c' ? (o->nchanges == 16 ? "more than 16 -c" : why)
				: "unknown option; use -m MESSAGE or -c 'CMD [...]'");
			return -1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "mini-docker: usage: mini-docker commit [-m MSG] [-c CHANGE]... CONTAINER NAME[:TAG]\n");
		return -1;
	}
	o->container = argv[optind];
	o->ref = argv[optind + 1];
	return 0;
}

int image_commit(const char *root, const char *run, int argc, char **argv)
{
	char why[PATH_MAX + 256], id[65], repo[256], tag[130], chains[MAX_LAYERS][65], diff[65], newid[65];
	struct commit_opts opts;
	struct ctr c;
	memset(&c, 0, sizeof(c));
	if (commit_args(argc, argv, &opts) < 0)
		return 125;
	const char *container = opts.container, *ref = opts.ref;
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	if (ctr_resolve(root, container, id, why, sizeof(why)) < 0 || ctr_load(root, run, id, &c) < 0) {
		fprintf(stderr, "mini-docker: commit: %s\n", why);
		return 1;
	}
	json_object *cfg = NULL;
	int lock = -1, rc = 1;
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
	if (commit_layer(root, &c, chains[n - 1], diff) < 0)
		goto out;
	if (commit_config(cfg, diff, &c, &opts, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: commit: %s\n", why);
		goto out;
	}
	const char *bytes = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (config_store(root, bytes, strlen(bytes), newid) < 0 || image_tag(root, ref, newid, 0) < 0)
		goto out;
	printf("sha256:%s\n", newid);
	rc = 0;
out:
	json_object_put(cfg);
	ctr_free(&c);
	return store_unlock(root, lock, rc);
}
