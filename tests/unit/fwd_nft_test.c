/*
 * fwd's batch builder checked against libnftnl's own parsers: build the
 * table and element messages into a batch, walk its pages message by
 * message, parse each back and compare.  Also the address and range
 * arithmetic the sets are made of.
 */
#include <sys/uio.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwd.h"

static const struct fw_ruleconf rc = {
	.table = "trunkd_test", .rtp_low = 10000, .rtp_high = 20000,
	.web_port = 8443, .media_anywhere = 0, .sip_rate = 50, .sip_burst = 100,
};

/* Every message of a closed batch, in order. */
struct walk {
	const struct nlmsghdr	*msg[4096];
	size_t			 n;
	struct iovec		 iov[64];
};

static void
walk(struct fw_batch *b, struct walk *w)
{
	const struct nlmsghdr	*nlh;
	int			 i, n, len;

	assert_int_equal(fw_batch_close(b), 0);
	n = fw_batch_iovcnt(b);
	assert_true(n > 0 && n <= 64);
	fw_batch_iov(b, w->iov, n);
	w->n = 0;
	for (i = 0; i < n; i++) {
		len = (int)w->iov[i].iov_len;
		for (nlh = w->iov[i].iov_base; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			assert_true(w->n < 4096);
			w->msg[w->n++] = nlh;
		}
		assert_int_equal(len, 0);
	}
}

static int
nft_type(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type & 0xff;
}

static void
test_begin_end(void **state)
{
	struct fw_batch		*b;
	struct walk		 w;
	const struct nlattr	*a;

	assert_non_null(b = fw_batch_new(1234));
	assert_int_equal(fw_nft_del_table(b, "x", 1), 0);
	walk(b, &w);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.msg[0]->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(w.msg[2]->nlmsg_type, NFNL_MSG_BATCH_END);
	/* the generation the batch was planned against */
	a = mnl_nlmsg_get_payload_offset(w.msg[0], sizeof(struct nfgenmsg));
	assert_int_equal(mnl_attr_get_type(a), NFNL_BATCH_GENID);
	assert_int_equal(ntohl(mnl_attr_get_u32(a)), 1234);
	assert_int_equal(nft_type(w.msg[1]), 26);	/* DESTROYTABLE */
	assert_true(w.msg[1]->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(w.msg[0]->nlmsg_seq, fw_batch_first_seq(b));
	assert_int_equal(w.msg[1]->nlmsg_seq, fw_batch_last_seq(b));
	assert_true(w.msg[2]->nlmsg_seq > w.msg[1]->nlmsg_seq);
	fw_batch_free(b);
}

struct expr_names {
	char	names[16][16];
	int	n;
};

static int
expr_cb(struct nftnl_expr *e, void *arg)
{
	struct expr_names	*x = arg;

	(void)strlcpy(x->names[x->n++], nftnl_expr_get_str(e,
	    NFTNL_EXPR_NAME), sizeof(x->names[0]));
	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") == 0 &&
	    x->n > 6)
		/* the source test of a deny rule is inverted */
		assert_int_equal(nftnl_expr_get_u32(e,
		    NFTNL_EXPR_LOOKUP_FLAGS), NFT_LOOKUP_F_INV);
	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "objref") == 0)
		assert_int_equal(nftnl_expr_get_u32(e,
		    NFTNL_EXPR_OBJREF_IMM_TYPE), NFT_OBJECT_COUNTER);
	return 0;
}

static void
test_table(void **state)
{
	static const char *const deny4[] = { "meta", "cmp", "payload",
	    "lookup", "meta", "cmp", "payload", "lookup", "objref",
	    "immediate" };
	struct fw_rule		 rules[FW_RULES_MAX];
	struct fw_batch		*b;
	struct walk		 w;
	struct nftnl_table	*t;
	struct nftnl_obj	*o;
	struct nftnl_set	*s;
	struct nftnl_chain	*c;
	struct nftnl_rule	*r;
	struct expr_names	 x;
	size_t			 nrules, i, nobj = 0, nset = 0, nrule = 0;
	uint64_t		 pkts[FW_RULES_MAX] = { 7 };
	int			 k;

	nrules = fw_rules(&rc, rules, FW_RULES_MAX);
	assert_int_equal(nrules, 17);
	assert_non_null(b = fw_batch_new(0));
	assert_int_equal(fw_nft_table(b, &rc, pkts, NULL), 0);
	walk(b, &w);
	/* begin, table, counters, sets, chain, rules, end */
	assert_int_equal(w.n, 2 + 1 + nrules + FS_MAX + 1 + nrules);
	for (i = 1; i + 1 < w.n; i++) {
		switch (nft_type(w.msg[i])) {
		case NFT_MSG_NEWTABLE:
			assert_non_null(t = nftnl_table_alloc());
			assert_int_equal(nftnl_table_nlmsg_parse(w.msg[i], t), 0);
			assert_string_equal(nftnl_table_get_str(t,
			    NFTNL_TABLE_NAME), "trunkd_test");
			nftnl_table_free(t);
			break;
		case NFT_MSG_NEWOBJ:
			assert_non_null(o = nftnl_obj_alloc());
			assert_int_equal(nftnl_obj_nlmsg_parse(w.msg[i], o), 0);
			assert_string_equal(nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
			    rules[nobj].counter);
			/* a rebuild carries the counters' values */
			assert_int_equal(nftnl_obj_get_u64(o,
			    NFTNL_OBJ_CTR_PKTS), nobj == 0 ? 7 : 0);
			nftnl_obj_free(o);
			nobj++;
			break;
		case NFT_MSG_NEWSET:
			assert_non_null(s = nftnl_set_alloc());
			assert_int_equal(nftnl_set_nlmsg_parse(w.msg[i], s), 0);
			assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME),
			    fw_sets[nset].name);
			assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			    fw_sets[nset].flags);
			assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
			    fw_sets[nset].keylen);
			nftnl_set_free(s);
			nset++;
			break;
		case NFT_MSG_NEWCHAIN:
			assert_non_null(c = nftnl_chain_alloc());
			assert_int_equal(nftnl_chain_nlmsg_parse(w.msg[i], c), 0);
			assert_int_equal(nftnl_chain_get_u32(c,
			    NFTNL_CHAIN_HOOKNUM), NF_INET_LOCAL_IN);
			assert_int_equal(nftnl_chain_get_s32(c,
			    NFTNL_CHAIN_PRIO), -10);
			assert_int_equal(nftnl_chain_get_u32(c,
			    NFTNL_CHAIN_POLICY), NF_ACCEPT);
			nftnl_chain_free(c);
			break;
		case NFT_MSG_NEWRULE:
			assert_non_null(r = nftnl_rule_alloc());
			assert_int_equal(nftnl_rule_nlmsg_parse(w.msg[i], r), 0);
			memset(&x, 0, sizeof(x));
			assert_int_equal(nftnl_expr_foreach(r, expr_cb, &x), 0);
			/* every rule ends: named counter, verdict */
			assert_string_equal(x.names[x.n - 2], "objref");
			assert_string_equal(x.names[x.n - 1], "immediate");
			if (strcmp(rules[nrule].counter, "sip_udp_deny4") == 0) {
				assert_int_equal(x.n, 10);
				for (k = 0; k < 10; k++)
					assert_string_equal(x.names[k],
					    deny4[k]);
			}
			if (strcmp(rules[nrule].counter, "sip_udp_flood4") == 0)
				assert_string_equal(x.names[7], "dynset");
			nftnl_rule_free(r);
			nrule++;
			break;
		default:
			fail_msg("unexpected message %d", nft_type(w.msg[i]));
		}
	}
	assert_int_equal(nobj, nrules);
	assert_int_equal(nset, FS_MAX);
	assert_int_equal(nrule, nrules);
	/* the bans come first, and media from anywhere drops two rules */
	assert_string_equal(rules[0].counter, "ban4");
	fw_batch_free(b);
}

static void
test_media_anywhere(void **state)
{
	struct fw_ruleconf	any = rc;
	struct fw_rule		rules[FW_RULES_MAX];
	size_t			i, n;

	any.media_anywhere = 1;
	n = fw_rules(&any, rules, FW_RULES_MAX);
	assert_int_equal(n, 15);
	for (i = 0; i < n; i++)
		assert_null(strstr(rules[i].counter, "rtp"));
}

struct elems_seen {
	struct fw_kelem	 k[30000];
	char		 comment[30000][PROTO_NAME_MAX];
	size_t		 n;
};

static int
udata_cb(const struct nftnl_udata *attr, void *arg)
{
	char	*out = arg;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT)
		(void)strlcpy(out, nftnl_udata_get(attr), PROTO_NAME_MAX);
	return 0;
}

static int
elem_cb(struct nftnl_set_elem *e, void *arg)
{
	struct elems_seen	*s = arg;
	struct fw_kelem		*k = &s->k[s->n];
	const void		*p;
	uint32_t		 len;

	assert_true(s->n < 30000);
	p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	assert_non_null(p);
	memcpy(k->key, p, len);
	k->keylen = (uint8_t)len;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		k->end = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) ==
		    NFT_SET_ELEM_INTERVAL_END;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
		k->timeout = nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
		k->expires = nftnl_set_elem_get_u64(e,
		    NFTNL_SET_ELEM_EXPIRATION);
	s->comment[s->n][0] = '\0';
	p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
	if (p != NULL)
		assert_int_equal(nftnl_udata_parse(p, len, udata_cb,
		    s->comment[s->n]), 0);
	s->n++;
	return 0;
}

static void
test_elems_split(void **state)
{
	static struct elems_seen seen;
	struct fw_kelem		*k;
	struct fw_batch		*b;
	struct walk		 w;
	struct nftnl_set	*s;
	size_t			 i, n = 25000;

	assert_non_null(k = calloc(n, sizeof(*k)));
	for (i = 0; i < n; i++) {
		k[i].keylen = 16;
		k[i].key[0] = 0x20;
		k[i].key[1] = 0x01;
		k[i].key[14] = (uint8_t)(i >> 8);
		k[i].key[15] = (uint8_t)i;
		k[i].timeout = 3600000;
		k[i].expires = 1000 + i;
		k[i].comment = i % 2 ? "brute force" : NULL;
	}
	assert_non_null(b = fw_batch_new(0));
	assert_int_equal(fw_nft_elems(b, "t", FS_BAN6, FW_ELEM_ADD, k, n), 0);
	walk(b, &w);
	assert_true(w.n > 3);	/* split over several messages */
	memset(&seen, 0, sizeof(seen));
	for (i = 1; i + 1 < w.n; i++) {
		assert_int_equal(nft_type(w.msg[i]), NFT_MSG_NEWSETELEM);
		/* the element list attribute has a 16-bit length */
		assert_true(w.msg[i]->nlmsg_len < 65536);
		assert_false(w.msg[i]->nlmsg_flags & NLM_F_EXCL);
		assert_non_null(s = nftnl_set_alloc());
		assert_int_equal(nftnl_set_elems_nlmsg_parse(w.msg[i], s), 0);
		assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME),
		    "ban6");
		assert_int_equal(nftnl_set_elem_foreach(s, elem_cb, &seen), 0);
		nftnl_set_free(s);
	}
	assert_int_equal(seen.n, n);
	for (i = 0; i < n; i++) {
		assert_memory_equal(seen.k[i].key, k[i].key, 16);
		assert_int_equal(seen.k[i].timeout, 3600000);
		assert_int_equal(seen.k[i].expires, 1000 + i);
		assert_string_equal(seen.comment[i], i % 2 ? "brute force" : "");
	}
	fw_batch_free(b);
	free(k);
}

static void
test_interval_elems(void **state)
{
	static struct elems_seen seen;
	struct fw_ranges	 rs = { NULL, 0, 0 }, back = { NULL, 0, 0 };
	struct fw_kelems	 ks = { NULL, 0, 0 };
	struct proto_net	 n;
	struct fw_range		 r;
	struct fw_batch		*b;
	struct walk		 w;
	struct nftnl_set	*s;
	char			 err[64];
	const char		*nets[] = { "192.0.2.0/24", "192.0.3.0/24",
				    "10.0.0.0/8", "10.1.0.0/16",
				    "255.255.255.0/24" };
	size_t			 i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		assert_int_equal(fw_net_parse(nets[i], &n, err, sizeof(err)),
		    0);
		fw_net_range(&n, &r);
		assert_int_equal(fw_ranges_add(&rs, &r), 0);
	}
	fw_ranges_merge(&rs);
	/* 10/8 swallows 10.1/16; the two /24s touch and join */
	assert_int_equal(rs.n, 3);
	assert_int_equal(fw_ranges_kelems(&rs, 4, &ks), 0);
	/* the range up to 255.255.255.255 has no end element */
	assert_int_equal(ks.n, 5);
	assert_int_equal(fw_kelems_ranges(&ks, 4, &back), 0);
	assert_int_equal(back.n, rs.n);
	assert_memory_equal(back.v, rs.v, rs.n * sizeof(*rs.v));

	assert_non_null(b = fw_batch_new(0));
	assert_int_equal(fw_nft_elems(b, "t", FS_TRUNK4, FW_ELEM_ADD, ks.v,
	    ks.n), 0);
	walk(b, &w);
	assert_int_equal(w.n, 3);
	memset(&seen, 0, sizeof(seen));
	assert_non_null(s = nftnl_set_alloc());
	assert_int_equal(nftnl_set_elems_nlmsg_parse(w.msg[1], s), 0);
	assert_int_equal(nftnl_set_elem_foreach(s, elem_cb, &seen), 0);
	nftnl_set_free(s);
	assert_int_equal(seen.n, 5);
	for (i = 0; i < 5; i++) {
		assert_memory_equal(seen.k[i].key, ks.v[i].key, 4);
		assert_int_equal(seen.k[i].end, ks.v[i].end);
	}
	/* 10.0.0.0 start, 11.0.0.0 end */
	assert_int_equal(seen.k[0].key[0], 10);
	assert_false(seen.k[0].end);
	assert_int_equal(seen.k[1].key[0], 11);
	assert_true(seen.k[1].end);
	fw_batch_free(b);
	fw_kelems_free(&ks);
	fw_ranges_free(&rs);
	fw_ranges_free(&back);
}

static void
test_addresses(void **state)
{
	struct proto_net	n, m;
	struct fw_ranges	rs = { NULL, 0, 0 };
	struct fw_range		r;
	char			err[64], buf[FW_NET_STRLEN];

	assert_int_equal(fw_net_parse("198.51.100.7", &n, err, sizeof(err)),
	    0);
	assert_int_equal(n.family, 4);
	assert_int_equal(n.prefixlen, 32);
	fw_net_fmt(&n, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.7");
	assert_int_equal(fw_net_parse("2001:db8::/32", &n, err, sizeof(err)),
	    0);
	fw_net_fmt(&n, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/32");
	assert_int_equal(fw_net_parse("198.51.100.1/24", &n, err,
	    sizeof(err)), -1);
	assert_int_equal(fw_net_parse("2001:db8::1/64", &n, err,
	    sizeof(err)), -1);
	assert_int_equal(fw_net_parse("198.51.100.0/33", &n, err,
	    sizeof(err)), -1);
	assert_int_equal(fw_net_parse("nonsense", &n, err, sizeof(err)), -1);
	assert_int_equal(fw_net_parse("10.0.0.0/0", &n, err, sizeof(err)), -1);

	/* containment and the prefix of a range */
	assert_int_equal(fw_net_parse("10.1.0.0/16", &n, err, sizeof(err)), 0);
	assert_int_equal(fw_net_parse("10.1.2.0/24", &m, err, sizeof(err)), 0);
	assert_true(fw_net_contains(&n, &m));
	assert_false(fw_net_contains(&m, &n));
	fw_net_range(&m, &r);
	assert_int_equal(fw_range_net(&r, &n), 0);
	assert_memory_equal(&n, &m, sizeof(n));
	r.hi[3] = 0x7f;		/* 10.1.2.0 - 10.1.2.127: a /25 */
	assert_int_equal(fw_range_net(&r, &n), 0);
	assert_int_equal(n.prefixlen, 25);
	r.hi[3] = 0x80;		/* not a prefix */
	assert_int_equal(fw_range_net(&r, &n), -1);

	/* overlap of a merged list with one range */
	assert_int_equal(fw_net_parse("192.0.2.0/24", &n, err, sizeof(err)),
	    0);
	fw_net_range(&n, &r);
	assert_int_equal(fw_ranges_add(&rs, &r), 0);
	assert_int_equal(fw_net_parse("2001:db8::/32", &n, err, sizeof(err)),
	    0);
	fw_net_range(&n, &r);
	assert_int_equal(fw_ranges_add(&rs, &r), 0);
	fw_ranges_merge(&rs);
	assert_int_equal(fw_net_parse("192.0.2.77", &n, err, sizeof(err)), 0);
	fw_net_range(&n, &r);
	assert_true(fw_ranges_overlap(&rs, &r));
	assert_int_equal(fw_net_parse("192.0.0.0/16", &n, err, sizeof(err)),
	    0);
	fw_net_range(&n, &r);
	assert_true(fw_ranges_overlap(&rs, &r));	/* it covers the /24 */
	assert_int_equal(fw_net_parse("192.0.3.0", &n, err, sizeof(err)), 0);
	fw_net_range(&n, &r);
	assert_false(fw_ranges_overlap(&rs, &r));
	assert_int_equal(fw_net_parse("2001:db9::1", &n, err, sizeof(err)),
	    0);
	fw_net_range(&n, &r);
	assert_false(fw_ranges_overlap(&rs, &r));
	assert_int_equal(fw_net_parse("2001:db8:ffff::1", &n, err,
	    sizeof(err)), 0);
	fw_net_range(&n, &r);
	assert_true(fw_ranges_overlap(&rs, &r));
	fw_ranges_free(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_begin_end),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_media_anywhere),
		cmocka_unit_test(test_elems_split),
		cmocka_unit_test(test_interval_elems),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
