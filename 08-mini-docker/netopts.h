/* 08-mini-docker/netopts.h — `--network` and `-p` as text: which network a
 * container gets, and the ports it publishes. Pure: checked before anything
 * is made (network.h makes it). */
#ifndef NETOPTS_H
#define NETOPTS_H

#include <stddef.h>
#include <stdint.h>

#define MAX_PORTS 16

enum net_mode {
	NET_DEFAULT,   /* not given: bridge as root (Docker's default), none rootless */
	NET_BRIDGE,    /* mini0, a veth pair, an address, NAT */
	NET_NONE,      /* a network namespace with only lo */
	NET_HOST,      /* the host's network namespace */
	NET_CONTAINER, /* container:NAME, another container's network namespace */
};

/* -p [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] */
struct port_map {
	char proto[4];       /* "tcp" or "udp" */
	uint32_t host_ip;    /* network byte order; 0: every address of the host */
	unsigned host_port, ctr_port;
};

/* --network bridge|none|host|container:NAME. *target points into s for
 * container:. 0, or -1 with a reason naming the value. */
int network_parse(const char *s, enum net_mode *mode, const char **target,
		  char *why, size_t why_size);
const char *network_name(enum net_mode mode);
/* One -p. 0, or -1 with a reason naming the value. */
int port_parse(const char *spec, struct port_map *p, char *why, size_t why_size);
/* Docker's form, as in `docker ps`: "0.0.0.0:8080->80/tcp". */
const char *port_format(const struct port_map *p, char *buf, size_t size);
/* Do two publications want the same host port (same protocol, and the
 * same address or one of them every address)? */
int ports_clash(const struct port_map *a, const struct port_map *b);

/* An IPv4 address in dotted form, network byte order. 0 or -1. */
int ip4_parse(const char *s, uint32_t *addr);
const char *ip4_format(uint32_t addr, char *buf, size_t size);

#endif
