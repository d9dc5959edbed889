/* 08-mini-docker/digest.h — the sha256 names of Docker's image store.
 *
 * Everything in the store is named by a sha256 (libcrypto's):
 *   image ID   = sha256 of the image's config JSON
 *   blob       = sha256 of a file as it is (a compressed layer, a manifest)
 *   DiffID(n)  = sha256 of layer n's tar, uncompressed
 *   ChainID(1) = DiffID(1)
 *   ChainID(n) = sha256("sha256:<ChainID(n-1)> sha256:<DiffID(n)>")
 * (notes 001, "Docker's layer store"). `run IMAGE` needs ChainIDs to find
 * the layer directories, so this is the only hashing mini-docker itself
 * links; the tar side lives in the mini-docker-layer helper (layer.h). */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>

/* Every function here reports its own failure: libcrypto missing (it is
 * opened on the first digest, see digest.c) or one of its calls failing
 * prints one line naming the call and libcrypto's reason; the caller only
 * passes the -1 on (errno means nothing then). */

/* 64 lowercase hex digits of sha256(data). 0 or -1 (printed). */
int sha256_hex(const void *data, size_t len, char out[65]);
/* ChainID from the parent's ChainID (NULL for the bottom layer) and this
 * layer's DiffID, both as 64 hex digits without "sha256:". 0 or -1
 * (printed). */
int chain_id(const char *parent, const char *diff, char out[65]);
/* sha256 fed piece by piece, for two digests of one pass over a layer
 * (its blob's and its DiffID, layer.c): new (NULL, printed, on a failure),
 * add as often as needed (a failure is printed and remembered), then end,
 * which writes the hex and frees it: 0, or -1 if any step failed. */
struct sha256;
struct sha256 *sha256_new(void);
void sha256_add(struct sha256 *h, const void *data, size_t len);
int sha256_end(struct sha256 *h, char out[65]);

#endif
