/* Unit tests: `commit -c` changes (08-mini-docker/change.c), checked
 * against the config Docker writes for the same Dockerfile lines. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "change.h"

static void expect(const char *change, const char *key, const char *json)
{
	char why[256];
	json_object *c = json_tokener_parse("{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Cmd\":[\"sh\"]}"), *v;
	if (change_apply(c, change, why, sizeof(why)) != 0)
		fail_msg("%s: %s", change, why);
	assert_true(json_object_object_get_ex(c, key, &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE), json);
	json_object_put(c);
}

static void refused(const char *change, const char *reason)
{
	char why[256];
	json_object *c = json_object_new_object();
	assert_int_equal(change_apply(c, change, why, sizeof(why)), -1);
	if (!strstr(why, reason))
		fail_msg("%s: '%s' does not say '%s'", change, why, reason);
	json_object_put(c);
}

static void the_common_changes(void **state)
{
	(void)state;
	expect("CMD [\"/bin/app\",\"-v\"]", "Cmd", "[\"/bin/app\",\"-v\"]");
	expect("CMD echo hi", "Cmd", "[\"/bin/sh\",\"-c\",\"echo hi\"]");
	expect("cmd [\"x\"]", "Cmd", "[\"x\"]");
	expect("ENTRYPOINT [\"/bin/sh\",\"-c\"]", "Entrypoint", "[\"/bin/sh\",\"-c\"]");
	expect("ENV B=2", "Env", "[\"PATH=/bin\",\"A=1\",\"B=2\"]");
	expect("ENV A=9 C=3", "Env", "[\"PATH=/bin\",\"A=9\",\"C=3\"]");
	expect("ENV GREETING hello world", "Env", "[\"PATH=/bin\",\"A=1\",\"GREETING=hello world\"]");
	expect("WORKDIR /srv/app", "WorkingDir", "\"/srv/app\"");
	expect("USER 1000:1000", "User", "\"1000:1000\"");
}

static void the_others_are_refused(void **state)
{
	(void)state;
	refused("EXPOSE 80", "not supported");
	refused("VOLUME /data", "not supported");
	refused("CMD", "not valid");
	refused("CMD [\"a\", 1]", "not valid");
	refused("WORKDIR relative", "not valid");
	refused("WORKDIR /a/../b", "not valid");
	refused("ENV =x", "not valid");
	refused("ENV NOVALUE", "not valid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_common_changes),
		cmocka_unit_test(the_others_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
