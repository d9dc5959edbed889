/* 08-mini-docker/ipam.c — see ipam.h. */
#define _GNU_SOURCE
#include "ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static uint32_t mask_of(int len)
{
	return len ? ~0u << (32 - len) : 0; /* host byte order */
}

int subnet_parse(const char *s, struct subnet *sn, char *why, size_t why_size)
{
	char ip[32];
	const char *slash = strchr(s, '/');
	char *end;
	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		goto bad;
	snprintf(ip, sizeof(ip), "%.*s", (int)(slash - s), s);
	long len = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || ip4_parse(ip, &sn->net) < 0)
		goto bad;
	if (len < 16 || len > 29) {
		snprintf(why, why_size, "subnet '%.40s': give a prefix length from 16 to 29", s);
		return -1;
	}
	sn->len = (int)len;
	if (ntohl(sn->net) & ~mask_of(sn->len)) {
		snprintf(why, why_size, "subnet '%.40s' has host bits set", s);
		return -1;
	}
	return 0;
bad:
	snprintf(why, why_size, "subnet '%.40s' is not valid; use A.B.C.D/LEN, like 172.29.0.0/24", s);
	return -1;
}

const char *subnet_format(const struct subnet *sn, char *buf, size_t size)
{
	char ip[16];
	snprintf(buf, size, "%s/%d", ip4_format(sn->net, ip, sizeof(ip)), sn->len);
	return buf;
}

int subnet_overlaps(const struct subnet *sn, uint32_t dst, int len)
{
	/* two prefixes overlap when they agree on the shorter one's bits */
	uint32_t m = mask_of(len < sn->len ? len : sn->len);
	return (ntohl(sn->net) & m) == (ntohl(dst) & m);
}

uint32_t subnet_addr(const struct subnet *sn, uint32_t i)
{
	return htonl(ntohl(sn->net) + i);
}

int subnet_choose(const struct route4 *routes, int n, struct subnet *out)
{
	static const uint32_t bases[] = { 0xac1d0000 /* 172.29 */, 0x0a1d0000 /* 10.29 */ };
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
		for (uint32_t third = 0; third < 256; third++) {
			struct subnet sn = { htonl(bases[b] | third << 8), 24 };
			int clash = 0;
			for (int i = 0; i < n && !clash; i++)
				clash = routes[i].len > 0 && subnet_overlaps(&sn, routes[i].dst, routes[i].len);
			if (!clash) {
				*out = sn;
				return 0;
			}
		}
	return -1;
}

int lease_format(const struct lease *l, char *buf, size_t size)
{
	char ip[16], hip[16];
	size_t off = (size_t)snprintf(buf, size, "id=%s\nrunner=%d %llu\naddr=%s\n", l->id,
				      (int)l->runner, l->runner_start, ip4_format(l->addr, ip, sizeof(ip)));
	for (int i = 0; i < l->nports && off < size; i++) {
		const struct port_map *p = &l->ports[i];
		off += (size_t)snprintf(buf + off, size - off, "port=%s %s %u %u\n", p->proto,
					ip4_format(p->host_ip, hip, sizeof(hip)), p->host_port, p->ctr_port);
	}
	return off < size ? 0 : -1;
}

/* One "key=value" line of a lease. 0, or -1 if it is malformed. */
static int lease_line(const char *line, struct lease *l)
{
	char a[64], b[64];
	int pid;
	if (sscanf(line, "id=%64s", l->id) == 1)
		return is_hex64(l->id) ? 0 : -1;
	if (sscanf(line, "runner=%d %llu", &pid, &l->runner_start) == 2) {
		l->runner = pid;
		return 0;
	}
	if (sscanf(line, "addr=%15s", a) == 1)
		return ip4_parse(a, &l->addr);
	struct port_map p;
	memset(&p, 0, sizeof(p));
	if (sscanf(line, "port=%3s %15s %u %u", b, a, &p.host_port, &p.ctr_port) == 4 &&
	    l->nports < MAX_PORTS && ip4_parse(a, &p.host_ip) == 0 &&
	    (strcmp(b, "tcp") == 0 || strcmp(b, "udp") == 0)) {
		memcpy(p.proto, b, 4); /* "tcp" or "udp", checked */
		l->ports[l->nports++] = p;
		return 0;
	}
	return -1;
}

int lease_parse(const char *text, struct lease *l)
{
	memset(l, 0, sizeof(*l));
	for (const char *p = text; *p;) {
		const char *nl = strchrnul(p, '\n');
		char line[128];
		if ((size_t)(nl - p) >= sizeof(line))
			return -1;
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (line[0] && lease_line(line, l) < 0)
			return -1;
		p = *nl ? nl + 1 : nl;
	}
	return l->id[0] && l->addr && l->runner > 0 ? 0 : -1;
}

int ipam_lock(const char *netdir)
{
	char p[PATH_MAX], l[PATH_MAX];
	snprintf(p, sizeof(p), "%s/leases", netdir);
	snprintf(l, sizeof(l), "%s/lock", netdir);
	for (;;) {
		if (mkdir_p(p, 0700) < 0)
			return warn_errno("mkdir -p %s", p);
		int fd = open(l, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return warn_errno("open %s", l);
		/* flock, not a lock file made with O_EXCL: the kernel drops it
		 * when its holder dies, even by SIGKILL, so a killed runner
		 * never wedges the next one. */
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				warn_errno("flock %s", l);
				close(fd);
				return -1;
			}
		/* The last runner out removes the file (ipam_forget): a lock
		 * taken on a file no longer at that path locks nothing. */
		struct stat a, b;
		if (fstat(fd, &a) == 0 && stat(l, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

void ipam_forget(const char *netdir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/leases", netdir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/lock", netdir);
	unlink(p);
	rmdir(netdir);
}

void ipam_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int ipam_leases(const char *netdir, struct lease **out)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/leases", netdir);
	*out = NULL;
	DIR *d = opendir(p);
	if (!d)
		return errno == ENOENT ? 0 : warn_errno("opendir %s", p);
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char f[PATH_MAX + 320], *text;
		snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
		if (!(text = read_whole(f, 4096, NULL)))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = realloc(*out, (size_t)cap * sizeof(**out));
			if (!*out)
				die("out of memory");
		}
		if (lease_parse(text, &(*out)[n]) == 0)
			n++;
		else
			fprintf(stderr, "mini-docker: ignoring malformed lease %s\n", f);
		free(text);
	}
	closedir(d);
	return n;
}

static int lease_path(const char *netdir, uint32_t addr, char *buf, size_t size)
{
	char ip[16];
	return snprintf(buf, size, "%s/leases/%s", netdir, ip4_format(addr, ip, sizeof(ip)));
}

/* A port of l published by another lease already? */
static int port_taken(const struct lease *all, int n, const struct lease *l, char *why, size_t why_size)
{
	for (int i = 0; i < n; i++)
		for (int a = 0; a < all[i].nports; a++)
			for (int b = 0; b < l->nports; b++)
				if (ports_clash(&all[i].ports[a], &l->ports[b])) {
					char s[64];
					snprintf(why, why_size, "port %s: host port %u/%s is already published by "
						 "container %.12s", port_format(&l->ports[b], s, sizeof(s)),
						 l->ports[b].host_port, l->ports[b].proto, all[i].id);
					return 1;
				}
	return 0;
}

int ipam_take(const char *netdir, const struct subnet *sn, struct lease *l, char *why, size_t why_size)
{
	struct lease *all;
	int n = ipam_leases(netdir, &all);
	if (n < 0) {
		snprintf(why, why_size, "cannot read the address leases (see above)");
		return -1;
	}
	int taken = port_taken(all, n, l, why, why_size);
	free(all);
	if (taken)
		return -1;
	uint32_t hosts = (1u << (32 - sn->len)) - 2; /* without network and broadcast */
	for (uint32_t i = 2; i <= hosts; i++) { /* .1 is the gateway */
		char p[PATH_MAX + 32], text[2048];
		l->addr = subnet_addr(sn, i);
		lease_path(netdir, l->addr, p, sizeof(p));
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return snprintf(why, why_size, "open %s: %s", p, strerror(errno)), -1;
		lease_format(l, text, sizeof(text));
		ssize_t w = write(fd, text, strlen(text));
		close(fd);
		if (w != (ssize_t)strlen(text)) {
			unlink(p);
			return snprintf(why, why_size, "write %s: %s", p, strerror(errno)), -1;
		}
		return 0;
	}
	char s[32];
	snprintf(why, why_size, "no free address left in %s", subnet_format(sn, s, sizeof(s)));
	return -1;
}

int ipam_drop(const char *netdir, uint32_t addr)
{
	char p[PATH_MAX + 32];
	lease_path(netdir, addr, p, sizeof(p));
	if (unlink(p) < 0 && errno != ENOENT)
		return warn_errno("unlink %s", p);
	return 0;
}
