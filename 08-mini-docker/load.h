/* 08-mini-docker/load.h — what the two loaders share (load.c: import and
 * docker-save archives; oci.c: OCI layouts), under the store lock. */
#ifndef LOAD_H
#define LOAD_H

#include <json-c/json.h>
#include <stddef.h>

/* One image of an archive: its config's bytes (already read, and checked
 * against their digest where the archive names one) and its layer members,
 * bottom first, each with its blob digest (OCI) or NULL. id gets the image
 * id. 0, or -1 with a reason. */
int add_image(const char *root, int dirfd, const char *bytes, size_t len, char **layers,
	      char **blobs, int nlayers, char id[65], char *why, size_t why_size);
/* A path from an archive's JSON: relative, without "..". 0 or -1. */
int archive_path(const char *rel);
/* A JSON member of the archive, read once; NULL with a reason. */
json_object *member_json(int dirfd, const char *rel, char *why, size_t why_size);
void free_layers(char **layers, int n);
/* The OCI layout beneath dirfd (input names it, for the image's name). */
int load_oci(const char *root, int dirfd, const char *input, char *why, size_t why_size);

#endif
