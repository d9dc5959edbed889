/* 08-mini-docker/user.c — see user.h. */
#define _GNU_SOURCE
#include "user.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole decimal id below 2^32-1 (that one is the kernel's "no id"). */
static int parse_id(const char *s, unsigned long *out)
{
	char *end;
	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v >= 4294967295UL)
		return -1;
	*out = v;
	return 0;
}

/* Field n (0-based) of a colon-separated line, copied into out. */
static void field(const char *line, int n, char *out, size_t size)
{
	const char *p = line;
	for (int i = 0; i < n && p; i++)
		p = (p = strchr(p, ':')) ? p + 1 : NULL;
	size_t len = 0;
	if (p)
		while (p[len] && p[len] != ':' && p[len] != '\n')
			len++;
	if (len >= size)
		len = size - 1;
	memcpy(out, p ? p : "", len);
	out[len] = '\0';
}

/* The line of a passwd/group text whose name (field 0) or id (field 2)
 * matches key; NULL if none. */
static const char *find_line(const char *text, const char *key, int by_id)
{
	char f[256];
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		field(l, by_id ? 2 : 0, f, sizeof(f));
		if (f[0] && strcmp(f, key) == 0)
			return l;
	}
	return NULL;
}

static int resolve_group(const char *spec, const char *group, gid_t *gid, char *why, size_t why_size)
{
	unsigned long v;
	char f[32];
	if (parse_id(spec, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	const char *l = group ? find_line(group, spec, 0) : NULL;
	field(l ? l : "", 2, f, sizeof(f));
	if (!l || parse_id(f, &v) < 0) {
		snprintf(why, why_size, "group '%s' is not in the container's /etc/group; give a "
			 "group name it lists or a number", spec);
		return -1;
	}
	*gid = (gid_t)v;
	return 0;
}

/* Every group whose member list (field 3) names the user. */
static void member_groups(const char *group, const char *name, struct user_ids *u)
{
	char members[1024], gid[32], want[260];
	snprintf(want, sizeof(want), ",%s,", name);
	for (const char *l = group; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char list[1030];
		field(l, 3, members, sizeof(members));
		snprintf(list, sizeof(list), ",%s,", members);
		unsigned long v;
		field(l, 2, gid, sizeof(gid));
		if (strstr(list, want) && parse_id(gid, &v) == 0 && u->ngroups < USER_MAX_GROUPS)
			u->groups[u->ngroups++] = (gid_t)v;
	}
}

int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *u,
		 char *why, size_t why_size)
{
	char user[256], grp[256] = "", f[256];
	memset(u, 0, sizeof(*u));
	snprintf(u->home, sizeof(u->home), "/root");
	if (!spec[0])
		return 0;
	if (strlen(spec) >= sizeof(user) || spec[0] == ':') {
		snprintf(why, why_size, "--user '%.60s' is not valid; use USER[:GROUP] (names or numbers)", spec);
		return -1;
	}
	snprintf(user, sizeof(user), "%s", spec);
	char *colon = strchr(user, ':');
	if (colon) {
		*colon = '\0';
		snprintf(grp, sizeof(grp), "%s", colon + 1);
	}
	unsigned long v;
	int numeric = parse_id(user, &v) == 0;
	const char *l = passwd ? find_line(passwd, user, numeric) : NULL;
	if (!l && !numeric) {
		snprintf(why, why_size, "user '%s' is not in the container's /etc/passwd; give a "
			 "user name it lists or a number", user);
		return -1;
	}
	snprintf(u->home, sizeof(u->home), "/");
	if (l) {
		field(l, 2, f, sizeof(f));
		if (parse_id(f, &v) < 0)
			goto bad_line;
		u->uid = (uid_t)v;
		field(l, 3, f, sizeof(f));
		if (parse_id(f, &v) < 0)
			goto bad_line;
		u->gid = (gid_t)v;
		field(l, 5, u->home, sizeof(u->home));
		field(l, 0, f, sizeof(f));
		if (group)
			member_groups(group, f, u);
	} else {
		u->uid = (uid_t)v; /* a number with no passwd entry: group 0, as Docker */
	}
	if (grp[0] && resolve_group(grp, group, &u->gid, why, why_size) < 0)
		return -1;
	return 0;
bad_line:
	snprintf(why, why_size, "the container's /etc/passwd entry for '%s' has a bad id", user);
	return -1;
}
