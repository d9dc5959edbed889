/* 08-mini-docker/state.h — what mini-docker remembers about a container
 * between commands: one include for the three parts.
 *   record.h     the record and its JSON, Docker's times and words (pure)
 *   store.h      where records live: paths, the lock, load/save, names
 *   reconcile.h  records against the processes that are really there
 * Files are opened beneath checked directories: statedir.h. */
#ifndef STATE_H
#define STATE_H

#include "record.h"
#include "reconcile.h"
#include "store.h"

#endif
