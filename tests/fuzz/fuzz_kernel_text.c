/* libFuzzer target: the parsers of text the kernel writes — mountinfo lines,
 * /proc/PID/cgroup, keyed files (cpu.stat, memory.events), id maps, NSpid,
 * namespace links. The kernel's text is trusted, but a parser that crashes
 * on a line it did not expect is a bug all the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cgvalue.h"
#include "mountinfo.h"
#include "ns.h"
#include "pidns.h"
#include "userns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *line = malloc(size + 1), out[256];
	memcpy(s, data, size);
	s[size] = '\0';

	memcpy(line, s, size + 1);
	struct mount_entry e;
	if (mountinfo_parse_line(line, &e) == 0) {
		mountinfo_propagation(&e, out, sizeof(out));
		mountinfo_has_option(e.options, "rw");
	}
	cgroup_mount_of(s, "memory", out, sizeof(out));
	cgroup_mount_of(s, NULL, out, sizeof(out));

	memcpy(line, s, size + 1);
	struct cg_line cl;
	parse_cgroup_line(line, &cl);
	cgroup_path_of(s, "cpu", out, sizeof(out));
	cgroup_path_of(s, "", out, sizeof(out));
	unsigned long long v;
	keyed_value(s, "oom_kill", &v);

	struct idmap maps[8];
	int n = idmap_parse(s, maps, 8);
	if (n > 8)
		abort();
	unsigned long inside;
	if (n > 0)
		idmap_to_inside(maps, (size_t)n, 1000, &inside);

	pid_t pids[8];
	if (status_nspid_parse(s, pids, 8) > 8)
		abort();
	char type[32];
	unsigned long long ino;
	ns_link_parse(s, type, sizeof(type), &ino);
	free(line);
	free(s);
	return 0;
}
