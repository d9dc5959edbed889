/* 08-mini-docker/options.c — see options.h. */
#define _GNU_SOURCE
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgvalue.h"
#include "common.h"
#include "seccomp_profile.h"
#include "uts.h"

void options_usage(void)
{
	printf("usage: mini-docker run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	       "Run COMMAND (default: the image's own) as PID 1 of a new container: new UTS,\n"
	       "PID, mount, IPC, network and cgroup namespaces, an overlay root over the image,\n"
	       "limits. IMAGE is NAME[:TAG] or an id from 'mini-docker images', or an absolute\n"
	       "path to a root filesystem directory.\n"
	       "  -d, --detach             run in the background; print the container id\n"
	       "  -i, --interactive        keep stdin attached\n"
	       "  -t, --tty                give the container a terminal\n"
	       "      --rm                 remove the container when it exits\n"
	       "      --name NAME          container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)\n"
	       "      --hostname NAME      hostname inside (default: the short id)\n"
	       "      --rootfs DIR         a root filesystem directory instead of IMAGE\n"
	       "  -m, --memory SIZE        memory limit, like 64m or 1g\n"
	       "      --cpus N             CPU limit, like 0.5\n"
	       "      --pids-limit N       at most N processes\n"
	       "  -e, --env KEY=VALUE      set an environment variable\n"
	       "  -w, --workdir DIR        working directory inside (absolute)\n"
	       "  -v, --volume HOST:CTR[:ro]  bind-mount a host directory or file\n"
	       "      --rootless           no root needed: a user namespace maps you to 0\n"
	       "      --init               run a small init as PID 1 that reaps and forwards signals\n"
	       "  -u, --user USER[:GROUP]  run as this user (names from the image's /etc/passwd)\n"
	       "      --entrypoint CMD     run CMD instead of the image's entrypoint (\"\": none)\n"
	       "      --network MODE       bridge (default; --rootless: none), none, host,\n"
	       "                           container:NAME (join its network namespace)\n"
	       "  -p, --publish [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]  publish a port (bridge)\n"
	       "      --security-opt seccomp=PROFILE.json|unconfined\n"
	       "                           the seccomp profile (default: " SECCOMP_DEFAULT_PROFILE
	       "\n                           with Docker's rules for mount, unshare, clone, keyctl)\n"
	       "      --help               this text\n"
	       "Exit status: the command's; 125 mini-docker failed; 126 not executable;\n"
	       "127 not found; 128+N killed by signal N (137: SIGKILL, often the OOM killer).\n"
	       "With -d: 0 once the container runs, or the same failure codes.\n");
}

int name_check(const char *name, char *why, size_t why_size)
{
	size_t len = strlen(name);
	int ok = len >= 1 && len <= 63;
	for (size_t i = 0; ok && i < len; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		ok = alnum || (i > 0 && (c == '_' || c == '.' || c == '-'));
	}
	if (!ok)
		snprintf(why, why_size, "--name '%s' is not valid; use 1-63 characters from "
			 "[a-zA-Z0-9_.-], starting with a letter or digit", name);
	return ok ? 0 : -1;
}

int env_check(const char *kv, char *why, size_t why_size)
{
	const char *eq = strchr(kv, '=');
	int ok = eq && eq != kv && !(kv[0] >= '0' && kv[0] <= '9');
	for (const char *p = kv; ok && p < eq; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '_';
	if (!ok)
		snprintf(why, why_size, "-e '%s' is not valid; use KEY=VALUE with KEY made of "
			 "letters, digits and '_', not starting with a digit", kv);
	return ok ? 0 : -1;
}

int volume_parse(const char *spec, struct volume *v, char *buf, size_t buf_size,
		 char *why, size_t why_size)
{
	if (strlen(spec) >= buf_size)
		goto bad;
	strcpy(buf, spec);
	char *host = buf, *ctr = strchr(buf, ':');
	if (!ctr)
		goto bad;
	*ctr++ = '\0';
	char *mode = strchr(ctr, ':');
	v->readonly = 0;
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			v->readonly = 1;
		else if (strcmp(mode, "rw") != 0)
			goto bad;
	}
	if (host[0] != '/' || ctr[0] != '/') {
		snprintf(why, why_size, "-v '%s': both paths must be absolute", spec);
		return -1;
	}
	if (path_has_dotdot(host) || path_has_dotdot(ctr)) {
		snprintf(why, why_size, "-v '%s': '..' is not allowed in volume paths", spec);
		return -1;
	}
	if (strcmp(ctr, "/") == 0) {
		snprintf(why, why_size, "-v '%s': cannot mount over the container's /", spec);
		return -1;
	}
	v->host = host;
	v->container = ctr;
	return 0;
bad:
	snprintf(why, why_size, "-v '%s' is not valid; use HOST:CONTAINER or HOST:CONTAINER:ro", spec);
	return -1;
}

static int parse_count(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 4194304)
		return -1;
	*out = v;
	return 0;
}

int seccomp_opt_check(const char *value, char *why, size_t why_size)
{
	if (value[0] == '/' || strcmp(value, "unconfined") == 0)
		return 0;
	snprintf(why, why_size, "--security-opt seccomp='%s' is not valid; give an absolute path "
		 "to a profile in Docker's JSON format, or 'unconfined'", value);
	return -1;
}

/* --security-opt: seccomp=PROFILE|unconfined; no-new-privileges is
 * accepted and always in force. */
static int security_opt(const char *v, struct run_opts *o, char *why, size_t why_size)
{
	if (strncmp(v, "seccomp=", 8) == 0 || strncmp(v, "seccomp:", 8) == 0) {
		if (seccomp_opt_check(v + 8, why, why_size) < 0)
			return -1;
		o->seccomp = v + 8;
		return 0;
	}
	if (strcmp(v, "no-new-privileges") == 0 || strcmp(v, "no-new-privileges=true") == 0 ||
	    strcmp(v, "no-new-privileges:true") == 0)
		return 0;
	snprintf(why, why_size, "--security-opt '%.60s' is not supported; use seccomp=PROFILE.json, "
		 "seccomp=unconfined or no-new-privileges", v);
	return -1;
}

/* --memory, --cpus, --pids-limit: 05's parsers, a reason naming the value. */
static int limit_option(int c, const char *arg, struct run_opts *o, char *why, size_t why_size)
{
	char inner[256];
	switch (c) {
	case 'm':
		if (parse_size(arg, &o->memory, inner, sizeof(inner)) < 0) {
			snprintf(why, why_size, "--memory: %s", inner);
			return -1;
		}
		if (o->memory != CG_MAX && o->memory < (6LL << 20)) {
			snprintf(why, why_size, "--memory '%s' is below the minimum of 6m", arg);
			return -1;
		}
		break;
	case 'c':
		if (parse_cpus(arg, o->cpu_period, &o->cpu_quota, inner, sizeof(inner)) < 0) {
			snprintf(why, why_size, "--cpus: %s", inner);
			return -1;
		}
		break;
	case 'L':
		if (parse_count(arg, &o->pids) < 0) {
			snprintf(why, why_size, "--pids-limit '%s' is not valid; give a whole "
				 "number from 1 to 4194304", arg);
			return -1;
		}
		break;
	}
	return 0;
}

/* The options that take a value (but the limits). */
static int value_option(int c, char *arg, struct run_opts *o, const char **rootfs,
			char *why, size_t why_size)
{
	char inner[256];
	switch (c) {
	case 'N':
		if (name_check(arg, why, why_size) < 0)
			return -1;
		o->name = arg;
		break;
	case 'H':
		if (hostname_check(arg, inner, sizeof(inner)) < 0) {
			snprintf(why, why_size, "--hostname: %s", inner);
			return -1;
		}
		o->hostname = arg;
		break;
	case 'r':
		if (arg[0] != '/') {
			snprintf(why, why_size, "--rootfs '%s' must be an absolute path", arg);
			return -1;
		}
		*rootfs = arg;
		break;
	case 'e':
		if (env_check(arg, why, why_size) < 0)
			return -1;
		if (o->nenv == MAX_ENV) {
			snprintf(why, why_size, "more than %d -e options", MAX_ENV);
			return -1;
		}
		o->env[o->nenv++] = arg;
		break;
	case 'w':
		if (arg[0] != '/' || path_has_dotdot(arg)) {
			snprintf(why, why_size, "--workdir '%s' must be an absolute path "
				 "without '..'", arg);
			return -1;
		}
		o->workdir = arg;
		break;
	case 'v':
		if (o->nvol == MAX_VOLUMES) {
			snprintf(why, why_size, "more than %d -v options", MAX_VOLUMES);
			return -1;
		}
		if (volume_parse(arg, &o->vol[o->nvol], o->volbuf[o->nvol], sizeof(o->volbuf[0]),
				 why, why_size) < 0)
			return -1;
		o->nvol++;
		break;
	case 'u':
		if (!arg[0] || strlen(arg) > 63 || strchr(arg, '\n')) {
			snprintf(why, why_size, "--user '%.60s' is not valid; use USER[:GROUP], "
				 "names or numbers", arg);
			return -1;
		}
		o->user = arg;
		break;
	case 'E':
		o->entrypoint = arg;
		break;
	case 'S':
		if (security_opt(arg, o, why, why_size) < 0)
			return -1;
		break;
	case 'n':
		return network_parse(arg, &o->network, &o->net_target, why, why_size);
	case 'p':
		if (o->nports == MAX_PORTS) {
			snprintf(why, why_size, "more than %d -p options", MAX_PORTS);
			return -1;
		}
		if (port_parse(arg, &o->ports[o->nports], why, why_size) < 0)
			return -1;
		o->port_spec[o->nports++] = arg;
		break;
	}
	return 0;
}

/* One option: c as getopt_long returned it, arg its value. 0 to go on;
 * 1 for --help; -1 with the reason in why. */
static int one_option(int c, char *arg, char **argv, struct run_opts *o, const char **rootfs,
		      char *why, size_t why_size)
{
	if (c > 0 && strchr("mcL", c))
		return limit_option(c, arg, o, why, why_size);
	if (c > 0 && strchr("NHrewvuESnp", c))
		return value_option(c, arg, o, rootfs, why, why_size);
	switch (c) {
	case 'd': o->detach = 1; break;
	case 'i': o->interactive = 1; break;
	case 't': o->tty = 1; break;
	case 'R': o->rm = 1; break;
	case 'U': o->rootless = 1; break;
	case 'I': o->init = 1; break;
	case 'h':
		return 1;
	case '?':
	default:
		if (optopt)
			snprintf(why, why_size, "unknown option '-%c'; see 'mini-docker run --help'", optopt);
		else
			snprintf(why, why_size, "unknown option '%s'; see 'mini-docker run --help'",
				 argv[optind - 1]);
		return -1;
	case ':':
		snprintf(why, why_size, "option '%s' needs a value", argv[optind - 1]);
		return -1;
	}
	return 0;
}

/* --network and -p together: -p needs a network of the container's own
 * behind NAT; --rootless gets only lo (no veth can be made for it
 * unprivileged: see NETWORK.md, "left to do"); two -p may not want one
 * host port. */
static int net_options_check(struct run_opts *o, char *why, size_t why_size)
{
	if (o->rootless && o->network != NET_DEFAULT && o->network != NET_NONE) {
		snprintf(why, why_size, "--network %s needs root; --rootless containers have only "
			 "a loopback network (--network none)", network_name(o->network));
		return -1;
	}
	if (o->nports && o->rootless) {
		snprintf(why, why_size, "-p needs root; --rootless containers have only a loopback "
			 "network (--network none)");
		return -1;
	}
	if (o->nports && o->network != NET_DEFAULT && o->network != NET_BRIDGE) {
		snprintf(why, why_size, "-p needs --network bridge, not --network %s",
			 network_name(o->network));
		return -1;
	}
	for (int i = 0; i < o->nports; i++)
		for (int j = 0; j < i; j++)
			if (ports_clash(&o->ports[i], &o->ports[j])) {
				snprintf(why, why_size, "-p '%s' and -p '%s' publish the same host port",
					 o->port_spec[j], o->port_spec[i]);
				return -1;
			}
	return 0;
}

int options_parse(int argc, char **argv, struct run_opts *o, char *why, size_t why_size)
{
	static const struct option longopts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "rm", no_argument, NULL, 'R' },
		{ "name", required_argument, NULL, 'N' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "rootfs", required_argument, NULL, 'r' },
		{ "memory", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "pids-limit", required_argument, NULL, 'L' },
		{ "network", required_argument, NULL, 'n' },
		{ "net", required_argument, NULL, 'n' },
		{ "publish", required_argument, NULL, 'p' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "volume", required_argument, NULL, 'v' },
		{ "rootless", no_argument, NULL, 'U' },
		{ "init", no_argument, NULL, 'I' },
		{ "user", required_argument, NULL, 'u' },
		{ "entrypoint", required_argument, NULL, 'E' },
		{ "security-opt", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	memset(o, 0, sizeof(*o));
	const char *rootfs = NULL;
	o->memory = o->cpu_quota = o->pids = -1;
	o->cpu_period = 100000;
	int c, r;
	optind = 1;
	opterr = 0;
	/* "+": stop at the first non-option, so the command's own flags
	 * (sh -c ...) are not taken for ours. */
	while ((c = getopt_long(argc, argv, "+:ditm:e:w:v:u:p:", longopts, NULL)) != -1)
		if ((r = one_option(c, optarg, argv, o, &rootfs, why, why_size)) != 0)
			return r;
	if (rootfs) {
		o->image = rootfs;
	} else if (optind < argc) {
		o->image = argv[optind++];
		if (o->image[0] == '\0') {
			snprintf(why, why_size, "the image name is empty; give NAME[:TAG] or an absolute directory");
			return -1;
		}
	} else {
		snprintf(why, why_size, "no image given; usage: mini-docker run [OPTIONS] IMAGE [COMMAND [ARG...]]");
		return -1;
	}
	if (o->rootless && (o->memory != -1 || o->cpu_quota != -1 || o->pids != -1)) {
		snprintf(why, why_size, "--rootless runs without a cgroup of its own: drop "
			 "--memory, --cpus and --pids-limit (they need root or a delegated cgroup)");
		return -1;
	}
	if (net_options_check(o, why, why_size) < 0)
		return -1;
	o->argv = argv + optind;
	return 0;
}

int options_check_paths(const struct run_opts *o, char *why, size_t why_size)
{
	struct stat st;
	for (int i = 0; i < o->nvol; i++) {
		if (stat(o->vol[i].host, &st) < 0) {
			snprintf(why, why_size, "-v: host path '%s' does not exist", o->vol[i].host);
			return -1;
		}
	}
	return 0;
}
