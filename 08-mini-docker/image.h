/* 08-mini-docker/image.h — images and the layer store, laid out as
 * Docker's overlay2 driver lays out /var/lib/docker, so the notes'
 * experiment (DiffID -> ChainID -> cache-id -> diff) works on ROOT:
 *
 *   ROOT/image/overlay2/repositories.json         name:tag -> image id
 *   ROOT/image/overlay2/imagedb/content/sha256/<image id>   its config JSON
 *   ROOT/image/overlay2/layerdb/sha256/<ChainID>/{diff,size,cache-id,parent}
 *   ROOT/overlay2/<cache-id>/diff                  the layer's files
 *
 * An image id is the sha256 of its config file's bytes; a layer is stored
 * once per ChainID, however many images share it.
 *
 * The lesson's files: ref.c (names, repositories.json), layerstore.c (the
 * layer store and its lock), layergc.c (collecting what nothing needs),
 * image.c (configs, resolve, tag, rmi), imagelist.c (images),
 * imageinspect.c (image inspect, history), load.c (import, load),
 * save.c (save), commit.c and change.c (commit). */
#ifndef IMAGE_H
#define IMAGE_H

#include <limits.h>
#include <stddef.h>

#include "ref.h"
#include "state.h"

/* What `run` needs from an image. */
struct image_ref {
	char id[80];               /* "sha256:<hex>", or "" for a directory */
	int nlower;
	char *lower[MAX_LAYERS];   /* top layer first, as overlay wants them */
	int ncmd, nenv, nentry;
	char **cmd, **env;         /* the image's defaults (may be empty) */
	char **entrypoint;         /* run before Cmd or the user's command */
	char workdir[PATH_MAX];
	char user[64];             /* "User": a name or uid[:gid], "" for root */
};

/* NAME[:TAG], image id (or a prefix of 4+ hex digits), or an absolute
 * directory -> layers and defaults. 0, or -1 with a reason. */
int image_resolve(const char *root, const char *name, struct image_ref *img,
		  char *why, size_t why_size);
void image_ref_free(struct image_ref *img);
/* NAME[:TAG], sha256:<hex> or a unique prefix of 4+ hex digits -> the
 * image id's hex. 0, or -1 with a reason ("no such image: X"). */
int image_find(const char *root, const char *name, char hex[65], char *why, size_t why_size);
/* The bytes of an image's layers (their layerdb "size"), as Docker's Size. */
long long image_size(const char *root, json_object *cfg);
/* `image inspect`'s object for image hex, in Docker's shape (imageinspect.c),
 * or NULL with a reason. */
json_object *image_inspect(const char *root, const char *hex, char *why, size_t why_size);

/* 4.26MB, 12B: Docker's SI sizes. Pure. */
const char *human_size(long long bytes, char *buf, size_t size);

/* An image config from imagedb (put it with json_object_put), or NULL
 * with a reason; storing config bytes gives the image id. 0 or -1. */
json_object *config_read(const char *root, const char *hex, char *why, size_t why_size);
int config_store(const char *root, const char *bytes, size_t len, char id[65]);
/* "created" for a new config: now, as RFC 3339 with nanoseconds. */
void now_rfc3339(char *buf, size_t size);
/* Point ref at image hex (ref.h), and delete the image the tag named
 * before if nothing else names or uses it. 0, or -1 (printed). Lock held. */
int image_tag(const char *root, const char *ref, const char *hex, int announce);

/* The commands. Each returns the exit status and prints its errors. */
int image_import(const char *root, const char *file, const char *ref);
int image_load(const char *root, const char *input);
int image_commit(const char *root, const char *run, int argc, char **argv);
int image_save(const char *root, int argc, char **argv);
int image_list(const char *root, int quiet, int no_trunc);
int image_rmi(const char *root, const char *ref, int force);
int image_history(const char *root, int argc, char **argv);
int image_tag_cmd(const char *root, const char *source, const char *target);

#endif
