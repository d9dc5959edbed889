/* 08-mini-docker/netchild.c — the container's side of its network (see
 * network.h), in its first process, root of its own network namespace:
 * joining another container's namespace, and configuring eth0 once the
 * runner has moved it in. Any failure ends the setup (setup_fail, 125). */
#define _GNU_SOURCE
#include "network.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include "enter.h"
#include "netlink.h"

void net_join(const struct net_child *c)
{
	if (c->join_fd < 0)
		return;
	/* setns with a pidfd (Linux 5.8): no /proc path whose pid could be
	 * reused between the runner's check and this call */
	if (setns(c->join_fd, CLONE_NEWNET) < 0)
		setup_fail("setns(pidfd, CLONE_NEWNET)");
	close(c->join_fd);
}

void net_inside(const struct net_child *c)
{
	struct nl nl;
	if (!c->own_ns)
		return; /* the host's or another container's: as it is */
	if (nl_open(&nl) < 0)
		setup_fail("netlink socket");
	/* A new network namespace has only lo, and it starts down. */
	int lo = nl_link_index(&nl, "lo");
	if (lo <= 0 || nl_link_up(&nl, lo) < 0)
		setup_fail("lo up");
	if (c->gate_fd >= 0) {
		/* wait for the runner: eth0 exists once the gate opens; a
		 * closed gate means its setup failed, and we stop here */
		struct gate g = { .rd = c->gate_fd, .wr = -1 };
		gate_wait(&g); /* and closes it */
		int eth0 = nl_link_index(&nl, "eth0");
		if (eth0 <= 0)
			setup_fail("find eth0");
		if (nl_addr_add(&nl, eth0, c->addr, c->prefix) < 0 || nl_link_up(&nl, eth0) < 0 ||
		    nl_route_default(&nl, c->gw) < 0)
			setup_fail("configure eth0");
	}
	nl_close(&nl);
}
