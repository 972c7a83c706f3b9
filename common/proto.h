/*
 * The message catalogue: every message any trunkd process may send, grouped
 * by channel, with its payload size, whether it may carry a file descriptor,
 * and who may send it to whom.  The parent routes by this table and nothing
 * else; receivers check it again.
 *
 * Payloads are fixed-width, pointer-free structs, zeroed before filling.
 * Strings travel as fixed arrays (NUL-terminated, checked on receipt with
 * proto_str_ok()) or as a length plus bytes.
 */
#ifndef TRUNKD_PROTO_H
#define TRUNKD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define TRUNKD_PROTO_VERSION	1

enum proc_id {
	PROC_PARENT = 0,
	PROC_WEBD,
	PROC_DBD,
	PROC_FWD,
	PROC_ASTD,
	PROC_CTL,		/* trunkctl, on the control socket */
	PROC_MAX
};

#define P(x)		(1U << PROC_##x)
#define P_CHILDREN	(P(WEBD) | P(DBD) | P(FWD) | P(ASTD))

/* Largest message on a parent <-> child channel, header included. */
#define PROTO_CHANNEL_MAX	(256U * 1024)
#define PROTO_CTL_MAX		(64U * 1024)

#define PROTO_NAME_MAX		64
#define PROTO_PATH_MAX		256
#define PROTO_LOG_MAX		1024
#define PROTO_SECRET_MAX	(32U * 1024)	/* PEM keys, certificates */
#define PROTO_ERR_MAX		256

/* An IPv4 or IPv6 prefix, the same on every channel. */
struct proto_net {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		prefixlen;
	uint8_t		pad[2];
	uint8_t		addr[16];	/* network byte order, host bits zero */
};

/* ---- lifecycle: parent <-> every child ---- */

struct msg_hello {
	uint32_t	role;
	uint32_t	version;
	uint32_t	pid;
};

struct msg_log {
	int32_t		priority;	/* syslog priority */
	char		text[PROTO_LOG_MAX];
};

struct msg_status {
	uint32_t	pid;
	uint32_t	uptime;		/* seconds */
	uint64_t	msgs_in;
	uint64_t	msgs_out;
	char		state[PROTO_ERR_MAX];	/* role-specific one-liner */
};

/* A process as the kernel reports it (common/procinfo.c). */
struct proto_procinfo {
	uint32_t	role;
	uint32_t	pid;
	uint32_t	uid;
	int32_t		seccomp;	/* /proc Seccomp: 0, 1, 2; -1 unknown */
	int32_t		nnp;		/* NoNewPrivs */
	uint32_t	uptime;
	uint64_t	capeff;
	uint64_t	msgs_in;
	uint64_t	msgs_out;
	char		user[32];
	char		root[PROTO_PATH_MAX];
	char		state[PROTO_ERR_MAX];
};

/* The parent's answer to webd's PROCS_REQ, for the dashboard. */
struct msg_procs {
	uint32_t		n;
	uint32_t		pad;
	struct proto_procinfo	procs[PROC_ASTD + 1];
};

/* The sandbox a child puts itself in, from the parent's configuration. */
struct msg_conf_sandbox {
	uint32_t	uid;
	uint32_t	gid;
	char		chroot[PROTO_PATH_MAX];
	uint32_t	verbose;
};

/* Each role's own settings from trunkd.conf (no secrets: see blobs). */
struct msg_conf_webd {
	uint32_t	max_connections;
	uint32_t	header_timeout;		/* seconds */
	uint32_t	idle_timeout;
	char		tls_groups[PROTO_NAME_MAX];
};

struct msg_conf_dbd {
	char		host[PROTO_NAME_MAX];
	char		name[PROTO_NAME_MAX];
	char		user[PROTO_NAME_MAX];
	uint16_t	port;
	uint8_t		min_trunk_prefix4;	/* widest trunk network */
	uint8_t		min_trunk_prefix6;
	uint32_t	totp_max_failures;
	uint32_t	totp_lockout;		/* seconds */
};

#define PROTO_CONF_NETS		64
#define PROTO_CONF_PORTS	8
struct msg_conf_fwd {
	char		table[PROTO_NAME_MAX];
	uint16_t	sip_udp_ports[PROTO_CONF_PORTS];
	uint16_t	sip_tcp_ports[PROTO_CONF_PORTS];
	uint32_t	n_sip_udp_ports;
	uint32_t	n_sip_tcp_ports;
	uint16_t	rtp_low;
	uint16_t	rtp_high;
	uint16_t	web_port;		/* the admin port */
	uint8_t		media_anywhere;
	uint8_t		pad;
	uint32_t	sip_rate;		/* packets/s per source */
	uint32_t	sip_burst;
	uint8_t		max_ban_prefix4;	/* widest ban */
	uint8_t		max_ban_prefix6;
	uint8_t		pad2[2];
	uint32_t	n_admin_nets;
	uint32_t	n_ignore_nets;
	struct proto_net admin_nets[PROTO_CONF_NETS];
	struct proto_net ignore_nets[PROTO_CONF_NETS];
};

/* AutoBan's event weights, in this order (struct msg_conf_astd). */
enum autoban_event {
	AB_CHALLENGE_RESPONSE_FAILED,
	AB_INVALID_ACCOUNT_ID,
	AB_FAILED_ACL,
	AB_REQUEST_NOT_ALLOWED,
	AB_AUTH_METHOD_NOT_ALLOWED,
	AB_INVALID_TRANSPORT,
	AB_EVENT_MAX
};
#define PROTO_AB_EVENTS		AB_EVENT_MAX
/* The names of the events, as Asterisk's SecurityEvent spells them. */
extern const char *const ab_event_names[AB_EVENT_MAX];
struct msg_conf_astd {
	char		ami_host[PROTO_NAME_MAX];
	char		ami_user[PROTO_NAME_MAX];
	uint16_t	ami_port;
	uint8_t		ab_ipv6_prefix;
	uint8_t		ab_dry_run;
	uint32_t	ab_threshold;
	uint32_t	ab_window;		/* seconds */
	uint32_t	ab_ban_time;
	uint32_t	ab_multiplier;
	uint32_t	ab_max_ban_time;
	uint32_t	ab_memory;
	uint32_t	ab_weight[PROTO_AB_EVENTS];	/* enum autoban_event */
	uint32_t	n_ignore_nets;
	struct proto_net ignore_nets[PROTO_CONF_NETS];
};

/* Secret or public key material: kind + length + bytes. */
enum conf_blob_kind {
	BLOB_TLS_CERT = 1,	/* webd: server certificate chain (PEM) */
	BLOB_TLS_KEY,		/* webd: server private key (PEM) */
	BLOB_CLIENT_CA,		/* webd: admin CA (PEM) */
	BLOB_CLIENT_CRL,	/* webd: admin CRL (PEM) */
	BLOB_CSRF_KEY,		/* webd: CSRF HMAC key */
	BLOB_DB_PASSWORD,	/* dbd: database password */
	BLOB_DB_CA,		/* dbd: CA of the database server (PEM) */
	BLOB_DATA_KEY,		/* dbd: AES-256-GCM key for secrets at rest */
	BLOB_AMI_SECRET,	/* astd: Asterisk manager secret */
	BLOB_KIND_MAX
};

struct msg_conf_blob {
	uint32_t	kind;
	uint32_t	len;
	uint8_t		data[PROTO_SECRET_MAX];
};
#define MSG_CONF_BLOB_MIN	offsetof(struct msg_conf_blob, data)

/* ---- control: trunkctl <-> parent ---- */

struct msg_ctl_status_row {
	uint32_t	role;
	uint32_t	pid;
	uint32_t	uptime;
	uint32_t	pad;
	uint64_t	msgs_in;
	uint64_t	msgs_out;
	char		state[PROTO_ERR_MAX];
};

/*
 * A trunkctl command for one child (e.g. "firewall show" for fwd, "bans"
 * for dbd): the parent passes it on with the connection's id, and relays
 * each output line back until the one marked done.
 */
#define PROTO_CMD_MAX		64
#define PROTO_ARGS_MAX		1024
struct msg_ctl_cmd {
	uint32_t	target;		/* enum proc_id */
	uint32_t	ctlid;		/* set by the parent */
	char		cmd[PROTO_CMD_MAX];
	char		args[PROTO_ARGS_MAX];
};

struct msg_ctl_out {
	uint32_t	ctlid;
	uint32_t	done;		/* 1 on the last line */
	int32_t		code;		/* with done: 0 ok, else failure */
	uint32_t	pad;
	char		line[PROTO_LOG_MAX];
};

struct msg_ctl_result {
	int32_t		code;		/* 0 ok, else an errno-style value */
	char		text[PROTO_ERR_MAX];
};

/*
 * The role channels keep their structs and catalogue entries in their own
 * headers, included here: db (webd <-> dbd, dbd -> astd/fwd), fw (-> fwd),
 * ast (dbd <-> astd).  The table below is still the one catalogue.
 */
#include "proto_db.h"
#include "proto_fw.h"
#include "proto_ast.h"

/*
 * X(name, payload min, payload max, fd, senders, receivers)
 * fd: FD_NO, FD_MAY (optional), FD_MUST.
 */
#define MSG_CATALOGUE(X)						\
	/* lifecycle */							\
	X(HELLO, sizeof(struct msg_hello), sizeof(struct msg_hello),	\
	    FD_NO, P_CHILDREN, P(PARENT))				\
	X(CONF_SANDBOX, sizeof(struct msg_conf_sandbox),		\
	    sizeof(struct msg_conf_sandbox), FD_NO, P(PARENT), P_CHILDREN) \
	X(CONF_BLOB, MSG_CONF_BLOB_MIN, sizeof(struct msg_conf_blob),	\
	    FD_NO, P(PARENT), P(WEBD) | P(DBD) | P(ASTD))		\
	X(CONF_LISTEN, 0, 0, FD_MUST, P(PARENT), P(WEBD))		\
	X(CONF_WEBD, sizeof(struct msg_conf_webd),			\
	    sizeof(struct msg_conf_webd), FD_NO, P(PARENT), P(WEBD))	\
	X(CONF_DBD, sizeof(struct msg_conf_dbd),			\
	    sizeof(struct msg_conf_dbd), FD_NO, P(PARENT), P(DBD))	\
	X(CONF_FWD, sizeof(struct msg_conf_fwd),			\
	    sizeof(struct msg_conf_fwd), FD_NO, P(PARENT), P(FWD))	\
	X(CONF_ASTD, sizeof(struct msg_conf_astd),			\
	    sizeof(struct msg_conf_astd), FD_NO, P(PARENT), P(ASTD))	\
	X(CONF_END, 0, 0, FD_NO, P(PARENT), P_CHILDREN)			\
	X(CONFIG_DONE, 0, 0, FD_NO, P_CHILDREN, P(PARENT))		\
	X(START, 0, 0, FD_NO, P(PARENT), P_CHILDREN)			\
	X(LOG, sizeof(int32_t) + 1, sizeof(struct msg_log), FD_NO,	\
	    P_CHILDREN, P(PARENT))					\
	X(STATUS_REQ, 0, 0, FD_NO, P(PARENT), P_CHILDREN)		\
	X(PROCS_REQ, 0, 0, FD_NO, P(WEBD), P(PARENT))			\
	X(PROCS, sizeof(struct msg_procs), sizeof(struct msg_procs),	\
	    FD_NO, P(PARENT), P(WEBD))					\
	X(STATUS, sizeof(struct msg_status), sizeof(struct msg_status),	\
	    FD_NO, P_CHILDREN, P(PARENT))				\
	/* control */							\
	X(CTL_STATUS, 0, 0, FD_NO, P(CTL), P(PARENT))			\
	X(CTL_STATUS_ROW, sizeof(struct msg_ctl_status_row),		\
	    sizeof(struct msg_ctl_status_row), FD_NO, P(PARENT), P(CTL)) \
	X(CTL_RELOAD, 0, 0, FD_NO, P(CTL), P(PARENT))			\
	X(CTL_RESULT, sizeof(struct msg_ctl_result),			\
	    sizeof(struct msg_ctl_result), FD_NO, P(PARENT), P(CTL))	\
	X(CTL_END, 0, 0, FD_NO, P(PARENT), P(CTL))			\
	X(CTL_CMD, sizeof(struct msg_ctl_cmd), sizeof(struct msg_ctl_cmd), \
	    FD_NO, P(CTL), P(PARENT))					\
	X(CHILD_CMD, sizeof(struct msg_ctl_cmd),			\
	    sizeof(struct msg_ctl_cmd), FD_NO, P(PARENT), P_CHILDREN)	\
	X(CHILD_OUT, sizeof(struct msg_ctl_out),			\
	    sizeof(struct msg_ctl_out), FD_NO, P_CHILDREN, P(PARENT))	\
	X(CTL_OUT, sizeof(struct msg_ctl_out), sizeof(struct msg_ctl_out), \
	    FD_NO, P(PARENT), P(CTL))					\
	MSG_CATALOGUE_DB(X)						\
	MSG_CATALOGUE_FW(X)						\
	MSG_CATALOGUE_AST(X)

enum msg_type {
	MSG_NONE = 0,
#define MSG_ENUM(name, min, max, fd, from, to)	MSG_##name,
	MSG_CATALOGUE(MSG_ENUM)
#undef MSG_ENUM
	MSG_MAX
};

enum msg_fd { FD_NO = 0, FD_MAY, FD_MUST };

struct msg_spec {
	const char	*name;
	uint32_t	 minlen;
	uint32_t	 maxlen;
	enum msg_fd	 fd;
	uint32_t	 from;		/* mask of senders */
	uint32_t	 to;		/* mask of receivers */
};

extern const struct msg_spec	msg_table[MSG_MAX];

const char	*proc_name(enum proc_id);
const char	*msg_name(uint32_t type);
/* The spec of a known type, or NULL. */
const struct msg_spec *msg_spec(uint32_t type);
/*
 * May `from` send `type` with this payload length to `to`?  Returns NULL
 * when yes, else a short reason for the log.
 */
const char	*msg_check(uint32_t type, enum proc_id from, enum proc_id to,
		    size_t len, int has_fd);
/* Where the parent routes `type` from `from`; PROC_MAX when it may not. */
enum proc_id	 msg_route(uint32_t type, enum proc_id from, uint32_t dest);
/*
 * May a message from `from` to `to` carry a file descriptor, leaving out
 * type `except` (MSG_NONE: none)?  PROC_MAX stands for any process.
 */
int		 proto_may_send_fd(enum proc_id from, enum proc_id to,
		    uint32_t except);
/* A fixed char array holds a NUL-terminated string. */
int		 proto_str_ok(const char *s, size_t size);

#endif /* TRUNKD_PROTO_H */
