/*
 * sandbox_lockdown(): chroot, ids and capabilities, no-new-privs, rlimits
 * and a seccomp allow-list, in that order (see sandbox.h).  The filter is
 * the common tables below plus the role's own table from its directory.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/securebits.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "sandbox.h"

/* Every role: one imsg channel in a libevent loop, malloc, OpenSSL. */
static const struct sandbox_rule sb_base[] = {
	/* imsg and libevent I/O; glibc's send()/recv() are sendto/recvfrom */
	SB_ALLOW(read),
	SB_ALLOW(readv),
	SB_ALLOW(write),
	SB_ALLOW(writev),
	SB_ALLOW(recvmsg),		/* imsg, with passed descriptors */
	SB_ALLOW(sendmsg),
	SB_ALLOW(recvfrom),
	SB_ALLOW(sendto),
	SB_ALLOW(close),
	/* the event loop (libevent's epoll backend, poll in libraries) */
	SB_ALLOW(epoll_create1),
	SB_ALLOW(epoll_ctl),
	SB_ALLOW(epoll_wait),
	SB_ALLOW(epoll_pwait),
	SB_ALLOW(poll),
	SB_ALLOW(restart_syscall),	/* a poll() resumed after a signal */
	SB_ALLOW_ARG(ioctl, 1, FIONREAD),	/* libevent sizes its reads */
	/* non-blocking and close-on-exec flags; no F_DUPFD, locks, owners */
	SB_ALLOW_ARG(fcntl, 1, F_GETFL),
	SB_ALLOW_ARG(fcntl, 1, F_SETFL),
	SB_ALLOW_ARG(fcntl, 1, F_GETFD),
	SB_ALLOW_ARG(fcntl, 1, F_SETFD),
	/* fstat(fd): glibc calls newfstatat(fd, "", AT_EMPTY_PATH) */
	SB_ALLOW_ARG(newfstatat, 3, AT_EMPTY_PATH),
	SB_ERRNO(open, EACCES),		/* glibc uses openat: probes */
	/* time; the vDSO usually answers without a system call */
	SB_ALLOW(clock_gettime),
	SB_ALLOW(gettimeofday),
	SB_ALLOW(getrandom),		/* OpenSSL, malloc's tcache */
	/* malloc; no executable mapping (no mprotect at all) */
	SB_ALLOW_MASKED(mmap, 2, PROT_EXEC, 0),
	SB_ALLOW(munmap),
	SB_ALLOW(mremap),
	SB_ALLOW(brk),
	SB_ALLOW(madvise),
	SB_ALLOW(futex),		/* glibc's and OpenSSL's locks */
	/* libevent's signal handling */
	SB_ALLOW(rt_sigaction),
	SB_ALLOW(rt_sigprocmask),
	SB_ALLOW(rt_sigreturn),
	/* read-only identity queries: libraries ask, the self-check too */
	SB_ALLOW(getpid),
	SB_ALLOW(getuid),
	SB_ALLOW(geteuid),
	SB_ALLOW(getgid),
	SB_ALLOW(getegid),
	SB_ALLOW(getresuid),
	SB_ALLOW(getresgid),
	SB_ALLOW(getgroups),
	SB_ALLOW(capget),
	SB_ALLOW_ARG(prctl, 0, PR_GET_NO_NEW_PRIVS),
	SB_ALLOW(exit_group),
};

/*
 * Roles that do not work with files: library probes (config files, time
 * zone, /dev/urandom fallbacks) get EACCES instead of a kill.
 */
static const struct sandbox_rule sb_probes[] = {
	SB_ERRNO_ARG(newfstatat, 3, 0, EACCES),	/* stat(), mktime's tz */
	SB_ERRNO_ARG(newfstatat, 3, AT_SYMLINK_NOFOLLOW, EACCES), /* lstat() */
	SB_ERRNO(access, EACCES),
	SB_ERRNO(faccessat, EACCES),
	SB_ERRNO(faccessat2, EACCES),
};

/* ...and opens: none at all, or read-only ones (may_read_files). */
static const struct sandbox_rule sb_no_open[] = {
	SB_ERRNO(openat, EACCES),
};

/*
 * dbd reads the database server's CA from its chroot on every
 * reconnection: read-only opens pass, any other open is killed.
 */
static const struct sandbox_rule sb_read_only[] = {
	SB_ALLOW_MASKED(openat, 2, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND,
	    O_RDONLY),
};

#ifdef __SANITIZE_ADDRESS__
/*
 * Test builds only (make SANITIZE=1): what the ASan/UBSan runtime calls
 * while it prints a report inside the sandbox.  LeakSanitizer cannot run
 * in here (it needs clone, ptrace and /proc), so sandbox_lockdown() runs
 * the leak check before the chroot; the check at exit is then skipped.
 */
static const struct sandbox_rule sb_sanitizer[] = {
	SB_ERRNO(readlink, EACCES),	/* /proc/self/exe for module names */
	SB_ERRNO_ARG(ioctl, 1, TCGETS, ENOTTY),	/* isatty(2): colours */
	SB_ERRNO(pipe2, EMFILE),	/* symbolizer, memory probe: give up */
	SB_ALLOW(sigaltstack),		/* its signal stack, at exit */
};
#endif

struct sb_table {
	const struct sandbox_rule	*rules;
	size_t				 nrules;
};

/* fwd: root gains nothing back, not even through set*uid or execve. */
#define SB_SECUREBITS	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
			 SECBIT_NO_SETUID_FIXUP | \
			 SECBIT_NO_SETUID_FIXUP_LOCKED | \
			 SECBIT_KEEP_CAPS_LOCKED | \
			 SECBIT_NO_CAP_AMBIENT_RAISE | \
			 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

static int	sb_err(char *, size_t, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

static int
sb_err(char *errbuf, size_t errlen, const char *role, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (errlen == 0)
		return (-1);
	n = snprintf(errbuf, errlen, "%s sandbox: ", role);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

/* A failure about one rule, with the syscall's name. */
static int
sb_err_rule(char *errbuf, size_t errlen, const char *role, const char *what,
    int nr)
{
	char	*name;

	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	sb_err(errbuf, errlen, role, "seccomp: %s %s", what,
	    name != NULL ? name : "(unknown syscall)");
	free(name);
	return (-1);
}

/* Enter the directory by descriptor: what was checked is what we get. */
static int
sb_chroot(const char *role, const char *dir, char *errbuf, size_t errlen)
{
	struct stat	 st;
	int		 fd, saved;

	if (dir == NULL || dir[0] != '/')
		return (sb_err(errbuf, errlen, role,
		    "chroot directory must be an absolute path"));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (sb_err(errbuf, errlen, role, "chroot %s: %s", dir,
		    strerror(errno)));
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		return (sb_err(errbuf, errlen, role, "chroot %s: %s", dir,
		    strerror(saved)));
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		return (sb_err(errbuf, errlen, role, "chroot %s: must be "
		    "owned by root and not writable by group or others", dir));
	}
	if (fchdir(fd) == -1 || chroot(".") == -1 || chdir("/") == -1) {
		saved = errno;
		close(fd);
		return (sb_err(errbuf, errlen, role, "chroot %s: %s", dir,
		    strerror(saved)));
	}
	close(fd);
	return (0);
}

/* Permitted and effective = keep, inheritable = nothing. */
static int
sb_capset(uint64_t keep)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	return (syscall(SYS_capset, &hdr, data) == -1 ? -1 : 0);
}

static int
sb_capcheck(uint64_t keep)
{
	struct __user_cap_header_struct	 hdr;
	struct __user_cap_data_struct	 data[_LINUX_CAPABILITY_U32S_3];
	uint64_t			 eff, prm, inh;

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		return (-1);
	eff = data[0].effective | (uint64_t)data[1].effective << 32;
	prm = data[0].permitted | (uint64_t)data[1].permitted << 32;
	inh = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	if (eff != keep || prm != keep || inh != 0) {
		errno = EPERM;
		return (-1);
	}
	return (0);
}

/* The bounding set limits what any later execve could ever gain. */
static int
sb_bound(int keep_net_admin, int drop)
{
	int	 cap, want, have;

	for (cap = 0; (have = prctl(PR_CAPBSET_READ, cap)) >= 0; cap++) {
		want = keep_net_admin && cap == CAP_NET_ADMIN;
		if (drop && !want && prctl(PR_CAPBSET_DROP, cap) == -1)
			return (-1);
		if (!drop && have != want) {
			errno = EPERM;
			return (-1);
		}
	}
	/* EINVAL marks the first capability this kernel does not know. */
	return (errno == EINVAL && cap > CAP_NET_ADMIN ? 0 : -1);
}

/* The old ids and capabilities must be gone for good. */
static int
sb_verify(const struct sandbox_policy *p, const struct sandbox_ids *ids,
    uint64_t keep, char *errbuf, size_t errlen)
{
	uid_t	 ruid, euid, suid;
	gid_t	 rgid, egid, sgid, groups[2];

	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		return (sb_err(errbuf, errlen, p->role, "getres[ug]id: %s",
		    strerror(errno)));
	if (ruid != ids->uid || euid != ids->uid || suid != ids->uid ||
	    rgid != ids->gid || egid != ids->gid || sgid != ids->gid)
		return (sb_err(errbuf, errlen, p->role,
		    "ids are not %u/%u after the drop", (unsigned)ids->uid,
		    (unsigned)ids->gid));
	if (getgroups(2, groups) != 1 || groups[0] != ids->gid)
		return (sb_err(errbuf, errlen, p->role,
		    "supplementary groups remain"));
	if (ids->uid != 0 &&
	    (setuid(0) != -1 || setgid(0) != -1 || setegid(0) != -1))
		return (sb_err(errbuf, errlen, p->role,
		    "root can be regained"));
	if (sb_capcheck(keep) == -1 || sb_bound(p->keep_net_admin, 0) == -1)
		return (sb_err(errbuf, errlen, p->role,
		    "capabilities remain after the drop"));
	if (p->keep_net_admin && prctl(PR_GET_SECUREBITS) != SB_SECUREBITS)
		return (sb_err(errbuf, errlen, p->role,
		    "securebits are not locked"));
	return (0);
}

static int
sb_drop(const struct sandbox_policy *p, const struct sandbox_ids *ids,
    char *errbuf, size_t errlen)
{
	uint64_t	 keep = 0;

	if (p->keep_net_admin)
		keep = (uint64_t)1 << CAP_NET_ADMIN;
	else if (ids->uid == 0 || ids->gid == 0)
		return (sb_err(errbuf, errlen, p->role,
		    "must not run as root"));
	if (p->keep_net_admin &&
	    prctl(PR_SET_SECUREBITS, SB_SECUREBITS, 0, 0, 0) == -1)
		return (sb_err(errbuf, errlen, p->role, "securebits: %s",
		    strerror(errno)));
	if (sb_bound(p->keep_net_admin, 1) == -1)
		return (sb_err(errbuf, errlen, p->role,
		    "bounding set: %s", strerror(errno)));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		return (sb_err(errbuf, errlen, p->role, "ambient set: %s",
		    strerror(errno)));
	if (setgroups(1, &ids->gid) == -1 ||
	    setresgid(ids->gid, ids->gid, ids->gid) == -1 ||
	    setresuid(ids->uid, ids->uid, ids->uid) == -1)
		return (sb_err(errbuf, errlen, p->role, "drop to %u/%u: %s",
		    (unsigned)ids->uid, (unsigned)ids->gid, strerror(errno)));
	if (sb_capset(keep) == -1)
		return (sb_err(errbuf, errlen, p->role, "capset: %s",
		    strerror(errno)));
	return (sb_verify(p, ids, keep, errbuf, errlen));
}

/* Lower both limits; a hard limit below the wanted value is kept. */
static int
sb_limit(int resource, rlim_t value)
{
	struct rlimit	 rl;

	if (getrlimit(resource, &rl) == -1)
		return (-1);
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < value)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	return (setrlimit(resource, &rl));
}

/*
 * No RLIMIT_AS or RLIMIT_DATA: ASan reserves terabytes of shadow memory.
 * RLIMIT_NPROC is not enforced for uid 0 (fwd): its filter has no fork.
 */
static int
sb_rlimits(const struct sandbox_policy *p, char *errbuf, size_t errlen)
{
	if (sb_limit(RLIMIT_CORE, 0) == -1 ||
	    sb_limit(RLIMIT_NPROC, 0) == -1 ||
	    sb_limit(RLIMIT_NOFILE, p->max_files) == -1 ||
	    (!p->may_write_files && sb_limit(RLIMIT_FSIZE, 0) == -1))
		return (sb_err(errbuf, errlen, p->role, "rlimits: %s",
		    strerror(errno)));
	return (0);
}

/*
 * libseccomp keeps one answer per syscall and argument value: an
 * unconditional rule silently swallows conditional ones.  So a syscall
 * has one unconditional rule, or conditional rules on one argument with
 * distinct values (or, for masked checks, one answer).
 */
static int
sb_clash(const struct sandbox_rule *a, const struct sandbox_rule *b)
{
	if (a->nr != b->nr)
		return (0);
	if (a->check == SB_ANY || b->check == SB_ANY || a->arg != b->arg)
		return (1);
	if (a->check == SB_ARG_EQ && b->check == SB_ARG_EQ)
		return (a->value == b->value);
	return (a->errnum != b->errnum);
}

static int
sb_check_tables(const struct sb_table *t, size_t nt, const char *role,
    char *errbuf, size_t errlen)
{
	size_t	 i, j, k, l;

	for (i = 0; i < nt; i++)
		for (j = 0; j < t[i].nrules; j++)
			for (k = i; k < nt; k++)
				for (l = k == i ? j + 1 : 0; l < t[k].nrules;
				    l++)
					if (sb_clash(&t[i].rules[j],
					    &t[k].rules[l]))
						return (sb_err_rule(errbuf,
						    errlen, role,
						    "clashing rules for",
						    t[i].rules[j].nr));
	return (0);
}

static int
sb_rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *r)
{
	uint32_t	 action;

	action = r->errnum == 0 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(r->errnum);
	switch (r->check) {
	case SB_ANY:
		return (seccomp_rule_add_exact(ctx, action, r->nr, 0));
	case SB_ARG_EQ:
		return (seccomp_rule_add_exact(ctx, action, r->nr, 1,
		    SCMP_CMP(r->arg, SCMP_CMP_EQ, r->value)));
	case SB_ARG_MASKED_EQ:
		return (seccomp_rule_add_exact(ctx, action, r->nr, 1,
		    SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value)));
	}
	return (-EINVAL);
}

static int
sb_seccomp(const struct sandbox_policy *p, char *errbuf, size_t errlen)
{
	struct sb_table	 t[5];
	scmp_filter_ctx	 ctx;
	uint32_t	 arch;
	size_t		 nt = 0, i, j;
	int		 rc;

	t[nt++] = (struct sb_table){ sb_base, SB_NRULES(sb_base) };
	if (!p->may_write_files) {
		t[nt++] = (struct sb_table){ sb_probes, SB_NRULES(sb_probes) };
		t[nt++] = p->may_read_files ?
		    (struct sb_table){ sb_read_only, SB_NRULES(sb_read_only) } :
		    (struct sb_table){ sb_no_open, SB_NRULES(sb_no_open) };
	}
#ifdef __SANITIZE_ADDRESS__
	t[nt++] = (struct sb_table){ sb_sanitizer, SB_NRULES(sb_sanitizer) };
#endif
	t[nt++] = (struct sb_table){ p->rules, p->nrules };
	if (sb_check_tables(t, nt, p->role, errbuf, errlen) == -1)
		return (-1);

	/* Rules name native syscall numbers: any other ABI is killed. */
	if ((arch = seccomp_arch_native()) == 0)
		return (sb_err(errbuf, errlen, p->role,
		    "seccomp: unknown native architecture"));
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return (sb_err(errbuf, errlen, p->role, "seccomp_init failed"));
	/*
	 * no_new_privs is our own step: without it the load fails.  Kernel
	 * errors come back as they are, not as ECANCELED.
	 */
	if ((rc = seccomp_arch_exist(ctx, arch)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) != 0)
		goto fail;
	for (i = 0; i < nt; i++)
		for (j = 0; j < t[i].nrules; j++)
			if (sb_rule_add(ctx, &t[i].rules[j]) != 0) {
				seccomp_release(ctx);
				return (sb_err_rule(errbuf, errlen, p->role,
				    "libseccomp refused the rule for",
				    t[i].rules[j].nr));
			}
	if ((rc = seccomp_load(ctx)) != 0)
		goto fail;
	seccomp_release(ctx);
	return (0);
 fail:
	seccomp_release(ctx);
	return (sb_err(errbuf, errlen, p->role, "seccomp: %s",
	    strerror(-rc)));
}

int
sandbox_lockdown(const struct sandbox_policy *p, const struct sandbox_ids *ids,
    char *errbuf, size_t errlen)
{
	if (errlen > 0)
		errbuf[0] = '\0';
#ifdef __SANITIZE_ADDRESS__
	__lsan_do_leak_check();		/* see sb_sanitizer */
#endif
	if (sb_chroot(p->role, ids->chroot, errbuf, errlen) == -1 ||
	    sb_drop(p, ids, errbuf, errlen) == -1)
		return (-1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return (sb_err(errbuf, errlen, p->role, "no_new_privs: %s",
		    strerror(errno)));
	if (sb_rlimits(p, errbuf, errlen) == -1)
		return (-1);
	return (sb_seccomp(p, errbuf, errlen));
}
