/* 04-mount-proc/demo.c — new PID + mount namespaces: make the mount tree
 * private, mount a fresh /proc, and see only the namespace's own processes,
 * while the host's mount table stays exactly as it was.
 * Reproduces: notes 000 "building the container" (RunContainerInitProcess:
 * proc mounted with MS_NOEXEC|MS_NOSUID|MS_NODEV) and notes 001 "mount -t proc".
 * See mount_namespaces(7), pid_namespaces(7), proc(5). Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "mountinfo.h"
#include "mounts.h"
#include "ns.h"
#include "pidns.h"

#define MAX_TEXT (256 * 1024)
#define MAX_MOUNTS 512

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 04-mount-proc/demo\n"
		"Clone a child into new PID and mount namespaces; it makes / private,\n"
		"mounts proc on /proc (nosuid,noexec,nodev), lists its processes, and\n"
		"compares its mount table with the host's. Needs root.\n"
		"  --help  this text\n");
}

static char *slurp(const char *path)
{
	char *buf = malloc(MAX_TEXT);
	if (!buf)
		die("out of memory");
	if (read_file(path, buf, MAX_TEXT) < 0)
		die_errno("read %s", path);
	return buf;
}

/* Parse a whole mountinfo text; entries point into text (edited in place). */
static int parse_all(char *text, struct mount_entry *e, int max)
{
	int n = 0;
	for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n"))
		if (mountinfo_parse_line(line, &e[n]) == 0)
			n++;
	return n;
}

static const char *host_propagation(struct mount_entry *host, int nhost,
				    const char *mountpoint, char *buf, size_t size)
{
	const char *found = "-";
	for (int i = 0; i < nhost; i++) /* last one wins: it is the top of a stack */
		if (strcmp(host[i].mountpoint, mountpoint) == 0)
			found = mountinfo_propagation(&host[i], buf, size);
	return found;
}

static void list_processes(void)
{
	pid_t pids[64];
	int n = proc_list_pids("/proc", pids, 64);
	if (n < 0)
		die_errno("opendir /proc");
	say("=> processes in the new /proc, as `ps` would list them (%d):", n);
	say("     PID  COMM");
	for (int i = 0; i < n; i++) {
		char path[64], comm[64];
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		if (read_file(path, comm, sizeof(comm)) < 0)
			snprintf(comm, sizeof(comm), "?");
		say("  %6d  %s", (int)pids[i], comm);
	}
}

static int child_main(char *host_text)
{
	struct mount_entry *host = calloc(MAX_MOUNTS, sizeof(*host));
	struct mount_entry *mine = calloc(MAX_MOUNTS, sizeof(*mine));
	if (!host || !mine)
		die("out of memory");
	int nhost = parse_all(host_text, host, MAX_MOUNTS);

	say("=> child: getpid() = %d in a new PID and mount namespace", (int)getpid());

	step("making / recursively private (mount --make-rprivate /)");
	if (mount_make_rprivate("/") < 0)
		return 1;
	done();

	/* A helper so the listing shows more than ourselves: pid 2. */
	pid_t helper = fork();
	if (helper < 0)
		die_errno("fork");
	if (helper == 0) {
		for (;;)
			pause();
	}

	step("mounting proc on /proc with MS_NOSUID|MS_NOEXEC|MS_NODEV");
	if (mount_proc("/proc") < 0) {
		kill(helper, SIGKILL);
		return 1;
	}
	done();
	list_processes();

	char *text = slurp("/proc/self/mountinfo");
	int nmine = parse_all(text, mine, MAX_MOUNTS);
	say("=> the child's /proc/self/mountinfo: %d mounts (host: %d); the mounts are copies,"
	    " with new ids", nmine, nhost);
	say("   %-4s %-36s %-10s %-12s %s", "ID", "MOUNT POINT", "FSTYPE", "HOST", "CHILD");
	for (int i = 0; i < nmine; i++) {
		char hb[64], cb[64];
		const char *hp = host_propagation(host, nhost, mine[i].mountpoint, hb, sizeof(hb));
		const char *cp = mountinfo_propagation(&mine[i], cb, sizeof(cb));
		int is_new_proc = i == nmine - 1 && strcmp(mine[i].mountpoint, "/proc") == 0;
		say("   %-4d %-36s %-10s %-12s %s%s", mine[i].id, mine[i].mountpoint, mine[i].fstype,
		    is_new_proc ? "(none)" : hp, cp,
		    is_new_proc ? "   <- new proc, only in this namespace" : "");
	}
	struct mount_entry *proc = &mine[nmine - 1];
	say("=> new /proc options: %s (nosuid %s, noexec %s, nodev %s)", proc->options,
	    mountinfo_has_option(proc->options, "nosuid") ? "yes" : "no",
	    mountinfo_has_option(proc->options, "noexec") ? "yes" : "no",
	    mountinfo_has_option(proc->options, "nodev") ? "yes" : "no");
	kill(helper, SIGKILL);
	if (waitpid(helper, NULL, 0) < 0)
		warn_errno("waitpid %d", (int)helper);
	return 0;
}

int main(int argc, char **argv)
{
	prog_name = "04-mount-proc";
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);

	char *before = slurp("/proc/self/mountinfo");
	char *copy = strdup(before);
	if (!copy)
		die("out of memory");
	char link[64];
	ns_link_read(0, "mnt", link, sizeof(link));
	say("=> host: pid %d, %s, %zu bytes of /proc/self/mountinfo", (int)getpid(), link,
	    strlen(before));

	step("cloning a child with CLONE_NEWPID|CLONE_NEWNS");
	pid_t child = clone3_fork(CLONE_NEWPID | CLONE_NEWNS, -1, NULL);
	if (child < 0)
		die_errno("clone3(CLONE_NEWPID|CLONE_NEWNS)");
	if (child == 0)
		_exit(child_main(copy));
	say("done (host pid %d)", (int)child);

	int status = wait_child(child);
	char sbuf[64];
	say("=> child %s; its mount namespace is gone with it", describe_status(status, sbuf, sizeof(sbuf)));

	char *after = slurp("/proc/self/mountinfo");
	int same = strcmp(before, after) == 0;
	say("=> host /proc/self/mountinfo before and after: %s", same ? "identical" : "DIFFERENT");
	if (!same)
		say("%s\n--- now ---\n%s", before, after);
	free(before);
	free(copy);
	free(after);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 && same) ? 0 : 1;
}
