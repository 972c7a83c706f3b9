/*
 * The audit hash chain.  The hash covers every column but the id and the
 * hashes themselves, each field length-prefixed so that no two rows
 * serialise alike: H(prev | ts | admin | tenant | action | object |
 * object_id | generation | detail).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "db.h"

#define VERIFY_PAGE	1000

static const char sql_last[] =
    "SELECT hash FROM audit ORDER BY id DESC LIMIT 1";
static const char sql_insert[] =
    "INSERT INTO audit (ts, admin, tenant_id, action, object, object_id,"
    " generation, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?)";
static const char sql_page[] =
    "SELECT id, ts, admin, tenant_id, action, object, object_id,"
    " generation, detail, prev_hash, hash FROM audit WHERE id > ?"
    " ORDER BY id LIMIT ?";
static const char sql_generation[] =
    "SELECT generation FROM generation WHERE id = 1";

static void
put_u64(EVP_MD_CTX *ctx, uint64_t v)
{
	uint8_t	b[8];
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	(void)EVP_DigestUpdate(ctx, b, sizeof(b));
}

static void
put_str(EVP_MD_CTX *ctx, const char *s)
{
	size_t	n = strlen(s);

	put_u64(ctx, n);
	(void)EVP_DigestUpdate(ctx, s, n);
}

void
audit_hash(const uint8_t prev[AUDIT_HASH_LEN], const struct audit_row *r,
    uint8_t out[AUDIT_HASH_LEN])
{
	EVP_MD_CTX	*ctx;
	unsigned int	 len;

	memset(out, 0, AUDIT_HASH_LEN);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;		/* an all-zero hash never verifies */
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		(void)EVP_DigestUpdate(ctx, prev, AUDIT_HASH_LEN);
		put_u64(ctx, (uint64_t)r->ts);
		put_str(ctx, r->admin);
		put_u64(ctx, (uint64_t)r->tenant_id);
		put_str(ctx, r->action);
		put_str(ctx, r->object);
		put_u64(ctx, r->object_id);
		put_u64(ctx, r->generation);
		put_str(ctx, r->detail);
		(void)EVP_DigestFinal_ex(ctx, out, &len);
	}
	EVP_MD_CTX_free(ctx);
}

int
audit_append(struct db *db, const struct audit_row *r)
{
	struct db_res	 res;
	struct db_val	 v[10];
	uint8_t		 prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
	const uint8_t	*p;
	size_t		 len;
	int		 got;

	memset(prev, 0, sizeof(prev));		/* the first row's */
	if (db_exec(db, sql_last, NULL, 0, &res) == -1)
		return -1;
	if ((got = db_fetch(&res)) == 1) {
		p = db_blob(&res, 0, &len);
		if (p != NULL && len == sizeof(prev))
			memcpy(prev, p, len);
	}
	db_res_free(&res);
	if (got == -1)
		return -1;
	audit_hash(prev, r, hash);
	v[0] = DB_INT(r->ts);
	v[1] = DB_TEXT(r->admin);
	v[2] = r->tenant_id < 0 ? DB_NULL : DB_INT(r->tenant_id);
	v[3] = DB_TEXT(r->action);
	v[4] = DB_TEXT(r->object);
	v[5] = DB_INT(r->object_id);
	v[6] = DB_INT(r->generation);
	v[7] = DB_TEXT(r->detail);
	v[8] = DB_BLOB(prev, sizeof(prev));
	v[9] = DB_BLOB(hash, sizeof(hash));
	return db_exec(db, sql_insert, v, 10, NULL);
}

/* One page of rows after *last: 1 more may follow, 0 done, 2 broken. */
static int
verify_page(struct db *db, uint64_t *last, uint8_t prev[AUDIT_HASH_LEN],
    uint64_t *n, uint64_t *gen, uint64_t *bad_id, char *why, size_t whylen)
{
	struct db_res		 res;
	struct db_val		 v[2];
	struct audit_row	 r;
	uint8_t			 hash[AUDIT_HASH_LEN];
	const uint8_t		*ph, *h;
	size_t			 phlen, hlen;
	uint64_t		 rows = 0;
	int			 f, rv = 0;

	v[0] = DB_INT(*last);
	v[1] = DB_INT(VERIFY_PAGE);
	if (db_exec(db, sql_page, v, 2, &res) == -1)
		return -1;
	while ((f = db_fetch(&res)) == 1) {
		rows++;
		*last = (uint64_t)db_int(&res, 0);
		r.ts = db_int(&res, 1);
		r.admin = db_str(&res, 2);
		r.tenant_id = db_isnull(&res, 3) ? -1 : db_int(&res, 3);
		r.action = db_str(&res, 4);
		r.object = db_str(&res, 5);
		r.object_id = (uint64_t)db_int(&res, 6);
		r.generation = (uint64_t)db_int(&res, 7);
		r.detail = db_str(&res, 8);
		ph = db_blob(&res, 9, &phlen);
		h = db_blob(&res, 10, &hlen);
		*bad_id = *last;
		if (ph == NULL || phlen != AUDIT_HASH_LEN ||
		    memcmp(ph, prev, AUDIT_HASH_LEN) != 0) {
			(void)snprintf(why, whylen, "does not follow the row "
			    "before it (a row was removed or reordered)");
			rv = 2;
			break;
		}
		audit_hash(prev, &r, hash);
		if (h == NULL || hlen != AUDIT_HASH_LEN ||
		    memcmp(h, hash, AUDIT_HASH_LEN) != 0) {
			(void)snprintf(why, whylen, "was changed after it was "
			    "written (its hash does not match its content)");
			rv = 2;
			break;
		}
		memcpy(prev, hash, AUDIT_HASH_LEN);
		if (r.generation > *gen)
			*gen = r.generation;
		(*n)++;
	}
	db_res_free(&res);
	if (f == -1)
		return -1;
	if (rv == 0 && rows == VERIFY_PAGE)
		rv = 1;
	return rv;
}

int
audit_verify(struct db *db, uint64_t *n, uint64_t *bad_id, char *why,
    size_t whylen)
{
	struct db_res	res;
	uint8_t		prev[AUDIT_HASH_LEN];
	uint64_t	last = 0, gen = 0, dbgen = 0;
	int		r;

	*n = 0;
	*bad_id = 0;
	memset(prev, 0, sizeof(prev));
	while ((r = verify_page(db, &last, prev, n, &gen, bad_id, why,
	    whylen)) == 1)
		;
	if (r == -1)
		return -1;
	if (r == 2)
		return 1;
	/* Every change bumps the generation and writes its row: a chain
	 * that ends early lost its last rows. */
	if (db_exec(db, sql_generation, NULL, 0, &res) == -1)
		return -1;
	if (db_fetch(&res) == 1)
		dbgen = (uint64_t)db_int(&res, 0);
	db_res_free(&res);
	if (gen < dbgen) {
		*bad_id = last;
		(void)snprintf(why, whylen, "is the last, at generation %llu, "
		    "but the database is at generation %llu (rows were "
		    "removed from the end)", (unsigned long long)gen,
		    (unsigned long long)dbgen);
		return 1;
	}
	return 0;
}
