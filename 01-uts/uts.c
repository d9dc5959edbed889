/* 01-uts/uts.c — see uts.h. */
#include "uts.h"

#include <stdio.h>
#include <string.h>

int hostname_check(const char *name, char *why, size_t why_size)
{
	size_t len = strlen(name);
	if (len == 0) {
		snprintf(why, why_size, "hostname is empty; give 1 to %d characters",
			 UTS_HOSTNAME_MAX);
		return -1;
	}
	if (len > UTS_HOSTNAME_MAX) {
		snprintf(why, why_size,
			 "hostname '%.20s...' is %zu bytes; the kernel accepts at most %d",
			 name, len, UTS_HOSTNAME_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!ok || (i == 0 && (c == '-' || c == '.'))) {
			snprintf(why, why_size,
				 "hostname '%s' has '%c' at position %zu; use letters, digits, '-' and '.', "
				 "not starting with '-' or '.'", name, c, i + 1);
			return -1;
		}
	}
	return 0;
}
