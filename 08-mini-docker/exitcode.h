/* 08-mini-docker/exitcode.h — the exit statuses Docker gives, in one
 * place: run, start and exec report a container's end with them, and the
 * way in (enter.c) reports a failed exec with them. Pure. */
#ifndef EXITCODE_H
#define EXITCODE_H

/* 127 when the command does not exist (ENOENT), 126 when it cannot be
 * executed (EACCES, ENOEXEC, ...). */
int exec_failure_code(int exec_errno);

/* The status for a container's wait status and the errno of a failed exec
 * (0 if the exec succeeded): exec_failure_code, the command's own exit
 * status, 128+N for a signal, else 125. */
int docker_exit_code(int wait_status, int exec_errno);

#endif
