/* 03-pid-ipc/demo.c — PID and IPC namespaces.
 * PID: the child of CLONE_NEWPID is pid 1 of its namespace (its host pid is
 * different), adopts and reaps orphans, and when it dies every process of the
 * namespace dies with it. IPC: a System V message queue made on the host is
 * invisible from a new IPC namespace.
 * Reproduces: notes 000 (the five clone flags of `run`) and notes 001
 * (clone/unshare, namespace lifetime). See pid_namespaces(7),
 * ipc_namespaces(7), msgget(2). Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "ns.h"
#include "pidns.h"

#define QUEUE_KEY 0x4d444b31 /* "MDK1": fixed, so both sides ask for the same key */

static int msqid = -1;

/* The queue outlives this process unless removed: System V IPC objects
 * belong to the IPC namespace, not to a process. Remove it on every exit. */
static void remove_queue(void)
{
	if (msqid >= 0 && msgctl(msqid, IPC_RMID, NULL) == 0)
		msqid = -1;
}

static void on_signal(int sig)
{
	remove_queue();
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 03-pid-ipc/demo [--only pid|ipc]\n"
		"PID namespace: pid 1, orphan reaping, and the end of the namespace with\n"
		"its init. IPC namespace: a message queue the new namespace cannot see.\n"
		"Needs root.\n"
		"  --only pid|ipc  run one half of the experiment\n"
		"  --help          this text\n");
}

/* ---- PID namespace ----------------------------------------------------- */

static void pid_one(int report_fd)
{
	pid_t ns[4];
	int n = proc_nspid(0, ns, 4);
	say("=> child: getpid() = %d, getppid() = %d (its parent lives outside the namespace)",
	    (int)getpid(), (int)getppid());
	if (n == 2)
		say("   /proc/self/status NSpid: %d %d  (host pid, then pid in the new namespace)",
		    (int)ns[0], (int)ns[1]);

	/* An orphan: middle forks grandchild, then exits at once. */
	pid_t middle = fork();
	if (middle < 0)
		die_errno("fork");
	if (middle == 0) {
		pid_t me = getpid();
		pid_t grand = fork();
		if (grand < 0)
			die_errno("fork");
		if (grand == 0) {
			/* Compare with the middle's pid, not with a first getppid():
			 * the middle may already be gone when we first look. */
			for (int i = 0; i < 5000 && getppid() == me; i++)
				usleep(1000);
			say("=> grandchild (pid %d): my parent %d exited; getppid() is now %d",
			    (int)getpid(), (int)me, (int)getppid());
			_exit(7);
		}
		say("=> middle (pid %d) forked grandchild pid %d and exits", (int)getpid(), (int)grand);
		_exit(0);
	}
	wait_child(middle);
	/* Orphans are re-parented to the init of *their* PID namespace — us —
	 * not to the host's pid 1. If we never wait, they stay zombies. */
	int status;
	pid_t reaped;
	while ((reaped = waitpid(-1, &status, 0)) < 0 && errno == EINTR)
		;
	if (reaped < 0)
		die_errno("waitpid(-1)");
	char sbuf[64];
	say("=> pid 1: waitpid(-1) reaped pid %d (%s): init adopts orphans and must reap them",
	    (int)reaped, describe_status(status, sbuf, sizeof(sbuf)));

	pid_t sleeper = fork();
	if (sleeper < 0)
		die_errno("fork");
	if (sleeper == 0) {
		pid_t me[4];
		if (proc_nspid(0, me, 4) != 2)
			die("no NSpid line in /proc/self/status (kernel older than 4.1?)");
		say("=> sleeper started: pid %d inside, %d on the host; it sleeps forever",
		    (int)me[1], (int)me[0]);
		if (dprintf(report_fd, "%d\n", (int)me[0]) < 0)
			die_errno("write the sleeper's pid");
		close(report_fd);
		for (;;)
			pause();
	}
	close(report_fd);
	for (;;)
		pause();
}

static int pid_part(void)
{
	say("--- PID namespace ---");
	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		die_errno("pipe2");
	int pidfd = -1;
	struct gate gate;
	if (gate_init(&gate) < 0)
		die_errno("pipe2");
	step("cloning a child with CLONE_NEWPID");
	pid_t child = clone3_fork(CLONE_NEWPID, -1, &pidfd);
	if (child < 0)
		die_errno("clone3(CLONE_NEWPID)");
	if (child == 0) {
		close(report[0]);
		gate_child_side(&gate);
		gate_wait(&gate);
		pid_one(report[1]);
		_exit(0);
	}
	close(report[1]);
	gate_parent_side(&gate);
	say("done: the parent sees it as pid %d", (int)child);
	if (gate_open(&gate) < 0)
		die_errno("write to the child's gate");

	char buf[32];
	ssize_t n = read(report[0], buf, sizeof(buf) - 1);
	close(report[0]);
	if (n <= 0) {
		kill(child, SIGKILL);
		wait_child(child);
		die("the child did not report its sleeper");
	}
	buf[n] = '\0';
	pid_t sleeper = (pid_t)atoi(buf);
	/* A pidfd pins this very process: no risk of asking about a recycled pid. */
	int sfd = pidfd_open_pid(sleeper);
	if (sfd < 0)
		die_errno("pidfd_open(%d)", (int)sleeper);

	step("kill -KILL %d (the namespace's pid 1)", (int)child);
	if (kill(child, SIGKILL) < 0)
		die_errno("kill %d", (int)child);
	int status = wait_child(child);
	char sbuf[64];
	say("done, child %s", describe_status(status, sbuf, sizeof(sbuf)));

	/* When init of a PID namespace dies the kernel SIGKILLs every other
	 * member (zap_pid_ns_processes), so the sleeper must be gone too. */
	struct pollfd p = { .fd = sfd, .events = POLLIN };
	int gone = poll(&p, 1, 2000) == 1;
	close(sfd);
	close(pidfd);
	say("=> sleeper (host pid %d): %s", (int)sleeper,
	    gone ? "gone: it died with the namespace's init" : "STILL RUNNING (unexpected)");
	return gone ? 0 : 1;
}

/* ---- IPC namespace ----------------------------------------------------- */

static int count_queues(void)
{
	FILE *f = fopen("/proc/sysvipc/msg", "re");
	if (!f)
		die_errno("open /proc/sysvipc/msg");
	char line[512];
	int n = -1; /* the first line is the header */
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

static int probe_queue(uint64_t flags, const char *label)
{
	pid_t child = clone3_fork(flags, -1, NULL);
	if (child < 0)
		die_errno("clone3");
	if (child == 0) {
		char link[64];
		/* _exit, not die: exit() would run remove_queue here, and
		 * this child (without CLONE_NEWIPC) sees the host's queue. */
		if (ns_link_read(0, "ipc", link, sizeof(link)) < 0) {
			warn_errno("readlink /proc/self/ns/ipc");
			_exit(30);
		}
		int id = msgget(QUEUE_KEY, 0);
		if (id >= 0)
			say("=> %s (%s): msgget(0x%x) = %d, the same queue; /proc/sysvipc/msg lists %d",
			    label, link, QUEUE_KEY, id, count_queues());
		else
			say("=> %s (%s): msgget(0x%x) failed: %s; /proc/sysvipc/msg lists %d",
			    label, link, QUEUE_KEY, strerrorname_np(errno), count_queues());
		_exit(id >= 0 ? 10 : (errno == ENOENT ? 20 : 30));
	}
	int status = wait_child(child);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int ipc_part(void)
{
	say("--- IPC namespace ---");
	char link[64];
	if (ns_link_read(0, "ipc", link, sizeof(link)) < 0)
		die_errno("readlink /proc/self/ns/ipc");
	step("host (%s): msgget(0x%x, IPC_CREAT|IPC_EXCL|0600)", link, QUEUE_KEY);
	/* Block the signals our handler catches while the queue is created and
	 * its id recorded: a Ctrl-C landing between the two would find no id to
	 * remove and leave the queue on the host. */
	sigset_t old;
	block_stop_signals(&old);
	msqid = msgget(QUEUE_KEY, IPC_CREAT | IPC_EXCL | 0600);
	int err = errno;
	restore_signals(&old);
	errno = err;
	if (msqid < 0) {
		if (errno == EEXIST)
			die("msgget(0x%x): a queue with this key already exists; "
			    "remove it with `ipcrm -Q 0x%x` and run again", QUEUE_KEY, QUEUE_KEY);
		die_errno("msgget(0x%x)", QUEUE_KEY);
	}
	say("done (msqid %d); /proc/sysvipc/msg lists %d", msqid, count_queues());

	int same = probe_queue(0, "child without CLONE_NEWIPC");
	int fresh = probe_queue(CLONE_NEWIPC, "child with CLONE_NEWIPC");

	step("removing the queue with msgctl(IPC_RMID)");
	remove_queue();
	if (msqid >= 0)
		die_errno("msgctl(%d, IPC_RMID)", msqid);
	done();
	int ok = same == 10 && fresh == 20;
	say("=> the new IPC namespace %s the host's queue", ok ? "cannot see" : "SEES (unexpected)");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	prog_name = "03-pid-ipc";
	const char *only = NULL;
	static const struct option opts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': only = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if (only && strcmp(only, "pid") != 0 && strcmp(only, "ipc") != 0)
		die("--only '%s': accepted values are 'pid' and 'ipc'", only);

	atexit(remove_queue);
	catch_stop_signals(on_signal);

	int rc = 0;
	if (!only || strcmp(only, "pid") == 0)
		rc |= pid_part();
	if (!only || strcmp(only, "ipc") == 0)
		rc |= ipc_part();
	return rc;
}
