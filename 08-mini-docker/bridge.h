/* 08-mini-docker/bridge.h — mini0 and what goes with it: made by the first
 * bridged container, removed by the last, both under the network lock
 * (ipam_lock). RUN/net/bridge remembers the subnet and MTU, RUN/net/
 * forwarding that we turned ip_forward on. */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <stddef.h>

#include "ipam.h"
#include "netlink.h"

/* DIR/FILE */
void net_path(const char *dir, const char *file, char *buf, size_t size);
/* The subnet and MTU of the existing bridge. 0 or -1. */
int bridge_read(const char *dir, struct subnet *sn, unsigned *mtu);
/* First bridged container: the subnet (MINI_DOCKER_SUBNET or chosen),
 * mini0 with the gateway address and the uplink's MTU, route_localnet,
 * table ip mini-docker, ip_forward on if it was off. 0 or -1 (printed). */
int bridge_make(const char *dir, struct nl *nl, struct subnet *sn, unsigned *mtu, int verbose);
/* The host as before the first bridged container; idempotent. forget:
 * RUN/net too (only as the lock is about to be released). */
void bridge_teardown(const char *dir, struct nl *nl, int verbose, int forget);

#endif
