/*
 * The export JSON from dbd, checked field by field.  dbd validated it
 * already; astd checks again because whatever passes ends up in files
 * that Asterisk executes.  Unknown keys are ignored (dbd may add some).
 */
#include <ctype.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "net.h"
#include "util.h"

struct ex_ctx {
	char	*err;
	size_t	 errlen;
	char	 what[48];	/* "trunk 12", for messages */
};

static int	ex_fail(struct ex_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
ex_fail(struct ex_ctx *c, const char *fmt, ...)
{
	char	msg[PROTO_ERR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(c->err, c->errlen, "%s%s%s", c->what,
	    c->what[0] != '\0' ? ": " : "", msg);
	return -1;
}

static const char *const codecs_known[] = {
	"alaw", "ulaw", "g722", "g729", "gsm", "opus", "ilbc", "g726",
	"speex", "slin", "h264", "vp8",
};

const char *
ex_transport_name(enum ex_transport t)
{
	switch (t) {
	case EX_TCP:
		return "tcp";
	case EX_TLS:
		return "tls";
	default:
		return "udp";
	}
}

void
ex_escape(const char *in, char *out, size_t outlen)
{
	size_t			 n = 0;
	const unsigned char	*p;

	if (outlen == 0)
		return;
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (isalnum(*p) || strchr(" ._-/:+@", *p) != NULL) {
			if (n + 1 >= outlen)
				break;
			out[n++] = (char)*p;
		} else {
			if (n + 4 >= outlen)
				break;
			(void)snprintf(out + n, 5, "\\x%02x", *p);
			n += 4;
		}
	}
	out[n] = '\0';
}

/* Positive integer id. */
static int
ex_id(struct ex_ctx *c, json_t *o, const char *key, uint64_t *out)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return ex_fail(c, "\"%s\" must be a positive integer", key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* Optional unsigned integer, `def` when absent. */
static int
ex_uint(struct ex_ctx *c, json_t *o, const char *key, uint32_t max,
    uint32_t def, uint32_t *out)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return ex_fail(c, "\"%s\" must be an integer 0..%u", key, max);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static int
ex_bool(struct ex_ctx *c, json_t *o, const char *key, int def, int *out)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v))
		return ex_fail(c, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

/* A string of 1..size-1 bytes (optional: "" when absent). */
static int
ex_str(struct ex_ctx *c, json_t *o, const char *key, int required, char *buf,
    size_t size)
{
	json_t	*v = json_object_get(o, key);
	size_t	 len;

	buf[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		if (required)
			return ex_fail(c, "\"%s\" is missing", key);
		return 0;
	}
	if (!json_is_string(v))
		return ex_fail(c, "\"%s\" must be a string", key);
	len = json_string_length(v);
	if ((len == 0 && required) || len >= size ||
	    memchr(json_string_value(v), '\0', len) != NULL)
		return ex_fail(c, "\"%s\" is empty or too long", key);
	memcpy(buf, json_string_value(v), len + 1);
	return 0;
}

/* Names: printable, no control characters; escaped when written. */
static int
ex_name_ok(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* SIP usernames double as section names: a strict set. */
static int
ex_user_ok(const char *s)
{
	static const char *const reserved[] = { PROTO_AST_RESERVED_USERS };
	size_t	i;

	if (!isalnum((unsigned char)s[0]) ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(s))
		return 0;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strncasecmp(s, reserved[i], strlen(reserved[i])) == 0)
			return 0;
	return 1;
}

/* "+4930123456": an optional plus and 1..30 digits. */
static int
ex_number_ok(const char *s)
{
	const char	*d = s[0] == '+' ? s + 1 : s;
	size_t		 n = strlen(d);

	return n >= 1 && n <= 30 && strspn(d, "0123456789") == n;
}

/* A DNS name or an IP address literal (without brackets). */
static int
ex_host_ok(const char *s)
{
	struct proto_net	 a;
	const char		*p, *label = s;

	if (net_parse_addr(s, &a) == 0)
		return 1;
	if (s[0] == '\0' || strlen(s) > 253)
		return 0;
	for (p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' ||
			    p[-1] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-')
			return 0;
	}
}

/* A secret for a config value: printable, no backslash (';' escaped). */
static int
ex_secret_ok(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\')
			return 0;
	return 1;
}

static int
ex_transport(struct ex_ctx *c, json_t *o, enum ex_transport *t)
{
	char	buf[8];

	if (ex_str(c, o, "transport", 0, buf, sizeof(buf)) == -1)
		return -1;
	if (buf[0] == '\0' || strcmp(buf, "udp") == 0)
		*t = EX_UDP;
	else if (strcmp(buf, "tcp") == 0)
		*t = EX_TCP;
	else if (strcmp(buf, "tls") == 0)
		*t = EX_TLS;
	else
		return ex_fail(c, "unknown transport");
	return 0;
}

static int
ex_codecs(struct ex_ctx *c, json_t *o, char codecs[][EX_CODEC_LEN],
    size_t *n)
{
	json_t	*a = json_object_get(o, "codecs"), *v;
	size_t	 i, j, k;

	*n = 0;
	if (a == NULL) {	/* the usual pair for European trunks */
		(void)strlcpy(codecs[(*n)++], "alaw", EX_CODEC_LEN);
		(void)strlcpy(codecs[(*n)++], "ulaw", EX_CODEC_LEN);
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 ||
	    json_array_size(a) > EX_CODECS_MAX)
		return ex_fail(c, "\"codecs\" must be a list of 1..%d",
		    EX_CODECS_MAX);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return ex_fail(c, "codec must be a string");
		for (k = 0; k < nitems(codecs_known); k++)
			if (strcmp(json_string_value(v), codecs_known[k]) == 0)
				break;
		if (k == nitems(codecs_known))
			return ex_fail(c, "unknown codec");
		for (j = 0; j < *n; j++)
			if (strcmp(codecs[j], codecs_known[k]) == 0)
				return ex_fail(c, "codec %s listed twice",
				    codecs_known[k]);
		(void)strlcpy(codecs[(*n)++], codecs_known[k], EX_CODEC_LEN);
	}
	return 0;
}

static int
ex_net_cmp(const void *a, const void *b)
{
	return net_cmp(a, b);
}

/* Networks: sorted, duplicates dropped; at least one unless optional. */
static int
ex_nets(struct ex_ctx *c, json_t *o, int required, struct proto_net *nets,
    size_t *n)
{
	json_t	*a = json_object_get(o, "networks"), *v;
	size_t	 i, j;
	char	 q[64];

	*n = 0;
	if (a == NULL && !required)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > EX_NETS_MAX ||
	    (required && json_array_size(a) == 0))
		return ex_fail(c, "\"networks\" must be a list of %d..%d",
		    required, EX_NETS_MAX);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return ex_fail(c, "bad network");
		if (net_parse(json_string_value(v), &nets[*n]) == -1) {
			ex_escape(json_string_value(v), q, sizeof(q));
			return ex_fail(c, "bad network \"%s\"", q);
		}
		(*n)++;
	}
	if (*n > 1)
		qsort(nets, *n, sizeof(nets[0]), ex_net_cmp);
	for (i = j = 0; i < *n; i++)
		if (j == 0 || net_cmp(&nets[j - 1], &nets[i]) != 0)
			nets[j++] = nets[i];
	*n = j;
	return 0;
}

static int
ex_str_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
ex_tenant(struct ex_ctx *c, json_t *o, struct ex_tenant *t)
{
	json_t	*a, *v;
	size_t	 i;

	if (ex_id(c, o, "id", &t->id) == -1)
		return -1;
	(void)snprintf(c->what, sizeof(c->what), "tenant %llu",
	    (unsigned long long)t->id);
	if (ex_str(c, o, "name", 1, t->name, sizeof(t->name)) == -1 ||
	    ex_uint(c, o, "max_channels", EX_CHANNELS_MAX, 0,
	    &t->max_channels) == -1 ||
	    ex_uint(c, o, "max_call_seconds", EX_CALL_SECONDS_MAX, 0,
	    &t->max_call_seconds) == -1)
		return -1;
	if (!ex_name_ok(t->name))
		return ex_fail(c, "bad name");
	a = json_object_get(o, "allowed_prefixes");
	if (a != NULL && (!json_is_array(a) ||
	    json_array_size(a) > EX_PREFIXES_MAX))
		return ex_fail(c, "\"allowed_prefixes\": a list of up to %d",
		    EX_PREFIXES_MAX);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !ex_number_ok(json_string_value(v)))
			return ex_fail(c, "bad prefix");
		(void)strlcpy(t->prefixes[t->nprefixes++],
		    json_string_value(v), EX_NUMBER_MAX);
	}
	if (t->nprefixes > 1)
		qsort(t->prefixes, t->nprefixes, EX_NUMBER_MAX, ex_str_cmp);
	for (i = 1; i < t->nprefixes; i++)
		if (strcmp(t->prefixes[i - 1], t->prefixes[i]) == 0)
			return ex_fail(c, "prefix listed twice");
	return 0;
}

static int
ex_trunk(struct ex_ctx *c, json_t *o, struct ex_trunk *t)
{
	char	buf[16];
	uint32_t port;

	if (ex_id(c, o, "id", &t->id) == -1)
		return -1;
	(void)snprintf(c->what, sizeof(c->what), "trunk %llu",
	    (unsigned long long)t->id);
	if (ex_id(c, o, "tenant_id", &t->tenant_id) == -1 ||
	    ex_str(c, o, "name", 1, t->name, sizeof(t->name)) == -1 ||
	    ex_str(c, o, "auth", 1, buf, sizeof(buf)) == -1 ||
	    ex_transport(c, o, &t->transport) == -1 ||
	    ex_codecs(c, o, t->codecs, &t->ncodecs) == -1 ||
	    ex_uint(c, o, "max_channels", EX_CHANNELS_MAX, 0,
	    &t->max_channels) == -1 ||
	    ex_uint(c, o, "max_contacts", 16, 1, &t->max_contacts) == -1 ||
	    ex_bool(c, o, "enabled", 1, &t->enabled) == -1 ||
	    ex_nets(c, o, 1, t->nets, &t->nnets) == -1)
		return -1;
	if (!ex_name_ok(t->name))
		return ex_fail(c, "bad name");
	if (strcmp(buf, "ip") == 0)
		t->digest = 0;
	else if (strcmp(buf, "digest") == 0)
		t->digest = 1;
	else
		return ex_fail(c, "\"auth\" must be \"ip\" or \"digest\"");
	if (ex_str(c, o, "callerid_policy", 0, buf, sizeof(buf)) == -1)
		return -1;
	if (buf[0] == '\0' || strcmp(buf, "dids") == 0 ||
	    strcmp(buf, "tenant") == 0)
		t->cid = EX_CID_TENANT;
	else if (strcmp(buf, "trunk") == 0)
		t->cid = EX_CID_TRUNK;
	else if (strcmp(buf, "any") == 0)
		t->cid = EX_CID_ANY;
	else
		return ex_fail(c, "unknown callerid_policy");
	if (t->digest) {
		if (t->max_contacts == 0)
			return ex_fail(c, "\"max_contacts\" must be 1..16");
		if (ex_str(c, o, "username", 1, t->username,
		    sizeof(t->username)) == -1 ||
		    ex_str(c, o, "md5_cred", 1, t->md5_cred,
		    sizeof(t->md5_cred)) == -1)
			return -1;
		if (!ex_user_ok(t->username))
			return ex_fail(c, "bad username");
		if (strlen(t->md5_cred) != 32 ||
		    strspn(t->md5_cred, "0123456789abcdef") != 32)
			return ex_fail(c, "bad md5_cred");
		(void)strlcpy(t->endpoint, t->username, sizeof(t->endpoint));
	} else {
		if (ex_str(c, o, "host", 0, t->host, sizeof(t->host)) == -1 ||
		    ex_uint(c, o, "port", 65535, 0, &port) == -1)
			return -1;
		if (t->host[0] != '\0' && !ex_host_ok(t->host))
			return ex_fail(c, "bad host");
		t->port = (uint16_t)port;
		(void)snprintf(t->endpoint, sizeof(t->endpoint), "trunk-%llu",
		    (unsigned long long)t->id);
	}
	return 0;
}

static int
ex_carrier(struct ex_ctx *c, json_t *o, struct ex_carrier *k)
{
	uint32_t	port;

	if (ex_id(c, o, "id", &k->id) == -1)
		return -1;
	(void)snprintf(c->what, sizeof(c->what), "carrier %llu",
	    (unsigned long long)k->id);
	if (ex_str(c, o, "name", 1, k->name, sizeof(k->name)) == -1 ||
	    ex_str(c, o, "host", 1, k->host, sizeof(k->host)) == -1 ||
	    ex_uint(c, o, "port", 65535, 0, &port) == -1 ||
	    ex_transport(c, o, &k->transport) == -1 ||
	    ex_bool(c, o, "register", 0, &k->reg) == -1 ||
	    ex_str(c, o, "username", 0, k->username,
	    sizeof(k->username)) == -1 ||
	    ex_str(c, o, "password", 0, k->password,
	    sizeof(k->password)) == -1 ||
	    ex_codecs(c, o, k->codecs, &k->ncodecs) == -1 ||
	    ex_nets(c, o, 1, k->nets, &k->nnets) == -1)
		return -1;
	k->port = (uint16_t)port;
	if (!ex_name_ok(k->name))
		return ex_fail(c, "bad name");
	if (!ex_host_ok(k->host))
		return ex_fail(c, "bad host");
	if (k->username[0] != '\0' && !ex_user_ok(k->username))
		return ex_fail(c, "bad username");
	if (!ex_secret_ok(k->password))
		return ex_fail(c, "password has characters outside the "
		    "printable set or a backslash");
	if (k->reg && (k->username[0] == '\0' || k->password[0] == '\0'))
		return ex_fail(c, "registration needs a username and password");
	if ((k->username[0] == '\0') != (k->password[0] == '\0'))
		return ex_fail(c, "username and password go together");
	return 0;
}

static int
ex_did(struct ex_ctx *c, json_t *o, struct ex_did *d)
{
	if (ex_str(c, o, "number", 1, d->number, sizeof(d->number)) == -1)
		return -1;
	if (!ex_number_ok(d->number))
		return ex_fail(c, "bad DID number");
	(void)snprintf(c->what, sizeof(c->what), "DID %s", d->number);
	return ex_id(c, o, "tenant_id", &d->tenant_id) == -1 ||
	    ex_id(c, o, "trunk_id", &d->trunk_id) == -1 ? -1 : 0;
}

#define EX_ID_CMP(fn, type)						\
static int								\
fn(const void *a, const void *b)					\
{									\
	const type	*x = a, *y = b;					\
									\
	return x->id < y->id ? -1 : x->id > y->id;			\
}
EX_ID_CMP(ex_tenant_cmp, struct ex_tenant)
EX_ID_CMP(ex_trunk_cmp, struct ex_trunk)
EX_ID_CMP(ex_carrier_cmp, struct ex_carrier)

static int
ex_did_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ex_did *)a)->number,
	    ((const struct ex_did *)b)->number);
}

/*
 * Each list: allocate, parse every element with `fn`, sort with `cmp`.
 * Elements are `size` bytes; `max` bounds the count.
 */
static int
ex_list(struct ex_ctx *c, json_t *root, const char *key, size_t size,
    size_t max, int (*fn)(struct ex_ctx *, json_t *, void *),
    int (*cmp)(const void *, const void *), void **out, size_t *n)
{
	json_t	*a = json_object_get(root, key), *v;
	size_t	 i;
	char	*arr;

	*out = NULL;
	*n = 0;
	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > max)
		return ex_fail(c, "\"%s\" must be a list of at most %zu", key,
		    max);
	if (json_array_size(a) == 0)
		return 0;
	if ((arr = calloc(json_array_size(a), size)) == NULL)
		return ex_fail(c, "out of memory");
	*out = arr;
	json_array_foreach(a, i, v) {
		c->what[0] = '\0';
		if (!json_is_object(v))
			return ex_fail(c, "\"%s\" element %zu is not an object",
			    key, i);
		(*n)++;		/* counted first: export_free wipes it */
		if (fn(c, v, arr + i * size) == -1)
			return -1;
	}
	c->what[0] = '\0';
	if (*n > 1)
		qsort(arr, *n, size, cmp);
	for (i = 1; i < *n; i++)
		if (cmp(arr + (i - 1) * size, arr + i * size) == 0)
			return ex_fail(c, "\"%s\": the same id or number twice",
			    key);
	return 0;
}

/* Wrappers with the generic element type. */
static int
ex_tenant_v(struct ex_ctx *c, json_t *o, void *p)
{
	return ex_tenant(c, o, p);
}

static int
ex_trunk_v(struct ex_ctx *c, json_t *o, void *p)
{
	return ex_trunk(c, o, p);
}

static int
ex_carrier_v(struct ex_ctx *c, json_t *o, void *p)
{
	return ex_carrier(c, o, p);
}

static int
ex_did_v(struct ex_ctx *c, json_t *o, void *p)
{
	return ex_did(c, o, p);
}

#define EX_FIND(fn, type, arr, n)					\
const type *								\
fn(const struct export *ex, uint64_t id)				\
{									\
	size_t	lo = 0, hi = ex->n, mid;				\
									\
	while (lo < hi) {						\
		mid = lo + (hi - lo) / 2;				\
		if (ex->arr[mid].id == id)				\
			return &ex->arr[mid];				\
		if (ex->arr[mid].id < id)				\
			lo = mid + 1;					\
		else							\
			hi = mid;					\
	}								\
	return NULL;							\
}
EX_FIND(export_tenant, struct ex_tenant, tenants, ntenants)
EX_FIND(export_trunk, struct ex_trunk, trunks, ntrunks)

/* Cross-references: every id named exists, endpoint names are unique. */
static int
ex_links(struct ex_ctx *c, struct export *ex)
{
	const struct ex_trunk	*t;
	size_t			 i, j;

	for (i = 0; i < ex->ntrunks; i++) {
		(void)snprintf(c->what, sizeof(c->what), "trunk %llu",
		    (unsigned long long)ex->trunks[i].id);
		if (export_tenant(ex, ex->trunks[i].tenant_id) == NULL)
			return ex_fail(c, "unknown tenant");
		for (j = 0; j < i; j++)
			if (strcasecmp(ex->trunks[i].endpoint,
			    ex->trunks[j].endpoint) == 0)
				return ex_fail(c, "username used twice");
	}
	for (i = 0; i < ex->ndids; i++) {
		(void)snprintf(c->what, sizeof(c->what), "DID %s",
		    ex->dids[i].number);
		t = export_trunk(ex, ex->dids[i].trunk_id);
		if (t == NULL || t->tenant_id != ex->dids[i].tenant_id)
			return ex_fail(c, "trunk not of this tenant");
	}
	c->what[0] = '\0';
	return 0;
}

/*
 * jansson's blocks carry their size so that freeing wipes them: the
 * export holds the carriers' passwords.
 */
/* A header that keeps the size and malloc's alignment. */
#define EX_HDR	sizeof(max_align_t)

static void *
ex_json_alloc(size_t size)
{
	char	*p;

	if (size > SIZE_MAX - EX_HDR || (p = malloc(EX_HDR + size)) == NULL)
		return NULL;
	memcpy(p, &size, sizeof(size));
	return p + EX_HDR;
}

static void
ex_json_free(void *ptr)
{
	char	*p = ptr;
	size_t	 size;

	if (p == NULL)
		return;
	p -= EX_HDR;
	memcpy(&size, p, sizeof(size));
	freezero(p, EX_HDR + size);
}

void
export_init(void)
{
	json_set_alloc_funcs(ex_json_alloc, ex_json_free);
	/* Seeded now, while /dev/urandom is reachable. */
	json_object_seed(0);
}

int
export_parse(const char *json, size_t len, struct export *ex, char *err,
    size_t errlen)
{
	struct ex_ctx	 c;
	json_error_t	 jerr;
	json_t		*root, *g;
	int		 rv = -1;

	memset(ex, 0, sizeof(*ex));
	memset(&c, 0, sizeof(c));
	c.err = err;
	c.errlen = errlen;
	/* Depth is bounded by jansson (2048); sizes by our caller. */
	if ((root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		(void)snprintf(err, errlen, "export JSON: %s at %d:%d",
		    jerr.text, jerr.line, jerr.column);
		return -1;
	}
	g = json_object_get(root, "generation");
	if (!json_is_object(root) || !json_is_integer(g) ||
	    json_integer_value(g) < 0) {
		ex_fail(&c, "export without a generation");
		goto done;
	}
	ex->generation = (uint64_t)json_integer_value(g);
	if (ex_list(&c, root, "tenants", sizeof(struct ex_tenant),
	    EX_TENANTS_MAX, ex_tenant_v, ex_tenant_cmp,
	    (void **)&ex->tenants, &ex->ntenants) == -1 ||
	    ex_list(&c, root, "trunks", sizeof(struct ex_trunk),
	    EX_TRUNKS_MAX, ex_trunk_v, ex_trunk_cmp,
	    (void **)&ex->trunks, &ex->ntrunks) == -1 ||
	    ex_list(&c, root, "carriers", sizeof(struct ex_carrier),
	    EX_CARRIERS_MAX, ex_carrier_v, ex_carrier_cmp,
	    (void **)&ex->carriers, &ex->ncarriers) == -1 ||
	    ex_list(&c, root, "dids", sizeof(struct ex_did), EX_DIDS_MAX,
	    ex_did_v, ex_did_cmp, (void **)&ex->dids, &ex->ndids) == -1 ||
	    ex_links(&c, ex) == -1)
		goto done;
	rv = 0;
 done:
	json_decref(root);
	if (rv == -1)
		export_free(ex);
	return rv;
}

void
export_free(struct export *ex)
{
	if (ex->carriers != NULL)
		explicit_bzero(ex->carriers,
		    ex->ncarriers * sizeof(*ex->carriers));
	free(ex->tenants);
	free(ex->trunks);
	free(ex->carriers);
	free(ex->dids);
	memset(ex, 0, sizeof(*ex));
}
