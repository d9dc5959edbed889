/* 03-pid-ipc/pidns.h — seeing a process from both sides of a PID namespace.
 * Reused by 04 (listing /proc) and 08 (--init, exec). */
#ifndef PIDNS_H
#define PIDNS_H

#include <stddef.h>
#include <sys/types.h>

/* From the text of /proc/PID/status, the "NSpid:" line: the pid in each
 * nested PID namespace, outermost first. Returns how many (0 if the kernel is
 * older than 4.1 and has no such line), or -1 on malformed text. Pure. */
int status_nspid_parse(const char *status, pid_t *pids, size_t max);

/* The numeric entries of a proc mount (PIDs visible in the PID namespace that
 * mounted it), ascending. Returns the count (at most max) or -1/errno. */
int proc_list_pids(const char *procdir, pid_t *pids, size_t max);

/* The NSpid of pid (0 = self) read through /proc. Count, or -1/errno. */
int proc_nspid(pid_t pid, pid_t *pids, size_t max);

/* From the text of /proc/PID/stat: field 3, the state ('R', 'S', 'Z' ...),
 * and field 22, the start time in clock ticks since boot. Field 2, the
 * command name, is in parentheses and may itself hold spaces and ')'
 * ("a) b (c"): the fields after it start after the *last* ')'. 0, or -1
 * on text of another shape. Pure. */
int proc_stat_parse(const char *stat, char *state, unsigned long long *start);

/* The start time of pid, or 0 if there is none or it is a zombie (it has
 * ended, reaped or not). With the pid, it names one process: a pid alone
 * may be reused by another after the first exits. */
unsigned long long proc_start_time(pid_t pid);

/* pidfd_open(2): a handle on a process that stays valid after it exits. */
int pidfd_open_pid(pid_t pid);

#endif
