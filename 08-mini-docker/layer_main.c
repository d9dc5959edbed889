/* 08-mini-docker/layer_main.c — mini-docker-layer, the tar helper (see
 * helper.h for why it is a program of its own).
 *
 *   mini-docker-layer diff-id TAR        prints the DiffID
 *   mini-docker-layer unpack TAR DIR     prints the bytes of regular files
 *   mini-docker-layer pack UPPER TAR
 *   mini-docker-layer extract TAR DIR
 *
 * One line on stdout: the result (exit 0) or the reason it failed (exit 1).
 * stderr is left for what the runtime itself reports (a sanitizer, say). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "layer.h"

int main(int argc, char **argv)
{
	/* Die with mini-docker: killed mid-load, it can no longer clean up, and
	 * a helper still writing into the store would race the next command's
	 * tidy-up (image.c, store_lock). The death signal only covers a parent
	 * dying from now on; one that died since it spawned us (under a
	 * sanitizer, starting takes a while) shows as a changed parent pid. */
	const char *parent = getenv("MINI_DOCKER_LAYER_PARENT");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (parent && getppid() != (pid_t)atoi(parent)))
		return 1;
	char why[1024] = "", id[65];
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc = -1;
	if (strcmp(cmd, "diff-id") == 0 && argc == 3) {
		if ((rc = layer_diff_id(argv[2], id, why, sizeof(why))) == 0)
			printf("%s\n", id);
	} else if (strcmp(cmd, "unpack") == 0 && argc == 4) {
		long long size = 0;
		if ((rc = layer_unpack(argv[2], argv[3], &size, why, sizeof(why))) == 0)
			printf("%lld\n", size);
	} else if (strcmp(cmd, "pack") == 0 && argc == 4) {
		rc = layer_pack(argv[2], argv[3], why, sizeof(why));
	} else if (strcmp(cmd, "extract") == 0 && argc == 4) {
		rc = tar_extract(argv[2], argv[3], why, sizeof(why));
	} else {
		fprintf(stderr, "usage: mini-docker-layer diff-id TAR | unpack TAR DIR | "
				"pack UPPER TAR | extract TAR DIR\n"
				"(a helper of mini-docker's image commands)\n");
		return 2;
	}
	if (rc < 0)
		printf("%s\n", why[0] ? why : "failed");
	return fflush(stdout) == 0 && rc == 0 ? 0 : 1;
}
