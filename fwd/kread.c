/*
 * What the kernel holds of our table, read back through libnftnl's
 * parsers: the table, the chain and its rules, the sets, the counters
 * (with their values), and the elements of one set.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

#define FW_CHAIN	"input"

struct kread_ctx {
	const char		*table;
	const struct fw_rule	*rules;
	size_t			 nrules;
	struct fw_kstate	*ks;
	int			 failed;
};

static struct nlmsghdr *
kread_req(char *buf, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags,
	    fw_seq_next());
}

static int
kread_table_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kread_ctx	*c = arg;
	struct nftnl_table	*t;

	if ((t = nftnl_table_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == NFPROTO_INET &&
	    strcmp(nftnl_table_get_str(t, NFTNL_TABLE_NAME), c->table) == 0) {
		c->ks->present = 1;
		c->ks->table_handle = nftnl_table_get_u64(t,
		    NFTNL_TABLE_HANDLE);
		c->ks->use = nftnl_table_get_u32(t, NFTNL_TABLE_USE);
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

static int
kread_chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kread_ctx	*c = arg;
	struct nftnl_chain	*ch;
	const char		*type;

	if ((ch = nftnl_chain_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, ch) == 0 &&
	    nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY) == NFPROTO_INET &&
	    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE), c->table) == 0 &&
	    strcmp(nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME), FW_CHAIN) == 0) {
		type = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE);
		c->ks->chain_handle = nftnl_chain_get_u64(ch,
		    NFTNL_CHAIN_HANDLE);
		c->ks->chain_ok = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM) &&
		    nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) ==
		    NF_INET_LOCAL_IN &&
		    nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) == -10 &&
		    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_ACCEPT &&
		    type != NULL && strcmp(type, "filter") == 0;
	}
	nftnl_chain_free(ch);
	return MNL_CB_OK;
}

static int
kread_rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kread_ctx	*c = arg;
	struct nftnl_rule	*r;
	uint64_t		*v;

	if ((r = nftnl_rule_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0 &&
	    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == NFPROTO_INET &&
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), c->table) == 0 &&
	    strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), FW_CHAIN) == 0) {
		v = reallocarray(c->ks->rule_handles, c->ks->nrules + 1,
		    sizeof(*v));
		if (v == NULL) {
			nftnl_rule_free(r);
			return MNL_CB_ERROR;
		}
		c->ks->rule_handles = v;
		v[c->ks->nrules++] = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int
kread_set_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kread_ctx	*c = arg;
	struct nftnl_set	*s;
	const char		*name;
	int			 id;

	if ((s = nftnl_set_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_set_nlmsg_parse(nlh, s) == 0 &&
	    nftnl_set_get_u32(s, NFTNL_SET_FAMILY) == NFPROTO_INET &&
	    strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), c->table) == 0) {
		name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		for (id = 0; id < FS_MAX; id++) {
			if (strcmp(name, fw_sets[id].name) != 0)
				continue;
			c->ks->set_handle[id] = nftnl_set_get_u64(s,
			    NFTNL_SET_HANDLE);
			c->ks->set_ok[id] = nftnl_set_get_u32(s,
			    NFTNL_SET_KEY_LEN) == fw_sets[id].keylen &&
			    (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) &
			    fw_sets[id].flags) == fw_sets[id].flags;
		}
	}
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int
kread_obj_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kread_ctx	*c = arg;
	struct nftnl_obj	*o;
	size_t			 i;

	if ((o = nftnl_obj_alloc()) == NULL)
		return MNL_CB_ERROR;
	if (nftnl_obj_nlmsg_parse(nlh, o) == 0 &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY) == NFPROTO_INET &&
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER &&
	    strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), c->table) == 0) {
		for (i = 0; i < c->nrules && i < FW_RULES_MAX; i++) {
			if (strcmp(nftnl_obj_get_str(o, NFTNL_OBJ_NAME),
			    c->rules[i].counter) != 0)
				continue;
			c->ks->ctr_ok[i] = 1;
			c->ks->ctr_pkts[i] = nftnl_obj_get_u64(o,
			    NFTNL_OBJ_CTR_PKTS);
			c->ks->ctr_bytes[i] = nftnl_obj_get_u64(o,
			    NFTNL_OBJ_CTR_BYTES);
		}
	}
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

int
fw_kread(const char *table, const struct fw_rule *rules, size_t nrules,
    struct fw_kstate *ks)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct kread_ctx	 c = { table, rules, nrules, ks, 0 };
	struct nlmsghdr		*nlh;
	int			 rv;

	memset(ks, 0, sizeof(*ks));
	nlh = kread_req(buf, NFT_MSG_GETTABLE, 0);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
	rv = fw_nl_request(nlh, kread_table_cb, &c);
	if (rv == -ENOENT)
		return 0;
	if (rv != 0)
		return rv;
	nlh = kread_req(buf, NFT_MSG_GETCHAIN, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	if ((rv = fw_nl_request(nlh, kread_chain_cb, &c)) != 0)
		return rv;
	nlh = kread_req(buf, NFT_MSG_GETRULE, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, FW_CHAIN);
	if ((rv = fw_nl_request(nlh, kread_rule_cb, &c)) != 0)
		return rv;
	nlh = kread_req(buf, NFT_MSG_GETSET, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, table);
	if ((rv = fw_nl_request(nlh, kread_set_cb, &c)) != 0)
		return rv;
	nlh = kread_req(buf, NFT_MSG_GETOBJ, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, table);
	mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_COUNTER));
	return fw_nl_request(nlh, kread_obj_cb, &c);
}

void
fw_kstate_free(struct fw_kstate *ks)
{
	free(ks->rule_handles);
	ks->rule_handles = NULL;
	ks->nrules = 0;
}

/* ---- elements ---- */

struct kelem_ctx {
	enum fw_setid	 set;
	fw_kelem_cb	 cb;
	void		*arg;
};

static int
kelem_udata_cb(const struct nftnl_udata *attr, void *data)
{
	const char	**comment = data;
	const char	 *v = nftnl_udata_get(attr);
	uint8_t		  len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT &&
	    len > 0 && v[len - 1] == '\0')
		*comment = v;
	return 0;
}

static int
kelem_one(struct nftnl_set_elem *e, void *arg)
{
	struct kelem_ctx	*c = arg;
	struct fw_kelem		 k;
	const void		*p;
	uint32_t		 len;

	memset(&k, 0, sizeof(k));
	p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (p == NULL || len != fw_sets[c->set].keylen)
		return -1;
	memcpy(k.key, p, len);
	k.keylen = (uint8_t)len;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		k.end = (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
		    NFT_SET_ELEM_INTERVAL_END) != 0;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
		k.timeout = nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
		k.expires = nftnl_set_elem_get_u64(e,
		    NFTNL_SET_ELEM_EXPIRATION);
	p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
	if (p != NULL && len > 0)
		(void)nftnl_udata_parse(p, len, kelem_udata_cb, &k.comment);
	return c->cb(&k, c->arg);
}

static int
kelem_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nftnl_set	*s;
	int			 rv;

	if ((s = nftnl_set_alloc()) == NULL)
		return MNL_CB_ERROR;
	rv = nftnl_set_elems_nlmsg_parse(nlh, s) == 0 &&
	    nftnl_set_elem_foreach(s, kelem_one, arg) == 0;
	nftnl_set_free(s);
	return rv ? MNL_CB_OK : MNL_CB_ERROR;
}

int
fw_kread_elems(const char *table, enum fw_setid set, fw_kelem_cb cb,
    void *arg)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct kelem_ctx	 c = { set, cb, arg };
	struct nlmsghdr		*nlh;

	nlh = kread_req(buf, NFT_MSG_GETSETELEM, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, fw_sets[set].name);
	return fw_nl_request(nlh, kelem_msg_cb, &c);
}

static int
kelem_collect(const struct fw_kelem *k, void *arg)
{
	struct fw_kelem	copy = *k;

	copy.comment = NULL;
	return fw_kelems_add(arg, &copy);
}

int
fw_kread_kelems(const char *table, enum fw_setid set, struct fw_kelems *ks)
{
	int	rv, tries = 0;

	/* A dump the ruleset changed under is started again. */
	do {
		ks->n = 0;
		rv = fw_kread_elems(table, set, kelem_collect, ks);
	} while (rv == -EINTR && ++tries < 3);
	if (rv == 0)
		fw_kelems_sort(ks);
	return rv;
}
