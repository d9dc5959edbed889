/* 08-mini-docker/container.h — what the runner hands the container's first
 * process, and that process (init.c): everything between clone and exec. */
#ifndef CONTAINER_H
#define CONTAINER_H

#include <limits.h>
#include <time.h>
#include <stdnoreturn.h>

#include <linux/filter.h>

#include "network.h"
#include "options.h"

struct container {
	const struct run_opts *o;
	char id[65];
	char hostname[65];
	char upper[PATH_MAX], work[PATH_MAX], merged[PATH_MAX];
	const char *const *lowers; /* the image's layers, top first */
	size_t nlowers;
	int out_fd;        /* the container's stdout (-d: the log; kept foreground: a pipe), or -1 */
	int err_fd;        /* its stderr, or -1 for the same as out_fd */
	int exec_err_fd;   /* write end, CLOEXEC: errno of a failed exec */
	int tty_slave;     /* the terminal's slave end, or -1 */
	char tty_path[64]; /* its path on the host, /dev/pts/N */
	int verbose;       /* narrate each step on stderr */
	int cgroup2;       /* the host is pure cgroup v2: mount it at /sys/fs/cgroup */
	int timings;       /* MINI_DOCKER_TIMINGS=1: print each phase's duration */
	struct net_child net; /* network.h: the gate to eth0, or the namespace to join */
	struct sock_fprog seccomp; /* the profile, compiled by the runner; len 0: none */
	struct timespec t0;
};

/* Runs as PID 1 of the new namespaces, already in the container's cgroup
 * (and, with --rootless, with its id maps written). Sets up the root
 * filesystem, /proc, /dev, /sys, volumes, hostname, network, environment and
 * privileges, then execs the command. Never returns: on a setup error it
 * prints the failing step and exits 125. */
noreturn void container_init(const struct container *c);

/* With c->timings, print "timing: PHASE  +X.XXX ms  (Y.YYY ms since start)"
 * on stderr: the time since the previous mark in this process. */
void phase_mark(const struct container *c, const char *phase);

#endif
