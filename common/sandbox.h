/*
 * The lock-down every child goes through, in this order:
 *   chroot + chdir -> drop supplementary groups, gid and uid to the role's
 *   and verify that the old ids cannot be regained -> keep CAP_NET_ADMIN
 *   only (fwd) or no capability at all -> no-new-privs -> rlimits ->
 *   seccomp allow-list (loaded last).
 * Any failure is returned as -1 with a message; callers treat it as fatal.
 */
#ifndef TRUNKD_SANDBOX_H
#define TRUNKD_SANDBOX_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* One allowed system call, optionally restricted on one argument. */
enum sandbox_argcheck {
	SB_ANY = 0,		/* every argument value */
	SB_ARG_EQ,		/* args[arg] == value */
	SB_ARG_MASKED_EQ,	/* (args[arg] & mask) == value */
};

struct sandbox_rule {
	int			 nr;		/* __NR_xxx (or SCMP_SYS) */
	enum sandbox_argcheck	 check;
	unsigned int		 arg;
	uint64_t		 mask;
	uint64_t		 value;
	int			 errnum;	/* 0: allow; else fail with it */
};

#define SB_ALLOW(name)		{ SCMP_SYS(name), SB_ANY, 0, 0, 0, 0 }
#define SB_ALLOW_ARG(name, a, v) \
				{ SCMP_SYS(name), SB_ARG_EQ, (a), 0, (v), 0 }
#define SB_ALLOW_MASKED(name, a, m, v) \
				{ SCMP_SYS(name), SB_ARG_MASKED_EQ, (a), (m), (v), 0 }
#define SB_ERRNO(name, e)	{ SCMP_SYS(name), SB_ANY, 0, 0, 0, (e) }
#define SB_ERRNO_ARG(name, a, v, e) \
				{ SCMP_SYS(name), SB_ARG_EQ, (a), 0, (v), (e) }
#define SB_NRULES(r)		(sizeof(r) / sizeof((r)[0]))

/*
 * The role's own rules; sandbox_lockdown() adds the common ones (imsg,
 * libevent, malloc) and, unless may_write_files, answers file probes with
 * EACCES.  One syscall: one unconditional rule, or rules on one argument.
 */
struct sandbox_policy {
	const char			*role;
	const struct sandbox_rule	*rules;
	size_t				 nrules;
	int				 keep_net_admin;	/* fwd only */
	int				 may_write_files;	/* else RLIMIT_FSIZE 0 */
	int				 may_read_files;	/* read-only opens pass */
	unsigned int			 max_files;		/* RLIMIT_NOFILE */
};

struct sandbox_ids {
	const char	*chroot;	/* must exist, owned by root, not writable by others */
	uid_t		 uid;
	gid_t		 gid;
};

/* errbuf receives a one-line reason on failure. */
int	sandbox_lockdown(const struct sandbox_policy *,
	    const struct sandbox_ids *, char *errbuf, size_t errlen);

/* Per-role allow-lists, each in its role's directory. */
extern const struct sandbox_policy webd_sandbox;
extern const struct sandbox_policy dbd_sandbox;
extern const struct sandbox_policy fwd_sandbox;
extern const struct sandbox_policy astd_sandbox;

#endif /* TRUNKD_SANDBOX_H */
