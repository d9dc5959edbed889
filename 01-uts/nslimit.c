/* 01-uts/nslimit.c — namespaces are counted: each user namespace carries a
 * limit per type in /proc/sys/user/max_*_namespaces (the values seen from
 * the initial one apply to it and are what `ls /proc/sys/user` shows). At 0,
 * the next clone(CLONE_NEWUTS) fails with ENOSPC, "No space left on device",
 * a name that says nothing about namespaces: this is where it comes from.
 * Reproduces: notes 001 "ns 数量限制" (ls /proc/sys/user). See
 * namespaces(7) "/proc/sys/user", clone(2) ENOSPC.
 *
 * Changing a host sysctl is the one thing here that must never outlive the
 * demo. A guardian child holds the saved values and writes them back when
 * the pipe from the demo reaches EOF, which the kernel delivers however the
 * demo ends, SIGKILL included. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "nslimit.h"

const char *ns_limit_file(int nstype)
{
	switch (nstype) {
	case CLONE_NEWUTS: return "/proc/sys/user/max_uts_namespaces";
	case CLONE_NEWUSER: return "/proc/sys/user/max_user_namespaces";
	case CLONE_NEWPID: return "/proc/sys/user/max_pid_namespaces";
	case CLONE_NEWNS: return "/proc/sys/user/max_mnt_namespaces";
	case CLONE_NEWIPC: return "/proc/sys/user/max_ipc_namespaces";
	case CLONE_NEWNET: return "/proc/sys/user/max_net_namespaces";
	case CLONE_NEWCGROUP: return "/proc/sys/user/max_cgroup_namespaces";
	case CLONE_NEWTIME: return "/proc/sys/user/max_time_namespaces";
	}
	return NULL;
}

#define NLIMITS 2
static const int types[NLIMITS] = { CLONE_NEWUTS, CLONE_NEWUSER };

/* The guardian: wait for EOF on rd, write every saved value back. Stop
 * signals are ignored: Ctrl-C reaches the whole process group, and this is
 * the process that must survive it. */
static void guardian(int rd, char saved[NLIMITS][32])
{
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	char c;
	while (read(rd, &c, 1) > 0 || errno == EINTR)
		;
	int rc = 0;
	for (int i = 0; i < NLIMITS; i++)
		if (write_file(ns_limit_file(types[i]), saved[i]) < 0)
			rc = warn_errno("restore %s to %s", ns_limit_file(types[i]), saved[i]);
	_exit(rc ? 1 : 0);
}

/* clone3 with just this flag; the child, if there is one, leaves at once. */
static int try_clone(int nstype)
{
	step("clone3(CLONE_NEW%s)", nstype == CLONE_NEWUTS ? "UTS" : "USER");
	pid_t pid = clone3_fork((uint64_t)nstype, -1, NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		wait_child(pid);
		say("succeeded (the limit did not hold)");
		return 0;
	}
	int err = errno;
	say("%s (%s)", strerrorname_np(err), strerror(err));
	return err == ENOSPC;
}

static int set_zero_and_try(int i)
{
	step("echo 0 > %s", ns_limit_file(types[i]));
	if (write_file(ns_limit_file(types[i]), "0") < 0)
		return warn_errno("write %s", ns_limit_file(types[i]));
	done();
	return try_clone(types[i]);
}

/* Both limits to 0 in turn, a clone after each: how many gave ENOSPC, or -1. */
static int zero_and_try_all(volatile sig_atomic_t *stop)
{
	int enospc = 0;
	for (int i = 0; i < NLIMITS && !*stop; i++) {
		int r = set_zero_and_try(i);
		if (r < 0)
			return -1;
		enospc += r;
	}
	return enospc;
}

/* Where this process may not write the host's limits (they need
 * CAP_SYS_RESOURCE in the user namespace that owns them): a child in a user
 * namespace of its own, which has every capability over that namespace's
 * limits. They are that namespace's own and vanish with it. */
static int in_own_userns(volatile sig_atomic_t *stop)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return warn_errno("fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(warn_errno("unshare(CLONE_NEWUSER)") & 0xff);
		char link[64];
		ssize_t n = readlink("/proc/self/ns/user", link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		say("=> in a new user namespace (%s): its own /proc/sys/user, its own limits", link);
		int r = zero_and_try_all(stop);
		fflush(NULL);
		_exit(r < 0 ? 255 : r);
	}
	int status = wait_child(pid);
	return WIFEXITED(status) && WEXITSTATUS(status) != 255 ? WEXITSTATUS(status) : -1;
}

int ns_limit_experiment(int hold_s, volatile sig_atomic_t *stop)
{
	char saved[NLIMITS][32], now[32];
	for (int i = 0; i < NLIMITS; i++)
		if (read_file(ns_limit_file(types[i]), saved[i], sizeof(saved[i])) < 0)
			return warn_errno("read %s", ns_limit_file(types[i]));
	say("=> %s %s, %s %s", ns_limit_file(types[0]), saved[0], ns_limit_file(types[1]), saved[1]);
	/* Writing the value it already has changes nothing and tells whether
	 * we may write at all. */
	if (write_file(ns_limit_file(types[0]), saved[0]) < 0) {
		if (errno != EACCES && errno != EPERM)
			return warn_errno("write %s", ns_limit_file(types[0]));
		say("=> writing them is refused here (%s): it needs CAP_SYS_RESOURCE over the user "
		    "namespace that owns them, and this process lacks it", strerrorname_np(errno));
		int enospc = in_own_userns(stop);
		if (enospc < 0)
			return -1;
		int same = 1;
		for (int i = 0; i < NLIMITS; i++)
			same &= read_file(ns_limit_file(types[i]), now, sizeof(now)) >= 0 &&
				strcmp(now, saved[i]) == 0;
		say("=> the host's limits, untouched: %s %s", saved[0], saved[1]);
		say("=> result: %s", enospc == NLIMITS && same ? "ENOSPC at 0 for both"
		    : "not as expected");
		return enospc == NLIMITS && same ? 0 : 1;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	fflush(NULL);
	pid_t guard = fork();
	if (guard < 0)
		return warn_errno("fork");
	if (guard == 0) {
		close(pipefd[1]);
		guardian(pipefd[0], saved);
	}
	close(pipefd[0]);
	say("=> guardian pid %d will write them back however this demo ends", (int)guard);
	int enospc = zero_and_try_all(stop);
	if (enospc >= 0 && hold_s > 0 && !*stop) {
		say("=> holding the limits at 0 for %d s: try `sudo unshare --uts true` elsewhere", hold_s);
		struct timespec ts = { hold_s, 0 };
		nanosleep(&ts, NULL); /* Ctrl-C ends it early */
	}
	step("restoring (the guardian sees EOF)");
	close(pipefd[1]);
	int status = wait_child(guard);
	int same = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	char line[160] = "";
	for (int i = 0; i < NLIMITS; i++) {
		if (read_file(ns_limit_file(types[i]), now, sizeof(now)) < 0 || strcmp(now, saved[i]))
			same = 0;
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s %s", i ? ", " : "",
			 strrchr(ns_limit_file(types[i]), '/') + 1, now);
	}
	say("%s", line);
	if (enospc < 0 || *stop)
		return -1;
	say("=> result: %s", enospc == NLIMITS && same ? "ENOSPC at 0 for both, and both restored"
	    : "not as expected");
	return enospc == NLIMITS && same ? 0 : 1;
}
