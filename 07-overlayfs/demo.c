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
#include "lab.h"
#include "mounts.h"
#include "overlay.h"
#include "userns.h"

#define NOBODY 65534

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

static void on_signal(int sig)
{
	/* Runs cleanup from the handler: acceptable here because the main
	 * flow never runs again, and everything it calls is a plain syscall
	 * wrapper except the few stdio messages on failure. */
	lab_cleanup();
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
}

/* Options and the checks that need nothing made yet; dies on a bad one. */
static void parse_args(int argc, char **argv, const char **parent, int *keep, int *rootless)
{
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
		case 'd': *parent = optarg; break;
		case 'k': *keep = 1; break;
		case 'r': *rootless = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if ((*parent)[0] != '/')
		die("--dir '%s' is relative; overlayfs needs absolute paths, give one like /tmp", *parent);
	struct stat pst;
	if (stat(*parent, &pst) < 0 || !S_ISDIR(pst.st_mode))
		die("--dir '%s': %s", *parent, errno ? strerror(errno) : "not a directory");
	if (*keep && *rootless)
		die("--keep with --rootless: the mount lives in the child's namespace and ends with it");
	struct utsname u;
	if (uname(&u) < 0)
		die_errno("uname");
	if (*rootless && !kernel_at_least(u.release, 5, 11))
		die("--rootless needs Linux 5.11 or later (unprivileged overlay mounts); this kernel is %s",
		    u.release);
	if (!*rootless && geteuid() != 0)
		die("mounting overlay needs root; run with sudo, or try --rootless");
}

/* The lowers' checksums, to compare with after the experiment. */
static void show_seeds(char sums[][17])
{
	checksums(sums);
	say("=> seeded the lowers (sha256, first 16 hex digits):");
	for (size_t i = 0; i < NSEED; i++)
		say("   %-24s %s", seed[i].path, sums[i]);
}

/* lower1:lower2, upper and work mounted on merged. 0, or -1 after printing why. */
static int mount_overlay(int userxattr)
{
	char l1[LABPATH], l2[LABPATH], up[LABPATH], wk[LABPATH],
	     mg[LABPATH], opts[16384], why[256];
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
		return -1;
	done();
	return 0;
}

/* Each show_ step narrates one effect and returns 1 if it was not seen. */
static int show_precedence(void)
{
	char b1[256], b2[256];
	say("\n-- 1. both lowers have shared.txt: the leftmost lower wins");
	say("   merged/shared.txt: \"%s\"  (lower1: \"%s\")", get("merged/shared.txt", b1, sizeof(b1)),
	    get("lower1/shared.txt", b2, sizeof(b2)));
	return strcmp(b1, "from lower1") != 0;
}

static int show_copy_up(void)
{
	char b1[256], b2[256];
	say("\n-- 2. appending to edit-me.txt (a lower1 file) copies it up first");
	say("   before: upper/edit-me.txt %s", exists("upper/edit-me.txt") ? "exists" : "does not exist");
	put("merged/edit-me.txt", "changed in the container\n", O_APPEND);
	say("   after:  upper/edit-me.txt \"%s\"", get("upper/edit-me.txt", b1, sizeof(b1)));
	say("           lower1/edit-me.txt \"%s\" (untouched)", get("lower1/edit-me.txt", b2, sizeof(b2)));
	return strcmp(b2, "original text") != 0 || !exists("upper/edit-me.txt");
}

static int show_new_file(void)
{
	say("\n-- 3. a new file lands in upper only");
	put("merged/new.txt", "new in the container\n", O_EXCL);
	say("   upper/new.txt %s; lower1/new.txt %s; lower2/new.txt %s",
	    exists("upper/new.txt") ? "exists" : "MISSING", exists("lower1/new.txt") ? "EXISTS" : "no",
	    exists("lower2/new.txt") ? "EXISTS" : "no");
	return !exists("upper/new.txt") || exists("lower1/new.txt") || exists("lower2/new.txt");
}

static int show_whiteout(void)
{
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
	return !ovl_is_whiteout(&st) || exists("merged/delete-me.txt") || !exists("lower2/delete-me.txt");
}

static int show_opaque_dir(int userxattr)
{
	say("\n-- 5. removing dir/ (from lower2) and making it again: an opaque directory");
	char p[LABPATH];
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
	return strcmp(xv, "y") != 0 || exists("merged/dir/a.txt");
}

/* Steps 1-5, with the overlay mounted. Returns how many checks failed,
 * or 100 if the overlay could not be mounted. */
static int steps(int userxattr)
{
	if (mount_overlay(userxattr) < 0)
		return 100;
	int bad = show_precedence();
	bad += show_copy_up();
	bad += show_new_file();
	bad += show_whiteout();
	bad += show_opaque_dir(userxattr);
	return bad;
}

/* As root: steps 1-5 in our own mount namespace, then unmount (or, with
 * --keep, leave it mounted and end here). Returns how many checks failed. */
static int explore_as_root(int keep)
{
	char mg[LABPATH];
	path_in_lab(mg, sizeof(mg), "merged");
	int bad = steps(0);
	if (bad == 100)
		exit(1);
	if (keep) {
		say("\n=> --keep: the overlay stays mounted on %s", mg);
		say("   remove it with: umount %s && rm -rf %s", mg, lab);
		lab[0] = '\0';
		mounted = 0;
		exit(bad ? 1 : 0);
	}
	say("\n-- 6. unmount, then compare");
	step("unmounting merged");
	if (ovl_umount(mg) < 0)
		exit(1);
	mounted = 0;
	done();
	return bad;
}

/* userxattr keeps overlay's markers in user.* xattrs, so the upper
 * filesystem must support them (tmpfs does only from Linux 6.6). */
static void check_user_xattrs(const char *parent)
{
	char up[LABPATH];
	path_in_lab(up, sizeof(up), "upper");
	if (setxattr(up, "user.mini-docker.probe", "1", 1, 0) < 0)
		die("--rootless: %s does not support user.* xattrs (%s), which userxattr needs "
		    "(tmpfs before Linux 6.6); use --dir on a disk filesystem, like --dir /var/tmp",
		    parent, strerror(errno));
	if (removexattr(up, "user.mini-docker.probe") < 0)
		die_errno("removexattr %s user.mini-docker.probe", up);
}

/* The rootless child: uid 0 in a user namespace of its own, with a
 * private mount namespace, runs steps 1-5 with userxattr. */
static noreturn void rootless_child(struct gate *gate)
{
	gate_child_side(gate);
	gate_wait(gate);
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

/* --rootless: steps 1-5 in a child in new user and mount namespaces; the
 * mount ends with the child. Returns how many checks failed. */
static int explore_rootless(const char *parent)
{
	check_user_xattrs(parent);
	struct gate gate;
	if (gate_init(&gate) < 0)
		die_errno("pipe2");
	say("=> cloning a child with CLONE_NEWUSER|CLONE_NEWNS (uid %d outside)", (int)getuid());
	pid_t child = clone3_fork(CLONE_NEWUSER | CLONE_NEWNS, -1, NULL);
	if (child < 0)
		die_errno("clone3(CLONE_NEWUSER|CLONE_NEWNS)");
	if (child == 0)
		rootless_child(&gate);
	gate_parent_side(&gate);
	struct idmap m = { 0, getuid(), 1 }, g = { 0, getgid(), 1 };
	if (userns_write_maps(child, &m, &g) < 0) {
		kill(child, SIGKILL);
		wait_child(child);
		exit(1);
	}
	if (gate_open(&gate) < 0)
		die_errno("write to the child's gate");
	int status = wait_child(child);
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 100)
		exit(1);
	say("\n-- 6. the child and its mount namespace are gone, so is the mount");
	return WEXITSTATUS(status);
}

/* The lowers against their checksums from before. 1 if all are unchanged. */
static int compare_lowers(char before[][17])
{
	char after[NSEED][17];
	checksums(after);
	int same = 1;
	say("=> the lowers now:");
	for (size_t i = 0; i < NSEED; i++) {
		int eq = strcmp(before[i], after[i]) == 0;
		same &= eq;
		say("   %-24s %s  %s", seed[i].path, after[i], eq ? "unchanged" : "CHANGED");
	}
	return same;
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

/* What upper holds: the container's changes. 0, or -1 if the walk failed. */
static int show_upper(void)
{
	say("=> upper holds exactly the container's changes (what `docker commit` would save):");
	char up[LABPATH];
	path_in_lab(up, sizeof(up), "upper");
	return ovl_walk_upper(up, print_change, NULL);
}

int main(int argc, char **argv)
{
	prog_name = "07-overlayfs";
	const char *parent = "/tmp";
	int keep = 0, rootless = 0;
	parse_args(argc, argv, &parent, &keep, &rootless);
	if (rootless && getuid() == 0) {
		step("--rootless as root: dropping to nobody (%d) first", NOBODY);
		if (userns_drop_to(NOBODY) < 0)
			return 1;
		done();
	}
	atexit(lab_cleanup);
	catch_stop_signals(on_signal);

	make_lab(parent);
	char before[NSEED][17];
	show_seeds(before);
	int bad = rootless ? explore_rootless(parent) : explore_as_root(keep);
	int same = compare_lowers(before);
	if (show_upper() < 0)
		bad++;
	say("=> result: %s", !bad && same ? "all six effects seen" : "SOMETHING DIFFERED (see above)");
	step("removing the lab directory");
	lab_cleanup();
	done();
	return !bad && same ? 0 : 1;
}
