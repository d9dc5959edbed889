/* 08-mini-docker/enter.h — the one way into a container. `run`, `start`
 * (whose init has just pivoted into the new root) and `exec` (whose child
 * has just joined the namespaces) all finish here, so there is one list of
 * what a process must shed before it runs the container's code: the host's
 * fds, a host working directory, the caller's session and keyring, root's
 * ids, capabilities, the right to gain privileges, and the syscalls
 * seccomp forbids. A second copy of this path is how runc's CVE-2024-21626
 * (and mini-docker's exec escape) happened: exec forgot a step run had. */
#ifndef ENTER_H
#define ENTER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdnoreturn.h>

struct entry {
	char *const *argv;          /* the command */
	const char *hostname;       /* $HOSTNAME */
	int tty;                    /* $TERM is set */
	char *const *env;           /* KEY=VALUE: the record's (image + run -e) ... */
	int nenv;
	char *const *extra_env;     /* ... then exec -e; later ones win */
	int nextra;
	const char *workdir;        /* absolute, inside the root; NULL: "/" */
	int make_workdir;           /* run: create it if missing, as Docker does */
	const char *user;           /* -u / the image's User: "" is root */
	int stdin_null;             /* no -i: stdin is /dev/null */
	int out_fd, err_fd;         /* stdout / stderr, or -1 to keep (err -1: out) */
	int tty_fd;                 /* a terminal's slave: the controlling tty, or -1 */
	int exec_err_fd;            /* CLOEXEC pipe: a failed exec's errno goes here */
	int init;                   /* --init: stay PID 1, fork the command */
	const struct sock_fprog *seccomp; /* compiled on the host; len 0: unconfined */
};

/* Never returns: execs the command, or prints "mini-docker: container
 * setup: STEP: reason" and exits 125 (126/127 for an exec failure, whose
 * errno also goes to exec_err_fd). The caller is inside the container's
 * namespaces with its root as "/", still holding its privileges. */
noreturn void enter_container(const struct entry *e);

/* Close every fd from 3 up but the n in keep (at most 8). The first
 * thing a process that is about to resolve a path inside the container
 * does: an fd it holds is a door out through /proc/self/fd. */
void close_fds_except(const int *keep, size_t n);

/* The error of a setup step: one line, then _exit(125). */
noreturn void setup_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
