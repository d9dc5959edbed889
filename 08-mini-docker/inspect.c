/* 08-mini-docker/inspect.c — the commands that look and change nothing
 * (ps, logs; inspect is inspectcmd.c), and the escaping that makes a container's text safe
 * to print on the terminal that asked (see lifecycle.h). */
#define _GNU_SOURCE
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "common.h"
#include "pidns.h"
#include "state.h"
#include "statedir.h"

/* ---- pure helpers --------------------------------------------------------- */

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
	struct store x;
	if (store_open(&x) < 0)
		return 125;
	store_reconcile(&x);
	struct ctr *cs;
	int n = ctr_list(x.root, x.run, &cs);
	if (n < 0)
		return 125;
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
	struct store x;
	struct ctr r;
	if (store_open(&x) < 0)
		return 125;
	if (store_find(&x, argv[optind], &r) < 0)
		return 1;
	char path[PATH_MAX + 200];
	if (ctr_log_path(x.root, r.id, path, sizeof(path)) < 0) {
		warn_errno("logs: the log of %.12s in %s", r.id, x.root);
		ctr_free(&r);
		return 1;
	}
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
	if (follow && ctr_active(&r)) {
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
