/* 08-mini-docker/ref.c — image references and repositories.json: see
 * ref.h. A tag is a name pointing at an image id; moving it (a re-import,
 * a commit under the same name) is the only way an image loses its name. */
#define _GNU_SOURCE
#include "ref.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "layerstore.h"

int ref_parse(const char *ref, char *repo, size_t repo_size, char *tag, size_t tag_size,
	      char *why, size_t why_size)
{
	/* Docker Hub's long form names the same image: docker.io/library/x */
	if (strncmp(ref, "docker.io/library/", 18) == 0)
		ref += 18;
	else if (strncmp(ref, "docker.io/", 10) == 0)
		ref += 10;
	/* the tag's ':' is the one after the last '/' ("host:5000/a:b") */
	const char *slash = strrchr(ref, '/');
	const char *colon = strchr(slash ? slash : ref, ':');
	size_t rlen = colon ? (size_t)(colon - ref) : strlen(ref);
	const char *t = colon ? colon + 1 : "latest";
	int ok = rlen >= 1 && rlen < repo_size && rlen <= 255 && strlen(t) >= 1 &&
		 strlen(t) <= 128 && strlen(t) < tag_size;
	for (size_t i = 0; ok && i < rlen; i++) {
		char c = ref[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		/* separators only between alphanumerics */
		int sep = (c == '.' || c == '_' || c == '-' || c == '/') && i > 0 && i + 1 < rlen &&
			  ref[i + 1] != '/' && ref[i - 1] != '/';
		ok = alnum || sep;
	}
	for (const char *p = t; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		     ((*p == '.' || *p == '-') && p != t) || *p == '_';
	if (!ok) {
		snprintf(why, why_size, "'%s' is not a valid image name; use NAME[:TAG], NAME of "
			 "lowercase letters, digits and . _ - /, TAG of letters, digits and . _ -", ref);
		return -1;
	}
	memcpy(repo, ref, rlen);
	repo[rlen] = '\0';
	snprintf(tag, tag_size, "%s", t);
	return 0;
}

const char *strip_sha(const char *s)
{
	return strncmp(s, "sha256:", 7) == 0 ? s + 7 : s;
}

json_object *repos_read(const char *root)
{
	char p[PATH_MAX], why[PATH_MAX + 64];
	json_object *o = NULL, *r;
	if (path_repositories(root, p, sizeof(p)) == 0 && access(p, F_OK) == 0)
		o = store_read_json(p, why, sizeof(why));
	if (!o)
		o = json_object_new_object();
	if (!json_object_object_get_ex(o, "Repositories", &r))
		json_object_object_add(o, "Repositories", json_object_new_object());
	return o;
}

int repos_write(const char *root, json_object *o)
{
	char p[PATH_MAX];
	if (path_repositories(root, p, sizeof(p)) < 0)
		return warn_errno("repositories.json under %s", root);
	return store_write_text(p, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* "sha256:<id>" for repo:tag, or NULL */
const char *repos_get(json_object *o, const char *repo, const char *tag)
{
	json_object *all, *r, *id;
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	if (json_object_object_get_ex(o, "Repositories", &all) &&
	    json_object_object_get_ex(all, repo, &r) && json_object_object_get_ex(r, key, &id))
		return json_object_get_string(id);
	return NULL;
}

static void repos_set(json_object *o, const char *repo, const char *tag, const char *id)
{
	json_object *all, *r;
	char key[512];
	snprintf(key, sizeof(key), "%s:%s", repo, tag);
	json_object_object_get_ex(o, "Repositories", &all);
	if (!json_object_object_get_ex(all, repo, &r)) {
		r = json_object_new_object();
		json_object_object_add(all, repo, r);
	}
	json_object_object_add(r, key, json_object_new_string(id));
}

int repos_count(json_object *o, const char *hex, const char *except)
{
	json_object *all;
	int n = 0;
	json_object_object_get_ex(o, "Repositories", &all);
	json_object_object_foreach(all, rname, tags) {
		(void)rname;
		json_object_object_foreach(tags, key, idv)
			if (strcmp(strip_sha(json_object_get_string(idv)), hex) == 0 &&
			    !(except && strcmp(key, except) == 0))
				n++;
	}
	return n;
}

/* Collect the keys first, then delete: json-c's foreach must not see its
 * object change under it. */
static void drop_keys(json_object *obj, json_object *keys, int announce)
{
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		if (announce)
			printf("Untagged: %s\n", k);
		json_object_object_del(obj, k);
	}
}

void repos_untag(json_object *o, const char *hex, const char *only)
{
	json_object *all;
	json_object_object_get_ex(o, "Repositories", &all);
	json_object_object_foreach(all, rname, tags) {
		(void)rname;
		json_object *del = json_object_new_array();
		json_object_object_foreach(tags, key, idv)
			if (strcmp(strip_sha(json_object_get_string(idv)), hex) == 0 &&
			    (!only || strcmp(key, only) == 0))
				json_object_array_add(del, json_object_new_string(key));
		drop_keys(tags, del, 1);
		json_object_put(del);
	}
	/* drop repositories left without tags */
	json_object *empty = json_object_new_array();
	json_object_object_foreach(all, rname2, tags2)
		if (json_object_object_length(tags2) == 0)
			json_object_array_add(empty, json_object_new_string(rname2));
	drop_keys(all, empty, 0);
	json_object_put(empty);
}

int repos_tag(const char *root, const char *ref, const char *hex, int announce, char old[65])
{
	char repo[256], tag[130], why[512], id[80];
	old[0] = '\0';
	if (ref_parse(ref, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	json_object *o = repos_read(root);
	const char *prev = repos_get(o, repo, tag);
	if (prev && is_hex64(strip_sha(prev)) && strcmp(strip_sha(prev), hex) != 0)
		memcpy(old, strip_sha(prev), 65);
	snprintf(id, sizeof(id), "sha256:%s", hex);
	repos_set(o, repo, tag, id);
	if (announce)
		printf("Loaded image: %s:%s\n", repo, tag);
	int r = repos_write(root, o);
	json_object_put(o);
	return r;
}
