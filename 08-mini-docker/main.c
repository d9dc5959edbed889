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

#include <unistd.h>

#include "common.h"
#include "exec.h"
#include "image.h"
#include "lifecycle.h"
#include "options.h"
#include "run.h"
#include "selfexe.h"
#include "state.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mini-docker COMMAND [ARG...]\n"
		"A Docker-like container runner, built one kernel feature at a time.\n"
		"Containers:\n"
		"  run [OPTIONS] IMAGE [COMMAND...]   start a container (run --help for options)\n"
		"  ps [-a] [-q]                       list running (-a: all) containers\n"
		"  logs [-f] CONTAINER                its output (not kept with --rm)\n"
		"  inspect [-f FORMAT] NAME...        a container's record, or an image, as JSON\n"
		"  exec [-i] [-t] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND...   run inside it\n"
		"  stop [-t SECONDS] CONTAINER...     SIGTERM, then SIGKILL after SECONDS (10)\n"
		"  kill [-s SIGNAL] CONTAINER...      send a signal (default KILL)\n"
		"  start [-a] [-i] CONTAINER...       run a stopped one again (-a: attached)\n"
		"  rm [-f] CONTAINER...               remove (-f: a running one too)\n"
		"Images:\n"
		"  images [-q] [--no-trunc]           list them\n"
		"  image inspect|history|ls|rm|tag|save ...   the same as the commands below\n"
		"  history [-H=false] [--no-trunc] [-q] IMAGE   its layers, from its config\n"
		"  tag SOURCE TARGET                  give an image one more name\n"
		"  save [-o FILE] IMAGE...            a docker-save archive (stdout without -o)\n"
		"  import FILE|- NAME[:TAG]           a rootfs tarball as a one-layer image\n"
		"  load -i FILE|DIR                   a docker-save archive or an OCI layout\n"
		"  commit [-m MSG] [-c 'CMD [...]'] CONTAINER NAME[:TAG]   its changes as a new layer\n"
		"  rmi [-f] IMAGE...                  untag a name; an id: delete the image\n"
		"Set MINI_DOCKER_VERBOSE=1 to see each setup step of run.\n");
}

static int demo(const char *self)
{
	char *argv[] = {
		"run", "--rm", "--hostname", "box", "-m", "64m", "--cpus", "0.5", "--pids-limit", "32",
		"busybox", "sh", "-c",
		"echo \"hostname: $(hostname)\"; echo \"pid: $$\"; echo 'processes:'; ps -o pid,comm;"
		" echo \"cgroup: $(cat /proc/self/cgroup | head -n 3 | tr '\\n' ' ')\";"
		" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; echo 'mounts:';"
		" cut -d' ' -f2,3 /proc/mounts | head -n 8",
		NULL
	};
	(void)self;
	printf("=> mini-docker run --rm --hostname box -m 64m --cpus 0.5 --pids-limit 32 busybox sh -c '...'\n");
	struct run_opts o;
	char why[512];
	if (options_parse(13, argv, &o, why, sizeof(why)) != 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	fflush(stdout);
	int rc = run_container(&o, 1);
	printf("=> exit status %d\n", rc);
	return rc;
}

static const char *const image_usages[][2] = {
	{ "images", "mini-docker images [-q] [--no-trunc]" },
	{ "import", "mini-docker import FILE.tar[.gz]|- NAME[:TAG]" },
	{ "load", "mini-docker load -i FILE.tar|OCI-LAYOUT-DIR" },
	{ "commit", "mini-docker commit [-m MSG] [-c 'CMD [...]'|'ENTRYPOINT [...]'|'ENV K=V'|'WORKDIR /d'] "
		    "CONTAINER NAME[:TAG]" },
	{ "rmi", "mini-docker rmi [-f] IMAGE..." },
	{ "tag", "mini-docker tag SOURCE TARGET" },
	{ "history", "mini-docker history [-H=false] [--no-trunc] [-q] IMAGE" },
	{ "save", "mini-docker save [-o FILE] IMAGE..." },
};

/* The flags of images (-q, --no-trunc) and rmi (-f): each pointer that is
 * not NULL is a flag the command takes. The index of the first argument
 * after them, or -1 for a flag the command does not take. */
static int flags(int ac, char **av, int *quiet, int *no_trunc, int *force)
{
	int k = 1;
	for (; k < ac && av[k][0] == '-' && av[k][1]; k++) {
		const char *f = av[k];
		if (quiet && (!strcmp(f, "-q") || !strcmp(f, "--quiet")))
			*quiet = 1;
		else if (no_trunc && !strcmp(f, "--no-trunc"))
			*no_trunc = 1;
		else if (force && (!strcmp(f, "-f") || !strcmp(f, "--force")))
			*force = 1;
		else
			return -1;
	}
	return k;
}

/* The image commands that read the store (images, history) and those that
 * change it (the others, root only). The exit status, or -1 if cmd is
 * none of them. */
static int image_command(const char *cmd, int ac, char **av)
{
	size_t i = 0, n = sizeof(image_usages) / sizeof(image_usages[0]);
	while (i < n && strcmp(cmd, image_usages[i][0]) != 0)
		i++;
	if (i == n)
		return -1;
	int reads = !strcmp(cmd, "images") || !strcmp(cmd, "history") || !strcmp(cmd, "save");
	/* the image store keeps file owners and makes whiteout device nodes */
	if (!reads && geteuid() != 0) {
		fprintf(stderr, "mini-docker: %s needs root: image layers keep file owners and "
			"device nodes\n", cmd);
		return 1;
	}
	char root[4096], run[4104];
	state_root(geteuid() != 0, root, sizeof(root));
	run_root(geteuid() != 0, run, sizeof(run));
	int quiet = 0, no_trunc = 0, force = 0, k;
	if (!strcmp(cmd, "images") && (k = flags(ac, av, &quiet, &no_trunc, NULL)) == ac)
		return image_list(root, quiet, no_trunc);
	if (!strcmp(cmd, "history"))
		return image_history(root, ac, av);
	if (!strcmp(cmd, "save"))
		return image_save(root, ac, av);
	if (!strcmp(cmd, "commit"))
		return image_commit(root, run, ac, av);
	if (strcmp(cmd, "import") == 0 && ac == 3)
		return image_import(root, av[1], av[2]);
	if (strcmp(cmd, "load") == 0 && ac == 3 && (!strcmp(av[1], "-i") || !strcmp(av[1], "--input")))
		return image_load(root, av[2]);
	if (!strcmp(cmd, "tag") && ac == 3)
		return image_tag_cmd(root, av[1], av[2]);
	if (!strcmp(cmd, "rmi") && (k = flags(ac, av, NULL, NULL, &force)) > 0 && k < ac) {
		int rc = 0;
		for (; k < ac; k++)
			rc |= image_rmi(root, av[k], force);
		return rc;
	}
	fprintf(stderr, "mini-docker: usage: %s\n", image_usages[i][1]);
	return 125;
}

/* `image SUB ...`: Docker's management-command spelling of the same. */
static int image_management(int ac, char **av)
{
	static const char *const subs[][2] = {
		{ "ls", "images" }, { "list", "images" }, { "rm", "rmi" }, { "remove", "rmi" },
		{ "history", "history" }, { "tag", "tag" }, { "save", "save" }, { "load", "load" },
		{ "import", "import" }, { "inspect", "inspect" },
	};
	for (size_t i = 0; ac >= 2 && i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(av[1], subs[i][0]) != 0)
			continue;
		av[1] = (char *)subs[i][1];
		if (strcmp(subs[i][1], "inspect") != 0)
			return image_command(subs[i][1], ac - 1, av + 1);
		/* inspect, images only: the same command with --type image */
		char **args = calloc((size_t)ac + 2, sizeof(char *));
		if (!args)
			return 125;
		args[0] = "inspect";
		args[1] = "--type=image";
		memcpy(args + 2, av + 2, (size_t)(ac - 2) * sizeof(char *));
		int rc = cmd_inspect(ac, args);
		free(args);
		return rc;
	}
	fprintf(stderr, "mini-docker: usage: mini-docker image inspect|history|ls|rm|tag|save|load|import ...\n");
	return 125;
}

static int run_command(int ac, char **av, int verbose)
{
	struct run_opts o;
	char why[512];
	int r = options_parse(ac, av, &o, why, sizeof(why));
	if (r == 1) {
		options_usage();
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return 125;
	}
	return run_container(&o, verbose);
}

int main(int argc, char **argv)
{
	prog_name = "mini-docker";
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *verbose_env = getenv("MINI_DOCKER_VERBOSE");
	int verbose = verbose_env && strcmp(verbose_env, "0") != 0;
	if (strcmp(basename(argv[0]), "demo") == 0 && argc == 1)
		return selfexe_sealed(argv) < 0 ? 125 : demo(argv[0]);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 125 : 0;
	}
	const char *cmd = argv[1];
	/* The commands that put our code into a container run from a sealed
	 * copy of the binary (selfexe.h): the others never enter one. */
	if ((!strcmp(cmd, "run") || !strcmp(cmd, "start") || !strcmp(cmd, "exec")) &&
	    selfexe_sealed(argv) < 0)
		return 125;
	static const struct { const char *name; int (*fn)(int, char **); } table[] = {
		{ "ps", cmd_ps }, { "logs", cmd_logs }, { "inspect", cmd_inspect },
		{ "exec", cmd_exec }, { "stop", cmd_stop }, { "kill", cmd_kill }, { "rm", cmd_rm },
		{ "start", cmd_start },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(cmd, table[i].name) == 0)
			return table[i].fn(argc - 1, argv + 1);
	if (strcmp(cmd, "image") == 0)
		return image_management(argc - 1, argv + 1);
	int rc = image_command(cmd, argc - 1, argv + 1);
	if (rc >= 0)
		return rc;
	if (strcmp(cmd, "run") == 0)
		return run_command(argc - 1, argv + 1, verbose);
	fprintf(stderr, "mini-docker: unknown command '%s'; the commands are: run ps logs "
		"inspect exec stop start kill rm images image import load commit rmi tag history save\n", cmd);
	return 125;
}
