/*
 * Admins: enrolled by `trunkctl admin add` (certificate + TOTP secret);
 * here they are read, and a superadmin changes role, tenant or disabled.
 * Neither the TOTP secret nor its state ever leaves dbd.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "dbd.h"

#define ADMIN_COLS	"id, name, HEX(fingerprint), role, tenant_id, " \
			"disabled, locked_until, created"
static const char sql_list[] =
    "SELECT " ADMIN_COLS " FROM admins WHERE (? = 0 OR tenant_id = ?)"
    " ORDER BY name LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM admins WHERE (? = 0 OR tenant_id = ?)";
static const char sql_get[] =
    "SELECT " ADMIN_COLS " FROM admins WHERE id = ?";
static const char sql_update[] =
    "UPDATE admins SET role = ?, tenant_id = ?, disabled = ? WHERE id = ?";
static const char sql_tenant_exists[] =
    "SELECT COUNT(*) FROM tenants WHERE id = ?";

static json_t *
admin_json(struct db_res *res)
{
	json_t	*o;

	o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:I}",
	    "id", (json_int_t)db_int(res, 0), "name", db_str(res, 1),
	    "fingerprint", db_str(res, 2), "role", db_str(res, 3),
	    "disabled", (int)db_int(res, 5),
	    "locked", db_int(res, 6) > time(NULL),
	    "created", (json_int_t)db_int(res, 7));
	if (o != NULL)
		(void)json_object_set_new(o, "tenant_id", db_isnull(res, 4) ?
		    json_null() : json_integer(db_int(res, 4)));
	return o;
}

static json_t *
admin_load(struct req *r, uint64_t id)
{
	struct db_val	 v = DB_INT(id);
	json_t		*o;

	if ((o = req_row(r, sql_get, &v, 1, admin_json, "admin")) == NULL)
		return NULL;
	if (!authz_tenant_read(r, (uint64_t)json_integer_value(
	    json_object_get(o, "tenant_id")))) {
		json_decref(o);
		(void)req_fail(r, DB_E_NOT_FOUND, "id", "no such admin");
		return NULL;
	}
	return o;
}

static int
admin_update(struct req *r, uint64_t id)
{
	static const char *const keys[] = { "id", "role", "tenant_id",
	    "disabled", NULL };
	static const char *const roles[] = { "superadmin", "tenant-admin",
	    "viewer", NULL };
	struct db_val	 v[4];
	json_t		*o, *jt;
	const char	*role;
	uint64_t	 tenant, n;
	size_t		 i;
	int		 disabled;

	if (r->who.role != ROLE_SUPERADMIN)
		return req_fail(r, DB_E_FORBIDDEN, NULL, "only a superadmin "
		    "changes admins");
	if ((o = admin_load(r, id)) == NULL)
		return -1;
	role = json_string_value(json_object_get(o, "role"));
	tenant = (uint64_t)json_integer_value(json_object_get(o, "tenant_id"));
	disabled = json_is_true(json_object_get(o, "disabled"));
	if (req_keys(r, r->in, keys) == -1 ||
	    req_str(r, r->in, "role", 0, &role) == -1 ||
	    req_bool(r, r->in, "disabled", 0, &disabled) == -1)
		goto fail;
	if ((jt = json_object_get(r->in, "tenant_id")) != NULL) {
		tenant = 0;
		if (!json_is_null(jt) && req_uint(r, r->in, "tenant_id", 1, 1,
		    UINT32_MAX, &tenant) == -1)
			goto fail;
	}
	for (i = 0; roles[i] != NULL && strcmp(role, roles[i]) != 0; i++)
		;
	if (roles[i] == NULL) {
		(void)req_fail(r, DB_E_INVALID, "role", "role must be "
		    "superadmin, tenant-admin or viewer");
		goto fail;
	}
	if ((i == 0 && tenant != 0) || (i == 1 && tenant == 0)) {
		(void)req_fail(r, DB_E_INVALID, "tenant_id", "a tenant-admin "
		    "needs a tenant, a superadmin has none");
		goto fail;
	}
	if (id == r->who.id && (disabled || i != 0)) {
		(void)req_fail(r, DB_E_INVALID, "role", "you would lock "
		    "yourself out: let another superadmin do it");
		goto fail;
	}
	v[0] = DB_INT(tenant);
	if (tenant != 0 && (req_count(r, sql_tenant_exists, v, 1, &n) == -1 ||
	    n == 0)) {
		if (r->status == DB_OK)
			(void)req_fail(r, DB_E_INVALID, "tenant_id",
			    "no such tenant");
		goto fail;
	}
	if (authz_step_up(r) == -1)
		goto fail;
	v[0] = DB_TEXT(role);
	v[1] = tenant != 0 ? DB_INT(tenant) : DB_NULL;
	v[2] = DB_INT(disabled);
	v[3] = DB_INT(id);
	if (db_exec(r->db, sql_update, v, 4, NULL) == -1) {
		(void)req_dberr(r);
		goto fail;
	}
	json_decref(o);
	if ((r->out = admin_load(r, id)) == NULL)
		return -1;
	req_change(r, "update", "admin", id, tenant != 0 ? (int64_t)tenant : -1,
	    json_deep_copy(r->out));
	return 0;
fail:
	json_decref(o);
	return -1;
}

int
req_admin(struct req *r)
{
	static const char *const filters[] = { NULL };
	struct db_val	 v[4];
	json_t		*items;
	uint64_t	 id, off, lim, total, scope = authz_scope(r);

	switch (r->op) {
	case DB_OP_ADMIN_LIST:
		if (req_paging(r, filters, &items, &off, &lim) == -1)
			return -1;
		v[0] = v[1] = DB_INT(scope);
		v[2] = DB_INT(lim);
		v[3] = DB_INT(off);
		if (req_count(r, sql_count, v, 2, &total) == -1 ||
		    (items = req_rows(r, sql_list, v, 4, admin_json)) == NULL)
			return -1;
		r->out = req_list_answer(items, total, off, lim);
		return 0;
	case DB_OP_ADMIN_GET:
		if (req_id(r, &id) == -1)
			return -1;
		return (r->out = admin_load(r, id)) == NULL ? -1 : 0;
	}
	if (req_uint(r, r->in, "id", 1, 1, UINT32_MAX, &id) == -1)
		return -1;
	return admin_update(r, id);
}
