/*
 * Tenants: a superadmin creates, changes and deletes them; others read
 * their own.  Limits: trunks, channels per trunk, outbound destination
 * prefixes, longest call.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "dbd.h"

#define PREFIXES_MAX	32

#define TENANT_COLS	"id, name, max_trunks, max_channels, "		\
			"allowed_prefixes, max_call_seconds"
static const char sql_list[] =
    "SELECT " TENANT_COLS " FROM tenants WHERE (? = 0 OR id = ?)"
    " ORDER BY name LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM tenants WHERE (? = 0 OR id = ?)";
static const char sql_get[] =
    "SELECT " TENANT_COLS " FROM tenants WHERE id = ?";
static const char sql_insert[] =
    "INSERT INTO tenants (name, max_trunks, max_channels,"
    " allowed_prefixes, max_call_seconds) VALUES (?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE tenants SET name = ?, max_trunks = ?, max_channels = ?,"
    " allowed_prefixes = ?, max_call_seconds = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM tenants WHERE id = ?";
static const char sql_name_taken[] =
    "SELECT COUNT(*) FROM tenants WHERE name = ? AND id <> ?";
static const char sql_usage[] =
    "SELECT (SELECT COUNT(*) FROM trunks WHERE tenant_id = ?),"
    " (SELECT COALESCE(MAX(max_channels), 0) FROM trunks"
    "  WHERE tenant_id = ?),"
    " (SELECT COUNT(*) FROM admins WHERE tenant_id = ?)";

struct tenant {
	uint64_t	id;
	char		name[VAL_NAME_MAX + 1];
	uint64_t	max_trunks;
	uint64_t	max_channels;
	uint64_t	max_call_seconds;
	char		prefixes[PREFIXES_MAX * (VAL_E164_MAX + 1) + 1];
};

json_t *
tenant_json(struct db_res *res)
{
	return json_pack("{s:I,s:s,s:I,s:I,s:o,s:I}",
	    "id", (json_int_t)db_int(res, 0),
	    "name", db_str(res, 1),
	    "max_trunks", (json_int_t)db_int(res, 2),
	    "max_channels", (json_int_t)db_int(res, 3),
	    "allowed_prefixes", csv_array(db_str(res, 4)),
	    "max_call_seconds", (json_int_t)db_int(res, 5));
}

static int
tenant_list(struct req *r)
{
	static const char *const filters[] = { NULL };
	struct db_val	 v[4];
	json_t		*filter, *items;
	uint64_t	 off, lim, total, scope = authz_scope(r);

	if (req_paging(r, filters, &filter, &off, &lim) == -1)
		return -1;
	v[0] = v[1] = DB_INT(scope);
	v[2] = DB_INT(lim);
	v[3] = DB_INT(off);
	if (req_count(r, sql_count, v, 2, &total) == -1 ||
	    (items = req_rows(r, sql_list, v, 4, tenant_json)) == NULL)
		return -1;
	r->out = req_list_answer(items, total, off, lim);
	return 0;
}

/* Fields given over t (all of them for a create). */
static int
tenant_parse(struct req *r, struct tenant *t, int create)
{
	static const char *const keys[] = { "id", "name", "max_trunks",
	    "max_channels", "allowed_prefixes", "max_call_seconds", NULL };
	const char	*name = NULL;
	json_t		*pfx = NULL;
	char		 err[PROTO_ERR_MAX], fld[40];
	size_t		 i;

	if (req_keys(r, r->in, keys) == -1 ||
	    req_str(r, r->in, "name", create, &name) == -1 ||
	    req_uint(r, r->in, "max_trunks", create, 0, 10000,
	    &t->max_trunks) == -1 ||
	    req_uint(r, r->in, "max_channels", create, 1, 100000,
	    &t->max_channels) == -1 ||
	    req_uint(r, r->in, "max_call_seconds", create, 1, 604800,
	    &t->max_call_seconds) == -1 ||
	    req_array(r, r->in, "allowed_prefixes", create, PREFIXES_MAX,
	    &pfx) == -1)
		return -1;
	if (name != NULL) {
		if (val_name(name, err, sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, "name", "%s", err);
		(void)strlcpy(t->name, name, sizeof(t->name));
	}
	if (pfx == NULL)
		return 0;
	for (i = 0; i < json_array_size(pfx); i++) {
		(void)snprintf(fld, sizeof(fld), "allowed_prefixes[%zu]", i);
		if (!json_is_string(json_array_get(pfx, i)))
			return req_fail(r, DB_E_INVALID, fld,
			    "a prefix must be a string");
		if (val_dest_prefix(json_string_value(json_array_get(pfx, i)),
		    err, sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, fld, "%s", err);
	}
	if (array_csv(pfx, t->prefixes, sizeof(t->prefixes)) == -1)
		return req_fail(r, DB_E_INVALID, "allowed_prefixes",
		    "too many prefixes");
	return 0;
}

static int
tenant_load(struct req *r, uint64_t id, struct tenant *t)
{
	struct db_val	 v = DB_INT(id);
	json_t		*o;

	if ((o = req_row(r, sql_get, &v, 1, tenant_json, "tenant")) == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	t->id = id;
	(void)strlcpy(t->name, json_string_value(json_object_get(o, "name")),
	    sizeof(t->name));
	t->max_trunks = (uint64_t)json_integer_value(json_object_get(o,
	    "max_trunks"));
	t->max_channels = (uint64_t)json_integer_value(json_object_get(o,
	    "max_channels"));
	t->max_call_seconds = (uint64_t)json_integer_value(json_object_get(o,
	    "max_call_seconds"));
	(void)array_csv(json_object_get(o, "allowed_prefixes"), t->prefixes,
	    sizeof(t->prefixes));
	json_decref(o);
	return 0;
}

/* The checks that need the database, then the step-up, then the write. */
static int
tenant_write(struct req *r, struct tenant *t, int create)
{
	struct db_val	 v[6];
	uint64_t	 taken, trunks = 0, widest = 0;
	struct db_res	 res;

	v[0] = DB_TEXT(t->name);
	v[1] = DB_INT(t->id);
	if (req_count(r, sql_name_taken, v, 2, &taken) == -1)
		return -1;
	if (taken > 0)
		return req_fail(r, DB_E_CONFLICT, "name", "a tenant named "
		    "\"%s\" exists already", t->name);
	if (!create) {
		v[0] = v[1] = v[2] = DB_INT(t->id);
		if (db_exec(r->db, sql_usage, v, 3, &res) == -1)
			return req_dberr(r);
		if (db_fetch(&res) == 1) {
			trunks = (uint64_t)db_int(&res, 0);
			widest = (uint64_t)db_int(&res, 1);
		}
		db_res_free(&res);
		if (trunks > t->max_trunks)
			return req_fail(r, DB_E_CONFLICT, "max_trunks", "the "
			    "tenant has %llu trunks already",
			    (unsigned long long)trunks);
		if (widest > t->max_channels)
			return req_fail(r, DB_E_CONFLICT, "max_channels", "a "
			    "trunk of the tenant has %llu channels",
			    (unsigned long long)widest);
	}
	if (authz_step_up(r) == -1)
		return -1;
	v[0] = DB_TEXT(t->name);
	v[1] = DB_INT(t->max_trunks);
	v[2] = DB_INT(t->max_channels);
	v[3] = DB_TEXT(t->prefixes);
	v[4] = DB_INT(t->max_call_seconds);
	v[5] = DB_INT(t->id);
	if (db_exec(r->db, create ? sql_insert : sql_update, v, create ? 5 : 6,
	    NULL) == -1)
		return req_dberr(r);
	if (create)
		t->id = db_insert_id(r->db);
	v[0] = DB_INT(t->id);
	if ((r->out = req_row(r, sql_get, v, 1, tenant_json, "tenant")) ==
	    NULL)
		return -1;
	req_change(r, create ? "create" : "update", "tenant", t->id,
	    (int64_t)t->id, json_deep_copy(r->out));
	return 0;
}

static int
tenant_delete(struct req *r, uint64_t id)
{
	struct tenant	t;
	struct db_val	v[3];
	struct db_res	res;
	uint64_t	trunks = 0, admins = 0;

	if (tenant_load(r, id, &t) == -1)
		return -1;
	v[0] = v[1] = v[2] = DB_INT(id);
	if (db_exec(r->db, sql_usage, v, 3, &res) == -1)
		return req_dberr(r);
	if (db_fetch(&res) == 1) {
		trunks = (uint64_t)db_int(&res, 0);
		admins = (uint64_t)db_int(&res, 2);
	}
	db_res_free(&res);
	if (trunks > 0 || admins > 0)
		return req_fail(r, DB_E_CONFLICT, "id", "tenant \"%s\" still "
		    "has %llu trunks and %llu admins", t.name,
		    (unsigned long long)trunks, (unsigned long long)admins);
	if (authz_step_up(r) == -1)
		return -1;
	if (db_exec(r->db, sql_delete, v, 1, NULL) == -1)
		return req_dberr(r);
	r->out = json_object();
	req_change(r, "delete", "tenant", id, (int64_t)id,
	    json_pack("{s:s}", "name", t.name));
	return 0;
}

int
req_tenant(struct req *r)
{
	struct tenant	t;
	struct db_val	v;
	uint64_t	id = 0;

	memset(&t, 0, sizeof(t));
	if (r->op == DB_OP_TENANT_LIST)
		return tenant_list(r);
	if (r->op == DB_OP_TENANT_GET) {
		if (req_id(r, &id) == -1)
			return -1;
		if (!authz_tenant_read(r, id))
			return req_fail(r, DB_E_NOT_FOUND, "id",
			    "no such tenant");
		v = DB_INT(id);
		r->out = req_row(r, sql_get, &v, 1, tenant_json, "tenant");
		return r->out == NULL ? -1 : 0;
	}
	/* Tenants and their limits are the operator's. */
	if (r->who.role != ROLE_SUPERADMIN)
		return req_fail(r, DB_E_FORBIDDEN, NULL,
		    "only a superadmin manages tenants");
	if (r->op == DB_OP_TENANT_DELETE)
		return req_id(r, &id) == -1 ? -1 : tenant_delete(r, id);
	if (r->op == DB_OP_TENANT_UPDATE) {
		if (req_uint(r, r->in, "id", 1, 1, UINT32_MAX, &id) == -1 ||
		    tenant_load(r, id, &t) == -1)
			return -1;
	}
	if (tenant_parse(r, &t, r->op == DB_OP_TENANT_CREATE) == -1)
		return -1;
	return tenant_write(r, &t, r->op == DB_OP_TENANT_CREATE);
}
