/* 08-mini-docker/run.h — `mini-docker run`, the host side. */
#ifndef RUN_H
#define RUN_H

#include "options.h"

#include "exitcode.h"

struct ctr;

/* Run a container; returns the exit status (see options_usage). */
int run_container(struct run_opts *o, int verbose);

/* Start a stopped container again (`start`): its record's command, limits
 * and volumes, its upper dir and log. Detached unless attach; prints its
 * name then. Returns what run_container would; *shim is 1 in the detached
 * container's shim, which returns when its container is done and must go
 * no further than its caller's exit (not on to the next container). */
int start_container(const struct ctr *saved, int attach, int interactive, int verbose, int *shim);

#endif
