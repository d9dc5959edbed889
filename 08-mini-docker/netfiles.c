/* 08-mini-docker/netfiles.c — see netfiles.h. */
#define _GNU_SOURCE
#include "netfiles.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "netopts.h"

int hosts_text(uint32_t addr, const char *hostname, const char *name, char *buf, size_t size)
{
	char ip[16], alias[80] = "";
	if (name && strcmp(name, hostname) != 0)
		snprintf(alias, sizeof(alias), " %s", name);
	int n = snprintf(buf, size,
		"127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n"
		"fe00::0\tip6-localnet\n"
		"ff00::0\tip6-mcastprefix\n"
		"ff02::1\tip6-allnodes\n"
		"ff02::2\tip6-allrouters\n");
	if (n > 0 && (size_t)n < size && addr)
		n += snprintf(buf + n, size - (size_t)n, "%s\t%s%s\n", ip4_format(addr, ip, sizeof(ip)),
			      hostname, alias);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* "nameserver 127.0.0.53", "nameserver ::1": only this host can reach it */
static int loopback_server(const char *line)
{
	char a[64];
	if (sscanf(line, " nameserver %63s", a) != 1)
		return 0;
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

/* Append line to buf unless it is a loopback nameserver; counts the
 * nameservers kept (in *servers) and keeps only them when only_servers. */
static size_t filter(const char *text, int only_servers, int *servers, char *buf, size_t off, size_t size)
{
	for (const char *p = text; p && *p && off < size;) {
		const char *nl = strchrnul(p, '\n');
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
		int server = strncmp(line + strspn(line, " \t"), "nameserver", 10) == 0;
		if (loopback_server(line) || (only_servers && !server))
			continue;
		*servers += server;
		off += (size_t)snprintf(buf + off, size - off, "%s\n", line);
	}
	return off;
}

int resolv_text(const char *host, const char *upstream, char *buf, size_t size)
{
	int servers = 0;
	buf[0] = '\0';
	size_t off = filter(host, 0, &servers, buf, 0, size);
	if (!servers && upstream)
		off = filter(upstream, 1, &servers, buf, off, size);
	if (!servers && off < size)
		off += (size_t)snprintf(buf + off, size - off, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return off < size ? 0 : -1;
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return warn_errno("open %s", p);
	ssize_t n = write(fd, text, strlen(text));
	if (close(fd) < 0 || n != (ssize_t)strlen(text))
		return warn_errno("write %s", p);
	return 0;
}

int netfiles_write(const char *dir, uint32_t addr, const char *hostname, const char *name)
{
	char hosts[2048], resolv[4096];
	char *host_resolv = read_whole("/etc/resolv.conf", 65536, NULL);
	char *host_hosts = addr ? NULL : read_whole("/etc/hosts", 65536, NULL);
	int rc = -1;
	if (addr) {
		char *up = read_whole("/run/systemd/resolve/resolv.conf", 65536, NULL);
		rc = hosts_text(addr, hostname, name, hosts, sizeof(hosts));
		if (rc == 0)
			rc = resolv_text(host_resolv ? host_resolv : "", up, resolv, sizeof(resolv));
		free(up);
	} else {
		/* the host's network: its own names and servers, as they are */
		rc = 0;
		snprintf(hosts, sizeof(hosts), "%s", host_hosts ? host_hosts : "127.0.0.1\tlocalhost\n");
		snprintf(resolv, sizeof(resolv), "%s", host_resolv ? host_resolv : "");
	}
	free(host_resolv);
	free(host_hosts);
	if (rc < 0) {
		fprintf(stderr, "mini-docker: /etc/hosts or /etc/resolv.conf for the container is too long\n");
		return -1;
	}
	return write_text(dir, "hosts", hosts) < 0 || write_text(dir, "resolv.conf", resolv) < 0 ? -1 : 0;
}
