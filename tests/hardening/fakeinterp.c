/* tests/hardening/fakeinterp.c — a fake ELF interpreter, for an image's
 * /lib64/ld-linux-x86-64.so.2. When the kernel runs a dynamic binary inside
 * the container, it loads the image's interpreter into that process first:
 * our code then runs inside the runtime's own process image, where
 * /proc/self/exe is the runtime's binary (runc's CVE-2019-5736 used a
 * library the same way). It keeps an fd to that file and forks a child that
 * runs the probe (`exe-write`), which writes one byte into the file once
 * nothing runs it any more; /interp.log says what happened. No libc: it
 * runs before any loader could (x86-64 system calls; built -static-pie
 * -nostdlib by 08-confine.inc). */
#define _GNU_SOURCE
#include <asm/unistd.h>

#include <fcntl.h>

static long sys(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static long len(const char *s) { long n = 0; while (s[n]) n++; return n; }
static void put(int fd, const char *s) { sys(__NR_write, fd, (long)s, len(s)); }

static void num(char *buf, long v)
{
	char t[24];
	int n = 0;
	do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
	while (n) *buf++ = t[--n];
	*buf = 0;
}

void _start(void) __attribute__((noreturn, used));
void _start(void)
{
	int log = (int)sys(__NR_open, (long)"/interp.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	char self[256] = { 0 };
	sys(__NR_readlink, (long)"/proc/self/exe", (long)self, sizeof(self) - 1);
	put(log, "RAN inside the runtime's process: /proc/self/exe is ");
	put(log, self);
	put(log, "\n");
	int fd = (int)sys(__NR_open, (long)"/proc/self/exe", O_PATH, 0);
	if (sys(__NR_fork, 0, 0, 0) == 0) {
		/* The child must not map the file itself (a running image keeps
		 * it busy: ETXTBSY), so it execs the probe, keeping the fd, and
		 * the probe writes once nothing runs the runtime any more. */
		char path[40] = "/proc/self/fd/";
		num(path + 14, fd);
		char *argv[] = { "/probe", "exe-write", path, 0 };
		sys(__NR_dup2, log, 1, 0);
		sys(__NR_execve, (long)"/probe", (long)argv, 0);
		put(log, "the fake interpreter could not exec /probe\n");
		sys(__NR_exit, 1, 0, 0);
	}
	sys(__NR_exit_group, 0, 0, 0);
	for (;;) ;
}
