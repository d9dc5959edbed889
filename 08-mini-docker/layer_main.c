/* 08-mini-docker/layer_main.c — mini-docker-layer, the tar helper (see
 * helper.h for why it is a program of its own).
 *
 *   mini-docker-layer unpack DIR [BLOB|-] [KEEP] < LAYER   prints BLOB-DIGEST DIFFID BYTES
 *   mini-docker-layer save STAGE <> OUT         (the archive to the fd on stdin)
 *   mini-docker-layer extract DIR < TAR
 *   mini-docker-layer pack UPPER TAR
 *
 * The tars come on stdin: mini-docker opens each archive member itself,
 * checks it is a regular file inside the archive, and hands over that fd,
 * never a path the helper would open again (layerstore.c, member.c).
 * One line on stdout: the result (exit 0) or the reason it failed (exit 1).
 * stderr is left for what the runtime itself reports (a sanitizer, say). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common.h"
#include "layer.h"

int main(int argc, char **argv)
{
	prog_name = "mini-docker-layer";
	/* Die with mini-docker: killed mid-load, it can no longer clean up, and
	 * a helper still writing into the store would race the next command's
	 * tidy-up (layerstore.c, store_lock). The death signal only covers a parent
	 * dying from now on; one that died since it spawned us (under a
	 * sanitizer, starting takes a while) shows as a changed parent pid. */
	const char *parent = getenv("MINI_DOCKER_LAYER_PARENT");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (parent && getppid() != (pid_t)atoi(parent)))
		return 1;
	char why[1024] = "";
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc = -1;
	if (strcmp(cmd, "unpack") == 0 && argc >= 3 && argc <= 5) {
		struct layer_digests d = { "", "" };
		long long size = 0;
		const char *blob = argc >= 4 && strcmp(argv[3], "-") != 0 ? argv[3] : NULL;
		if ((rc = layer_unpack(STDIN_FILENO, argv[2], argc == 5 ? argv[4] : NULL, &d, &size, why,
				       sizeof(why))) == 0)
			printf("%s %s %lld\n", d.blob, d.diff, size);
		/* a blob that does not unpack: its digest tells whether it is
		 * damaged, which says more than the decompressor's complaint */
		else if (blob && d.blob[0] && strcmp(d.blob, blob) != 0)
			snprintf(why, sizeof(why), "blob sha256:%.12s has sha256:%.12s: corrupt",
				 blob, d.blob);
	} else if (strcmp(cmd, "pack") == 0 && argc == 4) {
		rc = layer_pack(argv[2], argv[3], why, sizeof(why));
	} else if (strcmp(cmd, "save") == 0 && argc == 3) {
		rc = save_write(argv[2], STDIN_FILENO, why, sizeof(why));
	} else if (strcmp(cmd, "extract") == 0 && argc == 3) {
		rc = tar_extract(STDIN_FILENO, argv[2], why, sizeof(why));
	} else {
		fprintf(stderr, "usage: mini-docker-layer unpack DIR [BLOB-SHA256|-] [KEEP] < LAYER | extract DIR < TAR | "
				"pack UPPER TAR | save STAGE <> OUT\n"
				"(a helper of mini-docker's image commands)\n");
		return 2;
	}
	if (rc < 0)
		printf("%s\n", why[0] ? why : "failed");
	return fflush(stdout) == 0 && rc == 0 ? 0 : 1;
}
