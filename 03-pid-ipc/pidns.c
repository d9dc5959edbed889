/* 03-pid-ipc/pidns.c — see pidns.h. */
#define _GNU_SOURCE
#include "pidns.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

int status_nspid_parse(const char *status, pid_t *pids, size_t max)
{
	const char *line = status;
	while (line && *line) {
		if (strncmp(line, "NSpid:", 6) == 0) {
			const char *p = line + 6;
			size_t n = 0;
			for (;;) {
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p == '\n' || *p == '\0')
					return (int)n;
				if (*p < '0' || *p > '9' || n == max)
					return -1;
				char *end;
				long v = strtol(p, &end, 10);
				if (v <= 0)
					return -1;
				pids[n++] = (pid_t)v;
				p = end;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int proc_list_pids(const char *procdir, pid_t *pids, size_t max)
{
	DIR *d = opendir(procdir);
	if (!d)
		return -1;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (*end != '\0' || v <= 0)
			continue;
		if (n < max)
			pids[n++] = (pid_t)v;
	}
	closedir(d);
	qsort(pids, n, sizeof(*pids), cmp_pid);
	return (int)n;
}

int proc_nspid(pid_t pid, pid_t *pids, size_t max)
{
	char path[64], buf[4096];
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	int n = status_nspid_parse(buf, pids, max);
	if (n < 0)
		errno = EINVAL;
	return n;
}

int proc_stat_parse(const char *stat, char *state, unsigned long long *start)
{
	/* comm (field 2) may hold spaces and ')': start after the last ')' */
	const char *p = strrchr(stat, ')');
	if (!p)
		return -1;
	p++;
	for (int field = 3; field <= 22; field++) {
		if (*p != ' ')
			return -1;
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			return -1;
		if (field == 3)
			*state = *p;
		if (field == 22) {
			if (*p < '0' || *p > '9')
				return -1;
			*start = strtoull(p, NULL, 10);
			return 0;
		}
		p += strcspn(p, " ");
	}
	return -1;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024], state;
	unsigned long long start;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (pid <= 0 || read_file(path, buf, sizeof(buf)) < 0 || proc_stat_parse(buf, &state, &start) < 0)
		return 0;
	/* field 3, the state: a zombie has ended, whether or not its
	 * parent (often init, for a shim) has reaped it yet */
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

int pidfd_open_pid(pid_t pid)
{
	/* pidfds are always close-on-exec. */
	return (int)syscall(SYS_pidfd_open, pid, 0);
}
