/*
 * The answer cache.  Reads (the trunk list above all) are answered from
 * memory while nothing they depend on has changed, and every DB_RESP
 * carries a stamp that webd may key its rendered pages on.
 *
 * Every change to the database bumps `generation` (row 1 of the table
 * generation) in the transaction that makes it: dbd's mutations (req.c)
 * and trunkctl's admin add and revoke (ctl/dbctl.c).  The ops kept here
 * (cache_op()) read only rows changed that way (the caller's identity,
 * not its TOTP counters; tenants, trunks, networks, DIDs, carriers
 * without secrets, the audit trail) and no clock.  Left out: ADMIN_*
 * ("locked" compares the TOTP lockout with the clock), BAN_LIST (AutoBan
 * records bans without a bump; expiry is the clock), DASHBOARD (astd's
 * reports and live state too).
 *
 * A stamp names one generation as this dbd saw it: random high 32 bits
 * per start, a counter below, so stamps are never reused.  The cache is
 * emptied and a new stamp taken whenever the generation changes:
 *  - after its own commit dbd knows the new generation at once;
 *  - a change made elsewhere (trunkctl, another node of the cluster, from
 *    when it reaches this node's server) is found by reading the
 *    generation again before a hit once CACHE_RECHECK_MS have passed
 *    since the last read (taken before the query is sent): a hit never
 *    misses a change older than that;
 *  - while the database is away, and after it comes back, nothing is
 *    known: no stamp and no hit until the generation is read again.
 * An answer computed on a miss carries the stamp checked before its
 * queries ran.  It may show a newer state than the stamp names; then the
 * generation read at the latest CACHE_RECHECK_MS later differs, and the
 * answer is dropped: too early perhaps, never served too late.
 *
 * Key: op, the caller's fingerprint and the request body's bytes as
 * received, so a hit parses nothing; SipHash (OpenSSL's) under a random
 * key, so that a hostile webd cannot pile its keys into one bucket.
 * Kept: DB_OK and the refusals that the state decides.  At most
 * CACHE_ENTRIES_MAX answers and CACHE_BYTES_MAX bytes, the least
 * recently used go first, and what is dropped is wiped (trunk answers
 * name customers).
 */
#include <sys/queue.h>

#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "cache.h"
#include "db.h"
#include "dbd.h"
#include "log.h"

#define RECHECK_NS	((int64_t)CACHE_RECHECK_MS * 1000000)
#define KEY_HEAD	(sizeof(uint32_t) + PROTO_FPR_LEN)

/* The kept DB_RESP follows the entry, then the request body. */
struct entry {
	LIST_ENTRY(entry)	 chain;		/* its bucket */
	TAILQ_ENTRY(entry)	 lru;		/* the least used first */
	uint64_t		 hash;
	size_t			 size;		/* all of it */
	size_t			 msglen;
	size_t			 keylen;
	uint32_t		 op;
	uint8_t			 fpr[PROTO_FPR_LEN];
};
#define ENTRY_MSG(e)	((struct msg_db_resp *)(void *)((e) + 1))
#define ENTRY_KEY(e)	((char *)((e) + 1) + (e)->msglen)

static const char sql_generation[] =
    "SELECT generation FROM generation WHERE id = 1";

static struct {
	LIST_HEAD(, entry)	 bucket[CACHE_BUCKETS];
	TAILQ_HEAD(, entry)	 lru;
	int			 ready;
	size_t			 n, bytes;
	EVP_MAC_CTX		*mac;		/* SipHash, keyed */
	uint32_t		 epoch, counter;
	uint64_t		 stamp;		/* 0: gen unknown */
	uint64_t		 gen;
	int64_t			 checked;	/* gen last read */
	int			 due;		/* read it again */
	uint64_t		 hits, misses;
} c;

/* Key the one context that every request hash starts over from. */
int
cache_hash_key(const uint8_t key[CACHE_HASH_KEY_LEN])
{
	EVP_MAC		*mac;
	size_t		 size = sizeof(uint64_t);
	OSSL_PARAM	 p[2];

	if (c.mac == NULL) {
		if ((mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL)) == NULL)
			return -1;
		/* The context keeps its own reference to mac. */
		c.mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		if (c.mac == NULL)
			return -1;
	}
	p[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	p[1] = OSSL_PARAM_construct_end();
	return EVP_MAC_init(c.mac, key, CACHE_HASH_KEY_LEN, p) == 1 ? 0 : -1;
}

/*
 * SipHash-2-4 as a number (the reference's tag is its little-endian
 * bytes).  0 if OpenSSL fails: one chain then, still correct.
 */
uint64_t
cache_hash(const void *in, size_t len)
{
	uint64_t	h;
	size_t		hlen;

	/* Without a key, init starts over under the one set last. */
	if (EVP_MAC_init(c.mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(c.mac, in, len) != 1 ||
	    EVP_MAC_final(c.mac, (unsigned char *)&h, &hlen, sizeof(h)) != 1 ||
	    hlen != sizeof(h))
		return 0;
	return le64toh(h);
}

static void
entry_free(struct entry *e)
{
	LIST_REMOVE(e, chain);
	TAILQ_REMOVE(&c.lru, e, lru);
	c.n--;
	c.bytes -= e->size;
	freezero(e, e->size);
}

static void
drop_all(void)
{
	struct entry	*e;

	while ((e = TAILQ_FIRST(&c.lru)) != NULL)
		entry_free(e);
}

static void
new_stamp(void)
{
	uint32_t	old = c.epoch;

	if (++c.counter == 0) {
		/* 2^32 stamps: another epoch keeps them unique. */
		while ((c.epoch = arc4random()) == old)
			;
		c.counter = 1;
	}
	c.stamp = (uint64_t)c.epoch << 32 | c.counter;
}

void
cache_init(void)
{
	uint8_t	key[CACHE_HASH_KEY_LEN];
	int	rv;

	if (c.ready)
		cache_forget();
	else
		TAILQ_INIT(&c.lru);
	c.ready = 1;
	arc4random_buf(key, sizeof(key));
	rv = cache_hash_key(key);
	explicit_bzero(key, sizeof(key));
	if (rv == -1)
		fatalx("cache: no SipHash from OpenSSL");
	c.epoch = arc4random();
	c.counter = 0;
	c.stamp = 0;
}

int
cache_op(uint32_t op)
{
	switch (op) {
	case DB_OP_WHOAMI:
	case DB_OP_TENANT_LIST:
	case DB_OP_TENANT_GET:
	case DB_OP_TRUNK_LIST:
	case DB_OP_TRUNK_GET:
	case DB_OP_DID_LIST:
	case DB_OP_DID_GET:
	case DB_OP_CARRIER_LIST:
	case DB_OP_CARRIER_GET:
	case DB_OP_AUDIT_LIST:
		return 1;
	}
	return 0;
}

/* The answers that the state decides; never a failure to read it. */
static int
status_kept(int32_t status)
{
	return status == DB_OK || status == DB_E_NOT_FOUND ||
	    status == DB_E_FORBIDDEN || status == DB_E_UNKNOWN_ADMIN;
}

void
cache_key(struct cache_key *k, uint32_t op, const uint8_t *fpr,
    const char *json, size_t len)
{
	uint8_t	buf[KEY_HEAD + CACHE_JSON_MAX];

	k->op = op;
	k->fpr = fpr;
	k->json = json;
	k->len = len;
	k->hash = 0;
	if (len > CACHE_JSON_MAX)
		return;
	memcpy(buf, &op, sizeof(op));
	memcpy(buf + sizeof(op), fpr, PROTO_FPR_LEN);
	memcpy(buf + KEY_HEAD, json, len);
	k->hash = cache_hash(buf, KEY_HEAD + len);
}

static struct entry *
find(const struct cache_key *k)
{
	struct entry	*e;

	LIST_FOREACH(e, &c.bucket[k->hash & (CACHE_BUCKETS - 1)], chain)
		if (e->hash == k->hash && e->op == k->op &&
		    e->keylen == k->len &&
		    memcmp(e->fpr, k->fpr, PROTO_FPR_LEN) == 0 &&
		    memcmp(ENTRY_KEY(e), k->json, k->len) == 0)
			return e;
	return NULL;
}

void
cache_seen(uint64_t gen, int64_t now)
{
	if (c.stamp == 0 || gen != c.gen) {
		log_debug("cache: generation %llu, %zu answers dropped",
		    (unsigned long long)gen, c.n);
		drop_all();
		c.gen = gen;
		new_stamp();
	}
	c.checked = now;
	c.due = 0;
}

uint64_t
cache_check_at(int64_t now)
{
	struct db	*db;
	struct db_res	 res;
	uint64_t	 gen;
	int		 f;

	if (c.stamp != 0 && !c.due && now - c.checked < RECHECK_NS)
		return c.stamp;
	if ((db = link_db()) == NULL) {
		cache_forget();
		return 0;
	}
	if (db_exec(db, sql_generation, NULL, 0, &res) == -1) {
		log_debug("cache: generation not read: %s", db_last_msg(db));
		link_check();
		cache_forget();
		return 0;
	}
	f = db_fetch(&res);
	gen = f == 1 ? (uint64_t)db_int(&res, 0) : 0;
	db_res_free(&res);
	if (f != 1) {
		cache_forget();
		return 0;
	}
	cache_seen(gen, now);
	return c.stamp;
}

static int64_t
mono_ns(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct msg_db_resp *
cache_lookup(const struct cache_key *k, uint64_t *stamp, size_t *msglen)
{
	struct entry	*e;

	*stamp = cache_check_at(mono_ns());
	if (*stamp == 0 || k->len > CACHE_JSON_MAX)
		return NULL;
	if ((e = find(k)) == NULL) {
		c.misses++;
		return NULL;
	}
	c.hits++;
	TAILQ_REMOVE(&c.lru, e, lru);
	TAILQ_INSERT_TAIL(&c.lru, e, lru);
	*msglen = e->msglen;
	return ENTRY_MSG(e);
}

uint64_t
cache_keep(const struct cache_key *k, uint64_t stamp,
    const struct msg_db_resp *resp)
{
	struct entry	*e;
	size_t		 msglen, size;

	/* The generation changed (or went unknown) while it was computed. */
	if (stamp == 0 || stamp != c.stamp || !status_kept(resp->status))
		return 0;
	msglen = MSG_DB_RESP_MIN + resp->json_len;
	size = sizeof(*e) + msglen + k->len;
	if (k->len > CACHE_JSON_MAX || size > CACHE_BYTES_MAX ||
	    find(k) != NULL)
		return stamp;
	while (c.n >= CACHE_ENTRIES_MAX || c.bytes + size > CACHE_BYTES_MAX)
		entry_free(TAILQ_FIRST(&c.lru));
	if ((e = malloc(size)) == NULL)
		return stamp;
	memset(e, 0, sizeof(*e));
	e->hash = k->hash;
	e->size = size;
	e->msglen = msglen;
	e->keylen = k->len;
	e->op = k->op;
	memcpy(e->fpr, k->fpr, PROTO_FPR_LEN);
	memcpy(ENTRY_MSG(e), resp, msglen);
	ENTRY_MSG(e)->stamp = stamp;
	memcpy(ENTRY_KEY(e), k->json, k->len);
	LIST_INSERT_HEAD(&c.bucket[k->hash & (CACHE_BUCKETS - 1)], e, chain);
	TAILQ_INSERT_TAIL(&c.lru, e, lru);
	c.n++;
	c.bytes += size;
	return stamp;
}

void
cache_committed(uint64_t gen)
{
	drop_all();
	c.gen = gen;
	new_stamp();
	/* Another node may commit right after us: read before a stamp. */
	c.due = 1;
}

void
cache_recheck(void)
{
	c.due = 1;
}

void
cache_forget(void)
{
	drop_all();
	c.stamp = 0;
}

void
cache_stats(struct cache_stats *s)
{
	s->entries = c.n;
	s->bytes = c.bytes;
	s->hits = c.hits;
	s->misses = c.misses;
	s->stamp = c.stamp;
}
