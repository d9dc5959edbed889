/* 08-mini-docker/bridge.c — see bridge.h. */
#define _GNU_SOURCE
#include "bridge.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "nat.h"
#include "network.h"

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

void net_path(const char *dir, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, file);
}

/* RUN/net/bridge: the subnet and MTU mini0 was made with. */
int bridge_read(const char *dir, struct subnet *sn, unsigned *mtu)
{
	char p[PATH_MAX + 16], net[40], why[128];
	net_path(dir, "bridge", p, sizeof(p));
	char *text = read_whole(p, 256, NULL);
	int ok = text && sscanf(text, "subnet=%39s mtu=%u", net, mtu) == 2 &&
		 subnet_parse(net, sn, why, sizeof(why)) == 0;
	free(text);
	return ok ? 0 : -1;
}


/* The host as it was before the first bridged container: no mini0, no
 * table, ip_forward as found. Idempotent, so it also clears what a crash
 * left half made. */
void bridge_teardown(const char *dir, struct nl *nl, int verbose, int forget)
{
	char p[PATH_MAX + 16], was[8];
	nl_link_del(nl, NET_BRIDGE_NAME);
	nat_drop_table();
	net_path(dir, "forwarding", p, sizeof(p));
	if (read_file(p, was, sizeof(was)) >= 0) {
		/* we turned it on: turn it off again, and only then forget it */
		if (write_file(IP_FORWARD, was) < 0)
			warn_errno("write %s", IP_FORWARD);
		else if (unlink(p) == 0 && verbose)
			fprintf(stderr, "=> IPv4 forwarding restored to %s (net.ipv4.ip_forward)\n", was);
	}
	net_path(dir, "bridge", p, sizeof(p));
	unlink(p);
	if (forget)
		ipam_forget(dir); /* lock and all: nothing of ours left in RUN */
	if (verbose)
		fprintf(stderr, "=> last bridged container gone: %s and table ip %s removed\n",
			NET_BRIDGE_NAME, NAT_TABLE);
}


/* The subnet: MINI_DOCKER_SUBNET, or the first candidate no route of the
 * host overlaps; the MTU: the uplink's (the default route's device). */
static int choose_subnet(struct nl *nl, struct subnet *sn, unsigned *mtu)
{
	struct route4 routes[512];
	char why[160];
	int n = nl_routes(nl, routes, 512);
	if (n < 0)
		return -1;
	*mtu = 1500;
	for (int i = 0; i < n; i++)
		if (routes[i].len == 0 && routes[i].oif > 0) {
			int m = nl_link_mtu(nl, routes[i].oif);
			if (m >= 1280)
				*mtu = (unsigned)m;
			break;
		}
	const char *want = getenv("MINI_DOCKER_SUBNET");
	if (!want || !*want)
		return subnet_choose(routes, n, sn) == 0 ? 0 :
		       (fprintf(stderr, "mini-docker: every candidate subnet overlaps a route of the host; "
				"set MINI_DOCKER_SUBNET=A.B.C.D/LEN\n"), -1);
	if (subnet_parse(want, sn, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: MINI_DOCKER_SUBNET: %s\n", why);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (routes[i].len > 0 && subnet_overlaps(sn, routes[i].dst, routes[i].len)) {
			char r[16];
			fprintf(stderr, "mini-docker: MINI_DOCKER_SUBNET=%s overlaps the host's route to %s/%d\n",
				want, ip4_format(routes[i].dst, r, sizeof(r)), routes[i].len);
			return -1;
		}
	return 0;
}


/* First bridged container: mini0 with the gateway address, route_localnet,
 * the nft table, ip_forward on. */
int bridge_make(const char *dir, struct nl *nl, struct subnet *sn, unsigned *mtu, int verbose)
{
	char p[PATH_MAX + 64], text[2048], net[40];
	bridge_teardown(dir, nl, 0, 0); /* whatever a crash left, gone first; we keep the lock */
	if (choose_subnet(nl, sn, mtu) < 0 || nl_bridge_add(nl, NET_BRIDGE_NAME, *mtu) < 0)
		return -1;
	int br = nl_link_index(nl, NET_BRIDGE_NAME);
	if (br <= 0 || nl_addr_add(nl, br, subnet_addr(sn, 1), sn->len) < 0 || nl_link_up(nl, br) < 0)
		return -1;
	/* 127.0.0.1:PORT from the host: after the output chain's DNAT the
	 * packet still has source 127.0.0.1, and the kernel refuses to route a
	 * loopback source out of a real device unless route_localnet is set
	 * on it. Set on mini0 only: it goes away with mini0. */
	snprintf(p, sizeof(p), "/proc/sys/net/ipv4/conf/%s/route_localnet", NET_BRIDGE_NAME);
	if (write_file(p, "1") < 0)
		return warn_errno("write %s", p);
	if (nat_table_text(sn, NET_BRIDGE_NAME, text, sizeof(text)) < 0 ||
	    nft_run(text, "make table ip " NAT_TABLE, NULL) < 0)
		return -1;
	char was[8];
	if (read_file(IP_FORWARD, was, sizeof(was)) < 0)
		return warn_errno("read %s", IP_FORWARD);
	if (strcmp(was, "0") == 0) {
		net_path(dir, "forwarding", p, sizeof(p));
		if (write_file(IP_FORWARD, "1") < 0)
			return warn_errno("write 1 to %s", IP_FORWARD);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			warn_errno("write %s", p);
			write_file(IP_FORWARD, "0");
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		if (verbose)
			fprintf(stderr, "=> IPv4 forwarding was off: turned on (net.ipv4.ip_forward=1) "
				"until the last bridged container is gone\n");
	}
	snprintf(text, sizeof(text), "subnet=%s\nmtu=%u\n", subnet_format(sn, net, sizeof(net)), *mtu);
	net_path(dir, "bridge", p, sizeof(p));
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t w = fd >= 0 ? write(fd, text, strlen(text)) : -1;
	if (fd >= 0)
		close(fd);
	if (w != (ssize_t)strlen(text))
		return warn_errno("write %s", p);
	if (verbose)
		fprintf(stderr, "=> bridge %s: %s, gateway %s, mtu %u; table ip %s\n", NET_BRIDGE_NAME, net,
			ip4_format(subnet_addr(sn, 1), text, 16), *mtu, NAT_TABLE);
	return 0;
}

