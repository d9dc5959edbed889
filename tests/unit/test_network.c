/* Unit tests: 08's network as text (NETWORK.md): --network and -p
 * (netopts.c), subnets and leases (ipam.c), the nft rules and finding them
 * again by their tag (nat.c), /etc/hosts and /etc/resolv.conf (netfiles.c).
 * No root, no netlink, no nftables: the pure halves only. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ipam.h"
#include "nat.h"
#include "netfiles.h"
#include "netopts.h"
#include "options.h"

static uint32_t ip(const char *s)
{
	uint32_t a;
	assert_int_equal(ip4_parse(s, &a), 0);
	return a;
}

static void network_modes(void **state)
{
	(void)state;
	enum net_mode m;
	const char *t;
	char why[256];
	assert_int_equal(network_parse("bridge", &m, &t, why, sizeof(why)), 0);
	assert_int_equal(m, NET_BRIDGE);
	assert_int_equal(network_parse("none", &m, &t, why, sizeof(why)), 0);
	assert_int_equal(m, NET_NONE);
	assert_int_equal(network_parse("host", &m, &t, why, sizeof(why)), 0);
	assert_int_equal(m, NET_HOST);
	assert_int_equal(network_parse("container:web-1", &m, &t, why, sizeof(why)), 0);
	assert_int_equal(m, NET_CONTAINER);
	assert_string_equal(t, "web-1");
	const char *bad[] = { "", "bridged", "container:", "container:-x", "Host", NULL };
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(network_parse(bad[i], &m, &t, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "bridge, none, host or container:NAME"));
	}
}

static void publish_specs(void **state)
{
	(void)state;
	struct port_map p;
	char why[256], buf[64];
	assert_int_equal(port_parse("8080:80", &p, why, sizeof(why)), 0);
	assert_string_equal(p.proto, "tcp");
	assert_true(p.host_ip == 0 && p.host_port == 8080 && p.ctr_port == 80);
	assert_string_equal(port_format(&p, buf, sizeof(buf)), "0.0.0.0:8080->80/tcp");
	assert_int_equal(port_parse("127.0.0.1:5353:53/udp", &p, why, sizeof(why)), 0);
	assert_string_equal(port_format(&p, buf, sizeof(buf)), "127.0.0.1:5353->53/udp");
	const char *bad[] = { "8080", "0:80", "65536:80", "80:-1", "a:80", "8080:80/sctp", "1.2.3:80:80",
			      "1.2.3.4:80:80:90", ":80", "8080:", "08080808:80", NULL };
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(port_parse(bad[i], &p, why, sizeof(why)), -1);
		assert_non_null(strstr(why, bad[i]));
	}
	struct port_map any, one, udp;
	port_parse("8080:80", &any, why, sizeof(why));
	port_parse("10.0.0.1:8080:81", &one, why, sizeof(why));
	port_parse("8080:80/udp", &udp, why, sizeof(why));
	assert_true(ports_clash(&any, &one));  /* every address includes this one */
	assert_false(ports_clash(&any, &udp)); /* another protocol */
	port_parse("10.0.0.2:8080:81", &p, why, sizeof(why));
	assert_false(ports_clash(&one, &p));   /* two different addresses */
}

static void options_network(void **state)
{
	(void)state;
	struct run_opts o;
	char why[512];
	char *ok[] = { "run", "-p", "8080:80", "--publish", "53:53/udp", "--network", "bridge", "--pids-limit", "5",
		       "busybox", NULL };
	assert_int_equal(options_parse(10, ok, &o, why, sizeof(why)), 0);
	assert_true(o.nports == 2 && o.network == NET_BRIDGE && o.pids == 5);
	assert_string_equal(o.port_spec[1], "53:53/udp");
	char *clash[] = { "run", "-p", "8080:80", "-p", "8080:81", "busybox", NULL };
	assert_int_equal(options_parse(6, clash, &o, why, sizeof(why)), -1);
	char *rootless[] = { "run", "--rootless", "--network", "host", "busybox", NULL };
	assert_int_equal(options_parse(5, rootless, &o, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "needs root"));
	char *none[] = { "run", "--network", "none", "-p", "1:1", "busybox", NULL };
	assert_int_equal(options_parse(6, none, &o, why, sizeof(why)), -1);
	char *deflt[] = { "run", "--rootless", "busybox", NULL };
	assert_int_equal(options_parse(3, deflt, &o, why, sizeof(why)), 0);
	assert_int_equal(o.network, NET_DEFAULT);
}

static void subnets(void **state)
{
	(void)state;
	struct subnet sn;
	char why[256], buf[32];
	assert_int_equal(subnet_parse("172.29.0.0/24", &sn, why, sizeof(why)), 0);
	assert_string_equal(subnet_format(&sn, buf, sizeof(buf)), "172.29.0.0/24");
	assert_true(subnet_addr(&sn, 1) == ip("172.29.0.1"));
	assert_int_equal(subnet_parse("172.29.0.1/24", &sn, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "host bits"));
	assert_int_equal(subnet_parse("10.0.0.0/8", &sn, why, sizeof(why)), -1);
	assert_int_equal(subnet_parse("10.0.0.0", &sn, why, sizeof(why)), -1);
	assert_int_equal(subnet_parse("10.0.0.0/24x", &sn, why, sizeof(why)), -1);
	subnet_parse("172.29.0.0/24", &sn, why, sizeof(why));
	assert_true(subnet_overlaps(&sn, ip("172.16.0.0"), 12));  /* a wider route holds it */
	assert_true(subnet_overlaps(&sn, ip("172.29.0.128"), 25)); /* a narrower one inside */
	assert_false(subnet_overlaps(&sn, ip("172.29.1.0"), 24));
	/* the chooser skips what the host's routes cover, but not the default route */
	struct route4 routes[] = { { 0, 0, 2 }, { ip("172.29.0.0"), 23, 3 }, { ip("172.29.2.5"), 32, 3 } };
	assert_int_equal(subnet_choose(routes, 3, &sn), 0);
	assert_string_equal(subnet_format(&sn, buf, sizeof(buf)), "172.29.3.0/24");
	struct route4 all[] = { { ip("172.16.0.0"), 12, 1 }, { ip("10.0.0.0"), 8, 1 } };
	assert_int_equal(subnet_choose(all, 2, &sn), -1);
}

static void leases(void **state)
{
	(void)state;
	struct lease l, back;
	char text[1024], why[128];
	memset(&l, 0, sizeof(l));
	memset(l.id, 'a', 64);
	l.runner = 4242;
	l.runner_start = 123456789ULL;
	l.addr = ip("172.29.0.7");
	port_parse("8080:80", &l.ports[0], why, sizeof(why));
	port_parse("127.0.0.1:53:53/udp", &l.ports[1], why, sizeof(why));
	l.nports = 2;
	assert_int_equal(lease_format(&l, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "addr=172.29.0.7\n"));
	assert_non_null(strstr(text, "port=udp 127.0.0.1 53 53\n"));
	assert_int_equal(lease_parse(text, &back), 0);
	assert_memory_equal(&l, &back, sizeof(l));
	assert_int_equal(lease_parse("id=zz\nrunner=1 2\naddr=1.2.3.4\n", &back), -1);
	assert_int_equal(lease_parse("runner=1 2\naddr=1.2.3.4\n", &back), -1);
	assert_int_equal(lease_parse("", &back), -1);
}

static void nat_rules(void **state)
{
	(void)state;
	struct subnet sn;
	struct lease l;
	char why[128], text[4096];
	subnet_parse("172.29.0.0/24", &sn, why, sizeof(why));
	assert_int_equal(nat_table_text(&sn, "mini0", text, sizeof(text)), 0);
	assert_non_null(strstr(text, "ip saddr 172.29.0.0/24 oifname != \"mini0\" counter masquerade"));
	assert_non_null(strstr(text, "type nat hook prerouting priority dstnat;"));
	memset(&l, 0, sizeof(l));
	l.addr = ip("172.29.0.2");
	port_parse("8080:80", &l.ports[0], why, sizeof(why));
	port_parse("10.1.2.3:5353:53/udp", &l.ports[1], why, sizeof(why));
	l.nports = 2;
	assert_int_equal(nat_ports_text(&l, "0123456789ab", text, sizeof(text)), 0);
	assert_string_equal(text,
		"add rule ip mini-docker prerouting fib daddr type local tcp dport 8080 counter dnat to 172.29.0.2:80 comment \"0123456789ab\"\n"
		"add rule ip mini-docker output fib daddr type local tcp dport 8080 counter dnat to 172.29.0.2:80 comment \"0123456789ab\"\n"
		"add rule ip mini-docker prerouting ip daddr 10.1.2.3 udp dport 5353 counter dnat to 172.29.0.2:53 comment \"0123456789ab\"\n"
		"add rule ip mini-docker output ip daddr 10.1.2.3 udp dport 5353 counter dnat to 172.29.0.2:53 comment \"0123456789ab\"\n");
	/* `nft -a list table`, as nft 1.0 prints it: the tagged rules, by chain and handle */
	const char *listing =
		"table ip mini-docker { # handle 7\n"
		"\tchain prerouting { # handle 1\n"
		"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		"\t\tfib daddr type local tcp dport 8080 dnat to 172.29.0.2:80 comment \"0123456789ab\" # handle 5\n"
		"\t\tfib daddr type local tcp dport 9090 dnat to 172.29.0.3:80 comment \"ffffffffffff\" # handle 6\n"
		"\t}\n"
		"\tchain output { # handle 2\n"
		"\t\tfib daddr type local tcp dport 8080 dnat to 172.29.0.2:80 comment \"0123456789ab\" # handle 8\n"
		"\t}\n"
		"}\n";
	assert_int_equal(nat_delete_text(listing, "0123456789ab", text, sizeof(text)), 2);
	assert_string_equal(text, "delete rule ip mini-docker prerouting handle 5\n"
				  "delete rule ip mini-docker output handle 8\n");
	assert_int_equal(nat_delete_text(listing, "000000000000", text, sizeof(text)), 0);
}

static void etc_files(void **state)
{
	(void)state;
	char buf[2048];
	assert_int_equal(hosts_text(ip("172.29.0.2"), "box", "web", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "127.0.0.1\tlocalhost\n"));
	assert_non_null(strstr(buf, "172.29.0.2\tbox web\n"));
	assert_int_equal(hosts_text(ip("172.29.0.2"), "web", "web", buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "172.29.0.2\tweb\n"));
	/* systemd-resolved's stub: the upstream servers instead, search kept */
	assert_int_equal(resolv_text("nameserver 127.0.0.53\noptions edns0\nsearch lan\n",
				     "# upstream\nnameserver 192.168.1.1\nnameserver ::1\nsearch lan\n", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "options edns0\nsearch lan\nnameserver 192.168.1.1\n");
	assert_int_equal(resolv_text("nameserver 10.0.0.53\n", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "nameserver 10.0.0.53\n");
	/* only loopback servers and no upstream: Docker's fallback */
	assert_int_equal(resolv_text("nameserver 127.0.0.1\n", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(network_modes), cmocka_unit_test(publish_specs),
		cmocka_unit_test(options_network), cmocka_unit_test(subnets),
		cmocka_unit_test(leases), cmocka_unit_test(nat_rules), cmocka_unit_test(etc_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
