/* 08-mini-docker/netfiles.h — the container's /etc/hosts and
 * /etc/resolv.conf, written into its state directory and bind-mounted over
 * the image's (the image itself is never written), as Docker does. */
#ifndef NETFILES_H
#define NETFILES_H

#include <stddef.h>
#include <stdint.h>

/* Pure. /etc/hosts: localhost lines, then "ADDR\tHOSTNAME [NAME]" when addr
 * is not 0 (bridge), or, for the host's network, the host's own file. */
int hosts_text(uint32_t addr, const char *hostname, const char *name, char *buf, size_t size);
/* Pure. The host's resolv.conf without loopback nameservers (127.0.0.53,
 * systemd-resolved's stub, cannot be reached from another network
 * namespace); if none is left, upstream's (systemd's
 * /run/systemd/resolve/resolv.conf, may be NULL) non-loopback ones; if
 * still none, Docker's fallback, 8.8.8.8 and 8.8.4.4. */
int resolv_text(const char *host, const char *upstream, char *buf, size_t size);

/* Write DIR/hosts and DIR/resolv.conf: for a bridged container (addr set)
 * or one on the host's network (addr 0: copies of the host's files).
 * 0, or -1 (printed). */
int netfiles_write(const char *dir, uint32_t addr, const char *hostname, const char *name);

#endif
