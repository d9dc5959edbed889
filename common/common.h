/* common/common.h — the few helpers every stage shares: fatal errors,
 * narrated steps, small-file I/O, a sync gate between parent and child, and
 * clone3(2) used like fork(2). Nothing namespace- or cgroup-specific lives here. */
#ifndef COMMON_H
#define COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <signal.h>
#include <sys/types.h>

/* Name used as the prefix of every error line ("01-uts: mount /proc: ..."). */
extern const char *prog_name;

/* Print "prog: <message>" and exit(1). The _errno form appends ": strerror(errno)". */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same line on stderr, no exit. Returns -1 so "return warn_errno(...)" reads well. */
int warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same without errno, for a failure errno does not describe (a short
 * read, a parse error, a library that does not set it). */
int warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Narration: step("making / private") prints "=> making / private ... ",
 * done() finishes the line. Both flush, so output stays in order when a child
 * process writes to the same terminal or pipe. */
void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void done(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a small file (proc, sysfs, cgroupfs) into buf, NUL-terminated, with a
 * trailing newline removed. Returns the length or -1 with errno set. */
ssize_t read_file(const char *path, char *buf, size_t size);
/* Read a whole file (a JSON record, a config) into a malloc'd,
 * NUL-terminated buffer; *len gets its length if len is not NULL. NULL with
 * errno set if it cannot be read or is larger than max bytes (EFBIG). */
char *read_whole(const char *path, size_t max, size_t *len);
/* The same from an open fd (its current offset). */
char *read_whole_fd(int fd, size_t max, size_t *len);
/* Write s to an existing file in one write(2) — cgroupfs and the id map files
 * need the whole value in a single call. Returns 0 or -1 with errno set. */
int write_file(const char *path, const char *s);

/* A one-shot gate: the child blocks in gate_wait() until the parent calls
 * gate_open(). Used wherever the parent must finish something (write id maps,
 * move the child into a cgroup) before the child may go on. */
struct gate { int rd, wr; };
int gate_init(struct gate *g);          /* 0, or -1 with errno (pipe2) */
void gate_child_side(struct gate *g);   /* child: close the write end */
void gate_parent_side(struct gate *g);  /* parent: close the read end */
void gate_wait(struct gate *g);         /* child: block until opened (_exit if never) */
int gate_open(struct gate *g);          /* parent: let the child go; 0, or -1 with errno */

/* clone3(2) with fork-like semantics: returns 0 in the child, the child's pid
 * in the parent, -1 with errno on failure. flags are CLONE_NEW* etc.; if
 * cgroup_fd >= 0 the child is born in that cgroup (CLONE_INTO_CGROUP); if
 * pidfd is not NULL it receives a pidfd for the child (CLONE_PIDFD).
 * SIGCHLD is always the exit signal, so waitpid() works as usual. */
pid_t clone3_fork(uint64_t flags, int cgroup_fd, int *pidfd);

/* mkdir -p: every missing component with mode; existing ones are fine.
 * 0, or -1 with errno set (the path that failed is left in errno's context). */
int mkdir_p(const char *path, mode_t mode);
/* Has path a ".." component (one that could walk out of a root)? Pure. */
int path_has_dotdot(const char *path);
/* Is s 64 lowercase hex digits (a sha256, a container id)? Pure. */
int is_hex64(const char *s);
/* 32 random bytes from getrandom(2) as 64 hex digits: container ids,
 * cache-ids. 0, or -1 with errno set. */
int random_hex64(char out[65]);

/* waitpid() that retries on EINTR and returns the raw status, or -1 after
 * printing why. */
int wait_child(pid_t pid);
/* "exited 0", "killed by SIGKILL" ... for a wait status. */
const char *describe_status(int status, char *buf, size_t size);

/* The signals a user stops a demo with: SIGINT (Ctrl-C), SIGTERM, SIGHUP.
 * catch_stop_signals installs handler for all three, without SA_RESTART, so
 * a sleep or read returns EINTR and the main flow reaches its cleanup.
 * block_stop_signals/restore_signals bracket "create a thing, record that
 * it exists", so a signal cannot land between the two and skip its removal. */
void catch_stop_signals(void (*handler)(int));
void block_stop_signals(sigset_t *old);
void restore_signals(const sigset_t *old);
/* Every signal's action back to the default. A handler would not survive
 * exec anyway, but an ignored signal would: a caller under nohup (SIGHUP)
 * or a runner that ignores SIGPIPE would pass that on to the command. */
void default_signals(void);

/* This machine as Go (and so Docker's image configs and seccomp profiles)
 * names it: amd64, arm64, arm, 386, or uname's own word (ppc64le, s390x,
 * riscv64 are the same in both). */
const char *go_arch(void);

/* Is a uname release like "6.1.0-56-amd64" at least major.minor? Pure. */
int kernel_at_least(const char *release, int major, int minor);

#endif
