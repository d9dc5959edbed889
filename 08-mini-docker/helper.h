/* 08-mini-docker/helper.h — tar work done by the mini-docker-layer helper.
 *
 * Why a second program: libarchive pulls libxml2, ICU and libstdc++ on
 * Debian, and every library a program links is mapped and relocated at
 * each start, and copied into each clone — `run` paid ~3 ms for tar code it
 * never calls (docs/benchmarks.md). So only the helper links libarchive;
 * mini-docker runs it (next to its own binary) for the image commands.
 * Docker does the same for a different reason: it re-executes itself as
 * docker-untar to unpack layers.
 *
 * Each call: 0, or -1 with a one-line reason in why. */
#ifndef HELPER_H
#define HELPER_H

#include <signal.h>
#include <stddef.h>

/* Set by the image commands' stop-signal handler (Ctrl-C, SIGTERM, SIGHUP):
 * the helper running now is sent SIGTERM, and that call and every later one
 * fail with "interrupted", so the command takes its error path and removes
 * what it made. */
extern volatile sig_atomic_t helper_stop;

/* layer_unpack() of layer.h on the layer read from fd (which the helper
 * gets as its stdin: an fd, not a path it would open again): blob and diff
 * get the layer's two digests, *size the bytes of its regular files.
 * keep (or NULL): where the layer's tar is kept, gzipped, for `save`.
 * want_blob (or NULL): the blob digest the archive promised, for a clearer
 * reason ("corrupt") when a damaged blob does not even unpack. */
int helper_unpack(int fd, const char *dir, const char *keep, const char *want_blob, char blob[65],
		  char diff[65], long long *size, char *why, size_t why_size);
/* save_write(): the staged directory as a tar, written to out_fd (which
 * the helper gets as its stdin). */
int helper_save(const char *stage, int out_fd, char *why, size_t why_size);
/* layer_pack(): an overlay upper dir to a layer tar. */
int helper_pack(const char *upper, const char *tar, char *why, size_t why_size);
/* tar_extract(): the plain tar read from fd, no whiteouts. */
int helper_extract(int fd, const char *dir, char *why, size_t why_size);

#endif
