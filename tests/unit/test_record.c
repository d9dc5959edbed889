/* Unit tests: container records and their times and status words
 * (08-mini-docker/state.c), and the small formatters of ps/kill
 * (lifecycle.c). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "common.h"
#include "lifecycle.h"
#include "runner.h"
#include "state.h"

static void durations(void **state)
{
	(void)state;
	char b[64];
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
	/* a field of the wrong type too: json-c asserts (aborts) if an object
	 * reaches its array functions; the fuzzer found this one */
	json_object *o = json_tokener_parse(pers);
	json_object_object_add(o, "Mounts", json_object_new_object());
	assert_int_equal(ctr_from_json(&back, json_object_to_json_string(o), NULL, why, sizeof(why)), -1);
	json_object_put(o);
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

/* `start` runs a container with the options its record kept: every
 * field run took from them, none left over from the caller. */
static void record_gives_start_its_options(void **state)
{
	(void)state;
	struct ctr c;
	struct run_opts o;
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "web");
	strcpy(c.image, "busybox:latest");
	strcpy(c.hostname, "box");
	strcpy(c.workdir, "/srv");
	strcpy(c.user, "1000:1000");
	strcpy(c.seccomp, "unconfined");
	c.tty = c.rootless = c.init = 1;
	c.auto_remove = c.detached = 1; /* run's choices, not start's */
	c.memory = 64 << 20;
	c.cpu_quota = 50000;
	c.cpu_period = 100000;
	c.pids = 20;
	char *argv[] = { "sh", "-c", "true", NULL };
	char *env[] = { "PATH=/bin", "A=" };
	c.argv = argv;
	c.argc = 3;
	c.env = env;
	c.nenv = 2;
	c.vol[0] = (struct volume){ "/tmp/v", "/data", 1 };
	c.vol[1] = (struct volume){ "/tmp/w", "/w", 0 };
	c.nvol = 2;
	memset(&o, 0x5a, sizeof(o)); /* whatever the caller's struct held */
	opts_from_record(&c, &o);
	assert_int_equal(o.tty, 1);
	assert_int_equal(o.rootless, 1);
	assert_int_equal(o.init, 1);
	assert_int_equal(o.rm, 0);
	assert_int_equal(o.detach, 0);
	assert_int_equal(o.interactive, 0);
	assert_string_equal(o.name, "web");
	assert_string_equal(o.hostname, "box");
	assert_string_equal(o.workdir, "/srv");
	assert_string_equal(o.user, "1000:1000");
	assert_string_equal(o.seccomp, "unconfined");
	assert_string_equal(o.image, "busybox:latest");
	assert_null(o.entrypoint); /* the record's argv has it merged in */
	assert_int_equal(o.memory, 64 << 20);
	assert_int_equal(o.cpu_quota, 50000);
	assert_int_equal(o.cpu_period, 100000);
	assert_int_equal(o.pids, 20);
	assert_int_equal(o.nenv, 2);
	assert_string_equal(o.env[0], "PATH=/bin");
	assert_string_equal(o.env[1], "A=");
	assert_int_equal(o.nvol, 2);
	assert_string_equal(o.vol[0].host, "/tmp/v");
	assert_string_equal(o.vol[0].container, "/data");
	assert_int_equal(o.vol[0].readonly, 1);
	assert_string_equal(o.vol[1].container, "/w");
	assert_int_equal(o.vol[1].readonly, 0);
	assert_ptr_equal(o.argv, c.argv);
	assert_string_equal(o.argv[2], "true");
	assert_null(o.argv[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(status_words),
		cmocka_unit_test(times),
		cmocka_unit_test(record_round_trip),
		cmocka_unit_test(signals_and_commands),
		cmocka_unit_test(record_gives_start_its_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
