/* 02-user/nsowner.c — every non-user namespace is owned by the user
 * namespace its creator was in at that moment; that owner decides whose
 * capabilities count inside it (why the child's sethostname works and the
 * host's does not). ioctl_ns(2) asks the kernel directly: NS_GET_USERNS on a
 * namespace gives its owner, NS_GET_PARENT on a user namespace the one it
 * was created in, NS_GET_OWNER_UID the euid of its creator.
 * Reproduces: notes 001 "ioctl_ns" (ioctl(fd, NS_GET_USERNS)). See
 * ioctl_ns(2), user_namespaces(7) "Interaction of user namespaces and other
 * types of namespaces". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "ns.h"
#include "nsowner.h"

/* One question: ask(fd, ioctl) and print "-> user:[N]" or the errno. The
 * answer's link goes to out (empty on failure). */
static int ask(const char *what, int fd, int (*op)(int), char *out, size_t size)
{
	step("%s", what);
	out[0] = '\0';
	int got = op(fd);
	if (got < 0) {
		int err = errno;
		say("%s (%s)", strerrorname_np(err), strerror(err));
		return err;
	}
	if (ns_fd_link(got, out, size) < 0)
		out[0] = '\0';
	close(got);
	say("%s", out);
	return 0;
}

static int check(const char *what, const char *got, const char *want)
{
	int ok = strcmp(got, want) == 0;
	say("   %s: %s %s %s", what, got[0] ? got : "(none)", ok ? "==" : "!=", want);
	return ok;
}

/* Everything asked while the child waits. */
static int ask_all(pid_t child)
{
	char child_user[64], host_user[64], a[64];
	int good = 0;
	if (ns_link_read(child, "user", child_user, sizeof(child_user)) < 0 ||
	    ns_link_read(0, "user", host_user, sizeof(host_user)) < 0)
		return warn_errno("readlink /proc/PID/ns/user");
	say("=> child %d: /proc/%d/ns/user %s; ours: %s", (int)child, (int)child, child_user, host_user);
	int cuts = ns_open(child, "uts"), huts = ns_open(0, "uts"), cuser = ns_open(child, "user"),
	    huser = ns_open(0, "user");
	if (cuts < 0 || huts < 0 || cuser < 0 || huser < 0)
		return warn_errno("open /proc/PID/ns/*");
	(void)ask("ioctl(NS_GET_USERNS) on the child's /proc/PID/ns/uts", cuts, ns_get_userns, a, sizeof(a));
	good += check("its owner is the child's user namespace", a, child_user);
	(void)ask("ioctl(NS_GET_USERNS) on our /proc/self/ns/uts", huts, ns_get_userns, a, sizeof(a));
	good += check("the host's UTS namespace is owned by ours", a, host_user);
	(void)ask("ioctl(NS_GET_PARENT) on the child's user namespace", cuser, ns_get_parent, a, sizeof(a));
	good += check("created from ours", a, host_user);
	uid_t uid;
	step("ioctl(NS_GET_OWNER_UID) on the child's user namespace");
	if (ns_get_owner_uid(cuser, &uid) < 0)
		say("%s", strerrorname_np(errno));
	else
		say("uid %d (the euid that created it; ours is %d)", (int)uid, (int)geteuid());
	good += uid == geteuid();
	/* EPERM: the answer would lie outside our own user namespace (for the
	 * initial one there is no parent at all). */
	good += ask("ioctl(NS_GET_PARENT) on our own user namespace", huser, ns_get_parent, a,
		    sizeof(a)) == EPERM;
	close(cuts);
	close(huts);
	close(cuser);
	close(huser);
	return good == 5 ? 0 : 1;
}

int owner_experiment(void)
{
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return warn_errno("pipe2");
	say("=> cloning a child with CLONE_NEWUSER|CLONE_NEWUTS; it waits, we ask");
	fflush(NULL);
	pid_t child = clone3_fork(CLONE_NEWUSER | CLONE_NEWUTS, -1, NULL);
	if (child < 0)
		return warn_errno("clone3(CLONE_NEWUSER|CLONE_NEWUTS)");
	if (child == 0) {
		close(go[1]);
		char c;
		_exit(read(go[0], &c, 1) < 0);
	}
	close(go[0]);
	int rc = ask_all(child);
	close(go[1]);
	wait_child(child);
	say("=> result: %s", rc == 0 ? "each namespace's owner is the user namespace its creator was in"
	    : "an answer did not match /proc/PID/ns");
	return rc;
}
