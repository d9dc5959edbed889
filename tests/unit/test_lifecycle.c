/* Unit tests: container records (08-mini-docker/state.c), layer IDs and
 * whiteout names (layer.c), image names and sizes (image.c), and the small
 * formatters of ps/kill (lifecycle.c). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image.h"
#include "common.h"
#include "digest.h"
#include "layer.h"
#include "lifecycle.h"
#include "state.h"

static void ids_as_the_notes_compute_them(void **state)
{
	(void)state;
	char a[65], b[65], out[65];
	memset(a, 'a', 64);
	memset(b, 'b', 64);
	a[64] = b[64] = '\0';
	/* ChainID(1) = DiffID(1) */
	chain_id(NULL, a, out);
	assert_string_equal(out, a);
	/* echo -n "sha256:aaa... sha256:bbb..." | sha256sum */
	chain_id(a, b, out);
	assert_string_equal(out, "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
	sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(is_hex64(out));
	assert_false(is_hex64("abc"));
	out[3] = 'G';
	assert_false(is_hex64(out));
}

static void whiteouts(void **state)
{
	(void)state;
	char t[256];
	assert_int_equal(whiteout_parse("etc/.wh.passwd", t, sizeof(t)), WH_FILE);
	assert_string_equal(t, "etc/passwd");
	assert_int_equal(whiteout_parse("./.wh.bin", t, sizeof(t)), WH_FILE);
	assert_string_equal(t, "bin");
	assert_int_equal(whiteout_parse("usr/share/.wh..wh..opq", t, sizeof(t)), WH_OPAQUE);
	assert_string_equal(t, "usr/share");
	assert_int_equal(whiteout_parse(".wh..wh..opq", t, sizeof(t)), WH_OPAQUE);
	assert_string_equal(t, "");
	assert_int_equal(whiteout_parse("a/.wh..wh.plnk/123", t, sizeof(t)), WH_NONE); /* inside a dir */
	assert_int_equal(whiteout_parse("a/.wh..wh.aufs", t, sizeof(t)), WH_META);
	assert_int_equal(whiteout_parse("a/.wh.", t, sizeof(t)), WH_META);
	assert_int_equal(whiteout_parse("a/b.wh.c", t, sizeof(t)), WH_NONE);
	assert_int_equal(whiteout_parse("etc/passwd", t, sizeof(t)), WH_NONE);
	char small[4];
	assert_int_equal(whiteout_parse("etc/.wh.passwd", small, sizeof(small)), WH_META);
	/* and back: what commit writes for a deleted file */
	assert_int_equal(whiteout_name("etc/passwd", t, sizeof(t)), 0);
	assert_string_equal(t, "etc/.wh.passwd");
	assert_int_equal(whiteout_name("bin", t, sizeof(t)), 0);
	assert_string_equal(t, ".wh.bin");
	assert_int_equal(whiteout_name("a/b/c", small, sizeof(small)), -1);
	/* round trip */
	assert_int_equal(whiteout_name("x/y/z", t, sizeof(t)), 0);
	char back[256];
	assert_int_equal(whiteout_parse(t, back, sizeof(back)), WH_FILE);
	assert_string_equal(back, "x/y/z");
}

static void image_names(void **state)
{
	(void)state;
	char repo[256], tag[130], why[512];
	assert_int_equal(ref_parse("busybox", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "busybox");
	assert_string_equal(tag, "latest");
	assert_int_equal(ref_parse("my/app:v1.2-rc_3", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "my/app");
	assert_string_equal(tag, "v1.2-rc_3");
	assert_int_equal(ref_parse("host.io/a/b:2", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "host.io/a/b");
	assert_int_equal(ref_parse("docker.io/library/busybox:1.36", repo, sizeof(repo), tag, sizeof(tag),
				   why, sizeof(why)), 0);
	assert_string_equal(repo, "busybox");
	assert_string_equal(tag, "1.36");
	static const char *const bad[] = { "", "Busybox", "a b", "-a", "a:", ":t", "a//b", "a/", "a:-t",
					   "a:t t", "a:b:c", "a..b/../c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		int r = ref_parse(bad[i], repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why));
		if (r != -1 || !strstr(why, "is not a valid image name"))
			fail_msg("'%s': r=%d why='%s'", bad[i], r, why);
	}
}

static void sizes_and_durations(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(human_size(12, b, sizeof(b)), "12B");
	assert_string_equal(human_size(1980000, b, sizeof(b)), "1.98MB");
	assert_string_equal(human_size(72800000, b, sizeof(b)), "72.8MB");
	assert_string_equal(human_size(867000, b, sizeof(b)), "867kB");
	assert_string_equal(human_duration(0, b, sizeof(b)), "Less than a second");
	assert_string_equal(human_duration(1, b, sizeof(b)), "1 second");
	assert_string_equal(human_duration(3, b, sizeof(b)), "3 seconds");
	assert_string_equal(human_duration(90, b, sizeof(b)), "About a minute");
	assert_string_equal(human_duration(150, b, sizeof(b)), "2 minutes");
	assert_string_equal(human_duration(3600, b, sizeof(b)), "About an hour");
	assert_string_equal(human_duration(5 * 3600, b, sizeof(b)), "5 hours");
	assert_string_equal(human_duration(3 * 86400, b, sizeof(b)), "3 days");
	assert_string_equal(human_duration(20 * 86400, b, sizeof(b)), "2 weeks");
}

static void status_words(void **state)
{
	(void)state;
	struct ctr c;
	char b[96];
	memset(&c, 0, sizeof(c));
	c.status = CTR_RUNNING;
	c.started.tv_sec = 1000;
	assert_string_equal(format_status(&c, 1003, b, sizeof(b)), "Up 3 seconds");
	c.status = CTR_EXITED;
	c.exit_code = 137;
	c.finished.tv_sec = 1000;
	assert_string_equal(format_status(&c, 1120, b, sizeof(b)), "Exited (137) 2 minutes ago");
	c.status = CTR_CREATED;
	assert_string_equal(format_status(&c, 1120, b, sizeof(b)), "Created");
}

static void times(void **state)
{
	(void)state;
	struct timespec ts = { 1795000000, 123456789 }, back;
	char b[64];
	format_rfc3339(&ts, b, sizeof(b));
	assert_string_equal(b, "2026-11-18T11:06:40.123456789Z");
	assert_int_equal(parse_rfc3339(b, &back), 0);
	assert_true(back.tv_sec == ts.tv_sec && back.tv_nsec == ts.tv_nsec);
	/* Docker and umoci write fewer digits; no fraction at all is fine too */
	assert_int_equal(parse_rfc3339("2026-11-18T11:06:40.5Z", &back), 0);
	assert_true(back.tv_nsec == 500000000);
	assert_int_equal(parse_rfc3339("2026-11-18T11:06:40Z", &back), 0);
	assert_int_equal(parse_rfc3339("2026-11-18T11:06:40", &back), -1);
	assert_int_equal(parse_rfc3339("2026-11-18T11:06:40.Z", &back), -1);
	assert_int_equal(parse_rfc3339("yesterday", &back), -1);
}

/* Everything ps, exec and inspect read must survive the file. */
static void record_round_trip(void **state)
{
	(void)state;
	struct ctr c, back;
	char why[256];
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	strcpy(c.name, "web");
	strcpy(c.image, "busybox:latest");
	strcpy(c.image_id, "sha256:2059fad847d0");
	strcpy(c.hostname, "box");
	strcpy(c.workdir, "/srv");
	c.created = (struct timespec){ 1795000000, 5 };
	c.started = (struct timespec){ 1795000001, 6 };
	c.status = CTR_RUNNING;
	c.pid = 4242;
	c.pid_start = 99887766;
	c.runner = 4241;
	c.runner_start = 99887700;
	c.tty = c.detached = 1;
	c.memory = 64 << 20;
	c.cpu_quota = 50000;
	c.cpu_period = 100000;
	c.pids = -1;
	char *argv[] = { "sh", "-c", "echo \"quoted\" \\ back", NULL };
	char *env[] = { "PATH=/bin", "A=" };
	c.argv = argv;
	c.argc = 3;
	c.env = env;
	c.nenv = 2;
	c.vol[0] = (struct volume){ "/tmp/v", "/data", 1 };
	c.nvol = 1;
	c.lower[0] = "/var/lib/mini-docker/overlay2/x/diff";
	c.nlower = 1;
	char *pers = ctr_to_json(&c, 0), *rt = ctr_to_json(&c, 1);
	assert_int_equal(ctr_from_json(&back, pers, rt, why, sizeof(why)), 0);
	assert_string_equal(back.id, c.id);
	assert_string_equal(back.name, "web");
	assert_string_equal(back.image, "busybox:latest");
	assert_string_equal(back.image_id, c.image_id);
	assert_string_equal(back.hostname, "box");
	assert_string_equal(back.workdir, "/srv");
	assert_true(back.created.tv_sec == c.created.tv_sec && back.created.tv_nsec == 5);
	assert_true(back.started.tv_sec == c.started.tv_sec);
	assert_int_equal(back.status, CTR_RUNNING);
	assert_int_equal(back.pid, 4242);
	assert_true(back.pid_start == 99887766ULL && back.runner == 4241 && back.runner_start == 99887700ULL);
	assert_true(back.tty && back.detached && !back.rootless && !back.auto_remove);
	assert_true(back.memory == 64 << 20 && back.cpu_quota == 50000 && back.pids == -1);
	assert_int_equal(back.argc, 3);
	assert_string_equal(back.argv[2], "echo \"quoted\" \\ back");
	assert_null(back.argv[3]);
	assert_int_equal(back.nenv, 2);
	assert_string_equal(back.env[1], "A=");
	assert_int_equal(back.nvol, 1);
	assert_string_equal(back.vol[0].container, "/data");
	assert_true(back.vol[0].readonly);
	assert_int_equal(back.nlower, 1);
	assert_string_equal(back.lower[0], c.lower[0]);
	ctr_free(&back);
	/* no runtime file (after a reboot): no pids */
	assert_int_equal(ctr_from_json(&back, pers, NULL, why, sizeof(why)), 0);
	assert_int_equal(back.pid, 0);
	ctr_free(&back);
	/* damaged records are refused, not half-read */
	assert_int_equal(ctr_from_json(&back, "{\"Id\": 3}", NULL, why, sizeof(why)), -1);
	assert_int_equal(ctr_from_json(&back, "[]", NULL, why, sizeof(why)), -1);
	assert_int_equal(ctr_from_json(&back, "{", NULL, why, sizeof(why)), -1);
	free(pers);
	free(rt);
}

static void signals_and_commands(void **state)
{
	(void)state;
	assert_int_equal(signal_parse("TERM"), SIGTERM);
	assert_int_equal(signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(signal_parse("HUP"), SIGHUP);
	assert_int_equal(signal_parse("15"), 15);
	assert_int_equal(signal_parse("0"), -1);
	assert_int_equal(signal_parse("65"), -1);
	assert_int_equal(signal_parse("TERMX"), -1);
	assert_int_equal(signal_parse("9x"), -1);
	assert_int_equal(signal_parse(""), -1);
	char b[128];
	char *argv[] = { "sh", "-c", "echo started; sleep 300" };
	assert_string_equal(format_command(argv, 3, 20, b, sizeof(b)), "sh -c echo started;\u2026");
	assert_string_equal(format_command(argv, 1, 20, b, sizeof(b)), "sh");
	/* joined as they are: ps escapes them (escape_text, test_state.c) */
	char *nl[] = { "a\nb" };
	assert_string_equal(format_command(nl, 1, 20, b, sizeof(b)), "a\nb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_as_the_notes_compute_them),
		cmocka_unit_test(whiteouts),
		cmocka_unit_test(image_names),
		cmocka_unit_test(sizes_and_durations),
		cmocka_unit_test(status_words),
		cmocka_unit_test(times),
		cmocka_unit_test(record_round_trip),
		cmocka_unit_test(signals_and_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
