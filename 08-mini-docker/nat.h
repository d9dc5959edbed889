/* 08-mini-docker/nat.h — the project's own nftables table, `ip mini-docker`:
 * outbound masquerading for the bridge's subnet and one DNAT rule pair per
 * published port. Every change is nft(8) text, run through libnftables:
 * exactly what a student could type into `nft -f`, and what the lesson
 * shows. No other table or chain of the host is ever touched. */
#ifndef NAT_H
#define NAT_H

#include <stddef.h>

#include "ipam.h"

#define NAT_TABLE "mini-docker"

/* Pure: the text that (re)makes the whole table for the bridge's subnet:
 * "table ip mini-docker { chain prerouting { ... } ... }". */
int nat_table_text(const struct subnet *sn, const char *bridge, char *buf, size_t size);
/* Pure: the rules publishing l's ports to l->addr, each tagged with
 * comment "<tag>" (the short container id) so they can be found again. */
int nat_ports_text(const struct lease *l, const char *tag, char *buf, size_t size);
/* Pure: from `nft -a list table ip mini-docker`, the "delete rule ..."
 * commands for every rule tagged tag. Their count. */
int nat_delete_text(const char *listing, const char *tag, char *buf, size_t size);

/* Run nft text as one transaction (all or nothing). 0, or -1 with
 * libnftables' own error message printed after what. With out, the
 * output (malloc'd) is returned there. */
int nft_run(const char *text, const char *what, char **out);
/* Remove the rules tagged tag; 0 also when the table is gone. */
int nat_unpublish(const char *tag);
/* delete table ip mini-docker; 0 also when it does not exist. */
int nat_drop_table(void);

#endif
