/* DIDs: E.164 numbers, unique, each on a trunk of its tenant. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "dbd.h"

#define DID_COLS	"d.id, d.number, d.tenant_id, d.trunk_id"
static const char sql_list[] =
    "SELECT " DID_COLS " FROM dids d WHERE (? = 0 OR d.tenant_id = ?)"
    " AND (? = 0 OR d.trunk_id = ?) ORDER BY d.number LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM dids d WHERE (? = 0 OR d.tenant_id = ?)"
    " AND (? = 0 OR d.trunk_id = ?)";
static const char sql_get[] =
    "SELECT " DID_COLS " FROM dids d WHERE d.id = ?";
static const char sql_trunk_tenant[] =
    "SELECT tenant_id FROM trunks WHERE id = ?";
static const char sql_taken[] =
    "SELECT COUNT(*) FROM dids WHERE number = ? AND id <> ?";
static const char sql_insert[] =
    "INSERT INTO dids (number, tenant_id, trunk_id) VALUES (?, ?, ?)";
static const char sql_update[] =
    "UPDATE dids SET number = ?, tenant_id = ?, trunk_id = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM dids WHERE id = ?";

static json_t *
did_json(struct db_res *res)
{
	return json_pack("{s:I,s:s,s:I,s:I}",
	    "id", (json_int_t)db_int(res, 0),
	    "number", db_str(res, 1),
	    "tenant_id", (json_int_t)db_int(res, 2),
	    "trunk_id", (json_int_t)db_int(res, 3));
}

static int
did_list(struct req *r)
{
	static const char *const filters[] = { "tenant_id", "trunk_id", NULL };
	struct db_val	 v[6];
	json_t		*filter, *items;
	uint64_t	 off, lim, total, scope = authz_scope(r), want = 0;
	uint64_t	 trunk = 0;

	if (req_paging(r, filters, &filter, &off, &lim) == -1 ||
	    (filter != NULL && (req_uint(r, filter, "tenant_id", 0, 1,
	    UINT32_MAX, &want) == -1 || req_uint(r, filter, "trunk_id", 0, 1,
	    UINT32_MAX, &trunk) == -1)))
		return -1;
	if (want != 0 && !authz_tenant_read(r, want))
		return req_fail(r, DB_E_FORBIDDEN, "filter.tenant_id",
		    "you may not see this tenant's DIDs");
	if (want != 0)
		scope = want;
	v[0] = v[1] = DB_INT(scope);
	v[2] = v[3] = DB_INT(trunk);
	v[4] = DB_INT(lim);
	v[5] = DB_INT(off);
	if (req_count(r, sql_count, v, 4, &total) == -1 ||
	    (items = req_rows(r, sql_list, v, 6, did_json)) == NULL)
		return -1;
	r->out = req_list_answer(items, total, off, lim);
	return 0;
}

/* The DID by id, if the caller may see it (and change it, if asked). */
static json_t *
did_load(struct req *r, uint64_t id, int write)
{
	struct db_val	 v = DB_INT(id);
	json_t		*o;
	uint64_t	 tenant;

	if ((o = req_row(r, sql_get, &v, 1, did_json, "DID")) == NULL)
		return NULL;
	tenant = (uint64_t)json_integer_value(json_object_get(o, "tenant_id"));
	if (!authz_tenant_read(r, tenant) ||
	    (write && !authz_tenant_write(r, tenant))) {
		json_decref(o);
		(void)req_fail(r, authz_tenant_read(r, tenant) ?
		    DB_E_FORBIDDEN : DB_E_NOT_FOUND, "id", authz_tenant_read(r,
		    tenant) ? "you may not change this DID" : "no such DID");
		return NULL;
	}
	return o;
}

static int
did_write(struct req *r, uint64_t id, json_t *old)
{
	static const char *const keys[] = { "id", "number", "tenant_id",
	    "trunk_id", NULL };
	const char	*number = NULL;
	uint64_t	 tenant = 0, trunk = 0, owner = 0, n;
	struct db_val	 v[4];
	char		 err[PROTO_ERR_MAX];
	struct db_res	 res;
	int		 f;

	if (old != NULL) {
		number = json_string_value(json_object_get(old, "number"));
		tenant = (uint64_t)json_integer_value(json_object_get(old,
		    "tenant_id"));
		trunk = (uint64_t)json_integer_value(json_object_get(old,
		    "trunk_id"));
	}
	if (req_keys(r, r->in, keys) == -1 ||
	    req_str(r, r->in, "number", old == NULL, &number) == -1 ||
	    req_uint(r, r->in, "tenant_id", old == NULL, 1, UINT32_MAX,
	    &tenant) == -1 ||
	    req_uint(r, r->in, "trunk_id", old == NULL, 1, UINT32_MAX,
	    &trunk) == -1)
		return -1;
	if (val_e164(number, err, sizeof(err)) == -1)
		return req_fail(r, DB_E_INVALID, "number", "%s", err);
	if (!authz_tenant_write(r, tenant))
		return req_fail(r, DB_E_FORBIDDEN, "tenant_id", "you may not "
		    "add DIDs to this tenant");
	v[0] = DB_INT(trunk);
	if (db_exec(r->db, sql_trunk_tenant, v, 1, &res) == -1)
		return req_dberr(r);
	f = db_fetch(&res);
	owner = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
	db_res_free(&res);
	if (f == -1)
		return req_dberr(r);
	if (f == 0)
		return req_fail(r, DB_E_INVALID, "trunk_id", "no such trunk");
	if (owner != tenant)
		return req_fail(r, DB_E_INVALID, "trunk_id", "the trunk "
		    "belongs to another tenant");
	v[0] = DB_TEXT(number);
	v[1] = DB_INT(id);
	if (req_count(r, sql_taken, v, 2, &n) == -1)
		return -1;
	if (n > 0)
		return req_fail(r, DB_E_CONFLICT, "number", "%s is assigned "
		    "already", number);
	if (authz_step_up(r) == -1)
		return -1;
	v[0] = DB_TEXT(number);
	v[1] = DB_INT(tenant);
	v[2] = DB_INT(trunk);
	v[3] = DB_INT(id);
	if (db_exec(r->db, old == NULL ? sql_insert : sql_update, v,
	    old == NULL ? 3 : 4, NULL) == -1)
		return req_dberr(r);
	if (old == NULL)
		id = db_insert_id(r->db);
	v[0] = DB_INT(id);
	if ((r->out = req_row(r, sql_get, v, 1, did_json, "DID")) == NULL)
		return -1;
	req_change(r, old == NULL ? "create" : "update", "did", id,
	    (int64_t)tenant, json_deep_copy(r->out));
	return 0;
}

int
req_did(struct req *r)
{
	struct db_val	 v;
	json_t		*o;
	uint64_t	 id = 0;
	int		 rv;

	switch (r->op) {
	case DB_OP_DID_LIST:
		return did_list(r);
	case DB_OP_DID_GET:
		if (req_id(r, &id) == -1)
			return -1;
		return (r->out = did_load(r, id, 0)) == NULL ? -1 : 0;
	case DB_OP_DID_CREATE:
		return did_write(r, 0, NULL);
	case DB_OP_DID_UPDATE:
		if (req_uint(r, r->in, "id", 1, 1, UINT32_MAX, &id) == -1 ||
		    (o = did_load(r, id, 1)) == NULL)
			return -1;
		rv = did_write(r, id, o);
		json_decref(o);
		return rv;
	}
	if (req_id(r, &id) == -1 || (o = did_load(r, id, 1)) == NULL)
		return -1;
	if (authz_step_up(r) == -1) {
		json_decref(o);
		return -1;
	}
	v = DB_INT(id);
	if (db_exec(r->db, sql_delete, &v, 1, NULL) == -1) {
		json_decref(o);
		return req_dberr(r);
	}
	r->out = json_object();
	req_change(r, "delete", "did", id, json_integer_value(json_object_get(o,
	    "tenant_id")), o);
	return 0;
}
