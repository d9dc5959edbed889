/* 08-mini-docker/caps.c — see caps.h. */
#define _GNU_SOURCE
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>

#include "common.h"

const int caps_default[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
	CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};
const size_t caps_default_count = sizeof(caps_default) / sizeof(caps_default[0]);

uint64_t caps_default_mask(void)
{
	uint64_t m = 0;
	for (size_t i = 0; i < caps_default_count; i++)
		m |= 1ULL << caps_default[i];
	return m;
}

int caps_drop_bounding(void)
{
	uint64_t keep = caps_default_mask();
	/* The bounding set caps what any later execve can ever gain, even
	 * from a setuid-root or file-capability binary. Dropping needs
	 * CAP_SETPCAP, so do it while we still have everything. */
	for (cap_value_t c = 0; c <= (cap_value_t)cap_max_bits() - 1; c++) {
		if (keep & (1ULL << c))
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return warn_errno("cap_drop_bound(%s)", cap_to_name(c));
	}
	return 0;
}

int caps_set_default(void)
{
	cap_t caps = cap_init(); /* all clear, inheritable included */
	if (!caps)
		return warn_errno("cap_init");
	cap_value_t list[64];
	for (size_t i = 0; i < caps_default_count; i++)
		list[i] = caps_default[i];
	int ret = 0;
	if (cap_set_flag(caps, CAP_PERMITTED, (int)caps_default_count, list, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, (int)caps_default_count, list, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		ret = warn_errno("cap_set_proc(docker default set)");
	cap_free(caps);
	/* Ambient capabilities would survive exec into an unprivileged
	 * program; none are wanted. */
	if (ret == 0 && cap_reset_ambient() < 0 && errno != EINVAL)
		ret = warn_errno("cap_reset_ambient");
	return ret;
}

int caps_apply_default(void)
{
	return caps_drop_bounding() < 0 ? -1 : caps_set_default();
}
