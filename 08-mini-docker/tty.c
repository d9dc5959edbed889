/* 08-mini-docker/tty.c — see tty.h. */
#define _GNU_SOURCE
#include "tty.h"

#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tty;
static int tty_raw;

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = 0;
}

static void copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Write all of buf to fd: a pipe or a terminal may take less at a time. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Shuttle bytes between our terminal and the container's until it exits. */
void proxy_tty(int master, int pidfd, int interactive, int log)
{
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		struct termios raw = saved_tty;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		tty_raw = 1;
		copy_winsize(master);
	}
	char buf[4096];
	int in_open = interactive;
	for (;;) {
		struct pollfd fds[3] = {
			{ .fd = master, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents & POLLIN) {
			ssize_t n = read(master, buf, sizeof(buf));
			if (n > 0 && log >= 0)
				write_all(log, buf, (size_t)n);
			if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		} else if (fds[0].revents & (POLLHUP | POLLERR)) {
			if (fds[1].revents & POLLIN)
				break;
		}
		if (fds[2].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				in_open = 0;
			else if (write(master, buf, (size_t)n) < 0)
				in_open = 0;
		}
		if ((fds[1].revents & POLLIN) && !(fds[0].revents & POLLIN))
			break;
	}
	restore_tty();
}

void relay_output(int out, int err, int log)
{
	char buf[4096];
	struct pollfd fds[2] = { { .fd = out, .events = POLLIN }, { .fd = err, .events = POLLIN } };
	const int to[2] = { STDOUT_FILENO, STDERR_FILENO };
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR) /* a stop signal, passed on to the container */
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1; /* poll skips a negative fd */
				continue;
			}
			if (log >= 0)
				write_all(log, buf, (size_t)n);
			/* Our reader is gone (`run ... | head -1`): close this pipe,
			 * so the container's next write fails with EPIPE, as it
			 * would had it written to our stdout itself. */
			if (write_all(to[i], buf, (size_t)n) < 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
}
