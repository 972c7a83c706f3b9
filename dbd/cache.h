/*
 * dbd's answer cache: reads answered from memory while the database's
 * generation stays the same, and the stamp every DB_RESP carries.  The
 * why and the rules are at the top of cache.c.
 */
#ifndef TRUNKD_CACHE_H
#define TRUNKD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CACHE_ENTRIES_MAX	512
#define CACHE_BYTES_MAX		(16U * 1024 * 1024)
#define CACHE_BUCKETS		1024	/* a power of two */
/* Changes made outside this dbd are seen at most this late. */
#define CACHE_RECHECK_MS	100
/* Longer request bodies are answered and stamped, not kept. */
#define CACHE_JSON_MAX		4096

struct msg_db_resp;

struct cache_key {
	uint32_t	 op;
	const uint8_t	*fpr;		/* PROTO_FPR_LEN bytes */
	const char	*json;		/* the body as received */
	size_t		 len;
	uint64_t	 hash;
};

struct cache_stats {
	size_t		 entries;
	size_t		 bytes;
	uint64_t	 hits;
	uint64_t	 misses;
	uint64_t	 stamp;		/* 0: generation unknown */
};

void		 cache_init(void);
/* Is the answer to op a function of the request, caller and generation? */
int		 cache_op(uint32_t op);
void		 cache_key(struct cache_key *, uint32_t op,
		    const uint8_t *fpr, const char *json, size_t len);
/*
 * The kept answer to k (fill in reqid and send msglen bytes), or NULL;
 * either way *stamp is the stamp for an answer computed now (0: none).
 */
struct msg_db_resp *cache_lookup(const struct cache_key *k, uint64_t *stamp,
		    size_t *msglen);
/* Keep an answer computed under stamp; the stamp to send with it. */
uint64_t	 cache_keep(const struct cache_key *, uint64_t stamp,
		    const struct msg_db_resp *);
/* This dbd committed generation gen. */
void		 cache_committed(uint64_t gen);
/* Something may have changed: read the generation before the next hit. */
void		 cache_recheck(void);
/* The database is away or came back: drop everything, no stamp. */
void		 cache_forget(void);
void		 cache_stats(struct cache_stats *);

/* The pieces under cache_lookup(), for the unit test. */
uint64_t	 cache_check_at(int64_t now_ns);
void		 cache_seen(uint64_t gen, int64_t now_ns);
/* cache_init() keys the request hash at random. */
#define CACHE_HASH_KEY_LEN	16
int		 cache_hash_key(const uint8_t key[CACHE_HASH_KEY_LEN]);
uint64_t	 cache_hash(const void *, size_t);

#endif /* TRUNKD_CACHE_H */
