/* 08-mini-docker/detach.c — `run -d`: the caller, the shim, and the word
 * between them. See runner.h. */
#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"


/* run -d: fork. The caller's process waits until the new one (the shim,
 * which watches the container from now on) reports "started, here is the
 * id" (0, id filled) or "failed with this status", and returns that; the
 * shim returns -1 and carries on with report_fd to send its word on. */
int detach_fork(int *report_fd, char id[65])
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		warn_errno("pipe2");
		return 125;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		warn_errno("fork");
		return 125;
	}
	if (pid > 0) {
		close(p[1]);
		char buf[80];
		size_t got = 0;
		ssize_t n;
		while (got < sizeof(buf) - 1 &&
		       ((n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0)
				got += (size_t)n;
		close(p[0]);
		buf[got] = '\0';
		if (got == 65 && buf[64] == '\n') {
			memcpy(id, buf, 64);
			id[64] = '\0';
			return 0;
		}
		return buf[0] == '!' ? atoi(buf + 1) : 125;
	}
	close(p[0]);
	/* A session of its own: Ctrl-C in the caller's terminal, or closing
	 * it, no longer reaches the shim (and so the container). */
	if (setsid() < 0)
		warn_errno("setsid");
	signal(SIGPIPE, SIG_IGN);
	*report_fd = p[1];
	return -1;
}

void detach_report(int *fd, const char *fmt, ...)
{
	if (*fd < 0)
		return;
	char buf[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(*fd, buf, strlen(buf)) < 0) {
		/* the caller is gone: the container runs on regardless */
	}
	close(*fd);
	*fd = -1;
}

/* The shim, once the caller has its answer: let go of the caller's
 * terminal (or of the pipe a $(...) waits on for EOF). stdout becomes the
 * log, where proxy_tty copies a -t container's output. */
void detach_let_go(const char *root, const char *id)
{
	char log[PATH_MAX + 160];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int logfd = ctr_log_path(root, id, log, sizeof(log)) < 0 ? -1 : open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (null >= 0 && logfd >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (null >= 0)
		close(null);
	if (logfd >= 0)
		close(logfd);
}
