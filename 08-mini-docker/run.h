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
 * name then. Returns what run_container would. */
int start_container(const struct ctr *saved, int attach, int interactive, int verbose);

#endif
