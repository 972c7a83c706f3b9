/*
 * dbd's answer cache without a database: the generation read is a stub
 * (a counter of queries, a value the test sets, a link that can be away)
 * and the clock is passed in.  SipHash (OpenSSL's, one context
 * re-initialised per hash) against the reference vectors and freshly
 * keyed contexts; keys that differ in any part miss; which answers are
 * kept; a new generation empties the cache and changes the stamp; the re-read
 * after CACHE_RECHECK_MS, after a commit and after a failure; unique
 * stamps, across a restart too; the bounds on answers and bytes with
 * the least recently used going first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dbd/cache.h"
#include "dbd/db.h"
#include "dbd/dbd.h"
#include "log.h"

#define MS		((int64_t)1000000)

/* The stubbed database: generation `gen`, queries counted. */
static struct db	*fake_db = (struct db *)&fake_db;
static int		 up = 1, fail;
static int64_t		 gen = 1;
static unsigned int	 queries;

struct db *
link_db(void)
{
	return up ? fake_db : NULL;
}

void
link_check(void)
{
}

int
db_exec(struct db *db, const char *sql, const struct db_val *v, size_t n,
    struct db_res *res)
{
	queries++;
	memset(res, 0, sizeof(*res));
	return fail ? -1 : 0;
}

int
db_fetch(struct db_res *res)
{
	return 1;
}

int64_t
db_int(const struct db_res *res, unsigned int col)
{
	return gen;
}

void
db_res_free(struct db_res *res)
{
}

const char *
db_last_msg(const struct db *db)
{
	return "stub";
}

void
log_debug(const char *fmt, ...)
{
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}

static struct msg_db_resp	resp;
static const uint8_t		fpr_a[PROTO_FPR_LEN] = { 1, 2, 3 };
static const uint8_t		fpr_b[PROTO_FPR_LEN] = { 1, 2, 3, 0, 0, 1 };

static int64_t
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
setup(void **state)
{
	up = 1;
	fail = 0;
	gen = 1;
	cache_init();
	return 0;
}

static struct msg_db_resp *
lookup(uint32_t op, const uint8_t *fpr, const char *json, uint64_t *stamp)
{
	struct cache_key	k;
	size_t			len = 0;
	struct msg_db_resp	*m;

	cache_key(&k, op, fpr, json, strlen(json));
	m = cache_lookup(&k, stamp, &len);
	if (m != NULL)
		assert_int_equal(len, MSG_DB_RESP_MIN + m->json_len);
	return m;
}

/* Look up, then keep an answer of alen bytes as req.c does on a miss. */
static uint64_t
miss_keep(uint32_t op, const uint8_t *fpr, const char *json, int32_t status,
    size_t alen)
{
	struct cache_key	k;
	uint64_t		stamp;

	assert_null(lookup(op, fpr, json, &stamp));
	cache_key(&k, op, fpr, json, strlen(json));
	memset(&resp, 0, MSG_DB_RESP_MIN);
	resp.status = status;
	resp.json_len = (uint32_t)alen;
	memset(resp.json, 'x', alen);
	memcpy(resp.json, json, strlen(json) < alen ? strlen(json) : alen);
	return cache_keep(&k, stamp, &resp);
}

static size_t
entries(void)
{
	struct cache_stats	s;

	cache_stats(&s);
	assert_true(s.entries <= CACHE_ENTRIES_MAX);
	assert_true(s.bytes <= CACHE_BYTES_MAX);
	return s.entries;
}

/* OpenSSL's SipHash as cache_key() uses it: one context, re-initialised. */
static void
test_siphash(void **state)
{
	/* The reference code's vectors: key 00..0f, message 00..len-1. */
	static const struct {
		size_t		len;
		uint64_t	hash;
	} ref[] = {
		{ 0, 0x726fdb47dd0e0e31ULL }, { 1, 0x74f839c593dc67fdULL },
		{ 7, 0xab0200f58b01d137ULL }, { 8, 0x93f5f5799a932462ULL },
		{ 15, 0xa129ca6149be45e5ULL }, { 16, 0x3f2acc7f57c29bdbULL },
		{ 63, 0x958a324ceb064572ULL },
	};
	uint8_t		 key[CACHE_HASH_KEY_LEN], msg[200], out[8];
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx;
	size_t		 i, n, size = 8, olen;
	uint64_t	 v;
	OSSL_PARAM	 p[2];

	/* Each hash equals a freshly keyed context's, for every length. */
	arc4random_buf(key, sizeof(key));
	arc4random_buf(msg, sizeof(msg));
	assert_int_equal(cache_hash_key(key), 0);
	assert_non_null(mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL));
	p[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	p[1] = OSSL_PARAM_construct_end();
	for (n = 0; n < sizeof(msg); n++) {
		assert_non_null(ctx = EVP_MAC_CTX_new(mac));
		assert_int_equal(EVP_MAC_init(ctx, key, sizeof(key), p), 1);
		assert_int_equal(EVP_MAC_update(ctx, msg, n), 1);
		assert_int_equal(EVP_MAC_final(ctx, out, &olen, sizeof(out)),
		    1);
		assert_int_equal(olen, 8);
		for (v = 0, i = 0; i < 8; i++)
			v |= (uint64_t)out[i] << (8 * i);
		assert_int_equal(cache_hash(msg, n), v);
		EVP_MAC_CTX_free(ctx);
	}
	EVP_MAC_free(mac);
	/* Keyed again, as cache_init() on a restart: the reference. */
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(cache_hash_key(key), 0);
	for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++)
		assert_int_equal(cache_hash(msg, ref[i].len), ref[i].hash);
	/* And backwards: nothing carries over from one hash to the next. */
	for (i = sizeof(ref) / sizeof(ref[0]); i-- > 0;)
		assert_int_equal(cache_hash(msg, ref[i].len), ref[i].hash);
}

static void
test_hit(void **state)
{
	struct msg_db_resp	*m;
	uint64_t		 s, s2;

	s = miss_keep(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":1}", DB_OK, 300);
	assert_int_not_equal(s, 0);
	assert_non_null(m = lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":1}",
	    &s2));
	assert_int_equal(s2, s);
	assert_int_equal(m->stamp, s);
	assert_int_equal(m->status, DB_OK);
	assert_int_equal(m->json_len, 300);
	assert_memory_equal(m->json, "{\"page\":1}x", 11);
	assert_int_equal(entries(), 1);
}

static void
test_key_parts(void **state)
{
	uint64_t	s;

	assert_int_not_equal(miss_keep(DB_OP_TRUNK_LIST, fpr_a,
	    "{\"page\":10}", DB_OK, 40), 0);
	/* Another op, caller, byte or length: another answer. */
	assert_null(lookup(DB_OP_DID_LIST, fpr_a, "{\"page\":10}", &s));
	assert_null(lookup(DB_OP_TRUNK_LIST, fpr_b, "{\"page\":10}", &s));
	assert_null(lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":11}", &s));
	assert_null(lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":1}", &s));
	assert_null(lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":10} ", &s));
	assert_int_not_equal(s, 0);
	assert_non_null(lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":10}", &s));
	/* Each of them is kept on its own. */
	assert_int_not_equal(miss_keep(DB_OP_TRUNK_LIST, fpr_b,
	    "{\"page\":10}", DB_OK, 41), 0);
	assert_int_equal(lookup(DB_OP_TRUNK_LIST, fpr_a, "{\"page\":10}",
	    &s)->json_len, 40);
	assert_int_equal(lookup(DB_OP_TRUNK_LIST, fpr_b, "{\"page\":10}",
	    &s)->json_len, 41);
}

static void
test_statuses(void **state)
{
	static const int32_t kept[] = { DB_OK, DB_E_NOT_FOUND, DB_E_FORBIDDEN,
	    DB_E_UNKNOWN_ADMIN };
	static const int32_t not_kept[] = { DB_E_INVALID, DB_E_TOTP,
	    DB_E_LOCKED, DB_E_CONFLICT, DB_E_UNAVAILABLE, DB_E_INTERNAL };
	char		json[32];
	uint64_t	s;
	size_t		i;

	for (i = 0; i < sizeof(not_kept) / sizeof(not_kept[0]); i++) {
		(void)snprintf(json, sizeof(json), "{\"n\":%zu}", i);
		assert_int_equal(miss_keep(DB_OP_TRUNK_GET, fpr_a, json,
		    not_kept[i], 20), 0);
		assert_null(lookup(DB_OP_TRUNK_GET, fpr_a, json, &s));
	}
	assert_int_equal(entries(), 0);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		(void)snprintf(json, sizeof(json), "{\"k\":%zu}", i);
		assert_int_not_equal(miss_keep(DB_OP_TRUNK_GET, fpr_a, json,
		    kept[i], 20), 0);
		assert_int_equal(lookup(DB_OP_TRUNK_GET, fpr_a, json,
		    &s)->status, kept[i]);
	}
}

static void
test_ops(void **state)
{
	uint32_t	op;
	unsigned int	n = 0;

	for (op = 1; op < DB_OP_MAX; op++)
		n += (unsigned int)cache_op(op);
	assert_int_equal(n, 10);
	assert_true(cache_op(DB_OP_TRUNK_LIST));
	assert_true(cache_op(DB_OP_WHOAMI));
	/* Mutations, and reads of state that changes without a bump. */
	assert_false(cache_op(DB_OP_TRUNK_CREATE));
	assert_false(cache_op(DB_OP_ADMIN_UPDATE));
	assert_false(cache_op(DB_OP_ADMIN_LIST));
	assert_false(cache_op(DB_OP_BAN_LIST));
	assert_false(cache_op(DB_OP_DASHBOARD));
	assert_false(cache_op(0));
	assert_false(cache_op(DB_OP_MAX));
}

static void
test_new_generation(void **state)
{
	struct cache_stats	st;
	struct cache_key	k;
	uint64_t		s1, s2;

	s1 = miss_keep(DB_OP_TENANT_LIST, fpr_a, "{}", DB_OK, 10);
	assert_int_equal(entries(), 1);
	/* The same generation read again: nothing changes. */
	cache_seen(1, now());
	assert_int_equal(entries(), 1);
	assert_non_null(lookup(DB_OP_TENANT_LIST, fpr_a, "{}", &s2));
	assert_int_equal(s2, s1);
	/* Another one: empty, a new stamp. */
	gen = 2;
	cache_seen(2, now());
	assert_int_equal(entries(), 0);
	assert_null(lookup(DB_OP_TENANT_LIST, fpr_a, "{}", &s2));
	assert_int_not_equal(s2, 0);
	assert_int_not_equal(s2, s1);
	/* An answer computed under the old stamp is not kept, nor stamped. */
	cache_key(&k, DB_OP_TENANT_LIST, fpr_a, "{}", 2);
	resp.status = DB_OK;
	resp.json_len = 2;
	assert_int_equal(cache_keep(&k, s1, &resp), 0);
	assert_int_equal(entries(), 0);
	cache_stats(&st);
	assert_int_equal(st.stamp, s2);
}

static void
test_recheck(void **state)
{
	uint64_t	s, s2;
	int64_t		t = now();

	queries = 0;
	/* Unknown at the start: read. */
	assert_int_not_equal(s = cache_check_at(t), 0);
	assert_int_equal(queries, 1);
	assert_int_equal(cache_check_at(t + 50 * MS), s);
	assert_int_equal(cache_check_at(t + CACHE_RECHECK_MS * MS - 1), s);
	assert_int_equal(queries, 1);
	/* Later: read again, the stamp stays while the generation does. */
	assert_int_equal(cache_check_at(t + CACHE_RECHECK_MS * MS + 1), s);
	assert_int_equal(queries, 2);
	/* A change made elsewhere is seen at the next read only. */
	gen = 5;
	assert_int_equal(cache_check_at(t + 150 * MS), s);
	assert_int_equal(queries, 2);
	assert_int_not_equal(s2 = cache_check_at(t + 202 * MS), s);
	assert_int_equal(queries, 3);
	/* Our own commit: a new stamp at once, then read before a stamp. */
	cache_committed(6);
	gen = 6;
	assert_int_not_equal(s = cache_check_at(t + 203 * MS), s2);
	assert_int_equal(queries, 4);
	assert_int_equal(cache_check_at(t + 204 * MS), s);
	assert_int_equal(queries, 4);
	/* After a failed mutation: read, same generation, same stamp. */
	cache_recheck();
	assert_int_equal(cache_check_at(t + 205 * MS), s);
	assert_int_equal(queries, 5);
}

static void
test_away(void **state)
{
	uint64_t	s, s2;

	s = miss_keep(DB_OP_TRUNK_GET, fpr_a, "{\"id\":1}", DB_OK, 10);
	assert_int_not_equal(s, 0);
	/* The read fails: nothing kept, no stamp, no hit. */
	fail = 1;
	assert_int_equal(cache_check_at(now() + 200 * MS), 0);
	assert_int_equal(entries(), 0);
	assert_null(lookup(DB_OP_TRUNK_GET, fpr_a, "{\"id\":1}", &s2));
	assert_int_equal(s2, 0);
	assert_int_equal(miss_keep(DB_OP_TRUNK_GET, fpr_a, "{\"id\":1}", DB_OK,
	    10), 0);
	/* The link away. */
	fail = 0;
	up = 0;
	assert_int_equal(cache_check_at(now()), 0);
	/* Back, same generation: still a new stamp (forgotten). */
	up = 1;
	assert_int_not_equal(s2 = cache_check_at(now()), 0);
	assert_int_not_equal(s2, s);
	s = miss_keep(DB_OP_TRUNK_GET, fpr_a, "{\"id\":1}", DB_OK, 10);
	cache_forget();
	assert_int_equal(entries(), 0);
	assert_int_not_equal(cache_check_at(now()), s);
}

static int
cmp64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_unique_stamps(void **state)
{
	enum { N = 20000 };
	uint64_t	*s;
	size_t		 i;
	int64_t		 t = now();

	assert_non_null(s = calloc(2 * N, sizeof(*s)));
	for (i = 0; i < N; i++) {
		gen = (int64_t)i + 100;
		s[i] = cache_check_at(t + (int64_t)i * 200 * MS);
		assert_int_not_equal(s[i], 0);
	}
	/* A restart: a new random epoch. */
	cache_init();
	for (i = N; i < 2 * N; i++) {
		gen = (int64_t)i + 100;
		s[i] = cache_check_at(t + (int64_t)i * 200 * MS);
	}
	assert_int_not_equal(s[0] >> 32, s[N] >> 32);
	qsort(s, 2 * N, sizeof(*s), cmp64);
	for (i = 1; i < 2 * N; i++)
		assert_true(s[i - 1] < s[i]);
	free(s);
}

static void
test_bound_entries(void **state)
{
	struct cache_stats	st0, st;
	char			json[32];
	uint64_t		s;
	int			i;

	cache_stats(&st0);
	for (i = 0; i < CACHE_ENTRIES_MAX; i++) {
		(void)snprintf(json, sizeof(json), "{\"page\":%d}", i);
		assert_int_not_equal(miss_keep(DB_OP_DID_LIST, fpr_a, json,
		    DB_OK, 64), 0);
	}
	assert_int_equal(entries(), CACHE_ENTRIES_MAX);
	/* Every one is found (the chains work), in the order kept. */
	for (i = 0; i < CACHE_ENTRIES_MAX; i++) {
		(void)snprintf(json, sizeof(json), "{\"page\":%d}", i);
		assert_non_null(lookup(DB_OP_DID_LIST, fpr_a, json, &s));
	}
	/* Page 0 used again: pages 1 to 100 are the least recently used. */
	assert_non_null(lookup(DB_OP_DID_LIST, fpr_a, "{\"page\":0}", &s));
	for (i = 0; i < 100; i++) {
		(void)snprintf(json, sizeof(json), "{\"more\":%d}", i);
		assert_int_not_equal(miss_keep(DB_OP_DID_LIST, fpr_a, json,
		    DB_OK, 64), 0);
		assert_int_equal(entries(), CACHE_ENTRIES_MAX);
	}
	for (i = 1; i <= 100; i++) {
		(void)snprintf(json, sizeof(json), "{\"page\":%d}", i);
		assert_null(lookup(DB_OP_DID_LIST, fpr_a, json, &s));
	}
	assert_non_null(lookup(DB_OP_DID_LIST, fpr_a, "{\"page\":0}", &s));
	for (i = 101; i < CACHE_ENTRIES_MAX; i++) {
		(void)snprintf(json, sizeof(json), "{\"page\":%d}", i);
		assert_non_null(lookup(DB_OP_DID_LIST, fpr_a, json, &s));
	}
	cache_stats(&st);
	assert_int_equal(st.misses - st0.misses, CACHE_ENTRIES_MAX + 200);
	assert_int_equal(st.hits - st0.hits, 2 * CACHE_ENTRIES_MAX - 100 + 1);
}

static void
test_bound_bytes(void **state)
{
	struct cache_stats	st;
	char			json[32];
	uint64_t		s;
	int			i, n = 0;

	/* The largest answers there are: fewer of them fit. */
	for (i = 0; i < 200; i++) {
		(void)snprintf(json, sizeof(json), "{\"big\":%d}", i);
		assert_int_not_equal(miss_keep(DB_OP_AUDIT_LIST, fpr_a, json,
		    DB_OK, PROTO_DB_JSON_MAX), 0);
		cache_stats(&st);
		assert_true(st.bytes <= CACHE_BYTES_MAX);
	}
	assert_true(entries() < CACHE_BYTES_MAX / PROTO_DB_JSON_MAX + 1);
	assert_true(entries() >= CACHE_BYTES_MAX / PROTO_DB_JSON_MAX - 1);
	for (i = 0; i < 200; i++) {
		(void)snprintf(json, sizeof(json), "{\"big\":%d}", i);
		if (lookup(DB_OP_AUDIT_LIST, fpr_a, json, &s) != NULL) {
			assert_true(i >= 200 - (int)entries());
			n++;
		}
	}
	assert_int_equal(n, entries());
}

static void
test_long_request(void **state)
{
	struct cache_key	 k;
	char			*json;
	uint64_t		 s;
	size_t			 len = 0;

	assert_non_null(json = malloc(CACHE_JSON_MAX + 2));
	memset(json, ' ', CACHE_JSON_MAX + 1);
	json[0] = '{';
	json[CACHE_JSON_MAX] = '}';
	json[CACHE_JSON_MAX + 1] = '\0';
	/* Answered and stamped, not kept. */
	assert_int_not_equal(miss_keep(DB_OP_TRUNK_LIST, fpr_a, json, DB_OK,
	    10), 0);
	assert_int_equal(entries(), 0);
	cache_key(&k, DB_OP_TRUNK_LIST, fpr_a, json, strlen(json));
	assert_null(cache_lookup(&k, &s, &len));
	assert_int_not_equal(s, 0);
	/* The longest that is kept. */
	json[CACHE_JSON_MAX - 1] = '}';
	json[CACHE_JSON_MAX] = '\0';
	assert_int_not_equal(miss_keep(DB_OP_TRUNK_LIST, fpr_a, json, DB_OK,
	    10), 0);
	assert_int_equal(entries(), 1);
	free(json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash),
		cmocka_unit_test_setup(test_hit, setup),
		cmocka_unit_test_setup(test_key_parts, setup),
		cmocka_unit_test_setup(test_statuses, setup),
		cmocka_unit_test(test_ops),
		cmocka_unit_test_setup(test_new_generation, setup),
		cmocka_unit_test_setup(test_recheck, setup),
		cmocka_unit_test_setup(test_away, setup),
		cmocka_unit_test_setup(test_unique_stamps, setup),
		cmocka_unit_test_setup(test_bound_entries, setup),
		cmocka_unit_test_setup(test_bound_bytes, setup),
		cmocka_unit_test_setup(test_long_request, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
