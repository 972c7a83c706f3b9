/*
 * What the kernel says about a process's lock-down, read from /proc: for
 * trunkctl status and the console's dashboard (through the parent, since
 * webd cannot see /proc from its chroot).
 */
#ifndef TRUNKD_PROCINFO_H
#define TRUNKD_PROCINFO_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

int		 procinfo_read(pid_t, struct proto_procinfo *);
/* "none", "cap_net_admin", "all but cap_sys_resource", ... */
void		 procinfo_caps(uint64_t caps, char *buf, size_t len);
const char	*procinfo_seccomp(int mode);

#endif /* TRUNKD_PROCINFO_H */
