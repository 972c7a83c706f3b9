/*
 * Addresses as the kernel's sets see them: big-endian keys, ranges with
 * both ends included, and the start/end element pairs of interval sets.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

size_t
fw_keylen(int family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

static int
fw_maxlen(int family)
{
	return family == 4 ? 32 : 128;
}

int
fw_net_valid(const struct proto_net *n)
{
	size_t	len = fw_keylen(n->family), i;
	int	bits;

	if (len == 0 || n->prefixlen == 0 || n->prefixlen > fw_maxlen(n->family))
		return 0;
	for (i = 0; i < sizeof(n->addr); i++) {
		bits = (int)i * 8 - n->prefixlen;	/* host bits before byte i */
		if (i >= len) {
			if (n->addr[i] != 0)
				return 0;
		} else if (bits >= 0) {
			if (n->addr[i] != 0)
				return 0;
		} else if (bits > -8) {
			if ((n->addr[i] & (0xff >> -bits)) != 0)
				return 0;
		}
	}
	return 1;
}

void
fw_net_range(const struct proto_net *n, struct fw_range *r)
{
	size_t	len = fw_keylen(n->family), i;
	int	pl = n->prefixlen;

	memset(r, 0, sizeof(*r));
	r->family = n->family;
	memcpy(r->lo, n->addr, len);
	memcpy(r->hi, n->addr, len);
	for (i = 0; i < len; i++) {
		int from = (int)i * 8;

		if (pl <= from)
			r->hi[i] = 0xff;
		else if (pl < from + 8)
			r->hi[i] |= 0xff >> (pl - from);
	}
}

int
fw_net_contains(const struct proto_net *outer, const struct proto_net *inner)
{
	struct fw_range	o, i;
	size_t		len = fw_keylen(outer->family);

	if (outer->family != inner->family || outer->prefixlen > inner->prefixlen)
		return 0;
	fw_net_range(outer, &o);
	fw_net_range(inner, &i);
	return memcmp(o.lo, i.lo, len) <= 0 && memcmp(i.hi, o.hi, len) <= 0;
}

int
fw_net_parse(const char *s, struct proto_net *n, char *err, size_t errlen)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	const char	*e = NULL;
	long long	 pl;

	memset(n, 0, sizeof(*n));
	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf)) {
		(void)snprintf(err, errlen, "address too long");
		return -1;
	}
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = 4;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = 6;
	else {
		(void)snprintf(err, errlen, "not an address: %s", buf);
		return -1;
	}
	n->prefixlen = (uint8_t)fw_maxlen(n->family);
	if (slash != NULL) {
		pl = strtonum(slash, 1, fw_maxlen(n->family), &e);
		if (e != NULL) {
			(void)snprintf(err, errlen, "prefix length %s: %s",
			    slash, e);
			return -1;
		}
		n->prefixlen = (uint8_t)pl;
	}
	if (!fw_net_valid(n)) {
		(void)snprintf(err, errlen, "%s has host bits set", s);
		return -1;
	}
	return 0;
}

void
fw_net_fmt(const struct proto_net *n, char *buf, size_t len)
{
	char	a[INET6_ADDRSTRLEN];

	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, a,
	    sizeof(a)) == NULL)
		(void)strlcpy(a, "?", sizeof(a));
	if (n->prefixlen == fw_maxlen(n->family))
		(void)snprintf(buf, len, "%s", a);
	else
		(void)snprintf(buf, len, "%s/%u", a, n->prefixlen);
}

void
fw_net_mask(struct proto_net *n)
{
	size_t	i;
	int	from;

	for (i = 0; i < sizeof(n->addr); i++) {
		from = (int)i * 8;
		if (n->prefixlen <= from)
			n->addr[i] = 0;
		else if (n->prefixlen < from + 8)
			n->addr[i] &= (uint8_t)(0xff << (from + 8 - n->prefixlen));
	}
}

/* The prefix a range is, if it is one. */
int
fw_range_net(const struct fw_range *r, struct proto_net *n)
{
	struct fw_range	t;
	size_t		len = fw_keylen(r->family);
	int		pl;

	for (pl = 1; pl <= fw_maxlen(r->family); pl++) {
		memset(n, 0, sizeof(*n));
		n->family = r->family;
		n->prefixlen = (uint8_t)pl;
		memcpy(n->addr, r->lo, len);
		fw_net_mask(n);
		fw_net_range(n, &t);
		if (memcmp(t.lo, r->lo, len) == 0 &&
		    memcmp(t.hi, r->hi, len) == 0)
			return 0;
	}
	return -1;
}

int
fw_key_inc(uint8_t *key, size_t len)
{
	while (len-- > 0)
		if (++key[len] != 0)
			return 0;
	return 1;
}

/* ---- ranges ---- */

int
fw_ranges_add(struct fw_ranges *rs, const struct fw_range *r)
{
	struct fw_range	*v;
	size_t		 cap;

	if (rs->n == rs->cap) {
		cap = rs->cap == 0 ? 16 : rs->cap * 2;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

static int
fw_range_cmp(const void *a, const void *b)
{
	const struct fw_range	*x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->lo, y->lo, FW_KEY_MAX);
}

/* Sort, then join ranges that overlap or touch. */
void
fw_ranges_merge(struct fw_ranges *rs)
{
	struct fw_range	*cur;
	uint8_t		 next[FW_KEY_MAX];
	size_t		 i, out = 0, len;
	int		 wrap;

	if (rs->n == 0)
		return;
	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(*rs->v), fw_range_cmp);
	for (i = 1; i < rs->n; i++) {
		cur = &rs->v[out];
		len = fw_keylen(cur->family);
		memcpy(next, cur->hi, sizeof(next));
		wrap = fw_key_inc(next, len);
		if (rs->v[i].family == cur->family &&
		    (wrap || memcmp(rs->v[i].lo, next, len) <= 0)) {
			if (memcmp(rs->v[i].hi, cur->hi, len) > 0)
				memcpy(cur->hi, rs->v[i].hi, sizeof(cur->hi));
			continue;
		}
		rs->v[++out] = rs->v[i];
	}
	rs->n = out + 1;
}

int
fw_ranges_overlap(const struct fw_ranges *rs, const struct fw_range *r)
{
	size_t	lo = 0, hi = rs->n, mid, len = fw_keylen(r->family);

	/* The last range starting at or before r->hi decides. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (rs->v[mid].family < r->family ||
		    (rs->v[mid].family == r->family &&
		    memcmp(rs->v[mid].lo, r->hi, len) <= 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	mid = lo - 1;
	return rs->v[mid].family == r->family &&
	    memcmp(rs->v[mid].hi, r->lo, len) >= 0;
}

void
fw_ranges_clear(struct fw_ranges *rs)
{
	rs->n = 0;
}

void
fw_ranges_free(struct fw_ranges *rs)
{
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

/* ---- kernel elements ---- */

int
fw_kelems_add(struct fw_kelems *ks, const struct fw_kelem *k)
{
	struct fw_kelem	*v;
	size_t		 cap;

	if (ks->n == ks->cap) {
		cap = ks->cap == 0 ? 64 : ks->cap * 2;
		if ((v = reallocarray(ks->v, cap, sizeof(*v))) == NULL)
			return -1;
		ks->v = v;
		ks->cap = cap;
	}
	ks->v[ks->n++] = *k;
	return 0;
}

/* By key, and an interval's end before a start at the same key. */
int
fw_kelem_cmp(const void *a, const void *b)
{
	const struct fw_kelem	*x = a, *y = b;
	int			 c;

	if ((c = memcmp(x->key, y->key, FW_KEY_MAX)) != 0)
		return c;
	return (int)y->end - (int)x->end;
}

void
fw_kelems_sort(struct fw_kelems *ks)
{
	if (ks->n > 1)
		qsort(ks->v, ks->n, sizeof(*ks->v), fw_kelem_cmp);
}

void
fw_kelems_free(struct fw_kelems *ks)
{
	free(ks->v);
	memset(ks, 0, sizeof(*ks));
}

int
fw_ranges_kelems(const struct fw_ranges *rs, int family, struct fw_kelems *ks)
{
	struct fw_kelem	k;
	size_t		i, len = fw_keylen(family);

	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].family != family)
			continue;
		memset(&k, 0, sizeof(k));
		k.keylen = (uint8_t)len;
		memcpy(k.key, rs->v[i].lo, len);
		if (fw_kelems_add(ks, &k) == -1)
			return -1;
		/* A range up to the last address has no end element. */
		memcpy(k.key, rs->v[i].hi, len);
		if (fw_key_inc(k.key, len))
			continue;
		k.end = 1;
		if (fw_kelems_add(ks, &k) == -1)
			return -1;
	}
	fw_kelems_sort(ks);
	return 0;
}

/* Walk sorted elements: a start opens a range, the next end closes it. */
int
fw_kelems_ranges(const struct fw_kelems *ks, int family, struct fw_ranges *rs)
{
	struct fw_range	r;
	size_t		i, len = fw_keylen(family);
	int		open = 0;

	for (i = 0; i < ks->n; i++) {
		const struct fw_kelem *k = &ks->v[i];

		if (!k->end) {
			if (open && fw_ranges_add(rs, &r) == -1)
				return -1;
			memset(&r, 0, sizeof(r));
			r.family = (uint8_t)family;
			memcpy(r.lo, k->key, len);
			memset(r.hi, 0xff, len);
			open = 1;
		} else if (open) {
			size_t j = len;

			memcpy(r.hi, k->key, len);
			/* end element = last address + 1 */
			while (j-- > 0)
				if (r.hi[j]-- != 0)
					break;
			if (fw_ranges_add(rs, &r) == -1)
				return -1;
			open = 0;
		}
	}
	if (open && fw_ranges_add(rs, &r) == -1)
		return -1;
	return 0;
}
