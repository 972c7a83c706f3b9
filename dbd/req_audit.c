/* Reads about the caller and the system: WHOAMI, DASHBOARD, AUDIT_LIST. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "dbd.h"

static const char sql_audit[] =
    "SELECT id, ts, admin, tenant_id, action, object, object_id,"
    " generation, detail FROM audit WHERE (? = 0 OR tenant_id = ?)"
    " AND (? = '' OR admin = ?) AND (? = '' OR object = ?)"
    " AND ts >= ? AND ts <= ? ORDER BY id DESC LIMIT ? OFFSET ?";
static const char sql_audit_count[] =
    "SELECT COUNT(*) FROM audit WHERE (? = 0 OR tenant_id = ?)"
    " AND (? = '' OR admin = ?) AND (? = '' OR object = ?)"
    " AND ts >= ? AND ts <= ?";
static const char sql_dashboard[] =
    "SELECT (SELECT COUNT(*) FROM tenants WHERE ? = 0 OR id = ?),"
    " (SELECT COUNT(*) FROM trunks WHERE ? = 0 OR tenant_id = ?),"
    " (SELECT COUNT(*) FROM dids WHERE ? = 0 OR tenant_id = ?),"
    " (SELECT COUNT(*) FROM carriers),"
    " (SELECT COUNT(*) FROM bans WHERE expires > ?),"
    " (SELECT generation FROM generation WHERE id = 1),"
    " (SELECT COALESCE(MAX(generation), 0) FROM applied WHERE ok = 1),"
    " (SELECT error FROM applied ORDER BY generation DESC LIMIT 1),"
    " (SELECT ok FROM applied ORDER BY generation DESC LIMIT 1)";

int
req_whoami(struct req *r)
{
	static const char *const keys[] = { NULL };

	if (req_keys(r, r->in, keys) == -1)
		return -1;
	r->out = json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)r->who.id,
	    "name", r->who.name, "role", role_name(r->who.role), "tenant_id",
	    r->who.tenant_id != 0 ? json_integer((json_int_t)r->who.tenant_id) :
	    json_null());
	return 0;
}

static json_t *
audit_json(struct db_res *res)
{
	json_t		*o, *detail;
	json_error_t	 jerr;

	detail = json_loads(db_str(res, 8), 0, &jerr);
	o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I,s:o}",
	    "id", (json_int_t)db_int(res, 0), "ts", (json_int_t)db_int(res, 1),
	    "admin", db_str(res, 2), "action", db_str(res, 4),
	    "object", db_str(res, 5), "object_id", (json_int_t)db_int(res, 6),
	    "generation", (json_int_t)db_int(res, 7),
	    "detail", detail != NULL ? detail : json_object());
	if (o != NULL)
		(void)json_object_set_new(o, "tenant_id", db_isnull(res, 3) ?
		    json_null() : json_integer(db_int(res, 3)));
	return o;
}

int
req_audit(struct req *r)
{
	static const char *const filters[] = { "admin", "tenant_id", "object",
	    "since", "until", NULL };
	struct db_val	 v[10];
	json_t		*filter, *items;
	const char	*admin = "", *object = "";
	uint64_t	 off, lim, total, scope = authz_scope(r), want = 0;
	uint64_t	 since = 0, until = (uint64_t)INT64_MAX;

	if (req_paging(r, filters, &filter, &off, &lim) == -1 ||
	    (filter != NULL && (req_str(r, filter, "admin", 0, &admin) == -1 ||
	    req_str(r, filter, "object", 0, &object) == -1 ||
	    req_uint(r, filter, "tenant_id", 0, 1, UINT32_MAX, &want) == -1 ||
	    req_uint(r, filter, "since", 0, 0, INT64_MAX, &since) == -1 ||
	    req_uint(r, filter, "until", 0, 0, INT64_MAX, &until) == -1)))
		return -1;
	if (want != 0 && !authz_tenant_read(r, want))
		return req_fail(r, DB_E_FORBIDDEN, "filter.tenant_id",
		    "you may not see this tenant's audit trail");
	if (want != 0)
		scope = want;
	v[0] = v[1] = DB_INT(scope);
	v[2] = v[3] = DB_TEXT(admin);
	v[4] = v[5] = DB_TEXT(object);
	v[6] = DB_INT(since);
	v[7] = DB_INT(until);
	v[8] = DB_INT(lim);
	v[9] = DB_INT(off);
	if (req_count(r, sql_audit_count, v, 8, &total) == -1 ||
	    (items = req_rows(r, sql_audit, v, 10, audit_json)) == NULL)
		return -1;
	r->out = req_list_answer(items, total, off, lim);
	return 0;
}

int
req_dashboard(struct req *r)
{
	static const char *const keys[] = { NULL };
	struct db_res	 res;
	struct db_val	 v[7];
	uint64_t	 scope = authz_scope(r);
	int		 f;

	if (req_keys(r, r->in, keys) == -1)
		return -1;
	v[0] = v[1] = v[2] = v[3] = v[4] = v[5] = DB_INT(scope);
	v[6] = DB_INT(time(NULL));
	if (db_exec(r->db, sql_dashboard, v, 7, &res) == -1)
		return req_dberr(r);
	if ((f = db_fetch(&res)) == 1)
		r->out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}",
		    "tenants", (json_int_t)db_int(&res, 0),
		    "trunks", (json_int_t)db_int(&res, 1),
		    "dids", (json_int_t)db_int(&res, 2),
		    "carriers", authz_tenant_read(r, 0) ?
		    (json_int_t)db_int(&res, 3) : 0,
		    "active_bans", (json_int_t)db_int(&res, 4),
		    "generation", (json_int_t)db_int(&res, 5),
		    "applied_generation", (json_int_t)db_int(&res, 6),
		    "last_apply_error", db_isnull(&res, 8) ||
		    db_int(&res, 8) != 0 ? json_null() :
		    json_string(db_str(&res, 7)),
		    "live", r->who.role == ROLE_SUPERADMIN && dbd.live != NULL ?
		    json_incref(dbd.live) : json_null());
	db_res_free(&res);
	if (f != 1)
		return req_dberr(r);
	return 0;
}
