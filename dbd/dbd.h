/*
 * dbd's shared state and the pieces of its request handling.
 *
 * A request from webd goes: envelope and JSON checked (req.c) -> the
 * caller resolved from its certificate fingerprint (authz.c) -> the
 * operation's handler (req_*.c), which validates every field, checks the
 * caller's rights on the rows it touches and, for a mutation, asks for
 * the TOTP step-up before it writes -> one transaction with an audit row
 * and a new generation -> the answer -> deltas to fwd and astd (feed.c).
 */
#ifndef TRUNKD_DBD_H
#define TRUNKD_DBD_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "crypt.h"
#include "proto.h"
#include "totp.h"
#include "validate.h"

struct db;
struct db_res;
struct db_val;
struct event_base;

enum role { ROLE_SUPERADMIN = 1, ROLE_TENANT_ADMIN, ROLE_VIEWER };

struct admin {
	uint64_t		id;
	char			name[VAL_NAME_MAX + 1];
	enum role		role;
	uint64_t		tenant_id;	/* 0: all tenants */
	struct totp_state	totp;
};

/* fwd deltas: the trunk set, and bans. */
struct fw_list {
	struct fw_elem	*elems;
	size_t		 n, cap;
};

struct req {
	uint32_t	 op;
	struct db	*db;
	struct admin	 who;
	const char	*totp;
	json_t		*in;
	json_t		*out;		/* the answer body */
	int32_t		 status;
	int		 mutation;
	int		 totp_failed;	/* store who.totp after the rollback */
	/* The change, for the audit row. */
	const char	*action;
	const char	*object;
	uint64_t	 object_id;
	int64_t		 tenant_id;	/* -1: none */
	json_t		*detail;
	/* After the commit. */
	uint64_t	 generation;
	struct fw_list	 net_add, net_del, ban_add, ban_del;
	char		 ban_reason[PROTO_NAME_MAX];
};

/* dbd.c */
extern struct dbd_state {
	struct msg_conf_dbd	 conf;
	uint8_t			 key[CRYPT_KEY_LEN];
	json_t			*live;		/* astd's last AST_LIVE */
} dbd;

/* link.c: the connection, reconnected with backoff. */
int		 link_init(struct event_base *, void (*on_up)(void));
struct db	*link_db(void);		/* NULL while the database is away */
void		 link_check(void);	/* after a failure: lost? reconnect */
void		 link_state(char *, size_t);

/* req.c */
void		 req_handle(const struct msg_db_req *, size_t len);
int		 req_fail(struct req *, int32_t status, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int		 req_dberr(struct req *);
int		 req_keys(struct req *, json_t *, const char *const *allowed);
int		 req_str(struct req *, json_t *, const char *key, int required,
		    const char **out);
int		 req_uint(struct req *, json_t *, const char *key, int required,
		    uint64_t min, uint64_t max, uint64_t *out);
int		 req_bool(struct req *, json_t *, const char *key, int required,
		    int *out);
int		 req_array(struct req *, json_t *, const char *key, int required,
		    size_t max, json_t **out);
int		 req_id(struct req *, uint64_t *id);
/* The list filter object (or NULL), page and per_page. */
int		 req_paging(struct req *, const char *const *filters,
		    json_t **filter, uint64_t *offset, uint64_t *limit);
json_t		*req_list_answer(json_t *items, uint64_t total,
		    uint64_t offset, uint64_t limit);
/* Rows of a SELECT turned into JSON by fn: an array, or NULL (failed). */
json_t		*req_rows(struct req *, const char *sql, const struct db_val *,
		    size_t n, json_t *(*fn)(struct db_res *));
/* The first row of req_rows(), or NULL with DB_E_NOT_FOUND. */
json_t		*req_row(struct req *, const char *sql, const struct db_val *,
		    size_t n, json_t *(*fn)(struct db_res *), const char *what);
int		 req_count(struct req *, const char *sql, const struct db_val *,
		    size_t n, uint64_t *out);
/* {"id": column 0, "v": column 1}: rows to attach to their owner. */
json_t		*req_pair_json(struct db_res *);
/* "a,b" <-> ["a", "b"] for short lists stored in one column. */
json_t		*csv_array(const char *);
int		 array_csv(const json_t *, char *buf, size_t len);
/* Record the change for the audit row (detail is taken). */
void		 req_change(struct req *, const char *action, const char *object,
		    uint64_t id, int64_t tenant_id, json_t *detail);
int		 fw_list_add(struct fw_list *, const struct proto_net *,
		    uint32_t timeout);

/* authz.c */
int		 authz_resolve(struct req *, const uint8_t *fpr);
int		 authz_may_write(struct req *);
/* May the caller see / change rows of this tenant (0: global rows)? */
int		 authz_tenant_read(const struct req *, uint64_t tenant_id);
int		 authz_tenant_write(const struct req *, uint64_t tenant_id);
/* Filter value for lists: the caller's tenant, or 0 for all. */
uint64_t	 authz_scope(const struct req *);
/* The TOTP step-up, inside the mutation's transaction. */
int		 authz_step_up(struct req *);
void		 authz_record_failure(struct req *);
const char	*role_name(enum role);

/* secret.c: values sealed under the data key. */
int		 secret_seal(const char *aad, const void *in, size_t len,
		    uint8_t *out, size_t outsize, size_t *outlen);
int		 secret_open(const char *aad, const uint8_t *in, size_t len,
		    char *out, size_t outsize);

/* Handlers, one file per object. */
int		 req_whoami(struct req *);
int		 req_dashboard(struct req *);
int		 req_tenant(struct req *);
int		 req_trunk(struct req *);
int		 req_did(struct req *);
int		 req_carrier(struct req *);
int		 req_admin(struct req *);
int		 req_ban(struct req *);
int		 req_audit(struct req *);

/* nets.c: networks of trunks and carriers, overlap across all of them. */
int		 nets_parse(struct req *, json_t *arr, const char *field,
		    struct proto_net *nets, size_t max, size_t *n);
int		 nets_check(struct req *, const struct proto_net *nets,
		    size_t n, const char *field, uint64_t trunk_id,
		    uint64_t carrier_id, uint64_t tenant_id);
int		 nets_load(struct db *, uint64_t trunk_id, uint64_t carrier_id,
		    struct proto_net *nets, size_t max, size_t *n);
int		 nets_store(struct req *, uint64_t trunk_id, uint64_t carrier_id,
		    const struct proto_net *old, size_t nold,
		    const struct proto_net *nets, size_t n);
json_t		*nets_json(const struct proto_net *, size_t n);

/* Rows for astd's export, complete and with credentials. */
json_t		*tenant_json(struct db_res *);
json_t		*trunks_export(struct req *);
json_t		*carriers_export(struct req *);

/* feed.c: what fwd and astd are told. */
void		 feed_after_commit(struct req *);
void		 feed_snapshot(void);
int		 feed_dispatch(uint32_t type, const void *data, size_t len);

#endif /* TRUNKD_DBD_H */
