/* 04-mount-proc/mountinfo.c — see mountinfo.h. */
#include "mountinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel writes space, tab, newline and backslash in paths as \ooo. */
static void unescape(char *s)
{
	char *out = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

static char *next_field(char **cursor)
{
	char *p = *cursor;
	while (*p == ' ')
		p++;
	if (*p == '\0' || *p == '\n')
		return NULL;
	char *start = p;
	while (*p && *p != ' ' && *p != '\n')
		p++;
	if (*p)
		*p++ = '\0';
	*cursor = p;
	return start;
}

int mountinfo_parse_line(char *line, struct mount_entry *e)
{
	char *cur = line, *f[6];
	for (int i = 0; i < 6; i++)
		if (!(f[i] = next_field(&cur)))
			return -1;
	char *end;
	e->id = (int)strtol(f[0], &end, 10);
	if (*end)
		return -1;
	e->parent = (int)strtol(f[1], &end, 10);
	if (*end)
		return -1;
	if (sscanf(f[2], "%u:%u", &e->major, &e->minor) != 2)
		return -1;
	e->root = f[3];
	e->mountpoint = f[4];
	e->options = f[5];

	/* Zero or more optional fields, ended by a lone "-". Keep them as one
	 * space-separated string: rejoin them by turning the NULs back into spaces. */
	e->optional = (char *)"";
	char *prev = NULL;
	for (;;) {
		char *tag = next_field(&cur);
		if (!tag)
			return -1;
		if (strcmp(tag, "-") == 0)
			break;
		if (prev)
			prev[strlen(prev)] = ' ';
		else
			e->optional = tag;
		prev = tag;
	}

	if (!(e->fstype = next_field(&cur)) || !(e->source = next_field(&cur)))
		return -1;
	e->super_options = next_field(&cur);
	if (!e->super_options)
		e->super_options = (char *)"";
	unescape(e->root);
	unescape(e->mountpoint);
	unescape(e->source);
	return 0;
}

const char *mountinfo_propagation(const struct mount_entry *e, char *buf, size_t size)
{
	if (e->optional[0] == '\0') {
		snprintf(buf, size, "private");
		return buf;
	}
	snprintf(buf, size, "%s", e->optional);
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = ',';
	return buf;
}

int mountinfo_has_option(const char *options, const char *opt)
{
	size_t len = strlen(opt);
	const char *p = options;
	while (p && *p) {
		if (strncmp(p, opt, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}
