/* 08-mini-docker/record.h — what mini-docker remembers about a container,
 * and the text it is kept as: Docker's config.json shape (inspect prints
 * the same), Docker's times and Docker's words for a status. Pure: the
 * files themselves are store.h's. */
#ifndef RECORD_H
#define RECORD_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "options.h"

#define MAX_LAYERS 64

enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_EXITED };

struct ctr {
	char id[65];
	char name[64];
	char image[256];          /* as the user named it */
	char image_id[80];        /* "sha256:..." of a stored image, "" for a directory */
	char hostname[65];
	struct timespec created, started, finished;
	enum ctr_status status;
	int exit_code, oom_killed;
	char error[256];
	/* runtime: the container's PID 1 and the mini-docker process that
	 * watches it, each with its start time (pids are reused) */
	pid_t pid, runner;
	unsigned long long pid_start, runner_start;
	/* what it was started with */
	int tty, rootless, auto_remove, detached, init;
	long long memory, cpu_quota, cpu_period, pids;
	char workdir[PATH_MAX];
	char user[64];                 /* -u UID[:GID], or "" for root */
	char seccomp[PATH_MAX];        /* the profile: a path, "unconfined", or "" for the default */
	char network[80];              /* --network as given: "", bridge, none, host, container:NAME */
	char ports[MAX_PORTS][48];     /* -p as given, [IP:]HOST:CTR/PROTO */
	int nports;
	char ip_address[16];           /* on the bridge, while it runs; "" otherwise */
	int argc, nenv, nvol, nlower;
	char **argv, **env;            /* owned (strdup) */
	struct volume vol[MAX_VOLUMES]; /* host/container owned */
	char *lower[MAX_LAYERS];       /* owned; lower[0] is the top layer */
};

/* JSON <-> struct. ctr_to_json returns a malloc'd string (persistent part
 * when which is 0, runtime part when 1); ctr_from_json fills c (freeing
 * with ctr_free). Pure. 0, or -1 with a reason. */
char *ctr_to_json(const struct ctr *c, int which);
int ctr_from_json(struct ctr *c, const char *persistent, const char *runtime,
		  char *why, size_t why_size);
void ctr_free(struct ctr *c);

/* Docker's wording. Pure. */
const char *human_duration(long long seconds, char *buf, size_t size);   /* "3 seconds" */
const char *format_status(const struct ctr *c, time_t now, char *buf, size_t size);
const char *format_rfc3339(const struct timespec *ts, char *buf, size_t size);
int parse_rfc3339(const char *s, struct timespec *ts);

#endif
