/* 08-mini-docker/selfexe.h — run from a sealed in-memory copy of ourselves.
 *
 * The attack (runc's CVE-2019-5736): until it execs the container's
 * command, the process in the container is *our* binary, so its
 * /proc/self/exe is a door to the host's mini-docker file. A command that
 * is a script starting "#!/proc/self/exe" makes the kernel run our binary
 * again, inside the container, where the container's root (with
 * CAP_DAC_OVERRIDE) can open /proc/PID/exe and, once we have exited, write
 * its own code into the host's binary: the next `mini-docker` any admin
 * runs is the attacker's.
 *
 * The defence, as runc's and crun's: before run, start or exec do anything,
 * copy the binary into a memfd, seal it against every change, and exec
 * that. /proc/self/exe is then a file that exists only in memory and that
 * no one, root included, can write. */
#ifndef SELFEXE_H
#define SELFEXE_H

/* Re-exec argv from a sealed memfd copy unless we already run from one.
 * Returns 0 when already sealed; on success never returns; -1 (printed)
 * on failure. */
int selfexe_sealed(char **argv);

/* Is fd a memfd sealed against writes, growth, shrinking and new seals? */
int selfexe_is_sealed(int fd);

#endif
