/* 02-user/nsowner.h — which user namespace owns a namespace, asked of the
 * kernel with ioctl_ns(2) (NS_GET_USERNS, NS_GET_PARENT, NS_GET_OWNER_UID).
 * Linked into 02's demo (--owner). */
#ifndef NSOWNER_H
#define NSOWNER_H

/* A child in new user and UTS namespaces waits while the parent asks who
 * owns what. 0 when every answer matched /proc/PID/ns, 1 if not, -1 on an
 * error. */
int owner_experiment(void);

#endif
