/* libFuzzer target: what mini-docker reads back from its store and from
 * image archives — container records (JSON), image names, tar entry names
 * (whiteouts), RFC 3339 times, signal names. Invariants beyond "no crash":
 * a record that parses writes out and parses back the same; a whiteout's
 * target turns back into the same entry name; a time formats and parses
 * back to itself; a parsed image name is lowercase with a short tag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "layer.h"
#include "lifecycle.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[512], a[4096], b[4096];
	memcpy(s, data, size);
	s[size] = '\0';

	struct ctr c, back;
	if (ctr_from_json(&c, s, s, why, sizeof(why)) == 0) {
		char *pers = ctr_to_json(&c, 0), *rt = ctr_to_json(&c, 1);
		if (ctr_from_json(&back, pers, rt, why, sizeof(why)) != 0 ||
		    strcmp(back.id, c.id) || strcmp(back.name, c.name) || back.argc != c.argc ||
		    back.nenv != c.nenv || back.nlower != c.nlower || back.status != c.status ||
		    back.pid != c.pid)
			abort();
		for (int i = 0; i < c.argc; i++)
			if (strcmp(back.argv[i], c.argv[i]))
				abort();
		ctr_free(&back);
		free(pers);
		free(rt);
		ctr_free(&c);
	}
	char repo[256], tag[130];
	if (ref_parse(s, repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)) == 0) {
		if (!repo[0] || !tag[0] || strlen(tag) > 128)
			abort();
		for (const char *p = repo; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
	if (whiteout_parse(s, a, sizeof(a)) == WH_FILE) {
		const char *norm = s;
		while (norm[0] == '.' && norm[1] == '/')
			norm += 2;
		if (whiteout_name(a, b, sizeof(b)) != 0 || strcmp(b, norm) != 0)
			abort();
	}
	struct timespec ts, ts2;
	if (parse_rfc3339(s, &ts) == 0 && ts.tv_sec > 0 && ts.tv_sec < 253402300800LL) {
		format_rfc3339(&ts, a, sizeof(a));
		if (parse_rfc3339(a, &ts2) != 0 || ts2.tv_sec != ts.tv_sec || ts2.tv_nsec != ts.tv_nsec)
			abort();
	}
	int sig = signal_parse(s);
	if (sig != -1 && (sig < 1 || sig > 64))
		abort();
	free(s);
	return 0;
}
