/* 02-user/userns.c — see userns.h. */
#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define ID_LIMIT 4294967296UL /* ids are 32-bit; (uid_t)-1 itself is reserved */

int idmap_format(const struct idmap *m, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%lu %lu %lu\n", m->inside, m->outside, m->count);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

int idmap_parse(const char *text, struct idmap *maps, size_t max)
{
	size_t n = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (n == max)
			return -1;
		char *end;
		unsigned long v[3];
		for (int i = 0; i < 3; i++) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p < '0' || *p > '9')
				return -1;
			errno = 0;
			v[i] = strtoul(p, &end, 10);
			if (errno)
				return -1;
			p = end;
		}
		if (*p && *p != '\n' && *p != ' ' && *p != '\t')
			return -1;
		maps[n].inside = v[0];
		maps[n].outside = v[1];
		maps[n].count = v[2];
		n++;
	}
	return (int)n;
}

int idmap_check(const struct idmap *m, char *why, size_t why_size)
{
	if (m->count == 0) {
		snprintf(why, why_size, "map '%lu %lu 0' maps no ids; count must be at least 1",
			 m->inside, m->outside);
		return -1;
	}
	if (m->inside >= ID_LIMIT || m->outside >= ID_LIMIT ||
	    m->count > ID_LIMIT - m->inside || m->count > ID_LIMIT - m->outside) {
		snprintf(why, why_size, "map '%lu %lu %lu' runs past the largest id %lu",
			 m->inside, m->outside, m->count, ID_LIMIT - 1);
		return -1;
	}
	return 0;
}

int idmap_to_inside(const struct idmap *maps, size_t n, unsigned long outside,
		    unsigned long *inside)
{
	for (size_t i = 0; i < n; i++) {
		if (outside >= maps[i].outside && outside - maps[i].outside < maps[i].count) {
			*inside = maps[i].inside + (outside - maps[i].outside);
			return 0;
		}
	}
	return -1;
}

static int write_map(pid_t pid, const char *file, const struct idmap *m)
{
	char path[64], text[80], why[128];
	if (idmap_check(m, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, why);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (idmap_format(m, text, sizeof(text)) < 0)
		return -1;
	/* A map file takes exactly one write(2), once per namespace; a second
	 * write fails with EPERM even if the first one was refused halfway. */
	if (write_file(path, text) < 0)
		return warn_errno("write %s \"%lu %lu %lu\"", path, m->inside, m->outside, m->count);
	return 0;
}

int userns_write_maps(pid_t pid, const struct idmap *uid, const struct idmap *gid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	/* Since Linux 3.19 an unprivileged writer must disable setgroups(2)
	 * before gid_map: otherwise the child could drop a supplementary group
	 * and gain access that group was denying ("chmod 705" style files).
	 * The file must be written before gid_map, never after. */
	if (write_file(path, "deny") < 0)
		return warn_errno("write %s \"deny\"", path);
	if (write_map(pid, "uid_map", uid) < 0)
		return -1;
	return write_map(pid, "gid_map", gid);
}

int userns_drop_to(unsigned long id)
{
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)id, (gid_t)id, (gid_t)id) < 0 ||
	    setresuid((uid_t)id, (uid_t)id, (uid_t)id) < 0)
		return warn_errno("setgroups/setresgid/setresuid(%lu)", id);
	/* Changing uid clears the "dumpable" flag, and a non-dumpable
	 * process's /proc/PID files belong to root: we could no longer write
	 * our own child's uid_map. Set it back. */
	if (prctl(PR_SET_DUMPABLE, 1) < 0)
		return warn_errno("prctl(PR_SET_DUMPABLE)");
	return 0;
}

int userns_restrict_parse(const char *text)
{
	if (strcmp(text, "1") == 0)
		return 1;
	if (strcmp(text, "0") == 0)
		return 0;
	return -1;
}

int userns_restricted(const char *path)
{
	char buf[16];
	if (read_file(path, buf, sizeof(buf)) < 0)
		return errno == ENOENT ? 0 : -1;
	return userns_restrict_parse(buf);
}

int userns_restriction_hint(const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	if (userns_restricted(path) != 1)
		return 0;
	snprintf(buf, size,
		 "kernel.apparmor_restrict_unprivileged_userns = 1 (%s): AppArmor lets an\n"
		 "unprivileged user namespace be created but strips its capabilities, so\n"
		 "sethostname and mount in it fail with EPERM. For this lab, either run\n"
		 "  sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0   (until reboot)\n"
		 "or give the program an AppArmor profile with the \"userns,\" rule\n"
		 "(see /etc/apparmor.d/ and Ubuntu's \"unprivileged user namespace restrictions\").",
		 path);
	return 1;
}
