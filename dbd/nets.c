/*
 * The networks of trunks and carriers.  Asterisk identifies a call by the
 * first network that matches its source, so no network may overlap any
 * other trunk's or carrier's, whatever the tenant: checked here against
 * all of them while the generation lock is held.
 */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "dbd.h"

static const char sql_all[] =
    "SELECT n.family, n.prefixlen, n.addr, n.cidr, COALESCE(n.trunk_id, 0),"
    " COALESCE(n.carrier_id, 0), COALESCE(t.tenant_id, 0),"
    " COALESCE(t.name, c.name, '')"
    " FROM networks n LEFT JOIN trunks t ON t.id = n.trunk_id"
    " LEFT JOIN carriers c ON c.id = n.carrier_id";
static const char sql_of_trunk[] =
    "SELECT family, prefixlen, addr FROM networks WHERE trunk_id = ?"
    " ORDER BY id";
static const char sql_of_carrier[] =
    "SELECT family, prefixlen, addr FROM networks WHERE carrier_id = ?"
    " ORDER BY id";
static const char sql_insert[] =
    "INSERT INTO networks (trunk_id, carrier_id, family, prefixlen, addr,"
    " cidr) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_delete[] =
    "DELETE FROM networks WHERE family = ? AND addr = ? AND prefixlen = ?";

/* A row's network (columns family, prefixlen, addr from `col`). */
static int
row_net(struct db_res *res, unsigned int col, struct proto_net *n)
{
	const uint8_t	*a;
	size_t		 len;

	memset(n, 0, sizeof(*n));
	n->family = (uint8_t)db_int(res, col);
	n->prefixlen = (uint8_t)db_int(res, col + 1);
	a = db_blob(res, col + 2, &len);
	if (a == NULL || len != (n->family == 4 ? 4U : 16U))
		return -1;
	memcpy(n->addr, a, len);
	return net_wellformed(n) ? 0 : -1;
}

int
nets_parse(struct req *r, json_t *arr, const char *field,
    struct proto_net *nets, size_t max, size_t *n)
{
	char	 err[PROTO_ERR_MAX], fld[48], a[64], b[64];
	json_t	*v;
	size_t	 i, j;

	*n = 0;
	json_array_foreach(arr, i, v) {
		if (i >= max)
			return req_fail(r, DB_E_INVALID, field, "at most %zu "
			    "networks", max);
		(void)snprintf(fld, sizeof(fld), "%s[%zu]", field, i);
		if (!json_is_string(v))
			return req_fail(r, DB_E_INVALID, fld,
			    "a network must be a string like 192.0.2.0/28");
		if (val_net(json_string_value(v), dbd.conf.min_trunk_prefix4,
		    dbd.conf.min_trunk_prefix6, &nets[i], err,
		    sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, fld, "%s", err);
		for (j = 0; j < i; j++)
			if (net_overlap(&nets[i], &nets[j])) {
				(void)net_format(&nets[i], a, sizeof(a));
				(void)net_format(&nets[j], b, sizeof(b));
				return req_fail(r, DB_E_INVALID, fld, "%s "
				    "overlaps %s given as %s[%zu]", a, b,
				    field, j);
			}
		(*n)++;
	}
	return 0;
}

int
nets_check(struct req *r, const struct proto_net *nets, size_t n,
    const char *field, uint64_t trunk_id, uint64_t carrier_id,
    uint64_t tenant_id)
{
	struct db_res		 res;
	struct proto_net	 have;
	char			 fld[48], a[64], owner[128];
	uint64_t		 t, c, tenant;
	size_t			 i;
	int			 f, rv = 0;

	if (db_exec(r->db, sql_all, NULL, 0, &res) == -1)
		return req_dberr(r);
	while (rv == 0 && (f = db_fetch(&res)) == 1) {
		t = (uint64_t)db_int(&res, 4);
		c = (uint64_t)db_int(&res, 5);
		tenant = (uint64_t)db_int(&res, 6);
		if ((trunk_id != 0 && t == trunk_id) ||
		    (carrier_id != 0 && c == carrier_id) ||
		    row_net(&res, 0, &have) == -1)
			continue;
		for (i = 0; i < n; i++) {
			if (!net_overlap(&nets[i], &have))
				continue;
			/* Another tenant's trunk stays anonymous. */
			if (r->who.role == ROLE_SUPERADMIN ||
			    (t != 0 && tenant == tenant_id))
				(void)snprintf(owner, sizeof(owner), "%s of "
				    "%s \"%s\"", db_str(&res, 3), t != 0 ?
				    "trunk" : "carrier", db_str(&res, 7));
			else
				(void)strlcpy(owner, "a network of another "
				    "tenant's trunk", sizeof(owner));
			(void)snprintf(fld, sizeof(fld), "%s[%zu]", field, i);
			(void)net_format(&nets[i], a, sizeof(a));
			rv = req_fail(r, DB_E_CONFLICT, fld, "%s overlaps %s: "
			    "a source address must identify one trunk", a,
			    owner);
			break;
		}
	}
	db_res_free(&res);
	if (rv == 0 && f == -1)
		return req_dberr(r);
	return rv;
}

int
nets_load(struct db *db, uint64_t trunk_id, uint64_t carrier_id,
    struct proto_net *nets, size_t max, size_t *n)
{
	struct db_res	res;
	struct db_val	v;
	int		f;

	*n = 0;
	v = DB_INT(trunk_id != 0 ? trunk_id : carrier_id);
	if (db_exec(db, trunk_id != 0 ? sql_of_trunk : sql_of_carrier, &v, 1,
	    &res) == -1)
		return -1;
	while ((f = db_fetch(&res)) == 1 && *n < max)
		if (row_net(&res, 0, &nets[*n]) == 0)
			(*n)++;
	db_res_free(&res);
	return f == -1 ? -1 : 0;
}

static int
has(const struct proto_net *set, size_t n, const struct proto_net *x)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (memcmp(&set[i], x, sizeof(*x)) == 0)
			return 1;
	return 0;
}

/*
 * Add what is new before deleting what went, so that an IP trunk never
 * has zero networks in between (the schema would refuse it).
 */
int
nets_store(struct req *r, uint64_t trunk_id, uint64_t carrier_id,
    const struct proto_net *old, size_t nold, const struct proto_net *nets,
    size_t n)
{
	struct db_val	v[6];
	char		cidr[64];
	size_t		i;

	for (i = 0; i < n; i++) {
		if (has(old, nold, &nets[i]))
			continue;
		(void)net_format(&nets[i], cidr, sizeof(cidr));
		v[0] = trunk_id != 0 ? DB_INT(trunk_id) : DB_NULL;
		v[1] = carrier_id != 0 ? DB_INT(carrier_id) : DB_NULL;
		v[2] = DB_INT(nets[i].family);
		v[3] = DB_INT(nets[i].prefixlen);
		v[4] = DB_BLOB(nets[i].addr, nets[i].family == 4 ? 4 : 16);
		v[5] = DB_TEXT(cidr);
		if (db_exec(r->db, sql_insert, v, 6, NULL) == -1)
			return req_dberr(r);
		if (fw_list_add(&r->net_add, &nets[i], 0) == -1)
			return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	}
	for (i = 0; i < nold; i++) {
		if (has(nets, n, &old[i]))
			continue;
		v[0] = DB_INT(old[i].family);
		v[1] = DB_BLOB(old[i].addr, old[i].family == 4 ? 4 : 16);
		v[2] = DB_INT(old[i].prefixlen);
		if (db_exec(r->db, sql_delete, v, 3, NULL) == -1)
			return req_dberr(r);
		if (fw_list_add(&r->net_del, &old[i], 0) == -1)
			return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	}
	return 0;
}

json_t *
nets_json(const struct proto_net *nets, size_t n)
{
	json_t	*arr;
	char	 cidr[64];
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (net_format(&nets[i], cidr, sizeof(cidr)) == 0)
			(void)json_array_append_new(arr, json_string(cidr));
	return arr;
}
