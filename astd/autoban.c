#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "autoban.h"
#include "net.h"
#include "parent/config.h"	/* enum autoban_event: the weights' order */
#include "util.h"

#define AB_BUCKETS	(1U << 16)


struct ab_hit {
	uint64_t	ms;
	uint32_t	weight;
};

struct ab_entry {
	struct proto_net	 key;
	struct ab_entry		*hnext;
	TAILQ_ENTRY(ab_entry)	 lru;		/* least recently active first */
	struct ab_hit		*hits;		/* ring, oldest at head */
	uint32_t		 cap, head, count;
	uint32_t		 score;
	/* The last FailedACL / ChallengeResponseFailed, for the pair. */
	uint64_t		 pair_session;
	uint64_t		 pair_ms;
	int			 pair_event;	/* -1: none */
	uint32_t		 offences;
	uint64_t		 last_ms;
	int64_t			 first_seen;
	int64_t			 last_seen;
	int64_t			 last_offence;
	int64_t			 banned_until;
};

TAILQ_HEAD(ab_lru, ab_entry);

struct autoban {
	struct msg_conf_astd	 conf;
	struct ab_entry		*buckets[AB_BUCKETS];
	struct ab_lru		 lru;
	size_t			 n;
	struct proto_net	*trusted;	/* sorted */
	size_t			 ntrusted;
	uint8_t			 tplens[2][129];	/* prefix lengths present */
};

static uint64_t
ab_fnv(const void *data, size_t len, uint64_t h)
{
	const uint8_t	*p = data;

	while (len-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static uint32_t
ab_hash(const struct proto_net *k)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	h = ab_fnv(&k->family, 2, h);
	h = ab_fnv(k->addr, k->family == 4 ? 4 : 16, h);
	return (uint32_t)(h ^ (h >> 32)) & (AB_BUCKETS - 1);
}

struct autoban *
ab_new(const struct msg_conf_astd *conf)
{
	struct autoban	*ab;

	if ((ab = calloc(1, sizeof(*ab))) == NULL)
		return NULL;
	TAILQ_INIT(&ab->lru);
	ab_set_conf(ab, conf);
	return ab;
}

void
ab_set_conf(struct autoban *ab, const struct msg_conf_astd *conf)
{
	ab->conf = *conf;
	if (ab->conf.ab_threshold == 0)
		ab->conf.ab_threshold = 1;
	if (ab->conf.n_ignore_nets > PROTO_CONF_NETS)
		ab->conf.n_ignore_nets = PROTO_CONF_NETS;
	if (ab->conf.ab_ipv6_prefix == 0 || ab->conf.ab_ipv6_prefix > 128)
		ab->conf.ab_ipv6_prefix = 64;
}

static void
ab_entry_free(struct autoban *ab, struct ab_entry *e)
{
	struct ab_entry	**pp;

	for (pp = &ab->buckets[ab_hash(&e->key)]; *pp != e;
	    pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	TAILQ_REMOVE(&ab->lru, e, lru);
	free(e->hits);
	free(e);
	ab->n--;
}

void
ab_free(struct autoban *ab)
{
	if (ab == NULL)
		return;
	while (!TAILQ_EMPTY(&ab->lru))
		ab_entry_free(ab, TAILQ_FIRST(&ab->lru));
	free(ab->trusted);
	free(ab);
}

size_t
ab_count(const struct autoban *ab)
{
	return ab->n;
}

static struct ab_entry *
ab_find(struct autoban *ab, const struct proto_net *key, int create)
{
	struct ab_entry	*e;
	uint32_t	 h = ab_hash(key);

	for (e = ab->buckets[h]; e != NULL; e = e->hnext)
		if (net_cmp(&e->key, key) == 0)
			return e;
	if (!create)
		return NULL;
	if (ab->n >= AB_ENTRIES_MAX)
		ab_entry_free(ab, TAILQ_FIRST(&ab->lru));
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->key = *key;
	e->pair_event = -1;
	e->hnext = ab->buckets[h];
	ab->buckets[h] = e;
	TAILQ_INSERT_TAIL(&ab->lru, e, lru);
	ab->n++;
	return e;
}

static int
ab_net_cmp(const void *a, const void *b)
{
	return net_cmp(a, b);
}

int
ab_set_trusted(struct autoban *ab, const struct proto_net *nets, size_t n)
{
	struct proto_net	*copy = NULL;
	size_t			 i;

	if (n > 0 && (copy = reallocarray(NULL, n, sizeof(*copy))) == NULL)
		return -1;
	if (n > 0)
		memcpy(copy, nets, n * sizeof(*copy));
	if (n > 1)
		qsort(copy, n, sizeof(*copy), ab_net_cmp);
	free(ab->trusted);
	ab->trusted = copy;
	ab->ntrusted = n;
	memset(ab->tplens, 0, sizeof(ab->tplens));
	for (i = 0; i < n; i++)
		ab->tplens[copy[i].family == 6][copy[i].prefixlen] = 1;
	return 0;
}

/* Inside a trusted network: one lookup per prefix length in use. */
static int
ab_is_trusted(const struct autoban *ab, const struct proto_net *host)
{
	struct proto_net	k;
	unsigned int		plen, max = host->family == 4 ? 32 : 128;

	if (ab->ntrusted == 0)
		return 0;
	for (plen = 0; plen <= max; plen++) {
		if (!ab->tplens[host->family == 6][plen])
			continue;
		k = *host;
		net_mask(&k, plen);
		if (bsearch(&k, ab->trusted, ab->ntrusted, sizeof(k),
		    ab_net_cmp) != NULL)
			return 1;
	}
	return 0;
}

static int
ab_is_ignored(const struct autoban *ab, const struct proto_net *host)
{
	uint32_t	i;

	for (i = 0; i < ab->conf.n_ignore_nets; i++)
		if (net_contains(&ab->conf.ignore_nets[i], host))
			return 1;
	return 0;
}

/* Does the ban prefix `key` cover any protected network? */
static int
ab_key_overlaps(const struct autoban *ab, const struct proto_net *key)
{
	const struct proto_net	*lists[2] = { ab->trusted,
				    ab->conf.ignore_nets };
	size_t			 counts[2] = { ab->ntrusted,
				    ab->conf.n_ignore_nets };
	size_t			 l, i;

	for (l = 0; l < 2; l++)
		for (i = 0; i < counts[l]; i++)
			if (net_contains(key, &lists[l][i]) ||
			    net_contains(&lists[l][i], key))
				return 1;
	return 0;
}

int
ab_remote_parse(const char *s, struct proto_net *addr)
{
	const char	*end, *start;
	char		 buf[64];
	size_t		 len;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (s == NULL || (end = strrchr(s, '/')) == NULL)
		return -1;
	/* The port after the last '/', the address before it. */
	if (end[1] == '\0' || strspn(end + 1, "0123456789") != strlen(end + 1))
		return -1;
	for (start = end; start > s && start[-1] != '/'; start--)
		;
	len = (size_t)(end - start);
	if (len >= 2 && start[0] == '[' && start[len - 1] == ']') {
		start++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	if (net_parse_addr(buf, addr) == -1)
		return -1;
	/* A v4-mapped IPv6 source is the IPv4 host. */
	if (addr->family == 6 && memcmp(addr->addr, mapped, 12) == 0) {
		memmove(addr->addr, addr->addr + 12, 4);
		memset(addr->addr + 4, 0, 12);
		addr->family = 4;
		addr->prefixlen = 32;
	}
	return 0;
}

static int
ab_event_index(const char *name)
{
	int	i;

	for (i = 0; i < AB_EVENT_MAX; i++)
		if (strcmp(name, ab_event_names[i]) == 0)
			return i;
	return -1;
}

/* Drop the hits that left the window. */
static void
ab_expire(struct autoban *ab, struct ab_entry *e, uint64_t now_ms)
{
	uint64_t	window = (uint64_t)ab->conf.ab_window * 1000;

	while (e->count > 0 && e->hits[e->head].ms + window <= now_ms) {
		e->score -= e->hits[e->head].weight;
		e->head = (e->head + 1) % e->cap;
		e->count--;
	}
}

/* Every hit has weight >= 1 and the score stays below the threshold,
 * so the ring never needs more than `threshold` slots. */
static int
ab_add_hit(struct ab_entry *e, uint64_t now_ms, uint32_t weight,
    uint32_t limit)
{
	struct ab_hit	*h;
	uint32_t	 cap, i;

	if (e->count == e->cap) {
		cap = e->cap == 0 ? 4 : e->cap * 2;
		if (cap > limit)
			cap = limit;
		if (cap <= e->count) {		/* full: forget the oldest */
			e->score -= e->hits[e->head].weight;
			e->head = (e->head + 1) % e->cap;
			e->count--;
		} else {
			if ((h = reallocarray(NULL, cap, sizeof(*h))) == NULL)
				return -1;
			for (i = 0; i < e->count; i++)
				h[i] = e->hits[(e->head + i) % e->cap];
			free(e->hits);
			e->hits = h;
			e->cap = cap;
			e->head = 0;
		}
	}
	e->hits[(e->head + e->count) % e->cap] = (struct ab_hit){ now_ms,
	    weight };
	e->count++;
	e->score += weight;
	return 0;
}

static uint32_t
ab_sentence(const struct msg_conf_astd *c, uint32_t offences)
{
	uint64_t	d = c->ab_ban_time;
	uint32_t	i;

	for (i = 1; i < offences && d < c->ab_max_ban_time; i++)
		d *= c->ab_multiplier > 0 ? c->ab_multiplier : 1;
	if (c->ab_max_ban_time > 0 && d > c->ab_max_ban_time)
		d = c->ab_max_ban_time;
	return (uint32_t)d;
}

/* A FailedACL and a ChallengeResponseFailed of one session count once. */
static int
ab_pair(struct ab_entry *e, int ev, const char *session, uint64_t now_ms,
    uint64_t window_ms)
{
	uint64_t	h;

	if ((ev != AB_FAILED_ACL && ev != AB_CHALLENGE_RESPONSE_FAILED) ||
	    session == NULL || session[0] == '\0')
		return 0;
	h = ab_fnv(session, strlen(session), 0xcbf29ce484222325ULL);
	if (e->pair_event != -1 && e->pair_event != ev &&
	    e->pair_session == h && e->pair_ms + window_ms > now_ms) {
		e->pair_event = -1;
		return 1;
	}
	e->pair_event = ev;
	e->pair_session = h;
	e->pair_ms = now_ms;
	return 0;
}

enum ab_result
ab_event(struct autoban *ab, const char *event, const char *remote,
    const char *session, uint64_t now_ms, int64_t wall, struct ab_ban *out)
{
	const struct msg_conf_astd *c = &ab->conf;
	struct proto_net	 host, key;
	struct ab_entry		*e;
	int			 ev;
	uint32_t		 weight;

	if ((ev = ab_event_index(event)) == -1 ||
	    (weight = c->ab_weight[ev]) == 0)
		return AB_NONE;		/* SuccessfulAuth, ChallengeSent... */
	if (ab_remote_parse(remote, &host) == -1)
		return AB_BAD_ADDRESS;
	if (ab_is_ignored(ab, &host))
		return AB_IGNORED;
	if (ab_is_trusted(ab, &host))
		return AB_TRUSTED;
	key = host;
	if (host.family == 6) {
		net_mask(&key, c->ab_ipv6_prefix);
		if (key.prefixlen < 128 && ab_key_overlaps(ab, &key))
			key = host;	/* the prefix would cover a trunk */
	}
	if ((e = ab_find(ab, &key, 1)) == NULL)
		return AB_NONE;
	TAILQ_REMOVE(&ab->lru, e, lru);
	TAILQ_INSERT_TAIL(&ab->lru, e, lru);
	e->last_ms = now_ms;
	if (e->first_seen == 0 || e->count == 0)
		e->first_seen = wall;
	e->last_seen = wall;
	ab_expire(ab, e, now_ms);
	if (ab_pair(e, ev, session, now_ms, (uint64_t)c->ab_window * 1000))
		return AB_UNCOUNTED;
	if (weight > c->ab_threshold)
		weight = c->ab_threshold;
	if (ab_add_hit(e, now_ms, weight, c->ab_threshold) == -1 ||
	    e->score < c->ab_threshold)
		return AB_NONE;

	/* Over the threshold: a new offence, or a running ban sent again
	 * (events still arrive, so the kernel does not hold it). */
	memset(out, 0, sizeof(*out));
	out->net = key;
	out->first_seen = e->first_seen;
	out->last_seen = wall;
	(void)strlcpy(out->reason, event, sizeof(out->reason));
	if (e->banned_until > wall) {
		out->repeat = 1;
		out->duration = (uint32_t)(e->banned_until - wall);
	} else {
		if (e->last_offence != 0 &&
		    wall - e->last_offence > (int64_t)c->ab_memory)
			e->offences = 0;
		if (e->offences < UINT32_MAX)
			e->offences++;
		e->last_offence = wall;
		out->duration = ab_sentence(c, e->offences);
		e->banned_until = wall + out->duration;
	}
	out->offences = e->offences;
	e->count = e->head = e->score = 0;
	e->pair_event = -1;
	return AB_BAN;
}

int
ab_history(struct autoban *ab, const struct proto_net *net,
    uint32_t offences, int64_t last_seen, int64_t expires, int64_t wall)
{
	struct ab_entry	*e;

	if (last_seen + (int64_t)ab->conf.ab_memory < wall && expires <= wall)
		return 0;	/* forgotten already */
	if ((e = ab_find(ab, net, 1)) == NULL)
		return -1;
	if (offences > e->offences)
		e->offences = offences;
	if (last_seen > e->last_offence)
		e->last_offence = last_seen;
	if (expires > e->banned_until)
		e->banned_until = expires;
	return 0;
}

void
ab_sweep(struct autoban *ab, uint64_t now_ms, int64_t wall)
{
	struct ab_entry	*e, *next;

	for (e = TAILQ_FIRST(&ab->lru); e != NULL; e = next) {
		next = TAILQ_NEXT(e, lru);
		ab_expire(ab, e, now_ms);
		if (e->count == 0 && e->banned_until <= wall &&
		    (e->offences == 0 || wall - e->last_offence >
		    (int64_t)ab->conf.ab_memory))
			ab_entry_free(ab, e);
	}
}
