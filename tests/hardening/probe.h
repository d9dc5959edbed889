/* tests/hardening/probe.h — what the attempt files share. */
#ifndef PROBE_H
#define PROBE_H

extern int escapes;
void blocked(const char *what, int err);
void escaped(const char *what, const char *detail);

/* probe_confine.c */
void keyring_read(void);
void keyring_add(void);
void userns_mount(void);
void try_bpf(void);
void try_perf(void);
void try_userfaultfd(void);
void try_io_uring(void);
void try_personality(void);
void exe_write(const char *path);
void exe_race(const char *seconds);
int exe_seals(const char *path);
int with_key(char **cmd);

#endif
