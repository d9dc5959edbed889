/* 08-mini-docker/lifecycle.h — the commands that look at and end
 * containers: ps, logs, inspect (inspect.c), stop, kill, rm, and start them
 * again (signal.c). Each takes its command's arguments (argv[0] is the
 * command name) and returns the exit status. */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H

#include <stddef.h>

/* inspect.c */
int cmd_ps(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
/* signal.c */
int cmd_stop(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_start(int argc, char **argv);

/* "TERM", "SIGTERM", "15" -> 15. -1 if not a signal. Pure. (signal.c) */
int signal_parse(const char *s);
/* ["sh","-c","echo hi"] -> "sh -c echo hi" cut to width with "…". Pure. (inspect.c) */
const char *format_command(char *const *argv, int argc, size_t width, char *buf, size_t size);
/* s with every byte a terminal would obey escaped, as Go's strconv.Quote
 * writes it (docker ps): \n \t \x1b \x7f, \u009b for C1 and bidi controls,
 * \xNN for bytes that are not UTF-8, \\ (and \" inside the quotes that
 * quote adds). Cut at a whole escape if buf (size >= 3) is too small. Pure. */
const char *escape_text(const char *s, int quote, char *buf, size_t size);

#endif
