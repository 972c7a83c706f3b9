/*
 * What fwd has banned, with deadlines: the copy it restores the ban sets
 * from when they are flushed or the table deleted.  The kernel holds the
 * same; at start-up this list is read back from it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwd.h"

static struct fw_ban_tree	fw_bans = RB_INITIALIZER(&fw_bans);
static size_t			fw_nbans;

static int	fw_ban_cmp(struct fw_ban *, struct fw_ban *);

static int
fw_ban_cmp(struct fw_ban *a, struct fw_ban *b)
{
	if (a->net.family != b->net.family)
		return a->net.family < b->net.family ? -1 : 1;
	if (a->net.prefixlen != b->net.prefixlen)
		return a->net.prefixlen < b->net.prefixlen ? -1 : 1;
	return memcmp(a->net.addr, b->net.addr, sizeof(a->net.addr));
}

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define */
RB_PROTOTYPE(fw_ban_tree, fw_ban, entry, fw_ban_cmp)
RB_GENERATE(fw_ban_tree, fw_ban, entry, fw_ban_cmp)

int64_t
fw_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fw_ban *
fw_ban_find(const struct proto_net *net)
{
	struct fw_ban	key;

	memset(&key, 0, sizeof(key));
	key.net = *net;
	return RB_FIND(fw_ban_tree, &fw_bans, &key);
}

struct fw_ban *
fw_ban_put(const struct proto_net *net, uint64_t timeout, int64_t deadline,
    const char *reason)
{
	struct fw_ban	*b;

	if ((b = fw_ban_find(net)) == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			return NULL;
		b->net = *net;
		(void)RB_INSERT(fw_ban_tree, &fw_bans, b);
		fw_nbans++;
	}
	b->timeout = timeout;
	b->deadline = deadline;
	(void)strlcpy(b->reason, reason != NULL ? reason : "",
	    sizeof(b->reason));
	return b;
}

void
fw_ban_remove(struct fw_ban *b)
{
	RB_REMOVE(fw_ban_tree, &fw_bans, b);
	fw_nbans--;
	free(b);
}

struct fw_ban *
fw_ban_first(void)
{
	return RB_MIN(fw_ban_tree, &fw_bans);
}

struct fw_ban *
fw_ban_next(struct fw_ban *b)
{
	return RB_NEXT(fw_ban_tree, &fw_bans, b);
}

size_t
fw_ban_count(void)
{
	return fw_nbans;
}

void
fw_ban_expire(int64_t now)
{
	struct fw_ban	*b, *next;

	RB_FOREACH_SAFE(b, fw_ban_tree, &fw_bans, next)
		if (b->deadline <= now)
			fw_ban_remove(b);
}

/*
 * A single address is one element of a hash set; a prefix is a start and
 * an end element of an interval set.  Returns how many were filled.
 */
int
fw_ban_kelems(const struct fw_ban *b, int64_t now, struct fw_kelem *start,
    struct fw_kelem *end)
{
	struct fw_range	r;
	size_t		len = fw_keylen(b->net.family);

	memset(start, 0, sizeof(*start));
	start->keylen = (uint8_t)len;
	memcpy(start->key, b->net.addr, len);
	start->timeout = b->timeout;
	start->expires = b->deadline > now ? (uint64_t)(b->deadline - now) : 1;
	start->comment = b->reason;
	if (b->net.prefixlen == len * 8)
		return 1;
	fw_net_range(&b->net, &r);
	/* An end element carries nothing but its key (else EINVAL). */
	memset(end, 0, sizeof(*end));
	end->keylen = (uint8_t)len;
	end->end = 1;
	memcpy(end->key, r.hi, len);
	if (fw_key_inc(end->key, len))
		return 1;
	return 2;
}
