/* 08-mini-docker/options.h — `mini-docker run` options: parsed and checked
 * before anything is created, so bad input costs nothing. Pure. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>

#include "netopts.h"

#define MAX_ENV 64
#define MAX_VOLUMES 16

struct volume {
	const char *host, *container;
	int readonly;
};

struct run_opts {
	int interactive, tty, rm, rootless, init, detach;
	const char *name, *hostname, *workdir;
	const char *user;        /* -u USER[:GROUP], or NULL: the image's, else root */
	const char *entrypoint;  /* --entrypoint: replaces the image's ("" none); NULL: the image's */
	const char *seccomp;     /* --security-opt seccomp=: NULL/"" default, "unconfined", a path */
	const char *image;       /* NAME[:TAG], an image id, or an absolute directory */
	long long memory;        /* bytes, or -1: no limit */
	long long cpu_quota;     /* us per cpu_period, or -1 */
	long long cpu_period;
	long long pids;          /* -1: no limit */
	const char *env[MAX_ENV];
	int nenv;
	struct volume vol[MAX_VOLUMES];
	int nvol;
	char volbuf[MAX_VOLUMES][4096]; /* -v's text, split: vol[] points here */
	enum net_mode network;   /* --network (netopts.h) */
	const char *net_target;  /* container:NAME's NAME */
	struct port_map ports[MAX_PORTS]; /* -p, in order */
	const char *port_spec[MAX_PORTS]; /* their text, as the record keeps it */
	int nports;
	char **argv;             /* the command, NULL-terminated; may be empty:
				  * then the image's own command runs */
};

/* Parse `run [OPTIONS] IMAGE [COMMAND...]` (argv[0] is "run"). --rootfs DIR
 * stands for IMAGE (then every positional is the command). Returns 0; 1 if
 * --help was asked (the caller prints options_usage); -1 with a one-line
 * reason in why. Prints nothing. Checks only the text,
 * not the filesystem: see options_check_paths. */
int options_parse(int argc, char **argv, struct run_opts *o, char *why, size_t why_size);
void options_usage(void);

/* Container names: [a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}, as Docker. Pure. */
int name_check(const char *name, char *why, size_t why_size);
/* -e KEY=VALUE with KEY a shell-style identifier. Pure. */
int env_check(const char *kv, char *why, size_t why_size);
/* -v HOST:CONTAINER[:ro|:rw], both absolute, no ".." component. Pure. */
int volume_parse(const char *spec, struct volume *v, char *buf, size_t buf_size,
		 char *why, size_t why_size);

/* --security-opt seccomp=VALUE: "unconfined" or an absolute path (the
 * file is read later, by seccomp_profile.c). -1 with a reason. Pure. */
int seccomp_opt_check(const char *value, char *why, size_t why_size);

/* The filesystem side: volume host paths exist. 0 or -1 with a reason.
 * (The image is checked where it is resolved: image_resolve.) */
int options_check_paths(const struct run_opts *o, char *why, size_t why_size);

#endif
