/*
 * Trunks, with their networks and DIDs.  Every trunk needs a network
 * (here; an IP-authenticated one in the schema too), and an IP trunk may
 * name a host (and port) where calls to its DIDs are sent.  A digest
 * trunk gets a generated password, shown once in the answer that creates
 * it, and only what Asterisk needs is stored: the username and
 * md5(user:realm:password), sealed under the data key.  The username is
 * the trunk's name when the credential is made and names astd's sections
 * for it: checked against astd's rules here, so that one trunk can never
 * make a whole generation fail in astd.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "db.h"
#include "dbd.h"
#include "log.h"

#define TRUNK_NETS_MAX		32
#define TRUNK_DIDS_MAX		200
#define TRUNK_CODECS_MAX	8
#define SIP_PASSWORD_LEN	32
/* Asterisk's default realm: the md5 credential is bound to it. */
#define SIP_REALM		"asterisk"
#define SIP_PORT_DEFAULT	5060

#define TRUNK_COLS	"t.id, t.tenant_id, t.name, t.description, t.auth, " \
			"t.transport, t.codecs, t.max_channels, t.enabled, " \
			"t.callerid_policy, t.username, t.md5_cred, t.host, " \
			"t.port"
static const char sql_list[] =
    "SELECT " TRUNK_COLS " FROM trunks t WHERE (? = 0 OR t.tenant_id = ?)"
    " ORDER BY t.name LIMIT ? OFFSET ?";
static const char sql_count[] =
    "SELECT COUNT(*) FROM trunks t WHERE (? = 0 OR t.tenant_id = ?)";
static const char sql_get[] =
    "SELECT " TRUNK_COLS " FROM trunks t WHERE t.id = ?";
static const char sql_all[] =
    "SELECT " TRUNK_COLS " FROM trunks t ORDER BY t.id";
static const char sql_nets[] =
    "SELECT n.trunk_id, n.cidr FROM networks n JOIN trunks t"
    " ON t.id = n.trunk_id WHERE (? = 0 OR t.tenant_id = ?)"
    " AND (? = 0 OR t.id = ?) ORDER BY n.id";
static const char sql_dids[] =
    "SELECT trunk_id, number FROM dids WHERE (? = 0 OR tenant_id = ?)"
    " AND (? = 0 OR trunk_id = ?) ORDER BY number";
static const char sql_insert[] =
    "INSERT INTO trunks (tenant_id, name, description, auth, transport,"
    " codecs, max_channels, enabled, callerid_policy, host, port, username,"
    " md5_cred, net_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE trunks SET name = ?, description = ?, auth = ?, transport = ?,"
    " codecs = ?, max_channels = ?, enabled = ?, callerid_policy = ?,"
    " host = ?, port = ?, username = ?, md5_cred = ? WHERE id = ?";
static const char sql_keep_cred[] =
    "UPDATE trunks SET name = ?, description = ?, auth = ?, transport = ?,"
    " codecs = ?, max_channels = ?, enabled = ?, callerid_policy = ?,"
    " host = ?, port = ? WHERE id = ?";
static const char sql_delete[] = "DELETE FROM trunks WHERE id = ?";
static const char sql_tenant[] =
    "SELECT max_trunks, max_channels, (SELECT COUNT(*) FROM trunks"
    " WHERE tenant_id = ?) FROM tenants WHERE id = ?";
static const char sql_name_taken[] =
    "SELECT COUNT(*) FROM trunks WHERE name = ? AND id <> ?";
/* astd finds a digest trunk's endpoint by its username, in any case. */
static const char sql_user_taken[] =
    "SELECT COUNT(*) FROM trunks WHERE username IS NOT NULL"
    " AND LOWER(username) = LOWER(?) AND id <> ?";
static const char sql_did_owner[] =
    "SELECT trunk_id FROM dids WHERE number = ?";
static const char sql_did_insert[] =
    "INSERT INTO dids (number, tenant_id, trunk_id) VALUES (?, ?, ?)";
static const char sql_did_delete[] =
    "DELETE FROM dids WHERE trunk_id = ? AND number = ?";

struct trunk {
	uint64_t		id;
	uint64_t		tenant_id;
	char			name[VAL_NAME_MAX + 1];
	char			description[VAL_TEXT_MAX + 1];
	char			auth[8];
	char			transport[4];
	char			codecs[TRUNK_CODECS_MAX * 8];
	uint64_t		max_channels;
	int			enabled;
	char			callerid[8];
	char			host[VAL_HOST_MAX + 1];	/* "": none */
	uint64_t		port;
	struct proto_net	nets[TRUNK_NETS_MAX];
	size_t			nnets;
	char			dids[TRUNK_DIDS_MAX][VAL_E164_MAX + 1];
	size_t			ndids;
	int			dids_given;
	char			username[VAL_NAME_MAX + 1];
};

static const char *const auths[] = { "ip", "digest", NULL };
static const char *const transports[] = { "udp", "tcp", "tls", NULL };
static const char *const callerids[] = { "dids", "any", NULL };

static json_t *
trunk_row(struct db_res *res, int with_cred)
{
	json_t		*o;
	const uint8_t	*sealed;
	char		 aad[128], md5[64];
	size_t		 len;

	o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:I,s:b,s:s,s:[],s:[]}",
	    "id", (json_int_t)db_int(res, 0),
	    "tenant_id", (json_int_t)db_int(res, 1),
	    "name", db_str(res, 2),
	    "description", db_str(res, 3),
	    "auth", db_str(res, 4),
	    "transport", db_str(res, 5),
	    "codecs", csv_array(db_str(res, 6)),
	    "max_channels", (json_int_t)db_int(res, 7),
	    "enabled", (int)db_int(res, 8),
	    "callerid_policy", db_str(res, 9),
	    "networks", "dids");
	if (o == NULL)
		return NULL;
	(void)json_object_set_new(o, "host", db_isnull(res, 12) ? json_null() :
	    json_string(db_str(res, 12)));
	(void)json_object_set_new(o, "port", json_integer(db_int(res, 13)));
	if (db_isnull(res, 10))
		return o;
	(void)json_object_set_new(o, "username", json_string(db_str(res, 10)));
	if (!with_cred)
		return o;
	(void)snprintf(aad, sizeof(aad), "trunkd trunk md5_cred %s",
	    db_str(res, 10));
	sealed = db_blob(res, 11, &len);
	if (sealed == NULL || secret_open(aad, sealed, len, md5,
	    sizeof(md5)) == -1) {
		log_warnx("trunk %s: credential does not open",
		    db_str(res, 2));
		json_decref(o);
		return NULL;
	}
	(void)json_object_set_new(o, "md5_cred", json_string(md5));
	explicit_bzero(md5, sizeof(md5));
	return o;
}

static json_t *
trunk_json(struct db_res *res)
{
	return trunk_row(res, 0);
}

static json_t *
trunk_json_export(struct db_res *res)
{
	return trunk_row(res, 1);
}

/* Append each (trunk id, value) row to that trunk's list `key`. */
static int
attach(struct req *r, json_t *byid, const char *sql, const char *key,
    uint64_t tenant, uint64_t trunk)
{
	struct db_val	 v[4];
	json_t		*rows, *row, *t;
	char		 id[24];
	size_t		 i;

	v[0] = v[1] = DB_INT(tenant);
	v[2] = v[3] = DB_INT(trunk);
	if ((rows = req_rows(r, sql, v, 4, req_pair_json)) == NULL)
		return -1;
	json_array_foreach(rows, i, row) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)
		    json_integer_value(json_object_get(row, "id")));
		if ((t = json_object_get(byid, id)) != NULL)
			(void)json_array_append(json_object_get(t, key),
			    json_object_get(row, "v"));
	}
	json_decref(rows);
	return 0;
}

/* The trunks' networks and DIDs, for `tenant` or `trunk` (0: all). */
static int
trunks_complete(struct req *r, json_t *items, uint64_t tenant,
    uint64_t trunk)
{
	json_t	*byid, *t;
	char	 id[24];
	size_t	 i;
	int	 rv;

	if ((byid = json_object()) == NULL)
		return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	json_array_foreach(items, i, t) {
		(void)snprintf(id, sizeof(id), "%lld", (long long)
		    json_integer_value(json_object_get(t, "id")));
		(void)json_object_set(byid, id, t);
	}
	rv = attach(r, byid, sql_nets, "networks", tenant, trunk) == -1 ||
	    attach(r, byid, sql_dids, "dids", tenant, trunk) == -1 ? -1 : 0;
	json_decref(byid);
	return rv;
}

/* Every trunk, complete and with credentials: astd's export. */
json_t *
trunks_export(struct req *r)
{
	json_t	*items;

	if ((items = req_rows(r, sql_all, NULL, 0, trunk_json_export)) ==
	    NULL)
		return NULL;
	if (trunks_complete(r, items, 0, 0) == -1) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static json_t *
trunk_get_json(struct req *r, uint64_t id)
{
	struct db_val	 v = DB_INT(id);
	json_t		*o, *items;

	if ((o = req_row(r, sql_get, &v, 1, trunk_json, "trunk")) == NULL)
		return NULL;
	if ((items = json_pack("[o]", o)) == NULL ||
	    trunks_complete(r, items, 0, id) == -1) {
		json_decref(items);
		return NULL;
	}
	o = json_incref(json_array_get(items, 0));
	json_decref(items);
	return o;
}

static int
trunk_list(struct req *r)
{
	static const char *const filters[] = { "tenant_id", NULL };
	struct db_val	 v[4];
	json_t		*filter, *items;
	uint64_t	 off, lim, total, scope = authz_scope(r), want = 0;

	if (req_paging(r, filters, &filter, &off, &lim) == -1 ||
	    (filter != NULL && req_uint(r, filter, "tenant_id", 0, 1,
	    UINT32_MAX, &want) == -1))
		return -1;
	if (want != 0 && !authz_tenant_read(r, want))
		return req_fail(r, DB_E_FORBIDDEN, "filter.tenant_id",
		    "you may not see this tenant's trunks");
	if (want != 0)
		scope = want;
	v[0] = v[1] = DB_INT(scope);
	v[2] = DB_INT(lim);
	v[3] = DB_INT(off);
	if (req_count(r, sql_count, v, 2, &total) == -1 ||
	    (items = req_rows(r, sql_list, v, 4, trunk_json)) == NULL)
		return -1;
	if (trunks_complete(r, items, scope, 0) == -1) {
		json_decref(items);
		return -1;
	}
	r->out = req_list_answer(items, total, off, lim);
	return 0;
}

static int
one_of(struct req *r, const char *key, const char *val,
    const char *const *set, char *out, size_t len)
{
	size_t	i;

	for (i = 0; set[i] != NULL; i++)
		if (strcmp(val, set[i]) == 0) {
			(void)strlcpy(out, val, len);
			return 0;
		}
	return req_fail(r, DB_E_INVALID, key, "%s must be %s%s%s%s%s", key,
	    set[0], set[2] != NULL ? ", " : " or ", set[1],
	    set[2] != NULL ? " or " : "", set[2] != NULL ? set[2] : "");
}

static int
parse_codecs(struct req *r, json_t *arr, struct trunk *t)
{
	json_t	*v;
	char	 err[PROTO_ERR_MAX], fld[32];
	size_t	 i, j;

	if (json_array_size(arr) == 0)
		return req_fail(r, DB_E_INVALID, "codecs", "at least one codec "
		    "is needed");
	json_array_foreach(arr, i, v) {
		(void)snprintf(fld, sizeof(fld), "codecs[%zu]", i);
		if (!json_is_string(v) || val_codec(json_string_value(v), err,
		    sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, fld, "%s",
			    json_is_string(v) ? err : "a codec is a name");
		for (j = 0; j < i; j++)
			if (json_equal(v, json_array_get(arr, j)))
				return req_fail(r, DB_E_INVALID, fld,
				    "codec %s is listed twice",
				    json_string_value(v));
	}
	return array_csv(arr, t->codecs, sizeof(t->codecs)) == -1 ?
	    req_fail(r, DB_E_INVALID, "codecs", "too many codecs") : 0;
}

static int
parse_dids(struct req *r, json_t *arr, struct trunk *t)
{
	json_t	*v;
	char	 err[PROTO_ERR_MAX], fld[32];
	size_t	 i, j;

	t->ndids = 0;
	t->dids_given = 1;
	json_array_foreach(arr, i, v) {
		(void)snprintf(fld, sizeof(fld), "dids[%zu]", i);
		if (!json_is_string(v) || val_e164(json_string_value(v), err,
		    sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, fld, "%s",
			    json_is_string(v) ? err : "a DID is a string");
		for (j = 0; j < i; j++)
			if (strcmp(t->dids[j], json_string_value(v)) == 0)
				return req_fail(r, DB_E_INVALID, fld,
				    "%s is listed twice", t->dids[j]);
		(void)strlcpy(t->dids[i], json_string_value(v),
		    sizeof(t->dids[i]));
		t->ndids++;
	}
	return 0;
}

/*
 * Where an IP trunk's calls go: host ("" removes it) and port, both
 * optional.  A digest trunk is reached at the contact it registers, so
 * it has neither; one that becomes digest loses them.
 */
static int
trunk_parse_dest(struct req *r, struct trunk *t, const char *host,
    uint64_t port)
{
	char	err[PROTO_ERR_MAX];

	/* The default port is no destination: a form may send it back. */
	if (strcmp(t->auth, "digest") == 0) {
		if ((host != NULL && host[0] != '\0') ||
		    (port != 0 && port != SIP_PORT_DEFAULT))
			return req_fail(r, DB_E_INVALID, host != NULL &&
			    host[0] != '\0' ? "host" : "port", "a digest trunk "
			    "has no host or port: calls reach it at the "
			    "contact it registers");
		t->host[0] = '\0';
		t->port = SIP_PORT_DEFAULT;
		return 0;
	}
	if (host != NULL) {
		if (host[0] != '\0' && val_host(host, err, sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, "host", "%s", err);
		(void)strlcpy(t->host, host, sizeof(t->host));
	}
	if (port != 0)
		t->port = port;
	if (t->port == 0)
		t->port = SIP_PORT_DEFAULT;
	return 0;
}

/* The fields given, over t (every one is needed to create). */
static int
trunk_parse(struct req *r, struct trunk *t, int create)
{
	static const char *const keys[] = { "id", "tenant_id", "name",
	    "description", "auth", "transport", "codecs", "max_channels",
	    "enabled", "callerid_policy", "networks", "dids", "host", "port",
	    NULL };
	const char	*name = NULL, *desc = NULL, *auth = NULL, *tr = NULL;
	const char	*cid = NULL, *host = NULL;
	json_t		*codecs = NULL, *nets = NULL, *dids = NULL;
	uint64_t	 tenant = t->tenant_id, port = 0;
	char		 err[PROTO_ERR_MAX];

	if (req_keys(r, r->in, keys) == -1 ||
	    req_uint(r, r->in, "tenant_id", create, 1, UINT32_MAX,
	    &tenant) == -1 ||
	    req_str(r, r->in, "name", create, &name) == -1 ||
	    req_str(r, r->in, "description", 0, &desc) == -1 ||
	    req_str(r, r->in, "auth", create, &auth) == -1 ||
	    req_str(r, r->in, "transport", create, &tr) == -1 ||
	    req_array(r, r->in, "codecs", create, TRUNK_CODECS_MAX,
	    &codecs) == -1 ||
	    req_uint(r, r->in, "max_channels", create, 1, 100000,
	    &t->max_channels) == -1 ||
	    req_bool(r, r->in, "enabled", create, &t->enabled) == -1 ||
	    req_str(r, r->in, "callerid_policy", create, &cid) == -1 ||
	    req_array(r, r->in, "networks", 0, TRUNK_NETS_MAX, &nets) == -1 ||
	    req_array(r, r->in, "dids", 0, TRUNK_DIDS_MAX, &dids) == -1 ||
	    req_str(r, r->in, "host", 0, &host) == -1 ||
	    req_uint(r, r->in, "port", 0, 1, 65535, &port) == -1)
		return -1;
	if (!create && tenant != t->tenant_id)
		return req_fail(r, DB_E_INVALID, "tenant_id", "a trunk stays "
		    "with its tenant: delete it and create it for the other");
	t->tenant_id = tenant;
	if (name != NULL) {
		if (val_name(name, err, sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, "name", "%s", err);
		(void)strlcpy(t->name, name, sizeof(t->name));
	}
	if (desc != NULL) {
		if (val_text(desc, VAL_TEXT_MAX, err, sizeof(err)) == -1)
			return req_fail(r, DB_E_INVALID, "description", "%s",
			    err);
		(void)strlcpy(t->description, desc, sizeof(t->description));
	}
	if ((auth != NULL && one_of(r, "auth", auth, auths, t->auth,
	    sizeof(t->auth)) == -1) ||
	    (tr != NULL && one_of(r, "transport", tr, transports,
	    t->transport, sizeof(t->transport)) == -1) ||
	    (cid != NULL && one_of(r, "callerid_policy", cid, callerids,
	    t->callerid, sizeof(t->callerid)) == -1) ||
	    (codecs != NULL && parse_codecs(r, codecs, t) == -1) ||
	    (nets != NULL && nets_parse(r, nets, "networks", t->nets,
	    TRUNK_NETS_MAX, &t->nnets) == -1) ||
	    (dids != NULL && parse_dids(r, dids, t) == -1))
		return -1;
	/* A digest trunk too: fwd lets SIP in from trunk networks only,
	 * and astd writes every trunk's endpoint ACL from them. */
	if (t->nnets == 0)
		return req_fail(r, DB_E_INVALID, "networks", "a trunk needs "
		    "at least one network: calls are accepted from its "
		    "networks only%s", strcmp(t->auth, "ip") == 0 ? "" :
		    ", registrations too");
	return trunk_parse_dest(r, t, host, port);
}

/* Load a trunk the caller may change into t. */
static int
trunk_load(struct req *r, uint64_t id, struct trunk *t)
{
	json_t	*o, *v;
	size_t	 i;

	if ((o = trunk_get_json(r, id)) == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->tenant_id = (uint64_t)json_integer_value(json_object_get(o,
	    "tenant_id"));
	if (!authz_tenant_read(r, t->tenant_id)) {
		json_decref(o);
		return req_fail(r, DB_E_NOT_FOUND, "id", "no such trunk");
	}
	if (!authz_tenant_write(r, t->tenant_id)) {
		json_decref(o);
		return req_fail(r, DB_E_FORBIDDEN, "id", "you may not change "
		    "this trunk");
	}
#define S(f, k)	(void)strlcpy(t->f, json_string_value(json_object_get(o, k)) \
		    != NULL ? json_string_value(json_object_get(o, k)) : "", \
		    sizeof(t->f))
	S(name, "name");
	S(description, "description");
	S(auth, "auth");
	S(transport, "transport");
	S(callerid, "callerid_policy");
	S(username, "username");
	S(host, "host");
#undef S
	t->port = (uint64_t)json_integer_value(json_object_get(o, "port"));
	(void)array_csv(json_object_get(o, "codecs"), t->codecs,
	    sizeof(t->codecs));
	t->max_channels = (uint64_t)json_integer_value(json_object_get(o,
	    "max_channels"));
	t->enabled = json_is_true(json_object_get(o, "enabled"));
	json_array_foreach(json_object_get(o, "dids"), i, v)
		if (i < TRUNK_DIDS_MAX)
			(void)strlcpy(t->dids[t->ndids++], json_string_value(v),
			    sizeof(t->dids[0]));
	json_decref(o);
	if (nets_load(r->db, id, 0, t->nets, TRUNK_NETS_MAX, &t->nnets) == -1)
		return req_dberr(r);
	return 0;
}

/* Tenant, limits, name, networks, DIDs: what needs the database. */
static int
trunk_check(struct req *r, const struct trunk *t, int create)
{
	struct db_res	res;
	struct db_val	v[2];
	uint64_t	max_trunks = 0, max_channels = 0, count = 0, n;
	size_t		i;
	int		f;
	char		fld[32];

	if (!authz_tenant_write(r, t->tenant_id))
		return req_fail(r, DB_E_FORBIDDEN, "tenant_id", "you may not "
		    "add trunks to this tenant");
	v[0] = v[1] = DB_INT(t->tenant_id);
	if (db_exec(r->db, sql_tenant, v, 2, &res) == -1)
		return req_dberr(r);
	if ((f = db_fetch(&res)) == 1) {
		max_trunks = (uint64_t)db_int(&res, 0);
		max_channels = (uint64_t)db_int(&res, 1);
		count = (uint64_t)db_int(&res, 2);
	}
	db_res_free(&res);
	if (f != 1)
		return f == -1 ? req_dberr(r) : req_fail(r, DB_E_NOT_FOUND,
		    "tenant_id", "no such tenant");
	if (create && count >= max_trunks)
		return req_fail(r, DB_E_CONFLICT, "tenant_id", "the tenant has "
		    "reached its limit of %llu trunks",
		    (unsigned long long)max_trunks);
	if (t->max_channels > max_channels)
		return req_fail(r, DB_E_INVALID, "max_channels", "the tenant "
		    "allows at most %llu channels per trunk",
		    (unsigned long long)max_channels);
	v[0] = DB_TEXT(t->name);
	v[1] = DB_INT(t->id);
	if (req_count(r, sql_name_taken, v, 2, &n) == -1)
		return -1;
	if (n > 0)
		return req_fail(r, DB_E_CONFLICT, "name", "a trunk named "
		    "\"%s\" exists already", t->name);
	if (nets_check(r, t->nets, t->nnets, "networks", t->id, 0,
	    t->tenant_id) == -1)
		return -1;
	for (i = 0; i < t->ndids; i++) {
		v[0] = DB_TEXT(t->dids[i]);
		if (db_exec(r->db, sql_did_owner, v, 1, &res) == -1)
			return req_dberr(r);
		f = db_fetch(&res);
		n = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
		db_res_free(&res);
		if (f == -1)
			return req_dberr(r);
		(void)snprintf(fld, sizeof(fld), "dids[%zu]", i);
		if (f == 1 && (create || n != t->id))
			return req_fail(r, DB_E_CONFLICT, fld, "%s is assigned "
			    "already", t->dids[i]);
	}
	return 0;
}

/*
 * The username a new credential is made for, the trunk's name: one astd
 * accepts, and not another digest trunk's in any case, since Asterisk
 * finds the endpoint by it.  Reported on "name", where it comes from.
 */
static int
sip_user_check(struct req *r, struct trunk *t)
{
	struct db_val	 v[2];
	uint64_t	 n;
	char		 err[PROTO_ERR_MAX];

	if (t->username[0] == '\0')
		(void)strlcpy(t->username, t->name, sizeof(t->username));
	if (val_sip_user(t->username, err, sizeof(err)) == -1)
		return req_fail(r, DB_E_INVALID, "name", "%s (a digest trunk's "
		    "name is its SIP username)", err);
	v[0] = DB_TEXT(t->username);
	v[1] = DB_INT(t->id);
	if (req_count(r, sql_user_taken, v, 2, &n) == -1)
		return -1;
	if (n > 0)
		return req_fail(r, DB_E_CONFLICT, "name", "the SIP username "
		    "\"%s\" is taken (usernames differing only in case are "
		    "the same to Asterisk)", t->username);
	return 0;
}

/* A new SIP password: the md5 credential sealed into out. */
static int
make_cred(struct req *r, struct trunk *t, char *password, size_t pwlen,
    uint8_t *out, size_t outsize, size_t *outlen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	char		 hex[2 * 16 + 1], aad[128], plain[256];
	int		 rv = -1;

	crypt_password(password, pwlen);
	(void)snprintf(plain, sizeof(plain), "%s:%s:%s", t->username,
	    SIP_REALM, password);
	if (EVP_Digest(plain, strlen(plain), md, &mdlen, EVP_md5(),
	    NULL) == 1 && mdlen == 16) {
		for (i = 0; i < mdlen; i++)
			(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
		(void)snprintf(aad, sizeof(aad), "trunkd trunk md5_cred %s",
		    t->username);
		rv = secret_seal(aad, hex, strlen(hex), out, outsize, outlen);
	}
	explicit_bzero(plain, sizeof(plain));
	explicit_bzero(hex, sizeof(hex));
	explicit_bzero(md, sizeof(md));
	return rv == -1 ? req_fail(r, DB_E_INTERNAL, NULL,
	    "cannot make the credential") : 0;
}

static int
store_dids(struct req *r, const struct trunk *t, const struct trunk *old)
{
	struct db_val	v[3];
	size_t		i, j;

	for (i = 0; i < t->ndids; i++) {
		for (j = 0; old != NULL && j < old->ndids; j++)
			if (strcmp(t->dids[i], old->dids[j]) == 0)
				break;
		if (old != NULL && j < old->ndids)
			continue;
		v[0] = DB_TEXT(t->dids[i]);
		v[1] = DB_INT(t->tenant_id);
		v[2] = DB_INT(t->id);
		if (db_exec(r->db, sql_did_insert, v, 3, NULL) == -1)
			return req_dberr(r);
	}
	for (j = 0; old != NULL && j < old->ndids; j++) {
		for (i = 0; i < t->ndids; i++)
			if (strcmp(t->dids[i], old->dids[j]) == 0)
				break;
		if (i < t->ndids)
			continue;
		v[0] = DB_INT(t->id);
		v[1] = DB_TEXT(old->dids[j]);
		if (db_exec(r->db, sql_did_delete, v, 2, NULL) == -1)
			return req_dberr(r);
	}
	return 0;
}

static int
trunk_write(struct req *r, struct trunk *t, const struct trunk *old)
{
	struct db_val	 v[14];
	uint8_t		 sealed[128];
	char		 password[SIP_PASSWORD_LEN + 1];
	size_t		 slen = 0;
	int		 digest, newcred, rv = -1;
	const char	*sql;

	digest = strcmp(t->auth, "digest") == 0;
	newcred = digest && (old == NULL || strcmp(old->auth, "digest") != 0);
	if ((newcred && sip_user_check(r, t) == -1) ||
	    trunk_check(r, t, old == NULL) == -1 || authz_step_up(r) == -1)
		return -1;
	password[0] = '\0';
	if (newcred && make_cred(r, t, password, sizeof(password), sealed,
	    sizeof(sealed), &slen) == -1)
		return -1;
	if (!digest)
		t->username[0] = '\0';
	/* Networks before an IP trunk needs them, after a digest one not. */
	if (old != NULL && !digest && nets_store(r, t->id, 0, old->nets,
	    old->nnets, t->nets, t->nnets) == -1)
		goto out;
	v[0] = DB_TEXT(t->name);
	v[1] = DB_TEXT(t->description);
	v[2] = DB_TEXT(t->auth);
	v[3] = DB_TEXT(t->transport);
	v[4] = DB_TEXT(t->codecs);
	v[5] = DB_INT(t->max_channels);
	v[6] = DB_INT(t->enabled);
	v[7] = DB_TEXT(t->callerid);
	v[8] = t->host[0] != '\0' ? DB_TEXT(t->host) : DB_NULL;
	v[9] = DB_INT(t->port);
	v[10] = digest ? DB_TEXT(t->username) : DB_NULL;
	v[11] = newcred ? DB_BLOB(sealed, slen) : DB_NULL;
	if (old == NULL) {
		memmove(v + 1, v, 12 * sizeof(v[0]));
		v[0] = DB_INT(t->tenant_id);
		v[13] = DB_INT(t->nnets);
		if (db_exec(r->db, sql_insert, v, 14, NULL) == -1) {
			(void)req_dberr(r);
			goto out;
		}
		t->id = db_insert_id(r->db);
	} else {
		/* A digest trunk that stays one keeps its credential. */
		sql = digest && !newcred ? sql_keep_cred : sql_update;
		if (sql == sql_keep_cred)
			v[10] = DB_INT(t->id);
		else
			v[12] = DB_INT(t->id);
		if (db_exec(r->db, sql, v, sql == sql_keep_cred ? 11 : 13,
		    NULL) == -1) {
			(void)req_dberr(r);
			goto out;
		}
	}
	if ((old == NULL || digest) && nets_store(r, t->id, 0,
	    old != NULL ? old->nets : NULL, old != NULL ? old->nnets : 0,
	    t->nets, t->nnets) == -1)
		goto out;
	if ((old == NULL || t->dids_given) && store_dids(r, t, old) == -1)
		goto out;
	if ((r->out = trunk_get_json(r, t->id)) == NULL)
		goto out;
	req_change(r, old == NULL ? "create" : "update", "trunk", t->id,
	    (int64_t)t->tenant_id, json_deep_copy(r->out));
	/* Shown this once; only its md5 credential is kept. */
	if (newcred)
		(void)json_object_set_new(r->out, "sip_password",
		    json_string(password));
	rv = 0;
out:
	explicit_bzero(password, sizeof(password));
	explicit_bzero(sealed, sizeof(sealed));
	return rv;
}

static int
trunk_delete(struct req *r, uint64_t id)
{
	struct trunk	*t;
	struct db_val	 v;
	size_t		 i;
	int		 rv = -1;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	if (trunk_load(r, id, t) == -1 || authz_step_up(r) == -1)
		goto out;
	v = DB_INT(id);
	if (db_exec(r->db, sql_delete, &v, 1, NULL) == -1) {
		(void)req_dberr(r);
		goto out;
	}
	for (i = 0; i < t->nnets; i++)
		if (fw_list_add(&r->net_del, &t->nets[i], 0) == -1)
			goto out;
	r->out = json_object();
	req_change(r, "delete", "trunk", id, (int64_t)t->tenant_id,
	    json_pack("{s:s,s:o}", "name", t->name, "networks",
	    nets_json(t->nets, t->nnets)));
	rv = 0;
out:
	free(t);
	return rv;
}

int
req_trunk(struct req *r)
{
	struct trunk	*t = NULL, *old = NULL;
	uint64_t	 id;
	int		 rv = -1;

	switch (r->op) {
	case DB_OP_TRUNK_LIST:
		return trunk_list(r);
	case DB_OP_TRUNK_GET:
		if (req_id(r, &id) == -1 ||
		    (r->out = trunk_get_json(r, id)) == NULL)
			return -1;
		if (!authz_tenant_read(r, (uint64_t)json_integer_value(
		    json_object_get(r->out, "tenant_id"))))
			return req_fail(r, DB_E_NOT_FOUND, "id",
			    "no such trunk");
		return 0;
	case DB_OP_TRUNK_DELETE:
		return req_id(r, &id) == -1 ? -1 : trunk_delete(r, id);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (old = calloc(1, sizeof(*old))) == NULL) {
		free(t);
		return req_fail(r, DB_E_INTERNAL, NULL, "out of memory");
	}
	if (r->op == DB_OP_TRUNK_UPDATE) {
		if (req_uint(r, r->in, "id", 1, 1, UINT32_MAX, &id) == -1 ||
		    trunk_load(r, id, old) == -1)
			goto out;
		*t = *old;
		t->dids_given = 0;
	}
	if (trunk_parse(r, t, r->op == DB_OP_TRUNK_CREATE) == -1)
		goto out;
	rv = trunk_write(r, t, r->op == DB_OP_TRUNK_CREATE ? NULL : old);
out:
	free(t);
	free(old);
	return rv;
}
