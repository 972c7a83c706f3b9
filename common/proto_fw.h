/*
 * The firewall channel.  dbd sends fwd the database's view (a snapshot
 * after START, then deltas), astd and dbd ask for bans, and fwd answers
 * each request that carries a reqid with FW_RESULT to whoever asked.
 *
 * A snapshot is FW_SYNC_BEGIN, any number of FW_SYNC_NETS chunks, and
 * FW_SYNC_END; fwd applies it at END as one netlink transaction computed as
 * a diff against what the kernel holds.  A snapshot always replaces the
 * trunk and admin networks (none sent: none left, apart from the admin
 * networks of trunkd.conf).  It replaces the bans only if it carries at
 * least one FW_SET_BAN chunk (n may be 0); otherwise the bans the kernel
 * holds stay.  Networks are counted: two trunks may send the same network,
 * and FW_NET_DEL lets go of one of them.  Bans travel as FW_BAN / FW_UNBAN
 * (FW_NET_ADD / FW_NET_DEL carry trunk and admin networks only).
 *
 * Owner: fwd (issue 5).
 */
#ifndef TRUNKD_PROTO_FW_H
#define TRUNKD_PROTO_FW_H

enum fw_set {
	FW_SET_TRUNK = 1,	/* trunk networks (SIP and RTP allowed) */
	FW_SET_BAN,		/* banned addresses and prefixes */
	FW_SET_ADMIN,		/* admin networks from the database */
};

#define PROTO_FW_CHUNK		1024

struct fw_elem {
	struct proto_net	net;
	uint32_t		timeout;	/* bans: remaining seconds, 0 = fwd's
						   default; else 0 */
};

struct msg_fw_sync {
	uint64_t		generation;
};

struct msg_fw_nets {
	uint32_t		set;		/* enum fw_set */
	uint32_t		n;
	struct fw_elem		elems[PROTO_FW_CHUNK];
};
#define MSG_FW_NETS_MIN		offsetof(struct msg_fw_nets, elems)

struct msg_fw_ban {
	uint32_t		reqid;		/* 0: no answer wanted */
	uint32_t		timeout;	/* seconds, 0 = fwd's default */
	struct proto_net	net;
	char			reason[PROTO_NAME_MAX];
};

/*
 * code: 0 done (text says what, e.g. "banned 192.0.2.7 for 3600 s");
 * EPERM inside the never-ban list (trunk, admin, ignored networks, the
 * host's own addresses), EINVAL malformed or wider than the widest ban
 * allowed, ENOENT unban of something not banned, EIO the kernel refused.
 */
struct msg_fw_result {
	uint32_t		reqid;
	int32_t			code;		/* 0 done, else errno-style */
	char			text[PROTO_ERR_MAX];
};

#define MSG_CATALOGUE_FW(X)						\
	X(FW_SYNC_BEGIN, sizeof(struct msg_fw_sync),			\
	    sizeof(struct msg_fw_sync), FD_NO, P(DBD), P(FWD))		\
	X(FW_SYNC_NETS, MSG_FW_NETS_MIN, sizeof(struct msg_fw_nets),	\
	    FD_NO, P(DBD), P(FWD))					\
	X(FW_SYNC_END, sizeof(struct msg_fw_sync),			\
	    sizeof(struct msg_fw_sync), FD_NO, P(DBD), P(FWD))		\
	X(FW_NET_ADD, MSG_FW_NETS_MIN, sizeof(struct msg_fw_nets),	\
	    FD_NO, P(DBD), P(FWD))					\
	X(FW_NET_DEL, MSG_FW_NETS_MIN, sizeof(struct msg_fw_nets),	\
	    FD_NO, P(DBD), P(FWD))					\
	X(FW_BAN, sizeof(struct msg_fw_ban), sizeof(struct msg_fw_ban),	\
	    FD_NO, P(DBD) | P(ASTD), P(FWD))				\
	X(FW_UNBAN, sizeof(struct msg_fw_ban), sizeof(struct msg_fw_ban),\
	    FD_NO, P(DBD), P(FWD))					\
	X(FW_RESULT, sizeof(struct msg_fw_result),			\
	    sizeof(struct msg_fw_result), FD_NO, P(FWD), P(DBD) | P(ASTD))

#endif /* TRUNKD_PROTO_FW_H */
