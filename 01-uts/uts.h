/* 01-uts/uts.h — hostname rules shared by 01 and 08 (--hostname). */
#ifndef UTS_H
#define UTS_H

#include <stddef.h>

/* The kernel stores at most 64 bytes (HOST_NAME_MAX, __NEW_UTS_LEN). */
#define UTS_HOSTNAME_MAX 64

/* Check that name is a hostname the tool accepts: 1..64 bytes of letters,
 * digits, '-' and '.', not starting with '-' or '.' (RFC 1123 labels).
 * Returns 0, or -1 with a one-line reason in why. Pure. */
int hostname_check(const char *name, char *why, size_t why_size);

#endif
