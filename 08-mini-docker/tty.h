/* 08-mini-docker/tty.h — a container's output, relayed to us and to its
 * log: through its terminal with -t (our terminal in raw mode, bytes both
 * ways), through two pipes without. Used by `run` and `exec -t`. */
#ifndef TTY_H
#define TTY_H

/* Copy master's output to stdout (and to log, unless -1) and, if
 * interactive, stdin to master, until pidfd is readable (the process
 * ended) and the output is drained. Our terminal is raw meanwhile, and
 * restored after. */
void proxy_tty(int master, int pidfd, int interactive, int log);

/* Copy the container's stdout pipe to our stdout and its stderr pipe to
 * our stderr, each also to log, until both are closed: every process that
 * held them has ended (the PID namespace ends with its init). Closes out
 * and err. */
void relay_output(int out, int err, int log);

#endif
