/* 08-mini-docker/caps.h — Docker's default capability set, applied with libcap. */
#ifndef CAPS_H
#define CAPS_H

#include <stddef.h>
#include <stdint.h>

/* The 14 capabilities Docker keeps by default (moby's
 * oci/caps/defaults.go): CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW
 * SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE. */
extern const int caps_default[];
extern const size_t caps_default_count;

/* The same set as the bit mask /proc/PID/status shows (CapEff):
 * 0x00000000a80425fb. Pure. */
uint64_t caps_default_mask(void);

/* Drop every other capability from the bounding set, clear inheritable and
 * ambient, keep the default set permitted and effective. 0 or -1 (printed). */
int caps_apply_default(void);
/* Its two halves, for a process that changes uid in between (a uid change
 * from 0 clears permitted and effective; the bounding set stays). */
int caps_drop_bounding(void);
int caps_set_default(void);

#endif
