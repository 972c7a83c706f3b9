/*
 * One request from webd, start to end: the envelope, the JSON body, the
 * caller, the handler, and for a mutation the transaction around it:
 *
 *   BEGIN; lock the generation row (every mutation, on every node, runs
 *   one at a time); lock the caller's row -> handler (validates, checks
 *   rights, asks for the TOTP step-up, writes) -> generation + 1, audit
 *   row -> COMMIT -> answer -> deltas to fwd and astd.
 *
 * Anything wrong before the commit rolls everything back; a TOTP failure
 * is then counted on its own.  While the database is away every request
 * is answered DB_E_UNAVAILABLE and nothing is done.  Reads whose answer
 * the generation decides go through the answer cache (cache.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cache.h"
#include "child.h"
#include "db.h"
#include "dbd.h"
#include "log.h"
#include "ops.h"

#define PER_PAGE_DEFAULT	50
#define PER_PAGE_MAX		500
#define DETAIL_MAX		8192

struct handler {
	int	(*fn)(struct req *);
	int	  mutation;
};

static const struct handler handlers[DB_OP_MAX] = {
	[DB_OP_WHOAMI] = { req_whoami, 0 },
	[DB_OP_DASHBOARD] = { req_dashboard, 0 },
	[DB_OP_TENANT_LIST] = { req_tenant, 0 },
	[DB_OP_TENANT_GET] = { req_tenant, 0 },
	[DB_OP_TENANT_CREATE] = { req_tenant, 1 },
	[DB_OP_TENANT_UPDATE] = { req_tenant, 1 },
	[DB_OP_TENANT_DELETE] = { req_tenant, 1 },
	[DB_OP_TRUNK_LIST] = { req_trunk, 0 },
	[DB_OP_TRUNK_GET] = { req_trunk, 0 },
	[DB_OP_TRUNK_CREATE] = { req_trunk, 1 },
	[DB_OP_TRUNK_UPDATE] = { req_trunk, 1 },
	[DB_OP_TRUNK_DELETE] = { req_trunk, 1 },
	[DB_OP_DID_LIST] = { req_did, 0 },
	[DB_OP_DID_GET] = { req_did, 0 },
	[DB_OP_DID_CREATE] = { req_did, 1 },
	[DB_OP_DID_UPDATE] = { req_did, 1 },
	[DB_OP_DID_DELETE] = { req_did, 1 },
	[DB_OP_CARRIER_LIST] = { req_carrier, 0 },
	[DB_OP_CARRIER_GET] = { req_carrier, 0 },
	[DB_OP_CARRIER_CREATE] = { req_carrier, 1 },
	[DB_OP_CARRIER_UPDATE] = { req_carrier, 1 },
	[DB_OP_CARRIER_DELETE] = { req_carrier, 1 },
	[DB_OP_ADMIN_LIST] = { req_admin, 0 },
	[DB_OP_ADMIN_GET] = { req_admin, 0 },
	[DB_OP_ADMIN_UPDATE] = { req_admin, 1 },
	[DB_OP_BAN_LIST] = { req_ban, 0 },
	[DB_OP_BAN_ADD] = { req_ban, 1 },
	[DB_OP_BAN_REMOVE] = { req_ban, 1 },
	[DB_OP_AUDIT_LIST] = { req_audit, 0 },
};

static const char sql_lock_generation[] =
    "SELECT generation FROM generation WHERE id = 1 FOR UPDATE";
static const char sql_set_generation[] =
    "UPDATE generation SET generation = ? WHERE id = 1";

int
req_fail(struct req *r, int32_t status, const char *field, const char *fmt,
    ...)
{
	char	msg[PROTO_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_decref(r->out);
	r->out = json_pack("{s:s}", "error", msg);
	if (r->out != NULL && field != NULL)
		(void)json_object_set_new(r->out, "field", json_string(field));
	r->status = status;
	return -1;
}

int
req_dberr(struct req *r)
{
	switch (db_last_err(r->db)) {
	case DB_ERR_GONE:
		link_check();
		return req_fail(r, DB_E_UNAVAILABLE, NULL,
		    "database unavailable: nothing was changed");
	case DB_ERR_DUPLICATE:
		return req_fail(r, DB_E_CONFLICT, NULL,
		    "an object with this name or value exists already");
	case DB_ERR_CONSTRAINT:
		log_warnx("constraint: %s", db_last_msg(r->db));
		return req_fail(r, DB_E_CONFLICT, NULL, "the database refused "
		    "the change: it would break a rule of the data model");
	default:
		log_warnx("database: %s", db_last_msg(r->db));
		return req_fail(r, DB_E_INTERNAL, NULL, "database error");
	}
}

int
req_keys(struct req *r, json_t *obj, const char *const *allowed)
{
	const char	*key;
	json_t		*val;
	size_t		 i;

	json_object_foreach(obj, key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return req_fail(r, DB_E_INVALID, key,
			    "unknown field \"%.40s\"", key);
	}
	return 0;
}

static json_t *
field(struct req *r, json_t *obj, const char *key, int required, int *rv)
{
	json_t	*v;

	*rv = 0;
	if ((v = json_object_get(obj, key)) == NULL || json_is_null(v)) {
		if (required)
			*rv = req_fail(r, DB_E_INVALID, key, "%s is required",
			    key);
		return NULL;
	}
	return v;
}

int
req_str(struct req *r, json_t *obj, const char *key, int required,
    const char **out)
{
	json_t	*v;
	int	 rv;

	if ((v = field(r, obj, key, required, &rv)) == NULL)
		return rv;
	if (!json_is_string(v))
		return req_fail(r, DB_E_INVALID, key, "%s must be a string",
		    key);
	*out = json_string_value(v);
	return 0;
}

int
req_uint(struct req *r, json_t *obj, const char *key, int required,
    uint64_t min, uint64_t max, uint64_t *out)
{
	json_t		*v;
	json_int_t	 i;
	int		 rv;

	if ((v = field(r, obj, key, required, &rv)) == NULL)
		return rv;
	if (!json_is_integer(v))
		return req_fail(r, DB_E_INVALID, key, "%s must be a whole "
		    "number", key);
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return req_fail(r, DB_E_INVALID, key, "%s must be between %llu "
		    "and %llu", key, (unsigned long long)min,
		    (unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

int
req_bool(struct req *r, json_t *obj, const char *key, int required, int *out)
{
	json_t	*v;
	int	 rv;

	if ((v = field(r, obj, key, required, &rv)) == NULL)
		return rv;
	if (!json_is_boolean(v))
		return req_fail(r, DB_E_INVALID, key, "%s must be true or "
		    "false", key);
	*out = json_is_true(v);
	return 0;
}

int
req_array(struct req *r, json_t *obj, const char *key, int required,
    size_t max, json_t **out)
{
	json_t	*v;
	int	 rv;

	if ((v = field(r, obj, key, required, &rv)) == NULL)
		return rv;
	if (!json_is_array(v))
		return req_fail(r, DB_E_INVALID, key, "%s must be a list", key);
	if (json_array_size(v) > max)
		return req_fail(r, DB_E_INVALID, key, "%s holds %zu entries, "
		    "the most is %zu", key, json_array_size(v), max);
	*out = v;
	return 0;
}

int
req_id(struct req *r, uint64_t *id)
{
	static const char *const keys[] = { "id", NULL };

	if (req_keys(r, r->in, keys) == -1)
		return -1;
	return req_uint(r, r->in, "id", 1, 1, UINT32_MAX, id);
}

int
req_paging(struct req *r, const char *const *filters, json_t **filter,
    uint64_t *offset, uint64_t *limit)
{
	static const char *const keys[] = { "filter", "page", "per_page",
	    NULL };
	uint64_t	 page = 1, per = PER_PAGE_DEFAULT;
	json_t		*f;

	*filter = NULL;
	if (req_keys(r, r->in, keys) == -1 ||
	    req_uint(r, r->in, "page", 0, 1, 1000000, &page) == -1 ||
	    req_uint(r, r->in, "per_page", 0, 1, PER_PAGE_MAX, &per) == -1)
		return -1;
	if ((f = json_object_get(r->in, "filter")) != NULL &&
	    !json_is_null(f)) {
		if (!json_is_object(f))
			return req_fail(r, DB_E_INVALID, "filter",
			    "filter must be an object");
		if (req_keys(r, f, filters) == -1)
			return -1;
		*filter = f;
	}
	*offset = (page - 1) * per;
	*limit = per;
	return 0;
}

json_t *
req_list_answer(json_t *items, uint64_t total, uint64_t offset,
    uint64_t limit)
{
	return json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total",
	    (json_int_t)total, "page", (json_int_t)(offset / limit + 1),
	    "per_page", (json_int_t)limit);
}

json_t *
req_rows(struct req *r, const char *sql, const struct db_val *v, size_t n,
    json_t *(*fn)(struct db_res *))
{
	struct db_res	 res;
	json_t		*arr, *o;
	int		 f;

	if (db_exec(r->db, sql, v, n, &res) == -1) {
		(void)req_dberr(r);
		return NULL;
	}
	if ((arr = json_array()) == NULL) {
		db_res_free(&res);
		(void)req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
		return NULL;
	}
	while ((f = db_fetch(&res)) == 1)
		if ((o = fn(&res)) == NULL || json_array_append_new(arr,
		    o) == -1) {
			f = -1;
			break;
		}
	db_res_free(&res);
	if (f == -1) {
		json_decref(arr);
		(void)req_fail(r, DB_E_INTERNAL, NULL, "cannot read rows");
		return NULL;
	}
	return arr;
}

json_t *
req_row(struct req *r, const char *sql, const struct db_val *v, size_t n,
    json_t *(*fn)(struct db_res *), const char *what)
{
	json_t	*arr, *o;

	if ((arr = req_rows(r, sql, v, n, fn)) == NULL)
		return NULL;
	if ((o = json_array_get(arr, 0)) != NULL)
		json_incref(o);
	json_decref(arr);
	if (o == NULL)
		(void)req_fail(r, DB_E_NOT_FOUND, "id", "no such %s", what);
	return o;
}

int
req_count(struct req *r, const char *sql, const struct db_val *v, size_t n,
    uint64_t *out)
{
	struct db_res	res;
	int		f;

	if (db_exec(r->db, sql, v, n, &res) == -1)
		return req_dberr(r);
	f = db_fetch(&res);
	*out = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
	db_res_free(&res);
	return f == 1 ? 0 : req_dberr(r);
}

json_t *
req_pair_json(struct db_res *res)
{
	return json_pack("{s:I,s:s}", "id", (json_int_t)db_int(res, 0), "v",
	    db_str(res, 1));
}

json_t *
csv_array(const char *s)
{
	json_t		*arr;
	const char	*comma;

	if ((arr = json_array()) == NULL)
		return NULL;
	while (*s != '\0') {
		comma = strchr(s, ',');
		if (comma == NULL)
			comma = s + strlen(s);
		(void)json_array_append_new(arr, json_stringn(s,
		    (size_t)(comma - s)));
		s = *comma == ',' ? comma + 1 : comma;
	}
	return arr;
}

/* The entries were validated: none holds a comma. */
int
array_csv(const json_t *arr, char *buf, size_t len)
{
	size_t	i;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < json_array_size(arr); i++)
		if ((i > 0 && strlcat(buf, ",", len) >= len) ||
		    strlcat(buf, json_string_value(json_array_get(arr, i)),
		    len) >= len)
			return -1;
	return 0;
}

void
req_change(struct req *r, const char *action, const char *object,
    uint64_t id, int64_t tenant_id, json_t *detail)
{
	r->action = action;
	r->object = object;
	r->object_id = id;
	r->tenant_id = tenant_id;
	json_decref(r->detail);
	r->detail = detail;
}

int
fw_list_add(struct fw_list *l, const struct proto_net *net, uint32_t timeout)
{
	struct fw_elem	*e;
	size_t		 cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 16 : l->cap * 2;
		if ((e = reallocarray(l->elems, cap, sizeof(*e))) == NULL)
			return -1;
		l->elems = e;
		l->cap = cap;
	}
	memset(&l->elems[l->n], 0, sizeof(l->elems[0]));
	l->elems[l->n].net = *net;
	l->elems[l->n].timeout = timeout;
	l->n++;
	return 0;
}

/* Lock the generation and the caller's row; refresh its TOTP state. */
static int
mutation_begin(struct req *r)
{
	static const char sql_admin[] =
	    "SELECT totp_last_step, totp_failures, locked_until, disabled"
	    " FROM admins WHERE id = ? FOR UPDATE";
	struct db_res	res;
	struct db_val	v;
	int		f, disabled = 1;

	if (db_begin(r->db) == -1 ||
	    db_exec(r->db, sql_lock_generation, NULL, 0, &res) == -1)
		return req_dberr(r);
	f = db_fetch(&res);
	r->generation = f == 1 ? (uint64_t)db_int(&res, 0) + 1 : 0;
	db_res_free(&res);
	if (f != 1)
		return req_dberr(r);
	v = DB_INT(r->who.id);
	if (db_exec(r->db, sql_admin, &v, 1, &res) == -1)
		return req_dberr(r);
	if ((f = db_fetch(&res)) == 1) {
		r->who.totp.last_step = db_int(&res, 0);
		r->who.totp.failures = (uint32_t)db_int(&res, 1);
		r->who.totp.locked_until = db_int(&res, 2);
		disabled = db_int(&res, 3) != 0;
	}
	db_res_free(&res);
	if (f == -1)
		return req_dberr(r);
	if (f == 0 || disabled)
		return req_fail(r, DB_E_UNKNOWN_ADMIN, NULL,
		    "this admin was disabled");
	if (r->who.totp.locked_until > time(NULL))
		return req_fail(r, DB_E_LOCKED, "totp", "too many wrong TOTP "
		    "codes: locked for %lld more seconds",
		    (long long)(r->who.totp.locked_until - time(NULL)));
	return 0;
}

static int
mutation_commit(struct req *r)
{
	struct audit_row	 row;
	struct db_val		 v;
	char			*detail;

	if (r->action == NULL || r->object == NULL) {
		log_warnx("%s: no change recorded", db_op_name(r->op));
		return req_fail(r, DB_E_INTERNAL, NULL, "internal error");
	}
	if ((detail = json_dumps(r->detail != NULL ? r->detail :
	    json_object(), JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    strlen(detail) > DETAIL_MAX) {
		free(detail);
		return req_fail(r, DB_E_INTERNAL, NULL, "change too large");
	}
	memset(&row, 0, sizeof(row));
	row.ts = time(NULL);
	row.admin = r->who.name;
	row.tenant_id = r->tenant_id;
	row.action = r->action;
	row.object = r->object;
	row.object_id = r->object_id;
	row.generation = r->generation;
	row.detail = detail;
	v = DB_INT(r->generation);
	if (db_exec(r->db, sql_set_generation, &v, 1, NULL) == -1 ||
	    audit_append(r->db, &row) == -1) {
		free(detail);
		return req_dberr(r);
	}
	free(detail);
	if (db_commit(r->db) == -1) {
		/* Lost during COMMIT itself: the outcome is the server's. */
		if (db_last_err(r->db) == DB_ERR_GONE) {
			link_check();
			return req_fail(r, DB_E_UNAVAILABLE, NULL, "the database "
			    "went away during the commit: look whether the "
			    "change was saved");
		}
		return req_dberr(r);
	}
	return 0;
}

/* k: the request's cache key, for an op cache_op() keeps. */
static void
req_answer(uint32_t reqid, struct req *r, const struct cache_key *k,
    uint64_t stamp)
{
	struct msg_db_resp	*resp;
	size_t			 n;

	if ((resp = calloc(1, sizeof(*resp))) == NULL)
		fatal("answer");
	if (r->out == NULL)
		r->out = json_object();
	n = r->out == NULL ? 0 : json_dumpb(r->out, resp->json,
	    sizeof(resp->json), JSON_COMPACT);
	if (n == 0 || n > sizeof(resp->json)) {
		/* Lists are paged: an answer this large is a bug. */
		n = (size_t)snprintf(resp->json, sizeof(resp->json),
		    "{\"error\":\"answer too large\"}");
		r->status = DB_E_INTERNAL;
	}
	resp->reqid = reqid;
	resp->status = r->status;
	resp->json_len = (uint32_t)n;
	resp->stamp = k != NULL ? cache_keep(k, stamp, resp) : 0;
	(void)child_send(MSG_DB_RESP, PROC_WEBD, -1, resp,
	    MSG_DB_RESP_MIN + n);
	free(resp);
}

static void
req_free(struct req *r)
{
	json_decref(r->in);
	json_decref(r->out);
	json_decref(r->detail);
	free(r->net_add.elems);
	free(r->net_del.elems);
	free(r->ban_add.elems);
	free(r->ban_del.elems);
	explicit_bzero(&r->who, sizeof(r->who));
}

static void
req_run(struct req *r, const struct handler *h, const uint8_t *fpr)
{
	if ((r->db = link_db()) == NULL) {
		(void)req_fail(r, DB_E_UNAVAILABLE, NULL,
		    "database unavailable: nothing was done");
		return;
	}
	if (authz_resolve(r, fpr) == -1)
		return;
	r->mutation = h->mutation;
	if (!r->mutation) {
		(void)h->fn(r);
		return;
	}
	if (authz_may_write(r) == -1)
		return;
	if (mutation_begin(r) == 0 && h->fn(r) == 0 &&
	    mutation_commit(r) == 0) {
		cache_committed(r->generation);
		feed_after_commit(r);
		return;
	}
	/* Nothing changed, unless the commit's outcome is unknown. */
	cache_recheck();
	db_rollback(r->db);
	if (r->totp_failed)
		authz_record_failure(r);
	link_check();
}

void
req_handle(const struct msg_db_req *m, size_t len)
{
	struct req		 r;
	const struct handler	*h;
	struct cache_key	 key, *k = NULL;
	struct msg_db_resp	*hit;
	uint64_t		 stamp = 0;
	size_t			 hitlen;
	json_error_t		 jerr;

	if (m->json_len > len - MSG_DB_REQ_MIN ||
	    !proto_str_ok(m->totp, sizeof(m->totp)) ||
	    m->op == 0 || m->op >= DB_OP_MAX || handlers[m->op].fn == NULL)
		fatalx("malformed DB_REQ from webd");
	h = &handlers[m->op];
	if (cache_op(m->op)) {
		cache_key(k = &key, m->op, m->fingerprint, m->json,
		    m->json_len);
		if ((hit = cache_lookup(k, &stamp, &hitlen)) != NULL) {
			hit->reqid = m->reqid;
			(void)child_send(MSG_DB_RESP, PROC_WEBD, -1, hit,
			    hitlen);
			return;
		}
	}
	memset(&r, 0, sizeof(r));
	r.op = m->op;
	r.totp = m->totp;
	r.tenant_id = -1;
	r.status = DB_OK;
	/* Duplicate keys would let webd and dbd read different values. */
	r.in = json_loadb(m->json, m->json_len, JSON_REJECT_DUPLICATES, &jerr);
	if (r.in == NULL || !json_is_object(r.in))
		(void)req_fail(&r, DB_E_INVALID, NULL, "the request body is "
		    "not a JSON object");
	else
		req_run(&r, h, m->fingerprint);
	log_debug("%s by %s: %s", db_op_name(r.op),
	    r.who.name[0] != '\0' ? r.who.name : "?",
	    db_status_name(r.status));
	req_answer(m->reqid, &r, k, stamp);
	req_free(&r);
}
