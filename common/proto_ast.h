/*
 * The Asterisk channel: dbd <-> astd.  astd's helper owns this header.
 *
 * dbd tells astd "generation N" after every committed change (and once
 * after START); astd asks for the export of that generation, dbd sends
 * its current one as JSON in chunks (seq 0.., the last flagged; astd
 * takes the generation of the JSON, which may be newer than asked), astd
 * writes the includes, reloads Asterisk, verifies, and reports
 * AST_APPLIED with the outcome.
 *
 * Export JSON (built by dbd, validated again by astd; unknown keys are
 * ignored; ids are positive integers):
 *   {"generation": N,
 *    "tenants":  [{"id", "name", "max_channels", "max_call_seconds",
 *                  "allowed_prefixes": ["+49", ...]}],
 *    "trunks":   [{"id", "tenant_id", "name", "auth": "ip"|"digest",
 *                  "transport", "codecs": [...], "max_channels",
 *                  "enabled", "callerid_policy", "networks": [...],
 *                  "dids": [...], "username"?, "md5_cred"?,
 *                  "max_contacts"?, "host"?, "port"?}],
 *    "carriers": [{"id", "name", "host", "port", "transport", "register",
 *                  "username", "password", "codecs"?, "networks": [...]}],
 *    "dids":     [{"number", "tenant_id", "trunk_id"}]}
 * Names and other user text are validated by dbd to a safe character set.
 * Details astd relies on:
 *  - numbers and prefixes: an optional '+' and 1..30 digits; networks:
 *    CIDR text with the host bits zero; 0..604800 call seconds;
 *  - callerid_policy: "dids" (or "tenant"; the default): the tenant's
 *    DIDs, "trunk": the trunk's own DIDs, "any": any number;
 *  - a digest trunk's username names its endpoint and aor (Asterisk
 *    finds both by it): [A-Za-z0-9][A-Za-z0-9._-]*, not starting with
 *    "trunk-", "carrier-", "tenant-" or "trunkd", unique; md5_cred is
 *    md5("username:asterisk:password") in lower-case hex; max_contacts
 *    1..16, default 1;
 *  - an IP trunk's optional "host"/"port": where calls to its DIDs go
 *    (without one, those calls are refused and logged);
 *  - a carrier's password: printable ASCII without spaces or backslash;
 *  - codecs: ulaw alaw g722 g729 gsm opus ilbc g726 speex slin h264 vp8
 *    (default alaw, ulaw), in order of preference.
 *
 * AutoBan: astd records every new ban it asks fwd for with
 * AST_BAN_RECORD; on start it asks for the offence history
 * (AST_HISTORY_REQ) and dbd answers with AST_HISTORY chunks (JSON
 * {"offenders": [{"address", "offences", "last_seen", "expires"}]},
 * address as CIDR or a bare address, times unix seconds; the last chunk
 * flagged).
 *
 * AST_LIVE (astd -> dbd, when something changed, at most every 2 s; one
 * chunk unless very large):
 *   {"connected": bool, "asterisk": "<AMI version>",
 *    "endpoints": [{"endpoint", "kind": "trunk"|"carrier", "id",
 *                   "contact": "reachable"|"unreachable"|""...,
 *                   "rtt_us": n|-1, "registration": "registered"|...|"",
 *                   "channels": n|-1}]}
 */
#ifndef TRUNKD_PROTO_AST_H
#define TRUNKD_PROTO_AST_H

#define PROTO_AST_JSON_MAX	(192U * 1024)
/*
 * The prefixes of astd's own section names: no SIP username may start
 * with one, in any case (dbd refuses them, astd checks again).
 */
#define PROTO_AST_RESERVED_USERS	"trunk-", "carrier-", "tenant-", "trunkd"

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
