/* 08-mini-docker/user.h — `-u USER[:GROUP]` and an image's "User", resolved
 * the way Docker resolves them: numbers are taken as they are, names are
 * looked up in the *container's* /etc/passwd and /etc/group (never the
 * host's: the same name can be another uid there). Pure: the caller reads
 * the two files. */
#ifndef USER_H
#define USER_H

#include <stddef.h>
#include <sys/types.h>

#define USER_MAX_GROUPS 32

struct user_ids {
	uid_t uid;
	gid_t gid;
	char home[256];                 /* $HOME: passwd's, or "/" */
	int ngroups;
	gid_t groups[USER_MAX_GROUPS];  /* supplementary groups from /etc/group */
};

/* spec "" is root (uid 0, gid 0, /root). passwd and group are the files'
 * text, or NULL when the image has none. 0, or -1 with a reason naming the
 * bad value. */
int user_resolve(const char *spec, const char *passwd, const char *group, struct user_ids *u,
		 char *why, size_t why_size);

#endif
