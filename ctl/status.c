/*
 * `trunkctl status`: what the kernel says about each process (user, chroot,
 * seccomp, no-new-privs, capabilities), beside what trunkd counted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "procinfo.h"

void
status_header(void)
{
	printf("%-8s %7s %-12s %-28s %-8s %-3s %-16s %8s %8s %8s  %s\n",
	    "PROCESS", "PID", "USER", "CHROOT", "SECCOMP", "NNP", "CAPS",
	    "UPTIME", "MSGS-IN", "MSGS-OUT", "STATE");
}

void
status_print_row(const struct msg_ctl_status_row *row)
{
	struct proto_procinfo	pi;
	char			caps[512];

	memset(&pi, 0, sizeof(pi));
	if (procinfo_read((pid_t)row->pid, &pi) == -1) {
		printf("%-8s %7u (gone)\n", proc_name(row->role), row->pid);
		return;
	}
	procinfo_caps(pi.capeff, caps, sizeof(caps));
	printf("%-8s %7u %-12s %-28s %-8s %-3s %-16s %7us %8" PRIu64
	    " %8" PRIu64 "  %s\n", proc_name(row->role), row->pid, pi.user,
	    pi.root, procinfo_seccomp(pi.seccomp), pi.nnp == 1 ? "yes" : "no",
	    caps, row->uptime, row->msgs_in, row->msgs_out, row->state);
}
