/* 08-mini-docker/main.c — `mini-docker run`: a container from the earlier
 * stages' modules (01 ns/uts, 02 userns, 04 mounts, 05 cgroup, 06 spawn,
 * 07 overlay), following the blog's run/init design.
 * Reproduces: notes 000 "building the container" (run + init, proc mounted
 * nosuid/noexec/nodev, the command exec'd as PID 1) and "Docker's cgroup per
 * container" (cpu.max, memory.max, pids.max). Invoked as `demo`, it narrates a
 * sample run. See namespaces(7), pivot_root(2), capabilities(7). */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "options.h"
#include "run.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mini-docker run [OPTIONS] COMMAND [ARG...]\n"
		"       mini-docker run --help\n"
		"A Docker-like container runner, built one kernel feature at a time.\n"
		"Set MINI_DOCKER_VERBOSE=1 to see each setup step.\n");
}

static int demo(const char *self)
{
	char *argv[] = {
		"run", "--rm", "--hostname", "box", "-m", "64m", "--cpus", "0.5", "--pids-limit", "32",
		"sh", "-c",
		"echo \"hostname: $(hostname)\"; echo \"pid: $$\"; echo 'processes:'; ps -o pid,comm;"
		" echo \"cgroup: $(cat /proc/self/cgroup | head -n 3 | tr '\\n' ' ')\";"
		" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; echo 'mounts:';"
		" cut -d' ' -f2,3 /proc/mounts | head -n 8",
		NULL
	};
	(void)self;
	printf("=> mini-docker run --rm --hostname box -m 64m --cpus 0.5 --pids-limit 32 sh -c '...'\n");
	struct run_opts o;
	char why[512];
	if (options_parse(12, argv, &o, why, sizeof(why)) != 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	fflush(stdout);
	int rc = run_container(&o, 1);
	printf("=> exit status %d\n", rc);
	return rc;
}

int main(int argc, char **argv)
{
	prog_name = "mini-docker";
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *verbose_env = getenv("MINI_DOCKER_VERBOSE");
	int verbose = verbose_env && strcmp(verbose_env, "0") != 0;
	if (strcmp(basename(argv[0]), "demo") == 0 && argc == 1)
		return demo(argv[0]);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 125 : 0;
	}
	if (strcmp(argv[1], "run") != 0) {
		fprintf(stderr, "mini-docker: unknown command '%s'; the commands are: run\n", argv[1]);
		return 125;
	}
	struct run_opts o;
	char why[512];
	int r = options_parse(argc - 1, argv + 1, &o, why, sizeof(why));
	if (r == 1)
		return 0;
	if (r < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	return run_container(&o, verbose);
}
