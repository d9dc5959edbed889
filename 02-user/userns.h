/* 02-user/userns.h — user-namespace id maps: format, parse, check, and write
 * them for a child in the right order. Reused by 07 --rootless and 08 --rootless. */
#ifndef USERNS_H
#define USERNS_H

#include <stddef.h>
#include <sys/types.h>

/* One line of /proc/PID/uid_map: ids [inside, inside+count) in the namespace
 * are ids [outside, outside+count) in the parent namespace. */
struct idmap {
	unsigned long inside, outside, count;
};

/* "0 1000 1\n" — the exact text the kernel wants, newline included. Pure. */
int idmap_format(const struct idmap *m, char *buf, size_t size);
/* Parse the text of /proc/PID/uid_map (one or more lines, spaces aligned as
 * the kernel prints them) into maps[]. Returns how many, or -1. Pure. */
int idmap_parse(const char *text, struct idmap *maps, size_t max);
/* The rules the kernel applies to a written map: count >= 1, no range past
 * 2^32-1. Returns 0, or -1 with a reason. Pure. */
int idmap_check(const struct idmap *m, char *why, size_t why_size);
/* Translate an outside id to its inside id. 0, or -1 if not mapped. Pure. */
int idmap_to_inside(const struct idmap *maps, size_t n, unsigned long outside,
		    unsigned long *inside);

/* Write /proc/PID/setgroups "deny", then uid_map, then gid_map. Returns 0, or
 * -1 after printing which file was refused and why. */
int userns_write_maps(pid_t pid, const struct idmap *uid, const struct idmap *gid);

/* Become uid/gid `id` for good (no groups), and stay dumpable so we can
 * still write our own children's /proc/PID/uid_map. 0 or -1 (printed). */
int userns_drop_to(unsigned long id);

/* Ubuntu 23.10+ (AppArmor): with this sysctl at 1, an unprivileged
 * clone(CLONE_NEWUSER) still succeeds, but the child gets no capabilities
 * in its namespace unless an AppArmor profile allows the program; the
 * first privileged call (sethostname, mount) then fails with EPERM. */
#define USERNS_APPARMOR_SYSCTL "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
/* The sysctl's text: 1 restricted, 0 not, -1 not a value it has. Pure. */
int userns_restrict_parse(const char *text);
/* Read the sysctl at path (USERNS_APPARMOR_SYSCTL; tests pass a fake
 * file): 1 restricted, 0 not or absent (other kernels), -1 unreadable. */
int userns_restricted(const char *path);
/* If path says restricted, what to do, in a few lines (no trailing newline)
 * into buf, and 1; else buf is "" and 0. */
int userns_restriction_hint(const char *path, char *buf, size_t size);

#endif
