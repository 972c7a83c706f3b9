/*
 * fwd's own pieces: addresses and ranges (addr.c), netlink batches and
 * the socket (batch.c, nl.c), the one table and its closed set of
 * operations (nft.c), the kernel read back (kread.c), the wanted state and
 * its reconciliation (state.c, reconcile.c), the ban list (bans.c), the
 * host's own addresses (hostaddr.c) and the trunkctl commands (ctl.c).
 */
#ifndef TRUNKD_FWD_H
#define TRUNKD_FWD_H

#include <sys/tree.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct nlmsghdr;

/* ---- addr.c: keys, ranges, text ---- */

#define FW_KEY_MAX	16

/* A range of addresses of one family, both ends included. */
struct fw_range {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		lo[FW_KEY_MAX];
	uint8_t		hi[FW_KEY_MAX];
};

/* A growable array of ranges; merged = sorted, disjoint, not adjacent. */
struct fw_ranges {
	struct fw_range	*v;
	size_t		 n;
	size_t		 cap;
};

size_t	fw_keylen(int family);
/* A well-formed network: family, prefix length, host bits zero. */
int	fw_net_valid(const struct proto_net *);
void	fw_net_range(const struct proto_net *, struct fw_range *);
/* Zero the host bits. */
void	fw_net_mask(struct proto_net *);
/* 0 when the range is exactly one prefix, which n receives. */
int	fw_range_net(const struct fw_range *, struct proto_net *);
int	fw_net_contains(const struct proto_net *outer,
	    const struct proto_net *inner);
/* "192.0.2.1" or "192.0.2.0/24"; -1 with a reason in err. */
int	fw_net_parse(const char *, struct proto_net *, char *err, size_t);
void	fw_net_fmt(const struct proto_net *, char *buf, size_t len);
#define FW_NET_STRLEN	64
/* Add one to / subtract one from a big-endian key; 1 on wrap-around. */
int	fw_key_inc(uint8_t *key, size_t len);

int	fw_ranges_add(struct fw_ranges *, const struct fw_range *);
void	fw_ranges_merge(struct fw_ranges *);
/* Does any range of the merged list meet r? */
int	fw_ranges_overlap(const struct fw_ranges *, const struct fw_range *);
void	fw_ranges_clear(struct fw_ranges *);
void	fw_ranges_free(struct fw_ranges *);

/* ---- set elements as the kernel holds them ---- */

struct fw_kelem {
	uint8_t		key[FW_KEY_MAX];
	uint8_t		keylen;
	uint8_t		end;		/* NFT_SET_ELEM_INTERVAL_END */
	uint64_t	timeout;	/* ms, 0 = none */
	uint64_t	expires;	/* ms left, 0 = none */
	const char	*comment;	/* borrowed; NULL = none */
};

struct fw_kelems {
	struct fw_kelem	*v;
	size_t		 n;
	size_t		 cap;
};

int	fw_kelems_add(struct fw_kelems *, const struct fw_kelem *);
void	fw_kelems_sort(struct fw_kelems *);
void	fw_kelems_free(struct fw_kelems *);
/* The interval-set elements of merged ranges of one family. */
int	fw_ranges_kelems(const struct fw_ranges *, int family,
	    struct fw_kelems *);
/* Back from interval-set elements (sorted) to ranges. */
int	fw_kelems_ranges(const struct fw_kelems *, int family,
	    struct fw_ranges *);
int	fw_kelem_cmp(const void *, const void *);

/* ---- batch.c: one netlink transaction being built ---- */

struct fw_batch;

/* Sequence numbers of every request on the socket. */
uint32_t	 fw_seq_next(void);
struct fw_batch	*fw_batch_new(uint32_t genid);
void		 fw_batch_free(struct fw_batch *);
/* A message header in the batch, type NFT_MSG_*, family inet. */
struct nlmsghdr	*fw_batch_msg(struct fw_batch *, uint16_t type,
		    uint16_t flags);
/* Done with the message fw_batch_msg() returned. */
int		 fw_batch_next(struct fw_batch *);
/* Close the batch (BATCH_END); then iovecs and sequence numbers. */
int		 fw_batch_close(struct fw_batch *);
int		 fw_batch_iovcnt(struct fw_batch *);
void		 fw_batch_iov(struct fw_batch *, struct iovec *, int);
size_t		 fw_batch_len(struct fw_batch *);
uint32_t	 fw_batch_first_seq(const struct fw_batch *);
uint32_t	 fw_batch_last_seq(const struct fw_batch *);
/* Messages other than BEGIN and END. */
size_t		 fw_batch_nmsgs(const struct fw_batch *);

/* ---- nft.c: the table, its sets, its chain and rules ---- */

enum fw_setid {
	FS_TRUNK4, FS_TRUNK6,
	FS_ADMIN4, FS_ADMIN6,
	FS_NOBAN4, FS_NOBAN6,
	FS_BAN4, FS_BAN6,		/* single addresses, timeouts */
	FS_BANP4, FS_BANP6,		/* prefixes: interval, timeouts */
	FS_SIP_UDP, FS_SIP_TCP,		/* ports */
	FS_FLOOD4, FS_FLOOD6,		/* filled by the kernel */
	FS_MAX
};

struct fw_setdef {
	const char	*name;
	uint8_t		 family;	/* 4, 6, 0 for ports */
	uint8_t		 keylen;
	uint32_t	 keytype;	/* nft datatype, for nft(8) */
	uint32_t	 flags;		/* NFT_SET_* */
};

extern const struct fw_setdef	fw_sets[FS_MAX];

/* The settings the rules depend on, from msg_conf_fwd. */
struct fw_ruleconf {
	char		table[PROTO_NAME_MAX];
	uint16_t	rtp_low, rtp_high;
	uint16_t	web_port;
	int		media_anywhere;
	uint32_t	sip_rate, sip_burst;
};

#define FW_RULES_MAX	32
struct fw_rule {
	char		counter[32];	/* the named counter, also its name */
	char		text[96];	/* what it does, for firewall show */
};

/* The rules a configuration gives, in order. */
size_t	fw_rules(const struct fw_ruleconf *, struct fw_rule *, size_t max);
/* Append the whole table (counters with values, sets, chain, rules). */
int	fw_nft_table(struct fw_batch *, const struct fw_ruleconf *,
	    const uint64_t *pkts, const uint64_t *bytes);
int	fw_nft_del_table(struct fw_batch *, const char *table, int destroy);
/*
 * Append elements to add (NEWSETELEM) or remove (DELSETELEM, or
 * DESTROYSETELEM which tolerates absence) from a set, split over as many
 * messages as needed.
 */
enum fw_elem_op { FW_ELEM_ADD, FW_ELEM_DEL, FW_ELEM_DESTROY };
int	fw_nft_elems(struct fw_batch *, const char *table, enum fw_setid,
	    enum fw_elem_op, const struct fw_kelem *, size_t n);

/* ---- nl.c: the persistent netfilter socket ---- */

int	fw_nl_open(void);
/*
 * Send a closed batch, wait for every answer.  0, or -errno of the first
 * failure with the kernel's message (if any) in err.  The generation the
 * batch was built for is checked by the kernel (-ERESTART if stale).
 */
int	fw_nl_commit(struct fw_batch *, char *err, size_t errlen);
/* A GET request (dump when flags has NLM_F_DUMP); cb per answer. */
typedef int (*fw_nl_cb)(const struct nlmsghdr *, void *);
int	fw_nl_request(struct nlmsghdr *req, fw_nl_cb, void *arg);
int	fw_nl_getgen(uint32_t *genid);
/* DESTROY message types exist in this kernel (6.3 and later)? */
int	fw_nl_has_destroy(void);

/* ---- kread.c: what the kernel holds ---- */

struct fw_kstate {
	int		 present;	/* the table exists */
	uint64_t	 table_handle;
	uint32_t	 use;		/* chains, sets, objects in it */
	int		 chain_ok;	/* our chain, hook, priority, policy */
	uint64_t	 chain_handle;
	uint64_t	*rule_handles;
	size_t		 nrules;
	uint64_t	 set_handle[FS_MAX];
	int		 set_ok[FS_MAX];
	uint64_t	 ctr_pkts[FW_RULES_MAX];
	uint64_t	 ctr_bytes[FW_RULES_MAX];
	int		 ctr_ok[FW_RULES_MAX];
};

/* Table, chain, rules, sets and counters (no elements). */
int	fw_kread(const char *table, const struct fw_rule *, size_t nrules,
	    struct fw_kstate *);
void	fw_kstate_free(struct fw_kstate *);
/* Every element of one set; cb gets each (comment valid during cb). */
typedef int (*fw_kelem_cb)(const struct fw_kelem *, void *);
int	fw_kread_elems(const char *table, enum fw_setid, fw_kelem_cb, void *);
/* ... or collected, comments dropped, sorted. */
int	fw_kread_kelems(const char *table, enum fw_setid, struct fw_kelems *);

/* ---- bans.c: what fwd has banned, to restore it and list it ---- */

struct fw_ban {
	RB_ENTRY(fw_ban)	 entry;
	struct proto_net	 net;
	int64_t			 deadline;	/* monotonic ms */
	int			 mark;		/* kept by a snapshot */
	uint64_t		 timeout;	/* ms, as given */
	char			 reason[PROTO_NAME_MAX];
};
RB_HEAD(fw_ban_tree, fw_ban);

int64_t		 fw_now_ms(void);
struct fw_ban	*fw_ban_find(const struct proto_net *);
/* Insert or update; NULL on memory failure. */
struct fw_ban	*fw_ban_put(const struct proto_net *, uint64_t timeout_ms,
		    int64_t deadline, const char *reason);
void		 fw_ban_remove(struct fw_ban *);
struct fw_ban	*fw_ban_first(void);
struct fw_ban	*fw_ban_next(struct fw_ban *);
size_t		 fw_ban_count(void);
/* Drop the ones that ran out. */
void		 fw_ban_expire(int64_t now);
/* The element of a ban (start element for a prefix; end in *end). */
int		 fw_ban_kelems(const struct fw_ban *, int64_t now,
		    struct fw_kelem *start, struct fw_kelem *end);

/* ---- hostaddr.c: the host's own addresses (never banned) ---- */

int	fw_host_open(void);
int	fw_host_monitor_fd(void);
/* Re-read every address; 1 when the list changed. */
int	fw_host_read(struct fw_ranges *);
/* Drain the monitor socket; 1 when an address came or went. */
int	fw_host_changed(void);

/* ---- state.c: what the table should hold ---- */

enum fw_nb_src { NB_TRUNK, NB_ADMIN, NB_IGNORE, NB_HOST, NB_MAX };

struct fw_state {
	struct fw_ruleconf	 rc;
	uint16_t		 sip_udp[PROTO_CONF_PORTS];
	uint16_t		 sip_tcp[PROTO_CONF_PORTS];
	size_t			 n_sip_udp, n_sip_tcp;
	uint8_t			 max_ban4, max_ban6;
	/* networks by source; trunk and db admin networks are counted */
	struct proto_net	*nets[NB_MAX];
	uint32_t		*refs[NB_MAX];
	size_t			 nnets[NB_MAX], capnets[NB_MAX];
	struct fw_ranges	 conf_admin;	/* from trunkd.conf */
	struct fw_ranges	 adopted;	/* kernel trunk ranges, until
						   the first snapshot */
	/* merged, derived: per source, and all of them */
	struct fw_ranges	 nb[NB_MAX];
	struct fw_ranges	 noban;
	int			 flushed;	/* by the operator */
};

extern struct fw_state	fw;

int	fw_state_conf(const struct msg_conf_fwd *, char *err, size_t);
int	fw_state_net(enum fw_nb_src, const struct proto_net *, int add);
void	fw_state_nets_clear(enum fw_nb_src);
int	fw_state_derive(void);
/*
 * May this be banned?  0, or an errno-style code with the reason in
 * `why` (too wide, inside a trunk network, ...).
 */
int	fw_state_ban_ok(const struct proto_net *, char *why, size_t);
/* Wanted elements of a set (not the ban or flood sets). */
int	fw_state_kelems(enum fw_setid, struct fw_kelems *);

/* ---- reconcile.c: make the kernel equal to the wanted state ---- */

struct fw_stats {
	uint32_t	genid;		/* the ruleset generation fwd knows */
	int		genid_known;
	int		dirty;		/* someone else changed the ruleset */
	uint64_t	batches;
	uint64_t	restores;
	uint64_t	last_elems;	/* elements in the last batch */
	uint64_t	last_us;	/* its build + commit time */
};
extern struct fw_stats	fw_stats;

/* Plan one transaction into the batch; counts elements in *n. */
typedef int (*fw_plan_fn)(struct fw_batch *, void *arg, size_t *n);
/* Plan and commit; planned again if the ruleset moved meanwhile. */
int	fw_do(fw_plan_fn, void *arg, char *err, size_t errlen);
int	fw_ban_set(const struct proto_net *);
/* DESTROYSETELEM where the kernel has it, else DELSETELEM. */
enum fw_elem_op fw_del_op(void);
/* Delete and create the whole table, keeping elements and counters. */
int	fw_rebuild(const char *why);
/* Compare table and sets with what fwd built and wants; restore. */
int	fw_check(void);
#define FW_RC_NETS	0x1	/* trunk, admin, never-ban, port sets */
#define FW_RC_BANS	0x2	/* the ban sets, from the ban list */
int	fw_reconcile(int what);
/* Ban latency samples (request to ACK), microseconds. */
void	fw_lat_add(uint64_t us);
int	fw_lat_pct(int pct, uint64_t *us, size_t *n);
uint64_t fw_now_us(void);

/* ---- banops.c: bans and unbans, snapshots of bans, adoption ---- */

/* 0, or an errno-style code; a line for the requester in msg. */
int	fw_ban_apply(const struct proto_net *, uint32_t timeout_s,
	    const char *reason, char *msg, size_t msglen);
int	fw_unban_apply(const struct proto_net *, char *msg, size_t msglen);
/* A snapshot's bans become the list (kernel updated by fw_reconcile). */
int	fw_bans_replace(const struct fw_elem *, size_t n);
/* Start-up: take over the bans and trunk networks the kernel holds. */
int	fw_adopt(void);
/* Remove the table on purpose (trunkctl firewall flush). */
int	fw_flush(char *msg, size_t msglen);

/* ---- ctl.c: trunkctl commands ---- */

int	fw_ctl_command(uint32_t ctlid, const char *cmd, const char *args);

#define FW_DEFAULT_BAN		3600		/* seconds */
#define FW_MAX_BAN		(366U * 86400)	/* a year */

#endif /* TRUNKD_FWD_H */
