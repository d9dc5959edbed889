/* 08-mini-docker/network.h — a container's network, by mode (--network):
 *   bridge     the project's bridge mini0 (made with the first bridged
 *              container, removed with the last), a veth pair whose host
 *              end is on mini0 and whose other end is the container's eth0,
 *              an address from ipam.h, NAT and published ports (nat.h);
 *   none       a network namespace with only lo;
 *   host       the host's network namespace;
 *   container: another running container's network namespace.
 * The runner calls net_prepare before clone (address, files), net_attach
 * after (the veth pair, the ports) and net_release in finish; the reaper
 * calls net_reconcile for runners that were killed. Inside, the container
 * calls net_join first and net_inside last (netchild.c). */
#ifndef NETWORK_H
#define NETWORK_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "ipam.h"
#include "options.h"

#define NET_BRIDGE_NAME "mini0"

/* What the container's first process needs (container.h holds one). */
struct net_child {
	int gate_fd;    /* bridge: read end; eth0 exists once it opens; -1 */
	int join_fd;    /* container:NAME: a pidfd of its PID 1 to setns to; -1 */
	uint32_t addr, gw; /* bridge: eth0's address and the default gateway */
	int prefix;
	int own_ns;     /* a namespace of its own (bridge, none): lo is ours to bring up */
};

/* What the runner made, for net_release (runner.h holds one). */
struct netstate {
	enum net_mode mode;        /* what it resolved to */
	char dir[PATH_MAX];        /* RUN/net */
	struct lease lease;
	int leased;                /* the lease file is ours: release it */
	struct gate gate;
	int verbose, prefix;
	char hosts[PATH_MAX + 32], resolv[PATH_MAX + 32]; /* in the container's directory */
};

void net_init(struct netstate *n, struct net_child *c);
/* Before clone: the mode, the address (and ports checked against every
 * other container's), mini0 and the nft table if this is the first bridged
 * container, /etc/hosts and /etc/resolv.conf (added to o's volumes).
 * 0, or -1 with the reason printed. */
int net_prepare(struct netstate *n, struct net_child *c, struct run_opts *o, const char *root,
		const char *run, const char *cdir, const char *id, const char *hostname,
		const char *name);
/* The namespaces clone3 makes: CLONE_NEWNET but for host and container:. */
uint64_t net_clone_flags(const struct netstate *n);
/* After clone, with the container's pid: the veth pair, the published
 * ports, then the gate opened. 0 or -1 (printed). */
int net_attach(struct netstate *n, pid_t pid);
/* Everything net_prepare and net_attach made, whatever exists of it; the
 * bridge and the table go with the last bridged container. */
void net_release(struct netstate *n);
/* Leases whose runner is gone (SIGKILL, a crash): released as above.
 * Quiet unless it finds one. Root only; takes the network lock. */
void net_reconcile(const char *run);

struct ctr;
/* The record's "NetworkMode" and ports, from the options (claim), and
 * back into options (start). */
void net_record(struct ctr *r, const struct run_opts *o);
void net_opts_restore(struct run_opts *o, const struct ctr *saved);

/* netchild.c, in the container's first process (setup_fail on error):
 * join another container's network namespace (before sysfs is mounted:
 * sysfs shows the mounter's network devices), and, last, lo up and, on
 * the bridge, eth0's address, up, and the default route. */
void net_join(const struct net_child *c);
void net_inside(const struct net_child *c);

#endif
