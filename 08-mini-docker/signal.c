/* 08-mini-docker/signal.c — the commands that end a container or start
 * it again: stop, kill, rm, start (see lifecycle.h). These commands never
 * own a container: its runner (the `run` process, or the shim of `run -d`)
 * waits for it and records how it ended. They signal the container's PID
 * 1 and then wait for the runner to finish its bookkeeping. */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "pidns.h"
#include "run.h"
#include "state.h"

int signal_parse(const char *s)
{
	if (s[0] >= '0' && s[0] <= '9') {
		char *end;
		long v = strtol(s, &end, 10);
		return *end || v < 1 || v > 64 ? -1 : (int)v;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < 32; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcmp(abbrev, s) == 0)
			return sig;
	}
	return -1;
}

/* Signal a container's PID 1 through a pidfd, after checking the pid is
 * still the process we recorded: a plain kill(pid) could hit a stranger
 * that got the same pid after the container died. */
static int signal_init(const struct ctr *c, int sig)
{
	/* A commit killed while it held the container paused leaves it frozen:
	 * on v1 a frozen task does not act on a signal, SIGKILL included,
	 * until it is thawed. A signal means "run", so thaw first. */
	struct cgroup cg;
	if (!c->rootless && cg_lookup(&cg, c->id, CG_CPU | CG_MEMORY | CG_PIDS) == 0)
		cg_thaw(&cg);
	int fd = pidfd_open_pid(c->pid);
	if (fd < 0)
		return -1;
	int r = -1;
	if (!proc_is(c->pid, c->pid_start))
		errno = ESRCH;
	else
		r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	return r;
}

/* Wait up to ms for a process to end (poll on a pidfd works for any
 * process, not only our children). 1 if it is gone. */
static int wait_gone(pid_t pid, unsigned long long start, int ms)
{
	int fd = pidfd_open_pid(pid);
	if (fd < 0 || !proc_is(pid, start)) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;
	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
		;
	close(fd);
	return r > 0;
}

/* Kill PID 1 and wait for the runner to record the end. */
static int kill_and_wait(const struct ctr *c, int sig, int ms)
{
	if (c->pid > 0 && signal_init(c, sig) < 0 && errno != ESRCH)
		return warn_errno("pidfd_send_signal %d", (int)c->pid);
	if (!wait_gone(c->pid, c->pid_start, ms)) {
		signal_init(c, SIGKILL);
		wait_gone(c->pid, c->pid_start, 10000);
	}
	if (!wait_gone(c->runner, c->runner_start, 10000)) {
		fprintf(stderr, "mini-docker: the runner of %s (pid %d) has not finished after 10 s\n",
			c->name, (int)c->runner);
		return -1;
	}
	return 0;
}

/* The loop stop, kill and rm share: records brought in line first, then
 * fn on each container named on the command line. 0 if all succeeded. */
typedef int (*each_fn)(const struct store *x, struct ctr *r, const char *name, void *arg);
/* What fn returns to end the loop at once: start's shim, whose container
 * is done, goes back to exit, not on to the next container. */
#define EACH_STOP 1

static int each(int argc, char **argv, each_fn fn, void *arg)
{
	struct store x;
	if (store_open(&x) < 0)
		return 125;
	store_reconcile(&x);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct ctr r;
		memset(&r, 0, sizeof(r));
		int k = store_find(&x, argv[i], &r) < 0 ? -1 : fn(&x, &r, argv[i], arg);
		ctr_free(&r);
		if (k == EACH_STOP)
			break;
		if (k < 0)
			rc = 1;
	}
	return rc;
}
/* ---- stop, kill, rm --------------------------------------------------------- */

static int stop_one(const struct store *x, struct ctr *r, const char *name, void *arg)
{
	(void)x;
	/* SIGTERM first: a PID 1 only gets the signals it has a handler
	 * for, so a command that ignores SIGTERM runs on until SIGKILL,
	 * which the kernel always delivers from outside the namespace. */
	if (ctr_active(r) && kill_and_wait(r, SIGTERM, (int)*(long *)arg * 1000) < 0)
		return -1;
	printf("%s\n", name);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	long timeout = 10;
	int c;
	static const struct option longopts[] = { { "time", required_argument, NULL, 't' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:", longopts, NULL)) != -1) {
		char *end;
		if (c == 't') {
			errno = 0;
			timeout = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || timeout < 0 || timeout > 3600) {
				fprintf(stderr, "mini-docker: stop: -t '%s' is not valid; give whole seconds "
					"from 0 to 3600\n", optarg);
				return 1;
			}
		} else {
			fprintf(stderr, "mini-docker: stop: %s '%s'; usage: mini-docker stop [-t SECONDS] "
				"CONTAINER...\n", c == ':' ? "no value for" : "unknown option", argv[optind - 1]);
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker stop [-t SECONDS] CONTAINER...\n");
		return 1;
	}
	return each(argc, argv, stop_one, &timeout);
}

/* ---- start ------------------------------------------------------------------ */

struct start_args {
	int attach, interactive, verbose;
	int shim, shim_rc; /* this process is a detached container's shim */
};

static int start_one(const struct store *x, struct ctr *r, const char *name, void *arg)
{
	(void)x;
	struct start_args *a = arg;
	if (ctr_active(r)) { /* docker start of a running container: nothing to do */
		printf("%s\n", name);
		return 0;
	}
	int rc = start_container(r, a->attach, a->interactive, a->verbose, &a->shim);
	if (a->shim) {
		a->shim_rc = rc;
		return EACH_STOP;
	}
	return a->attach ? rc : (rc == 0 ? 0 : -1);
}

int cmd_start(int argc, char **argv)
{
	struct start_args a = { 0, 0, 0, 0, 0 };
	const char *v = getenv("MINI_DOCKER_VERBOSE");
	a.verbose = v && strcmp(v, "0") != 0;
	int c;
	static const struct option longopts[] = { { "attach", no_argument, NULL, 'a' },
						  { "interactive", no_argument, NULL, 'i' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ai", longopts, NULL)) != -1) {
		if (c == 'a')
			a.attach = 1;
		else if (c == 'i')
			a.interactive = 1;
		else {
			fprintf(stderr, "mini-docker: start: unknown option '%s'; usage: mini-docker start "
				"[-a] [-i] CONTAINER...\n", argv[optind - 1]);
			return 1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker start [-a] [-i] CONTAINER...\n");
		return 1;
	}
	/* attached, its exit status is the container's: one at a time */
	if ((a.attach || a.interactive) && argc - optind > 1) {
		fprintf(stderr, "mini-docker: start: -a and -i take one container, not %d\n", argc - optind);
		return 1;
	}
	if (a.interactive)
		a.attach = 1;
	if (!a.attach) {
		int rc = each(argc, argv, start_one, &a);
		return a.shim ? a.shim_rc : rc;
	}
	struct store x;
	struct ctr r;
	if (store_open(&x) < 0)
		return 125;
	store_reconcile(&x);
	memset(&r, 0, sizeof(r));
	int rc = store_find(&x, argv[optind], &r) < 0 ? 1 : start_one(&x, &r, argv[optind], &a);
	ctr_free(&r);
	return rc;
}

static int kill_one(const struct store *x, struct ctr *r, const char *name, void *arg)
{
	(void)x;
	int sig = *(int *)arg;
	if (!ctr_running(r)) {
		fprintf(stderr, "mini-docker: kill: container %s is not running\n", name);
		return -1;
	}
	if (signal_init(r, sig) < 0)
		return warn_errno("kill: signal %s to %s", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", name);
	printf("%s\n", name);
	return 0;
}

int cmd_kill(int argc, char **argv)
{
	int sig = SIGKILL, c;
	static const struct option longopts[] = { { "signal", required_argument, NULL, 's' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:", longopts, NULL)) != -1) {
		if (c == 's' && (sig = signal_parse(optarg)) > 0)
			continue;
		if (c == 's')
			fprintf(stderr, "mini-docker: kill: '%s' is not a signal; give a name like TERM, "
				"SIGHUP or a number from 1 to 64\n", optarg);
		else
			fprintf(stderr, "mini-docker: kill: %s '%s'; usage: mini-docker kill [-s SIGNAL] "
				"CONTAINER...\n", c == ':' ? "no value for" : "unknown option", argv[optind - 1]);
		return 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker kill [-s SIGNAL] CONTAINER...\n");
		return 1;
	}
	return each(argc, argv, kill_one, &sig);
}

static int rm_one(const struct store *x, struct ctr *r, const char *name, void *arg)
{
	if (ctr_active(r)) {
		if (!*(int *)arg) {
			fprintf(stderr, "mini-docker: rm: container %s is running; stop it first or "
				"use rm -f\n", name);
			return -1;
		}
		kill_and_wait(r, SIGKILL, 10000);
	}
	/* Under the lock, with the record as the runner left it. */
	int lock = state_lock(x->root), rc = 0;
	struct ctr now;
	if (ctr_load(x->root, x->run, r->id, &now) == 0) {
		if (ctr_active(&now)) {
			fprintf(stderr, "mini-docker: rm: container %s is still running\n", name);
			rc = -1;
		} else if (ctr_remove(x->root, x->run, &now) < 0) {
			rc = -1;
		}
		ctr_free(&now);
	} /* else: an --rm container removed itself meanwhile */
	state_unlock(lock);
	if (rc == 0)
		printf("%s\n", name);
	return rc;
}

int cmd_rm(int argc, char **argv)
{
	int force = 0, c;
	static const struct option longopts[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		if (c != 'f') {
			fprintf(stderr, "mini-docker: rm: unknown option '%s'; use -f to remove a running "
				"container\n", argv[optind - 1]);
			return 1;
		}
		force = 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "mini-docker: usage: mini-docker rm [-f] CONTAINER...\n");
		return 1;
	}
	return each(argc, argv, rm_one, &force);
}
