/*
 * The one table fwd owns, and the closed set of operations on it: create
 * it whole (counters, sets, the input chain and its rules), delete it, and
 * add or remove set elements.  Everything goes into a batch; nothing here
 * talks to the kernel.
 *
 *   chain input { type filter hook input priority -10; policy accept;
 *	ip saddr @ban4 drop; ip saddr @banp4 drop; (v6 alike)
 *	iiftype loopback accept
 *	udp dport @sip_udp ip saddr != @trunk4 drop; tcp alike
 *	udp dport @sip_udp add @flood4 { ip saddr limit rate over R/s
 *	    burst B packets } drop; tcp alike
 *	udp dport RTP ip saddr != @trunk4 drop	(unless media from anywhere)
 *	tcp dport ADMIN ip saddr != @admin4 drop
 *	(v6 alike) }
 * and every rule counts into a named counter of its own.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "fwd.h"

/* nft(8)'s datatype numbers, so that `nft list` prints the sets. */
#define NFT_TYPE_IPADDR		7
#define NFT_TYPE_IP6ADDR	8
#define NFT_TYPE_INET_SERVICE	13

#define FW_CHAIN		"input"
#define FW_PRIORITY		(-10)	/* before the host's filter (0) */
#define FW_FLOOD_SIZE		65536
#define FW_FLOOD_TIMEOUT	60000	/* ms a quiet source is remembered */
/* Stay under the 16-bit length of the element list attribute. */
#define FW_ELEMS_MAX_BYTES	60000

#ifndef NFT_MSG_DESTROYTABLE
#define NFT_MSG_DESTROYTABLE	26	/* Linux 6.3 */
#endif
#ifndef NFT_MSG_DESTROYSETELEM
#define NFT_MSG_DESTROYSETELEM	30
#endif

const struct fw_setdef fw_sets[FS_MAX] = {
	[FS_TRUNK4] = { "trunk4", 4, 4, NFT_TYPE_IPADDR, NFT_SET_INTERVAL },
	[FS_TRUNK6] = { "trunk6", 6, 16, NFT_TYPE_IP6ADDR, NFT_SET_INTERVAL },
	[FS_ADMIN4] = { "admin4", 4, 4, NFT_TYPE_IPADDR, NFT_SET_INTERVAL },
	[FS_ADMIN6] = { "admin6", 6, 16, NFT_TYPE_IP6ADDR, NFT_SET_INTERVAL },
	[FS_NOBAN4] = { "noban4", 4, 4, NFT_TYPE_IPADDR, NFT_SET_INTERVAL },
	[FS_NOBAN6] = { "noban6", 6, 16, NFT_TYPE_IP6ADDR, NFT_SET_INTERVAL },
	[FS_BAN4] = { "ban4", 4, 4, NFT_TYPE_IPADDR, NFT_SET_TIMEOUT },
	[FS_BAN6] = { "ban6", 6, 16, NFT_TYPE_IP6ADDR, NFT_SET_TIMEOUT },
	[FS_BANP4] = { "banp4", 4, 4, NFT_TYPE_IPADDR,
	    NFT_SET_INTERVAL | NFT_SET_TIMEOUT },
	[FS_BANP6] = { "banp6", 6, 16, NFT_TYPE_IP6ADDR,
	    NFT_SET_INTERVAL | NFT_SET_TIMEOUT },
	[FS_SIP_UDP] = { "sip_udp", 0, 2, NFT_TYPE_INET_SERVICE, 0 },
	[FS_SIP_TCP] = { "sip_tcp", 0, 2, NFT_TYPE_INET_SERVICE, 0 },
	[FS_FLOOD4] = { "flood4", 4, 4, NFT_TYPE_IPADDR,
	    NFT_SET_TIMEOUT | NFT_SET_EVAL },
	[FS_FLOOD6] = { "flood6", 6, 16, NFT_TYPE_IP6ADDR,
	    NFT_SET_TIMEOUT | NFT_SET_EVAL },
};

/* One rule: optional family, protocol, port and source tests, a verdict. */
enum fw_dport { DP_NONE, DP_SET, DP_RANGE };
enum fw_src { SRC_NONE, SRC_IN, SRC_NOT_IN, SRC_FLOOD, SRC_LOOPBACK };

struct fw_rspec {
	uint8_t		family;		/* 0: both */
	uint8_t		proto;		/* 0: any */
	enum fw_dport	dport;
	int		dport_set;
	uint16_t	lo, hi;
	enum fw_src	src;
	int		src_set;	/* the v4 set; +1 is the v6 one */
	int		verdict;
	const char	*name;		/* counter name without the family */
};

static size_t
fw_rspecs(const struct fw_ruleconf *rc, struct fw_rspec *r, size_t max)
{
	struct fw_rspec	 tmpl[12];
	size_t		 n = 0, t = 0, i;
	int		 fam;

#define R(...) do {							\
	struct fw_rspec x_ = { __VA_ARGS__ };				\
	tmpl[t++] = x_;							\
} while (0)
	R(.src = SRC_IN, .src_set = FS_BAN4, .verdict = NF_DROP,
	    .name = "ban");
	R(.src = SRC_IN, .src_set = FS_BANP4, .verdict = NF_DROP,
	    .name = "banp");
	R(.src = SRC_LOOPBACK, .verdict = NF_ACCEPT, .name = "loopback");
	R(.proto = IPPROTO_UDP, .dport = DP_SET, .dport_set = FS_SIP_UDP,
	    .src = SRC_NOT_IN, .src_set = FS_TRUNK4, .verdict = NF_DROP,
	    .name = "sip_udp_deny");
	R(.proto = IPPROTO_TCP, .dport = DP_SET, .dport_set = FS_SIP_TCP,
	    .src = SRC_NOT_IN, .src_set = FS_TRUNK4, .verdict = NF_DROP,
	    .name = "sip_tcp_deny");
	R(.proto = IPPROTO_UDP, .dport = DP_SET, .dport_set = FS_SIP_UDP,
	    .src = SRC_FLOOD, .src_set = FS_FLOOD4, .verdict = NF_DROP,
	    .name = "sip_udp_flood");
	R(.proto = IPPROTO_TCP, .dport = DP_SET, .dport_set = FS_SIP_TCP,
	    .src = SRC_FLOOD, .src_set = FS_FLOOD4, .verdict = NF_DROP,
	    .name = "sip_tcp_flood");
	if (!rc->media_anywhere)
		R(.proto = IPPROTO_UDP, .dport = DP_RANGE, .lo = rc->rtp_low,
		    .hi = rc->rtp_high, .src = SRC_NOT_IN,
		    .src_set = FS_TRUNK4, .verdict = NF_DROP,
		    .name = "rtp_deny");
	R(.proto = IPPROTO_TCP, .dport = DP_RANGE, .lo = rc->web_port,
	    .hi = rc->web_port, .src = SRC_NOT_IN, .src_set = FS_ADMIN4,
	    .verdict = NF_DROP, .name = "admin_deny");
#undef R

	/* Each rule for both families, except the loopback one. */
	for (i = 0; i < t && n < max; i++) {
		if (tmpl[i].src == SRC_LOOPBACK) {
			r[n++] = tmpl[i];
			continue;
		}
		for (fam = 4; fam <= 6 && n < max; fam += 2) {
			r[n] = tmpl[i];
			r[n].family = (uint8_t)fam;
			if (fam == 6)
				r[n].src_set++;
			n++;
		}
	}
	return n;
}

size_t
fw_rules(const struct fw_ruleconf *rc, struct fw_rule *out, size_t max)
{
	struct fw_rspec	 r[FW_RULES_MAX];
	const char	*ip;
	char		 port[32], src[48];
	size_t		 n, i;

	n = fw_rspecs(rc, r, FW_RULES_MAX);
	for (i = 0; i < n && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		ip = r[i].family == 4 ? "ip" : "ip6";
		if (r[i].family == 0)
			(void)snprintf(out[i].counter, sizeof(out[i].counter),
			    "%s", r[i].name);
		else
			(void)snprintf(out[i].counter, sizeof(out[i].counter),
			    "%s%d", r[i].name, r[i].family);
		port[0] = src[0] = '\0';
		if (r[i].dport == DP_SET)
			(void)snprintf(port, sizeof(port), "%s dport @%s ",
			    r[i].proto == IPPROTO_UDP ? "udp" : "tcp",
			    fw_sets[r[i].dport_set].name);
		else if (r[i].dport == DP_RANGE && r[i].lo == r[i].hi)
			(void)snprintf(port, sizeof(port), "%s dport %u ",
			    r[i].proto == IPPROTO_UDP ? "udp" : "tcp", r[i].lo);
		else if (r[i].dport == DP_RANGE)
			(void)snprintf(port, sizeof(port), "%s dport %u-%u ",
			    r[i].proto == IPPROTO_UDP ? "udp" : "tcp", r[i].lo,
			    r[i].hi);
		switch (r[i].src) {
		case SRC_IN:
		case SRC_NOT_IN:
			(void)snprintf(src, sizeof(src), "%s saddr %s@%s ", ip,
			    r[i].src == SRC_NOT_IN ? "!= " : "",
			    fw_sets[r[i].src_set].name);
			break;
		case SRC_FLOOD:
			(void)snprintf(src, sizeof(src), "%s saddr over %u/s "
			    "burst %u ", ip, rc->sip_rate, rc->sip_burst);
			break;
		case SRC_LOOPBACK:
			(void)snprintf(src, sizeof(src), "iiftype loopback ");
			break;
		case SRC_NONE:
			break;
		}
		(void)snprintf(out[i].text, sizeof(out[i].text), "%s%s%s",
		    port, src, r[i].verdict == NF_DROP ? "drop" : "accept");
	}
	return n < max ? n : max;
}

/* ---- expressions ---- */

static int
fw_add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (e == NULL)
		return -1;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int
fw_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("meta");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return fw_add_expr(r, e);
}

static int
fw_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("cmp");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return fw_add_expr(r, e);
}

static int
fw_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("payload");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return fw_add_expr(r, e);
}

static int
fw_lookup(struct nftnl_rule *r, int set, int invert)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("lookup");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, fw_sets[set].name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, (uint32_t)set + 1);
	if (invert)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS,
		    NFT_LOOKUP_F_INV);
	return fw_add_expr(r, e);
}

/* add @floodN { saddr limit rate over R/second burst B packets } */
static int
fw_flood(struct nftnl_rule *r, int set, const struct fw_ruleconf *rc)
{
	struct nftnl_expr	*e, *lim;

	if ((lim = nftnl_expr_alloc("limit")) == NULL)
		return -1;
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_RATE, rc->sip_rate);
	nftnl_expr_set_u64(lim, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_BURST, rc->sip_burst);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(lim, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	if ((e = nftnl_expr_alloc("dynset")) == NULL) {
		nftnl_expr_free(lim);
		return -1;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, fw_sets[set].name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, (uint32_t)set + 1);
	/* the dynset owns the limit from here on */
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, lim, 0);
	return fw_add_expr(r, e);
}

static int
fw_objref(struct nftnl_rule *r, const char *counter)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("objref");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, counter);
	return fw_add_expr(r, e);
}

static int
fw_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr	*e = nftnl_expr_alloc("immediate");

	if (e == NULL)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	return fw_add_expr(r, e);
}

static int
fw_rule_exprs(struct nftnl_rule *r, const struct fw_rspec *s,
    const struct fw_ruleconf *rc, const char *counter)
{
	uint8_t		nfproto = s->family == 4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	uint16_t	lo = htons(s->lo), hi = htons(s->hi), lotype;

	if (s->proto != 0 && (fw_meta(r, NFT_META_L4PROTO) == -1 ||
	    fw_cmp(r, NFT_CMP_EQ, &s->proto, 1) == -1))
		return -1;
	if (s->dport != DP_NONE &&
	    fw_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2) == -1)
		return -1;
	if (s->dport == DP_SET && fw_lookup(r, s->dport_set, 0) == -1)
		return -1;
	if (s->dport == DP_RANGE && s->lo == s->hi &&
	    fw_cmp(r, NFT_CMP_EQ, &lo, 2) == -1)
		return -1;
	if (s->dport == DP_RANGE && s->lo != s->hi &&
	    (fw_cmp(r, NFT_CMP_GTE, &lo, 2) == -1 ||
	    fw_cmp(r, NFT_CMP_LTE, &hi, 2) == -1))
		return -1;
	if (s->src == SRC_LOOPBACK) {
		lotype = ARPHRD_LOOPBACK;
		if (fw_meta(r, NFT_META_IIFTYPE) == -1 ||
		    fw_cmp(r, NFT_CMP_EQ, &lotype, 2) == -1)
			return -1;
	} else if (s->src != SRC_NONE) {
		if (fw_meta(r, NFT_META_NFPROTO) == -1 ||
		    fw_cmp(r, NFT_CMP_EQ, &nfproto, 1) == -1 ||
		    fw_payload(r, NFT_PAYLOAD_NETWORK_HEADER,
		    s->family == 4 ? 12 : 8, s->family == 4 ? 4 : 16) == -1)
			return -1;
		if (s->src == SRC_FLOOD ? fw_flood(r, s->src_set, rc) == -1 :
		    fw_lookup(r, s->src_set, s->src == SRC_NOT_IN) == -1)
			return -1;
	}
	if (fw_objref(r, counter) == -1 || fw_verdict(r, s->verdict) == -1)
		return -1;
	return 0;
}

/* ---- objects of the table ---- */

static int
fw_put_table(struct fw_batch *b, const char *table)
{
	struct nftnl_table	*t;
	struct nlmsghdr		*nlh;

	if ((t = nftnl_table_alloc()) == NULL)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = fw_batch_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return fw_batch_next(b);
}

static int
fw_put_counter(struct fw_batch *b, const char *table, const char *name,
    uint64_t pkts, uint64_t bytes)
{
	struct nftnl_obj	*o;
	struct nlmsghdr		*nlh;

	if ((o = nftnl_obj_alloc()) == NULL)
		return -1;
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, pkts);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, bytes);
	nlh = fw_batch_msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	return fw_batch_next(b);
}

static int
fw_put_set(struct fw_batch *b, const char *table, int id)
{
	const struct fw_setdef	*d = &fw_sets[id];
	struct nftnl_set	*s;
	struct nlmsghdr		*nlh;

	if ((s = nftnl_set_alloc()) == NULL)
		return -1;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, d->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)id + 1);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, d->keytype);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, d->keylen);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, d->flags);
	if (d->flags & NFT_SET_EVAL) {
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, FW_FLOOD_TIMEOUT);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, FW_FLOOD_SIZE);
	}
	nlh = fw_batch_msg(b, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return fw_batch_next(b);
}

static int
fw_put_chain(struct fw_batch *b, const char *table)
{
	struct nftnl_chain	*c;
	struct nlmsghdr		*nlh;

	if ((c = nftnl_chain_alloc()) == NULL)
		return -1;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, FW_CHAIN);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, FW_PRIORITY);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = fw_batch_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	return fw_batch_next(b);
}

static int
fw_put_rule(struct fw_batch *b, const struct fw_ruleconf *rc,
    const struct fw_rspec *s, const char *counter)
{
	struct nftnl_rule	*r;
	struct nlmsghdr		*nlh;

	if ((r = nftnl_rule_alloc()) == NULL)
		return -1;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, rc->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, FW_CHAIN);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (fw_rule_exprs(r, s, rc, counter) == -1) {
		nftnl_rule_free(r);
		return -1;
	}
	nlh = fw_batch_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	return fw_batch_next(b);
}

int
fw_nft_table(struct fw_batch *b, const struct fw_ruleconf *rc,
    const uint64_t *pkts, const uint64_t *bytes)
{
	struct fw_rspec	spec[FW_RULES_MAX];
	struct fw_rule	rule[FW_RULES_MAX];
	size_t		n, i;
	int		id;

	n = fw_rspecs(rc, spec, FW_RULES_MAX);
	(void)fw_rules(rc, rule, FW_RULES_MAX);
	if (fw_put_table(b, rc->table) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (fw_put_counter(b, rc->table, rule[i].counter,
		    pkts != NULL ? pkts[i] : 0,
		    bytes != NULL ? bytes[i] : 0) == -1)
			return -1;
	for (id = 0; id < FS_MAX; id++)
		if (fw_put_set(b, rc->table, id) == -1)
			return -1;
	if (fw_put_chain(b, rc->table) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (fw_put_rule(b, rc, &spec[i], rule[i].counter) == -1)
			return -1;
	return 0;
}

int
fw_nft_del_table(struct fw_batch *b, const char *table, int destroy)
{
	struct nftnl_table	*t;
	struct nlmsghdr		*nlh;

	if ((t = nftnl_table_alloc()) == NULL)
		return -1;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = fw_batch_msg(b, destroy ? NFT_MSG_DESTROYTABLE :
	    NFT_MSG_DELTABLE, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return fw_batch_next(b);
}

/* nft(8)'s element comment: one TLV of libnftnl's user data. */
static void
fw_elem_comment(struct nftnl_set_elem *e, const char *comment)
{
	uint8_t	ud[2 + PROTO_NAME_MAX];
	size_t	len;

	if (comment == NULL || comment[0] == '\0') {
		nftnl_set_elem_unset(e, NFTNL_SET_ELEM_USERDATA);
		return;
	}
	len = strnlen(comment, PROTO_NAME_MAX - 1);
	ud[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
	ud[1] = (uint8_t)(len + 1);
	memcpy(ud + 2, comment, len);
	ud[2 + len] = '\0';
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, ud, (uint32_t)len + 3);
}

static void
fw_elem_fill(struct nftnl_set_elem *e, const struct fw_kelem *k, int add)
{
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, k->key, k->keylen);
	if (k->end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
		    NFT_SET_ELEM_INTERVAL_END);
	else
		nftnl_set_elem_unset(e, NFTNL_SET_ELEM_FLAGS);
	if (add && k->timeout != 0 && !k->end) {
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, k->timeout);
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_EXPIRATION,
		    k->expires != 0 ? k->expires : k->timeout);
	} else {
		nftnl_set_elem_unset(e, NFTNL_SET_ELEM_TIMEOUT);
		nftnl_set_elem_unset(e, NFTNL_SET_ELEM_EXPIRATION);
	}
	fw_elem_comment(e, add ? k->comment : NULL);
}

int
fw_nft_elems(struct fw_batch *b, const char *table, enum fw_setid set,
    enum fw_elem_op op, const struct fw_kelem *k, size_t n)
{
	struct nftnl_set_elem	*e;
	struct nlmsghdr		*nlh;
	struct nlattr		*list, *one;
	uint16_t		 type, flags = 0;
	size_t			 i = 0;
	int			 idx;

	if (n == 0)
		return 0;
	switch (op) {
	case FW_ELEM_ADD:
		type = NFT_MSG_NEWSETELEM;
		flags = NLM_F_CREATE;	/* no EXCL: present is fine */
		break;
	case FW_ELEM_DEL:
		type = NFT_MSG_DELSETELEM;
		break;
	default:
		type = NFT_MSG_DESTROYSETELEM;	/* absent is fine */
		break;
	}
	if ((e = nftnl_set_elem_alloc()) == NULL)
		return -1;
	while (i < n) {
		nlh = fw_batch_msg(b, type, flags);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET,
		    fw_sets[set].name);
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (idx = 1; i < n; idx++) {
			fw_elem_fill(e, &k[i], op == FW_ELEM_ADD);
			/* each one NFTA_LIST_ELEM, as the kernel writes them
			 * (libnftnl's parser insists; the kernel does not) */
			one = nftnl_set_elem_nlmsg_build(nlh, e, NFTA_LIST_ELEM);
			/* full: this element opens the next message */
			if ((char *)mnl_nlmsg_get_payload_tail(nlh) -
			    (char *)list > FW_ELEMS_MAX_BYTES && idx > 1) {
				mnl_attr_nest_cancel(nlh, one);
				break;
			}
			i++;
		}
		mnl_attr_nest_end(nlh, list);
		if (fw_batch_next(b) == -1) {
			nftnl_set_elem_free(e);
			return -1;
		}
	}
	nftnl_set_elem_free(e);
	return 0;
}
