/* 08-mini-docker/exec.h — `mini-docker exec`: a new process inside a
 * running container, as `docker exec` and `nsenter` make one. */
#ifndef EXEC_H
#define EXEC_H

/* exec [-i] [-t] [-e KEY=VALUE] [-w DIR] CONTAINER COMMAND [ARG...]
 * Returns the command's exit status the way `run` does (125, 126, 127,
 * 128+N). MINI_DOCKER_EXEC_NSFILES=1 joins through the files in /proc/PID/ns
 * instead of the pidfd, the way kernels before 5.8 need. */
int cmd_exec(int argc, char **argv);

#endif
