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

/* Shuttle bytes between our terminal and the container's until it exits. */
void proxy_tty(int master, int pidfd, int interactive)
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
			if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
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


