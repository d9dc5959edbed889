/* 08-mini-docker/ref.h — image references (NAME[:TAG]) and the file that
 * maps them to image ids, ROOT/image/overlay2/repositories.json:
 *
 *   {"Repositories": {"busybox": {"busybox:latest": "sha256:<image id>"}}}
 *
 * the same shape as Docker's, so `jq` on either reads the same. */
#ifndef REF_H
#define REF_H

#include <json-c/json.h>
#include <stddef.h>

/* NAME[:TAG] -> repository and tag ("latest" if none). Lowercase
 * [a-z0-9._/-] names, tags [A-Za-z0-9_.-] up to 128. Pure. 0 or -1. */
int ref_parse(const char *ref, char *repo, size_t repo_size, char *tag, size_t tag_size,
	      char *why, size_t why_size);

/* "sha256:<hex>" -> "<hex>"; anything else as it is. */
const char *strip_sha(const char *s);

/* The whole file (an empty one if there is none yet); put with
 * json_object_put. Written back whole, atomically; the lock is held. */
json_object *repos_read(const char *root);
int repos_write(const char *root, json_object *o);

/* "sha256:<id>" for repo:tag, or NULL. */
const char *repos_get(json_object *o, const char *repo, const char *tag);

/* How many tags name image hex, not counting the tag `except`
 * ("repo:tag", or NULL for none). */
int repos_count(json_object *o, const char *hex, const char *except);

/* Remove the tags naming image hex (only the tag `only`, "repo:tag", if
 * not NULL), printing "Untagged: " for each, and every repository left
 * without tags. */
void repos_untag(json_object *o, const char *hex, const char *only);

/* Point ref at image hex and write the file; *old gets the image the tag
 * named before ("" if none or the same). announce: print "Loaded image:".
 * 0, or -1 (printed). Lock held. */
int repos_tag(const char *root, const char *ref, const char *hex, int announce, char old[65]);

#endif
