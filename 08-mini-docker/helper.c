/* 08-mini-docker/helper.c — see helper.h. */
#define _GNU_SOURCE
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "digest.h"

extern char **environ;

volatile sig_atomic_t helper_stop;

/* The helper sits next to mini-docker's own binary: /proc/self/exe names
 * that file whatever the working directory or $PATH (no search, so no
 * other program of that name can stand in for it). */
static int helper_path(char *out, size_t size, char *why, size_t why_size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		snprintf(why, why_size, "readlink /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(out, size, "%s/mini-docker-layer", self) >= (int)size) {
		snprintf(why, why_size, "helper path too long: %s/mini-docker-layer", self);
		return -1;
	}
	return 0;
}

/* The helper's one stdout line from fd, then its exit status. A stop
 * signal interrupts read and waitpid (the handler has no SA_RESTART):
 * pass it on once, then wait for the helper to go. waitpid's result. */
static int read_and_reap(pid_t pid, int fd, char *line, size_t line_size, int *status)
{
	size_t len = 0;
	ssize_t n;
	int told = 0, waited;
	for (;;) {
		if (helper_stop && !told)
			told = kill(pid, SIGTERM) == 0;
		n = read(fd, line + len, line_size - 1 - len);
		if (n > 0 && (len += (size_t)n) < line_size - 1)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	while ((waited = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		if (helper_stop && !told)
			told = kill(pid, SIGTERM) == 0;
	return waited;
}

/* Run the helper with args and in_fd (if >= 0) as its stdin, its one
 * stdout line in line. posix_spawn is vfork-like (the child borrows our
 * memory until it execs), so a spawn costs no copy of our page tables. */
static int helper(char *const args[], int in_fd, char *line, size_t line_size, char *why,
		  size_t why_size)
{
	char path[PATH_MAX];
	if (helper_stop) {
		snprintf(why, why_size, "interrupted");
		return -1;
	}
	if (helper_path(path, sizeof(path), why, why_size) < 0)
		return -1;
	char *argv[6] = { "mini-docker-layer" };
	for (int i = 0; i < 4 && args[i]; i++)
		argv[i + 1] = args[i];

	int rc = -1, p[2] = { -1, -1 };
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, why_size, "pipe2: %s", strerror(errno));
		goto out;
	}
	/* dup2 onto fd 0 and 1 clears close-on-exec on the copies only.
	 * stdin first: `save` hands our stdout as the helper's stdin, and
	 * after the result pipe took fd 1 that fd would name the pipe. */
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	/* who the helper's parent must be (layer_main.c) */
	char self[16];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	setenv("MINI_DOCKER_LAYER_PARENT", self, 1);
	int err = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	if (err) {
		pid = -1;
		snprintf(why, why_size, "posix_spawn %s: %s%s", path, strerror(err),
			 err == ENOENT ? " (build it: make stage-08)" : "");
		goto out;
	}
	close(p[1]);
	p[1] = -1;
	int status = 0, waited = read_and_reap(pid, p[0], line, line_size, &status);
	pid = -1;
	if (waited < 0)
		snprintf(why, why_size, "waitpid %s: %s", path, strerror(errno));
	else if (helper_stop)
		snprintf(why, why_size, "interrupted");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		snprintf(why, why_size, "%s", line);
	else {
		char how[64];
		snprintf(why, why_size, "%s %s: %s", path, args[0], describe_status(status, how, sizeof(how)));
	}
out:
	if (pid > 0 && waitpid(pid, NULL, 0) < 0)
		warn_errno("waitpid %s", path);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* "BLOB DIFFID SIZE" */
static int parse_unpacked(const char *line, char blob[65], char diff[65], long long *size)
{
	char b[65], d[65], *end;
	if (sscanf(line, "%64s %64s", b, d) != 2 || !is_hex64(b) || !is_hex64(d))
		return -1;
	const char *num = strrchr(line, ' ');
	errno = 0;
	long long n = num ? strtoll(num + 1, &end, 10) : -1;
	if (!num || errno || end == num + 1 || *end || n < 0)
		return -1;
	memcpy(blob, b, 65);
	memcpy(diff, d, 65);
	*size += n;
	return 0;
}

int helper_unpack(int fd, const char *dir, const char *keep, const char *want_blob, char blob[65],
		  char diff[65], long long *size, char *why, size_t why_size)
{
	char line[1024];
	if (helper((char *[]){ "unpack", (char *)dir, (char *)(want_blob ? want_blob : "-"), (char *)keep, NULL },
		   fd, line, sizeof(line), why, why_size) < 0)
		return -1;
	if (parse_unpacked(line, blob, diff, size) < 0) {
		snprintf(why, why_size, "mini-docker-layer unpack: no digests and size in '%s'", line);
		return -1;
	}
	return 0;
}

int helper_pack(const char *upper, const char *tar, char *why, size_t why_size)
{
	char line[1024];
	return helper((char *[]){ "pack", (char *)upper, (char *)tar, NULL }, -1, line, sizeof(line),
		      why, why_size);
}

int helper_extract(int fd, const char *dir, char *why, size_t why_size)
{
	char line[1024];
	return helper((char *[]){ "extract", (char *)dir, NULL }, fd, line, sizeof(line), why,
		      why_size);
}

int helper_save(const char *stage, int out_fd, char *why, size_t why_size)
{
	char line[1024];
	return helper((char *[]){ "save", (char *)stage, NULL }, out_fd, line, sizeof(line), why, why_size);
}
