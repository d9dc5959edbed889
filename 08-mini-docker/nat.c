/* 08-mini-docker/nat.c — see nat.h. */
#define _GNU_SOURCE
#include "nat.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int nat_table_text(const struct subnet *sn, const char *bridge, char *buf, size_t size)
{
	char net[32];
	subnet_format(sn, net, sizeof(net));
	/* "add table; delete table; table {...}": a stale table left by a
	 * crash is replaced whole, in the same transaction. */
	int n = snprintf(buf, size,
		"table ip " NAT_TABLE "\n"
		"delete table ip " NAT_TABLE "\n"
		"table ip " NAT_TABLE " {\n"
		"\tchain prerouting {\n"
		"\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		"\t}\n"
		"\tchain output {\n"
		"\t\ttype nat hook output priority -100; policy accept;\n"
		"\t}\n"
		"\tchain postrouting {\n"
		"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		"\t\tip saddr %s oifname != \"%s\" counter masquerade\n"
		"\t\toifname \"%s\" ip saddr 127.0.0.0/8 counter masquerade\n"
		"\t\toifname \"%s\" ip saddr %s ct status dnat counter masquerade\n"
		"\t}\n"
		"}\n", net, bridge, bridge, bridge, net);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int nat_ports_text(const struct lease *l, const char *tag, char *buf, size_t size)
{
	static const char *const chains[] = { "prerouting", "output" };
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < l->nports; i++)
		for (int c = 0; c < 2; c++) {
			const struct port_map *p = &l->ports[i];
			char to[16], on[48];
			/* every address of the host (Docker's 0.0.0.0), or one */
			if (p->host_ip)
				snprintf(on, sizeof(on), "ip daddr %s", ip4_format(p->host_ip, to, sizeof(to)));
			else
				snprintf(on, sizeof(on), "fib daddr type local");
			int n = snprintf(buf + off, size - off,
				"add rule ip " NAT_TABLE " %s %s %s dport %u counter dnat to %s:%u comment \"%s\"\n",
				chains[c], on, p->proto, p->host_port, ip4_format(l->addr, to, sizeof(to)),
				p->ctr_port, tag);
			if (n < 0 || (size_t)n >= size - off)
				return -1;
			off += (size_t)n;
		}
	return 0;
}

int nat_delete_text(const char *listing, const char *tag, char *buf, size_t size)
{
	char chain[64] = "", want[96];
	int count = 0;
	size_t off = 0;
	buf[0] = '\0';
	snprintf(want, sizeof(want), "comment \"%s\"", tag);
	for (const char *p = listing; *p;) {
		const char *nl = strchrnul(p, '\n');
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
		const char *h = strstr(line, "# handle ");
		sscanf(line, " chain %63s {", chain);
		if (!h || !strstr(line, want) || !chain[0])
			continue;
		int n = snprintf(buf + off, size - off, "delete rule ip " NAT_TABLE " %s handle %ld\n",
				 chain, strtol(h + 9, NULL, 10));
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
		count++;
	}
	return count;
}

int nft_run(const char *text, const char *what, char **out)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		fprintf(stderr, "mini-docker: %s: nft_ctx_new failed\n", what);
		return -1;
	}
	/* keep nft's output and errors: we print them our way */
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	if (out)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
	int rc = nft_run_cmd_from_buffer(ctx, text);
	if (rc != 0) {
		const char *err = nft_ctx_get_error_buffer(ctx);
		fprintf(stderr, "mini-docker: %s: nftables said: %s", what, err && *err ? err : "failed\n");
	} else if (out) {
		*out = strdup(nft_ctx_get_output_buffer(ctx));
	}
	nft_ctx_free(ctx);
	return rc == 0 ? 0 : -1;
}

/* Is the table there? Listing a missing one is an error nft prints. */
static char *list_table(void)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	char *out = NULL;
	if (!ctx)
		return NULL;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
	if (nft_run_cmd_from_buffer(ctx, "list table ip " NAT_TABLE "\n") == 0)
		out = strdup(nft_ctx_get_output_buffer(ctx));
	nft_ctx_free(ctx);
	return out;
}

int nat_unpublish(const char *tag)
{
	char *listing = list_table();
	if (!listing)
		return 0; /* no table: nothing of ours to remove */
	char cmds[8192];
	int n = nat_delete_text(listing, tag, cmds, sizeof(cmds));
	free(listing);
	return n > 0 ? nft_run(cmds, "remove the published ports", NULL) : 0;
}

int nat_drop_table(void)
{
	char *listing = list_table();
	if (!listing)
		return 0;
	free(listing);
	return nft_run("delete table ip " NAT_TABLE "\n", "delete table ip " NAT_TABLE, NULL);
}
