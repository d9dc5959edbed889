/* 08-mini-docker/netlink.c — see netlink.h. Each function is one `ip`
 * command, said in its comment; rtnetlink(7) and libmnl's examples are the
 * reference for the attributes. */
#define _GNU_SOURCE
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common.h"

/* Big enough for one datagram of a dump (libmnl's MNL_SOCKET_DUMP_SIZE). */
#define NL_BUF 32768

int nl_open(struct nl *n)
{
	n->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!n->sk)
		return warn_errno("netlink socket");
	if (mnl_socket_bind(n->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(n->sk);
		n->sk = NULL;
		errno = e;
		return warn_errno("netlink bind");
	}
	n->portid = mnl_socket_get_portid(n->sk);
	n->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl *n)
{
	if (n->sk)
		mnl_socket_close(n->sk);
	n->sk = NULL;
}

/* Send one request and read until the kernel's ACK (or the end of a dump):
 * 0, or -1 with errno from the kernel's NLMSG_ERROR. */
static int talk(struct nl *n, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	static char buf[NL_BUF];
	h->nlmsg_seq = ++n->seq;
	if (mnl_socket_sendto(n->sk, h, h->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->sk, buf, sizeof(buf));
		if (len < 0)
			return -1;
		int rc = mnl_cb_run(buf, (size_t)len, h->nlmsg_seq, n->portid, cb, data);
		if (rc == MNL_CB_ERROR)
			return -1;
		if (rc == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *request(char *buf, int type, int flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return h;
}

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *h, int index)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return ifi;
}

/* RTM_GETLINK answers with the link's attributes: IFLA_MTU is the one kept. */
static int link_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int link_answer(const struct nlmsghdr *h, void *data)
{
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	int *out = data;
	out[0] = ifi->ifi_index;
	mnl_attr_parse(h, sizeof(*ifi), link_attr, &out[1]);
	return MNL_CB_OK;
}

/* ip link show NAME (or by index): out[0] index, out[1] mtu. */
static int get_link(struct nl *n, const char *name, int index, int out[2])
{
	char buf[512];
	struct nlmsghdr *h = request(buf, RTM_GETLINK, NLM_F_ACK);
	put_ifinfo(h, index);
	if (name)
		mnl_attr_put_strz(h, IFLA_IFNAME, name);
	out[0] = out[1] = -1;
	return talk(n, h, link_answer, out);
}

int nl_link_index(struct nl *n, const char *name)
{
	int out[2];
	if (get_link(n, name, 0, out) < 0)
		return errno == ENODEV ? 0 : warn_errno("netlink RTM_GETLINK %s", name);
	return out[0];
}

int nl_link_mtu(struct nl *n, int ifindex)
{
	int out[2];
	if (get_link(n, NULL, ifindex, out) < 0)
		return warn_errno("netlink RTM_GETLINK ifindex %d", ifindex);
	return out[1];
}

/* IFLA_LINKINFO { IFLA_INFO_KIND kind }, left open for IFLA_INFO_DATA */
static struct nlattr *put_kind(struct nlmsghdr *h, const char *kind)
{
	struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, kind);
	return info;
}

int nl_bridge_add(struct nl *n, const char *name, unsigned mtu)
{
	char buf[512];
	/* NLM_F_EXCL: an existing link of that name is an error, never reused */
	struct nlmsghdr *h = request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	put_ifinfo(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	mnl_attr_nest_end(h, put_kind(h, "bridge"));
	if (talk(n, h, NULL, NULL) < 0)
		return warn_errno("netlink RTM_NEWLINK %s type bridge", name);
	return 0;
}

int nl_veth_add(struct nl *n, const char *host, int master, const char *peer, int pid, unsigned mtu)
{
	char buf[1024];
	struct nlmsghdr *h = request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	put_ifinfo(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, host);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	struct nlattr *info = put_kind(h, "veth");
	struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	/* The peer is described by a whole ifinfomsg of its own, then its
	 * attributes: its name, MTU and the namespace it is born in. */
	struct nlattr *p = mnl_attr_nest_start(h, VETH_INFO_PEER);
	struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(h, sizeof(*pi));
	pi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, peer);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_nest_end(h, p);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	if (talk(n, h, NULL, NULL) < 0)
		/* ESRCH: the container died in its setup, and said why */
		return errno == ESRCH ? -1 : warn_errno("netlink RTM_NEWLINK %s type veth peer %s "
							 "(netns of pid %d)", host, peer, pid);
	return 0;
}

int nl_link_up(struct nl *n, int ifindex)
{
	char buf[256];
	struct nlmsghdr *h = request(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = put_ifinfo(h, ifindex);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (talk(n, h, NULL, NULL) < 0)
		return warn_errno("netlink RTM_NEWLINK ifindex %d up", ifindex);
	return 0;
}

int nl_link_del(struct nl *n, const char *name)
{
	char buf[256];
	struct nlmsghdr *h = request(buf, RTM_DELLINK, NLM_F_ACK);
	put_ifinfo(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	if (talk(n, h, NULL, NULL) < 0 && errno != ENODEV)
		return warn_errno("netlink RTM_DELLINK %s", name);
	return 0;
}

int nl_addr_add(struct nl *n, int ifindex, uint32_t addr, int len)
{
	char buf[256];
	struct nlmsghdr *h = request(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)len;
	ifa->ifa_index = (unsigned)ifindex;
	/* IFA_LOCAL is the interface's own address, IFA_ADDRESS the peer's
	 * (the same on a broadcast link); ip(8) also sets the broadcast. */
	uint32_t mask = len ? htonl(~0u << (32 - len)) : 0;
	mnl_attr_put_u32(h, IFA_LOCAL, addr);
	mnl_attr_put_u32(h, IFA_ADDRESS, addr);
	mnl_attr_put_u32(h, IFA_BROADCAST, addr | ~mask);
	if (talk(n, h, NULL, NULL) < 0) {
		char ip[16];
		return warn_errno("netlink RTM_NEWADDR %s/%d on ifindex %d",
				  inet_ntop(AF_INET, &addr, ip, sizeof(ip)), len, ifindex);
	}
	return 0;
}

int nl_route_default(struct nl *n, uint32_t gw)
{
	char buf[256];
	struct nlmsghdr *h = request(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = 0; /* 0.0.0.0/0 */
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(h, RTA_GATEWAY, gw);
	if (talk(n, h, NULL, NULL) < 0)
		return warn_errno("netlink RTM_NEWROUTE default");
	return 0;
}

struct route_dump {
	struct route4 *out;
	int max, n;
};

static int route_attr(const struct nlattr *a, void *data)
{
	struct route4 *r = data;
	int type = mnl_attr_get_type(a);
	if (type == RTA_DST && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		r->dst = mnl_attr_get_u32(a);
	else if (type == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		r->oif = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_answer(const struct nlmsghdr *h, void *data)
{
	struct route_dump *d = data;
	struct rtmsg *rt = mnl_nlmsg_get_payload(h);
	if (rt->rtm_family != AF_INET || d->n == d->max)
		return MNL_CB_OK;
	struct route4 *r = &d->out[d->n++];
	memset(r, 0, sizeof(*r));
	r->len = rt->rtm_dst_len;
	mnl_attr_parse(h, sizeof(*rt), route_attr, r);
	return MNL_CB_OK;
}

int nl_routes(struct nl *n, struct route4 *out, int max)
{
	char buf[256];
	struct nlmsghdr *h = request(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = AF_INET;
	struct route_dump d = { out, max, 0 };
	if (talk(n, h, route_answer, &d) < 0)
		return warn_errno("netlink RTM_GETROUTE dump");
	return d.n;
}
