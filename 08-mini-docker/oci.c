/* 08-mini-docker/oci.c — `load` of an OCI image layout (a directory or a
 * tar of one): index.json -> manifest blob -> config and layer blobs, each
 * blob read once and checked against its digest (load.h). */
#define _GNU_SOURCE
#include "image.h"
#include "load.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "digest.h"
#include "member.h"

static int blob_path(const char *digest, char *out, size_t size)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !is_hex64(digest + 7))
		return -1;
	return snprintf(out, size, "blobs/sha256/%s", digest + 7) >= (int)size ? -1 : 0;
}

/* A blob's bytes, read once and checked against its digest: content
 * addressing means the name is the proof, and the bytes checked are the
 * bytes then used. NULL with a reason. */
static char *blob_read(int dirfd, const char *digest, size_t *len, char *why, size_t why_size)
{
	char rel[128], got[65];
	if (blob_path(digest, rel, sizeof(rel)) < 0) {
		snprintf(why, why_size, "'%s' is not a sha256 digest", digest ? digest : "(none)");
		return NULL;
	}
	char *bytes = member_read(dirfd, rel, 64 << 20, len, why, why_size);
	if (!bytes)
		return NULL;
	if (sha256_hex(bytes, *len, got) < 0) {
		snprintf(why, why_size, "blob %.19s could not be checked (see above)", digest);
		free(bytes);
		return NULL;
	}
	if (strcmp(got, digest + 7) != 0) {
		snprintf(why, why_size, "blob %.19s has sha256:%.12s: corrupt", digest, got);
		free(bytes);
		return NULL;
	}
	return bytes;
}

/* The layout's name for an image: org.opencontainers.image.ref.name is
 * usually just a tag ("latest"); the image name is then the layout
 * directory's (or archive's) base name. 0, or -1 if it names none. */
static int oci_name(json_object *d, const char *input, char *name, size_t size)
{
	json_object *ann, *refname;
	const char *ref = NULL;
	if (json_object_object_get_ex(d, "annotations", &ann) &&
	    json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &refname))
		ref = json_object_get_string(refname);
	if (!ref)
		return -1;
	if (strchr(ref, ':') || strchr(ref, '/')) {
		snprintf(name, size, "%s", ref);
		return 0;
	}
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s", input);
	char *b = basename(base), *dot = strstr(b, ".tar");
	if (dot)
		*dot = '\0';
	for (char *c = b; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	snprintf(name, size, "%s:%s", b, ref);
	return 0;
}

/* One manifest of an OCI layout: its blob, its config blob, its layer blobs
 * (each checked in the pass that unpacks it). */
static int load_oci_one(const char *root, int dirfd, const char *digest, char id[65],
			char *why, size_t why_size)
{
	size_t len;
	char *mbytes = blob_read(dirfd, digest, &len, why, why_size), *cbytes = NULL;
	json_object *man = mbytes ? json_tokener_parse(mbytes) : NULL, *cfg, *ls, *dg;
	char *layers[MAX_LAYERS], *blobs[MAX_LAYERS];
	int n = 0, rc = -1;
	free(mbytes);
	if (!man) {
		if (mbytes)
			snprintf(why, why_size, "manifest %.19s is not valid JSON", digest);
		return -1;
	}
	const char *cdigest = NULL;
	if (json_object_object_get_ex(man, "config", &cfg) && json_object_object_get_ex(cfg, "digest", &dg))
		cdigest = json_object_get_string(dg);
	if (!cdigest || !json_object_object_get_ex(man, "layers", &ls) ||
	    !json_object_is_type(ls, json_type_array) || json_object_array_length(ls) > MAX_LAYERS) {
		snprintf(why, why_size, "manifest %.19s: config or layers missing", digest);
		goto out;
	}
	for (size_t j = 0; j < json_object_array_length(ls); j++) {
		char rel[128];
		const char *ld = NULL;
		if (json_object_object_get_ex(json_object_array_get_idx(ls, j), "digest", &dg))
			ld = json_object_get_string(dg);
		if (blob_path(ld, rel, sizeof(rel)) < 0) {
			snprintf(why, why_size, "manifest %.19s: layer %zu has no sha256 digest", digest, j + 1);
			goto out;
		}
		layers[n] = strdup(rel);
		blobs[n++] = strdup(ld + 7);
	}
	if ((cbytes = blob_read(dirfd, cdigest, &len, why, why_size)) != NULL)
		rc = add_image(root, dirfd, cbytes, len, layers, blobs, n, id, why, why_size);
out:
	free(cbytes);
	free_layers(layers, n);
	free_layers(blobs, n);
	json_object_put(man);
	return rc;
}

/* OCI image layout: index.json -> manifest blob -> config + layer blobs. */
int load_oci(const char *root, int dirfd, const char *input, char *why, size_t why_size)
{
	json_object *idx = member_json(dirfd, "index.json", why, why_size), *ms;
	if (!idx)
		return -1;
	int rc = -1;
	if (!json_object_object_get_ex(idx, "manifests", &ms) || !json_object_is_type(ms, json_type_array) ||
	    json_object_array_length(ms) == 0) {
		snprintf(why, why_size, "index.json lists no manifests");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *d = json_object_array_get_idx(ms, i), *dg, *mt;
		const char *digest = json_object_object_get_ex(d, "digest", &dg) ? json_object_get_string(dg) : NULL;
		const char *type = json_object_object_get_ex(d, "mediaType", &mt) && json_object_is_type(mt, json_type_string)
				   ? json_object_get_string(mt) : "";
		char id[65], name[512];
		if (strstr(type, "index")) {
			snprintf(why, why_size, "index.json entry %zu is itself an index (multi-platform); "
				 "copy one platform out first, e.g. with skopeo", i);
			goto out;
		}
		if (load_oci_one(root, dirfd, digest, id, why, why_size) < 0)
			goto out;
		if (oci_name(d, input, name, sizeof(name)) < 0 || image_tag(root, name, id, 1) < 0)
			printf("Loaded image ID: sha256:%s\n", id);
	}
	rc = 0;
out:
	json_object_put(idx);
	return rc;
}
