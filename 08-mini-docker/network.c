/* 08-mini-docker/network.c — see network.h: the host side. Every change to
 * the host's network (mini0, the veth pairs, the nft table, ip_forward) is
 * made and undone under the network lock (ipam_lock), and only by the
 * runner holding the first lease (it makes them) or dropping the last one
 * (it removes them): the host is as found when no bridged container runs. */
#define _GNU_SOURCE
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nat.h"
#include "netfiles.h"
#include "netlink.h"
#include "pidns.h"
#include "reconcile.h"
#include "store.h"

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

void net_init(struct netstate *n, struct net_child *c)
{
	memset(n, 0, sizeof(*n));
	n->gate.rd = n->gate.wr = -1;
	c->gate_fd = c->join_fd = -1;
	c->addr = c->gw = 0;
	c->own_ns = 1;
	c->prefix = 0;
}

/* The host end of a container's veth pair: "md" and 12 hex digits of its
 * id, within IFNAMSIZ (15 characters). */
static void veth_name(const char *id, char out[16])
{
	snprintf(out, 16, "md%.12s", id);
}

static void path_in(const char *dir, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, file);
}

/* RUN/net/bridge: the subnet and MTU mini0 was made with. */
static int bridge_read(const char *dir, struct subnet *sn, unsigned *mtu)
{
	char p[PATH_MAX + 16], net[40], why[128];
	path_in(dir, "bridge", p, sizeof(p));
	char *text = read_whole(p, 256, NULL);
	int ok = text && sscanf(text, "subnet=%39s mtu=%u", net, mtu) == 2 &&
		 subnet_parse(net, sn, why, sizeof(why)) == 0;
	free(text);
	return ok ? 0 : -1;
}

/* The host as it was before the first bridged container: no mini0, no
 * table, ip_forward as found. Idempotent, so it also clears what a crash
 * left half made. */
static void teardown(const char *dir, struct nl *nl, int verbose, int forget)
{
	char p[PATH_MAX + 16], was[8];
	nl_link_del(nl, NET_BRIDGE_NAME);
	nat_drop_table();
	path_in(dir, "forwarding", p, sizeof(p));
	if (read_file(p, was, sizeof(was)) >= 0) {
		/* we turned it on: turn it off again, and only then forget it */
		if (write_file(IP_FORWARD, was) < 0)
			warn_errno("write %s", IP_FORWARD);
		else if (unlink(p) == 0 && verbose)
			fprintf(stderr, "=> IPv4 forwarding restored to %s (net.ipv4.ip_forward)\n", was);
	}
	path_in(dir, "bridge", p, sizeof(p));
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
static int bridge_make(const char *dir, struct nl *nl, struct subnet *sn, unsigned *mtu, int verbose)
{
	char p[PATH_MAX + 64], text[2048], net[40];
	teardown(dir, nl, 0, 0); /* whatever a crash left, gone first; we keep the lock */
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
		path_in(dir, "forwarding", p, sizeof(p));
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
	path_in(dir, "bridge", p, sizeof(p));
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

/* One lease undone: its veth pair (gone already if its namespace died),
 * its port rules, its address; the rest with the last lease. */
static void release_one(const char *dir, struct nl *nl, const struct lease *l)
{
	char veth[16], tag[13];
	veth_name(l->id, veth);
	nl_link_del(nl, veth);
	snprintf(tag, sizeof(tag), "%.12s", l->id);
	if (l->nports)
		nat_unpublish(tag);
	ipam_drop(dir, l->addr);
}

static void teardown_if_last(const char *dir, struct nl *nl, int verbose)
{
	struct lease *all;
	int n = ipam_leases(dir, &all);
	free(all);
	if (n == 0)
		teardown(dir, nl, verbose, 1);
}

/* Under the lock: the bridge (made if we are first), then our lease. */
static int bridge_prepare(struct netstate *n, struct net_child *c)
{
	struct nl nl = { 0 };
	struct subnet sn;
	unsigned mtu;
	char why[256];
	int lock = ipam_lock(n->dir), rc = -1;
	if (lock < 0 || nl_open(&nl) < 0)
		goto out;
	struct lease *all;
	int count = ipam_leases(n->dir, &all);
	free(all);
	if (count < 0)
		goto out;
	if (count == 0 ? bridge_make(n->dir, &nl, &sn, &mtu, n->verbose) < 0 : bridge_read(n->dir, &sn, &mtu) < 0) {
		if (count > 0)
			fprintf(stderr, "mini-docker: %s/bridge is missing or malformed\n", n->dir);
		if (count == 0)
			teardown(n->dir, &nl, 0, 1);
		goto out;
	}
	if (ipam_take(n->dir, &sn, &n->lease, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		teardown_if_last(n->dir, &nl, 0);
		goto out;
	}
	n->leased = 1;
	c->addr = n->lease.addr;
	c->gw = subnet_addr(&sn, 1);
	c->prefix = sn.len;
	n->prefix = sn.len;
	rc = 0;
out:
	nl_close(&nl);
	ipam_unlock(lock);
	return rc;
}

/* container:NAME: a pidfd on its PID 1, checked to be that process. */
static int join_prepare(const struct run_opts *o, const char *root, const char *run, struct net_child *c)
{
	char id[65], why[256];
	struct ctr t;
	if (ctr_resolve(root, o->net_target, id, why, sizeof(why)) < 0 || ctr_load(root, run, id, &t) < 0) {
		fprintf(stderr, "mini-docker: --network container:%s: %s\n", o->net_target,
			why[0] ? why : "cannot read its record");
		return -1;
	}
	int running = ctr_running(&t);
	c->join_fd = running ? pidfd_open_pid(t.pid) : -1;
	/* the pid could have been reused between the check and the open */
	if (c->join_fd >= 0 && !proc_is(t.pid, t.pid_start)) {
		close(c->join_fd);
		c->join_fd = -1;
	}
	ctr_free(&t);
	if (c->join_fd < 0) {
		fprintf(stderr, "mini-docker: --network container:%s: the container is not running\n",
			o->net_target);
		return -1;
	}
	return 0;
}

/* /etc/hosts and /etc/resolv.conf as volumes: files of the container's
 * own directory (or of the container whose network it joins). */
static int add_files(struct netstate *n, struct run_opts *o, const char *dir)
{
	if (o->nvol + 2 > MAX_VOLUMES) {
		fprintf(stderr, "mini-docker: more than %d -v options with /etc/hosts and "
			"/etc/resolv.conf\n", MAX_VOLUMES - 2);
		return -1;
	}
	path_in(dir, "hosts", n->hosts, sizeof(n->hosts));
	path_in(dir, "resolv.conf", n->resolv, sizeof(n->resolv));
	o->vol[o->nvol++] = (struct volume){ n->hosts, "/etc/hosts", 0 };
	o->vol[o->nvol++] = (struct volume){ n->resolv, "/etc/resolv.conf", 0 };
	return 0;
}

int net_prepare(struct netstate *n, struct net_child *c, struct run_opts *o, const char *root,
		const char *run, const char *cdir, const char *id, const char *hostname,
		const char *name)
{
	n->mode = o->network == NET_DEFAULT ? (o->rootless ? NET_NONE : NET_BRIDGE) : o->network;
	snprintf(n->dir, sizeof(n->dir), "%s/net", run);
	/* host and container: share a namespace whose lo is not ours */
	c->own_ns = n->mode == NET_NONE || n->mode == NET_BRIDGE;
	if (n->mode == NET_NONE)
		return 0;
	if (n->mode == NET_CONTAINER) {
		char tid[65], tdir[PATH_MAX], why[256];
		if (join_prepare(o, root, run, c) < 0 || ctr_resolve(root, o->net_target, tid, why, sizeof(why)) < 0)
			return -1;
		ctr_dir(root, tid, tdir, sizeof(tdir));
		return add_files(n, o, tdir);
	}
	if (n->mode == NET_BRIDGE) {
		snprintf(n->lease.id, sizeof(n->lease.id), "%s", id);
		n->lease.runner = getpid();
		n->lease.runner_start = proc_start_time(n->lease.runner);
		memcpy(n->lease.ports, o->ports, sizeof(o->ports));
		n->lease.nports = o->nports;
		if (bridge_prepare(n, c) < 0)
			return -1;
		gate_init(&n->gate);
		c->gate_fd = n->gate.rd;
	}
	if (netfiles_write(cdir, c->addr, hostname, name) < 0)
		return -1;
	return add_files(n, o, cdir);
}

uint64_t net_clone_flags(const struct netstate *n)
{
	return n->mode == NET_HOST || n->mode == NET_CONTAINER ? 0 : CLONE_NEWNET;
}

int net_attach(struct netstate *n, pid_t pid)
{
	if (n->mode != NET_BRIDGE)
		return 0;
	gate_parent_side(&n->gate);
	struct nl nl = { 0 };
	char veth[16], tag[13], text[8192];
	int lock = ipam_lock(n->dir), rc = -1;
	if (lock < 0 || nl_open(&nl) < 0)
		goto out;
	veth_name(n->lease.id, veth);
	snprintf(tag, sizeof(tag), "%.12s", n->lease.id);
	int br = nl_link_index(&nl, NET_BRIDGE_NAME);
	int mtu = br > 0 ? nl_link_mtu(&nl, br) : -1;
	if (br <= 0 || mtu < 0) {
		fprintf(stderr, "mini-docker: the bridge %s is gone\n", NET_BRIDGE_NAME);
		goto out;
	}
	/* one message: the pair, the host end on mini0, the other end born
	 * as eth0 in the container's namespace */
	if (nl_veth_add(&nl, veth, br, "eth0", pid, (unsigned)mtu) < 0)
		goto out;
	int hi = nl_link_index(&nl, veth);
	if (hi <= 0 || nl_link_up(&nl, hi) < 0)
		goto out;
	if (n->lease.nports && (nat_ports_text(&n->lease, tag, text, sizeof(text)) < 0 ||
				nft_run(text, "publish the ports", NULL) < 0))
		goto out;
	if (n->verbose) {
		char ip[16];
		fprintf(stderr, "=> veth %s on %s, eth0 in the container: %s/%d, %d port(s) published\n", veth,
			NET_BRIDGE_NAME, ip4_format(n->lease.addr, ip, sizeof(ip)), n->prefix, n->lease.nports);
	}
	gate_open(&n->gate); /* eth0 is there: the container may configure it */
	rc = 0;
out:
	nl_close(&nl);
	ipam_unlock(lock);
	return rc;
}

void net_release(struct netstate *n)
{
	if (n->gate.rd >= 0)
		close(n->gate.rd);
	if (n->gate.wr >= 0)
		close(n->gate.wr);
	n->gate.rd = n->gate.wr = -1;
	if (!n->leased)
		return;
	struct nl nl = { 0 };
	int lock = ipam_lock(n->dir);
	if (lock >= 0 && nl_open(&nl) == 0) {
		release_one(n->dir, &nl, &n->lease);
		teardown_if_last(n->dir, &nl, n->verbose);
	}
	n->leased = 0;
	nl_close(&nl);
	ipam_unlock(lock);
}

void net_reconcile(const char *run)
{
	char dir[PATH_MAX], p[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s/net", run);
	path_in(dir, "lock", p, sizeof(p));
	if (geteuid() != 0 || access(p, F_OK) < 0)
		return; /* never bridged anything */
	struct nl nl = { 0 };
	struct lease *all = NULL;
	int lock = ipam_lock(dir), n = lock >= 0 ? ipam_leases(dir, &all) : -1, gone = 0;
	if (n >= 0 && nl_open(&nl) == 0) {
		for (int i = 0; i < n; i++)
			if (!proc_is(all[i].runner, all[i].runner_start)) {
				char ip[16];
				release_one(dir, &nl, &all[i]);
				fprintf(stderr, "mini-docker: released address %s of container %.12s, whose "
					"runner was killed\n", ip4_format(all[i].addr, ip, sizeof(ip)), all[i].id);
				gone++;
			}
		/* the bridge of a run killed before it took its lease, too */
		path_in(dir, "bridge", p, sizeof(p));
		if (gone || access(p, F_OK) == 0)
			teardown_if_last(dir, &nl, 0);
	}
	free(all);
	nl_close(&nl);
	ipam_unlock(lock);
}

void net_record(struct ctr *r, const struct run_opts *o)
{
	enum net_mode m = o->network == NET_DEFAULT ? (o->rootless ? NET_NONE : NET_BRIDGE) : o->network;
	if (m == NET_CONTAINER)
		snprintf(r->network, sizeof(r->network), "container:%s", o->net_target);
	else
		snprintf(r->network, sizeof(r->network), "%s", network_name(m));
	for (int i = 0; i < o->nports; i++)
		snprintf(r->ports[i], sizeof(r->ports[0]), "%s", o->port_spec[i]);
	r->nports = o->nports;
}

void net_opts_restore(struct run_opts *o, const struct ctr *saved)
{
	char why[256];
	/* checked when it was run; an old record without it gets the default */
	if (!saved->network[0] || network_parse(saved->network, &o->network, &o->net_target,
						 why, sizeof(why)) < 0)
		o->network = NET_DEFAULT;
	for (int i = 0; i < saved->nports; i++)
		if (port_parse(saved->ports[i], &o->ports[o->nports], why, sizeof(why)) == 0)
			o->port_spec[o->nports++] = saved->ports[i];
}
