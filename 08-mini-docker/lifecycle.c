/* 08-mini-docker/lifecycle.c — see lifecycle.h. These commands never own
 * a container: its runner (the `run` process, or the shim of `run -d`)
 * waits for it and records how it ended. They signal the container's PID
 * 1 and then wait for the runner to finish its bookkeeping. */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "pidns.h"
#include "run.h"
#include "state.h"
#include "statedir.h"

/* ---- pure helpers --------------------------------------------------------- */

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

const char *format_command(char *const *argv, int argc, size_t width, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < argc && len + 1 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", argv[i]);
	if (strlen(buf) > width && width >= 1 && width + 3 < size)
		strcpy(buf + width - 1, "\u2026");
	return buf;
}

/* Length (1 to 4) of the well-formed UTF-8 sequence at s, its code point
 * in *cp; 0 if the bytes are not one (overlong, a surrogate, cut short). */
static int utf8_seq(const unsigned char *s, unsigned *cp)
{
	unsigned min;
	int n;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, min = 0x80, *cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, min = 0x800, *cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, min = 0x10000, *cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) { /* a NUL ends it: 0x00 is no continuation byte */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* Code points that move or reorder text without being seen: C1 controls
 * (U+009B is CSI to some terminals, like ESC [), bidi overrides and
 * isolates, line and paragraph separators. */
static int invisible(unsigned cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029;
}

const char *escape_text(const char *s, int quote, char *buf, size_t size)
{
	static const char named[] = "\a\b\f\n\r\t\v", letter[] = "abfnrtv";
	size_t len = 0, room = size - (quote ? 2 : 1); /* the closing quote and NUL */
	if (quote)
		buf[len++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		char e[16];
		unsigned cp;
		int n = utf8_seq(p, &cp);
		const char *hit = *p < 0x20 ? strchr(named, *p) : NULL;
		if (n == 0)
			snprintf(e, sizeof(e), "\\x%02x", *p), n = 1;
		else if (hit)
			snprintf(e, sizeof(e), "\\%c", letter[hit - named]);
		else if (cp == '\\' || (quote && cp == '"'))
			snprintf(e, sizeof(e), "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7f)
			snprintf(e, sizeof(e), "\\x%02x", cp);
		else if (invisible(cp))
			snprintf(e, sizeof(e), "\\u%04x", cp);
		else
			snprintf(e, sizeof(e), "%.*s", n, (const char *)p);
		size_t elen = strlen(e);
		if (len + elen > room)
			break; /* whole escapes only: never half of one */
		memcpy(buf + len, e, elen);
		len += elen;
		p += n;
	}
	if (quote)
		buf[len++] = '"';
	buf[len] = '\0';
	return buf;
}

/* ---- shared --------------------------------------------------------------- */

struct ctx {
	char root[4096], run[4104];
};

/* The state directories, refused (one line, and the command exits 125)
 * if someone else could have planted or changed them. */
static int ctx_init(struct ctx *x)
{
	state_root(geteuid() != 0, x->root, sizeof(x->root));
	run_root(geteuid() != 0, x->run, sizeof(x->run));
	return state_check(x->root, x->run);
}

/* Find and load a container by name or id. 0, or -1 after saying why. */
static int find(const struct ctx *x, const char *what, struct ctr *c)
{
	char id[65], why[512];
	if (ctr_resolve(x->root, what, id, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	if (ctr_load(x->root, x->run, id, c) < 0) {
		fprintf(stderr, "mini-docker: container %s has no readable record\n", what);
		return -1;
	}
	return 0;
}

/* The records say "running"; bring them in line first if a runner died. */
static void reconcile(const struct ctx *x)
{
	if (access(x->root, W_OK) < 0)
		return;
	int lock = state_lock(x->root);
	if (lock >= 0) {
		state_reconcile(x->root, x->run);
		state_unlock(lock);
	}
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

/* Is anyone still looking after this container? */
static int active(const struct ctr *c)
{
	return c->status != CTR_EXITED && proc_is(c->runner, c->runner_start);
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
typedef int (*each_fn)(const struct ctx *x, struct ctr *r, const char *name, void *arg);
static int each(int argc, char **argv, each_fn fn, void *arg)
{
	struct ctx x;
	if (ctx_init(&x) < 0)
		return 125;
	reconcile(&x);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct ctr r;
		memset(&r, 0, sizeof(r));
		if (find(&x, argv[i], &r) < 0 || fn(&x, &r, argv[i], arg) < 0)
			rc = 1;
		ctr_free(&r);
	}
	return rc;
}

/* ---- ps ------------------------------------------------------------------- */

int cmd_ps(int argc, char **argv)
{
	int all = 0, quiet = 0, no_trunc = 0, c;
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' }, { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aq", longopts, NULL)) != -1) {
		if (c == 'a')
			all = 1;
		else if (c == 'q')
			quiet = 1;
		else if (c == 'T')
			no_trunc = 1;
		else {
			fprintf(stderr, "mini-docker: ps: unknown option '%s'; use -a (all), -q (ids only) "
				"or --no-trunc\n",
				argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mini-docker: ps takes no arguments, got '%s'\n", argv[optind]);
		return 1;
	}
	struct ctx x;
	if (ctx_init(&x) < 0)
		return 125;
	reconcile(&x);
	struct ctr *cs;
	int n = ctr_list(x.root, x.run, &cs);
	time_t now = time(NULL);
	if (!quiet)
		printf("%-12s   %-16s %-16s %-22s %-24s %-28s %s\n", "CONTAINER ID", "NAME", "IMAGE",
		       "COMMAND", "CREATED", "STATUS", "PID");
	for (int i = 0; i < n; i++) {
		struct ctr *r = &cs[i];
		if (all || r->status == CTR_RUNNING) {
			char cmd[4096], quoted[4096], image[1024], created[64], ago[80], status[96];
			char pid[16] = "-";
			if (quiet) {
				printf("%.12s\n", r->id);
			} else {
				/* A command is the container's text: raw, an ESC in it
				 * would be obeyed by the terminal that runs ps. */
				format_command(r->argv, r->argc, no_trunc ? sizeof(cmd) : 20, cmd, sizeof(cmd));
				escape_text(cmd, 1, quoted, sizeof(quoted));
				escape_text(r->image, 0, image, sizeof(image));
				snprintf(ago, sizeof(ago), "%s ago",
					 human_duration(now - r->created.tv_sec, created, sizeof(created)));
				if (r->status == CTR_RUNNING)
					snprintf(pid, sizeof(pid), "%d", (int)r->pid);
				printf("%-12.12s   %-16s %-16s %-22s %-24s %-28s %s\n", r->id, r->name, image,
				       quoted, ago, format_status(r, now, status, sizeof(status)), pid);
			}
		}
		ctr_free(r);
	}
	free(cs);
	return 0;
}

/* ---- logs ----------------------------------------------------------------- */

static int copy_out(int fd)
{
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

/* The log, opened beneath its directory, following no symlink. */
static int open_log(const char *path)
{
	const char *name;
	int dfd = sd_open_parent(path, &name);
	if (dfd < 0)
		return -1;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err = errno;
	close(dfd);
	errno = err;
	return fd;
}

int cmd_logs(int argc, char **argv)
{
	int follow = 0, c;
	static const struct option longopts[] = { { "follow", no_argument, NULL, 'f' }, { 0 } };
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		if (c != 'f') {
			fprintf(stderr, "mini-docker: logs: unknown option '%s'; use -f to follow\n",
				argv[optind - 1]);
			return 1;
		}
		follow = 1;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "mini-docker: usage: mini-docker logs [-f] CONTAINER\n");
		return 1;
	}
	struct ctx x;
	struct ctr r;
	if (ctx_init(&x) < 0)
		return 125;
	if (find(&x, argv[optind], &r) < 0)
		return 1;
	char path[PATH_MAX + 200];
	ctr_dir(x.root, r.id, path, sizeof(path));
	strcat(path, "/container.log");
	int rc = 1, fd = open_log(path);
	if (fd < 0) {
		if (errno == ENOENT && !r.detached) {
			/* its output went to the terminal of the `run` that started it */
			ctr_free(&r);
			return 0;
		}
		warn_errno("open %s", path);
		goto out;
	}
	if (copy_out(fd) < 0)
		goto out;
	if (follow && active(&r)) {
		/* Follow until the runner is gone: a pidfd becomes readable when
		 * its process ends. Read what came meanwhile each time. */
		int pfd = pidfd_open_pid(r.runner);
		while (pfd >= 0 && proc_is(r.runner, r.runner_start)) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };
			int e = poll(&p, 1, 200);
			if (copy_out(fd) < 0 || e != 0)
				break;
		}
		if (pfd >= 0)
			close(pfd);
		copy_out(fd);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	ctr_free(&r);
	return rc;
}

/* ---- inspect -------------------------------------------------------------- */

int cmd_inspect(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "mini-docker: usage: mini-docker inspect CONTAINER...\n");
		return 1;
	}
	struct ctx x;
	if (ctx_init(&x) < 0)
		return 125;
	reconcile(&x);
	json_object *out = json_object_new_array();
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct ctr r;
		if (find(&x, argv[i], &r) < 0) {
			rc = 1;
			continue;
		}
		char *s = ctr_to_json(&r, 0), dir[PATH_MAX + 200], p[PATH_MAX + 240];
		json_object *o = json_tokener_parse(s), *st, *gd;
		free(s);
		/* what the record cannot know by itself: live pid, paths */
		json_object_object_get_ex(o, "State", &st);
		int running = ctr_running(&r);
		json_object_object_add(st, "Running", json_object_new_boolean(running));
		json_object_object_add(st, "Pid", json_object_new_int(running ? r.pid : 0));
		ctr_dir(x.root, r.id, dir, sizeof(dir));
		json_object_object_get_ex(o, "GraphDriver", &gd);
		json_object *data = json_object_new_object();
		snprintf(p, sizeof(p), "%s/upper", dir);
		json_object_object_add(data, "UpperDir", json_object_new_string(p));
		snprintf(p, sizeof(p), "%s/work", dir);
		json_object_object_add(data, "WorkDir", json_object_new_string(p));
		/* The overlay is mounted in the container's mount namespace only;
		 * from the host its merged view is /proc/PID/root. */
		if (running)
			snprintf(p, sizeof(p), "/proc/%d/root", (int)r.pid);
		else
			snprintf(p, sizeof(p), "%s/merged", dir);
		json_object_object_add(data, "MergedDir", json_object_new_string(p));
		json_object_object_add(gd, "Name", json_object_new_string("overlay2"));
		json_object_object_add(gd, "Data", data);
		snprintf(p, sizeof(p), "%s/container.log", dir);
		json_object_object_add(o, "LogPath", json_object_new_string(r.detached ? p : ""));
		if (!r.rootless) {
			struct cgroup cg;
			if (cg_lookup(&cg, r.id, CG_CPU | CG_MEMORY | CG_PIDS) == 0) {
				json_object *paths = json_object_new_array();
				for (int d = 0; d < cg.ndirs; d++)
					json_object_array_add(paths, json_object_new_string(cg.dirs[d].path));
				json_object_object_add(o, "CgroupPaths", paths);
			}
		}
		json_object_array_add(out, o);
		ctr_free(&r);
	}
	printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(out);
	return rc;
}

/* ---- stop, kill, rm --------------------------------------------------------- */

static int stop_one(const struct ctx *x, struct ctr *r, const char *name, void *arg)
{
	(void)x;
	/* SIGTERM first: a PID 1 only gets the signals it has a handler
	 * for, so a command that ignores SIGTERM runs on until SIGKILL,
	 * which the kernel always delivers from outside the namespace. */
	if (active(r) && kill_and_wait(r, SIGTERM, (int)*(long *)arg * 1000) < 0)
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
};

static int start_one(const struct ctx *x, struct ctr *r, const char *name, void *arg)
{
	(void)x;
	const struct start_args *a = arg;
	if (active(r)) { /* docker start of a running container: nothing to do */
		printf("%s\n", name);
		return 0;
	}
	int rc = start_container(r, a->attach, a->interactive, a->verbose);
	return a->attach ? rc : (rc == 0 ? 0 : -1);
}

int cmd_start(int argc, char **argv)
{
	struct start_args a = { 0, 0, 0 };
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
	if (!a.attach)
		return each(argc, argv, start_one, &a);
	struct ctx x;
	struct ctr r;
	if (ctx_init(&x) < 0)
		return 125;
	reconcile(&x);
	memset(&r, 0, sizeof(r));
	int rc = find(&x, argv[optind], &r) < 0 ? 1 : start_one(&x, &r, argv[optind], &a);
	ctr_free(&r);
	return rc;
}

static int kill_one(const struct ctx *x, struct ctr *r, const char *name, void *arg)
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

static int rm_one(const struct ctx *x, struct ctr *r, const char *name, void *arg)
{
	if (active(r)) {
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
		if (active(&now)) {
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
