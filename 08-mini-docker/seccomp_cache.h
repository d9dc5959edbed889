/* 08-mini-docker/seccomp_cache.h — the compiled seccomp program, kept in
 * the run directory. Compiling Docker's profile (a few hundred rules, for
 * three ABIs) costs milliseconds — about as long as the rest of a
 * container's start — and gives the same program every time for the same
 * file, capabilities and kernel. So the first run compiles it and later
 * runs, execs and starts read it back. */
#ifndef SECCOMP_CACHE_H
#define SECCOMP_CACHE_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* As seccomp_compile (seccomp_profile.h). The default profile goes
 * through a cache file in cache_dir/cache (the run directory:
 * /run/mini-docker for root), one per capability set. Its key names the
 * profile's device, inode, size and mtime, the capabilities, the kernel
 * and this build: any change compiles anew and replaces the file. A
 * profile given with --security-opt is compiled every time. */
int seccomp_load_profile(const char *value, uint64_t caps, const char *cache_dir,
			 struct sock_fprog *prog, char *why, size_t why_size);

#endif
