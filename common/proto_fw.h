/*
 * The firewall channel.  dbd sends fwd the database's view (a snapshot
 * after START, then deltas), astd and dbd ask for bans, and fwd answers
 * each request that carries a reqid with FW_RESULT to whoever asked.
 *
 * A snapshot is FW_SYNC_BEGIN, any number of FW_SYNC_NETS chunks, and
 * FW_SYNC_END; fwd applies it at END as one netlink transaction computed as
 * a diff against what the kernel holds.
 */
#ifndef TRUNKD_PROTO_FW_H
#define TRUNKD_PROTO_FW_H

enum fw_set {
	FW_SET_TRUNK = 1,	/* trunk networks (SIP and RTP allowed) */
	FW_SET_BAN,		/* banned addresses and prefixes */
};

#define PROTO_FW_CHUNK		1024

struct fw_elem {
	struct proto_net	net;
	uint32_t		timeout;	/* bans: remaining seconds */
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
