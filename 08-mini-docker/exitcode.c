/* 08-mini-docker/exitcode.c — see exitcode.h. */
#include "exitcode.h"

#include <errno.h>
#include <sys/wait.h>

int exec_failure_code(int exec_errno)
{
	return exec_errno == ENOENT ? 127 : 126;
}

int docker_exit_code(int status, int exec_errno)
{
	if (exec_errno)
		return exec_failure_code(exec_errno);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}
