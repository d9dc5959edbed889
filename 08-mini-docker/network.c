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
#include <sys/socket.h>
#include <unistd.h>

#include "bridge.h"
#include "nat.h"
#include "netfiles.h"
#include "netlink.h"
#include "pidns.h"
#include "reconcile.h"
#include "store.h"

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
		bridge_teardown(dir, nl, verbose, 1);
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
			bridge_teardown(n->dir, &nl, 0, 1);
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
static int join_prepare(const struct run_opts *o, const char *root, const char *run, struct net_child *c,
			char id[65])
{
	char why[256] = "";
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
	net_path(dir, "hosts", n->hosts, sizeof(n->hosts));
	net_path(dir, "resolv.conf", n->resolv, sizeof(n->resolv));
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
		char tid[65], tdir[PATH_MAX];
		if (join_prepare(o, root, run, c, tid) < 0)
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
		/* the gate: a socket pair rather than common's pipe, so that
		 * opening it after the container died is EPIPE, not SIGPIPE */
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return warn_errno("socketpair");
		n->gate.rd = c->gate_fd = sv[0];
		n->gate.wr = sv[1];
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
	/* eth0 is there: the container may configure it */
	rc = send(n->gate.wr, "x", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
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
	net_path(dir, "lock", p, sizeof(p));
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
		net_path(dir, "bridge", p, sizeof(p));
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
