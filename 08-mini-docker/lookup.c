/* 08-mini-docker/lookup.c — how a command finds the container the user
 * named (see store.h): NAME through ROOT/names, then a full id or a
 * unique id prefix among ROOT/containers, after ROOT itself is checked;
 * then its record. */
#define _GNU_SOURCE
#include "store.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "statedir.h"

/* ROOT/names/<name> -> id. 0 if it names a container. */
static int read_name(int rfd, const char *what, char *id)
{
	char target[128];
	if (!what[0] || strchr(what, '/') || !strcmp(what, ".") || !strcmp(what, ".."))
		return -1;
	int nfd = sd_open_at(rfd, "names");
	if (nfd < 0)
		return -1;
	ssize_t n = readlinkat(nfd, what, target, sizeof(target) - 1);
	close(nfd);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	if (!is_hex64(target))
		return -1;
	strcpy(id, target);
	return 0;
}

int ctr_resolve(const char *root, const char *what, char *id, char *why, size_t why_size)
{
	/* Every command that names a container comes here first: a state
	 * directory someone else could have planted is refused before any
	 * of its records is believed. */
	int rfd = sd_verify(root, why, why_size);
	if (rfd == -1)
		return -1;
	if (rfd >= 0) {
		int r = read_name(rfd, what, id);
		close(rfd);
		if (r == 0)
			return 0;
	}
	DIR *d = containers_open(root);
	int found = 0;
	size_t len = strlen(what);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!is_hex64(e->d_name) || len == 0 || strncmp(e->d_name, what, len) != 0)
				continue;
			if (found++ == 0)
				strcpy(id, e->d_name);
		}
		closedir(d);
	}
	if (found == 1)
		return 0;
	if (found == 0)
		snprintf(why, why_size, "no such container: %s", what);
	else
		snprintf(why, why_size, "'%s' matches %d containers; give more of the id", what, found);
	return -1;
}

int store_open(struct store *s)
{
	state_root(geteuid() != 0, s->root, sizeof(s->root));
	run_root(geteuid() != 0, s->run, sizeof(s->run));
	return state_check(s->root, s->run);
}

int store_find(const struct store *s, const char *what, struct ctr *c)
{
	char id[65], why[512];
	if (ctr_resolve(s->root, what, id, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	if (ctr_load(s->root, s->run, id, c) < 0) {
		fprintf(stderr, "mini-docker: container %s has no readable record\n", what);
		return -1;
	}
	return 0;
}
