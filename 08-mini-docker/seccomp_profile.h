/* 08-mini-docker/seccomp_profile.h — a seccomp profile in Docker's JSON format,
 * compiled with libseccomp into a BPF program on the host side, loaded by
 * the container's process as the very last step before exec.
 *
 * Why compile on the host: the profile is a host file (after pivot_root the
 * container cannot see it), and libseccomp's work (a few hundred rules,
 * three ABIs on x86-64) is done once, before clone; the child only hands the
 * finished program to the kernel with seccomp(2). */
#ifndef SECCOMP_PROFILE_H
#define SECCOMP_PROFILE_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

/* The default: the profile Debian's containers-common package installs for
 * podman (the format Docker reads; Docker's own default is compiled into
 * dockerd and no package ships it as a file). */
#define SECCOMP_DEFAULT_PROFILE "/usr/share/containers/seccomp.json"

/* Compile the profile named by value ("" = the default, "unconfined" =
 * none: prog->len 0) for a process whose capabilities are caps (a bit mask,
 * for the profile's "includes"/"excludes" caps rules). For the default
 * profile, Docker's stricter rules replace podman's for the syscalls in
 * seccomp_docker_rules (see seccomp.c). 0, or -1 with a one-line reason
 * naming the file and the field. The caller frees prog->filter. */
int seccomp_compile(const char *value, uint64_t caps, struct sock_fprog *prog,
		    char *why, size_t why_size);

/* Install prog in this process (after no_new_privs). 0 or -1 (errno).
 * A zero-length prog (unconfined) installs nothing. */
int seccomp_install(const struct sock_fprog *prog);

#endif
