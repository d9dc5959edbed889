/* 07-overlayfs/lab.c — the lab directory the demo builds, explores and
 * removes; see lab.h. */
#define _GNU_SOURCE
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "overlay.h"

char lab[PATH_MAX];
int mounted;
static pid_t lab_owner; /* only this process removes the lab, not a child */

const struct seed_file seed[] = {
	{ "lower1/shared.txt", "from lower1\n" },
	{ "lower2/shared.txt", "from lower2\n" },
	{ "lower1/edit-me.txt", "original text\n" },
	{ "lower2/only-lower2.txt", "only in lower2\n" },
	{ "lower2/delete-me.txt", "doomed\n" },
	{ "lower2/dir/a.txt", "a from lower2\n" },
	{ "lower2/dir/b.txt", "b from lower2\n" },
};
_Static_assert(sizeof(seed) / sizeof(seed[0]) == NSEED, "NSEED counts seed[]");

void path_in_lab(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", lab, rel);
}

void put(const char *rel, const char *text, int flags)
{
	char p[LABPATH];
	path_in_lab(p, sizeof(p), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	if (fd < 0)
		die_errno("open %s", p);
	ssize_t n = write(fd, text, strlen(text));
	if (n < 0)
		die_errno("write %s", p);
	if ((size_t)n != strlen(text))
		die("write %s: %zd of %zu bytes written", p, n, strlen(text));
	/* A filesystem may report a deferred write error only at close. */
	if (close(fd) < 0)
		die_errno("close %s", p);
}

const char *get(const char *rel, char *buf, size_t size)
{
	char p[LABPATH];
	path_in_lab(p, sizeof(p), rel);
	if (read_file(p, buf, size) < 0)
		snprintf(buf, size, "(%s)", strerrorname_np(errno));
	for (char *c = buf; *c; c++) /* one line on screen: "a|b" for two lines */
		if (*c == '\n')
			*c = '|';
	return buf;
}

int exists(const char *rel)
{
	char p[LABPATH];
	struct stat st;
	path_in_lab(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

/* sha256 of a file, first 16 hex digits, with libcrypto's EVP interface. */
static const char *digest(const char *rel, char *hex)
{
	char p[LABPATH], buf[4096];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	path_in_lab(p, sizeof(p), rel);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_errno("open %s", p);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		die("EVP_DigestInit_ex failed");
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			die("EVP_DigestUpdate failed");
	if (n < 0)
		die_errno("read %s", p);
	close(fd);
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen))
		die("EVP_DigestFinal_ex failed");
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 8; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return hex;
}

void checksums(char sums[][17])
{
	for (size_t i = 0; i < NSEED; i++)
		digest(seed[i].path, sums[i]);
}

void lab_cleanup(void)
{
	if (getpid() != lab_owner)
		return;
	if (mounted) {
		char merged[LABPATH];
		path_in_lab(merged, sizeof(merged), "merged");
		if (ovl_umount(merged) == 0)
			mounted = 0;
	}
	if (lab[0] && !mounted) {
		ovl_remove_tree(lab);
		lab[0] = '\0';
	}
}

void make_lab(const char *parent)
{
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof(tmpl), "%s/mini-docker-07-XXXXXX", parent);
	lab_owner = getpid();
	step("making the lab directory");
	if (!mkdtemp(tmpl))
		die_errno("mkdtemp %s", tmpl);
	snprintf(lab, sizeof(lab), "%s", tmpl);
	const char *dirs[] = { "lower1", "lower2", "lower2/dir", "upper", "work", "merged" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[LABPATH];
		path_in_lab(p, sizeof(p), dirs[i]);
		if (mkdir(p, 0755) < 0)
			die_errno("mkdir %s", p);
	}
	for (size_t i = 0; i < NSEED; i++)
		put(seed[i].path, seed[i].text, O_EXCL);
	say("%s", lab);
}
