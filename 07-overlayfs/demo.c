/* 07-overlayfs/demo.c — two read-only lowers, a writable upper and a work dir
 * merged by overlayfs: the leftmost lower wins, writes copy up, deletes leave
 * whiteouts (char device 0:0), a re-made directory turns opaque, and after
 * unmounting the lowers are byte-for-byte as before while upper holds exactly
 * the container's changes. --rootless does it all as an unprivileged user.
 * Reproduces: notes 001 "overlayFS experiment" (lower1:lower2, absolute paths
 * only, copy-up, whiteouts). See the kernel's
 * Documentation/filesystems/overlayfs.rst. Needs root, or --rootless. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common.h"
#include "mounts.h"
#include "overlay.h"
#include "userns.h"

#define NOBODY 65534
#define LABPATH (2 * PATH_MAX)

static char lab[PATH_MAX];
static int mounted;
static pid_t lab_owner; /* only this process removes the lab, not a child */

static const struct { const char *path, *text; } seed[] = {
	{ "lower1/shared.txt", "from lower1\n" },
	{ "lower2/shared.txt", "from lower2\n" },
	{ "lower1/edit-me.txt", "original text\n" },
	{ "lower2/only-lower2.txt", "only in lower2\n" },
	{ "lower2/delete-me.txt", "doomed\n" },
	{ "lower2/dir/a.txt", "a from lower2\n" },
	{ "lower2/dir/b.txt", "b from lower2\n" },
};
#define NSEED (sizeof(seed) / sizeof(seed[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 07-overlayfs/demo [--dir DIR] [--keep] [--rootless]\n"
		"Build lower1, lower2, upper, work and merged directories, mount overlay, and\n"
		"show precedence, copy-up, whiteouts and opaque directories step by step.\n"
		"  --dir DIR    make the lab directory inside DIR (absolute; default /tmp)\n"
		"  --keep       leave the overlay mounted to explore; prints how to remove it\n"
		"  --rootless   run as an unprivileged user in a user + mount namespace\n"
		"               (Linux 5.11+, mount option userxattr); as root, as nobody\n"
		"  --help       this text\n");
}

static void path_in_lab(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", lab, rel);
}

static void put(const char *rel, const char *text, int flags)
{
	char p[LABPATH];
	path_in_lab(p, sizeof(p), rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	if (fd < 0)
		die_errno("open %s", p);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die_errno("write %s", p);
	close(fd);
}

static const char *get(const char *rel, char *buf, size_t size)
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

static int exists(const char *rel)
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
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 8; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return hex;
}

static void checksums(char sums[][17])
{
	for (size_t i = 0; i < NSEED; i++)
		digest(seed[i].path, sums[i]);
}

static void cleanup(void)
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

static void on_signal(int sig)
{
	/* Runs cleanup from the handler: acceptable here because the main
	 * flow never runs again, and everything it calls is a plain syscall
	 * wrapper except the few stdio messages on failure. */
	cleanup();
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
}

static void make_lab(const char *parent)
{
	char tmpl[PATH_MAX];
	snprintf(tmpl, sizeof(tmpl), "%s/mini-docker-07-XXXXXX", parent);
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

/* Steps 1-5, with the overlay mounted. Returns how many checks failed. */
static int steps(int userxattr)
{
	char l1[LABPATH], l2[LABPATH], up[LABPATH], wk[LABPATH],
	     mg[LABPATH], opts[16384], why[256], b1[256], b2[256];
	path_in_lab(l1, sizeof(l1), "lower1");
	path_in_lab(l2, sizeof(l2), "lower2");
	path_in_lab(up, sizeof(up), "upper");
	path_in_lab(wk, sizeof(wk), "work");
	path_in_lab(mg, sizeof(mg), "merged");
	const char *lowers[] = { l1, l2 };
	if (ovl_options(lowers, 2, up, wk, userxattr, opts, sizeof(opts), why, sizeof(why)) < 0)
		die("%s", why);
	say("=> the same as: mount -t overlay overlay -o %s %s", opts, mg);
	step("mounting overlay on merged");
	/* Hold Ctrl-C until the mount is recorded: a signal landing between
	 * mount(2) returning and "mounted = 1" would skip the unmount. */
	sigset_t old;
	block_stop_signals(&old);
	int ret = ovl_mount(lowers, 2, up, wk, mg, userxattr, 0);
	if (ret == 0)
		mounted = 1;
	restore_signals(&old);
	if (ret < 0)
		return 100;
	done();
	int bad = 0;

	say("\n-- 1. both lowers have shared.txt: the leftmost lower wins");
	say("   merged/shared.txt: \"%s\"  (lower1: \"%s\")", get("merged/shared.txt", b1, sizeof(b1)),
	    get("lower1/shared.txt", b2, sizeof(b2)));
	bad += strcmp(b1, "from lower1") != 0;

	say("\n-- 2. appending to edit-me.txt (a lower1 file) copies it up first");
	say("   before: upper/edit-me.txt %s", exists("upper/edit-me.txt") ? "exists" : "does not exist");
	put("merged/edit-me.txt", "changed in the container\n", O_APPEND);
	say("   after:  upper/edit-me.txt \"%s\"", get("upper/edit-me.txt", b1, sizeof(b1)));
	say("           lower1/edit-me.txt \"%s\" (untouched)", get("lower1/edit-me.txt", b2, sizeof(b2)));
	bad += strcmp(b2, "original text") != 0 || !exists("upper/edit-me.txt");

	say("\n-- 3. a new file lands in upper only");
	put("merged/new.txt", "new in the container\n", O_EXCL);
	say("   upper/new.txt %s; lower1/new.txt %s; lower2/new.txt %s",
	    exists("upper/new.txt") ? "exists" : "MISSING", exists("lower1/new.txt") ? "EXISTS" : "no",
	    exists("lower2/new.txt") ? "EXISTS" : "no");
	bad += !exists("upper/new.txt") || exists("lower1/new.txt") || exists("lower2/new.txt");

	say("\n-- 4. deleting delete-me.txt (a lower2 file) leaves a whiteout in upper");
	char p[LABPATH];
	path_in_lab(p, sizeof(p), "merged/delete-me.txt");
	if (unlink(p) < 0)
		die_errno("unlink %s", p);
	struct stat st;
	path_in_lab(p, sizeof(p), "upper/delete-me.txt");
	if (lstat(p, &st) < 0)
		die_errno("lstat %s", p);
	say("   upper/delete-me.txt: %s, device %u:%u, mode %04o%s",
	    S_ISCHR(st.st_mode) ? "character device" : "NOT a character device",
	    major(st.st_rdev), minor(st.st_rdev), st.st_mode & 07777,
	    ovl_is_whiteout(&st) ? "  <- a whiteout" : "");
	say("   merged/delete-me.txt %s; lower2/delete-me.txt %s",
	    exists("merged/delete-me.txt") ? "STILL THERE" : "is gone",
	    exists("lower2/delete-me.txt") ? "is still there" : "IS GONE");
	bad += !ovl_is_whiteout(&st) || exists("merged/delete-me.txt") || !exists("lower2/delete-me.txt");

	say("\n-- 5. removing dir/ (from lower2) and making it again: an opaque directory");
	const char *rm[] = { "merged/dir/a.txt", "merged/dir/b.txt" };
	for (int i = 0; i < 2; i++) {
		path_in_lab(p, sizeof(p), rm[i]);
		if (unlink(p) < 0)
			die_errno("unlink %s", p);
	}
	path_in_lab(p, sizeof(p), "merged/dir");
	if (rmdir(p) < 0 || mkdir(p, 0755) < 0)
		die_errno("rmdir/mkdir %s", p);
	put("merged/dir/fresh.txt", "fresh\n", O_EXCL);
	const char *xname = userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
	char xv[8] = "";
	path_in_lab(p, sizeof(p), "upper/dir");
	ssize_t xn = lgetxattr(p, xname, xv, sizeof(xv) - 1);
	xv[xn > 0 ? xn : 0] = '\0';
	say("   upper/dir xattr %s = \"%s\"", xname, xn > 0 ? xv : "(none)");
	say("   merged/dir holds: %s%s%s", exists("merged/dir/fresh.txt") ? "fresh.txt " : "",
	    exists("merged/dir/a.txt") ? "a.txt " : "", exists("merged/dir/b.txt") ? "b.txt" : "");
	say("   lower2/dir still holds a.txt and b.txt: %s",
	    exists("lower2/dir/a.txt") && exists("lower2/dir/b.txt") ? "yes" : "NO");
	bad += strcmp(xv, "y") != 0 || exists("merged/dir/a.txt");
	return bad;
}

static int print_change(const char *rel, enum ovl_kind kind, const struct stat *st,
			int dirfd, const char *name, void *arg)
{
	(void)dirfd; (void)name; (void)arg;
	const char *what = "";
	if (kind == OVL_WHITEOUT)
		what = "deleted in the container";
	else if (kind == OVL_OPAQUE_DIR)
		what = "replaced: hides the lower dir's contents";
	if (kind == OVL_FILE) {
		char l1[PATH_MAX], l2[PATH_MAX];
		snprintf(l1, sizeof(l1), "lower1/%s", rel);
		snprintf(l2, sizeof(l2), "lower2/%s", rel);
		what = exists(l1) || exists(l2) ? "changed (copied up)" : "added";
	}
	say("   %-16s %-11s %s%s", rel, ovl_kind_name(kind), what,
	    kind == OVL_WHITEOUT ? (S_ISCHR(st->st_mode) ? "  (c 0:0)" : "") : "");
	return 0;
}

int main(int argc, char **argv)
{
	prog_name = "07-overlayfs";
	const char *parent = "/tmp";
	int keep = 0, rootless = 0;
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': parent = optarg; break;
		case 'k': keep = 1; break;
		case 'r': rootless = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if (parent[0] != '/')
		die("--dir '%s' is relative; overlayfs needs absolute paths, give one like /tmp", parent);
	struct stat pst;
	if (stat(parent, &pst) < 0 || !S_ISDIR(pst.st_mode))
		die("--dir '%s': %s", parent, errno ? strerror(errno) : "not a directory");
	if (keep && rootless)
		die("--keep with --rootless: the mount lives in the child's namespace and ends with it");
	struct utsname u;
	uname(&u);
	if (rootless && !kernel_at_least(u.release, 5, 11))
		die("--rootless needs Linux 5.11 or later (unprivileged overlay mounts); this kernel is %s",
		    u.release);
	if (!rootless && geteuid() != 0)
		die("mounting overlay needs root; run with sudo, or try --rootless");

	if (rootless && getuid() == 0) {
		step("--rootless as root: dropping to nobody (%d) first", NOBODY);
		if (userns_drop_to(NOBODY) < 0)
			return 1;
		done();
	}

	lab_owner = getpid();
	atexit(cleanup);
	catch_stop_signals(on_signal);

	make_lab(parent);
	char before[NSEED][17], after[NSEED][17];
	checksums(before);
	say("=> seeded the lowers (sha256, first 16 hex digits):");
	for (size_t i = 0; i < NSEED; i++)
		say("   %-24s %s", seed[i].path, before[i]);

	int bad;
	if (!rootless) {
		bad = steps(0);
		if (bad == 100)
			return 1;
		if (keep) {
			char mg[LABPATH];
			path_in_lab(mg, sizeof(mg), "merged");
			say("\n=> --keep: the overlay stays mounted on %s", mg);
			say("   remove it with: umount %s && rm -rf %s", mg, lab);
			lab[0] = '\0';
			mounted = 0;
			return bad ? 1 : 0;
		}
		say("\n-- 6. unmount, then compare");
		step("unmounting merged");
		char mg[LABPATH];
		path_in_lab(mg, sizeof(mg), "merged");
		if (ovl_umount(mg) < 0)
			return 1;
		mounted = 0;
		done();
	} else {
		/* userxattr keeps overlay's markers in user.* xattrs, so the upper
		 * filesystem must support them (tmpfs does only from Linux 6.6). */
		char up[LABPATH];
		path_in_lab(up, sizeof(up), "upper");
		if (setxattr(up, "user.mini-docker.probe", "1", 1, 0) < 0)
			die("--rootless: %s does not support user.* xattrs (%s), which userxattr needs "
			    "(tmpfs before Linux 6.6); use --dir on a disk filesystem, like --dir /var/tmp",
			    parent, strerror(errno));
		removexattr(up, "user.mini-docker.probe");
		struct gate gate;
		gate_init(&gate);
		say("=> cloning a child with CLONE_NEWUSER|CLONE_NEWNS (uid %d outside)", (int)getuid());
		pid_t child = clone3_fork(CLONE_NEWUSER | CLONE_NEWNS, -1, NULL);
		if (child < 0)
			die_errno("clone3(CLONE_NEWUSER|CLONE_NEWNS)");
		if (child == 0) {
			gate_child_side(&gate);
			gate_wait(&gate);
			if (mount_make_rprivate("/") < 0)
				_exit(1);
			say("=> child: uid %d in its user namespace, mount namespace private", (int)getuid());
			int b = steps(1);
			/* The mount dies with our mount namespace; unmount anyway. */
			char mg[LABPATH];
			path_in_lab(mg, sizeof(mg), "merged");
			if (mounted)
				ovl_umount(mg);
			mounted = 0;
			lab[0] = '\0';
			fflush(stdout);
			_exit(b > 99 ? 100 : b);
		}
		gate_parent_side(&gate);
		struct idmap m = { 0, getuid(), 1 }, g = { 0, getgid(), 1 };
		if (userns_write_maps(child, &m, &g) < 0) {
			kill(child, SIGKILL);
			wait_child(child);
			return 1;
		}
		gate_open(&gate);
		int status = wait_child(child);
		if (!WIFEXITED(status) || WEXITSTATUS(status) == 100)
			return 1;
		bad = WEXITSTATUS(status);
		say("\n-- 6. the child and its mount namespace are gone, so is the mount");
	}

	checksums(after);
	int same = 1;
	say("=> the lowers now:");
	for (size_t i = 0; i < NSEED; i++) {
		int eq = strcmp(before[i], after[i]) == 0;
		same &= eq;
		say("   %-24s %s  %s", seed[i].path, after[i], eq ? "unchanged" : "CHANGED");
	}
	say("=> upper holds exactly the container's changes (what `docker commit` would save):");
	char up[LABPATH];
	path_in_lab(up, sizeof(up), "upper");
	if (ovl_walk_upper(up, print_change, NULL) < 0)
		bad++;
	say("=> result: %s", !bad && same ? "all six effects seen" : "SOMETHING DIFFERED (see above)");
	step("removing the lab directory");
	cleanup();
	done();
	return !bad && same ? 0 : 1;
}
