/* 04-mount-proc/mountinfo.h — parse /proc/PID/mountinfo (see proc(5)).
 * Used by 04 to compare mount tables, by 05 to find cgroup hierarchies,
 * and by 08 to check what a container sees. */
#ifndef MOUNTINFO_H
#define MOUNTINFO_H

#include <stddef.h>

/* One line. String fields point into the caller's buffer, which the parser
 * edits in place (splits fields, decodes the kernel's \040-style escapes). */
struct mount_entry {
	int id, parent;
	unsigned major, minor;
	char *root;        /* the part of the filesystem mounted here */
	char *mountpoint;
	char *options;     /* per-mount options: rw,nosuid,... */
	char *optional;    /* propagation tags: "shared:1 master:2", or "" */
	char *fstype;
	char *source;
	char *super_options;
};

/* Parse one line (no trailing newline needed). 0, or -1 if malformed. Pure. */
int mountinfo_parse_line(char *line, struct mount_entry *e);

/* "shared:1", "master:2", "shared:1,master:2", "unbindable" or "private",
 * as findmnt -o PROPAGATION would name it. Pure. */
const char *mountinfo_propagation(const struct mount_entry *e, char *buf, size_t size);

/* Does the comma-separated option list contain exactly opt? Pure. */
int mountinfo_has_option(const char *options, const char *opt);

#endif
