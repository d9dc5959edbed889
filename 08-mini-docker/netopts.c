/* 08-mini-docker/netopts.c — see netopts.h. */
#define _GNU_SOURCE
#include "netopts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

int ip4_parse(const char *s, uint32_t *addr)
{
	struct in_addr a;
	/* inet_pton, not inet_aton: "10.1" or "0x0a.0.0.1" are not addresses here */
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

const char *ip4_format(uint32_t addr, char *buf, size_t size)
{
	struct in_addr a = { .s_addr = addr };
	if (!inet_ntop(AF_INET, &a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

int network_parse(const char *s, enum net_mode *mode, const char **target,
		  char *why, size_t why_size)
{
	static const struct { const char *name; enum net_mode mode; } modes[] = {
		{ "bridge", NET_BRIDGE }, { "default", NET_BRIDGE },
		{ "none", NET_NONE }, { "host", NET_HOST },
	};
	*target = NULL;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(s, modes[i].name) == 0) {
			*mode = modes[i].mode;
			return 0;
		}
	if (strncmp(s, "container:", 10) == 0) {
		char inner[256];
		if (name_check(s + 10, inner, sizeof(inner)) == 0) {
			*mode = NET_CONTAINER;
			*target = s + 10;
			return 0;
		}
	}
	snprintf(why, why_size, "--network '%.80s' is not valid; use bridge, none, host or "
		 "container:NAME", s);
	return -1;
}

const char *network_name(enum net_mode mode)
{
	switch (mode) {
	case NET_BRIDGE: return "bridge";
	case NET_NONE: return "none";
	case NET_HOST: return "host";
	case NET_CONTAINER: return "container";
	default: return "default";
	}
}

/* A port: 1-65535, digits only. */
static int port_number(const char *s, unsigned *out)
{
	if (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int port_parse(const char *spec, struct port_map *p, char *why, size_t why_size)
{
	char buf[64], *parts[3];
	int n = 0;
	memset(p, 0, sizeof(*p));
	if (strlen(spec) >= sizeof(buf))
		goto bad;
	strcpy(buf, spec);
	char *proto = strchr(buf, '/');
	snprintf(p->proto, sizeof(p->proto), "tcp");
	if (proto) {
		*proto++ = '\0';
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
			goto bad;
		snprintf(p->proto, sizeof(p->proto), "%s", proto);
	}
	for (char *s = buf, *c = buf - 1; c; s = c + 1) {
		if (n == 3)
			goto bad; /* a fourth field */
		parts[n++] = s;
		if ((c = strchr(s, ':')))
			*c = '\0';
	}
	if (n < 2)
		goto bad;
	if (n == 3 && ip4_parse(parts[0], &p->host_ip) < 0) {
		snprintf(why, why_size, "-p '%.60s': '%.20s' is not an IPv4 address", spec, parts[0]);
		return -1;
	}
	if (port_number(parts[n - 2], &p->host_port) < 0 || port_number(parts[n - 1], &p->ctr_port) < 0) {
		snprintf(why, why_size, "-p '%.60s': ports are whole numbers from 1 to 65535", spec);
		return -1;
	}
	return 0;
bad:
	snprintf(why, why_size, "-p '%.60s' is not valid; use [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]",
		 spec);
	return -1;
}

const char *port_format(const struct port_map *p, char *buf, size_t size)
{
	char ip[16];
	snprintf(buf, size, "%s:%u->%u/%s", ip4_format(p->host_ip, ip, sizeof(ip)), p->host_port,
		 p->ctr_port, p->proto);
	return buf;
}

int ports_clash(const struct port_map *a, const struct port_map *b)
{
	return strcmp(a->proto, b->proto) == 0 && a->host_port == b->host_port &&
	       (a->host_ip == b->host_ip || a->host_ip == 0 || b->host_ip == 0);
}
