/*
 * Bans: one address or prefix at a time (a small batch, no reading back),
 * a snapshot's worth at once, and the ones the kernel already holds at
 * start-up (adopted with their remaining time).  Nothing inside the
 * never-ban list is banned, whoever asks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "log.h"

#define FW_SLACK	1000	/* ms: a ban this close to its end is over */

struct fw_banop {
	struct fw_ban		 nb;		/* the new ban (not in the list) */
	struct fw_ban		*old;		/* the same ban, being renewed */
	struct fw_ban		*inside[32];	/* narrower prefixes it covers */
	size_t			 ninside;
	int			 unban;
};

/* A wider live ban that covers this prefix, if any. */
static struct fw_ban *
fw_ban_covering(const struct proto_net *n, int64_t now)
{
	struct proto_net	 p;
	struct fw_ban		*b;
	int			 pl, min;

	min = n->family == 4 ? fw.max_ban4 : fw.max_ban6;
	for (pl = min; pl < n->prefixlen; pl++) {
		p = *n;
		p.prefixlen = (uint8_t)pl;
		fw_net_mask(&p);
		if ((b = fw_ban_find(&p)) != NULL && b->deadline - now > FW_SLACK)
			return b;
	}
	return NULL;
}

static int
fw_plan_ban(struct fw_batch *fb, void *arg, size_t *nelems)
{
	struct fw_banop	*op = arg;
	struct fw_kelem	 k[2];
	int64_t		 now = fw_now_ms();
	size_t		 i;
	int		 n, set = fw_ban_set(&op->nb.net);

	/* Renewal: the old element goes, so the new timeout counts. */
	if (op->old != NULL && (fw_nl_has_destroy() ||
	    op->old->deadline - now > 2 * FW_SLACK)) {
		n = fw_ban_kelems(op->old, now, &k[0], &k[1]);
		if (fw_nft_elems(fb, fw.rc.table, set, fw_del_op(), k,
		    (size_t)n) == -1)
			return -ENOMEM;
		*nelems += (size_t)n;
	}
	for (i = 0; i < op->ninside; i++) {
		if (!fw_nl_has_destroy() &&
		    op->inside[i]->deadline - now <= 2 * FW_SLACK)
			continue;
		n = fw_ban_kelems(op->inside[i], now, &k[0], &k[1]);
		if (fw_nft_elems(fb, fw.rc.table, set, fw_del_op(), k,
		    (size_t)n) == -1)
			return -ENOMEM;
		*nelems += (size_t)n;
	}
	if (op->unban)
		return 0;
	n = fw_ban_kelems(&op->nb, now, &k[0], &k[1]);
	if (fw_nft_elems(fb, fw.rc.table, set, FW_ELEM_ADD, k, (size_t)n) ==
	    -1)
		return -ENOMEM;
	*nelems += (size_t)n;
	return 0;
}

/* Narrower prefix bans the new one replaces (the kernel allows no
 * overlapping intervals in one set). */
static void
fw_ban_inside(struct fw_banop *op, int64_t now)
{
	struct fw_ban	*b;
	size_t		 len = fw_keylen(op->nb.net.family);

	if (op->nb.net.prefixlen == len * 8)
		return;
	for (b = fw_ban_first(); b != NULL && op->ninside <
	    sizeof(op->inside) / sizeof(op->inside[0]);
	    b = fw_ban_next(b))
		if (b->net.family == op->nb.net.family &&
		    b->net.prefixlen > op->nb.net.prefixlen &&
		    b->net.prefixlen < len * 8 && b->deadline > now &&
		    fw_net_contains(&op->nb.net, &b->net))
			op->inside[op->ninside++] = b;
}

static int
fw_run(struct fw_banop *op, char *msg, size_t msglen)
{
	char	err[256];
	int	rv;

	if (fw.flushed)
		return 0;
	rv = fw_do(fw_plan_ban, op, err, sizeof(err));
	if (rv != 0 && fw_check() == 0)
		rv = fw_do(fw_plan_ban, op, err, sizeof(err));
	if (rv != 0)
		(void)snprintf(msg, msglen, "netlink: %s",
		    err[0] ? err : strerror(-rv));
	return rv;
}

int
fw_ban_apply(const struct proto_net *net, uint32_t timeout_s,
    const char *reason, char *msg, size_t msglen)
{
	struct fw_banop	 op;
	struct fw_ban	*cover;
	char		 buf[FW_NET_STRLEN], why[256];
	uint64_t	 t0 = fw_now_us();
	int64_t		 now = fw_now_ms();
	size_t		 i;
	int		 code;

	if ((code = fw_state_ban_ok(net, why, sizeof(why))) != 0) {
		log_warnx("ban refused: %s", why);
		(void)snprintf(msg, msglen, "refused: %s", why);
		return code;
	}
	fw_net_fmt(net, buf, sizeof(buf));
	if (timeout_s == 0)
		timeout_s = FW_DEFAULT_BAN;
	if (timeout_s > FW_MAX_BAN) {
		(void)snprintf(msg, msglen, "refused: %s: %u seconds is longer "
		    "than a year", buf, timeout_s);
		return EINVAL;
	}
	/* Inside a wider ban that lasts as long: nothing to do.  (A single
	 * address has a set of its own and may outlive the prefix.) */
	if ((cover = fw_ban_covering(net, now)) != NULL &&
	    (net->prefixlen != fw_keylen(net->family) * 8 ||
	    cover->deadline >= now + (int64_t)timeout_s * 1000)) {
		fw_net_fmt(&cover->net, why, sizeof(why));
		(void)snprintf(msg, msglen, "%s is banned already as part of "
		    "%s (%lld s left)", buf, why,
		    (long long)(cover->deadline - now) / 1000);
		return 0;
	}
	memset(&op, 0, sizeof(op));
	op.nb.net = *net;
	op.nb.timeout = (uint64_t)timeout_s * 1000;
	op.nb.deadline = now + (int64_t)op.nb.timeout;
	(void)strlcpy(op.nb.reason, reason, sizeof(op.nb.reason));
	op.old = fw_ban_find(net);
	fw_ban_inside(&op, now);
	if (fw_run(&op, msg, msglen) != 0) {
		log_warnx("ban of %s failed: %s", buf, msg);
		return EIO;
	}
	fw_lat_add(fw_now_us() - t0);
	for (i = 0; i < op.ninside; i++)
		fw_ban_remove(op.inside[i]);
	if (fw_ban_put(net, op.nb.timeout, op.nb.deadline, reason) == NULL) {
		(void)snprintf(msg, msglen, "out of memory");
		return ENOMEM;
	}
	log_info("banned %s for %u s%s%s%s", buf, timeout_s,
	    reason[0] ? " (" : "", reason, reason[0] ? ")" : "");
	(void)snprintf(msg, msglen, "banned %s for %u s%s", buf, timeout_s,
	    fw.flushed ? " (table flushed: applied when it is back)" : "");
	return 0;
}

int
fw_unban_apply(const struct proto_net *net, char *msg, size_t msglen)
{
	struct fw_banop	 op;
	char		 buf[FW_NET_STRLEN];
	int64_t		 now = fw_now_ms();

	if (!fw_net_valid(net)) {
		(void)snprintf(msg, msglen, "malformed address");
		return EINVAL;
	}
	fw_net_fmt(net, buf, sizeof(buf));
	memset(&op, 0, sizeof(op));
	op.nb.net = *net;
	op.unban = 1;
	if ((op.old = fw_ban_find(net)) == NULL || op.old->deadline <= now) {
		(void)snprintf(msg, msglen, "%s is not banned", buf);
		return ENOENT;
	}
	if (fw_run(&op, msg, msglen) != 0) {
		log_warnx("unban of %s failed: %s", buf, msg);
		return EIO;
	}
	fw_ban_remove(op.old);
	log_info("unbanned %s", buf);
	(void)snprintf(msg, msglen, "unbanned %s", buf);
	return 0;
}

int
fw_bans_replace(const struct fw_elem *e, size_t n)
{
	struct fw_ban	*b, *next;
	char		 why[256];
	int64_t		 now = fw_now_ms();
	uint64_t	 t;
	size_t		 i, refused = 0;

	for (b = fw_ban_first(); b != NULL; b = fw_ban_next(b))
		b->mark = 0;
	for (i = 0; i < n; i++) {
		if (fw_state_ban_ok(&e[i].net, why, sizeof(why)) != 0) {
			if (refused++ < 10)
				log_warnx("snapshot ban refused: %s", why);
			continue;
		}
		t = (uint64_t)(e[i].timeout != 0 ? e[i].timeout :
		    FW_DEFAULT_BAN) * 1000;
		if (t > (uint64_t)FW_MAX_BAN * 1000)
			t = (uint64_t)FW_MAX_BAN * 1000;
		/* a ban the kernel holds already keeps its time and reason */
		if ((b = fw_ban_find(&e[i].net)) == NULL || b->deadline <= now)
			b = fw_ban_put(&e[i].net, t, now + (int64_t)t, "");
		if (b == NULL)
			return -1;
		b->mark = 1;
	}
	if (refused > 10)
		log_warnx("snapshot: %zu bans refused in all", refused);
	for (b = fw_ban_first(); b != NULL; b = next) {
		next = fw_ban_next(b);
		if (!b->mark)
			fw_ban_remove(b);
	}
	/* Overlapping prefixes: the widest one stands for them. */
	for (b = fw_ban_first(); b != NULL; b = next) {
		next = fw_ban_next(b);
		if (b->net.prefixlen < fw_keylen(b->net.family) * 8 &&
		    fw_ban_covering(&b->net, now) != NULL)
			fw_ban_remove(b);
	}
	return 0;
}

/* ---- adoption ---- */

struct fw_adopt_arg {
	enum fw_setid		 set;
	struct fw_kelems	 ks;		/* prefix sets, with comments */
	size_t			 n, refused;
};

static void
fw_adopt_one(const struct proto_net *net, uint64_t timeout, uint64_t left,
    const char *comment, struct fw_adopt_arg *a)
{
	char	why[256];

	if (left < FW_SLACK)
		return;
	if (fw_state_ban_ok(net, why, sizeof(why)) != 0) {
		if (a->refused++ < 10)
			log_warnx("ban in the kernel dropped: %s", why);
		return;
	}
	if (timeout < left)
		timeout = left;
	if (fw_ban_put(net, timeout, fw_now_ms() + (int64_t)left,
	    comment) != NULL)
		a->n++;
}

static int
fw_adopt_cb(const struct fw_kelem *k, void *arg)
{
	struct fw_adopt_arg	*a = arg;
	struct proto_net	 net;
	struct fw_kelem		 copy = *k;

	if (a->set == FS_BAN4 || a->set == FS_BAN6) {
		memset(&net, 0, sizeof(net));
		net.family = fw_sets[a->set].family;
		net.prefixlen = (uint8_t)(k->keylen * 8);
		memcpy(net.addr, k->key, k->keylen);
		if (k->timeout != 0)
			fw_adopt_one(&net, k->timeout, k->expires, k->comment,
			    a);
		return 0;
	}
	/* Prefixes come as start and end elements: pair them up later. */
	copy.comment = k->comment != NULL ? strdup(k->comment) : NULL;
	return fw_kelems_add(&a->ks, &copy);
}

static void
fw_adopt_prefixes(struct fw_adopt_arg *a)
{
	struct proto_net	 net;
	struct fw_range		 r;
	const struct fw_kelem	*s;
	size_t			 i, len = fw_sets[a->set].keylen, j;
	int			 fam = fw_sets[a->set].family;

	fw_kelems_sort(&a->ks);
	for (i = 0; i < a->ks.n; i++) {
		s = &a->ks.v[i];
		if (s->end || s->timeout == 0)
			continue;
		memset(&r, 0, sizeof(r));
		r.family = (uint8_t)fam;
		memcpy(r.lo, s->key, len);
		memset(r.hi, 0xff, len);
		if (i + 1 < a->ks.n && a->ks.v[i + 1].end) {
			memcpy(r.hi, a->ks.v[i + 1].key, len);
			for (j = len; j-- > 0; )
				if (r.hi[j]-- != 0)
					break;
		}
		if (fw_range_net(&r, &net) == 0)
			fw_adopt_one(&net, s->timeout, s->expires, s->comment,
			    a);
	}
	for (i = 0; i < a->ks.n; i++)
		free((char *)(uintptr_t)a->ks.v[i].comment);
	fw_kelems_free(&a->ks);
}

static int
fw_adopt_trunk(enum fw_setid set)
{
	struct fw_kelems	ks = { NULL, 0, 0 };
	int			rv;

	if ((rv = fw_kread_kelems(fw.rc.table, set, &ks)) == 0)
		rv = fw_kelems_ranges(&ks, fw_sets[set].family, &fw.adopted);
	fw_kelems_free(&ks);
	return rv;
}

int
fw_adopt(void)
{
	struct fw_rule		rules[FW_RULES_MAX];
	struct fw_kstate	ks;
	struct fw_adopt_arg	a;
	size_t			n;
	int			set;

	n = fw_rules(&fw.rc, rules, FW_RULES_MAX);
	if (fw_kread(fw.rc.table, rules, n, &ks) != 0)
		return -1;
	fw_ranges_clear(&fw.adopted);
	/* Trunk networks stay open until dbd's snapshot says otherwise. */
	for (set = FS_TRUNK4; set <= FS_TRUNK6; set++)
		if (ks.present && ks.set_ok[set] && fw_adopt_trunk(set) != 0)
			goto fail;
	if (fw_state_derive() == -1)
		goto fail;
	memset(&a, 0, sizeof(a));
	for (set = FS_BAN4; set <= FS_BANP6; set++) {
		if (!ks.present || !ks.set_ok[set])
			continue;
		a.set = set;
		if (fw_kread_elems(fw.rc.table, set, fw_adopt_cb, &a) != 0) {
			fw_adopt_prefixes(&a);
			goto fail;
		}
		if (set == FS_BANP4 || set == FS_BANP6)
			fw_adopt_prefixes(&a);
	}
	if (ks.present)
		log_info("table inet %s adopted: %zu trunk ranges, %zu bans",
		    fw.rc.table, fw.adopted.n, a.n);
	fw_kstate_free(&ks);
	return 0;
 fail:
	fw_kstate_free(&ks);
	return -1;
}

/* ---- flush ---- */

static int
fw_plan_flush(struct fw_batch *fb, void *arg, size_t *nelems)
{
	return fw_nft_del_table(fb, fw.rc.table, fw_nl_has_destroy()) == -1 ?
	    -ENOMEM : 0;
}

int
fw_flush(char *msg, size_t msglen)
{
	char	err[256];
	int	rv;

	rv = fw_do(fw_plan_flush, NULL, err, sizeof(err));
	if (rv != 0 && rv != -ENOENT) {
		(void)snprintf(msg, msglen, "flush failed: %s",
		    err[0] ? err : strerror(-rv));
		return EIO;
	}
	fw.flushed = 1;
	log_warnx("table inet %s flushed by the operator; trunkd reload or a "
	    "restart puts it back", fw.rc.table);
	(void)snprintf(msg, msglen, "table inet %s removed; `trunkctl reload` "
	    "or a restart creates it again", fw.rc.table);
	return 0;
}
