/*
 * Who asks, and what they may do, decided here whatever webd says:
 *   superadmin    reads and changes everything;
 *   tenant-admin  reads and changes its own tenant's rows only;
 *   viewer        reads (its tenant's rows, or all when it has none).
 * The caller is the admin enrolled with the certificate's fingerprint.
 * Every change also needs a TOTP code, checked here inside the change's
 * transaction; the TOTP secret is opened only for that check.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "dbd.h"
#include "log.h"

static const char sql_by_fpr[] =
    "SELECT id, name, role, COALESCE(tenant_id, 0), disabled"
    " FROM admins WHERE fingerprint = ?";
static const char sql_secret[] =
    "SELECT totp_secret FROM admins WHERE id = ?";
static const char sql_step_ok[] =
    "UPDATE admins SET totp_last_step = ?, totp_failures = 0,"
    " locked_until = 0 WHERE id = ?";
static const char sql_step_fail[] =
    "UPDATE admins SET totp_failures = ?, locked_until = ? WHERE id = ?";

const char *
role_name(enum role role)
{
	switch (role) {
	case ROLE_SUPERADMIN:
		return "superadmin";
	case ROLE_TENANT_ADMIN:
		return "tenant-admin";
	case ROLE_VIEWER:
		return "viewer";
	}
	return "unknown";
}

static enum role
role_parse(const char *s)
{
	if (strcmp(s, "superadmin") == 0)
		return ROLE_SUPERADMIN;
	if (strcmp(s, "tenant-admin") == 0)
		return ROLE_TENANT_ADMIN;
	if (strcmp(s, "viewer") == 0)
		return ROLE_VIEWER;
	return 0;
}

int
authz_resolve(struct req *r, const uint8_t *fpr)
{
	struct db_res	res;
	struct db_val	v;
	int		f, ok = 0;

	v = DB_BLOB(fpr, PROTO_FPR_LEN);
	if (db_exec(r->db, sql_by_fpr, &v, 1, &res) == -1)
		return req_dberr(r);
	if ((f = db_fetch(&res)) == 1 && db_int(&res, 4) == 0 &&
	    strlcpy(r->who.name, db_str(&res, 1), sizeof(r->who.name)) <
	    sizeof(r->who.name) &&
	    (r->who.role = role_parse(db_str(&res, 2))) != 0) {
		r->who.id = (uint64_t)db_int(&res, 0);
		r->who.tenant_id = (uint64_t)db_int(&res, 3);
		ok = 1;
	}
	db_res_free(&res);
	if (f == -1)
		return req_dberr(r);
	if (!ok)
		return req_fail(r, DB_E_UNKNOWN_ADMIN, NULL, "this certificate "
		    "belongs to no enrolled admin, or the admin is disabled");
	return 0;
}

int
authz_may_write(struct req *r)
{
	if (r->who.role == ROLE_VIEWER)
		return req_fail(r, DB_E_FORBIDDEN, NULL,
		    "a viewer may not change anything");
	return 0;
}

int
authz_tenant_read(const struct req *r, uint64_t tenant_id)
{
	if (r->who.role == ROLE_SUPERADMIN || r->who.tenant_id == 0)
		return r->who.role != ROLE_TENANT_ADMIN;
	return tenant_id != 0 && tenant_id == r->who.tenant_id;
}

int
authz_tenant_write(const struct req *r, uint64_t tenant_id)
{
	if (r->who.role == ROLE_SUPERADMIN)
		return 1;
	return r->who.role == ROLE_TENANT_ADMIN && tenant_id != 0 &&
	    tenant_id == r->who.tenant_id;
}

uint64_t
authz_scope(const struct req *r)
{
	return r->who.role == ROLE_SUPERADMIN ? 0 : r->who.tenant_id;
}

/* The caller's TOTP secret, opened: -1 when it does not open. */
static int
load_secret(struct req *r, uint8_t *secret, size_t size, size_t *len)
{
	struct db_res	 res;
	struct db_val	 v;
	const uint8_t	*p;
	char		 aad[128];
	size_t		 plen;
	int		 f, rv = -1;

	v = DB_INT(r->who.id);
	if (db_exec(r->db, sql_secret, &v, 1, &res) == -1)
		return req_dberr(r);
	(void)snprintf(aad, sizeof(aad), "trunkd admin totp %s", r->who.name);
	if ((f = db_fetch(&res)) == 1 && (p = db_blob(&res, 0, &plen)) !=
	    NULL && crypt_open(dbd.key, aad, p, plen, secret, size, len) == 0)
		rv = 0;
	db_res_free(&res);
	if (f == -1)
		return req_dberr(r);
	if (rv == -1) {
		log_warnx("admin %s: TOTP secret does not open (wrong data "
		    "key?)", r->who.name);
		return req_fail(r, DB_E_INTERNAL, NULL, "internal error");
	}
	return 0;
}

int
authz_step_up(struct req *r)
{
	struct totp_policy	 pol;
	enum totp_result	 res;
	struct db_val		 v[2];
	uint8_t			 secret[64];
	size_t			 len;

	if (r->totp[0] == '\0')
		return req_fail(r, DB_E_TOTP, "totp", "a change needs a TOTP "
		    "code from your authenticator");
	if (load_secret(r, secret, sizeof(secret), &len) == -1)
		return -1;
	pol.max_failures = dbd.conf.totp_max_failures;
	pol.lockout = dbd.conf.totp_lockout;
	res = totp_check(secret, len, r->totp, time(NULL), &pol, &r->who.totp);
	explicit_bzero(secret, sizeof(secret));
	switch (res) {
	case TOTP_OK:
		v[0] = DB_INT(r->who.totp.last_step);
		v[1] = DB_INT(r->who.id);
		if (db_exec(r->db, sql_step_ok, v, 2, NULL) == -1)
			return req_dberr(r);
		return 0;
	case TOTP_LOCKED:
		return req_fail(r, DB_E_LOCKED, "totp", "too many wrong TOTP "
		    "codes: try again later");
	case TOTP_REPLAY:
	case TOTP_BAD:
		break;
	}
	r->totp_failed = 1;
	log_info("admin %s: %s TOTP code (%u failures)", r->who.name,
	    res == TOTP_REPLAY ? "replayed" : "wrong", r->who.totp.failures);
	if (r->who.totp.locked_until != 0)
		return req_fail(r, DB_E_LOCKED, "totp", "wrong TOTP code: too "
		    "many failures, locked for %u seconds",
		    dbd.conf.totp_lockout);
	return req_fail(r, DB_E_TOTP, "totp", res == TOTP_REPLAY ?
	    "this TOTP code was used already: wait for the next one" :
	    "wrong TOTP code");
}

/* After the rollback: the failure counts even though nothing changed. */
void
authz_record_failure(struct req *r)
{
	struct db_val	v[3];

	v[0] = DB_INT(r->who.totp.failures);
	v[1] = DB_INT(r->who.totp.locked_until);
	v[2] = DB_INT(r->who.id);
	if (db_connected(r->db) &&
	    db_exec(r->db, sql_step_fail, v, 3, NULL) == -1)
		log_warnx("admin %s: TOTP failure not recorded: %s",
		    r->who.name, db_last_msg(r->db));
}
