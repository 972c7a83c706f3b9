/*
 * Carriers (upstream trunks): the operator's, so only a superadmin
 * changes them and only global readers see them.  The password is
 * sealed; it leaves dbd only in astd's export.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "dbd.h"
#include "log.h"

#define CARRIER_NETS_MAX	32
#define CARRIER_AAD		"trunkd carrier password"

#define CARRIER_COLS	"id, name, host, port, transport, register, " \
			"username, password"
static const char sql_list[] =
    "SELECT " CARRIER_COLS " FROM carriers ORDER BY name LIMIT ? OFFSET ?";
static const char sql_count[] = "SELECT COUNT(*) FROM carriers";
static const char sql_get[] =
    "SELECT " CARRIER_COLS " FROM carriers WHERE id = ?";
static const char sql_all[] =
    "SELECT " CARRIER_COLS " FROM carriers ORDER BY id";
static const char sql_nets[] =
    "SELECT carrier_id, cidr FROM networks WHERE carrier_id IS NOT NULL"
    " AND (? = 0 OR carrier_id = ?) ORDER BY id";
static const char sql_taken[] =
    "SELECT COUNT(*) FROM carriers WHERE name = ? AND id <> ?";
static const char sql_insert[] =
    "INSERT INTO carriers (name, host, port, transport, register,"
    " username, password) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE carriers SET name = ?, host = ?, port = ?, transport = ?,"
    " register = ?, username = ?, password = ? WHERE id = ?";
static const char sql_update_keep[] =
    "UPDATE carriers SET name = ?, host = ?, port = ?, transport = ?,"
    " register = ?, username = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM carriers WHERE id = ?";

static json_t *
carrier_row(struct db_res *res, int with_password)
{
	json_t		*o;
	const uint8_t	*sealed;
	char		 pw[VAL_SECRET_MAX + 1];
	size_t		 len;

	o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:b,s:s,s:[]}",
	    "id", (json_int_t)db_int(res, 0), "name", db_str(res, 1),
	    "host", db_str(res, 2), "port", (json_int_t)db_int(res, 3),
	    "transport", db_str(res, 4), "register", (int)db_int(res, 5),
	    "username", db_str(res, 6), "networks");
	if (o == NULL || !with_password || db_isnull(res, 7))
		return o;
	sealed = db_blob(res, 7, &len);
	if (secret_open(CARRIER_AAD, sealed, len, pw, sizeof(pw)) == -1) {
		log_warnx("carrier %s: password does not open", db_str(res, 1));
		json_decref(o);
		return NULL;
	}
	(void)json_object_set_new(o, "password", json_string(pw));
	explicit_bzero(pw, sizeof(pw));
	return o;
}

static json_t *
carrier_json(struct db_res *res)
{
	return carrier_row(res, 0);
}

static json_t *
carrier_json_export(struct db_res *res)
{
	return carrier_row(res, 1);
}

static int
carriers_complete(struct req *r, json_t *items, uint64_t id)
{
	struct db_val	 v[2];
	json_t		*rows, *row, *c;
	size_t		 i, j;

	v[0] = v[1] = DB_INT(id);
	if ((rows = req_rows(r, sql_nets, v, 2, req_pair_json)) == NULL)
		return -1;
	json_array_foreach(items, i, c)
		json_array_foreach(rows, j, row)
			if (json_equal(json_object_get(c, "id"),
			    json_object_get(row, "id")))
				(void)json_array_append(json_object_get(c,
				    "networks"), json_object_get(row, "v"));
	json_decref(rows);
	return 0;
}

json_t *
carriers_export(struct req *r)
{
	json_t	*items;

	if ((items = req_rows(r, sql_all, NULL, 0, carrier_json_export)) ==
	    NULL)
		return NULL;
	if (carriers_complete(r, items, 0) == -1) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static json_t *
carrier_get(struct req *r, uint64_t id)
{
	struct db_val	 v = DB_INT(id);
	json_t		*o, *items;

	if ((o = req_row(r, sql_get, &v, 1, carrier_json, "carrier")) == NULL)
		return NULL;
	if ((items = json_pack("[o]", o)) == NULL ||
	    carriers_complete(r, items, id) == -1) {
		json_decref(items);
		return NULL;
	}
	o = json_incref(json_array_get(items, 0));
	json_decref(items);
	return o;
}

static int
carrier_write(struct req *r, uint64_t id, int create)
{
	static const char *const keys[] = { "id", "name", "host", "port",
	    "transport", "register", "username", "password", "networks",
	    NULL };
	static const char *const transports[] = { "udp", "tcp", "tls", NULL };
	struct proto_net old[CARRIER_NETS_MAX], nets[CARRIER_NETS_MAX];
	const char	*name = NULL, *host = NULL, *tr = NULL, *user = NULL;
	const char	*pw = NULL;
	json_t		*jn = NULL, *cur = NULL;
	struct db_val	 v[8];
	uint64_t	 port = 0, n;
	uint8_t		 sealed[VAL_SECRET_MAX + CRYPT_OVERHEAD];
	size_t		 slen = 0, nold = 0, nn = 0, i;
	char		 err[PROTO_ERR_MAX];
	int		 reg = 0, rv = -1;

	if (!create) {
		if ((cur = carrier_get(r, id)) == NULL)
			return -1;
		name = json_string_value(json_object_get(cur, "name"));
		host = json_string_value(json_object_get(cur, "host"));
		tr = json_string_value(json_object_get(cur, "transport"));
		user = json_string_value(json_object_get(cur, "username"));
		port = (uint64_t)json_integer_value(json_object_get(cur,
		    "port"));
		reg = json_is_true(json_object_get(cur, "register"));
		if (nets_load(r->db, 0, id, old, CARRIER_NETS_MAX,
		    &nold) == -1) {
			(void)req_dberr(r);
			goto out;
		}
		memcpy(nets, old, sizeof(old));
		nn = nold;
	}
	if (req_keys(r, r->in, keys) == -1 ||
	    req_str(r, r->in, "name", create, &name) == -1 ||
	    req_str(r, r->in, "host", create, &host) == -1 ||
	    req_uint(r, r->in, "port", create, 1, 65535, &port) == -1 ||
	    req_str(r, r->in, "transport", create, &tr) == -1 ||
	    req_bool(r, r->in, "register", create, &reg) == -1 ||
	    req_str(r, r->in, "username", create, &user) == -1 ||
	    req_str(r, r->in, "password", 0, &pw) == -1 ||
	    req_array(r, r->in, "networks", 0, CARRIER_NETS_MAX, &jn) == -1)
		goto out;
	if (val_name(name, err, sizeof(err)) == -1) {
		(void)req_fail(r, DB_E_INVALID, "name", "%s", err);
		goto out;
	}
	if (val_host(host, err, sizeof(err)) == -1) {
		(void)req_fail(r, DB_E_INVALID, "host", "%s", err);
		goto out;
	}
	for (i = 0; transports[i] != NULL && strcmp(tr, transports[i]); i++)
		;
	if (transports[i] == NULL) {
		(void)req_fail(r, DB_E_INVALID, "transport", "transport must "
		    "be udp, tcp or tls");
		goto out;
	}
	if (val_sip_user(user, err, sizeof(err)) == -1) {
		(void)req_fail(r, DB_E_INVALID, "username", "%s", err);
		goto out;
	}
	/* astd authenticates with both or neither: never half an account. */
	if (create && pw == NULL) {
		(void)req_fail(r, DB_E_INVALID, "password", "password is "
		    "required: the carrier's account has a username");
		goto out;
	}
	if (pw != NULL && val_secret(pw, err, sizeof(err)) == -1) {
		(void)req_fail(r, DB_E_INVALID, "password", "%s", err);
		goto out;
	}
	if (jn != NULL && nets_parse(r, jn, "networks", nets,
	    CARRIER_NETS_MAX, &nn) == -1)
		goto out;
	if (r->who.role != ROLE_SUPERADMIN) {
		(void)req_fail(r, DB_E_FORBIDDEN, NULL, "only a superadmin "
		    "manages carriers");
		goto out;
	}
	v[0] = DB_TEXT(name);
	v[1] = DB_INT(id);
	if (req_count(r, sql_taken, v, 2, &n) == -1)
		goto out;
	if (n > 0) {
		(void)req_fail(r, DB_E_CONFLICT, "name", "a carrier named "
		    "\"%s\" exists already", name);
		goto out;
	}
	if (nets_check(r, nets, nn, "networks", 0, id, 0) == -1 ||
	    authz_step_up(r) == -1)
		goto out;
	if (pw != NULL && secret_seal(CARRIER_AAD, pw, strlen(pw), sealed,
	    sizeof(sealed), &slen) == -1) {
		(void)req_fail(r, DB_E_INTERNAL, NULL, "cannot seal");
		goto out;
	}
	v[0] = DB_TEXT(name);
	v[1] = DB_TEXT(host);
	v[2] = DB_INT(port);
	v[3] = DB_TEXT(tr);
	v[4] = DB_INT(reg);
	v[5] = DB_TEXT(user);
	if (create) {
		v[6] = pw != NULL ? DB_BLOB(sealed, slen) : DB_NULL;
		rv = db_exec(r->db, sql_insert, v, 7, NULL);
	} else if (pw != NULL) {
		v[6] = DB_BLOB(sealed, slen);
		v[7] = DB_INT(id);
		rv = db_exec(r->db, sql_update, v, 8, NULL);
	} else {
		v[6] = DB_INT(id);
		rv = db_exec(r->db, sql_update_keep, v, 7, NULL);
	}
	if (rv == -1) {
		(void)req_dberr(r);
		goto out;
	}
	rv = -1;
	if (create)
		id = db_insert_id(r->db);
	if (nets_store(r, 0, id, old, nold, nets, nn) == -1 ||
	    (r->out = carrier_get(r, id)) == NULL)
		goto out;
	req_change(r, create ? "create" : "update", "carrier", id, -1,
	    json_deep_copy(r->out));
	rv = 0;
out:
	explicit_bzero(sealed, sizeof(sealed));
	json_decref(cur);
	return rv;
}

int
req_carrier(struct req *r)
{
	struct proto_net nets[CARRIER_NETS_MAX];
	struct db_val	 v[2];
	json_t		*items;
	uint64_t	 id = 0, off, lim, total;
	size_t		 n, i;
	static const char *const filters[] = { NULL };

	if (!authz_tenant_read(r, 0))
		return req_fail(r, DB_E_FORBIDDEN, NULL, "carriers are the "
		    "operator's");
	switch (r->op) {
	case DB_OP_CARRIER_LIST:
		if (req_paging(r, filters, &items, &off, &lim) == -1)
			return -1;
		v[0] = DB_INT(lim);
		v[1] = DB_INT(off);
		if (req_count(r, sql_count, NULL, 0, &total) == -1 ||
		    (items = req_rows(r, sql_list, v, 2, carrier_json)) ==
		    NULL)
			return -1;
		if (carriers_complete(r, items, 0) == -1) {
			json_decref(items);
			return -1;
		}
		r->out = req_list_answer(items, total, off, lim);
		return 0;
	case DB_OP_CARRIER_GET:
		if (req_id(r, &id) == -1)
			return -1;
		return (r->out = carrier_get(r, id)) == NULL ? -1 : 0;
	case DB_OP_CARRIER_CREATE:
		return carrier_write(r, 0, 1);
	case DB_OP_CARRIER_UPDATE:
		if (req_uint(r, r->in, "id", 1, 1, UINT32_MAX, &id) == -1)
			return -1;
		return carrier_write(r, id, 0);
	}
	if (r->who.role != ROLE_SUPERADMIN)
		return req_fail(r, DB_E_FORBIDDEN, NULL, "only a superadmin "
		    "manages carriers");
	if (req_id(r, &id) == -1 || (items = carrier_get(r, id)) == NULL)
		return -1;
	if (nets_load(r->db, 0, id, nets, CARRIER_NETS_MAX, &n) == -1 ||
	    authz_step_up(r) == -1) {
		json_decref(items);
		return r->status == DB_OK ? req_dberr(r) : -1;
	}
	v[0] = DB_INT(id);
	if (db_exec(r->db, sql_delete, v, 1, NULL) == -1) {
		json_decref(items);
		return req_dberr(r);
	}
	for (i = 0; i < n; i++)
		(void)fw_list_add(&r->net_del, &nets[i], 0);
	r->out = json_object();
	req_change(r, "delete", "carrier", id, -1, items);
	return 0;
}
