/*
 * `trunkctl status`: what the kernel says about each process (user, chroot,
 * seccomp, no-new-privs, capabilities), beside what trunkd counted.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "util.h"

struct proc_facts {
	char		user[32];
	char		root[PATH_MAX];
	int		seccomp;
	int		nnp;
	uint64_t	capeff;
};

/* Bits of /proc/PID/status CapEff, named as capabilities(7) does. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};

static int
read_facts(pid_t pid, struct proc_facts *f)
{
	char		 path[64], line[256];
	FILE		*fp;
	struct passwd	*pw;
	ssize_t		 n;
	unsigned int	 uid = 0;

	memset(f, 0, sizeof(*f));
	f->seccomp = f->nnp = -1;
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "Uid: %*u %u", &uid) == 1)
			continue;
		if (sscanf(line, "Seccomp: %d", &f->seccomp) == 1)
			continue;
		if (sscanf(line, "NoNewPrivs: %d", &f->nnp) == 1)
			continue;
		(void)sscanf(line, "CapEff: %" SCNx64, &f->capeff);
	}
	fclose(fp);
	if ((pw = getpwuid(uid)) != NULL)
		(void)strlcpy(f->user, pw->pw_name, sizeof(f->user));
	else
		(void)snprintf(f->user, sizeof(f->user), "%u", uid);
	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	if ((n = readlink(path, f->root, sizeof(f->root) - 1)) == -1)
		(void)strlcpy(f->root, "?", sizeof(f->root));
	else
		f->root[n] = '\0';
	return 0;
}

static void
caps_string(uint64_t caps, char *buf, size_t len)
{
	size_t	i;

	buf[0] = '\0';
	if (caps == 0) {
		(void)strlcpy(buf, "none", len);
		return;
	}
	/* A privileged process: name what it lacks, not what it has. */
	if (__builtin_popcountll(caps) > 32) {
		(void)strlcpy(buf, "all", len);
		for (i = 0; i < nitems(cap_names); i++) {
			if (caps & (1ULL << i))
				continue;
			(void)strlcat(buf, i == 0 || buf[3] == '\0' ?
			    " but " : ",", len);
			(void)strlcat(buf, "cap_", len);
			(void)strlcat(buf, cap_names[i], len);
		}
		return;
	}
	for (i = 0; i < 64; i++) {
		char	one[32];

		if ((caps & (1ULL << i)) == 0)
			continue;
		if (i < nitems(cap_names))
			(void)snprintf(one, sizeof(one), "%scap_%s",
			    buf[0] ? "," : "", cap_names[i]);
		else
			(void)snprintf(one, sizeof(one), "%scap_%zu",
			    buf[0] ? "," : "", i);
		(void)strlcat(buf, one, len);
	}
}

static const char *
seccomp_string(int mode)
{
	switch (mode) {
	case 0:
		return "off";
	case 1:
		return "strict";
	case 2:
		return "filter";
	}
	return "?";
}

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
	struct proc_facts	f;
	char			caps[512];

	if (read_facts((pid_t)row->pid, &f) == -1) {
		printf("%-8s %7u (gone)\n", proc_name(row->role), row->pid);
		return;
	}
	caps_string(f.capeff, caps, sizeof(caps));
	printf("%-8s %7u %-12s %-28s %-8s %-3s %-16s %7us %8" PRIu64
	    " %8" PRIu64 "  %s\n", proc_name(row->role), row->pid, f.user,
	    f.root, seccomp_string(f.seccomp), f.nnp == 1 ? "yes" : "no",
	    caps, row->uptime, row->msgs_in, row->msgs_out, row->state);
}
