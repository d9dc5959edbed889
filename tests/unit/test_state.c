/* Unit tests: what ps prints of a container's command (escape_text in
 * 08-mini-docker/inspect.c) and how a state directory or file is judged
 * and written (statedir.c, write_atomic among them): a symlink is refused,
 * never followed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "lifecycle.h"
#include "member.h"
#include "state.h"
#include "statedir.h"

static void commands_are_escaped(void **state)
{
	(void)state;
	char b[128];
	/* what a container would paint the screen with: ESC [2J clears it */
	assert_string_equal(escape_text("echo \033[2J\nx\ty", 1, b, sizeof(b)),
			    "\"echo \\x1b[2J\\nx\\ty\"");
	assert_string_equal(escape_text("a\a\b\f\r\vz", 0, b, sizeof(b)), "a\\a\\b\\f\\r\\vz");
	assert_string_equal(escape_text("\x01\x7f", 0, b, sizeof(b)), "\\x01\\x7f");
	/* the quotes and the escape character itself, as strconv.Quote does */
	assert_string_equal(escape_text("say \"hi\" \\o/", 1, b, sizeof(b)), "\"say \\\"hi\\\" \\\\o/\"");
	assert_string_equal(escape_text("say \"hi\"", 0, b, sizeof(b)), "say \"hi\"");
	/* UTF-8 text stays; C1 CSI (U+009B), a bidi override and bytes that
	 * are not UTF-8 do not */
	assert_string_equal(escape_text("caf\xc3\xa9 \xe2\x80\xa6", 0, b, sizeof(b)), "caf\xc3\xa9 \xe2\x80\xa6");
	assert_string_equal(escape_text("\xc2\x9b" "2J", 0, b, sizeof(b)), "\\u009b2J");
	assert_string_equal(escape_text("\xe2\x80\xae" "abc", 0, b, sizeof(b)), "\\u202eabc");
	assert_string_equal(escape_text("\xff\xc3(\xc0\xaf", 0, b, sizeof(b)), "\\xff\\xc3(\\xc0\\xaf");
	/* a small buffer holds whole escapes only, and the closing quote */
	char s[8];
	assert_string_equal(escape_text("ab\033cd", 1, s, sizeof(s)), "\"ab\"");
	assert_string_equal(escape_text("", 1, s, sizeof(s)), "\"\"");
}

static void state_dirs_are_judged(void **state)
{
	(void)state;
	char why[256];
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR | 0711;
	st.st_uid = 1001;
	assert_int_equal(sd_check_stat(&st, 1001, "/tmp/mini-docker-1001", why, sizeof(why)), 0);
	/* planted by someone else */
	st.st_uid = 1002;
	assert_int_equal(sd_check_stat(&st, 1001, "/tmp/mini-docker-1001", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/tmp/mini-docker-1001 belongs to uid 1002, not to you (uid 1001)"));
	/* ours, but anyone may add names to it; the sticky bit does not help */
	st.st_uid = 1001;
	st.st_mode = S_IFDIR | 01777;
	assert_int_equal(sd_check_stat(&st, 1001, "/x", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/x is writable by its group or others (mode 1777)"));
	st.st_mode = S_IFDIR | 0770;
	assert_int_equal(sd_check_stat(&st, 1001, "/x", why, sizeof(why)), -1);
	st.st_mode = S_IFREG | 0600;
	assert_int_equal(sd_check_stat(&st, 1001, "/x", why, sizeof(why)), -1);
	assert_null(strchr(why, '\n'));
}

/* A directory of our own in /tmp, removed by the caller. */
static void scratch(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/test_state.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void writes_never_follow_a_link(void **state)
{
	(void)state;
	char dir[64], p[128], q[128], target[128];
	scratch(dir, sizeof(dir));
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(p, sizeof(p), "%s/config.json", dir);
	snprintf(q, sizeof(q), "%s/config.json.tmp", dir);
	assert_int_equal(write_atomic(target, "keep", 4, 0600, 0), 0);
	/* a link in place of the temporary file: refused, target intact */
	assert_int_equal(symlink(target, q), 0);
	assert_int_equal(write_atomic(p, "evil", 4, 0600, 0), -1);
	char *s = read_whole(target, 64, NULL);
	assert_string_equal(s, "keep");
	free(s);
	assert_int_equal(unlink(q), 0);
	/* a stale temporary file of ours (a killed writer) is replaced */
	assert_int_equal(write_atomic(q, "old", 3, 0600, 0), 0);
	assert_int_equal(write_atomic(p, "new", 3, 0600, 0), 0);
	s = sd_read(p, 64);
	assert_string_equal(s, "new");
	free(s);
	/* a link on the way: no write, no read, no unlink through it */
	snprintf(q, sizeof(q), "%s/via", dir);
	assert_int_equal(symlink(dir, q), 0);
	snprintf(q, sizeof(q), "%s/via/config.json", dir);
	assert_int_equal(write_atomic(q, "evil", 4, 0600, 0), -1);
	assert_null(sd_read(q, 64));
	assert_int_equal(sd_unlink(q), -1);
	/* a link as the last name is not read either */
	snprintf(q, sizeof(q), "%s/link", dir);
	assert_int_equal(symlink(target, q), 0);
	assert_null(sd_read(q, 64));
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void state_dirs_are_made_and_checked(void **state)
{
	(void)state;
	char dir[64], p[128], why[512];
	scratch(dir, sizeof(dir));
	snprintf(p, sizeof(p), "%s/a/b", dir);
	int fd = sd_make(p, 0700, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* group/other-writable: refused, naming it */
	assert_int_equal(chmod(p, 0777), 0);
	assert_int_equal(sd_verify(p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, p));
	/* a link instead of the directory: refused, not followed */
	snprintf(p, sizeof(p), "%s/c", dir);
	assert_int_equal(symlink("a", p), 0);
	assert_int_equal(sd_make(p, 0700, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "is a symbolic link"));
	snprintf(p, sizeof(p), "%s/c/x", dir);
	assert_int_equal(sd_make(p, 0700, why, sizeof(why)), -1);
	assert_int_equal(access(p, F_OK), -1);
	/* missing: -2, for commands that only read */
	snprintf(p, sizeof(p), "%s/none", dir);
	assert_int_equal(sd_verify(p, why, sizeof(why)), -2);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A store path longer than its buffer is an error the caller reports,
 * not the end of the program (nor a path cut short). */
/* member_read's max is exact, as read_whole's is: what load takes, the
 * store can read back. */
static void member_read_max_is_exact(void **state)
{
	(void)state;
	char dir[64], why[256], p[128];
	scratch(dir, sizeof(dir));
	static char data[12289];
	memset(data, 'x', sizeof(data));
	snprintf(p, sizeof(p), "%s/f", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t len = 0;
	char *got = member_read(dfd, "f", sizeof(data), &len, why, sizeof(why));
	assert_non_null(got);
	assert_int_equal(len, sizeof(data));
	free(got);
	/* one byte over: refused, though the buffer had grown to 16 KiB */
	assert_null(member_read(dfd, "f", sizeof(data) - 1, &len, why, sizeof(why)));
	assert_non_null(strstr(why, "larger than"));
	close(dfd);
	unlink(p);
	rmdir(dir);
}

static void store_paths_too_long_are_refused(void **state)
{
	(void)state;
	char root[300], buf[256];
	memset(root, 'r', sizeof(root) - 1);
	root[0] = '/';
	root[sizeof(root) - 1] = '\0';
	const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	errno = 0;
	assert_int_equal(ctr_dir(root, id, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(ctr_name_path(root, "web", buf, sizeof(buf)), -1);
	assert_int_equal(ctr_overlay_path("/var/lib/mini-docker", id, "upper", buf, 80), -1);
	assert_int_equal(ctr_overlay_path("/var/lib/mini-docker", id, "upper", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/var/lib/mini-docker/containers/0123456789abcdef0123456789abcdef"
			    "0123456789abcdef0123456789abcdef/upper");
	assert_int_equal(ctr_runtime_path("/run/mini-docker", id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/mini-docker/0123456789abcdef0123456789abcdef"
			    "0123456789abcdef0123456789abcdef.json");
}

int main(void)
{
	prog_name = "test_state";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commands_are_escaped),
		cmocka_unit_test(state_dirs_are_judged),
		cmocka_unit_test(writes_never_follow_a_link),
		cmocka_unit_test(state_dirs_are_made_and_checked),
		cmocka_unit_test(store_paths_too_long_are_refused),
		cmocka_unit_test(member_read_max_is_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
