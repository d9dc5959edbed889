/* 02-user/demo.c — an unprivileged user becomes root inside a user namespace:
 * uid 0 and a full capability set, which reach the child's own namespaces
 * (sethostname works) but not the host's objects (a host-root file stays
 * read-only). --bad-map reproduces the notes' "invalid argument"; --owner asks
 * ioctl_ns(2) which user namespace owns which namespace (nsowner.c). Where
 * AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+) it says
 * so and what to do.
 * Reproduces: notes 000 "User namespace". See user_namespaces(7),
 * capabilities(7), cap_get_proc(3). Needs no root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "ns.h"
#include "userns.h"
#include "nsowner.h"

#define NOBODY 65534
#define PROBE_FILE "/etc/passwd"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 02-user/demo [--bad-map | --owner]\n"
		"Clone a child into new user and UTS namespaces, map the caller to uid/gid 0\n"
		"there, and show what that root can and cannot do. Needs no root.\n"
		"  --bad-map  after mapping only uid 0, switch to uid 1 as the notes' Go code\n"
		"             does: the kernel answers EINVAL (invalid argument)\n"
		"  --owner    ask the kernel (ioctl_ns NS_GET_USERNS, NS_GET_PARENT) which user\n"
		"             namespace owns the child's UTS namespace, and ours\n"
		"  --help     this text\n");
}

static void show_file(const char *label, const char *path)
{
	char buf[256];
	if (read_file(path, buf, sizeof(buf)) < 0)
		die_errno("read %s", path);
	say("   %-9s %s", label, buf);
}

/* Everything the child shows once its maps are in place. */
static int child_report(int bad_map)
{
	say("=> child: uid %d gid %d euid %d", (int)getuid(), (int)getgid(), (int)geteuid());
	show_file("uid_map:", "/proc/self/uid_map");
	show_file("gid_map:", "/proc/self/gid_map");

	cap_t caps = cap_get_proc();
	if (!caps)
		die_errno("cap_get_proc");
	char *text = cap_to_text(caps, NULL);
	if (!text)
		die_errno("cap_to_text");
	say("   caps:     %s   (\"=ep\": every capability, effective and permitted)", text);
	cap_free(text);
	cap_free(caps);

	if (bad_map) {
		/* The Go code in the notes asks for Credential{Uid: 1} while the
		 * map holds only uid 0: the kernel cannot translate 1 to a host id. */
		step("child: setresuid(1, 1, 1) with only uid 0 mapped");
		if (setresuid(1, 1, 1) == 0)
			die("setresuid(1) succeeded; expected EINVAL");
		int err = errno;
		say("%s (%s)", strerrorname_np(err), strerror(err));
		say("   uid 1 has no line in uid_map, so there is no host uid it could be;");
		say("   the kernel refuses the change with EINVAL: Go's \"invalid argument\".");
		return err == EINVAL ? 0 : 1;
	}

	const char *name = "userns-demo";
	step("child: sethostname(\"%s\") in its own UTS namespace", name);
	if (sethostname(name, strlen(name)) < 0) {
		char hint[640];
		if (errno == EPERM && userns_restriction_hint(USERNS_APPARMOR_SYSCTL, hint, sizeof(hint)))
			die("sethostname: %s\n%s", strerror(EPERM), hint);
		die_errno("sethostname");
	}
	char h[65];
	gethostname(h, sizeof(h));
	say("ok, hostname is now \"%s\"", h);
	say("   CAP_SYS_ADMIN counts here: this UTS namespace is owned by our user namespace.");

	step("child: open(\"%s\", O_WRONLY) (a host root file; nothing is written)", PROBE_FILE);
	int fd = open(PROBE_FILE, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		say("opened (unexpected): host root is mapped into this namespace");
		return 1;
	}
	int err = errno;
	say("%s (%s)", strerrorname_np(err), strerror(err));
	say("   host uid 0 has no mapping here, so the file looks owned by nobody (65534);");
	say("   CAP_DAC_OVERRIDE works only on files whose owner is mapped into the namespace.");
	return err == EACCES ? 0 : 1;
}

/* -1 to go on, or the exit status (--help, a bad option). */
static int parse_args(int argc, char **argv, int *bad_map, int *owner)
{
	static const struct option opts[] = {
		{ "bad-map", no_argument, NULL, 'b' },
		{ "owner", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': *bad_map = 1; break;
		case 'o': *owner = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if (*bad_map && *owner)
		die("--bad-map and --owner are separate experiments; give one");
	return -1;
}

/* The child: its ids before the maps, then (once the gate opens) the
 * report of what uid 0 in a user namespace may do. */
noreturn static void child_side(int ready[2], struct gate *gate, const char *host_link, int bad_map)
{
	close(ready[0]);
	gate_child_side(gate);
	char l[64];
	if (ns_link_read(0, "user", l, sizeof(l)) < 0)
		die_errno("readlink /proc/self/ns/user");
	/* Until the parent writes the maps, our ids have no translation
	 * and read back as the overflow id (/proc/sys/kernel/overflowuid). */
	say("=> child before the maps: uid %d gid %d, %s (host: %s)",
	    (int)getuid(), (int)getgid(), l, host_link);
	if (write(ready[1], "r", 1) != 1)
		die_errno("write ready");
	close(ready[1]);
	gate_wait(gate);
	fflush(stdout);
	_exit(child_report(bad_map));
}

/* The parent's one job: the maps, in the order the kernel demands. */
static int write_maps(pid_t child, const struct idmap *umap, const struct idmap *gmap)
{
	char text[80];
	idmap_format(umap, text, sizeof(text));
	text[strlen(text) - 1] = '\0';
	say("=> parent writes /proc/%d/setgroups \"deny\", uid_map \"%s\", gid_map \"%lu %lu %lu\"",
	    (int)child, text, gmap->inside, gmap->outside, gmap->count);
	return userns_write_maps(child, umap, gmap);
}

int main(int argc, char **argv)
{
	prog_name = "02-user";
	int bad_map = 0, owner = 0;
	int rc = parse_args(argc, argv, &bad_map, &owner);
	if (rc >= 0)
		return rc;
	if (getuid() == 0) {
		/* Root could write "0 0 1" and the child's capabilities would then
		 * reach every host-root file: the experiment would show nothing. Run
		 * it as nobody instead, exactly as an ordinary user would. The map
		 * must name the child's real uid, so dropping has to happen before
		 * the clone, not in the map. */
		step("running as root: dropping to nobody (%d) first", NOBODY);
		if (userns_drop_to(NOBODY) < 0)
			return 1;
		done();
	}
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct idmap umap = { 0, uid, 1 }, gmap = { 0, gid, 1 };
	say("=> you are uid %d gid %d: no privilege on the host", (int)uid, (int)gid);
	char hint[640];
	if (userns_restriction_hint(USERNS_APPARMOR_SYSCTL, hint, sizeof(hint)))
		say("=> warning: %s", hint);
	if (owner)
		return owner_experiment() == 0 ? 0 : 1;
	char link[64];
	if (ns_link_read(0, "user", link, sizeof(link)) < 0)
		die_errno("readlink /proc/self/ns/user");

	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		die_errno("pipe2");
	struct gate gate;
	if (gate_init(&gate) < 0)
		die_errno("pipe2");
	say("=> cloning a child with CLONE_NEWUSER|CLONE_NEWUTS");
	pid_t child = clone3_fork(CLONE_NEWUSER | CLONE_NEWUTS, -1, NULL);
	if (child < 0) {
		if (errno == EPERM || errno == ENOSPC)
			die("clone3(CLONE_NEWUSER): %s (check /proc/sys/user/max_user_namespaces "
			    "and, on Debian/Ubuntu, sysctl kernel.unprivileged_userns_clone / "
			    "kernel.apparmor_restrict_unprivileged_userns)", strerror(errno));
		die_errno("clone3(CLONE_NEWUSER|CLONE_NEWUTS)");
	}
	if (child == 0)
		child_side(ready, &gate, link, bad_map);
	close(ready[1]);
	gate_parent_side(&gate);
	char r;
	if (read(ready[0], &r, 1) != 1)
		die("the child died before it was ready");
	close(ready[0]);
	if (write_maps(child, &umap, &gmap) < 0) {
		kill(child, SIGKILL);
		wait_child(child);
		return 1;
	}
	if (gate_open(&gate) < 0)
		die_errno("write to the child's gate");
	int status = wait_child(child);
	char sbuf[64];
	say("=> child %s", describe_status(status, sbuf, sizeof(sbuf)));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
