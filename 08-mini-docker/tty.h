/* 08-mini-docker/tty.h — a container's terminal, relayed: our terminal in
 * raw mode, bytes both ways, until the container's process ends. Used by
 * `run -t` and `exec -t`. */
#ifndef TTY_H
#define TTY_H

/* Copy master's output to stdout and (if interactive) stdin to master,
 * until pidfd is readable (the process ended) and the output is drained.
 * Our terminal is raw meanwhile, and restored after. */
void proxy_tty(int master, int pidfd, int interactive);

#endif
