/* 08-mini-docker/layerstore.h — the layer store: where each thing lives
 * under ROOT, the lock every change holds, and the layers themselves.
 *
 *   ROOT/image/overlay2/repositories.json                 (ref.c)
 *   ROOT/image/overlay2/imagedb/content/sha256/<image id> (image.c)
 *   ROOT/image/overlay2/layerdb/sha256/<ChainID>/{diff,size,cache-id,parent}
 *   ROOT/image/overlay2/layerdb/tmp/<cache-id>            an entry being written
 *   ROOT/overlay2/<cache-id>/diff                         the layer's files
 *   ROOT/overlay2/<cache-id>/layer.tar.gz                 its tar as hashed (save)
 *   ROOT/tmp/                                             archives being read
 *
 * A layerdb entry is named by its ChainID, a layer and everything below
 * it (digest.h); its files are found through cache-id. */
#ifndef LAYERSTORE_H
#define LAYERSTORE_H

#include <json-c/json.h>
#include <stddef.h>

#include "state.h"

/* One function per location: ROOT/... into buf, with `name` (a config's
 * hex, a ChainID, a cache-id, a tmp file) appended, or the directory
 * itself if name is NULL. 0, or -1 with errno ENAMETOOLONG. */
int path_repositories(const char *root, char *buf, size_t size);
int path_imagedb(const char *root, const char *name, char *buf, size_t size);
int path_layerdb(const char *root, const char *name, char *buf, size_t size);
int path_layerdb_tmp(const char *root, const char *name, char *buf, size_t size);
int path_overlay2(const char *root, const char *name, char *buf, size_t size);
int path_diff(const char *root, const char *cache, char *buf, size_t size); /* overlay2/<cache>/diff */
/* overlay2/<cache>/layer.tar.gz: the layer's tar as it was hashed, for save */
int path_kept_tar(const char *root, const char *cache, char *buf, size_t size);
int path_tmp(const char *root, const char *name, char *buf, size_t size);

/* A JSON file (up to 64 MiB), or NULL with a reason. */
json_object *store_read_json(const char *path, char *why, size_t why_size);
/* Parse s (malloc'd, freed here), a file or member called name; NULL with
 * a reason if it is not JSON. */
json_object *json_take(char *s, const char *name, char *why, size_t why_size);
/* A small text file, replaced atomically (write_atomic). 0 or -1. */
int store_write_text(const char *path, const char *s);

/* Make the store's directories, take the lock every change holds, clean
 * what a killed change left, and let a stop signal fail the change
 * (helper.h). The lock, or -1 (printed). */
int store_lock(const char *root);
/* Release it, after removing what a failed change (rc != 0) stored;
 * rc, or 128+signal if a stop signal made the change fail. */
int store_unlock(const char *root, int lock, int rc);

/* Unpack the layer read from fd on top of parent (a ChainID, or NULL) and
 * record it; diff and chain get its DiffID and ChainID. want_blob and
 * want_diff (or NULL) are the digests the archive promised. 0, or -1
 * with a reason. Lock held. */
int layer_add(const char *root, const char *parent, int fd, const char *want_blob,
	      const char *want_diff, char diff[65], char chain[65], char *why, size_t why_size);
/* One file of a layerdb entry (cache-id, size, diff, parent). 0 or -1. */
int layer_read(const char *root, const char *chain, const char *file, char *buf, size_t size);

/* The image config's rootfs.diff_ids as hex, checked; and the ChainIDs of
 * its layers, bottom first. Count (1..MAX_LAYERS) or -1 with a reason. */
int config_diff_ids(json_object *cfg, char ids[][65], char *why, size_t why_size);
int config_chains(json_object *cfg, char chains[][65], char *why, size_t why_size);

/* layergc.c. Delete every layer no stored image reaches any more: its
 * layerdb entry ("Deleted: sha256:<ChainID>" unless quiet), then its
 * overlay2 dir. Lock held. */
void layers_collect(const char *root, int quiet);
/* What a failed or killed change left: the layers no image reaches (a
 * load refused at its second layer keeps its first, complete, with its
 * layerdb entry), then the overlay2 dirs no entry names. Silent; if the
 * layers in use cannot be named, only the second. Lock held. */
void layers_collect_leftovers(const char *root);
/* Remove every overlay2 dir no layerdb entry names as its cache-id (what
 * rmi or a killed change left); nothing if the entries cannot all be
 * read. Lock held. */
void layers_sweep_files(const char *root);

#endif
