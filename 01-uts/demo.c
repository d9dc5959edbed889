/* 01-uts/demo.c — a child in its own UTS namespace changes its hostname; the
 * host's is untouched, /proc/PID/ns/uts shows two different namespaces, and a
 * third process that setns()es into the child's namespace sees its hostname.
 * Reproduces: notes 000 "UTS namespace" (readlink /proc/PID/ns/uts) and
 * notes 001 "inode and namespace". See clone(2), setns(2), uts_namespaces(7).
 * --ns-limit: /proc/sys/user/max_uts_namespaces at 0 makes clone fail with
 * ENOSPC (nslimit.c; notes 001 "ns 数量限制"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "ns.h"
#include "uts.h"
#include "nslimit.h"

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 01-uts/demo [--hostname NAME] [--shell] | --ns-limit [--hold S]\n"
		"Clone a child into a new UTS namespace, let it set its own hostname,\n"
		"and compare both sides' hostname and /proc/PID/ns/uts. Needs root.\n"
		"  --hostname NAME  the child's hostname (default: container; 1-64 bytes)\n"
		"  --shell          open an interactive /bin/sh in the new namespace\n"
		"  --ns-limit       set /proc/sys/user/max_uts_namespaces, then max_user_namespaces\n"
		"                   to 0: clone fails with ENOSPC; both are restored on every exit\n"
		"  --hold S         with --ns-limit: keep them at 0 for S seconds (1-60)\n"
		"  --help           this text\n");
}

static void row(const char *who, pid_t pid, const char *host, const char *link)
{
	say("  %-8s %-8d %-18s %s", who, (int)pid, host, link);
}

/* What the steps pass on: the host's view, the child, its report. */
struct lab {
	const char *name;
	int shell, ns_limit, hold;
	char host_before[UTS_HOSTNAME_MAX + 1], host_link[64];
	int report[2];
	struct gate gate;
	pid_t child;
	char child_host[UTS_HOSTNAME_MAX + 1], child_link[64];
};

static int parse_args(int argc, char **argv, struct lab *l)
{
	static const struct option opts[] = {
		{ "hostname", required_argument, NULL, 'n' },
		{ "shell", no_argument, NULL, 's' },
		{ "ns-limit", no_argument, NULL, 'L' },
		{ "hold", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': l->name = optarg; break;
		case 's': l->shell = 1; break;
		case 'L': l->ns_limit = 1; break;
		case 'H': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > 60)
				die("--hold '%s': give a whole number of seconds from 1 to 60", optarg);
			l->hold = (int)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if (l->hold && !l->ns_limit)
		die("--hold goes with --ns-limit");
	if (l->ns_limit && (l->shell || strcmp(l->name, "container")))
		die("--ns-limit is an experiment of its own: drop --hostname/--shell");
	char why[160];
	if (hostname_check(l->name, why, sizeof(why)) < 0)
		die("%s", why);
	return -1;
}

static void show_host(struct lab *l)
{
	if (gethostname(l->host_before, sizeof(l->host_before)) < 0)
		die_errno("gethostname");
	if (ns_link_read(0, "uts", l->host_link, sizeof(l->host_link)) < 0)
		die_errno("readlink /proc/self/ns/uts");
	say("=> host: pid %d, hostname \"%s\", %s", (int)getpid(), l->host_before, l->host_link);
}

/* The child, in its new UTS namespace. */
noreturn static void child_side(struct lab *l)
{
	close(l->report[0]);
	gate_child_side(&l->gate);
	/* Only this namespace's copy of the hostname changes: the host's
	 * struct new_utsname is a different object. */
	if (sethostname(l->name, strlen(l->name)) < 0)
		die_errno("sethostname(\"%s\")", l->name);
	char now[UTS_HOSTNAME_MAX + 1];
	if (gethostname(now, sizeof(now)) < 0)
		die_errno("gethostname");
	if (l->shell) {
		close(l->report[1]);
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		die_errno("execl /bin/sh");
	}
	if (write(l->report[1], now, strlen(now)) < 0)
		die_errno("write report");
	close(l->report[1]);
	gate_wait(&l->gate);
	_exit(0);
}

static void clone_child(struct lab *l)
{
	/* report: child -> parent, the hostname the child sees after setting it.
	 * gate: parent -> child, "you may exit now" (the namespace lives only
	 * as long as a process is in it, so the child must wait for the joiner). */
	if (pipe2(l->report, O_CLOEXEC) < 0)
		die_errno("pipe2");
	if (gate_init(&l->gate) < 0)
		die_errno("pipe2");
	step("cloning a child with CLONE_NEWUTS");
	l->child = clone3_fork(CLONE_NEWUTS, -1, NULL);
	if (l->child < 0) {
		if (errno == EPERM)
			die("clone3(CLONE_NEWUTS): %s (a new UTS namespace needs CAP_SYS_ADMIN: run as root, or see 02-user)",
			    strerror(errno));
		die_errno("clone3(CLONE_NEWUTS)");
	}
	if (l->child == 0)
		child_side(l);
	close(l->report[1]);
	gate_parent_side(&l->gate);
	say("done (child pid %d)", (int)l->child);
}

/* --shell: the user explores the namespace; we only compare afterwards. */
static int run_shell(struct lab *l)
{
	say("=> /bin/sh is running in the new UTS namespace; try `hostname`, "
	    "`hostname other`, `readlink /proc/$$/ns/uts`, then `exit`");
	close(l->report[0]);
	if (gate_open(&l->gate) < 0)
		die_errno("write to the child's gate");
	wait_child(l->child);
	char after[UTS_HOSTNAME_MAX + 1];
	if (gethostname(after, sizeof(after)) < 0)
		die_errno("gethostname");
	say("=> back on the host: hostname is \"%s\"%s", after,
	    strcmp(after, l->host_before) == 0 ? " (unchanged)" : " (CHANGED!)");
	return strcmp(after, l->host_before) == 0 ? 0 : 1;
}

static void read_report(struct lab *l)
{
	ssize_t n = read(l->report[0], l->child_host, sizeof(l->child_host) - 1);
	close(l->report[0]);
	if (n <= 0) {
		wait_child(l->child);
		die("the child did not report its hostname (see its error above)");
	}
	l->child_host[n] = '\0';
	say("=> child: sethostname(\"%s\") done", l->name);
	if (ns_link_read(l->child, "uts", l->child_link, sizeof(l->child_link)) < 0)
		die_errno("readlink /proc/%d/ns/uts", (int)l->child);
}

static void show_table(const struct lab *l)
{
	char host_now[UTS_HOSTNAME_MAX + 1];
	if (gethostname(host_now, sizeof(host_now)) < 0)
		die_errno("gethostname");
	putchar(10);
	say("  %-8s %-8s %-18s %s", "", "pid", "hostname", "readlink /proc/PID/ns/uts");
	row("host", getpid(), host_now, l->host_link);
	row("child", l->child, l->child_host, l->child_link);
}

/* A third process: no clone flag at all, it moves itself into the child's
 * namespace with setns(2), the call nsenter(1) and docker exec use. Its
 * hostname and namespace link are filled in. */
static void join_from_outside(const struct lab *l, char jhost[UTS_HOSTNAME_MAX + 1], char jlink[64])
{
	int jp[2];
	if (pipe2(jp, O_CLOEXEC) < 0)
		die_errno("pipe2");
	fflush(NULL);
	pid_t joiner = fork();
	if (joiner < 0)
		die_errno("fork");
	if (joiner == 0) {
		close(jp[0]);
		if (ns_join(l->child, "uts", CLONE_NEWUTS) < 0)
			die_errno("setns(/proc/%d/ns/uts)", (int)l->child);
		char h[UTS_HOSTNAME_MAX + 1], lk[64];
		if (gethostname(h, sizeof(h)) < 0 || ns_link_read(0, "uts", lk, sizeof(lk)) < 0)
			die_errno("gethostname/readlink after setns");
		if (dprintf(jp[1], "%s %s", h, lk) < 0)
			die_errno("write report");
		_exit(0);
	}
	close(jp[1]);
	char jbuf[160];
	ssize_t n = read(jp[0], jbuf, sizeof(jbuf) - 1);
	close(jp[0]);
	int jstatus = wait_child(joiner);
	if (n <= 0 || !WIFEXITED(jstatus) || WEXITSTATUS(jstatus) != 0)
		die("the joiner could not enter the child's namespace (see above)");
	jbuf[n] = '\0';
	if (sscanf(jbuf, "%64s %63s", jhost, jlink) != 2)
		die("unexpected report from the joiner: '%s'", jbuf);
	row("joiner", joiner, jhost, jlink);
	putchar(10);
}

/* Different inodes, different namespaces; the joiner in the child's. 1 if
 * host and child are in different namespaces, as they must be. */
static int compare(const struct lab *l, const char *jhost, const char *jlink)
{
	char t1[16], t2[16];
	unsigned long long i1, i2;
	if (ns_link_parse(l->host_link, t1, sizeof(t1), &i1) < 0 ||
	    ns_link_parse(l->child_link, t2, sizeof(t2), &i2) < 0)
		die("cannot parse namespace links '%s' / '%s'", l->host_link, l->child_link);
	say("=> host and child namespaces: inode %llu vs %llu: %s", i1, i2,
	    i1 == i2 ? "SAME (unexpected)" : "different namespaces");
	say("=> joiner after setns: %s", strcmp(jlink, l->child_link) == 0 && strcmp(jhost, l->name) == 0
	    ? "same namespace and hostname as the child" : "DIFFERENT from the child (unexpected)");
	return i1 != i2;
}

/* The child may go; the host's hostname is what it was. */
static int finish(struct lab *l, int separate)
{
	if (gate_open(&l->gate) < 0)
		die_errno("write to the child's gate");
	int status = wait_child(l->child);
	char sbuf[64];
	say("=> child %s", describe_status(status, sbuf, sizeof(sbuf)));
	char after[UTS_HOSTNAME_MAX + 1];
	if (gethostname(after, sizeof(after)) < 0)
		die_errno("gethostname");
	int same = strcmp(after, l->host_before) == 0;
	say("=> host hostname after the child is gone: \"%s\" (%s)", after,
	    same ? "unchanged" : "CHANGED");
	return (same && separate) ? 0 : 1;
}

int main(int argc, char **argv)
{
	prog_name = "01-uts";
	struct lab l = { .name = "container" };
	int rc = parse_args(argc, argv, &l);
	if (rc >= 0)
		return rc;
	if (l.ns_limit) {
		if (geteuid() != 0)
			die("writing /proc/sys/user needs root: run with sudo");
		catch_stop_signals(on_signal);
		rc = ns_limit_experiment(l.hold, &stop_signal);
		return stop_signal ? 128 + stop_signal : rc < 0 ? 1 : rc;
	}
	show_host(&l);
	clone_child(&l);
	if (l.shell)
		return run_shell(&l);
	read_report(&l);
	show_table(&l);
	char jhost[UTS_HOSTNAME_MAX + 1], jlink[64];
	join_from_outside(&l, jhost, jlink);
	int separate = compare(&l, jhost, jlink);
	return finish(&l, separate);
}
