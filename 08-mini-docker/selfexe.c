/* 08-mini-docker/selfexe.c — see selfexe.h. */
#define _GNU_SOURCE
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
/* set for the copy we exec, so a kernel that lost the seals cannot make us
 * copy ourselves for ever */
#define MARK "MINI_DOCKER_SEALED"

int selfexe_is_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int sealed_copy(int self)
{
	struct stat st;
	if (fstat(self, &st) < 0)
		return warn_errno("fstat /proc/self/exe");
	/* MFD_EXEC (6.3+) says out loud that this memfd is to be executed:
	 * with vm.memfd_noexec=1 a memfd is not executable without it. Older
	 * kernels do not know the flag (EINVAL) and allow exec anyway. */
	int fd = memfd_create("mini-docker", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("mini-docker", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return warn_errno("memfd_create");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, self, &off, (size_t)(st.st_size - off));
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				warn("copy /proc/self/exe into a memfd: it ended %lld bytes early",
				     (long long)(st.st_size - off));
			else
				warn_errno("copy /proc/self/exe into a memfd");
			close(fd);
			return -1;
		}
	}
	/* F_SEAL_EXEC (6.3+) also freezes the mode bits; not there: EINVAL */
	if (fcntl(fd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(fd, F_ADD_SEALS, SEALS) < 0)) {
		warn_errno("seal the memfd");
		close(fd);
		return -1;
	}
	return fd;
}

int selfexe_sealed(char **argv)
{
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return warn_errno("open /proc/self/exe");
	int sealed = selfexe_is_sealed(self);
	const char *mark = getenv(MARK);
	if (sealed || mark) {
		close(self);
		unsetenv(MARK);
		if (sealed)
			return 0;
		return warn("re-executed from a memfd, but /proc/self/exe is not sealed");
	}
	int fd = sealed_copy(self);
	close(self);
	if (fd < 0)
		return -1;
	if (setenv(MARK, "1", 1) < 0)
		return warn_errno("setenv");
	extern char **environ;
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	int err = errno;
	unsetenv(MARK);
	close(fd);
	errno = err;
	return warn_errno("execveat(the sealed copy)");
}
