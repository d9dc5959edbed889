/* Unit tests: reading /proc/PID/stat (proc_stat_parse in 03-pid-ipc/pidns.c),
 * where a command name can hold the very characters that delimit it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pidns.h"

/* 19 fields after the comm up to and including field 22 (the start time). */
#define TAIL " 16111 16111 11011 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 403941 3133440 360\n"

static void plain_line(void **state)
{
	(void)state;
	char st = 0;
	unsigned long long start = 0;
	assert_int_equal(proc_stat_parse("16116 (cat) R" TAIL, &st, &start), 0);
	assert_int_equal(st, 'R');
	assert_int_equal(start, 403941);
}

static void comm_with_parens_and_spaces(void **state)
{
	(void)state;
	char st = 0;
	unsigned long long start = 0;
	/* a program may name itself anything (prctl PR_SET_NAME): a first
	 * ')' would end the name too early and shift every field */
	assert_int_equal(proc_stat_parse("42 (a) b (c) S" TAIL, &st, &start), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(start, 403941);
	assert_int_equal(proc_stat_parse("42 () Z) Z" TAIL, &st, &start), 0);
	assert_int_equal(st, 'Z');
	assert_int_equal(start, 403941);
	assert_int_equal(proc_stat_parse("42 ( ) R" TAIL, &st, &start), 0);
	assert_int_equal(st, 'R');
}

static void rejects_other_shapes(void **state)
{
	(void)state;
	char st;
	unsigned long long start;
	assert_int_equal(proc_stat_parse("", &st, &start), -1);
	assert_int_equal(proc_stat_parse("42 (no close R 1 2 3", &st, &start), -1);
	assert_int_equal(proc_stat_parse("42 (sh) R 1 2 3\n", &st, &start), -1);  /* cut short */
	assert_int_equal(proc_stat_parse("42 (sh)R" TAIL, &st, &start), -1);
	assert_int_equal(proc_stat_parse("42 (sh) R 16111 16111 11011 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 "
					 "x 3133440\n", &st, &start), -1);
}

static void this_process(void **state)
{
	(void)state;
	/* our own start time exists; pid 0 and a pid past pid_max have none */
	assert_true(proc_start_time(getpid()) > 0);
	assert_int_equal(proc_start_time(0), 0);
	assert_int_equal(proc_start_time(-1), 0);
	assert_int_equal(proc_start_time(1 << 30), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_line),
		cmocka_unit_test(comm_with_parens_and_spaces),
		cmocka_unit_test(rejects_other_shapes),
		cmocka_unit_test(this_process),
	};
	return cmocka_run_group_tests_name("pidns", tests, NULL, NULL);
}
