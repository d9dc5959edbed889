/* 08-mini-docker/netlink.h — links, addresses and routes through rtnetlink
 * (rtnetlink(7)), with libmnl: each call builds one message, sends it and
 * reads the kernel's answer, as `ip link/addr/route` would. Errors: -1 with
 * errno set (the kernel's answer) and a line naming the call printed. */
#ifndef NETLINK_H
#define NETLINK_H

#include <stdint.h>

struct mnl_socket;

struct nl {
	struct mnl_socket *sk;
	unsigned int portid, seq;
};

/* A route of the host's, for choosing a subnet that overlaps none. */
struct route4 {
	uint32_t dst; /* network byte order */
	int len;      /* prefix length; 0 for a default route */
	int oif;      /* output interface index, 0 if none */
};

/* A NETLINK_ROUTE socket in the caller's network namespace. */
int nl_open(struct nl *n);
void nl_close(struct nl *n);

/* The ifindex of NAME, 0 if there is no such link, -1 on error. */
int nl_link_index(struct nl *n, const char *name);
/* The MTU of a link, or -1. */
int nl_link_mtu(struct nl *n, int ifindex);
/* ip link add NAME type bridge mtu MTU */
int nl_bridge_add(struct nl *n, const char *name, unsigned mtu);
/* ip link add HOST mtu MTU master MASTER type veth peer name PEER netns PID mtu MTU:
 * the peer is made directly in the network namespace of process pid. */
int nl_veth_add(struct nl *n, const char *host, int master, const char *peer, int pid, unsigned mtu);
/* ip link set dev IFINDEX up */
int nl_link_up(struct nl *n, int ifindex);
/* ip link del NAME; 0 also when it does not exist */
int nl_link_del(struct nl *n, const char *name);
/* ip addr add ADDR/LEN dev IFINDEX (broadcast derived) */
int nl_addr_add(struct nl *n, int ifindex, uint32_t addr, int len);
/* ip route add default via GW */
int nl_route_default(struct nl *n, uint32_t gw);
/* The IPv4 routes of every table: up to max of them; their count, or -1. */
int nl_routes(struct nl *n, struct route4 *out, int max);

#endif
