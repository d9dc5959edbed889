/* 08-mini-docker/ipam.h — the bridge's addresses: the subnet (chosen so it
 * overlaps none of the host's routes), and one lease per bridged container,
 * a file named after its address under RUN/net/leases, made with O_EXCL
 * under a flock on RUN/net/lock. A lease names its container and its
 * runner (pid and start time), so that the next run, or the reaper, can
 * tell one whose runner was killed and give its address back. */
#ifndef IPAM_H
#define IPAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netlink.h"
#include "netopts.h"

struct subnet {
	uint32_t net; /* network byte order, host bits zero */
	int len;
};

struct lease {
	char id[65];
	pid_t runner;
	unsigned long long runner_start;
	uint32_t addr;
	struct port_map ports[MAX_PORTS];
	int nports;
};

/* Pure: "A.B.C.D/LEN" with 16 <= LEN <= 29 and no host bits set. */
int subnet_parse(const char *s, struct subnet *sn, char *why, size_t why_size);
const char *subnet_format(const struct subnet *sn, char *buf, size_t size);
/* Do sn and the route dst/len share an address? */
int subnet_overlaps(const struct subnet *sn, uint32_t dst, int len);
/* The i-th address of sn (1 is the gateway), network byte order. */
uint32_t subnet_addr(const struct subnet *sn, uint32_t i);
/* The first of 172.29.0.0/24, 172.29.1.0/24, ... 172.29.255.0/24,
 * 10.29.0.0/24 ... that no route overlaps (default routes aside).
 * 0, or -1 if all are taken. */
int subnet_choose(const struct route4 *routes, int n, struct subnet *out);
/* Pure: a lease as text (key=value lines) and back. */
int lease_format(const struct lease *l, char *buf, size_t size);
int lease_parse(const char *text, struct lease *l);

/* RUN/net with its lock taken (flock, exclusive): the fd, or -1. */
int ipam_lock(const char *netdir);
void ipam_unlock(int fd);
/* With the lock held and no lease left: RUN/net removed, lock and all
 * (the next ipam_lock makes it again). */
void ipam_forget(const char *netdir);
/* Every lease: a malloc'd array (free it), their count or -1. */
int ipam_leases(const char *netdir, struct lease **out);
/* Take the lowest free address of sn for l (l->addr set), its ports
 * checked against every other lease's first: -1 with a reason. */
int ipam_take(const char *netdir, const struct subnet *sn, struct lease *l,
	      char *why, size_t why_size);
int ipam_drop(const char *netdir, uint32_t addr);

#endif
