/*
 * The Asterisk channel: dbd <-> astd.
 *
 * dbd tells astd "generation N" after every committed change (and once
 * after START); astd asks for the export of that generation, dbd sends it
 * as JSON in chunks (seq 0.., the last flagged), astd writes the includes,
 * reloads Asterisk, verifies, and reports AST_APPLIED with the outcome.
 *
 * Export JSON (built by dbd, validated again by astd):
 *   {"generation": N,
 *    "tenants":  [{"id", "name", "max_channels", "max_call_seconds",
 *                  "allowed_prefixes": ["+49", ...]}],
 *    "trunks":   [{"id", "tenant_id", "name", "auth": "ip"|"digest",
 *                  "transport", "codecs": [...], "max_channels",
 *                  "enabled", "callerid_policy", "networks": [...],
 *                  "dids": [...], "username"?, "md5_cred"?}],
 *    "carriers": [{"id", "name", "host", "port", "transport", "register",
 *                  "username", "password", "networks": [...]}],
 *    "dids":     [{"number", "tenant_id", "trunk_id"}]}
 * Names and other user text are validated by dbd to a safe character set.
 *
 * AutoBan: astd records every ban it asks fwd for with AST_BAN_RECORD; on
 * start it asks for the offence history (AST_HISTORY_REQ) and dbd answers
 * with AST_HISTORY chunks (JSON {"offenders": [{"address", "offences",
 * "last_seen", "expires"}]}, the last flagged).
 */
#ifndef TRUNKD_PROTO_AST_H
#define TRUNKD_PROTO_AST_H

#define PROTO_AST_JSON_MAX	(192U * 1024)

struct msg_ast_generation {
	uint64_t	generation;
};

struct msg_ast_json {
	uint64_t	generation;
	uint32_t	seq;
	uint32_t	last;		/* 1 on the final chunk */
	uint32_t	json_len;
	uint32_t	pad;
	char		json[PROTO_AST_JSON_MAX];
};
#define MSG_AST_JSON_MIN	offsetof(struct msg_ast_json, json)

struct msg_ast_applied {
	uint64_t	generation;
	int32_t		ok;		/* 1 applied and verified */
	uint32_t	pad;
	char		error[PROTO_ERR_MAX];
};

struct msg_ast_ban_record {
	struct proto_net	net;
	uint32_t		offences;
	uint32_t		duration;	/* seconds of this sentence */
	int64_t			first_seen;	/* unix time */
	int64_t			last_seen;
	char			reason[PROTO_NAME_MAX];
};

#define MSG_CATALOGUE_AST(X)						\
	X(AST_GENERATION, sizeof(struct msg_ast_generation),		\
	    sizeof(struct msg_ast_generation), FD_NO, P(DBD), P(ASTD))	\
	X(AST_EXPORT_REQ, sizeof(struct msg_ast_generation),		\
	    sizeof(struct msg_ast_generation), FD_NO, P(ASTD), P(DBD))	\
	X(AST_EXPORT, MSG_AST_JSON_MIN, sizeof(struct msg_ast_json),	\
	    FD_NO, P(DBD), P(ASTD))					\
	X(AST_APPLIED, sizeof(struct msg_ast_applied),			\
	    sizeof(struct msg_ast_applied), FD_NO, P(ASTD), P(DBD))	\
	X(AST_BAN_RECORD, sizeof(struct msg_ast_ban_record),		\
	    sizeof(struct msg_ast_ban_record), FD_NO, P(ASTD), P(DBD))	\
	X(AST_HISTORY_REQ, 0, 0, FD_NO, P(ASTD), P(DBD))		\
	X(AST_HISTORY, MSG_AST_JSON_MIN, sizeof(struct msg_ast_json),	\
	    FD_NO, P(DBD), P(ASTD))					\
	X(AST_LIVE, MSG_AST_JSON_MIN, sizeof(struct msg_ast_json),	\
	    FD_NO, P(ASTD), P(DBD))

#endif /* TRUNKD_PROTO_AST_H */
