/* 08-mini-docker/lifecycle.h — the commands that look at and end
 * containers: ps, logs, inspect, stop, kill, rm, and start them again. Each takes its command's
 * arguments (argv[0] is the command name) and returns the exit status. */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H

#include <stddef.h>

int cmd_ps(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_start(int argc, char **argv);

/* "TERM", "SIGTERM", "15" -> 15. -1 if not a signal. Pure. */
int signal_parse(const char *s);
/* ["sh","-c","echo hi"] -> "sh -c echo hi" cut to width with "…". Pure. */
const char *format_command(char *const *argv, int argc, size_t width, char *buf, size_t size);

#endif
