/* 08-mini-docker/load.c — images from outside: `import` (a rootfs tar as
 * a one-layer image), and `load` of a `docker save` archive or an OCI
 * image layout (a directory, or a tar of one). Every layer is unpacked by
 * the helper in the pass that hashes it (layerstore.c, helper.h), and
 * every archive member is opened once, beneath the archive (member.h). */
#define _GNU_SOURCE
#include "image.h"
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "helper.h"
#include "jsonget.h"
#include "layerstore.h"
#include "member.h"
#include "overlay.h"

/* ---- import --------------------------------------------------------------- */

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

/* import FILE or import - (stdin): the helper reads it once, in the pass
 * that unpacks it, so even stdin needs no copy first. A failed import or
 * load exits 125, the code Docker's CLI uses for "the command failed". */
int image_import(const char *root, const char *file, const char *ref)
{
	char repo[256], tag[130], why[PATH_MAX + 256], diff[65], chain[65], id[65];
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	int stdin_ = strcmp(file, "-") == 0;
	int fd = stdin_ ? STDIN_FILENO : file_open_regular(file, why, sizeof(why));
	if (fd < 0) {
		fprintf(stderr, "mini-docker: import: %s%s\n", why,
			strstr(why, "not a regular file") ? " (for a stream: import - NAME < FILE)" : "");
		return 125;
	}
	int lock = store_lock(root), rc = 125;
	if (lock < 0)
		goto out;
	if (layer_add(root, NULL, fd, NULL, NULL, diff, chain, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: import: %s: %s\n", file, why);
		goto out;
	}
	char *cfg = import_config(diff, file);
	int r = config_store(root, cfg, strlen(cfg), id);
	free(cfg);
	if (r < 0 || image_tag(root, ref, id, 0) < 0)
		goto out;
	printf("sha256:%s\n", id);
	rc = 0;
out:
	if (!stdin_)
		close(fd);
	return lock < 0 ? rc : store_unlock(root, lock, rc);
}

/* ---- load: what both kinds of archive share ------------------------------- */

/* One image of an archive: its config's bytes (already read, and checked
 * against their digest where the archive names one) and its layer members,
 * bottom first, each with the blob digest the archive names (OCI) or NULL.
 * Every layer's DiffID must be the one the config promises. */
int add_image(const char *root, int dirfd, const char *bytes, size_t len, char **layers,
		     char **blobs, int nlayers, char id[65], char *why, size_t why_size)
{
	json_object *cfg = json_tokener_parse(bytes);
	char diffs[MAX_LAYERS][65], diff[65], chain[65], parent[65], reason[PATH_MAX + 128];
	int rc = -1, n = cfg ? config_diff_ids(cfg, diffs, why, why_size) : -1;
	if (!cfg)
		snprintf(why, why_size, "the image config is not valid JSON");
	if (n < 0)
		goto out;
	if (n != nlayers) {
		snprintf(why, why_size, "the config lists %d layers, the manifest %d", n, nlayers);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int fd = member_open(dirfd, layers[i], reason, sizeof(reason));
		if (fd < 0) {
			snprintf(why, why_size, "layer %d: %s", i + 1, reason);
			goto out;
		}
		int r = layer_add(root, i ? parent : NULL, fd, blobs ? blobs[i] : NULL, diffs[i], diff,
				  chain, reason, sizeof(reason));
		close(fd);
		if (r < 0) {
			snprintf(why, why_size, "layer %d (%s): %s", i + 1, layers[i], reason);
			goto out;
		}
		memcpy(parent, chain, sizeof(parent));
	}
	rc = config_store(root, bytes, len, id);
out:
	json_object_put(cfg);
	return rc;
}

/* A path from an archive's JSON: relative and without "..". member_open
 * resolves it inside the archive anyway; this gives the clearer message. */
int archive_path(const char *rel)
{
	return rel && rel[0] != '/' && !path_has_dotdot(rel) && strlen(rel) < PATH_MAX ? 0 : -1;
}

void free_layers(char **layers, int n)
{
	for (int i = 0; i < n; i++)
		free(layers[i]);
}

/* A JSON member of the archive, read once through member_read. */
json_object *member_json(int dirfd, const char *rel, char *why, size_t why_size)
{
	char *s = member_read(dirfd, rel, 64 << 20, NULL, why, why_size);
	return s ? json_take(s, rel, why, why_size) : NULL;
}

/* ---- docker save ---------------------------------------------------------- */

/* docker save: manifest.json = [{"Config": "...", "RepoTags": [...], "Layers": [...]}] */
static int load_docker_one(const char *root, int dirfd, json_object *img, size_t i,
			   char id[65], char *why, size_t why_size)
{
	json_object *cfg, *ls;
	const char *cpath = json_object_object_get_ex(img, "Config", &cfg) ? json_object_get_string(cfg) : NULL;
	if (archive_path(cpath) < 0 || !json_object_object_get_ex(img, "Layers", &ls) ||
	    !json_object_is_type(ls, json_type_array) || json_object_array_length(ls) > MAX_LAYERS) {
		snprintf(why, why_size, "manifest.json entry %zu: Config or Layers missing or unsafe", i);
		return -1;
	}
	char *layers[MAX_LAYERS];
	int n = 0, rc = -1;
	for (size_t j = 0; j < json_object_array_length(ls); j++) {
		const char *l = json_object_get_string(json_object_array_get_idx(ls, j));
		if (archive_path(l) < 0) {
			snprintf(why, why_size, "manifest.json: layer %zu has an unsafe path", j + 1);
			goto out;
		}
		layers[n++] = strdup(l);
	}
	size_t len;
	char *bytes = member_read(dirfd, cpath, 64 << 20, &len, why, why_size);
	if (bytes)
		rc = add_image(root, dirfd, bytes, len, layers, NULL, n, id, why, why_size);
	free(bytes);
out:
	free_layers(layers, n);
	return rc;
}

/* A manifest entry's RepoTags: absent, or a list of valid names. */
static int repo_tags_check(json_object *img, size_t i, char *why, size_t why_size)
{
	json_object *tags;
	char repo[256], tag[130], reason[512];
	if (!json_object_object_get_ex(img, "RepoTags", &tags) || json_object_is_type(tags, json_type_null))
		return 0;
	for (size_t j = 0; json_object_is_type(tags, json_type_array) && j < json_object_array_length(tags); j++)
		if (!json_object_is_type(json_object_array_get_idx(tags, j), json_type_string) ||
		    ref_parse(json_elem_str(tags, j), repo, sizeof(repo), tag, sizeof(tag), reason, sizeof(reason)) < 0) {
			snprintf(why, why_size, "manifest.json entry %zu: RepoTags[%zu] is not a valid image name", i, j);
			return -1;
		}
	if (!json_object_is_type(tags, json_type_array)) {
		snprintf(why, why_size, "manifest.json entry %zu: RepoTags is not a list of names", i);
		return -1;
	}
	return 0;
}

static int load_docker(const char *root, int dirfd, char *why, size_t why_size)
{
	json_object *m = member_json(dirfd, "manifest.json", why, why_size), *tags;
	if (!m || !json_object_is_type(m, json_type_array)) {
		if (m)
			snprintf(why, why_size, "manifest.json is not a JSON array");
		json_object_put(m);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < json_object_array_length(m); i++) {
		json_object *img = json_object_array_get_idx(m, i);
		char id[65];
		/* every name checked first: an image stored and then refused
		 * its name would stay behind, untagged */
		if ((rc = repo_tags_check(img, i, why, why_size)) < 0 ||
		    (rc = load_docker_one(root, dirfd, img, i, id, why, why_size)) < 0)
			break;
		int tagged = 0;
		if (json_object_object_get_ex(img, "RepoTags", &tags) && json_object_is_type(tags, json_type_array))
			for (size_t j = 0; rc == 0 && j < json_object_array_length(tags); j++) {
				const char *t = json_elem_str(tags, j);
				rc = image_tag(root, t, id, 1);
				tagged++;
			}
		if (!tagged)
			printf("Loaded image ID: sha256:%s\n", id);
	}
	json_object_put(m);
	return rc;
}

/* ---- OCI image layout ----------------------------------------------------- */

/* A tar of an archive is unpacked first (with the helper's path safety)
 * into ROOT/tmp; a directory is read where it is. Either way every member
 * is then opened beneath that directory's fd (member.h). */
static int load_dir(const char *root, const char *input, char *tmp, size_t tmp_size, char *why,
		    size_t why_size)
{
	struct stat st;
	if (stat(input, &st) == 0 && S_ISDIR(st.st_mode))
		return open(input, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = file_open_regular(input, why, why_size);
	if (fd < 0)
		return -1;
	char r[65];
	if (random_hex64(r) < 0) {
		close(fd);
		return warn_errno("getrandom");
	}
	char name[32];
	snprintf(name, sizeof(name), "load-%.16s", r);
	int ok = path_tmp(root, name, tmp, tmp_size) == 0;
	if (!ok)
		tmp[0] = '\0'; /* cut short: never a path to remove */
	ok = ok && mkdir(tmp, 0700) == 0;
	if (!ok)
		snprintf(why, why_size, "mkdir %s: %s", tmp[0] ? tmp : name, strerror(errno));
	else if (helper_extract(fd, tmp, why, why_size) < 0)
		ok = 0;
	close(fd);
	return ok ? open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
}

int image_load(const char *root, const char *input)
{
	char why[PATH_MAX + 512], tmp[PATH_MAX];
	struct stat st;
	if (stat(input, &st) < 0) {
		fprintf(stderr, "mini-docker: load: cannot read '%s': %s\n", input, strerror(errno));
		return 125;
	}
	int lock = store_lock(root), rc = 125;
	if (lock < 0)
		return rc;
	tmp[0] = '\0';
	why[0] = '\0';
	int dirfd = load_dir(root, input, tmp, sizeof(tmp), why, sizeof(why));
	if (dirfd < 0) {
		fprintf(stderr, "mini-docker: load: %s\n", why[0] ? why : strerror(errno));
		goto out;
	}
	/* which kind, by name only: the member itself is opened safely below */
	int docker = faccessat(dirfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
		     (errno != ENOENT && errno != ENOTDIR);
	if (!docker && faccessat(dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		fprintf(stderr, "mini-docker: load: '%s' is neither a docker-save archive (no manifest.json) "
			"nor an OCI image layout (no index.json)\n", input);
		goto out;
	}
	if ((docker ? load_docker(root, dirfd, why, sizeof(why))
		    : load_oci(root, dirfd, input, why, sizeof(why))) < 0) {
		fprintf(stderr, "mini-docker: load: %s\n", why);
		goto out;
	}
	rc = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	if (tmp[0])
		ovl_remove_tree(tmp);
	return store_unlock(root, lock, rc);
}
