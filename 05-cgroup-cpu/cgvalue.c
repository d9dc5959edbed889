/* 05-cgroup-cpu/cgvalue.c — see cgvalue.h. */
#define _GNU_SOURCE
#include "cgvalue.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

int parse_size(const char *s, long long *bytes, char *why, size_t why_size)
{
	if (strcmp(s, "max") == 0) {
		*bytes = CG_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0')
		goto bad;
	if (v == 0) {
		snprintf(why, why_size, "size '%s' is zero; give a positive size like 100m, or max", s);
		return -1;
	}
	if (v > (unsigned long long)LLONG_MAX >> shift) {
		snprintf(why, why_size, "size '%s' is too large; the largest is 8191t, or max", s);
		return -1;
	}
	*bytes = (long long)(v << shift);
	return 0;
bad:
	snprintf(why, why_size,
		 "size '%s' is not a size; use bytes or a number with k, m, g or t (like 100m), or max", s);
	return -1;
}

const char *format_size(long long bytes, char *buf, size_t size)
{
	static const char units[] = "KMGT";
	if (bytes == CG_MAX) {
		snprintf(buf, size, "max");
		return buf;
	}
	double v = (double)bytes;
	int u = -1;
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%lldB", bytes);
	else if (v == (long long)v)
		snprintf(buf, size, "%lld%c", (long long)v, units[u]);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
	return buf;
}

static int parse_us(const char *s, long long *v)
{
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

int parse_cpu_max(const char *s, long long *quota, long long *period,
		  char *why, size_t why_size)
{
	char q[32], p[32], extra[2];
	int n = sscanf(s, "%31s %31s %1s", q, p, extra);
	long long qv, pv = 100000;
	if (n < 1 || n > 2)
		goto bad;
	if (strcmp(q, "max") == 0)
		qv = CG_MAX;
	else if (parse_us(q, &qv) < 0 || qv < 1000)
		goto bad;
	if (n == 2 && (parse_us(p, &pv) < 0 || pv < 1000 || pv > 1000000))
		goto bad;
	*quota = qv;
	*period = pv;
	return 0;
bad:
	snprintf(why, why_size,
		 "cpu.max '%s' is not valid; use \"QUOTA PERIOD\" in microseconds "
		 "(quota >= 1000 or max, period 1000..1000000), like \"50000 100000\"", s);
	return -1;
}

const char *format_cpu_max(long long quota, long long period, char *buf, size_t size)
{
	if (quota == CG_MAX)
		snprintf(buf, size, "max %lld", period);
	else
		snprintf(buf, size, "%lld %lld", quota, period);
	return buf;
}

int parse_cpus(const char *s, long long period, long long *quota, char *why, size_t why_size)
{
	/* Parse as thousandths in integers: "0.5" -> 500, no float rounding. */
	long long milli = 0;
	const char *p = s;
	int digits = 0, decimals = -1;
	for (; *p; p++) {
		if (*p == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*p < '0' || *p > '9' || decimals == 3 || digits > 6)
			goto bad;
		milli = milli * 10 + (*p - '0');
		digits++;
		if (decimals >= 0)
			decimals++;
	}
	if (digits == 0)
		goto bad;
	for (int d = decimals < 0 ? 0 : decimals; d < 3; d++)
		milli *= 10;
	if (milli < 10 || milli > 1024000)
		goto bad;
	*quota = milli * period / 1000;
	return 0;
bad:
	snprintf(why, why_size,
		 "cpus '%s' is not valid; give a number of CPUs from 0.01 to 1024 "
		 "with at most 3 decimals, like 0.5", s);
	return -1;
}

int parse_cgroup_line(char *line, struct cg_line *out)
{
	char *c1 = strchr(line, ':');
	if (!c1)
		return -1;
	char *c2 = strchr(c1 + 1, ':');
	if (!c2 || c2[1] != '/')
		return -1;
	*c1 = *c2 = '\0';
	char *end;
	long id = strtol(line, &end, 10);
	if (end == line || *end != '\0' || id < 0)
		return -1;
	out->id = (int)id;
	out->controllers = c1 + 1;
	out->path = c2 + 1;
	size_t n = strlen(out->path);
	if (n > 0 && out->path[n - 1] == '\n')
		out->path[n - 1] = '\0';
	return 0;
}

static int list_has(const char *list, const char *item)
{
	return mountinfo_has_option(list, item);
}

int cgroup_path_of(const char *text, const char *controller, char *path, size_t size)
{
	char *copy = strdup(text);
	if (!copy)
		return -1;
	int found = -1;
	for (char *save, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct cg_line cl;
		if (parse_cgroup_line(l, &cl) < 0)
			continue;
		int match = controller[0] ? list_has(cl.controllers, controller)
					  : (cl.id == 0 && cl.controllers[0] == '\0');
		if (match) {
			snprintf(path, size, "%s", cl.path);
			found = 0;
			break;
		}
	}
	free(copy);
	return found;
}

int cgroup_mount_of(const char *mountinfo, const char *controller, char *mnt, size_t size)
{
	char *copy = strdup(mountinfo);
	if (!copy)
		return -1;
	int found = -1;
	for (char *save, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct mount_entry e;
		if (mountinfo_parse_line(l, &e) < 0)
			continue;
		int match = controller ? (strcmp(e.fstype, "cgroup") == 0 &&
					  list_has(e.super_options, controller))
				       : strcmp(e.fstype, "cgroup2") == 0;
		if (match) {
			snprintf(mnt, size, "%s", e.mountpoint);
			found = 0;
			break;
		}
	}
	free(copy);
	return found;
}

int keyed_value(const char *text, const char *key, unsigned long long *value)
{
	size_t klen = strlen(key);
	const char *p = text;
	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*value = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}
