#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procinfo.h"
#include "util.h"

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

int
procinfo_read(pid_t pid, struct proto_procinfo *pi)
{
	char		 path[64], line[256];
	FILE		*fp;
	struct passwd	*pw;
	ssize_t		 n;
	unsigned int	 uid = 0;
	unsigned long long caps = 0;

	pi->pid = (uint32_t)pid;
	pi->seccomp = pi->nnp = -1;
	(void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "Uid: %*u %u", &uid) == 1)
			continue;
		if (sscanf(line, "Seccomp: %d", &pi->seccomp) == 1)
			continue;
		if (sscanf(line, "NoNewPrivs: %d", &pi->nnp) == 1)
			continue;
		(void)sscanf(line, "CapEff: %llx", &caps);
	}
	fclose(fp);
	pi->uid = uid;
	pi->capeff = caps;
	if ((pw = getpwuid(uid)) != NULL)
		(void)strlcpy(pi->user, pw->pw_name, sizeof(pi->user));
	else
		(void)snprintf(pi->user, sizeof(pi->user), "%u", uid);
	(void)snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	if ((n = readlink(path, pi->root, sizeof(pi->root) - 1)) == -1)
		(void)strlcpy(pi->root, "?", sizeof(pi->root));
	else
		pi->root[n] = '\0';
	return 0;
}

void
procinfo_caps(uint64_t caps, char *buf, size_t len)
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
			(void)strlcat(buf, buf[3] == '\0' ? " but " : ",", len);
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

const char *
procinfo_seccomp(int mode)
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
