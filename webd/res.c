/* The console's objects: see res.h. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "res.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define L	FF_LIST
#define Q	FF_FILTER
#define E	FF_FORM
#define R	FF_REQUIRED

static const struct field tenant_fields[] = {
	{ "id", "ID", F_SHOW, L, NULL, NULL },
	{ "name", "Name", F_TEXT, L | Q | E | R, NULL, NULL },
	{ "max_trunks", "Max. trunks", F_NUMBER, L | E, NULL, NULL },
	{ "max_channels", "Max. channels", F_NUMBER, L | E, NULL, NULL },
	{ "max_call_seconds", "Max. call length (s)", F_NUMBER, E, NULL,
	    NULL },
	{ "allowed_prefixes", "Allowed prefixes", F_LIST, L | E, NULL,
	    "One number prefix a line, e.g. +49" },
};

static const struct field trunk_fields[] = {
	{ "id", "ID", F_SHOW, L, NULL, NULL },
	{ "name", "Name", F_TEXT, L | Q | E | R, NULL, NULL },
	{ "tenant_id", "Tenant", F_TENANT, L | Q | E | R, NULL, NULL },
	{ "auth", "Authentication", F_CHOICE, L | E | R, "ip|digest", NULL },
	{ "transport", "Transport", F_CHOICE, L | E | R, "udp|tcp|tls",
	    NULL },
	{ "host", "Destination host", F_TEXT, E, NULL,
	    "IP authentication: where calls to its DIDs go (address or name)" },
	{ "port", "Destination port", F_NUMBER, E, NULL, "Default 5060" },
	{ "networks", "Allowed networks", F_LIST, L | E, NULL,
	    "One network a line, e.g. 192.0.2.0/28; required for IP "
	    "authentication" },
	{ "dids", "DIDs", F_LIST, E, NULL, "One number a line, E.164" },
	{ "codecs", "Codecs", F_LIST, E, NULL, "One a line, e.g. g722, alaw" },
	{ "max_channels", "Max. channels", F_NUMBER, L | E, NULL, NULL },
	{ "callerid_policy", "Caller ID", F_CHOICE, E, "dids|any",
	    "dids: only the trunk's own numbers" },
	{ "enabled", "Enabled", F_BOOL, L | E, NULL, NULL },
};

static const struct field did_fields[] = {
	{ "id", "ID", F_SHOW, L, NULL, NULL },
	{ "number", "Number", F_TEXT, L | Q | E | R, NULL, "E.164, e.g. "
	    "+4930123456" },
	{ "tenant_id", "Tenant", F_TENANT, L | Q | E | R, NULL, NULL },
	{ "trunk_id", "Trunk", F_TRUNK, L | E, NULL, NULL },
};

static const struct field carrier_fields[] = {
	{ "id", "ID", F_SHOW, L, NULL, NULL },
	{ "name", "Name", F_TEXT, L | Q | E | R, NULL, NULL },
	{ "host", "Host", F_TEXT, L | E | R, NULL, NULL },
	{ "port", "Port", F_NUMBER, L | E, NULL, NULL },
	{ "transport", "Transport", F_CHOICE, L | E | R, "udp|tcp|tls",
	    NULL },
	{ "register", "Register", F_BOOL, L | E, NULL, NULL },
	{ "username", "User name", F_TEXT, E, NULL, NULL },
	{ "password", "Password", F_SECRET, E, NULL,
	    "Left empty: unchanged" },
	{ "networks", "Networks", F_LIST, L | E, NULL,
	    "One network a line" },
};

static const struct field ban_fields[] = {
	{ "address", "Address", F_TEXT, L | Q | E | R, NULL,
	    "An address or a network, e.g. 198.51.100.7 or 2001:db8::/64" },
	{ "duration", "Duration (s)", F_NUMBER, E | R, NULL, NULL },
	{ "reason", "Reason", F_TEXT, L | E, NULL, NULL },
	{ "source", "Source", F_SHOW, L, NULL, NULL },
	{ "offences", "Offences", F_SHOW, L, NULL, NULL },
	{ "expires", "Expires (UTC)", F_TIME, L, NULL, NULL },
};

static const struct field audit_fields[] = {
	{ "ts", "Time (UTC)", F_TIME, L, NULL, NULL },
	{ "admin", "Admin", F_TEXT, L | Q, NULL, NULL },
	{ "tenant_id", "Tenant", F_TENANT, L | Q, NULL, NULL },
	{ "object", "Object", F_TEXT, L | Q, NULL, NULL },
	{ "action", "Action", F_SHOW, L, NULL, NULL },
	{ "detail", "Detail", F_SHOW, L, NULL, NULL },
	{ "since", "Since (Unix time)", F_NUMBER, Q, NULL, NULL },
	{ "until", "Until (Unix time)", F_NUMBER, Q, NULL, NULL },
};

static const struct field admin_fields[] = {
	{ "id", "ID", F_SHOW, L, NULL, NULL },
	{ "name", "Name", F_SHOW, L, NULL, NULL },
	{ "role", "Role", F_CHOICE, L | E | R,
	    "superadmin|tenant-admin|viewer", NULL },
	{ "tenant_id", "Tenant", F_TENANT, L | E, NULL, NULL },
	{ "disabled", "Disabled", F_BOOL, L | E, NULL, NULL },
};

const struct resource resources[] = {
	{ "tenants", "Tenants", "tenant", "id", DB_OP_TENANT_LIST,
	    DB_OP_TENANT_GET, DB_OP_TENANT_CREATE, DB_OP_TENANT_UPDATE,
	    DB_OP_TENANT_DELETE, tenant_fields, N(tenant_fields), 0 },
	{ "trunks", "Trunks", "trunk", "id", DB_OP_TRUNK_LIST,
	    DB_OP_TRUNK_GET, DB_OP_TRUNK_CREATE, DB_OP_TRUNK_UPDATE,
	    DB_OP_TRUNK_DELETE, trunk_fields, N(trunk_fields), 0 },
	{ "dids", "DIDs", "DID", "id", DB_OP_DID_LIST, DB_OP_DID_GET,
	    DB_OP_DID_CREATE, DB_OP_DID_UPDATE, DB_OP_DID_DELETE, did_fields,
	    N(did_fields), 0 },
	{ "carriers", "Carriers", "carrier", "id", DB_OP_CARRIER_LIST,
	    DB_OP_CARRIER_GET, DB_OP_CARRIER_CREATE, DB_OP_CARRIER_UPDATE,
	    DB_OP_CARRIER_DELETE, carrier_fields, N(carrier_fields), 0 },
	{ "bans", "Bans", "ban", "address", DB_OP_BAN_LIST, 0, DB_OP_BAN_ADD,
	    0, DB_OP_BAN_REMOVE, ban_fields, N(ban_fields), 0 },
	{ "audit", "Audit log", "entry", "id", DB_OP_AUDIT_LIST, 0, 0, 0, 0,
	    audit_fields, N(audit_fields), 0 },
	{ "admins", "Admins", "admin", "id", DB_OP_ADMIN_LIST, DB_OP_ADMIN_GET,
	    0, DB_OP_ADMIN_UPDATE, 0, admin_fields, N(admin_fields), 1 },
};
const size_t nresources = N(resources);

const struct resource *
res_find(const char *path)
{
	size_t	i;

	for (i = 0; i < nresources; i++)
		if (strcmp(resources[i].path, path) == 0)
			return &resources[i];
	return NULL;
}

const struct field *
res_field(const struct resource *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

static int
choice_ok(const char *choices, const char *v)
{
	const char	*p = choices;
	size_t		 len = strlen(v);

	while (len > 0 && p != NULL) {
		if (strncmp(p, v, len) == 0 && (p[len] == '|' ||
		    p[len] == '\0'))
			return 1;
		if ((p = strchr(p, '|')) != NULL)
			p++;
	}
	return 0;
}

/* Lines or commas to an array of trimmed, non-empty strings. */
static json_t *
split_list(const char *s)
{
	json_t		*a = json_array();
	const char	*p = s, *e, *b;
	size_t		 n;

	while (a != NULL && *p != '\0') {
		n = strcspn(p, "\r\n,");
		for (b = p; b < p + n && (*b == ' ' || *b == '\t'); b++)
			;
		for (e = p + n; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (e > b && json_array_append_new(a,
		    json_stringn(b, (size_t)(e - b))) == -1) {
			json_decref(a);
			return NULL;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	return a;
}

static json_t *
field_value(const struct field *f, const char *s)
{
	long long	 n;
	const char	*err;

	switch (f->kind) {
	case F_NUMBER:
	case F_TENANT:
	case F_TRUNK:
		n = strtonum(s, 0, 1LL << 53, &err);
		return err == NULL ? json_integer(n) : NULL;
	case F_CHOICE:
		return choice_ok(f->choices, s) ? json_string(s) : NULL;
	case F_LIST:
		return split_list(s);
	default:
		return json_string(s);
	}
}

json_t *
res_from_form(const struct resource *r, const json_t *form, int create,
    const struct field **bad)
{
	const struct field	*f;
	const char		*s;
	json_t			*o, *v;
	size_t			 i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if ((f->flags & FF_FORM) == 0)
			continue;
		s = json_string_value(json_object_get(form, f->name));
		if (f->kind == F_BOOL) {
			(void)json_object_set_new(o, f->name,
			    json_boolean(s != NULL));
			continue;
		}
		if (s == NULL || *s == '\0') {
			if ((f->flags & FF_REQUIRED) == 0 || (f->kind ==
			    F_SECRET && !create))
				continue;
			*bad = f;
			json_decref(o);
			return NULL;
		}
		if ((v = field_value(f, s)) == NULL) {
			*bad = f;
			json_decref(o);
			return NULL;
		}
		(void)json_object_set_new(o, f->name, v);
	}
	return o;
}

json_t *
res_to_form(const struct resource *r, const json_t *obj)
{
	const struct field	*f;
	json_t			*o, *v, *e;
	char			*s;
	size_t			 i, j, len;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if ((v = json_object_get(obj, f->name)) == NULL)
			continue;
		if (json_is_string(v))
			(void)json_object_set(o, f->name, v);
		else if (json_is_integer(v))
			(void)json_object_set_new(o, f->name, json_sprintf(
			    "%lld", (long long)json_integer_value(v)));
		else if (json_is_true(v))
			(void)json_object_set_new(o, f->name,
			    json_string("on"));
		else if (json_is_array(v)) {
			len = 0;
			json_array_foreach(v, j, e)
				if (json_is_string(e))
					len += json_string_length(e) + 1;
			if ((s = calloc(1, len + 1)) == NULL)
				continue;
			json_array_foreach(v, j, e)
				if (json_is_string(e)) {
					(void)strlcat(s, json_string_value(e),
					    len + 1);
					(void)strlcat(s, "\n", len + 1);
				}
			(void)json_object_set_new(o, f->name, json_string(s));
			free(s);
		}
	}
	return o;
}

json_t *
res_filter(const struct resource *r, const json_t *query)
{
	const struct field	*f;
	const char		*s;
	json_t			*o, *v;
	size_t			 i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < r->nfields; i++) {
		f = &r->fields[i];
		if ((f->flags & FF_FILTER) == 0 ||
		    (s = json_string_value(json_object_get(query,
		    f->name))) == NULL || *s == '\0')
			continue;
		if ((v = field_value(f, s)) != NULL)
			(void)json_object_set_new(o, f->name, v);
	}
	return o;
}

json_t *
res_key(const struct resource *r, const char *key)
{
	long long	 id;
	const char	*err;

	if (strcmp(r->key, "id") != 0)
		return json_pack("{s:s}", r->key, key);
	id = strtonum(key, 1, 1LL << 53, &err);
	return err == NULL ? json_pack("{s:I}", "id", (json_int_t)id) : NULL;
}
