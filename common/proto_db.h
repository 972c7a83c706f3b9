/*
 * The database channel: webd <-> dbd requests and answers.
 *
 * A request is a fixed envelope (who asks, with which TOTP code, for which
 * operation) plus a JSON object; the answer is a status plus a JSON object.
 * JSON (jansson on both sides) keeps trunks with their networks, DIDs and
 * codecs out of hand-written marshalling; dbd validates every field of it
 * whatever webd says, and webd escapes every value it renders.
 *
 * Identity is the SHA-256 fingerprint of the client certificate, taken by
 * webd from the TLS layer; dbd resolves it to an admin, role and tenant on
 * every request.  The TOTP secrets never leave dbd.
 *
 * Request bodies (fields not listed are refused with DB_E_INVALID):
 *   WHOAMI          {}
 *   *_LIST          {"filter": {...}, "page": N, "per_page": N}
 *   *_GET, *_DELETE {"id": N}
 *   TENANT_CREATE/UPDATE {"id"?, "name", "max_trunks", "max_channels",
 *                    "allowed_prefixes": ["+49", ...], "max_call_seconds"}
 *   TRUNK_CREATE/UPDATE {"id"?, "tenant_id", "name", "auth": "ip"|"digest",
 *                    "transport": "udp"|"tcp"|"tls", "codecs": ["g722",..],
 *                    "max_channels", "enabled": bool, "callerid_policy":
 *                    "dids"|"any", "networks": ["192.0.2.0/28", ...],
 *                    "dids": ["+4930123456", ...], "host"?, "port"?}
 *   DID_CREATE/UPDATE {"id"?, "number", "tenant_id", "trunk_id"}
 *   CARRIER_CREATE/UPDATE {"id"?, "name", "host", "port", "transport",
 *                    "register": bool, "username", "password"?,
 *                    "networks": [...]}
 *   ADMIN_LIST / ADMIN_UPDATE {"id", "role", "tenant_id", "disabled"}
 *   BAN_LIST        {"filter": {"address"?}, "page", "per_page"}
 *   BAN_ADD         {"address": "198.51.100.7" | "2001:db8::/64",
 *                    "duration": seconds, "reason"}
 *   BAN_REMOVE      {"address"}
 *   AUDIT_LIST      {"filter": {"admin"?, "tenant_id"?, "object"?,
 *                    "since"?, "until"?}, "page", "per_page"}
 *   DASHBOARD       {}
 * Answers: DB_OK with {"items": [...], "total": N, "page": N} for lists,
 * the object for GET/CREATE/UPDATE (a created digest trunk also carries
 * "sip_password" exactly once), {} for DELETE; on error {"error": "text",
 * "field": "networks[1]"} with a DB_E_* status.
 *
 * Added by dbd (compatible: new optional fields only):
 *   - TRUNK_* take an optional "description" (free text, 255 bytes, no
 *     control characters; stored and shown as is, never exported).
 *   - *_UPDATE: "id" is required, every other field is optional and keeps
 *     its value when left out; a trunk's tenant_id cannot change.
 *   - List filters: TRUNK_LIST {"tenant_id"}, DID_LIST {"tenant_id",
 *     "trunk_id"}; lists also answer "per_page".  Other filters: none.
 *   - BAN_ADD "reason" is optional ("admin").
 *   - Answer objects: WHOAMI {"id", "name", "role", "tenant_id"|null};
 *     ADMIN {"id", "name", "fingerprint" (64 hex), "role", "tenant_id",
 *     "disabled", "locked", "created"}; BAN {"id", "address", "reason",
 *     "source": "autoban"|"admin", "first_seen", "last_seen", "expires",
 *     "offences"}; AUDIT {"id", "ts", "admin", "tenant_id", "action",
 *     "object", "object_id", "generation", "detail": {...}}; DASHBOARD
 *     {"tenants", "trunks", "dids", "carriers", "active_bans",
 *     "generation", "applied_generation", "last_apply_error"|null,
 *     "live": astd's last AST_LIVE object (superadmin) | null}.  A digest
 *     trunk shows "username"; a carrier never shows its password.
 *   - The md5 credential of a digest trunk is md5(username:asterisk:
 *     password): Asterisk's default realm.
 *   - TRUNK_* "host" and "port" (schema 2): where an IP trunk's calls (to
 *     its DIDs) are sent.  host: an IPv4/IPv6 literal or a DNS name
 *     (letters, digits, "-" in labels of 1-63, 253 characters at most),
 *     "" removes it; without one those calls are refused.  port: 1-65535,
 *     5060 when never given.  A digest trunk has neither (refused on
 *     "host"/"port"; cleared when a trunk becomes digest).  Answers carry
 *     "host" (string or null) and "port" for every trunk; astd's export
 *     too.
 *   - A digest trunk's name becomes its SIP username when its credential
 *     is made: it must not start with "trunk-", "carrier-", "tenant-" or
 *     "trunkd" (astd's sections, PROTO_AST_RESERVED_USERS), in any case,
 *     nor equal another digest trunk's username ignoring case (refused
 *     on "name").  A carrier's "username" follows the same prefix rule;
 *     CARRIER_CREATE needs a "password" (astd wants both or neither).
 */
#ifndef TRUNKD_PROTO_DB_H
#define TRUNKD_PROTO_DB_H

#define PROTO_DB_JSON_MAX	(192U * 1024)
#define PROTO_FPR_LEN		32		/* SHA-256 */
#define PROTO_TOTP_MAX		12

enum db_op {
	DB_OP_WHOAMI = 1,
	DB_OP_DASHBOARD,
	DB_OP_TENANT_LIST, DB_OP_TENANT_GET, DB_OP_TENANT_CREATE,
	DB_OP_TENANT_UPDATE, DB_OP_TENANT_DELETE,
	DB_OP_TRUNK_LIST, DB_OP_TRUNK_GET, DB_OP_TRUNK_CREATE,
	DB_OP_TRUNK_UPDATE, DB_OP_TRUNK_DELETE,
	DB_OP_DID_LIST, DB_OP_DID_GET, DB_OP_DID_CREATE, DB_OP_DID_UPDATE,
	DB_OP_DID_DELETE,
	DB_OP_CARRIER_LIST, DB_OP_CARRIER_GET, DB_OP_CARRIER_CREATE,
	DB_OP_CARRIER_UPDATE, DB_OP_CARRIER_DELETE,
	DB_OP_ADMIN_LIST, DB_OP_ADMIN_GET, DB_OP_ADMIN_UPDATE,
	DB_OP_BAN_LIST, DB_OP_BAN_ADD, DB_OP_BAN_REMOVE,
	DB_OP_AUDIT_LIST,
	DB_OP_MAX
};

enum db_status {
	DB_OK = 0,
	DB_E_INVALID,		/* validation: "error" + "field" */
	DB_E_TOTP,		/* wrong, replayed or missing code */
	DB_E_LOCKED,		/* too many TOTP failures */
	DB_E_FORBIDDEN,		/* role or tenant does not allow it */
	DB_E_UNKNOWN_ADMIN,	/* fingerprint not enrolled, or disabled */
	DB_E_NOT_FOUND,
	DB_E_CONFLICT,		/* overlap, duplicate */
	DB_E_UNAVAILABLE,	/* database away: nothing was done */
	DB_E_INTERNAL,
};

struct msg_db_req {
	uint32_t	reqid;		/* webd's, echoed in the answer */
	uint32_t	op;		/* enum db_op */
	uint8_t		fingerprint[PROTO_FPR_LEN];
	char		totp[PROTO_TOTP_MAX];	/* "" for reads */
	uint32_t	json_len;	/* bytes of json[], no NUL */
	char		json[PROTO_DB_JSON_MAX];
};
#define MSG_DB_REQ_MIN		offsetof(struct msg_db_req, json)

struct msg_db_resp {
	uint32_t	reqid;
	int32_t		status;		/* enum db_status */
	uint32_t	json_len;
	uint32_t	pad;
	/*
	 * Non-zero: the answer depends only on the request, the caller and
	 * the database's state named by this stamp; the same stamp later
	 * means none of it changed.  Never reused, also across restarts.
	 */
	uint64_t	stamp;
	char		json[PROTO_DB_JSON_MAX];
};
#define MSG_DB_RESP_MIN		offsetof(struct msg_db_resp, json)

#define MSG_CATALOGUE_DB(X)						\
	X(DB_REQ, MSG_DB_REQ_MIN, sizeof(struct msg_db_req), FD_NO,	\
	    P(WEBD), P(DBD))						\
	X(DB_RESP, MSG_DB_RESP_MIN, sizeof(struct msg_db_resp), FD_NO,	\
	    P(DBD), P(WEBD))

#endif /* TRUNKD_PROTO_DB_H */
