/* 08-mini-docker/rootfs.h — the container's filesystem, built by its first
 * process in its own mount namespace (init.c calls these in order): the
 * overlay root, proc and sysfs, copies of the host trees it needs, the
 * pivot, then /dev, the cgroup2 view, the masks and the volumes. Each step
 * prints its failure and exits 125 (setup_fail): it runs in the child. */
#ifndef ROOTFS_H
#define ROOTFS_H

#include "container.h"
#include "options.h"

/* Host trees cloned (open_tree) while the host is still reachable, then
 * attached inside after the pivot. */
struct held {
	int dev[8];
	int vol[MAX_VOLUMES];
	int console;
};

/* Masked and read-only paths, as Docker's defaults. */
extern const char *const proc_masked[];
extern const char *const proc_readonly[];

void rootfs_overlay(const struct container *c);
void rootfs_proc_sys(const char *merged);
void rootfs_hold(const struct container *c, struct held *h);
void rootfs_pivot(const char *merged);
void rootfs_dev(struct held *h);
void rootfs_cgroup2(int cgroup2);
void rootfs_masks(void);
void rootfs_volumes(const struct run_opts *o, struct held *h, int verbose);

#endif
