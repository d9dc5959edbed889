/* 08-mini-docker/seccomp_profile.c — see seccomp_profile.h.
 *
 * A profile is an allowlist: "defaultAction" (SCMP_ACT_ERRNO) for every
 * syscall no rule names, and rules {names, action, errnoRet, args, includes,
 * excludes}. A rule whose "includes" asks for a capability the container
 * lacks (or an architecture it does not run on) is skipped; one whose
 * "excludes" names a capability it has is skipped. That is how the same
 * file lets a --cap-add SYS_ADMIN container mount while a default one gets
 * EPERM. */
#define _GNU_SOURCE
#include "seccomp_profile.h"

#include <errno.h>
#include <json-c/json.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common.h"
#include "jsonget.h"

/* Where podman's list (the default file) is looser than Docker's default,
 * because podman leans on capabilities alone, Docker's rule is used for a
 * container without CAP_SYS_ADMIN: the kernel keyrings are not namespaced
 * (a container could read or fill the host's), and a new user namespace
 * hands out the mount and unshare powers the capability set withheld
 * (CVE-2022-0185 was reached that way). clone3 answers ENOSYS, not EPERM:
 * its flags sit in a struct BPF cannot read, and ENOSYS makes glibc fall
 * back to clone, whose flags the filter can check. */
static const struct { const char *name; int err; } docker_rules[] = {
	{ "keyctl", EPERM }, { "add_key", EPERM }, { "request_key", EPERM },
	{ "unshare", EPERM }, { "setns", EPERM }, { "mount", EPERM }, { "umount", EPERM },
	{ "umount2", EPERM }, { "pivot_root", EPERM }, { "fsopen", EPERM }, { "fsconfig", EPERM },
	{ "fsmount", EPERM }, { "fspick", EPERM }, { "move_mount", EPERM }, { "open_tree", EPERM },
	{ "mount_setattr", EPERM }, { "clone3", ENOSYS }, { "clone", 0 /* by its flags */ },
};
#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
		  CLONE_NEWNET | CLONE_NEWCGROUP)

struct compile {
	scmp_filter_ctx ctx;
	uint64_t caps;
	int docker;          /* the default profile: docker_rules apply */
	uint32_t dflt;       /* the default action */
	const char *path;
	char *why;
	size_t why_size;
};

static int bad(struct compile *c, const char *fmt, const char *what)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, what);
	snprintf(c->why, c->why_size, "seccomp profile %s: %s", c->path, msg);
	return -1;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* "SCMP_ACT_ERRNO" + errnoRet -> libseccomp's action. */
static int action(struct compile *c, const char *name, json_object *ret, int dflt_errno, uint32_t *out)
{
	int err = ret ? json_object_get_int(ret) : dflt_errno;
	if (!name)
		return bad(c, "a rule has no %s", "action");
	if (!strcmp(name, "SCMP_ACT_ALLOW")) *out = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_ERRNO")) *out = SCMP_ACT_ERRNO((uint16_t)err);
	else if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD")) *out = SCMP_ACT_KILL;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS")) *out = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP")) *out = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_LOG")) *out = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_TRACE")) *out = SCMP_ACT_TRACE((uint16_t)err);
	else return bad(c, "action '%s' is not supported (SCMP_ACT_ALLOW, _ERRNO, _KILL, "
			"_KILL_PROCESS, _TRAP, _LOG, _TRACE are)", name);
	return 0;
}

static int has_cap(uint64_t caps, const char *name)
{
	static const char *const names[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
		"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
		"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
		"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
		"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
		"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
		"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return (caps >> i) & 1;
	return 0; /* a capability this table does not know: not held */
}

static int in_list(json_object *list, const char *s)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		if (strcmp(json_elem_str(list, i), s) == 0)
			return 1;
	return 0;
}

/* includes: every capability listed is held, this arch is listed, the
 * kernel is at least minKernel; excludes: the opposite, any one. */
static int applies(json_object *rule, uint64_t caps)
{
	json_object *inc = NULL, *exc = NULL;
	json_object_object_get_ex(rule, "includes", &inc);
	json_object_object_get_ex(rule, "excludes", &exc);
	json_object *l;
	if ((l = json_key_array(inc, "caps")))
		for (size_t i = 0; i < json_object_array_length(l); i++)
			if (!has_cap(caps, json_elem_str(l, i)))
				return 0;
	if ((l = json_key_array(inc, "arches")) && json_object_array_length(l) > 0 && !in_list(l, go_arch()))
		return 0;
	const char *min = inc ? str(inc, "minKernel") : NULL;
	struct utsname u;
	if (min && uname(&u) == 0) {
		int major = 0, minor = 0;
		if (sscanf(min, "%d.%d", &major, &minor) == 2 && !kernel_at_least(u.release, major, minor))
			return 0;
	}
	if ((l = json_key_array(exc, "caps")))
		for (size_t i = 0; i < json_object_array_length(l); i++)
			if (has_cap(caps, json_elem_str(l, i)))
				return 0;
	if ((l = json_key_array(exc, "arches")) && in_list(l, go_arch()))
		return 0;
	return 1;
}

static int docker_rule(const struct compile *c, const char *name)
{
	if (!c->docker || has_cap(c->caps, "CAP_SYS_ADMIN"))
		return -1;
	for (size_t i = 0; i < sizeof(docker_rules) / sizeof(docker_rules[0]); i++)
		if (strcmp(docker_rules[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int op(const char *s, enum scmp_compare *out)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; s && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0) {
			*out = ops[i].op;
			return 0;
		}
	return -1;
}

/* args -> conditions. libseccomp ANDs the conditions of one rule but takes
 * at most one per argument; when two name the same argument (Docker's
 * socket rules do), each becomes a rule of its own, as runc does. */
static int add_rule(struct compile *c, const char *name, int nr, uint32_t act, json_object *args)
{
	struct scmp_arg_cmp cmp[6];
	unsigned n = 0, same = 0;
	for (size_t i = 0; args && i < json_object_array_length(args); i++) {
		json_object *a = json_object_array_get_idx(args, i), *v;
		if (n == 6)
			return bad(c, "a rule has more than %s conditions", "6");
		cmp[n].arg = (unsigned)(json_object_object_get_ex(a, "index", &v) ? json_object_get_int(v) : 0);
		cmp[n].datum_a = json_object_object_get_ex(a, "value", &v) ? (uint64_t)json_object_get_uint64(v) : 0;
		cmp[n].datum_b = json_object_object_get_ex(a, "valueTwo", &v) ? (uint64_t)json_object_get_uint64(v) : 0;
		if (cmp[n].arg > 5 || op(str(a, "op"), &cmp[n].op) < 0)
			return bad(c, "a condition has a bad index or op '%s'", str(a, "op") ? str(a, "op") : "");
		for (unsigned j = 0; j < n; j++)
			same |= cmp[j].arg == cmp[n].arg;
		n++;
	}
	int rc = 0;
	if (same) {
		for (unsigned i = 0; rc == 0 && i < n; i++)
			rc = seccomp_rule_add_array(c->ctx, act, nr, 1, &cmp[i]);
	} else {
		rc = seccomp_rule_add_array(c->ctx, act, nr, n, cmp);
	}
	/* -EACCES: the same action as the default; nothing to add */
	if (rc < 0 && rc != -EACCES) {
		return bad(c, "libseccomp refused the rule for %s", name);
	}
	return 0;
}

static int add_docker_rule(struct compile *c, int i)
{
	int nr = seccomp_syscall_resolve_name(docker_rules[i].name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (docker_rules[i].err)
		return add_rule(c, docker_rules[i].name, nr,
						     SCMP_ACT_ERRNO((uint16_t)docker_rules[i].err), NULL) < 0 ? -1 : 0;
	/* clone: allowed while no namespace flag is set (x86-64 and arm64
	 * keep the flags in the first argument); with one, the default
	 * action answers, EPERM, as in Docker */
	struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_MASKED_EQ, NS_FLAGS, 0);
	if (seccomp_rule_add_array(c->ctx, SCMP_ACT_ALLOW, nr, 1, &none) < 0)
		return bad(c, "libseccomp refused Docker's %s rule", "clone");
	return 0;
}

static int add_syscalls(struct compile *c, json_object *profile)
{
	json_object *rules = json_key_array(profile, "syscalls");
	for (size_t i = 0; rules && i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i), *names, *ret = NULL;
		if (!applies(r, c->caps))
			continue;
		json_object_object_get_ex(r, "errnoRet", &ret);
		uint32_t act;
		if (action(c, str(r, "action"), ret, EPERM, &act) < 0)
			return -1;
		if (!(names = json_key_array(r, "names")))
			return bad(c, "a rule has no %s", "names");
		for (size_t j = 0; j < json_object_array_length(names); j++) {
			const char *name = json_elem_str(names, j);
			int nr = seccomp_syscall_resolve_name(name);
			/* a name this machine has no number for (another arch's) */
			if (nr == __NR_SCMP_ERROR || docker_rule(c, name) >= 0)
				continue;
			json_object *args = NULL;
			json_object_object_get_ex(r, "args", &args);
			if (add_rule(c, name, nr, act, args) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < sizeof(docker_rules) / sizeof(docker_rules[0]); i++)
		if (docker_rule(c, docker_rules[i].name) >= 0 && add_docker_rule(c, (int)i) < 0)
			return -1;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for it, or 0. */
static uint32_t arch_token(const char *s)
{
	char lower[32];
	size_t k = 0;
	if (!s || strncmp(s, "SCMP_ARCH_", 10) != 0)
		return 0;
	for (s += 10; *s && k < sizeof(lower) - 1; s++)
		lower[k++] = (char)(*s | 0x20);
	lower[k] = '\0';
	return *s ? 0 : seccomp_arch_resolve_name(lower);
}

/* "archMap": the native arch's sub-architectures (x86 and x32 on x86-64)
 * get the same rules: a 32-bit syscall entry must not be a way around. */
static int add_arches(struct compile *c, json_object *profile)
{
	json_object *map = json_key_array(profile, "archMap");
	for (size_t i = 0; map && i < json_object_array_length(map); i++) {
		json_object *m = json_object_array_get_idx(map, i);
		if (arch_token(str(m, "architecture")) != seccomp_arch_native())
			continue;
		json_object *subs = json_key_array(m, "subArchitectures");
		for (size_t j = 0; subs && j < json_object_array_length(subs); j++) {
			const char *s = json_elem_str(subs, j);
			uint32_t arch = arch_token(s);
			int rc = arch ? seccomp_arch_add(c->ctx, arch) : 0;
			if (rc < 0 && rc != -EEXIST)
				return bad(c, "cannot add the architecture %s", s);
		}
	}
	return 0;
}

static int export(struct compile *c, struct sock_fprog *prog)
{
	int fd = memfd_create("mini-docker-seccomp", MFD_CLOEXEC);
	struct stat st;
	if (fd < 0 || seccomp_export_bpf(c->ctx, fd) < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return bad(c, "exporting the BPF program failed%s", "");
	}
	prog->filter = malloc((size_t)st.st_size);
	ssize_t n = prog->filter ? pread(fd, prog->filter, (size_t)st.st_size, 0) : -1;
	close(fd);
	if (n != st.st_size) {
		free(prog->filter);
		prog->filter = NULL;
		return bad(c, "reading the BPF program back failed%s", "");
	}
	prog->len = (unsigned short)((size_t)st.st_size / sizeof(struct sock_filter));
	return 0;
}

int seccomp_compile(const char *value, uint64_t caps, struct sock_fprog *prog,
		    char *why, size_t why_size)
{
	prog->len = 0;
	prog->filter = NULL;
	if (strcmp(value, "unconfined") == 0)
		return 0;
	struct compile c = { .caps = caps, .docker = !value[0], .why = why, .why_size = why_size,
			     .path = value[0] ? value : SECCOMP_DEFAULT_PROFILE };
	char *text = read_whole(c.path, 4 << 20, NULL);
	if (!text) {
		snprintf(why, why_size, "seccomp profile %s: %s%s", c.path, strerror(errno),
			 c.docker ? " (install the golang-github-containers-common package, or run with "
				    "--security-opt seccomp=PROFILE.json or seccomp=unconfined)" : "");
		return -1;
	}
	json_object *p = json_tokener_parse(text), *ret = NULL;
	free(text);
	if (!p || !json_object_is_type(p, json_type_object)) {
		json_object_put(p);
		return bad(&c, "not a JSON %s", "object");
	}
	/* Docker's default answers EPERM to a syscall it does not list;
	 * podman's file says ENOSYS: for the default, Docker's word wins. */
	if (!c.docker)
		json_object_object_get_ex(p, "defaultErrnoRet", &ret);
	int rc = action(&c, str(p, "defaultAction"), ret, EPERM, &c.dflt);
	if (rc == 0 && !(c.ctx = seccomp_init(c.dflt)))
		rc = bad(&c, "seccomp_init refused the %s", "defaultAction");
	if (rc == 0)
		rc = add_arches(&c, p);
	if (rc == 0)
		rc = add_syscalls(&c, p);
	if (rc == 0)
		rc = export(&c, prog);
	seccomp_release(c.ctx);
	json_object_put(p);
	return rc;
}

int seccomp_install(const struct sock_fprog *prog)
{
	if (prog->len == 0)
		return 0;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
}
